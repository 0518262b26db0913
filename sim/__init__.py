"""followup-sim: a discrete-event simulator of sales follow-up strategies.

    import sim
    scenario = sim.Scenario()                      # every default
    result = sim.run_replication(scenario, "five_and_stop", replication=0)
    result.metrics["close_rate"]

The names are imported on first use (PEP 562), so a command that only reads a scenario
(``followup-sim validate``, ``--help``) does not load the engine, pandas or matplotlib.
"""
from __future__ import annotations

import importlib

_WHERE = {"Scenario": "sim.scenario.schema", "Strategy": "sim.scenario.strategies", "PRESETS": "sim.scenario.strategies",
          "preset": "sim.scenario.strategies", "run_replication": "sim.model.engine", "RunResult": "sim.model.results"}

__all__ = ["Scenario", "Strategy", "PRESETS", "preset", "run_replication", "RunResult"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
