"""What happens on a touch: answering, the conversation's outcome, annoyance and complaints.

Pure functions of the prospect's state and the touch's uniforms, so the rules can be read
(and tested) apart from the event loop.
"""
from __future__ import annotations

import math

from sim.model.readiness import CONSIDERING, NOT_READY, OFF_MARKET, READY
from sim.scenario.schema import ByReadiness, Complaints, Conversation, Scenario
from sim.scenario.strategies import Strategy
from sim.scenario.units import DAY

# Outcomes of a touch (string codes are what the event log shows).
NO_ANSWER, VOICEMAIL, SALE, BOOKED, LATER, NOT_INTERESTED, UNQUALIFIED, ALREADY_BOUGHT = (
    "no_answer", "voicemail", "sale", "booked", "call_back_later", "not_interested", "unqualified", "already_bought",
)
SENT, REPLIED, UNSUBSCRIBED = "sent", "replied", "unsubscribed"

CAUSES = ("frequency", "after_no", "pushy_rep")


def by_state(table: ByReadiness) -> tuple[float, float, float, float]:
    """A ByReadiness table as a tuple indexed by market state (off-market prospects count as not ready)."""
    return (table.not_ready, table.considering, table.ready, table.not_ready)


def hot_factor(boost: float, age: float, decay: float) -> float:
    """1 plus a boost that fades exponentially with the time since the prospect reached out."""
    return 1.0 + boost * math.exp(-max(age, 0.0) / decay)


def answer_probability(reach: float, hot_answer: float, age: float, decay: float, shape: float = 1.0) -> float:
    """A prospect's own reachability, lifted toward ``hot_answer`` right after they reached out.

    The prospect is still by the phone ``age`` minutes later with probability
    exp(-(age / decay) ** shape) (a Weibull survival: shape 1 is memoryless, a larger shape
    keeps the window open for a while and then closes it fast); then they answer at
    ``hot_answer``, otherwise at their own ``reach``."""
    if hot_answer <= reach:
        return reach
    return reach + (hot_answer - reach) * math.exp(-((max(age, 0.0) / decay) ** shape))


def cold_after(decay: float, shape: float) -> float:
    """An age past which exp(-(age / decay) ** shape) is exactly 0.0 in floating point.

    exp(-x) underflows to 0.0 for x above about 745.2; 800 leaves room for rounding, so the
    hot lifts above can be skipped past this age without changing a single result."""
    return decay * 800.0 ** (1.0 / shape)


class ConversationRules:
    """The outcome of a connected call, from one uniform, given readiness, intent and rep skill."""

    def __init__(self, conv: Conversation, books: bool):
        self.sale = by_state(conv.sale)
        self.no = by_state(conv.not_interested)
        self.unqualified = conv.unqualified
        self.book = by_state(conv.book) if books else (0.0, 0.0, 0.0, 0.0)
        self.nurture = conv.nurture
        self.opt_out_on_no = conv.opt_out_on_no

    def outcome(self, state: int, intent: float, skill: float, u: float) -> str:
        if state == OFF_MARKET:
            return ALREADY_BOUGHT
        ps = min(0.95, self.sale[state] * intent * skill)
        if u < ps:
            return SALE
        u -= ps
        if u < self.unqualified:
            return UNQUALIFIED
        u -= self.unqualified
        pn = min(self.no[state], 1.0 - ps - self.unqualified)
        if u < pn:
            return NOT_INTERESTED
        u -= pn
        rest = max(1.0 - ps - self.unqualified - pn, 0.0)
        if u < rest * min(1.0, self.book[state] * skill * min(intent, 2.0)):
            return BOOKED
        return LATER

    def nurtures(self, state: int, skill: float, u: float) -> bool:
        """A good conversation with a considering prospect makes them ready."""
        return state == CONSIDERING and u < self.nurture * skill


class ComplaintRules:
    """Complaint risk per touch from three separate causes (docs/model.md, "Complaints")."""

    def __init__(self, c: Complaints):
        self.enabled = c.enabled
        self.decay = c.annoyance_decay
        self.frequency_risk = c.frequency_risk
        self.exponent = c.frequency_exponent
        self.cap = c.frequency_cap
        self.after_no = c.after_no_risk
        self.pushy = c.pushy_risk

    def annoyance(self, level: float, since: float, weight: float) -> float:
        """Annoyance just after a touch: the old level faded over ``since`` minutes, plus this touch."""
        return level * math.exp(-since / self.decay) + weight

    def cause(self, annoyance: float, tolerance: float, said_no: bool, pushiness: float, u: float) -> str | None:
        """Which cause (if any) makes this touch end in a complaint; one uniform, causes stacked."""
        if not self.enabled:
            return None
        r = min(self.cap, self.frequency_risk * (annoyance / tolerance) ** self.exponent)
        if u < r:
            return "frequency"
        if said_no:
            r += self.after_no
            if u < r:
                return "after_no"
        if pushiness > 0.0:
            r += self.pushy * pushiness
            if u < r:
                return "pushy_rep"
        return None


