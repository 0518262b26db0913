"""The event loop: one SimPy process per rep, and one each for automated touches, arrivals,
purchase moments and the daily backlog count.

Design (see the performance issue): prospects are plain objects, not processes; their
readiness is a pre-drawn path read at touch time; reps pull work from their own task queue
(heaps, lazily cancelled). Purchase moments of the pre-drawn paths are walked in time order
by one process; only a redrawn future (after a sale, a nurture, a lost buyer) schedules its
own. ``run_replication`` is the one pure entry point.
"""
from __future__ import annotations

import gc
import math
from array import array
from typing import Optional

import numpy as np
import simpy

from . import randomness as rnd
from .calendar import Calendar, LegalHours
from .prospects import DISQUALIFIED, OPEN, OPTED_OUT, WON, Prospect
from .queues import KINDS, TaskQueue
from .readiness import CUSTOMER, OFF_MARKET, READY, sample_paths, sample_tail, stationary
from .results import RunResult, build_result
from .scenario import Scenario
from .strategies import Strategy
from .tally import Tally
from .touches import (
    ALREADY_BOUGHT, BOOKED, LATER, NO_ANSWER, NOT_INTERESTED, REPLIED, SALE, SENT, UNQUALIFIED,
    UNSUBSCRIBED, VOICEMAIL, ComplaintRules, ConversationRules, answer_probability, by_state, hot_factor,
)
from .units import DAY, HOUR

BOOKED_K, CALLBACK_K, NEW_LEAD_K, FOLLOW_UP_K, PROSPECTING_K = range(len(KINDS))
CALLBACK_AFTER_VOICEMAIL = 2 * HOUR


class Rep:
    __slots__ = ("idx", "name", "pushiness", "skill", "queue", "wake", "wake_at", "calls_day", "calls_today")

    def __init__(self, idx: int, name: str, pushiness: float, skill: float, queue: TaskQueue):
        self.idx = idx
        self.name = name
        self.pushiness = pushiness
        self.skill = skill  # multiplier on sale, booking and nurture chances (1 = average rep)
        self.queue = queue
        self.wake: Optional[simpy.Event] = None
        self.wake_at = math.inf
        self.calls_day = -1
        self.calls_today = 0


