"""What a command does end to end: a run, a sweep or a calibration into a results folder,
checked, interruptible, resumable."""
