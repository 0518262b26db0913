"""``optimize --minutes``: a wall-time limit that the search never overruns knowingly. Before each
chunk of runs (a batch of proposals, the selection's first stage, one more round of it) the time
that chunk will take is estimated from the measured time per run so far (the evaluator's clock,
so parallel workers are in the figure), and the chunk starts only if it will end in time."""
from __future__ import annotations

from typing import Callable, Optional

Clock = Callable[[], float]  # seconds, monotonic


class TimeBox:
    """The limit of one search: ``minutes`` in all (None: no limit), of which ``search_share`` for
    the search and the rest for the selection."""

    def __init__(self, minutes: Optional[float], clock: Clock, search_share: float):
        self.clock = clock
        self.start = clock()
        self.deadline = None if minutes is None else self.start + 60 * minutes
        self.search_deadline = None if minutes is None else self.start + 60 * minutes * search_share
        self.hit = False  # a chunk was not started because it would have ended too late

    def fits(self, seconds: float, search: bool = False, then: float = 0.0) -> bool:
        """Whether a chunk of ``seconds`` started now ends by the search's share of the time
        (``search``) and, followed by ``then`` seconds more, by the limit."""
        if self.deadline is None:
            return True
        now = self.clock()
        ok = now + seconds + then <= self.deadline and (not search or now + seconds <= self.search_deadline)
        self.hit |= not ok
        return ok

    def room(self, seconds_each: float) -> Optional[int]:
        """How many chunks of ``seconds_each`` end by the limit (None: no limit)."""
        if self.deadline is None:
            return None
        left = self.deadline - self.clock()
        return int(left // seconds_each) if seconds_each > 0 else 10 ** 9

    def elapsed(self) -> float:
        return self.clock() - self.start
