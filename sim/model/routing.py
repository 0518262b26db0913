"""Routing: which queue a task goes to, which task a rep takes next, who owns a new lead.

One router per routing mode (``team.queue.routing``, or the strategy's ``routing``):
- ``OwnerRouter``: a call to a lead with no owner who takes it gets an owner when it comes
  due (a free rep who takes it, else the next in rotation) and waits in that rep's queue;
- ``SharedRouter``: such a call waits in the team's queue (one, or one per task kind when
  rep groups take different kinds) for the first free rep who takes it.
In both, messages (and every call of an unlimited team) go to automation, and a call to a
lead whose owner takes it goes to the owner's queue.
"""
from __future__ import annotations

import math
from heapq import heappop
from typing import TYPE_CHECKING, Optional

from sim.model.prospects import Prospect
from sim.model.queues import KINDS, TaskQueue
from sim.model.reps import Rep

if TYPE_CHECKING:
    from sim.model.engine import Model

NO_OWNER = -1  # an inbound lead nobody has talked to yet (see Router.schedule)


class Router:
    """What every routing mode shares: owners' and automation's queues, the rotation of
    owners, the heap of reps waiting for work."""

    def __init__(self, m: Model, order: list[str]):
        self.m = m
        self.env, self.reps, self.auto, self.unlimited = m.env, m.reps, m.auto, m.unlimited
        self.idle: list[int] = []  # rep indices, lowest first (see assign)
        self._next_rep = 0
        self.desks: list[TaskQueue] = []  # the team's queues (shared routing only)

    def schedule(self, p: Prospect, due: float, kind: int, key: int, channel: Optional[str] = None) -> None:
        """Make (due, kind) p's one live task, superseding any other (``key``: the random-number
        key of the touch it will be; ``channel``: the task's channel when the caller knows it).

        A call goes to the prospect's owner if the owner's group takes that kind of task. An
        inbound lead nobody has talked to has no owner: then, or if the owner does not take it,
        the router's mode decides (``unowned``)."""
        p.token += 1
        p.key = key
        if channel is None:
            channel = self.m.steps.channel(p, kind)
        if channel != "call" or self.unlimited:
            worker = self.auto
            if self.unlimited and channel == "call":
                due = self.callable_time(p, max(due, self.env.now))
            elif channel != "call":  # emails and texts go out in the team's working hours
                due = self.m.cal.next_open(max(due, self.env.now))
        elif p.owner != NO_OWNER and self.reps[p.owner].takes[kind]:
            worker = self.reps[p.owner]
        else:
            self.unowned(p, due, kind)
            return
        worker.queue.push(due, kind, p, p.token)
        if worker.wake is not None and due < worker.wake_at:
            worker.nudge(due)

    def unowned(self, p: Prospect, due: float, kind: int) -> None:
        """A call to a lead with no owner who takes it (each routing mode says where it waits)."""
        raise NotImplementedError

    def assign(self, now: float, kind: int) -> int:
        """A lead whose call (of task kind ``kind``) has come due goes to a rep who takes it and
        is free right now (waiting for work, inside their hours), else to the next in rotation
        among those who take it."""
        idle, reps, takers = self.idle, self.m.reps, self.m.takers[kind]
        if len(takers) == len(reps):
            # the free rep with the lowest index: every rep waiting for work is in the heap
            # (and some that stopped waiting, dropped here when they reach the top)
            while idle:
                rep = reps[idle[0]]
                if rep.wake is not None:
                    if rep.cal.is_working(now):
                        return rep.idx
                    break
                heappop(idle)
                rep.in_idle = False
        else:
            free = [i for i in idle if reps[i].takes[kind] and reps[i].wake is not None and reps[i].cal.is_working(now)]
            if free:
                return min(free)
        self._next_rep = (self._next_rep + 1) % len(takers)
        return takers[self._next_rep]

    def take(self, rep: Rep, now: float) -> Optional[tuple[int, tuple, TaskQueue]]:
        """The next task due for a rep: its kind, its entry (due, seq, prospect, token) and the
        queue it came from; None if none is due."""
        q = rep.queue
        front = q.peek(now)
        if front is None:
            return None
        kind, top = front
        q.remove(kind, top)
        return kind, top, q

    def wait_until(self, rep: Rep, now: float, memo: dict) -> Optional[float]:
        """None if ``take`` would give the rep a task now (the same peeks, nothing taken), else
        ``next_due(rep)``. ``memo`` keeps a team queue's answer for the next rep's check at the
        same moment (the caller empties it whenever a queue may have changed)."""
        q = rep.queue
        if q.peek(now) is not None:
            return None
        return q.next_due()

    def next_due(self, rep: Rep) -> float:
        """When the next task a rep may take comes due (inf if none)."""
        return rep.queue.next_due()

    def put_back(self, rep: Rep, src: TaskQueue, due: float, kind: int, p: Prospect, token: int) -> None:
        """A task the rep took cannot be made now (outside legal hours): it is due again at ``due``."""
        src.push(due, kind, p, token)

    def backlog(self, now: float) -> int:
        """Live tasks due by now and not yet done, in every queue of the team."""
        return sum(r.queue.overdue(now) for r in self.m.reps) + sum(d.overdue(now) for d in self.desks)

    def callable_time(self, p: Prospect, t: float) -> float:
        """First time at or after t inside working hours (and legal hours, if the strategy respects them)."""
        m = self.m
        for _ in range(16):
            t = m.cal.next_open(t)
            if not m.rules.respect_calling_hours or m.legal.is_legal(t, p.tz):
                return t
            t = m.legal.next_legal(t, p.tz)
        return t


