"""The room: who joined from a phone, what each phone voted and guessed, which team sent which
cadence. Everything lives in this object's memory, bounded, and is gone when the page stops;
nothing personal is kept (a phone is a random id the page gave it, a team a name it typed).

    room = Room(budget=5)
    phone = room.join(room.code)               # RoomError on a wrong code or a full room
    room.vote(phone, {"choice": "B", "close_rate": 12, "complaints": 3})
    room.tally()                                # {"A": 0, "B": 1, "voters": 1, "close_rate": {...}, ...}
    room.enter(phone, "Red", "1, 3, 7")        # the team game (sim.workshop.game checks the cadence)

A phone has one ballot per question: sending again replaces its earlier one (so a tally counts
each phone once), and a phone may change its mind at most ``Limits.changes`` times.
"""
from __future__ import annotations

import math
import secrets
import statistics
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from sim.scenario.errors import UserError
from sim.workshop.game import MAX_TEAMS, GameError, parse_days, team_name

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector


class RoomError(UserError, ValueError):
    """A request the room refuses (wrong join code, full room, a bad vote), worded for the phone."""


@dataclass(frozen=True)
class Limits:
    participants: int = 300  # phones that may join
    changes: int = 20  # ballots one phone may send per question
    teams: int = MAX_TEAMS
    guess_close_rate: tuple[float, float] = (0.0, 100.0)  # percent
    guess_complaints: tuple[float, float] = (0.0, 1000.0)  # per 1,000 prospects


@dataclass
class Ballot:
    choice: Optional[str] = None  # "A" or "B"
    close_rate: Optional[float] = None
    complaints: Optional[float] = None
    sent: int = 0


def _number(value: object, name: str, bounds: tuple[float, float]) -> Optional[float]:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RoomError(f"{name}: a number")
    try:
        x = float(value)
    except ValueError:
        raise RoomError(f"{name}: a number") from None
    if not math.isfinite(x) or not bounds[0] <= x <= bounds[1]:
        raise RoomError(f"{name}: a number from {bounds[0]:g} to {bounds[1]:g}")
    return x


