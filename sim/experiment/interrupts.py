"""Ctrl-C and ``kill``: SIGINT and SIGTERM become an exception in the main process, so a run
can stop its workers, keep what finished and exit with 130 or 143 instead of dying mid-write
(SIGTERM's default) or leaving worker processes behind.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, like KeyboardInterrupt: ``except Exception``
    in library code must not swallow it."""

    def __init__(self, signum: int):
        super().__init__(signum)  # the only argument: SimPy re-creates it as type(exc)(*exc.args)
        self.signum = int(signum)

    def __str__(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


def exit_code_of(exc: BaseException) -> int:
    return exc.exit_code if isinstance(exc, Interrupted) else 128 + signal.SIGINT


@contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise ``Interrupted`` (once: a second signal during the
    clean-up is ignored). Outside the main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame):
        for s in HANDLED:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in HANDLED}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def worker_init() -> None:
    """In a worker process: leave SIGINT to the parent (which stops the pool), die on SIGTERM,
    and die with the parent if it is killed outright (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes  # imported here: only a worker process on Linux uses it

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's clean-up still stops the workers
        pass


class RunInterrupted(Exception):
    """The run was stopped by a signal; ``done`` of ``total`` runs are kept in ``partial``."""

    def __init__(self, done: int, total: int, partial: Optional[Path], exit_code: int):
        super().__init__(f"interrupted after {done} of {total} runs")
        self.done, self.total, self.partial, self.exit_code = done, total, partial, exit_code
