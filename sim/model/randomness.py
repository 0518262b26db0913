"""Random streams: one SeedSequence per replication, a named numpy Generator per purpose.

The strategy never enters a seed, so replication r of every strategy sees the same
prospects, arrivals, readiness paths and answering luck (common random numbers).
Per-prospect randomness comes from a pre-drawn tape indexed by (prospect, key), so a
strategy that makes more calls to one prospect does not shift anyone else's draws. The key
names the event, not the running touch count: our k-th outbound attempt, the prospect's j-th
reach-out to us, our i-th agreed call (booked or "call me later"), the prospect's m-th
buying moment. So the same reach-out gets the same answering luck whatever the strategy did
before it (a strategy that called twice more does not shift the callback's numbers).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

# Append new streams at the end: a stream's place fixes its seed, so every existing stream
# keeps its numbers when one is added.
STREAMS = ("traits", "readiness", "arrivals", "touches", "handling", "redraw", "spill", "money", "leave",
           "segments", "give_up")

# Uniforms used by each touch of a prospect, in this order on the tape.
REACH, OUTCOME, COMPLAINT, SIDE, FORGET = range(5)
SLOTS = 5
TAPE_TOUCHES = 6  # outbound attempts pre-drawn per prospect; other keys come from the counter-based spill
# A touch's key: stream * STREAM_STRIDE + its index within the stream. Attempts are stream 0,
# so attempt k is key k (the first TAPE_TOUCHES of them on the float32 tape).
STREAM_STRIDE = 1 << 24
ATTEMPT, INBOUND, AGREED, MARKET = (stream * STREAM_STRIDE for stream in range(4))
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_SPILL_STRIDE = 1 << 32  # uniforms reserved per prospect in the spill sequence


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


def spill_key(seed: int, replication: int) -> int:
    """64-bit key of a replication's spill sequence (derived from the seed like every stream)."""
    root = replication_seed(seed, replication).spawn(len(STREAMS))[STREAMS.index("spill")]
    return int(root.generate_state(1, np.uint64)[0])


def spill_uniform(key: int, prospect: int, touch: int, slot: int) -> float:
    """Uniform ``slot`` of a prospect's touch key ``touch`` past the tape: SplitMix64 at a
    fixed counter.

    Counter-based, so key k of prospect i gets the same numbers whatever else happened
    (common random numbers), with no per-prospect state or Generator to build: element n of
    SplitMix64 keyed ``key`` is mix(key + n * golden), with
    n = prospect * 2**32 + (touch - TAPE_TOUCHES) * SLOTS + slot (below 4 * STREAM_STRIDE *
    SLOTS < 2**32, so prospects never overlap). Each uniform is computed alone, so a touch
    pays only for the slots it reads (a missed call reads two of five).
    """
    z = (key + (prospect * _SPILL_STRIDE + (touch - TAPE_TOUCHES) * SLOTS + slot) * _GOLDEN) & _MASK
    x = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((x ^ (x >> 31)) >> 11) * 1.1102230246251565e-16  # top 53 bits / 2**53


def spill_uniforms(key: int, prospect: int, touch: int) -> list[float]:
    """All SLOTS uniforms of a touch past the tape (see ``spill_uniform``)."""
    return [spill_uniform(key, prospect, touch, slot) for slot in range(SLOTS)]


class TouchUniforms:
    """The uniforms of every (prospect, key, slot): a float32 tape for the first
    TAPE_TOUCHES outbound attempts of each prospect, the counter-based spill for every other key.

    ``get`` reads one value (a memoryview index, no numpy scalar); the same (prospect,
    key, slot) gives the same number under every strategy (common random numbers).
    """

    __slots__ = ("tape", "_flat", "key")

    def __init__(self, rng: np.random.Generator, n_prospects: int, key: int):
        self.tape = rng.random((n_prospects, SLOTS * TAPE_TOUCHES), dtype=np.float32)
        self._flat = memoryview(self.tape.reshape(-1))
        self.key = key

    def get(self, prospect: int, touch: int, slot: int) -> float:
        if touch < TAPE_TOUCHES:
            return self._flat[(prospect * TAPE_TOUCHES + touch) * SLOTS + slot]
        # spill_uniform, written out (about half the touches read the spill): the same numbers
        z = (self.key + (prospect * _SPILL_STRIDE + (touch - TAPE_TOUCHES) * SLOTS + slot) * _GOLDEN) & _MASK
        x = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((x ^ (x >> 31)) >> 11) * 1.1102230246251565e-16


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