def spread(values: list[float]) -> Optional[dict[str, float]]:
    """How a room's guesses spread: how many, the median, the middle half (quartiles), lowest, highest."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        q1 = q3 = xs[0]
    else:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return {"n": len(xs), "median": statistics.median(xs), "q1": q1, "q3": q3, "low": xs[0], "high": xs[-1]}


class Room:
    """One class's room: a short join code for phones, a secret token for the trainer, the ballots of
    the current question and the teams' cadences. Safe to use from several threads."""

    def __init__(self, budget: int = 5, horizon_days: int = 90, limits: Limits = Limits()):
        self.code = "".join(secrets.choice(CODE_LETTERS) for _ in range(5))
        self.token = secrets.token_urlsafe(24)
        self.limits = limits
        self.budget = budget
        self.horizon_days = horizon_days
        self.open = True  # ballots accepted (closed at the reveal)
        self.question = 0
        self._phones: set[str] = set()
        self._ballots: dict[str, Ballot] = {}
        self._teams: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._team_of: dict[str, str] = {}  # phone -> team it joined
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- who may do what
    def check_code(self, code: object) -> None:
        if not isinstance(code, str) or not secrets.compare_digest(code.strip().upper().encode(), self.code.encode()):
            raise RoomError("wrong join code: type the code shown on the screen")

    def is_trainer(self, token: object) -> bool:
        return isinstance(token, str) and secrets.compare_digest(token.encode(), self.token.encode())

    def join(self, code: object, phone: Optional[str] = None) -> str:
        """A phone's id: the one it has (when this room gave it) or a new one; RoomError when full."""
        self.check_code(code)
        with self._lock:
            if phone in self._phones:
                return phone
            if len(self._phones) >= self.limits.participants:
                raise RoomError(f"the room is full ({self.limits.participants} phones)")
            new = secrets.token_urlsafe(16)
            self._phones.add(new)
            return new

    def _known(self, phone: object) -> str:
        if not isinstance(phone, str) or phone not in self._phones:
            raise RoomError("this phone has not joined: open the join link again")
        return phone

    @property
    def participants(self) -> int:
        return len(self._phones)

    # ---------------------------------------------------------------- votes
    def vote(self, phone: object, data: dict) -> Ballot:
        """Record (or replace) a phone's ballot for the current question."""
        if not isinstance(data, dict) or set(data) - {"choice", "close_rate", "complaints", "code"}:
            raise RoomError("a vote has only: choice, close_rate, complaints")
        choice = data.get("choice")
        if choice not in (None, "", "A", "B"):
            raise RoomError("choice: A or B")
        close = _number(data.get("close_rate"), "close_rate", self.limits.guess_close_rate)
        complaints = _number(data.get("complaints"), "complaints", self.limits.guess_complaints)
        with self._lock:
            phone = self._known(phone)
            if not self.open:
                raise RoomError("voting is closed for this question")
            ballot = self._ballots.get(phone) or Ballot()
            if ballot.sent >= self.limits.changes:
                raise RoomError(f"this phone has already voted {self.limits.changes} times on this question")
            ballot = Ballot(choice or ballot.choice, ballot.close_rate if close is None else close,
                            ballot.complaints if complaints is None else complaints, ballot.sent + 1)
            self._ballots[phone] = ballot
            return ballot

    def tally(self) -> dict:
        """Votes for A and B, voters, and the spread of each guess (None when nobody guessed)."""
        with self._lock:
            ballots = list(self._ballots.values())
            phones = len(self._phones)
        return {"A": sum(b.choice == "A" for b in ballots), "B": sum(b.choice == "B" for b in ballots),
                "voters": len(ballots), "joined": phones, "open": self.open, "question": self.question,
                "close_rate": spread([b.close_rate for b in ballots if b.close_rate is not None]),
                "complaints": spread([b.complaints for b in ballots if b.complaints is not None])}

    def close_votes(self) -> None:
        with self._lock:
            self.open = False

    def open_votes(self) -> None:
        with self._lock:
            self.open = True

    def next_question(self) -> None:
        """A new question: every ballot of the last one is dropped and voting opens."""
        with self._lock:
            self._ballots.clear()
            self.question += 1
            self.open = True

    # ---------------------------------------------------------------- the team game
    def enter(self, phone: object, team: object, days: object) -> tuple[str, tuple[int, ...]]:
        """A team's cadence, sent from one of its phones (a later one replaces it); RoomError/GameError."""
        name = team_name(team)
        cadence = parse_days(days, self.budget, self.horizon_days)
        with self._lock:
            phone = self._known(phone)
            key = name.casefold()
            known = next((t for t in self._teams if t.casefold() == key), None)
            if known is None and len(self._teams) >= self.limits.teams:
                raise RoomError(f"the game has its {self.limits.teams} teams: join one of them")
            name = known or name
            self._teams[name] = cadence
            self._team_of[phone] = name
            return name, cadence

    def teams(self) -> dict[str, tuple[int, ...]]:
        with self._lock:
            return dict(self._teams)

    def set_budget(self, budget: int) -> None:
        if not isinstance(budget, int) or isinstance(budget, bool) or not 1 <= budget <= 20:
            raise GameError("budget: a whole number of calls per prospect from 1 to 20")
        with self._lock:
            self.budget = budget
            self._teams = OrderedDict((t, d) for t, d in self._teams.items() if len(d) <= budget)


class RateLimit:
    """At most ``rate`` requests a second per client address, in bursts of up to ``burst`` (a token
    bucket each), remembering at most ``clients`` addresses (the least recently seen are forgotten)."""

    def __init__(self, rate: float = 10.0, burst: float = 30.0, clients: int = 2000, clock=time.monotonic):
        self.rate, self.burst, self.clients, self.clock = rate, burst, clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            ok = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if ok else tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
            return ok
