"""The SimPy processes of a run: one per rep, automation's, arrivals, names added to the list,
the daily release and backlog count, and the market's purchase moments."""
from __future__ import annotations

import math
from heapq import heappush
from typing import TYPE_CHECKING

import numpy as np
import simpy
from simpy.events import NORMAL

from sim.model import randomness as rnd
from sim.model.queues import BOOKED_K, NEW_LEAD_K, PROSPECTING_K
from sim.model.readiness import OFF_MARKET
from sim.model.reps import Rep
from sim.model.routing import NO_OWNER
from sim.scenario.units import DAY

if TYPE_CHECKING:
    from sim.model.engine import Model


class Busy:
    """A rep's call: a triggered event that SimPy processes at its time, as a Timeout is
    (``Environment.step`` and ``Process._resume`` read ``callbacks``, ``_ok``, ``_value``),
    without a Timeout's checks and bookkeeping: one is made per call."""

    __slots__ = ("callbacks",)
    _ok = True
    _value = None

    def __init__(self):
        self.callbacks = []


def sleep_until(m: Model, worker: Rep, until: float) -> simpy.Event:
    """The event that ends ``worker``'s wait for work: at ``until``, or earlier when a task
    for them comes due before (``Rep.nudge``). The process yields it, then calls
    ``worker.awake()``. (A plain function, not a generator: it runs on every wait.)

    A rep waits in its moment's group (``wake_groups``): the event is triggered only when the
    rep will find work, or is nudged. Automation waits on a timeout of its own."""
    env = m.env
    ev = worker.wake = env.event()
    if worker.idx >= 0:
        m.waits.wait(worker, until)
        return ev
    worker.wake_at = until
    if until < math.inf:
        env.timeout(max(until - env.now, 0.0)).callbacks.append(lambda _e, ev=ev: ev.triggered or ev.succeed())
    return ev


