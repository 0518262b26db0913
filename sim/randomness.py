"""Random streams: one SeedSequence per replication, a named numpy Generator per purpose.

The strategy never enters a seed, so replication r of every strategy sees the same
prospects, arrivals, readiness paths and answering luck (common random numbers).
Per-prospect randomness comes from a pre-drawn tape indexed by (prospect, touch number),
so a strategy that makes more calls to one prospect does not shift anyone else's draws.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

STREAMS = ("traits", "readiness", "arrivals", "touches", "handling", "redraw", "spill")

# Uniforms used by each touch of a prospect, in this order on the tape.
REACH, OUTCOME, COMPLAINT, SIDE, FORGET = range(5)
SLOTS = 5
TAPE_TOUCHES = 6  # touches pre-drawn per prospect; later ones come from per-prospect spill streams


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """A Generator per purpose for one replication."""
    root = replication_seed(seed, replication)
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, root.spawn(len(STREAMS)))}


def prospect_rng(seed: int, replication: int, purpose: str, prospect: int, counter: int) -> np.random.Generator:
    """A Generator private to one prospect and purpose (used rarely: redraws and long cadences)."""
    key = (replication, STREAMS.index(purpose), prospect, counter)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


class Buffered:
    """Scalar draws from a vectorized sampler, refilled in blocks (scalar numpy calls are slow)."""

    __slots__ = ("_draw", "_buf", "_i", "_block")

    def __init__(self, draw: Callable[[int], np.ndarray], block: int = 4096):
        self._draw = draw
        self._block = block
        self._buf: list[float] = []
        self._i = 0

    def __call__(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._draw(self._block).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value
