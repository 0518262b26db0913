"""The scenario schema: every input of the model as a typed, validated object with defaults.

A scenario names the population, the market's readiness dynamics, how conversations and
complaints work, the team, the rules, the strategies to compare, the horizon, the number
of replications and the seed. Defaults aim at the published figures in docs/model.md.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.scenario.names import MAX_NAME_LENGTH, check_name
from sim.scenario.distributions import Beta, Distribution, DurationDistribution, Fixed, Gamma, LognormalDuration, Uniform
from sim.scenario.search_space import SearchSpace
from sim.scenario.strategies import PRESETS, Strategy
from sim.scenario.limits import MAX_HORIZON_DAYS, MAX_REPLICATIONS, MAX_SEED, MAX_STRATEGIES, scenario_problems
from sim.scenario.units import DAY, HOUR, WEEK, ClockTime, Minutes, format_clock

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TaskKind = Literal["booked", "callback", "new_lead", "follow_up", "prospecting"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class ByReadiness(_M):
    """A probability that depends on where the prospect is in their buying journey."""

    ready: float = Field(ge=0, le=1)
    considering: float = Field(ge=0, le=1)
    not_ready: float = Field(ge=0, le=1)


# ---------------------------------------------------------------- population
LIST_SIZE = 2000  # names on the list at day 0 when the outbound section gives neither batches nor per_week
MONTH_DAYS = 365 / 12  # an inbound rate per month is per this many days


class ListBatch(_M):
    """Names added to the list on one day (a bought list, a trade-show scan), first touched over its ramp."""

    size: int = Field(ge=0, description="names in the batch")
    start: Minutes = Field(ge=0, description="when the batch arrives (0d = at the start); a batch at or after "
                                             "the horizon never arrives")
    ramp: Minutes = Field(default="20d", ge=0,
                          description="first touches are spread evenly over this period from the start")


class OutboundList(_M):
    """Listed names: a list present at the start, first touched over the ramp; optionally
    batches added later and a steady number of new names per week.

    A listed name exists from the moment it arrives: its readiness path starts then (from the
    long-run mix) and its first touch is due at its arrival plus its place in the ramp."""

    size: int = Field(default=LIST_SIZE, ge=0,
                      description=f"names on the list at the start (default {LIST_SIZE}, or 0 when batches or "
                                  "per_week are given)")
    ramp: Minutes = Field(default="20d", ge=0, description="first touches are spread evenly over this period")
    batches: list[ListBatch] = Field(default_factory=list, description="names added later, batch by batch")
    per_week: float = Field(default=0.0, ge=0, description="new names per week, evenly spaced (exactly this many a "
                                                           "week), each first touched as it arrives")
    per_week_start: Minutes = Field(default="0d", ge=0, description="when the weekly names start arriving")

    @model_validator(mode="before")
    @classmethod
    def _size_default(cls, data: object) -> object:
        """Without a size, a list that arrives in batches or week by week has no day-0 names."""
        if isinstance(data, dict) and "size" not in data and (data.get("batches") or data.get("per_week")):
            return {**data, "size": 0}
        return data

    def weekly_count(self, horizon: float) -> int:
        """How many weekly names arrive before the horizon: those at per_week_start + k * gap
        (gap = 7d / per_week) below it. Counted without listing them (a huge per_week is
        refused by the size limit before anything is built)."""
        if self.per_week <= 0 or self.per_week_start >= horizon:
            return 0
        start, gap = self.per_week_start, WEEK / self.per_week
        count = math.ceil((horizon - start) / gap)
        while count > 0 and start + (count - 1) * gap >= horizon:
            count -= 1
        while start + count * gap < horizon:
            count += 1
        return count

    def weekly_times(self, horizon: float) -> list[float]:
        """Arrival times of the weekly names before the horizon: per_week_start, then one every
        7d / per_week (a steady flow: exactly per_week names in every full week)."""
        gap = WEEK / self.per_week if self.per_week > 0 else 0.0
        return [self.per_week_start + k * gap for k in range(self.weekly_count(horizon))]

    def names_by(self, horizon: float) -> int:
        """Listed names that arrive before the horizon (the day-0 list, the batches that
        start before it, the weekly names)."""
        return self.size + sum(b.size for b in self.batches if b.start < horizon) + self.weekly_count(horizon)


class Inbound(_M):
    """New leads arriving as a Poisson process, optionally shaped by hour of day and weekday.

    The rate is given as exactly one of per_day, per_week or per_month; per_week and per_month
    are turned into per_day when the scenario is read (a month is 365/12 days), so the rest of
    the model, and the resolved scenario written with results, has per_day only."""

    per_day: float = Field(default=5.0, ge=0, description="mean arrivals per day")
    per_week: Optional[float] = Field(default=None, ge=0, exclude=True,
                                      description="mean arrivals per week, instead of per_day (read as per_week / 7 "
                                                  "per day)")
    per_month: Optional[float] = Field(default=None, ge=0, exclude=True,
                                       description="mean arrivals per month, instead of per_day (a month is 365/12 "
                                                   "days)")
    hourly: Optional[list[float]] = Field(
        default_factory=lambda: [0.1] * 7 + [0.5] + [1.0] * 10 + [0.6, 0.4, 0.3, 0.2, 0.1, 0.1],
        description="24 relative weights, hour 0..23 (default: mostly business hours); empty = flat",
    )
    weekday: Optional[list[float]] = Field(
        default_factory=lambda: [1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.3],
        description="7 relative weights, Mon..Sun; empty = flat",
    )
    mix: ByReadiness = Field(
        default_factory=lambda: ByReadiness(ready=0.25, considering=0.6, not_ready=0.15),
        description="readiness of a lead when it arrives (shares summing to 1)",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_rate(cls, data: object) -> object:
        """Exactly one of per_day, per_week, per_month; the other two become per_day."""
        if not isinstance(data, dict):
            return data
        given = [k for k in ("per_day", "per_week", "per_month") if data.get(k) is not None]
        if len(given) > 1:
            both = ", ".join(given[:-1]) + " and " + given[-1]
            raise ValueError(f"{both} are given together; give the arrival rate once, as one of per_day, "
                             "per_week or per_month")
        return data

    @model_validator(mode="after")
    def _to_per_day(self) -> "Inbound":
        if self.per_week is not None:
            self.per_day, self.per_week = self.per_week / 7, None
        elif self.per_month is not None:
            self.per_day, self.per_month = self.per_month / MONTH_DAYS, None
        return self

    @field_validator("hourly")
    @classmethod
    def _hours(cls, v: Optional[list[float]]) -> Optional[list[float]]:
        if v is not None and (len(v) != 24 or min(v) < 0 or not 0 < sum(v) < math.inf):
            raise ValueError("expected 24 non-negative weights (hour 0 to 23), not all zero")
        return v

    @field_validator("weekday")
    @classmethod
    def _days(cls, v: Optional[list[float]]) -> Optional[list[float]]:
        if v is not None and (len(v) != 7 or min(v) < 0 or not 0 < sum(v) < math.inf):
            raise ValueError("expected 7 non-negative weights (Monday to Sunday), not all zero")
        return v

    @field_validator("mix")
    @classmethod
    def _mix(cls, v: ByReadiness) -> ByReadiness:
        if abs(v.ready + v.considering + v.not_ready - 1) > 1e-6:
            raise ValueError("ready + considering + not_ready must sum to 1")
        return v


class Population(_M):
    outbound: OutboundList = Field(default_factory=OutboundList)
    inbound: Inbound = Field(default_factory=Inbound)
    reachability: Distribution = Field(
        default_factory=lambda: Beta(mean=0.08, concentration=10),
        description="chance that a prospect answers a dial (per prospect)",
    )
    tolerance: Distribution = Field(
        default_factory=lambda: Gamma(mean=3.0, cv=0.4),
        description="annoyance a prospect takes before complaint risk climbs (about 3 recent calls)",
    )
    timezones: dict[int, float] = Field(
        default_factory=lambda: {0: 1.0},
        description="prospect time zone offsets from the team, in hours, with weights",
    )

    @field_validator("timezones")
    @classmethod
    def _tz(cls, v: dict[int, float]) -> dict[int, float]:
        if not v or min(v.values()) < 0 or not 0 < sum(v.values()) < math.inf:
            raise ValueError("expected {offset_hours: weight} with non-negative weights, not all zero")
        if any(abs(k) > 14 for k in v):
            raise ValueError("time zone offsets must be within -14..14 hours")
        return v

    @field_validator("reachability")
    @classmethod
    def _probability(cls, v: Distribution) -> Distribution:
        if isinstance(v, Fixed) and v.value > 1:
            raise ValueError(f"reachability is a chance to answer, between 0 and 1 (got value {v.value:g})")
        if isinstance(v, Uniform) and v.high > 1:
            raise ValueError(f"reachability is a chance to answer, between 0 and 1 (got high {v.high:g})")
        if isinstance(v, Gamma):
            raise ValueError("reachability is a chance to answer, between 0 and 1: use kind beta, fixed or uniform, "
                             "not gamma (unbounded)")
        return v


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


# The rep time of a dial nobody answers, by how the team dials (docs/model.md section 3.6).
# A power dialer rings, detects voicemail and logs by itself; by hand a rep looks up the number,
# dials, waits out the rings, leaves the message and logs the attempt in the CRM. The manual
# figures put a rep who does nothing but leave voicemails all day at about 105 dials in an
# 8-hour day: under the 120 a sales manager still believes, above the published 52 calls a day
# on average and 60 a day as a common target (a day of reps who also do other work). The power
# dialer's give about 250 (published: 150 to 200 a day with a power dialer).
DIALING: dict[str, dict[str, dict]] = {
    "manual": {"no_answer": {"mean": "90s", "cv": 0.4}, "voicemail": {"mean": "150s", "cv": 0.4},
               "wrap_up_other": {"mean": "2m", "cv": 0.5}},
    "power_dialer": {"no_answer": {"mean": "36s", "cv": 0.4}, "voicemail": {"mean": "90s", "cv": 0.4},
                     "wrap_up_other": {"mean": "18s", "cv": 0.5}},
}


class Durations(_M):
    """How long a call keeps a rep busy. ``dialing`` sets the defaults of the three durations of
    a dial nobody answers (``DIALING``); any of them given here replaces its default."""

    dialing: Literal["manual", "power_dialer"] = Field(
        default="manual", description="how reps dial: by hand (about 50 to 80 dials a rep-day) or with a power "
                                      "dialer (about 150 to 200); sets the defaults of no_answer, voicemail and "
                                      "wrap_up_other")
    no_answer: DurationDistribution = Field(default=None, description="a dial nobody answers, no voicemail left")
    voicemail: DurationDistribution = Field(default=None, description="a dial that leaves a voicemail")
    conversation: DurationDistribution = Field(default_factory=lambda: LognormalDuration(mean="6m", cv=0.8))
    wrap_up_connect: DurationDistribution = Field(default_factory=lambda: LognormalDuration(mean="2m", cv=0.5))
    wrap_up_other: DurationDistribution = Field(default=None, description="after a dial nobody answered")

    @model_validator(mode="before")
    @classmethod
    def _dialing_defaults(cls, data: object) -> object:
        """The unanswered-dial durations not given, from the dialing mode."""
        if not isinstance(data, dict):
            return data
        mode = data.get("dialing", "manual")
        defaults = DIALING.get(mode) if isinstance(mode, str) else None
        if defaults is None:
            return data  # the Literal refuses the mode itself
        return {**{k: {"kind": "lognormal", **v} for k, v in defaults.items() if data.get(k) is None}, **data}


# ---------------------------------------------------------------- team
def _date(v: object) -> object:
    """A calendar date as YAML gives it (2027-12-25, a date) or as text in that form."""
    if isinstance(v, dt.datetime):
        raise ValueError(f"expected a date like 2027-12-25, without a time of day (got {v})")
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise ValueError(f"expected a date like 2027-12-25 (got {v!r})") from None


Date = Annotated[dt.date, BeforeValidator(_date)]


class WorkCalendar(_M):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"]
    )
    start: ClockTime = "09:00"
    end: ClockTime = "17:00"
    holidays: list[Date] = Field(
        default_factory=list,
        description="dates nobody on this calendar works (public holidays, e.g. 2026-12-25); "
                    "needs the scenario's start_date",
    )

    @model_validator(mode="after")
    def _span(self) -> "WorkCalendar":
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if not self.days:
            raise ValueError("at least one working day is needed")
        return self


class CalendarChange(_M):
    """A rep group's calendar as a change to the team's: the fields given replace the team's,
    the rest are the team's (``Team.calendar_of``)."""

    days: Optional[list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]] = None
    start: Optional[ClockTime] = None
    end: Optional[ClockTime] = None
    holidays: Optional[list[Date]] = None


