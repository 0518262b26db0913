"""Rep groups with their own working week (calendar, time zone, holidays, leave) and the task
kinds they take, checked one mechanism at a time on the event log and on the calendar's
arithmetic; and the per-group figures summed against the team's."""
from __future__ import annotations

import math

import pytest

import sim
from sim.model.calendar import Calendar
from sim.scenario.schema import WorkCalendar
from sim.scenario.units import DAY, HOUR

ALL7 = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEAM_CAL = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}


def scenario(reps, horizon="28d", strategy="cadence_1_3_7_14_28_58", routing="shared", **extra):
    return sim.Scenario(
        horizon=horizon, seed=7,
        population={"outbound": {"size": 400, "ramp": "10d"}, "inbound": {"per_day": 12}},
        team={"reps": reps, "calendar": TEAM_CAL, "queue": {"routing": routing}},
        strategies={"s": {"preset": strategy}}, **extra)


def calls(result, reps_prefix: str):
    ev = result.events
    return ev[(ev["channel"] == "call") & ev["rep"].str.startswith(reps_prefix)
              & ~ev["outcome"].isin(["dropped", "forgotten", "past_last_day"])]


# ------------------------------------------------------------ the calendar's arithmetic
def test_a_calendar_on_another_clock_opens_and_closes_at_its_own_hours():
    """A group six hours behind the team works its 09:00-17:00 at the team's 15:00-23:00."""
    cal = Calendar(WorkCalendar(**TEAM_CAL), timezone=-6)
    monday = 0.0
    assert not cal.is_working(monday + 14 * HOUR + 59)
    assert cal.is_working(monday + 15 * HOUR) and cal.is_working(monday + 22 * HOUR + 59)
    assert not cal.is_working(monday + 23 * HOUR)
    assert cal.next_open(monday) == 15 * HOUR
    assert cal.shift_end(monday + 16 * HOUR) == 23 * HOUR
    # Friday 23:00 team time closes the week; the next opening is Monday 15:00
    assert cal.next_open(4 * DAY + 23 * HOUR) == 7 * DAY + 15 * HOUR
    # two weeks: 10 working days of 8 hours
    assert cal.working_minutes(14 * DAY) == 10 * 8 * HOUR
    assert cal.work_days(14 * DAY) == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]


def test_a_clock_ahead_of_the_team_works_early_on_the_teams_clock():
    """A group eight hours ahead works 09:00-17:00 on its clock, 01:00-09:00 on the team's;
    its week two Monday starts at the team's Sunday 16:00 but its hours are after the run."""
    cal = Calendar(WorkCalendar(days=["mon", "sun"], start="09:00", end="17:00"), timezone=8)
    assert cal.is_working(1 * HOUR) and not cal.is_working(9 * HOUR)
    assert cal.day_of(0.0) == 0 and cal.day_of(7 * DAY - 8 * HOUR) == 7
    assert cal.work_days(7 * DAY) == [0, 6]  # its Sunday (day 6) runs 01:00-09:00 of the team's Sunday
    assert cal.working_minutes(7 * DAY) == 2 * 8 * HOUR


def test_a_clock_behind_the_team_starts_on_its_day_minus_one():
    """A group ten hours behind working around the clock is on its Sunday (day -1) for the
    team's first ten hours: that day is one of its working days, ten hours long."""
    cal = Calendar(WorkCalendar(days=list(ALL7), start="00:00", end="24:00"), timezone=-10)
    assert cal.day_of(0.0) == -1 and cal.day_of(10 * HOUR) == 0
    assert cal.work_days(2 * DAY) == [-1, 0, 1]
    assert cal.working_minutes(2 * DAY) == 2 * DAY


