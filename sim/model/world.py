"""Building one replication's world before anything is simulated: the team's reps, the
prospects with their traits and readiness paths, the inbound arrivals, and the random tapes.

A pure function of (scenario, strategy, replication), with no SimPy in it: the same
(scenario, replication) gives every strategy the same world (common random numbers). Only
``rep_pushiness`` of a strategy enters, as the style its reps are coached to.
"""
from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Optional

import numpy as np

from sim.model import randomness as rnd
from sim.model.calendar import Calendar
from sim.model.prospects import Prospect
from sim.model.readiness import Paths, sample_paths, stationary
from sim.model.segment_draws import draw_cells, give_up_points
from sim.scenario.segments import Cell
from sim.scenario.schema import ALL_TASK_KINDS, Durations, Inbound, Money, Scenario, WorkCalendar
from sim.scenario.strategies import Strategy
from sim.scenario.units import DAY, HOUR


@dataclass(frozen=True)
class RepTraits:
    """One rep as the scenario describes them: a name, a style, a conversation skill (a
    multiplier on sale, booking and nurture chances; 1 = an average rep), and their group's
    working week: its calendar, its clock's lead on the team's (hours), the days this rep is
    off (holidays and leave, as day numbers on the rep's clock) and the task kinds it takes."""

    name: str
    pushiness: float
    skill: float
    group: str = "rep"
    calendar: Optional[WorkCalendar] = None  # None: the team's
    timezone: int = 0
    days_off: tuple[int, ...] = ()
    takes: tuple[str, ...] = ALL_TASK_KINDS


class CallDurations:
    """Call times of each kind, drawn in blocks from the replication's handling stream."""

    __slots__ = ("no_answer", "voicemail", "talk", "wrap_connect", "wrap_other")

    def __init__(self, d: Durations, rng: np.random.Generator):
        self.no_answer = rnd.Buffered(lambda k: d.no_answer.sample(rng, k))
        self.voicemail = rnd.Buffered(lambda k: d.voicemail.sample(rng, k))
        self.talk = rnd.Buffered(lambda k: d.conversation.sample(rng, k))
        self.wrap_connect = rnd.Buffered(lambda k: d.wrap_up_connect.sample(rng, k))
        self.wrap_other = rnd.Buffered(lambda k: d.wrap_up_other.sample(rng, k))


@dataclass
class World:
    """Everything a run starts from. Prospects 0 .. n_list-1 are the list (the day-0 list, then
    the later batches and weekly names: each listed prospect's ``start`` is its arrival); the
    rest are the inbound leads, in order of arrival (``arrivals``)."""

    reps: list[RepTraits]
    prospects: list[Prospect]
    n_list: int
    arrivals: list[float]  # arrival time of each inbound lead
    list_first: list[float]  # when each listed prospect's first step is due (its arrival plus its place in the ramp)
    reach: array  # chance to answer a dial, per prospect (flat doubles: 8 bytes each)
    tolerance: array  # annoyance taken before complaint risk climbs, per prospect
    paths: Paths  # pre-drawn readiness paths
    uniforms: rnd.TouchUniforms  # per-prospect random numbers, keyed by event
    durations: CallDurations
    deal_values: Optional[np.ndarray] = None  # what a sale to each prospect is worth (only when money is given)
    segment: Optional[np.ndarray] = None  # each prospect's segment cell (an index into cells), with segments
    cells: Optional[list[Cell]] = None  # population.segments.table()
    give_up_at: Optional[np.ndarray] = None  # attempts after which the strategy's give_up rule stops, per prospect


def team(scenario: Scenario, strategy: Strategy, rng: Optional[np.random.Generator] = None) -> list[RepTraits]:
    """The reps of every group, named ``group-1``, ``group-2``, ... (or the group's name alone),
    with their days off: the calendar's holidays, and each rep's leave drawn from ``rng`` (the
    replication's leave stream) when the group takes any."""
    effect = scenario.conversation.skill_effect
    reps = []
    for group in scenario.team.reps:
        cal = scenario.team.calendar_of(group)
        holidays = scenario.holiday_days(cal)
        for j in range(group.count):
            skill = max(0.0, 1.0 + effect * (group.skill - 0.5))
            name = f"{group.name}-{j + 1}" if group.count > 1 else group.name
            pushiness = group.pushiness if strategy.rep_pushiness is None else strategy.rep_pushiness
            off = set(holidays)
            if group.leave_days_per_year > 0 and rng is not None:
                off |= leave_days(cal, group.timezone, holidays, group.leave_days_per_year, scenario.horizon, rng)
            reps.append(RepTraits(name, pushiness, skill, group.name, cal, group.timezone, tuple(sorted(off)),
                                  tuple(group.takes)))
    return reps


def leave_days(cal: WorkCalendar, timezone: int, holidays: list[int], per_year: float, horizon: float,
               rng: np.random.Generator) -> set[int]:
    """One rep's leave: ``per_year`` days a year, pro rata over the horizon (rounded to whole
    days), on distinct working days of the run (``Calendar.work_days``) that are not holidays,
    drawn uniformly."""
    days = Calendar(cal, timezone, holidays).work_days(horizon)
    count = min(len(days), round(per_year * horizon / (365 * DAY)))
    return {days[i] for i in rng.choice(len(days), size=count, replace=False)} if count else set()


