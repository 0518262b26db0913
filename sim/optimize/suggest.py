"""A small, time-boxed search from one strategy: the workshop's "suggest a B".

``suggest_from(scenario, "A", seconds=20)`` searches the scenario's space (its ``optimize:``
section, or the defaults) from strategy A, which stands for the team's current cadence, for at
most ``seconds`` of wall time (``optimize --minutes``, which never overruns), then picks the
best on fresh replications as ``optimize`` does, and returns the best cadence that is not A
itself, with one sentence saying what it is and how it compares. No folder is written."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional

from sim.optimize.answer import sentences
from sim.optimize.goals import Constraint, OptimizeError, objective_for
from sim.optimize.search import Evaluator, Outcome, Settings, optimize
from sim.optimize.space import space_of
from sim.optimize.timebox import Clock
from sim.scenario.loading import validate_data
from sim.scenario.schema import Scenario

DEFAULT_SECONDS = 20.0
SECONDS = (5.0, 600.0)  # the time boxes a page may ask for
BUDGET = 100_000  # runs: the time box decides


@dataclass(frozen=True)
class Suggestion:
    strategy: Optional[dict]  # the cadence found (scenario data), None when the search found none
    text: str  # what it is and how it compares, for the page
    runs: int
    seconds: float
    outcome: Optional[Outcome]  # None when the time box was too short for one batch


def suggest_from(scenario: Scenario, start: str, seconds: float = DEFAULT_SECONDS,
                 progress: Optional[Callable[[float], None]] = None, constraints: tuple[Constraint, ...] = (),
                 clock: Clock = time.monotonic, workers: int = 1) -> Suggestion:
    """Search from ``scenario``'s strategy ``start`` for at most ``seconds``; ``progress(share)`` is
    told the share of the time box used as runs finish."""
    if not SECONDS[0] <= seconds <= SECONDS[1]:
        raise ValueError(f"a time box of {seconds:g} s: give {SECONDS[0]:g} to {SECONDS[1]:g} seconds")
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.update(strategies={start: data["strategies"][start]}, baseline=start)
    sc = validate_data(data, f"a search from {start}")
    t0 = clock()

    def told(done: int, total: int) -> None:
        if progress is not None:
            progress(min(1.0, (clock() - t0) / seconds))

    settings = Settings(objective_for(None, sc), constraints, budget=BUDGET, minutes=seconds / 60,
                        space=space_of(sc.optimize))
    try:
        out = optimize(sc, settings, Evaluator(sc, workers, progress=told, total=BUDGET, clock=clock))
    except OptimizeError:  # a time box too short for one batch
        return Suggestion(None, f"No B suggested: {seconds:g} s was too short for the search to try one batch of "
                          "cadences at the time a run takes here; give it more seconds.", 0, clock() - t0, None)
    key = out.winner if out.winner != start else out.runner_up
    if key is None:
        return Suggestion(None, " ".join(sentences(out)), out.runs, out.seconds, out)
    said = sentences(out)
    text = said[0] if out.winner != start else f"{said[0]} The runner-up is suggested."
    return Suggestion(dict(out.candidates[key].strategy), f"{text} {said[-1]}", out.runs, out.seconds, out)