def test_days_off_are_skipped_and_a_calendar_with_no_day_left_never_opens():
    cal = Calendar(WorkCalendar(**TEAM_CAL), days_off=[1, 2])  # Tuesday and Wednesday off
    assert not cal.is_working(1 * DAY + 10 * HOUR)
    assert cal.next_open(0 * DAY + 17 * HOUR) == 3 * DAY + 9 * HOUR
    assert cal.working_minutes(7 * DAY) == 3 * 8 * HOUR
    assert cal.work_days(7 * DAY) == [0, 3, 4]
    off_forever = Calendar(WorkCalendar(days=["mon"]), days_off=[0, 7, 14])
    assert off_forever.next_open(0.0) == math.inf
    through = Calendar(WorkCalendar(days=["mon", "tue", "wed"], start="00:00", end="24:00"), days_off=[1])
    assert through.shift_end(10 * HOUR) == 1 * DAY  # Tuesday off: Monday's shift ends at midnight


# ------------------------------------------------------------ hours in the run
def test_a_part_time_group_never_works_outside_its_hours():
    """Part-timers on Monday and Wednesday afternoons, and a late shift six hours behind: every
    call each group makes starts inside its own hours, and each group does make calls."""
    sc = scenario([
        {"name": "full", "count": 2},
        {"name": "part", "count": 2, "calendar": {"days": ["mon", "wed"], "start": "13:00"}},
        {"name": "late", "count": 1, "timezone": -6},
    ], strategy="daily_two_weeks")
    r = sim.run_replication(sc, "s", 0, event_log=True)
    for group, days, (start, end) in [("part", {0, 2}, (13 * HOUR, 17 * HOUR)),
                                      ("late", {0, 1, 2, 3, 4}, (15 * HOUR, 23 * HOUR)),
                                      ("full", {0, 1, 2, 3, 4}, (9 * HOUR, 17 * HOUR))]:
        t = calls(r, group)["time_min"].to_numpy()
        assert len(t) > 50, (group, len(t))
        minute, weekday = t % DAY, (t // DAY).astype(int) % 7
        assert set(weekday) <= days, (group, sorted(set(weekday)))
        assert minute.min() >= start and minute.max() < end, (group, minute.min() / HOUR, minute.max() / HOUR)


def test_no_call_on_a_holiday_or_on_a_reps_leave_days():
    """A public holiday on the team's calendar stops every call that day; each rep's leave
    (36.5 days a year over 28 days: round(2.8) = 3 days) removes exactly that many working
    days from their rep-days, and they call on none of them."""
    sc = sim.Scenario(
        horizon="28d", seed=7, start_date="2027-01-04",
        population={"outbound": {"size": 400, "ramp": "10d"}, "inbound": {"per_day": 12}},
        team={"reps": [{"name": "a", "count": 3, "leave_days_per_year": 36.5}],
              "calendar": {**TEAM_CAL, "holidays": ["2027-01-06"]}},  # Wednesday of week one
        strategies={"s": {"preset": "daily_two_weeks"}})
    r = sim.run_replication(sc, "s", 0, event_log=True)
    t = calls(r, "a")
    assert not ((t["time_min"] // DAY) == 2).any(), "a call on the holiday"
    calendar_days = [d for d in range(28) if d % 7 < 5 and d != 2]
    for rep, days in r.rep_days.groupby("rep")["day"]:
        leave = sorted(set(calendar_days) - set(days))
        assert len(leave) == 3 and set(days) <= set(calendar_days), (rep, leave)
        called_on = set((t.loc[t["rep"] == rep, "time_min"] // DAY).astype(int))
        assert not called_on & set(leave), (rep, leave, sorted(called_on))
        assert len(called_on) >= 15  # they worked the other days


def test_leave_is_the_same_in_every_strategy():
    """Leave days come from their own random stream: the same replication gives each rep the
    same days off under every strategy (common random numbers)."""
    sc = sim.Scenario(horizon="60d", seed=3, population={"outbound": {"size": 200}, "inbound": {"per_day": 3}},
                      team={"reps": [{"name": "a", "count": 2, "leave_days_per_year": 30}]},
                      strategies={"one": {"preset": "one_and_done"}, "five": {"preset": "five_and_stop"}})
    days = [sim.run_replication(sc, s, 1).rep_days.groupby("rep")["day"].apply(list).to_dict() for s in sc.strategies]
    assert days[0] == days[1]
    other = sim.run_replication(sc, "one", 2).rep_days.groupby("rep")["day"].apply(list).to_dict()
    assert other != days[0], "another replication draws other days"


# ------------------------------------------------------------ task kinds
@pytest.mark.parametrize("routing", ["shared", "owner"])
def test_a_new_lead_desk_never_prospects_and_the_prospectors_never_take_new_leads(routing):
    """An inbound desk that takes only first calls to new leads, and a group that takes the
    rest: in the event log each group's calls are of its own kinds only."""
    sc = scenario([
        {"name": "desk", "count": 1, "takes": ["new_lead"]},
        {"name": "hunters", "count": 3, "takes": ["prospecting", "follow_up", "callback", "booked"]},
    ], routing=routing, strategy="booked_next_step")
    r = sim.run_replication(sc, "s", 0, event_log=True)
    desk, hunters = calls(r, "desk"), calls(r, "hunters")
    assert set(desk["kind"]) == {"new_lead"}
    assert len(desk) > 100
    assert "new_lead" not in set(hunters["kind"])
    assert {"prospecting", "follow_up", "booked"} <= set(hunters["kind"])
    # every first call to a lead was made by the desk
    first = r.events[(r.events["kind"] == "new_lead") & (r.events["channel"] == "call")]
    assert (first["rep"] == "desk").all()


def test_a_lead_the_desk_talked_to_goes_on_to_the_group_that_takes_follow_ups():
    """The desk owns a lead once it has talked to them, but does not take follow-ups: those go
    to the team's queue and the hunter who talks to the lead becomes its owner."""
    sc = scenario([
        {"name": "desk", "count": 1, "takes": ["new_lead", "callback"]},
        {"name": "hunters", "count": 2, "takes": ["prospecting", "follow_up", "booked"]},
    ])
    r = sim.run_replication(sc, "s", 0, event_log=True)
    ev = r.events[r.events["channel"] == "call"]
    leads = set(ev.loc[ev["kind"] == "new_lead", "prospect"])
    followed = ev[ev["prospect"].isin(leads) & (ev["kind"] == "follow_up")]
    assert len(followed) > 20 and followed["rep"].str.startswith("hunters").all()
    assert set(ev.loc[ev["kind"] == "callback", "rep"]) <= {"desk"}


# ------------------------------------------------------------ figures by group
def test_group_figures_add_up_to_the_team():
    sc = scenario([
        {"name": "senior", "count": 2, "skill": 0.8},
        {"name": "part", "count": 2, "calendar": {"days": ["tue", "thu"]}},
        {"name": "desk", "count": 1, "takes": ["new_lead", "callback"]},
    ], strategy="booked_next_step", horizon="42d")
    m = sim.run_replication(sc, "s", 0).metrics
    groups = ["senior", "part", "desk"]
    assert sum(m[f"group_{g}_calls"] for g in groups) == m["calls"]
    assert sum(m[f"group_{g}_sales"] for g in groups) == m["sales"]
    assert sum(m[f"group_{g}_talk_hours"] for g in groups) == pytest.approx(m["talk_hours"], rel=1e-12)
    # utilization is busy / available; the part-timers are available 2 days in 5
    available = {"senior": 2 * 30 * 8 * HOUR, "part": 2 * 12 * 8 * HOUR, "desk": 30 * 8 * HOUR}
    busy = sum(m[f"group_{g}_utilization"] * available[g] for g in groups)
    assert busy / sum(available.values()) == pytest.approx(m["utilization"], rel=1e-12)
    assert m["group_part_calls_per_rep_day"] == pytest.approx(m["group_part_calls"] / (2 * 12))
    assert all(m[f"group_{g}_calls"] > 0 for g in groups)


def test_one_group_adds_no_group_columns():
    m = sim.run_replication(scenario([{"name": "rep", "count": 3}], horizon="7d"), "s", 0).metrics
    assert not [k for k in m if k.startswith("group_")]


def test_a_groups_calendar_change_keeps_the_rest_of_the_teams_calendar():
    sc = sim.Scenario(team={"calendar": {"start": "08:00", "end": "20:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat"]},
                            "reps": [{"name": "late", "calendar": {"start": "12:00"}}]})
    cal = sc.team.calendar_of(sc.team.reps[0])
    assert (cal.start, cal.end, len(cal.days)) == (12 * HOUR, 20 * HOUR, 6)


def test_the_cli_reports_each_group_in_runs_summary_table_and_plot(tmp_path):
    """As an analyst runs it: a two-group team gives group columns in runs.csv and summary.csv,
    a by-group table in the printed summary, and call_load_by_group.png."""
    import pandas as pd

    from conftest import cli

    path = tmp_path / "groups.yaml"
    path.write_text(
        "name: groups\nhorizon: 14d\nreplications: 2\nseed: 5\n"
        "population: {outbound: {size: 120}, inbound: {per_day: 4}}\n"
        "team:\n  reps:\n"
        "    - {name: desk, takes: [new_lead, callback]}\n"
        "    - {name: hunters, count: 2, takes: [prospecting, follow_up, booked], calendar: {days: [mon, tue, wed]}}\n"
        "strategies: {five: {preset: five_and_stop}}\n")
    out = tmp_path / "out"
    proc = cli("run", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "by rep group" in proc.stdout and "hunters" in proc.stdout
    runs = pd.read_csv(out / "runs.csv")
    assert (runs["group_desk_calls"] + runs["group_hunters_calls"] == runs["calls"]).all()
    summary = pd.read_csv(out / "summary.csv")
    assert "group_hunters_utilization" in set(summary["metric"])
    assert (out / "plots" / "call_load_by_group.png").stat().st_size > 10_000


def test_every_group_must_meet_every_time_zone_and_a_group_on_the_prospects_clock_calls_them_all():
    """Prospects twelve hours ahead are never in legal hours while the home group works: a
    group that never meets them would hold the prospects dealt to it for good, so the
    scenario is refused, naming the group. A team on the prospects' clock calls every one."""
    far = {"population": {"outbound": {"size": 60, "ramp": "2d"}, "inbound": {"per_day": 0}, "timezones": {12: 1.0}},
           "horizon": "14d", "strategies": {"s": {"preset": "five_and_stop"}}}
    with pytest.raises(ValueError, match=r"team.reps\[0\]: group 'home' works 09:00-17:00, which never meets"):
        sim.Scenario(**far, team={"reps": [{"name": "home", "count": 2}, {"name": "night", "timezone": 12}]})
    sc = sim.Scenario(**far, team={"reps": [{"name": "night", "count": 2, "timezone": 12}]})
    r = sim.run_replication(sc, "s", 0, event_log=True)
    assert calls(r, "night")["prospect"].nunique() == 60


def test_a_group_behind_the_team_counts_its_calls_on_its_day_minus_one():
    """A round-the-clock group ten hours behind makes calls in the team's first ten hours, on
    its own day -1: they count in its rep-days and in its group figures."""
    sc = sim.Scenario(
        horizon="7d", seed=2, population={"outbound": {"size": 200, "ramp": "1d"}, "inbound": {"per_day": 0}},
        team={"reps": [{"name": "home", "count": 1},
                       {"name": "west", "count": 1, "timezone": -10,
                        "calendar": {"days": list(ALL7), "start": "00:00", "end": "24:00"}}]},
        strategies={"s": {"preset": "daily_two_weeks", "respect_calling_hours": False}})
    r = sim.run_replication(sc, "s", 0, event_log=True)
    m = r.metrics
    west = calls(r, "west")
    early = int((west["time_min"] < 10 * HOUR).sum())
    assert early > 0
    day_minus_one = r.rep_days[(r.rep_days["rep"] == "west") & (r.rep_days["day"] == -1)]
    assert int(day_minus_one["calls"].sum()) == early
    assert m["group_home_calls"] + m["group_west_calls"] == m["calls"]
