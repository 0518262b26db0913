"""Reps waiting for work, grouped by the moment their wait ends: one SimPy timeout per moment,
not one per rep, and only the reps who find work are resumed.

Before, each waiting rep had a timeout of its own, which triggered a second event that
resumed the rep's process. In shared routing every idle rep waits until the team queue's
next task is due: at that moment all of them woke, one took the task and the others found
nothing and went back to sleep (1.06 empty wake-ups per call at 100k listed prospects).

The order is kept exactly. SimPy processes events of equal time in the order they were
scheduled. The reps waiting until the same moment had their timeouts in the order they went
to sleep, each timeout scheduled the event that resumed its rep, and those resumed one after
the other in that order. Here they join their moment's group in the order they go to sleep;
when its one timeout fires, one event (scheduled where the first rep's resuming event was)
goes through the group in order. A rep who would find work is resumed there and then (its
process runs as it did), so whatever it does comes before the next rep's turn, as before; a
rep who would find nothing does what its process did (the same queue peeks and the same
next wait) without being resumed, and joins the group of its next moment. A group's moment
is computed as SimPy computes a timeout's (now + (until - now)), so two reps share a group
exactly when their timeouts would have fired at the same time.

What this leaves out: SimPy would interleave another event (not a rep's wait) due at exactly
the same moment between two reps' timeouts by when it was scheduled; a group's timeout fires
at its first rep's place. Reps' moments are task due times and shift ends; equal times from
other sources are not produced by the model's clocks for the same instant (the golden runs
and the benchmark runs are identical both ways).
"""
from __future__ import annotations

from heapq import heappush
from typing import Callable

import simpy


class WakeGroups:
    """The groups of waiting reps, keyed by the moment (SimPy time) their wait ends."""

    __slots__ = ("env", "groups", "check", "idle")

    def __init__(self, env: simpy.Environment, check: Callable, idle: list[int]):
        self.env = env
        self.groups: dict[float, list] = {}
        # check(rep, now, memo): None if the rep would find something to do now, else when it
        # would next wait until (processes.idle_check; memo: Router.wait_until)
        self.check = check
        self.idle = idle  # the router's heap of reps who may be waiting for work

    def wait(self, rep, until: float) -> None:
        """``rep`` (whose ``wake`` is set) waits until ``until``, or until nudged: it joins
        that moment's group."""
        env = self.env
        now = env.now
        rep.wake_at = until
        if not rep.in_idle:
            rep.in_idle = True
            heappush(self.idle, rep.idx)
        at = now + (until - now)  # as SimPy times a timeout of delay until - now
        members = self.groups.get(at)
        if members is None:
            members = self.groups[at] = []
            env.timeout(until - now).callbacks.append(lambda _e, at=at: self._due(at))
        rep.sleep_token += 1  # (a nudge bumps it too: the entry is then stale)
        members.append((rep, rep.sleep_token))

    def _due(self, at: float) -> None:
        """The group's timeout fired: one event, where the first rep's resuming event was."""
        members = self.groups.pop(at)
        ev = self.env.event()
        ev.callbacks.append(lambda _e: self._wake(members))
        ev.succeed()

    def _wake(self, members: list) -> None:
        now = self.env.now
        check = self.check
        memo = {}  # the team queues' answers, until a resumed rep may change them
        for rep, token in members:
            if rep.sleep_token != token:
                continue  # woken meanwhile (nudged), or waiting again in another group
            until = check(rep, now, memo)
            if until is None:  # resume the rep's process here, as SimPy would process its event
                memo.clear()
                ev = rep.wake
                ev._ok, ev._value = True, None
                callbacks, ev.callbacks = ev.callbacks, None
                for callback in callbacks:
                    callback(ev)
            else:
                self.wait(rep, until)
