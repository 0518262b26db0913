"""`followup-sim story`: one line per logged event of the prospect, typical picks, two strategies side by side."""
from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

import sim
from conftest import cli
from sim.present.story import clock, pick_prospect, render, restated, tell

SCENARIO = {
    "name": "story_test", "horizon": "60d", "seed": 5, "replications": 1,
    "population": {"outbound": {"size": 300, "ramp": "5d"}, "inbound": {"per_day": 3}},
    "strategies": {"once": {"preset": "one_and_done"}, "cadence": {"preset": "cadence_1_3_7_14_28_58"}},
}


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "story.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    return path


def test_clock_reads_weekday_and_time():
    assert clock(0) == "Mon 00:00" and clock(9 * 60 + 14 + 1440) == "Tue 09:14" and clock(7 * 1440 + 61) == "Mon 01:01"


def test_timeline_matches_the_event_log_one_to_one():
    sc = sim.Scenario(**SCENARIO)
    events = sim.run_replication(sc, "cadence", 0, event_log=True).events
    busiest = int(events.groupby("prospect").size().idxmax())
    story = tell(sc, "cadence", prospect=busiest, events=events)
    ev = events[events.prospect == busiest]
    folded = restated(ev)  # the market's change at the minute of our own event that says it: told once
    assert folded.sum() >= 1 and set(ev[folded].kind) == {"readiness"}
    for e in ev[folded].itertuples():
        said = ev[(ev.time_min == e.time_min) & ev.kind.isin(["reach_out", "purchase"])]
        assert len(said) == 1 and {"reach_out": "ready", "purchase": "off_market"}[said.kind.iloc[0]] == e.outcome
    ev = ev[~folded]
    assert len(story.lines) == len(ev) > 5
    calls = 0
    for line, e in zip(story.lines, ev.itertuples()):
        assert (line.time_min, line.day, line.when, line.outcome) == (e.time_min, e.day, clock(e.time_min), e.outcome)
        if e.channel == "call" and e.kind in ("prospecting", "follow_up", "new_lead") and e.outcome != "dropped":
            calls += 1
            assert re.search(rf"call {calls}\b", line.what), line.what
        if e.kind != "readiness" and e.outcome in ("voicemail", "no_answer"):
            assert "no answer" in line.what
        assert (e.readiness.replace("_", " ") in line.state) or ("off the market" in line.state)
    # the printed story has exactly one line per event between the title and the outcome
    printed = render(story).splitlines()
    body = printed[2:2 + printed[2:].index("")]
    assert len(body) == len(ev)
    assert [line.split()[:3] for line in body] == [[clock(t).split()[0], clock(t).split()[1], "day"] for t in ev.time_min]


def test_pick_chooses_the_median_prospect_of_the_kind():
    rows = []
    for pid, n in ((1, 2), (2, 9), (3, 5)):  # three buyers with 2, 9 and 5 events: the typical one is 3
        rows += [(pid, 1, "call", "follow_up", "voicemail", "")] * (n - 1) + [(pid, 2, "call", "callback", "sale", "")]
    rows += [(4, 1, "call", "prospecting", "no_answer", "")] * 3
    ev = pd.DataFrame(rows, columns=["prospect", "day", "channel", "kind", "outcome", "complaint_cause"])
    assert pick_prospect(ev, "sold") == 3
    assert pick_prospect(ev, "ignored") == 4
    assert pick_prospect(ev, "complained") is None
    # beside a second strategy under which 3 bought too, the pick contrasts: among 1 and 2 (2 and 9 events)
    other = ev[ev.prospect == 3]
    assert pick_prospect(ev, "sold", other) == 1
    assert pick_prospect(ev, "sold", ev) == 3  # no contrast to be had: the typical one as before


def test_pick_sold_follows_a_prospect_who_bought(scenario_file):
    proc = cli("story", scenario_file, "--strategy", "cadence", "--pick", "sold")
    assert proc.returncode == 0, proc.stderr
    pid = int(re.match(r"Prospect (\d+) under", proc.stdout).group(1))
    events = sim.run_replication(sim.Scenario(**SCENARIO), "cadence", 0, event_log=True).events
    assert (events[(events.prospect == pid)].outcome == "sale").any()
    assert "bought from us" in proc.stdout and "Why: " in proc.stdout


def test_vs_shows_the_same_prospect_and_the_same_first_call_luck(scenario_file):
    proc = cli("story", scenario_file, "--strategy", "once", "--vs", "cadence", "--pick", "lost")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    pid = int(re.match(r"Prospect (\d+), replication 0", lines[0]).group(1))
    col = lines[3].index(" | ")  # the rule under the two headings
    left = [ln[:col] for ln in lines[4:]]
    right = [ln[col + 3:] for ln in lines[4:]]
    first = [next(c for c in col if re.search(r"call 1\b", c)) for col in (left, right)]
    luck = [("no answer" in c, "talked" in c, re.search(r"day \d+", c).group()) for c in first]
    assert luck[0] == luck[1], first
    for strategy in ("once", "cadence"):  # both columns are that one prospect's events
        events = sim.run_replication(sim.Scenario(**SCENARIO), strategy, 0, event_log=True).events
        assert len(events[events.prospect == pid]) > 0


def test_story_errors_are_plain(scenario_file):
    proc = cli("story", scenario_file, "--strategy", "nope", "--pick", "sold")
    assert proc.returncode == 2 and "no strategy 'nope'" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("story", scenario_file, "--strategy", "once", "--pick", "happy")
    assert proc.returncode == 2 and "sold, complained, lost, ignored" in proc.stderr
    proc = cli("story", scenario_file, "--strategy", "once", "--prospect", "99999")
    assert proc.returncode == 2 and "prospect 99999" in proc.stderr and "Traceback" not in proc.stderr


def test_kinds_of_agrees_with_kind_of_prospect_by_prospect():
    from sim.present.story import kind_of, kinds_of

    sc = sim.Scenario(**SCENARIO)
    events = sim.run_replication(sc, "cadence", 0, event_log=True).events
    fast = kinds_of(events)
    slow = {int(pid): kind_of(ev) for pid, ev in events.groupby("prospect")}
    assert fast == slow and {"sold", "lost", "ignored"} <= set(fast.values())


def test_story_takes_the_name_every_output_shows_as_well_as_the_key(scenario_file):
    by_key = cli("story", scenario_file, "--strategy", "once", "--pick", "lost", "--vs", "cadence")
    by_name = cli("story", scenario_file, "--strategy", "call once and stop", "--pick", "lost",
                  "--vs", "1-3-7-14-28-58 Cadence")
    assert by_key.returncode == by_name.returncode == 0, by_name.stderr
    assert by_key.stdout == by_name.stdout
