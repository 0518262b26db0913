"""What a command does end to end: a run, a sweep or a calibration into a results folder,
checked before it starts, interruptible and resumable; the rule for an existing folder.

May import: sim.present and every layer below it.
"""
