"""A rep as the engine sees them: their queue, calendar, the task kinds their group takes,
whether they are waiting for work, and their counts for the current day."""
from __future__ import annotations

import math
from typing import Optional

import simpy

from sim.model.calendar import Calendar
from sim.model.queues import KINDS, TaskQueue
from sim.model.tally import REP_DAY_BASE, Tally

NO_DAY = -(1 << 30)  # a rep's tally day before their first call


class Rep:
    __slots__ = ("idx", "name", "pushiness", "skill", "queue", "cal", "shift", "takes", "desks", "wake", "wake_at",
                 "in_idle", "shift_end", "sleep_token", "tally_day", "day_calls", "day_talk", "day_busy")

    def __init__(self, idx: int, name: str, pushiness: float, skill: float, queue: TaskQueue, cal: Calendar,
                 takes: tuple[bool, ...] = (True,) * len(KINDS)):
        self.idx = idx
        self.name = name
        self.pushiness = pushiness
        self.skill = skill  # multiplier on sale, booking and nurture chances (1 = average rep)
        self.queue = queue
        self.cal = cal  # the rep's working week (their group's calendar, holidays and leave)
        self.shift = cal.shift  # the rep's clock minus the team's: their days are counted on it
        self.takes = takes  # per task kind (KINDS order): whether the rep's group takes it
        self.desks: tuple[TaskQueue, ...] = ()  # the team queues holding kinds this rep takes
        self.wake: Optional[simpy.Event] = None  # set while waiting for work (processes.sleep_until)
        self.wake_at = math.inf
        self.in_idle = False  # in Router.idle, the heap of reps who may be waiting for work
        self.shift_end = -1.0  # end of the shift the rep's process is in (processes.rep_process)
        self.sleep_token = 0  # this rep's place in a wake group is valid while this is unchanged
        # this rep's calls, talk and busy minutes on day tally_day, written to the Tally's
        # per-rep rows when the day is over (close_day): the rows are cold at scale.
        # day_calls is also what the daily cap (max_calls_per_rep_day) counts.
        self.tally_day = NO_DAY  # (day -1 is a real day for a rep behind the team's clock)
        self.day_calls = 0
        self.day_talk = 0.0
        self.day_busy = 0.0

    def nudge(self, due: float) -> None:
        """A task for this worker is due at ``due``: wake them if they sleep past it."""
        if self.wake is not None and due < self.wake_at:
            ev, self.wake = self.wake, None
            self.sleep_token += 1  # its place in a wake group is void (wake_groups)
            ev.succeed()

    def awake(self) -> None:
        """The wait for work is over (``processes.sleep_until``)."""
        self.wake = None
        self.wake_at = math.inf

    def close_day(self, tally: Tally) -> None:
        """Write this rep's counts for the day they were kept for into the Tally's rows."""
        if self.tally_day != NO_DAY:
            i, d = self.idx, self.tally_day + REP_DAY_BASE
            tally.rep_calls[i][d], tally.rep_talk[i][d], tally.rep_busy[i][d] = self.day_calls, self.day_talk, self.day_busy
        self.day_calls, self.day_talk, self.day_busy = 0, 0.0, 0.0
