"""Human units for time: scenario files say ``90s``, ``5m``, ``2h``, ``3d``, ``2w``; the model counts minutes.

The simulation clock is in minutes from Monday 00:00 of week one, in the team's time zone.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

MINUTE = 1.0
HOUR = 60.0
DAY = 24 * HOUR
WEEK = 7 * DAY

_UNITS = {"s": 1 / 60, "m": MINUTE, "min": MINUTE, "h": HOUR, "d": DAY, "w": WEEK}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(s|min|m|h|d|w)\s*$")


MAX_DURATION_DAYS = 36500  # 100 years: longer than any horizon (at most 10 years) needs
EXAMPLES = "'90s', '5m', '2h' or '3d'"


def parse_duration(value: object) -> float:
    """Minutes from ``'90s'``, ``'5m'``, ``'2h'``, ``'3d'``, ``'2w'``.

    A bare number is an error, in files, in ``--set`` and in Python: ``horizon: 365`` could be
    days or minutes, and reading it as minutes (as this did once) silently gives a 6-hour run."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as {EXAMPLES}")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a duration such as {EXAMPLES}, got {value!r}")
        number = format(value, "g")
        raise ValueError(f"a duration needs a unit: write {number}d for days "
                         f"(or {number}h, {number}m, {number}s)")
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as {EXAMPLES}")
    match = _PATTERN.match(value)
    if not match:
        raise ValueError(f"expected a duration such as {EXAMPLES}, got {value[:40]!r}")
    minutes = float(match.group(1)) * _UNITS[match.group(2)]
    if not minutes <= MAX_DURATION_DAYS * DAY:
        raise ValueError(f"a duration of at most {MAX_DURATION_DAYS}d (100 years), got {value[:40]!r}")
    return minutes


def format_duration(minutes: float) -> str:
    """The shortest exact human form of a number of minutes (``1440.0`` -> ``'1d'``)."""
    for unit, size in (("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)):
        count = minutes / size
        if count >= 1 and abs(count - round(count)) < 1e-9:
            return f"{int(round(count))}{unit}"
    seconds = minutes * 60
    if abs(seconds - round(seconds)) < 1e-9:
        return f"{int(round(seconds))}s"
    return f"{minutes:g}m"


Minutes = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
"""A duration field: accepts ``'5m'``-style strings (never a bare number), stores minutes, writes back ``'5m'``."""


def parse_clock(value: object) -> float:
    """Minutes after midnight from ``'09:00'`` (or an hour number, ``9``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        hours = float(value)
        if not 0 <= hours <= 24:
            raise ValueError(f"expected an hour between 0 and 24, got {value!r}")
        return hours * HOUR
    if isinstance(value, str):
        m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*$", value)
        if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60:
            total = int(m.group(1)) * HOUR + int(m.group(2))
            if total <= DAY:
                return total
    raise ValueError(f"expected a time of day such as '09:00', got {value!r}")


def format_clock(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(round(minutes % 60)):02d}"


ClockTime = Annotated[
    float,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
]
"""A time of day: ``'09:00'`` in files, minutes after midnight in the model."""


UNIT_WORDS = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second"}


def duration_words(minutes: float) -> str:
    """A duration in words for people who do not read '18d': '18 days', '1 hour', '2 weeks'; a
    duration that is no whole number of any unit is said in the largest unit it reaches, rounded
    ('about 12 days')."""
    short = format_duration(minutes)
    count, unit = short[:-1], short[-1]
    if unit in UNIT_WORDS and count.isdigit():
        return f"{count} {UNIT_WORDS[unit]}{'s' if count != '1' else ''}"
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE)):
        if minutes >= size:
            n = round(minutes / size)
            return f"about {n} {UNIT_WORDS[unit]}{'s' if n != 1 else ''}"
    return f"{minutes * 60:.0f} seconds"
