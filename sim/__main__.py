"""``python -m sim`` is the followup-sim command line."""
from sim.cli import main

main()
