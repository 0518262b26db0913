"""The workshop's "suggest a B": a small time-boxed search from A whose result B starts from. The
search on a fake clock (so the time box is checked without asserting wall time), the page's
button headless (AppTest), and the presenter's control."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.optimize import search
from sim.optimize.search import strategy_of
from sim.optimize.suggest import suggest_from
from sim.scenario.strategies import Strategy
from sim.workshop import page as W
from sim.workshop import suggest as SG

APP = str(Path(W.__file__).with_name("app.py"))
TICK = 0.1  # fake seconds per finished run


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _fake_runs(monkeypatch, tick: float = TICK) -> FakeClock:
    """A fake clock on which every finished run takes ``tick`` seconds."""
    clock, real = FakeClock(), search.map_runs

    def timed(jobs, workers, dask, on_result):
        def each(i, result):
            clock.now += tick
            on_result(i, result)
        return real(jobs, workers, dask, on_result=each)

    monkeypatch.setattr(search, "map_runs", timed)
    return clock


def _small_base() -> W.Base:
    data = dict(W.WORKSHOP_SCENARIO, population={"outbound": {"size": 80, "ramp": "5d"}, "inbound": {"per_day": 2}},
                horizon="30d")
    return W._base_from_data(data, "small workshop")


def test_suggest_fills_b_with_the_best_found_from_a_within_the_time_box(monkeypatch):
    base = _small_base()
    setup = W.default_setup(base)
    clock, shares = _fake_runs(monkeypatch), []
    told = shares.append

    seconds = 6.0
    new_base, new_setup, strategy, text = SG.suggest_b(base, setup, seconds, told, clock=clock)
    assert strategy is not None and clock.now <= seconds  # the time box held
    assert shares == sorted(shares) and 0 < shares[-1] <= 1
    assert new_setup.a == setup.a and new_setup.b.start == SG.SUGGESTED  # A as it was, B from the suggestion
    scenario = W.build_scenario(new_base, new_setup)
    b = scenario.strategies["B"]
    found = Strategy.model_validate(strategy)
    assert (b.steps, b.first_response, b.repeat, b.stop_on_no, b.book_next_step) == \
        (found.steps, found.first_response, found.repeat, found.stop_on_no, found.book_next_step)
    assert W.display_names(scenario.strategies)["B"] == SG.LABEL
    assert "against your cadence" in text and "Time: it ran" in text


def test_the_suggestion_is_the_search_s_best_other_than_a(monkeypatch):
    base = _small_base()
    scenario = W.build_scenario(base, W.default_setup(base))
    clock = _fake_runs(monkeypatch)
    found = suggest_from(scenario, "A", 6.0, clock=clock)
    out = found.outcome
    best = out.winner if out.winner != "A" else out.runner_up
    assert found.strategy == out.candidates[best].strategy and out.current == "A"
    assert list(out.candidates)[0] == "A" and "B" not in out.candidates  # from A alone
    assert strategy_of(out.candidates[best]).steps[0].channel == "call"
    with pytest.raises(ValueError, match="give 5 to 600 seconds"):
        suggest_from(scenario, "A", 1.0)


def test_a_time_box_too_short_for_one_batch_suggests_nothing_and_says_why(monkeypatch):
    base = _small_base()
    setup = W.default_setup(base)
    clock = _fake_runs(monkeypatch, tick=1.0)  # A's 3 runs take 3 s; a batch of 12 would end at 15 s
    new_base, new_setup, strategy, text = SG.suggest_b(base, setup, 5.0, clock=clock)
    assert strategy is None and (new_base, new_setup) == (base, setup) and clock.now <= 5.0
    assert text == ("No B suggested: 5 s was too short for the search to try one batch of cadences at the time a "
                    "run takes here; give it more seconds.")


@pytest.mark.slow
def test_the_page_s_button_runs_the_search_and_starts_b_from_it():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    at.number_input(key="suggest-seconds").set_value(5)
    next(b for b in at.button if b.label == "Suggest a B").click()
    at.run()
    assert not at.exception
    assert at.selectbox(key="start-B").value == SG.SUGGESTED
    said = [s.value for s in at.success]
    assert said and "against your cadence" in said[0]
    assert SG.LABEL in at.selectbox(key="start-B").options
    assert any("changed since the last run" in i.value for i in at.info)  # B is new: Run shows it