ALL_TASK_KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")


class RepGroup(_M):
    count: int = Field(default=1, ge=1)
    name: str = Field(default="rep", min_length=1, max_length=40,
                      description="names the group's reps (name-1, name-2, ...) and its columns in the results")
    pushiness: float = Field(default=0.0, ge=0, le=1, description="0 = consultative, 1 = very pushy")
    skill: float = Field(default=0.5, ge=0, le=1, description="conversation skill (0.5 = average)")
    calendar: Optional[CalendarChange] = Field(
        default=None,
        description="this group's own working week, as changes to team.calendar (e.g. {days: [mon, tue, wed]} "
                    "for part-time, {start: '13:00', end: '21:00'} for a late shift); its hours are on the "
                    "group's own clock (see timezone)",
    )
    timezone: int = Field(
        default=0, ge=-14, le=14,
        description="hours the group's clock is ahead of the team's (-6: a group six hours behind works its "
                    "09:00-17:00 at the team's 15:00-23:00)",
    )
    leave_days_per_year: float = Field(
        default=0.0, ge=0, le=365,
        description="days off each rep takes a year (vacation, sick days), on working days drawn at random "
                    "for each rep; pro rata over the horizon",
    )
    takes: list[TaskKind] = Field(
        default_factory=lambda: list(ALL_TASK_KINDS),
        description="which kinds of call task the group takes (e.g. [new_lead, callback] for an inbound desk "
                    "that only answers new leads, [prospecting, follow_up, booked] for a prospecting group)",
    )

    @field_validator("takes")
    @classmethod
    def _takes(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError(f"a group must take at least one kind of task: {', '.join(ALL_TASK_KINDS)}")
        if len(set(v)) != len(v):
            raise ValueError("each task kind at most once")
        return v


class QueuePolicy(_M):
    order: list[TaskKind] = Field(
        default_factory=lambda: ["booked", "callback", "new_lead", "follow_up", "prospecting"],
        description="which tasks a rep takes first when several are due",
    )
    drop_after: Minutes = Field(default="5d", gt=0, description="a task overdue by more than this is dropped")
    routing: Literal["shared", "owner"] = Field(
        default="shared",
        description="calls to a new inbound lead: 'shared' = one team queue, the first free rep takes the next "
                    "lead due and owns it once they have talked; 'owner' = the lead gets an owner when its call "
                    "comes due (a free rep, else the next in rotation) and waits for that rep",
    )

    @field_validator("order")
    @classmethod
    def _complete(cls, v: list[str]) -> list[str]:
        expected = {"booked", "callback", "new_lead", "follow_up", "prospecting"}
        if set(v) != expected or len(v) != len(expected):
            raise ValueError(f"must list each of {sorted(expected)} exactly once")
        return v


class Team(_M):
    reps: list[RepGroup] = Field(default_factory=lambda: [RepGroup(count=3)], min_length=1)
    unlimited: bool = Field(default=False, description="every call happens at its due time, no rep limits (an idealization)")
    calendar: WorkCalendar = Field(default_factory=WorkCalendar)
    queue: QueuePolicy = Field(default_factory=QueuePolicy)
    reminders: bool = Field(default=True, description="a CRM reminds reps of every due follow-up")
    forget: float = Field(default=0.2, ge=0, le=1, description="without reminders, chance a follow-up is forgotten")

    @property
    def size(self) -> int:
        return sum(g.count for g in self.reps)

    def calendar_of(self, group: RepGroup) -> WorkCalendar:
        """The group's working week: the team's calendar with the group's changes."""
        if group.calendar is None:
            return self.calendar
        return WorkCalendar(**{**self.calendar.model_dump(), **group.calendar.model_dump(exclude_none=True)})

    @model_validator(mode="after")
    def _groups(self) -> "Team":
        names = [g.name for g in self.reps]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"reps[{i}].name: {name!r} is already the name of reps[{names.index(name)}]; "
                                 "give each group its own name: (it names the group's reps and columns)")
        # a group of count > 1 names its reps name-1 .. name-count: a one-rep group named like
        # one of them would share its name (checked by arithmetic: counts may be huge)
        index = {g.name: i for i, g in enumerate(self.reps)}
        for i, g in enumerate(self.reps):
            stem, _, k = g.name.rpartition("-")
            j = index.get(stem)
            if g.count == 1 and k.isdigit() and j is not None and self.reps[j].count > 1 and 1 <= int(k) <= self.reps[j].count:
                raise ValueError(f"reps[{i}].name: {g.name!r} is also the name of a rep of reps[{j}] ({stem!r}, "
                                 f"{self.reps[j].count} reps named {stem}-1, {stem}-2, ...); choose another name")
        if self.unlimited:
            for i, g in enumerate(self.reps):
                own = [f for f, default in (("calendar", None), ("timezone", 0), ("leave_days_per_year", 0),
                                            ("takes", list(ALL_TASK_KINDS))) if getattr(g, f) != default]
                if own:
                    raise ValueError(f"reps[{i}].{own[0]}: an unlimited team (team.unlimited: true) has no rep hours "
                                     "or queues, so a group's calendar, timezone, leave and takes mean nothing; "
                                     "remove them or set unlimited: false")
        for i, group in enumerate(self.reps):
            if group.calendar is not None:
                try:
                    self.calendar_of(group)
                except ValidationError as err:
                    reason = err.errors()[0]["msg"].removeprefix("Value error, ")
                    raise ValueError(f"reps[{i}].calendar: {reason} (after taking the rest from team.calendar)") from None
        for i, g in enumerate(self.reps):
            working_days = len(self.calendar_of(g).days) * 365 / 7
            if g.leave_days_per_year >= working_days:
                raise ValueError(f"reps[{i}].leave_days_per_year: {g.leave_days_per_year:g} leave days would cover all "
                                 f"of the group's {working_days:.0f} working days a year; expected fewer")
        taken = {k for g in self.reps for k in g.takes}
        missing = [k for k in ALL_TASK_KINDS if k not in taken]
        if missing:
            raise ValueError(f"reps: no group takes {', '.join(repr(k) for k in missing)} tasks; add them to some "
                             "group's takes (every kind of call must have someone to make it)")
        return self


