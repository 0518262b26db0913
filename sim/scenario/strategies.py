"""Strategies (cadences) as a sales manager writes them, and the named presets people argue about."""
from __future__ import annotations

import math
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.stopping import GiveUp
from sim.scenario.units import DAY, Minutes, duration_words

Channel = Literal["call", "email", "sms"]


class Step(BaseModel):
    """One touch of a cadence: on cadence ``day`` N (day 1 = the first touch) or ``after`` a gap."""

    model_config = ConfigDict(extra="forbid")
    channel: Channel = "call"
    day: Optional[float] = Field(default=None, ge=1, description="cadence day, 1 = day of the first touch")
    after: Optional[Minutes] = Field(default=None, description="gap after the previous touch, e.g. '2d'")

    @model_validator(mode="after")
    def _one_timing(self) -> "Step":
        if (self.day is None) == (self.after is None):
            raise ValueError("a step needs exactly one of 'day' (absolute, day 1 = first touch) or 'after' (gap)")
        return self


class Repeat(BaseModel):
    """After the listed steps, keep touching every ``every`` (e.g. monthly) until a cap stops it."""

    model_config = ConfigDict(extra="forbid")
    every: Minutes = Field(gt=0)
    channel: Channel = "call"
    count: Optional[int] = Field(default=None, ge=1, description="how many repeats; empty = until a cap")


def _touch_limit(steps: list, repeat: Optional[Repeat], max_touches: Optional[int]) -> float:
    """How many touches a cadence can make at most (inf when it repeats without a cap)."""
    listed = len(steps)
    if repeat is not None:
        listed = float("inf") if repeat.count is None else listed + repeat.count
    if max_touches is not None:
        listed = min(listed, max_touches)
    return listed


class SubCadence(BaseModel):
    """The cadence for one kind of prospect (``inbound`` leads or listed ``outbound`` prospects):
    its own steps, repeat and touch cap, in place of the strategy's for that kind."""

    model_config = ConfigDict(extra="forbid")
    steps: list[Step] = Field(default_factory=list, description="touches for this kind of prospect")
    repeat: Optional[Repeat] = Field(default=None, description="after the steps, keep touching (as the strategy's)")
    max_touches: Optional[int] = Field(default=None, ge=0, description="give up after this many touches")

    @model_validator(mode="after")
    def _first_step(self) -> "SubCadence":
        if self.repeat is not None and not self.steps:
            raise ValueError("'repeat' needs at least one step before it")
        return self

    def touch_limit(self) -> float:
        return _touch_limit(self.steps, self.repeat, self.max_touches)


