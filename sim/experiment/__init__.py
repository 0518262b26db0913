"""Many replications on common random numbers (serial, in processes or on Dask), the statistics
that compare them, the precision rule that stops them, interrupts and progress.

May import: sim.model, sim.scenario.
"""
