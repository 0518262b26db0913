"""followup-sim: a discrete-event simulator of sales follow-up strategies.

    import sim
    scenario = sim.Scenario()                      # every default
    result = sim.run_replication(scenario, "five_and_stop", replication=0)
    result.metrics["close_rate"]
"""
from sim.model.engine import run_replication
from sim.model.results import RunResult
from sim.scenario.schema import Scenario
from sim.scenario.strategies import PRESETS, Strategy, preset

__all__ = ["Scenario", "Strategy", "PRESETS", "preset", "run_replication", "RunResult"]
__version__ = "0.1.0"
