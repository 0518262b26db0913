"""What people read and see: plots, sentences, stories, the report, lessons, console tables and
the files of a results folder. Never simulates on its own account."""
