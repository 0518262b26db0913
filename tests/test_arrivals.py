"""Lists that arrive over time: batches join the list on their day and are first touched over
their ramp, weekly names arrive evenly (exactly per_week a week), a name does not exist before
it arrives (no event, no readiness count), and inbound rates per week or month are the per-day
rate. Each test reads the event log or the built world against the rule, on a tiny team-free run."""
from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import sim
from sim.scenario.loading import dump_scenario, load_scenario
from sim.model.readiness import stationary
from sim.present.story import describe
from sim.scenario.units import DAY, WEEK
from sim.model.world import build_world

ALWAYS_OPEN = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "24:00"}
TOUCHES = ("call", "email", "sms")


def scenario(outbound: dict, horizon: str = "40d", **extra) -> sim.Scenario:
    """No inbound leads, a frozen market (no buying moments, so every touch is one we planned),
    and an unlimited team working around the clock: each planned touch happens when it is due."""
    fields = dict(
        horizon=horizon, replications=1, seed=11,
        population={"outbound": outbound, "inbound": {"per_day": 0}},
        readiness={"frozen": True},
        team={"unlimited": True, "calendar": ALWAYS_OPEN},
        rules={"legal_start": "00:00", "legal_end": "24:00"},
        strategies={"five": {"preset": "five_and_stop", "respect_calling_hours": False}},
    )
    fields.update(extra)
    return sim.Scenario(**fields)


BATCHES = {"size": 30, "ramp": "3d", "batches": [
    {"size": 40, "start": "10d", "ramp": "4d"},
    {"size": 25, "start": "20d", "ramp": "0d"},
    {"size": 50, "start": "45d"},  # after the 40-day horizon: never arrives
]}
# prospect ids of the day-0 list and of each batch that arrives
GROUPS = {"list": (range(0, 30), 0.0, 3 * DAY), "batch 1": (range(30, 70), 10 * DAY, 4 * DAY),
          "batch 2": (range(70, 95), 20 * DAY, 0.0)}


@pytest.fixture(scope="module")
def batch_run():
    sc = scenario(BATCHES)
    return sc, build_world(sc, sc.strategy("five"), 0), sim.run_replication(sc, "five", 0, event_log=True)


def test_batches_arrive_on_their_days(batch_run):
    sc, world, result = batch_run
    ev = result.events
    assert result.metrics["list_prospects"] == world.n_list == 95  # 30 + 40 + 25; the batch past the horizon never comes
    assert result.metrics["prospects"] == 95
    listed = ev[ev.kind == "listed"]
    for name, (ids, start, ramp) in GROUPS.items():
        mine = ev[ev.prospect.isin(ids)]
        assert mine.time_min.min() >= start, name  # no event of any kind before the batch arrives
        added = listed[listed.prospect.isin(ids)]
        if start == 0:
            assert added.empty  # the day-0 list is there from the start
        else:
            assert sorted(added.prospect) == list(ids) and (added.time_min == start).all(), name
        first = mine[mine.channel.isin(TOUCHES)].groupby("prospect").time_min.min()
        assert len(first) == len(ids), name  # every name got its first touch ...
        due = np.array([world.list_first[i] for i in ids])
        # ... exactly when due (an always-open, unlimited team), at its place in the ramp
        assert np.array_equal(first.loc[list(ids)].to_numpy(), due), name
        if ramp == 0:
            assert (due == start).all(), name
        else:
            assert (due >= start).all() and (due < start + ramp).all(), name
            # spread evenly over the ramp: the largest gap from the uniform CDF is within the
            # Kolmogorov-Smirnov 1% critical value (1.63 / sqrt(n))
            u = np.sort((due - start) / ramp)
            n = len(u)
            gap = max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n))
            assert gap < 1.63 / math.sqrt(n), name
    assert all(p.start == GROUPS["batch 1"][1] for p in world.prospects[30:70])


def test_a_later_batch_is_not_counted_before_it_arrives(batch_run):
    _sc, _world, result = batch_run
    present = result.readiness.drop(columns="day").sum(axis=1).to_numpy()
    days = result.readiness["day"].to_numpy()
    expected = np.where(days < 10, 30, np.where(days < 20, 70, 95))  # counted at the start of each day
    assert np.array_equal(present, expected)


def test_a_later_name_starts_its_readiness_path_at_arrival_from_the_long_run_mix():
    sc = scenario({"size": 0, "batches": [{"size": 6000, "start": "5d", "ramp": "2d"}]}, readiness={})
    world = build_world(sc, sc.strategy("five"), 0)
    paths = world.paths
    first = paths.offsets[:-1]
    assert np.all(paths.times[first] == 5 * DAY)  # the path begins when the name arrives ...
    states = paths.states[first]
    pi = stationary(sc.readiness)
    n = len(states)
    for state, share in enumerate(pi):  # ... in a state drawn from the long-run mix (4 standard errors)
        se = math.sqrt(share * (1 - share) / n)
        assert abs(np.mean(states == state) - share) < 4 * se, (state, share)


