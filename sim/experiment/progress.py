"""Progress as plain lines, for where no progress bar can be drawn (a pipe, ``make``, a CI log).

``PlainProgress`` is a ``progress(done, total)`` callback like the one the runner, the sweep and
the calibration call; it writes one line at most every ``every`` seconds, and one whenever
``done`` reaches ``total`` (a run's end, or a batch's end in a run to a precision, whose total
then grows): runs done of the total, time elapsed and the time left at the pace so far.
"""
from __future__ import annotations

import time
from typing import Callable, Optional


def clock_text(seconds: float) -> str:
    """``7 s``, ``3 min 05 s`` or ``2 h 03 min``: a duration as a person reads it in a log."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class PlainProgress:
    """``progress(done, total)`` that writes ``label: done of total runs, elapsed, about left``
    through ``write`` (one line, no newline at its end) at most every ``every`` seconds, and
    always when ``done`` reaches ``total``. ``clock`` gives seconds (a fake one in tests)."""

    def __init__(self, label: str, write: Callable[[str], None], every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.label, self.write, self.every, self.clock = label, write, every, clock
        self.started = clock()
        self.last_line: Optional[float] = None  # when the last line was written
        self.last_done = -1  # the runs done it said

    def __call__(self, done: int, total: Optional[int]) -> None:
        now = self.clock()
        at_end = total is not None and done >= total
        if done == self.last_done:
            return  # nothing new (an end reported twice)
        since = now - (self.started if self.last_line is None else self.last_line)
        if not at_end and since < self.every:
            return
        self.last_line, self.last_done = now, done
        self.write(self.line(done, total, now - self.started))

    def line(self, done: int, total: Optional[int], elapsed: float) -> str:
        of = f" of {total}" if total is not None else ""
        text = f"{self.label}: {done}{of} runs done, {clock_text(elapsed)} elapsed"
        if total is not None and 0 < done < total:
            return text + f", about {clock_text(elapsed / done * (total - done))} left"
        return text