class Strategy(BaseModel):
    """A follow-up strategy. Write it out, or start from ``preset: NAME`` and override fields."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
    preset: Optional[str] = Field(default=None, description="start from this named preset")
    label: Optional[str] = Field(default=None, description="a plain name for plots, tables and reports, e.g. 'Call once and stop'")
    description: str = ""
    steps: list[Step] = Field(default_factory=list)
    repeat: Optional[Repeat] = None
    max_touches: Optional[int] = Field(default=None, ge=0, description="give up after this many touches")
    last_day: Optional[float] = Field(
        default=None, ge=1,
        description="no cadence touch after this cadence day (day 1 = the first touch), checked when the touch "
                    "would be made; calls the prospect asked for still happen")
    first_response: Minutes = Field(default="1h", description="how soon a new inbound lead is called")
    stop_on_no: bool = Field(default=True, description="stop after a clear 'not interested'")
    stop_on_reply: bool = Field(default=True, description="a reply to an email/SMS ends the cadence (a callback takes over)")
    book_next_step: bool = Field(default=False, description="reps agree a specific next call on a connect")
    booking_delay: Minutes = Field(default="3d", description="how far ahead a booked call is set")
    reminder_email: bool = Field(default=False, description="email a reminder the day before a booked call")
    callback_delay: Minutes = Field(default="7d", description="when to call back a prospect who said 'call me later'")
    min_gap: Minutes = Field(default="20h", description="never touch one prospect twice within this gap")
    max_calls_per_rep_day: Optional[int] = Field(default=None, ge=1, description="per-rep daily call cap")
    voicemail: bool = Field(default=True, description="leave a voicemail when nobody answers")
    respect_calling_hours: bool = Field(default=True, description="wait for the prospect's legal calling hours")
    routing: Optional[Literal["shared", "owner"]] = Field(
        default=None,
        description="how calls to new inbound leads reach reps (see team.queue.routing); empty = the team's setting",
    )
    rep_pushiness: Optional[float] = Field(
        default=None, ge=0, le=1, description="coach every rep to this style (0 consultative .. 1 pushy); empty = each rep's own"
    )
    give_up: Optional[GiveUp] = Field(
        default=None, description="the team's own stopping: give up after k attempts without a sale, k drawn per "
                                  "prospect from a table of hazards or probabilities by attempt (docs/model.md 6.5)")
    stop_after_conversation: bool = Field(
        default=False, description="end the cadence after a conversation that did not sell (calls the prospect "
                                   "agreed to still happen)")
    inbound: Optional[SubCadence] = Field(
        default=None, description="steps, repeat and max_touches for new inbound leads; empty = the strategy's")
    outbound: Optional[SubCadence] = Field(
        default=None, description="steps, repeat and max_touches for listed prospects; empty = the strategy's")

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("preset") is not None:
            name = data["preset"]
            if name not in PRESETS:
                raise ValueError(f"unknown preset {name!r}; expected one of: {', '.join(PRESETS)}")
            merged = dict(PRESETS[name])
            if "label" not in data and set(data) - {"preset", "description"}:
                merged.pop("label", None)  # the preset's label names the preset as shipped, not a changed copy
            merged.update(data)
            return merged
        return data

    @model_validator(mode="after")
    def _first_step(self) -> "Strategy":
        if self.repeat is not None and not self.steps:
            raise ValueError("'repeat' needs at least one step before it")
        return self

    def touch_limit(self) -> float:
        """How many touches the cadence can make at most (inf when it repeats without a cap)."""
        return _touch_limit(self.steps, self.repeat, self.max_touches)

    def plan(self, kind: Optional[Literal["inbound", "outbound"]] = None) -> "Strategy | SubCadence":
        """What holds the steps, repeat and max_touches for ``kind`` of prospect: its sub-cadence
        when the strategy has one, else the strategy itself."""
        sub = {"inbound": self.inbound, "outbound": self.outbound, None: None}[kind]
        return sub if sub is not None else self

    def cadence(self, kind: Optional[Literal["inbound", "outbound"]] = None) -> "Cadence":
        """The steps for ``kind`` of prospect as plain tables, for the engine's touch path."""
        return Cadence(self.plan(kind))


class Cadence:
    """When and on which channel a strategy's k-th touch comes: the steps read once into plain
    lists, since the engine asks for every touch of every prospect."""

    __slots__ = ("limit", "channels", "repeat_channel", "offsets", "gaps", "repeat_every", "first_delay", "day_one")

    def __init__(self, s: "Strategy | SubCadence"):
        self.limit = s.touch_limit()
        self.channels = [step.channel for step in s.steps]
        self.repeat_channel = s.repeat.channel if s.repeat is not None else None
        self.offsets = [(step.day - 1) * DAY if step.day is not None else None for step in s.steps]  # absolute
        self.gaps = [step.after for step in s.steps]  # relative (where offsets is None)
        self.repeat_every = s.repeat.every if s.repeat is not None else None
        first = s.steps[0] if s.steps else None
        # the first step's delay from the prospect's start, and how far day 1 lies before the
        # first touch (a cadence whose first step is on day 3 starts its day 1 two days earlier)
        self.first_delay = None if first is None else (self.offsets[0] if first.day is not None else first.after)
        self.day_one = self.offsets[0] if first is not None and first.day is not None else 0.0

    def channel_of(self, k: int) -> Optional[str]:
        """Channel of the k-th touch (0-based), or None when the cadence is over."""
        if k >= self.limit:
            return None
        return self.channels[k] if k < len(self.channels) else self.repeat_channel

    def due_after(self, k: int, anchor: float, last_touch: float) -> float:
        """Planned time of touch k (0-based): absolute steps from the anchor, relative ones from the last touch."""
        if k < len(self.offsets):
            offset = self.offsets[k]
            return anchor + offset if offset is not None else last_touch + self.gaps[k]
        return last_touch + self.repeat_every


def _days(days: list[float], channel: str = "call") -> list[dict]:
    return [{"day": d, "channel": channel} for d in days]


