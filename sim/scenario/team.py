"""The scenario's team: call durations by dialing mode, working calendars, rep groups, the queue
policy and the team as a whole."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from sim.scenario.distributions import DurationDistribution, LognormalDuration
from sim.scenario.units import ClockTime, Minutes
from sim.scenario.fields import _M, TaskKind

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