class OwnerRouter(Router):
    """Owner routing: every call waits in one rep's queue; a lead with no owner who takes the
    call gets one when the call comes due."""

    def unowned(self, p: Prospect, due: float, kind: int) -> None:
        """A call to a lead with no owner who takes it: an owner is chosen when it comes due."""
        token = p.token
        self.m.agenda.at(max(due - self.m.env.now, 0.0), lambda _e, p=p, token=token, due=due, kind=kind:
                         self.assign_due(p, token, due, kind))

    def assign_due(self, p: Prospect, token: int, due: float, kind: int) -> None:
        """The call to a lead with no owner who takes it has come due; give the lead an owner
        now (a free rep who takes it, else the next in rotation) and put the call in that
        rep's queue."""
        if p.token != token:
            return  # superseded meanwhile
        m = self.m
        if p.owner == NO_OWNER or not m.reps[p.owner].takes[kind]:
            p.owner = self.assign(m.env.now, kind)
        rep = m.reps[p.owner]
        rep.queue.push(due, kind, p, token)
        rep.nudge(due)


class SharedRouter(Router):
    """Shared routing: calls to leads with no owner who takes them wait in the team's queue;
    the first free rep who takes it takes the next one due (``take``). One queue if every rep
    takes every kind, else one per kind."""

    def __init__(self, m: Model, order: list[str]):
        super().__init__(m, order)
        if all(len(t) == len(m.reps) for t in m.takers):
            self.desks = [TaskQueue(order)]
            self.desk_of = self.desks * len(KINDS)
        else:
            self.desks = [TaskQueue(order) for _ in KINDS]
            self.desk_of = self.desks
        for r in m.reps:
            r.desks = tuple(dict.fromkeys(self.desk_of[k] for k in range(len(KINDS)) if r.takes[k]))
        self.rank = [order.index(k) for k in KINDS]  # a task kind's place in the team's order

    def unowned(self, p: Prospect, due: float, kind: int) -> None:
        self.desk_of[kind].push(due, kind, p, p.token)
        self.wake_idle_rep(due, kind)

    def wake_idle_rep(self, due: float, kind: int, after: float = -math.inf) -> None:
        """A call was added to the team's queue; wake the lowest-index rep who takes it, is
        waiting for work and would otherwise sleep past its due time (and, given ``after``,
        whose shift goes on past it: a call put back at the end of one rep's shift)."""
        best = None
        reps, now = self.m.reps, self.m.env.now
        for i in self.idle:
            rep = reps[i]
            if (rep.wake is not None and due < rep.wake_at and rep.takes[kind] and (best is None or i < best.idx)
                    and (after == -math.inf or rep.cal.shift_end(now) > after)):
                best = rep
        if best is not None:
            ev, best.wake = best.wake, None
            best.sleep_token += 1  # its place in a wake group is void (wake_groups)
            ev.succeed()

    def take(self, rep: Rep, now: float) -> Optional[tuple[int, tuple, TaskQueue]]:
        """The next task for a rep, from their own queue or the team's queues of the kinds they
        take, whichever comes first in the team's order (then by due time). Each queue's front
        is peeked; only the chosen one is taken out."""
        q = rep.queue
        best, src = q.peek(now), q
        rank = self.rank
        for desk in rep.desks:
            front = desk.peek(now)
            if front is not None and (best is None or (rank[front[0]], front[1][0]) < (rank[best[0]], best[1][0])):
                best, src = front, desk
        if best is None:
            return None
        kind, top = best
        src.remove(kind, top)
        return kind, top, src

    def wait_until(self, rep: Rep, now: float, memo: dict) -> Optional[float]:
        q = rep.queue
        if q.peek(now) is not None:
            return None
        until = q.next_due()
        for desk in rep.desks:
            due = memo.get(desk)
            if due is None:
                due = memo[desk] = -1.0 if desk.peek(now) is not None else desk.next_due()
            if due < 0.0:
                return None
            if due < until:
                until = due
        return until

    def next_due(self, rep: Rep) -> float:
        until = rep.queue.next_due()
        for desk in rep.desks:
            until = min(until, desk.next_due())
        return until

    def put_back(self, rep: Rep, src: TaskQueue, due: float, kind: int, p: Prospect, token: int) -> None:
        src.push(due, kind, p, token)
        if src is not rep.queue:  # back in a team queue: a colleague may be the one to make it
            self.wake_idle_rep(due, kind)


def router_for(mode: str, m: Model, order: list[str]) -> Router:
    """The router of a routing mode ("owner" or "shared")."""
    return SharedRouter(m, order) if mode == "shared" else OwnerRouter(m, order)
