"""optimize --minutes never overruns: each chunk of runs starts only if, at the time per run measured
so far, it ends in time. On a fake clock that advances a fixed number of seconds per finished run
(so no wall time is asserted), the search and selection end inside the limit, use most of it, and
the answer says how long they ran."""
from __future__ import annotations

import pytest

from sim.experiment.progress import clock_text
from sim.optimize.answer import sentences
from sim.optimize.goals import objective_for
from sim.optimize.search import BATCH, SEARCH_SHARE, Evaluator, Settings, optimize
from sim.optimize.space import space_of
from sim.optimize.timebox import TimeBox
from sim.scenario.loading import validate_data
from test_optimize_known import BINDS

PER_RUN = 2.0  # fake seconds each finished run takes


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _search(minutes: float, budget: int = 5000):
    small = dict(BINDS["population"], outbound={"size": 300, "ramp": "1d"})
    spaced = dict(BINDS["optimize"], first_gap=["1d", "5d"], growth=[1, 2.5])  # proposals seldom repeat
    sc = validate_data(dict(BINDS, seed=4, population=small, optimize=spaced), "binds")
    clock = FakeClock()

    def advance(key, metrics) -> None:  # a run finished: PER_RUN seconds went by
        clock.now += PER_RUN

    ev = Evaluator(sc, keep=advance, clock=clock)
    settings = Settings(objective_for("sales", sc), budget=budget, minutes=minutes, space=space_of(sc.optimize))
    return optimize(sc, settings, ev), ev, clock


@pytest.mark.parametrize("minutes", [1.0, 2.5])
def test_the_search_and_the_selection_end_within_the_minutes(minutes):
    out, ev, clock = _search(minutes)
    limit = 60 * minutes
    assert out.seconds == clock.now - 1000.0 == PER_RUN * ev.simulated
    assert out.seconds <= limit  # never overran
    assert out.stopped_by == "time" and out.runs < 5000
    # the search stopped only when its next batch (BATCH cadences x 3 replications) would not have
    # ended by its share of the time with room left for the smallest selection (2 cadences x n0)
    search_runs = sum(1 for key, rep in ev.cache if rep < 1000)
    assert PER_RUN * (search_runs + BATCH * 3 + 2 * 5) > limit * SEARCH_SHARE or \
        PER_RUN * (search_runs + BATCH * 3 + 2 * 5) > limit
    said = " ".join(sentences(out))
    assert f"it ran {clock_text(out.seconds)} of the {clock_text(limit)} allowed ({out.runs} runs)" in said


def test_without_minutes_the_budget_alone_stops_it():
    out, ev, clock = _search(None, budget=70)
    assert out.stopped_by == "budget" and out.runs <= 70
    assert not any(" allowed (" in s for s in sentences(out))


def test_a_timebox_refuses_a_chunk_that_would_end_late_and_says_how_many_fit():
    clock = FakeClock()
    box = TimeBox(1.0, clock, 0.6)
    assert box.fits(36.0, search=True) and not box.hit
    assert not box.fits(36.5, search=True) and box.hit  # past the search's 60% of the 60 s
    assert box.fits(59.0) and not box.fits(30.0, then=30.5)
    assert box.room(7.0) == 8  # 8 x 7 s end by 60 s, 9 do not
    clock.now += 61
    assert not box.fits(0.0) and box.elapsed() == 61
    assert TimeBox(None, clock, 0.6).fits(1e9) and TimeBox(None, clock, 0.6).room(1.0) is None