class Model:
    """One strategy, one replication of a scenario."""

    def __init__(self, scenario: Scenario, strategy: Strategy, replication: int, event_log: bool = False):
        self.sc = scenario
        self.strategy = strategy
        self.replication = replication
        self.horizon = scenario.horizon
        self.n_days = int(math.ceil(self.horizon / DAY))
        self.env = simpy.Environment()
        self.cal = Calendar(scenario.team.calendar)
        self.legal = LegalHours(scenario.rules)
        self.conv = ConversationRules(scenario.conversation, strategy.book_next_step)
        self.complaints = ComplaintRules(scenario.complaints)
        self.log: Optional[list[tuple]] = [] if event_log else None
        self.streams = rnd.streams(scenario.seed, replication)
        self.spill_key = rnd.spill_key(scenario.seed, replication)
        self.unlimited = scenario.team.unlimited
        self._setup_team()
        self._setup_population()
        self.tally = Tally(len(self.reps), self.n_days)
        self._setup_durations()

    # ------------------------------------------------------------ set-up
    def _setup_team(self) -> None:
        order = list(self.sc.team.queue.order)
        effect = self.sc.conversation.skill_effect
        self.reps: list[Rep] = []
        for group in self.sc.team.reps:
            for j in range(group.count):
                skill = max(0.0, 1.0 + effect * (group.skill - 0.5))
                name = f"{group.name}-{j + 1}" if group.count > 1 else group.name
                pushiness = group.pushiness if self.strategy.rep_pushiness is None else self.strategy.rep_pushiness
                self.reps.append(Rep(len(self.reps), name, pushiness, skill, TaskQueue(order)))
        self.auto = Rep(-1, "automation", 0.0, 1.0, TaskQueue(order))
        self._next_rep = 0

    def _setup_population(self) -> None:
        sc, st = self.sc, self.streams
        pop = sc.population
        n_list = pop.outbound.size
        arrivals = self._arrival_times(st["arrivals"])
        n = n_list + len(arrivals)
        traits = st["traits"]
        reach = pop.reachability.sample(traits, n).tolist()
        tolerance = np.maximum(pop.tolerance.sample(traits, n), 1e-6).tolist()
        offsets = np.array(list(pop.timezones), dtype=int)
        weights = np.array(list(pop.timezones.values()), dtype=float)
        tz = offsets[traits.choice(len(offsets), size=n, p=weights / weights.sum())].tolist()
        list_first = traits.uniform(0.0, pop.outbound.ramp, n_list) if pop.outbound.ramp > 0 else np.zeros(n_list)
        ready = st["readiness"]
        mix = pop.inbound.mix
        start_states = np.concatenate([
            ready.choice(4, size=n_list, p=stationary(sc.readiness)),
            ready.choice(3, size=len(arrivals), p=[mix.not_ready, mix.considering, mix.ready]),
        ])
        start_times = np.concatenate([np.zeros(n_list), arrivals])
        self.paths = sample_paths(ready, sc.readiness, start_states, start_times, self.horizon)
        self.tape = st["touches"].random((n, rnd.SLOTS * rnd.TAPE_TOUCHES), dtype=np.float32)
        self.n_list = n_list
        self.arrivals = arrivals.tolist()
        self.prospects: list[Prospect] = []
        n_reps = max(len(self.reps), 1)
        for i in range(n):
            owner = i % n_reps
            self.prospects.append(Prospect(i, i >= n_list, start_times[i], reach[i], tolerance[i], tz[i], owner, self.paths))
        self._list_first = list_first.tolist()

    def _arrival_times(self, rng: np.random.Generator) -> np.ndarray:
        """Inbound lead arrivals: a Poisson process thinned by the hour-of-day and weekday profile."""
        inbound = self.sc.population.inbound
        if inbound.per_day <= 0:
            return np.zeros(0)
        hourly = np.ones(24) if inbound.hourly is None else np.asarray(inbound.hourly, float)
        weekday = np.ones(7) if inbound.weekday is None else np.asarray(inbound.weekday, float)
        hourly = hourly / hourly.mean()
        weekday = weekday / weekday.mean()
        peak = inbound.per_day / DAY * hourly.max() * weekday.max()
        count = rng.poisson(peak * self.horizon)
        t = np.sort(rng.uniform(0.0, self.horizon, count))
        rate = inbound.per_day / DAY * hourly[((t % DAY) // HOUR).astype(int)] * weekday[((t // DAY) % 7).astype(int)]
        return t[rng.random(count) < rate / peak]

    def _setup_durations(self) -> None:
        d = self.sc.durations
        h = self.streams["handling"]
        self.dur_no_answer = rnd.Buffered(lambda k: d.no_answer.sample(h, k))
        self.dur_voicemail = rnd.Buffered(lambda k: d.voicemail.sample(h, k))
        self.dur_talk = rnd.Buffered(lambda k: d.conversation.sample(h, k))
        self.dur_wrap_connect = rnd.Buffered(lambda k: d.wrap_up_connect.sample(h, k))
        self.dur_wrap_other = rnd.Buffered(lambda k: d.wrap_up_other.sample(h, k))

    # ------------------------------------------------------------ randomness per prospect
    def _uniforms(self, p: Prospect) -> list[float]:
        """The uniforms of p's next touch (same for every strategy: common random numbers)."""
        k = p.touches
        if k < rnd.TAPE_TOUCHES:
            return self.tape[p.pid, k * rnd.SLOTS:(k + 1) * rnd.SLOTS].tolist()
        return rnd.spill_uniforms(self.spill_key, p.pid, k)

    def _prospect_rng(self, p: Prospect) -> np.random.Generator:
        p.redraws += 1
        return rnd.prospect_rng(self.sc.seed, self.replication, "redraw", p.pid, p.redraws)

    # ------------------------------------------------------------ readiness changes we cause
    def _redraw(self, p: Prospect, state: int, now: float) -> None:
        """p is in ``state`` from now on; draw the rest of their path and its purchase moments."""
        tail_t, tail_s = sample_tail(self._prospect_rng(p), self.sc.readiness, state, now, self.horizon)
        p.cut_path(now, tail_t, tail_s)
        self._schedule_purchases(p, tail_t[1:], tail_s[1:])

    def _schedule_purchases(self, p: Prospect, times, states) -> None:
        env, version = self.env, p.version
        for t, s in zip(times, states):
            if s == OFF_MARKET and t <= self.horizon:
                env.timeout(t - env.now).callbacks.append(lambda _e, p=p, v=version: self._purchase(p, v))

    def _purchase(self, p: Prospect, version: int) -> None:
        """A buyer's decision moment: they contact us (we may still lose them) or a competitor."""
        if p.version != version or p.status != OPEN:
            return
        now = self.env.now
        rd = self.sc.readiness
        share = rd.share_of_voice
        if p.touches:
            share += (rd.recent_share - rd.share_of_voice) * math.exp(-(now - p.last_touch) / rd.recall)
        if self._prospect_rng(p).random() >= share:
            self._log(now, p, None, "market", "purchase", "bought_elsewhere", OFF_MARKET)
            return
        self.tally.reach_outs_to_us += 1
        p.cut_path(now, [now], [READY])
        p.hot_t = now
        p.waiting_until = now + rd.patience
        self._log(now, p, None, "market", "reach_out", "contacted_us", READY)
        self._schedule(p, now, CALLBACK_K)
        v = p.version
        self.env.timeout(rd.patience).callbacks.append(lambda _e, p=p, v=v: self._gave_up(p, v))

    def _gave_up(self, p: Prospect, version: int) -> None:
        if p.version != version or p.status != OPEN:
            return
        self.tally.buyers_gave_up_waiting += 1
        p.waiting_until = -1.0
        self._log(self.env.now, p, None, "market", "purchase", "bought_elsewhere", OFF_MARKET)
        self._redraw(p, OFF_MARKET, self.env.now)

    # ------------------------------------------------------------ scheduling
    def _channel(self, p: Prospect, kind: int) -> str:
        if kind in (FOLLOW_UP_K, PROSPECTING_K, NEW_LEAD_K):
            return self.strategy.channel_of(p.step) or "call"
        return "call"

    def _schedule(self, p: Prospect, due: float, kind: int) -> None:
        """Make (due, kind) p's one live task, superseding any other."""
        p.token += 1
        if self._channel(p, kind) == "call" and not self.unlimited:
            ex = self.reps[p.owner]
        else:
            ex = self.auto
            if self.unlimited and self._channel(p, kind) == "call":
                due = self._callable_time(p, max(due, self.env.now))
        ex.queue.push(due, kind, p, p.token)
        if ex.wake is not None and due < ex.wake_at:
            ev, ex.wake = ex.wake, None
            ev.succeed()

    def _callable_time(self, p: Prospect, t: float) -> float:
        """First time at or after t inside working hours (and legal hours, if the strategy respects them)."""
        for _ in range(16):
            t = self.cal.next_open(t)
            if not self.strategy.respect_calling_hours or self.legal.is_legal(t, p.tz):
                return t
            t = self.legal.next_legal(t, p.tz)
        return t

    def _next_step(self, p: Prospect, now: float, u_forget: float) -> None:
        s = self.strategy
        channel = s.channel_of(p.step)
        if channel is None or p.cadence_over:
            p.cadence_over = True
            return
        due = max(s.due_after(p.step, p.anchor, p.last_touch), p.last_touch + s.min_gap, now)
        if s.last_day is not None and due >= p.anchor + s.last_day * DAY:
            p.cadence_over = True
            return
        if channel == "call" and not self.sc.team.reminders and u_forget < self.sc.team.forget:
            self.tally.forgotten += 1
            p.cadence_over = True
            self._log(now, p, None, channel, "follow_up", "forgotten", p.state_at(now))
            return
        self._schedule(p, due, FOLLOW_UP_K)

    def _first_step(self, p: Prospect, start: float, kind: int) -> None:
        s = self.strategy
        if not s.steps or s.touch_limit() < 1:
            p.cadence_over = True
            return
        first = s.steps[0]
        offset = (first.day - 1) * DAY if first.day is not None else first.after
        p.anchor = start
        p.last_touch = start
        self._schedule(p, start + offset, kind)

    # ------------------------------------------------------------ processes
    def _sleep_until(self, ex: Rep, until: float):
        """Wait until ``until`` or until a task for ``ex`` becomes due earlier."""
        env = self.env
        ev = ex.wake = env.event()
        ex.wake_at = until
        if until < math.inf:
            env.timeout(max(until - env.now, 0.0)).callbacks.append(lambda _e, ev=ev: ev.triggered or ev.succeed())
        yield ev
        ex.wake = None
        ex.wake_at = math.inf

    def _rep_process(self, rep: Rep):
        env, cal, q = self.env, self.cal, rep.queue
        cap = self.strategy.max_calls_per_rep_day
        drop_after = self.sc.team.queue.drop_after
        respect = self.strategy.respect_calling_hours
        while True:
            now = env.now
            if not cal.is_working(now):
                yield env.timeout(cal.next_open(now) - now)
                continue
            day = int(now // DAY)
            if rep.calls_day != day:
                rep.calls_day, rep.calls_today = day, 0
            if cap is not None and rep.calls_today >= cap:
                yield env.timeout(cal.next_open((day + 1) * DAY) - now)
                continue
            entry = q.pop(now)
            if entry is None:
                yield from self._sleep_until(rep, min(q.next_due(), cal.shift_end(now)))
                continue
            due, _seq, kind, p, token = entry
            if now - due > drop_after:
                self._drop(p, kind, now)
                continue
            if respect and not self.legal.is_legal(now, p.tz):
                q.push(self.legal.next_legal(now, p.tz), kind, p, token)
                continue
            u = self._uniforms(p)
            connected = u[rnd.REACH] < self._answer_chance(p, kind, now)
            if connected:
                talk = self.dur_talk()
                busy = talk + self.dur_wrap_connect()
            else:
                talk = self.dur_voicemail() if self.strategy.voicemail else self.dur_no_answer()
                busy = talk + self.dur_wrap_other()
            if now + busy > cal.shift_end(now):
                q.requeue(entry)
                yield env.timeout(cal.next_open(cal.shift_end(now)) - now)
                continue
            rep.calls_today += 1
            self._call(p, kind, now, rep, u, connected, talk, busy)
            yield env.timeout(busy)

    def _auto_process(self):
        env, q = self.env, self.auto.queue
        while True:
            now = env.now
            entry = q.pop(now)
            if entry is None:
                yield from self._sleep_until(self.auto, q.next_due())
                continue
            _due, _seq, kind, p, _token = entry
            channel = self._channel(p, kind)
            u = self._uniforms(p)
            if channel == "call":
                owner = self.reps[p.owner]
                connected = u[rnd.REACH] < self._answer_chance(p, kind, now)
                self._call(p, kind, now, owner, u, connected, 0.0, 0.0)
            else:
                self._message(p, kind, channel, now, u)

    def _arrival_process(self):
        env = self.env
        delay = self.strategy.first_response
        for i, t in enumerate(self.arrivals):
            yield env.timeout(t - env.now)
            p = self.prospects[self.n_list + i]
            p.owner = self._assign(t)
            self._log(t, p, None, "inbound", "arrival", "new_lead", p.state_at(t))
            self._first_step(p, t + delay, NEW_LEAD_K)

    def _assign(self, now: float) -> int:
        """A new lead goes to a rep who is free right now, else round-robin."""
        if self.cal.is_working(now):
            for rep in self.reps:
                if rep.wake is not None:
                    return rep.idx
        self._next_rep = (self._next_rep + 1) % max(len(self.reps), 1)
        return self._next_rep

    def _daily_process(self):
        env = self.env
        for day in range(1, self.n_days + 1):
            yield env.timeout(day * DAY - env.now)
            if env.now < self.horizon:
                self.tally.backlog.append(sum(r.queue.overdue(env.now) for r in self.reps))

    def _market_process(self):
        """The purchase moments of every pre-drawn path, in time order, from one process.

        No SimPy event exists per prospect until its moment comes; moments of paths redrawn
        later (version > 0) are scheduled by ``_redraw`` and these are then skipped as stale."""
        paths, env = self.paths, self.env
        counts = np.diff(paths.offsets)
        pid = np.repeat(np.arange(len(counts)), counts)
        first = np.zeros(len(paths.times), dtype=bool)
        first[paths.offsets[:-1][counts > 0]] = True
        sel = np.flatnonzero((paths.states == OFF_MARKET) & ~first & (paths.times <= self.horizon))
        sel = sel[np.argsort(paths.times[sel], kind="stable")]
        for t, i in zip(paths.times[sel].tolist(), pid[sel].tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
            self._purchase(self.prospects[i], 0)

    # ------------------------------------------------------------ touches
    def _answer_chance(self, p: Prospect, kind: int, now: float) -> float:
        conv = self.sc.conversation
        if kind == BOOKED_K:
            return conv.booked_show_reminded if self.strategy.reminder_email else conv.booked_show
        hot = conv.hot
        return answer_probability(p.reach, hot.answer, now - p.hot_t, hot.answer_decay, hot.answer_shape)

    def _call(self, p: Prospect, kind: int, now: float, rep: Rep, u: list[float], connected: bool, talk: float, busy: float) -> None:
        t = self.tally
        k = p.touches = p.touches + 1
        day = int(now // DAY)
        state = p.state_at(now)
        t.calls += 1
        t.daily_calls[day] += 1
        t.rep_calls[rep.idx][day] += 1
        t.rep_busy[rep.idx][day] += busy
        if p.status == OPTED_OUT:
            t.breach_after_opt_out += 1
        if not self.legal.is_legal(now, p.tz):
            t.breach_outside_hours += 1
        rc = p.recent_calls
        if rc is None:
            rc = p.recent_calls = array("d")  # 8 bytes a call, not a float object each
        rc.append(now)
        limit7 = self.sc.rules.max_calls_7d
        if len(rc) > limit7 + 1:
            del rc[0]
        lim24 = self.sc.rules.max_calls_24h
        if len(rc) > lim24 and now - rc[-lim24 - 1] < DAY:
            t.breach_24h += 1
        if len(rc) > limit7 and now - rc[-limit7 - 1] < 7 * DAY:
            t.breach_7d += 1
        if p.first_call < 0:
            p.first_call = now
            if kind == NEW_LEAD_K:
                t.response_times.append(now - p.start)
        if kind in (FOLLOW_UP_K, PROSPECTING_K, NEW_LEAD_K):
            self._cadence_touch(p, now)
        if kind == BOOKED_K:
            t.booked_calls += 1
            if self.strategy.reminder_email:
                t.reminder_emails += 1
                t.emails += 1
                p.annoy = self.complaints.annoyance(p.annoy, max(now - DAY - p.annoy_t, 0.0), self.sc.complaints.weight_email)
                p.annoy_t = now - DAY
        p.last_touch = now
        cx = self.sc.complaints
        if connected:
            t.connects += 1
            t.daily_connects[day] += 1
            t.talk_minutes += talk
            t.rep_talk[rep.idx][day] += talk
            if kind == BOOKED_K:
                t.booked_connects += 1
            intent = hot_factor(self.sc.conversation.hot.intent_boost, now - p.hot_t, self.sc.conversation.hot.intent_decay)
            outcome = self.conv.outcome(state, intent, rep.skill, u[rnd.OUTCOME])
            weight, pushiness = cx.weight_call, rep.pushiness
        else:
            t.dial_minutes += talk
            outcome = VOICEMAIL if self.strategy.voicemail else NO_ANSWER
            weight = cx.weight_voicemail if self.strategy.voicemail else cx.weight_missed_call
            pushiness = 0.0
            if outcome == VOICEMAIL:
                t.voicemails += 1
        self._after_touch(p, now, rep, "call", kind, k, state, outcome, u, weight, pushiness)

    def _message(self, p: Prospect, kind: int, channel: str, now: float, u: list[float]) -> None:
        t = self.tally
        k = p.touches = p.touches + 1
        state = p.state_at(now)
        if channel == "email":
            t.emails += 1
            reply = by_state(self.sc.conversation.email_reply)[state]
            weight = self.sc.complaints.weight_email
        else:
            t.sms += 1
            reply = by_state(self.sc.conversation.sms_reply)[state]
            weight = self.sc.complaints.weight_sms
        if state == OFF_MARKET or p.status != OPEN:
            reply = 0.0
        self._cadence_touch(p, now)
        p.last_touch = now
        if u[rnd.OUTCOME] < reply:
            outcome = REPLIED
        elif u[rnd.OUTCOME] < reply + self.sc.conversation.unsubscribe:
            outcome = UNSUBSCRIBED
        else:
            outcome = SENT
        self._after_touch(p, now, None, channel, kind, k, state, outcome, u, weight, 0.0)

    def _cadence_touch(self, p: Prospect, now: float) -> None:
        if p.step == 0:
            first = self.strategy.steps[0]
            p.anchor = now - ((first.day - 1) * DAY if first.day is not None else 0.0)
        p.step += 1

    def _after_touch(self, p, now, rep, channel, kind, k, state, outcome, u, weight, pushiness) -> None:
        """Apply an outcome: status changes, annoyance and complaints, then the next task."""
        t = self.tally
        s = self.strategy
        day = int(now // DAY)
        if outcome == SALE:
            p.status = WON
            t.sales += 1
            t.daily_sales[day] += 1
            t.sales_by_touch[k] += 1
            if kind == CALLBACK_K:
                t.sales_prospect_initiated += 1
            p.cut_path(now, [now], [CUSTOMER])
            self._log(now, p, rep, channel, KINDS[kind], outcome, state)
            return
        if outcome == UNQUALIFIED:
            p.status = DISQUALIFIED
        elif outcome == NOT_INTERESTED:
            p.said_no = True
            if u[rnd.SIDE] < self.conv.opt_out_on_no:
                p.status = OPTED_OUT
                t.dnc_requests += 1
            elif s.stop_on_no:
                p.cadence_over = True
        elif outcome == UNSUBSCRIBED:
            p.status = OPTED_OUT
            t.dnc_requests += 1
        elif outcome == ALREADY_BOUGHT:
            p.cadence_over = True
        elif outcome in (BOOKED, LATER) and self.conv.nurtures(state, rep.skill if rep else 1.0, u[rnd.SIDE]):
            t.nurtured += 1
            self._redraw(p, READY, now)
        p.annoy = self.complaints.annoyance(p.annoy, now - p.annoy_t, weight)
        p.annoy_t = now
        cause = None
        if p.status != OPTED_OUT:
            cause = self.complaints.cause(p.annoy, p.tolerance, p.said_no, pushiness, u[rnd.COMPLAINT])
        if cause is not None:
            p.status = OPTED_OUT
            t.complaints[cause] += 1
            t.daily_complaints[day] += 1
        self._log(now, p, rep, channel, KINDS[kind], outcome, p.state_at(now), cause)
        if p.status != OPEN:
            p.token += 1  # nothing further is ever due for this prospect
            return
        if outcome == BOOKED:
            t.booked += 1
            self._schedule(p, self._booked_time(now + s.booking_delay), BOOKED_K)
        elif outcome == LATER:
            self._schedule(p, now + s.callback_delay, CALLBACK_K)
        elif outcome == REPLIED:
            t.replies += 1
            p.hot_t = now
            if s.stop_on_reply:
                p.cadence_over = True
            self._schedule(p, now, CALLBACK_K)
        elif outcome == VOICEMAIL and u[rnd.SIDE] < by_state(self.sc.conversation.voicemail_callback)[state]:
            p.hot_t = now + CALLBACK_AFTER_VOICEMAIL
            self._schedule(p, p.hot_t, CALLBACK_K)
        else:
            self._next_step(p, now, u[rnd.FORGET])

    def _booked_time(self, t: float) -> float:
        return self.cal.next_open(t)

    def _drop(self, p: Prospect, kind: int, now: float) -> None:
        """A task overdue beyond the limit is dropped; the cadence moves on to its next step."""
        self.tally.dropped += 1
        if kind == NEW_LEAD_K:
            self.tally.dropped_new_leads += 1
        self._log(now, p, None, "call", KINDS[kind], "dropped", p.state_at(now))
        if kind in (FOLLOW_UP_K, PROSPECTING_K, NEW_LEAD_K):
            p.step += 1
        self._next_step(p, now, 1.0)

    def _log(self, now, p, rep, channel, kind, outcome, state, cause=None) -> None:
        if self.log is not None:
            self.log.append((now, p.pid, rep.name if rep is not None and rep.idx >= 0 else "", channel, kind,
                             outcome, int(state), round(p.annoy, 6), cause or ""))

    # ------------------------------------------------------------ run
    def run(self) -> RunResult:
        env = self.env
        for i in range(self.n_list):
            self._first_step(self.prospects[i], self._list_first[i], PROSPECTING_K)
        if not self.unlimited:
            for rep in self.reps:
                env.process(self._rep_process(rep))
        env.process(self._auto_process())
        env.process(self._arrival_process())
        env.process(self._daily_process())
        env.process(self._market_process())
        gc.freeze()  # set-up objects live for the whole run: keep the collector off them
        try:
            env.run(until=self.horizon)
        finally:
            gc.unfreeze()
        return build_result(self)


def run_replication(scenario: Scenario, strategy: str | Strategy, replication: int = 0, event_log: bool = False) -> RunResult:
    """Simulate one strategy for one replication of a scenario: the one pure entry point.

    The same (scenario, replication) gives every strategy the same prospects, arrivals,
    readiness paths and answering luck; the result depends on nothing else.
    """
    name = strategy if isinstance(strategy, str) else "custom"
    strat = scenario.strategy(strategy) if isinstance(strategy, str) else strategy
    result = Model(scenario, strat, replication, event_log).run()
    result.strategy = name
    return result