class TouchRules:
    """Every rule and parameter a touch consults, read once from the scenario and the strategy.

    The engine's touch path runs millions of times: it reads these plain attributes and never
    the scenario's nested models. One object per run, so a parameter has one route from the
    YAML to the outcome it changes (``population.reachability`` is the exception: it is a
    trait of each prospect, drawn in ``world``)."""

    def __init__(self, sc: Scenario, strategy: Strategy):
        conv, cx, hot, rd = sc.conversation, sc.complaints, sc.conversation.hot, sc.readiness
        self.conversation = ConversationRules(conv, strategy.book_next_step)
        self.complaints = ComplaintRules(cx)
        # answering: a prospect's own reach, lifted right after they reached out
        self.hot_answer, self.answer_decay, self.answer_shape = hot.answer, hot.answer_decay, hot.answer_shape
        self.answer_cold = cold_after(hot.answer_decay, hot.answer_shape)  # past this age the lift is exactly 0
        self.intent_boost, self.intent_decay = hot.intent_boost, hot.intent_decay
        self.intent_cold = cold_after(hot.intent_decay, 1.0)
        self.booked_answer = conv.booked_show_reminded if strategy.reminder_email else conv.booked_show
        # a dial nobody answers: a voicemail if the strategy leaves one
        self.voicemail = strategy.voicemail
        self.miss_outcome = VOICEMAIL if strategy.voicemail else NO_ANSWER
        self.miss_weight = cx.weight_voicemail if strategy.voicemail else cx.weight_missed_call
        self.voicemail_callback = by_state(conv.voicemail_callback)
        # annoyance each channel adds
        self.weight_call, self.weight_email, self.weight_sms = cx.weight_call, cx.weight_email, cx.weight_sms
        # messages
        self.email_reply, self.sms_reply = by_state(conv.email_reply), by_state(conv.sms_reply)
        self.unsubscribe = conv.unsubscribe
        # what the strategy does after a touch
        self.stop_on_no, self.stop_on_reply = strategy.stop_on_no, strategy.stop_on_reply
        self.booking_delay, self.callback_delay = strategy.booking_delay, strategy.callback_delay
        self.reminder_email = strategy.reminder_email
        self.min_gap = strategy.min_gap
        self.last_day = strategy.last_day * DAY if strategy.last_day is not None else None  # minutes after day 1 starts
        self.forget = None if sc.team.reminders else sc.team.forget
        self.respect_calling_hours = strategy.respect_calling_hours
        self.max_calls_per_rep_day = strategy.max_calls_per_rep_day
        self.first_response = strategy.first_response
        self.drop_after = sc.team.queue.drop_after
        # buyers: whom they contact, and how long they wait for us
        self.share_of_voice, self.recent_share, self.recall = rd.share_of_voice, rd.recent_share, rd.recall
        self.patience = rd.patience
        # calling rules, reported as breaches
        self.max_calls_24h, self.max_calls_7d = sc.rules.max_calls_24h, sc.rules.max_calls_7d

    def answer_chance(self, reach: float, booked: bool, age: float) -> float:
        """Chance to pick up: a booked call's show rate, else ``answer_probability`` (not even
        called once the hot lift is exactly zero: for a prospect who reached out long ago, or never)."""
        if booked:
            return self.booked_answer
        if age >= self.answer_cold:
            return reach
        return answer_probability(reach, self.hot_answer, age, self.answer_decay, self.answer_shape)

    def intent(self, age: float) -> float:
        """The intent multiplier ``age`` minutes after the prospect reached out (exactly 1 once faded)."""
        if age >= self.intent_cold:
            return 1.0
        return hot_factor(self.intent_boost, age, self.intent_decay)

    def buyer_contacts_us(self, touched_ago: float | None) -> float:
        """Chance that a buyer at their buying moment contacts us rather than a competitor:
        the share of voice, lifted toward ``recent_share`` by a touch ``touched_ago`` minutes ago."""
        if touched_ago is None:
            return self.share_of_voice
        return self.share_of_voice + (self.recent_share - self.share_of_voice) * math.exp(-touched_ago / self.recall)


__all__ = [
    "TouchRules", "ConversationRules", "ComplaintRules", "hot_factor", "answer_probability", "by_state", "CAUSES",
    "NO_ANSWER", "VOICEMAIL", "SALE", "BOOKED", "LATER", "NOT_INTERESTED", "UNQUALIFIED", "ALREADY_BOUGHT",
    "SENT", "REPLIED", "UNSUBSCRIBED", "READY", "NOT_READY",
]
