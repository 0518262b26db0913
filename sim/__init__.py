"""followup-sim: a discrete-event simulator of sales follow-up strategies.

    import sim
    scenario = sim.Scenario()                      # every default
    result = sim.run_replication(scenario, "five_and_stop", replication=0)
    result.metrics["close_rate"]
"""
from .engine import run_replication
from .results import RunResult
from .scenario import Scenario
from .strategies import PRESETS, Strategy, preset

__all__ = ["Scenario", "Strategy", "PRESETS", "preset", "run_replication", "RunResult"]
__version__ = "0.1.0"
