"""Separate cadences for inbound leads and listed prospects within one strategy: each kind of
prospect is touched only with its own steps (read from the event log)."""
from __future__ import annotations

import pytest

import sim
from sim.scenario.loading import ScenarioError, load_scenario

CADENCE_KINDS = ("new_lead", "follow_up", "prospecting")
NOT_MADE = ("dropped", "forgotten", "past_last_day")
OUTBOUND = [{"day": 1, "channel": "call"}, {"day": 3, "channel": "call"}, {"day": 5, "channel": "email"}]
INBOUND = [{"day": 1, "channel": "sms"}, {"day": 2, "channel": "call"}, {"day": 4, "channel": "sms"},
           {"day": 6, "channel": "email"}]


def scenario(strategy: dict) -> sim.Scenario:
    return sim.Scenario(horizon="30d", seed=9, population={"outbound": {"size": 300, "ramp": "5d"}, "inbound": {"per_day": 8}},
                        team={"reps": [{"count": 3}]}, strategies={"split": strategy})


def cadence_channels(events, n_list: int) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Per prospect, the channels of the cadence touches made to them, in order: listed, inbound."""
    ev = events[events["kind"].isin(CADENCE_KINDS) & ~events["outcome"].isin(NOT_MADE)]
    listed, inbound = {}, {}
    for pid, group in ev.groupby("prospect"):
        (listed if pid < n_list else inbound)[pid] = group.sort_values("time_min")["channel"].tolist()
    return listed, inbound


def test_each_kind_of_prospect_is_touched_only_with_its_own_steps():
    sc = scenario({"steps": [{"day": 1}], "first_response": "5m", "stop_on_no": False, "stop_on_reply": False,
                   "outbound": {"steps": OUTBOUND}, "inbound": {"steps": INBOUND}})
    r = sim.run_replication(sc, "split", 0, event_log=True)
    listed, inbound = cadence_channels(r.events, r.metrics["list_prospects"])
    own_out, own_in = [s["channel"] for s in OUTBOUND], [s["channel"] for s in INBOUND]
    assert len(listed) > 100 and len(inbound) > 100
    for seq in listed.values():
        assert seq == own_out[:len(seq)], seq
    for seq in inbound.values():
        assert seq == own_in[:len(seq)], seq
    # and both cadences ran to their ends for some
    assert any(len(s) == len(own_out) for s in listed.values())
    assert any(len(s) == len(own_in) for s in inbound.values())


def test_a_kind_without_its_own_cadence_gets_the_strategys_steps():
    steps = [{"day": 1, "channel": "call"}, {"day": 2, "channel": "email"}]
    sc = scenario({"steps": steps, "first_response": "5m", "stop_on_no": False, "stop_on_reply": False,
                   "inbound": {"steps": INBOUND}})
    r = sim.run_replication(sc, "split", 0, event_log=True)
    listed, inbound = cadence_channels(r.events, r.metrics["list_prospects"])
    assert any(len(s) == 2 for s in listed.values())
    assert all(seq == ["call", "email"][:len(seq)] for seq in listed.values())
    assert all(seq == [s["channel"] for s in INBOUND][:len(seq)] for seq in inbound.values())


def test_sub_cadences_that_repeat_the_strategys_steps_change_nothing():
    plain = {"preset": "cadence_1_3_7_14_28_58"}
    same = sim.Strategy(**plain)
    copy = {"steps": [s.model_dump() for s in same.steps], "repeat": same.repeat.model_dump()}
    a = sim.run_replication(scenario(plain), "split", 0).metrics
    b = sim.run_replication(scenario({**plain, "inbound": copy, "outbound": copy}), "split", 0).metrics
    assert a == b


def test_a_sub_cadence_is_checked_like_a_strategy(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("strategies:\n  s:\n    steps: [{day: 1}]\n    inbound:\n      repeat: {every: 30d}\n"
                    "    outbound:\n      steps: [{day: 0}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "strategies.s.inbound: 'repeat' needs at least one step before it" in text
    assert "strategies.s.outbound.steps[0].day" in text


def test_the_schema_describes_sub_cadences():
    schema = sim.Scenario.model_json_schema(mode="validation")
    fields = schema["$defs"]["Strategy"]["properties"]
    assert fields["inbound"]["description"] and fields["outbound"]["description"]
    assert set(schema["$defs"]["SubCadence"]["properties"]) == {"steps", "repeat", "max_touches"}
