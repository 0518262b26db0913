"""The space of cadences the optimizer searches: which strategy fields it may change and over
what range. Every other field stays as the team's current strategy has it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.scenario.search_space import SearchSpace
from sim.scenario.strategies import Strategy
from sim.scenario.units import DAY, format_duration

FIRST_RESPONSES = ("1m", "5m", "15m", "1h", "4h", "1d")
CHANNELS = ("call", "email", "sms")
REPEATS = ("none", "2w", "30d", "60d")  # as the optimize: section writes them back
REPEAT_COUNTS = (1, 6)


@dataclass(frozen=True)
class Space:
    """Ranges of the searched fields (a one-value range fixes that field).

    The cadence has ``touches`` steps spaced geometrically: step 2 comes ``first_gap_days``
    after step 1 and each later gap is ``growth`` times the one before, so two numbers span
    anything from daily calls to a long, thinning cadence; each step has its own channel
    (the first is always a call). ``repeat`` adds touches every 14/30/60 days after the steps,
    ``repeat_count`` times (``none``: no repeat)."""

    touches: tuple[int, int] = (1, 8)
    first_gap_days: tuple[float, float] = (1.0, 5.0)
    growth: tuple[float, float] = (1.0, 2.5)
    channels: tuple[str, ...] = CHANNELS
    first_response: tuple[str, ...] = FIRST_RESPONSES
    repeat: tuple[str, ...] = REPEATS
    repeat_count: tuple[int, int] = REPEAT_COUNTS
    stop_on_no: tuple[bool, ...] = (True, False)
    book_next_step: tuple[bool, ...] = (False, True)
    fixed: dict[str, Any] = field(default_factory=dict)  # strategy fields set for every candidate

    def size_text(self) -> str:
        return (f"{self.touches[0]}-{self.touches[1]} touches, first gap {self.first_gap_days[0]:g}-"
                f"{self.first_gap_days[1]:g} days, growth {self.growth[0]:g}-{self.growth[1]:g}, channels "
                f"{'/'.join(self.channels)}, first response {'/'.join(self.first_response)}, repeat "
                f"{'/'.join(self.repeat)}, stop on no {'/'.join(map(str, self.stop_on_no))}, book next step "
                f"{'/'.join(map(str, self.book_next_step))}")


def space_of(section: "SearchSpace | None") -> Space:
    """The space a scenario's ``optimize:`` section describes (its defaults when there is none)."""
    if section is None:
        section = SearchSpace()
    return Space(touches=tuple(section.touches), first_gap_days=(section.first_gap[0] / DAY, section.first_gap[1] / DAY),
                 growth=tuple(section.growth), channels=tuple(section.channels),
                 first_response=tuple(format_duration(m) for m in section.first_response),
                 repeat=tuple(r if r == "none" else format_duration(r) for r in section.repeat),
                 repeat_count=tuple(section.repeat_count), stop_on_no=tuple(section.stop_on_no),
                 book_next_step=tuple(section.book_next_step))


def _int(trial, name: str, bounds: tuple[int, int]) -> int:
    return bounds[0] if bounds[0] == bounds[1] else trial.suggest_int(name, bounds[0], bounds[1])


def _float(trial, name: str, bounds: tuple[float, float]) -> float:
    return bounds[0] if bounds[0] == bounds[1] else trial.suggest_float(name, bounds[0], bounds[1])


def _choice(trial, name: str, options: tuple) -> Any:
    return options[0] if len(options) == 1 else trial.suggest_categorical(name, list(options))


def step_days(touches: int, first_gap: float, growth: float) -> list[float]:
    """Cadence days of ``touches`` geometrically spaced steps (day 1 first), rounded to whole days
    and kept at least a day apart."""
    days, gap, day = [1.0], first_gap, 1.0
    for _ in range(touches - 1):
        day = max(day + 1.0, float(round(day + gap)))
        days.append(day)
        gap *= growth
    return days


def suggest(trial, space: Space, current: Strategy) -> dict[str, Any]:
    """A candidate strategy (as scenario data) for an Optuna ``trial``: the current strategy with
    the searched fields replaced. Sub-cadences are dropped: one cadence for every prospect."""
    touches = _int(trial, "touches", space.touches)
    gap = _float(trial, "first_gap_days", space.first_gap_days) if touches > 1 else 1.0
    growth = _float(trial, "growth", space.growth) if touches > 2 else 1.0
    days = step_days(touches, round(gap, 2), round(growth, 2))
    channels = ["call"] + [_choice(trial, f"channel_{i + 1}", space.channels) for i in range(1, touches)]
    data = current.model_dump(mode="json", exclude_none=True)
    for key in ("preset", "label", "inbound", "outbound", "max_touches", "last_day", "repeat"):
        data.pop(key, None)
    data["description"] = "Found by followup-sim optimize."
    data["steps"] = [{"day": d, "channel": c} for d, c in zip(days, channels)]
    data["first_response"] = _choice(trial, "first_response", space.first_response)
    repeat = _choice(trial, "repeat", space.repeat)
    if repeat != "none":
        data["repeat"] = {"every": repeat, "channel": "call", "count": _int(trial, "repeat_count", space.repeat_count)}
    data["stop_on_no"] = _choice(trial, "stop_on_no", space.stop_on_no)
    data["book_next_step"] = _choice(trial, "book_next_step", space.book_next_step)
    data.update(space.fixed)
    return Strategy.model_validate(data).model_dump(mode="json", exclude_none=True)
