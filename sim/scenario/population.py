"""The scenario's population: the outbound list (names at the start, batches, weekly names),
inbound leads, and what differs from prospect to prospect (reachability, tolerance, time zone,
segments: ``sim/scenario/segments.py``)."""
from __future__ import annotations

import math
from typing import Optional

from pydantic import Field, field_validator, model_validator

from sim.scenario.distributions import Beta, Distribution, Gamma
from sim.scenario.units import WEEK, Minutes
from sim.scenario.fields import _M, ByReadiness
from sim.scenario.segments import Segments, check_chance

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
    segments: Optional[Segments] = Field(
        default=None, description="segment columns whose values set reachability, conversation rates or deal "
                                  "value (docs/model.md 2.3); empty = one population")

    @field_validator("segments", mode="before")
    @classmethod
    def _segments_shape(cls, v: object) -> object:
        if v is not None and not isinstance(v, dict):
            raise ValueError("expected {columns: {COLUMN: {VALUE: {share: ...}}}} and/or {cells: [{values: {COLUMN: "
                             "VALUE, ...}, share: ...}]} (docs/model.md, section 2.3), not a " + type(v).__name__)
        return v

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
        return check_chance(v)
