"""Touch outcomes: what a call or a message costs, which rules it breaks, what the prospect
answers, and what follows (status, annoyance and complaints, the next task, a buyer's wait)."""
from __future__ import annotations

from array import array
from math import exp
from typing import TYPE_CHECKING, Optional

from sim.model import randomness as rnd
from sim.model.market import contact_key
from sim.model.prospects import DISQUALIFIED, OPEN, OPTED_OUT, WON, Prospect
from sim.model.queues import BOOKED_K, CALLBACK_K, KINDS, NEW_LEAD_K
from sim.model.readiness import CONSIDERING, CUSTOMER, OFF_MARKET, READY
from sim.model.reps import Rep
from sim.model.routing import NO_OWNER
from sim.model.segment_results import cell_conversations
from sim.model.touches import (
    ALREADY_BOUGHT, BOOKED, LATER, NO_ANSWER, NOT_INTERESTED, REPLIED, SALE, SENT, UNQUALIFIED,
    UNSUBSCRIBED, VOICEMAIL,
)
from sim.scenario.units import DAY, HOUR

if TYPE_CHECKING:
    from sim.model.engine import Model

CALLBACK_AFTER_VOICEMAIL = 2 * HOUR
MISSED = (NO_ANSWER, VOICEMAIL)  # call outcomes that are no conversation


def agreed_key(p: Prospect) -> int:
    """Random-number key of the next call agreed in a conversation (booked, call me later)."""
    p.agreed += 1
    return rnd.AGREED + p.agreed - 1


