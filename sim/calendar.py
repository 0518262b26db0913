"""The weekly working calendar of the team and the legal calling hours of prospects.

Time is minutes since Monday 00:00 of week one in the team's time zone.
"""
from __future__ import annotations

import math

from .scenario import WEEKDAYS, Rules, WorkCalendar
from .units import DAY, WEEK


class Calendar:
    """Answers 'is the team working now?', 'when does it next open?' and 'when does this shift end?'."""

    def __init__(self, cal: WorkCalendar):
        self.start = cal.start
        self.end = cal.end
        self.working_day = [name in cal.days for name in WEEKDAYS]
        self.hours_per_week = (cal.end - cal.start) * sum(self.working_day)

    def is_working(self, t: float) -> bool:
        day = int(t // DAY)
        minute = t - day * DAY
        return self.working_day[day % 7] and self.start <= minute < self.end

    def next_open(self, t: float) -> float:
        """The earliest moment at or after t inside working hours."""
        day = int(t // DAY)
        minute = t - day * DAY
        for offset in range(8):
            if self.working_day[(day + offset) % 7]:
                if offset == 0:
                    if minute < self.start:
                        return day * DAY + self.start
                    if minute < self.end:
                        return t
                else:
                    return (day + offset) * DAY + self.start
        raise ValueError("calendar has no working time")

    def shift_end(self, t: float) -> float:
        """End of the shift that contains t (t must be inside working hours).

        A calendar open through midnight (end 24:00, the next day a working day from 00:00) is
        one shift: a call may run past midnight. Open around the clock every day, it never ends."""
        day = math.floor(t / DAY)
        for _ in range(7):
            if self.end < DAY or self.start > 0 or not self.working_day[(day + 1) % 7]:
                return day * DAY + self.end
            day += 1
        return math.inf

    def working_minutes(self, horizon: float) -> float:
        """Total working minutes per rep from 0 to the horizon."""
        full_weeks = int(horizon // WEEK)
        total = full_weeks * self.hours_per_week
        t = full_weeks * WEEK
        while t < horizon:
            day = int(t // DAY)
            if self.working_day[day % 7]:
                lo, hi = t + self.start, min(t + self.end, horizon)
                total += max(0.0, hi - lo)
            t += DAY
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
