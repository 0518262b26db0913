"""A team read from its CRM export: the fitted scenario, its estimators, its results folder and
the recovery check.

May import: sim.actions and every layer below it.
"""