class Touches:
    def __init__(self, m: Model):
        self.m = m
        self.tally, self.rules, self.uniform, self.legal, self.reps = m.tally, m.rules, m.uniforms.get, m.legal, m.reps
        self.reach, self.tolerance, self.log = m.reach, m.tolerance, m.log
        self.touched, self.next_step, self.schedule = m.steps.touched, m.steps.next, m.router.schedule
        rules = m.rules
        # with segments, each prospect's conversation rates are its cell's (else the scenario's for all)
        self.conversation_of = cell_conversations(m.scenario, m.strategy, m.cells, m.segment)
        self.stop_after_conversation = m.strategy.stop_after_conversation
        self.ring_size = max(rules.max_calls_7d, rules.max_calls_24h) + 1  # call times kept per prospect: enough for both rules
        self.call_times = array("d", bytes(8 * self.ring_size * len(m.prospects)))  # 8 bytes a call

    def answer_chance(self, p: Prospect, kind: int, now: float) -> float:
        """Chance that p picks up now (``TouchRules.answer_chance``)."""
        return self.rules.answer_chance(self.reach[p.pid], kind == BOOKED_K, now - p.hot_t)

    # ------------------------------------------------------------ calls
    def call(self, p: Prospect, kind: int, now: float, rep: Rep, key: int, connected: bool, talk: float,
             busy: float) -> None:
        """Book a call's work and rule checks, then apply its outcome (``key``: the touch's
        random-number key)."""
        tally, rules = self.tally, self.rules
        p.touches += 1
        day = int(now // DAY)
        state = p.state if now < p.next_change else p.state_at(now)  # (state_at's own first test)
        tally.calls += 1
        tally.daily_calls[day] += 1
        rep_day = int((now + rep.shift) // DAY) if rep.shift else day  # the day on the rep's clock
        if rep.tally_day != rep_day:
            rep.close_day(tally)
            rep.tally_day = rep_day
        rep.day_calls += 1
        rep.day_busy += busy
        self._check_rules(p, now)
        if p.calls == 1 and kind == NEW_LEAD_K:
            tally.response_times.append(now - p.start)
        if kind >= NEW_LEAD_K:  # a cadence step (CADENCE_KINDS)
            self.touched(p, now)
        elif kind == BOOKED_K:
            tally.booked_calls += 1
            if rules.reminder_email:
                tally.reminder_emails += 1
                tally.emails += 1
                p.annoy = rules.complaints.annoyance(p.annoy, max(now - DAY - p.annoy_t, 0.0), rules.weight_email)
                p.annoy_t = now - DAY
                if self.m.log is not None:  # the reminder is a touch: the event log shows it, a day before
                    self.m.log.add(now - DAY, p, None, "email", "reminder", "sent", state)
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
            conversation = rules.conversation if self.conversation_of is None else self.conversation_of[p.pid]
            outcome = conversation.outcome(state, rules.intent(now - p.hot_t), rep.skill,
                                           self.uniform(p.pid, key, rnd.OUTCOME))
            weight, pushiness = rules.weight_call, rep.pushiness
        else:
            tally.dial_minutes += talk
            outcome = rules.miss_outcome
            weight, pushiness = rules.miss_weight, 0.0
            if outcome == VOICEMAIL:
                tally.voicemails += 1
        self.after(p, now, rep, "call", kind, state, outcome, key, weight, pushiness)

    def _check_rules(self, p: Prospect, now: float) -> None:
        """Count the rules this call breaks: after an opt-out, outside legal hours, more than
        max_calls_24h (7d) calls before it in the last day (week)."""
        tally, rules = self.tally, self.rules
        if p.status == OPTED_OUT:
            tally.breach_after_opt_out += 1
        if not self.legal.is_legal(now, p.tz):
            tally.breach_outside_hours += 1
        # each prospect's last ring_size call times, in a ring of the model-wide call_times
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

    # ------------------------------------------------------------ messages
    def message(self, p: Prospect, kind: int, channel: str, now: float, key: int) -> None:
        """An email or text of the cadence: count it, draw the reply, apply the outcome."""
        m = self.m
        tally, rules = self.tally, self.rules
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
        m.steps.touched(p, now)
        p.last_touch = now
        u = self.uniform(p.pid, key, rnd.OUTCOME)
        if u < reply:
            outcome = REPLIED
        elif u < reply + rules.unsubscribe:
            outcome = UNSUBSCRIBED
        else:
            outcome = SENT
        self.after(p, now, None, channel, kind, state, outcome, key, weight, 0.0)

    # ------------------------------------------------------------ what follows a touch
    def after(self, p, now, rep, channel, kind, state, outcome, key, weight, pushiness) -> None:
        """Apply an outcome: status changes, annoyance and complaints, then the next task.

        ``key`` is the touch's random-number key (``randomness``); each uniform is read only
        where the rules need it."""
        said_no_before = p.said_no  # the after-no risk applies to touches after the "no", not to it
        if outcome == SALE:
            self._won(p, now, rep, channel, kind, state, key)
            return
        self._change_status(p, now, rep, state, outcome, key)
        if self.stop_after_conversation and channel == "call" and outcome not in MISSED:
            p.cadence_over = True  # the team stops after a conversation that did not sell
        cause = self._charge_complaints(p, now, weight, pushiness, said_no_before, key)
        if self.log is not None:
            self.log.add(now, p, rep, channel, KINDS[kind], outcome, p.state_at(now), cause)
        if p.status != OPEN:
            p.token += 1  # nothing further is ever due for this prospect
            return
        agreed = self._next_task(p, now, rep, state, outcome, key)
        if p.buyer_wait and channel == "call" and outcome not in MISSED:
            # a buyer waiting for us: the conversation restarts their patience from what was agreed
            self.m.market.wait(p, agreed + self.rules.patience, talked=True)

    def _won(self, p, now, rep, channel, kind, state, key) -> None:
        """A sale: the prospect is a customer from now on."""
        m = self.m
        tally = self.tally
        p.status = WON
        tally.sales += 1
        if rep is not None and rep.idx >= 0:
            tally.rep_sales[rep.idx] += 1
        tally.daily_sales[int(now // DAY)] += 1
        tally.sales_by_attempt[p.attempts] += 1
        if key // rnd.STREAM_STRIDE == rnd.INBOUND // rnd.STREAM_STRIDE:
            tally.sales_prospect_initiated += 1
        p.cut_path(now, [now], [CUSTOMER])
        if m.log is not None:
            m.log.add(now, p, rep, channel, KINDS[kind], SALE, state)

    def _change_status(self, p, now, rep, state, outcome, key) -> None:
        """What the answer changes: disqualified, opted out, the cadence over, a nurtured buyer."""
        m = self.m
        tally, rules = self.tally, self.rules
        if outcome == UNQUALIFIED:
            p.status = DISQUALIFIED
        elif outcome == NOT_INTERESTED:
            p.said_no = True
            if self.uniform(p.pid, key, rnd.SIDE) < rules.conversation.opt_out_on_no:
                p.status = OPTED_OUT
                tally.dnc_requests += 1
                if m.log is not None:  # the event log says how the prospect ended (model.prospect_outcomes)
                    m.log.add(now, p, None, "prospect", "opt_out", "asked_not_to_contact", state)
            elif rules.stop_on_no:
                p.cadence_over = True
        elif outcome == UNSUBSCRIBED:
            p.status = OPTED_OUT
            tally.dnc_requests += 1
        elif outcome == ALREADY_BOUGHT:
            p.cadence_over = True
        elif (outcome == BOOKED or outcome == LATER) and state == CONSIDERING and rules.conversation.nurtures(
                state, rep.skill if rep else 1.0, self.uniform(p.pid, key, rnd.SIDE)):
            tally.nurtured += 1
            m.market.redraw(p, READY, now)

    def _charge_complaints(self, p, now, weight, pushiness, said_no_before, key) -> Optional[str]:
        """The touch adds to p's annoyance; it may make them complain (and opt out). Returns the cause."""
        complaints = self.rules.complaints
        p.annoy = p.annoy * exp(-(now - p.annoy_t) / complaints.decay) + weight  # ComplaintRules.annoyance
        p.annoy_t = now
        cause = None
        if p.status != OPTED_OUT and complaints.enabled:
            cause = complaints.cause(p.annoy, self.tolerance[p.pid], said_no_before, pushiness,
                                     self.uniform(p.pid, key, rnd.COMPLAINT))
        if cause is not None:
            p.status = OPTED_OUT
            self.tally.complaints[cause] += 1
            self.tally.daily_complaints[int(now // DAY)] += 1
        return cause

    def _next_task(self, p, now, rep, state, outcome, key) -> float:
        """Schedule what follows the touch: the call agreed, an answer to a reply or a voicemail,
        else the cadence's next step. Returns the time of the next contact agreed (now if none)."""
        tally, rules, schedule = self.tally, self.rules, self.schedule
        agreed = now
        if outcome == BOOKED:
            tally.booked += 1
            agreed = self.booked_time(now + rules.booking_delay, rep)
            schedule(p, agreed, BOOKED_K, agreed_key(p), "call")
        elif outcome == LATER:
            agreed = now + rules.callback_delay
            schedule(p, agreed, CALLBACK_K, agreed_key(p), "call")
        elif outcome == REPLIED:
            tally.replies += 1
            p.hot_t = now
            if rules.stop_on_reply:
                p.cadence_over = True
            schedule(p, now, CALLBACK_K, contact_key(p), "call")
        elif outcome == VOICEMAIL and self.uniform(p.pid, key, rnd.SIDE) < rules.voicemail_callback[state]:
            p.hot_t = now + CALLBACK_AFTER_VOICEMAIL
            schedule(p, p.hot_t, CALLBACK_K, contact_key(p), "call")
        else:
            self.next_step(p, now, key)
        return agreed

    def booked_time(self, t: float, rep: Optional[Rep]) -> float:
        """When a call booked for t happens: in the booking rep's hours if their group takes
        booked calls, else at the first opening of a rep who takes them (the team's hours with
        an unlimited team)."""
        m = self.m
        if rep is not None and rep.idx >= 0 and rep.takes[BOOKED_K]:
            return rep.cal.next_open(t)
        if m.unlimited or not m.reps:
            return m.cal.next_open(t)
        return min(m.reps[i].cal.next_open(t) for i in m.takers[BOOKED_K])
