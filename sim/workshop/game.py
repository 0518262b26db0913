"""The team game: each team picks the days of its follow-up calls within a call budget; every
team's cadence runs on the same prospects with the same luck (common random numbers), and a
scoreboard ranks them by sales, then by fewer complaints.

    entries = {"Red": cadence_strategy([1, 3, 7], budget=4), "Blue": cadence_strategy([1, 2], budget=4)}
    board = play(scenario, entries, cache)
    board.rows[0].team, board.story        # the winner and one of its sales told as a story

A cadence is calls only: ``days`` are cadence days (day 1 = the first touch), each a whole day
from 1 to the scenario's horizon, at most ``budget`` of them, so the budget is the number of
calls a team may spend on one prospect. Nothing else of the strategy changes between teams.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

from sim.scenario.errors import UserError
from sim.scenario.schema import Scenario
from sim.experiment.stats import summarize
from sim.present.story import Story, StoryError, tell
from sim.scenario.strategies import Strategy

TEAM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,19}$")
MAX_TEAMS = 12
MAX_BUDGET = 20


class GameError(UserError, ValueError):
    """A team's entry the game cannot take (its message says what to change)."""


def team_name(text: object) -> str:
    """A team's name as typed: 1-20 letters, digits, spaces, '-' or '_', starting with a letter or digit."""
    name = str(text).strip() if isinstance(text, str) else ""
    if not TEAM_NAME.match(name):
        raise GameError("team: 1 to 20 letters, digits, spaces, '-' or '_', starting with a letter or digit")
    return name


def parse_days(value: object, budget: int, horizon_days: int) -> tuple[int, ...]:
    """A cadence's call days from a list of numbers or a text such as "1, 3, 7": whole days from 1 to the
    horizon, no day twice, at most ``budget`` of them; sorted."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,;]+", value.strip()) if p]
        if len(parts) > MAX_BUDGET:
            raise GameError(f"days: at most {budget} call days (the call budget)")
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise GameError("days: whole numbers separated by commas, e.g. 1, 3, 7") from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        raise GameError("days: a list of whole numbers, e.g. 1, 3, 7")
    if not value:
        raise GameError("days: at least one call day")
    if len(value) > budget:
        raise GameError(f"days: {len(value)} calls is over the call budget of {budget} per prospect")
    if len(set(value)) != len(value):
        raise GameError("days: each day at most once")
    if min(value) < 1 or max(value) > horizon_days:
        raise GameError(f"days: each day from 1 (the first call) to {horizon_days} (the end of the simulation)")
    return tuple(sorted(value))


def cadence_strategy(days: tuple[int, ...], team: str) -> Strategy:
    """A team's strategy: a call on each of its days, nothing after, stop after a clear no."""
    return Strategy.model_validate({"label": team, "description": f"calls on days {', '.join(map(str, days))}",
                                    "steps": [{"day": float(d), "channel": "call"} for d in days],
                                    "max_touches": len(days)})


@dataclass(frozen=True)
class Row:
    team: str
    days: tuple[int, ...]
    sales: float  # mean sales per run
    close_rate: float  # percent
    complaints_per_1000: float
    calls_per_rep_day: float


@dataclass
class Scoreboard:
    rows: list[Row]  # best first
    replications: int
    story: Optional[Story]  # one sale of the winner, told


def _key(i: int) -> str:
    return f"team{i + 1}"


def play(scenario: Scenario, entries: dict[str, tuple[int, ...]], cache) -> Scoreboard:
    """Run every team's cadence on the scenario's prospects (same seed, same luck) and rank them.

    ``cache`` is a ``RunCache`` (any object with its ``experiment`` method): a team whose cadence did
    not change since the last play is not simulated again."""
    if not entries:
        raise GameError("no team has sent a cadence yet")
    if len(entries) > MAX_TEAMS:
        raise GameError(f"at most {MAX_TEAMS} teams")
    teams = list(entries)
    strategies = {_key(i): cadence_strategy(entries[t], t) for i, t in enumerate(teams)}
    sc = scenario.model_copy(update={"strategies": strategies, "baseline": _key(0)})
    exp = cache.experiment(sc)
    summary = summarize(exp.runs(), sc.baseline)

    def mean(key: str, metric: str) -> float:
        hit = summary[(summary["strategy"] == key) & (summary["metric"] == metric)]
        return float(hit["mean"].iloc[0]) if len(hit) else math.nan

    rows = [Row(t, entries[t], mean(_key(i), "sales"), 100 * mean(_key(i), "close_rate"),
                mean(_key(i), "complaints_per_1000"), mean(_key(i), "calls_per_rep_day_mean"))
            for i, t in enumerate(teams)]
    rows.sort(key=lambda r: (-r.sales, r.complaints_per_1000, r.calls_per_rep_day, r.team))
    story = None
    try:
        key = _key(teams.index(rows[0].team))
        story = tell(sc, key, pick="sold", events=cache.run(sc, key, 0, event_log=True).events)
    except StoryError:
        pass  # the winner sold nothing in replication 0: the scoreboard says so without a story
    return Scoreboard(rows, sc.replications, story)
