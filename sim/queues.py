"""A rep's task queue: tasks wait in a heap by due time, then in one heap per task kind once due.

Each prospect has at most one live task; superseded tasks are skipped lazily on pop by
comparing a token, so cancelling is O(1) and no structure is ever scanned.
"""
from __future__ import annotations

import heapq
from typing import Optional

KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")


class TaskQueue:
    __slots__ = ("future", "due", "rank", "order", "seq")

    def __init__(self, order: list[str]):
        self.order = [KINDS.index(k) for k in order]
        self.future: list[tuple] = []  # (due, seq, kind, prospect, token)
        self.due: list[list[tuple]] = [[] for _ in KINDS]  # per kind: (due, seq, prospect, token)
        self.seq = 0

    def push(self, due: float, kind: int, prospect, token: int) -> None:
        self.seq += 1
        heapq.heappush(self.future, (due, self.seq, kind, prospect, token))

    def requeue(self, entry: tuple) -> None:
        """Put back a task taken with pop (same due time and tie-break)."""
        due, seq, kind, prospect, token = entry
        heapq.heappush(self.due[kind], (due, seq, prospect, token))

    def _release(self, now: float) -> None:
        future = self.future
        due = self.due
        while future and future[0][0] <= now:
            d, seq, kind, p, token = heapq.heappop(future)
            heapq.heappush(due[kind], (d, seq, p, token))

    def pop(self, now: float) -> Optional[tuple]:
        """The next live task due by now, by kind order then due time: (due, seq, kind, prospect, token)."""
        self._release(now)
        for kind in self.order:
            heap = self.due[kind]
            while heap:
                d, seq, p, token = heapq.heappop(heap)
                if token == p.token:
                    return d, seq, kind, p, token
        return None

    def next_due(self) -> float:
        """Due time of the earliest task not yet due (inf if none)."""
        future = self.future
        while future and future[0][4] != future[0][3].token:
            heapq.heappop(future)
        return future[0][0] if future else float("inf")

    def overdue(self, now: float) -> int:
        """Live tasks due by now and not yet done (the backlog)."""
        self._release(now)
        return sum(1 for heap in self.due for e in heap if e[3] == e[2].token)
