"""What a user writes: the scenario's schema, presets, units and limits, read from YAML and
checked with field paths. Imports nothing else of sim."""
