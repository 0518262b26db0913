"""The model of one run: it wires the parts below and runs them to the horizon.

Design (see the performance issue): prospects are plain objects, not processes; their
readiness is a pre-drawn path read at touch time; reps pull work from their own task queue
(``queues.TaskQueue``: day buckets, sorted runs and small heaps, lazily cancelled). Purchase
moments of the pre-drawn paths are walked in time order by one process; only a redrawn
future (after a sale, a nurture, a lost buyer) schedules its own, and, like a buyer's
patience running out, it waits in its day's list until that day starts (``agenda``).

The parts, each holding a reference to the model: ``agenda.Agenda`` (parked moments),
``routing`` (one router per routing mode: which queue a task goes to, which a rep takes),
``cadence_steps.CadenceSteps`` (first and next steps, drops), ``market.Market`` (buyers'
decisions and waits, redrawn futures), ``outcomes.Touches`` (a touch and what follows),
``processes`` (the SimPy processes), ``event_log.EventLog`` and ``reps.Rep``.
``run_replication`` is the one pure entry point.
"""
from __future__ import annotations

import gc
import math
from typing import Optional

import numpy as np
import simpy

from sim.model.agenda import Agenda
from sim.model.cadence_steps import CadenceSteps
from sim.model.calendar import Calendar, LegalHours
from sim.model.event_log import EventLog
from sim.model.market import Market
from sim.model.outcomes import Touches
from sim.model.processes import (
    arrival_process, auto_process, daily_process, idle_check, listing_process, market_process, rep_process,
)
from sim.model.queues import KINDS, PROSPECTING_K, TaskQueue
from sim.model.reps import Rep
from sim.model.results import RunRecord, RunResult, build_result
from sim.model.segment_results import segment_record
from sim.model.routing import router_for
from sim.scenario.schema import Scenario
from sim.scenario.strategies import Strategy
from sim.model.tally import Tally
from sim.model.wake_groups import WakeGroups
from sim.model.touches import TouchRules
from sim.scenario.units import DAY
from sim.model.world import build_world


class Model:
    """One strategy, one replication of a scenario."""

    def __init__(self, scenario: Scenario, strategy: Strategy, replication: int, event_log: bool = False):
        self.scenario, self.strategy = scenario, strategy
        self.seed = scenario.seed
        self.replication = replication
        self.horizon = scenario.horizon
        self.n_days = int(math.ceil(self.horizon / DAY))
        self.env = simpy.Environment()
        self.cal = Calendar(scenario.team.calendar, 0, scenario.holiday_days(scenario.team.calendar))  # the team's
        self.legal = LegalHours(scenario.rules)
        self.rules = TouchRules(scenario, strategy)
        self.log: Optional[EventLog] = EventLog() if event_log else None
        self.unlimited = scenario.team.unlimited
        world = build_world(scenario, strategy, replication)
        self.prospects, self.n_list, self.arrivals = world.prospects, world.n_list, world.arrivals
        self._list_first = world.list_first
        self.reach, self.tolerance, self.paths, self.uniforms = world.reach, world.tolerance, world.paths, world.uniforms
        self.money, self.deal_values = scenario.money, world.deal_values  # read once the run is over
        self.segment, self.cells, self.give_up_at = world.segment, world.cells, world.give_up_at  # None without them
        durations = world.durations
        self.dur_no_answer, self.dur_voicemail, self.dur_talk = durations.no_answer, durations.voicemail, durations.talk
        self.dur_wrap_connect, self.dur_wrap_other = durations.wrap_connect, durations.wrap_other
        order = list(scenario.team.queue.order)
        self.reps = [Rep(i, r.name, r.pushiness, r.skill, TaskQueue(order),
                         Calendar(r.calendar or scenario.team.calendar, r.timezone, r.days_off),
                         tuple(k in r.takes for k in KINDS))
                     for i, r in enumerate(world.reps)]
        self.groups = [r.group for r in world.reps]
        self.auto = Rep(-1, "automation", 0.0, 1.0, TaskQueue(order), self.cal)
        # the reps who take each task kind (every rep, unless groups say otherwise)
        self.takers = [[r.idx for r in self.reps if r.takes[k]] for k in range(len(KINDS))]
        self.tally = Tally(len(self.reps), self.n_days)
        self.agenda = Agenda(self.env, self.horizon)
        self.router = router_for(strategy.routing or scenario.team.queue.routing, self, order)
        self.waits = WakeGroups(self.env, lambda rep, now, memo: idle_check(self, rep, now, memo), self.router.idle)
        self.steps = CadenceSteps(self)
        self.market = Market(self)
        self.touches = Touches(self)

    def run(self) -> RunRecord:
        """Simulate to the horizon and hand over what happened (``results.build_result``
        turns it into a RunResult)."""
        env = self.env
        later = []  # listed names that arrive after the start (batches, weekly names)
        for i in range(self.n_list):
            p = self.prospects[i]
            if p.start > 0:
                later.append((p.start, i))
            else:
                self.steps.first(p, self._list_first[i], PROSPECTING_K)
        if later:
            env.process(listing_process(self, sorted(later), self._list_first))
        del self._list_first
        if not self.unlimited:
            for rep in self.reps:
                env.process(rep_process(self, rep))
        env.process(auto_process(self))
        env.process(arrival_process(self))
        env.process(daily_process(self))
        env.process(market_process(self))
        # The run makes no reference cycles (tests/test_model.py checks every preset), so
        # reference counting frees everything and the cycle collector only costs time: at 1M
        # prospects over 90 days its collections took 9.7 s of a 123 s run, walking queue
        # entries and the cold prospects they point to. Cycles of the model itself (model,
        # environment, processes) are collected after the run, once the collector is back.
        enabled = gc.isenabled()
        gc.freeze()  # set-up objects live for the whole run: keep the collector off them
        gc.disable()
        try:
            env.run(until=self.horizon)
        finally:
            if enabled:
                gc.enable()
            gc.unfreeze()
        for rep in self.reps:
            rep.close_day(self.tally)
        return self._record()

    def _record(self) -> RunRecord:
        prospects, horizon = self.prospects, self.horizon
        available = [r.cal.working_minutes(horizon) for r in self.reps]
        return RunRecord(
            replication=self.replication, horizon=self.horizon, n_days=self.n_days, n_list=self.n_list,
            tally=self.tally,
            status=np.fromiter((p.status for p in prospects), dtype=np.int8, count=len(prospects)),
            touches=sum(p.touches for p in prospects),
            rep_names=[r.name for r in self.reps], rep_groups=self.groups,
            rep_work_days=[r.cal.work_days(horizon) for r in self.reps], rep_available_minutes=available,
            available_minutes=math.fsum(available),
            unlimited=self.unlimited, paths=self.paths,
            redrawn=[(p.pid, p.path_times, p.path_states) for p in prospects if p.path_times is not None],
            log=self.log.records if self.log is not None else None, money=self.money, deal_values=self.deal_values,
            segments=segment_record(self.scenario.population.segments, self.segment, prospects),
        )


def run_replication(scenario: Scenario, strategy: str | Strategy, replication: int = 0, event_log: bool = False) -> RunResult:
    """Simulate one strategy for one replication of a scenario: the one pure entry point.

    The same (scenario, replication) gives every strategy the same prospects, arrivals,
    readiness paths and answering luck; the result depends on nothing else.
    """
    name = strategy if isinstance(strategy, str) else "custom"
    strat = scenario.strategy(strategy) if isinstance(strategy, str) else strategy
    result = build_result(Model(scenario, strat, replication, event_log).run())
    result.strategy = name
    return result
