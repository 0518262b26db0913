"""The event loop: one SimPy process per rep, and one each for automated touches, arrivals,
purchase moments and the daily backlog count.

Design (see the performance issue): prospects are plain objects, not processes; their
readiness is a pre-drawn path read at touch time; reps pull work from their own task queue
(``queues.TaskQueue``: day buckets, sorted runs and small heaps, lazily cancelled). Purchase
moments of the pre-drawn paths are walked in time order by one process; only a redrawn
future (after a sale, a nurture, a lost buyer) schedules its own, and, like a buyer's
patience running out, it waits in its day's list until that day starts (``_at``).
``run_replication`` is the one pure entry point.
"""
from __future__ import annotations

import gc
import math
from array import array
from heapq import heappop, heappush
from typing import Optional

import numpy as np
import simpy

from sim.model import randomness as rnd
from sim.model.calendar import Calendar, LegalHours
from sim.model.prospects import DISQUALIFIED, OPEN, OPTED_OUT, WON, Prospect
from sim.model.queues import KINDS, TaskQueue
from sim.model.readiness import CONSIDERING, CUSTOMER, OFF_MARKET, READY, Tail
from sim.model.results import RunRecord, RunResult, build_result
from sim.scenario.schema import Scenario
from sim.scenario.strategies import Strategy
from sim.model.tally import REP_DAY_BASE, Tally
from sim.model.touches import (
    ALREADY_BOUGHT, BOOKED, LATER, NO_ANSWER, NOT_INTERESTED, REPLIED, SALE, SENT, UNQUALIFIED,
    UNSUBSCRIBED, VOICEMAIL, TouchRules,
)
from sim.scenario.units import DAY, HOUR
from sim.model.world import build_world

BOOKED_K, CALLBACK_K, NEW_LEAD_K, FOLLOW_UP_K, PROSPECTING_K = range(len(KINDS))
CADENCE_KINDS = (NEW_LEAD_K, FOLLOW_UP_K, PROSPECTING_K)  # tasks that are a step of the cadence
CALLBACK_AFTER_VOICEMAIL = 2 * HOUR
NO_OWNER = -1  # an inbound lead nobody has talked to yet (see Model._schedule)
NO_DAY = -(1 << 30)  # a rep's tally day before their first call
MISSED = (NO_ANSWER, VOICEMAIL)  # call outcomes that are no conversation


class Rep:
    __slots__ = ("idx", "name", "pushiness", "skill", "queue", "cal", "shift", "takes", "desks", "wake", "wake_at",
                 "in_idle", "tally_day", "day_calls", "day_talk", "day_busy")

    def __init__(self, idx: int, name: str, pushiness: float, skill: float, queue: TaskQueue, cal: Calendar,
                 takes: tuple[bool, ...] = (True,) * len(KINDS)):
        self.idx = idx
        self.name = name
        self.pushiness = pushiness
        self.skill = skill  # multiplier on sale, booking and nurture chances (1 = average rep)
        self.queue = queue
        self.cal = cal  # the rep's working week (their group's calendar, holidays and leave)
        self.shift = cal.shift  # the rep's clock minus the team's: their days are counted on it
        self.takes = takes  # per task kind (KINDS order): whether the rep's group takes it
        self.desks: tuple[TaskQueue, ...] = ()  # the team queues holding kinds this rep takes
        self.wake: Optional[simpy.Event] = None
        self.wake_at = math.inf
        self.in_idle = False  # in Model.idle, the heap of reps who may be waiting for work
        # this rep's calls, talk and busy minutes on day tally_day, written to the Tally's
        # per-rep rows when the day is over (Model._close_rep_day): the rows are cold at scale.
        # day_calls is also what the daily cap (max_calls_per_rep_day) counts.
        self.tally_day = NO_DAY  # (day -1 is a real day for a rep behind the team's clock)
        self.day_calls = 0
        self.day_talk = 0.0
        self.day_busy = 0.0


