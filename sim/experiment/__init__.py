"""Many replications on common random numbers, serial, in processes or on Dask, with the
statistics that compare them and the precision rule that stops them."""
