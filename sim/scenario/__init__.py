"""What a user writes: the scenario's schema, presets and cadences, units, limits, loading from YAML
with field paths, and the errors a user can fix.

May import: nothing else of sim (the lowest layer).
"""
