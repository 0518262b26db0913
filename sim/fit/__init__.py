"""A team read from its CRM export: the export reader (mapping, values, row accounting, bounds),
the fitted scenario, its estimators and plausibility warnings, its results folder and the
recovery check.

May import: sim.actions and every layer below it.
"""
