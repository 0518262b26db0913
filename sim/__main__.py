"""``python -m sim`` is the followup-sim command line."""
from .cli import main

main()