PRESETS: dict[str, dict[str, Any]] = {
    "wait_for_call": {
        "label": "Wait for them to call",
        "description": "No follow-up at all: wait for prospects to get in touch by themselves. New inbound "
                       "leads are not called either; only a prospect who reaches out to buy is called back.",
        "steps": [],
    },
    "one_and_done": {
        "label": "Call once and stop",
        "description": "One call, then give up, as about 44% of reps do (persistence figures in MODEL.md section 8).",
        "steps": _days([1]),
    },
    "five_and_stop": {
        "label": "Five calls, then stop",
        "description": "Five calls over about two weeks, then stop.",
        "steps": _days([1, 2, 4, 7, 11]),
    },
    "cadence_1_3_7_14_28_58": {
        "label": "1-3-7-14-28-58 cadence",
        "description": "Calls on days 1, 3, 7, 14, 28 and 58, then monthly.",
        "steps": _days([1, 3, 7, 14, 28, 58]),
        "repeat": {"every": "30d", "channel": "call"},
    },
    "daily_two_weeks": {
        "label": "Call daily for two weeks",
        "description": "A call every working day for two weeks.",
        "steps": [{"day": 1}] + [{"after": "1d"} for _ in range(9)],
        "min_gap": "12h",
    },
    "ignore_no": {
        "label": "Cadence, ignoring a no",
        "description": "The 1/3/7/14/28/58-then-monthly cadence, but keep calling after a clear 'no'.",
        "steps": _days([1, 3, 7, 14, 28, 58]),
        "repeat": {"every": "30d", "channel": "call"},
        "stop_on_no": False,
    },
    "booked_next_step": {
        "label": "Book the next call",
        "description": "Calls on days 1, 3, 7, 14, 28; on every conversation book the next call and email a reminder.",
        "steps": _days([1, 3, 7, 14, 28]),
        "book_next_step": True,
        "reminder_email": True,
    },
    "call_within_a_minute": {
        "label": "Call new leads within a minute",
        "description": "Call new leads within a minute, then five-and-stop.",
        "steps": _days([1, 2, 4, 7, 11]),
        "first_response": "1m",
    },
    "mixed_channels": {
        "label": "Mix calls, emails and texts",
        "description": "Call, email, call, SMS, call, email over a month.",
        "steps": [
            {"day": 1, "channel": "call"},
            {"day": 2, "channel": "email"},
            {"day": 5, "channel": "call"},
            {"day": 9, "channel": "sms"},
            {"day": 15, "channel": "call"},
            {"day": 29, "channel": "email"},
        ],
    },
}


def display_name(key: str, strategy: Optional[Strategy] = None) -> str:
    """The name to show people: the strategy's ``label`` when it has one, else its key in the scenario."""
    if strategy is not None and strategy.label:
        return strategy.label
    return key


def display_names(strategies: dict[str, Strategy]) -> dict[str, str]:
    """Key -> display name for every strategy of a scenario (a label shared by two gets its key added)."""
    names = {key: display_name(key, s) for key, s in strategies.items()}
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {key: (f"{n} ({key})" if counts[n] > 1 else n) for key, n in names.items()}


def preset(name: str, **overrides: Any) -> Strategy:
    """A preset strategy by name, with optional field overrides."""
    return Strategy.model_validate({"preset": name, **overrides})


def planned_touches(strategy: "Strategy | SubCadence", horizon_days: float) -> list[tuple[float, str]]:
    """(cadence day, channel) of each planned touch, repeats included up to ``horizon_days`` (day 1 =
    the first touch): the cadence as planned, before calendars and queues move it. The one place
    a cadence's schedule is computed for people (report, console, workshop); the engine's
    ``Cadence`` makes the same steps relative to the touches really made."""
    out: list[tuple[float, str]] = []
    day = 1.0
    for step in strategy.steps:
        day = step.day if step.day is not None else day + step.after / DAY
        out.append((day, step.channel))
    limit = strategy.touch_limit()
    if strategy.repeat is not None and out:
        while len(out) < limit and out[-1][0] + strategy.repeat.every / DAY <= horizon_days:
            out.append((out[-1][0] + strategy.repeat.every / DAY, strategy.repeat.channel))
    if math.isfinite(limit):
        out = out[:int(limit)]
    return [(d, c) for d, c in out if d <= horizon_days]


def first_response_words(strategy: Strategy, has_inbound: bool = True) -> Optional[str]:
    """How soon a new inbound lead gets its first touch, in words; None when nothing is said
    truly: the scenario has no inbound leads, or the strategy's inbound cadence has no touch
    (then a lead is only called back if they get in touch to buy)."""
    if not has_inbound:
        return None
    touches = planned_touches(strategy.plan("inbound"), 10_000)
    if not touches:
        return None
    verb = {"call": "called", "email": "emailed", "sms": "texted"}[touches[0][1]]
    return f"new inbound leads {verb} within {duration_words(strategy.first_response)}"


def strategy_key(strategies: dict[str, Strategy], given: str) -> Optional[str]:
    """The key of the strategy a person named, by its key or by the name every output shows
    (its display name, case and surrounding spaces ignored); None when none fits."""
    if given in strategies:
        return given
    wanted = " ".join(given.split()).casefold()
    hits = [key for key, name in display_names(strategies).items() if name.casefold() == wanted]
    return hits[0] if len(hits) == 1 else None