class Model:
    """One strategy, one replication of a scenario."""

    def __init__(self, scenario: Scenario, strategy: Strategy, replication: int, event_log: bool = False):
        self.seed = scenario.seed
        self.replication = replication
        self.horizon = scenario.horizon
        self.n_days = int(math.ceil(self.horizon / DAY))
        self.env = simpy.Environment()
        self.cal = Calendar(scenario.team.calendar, 0, scenario.holiday_days(scenario.team.calendar))  # the team's
        self.legal = LegalHours(scenario.rules)
        self.rules = TouchRules(scenario, strategy)
        self.log: Optional[list[tuple]] = [] if event_log else None
        self.parked: dict[int, list[tuple]] = {}  # day -> (time, callback) of moments due that day (``_at``)
        self.unlimited = scenario.team.unlimited
        self.shared_routing = (strategy.routing or scenario.team.queue.routing) == "shared"
        self._wait_seq = 0  # tokens of buyers' waiting deadlines (``_wait``)
        world = build_world(scenario, strategy, replication)
        self.prospects, self.n_list, self.arrivals = world.prospects, world.n_list, world.arrivals
        self._list_first = world.list_first
        self.reach, self.tolerance, self.paths, self.uniforms = world.reach, world.tolerance, world.paths, world.uniforms
        self.money, self.deal_values = scenario.money, world.deal_values  # read once the run is over
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
        # the team's shared queue (routing: shared): calls to leads with no owner who takes
        # them (an inbound lead nobody has talked to yet, or a lead whose owner's group does
        # not take that kind of task); the first free rep who takes it takes the next one due
        # (``_rep_process``). One queue if every rep takes every kind, else one per kind.
        if all(len(t) == len(self.reps) for t in self.takers):
            self.desks = [TaskQueue(order)]
            self.desk_of = self.desks * len(KINDS)
        else:
            self.desks = [TaskQueue(order) for _ in KINDS]
            self.desk_of = self.desks
        for r in self.reps:
            r.desks = tuple(dict.fromkeys(self.desk_of[k] for k in range(len(KINDS)) if r.takes[k]))
        self.rank = [order.index(k) for k in KINDS]  # a task kind's place in the team's order
        self.idle: list[int] = []  # rep indices, lowest first (see _assign)
        self._next_rep = 0
        self.tally = Tally(len(self.reps), self.n_days)
        # the cadence of listed prospects and that of inbound leads (the same steps unless the
        # strategy gives an ``outbound:`` or ``inbound:`` sub-cadence); ids below n_list are listed
        self.cadence = strategy.cadence("outbound")
        self.inbound_cadence = strategy.cadence("inbound")
        self.tail = Tail(scenario.readiness)
        self.ring_size = max(self.rules.max_calls_7d, self.rules.max_calls_24h) + 1  # call times kept per prospect: enough for both rules
        self.call_times = array("d", bytes(8 * self.ring_size * len(self.prospects)))  # 8 bytes a call

    # ------------------------------------------------------------ randomness per prospect
    def _prospect_rng(self, p: Prospect) -> np.random.Generator:
        """A generator for redrawing p's future path (after a sale, a nurture, a lost buyer)."""
        p.redraws += 1
        return rnd.prospect_rng(self.seed, self.replication, "redraw", p.pid, p.redraws)

    # ------------------------------------------------------------ readiness changes we cause
    def _redraw(self, p: Prospect, state: int, now: float) -> None:
        """p is in ``state`` from now on; draw the rest of their path and its purchase moments."""
        tail_t, tail_s = self.tail.sample(self._prospect_rng(p), state, now, self.horizon)
        p.cut_path(now, tail_t, tail_s)
        self._schedule_purchases(p, tail_t[1:], tail_s[1:])

    def _schedule_purchases(self, p: Prospect, times, states) -> None:
        version, now = p.version, self.env.now
        for t, s in zip(times, states):
            if s == OFF_MARKET and t <= self.horizon:
                self._at(t - now, lambda _e, p=p, v=version: self._purchase(p, v))

    def _at(self, delay: float, callback) -> None:
        """Call ``callback`` after ``delay``, as ``env.timeout(delay)`` would, at the same time
        to the last bit (now + delay). A moment on a later day waits in that day's list until
        the day starts (``_daily_process``), so SimPy's event heap, which every event pushes
        to and pops from, holds today's moments rather than every redrawn future."""
        env = self.env
        t = env.now + delay
        day = int(t // DAY)
        if day <= int(env.now // DAY):
            env.timeout(delay).callbacks.append(callback)
        elif t < self.horizon:  # (a moment at or past the horizon never comes)
            self.parked.setdefault(day, []).append((t, callback))

    def _purchase(self, p: Prospect, version: int) -> None:
        """A buyer's decision moment: they contact us (we may still lose them) or a competitor.

        The decision's uniform is keyed by the prospect's buying-moment count, so the same
        moment is decided with the same luck under every strategy (only the share differs)."""
        if p.version != version or p.status != OPEN:
            return
        now = self.env.now
        share = self.rules.buyer_contacts_us(now - p.last_touch if p.touches else None)
        p.moments += 1
        if self.uniforms.get(p.pid, rnd.MARKET + p.moments - 1, rnd.REACH) >= share:
            self._log(now, p, None, "market", "purchase", "bought_elsewhere", OFF_MARKET)
            return
        self.tally.reach_outs_to_us += 1
        p.cut_path(now, [now], [READY])
        p.hot_t = now
        self._log(now, p, None, "market", "reach_out", "contacted_us", READY)
        self._schedule(p, now, CALLBACK_K, self._contact_key(p), "call")
        self._wait(p, now + self.rules.patience, talked=False)

    def _wait(self, p: Prospect, until: float, talked: bool) -> None:
        """A buyer who contacted us waits for us until ``until``, then buys from a competitor
        (``_gave_up``). Each conversation with them sets a new deadline (``_after_touch``):
        patience from the call-back or booked time they agreed to, or from now."""
        self._wait_seq += 1
        token = self._wait_seq
        p.buyer_wait = -token if talked else token
        self._at(until - self.env.now, lambda _e, p=p, token=token: self._gave_up(p, token))

    def _gave_up(self, p: Prospect, token: int) -> None:
        """A waiting buyer's deadline: unless a later deadline or a sale came first, they buy
        elsewhere. Counted as giving up waiting only if we never talked to them."""
        if abs(p.buyer_wait) != token or p.status != OPEN:
            return
        talked = p.buyer_wait < 0
        p.buyer_wait = 0
        if talked:
            self.tally.buyers_lost_after_talking += 1
        else:
            self.tally.buyers_gave_up_waiting += 1
        self._log(self.env.now, p, None, "market", "purchase", "bought_elsewhere" if talked else "gave_up_waiting",
                  OFF_MARKET)
        self._redraw(p, OFF_MARKET, self.env.now)

    @staticmethod
    def _contact_key(p: Prospect) -> int:
        """The prospect contacts us (reaches out, replies, calls back after a voicemail): a "no"
        they gave before is withdrawn by their own contact. Returns the random-number key of
        the call that answers this contact."""
        p.said_no = False
        p.contacts += 1
        return rnd.INBOUND + p.contacts - 1

    @staticmethod
    def _agreed_key(p: Prospect) -> int:
        """Random-number key of the next call agreed in a conversation (booked, call me later)."""
        p.agreed += 1
        return rnd.AGREED + p.agreed - 1

    # ------------------------------------------------------------ scheduling
    def _channel(self, p: Prospect, kind: int) -> str:
        if kind in CADENCE_KINDS:
            return (self.cadence if p.pid < self.n_list else self.inbound_cadence).channel_of(p.step) or "call"
        return "call"

    def _schedule(self, p: Prospect, due: float, kind: int, key: int, channel: Optional[str] = None) -> None:
        """Make (due, kind) p's one live task, superseding any other (``key``: the random-number
        key of the touch it will be; ``channel``: the task's channel when the caller knows it).

        A call goes to the prospect's owner if the owner's group takes that kind of task. An
        inbound lead nobody has talked to has no owner: then, or if the owner does not take it,
        with shared routing the call waits in the team's queue for the first free rep who takes
        it; with owner routing an owner is chosen when the call comes due (``_assign_due``)."""
        p.token += 1
        p.key = key
        if channel is None:
            channel = self._channel(p, kind)
        if channel != "call" or self.unlimited:
            worker = self.auto
            if self.unlimited and channel == "call":
                due = self._callable_time(p, max(due, self.env.now))
            elif channel != "call":  # emails and texts go out in the team's working hours
                due = self.cal.next_open(max(due, self.env.now))
        elif p.owner != NO_OWNER and self.reps[p.owner].takes[kind]:
            worker = self.reps[p.owner]
        elif self.shared_routing:
            self.desk_of[kind].push(due, kind, p, p.token)
            self._wake_idle_rep(due, kind)
            return
        else:
            token = p.token
            self._at(max(due - self.env.now, 0.0), lambda _e, p=p, token=token, due=due, kind=kind:
                     self._assign_due(p, token, due, kind))
            return
        worker.queue.push(due, kind, p, p.token)
        if worker.wake is not None and due < worker.wake_at:
            ev, worker.wake = worker.wake, None
            ev.succeed()

    def _assign_due(self, p: Prospect, token: int, due: float, kind: int) -> None:
        """Owner routing: the call to a lead with no owner who takes it has come due; give the
        lead an owner now (a free rep who takes it, else the next in rotation) and put the
        call in that rep's queue."""
        if p.token != token:
            return  # superseded meanwhile
        if p.owner == NO_OWNER or not self.reps[p.owner].takes[kind]:
            p.owner = self._assign(self.env.now, kind)
        rep = self.reps[p.owner]
        rep.queue.push(due, kind, p, token)
        if rep.wake is not None and due < rep.wake_at:
            ev, rep.wake = rep.wake, None
            ev.succeed()

    def _wake_idle_rep(self, due: float, kind: int, after: float = -math.inf) -> None:
        """Shared routing: a call was added to the team's queue; wake the lowest-index rep who
        takes it, is waiting for work and would otherwise sleep past its due time (and, given
        ``after``, whose shift goes on past it: a call put back at the end of one rep's shift)."""
        best = None
        for i in self.idle:
            rep = self.reps[i]
            if (rep.wake is not None and due < rep.wake_at and rep.takes[kind] and (best is None or i < best.idx)
                    and (after == -math.inf or rep.cal.shift_end(self.env.now) > after)):
                best = rep
        if best is not None:
            ev, best.wake = best.wake, None
            ev.succeed()

    def _callable_time(self, p: Prospect, t: float) -> float:
        """First time at or after t inside working hours (and legal hours, if the strategy respects them)."""
        for _ in range(16):
            t = self.cal.next_open(t)
            if not self.rules.respect_calling_hours or self.legal.is_legal(t, p.tz):
                return t
            t = self.legal.next_legal(t, p.tz)
        return t

    def _next_step(self, p: Prospect, now: float, key: int) -> None:
        """Schedule the cadence's next step after p's touch with random-number key ``key`` (-1
        when no touch was made: a dropped task is never forgotten)."""
        k = p.step
        cadence = self.cadence if p.pid < self.n_list else self.inbound_cadence
        channel = cadence.channel_of(k)
        if channel is None or p.cadence_over:
            p.cadence_over = True
            return
        rules = self.rules
        due = max(cadence.due_after(k, p.anchor, p.last_touch), p.last_touch + rules.min_gap, now)
        if rules.last_day is not None and due >= p.anchor + rules.last_day:
            p.cadence_over = True
            return
        if (channel == "call" and rules.forget is not None and key >= 0
                and self.uniforms.get(p.pid, key, rnd.FORGET) < rules.forget):
            self.tally.forgotten += 1
            p.cadence_over = True
            if self.log is not None:
                self._log(now, p, None, channel, "follow_up", "forgotten", p.state_at(now))
            return
        self._schedule(p, due, FOLLOW_UP_K, rnd.ATTEMPT + p.attempts, channel)

    def _first_step(self, p: Prospect, start: float, kind: int) -> None:
        cadence = self.cadence if p.pid < self.n_list else self.inbound_cadence
        if cadence.first_delay is None or cadence.limit < 1:
            p.cadence_over = True
            return
        p.anchor = start
        p.last_touch = start
        self._schedule(p, start + cadence.first_delay, kind, rnd.ATTEMPT + p.attempts)

    def _past_last_day(self, p: Prospect, kind: int, now: float) -> bool:
        """A cadence step reached after the strategy's last day (weekends, calling hours or a
        backlog pushed it there) is not made: the cadence ends, the task is counted and logged.
        The first touch is day 1 by definition; calls the prospect asked for are not limited."""
        last_day = self.rules.last_day
        if last_day is None or kind < NEW_LEAD_K or p.step == 0 or now < p.anchor + last_day:
            return False
        self.tally.past_last_day += 1
        p.cadence_over = True
        if self.log is not None:
            self._log(now, p, None, self._channel(p, kind), KINDS[kind], "past_last_day", p.state_at(now))
        return True

    # ------------------------------------------------------------ processes
    def _sleep_until(self, worker: Rep, until: float):
        """Wait until ``until`` or until a task for ``worker`` becomes due earlier."""
        env = self.env
        ev = worker.wake = env.event()
        worker.wake_at = until
        if worker.idx >= 0 and not worker.in_idle:
            worker.in_idle = True
            heappush(self.idle, worker.idx)
        if until < math.inf:
            env.timeout(max(until - env.now, 0.0)).callbacks.append(lambda _e, ev=ev: ev.triggered or ev.succeed())
        yield ev
        worker.wake = None
        worker.wake_at = math.inf

    def _take(self, rep: Rep, now: float) -> tuple[Optional[tuple], TaskQueue]:
        """Shared routing: the next task for a rep, from their own queue or the team's queues
        of the kinds they take, whichever comes first in the team's order (then by due time);
        the others go back."""
        q = rep.queue
        best, src = q.pop(now), q
        rank = self.rank
        for desk in rep.desks:
            if desk.empty():
                continue
            shared = desk.pop(now)
            if shared is None:
                continue
            if best is None or (rank[shared[2]], shared[0]) < (rank[best[2]], best[0]):
                if best is not None:
                    src.requeue(best)
                best, src = shared, desk
            else:
                desk.requeue(shared)
        return best, src

    def _rep_process(self, rep: Rep):
        env, cal, q = self.env, rep.cal, rep.queue
        timeout = env.timeout
        rules = self.rules
        cap = rules.max_calls_per_rep_day
        drop_after = rules.drop_after
        respect = rules.respect_calling_hours
        legal = self.legal
        uniform = self.uniforms.get
        answer_chance = self._answer_chance
        dur_talk, dur_wrap_connect, dur_wrap_other = self.dur_talk, self.dur_wrap_connect, self.dur_wrap_other
        dur_missed = self.dur_voicemail if rules.voicemail else self.dur_no_answer
        call = self._call
        shared, take, desks = self.shared_routing, self._take, rep.desks
        shift = rep.shift
        shift_end = -1.0  # end of the shift that contains now, once known (now never goes back)
        while True:
            now = env.now
            if now >= shift_end:
                if not cal.is_working(now):
                    yield timeout(cal.next_open(now) - now)
                    continue
                shift_end = cal.shift_end(now)
            if cap is not None and rep.tally_day == int((now + shift) // DAY) and rep.day_calls >= cap:
                yield timeout(cal.next_open((rep.tally_day + 1) * DAY - shift) - now)
                continue
            if shared:
                entry, src = take(rep, now)
            else:
                entry, src = q.pop(now), q
            if entry is None:
                until = q.next_due()
                if shared:
                    for desk in desks:
                        until = min(until, desk.next_due())
                yield from self._sleep_until(rep, min(until, shift_end))
                continue
            due, _seq, kind, p, token = entry
            if now - due > drop_after:
                self._drop(p, kind, now)
                continue
            if self._past_last_day(p, kind, now):
                continue
            if respect and not legal.is_legal(now, p.tz):
                legal_at = legal.next_legal(now, p.tz)
                src.push(legal_at, kind, p, token)
                if src is not q:  # back in a team queue: a colleague may be the one to make it
                    self._wake_idle_rep(legal_at, kind)
                continue
            key = p.key
            connected = uniform(p.pid, key, rnd.REACH) < answer_chance(p, kind, now)
            if connected:
                talk = dur_talk()
                busy = talk + dur_wrap_connect()
            else:
                talk = dur_missed()
                busy = talk + dur_wrap_other()
            # a call started inside the shift is made and may run past its end: whether it fits
            # is not asked, since the answer would depend on its outcome (a connect is longer)
            call(p, kind, now, rep, key, connected, talk, busy)
            yield timeout(busy)

    def _auto_process(self):
        env, q = self.env, self.auto.queue
        uniform = self.uniforms.get
        while True:
            now = env.now
            entry = q.pop(now)
            if entry is None:
                yield from self._sleep_until(self.auto, q.next_due())
                continue
            _due, _seq, kind, p, _token = entry
            if self._past_last_day(p, kind, now):
                continue
            channel = self._channel(p, kind)
            key = p.key
            if channel == "call":
                owner = self.reps[p.owner]
                connected = uniform(p.pid, key, rnd.REACH) < self._answer_chance(p, kind, now)
                self._call(p, kind, now, owner, key, connected, 0.0, 0.0)
            else:
                self._message(p, kind, channel, now, key)

    def _arrival_process(self):
        env = self.env
        delay = self.rules.first_response
        for i, t in enumerate(self.arrivals):
            yield env.timeout(t - env.now)
            p = self.prospects[self.n_list + i]
            # an unlimited team has no queues: the lead's owner only lends the calls a skill
            p.owner = self._assign(t, NEW_LEAD_K) if self.unlimited else NO_OWNER
            self._log(t, p, None, "inbound", "arrival", "new_lead", p.state_at(t))
            self._first_step(p, t + delay, NEW_LEAD_K)

    def _listing_process(self, later: list[tuple[float, int]], first: list[float]):
        """Listed names that join the list after the start, in order of arrival: each is
        logged as added to the list and gets its first step (due at its place in the ramp)."""
        env = self.env
        for t, i in later:
            if t > env.now:
                yield env.timeout(t - env.now)
            p = self.prospects[i]
            self._log(t, p, None, "list", "listed", "added_to_list", p.state_at(t))
            self._first_step(p, first[i], PROSPECTING_K)

    def _assign(self, now: float, kind: int) -> int:
        """Owner routing: a lead whose call (of task kind ``kind``) has come due goes to a rep
        who takes it and is free right now (waiting for work, inside their hours), else to the
        next in rotation among those who take it."""
        idle, reps, takers = self.idle, self.reps, self.takers[kind]
        if len(takers) == len(reps):
            # the free rep with the lowest index: every rep waiting for work is in the heap
            # (and some that stopped waiting, dropped here when they reach the top)
            while idle:
                rep = reps[idle[0]]
                if rep.wake is not None:
                    if rep.cal.is_working(now):
                        return rep.idx
                    break
                heappop(idle)
                rep.in_idle = False
        else:
            free = [i for i in idle if reps[i].takes[kind] and reps[i].wake is not None and reps[i].cal.is_working(now)]
            if free:
                return min(free)
        self._next_rep = (self._next_rep + 1) % len(takers)
        return takers[self._next_rep]

    def _daily_process(self):
        """At each midnight: release the day's parked moments (``_at``), count the backlog."""
        env = self.env
        for day in range(1, self.n_days + 1):
            yield env.timeout(day * DAY - env.now)
            for t, callback in self.parked.pop(day, ()):
                env.timeout(t - env.now).callbacks.append(callback)  # exact: now <= t < 2 * now
            if env.now < self.horizon:
                self.tally.backlog.append(sum(r.queue.overdue(env.now) for r in self.reps)
                                          + sum(d.overdue(env.now) for d in self.desks))

    def _market_process(self):
        """The purchase moments of every pre-drawn path, in time order, from one process.

        No SimPy event exists per prospect until its moment comes; moments of paths redrawn
        later (version > 0) are scheduled by ``_redraw`` and these are then skipped as stale."""
        paths, env = self.paths, self.env
        entering = (paths.states == OFF_MARKET) & (paths.times <= self.horizon)
        entering[paths.offsets[:-1][np.diff(paths.offsets) > 0]] = False  # a start state is no purchase
        sel = np.flatnonzero(entering)
        del entering
        sel = sel[np.argsort(paths.times[sel], kind="stable")]
        pid = np.searchsorted(paths.offsets, sel, side="right") - 1  # whose entry, for the chosen ones only
        for t, i in zip(paths.times[sel].tolist(), pid.tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
            self._purchase(self.prospects[i], 0)

    # ------------------------------------------------------------ touches
    def _answer_chance(self, p: Prospect, kind: int, now: float) -> float:
        """Chance that p picks up now (``TouchRules.answer_chance``)."""
        return self.rules.answer_chance(self.reach[p.pid], kind == BOOKED_K, now - p.hot_t)

    def _call(self, p: Prospect, kind: int, now: float, rep: Rep, key: int, connected: bool, talk: float, busy: float) -> None:
        """Book a call's work and rule checks, then apply its outcome (``key``: the touch's
        random-number key)."""
        tally = self.tally
        rules = self.rules
        p.touches += 1
        day = int(now // DAY)
        state = p.state_at(now)
        tally.calls += 1
        tally.daily_calls[day] += 1
        rep_day = int((now + rep.shift) // DAY) if rep.shift else day  # the day on the rep's clock
        if rep.tally_day != rep_day:
            self._close_rep_day(rep)
            rep.tally_day = rep_day
        rep.day_calls += 1
        rep.day_busy += busy
        if p.status == OPTED_OUT:
            tally.breach_after_opt_out += 1
        if not self.legal.is_legal(now, p.tz):
            tally.breach_outside_hours += 1
        # each prospect's last ring_size call times, in a ring of the model-wide call_times:
        # a breach is a call with max_calls_24h (7d) calls before it in the last day (week)
        c = p.calls = p.calls + 1
        ring, size = self.call_times, self.ring_size
        base = p.pid * size
        ring[base + (c - 1) % size] = now
        kept = c if c < size else size
        max_24h, max_7d = rules.max_calls_24h, rules.max_calls_7d
        if kept > max_24h and now - ring[base + (c - 1 - max_24h) % size] < DAY:
            tally.breach_24h += 1
        if kept > max_7d and now - ring[base + (c - 1 - max_7d) % size] < 7 * DAY:
            tally.breach_7d += 1
        if c == 1:
            if kind == NEW_LEAD_K:
                tally.response_times.append(now - p.start)
        if kind >= NEW_LEAD_K:  # a cadence step (CADENCE_KINDS)
            self._cadence_touch(p, now)
        elif kind == BOOKED_K:
            tally.booked_calls += 1
            if rules.reminder_email:
                tally.reminder_emails += 1
                tally.emails += 1
                p.annoy = rules.complaints.annoyance(p.annoy, max(now - DAY - p.annoy_t, 0.0), rules.weight_email)
                p.annoy_t = now - DAY
                if self.log is not None:  # the reminder is a touch: the event log shows it, a day before
                    self._log(now - DAY, p, None, "email", "reminder", "sent", state)
        p.last_touch = now
        if connected:
            tally.connects += 1
            tally.daily_connects[day] += 1
            tally.talk_minutes += talk
            rep.day_talk += talk
            if kind == BOOKED_K:
                tally.booked_connects += 1
            if p.owner == NO_OWNER or (p.owner != rep.idx and not self.reps[p.owner].takes[kind]):
                # shared routing: the first rep to talk to a lead owns it, and a rep who talks
                # to a lead about a task its owner's group does not take becomes its owner
                p.owner = rep.idx
            outcome = rules.conversation.outcome(state, rules.intent(now - p.hot_t), rep.skill,
                                                 self.uniforms.get(p.pid, key, rnd.OUTCOME))
            weight, pushiness = rules.weight_call, rep.pushiness
        else:
            tally.dial_minutes += talk
            outcome = rules.miss_outcome
            weight, pushiness = rules.miss_weight, 0.0
            if outcome == VOICEMAIL:
                tally.voicemails += 1
        self._after_touch(p, now, rep, "call", kind, state, outcome, key, weight, pushiness)

    def _close_rep_day(self, rep: Rep) -> None:
        """Write a rep's counts for the day they were kept for into the Tally's rows."""
        if rep.tally_day != NO_DAY:
            tally, i, d = self.tally, rep.idx, rep.tally_day
            d += REP_DAY_BASE
            tally.rep_calls[i][d], tally.rep_talk[i][d], tally.rep_busy[i][d] = rep.day_calls, rep.day_talk, rep.day_busy
        rep.day_calls, rep.day_talk, rep.day_busy = 0, 0.0, 0.0

    def _message(self, p: Prospect, kind: int, channel: str, now: float, key: int) -> None:
        tally = self.tally
        rules = self.rules
        p.touches += 1
        state = p.state_at(now)
        if channel == "email":
            tally.emails += 1
            reply = rules.email_reply[state]
            weight = rules.weight_email
        else:
            tally.sms += 1
            reply = rules.sms_reply[state]
            weight = rules.weight_sms
        if state == OFF_MARKET or p.status != OPEN:
            reply = 0.0
        self._cadence_touch(p, now)
        p.last_touch = now
        u = self.uniforms.get(p.pid, key, rnd.OUTCOME)
        if u < reply:
            outcome = REPLIED
        elif u < reply + rules.unsubscribe:
            outcome = UNSUBSCRIBED
        else:
            outcome = SENT
        self._after_touch(p, now, None, channel, kind, state, outcome, key, weight, 0.0)

    def _cadence_touch(self, p: Prospect, now: float) -> None:
        if p.step == 0:
            p.anchor = now - (self.cadence if p.pid < self.n_list else self.inbound_cadence).day_one
        p.step += 1
        p.attempts += 1

    def _after_touch(self, p, now, rep, channel, kind, state, outcome, key, weight, pushiness) -> None:
        """Apply an outcome: status changes, annoyance and complaints, then the next task.

        ``key`` is the touch's random-number key (``randomness``); each uniform is read only
        where the rules need it."""
        tally = self.tally
        rules = self.rules
        side = self.uniforms.get
        said_no_before = p.said_no  # the after-no risk applies to touches after the "no", not to it
        if outcome == SALE:
            p.status = WON
            tally.sales += 1
            if rep is not None and rep.idx >= 0:
                tally.rep_sales[rep.idx] += 1
            tally.daily_sales[int(now // DAY)] += 1
            tally.sales_by_attempt[p.attempts] += 1
            if key // rnd.STREAM_STRIDE == rnd.INBOUND // rnd.STREAM_STRIDE:
                tally.sales_prospect_initiated += 1
            p.cut_path(now, [now], [CUSTOMER])
            if self.log is not None:
                self._log(now, p, rep, channel, KINDS[kind], outcome, state)
            return
        if outcome == UNQUALIFIED:
            p.status = DISQUALIFIED
        elif outcome == NOT_INTERESTED:
            p.said_no = True
            if side(p.pid, key, rnd.SIDE) < rules.conversation.opt_out_on_no:
                p.status = OPTED_OUT
                tally.dnc_requests += 1
                if self.log is not None:  # the event log says how the prospect ended (model.outcomes)
                    self._log(now, p, None, "prospect", "opt_out", "asked_not_to_contact", state)
            elif rules.stop_on_no:
                p.cadence_over = True
        elif outcome == UNSUBSCRIBED:
            p.status = OPTED_OUT
            tally.dnc_requests += 1
        elif outcome == ALREADY_BOUGHT:
            p.cadence_over = True
        elif (outcome == BOOKED or outcome == LATER) and state == CONSIDERING and rules.conversation.nurtures(
                state, rep.skill if rep else 1.0, side(p.pid, key, rnd.SIDE)):
            tally.nurtured += 1
            self._redraw(p, READY, now)
        complaints = rules.complaints
        p.annoy = complaints.annoyance(p.annoy, now - p.annoy_t, weight)
        p.annoy_t = now
        cause = None
        if p.status != OPTED_OUT and complaints.enabled:
            cause = complaints.cause(p.annoy, self.tolerance[p.pid], said_no_before, pushiness,
                                     side(p.pid, key, rnd.COMPLAINT))
        if cause is not None:
            p.status = OPTED_OUT
            tally.complaints[cause] += 1
            tally.daily_complaints[int(now // DAY)] += 1
        if self.log is not None:
            self._log(now, p, rep, channel, KINDS[kind], outcome, p.state_at(now), cause)
        if p.status != OPEN:
            p.token += 1  # nothing further is ever due for this prospect
            return
        agreed = now  # the next contact agreed in this touch, if it is a conversation
        if outcome == BOOKED:
            tally.booked += 1
            agreed = self._booked_time(now + rules.booking_delay, rep)
            self._schedule(p, agreed, BOOKED_K, self._agreed_key(p), "call")
        elif outcome == LATER:
            agreed = now + rules.callback_delay
            self._schedule(p, agreed, CALLBACK_K, self._agreed_key(p), "call")
        elif outcome == REPLIED:
            tally.replies += 1
            p.hot_t = now
            if rules.stop_on_reply:
                p.cadence_over = True
            self._schedule(p, now, CALLBACK_K, self._contact_key(p), "call")
        elif outcome == VOICEMAIL and side(p.pid, key, rnd.SIDE) < rules.voicemail_callback[state]:
            p.hot_t = now + CALLBACK_AFTER_VOICEMAIL
            self._schedule(p, p.hot_t, CALLBACK_K, self._contact_key(p), "call")
        else:
            self._next_step(p, now, key)
        if p.buyer_wait and channel == "call" and outcome not in MISSED:
            # a buyer waiting for us: the conversation restarts their patience from what was agreed
            self._wait(p, agreed + rules.patience, talked=True)

    def _booked_time(self, t: float, rep: Optional[Rep]) -> float:
        """When a call booked for t happens: in the booking rep's hours if their group takes
        booked calls, else at the first opening of a rep who takes them (the team's hours with
        an unlimited team)."""
        if rep is not None and rep.idx >= 0 and rep.takes[BOOKED_K]:
            return rep.cal.next_open(t)
        if self.unlimited or not self.reps:
            return self.cal.next_open(t)
        return min(self.reps[i].cal.next_open(t) for i in self.takers[BOOKED_K])

    def _drop(self, p: Prospect, kind: int, now: float) -> None:
        """A task overdue beyond the limit is dropped; the cadence moves on to its next step."""
        self.tally.dropped += 1
        if kind == NEW_LEAD_K:
            self.tally.dropped_new_leads += 1
            self.tally.dropped_lead_waits.append(self.horizon - p.start)  # never called: waited to the end
        if self.log is not None:
            self._log(now, p, None, "call", KINDS[kind], "dropped", p.state_at(now))
        if kind in CADENCE_KINDS:
            p.step += 1
        self._next_step(p, now, -1)

    def _log(self, now, p, rep, channel, kind, outcome, state, cause=None) -> None:
        if self.log is not None:
            self.log.append((now, p.pid, rep.name if rep is not None and rep.idx >= 0 else "", channel, kind,
                             outcome, int(state), round(p.annoy, 6), cause or ""))

    # ------------------------------------------------------------ run
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
                self._first_step(p, self._list_first[i], PROSPECTING_K)
        if later:
            env.process(self._listing_process(sorted(later), self._list_first))
        del self._list_first
        if not self.unlimited:
            for rep in self.reps:
                env.process(self._rep_process(rep))
        env.process(self._auto_process())
        env.process(self._arrival_process())
        env.process(self._daily_process())
        env.process(self._market_process())
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
            self._close_rep_day(rep)
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
            log=self.log, money=self.money, deal_values=self.deal_values,
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