def arrival_times(inbound: Inbound, horizon: float, rng: np.random.Generator) -> np.ndarray:
    """Inbound lead arrivals: a Poisson process thinned by the hour-of-day and weekday profile."""
    if inbound.per_day <= 0:
        return np.zeros(0)
    hourly = np.ones(24) if inbound.hourly is None else np.asarray(inbound.hourly, float)
    weekday = np.ones(7) if inbound.weekday is None else np.asarray(inbound.weekday, float)
    hourly = hourly / (math.fsum(hourly) / 24)  # fsum: numpy's SIMD sums may differ by CPU
    weekday = weekday / (math.fsum(weekday) / 7)
    peak = inbound.per_day / DAY * hourly.max() * weekday.max()
    count = rng.poisson(peak * horizon)
    t = np.sort(rng.uniform(0.0, horizon, count))
    rate = inbound.per_day / DAY * hourly[((t % DAY) // HOUR).astype(int)] * weekday[((t // DAY) % 7).astype(int)]
    return t[rng.random(count) < rate / peak]


def list_arrivals(scenario: Scenario, traits: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(arrival, first step due) of every listed name, in prospect order: the day-0 list, then
    each batch that starts before the horizon, then the weekly names.

    The day-0 list's first steps are drawn exactly as they always were (so a scenario without
    batches or weekly names draws the same numbers); each batch then draws its own from the
    same traits stream, uniform over its ramp from its start. A weekly name's first step is due
    as it arrives."""
    out = scenario.population.outbound
    horizon = scenario.horizon
    first = [traits.uniform(0.0, out.ramp, out.size) if out.ramp > 0 else np.zeros(out.size)]
    arrive = [np.zeros(out.size)]
    for batch in out.batches:
        if batch.start >= horizon:
            continue  # a batch after the horizon never arrives
        ramp = traits.uniform(0.0, batch.ramp, batch.size) if batch.ramp > 0 else np.zeros(batch.size)
        first.append(batch.start + ramp)
        arrive.append(np.full(batch.size, float(batch.start)))
    weekly = np.asarray(out.weekly_times(horizon), dtype=float)
    first.append(weekly)
    arrive.append(weekly)
    return np.concatenate(arrive), np.concatenate(first)


def deal_values(money: Money, n_list: int, n_inbound: int, rng: np.random.Generator) -> np.ndarray:
    """What a sale to each prospect would bring: the list first, then the inbound leads, each
    kind from its own distribution, from the replication's money stream (so the same prospect
    is worth the same under every strategy)."""
    return np.concatenate([money.outbound_value.sample(rng, n_list), money.inbound_value.sample(rng, n_inbound)])


def build_world(scenario: Scenario, strategy: Strategy, replication: int) -> World:
    """Draw replication ``replication`` of the scenario's world, one named stream per purpose."""
    sc = scenario
    st = rnd.streams(sc.seed, replication)
    reps = team(sc, strategy, st["leave"])
    pop = sc.population
    n_list = pop.outbound.names_by(sc.horizon)
    arrivals = arrival_times(pop.inbound, sc.horizon, st["arrivals"])
    n = n_list + len(arrivals)
    traits = st["traits"]
    reach_drawn = pop.reachability.sample(traits, n)
    tolerance = array("d", np.maximum(pop.tolerance.sample(traits, n), 1e-6))
    offsets = np.array(list(pop.timezones), dtype=int)
    weights = np.array(list(pop.timezones.values()), dtype=float)
    tz = offsets[traits.choice(len(offsets), size=n, p=weights / math.fsum(weights))].tolist()
    listed, list_first = list_arrivals(sc, traits)
    ready = st["readiness"]
    mix = pop.inbound.mix
    start_states = np.concatenate([
        ready.choice(4, size=n_list, p=stationary(sc.readiness)),
        ready.choice(3, size=len(arrivals), p=[mix.not_ready, mix.considering, mix.ready]),
    ])
    start_times = np.concatenate([listed, arrivals])
    paths = sample_paths(ready, sc.readiness, start_states, start_times, sc.horizon)
    uniforms = rnd.TouchUniforms(st["touches"], n, rnd.spill_key(sc.seed, replication))
    deals = deal_values(sc.money, n_list, len(arrivals), st["money"]) if sc.money else None
    segment = cells = give_up_at = None
    if pop.segments is not None:  # its own stream: the draws above are those of a scenario without segments
        segment, cells = draw_cells(pop.segments, reach_drawn, deals, st["segments"])
    if strategy.give_up is not None:
        give_up_at = give_up_points(strategy.give_up, st["give_up"].random(n), pop.segments, segment)
    reach = array("d", reach_drawn)
    arrival_list = arrivals.tolist()
    # plain floats (the day-0 list shares one 0.0)
    starts = [0.0] * pop.outbound.size + listed[pop.outbound.size:].tolist() + arrival_list
    # shared int objects: listed prospects are dealt round the reps who take prospecting calls
    owners = [i for i, r in enumerate(reps) if "prospecting" in r.takes] or [0]
    prospects = [Prospect(i, i >= n_list, starts[i], tz[i], owners[i % len(owners)], paths) for i in range(n)]
    return World(reps=reps, prospects=prospects, n_list=n_list, arrivals=arrival_list, list_first=list_first.tolist(),
                 reach=reach, tolerance=tolerance, paths=paths, uniforms=uniforms,
                 durations=CallDurations(sc.durations, st["handling"]),
                 deal_values=deals, segment=segment, cells=cells, give_up_at=give_up_at)