def test_weekly_names_arrive_evenly_exactly_per_week_each_touched_as_it_arrives():
    sc = scenario({"size": 5, "ramp": "1d", "per_week": 10, "per_week_start": "3d"}, horizon="31d")
    world = build_world(sc, sc.strategy("five"), 0)
    weekly = world.prospects[5:world.n_list]
    assert len(weekly) == 40  # four full weeks from day 3 to day 31, ten a week
    starts = np.array([p.start for p in weekly])
    assert np.allclose(starts, 3 * DAY + np.arange(40) * WEEK / 10, rtol=0, atol=1e-9)
    assert world.list_first[5:] == starts.tolist()  # first touch due as it arrives
    ev = sim.run_replication(sc, "five", 0, event_log=True).events
    first = ev[ev.channel.isin(TOUCHES)].groupby("prospect").time_min.min()
    assert np.array_equal(first.loc[range(5, 45)].to_numpy(), starts)
    # a fractional rate: 2.5 a week is one name every 2.8 days, 5 in two weeks (day 14 is the horizon)
    half = scenario({"per_week": 2.5}, horizon="14d")
    assert half.population.outbound.size == 0  # a list that arrives week by week has no day-0 names
    assert half.population.outbound.weekly_count(half.horizon) == 5
    assert build_world(half, half.strategy("five"), 0).n_list == 5


def same(a: dict, b: dict) -> bool:
    """Equal metrics, NaN (utilization of an unlimited team) equal to NaN."""
    return a.keys() == b.keys() and all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_inbound_per_week_and_per_month_are_the_per_day_rate():
    def world_of(inbound: dict):
        sc = scenario({"size": 10}, horizon="21d", population={"outbound": {"size": 10}, "inbound": inbound})
        return sc, sim.run_replication(sc, "five", 0)

    day_sc, day = world_of({"per_day": 10})
    assert day.metrics["inbound_leads"] > 100
    assert not same(world_of({"per_week": 71})[1].metrics, day.metrics)  # the comparison can tell worlds apart
    for inbound in ({"per_week": 70}, {"per_month": 10 * 365 / 12}):
        sc, other = world_of(inbound)
        assert sc.population.inbound.per_day == 10.0
        assert same(other.metrics, day.metrics)  # the same world, number for number
        assert dump_scenario(sc) == dump_scenario(day_sc)  # the resolved scenario says per_day
    assert sim.Scenario(population={"inbound": {"per_month": 365}}).population.inbound.per_day == pytest.approx(12.0)


def test_a_resolved_scenario_with_batches_reads_back_the_same(tmp_path):
    sc = scenario(BATCHES, population={"outbound": BATCHES, "inbound": {"per_week": 35}})
    path = tmp_path / "scenario.yaml"
    path.write_text(dump_scenario(sc), encoding="utf-8")
    data = yaml.safe_load(path.read_text())
    assert data["population"]["inbound"]["per_day"] == 5.0 and "per_week" not in data["population"]["inbound"]
    assert load_scenario(path).model_dump() == sc.model_dump()


def test_the_story_of_a_later_name_starts_when_it_joins_the_list(batch_run):
    _sc, _world, result = batch_run
    ev = result.events
    lines = describe(ev[ev.prospect == 40])
    assert lines[0].what == "was added to our list" and lines[0].day == 11


def test_a_scenario_without_money_is_written_without_the_key_and_reads_back(tmp_path):
    for sc in (sim.Scenario(horizon="7d"),
               sim.Scenario(horizon="7d", money={"deal_value": {"kind": "fixed", "value": 100}})):
        text = dump_scenario(sc)
        assert ("money:" in text) is (sc.money is not None)
        assert "money: null" not in text
        path = tmp_path / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        again = load_scenario(path)
        assert again.model_dump() == sc.model_dump() and again.money == sc.money


def test_setting_one_inbound_rate_replaces_the_others_in_overrides_and_sweeps(tmp_path):
    from sim.scenario.loading import with_fields

    path = tmp_path / "s.yaml"
    path.write_text("horizon: 7d\npopulation: {inbound: {per_day: 10}}\n", encoding="utf-8")
    assert load_scenario(path, ["population.inbound.per_week=14"]).population.inbound.per_day == 2.0
    sc = load_scenario(path)
    assert with_fields(sc, {"population.inbound.per_month": 365}, "sweep").population.inbound.per_day == pytest.approx(12)
    path.write_text("horizon: 7d\npopulation: {inbound: {per_day: 10, per_week: 14}}\n", encoding="utf-8")
    with pytest.raises(Exception, match="per_day and per_week are given together"):
        load_scenario(path)  # in the file itself, two rates stay an error