def idle_check(m: Model, rep: Rep, now: float, memo: dict):
    """What a waiting rep's process would do if woken now: None if it would act (its shift is
    over, its daily cap reached, or a task is due for it), else the moment it would wait
    until. The queue peeks are the ones ``Router.take`` makes, with the same effect (``memo``:
    see ``Router.wait_until``)."""
    if now >= rep.shift_end:
        return None
    cap = m.rules.max_calls_per_rep_day
    if cap is not None and rep.tally_day == int((now + rep.shift) // DAY) and rep.day_calls >= cap:
        return None
    until = m.router.wait_until(rep, now, memo)
    if until is None:
        return None
    return until if until < rep.shift_end else rep.shift_end


def rep_process(m: Model, rep: Rep):
    """A rep's working life: in their hours, under their daily cap, take the next task, drop
    it, skip it or make the call, and wait for work when none is due."""
    env, cal = m.env, rep.cal
    timeout = env.timeout
    queue, eid = env._queue, env._eid  # for busy(): SimPy's own schedule, without its checks
    rules = m.rules
    cap = rules.max_calls_per_rep_day
    drop_after = rules.drop_after
    respect = rules.respect_calling_hours
    last_day = rules.last_day
    legal = m.legal
    is_legal = legal.is_legal
    uniform = m.uniforms.get
    steps, touches, router = m.steps, m.touches, m.router
    answer_chance, reach = rules.answer_chance, m.reach
    booked_answer, answer_cold = rules.booked_answer, rules.answer_cold
    dur_talk, dur_wrap_connect, dur_wrap_other = m.dur_talk, m.dur_wrap_connect, m.dur_wrap_other
    dur_missed = m.dur_voicemail if rules.voicemail else m.dur_no_answer
    call, take = touches.call, router.take
    shift = rep.shift
    shift_end = -1.0  # end of the shift that contains now, once known (now never goes back)
    while True:
        now = env.now
        if now >= shift_end:
            if not cal.is_working(now):
                yield timeout(cal.next_open(now) - now)
                continue
            shift_end = rep.shift_end = cal.shift_end(now)
        if cap is not None and rep.tally_day == int((now + shift) // DAY) and rep.day_calls >= cap:
            yield timeout(cal.next_open((rep.tally_day + 1) * DAY - shift) - now)
            continue
        taken = take(rep, now)
        if taken is None:
            yield sleep_until(m, rep, min(router.next_due(rep), shift_end))
            rep.awake()
            continue
        kind, top, src = taken
        due, _seq, p, token = top
        if now - due > drop_after:
            steps.drop(p, kind, now)
            continue
        if last_day is not None and steps.past_last_day(p, kind, now):
            continue
        if respect and not is_legal(now, p.tz):
            router.put_back(rep, src, legal.next_legal(now, p.tz), kind, p, token)
            continue
        key, pid = p.key, p.pid
        # TouchRules.answer_chance, its two common cases read here
        if kind == BOOKED_K:
            chance = booked_answer
        else:
            age = now - p.hot_t
            chance = reach[pid] if age >= answer_cold else answer_chance(reach[pid], False, age)
        connected = uniform(pid, key, rnd.REACH) < chance
        if connected:
            talk = dur_talk()
            busy = talk + dur_wrap_connect()
        else:
            talk = dur_missed()
            busy = talk + dur_wrap_other()
        # a call started inside the shift is made and may run past its end: whether it fits
        # is not asked, since the answer would depend on its outcome (a connect is longer)
        call(p, kind, now, rep, key, connected, talk, busy)
        ev = Busy()  # env.timeout(busy), scheduled as SimPy schedules it (same time, same order)
        heappush(queue, (env._now + busy, NORMAL, next(eid), ev))
        yield ev


def auto_process(m: Model):
    """Automation: messages of the cadence (and every call of an unlimited team) when due."""
    env, auto = m.env, m.auto
    q = auto.queue
    uniform = m.uniforms.get
    steps, touches = m.steps, m.touches
    while True:
        now = env.now
        entry = q.pop(now)
        if entry is None:
            yield sleep_until(m, auto, q.next_due())
            auto.awake()
            continue
        _due, _seq, kind, p, _token = entry
        if steps.past_last_day(p, kind, now):
            continue
        channel = steps.channel(p, kind)
        key = p.key
        if channel == "call":
            owner = m.reps[p.owner]
            connected = uniform(p.pid, key, rnd.REACH) < touches.answer_chance(p, kind, now)
            touches.call(p, kind, now, owner, key, connected, 0.0, 0.0)
        else:
            touches.message(p, kind, channel, now, key)


def arrival_process(m: Model):
    """Inbound leads, at their arrival times: each is logged and gets its first step."""
    env = m.env
    delay = m.rules.first_response
    for i, t in enumerate(m.arrivals):
        yield env.timeout(t - env.now)
        p = m.prospects[m.n_list + i]
        # an unlimited team has no queues: the lead's owner only lends the calls a skill
        p.owner = m.router.assign(t, NEW_LEAD_K) if m.unlimited else NO_OWNER
        if m.log is not None:
            m.log.add(t, p, None, "inbound", "arrival", "new_lead", p.state_at(t))
        m.steps.first(p, t + delay, NEW_LEAD_K)


def listing_process(m: Model, later: list[tuple[float, int]], first: list[float]):
    """Listed names that join the list after the start, in order of arrival: each is
    logged as added to the list and gets its first step (due at its place in the ramp)."""
    env = m.env
    for t, i in later:
        if t > env.now:
            yield env.timeout(t - env.now)
        p = m.prospects[i]
        if m.log is not None:
            m.log.add(t, p, None, "list", "listed", "added_to_list", p.state_at(t))
        m.steps.first(p, first[i], PROSPECTING_K)


def daily_process(m: Model):
    """At each midnight: release the day's parked moments (``Agenda``), count the backlog."""
    env = m.env
    for day in range(1, m.n_days + 1):
        yield env.timeout(day * DAY - env.now)
        m.agenda.release(day)
        if env.now < m.horizon:
            m.tally.backlog.append(m.router.backlog(env.now))


def market_process(m: Model):
    """The purchase moments of every pre-drawn path, in time order, from one process.

    No SimPy event exists per prospect until its moment comes; moments of paths redrawn
    later (version > 0) are scheduled by ``Market.redraw`` and these are then skipped as stale."""
    paths, env = m.paths, m.env
    entering = (paths.states == OFF_MARKET) & (paths.times <= m.horizon)
    entering[paths.offsets[:-1][np.diff(paths.offsets) > 0]] = False  # a start state is no purchase
    sel = np.flatnonzero(entering)
    del entering
    sel = sel[np.argsort(paths.times[sel], kind="stable")]
    pid = np.searchsorted(paths.offsets, sel, side="right") - 1  # whose entry, for the chosen ones only
    purchase = m.market.purchase
    for t, i in zip(paths.times[sel].tolist(), pid.tolist()):
        if t > env.now:
            yield env.timeout(t - env.now)
        purchase(m.prospects[i], 0)
