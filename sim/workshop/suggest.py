"""The workshop's "suggest a B" without the page: a small time-boxed search from strategy A
(``sim.optimize.suggest``) whose result becomes a starting point of its own, and side B starts
from it. Both pages (the Streamlit page and the presenter screen) only call ``suggest_b``.

The suggestion is kept whole as a starting point (``with_suggestion``), so fields the editor does
not show (a repeat, the booking delay) stay as the search found them."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Optional

from sim.optimize.suggest import DEFAULT_SECONDS, SECONDS, suggest_from
from sim.optimize.timebox import Clock
from sim.present.report import describe_strategy
from sim.scenario.strategies import Strategy
from sim.workshop.page import Base, Setup, build_scenario, start_edit

SUGGESTED = "suggested"  # the starting point's key
LABEL = "Suggested from A"


def with_suggestion(base: Base, strategy: Optional[dict]) -> Base:
    """``base`` with the suggested strategy as one more starting point (as it is without one)."""
    if strategy is None:
        return base
    data = dict(strategy, label=LABEL)
    data.pop("preset", None)
    rules = describe_strategy(Strategy.model_validate(data))
    data["description"] = f"Found by a search from A: {rules[:1].lower()}{rules[1:]}"
    return replace(base, starts={**base.starts, SUGGESTED: Strategy.model_validate(data)})


def suggest_b(base: Base, setup: Setup, seconds: float = DEFAULT_SECONDS,
              progress: Optional[Callable[[float], None]] = None,
              clock: Clock = time.monotonic) -> tuple[Base, Setup, Optional[dict], str]:
    """Search from A for at most ``seconds``; return the base with the suggestion as a starting
    point, the setup with B started from it, the suggested strategy (None: nothing found, B as it
    was) and what to tell the room."""
    scenario = build_scenario(base, setup)
    found = suggest_from(scenario, "A", seconds, progress, clock=clock)
    if found.strategy is None:
        return base, setup, None, found.text
    new = with_suggestion(base, found.strategy)
    return new, replace(setup, b=start_edit(new, SUGGESTED)), found.strategy, found.text


__all__ = ["DEFAULT_SECONDS", "SECONDS", "LABEL", "SUGGESTED", "suggest_b", "with_suggestion"]
