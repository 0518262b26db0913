"""How prospects behave in a scenario: the buying-readiness chain, conversations and their
outcomes (hot leads included), and complaints."""
from __future__ import annotations


from pydantic import Field, model_validator

from sim.scenario.units import Minutes
from sim.scenario.fields import _M, ByReadiness

# ---------------------------------------------------------------- readiness
class Readiness(_M):
    """The buying-readiness chain: not_ready -> considering -> ready -> (purchase) -> off_market -> not_ready.

    Mean dwell times and branch shares set the rates; the long-run mix is computed from them
    (``sim.model.readiness.stationary``). Defaults give about 3% ready, 40% considering, 57% not ready
    (off-market prospects, who bought recently, count as not ready).
    """

    not_ready_dwell: Minutes = Field(default="78d", gt=0)
    considering_dwell: Minutes = Field(default="60d", gt=0)
    to_ready: float = Field(default=0.15, ge=0, le=1, description="share of considering exits that become ready")
    buying_window: Minutes = Field(default="30d", gt=0, description="mean time a prospect stays ready")
    buy_at_window_end: float = Field(default=0.5, ge=0, le=1, description="share of windows that end in a purchase")
    off_market: Minutes = Field(default="180d", gt=0, description="after buying, time until back in the market")
    frozen: bool = Field(default=False, description="readiness never changes (for experiments and tests)")
    share_of_voice: float = Field(default=0.15, ge=0, le=1, description="chance a buyer contacts us when we have not been in touch")
    recent_share: float = Field(default=0.5, ge=0, le=1, description="chance a buyer contacts us right after our touch")
    recall: Minutes = Field(default="30d", gt=0, description="how fast a buyer forgets our last touch")
    patience: Minutes = Field(default="2d", gt=0, description="how long a buyer who contacted us waits to be reached")


# ---------------------------------------------------------------- conversations
class HotLead(_M):
    """Right after a prospect reaches out (new lead, reply, call-in) they answer more and buy more; both fade."""

    answer: float = Field(default=0.9, ge=0, le=1, description="chance to answer at the moment they reach out")
    answer_decay: Minutes = Field(default="15m", gt=0, description="how long the prospect typically stays by the phone")
    answer_shape: float = Field(
        default=3.0, ge=0.1, le=10,
        description="shape of that window: 1 = fades from the first minute, above 1 = stays open, then closes fast",
    )
    intent_boost: float = Field(default=6.0, ge=0, description="extra multiple on sale/booking at age 0")
    intent_decay: Minutes = Field(default="3h", gt=0, description="time constant of the intent boost")


class Conversation(_M):
    sale: ByReadiness = Field(default_factory=lambda: ByReadiness(ready=0.35, considering=0.03, not_ready=0.003))
    not_interested: ByReadiness = Field(default_factory=lambda: ByReadiness(ready=0.05, considering=0.25, not_ready=0.5))
    unqualified: float = Field(default=0.05, ge=0, le=1)
    book: ByReadiness = Field(
        default_factory=lambda: ByReadiness(ready=0.7, considering=0.45, not_ready=0.1),
        description="chance a rep books a next step when the strategy books",
    )
    nurture: float = Field(default=0.10, ge=0, le=1, description="chance a good conversation turns considering into ready")
    skill_effect: float = Field(default=1.0, ge=0, description="how much rep skill scales sale, booking and nurture")
    opt_out_on_no: float = Field(default=0.1, ge=0, le=1, description="chance a 'no' comes with a do-not-call request")
    booked_show: float = Field(default=0.6, ge=0, le=1, description="chance a booked call connects")
    booked_show_reminded: float = Field(default=0.8, ge=0, le=1, description="same, with a reminder email")
    hot: HotLead = Field(default_factory=HotLead)
    email_reply: ByReadiness = Field(default_factory=lambda: ByReadiness(ready=0.08, considering=0.01, not_ready=0.001))
    sms_reply: ByReadiness = Field(default_factory=lambda: ByReadiness(ready=0.10, considering=0.015, not_ready=0.002))
    voicemail_callback: ByReadiness = Field(default_factory=lambda: ByReadiness(ready=0.10, considering=0.01, not_ready=0.001))
    unsubscribe: float = Field(default=0.002, ge=0, le=1, description="chance an email or SMS is answered with an opt-out")

    @model_validator(mode="after")
    def _fits(self) -> "Conversation":
        for state in ("ready", "considering", "not_ready"):
            total = getattr(self.sale, state) + getattr(self.not_interested, state) + self.unqualified
            if total > 1 + 1e-9:
                raise ValueError(f"sale + not_interested + unqualified exceed 1 for {state} prospects ({total:.3f})")
        return self


class Complaints(_M):
    """Complaint risk per touch, by cause: frequency (annoyance), after a clear no, a pushy rep."""

    enabled: bool = True
    annoyance_decay: Minutes = Field(default="18d", gt=0, description="time constant of annoyance fading")
    weight_call: float = Field(default=1.0, ge=0, description="annoyance added by a conversation")
    weight_missed_call: float = Field(default=0.6, ge=0, description="by a dial nobody answered")
    weight_voicemail: float = Field(default=0.8, ge=0)
    weight_email: float = Field(default=0.25, ge=0)
    weight_sms: float = Field(default=0.5, ge=0)
    frequency_risk: float = Field(default=0.003, ge=0, le=1, description="risk per touch when annoyance equals tolerance")
    frequency_exponent: float = Field(default=3.0, ge=0, le=10, description="how steeply risk rises with annoyance / tolerance")
    frequency_cap: float = Field(default=0.5, ge=0, le=1)
    after_no_risk: float = Field(default=0.10, ge=0, le=1, description="risk per touch after a clear 'no'")
    pushy_risk: float = Field(default=0.06, ge=0, le=1, description="risk per conversation with a fully pushy rep")