class Rules(_M):
    """Calling rules reported as breaches (not enforced unless the strategy respects them)."""

    legal_start: ClockTime = "08:00"
    legal_end: ClockTime = "20:00"
    max_calls_24h: int = Field(default=3, ge=1)
    max_calls_7d: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _span(self) -> "Rules":
        if self.legal_end <= self.legal_start:
            raise ValueError("legal_end must be after legal_start")
        return self


# ---------------------------------------------------------------- money
class Money(_M):
    """What a sale brings and what the work costs, in one currency of your choice.

    Deal values are drawn per prospect (the same prospect is worth the same under every
    strategy). Rep cost is the team's paid working hours over the horizon (reps x working
    hours of the calendar x ``rep_hour_cost``), whether the reps are busy or not; messages
    cost per email (reminders included) and per SMS sent."""

    deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale, drawn per prospect (e.g. {kind: gamma, mean: 5000, cv: 0.5})")
    inbound_deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale to an inbound lead, if not deal_value")
    outbound_deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale to a listed prospect, if not deal_value")
    rep_hour_cost: float = Field(default=0.0, ge=0, description="cost of one paid rep hour")
    email_cost: float = Field(default=0.0, ge=0, description="cost of one email sent")
    sms_cost: float = Field(default=0.0, ge=0, description="cost of one SMS sent")

    @model_validator(mode="after")
    def _values(self) -> "Money":
        if self.deal_value is None and (self.inbound_deal_value is None or self.outbound_deal_value is None):
            raise ValueError("give deal_value, or both inbound_deal_value and outbound_deal_value")
        return self

    @property
    def inbound_value(self) -> Distribution:
        return self.inbound_deal_value if self.inbound_deal_value is not None else self.deal_value

    @property
    def outbound_value(self) -> Distribution:
        return self.outbound_deal_value if self.outbound_deal_value is not None else self.deal_value


