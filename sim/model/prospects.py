"""Prospects: plain objects (no SimPy process each) whose readiness is read off a pre-drawn path."""
from __future__ import annotations

from typing import Optional

from sim.model.readiness import Paths

# Relationship status with us (the market state lives in the readiness path).
OPEN, WON, OPTED_OUT, DISQUALIFIED = 0, 1, 2, 3
FINAL_STATES = ("bought_from_us", "opted_out", "disqualified", "bought_elsewhere", "open")


class Prospect:
    """One person we might sell to. ``path_times``/``path_states`` hold their readiness path
    once their future was redrawn (until then it is read from the shared pre-drawn ``paths``).

    A million of these live through a run, so every slot counts (8 bytes each, plus 24 for a
    float of its own): state that can be derived is not stored, and the times of recent calls
    live in one model-wide ring rather than in an array per prospect. Fixed traits that are
    floats (reachability, tolerance) sit in the model's ``reach``/``tolerance`` arrays."""

    __slots__ = (
        "pid", "start", "tz", "owner",
        "paths", "path_index", "path_times", "path_states", "state", "next_change", "redraws", "version",
        "status", "said_no", "touches", "calls", "step", "anchor", "last_touch", "cadence_over",
        "token", "key", "attempts", "contacts", "agreed", "moments", "buyer_wait", "hot_t", "annoy", "annoy_t",
    )

    def __init__(self, pid: int, inbound: bool, start: float, tz: int, owner: int, paths: Paths):
        self.pid = pid
        self.start = start
        self.tz = tz
        self.owner = owner
        self.paths = paths
        self.path_index = 0  # index of the current entry within this prospect's path (a small, cached int)
        self.path_times: Optional[list[float]] = None
        self.path_states: Optional[list[int]] = None
        self.state = 0  # state at the last state_at() call, valid until next_change
        self.next_change = -1.0  # time of the next path change after the last lookup (-1: look it up)
        self.redraws = 0
        self.version = 0  # bumps when the future path is redrawn (stale purchase events are ignored)
        self.status = OPEN
        self.said_no = False
        self.touches = 0  # every touch we made, any channel (tape index)
        self.calls = 0  # calls among them (counts through the model's ring of call times)
        self.step = 0  # cadence steps consumed
        self.anchor = start
        self.last_touch = start
        self.cadence_over = False
        self.token = 0  # bumps whenever the pending task is superseded
        self.key = 0  # the random-number key of the pending task (randomness.ATTEMPT + attempts, ...)
        self.attempts = 0  # our outbound attempts made (cadence touches, any channel)
        self.contacts = 0  # times the prospect reached out to us (reach-outs, replies, voicemail call-backs)
        self.agreed = 0  # calls agreed in a conversation (booked, "call me later")
        self.moments = 0  # buying moments so far (each decides: us or a competitor)
        # a buyer who contacted us waits for a conversation: 0 not waiting, else the token of
        # their pending deadline, negative once we have talked to them (Market.wait)
        self.buyer_wait = 0
        self.hot_t = start if inbound else -1e18
        self.annoy = 0.0
        self.annoy_t = 0.0

    def state_at(self, t: float) -> int:
        """Market state at time t (t never decreases between calls)."""
        if t < self.next_change:
            return self.state  # the common case: no change since the last look, no numpy access
        if self.path_times is None:
            paths = self.paths
            times = paths.times
            first = int(paths.offsets[self.pid])
            i = first + self.path_index
            end = int(paths.offsets[self.pid + 1])
            while i + 1 < end and times[i + 1] <= t:
                i += 1
            self.path_index = i - first
            self.state = int(paths.states[i])
            self.next_change = float(times[i + 1]) if i + 1 < end else float("inf")
            return self.state
        times = self.path_times
        i = self.path_index
        n = len(times)
        while i + 1 < n and times[i + 1] <= t:
            i += 1
        self.path_index = i
        self.state = self.path_states[i]
        self.next_change = times[i + 1] if i + 1 < n else float("inf")
        return self.state

    def path_lists(self) -> tuple[list[float], list[int]]:
        if self.path_times is not None:
            return self.path_times, self.path_states
        lo, hi = self.paths.offsets[self.pid], self.paths.offsets[self.pid + 1]
        return self.paths.times[lo:hi].tolist(), self.paths.states[lo:hi].tolist()

    def cut_path(self, t: float, tail_times: list[float], tail_states: list[int]) -> None:
        """Replace the path from time t on with a new tail (whose first entry is at t)."""
        times, states = self.path_lists()
        keep = sum(1 for x in times if x < t)
        self.path_times = times[:keep] + tail_times
        self.path_states = states[:keep] + tail_states
        self.path_index = max(0, keep - 1)
        self.next_change = -1.0
        self.version += 1


__all__ = ["Prospect", "OPEN", "WON", "OPTED_OUT", "DISQUALIFIED", "FINAL_STATES"]
