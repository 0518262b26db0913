"""The agenda of parked moments: callbacks due on a later day wait in that day's list, out of
SimPy's event heap, until the day starts (``Agenda.release``, called at each midnight)."""
from __future__ import annotations

import simpy

from sim.scenario.units import DAY


class Agenda:
    __slots__ = ("env", "horizon", "parked")

    def __init__(self, env: simpy.Environment, horizon: float):
        self.env = env
        self.horizon = horizon
        self.parked: dict[int, list[tuple]] = {}  # day -> (time, callback) of moments due that day

    def at(self, delay: float, callback) -> None:
        """Call ``callback`` after ``delay``, as ``env.timeout(delay)`` would, at the same time
        to the last bit (now + delay). A moment on a later day waits in that day's list until
        the day starts (``release``), so SimPy's event heap, which every event pushes to and
        pops from, holds today's moments rather than every redrawn future."""
        env = self.env
        t = env.now + delay
        day = int(t // DAY)
        if day <= int(env.now // DAY):
            env.timeout(delay).callbacks.append(callback)
        elif t < self.horizon:  # (a moment at or past the horizon never comes)
            self.parked.setdefault(day, []).append((t, callback))

    def release(self, day: int) -> None:
        """Day ``day`` has started (now is its midnight): its parked moments join SimPy's heap."""
        env = self.env
        for t, callback in self.parked.pop(day, ()):
            env.timeout(t - env.now).callbacks.append(callback)  # exact: now <= t < 2 * now
