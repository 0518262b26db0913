"""What people read and see: plots, sentences, stories, the report, lessons, the CLI's tables, the
files of a results folder and simulated events written as CRM activities.

May import: sim.experiment, sim.model, sim.scenario.
"""
