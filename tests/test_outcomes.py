"""One outcome per prospect (sim/model/prospect_outcomes.py), read off the event log, used by story, picks,
--vs and the workshop: checked over thousands of prospects of every preset against the final
states the results count, and against what each story prints."""
from __future__ import annotations

import re

import pytest

import sim
from sim.model.prospect_outcomes import outcome_of, outcomes
from sim.present.story import PICKS, differing, kinds_of, pick_prospect, side_by_side, tell
from sim.scenario.strategies import PRESETS

SCENARIO = dict(
    name="outcomes", horizon="120d", replications=1, seed=13,
    population={"outbound": {"size": 1500, "ramp": "10d"}, "inbound": {"per_day": 8}},
    team={"reps": [{"count": 3, "pushiness": 0.4}]},
    strategies={name: {"preset": name} for name in PRESETS},
)
# the story's Outcome line for each final state
SAID = {"bought_from_us": r"bought from us on day \d+", "opted_out": r"(complained|asked not to be contacted again|"
        r"left our list) on day \d+", "disqualified": r"left our list on day \d+",
        "bought_elsewhere": r"bought from a competitor on day \d+", "open": r"never touched|never reached|still open"}


@pytest.fixture(scope="module")
def runs():
    sc = sim.Scenario(**SCENARIO)
    return sc, {name: sim.run_replication(sc, name, 0, event_log=True) for name in sc.strategies}


def test_each_story_outcome_is_the_final_state_of_its_events(runs):
    sc, results = runs
    for name, r in results.items():
        ends = outcomes(r.events)
        by = dict(tuple(r.events.groupby("prospect")))
        # a few stories of every kind of end a preset has
        chosen = [pid for final in SAID for pid in ends.index[ends.final == final][:4]]
        for pid in chosen:
            story = tell(sc, name, prospect=int(pid), events=by[pid])
            final = ends.loc[pid, "final"]
            assert re.fullmatch(SAID[final], story.outcome), (name, pid, final, story.outcome)
            last_day = int(by[pid].day.max())
            if final != "open":  # the day it says is an event's day, never after the last
                assert int(story.outcome.rsplit(" ", 1)[1]) <= last_day


@pytest.mark.parametrize("pick", PICKS)
def test_vs_picks_a_prospect_whose_outcome_differs_and_says_so_only_then(runs, pick):
    sc, results = runs
    names = list(results)
    for a, b in zip(names, names[1:] + names[:1]):
        ev_a, ev_b = results[a].events, results[b].events
        pid = pick_prospect(ev_a, pick, ev_b)
        if pid is None:
            continue
        kinds, differ = kinds_of(ev_a), differing(ev_a, ev_b)
        assert kinds[pid] == pick
        contrast = any(p in differ for p, k in kinds.items() if k == pick)
        assert (pid in differ) == contrast, (a, b, pick)
        if not (ev_b.prospect == pid).any():
            continue  # never touched under b: no story to set beside it
        left = tell(sc, a, pick=pick, events=ev_a, other=ev_b)
        right = tell(sc, b, prospect=left.prospect, events=ev_b)
        head = side_by_side(left, right).split("\n\n")[0]
        differs = outcome_of(left.events).final != outcome_of(right.events).final
        assert ("whose outcome differs" in head) == differs == contrast, (a, b, pick, head)