# ---------------------------------------------------------------- scenario
class Scenario(_M):
    name: str = Field(default="scenario", max_length=MAX_NAME_LENGTH,
                      description="names the results folder: letters, digits, '-', '_', '.', not starting with '.'",
                      json_schema_extra={"pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"})
    description: str = ""
    question: str = Field(default="", description="the question a trainer asks the room before running it (shown in the report)")
    horizon: Minutes = Field(default="365d", gt=0, description=f"simulated time, at most {MAX_HORIZON_DAYS}d (10 years)")
    replications: int = Field(default=5, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=20261122, ge=0, le=MAX_SEED)
    start_date: Optional[Date] = Field(
        default=None, description="the Monday the simulation starts (day 1); needed only for holidays given as dates",
    )
    population: Population = Field(default_factory=Population)
    readiness: Readiness = Field(default_factory=Readiness)
    conversation: Conversation = Field(default_factory=Conversation)
    complaints: Complaints = Field(default_factory=Complaints)
    durations: Durations = Field(default_factory=Durations)
    team: Team = Field(default_factory=Team)
    rules: Rules = Field(default_factory=Rules)
    strategies: dict[str, Strategy] = Field(
        default_factory=lambda: {"five_and_stop": Strategy(preset="five_and_stop")}, min_length=1,
        max_length=MAX_STRATEGIES,
    )
    baseline: Optional[str] = Field(default=None, description="strategy the others are compared with")
    money: Optional[Money] = Field(default=None, description="deal values and costs: adds revenue, cost and profit "
                                   "to the results")
    optimize: Optional[SearchSpace] = Field(default=None, description="the cadences `followup-sim optimize` may try; "
                                            "empty = its defaults")

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: float) -> float:
        if v > MAX_HORIZON_DAYS * DAY:
            raise ValueError(f"a horizon of at most {MAX_HORIZON_DAYS}d (10 years)")
        return v

    @model_validator(mode="after")
    def _size(self) -> "Scenario":
        problems = scenario_problems(self)
        if problems:
            raise ValueError(problems[0])
        return self

    @field_validator("name", mode="before")
    @classmethod
    def _safe_name(cls, v: object) -> object:
        return check_name(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _start_date(self) -> "Scenario":
        if self.start_date is not None and self.start_date.weekday() != 0:
            raise ValueError(f"start_date: the simulation starts on a Monday; {self.start_date.isoformat()} is a "
                             f"{self.start_date.strftime('%A')}")
        team = self.team
        places = [("team.calendar", team.calendar)] + [
            (f"team.reps[{i}].calendar", g.calendar) for i, g in enumerate(team.reps) if g.calendar is not None]
        for where, cal in places:
            if cal.holidays and self.start_date is None:
                raise ValueError(f"{where}.holidays: holidays given as dates need the scenario's start_date "
                                 "(the Monday the simulation starts), e.g. start_date: 2027-01-04")
        return self

    def holiday_days(self, cal: WorkCalendar) -> list[int]:
        """The calendar's holidays as day numbers of the run (0 = start_date)."""
        if not cal.holidays:
            return []
        return sorted({(d - self.start_date).days for d in cal.holidays})

    @model_validator(mode="after")
    def _hours_meet(self) -> "Scenario":
        """Working hours that never meet a time zone's legal calling hours give a run without a
        single call to those prospects, which looks finished: refuse it."""
        if not any(s.respect_calling_hours for s in self.strategies.values()):
            return self
        rules = self.rules
        # every group must meet every time zone: a prospect's calls wait for its owner (or a
        # rep who takes them), so a group that never meets a time zone would hold its
        # prospects there for good
        single = len(self.team.reps) == 1 and self.team.reps[0].calendar is None and not self.team.reps[0].timezone
        for i, g in enumerate(self.team.reps):
            cal = self.team.calendar_of(g)
            start, end = cal.start - g.timezone * HOUR, cal.end - g.timezone * HOUR  # on the team's clock
            for offset, weight in sorted(self.population.timezones.items()):
                if weight <= 0:
                    continue
                shift = offset * HOUR
                overlap = sum(max(0.0, min(end, rules.legal_end - shift + k * DAY)
                                  - max(start, rules.legal_start - shift + k * DAY)) for k in (-2, -1, 0, 1, 2))
                if overlap > 0:
                    continue
                where = "team.calendar" if single else f"team.reps[{i}]"
                hours = f"{format_clock(cal.start)}-{format_clock(cal.end)}"
                zone = f" on its own clock (timezone {g.timezone:+d} h)" if g.timezone else ""
                who = f"the working hours {hours} never meet" if single else \
                    f"group {g.name!r} works {hours}{zone}, which never meets"
                raise ValueError(
                    f"{where}: {who} the legal calling hours {format_clock(rules.legal_start)}-{format_clock(rules.legal_end)} "
                    f"of prospects at time zone offset {offset:+d} h, so strategies that respect calling hours would "
                    "never call them; change the hours, population.timezones or rules, or set "
                    "respect_calling_hours: false")
        return self

    @model_validator(mode="after")
    def _baseline(self) -> "Scenario":
        if self.baseline is None:
            self.baseline = next(iter(self.strategies))
        elif self.baseline not in self.strategies:
            raise ValueError(f"baseline: {self.baseline!r} is not one of the strategies: {', '.join(self.strategies)}")
        return self

    def strategy(self, name: str) -> Strategy:
        try:
            return self.strategies[name]
        except KeyError:
            raise KeyError(f"no strategy {name!r}; this scenario has: {', '.join(self.strategies)}") from None


__all__ = ["Scenario", "Strategy", "PRESETS", "ByReadiness", "WEEKDAYS"]
