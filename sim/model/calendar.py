"""The weekly working calendar of the team and the legal calling hours of prospects.

Time is minutes since Monday 00:00 of week one in the team's time zone.
"""
from __future__ import annotations

import math
from typing import Iterable

from sim.scenario.schema import WEEKDAYS, Rules, WorkCalendar
from sim.scenario.units import DAY, HOUR


class Calendar:
    """Answers 'is this rep (or the team) working now?', 'when do they next open?' and 'when
    does this shift end?' for a weekly calendar on a clock ``timezone`` hours ahead of the
    team's, with ``days_off`` (holidays and leave: day numbers on that clock) not worked."""

    def __init__(self, cal: WorkCalendar, timezone: int = 0, days_off: Iterable[int] = ()):
        self.start = cal.start
        self.end = cal.end
        self.working_day = [name in cal.days for name in WEEKDAYS]
        self.hours_per_week = (cal.end - cal.start) * sum(self.working_day)
        self.shift = timezone * HOUR  # the calendar's clock minus the team's
        self.days_off = frozenset(days_off)
        self._last_off = max(self.days_off, default=-1)

    def works_on(self, day: int) -> bool:
        """Whether day ``day`` (on the calendar's clock) is a working day."""
        return self.working_day[day % 7] and day not in self.days_off

    def day_of(self, t: float) -> int:
        """The day number, on the calendar's clock, of team time t."""
        return int((t + self.shift) // DAY)

    def is_working(self, t: float) -> bool:
        local = t + self.shift
        day = int(local // DAY)
        minute = local - day * DAY
        return self.working_day[day % 7] and self.start <= minute < self.end and day not in self.days_off

    def next_open(self, t: float) -> float:
        """The earliest moment at or after t inside working hours (infinity if there is none)."""
        shift = self.shift
        local = t + shift
        day = int(local // DAY)
        minute = local - day * DAY
        if self.works_on(day):
            if minute < self.start:
                return day * DAY + self.start - shift
            if minute < self.end:
                return t
        for offset in range(1, 8 + len(self.days_off)):
            if self.works_on(day + offset):
                return (day + offset) * DAY + self.start - shift
        if not any(self.working_day):
            raise ValueError("calendar has no working time")
        return math.inf  # every later working day is a day off

    def shift_end(self, t: float) -> float:
        """End of the shift that contains t (t must be inside working hours).

        A calendar open through midnight (end 24:00, the next day a working day from 00:00) is
        one shift: a call may run past midnight. Open around the clock every day, it never ends."""
        day = math.floor((t + self.shift) / DAY)
        for _ in range(7 + max(0, self._last_off - day)):
            if self.end < DAY or self.start > 0 or not self.works_on(day + 1):
                return day * DAY + self.end - self.shift
            day += 1
        return math.inf

    def work_days(self, horizon: float) -> list[int]:
        """The working days (on the calendar's clock) whose hours fall in the run, 0 to the horizon."""
        shift = self.shift
        first, last = math.floor(shift / DAY), math.ceil((horizon + shift) / DAY)
        return [d for d in range(first, last) if self.works_on(d) and d * DAY + self.start - shift < horizon
                and d * DAY + self.end - shift > 0]

    def working_minutes(self, horizon: float) -> float:
        """Total working minutes from 0 to the horizon."""
        shift = self.shift
        lo, hi = shift, horizon + shift  # the run on the calendar's clock
        total = 0.0
        for day in range(math.floor(lo / DAY), math.ceil(hi / DAY)):
            if self.works_on(day):
                total += max(0.0, min(day * DAY + self.end, hi) - max(day * DAY + self.start, lo))
        return total


class LegalHours:
    """Legal calling hours at the prospect's end (local time = team time + offset)."""

    def __init__(self, rules: Rules):
        self.start = rules.legal_start
        self.end = rules.legal_end

    def is_legal(self, t: float, tz_hours: int) -> bool:
        minute = (t + tz_hours * 60.0) % DAY
        return self.start <= minute < self.end

    def next_legal(self, t: float, tz_hours: int) -> float:
        local = t + tz_hours * 60.0
        minute = local % DAY
        if minute < self.start:
            return t + (self.start - minute)
        if minute >= self.end:
            return t + (DAY - minute) + self.start
        return t
