"""A rep's task queue: one heap per task kind, ordered by due time.

A rep takes the earliest due task of the first kind (in the team's order) that has one due:
the top of a kind's heap is due exactly when some task of that kind is, so one heap per kind
is enough (one heap operation to add a task, one to take it). Each prospect has at most one
live task; superseded tasks are skipped lazily by comparing a token, so cancelling is O(1)
and no structure is ever scanned on the hot path.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Optional

KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")
INF = float("inf")


class TaskQueue:
    __slots__ = ("heaps", "ordered", "seq")

    def __init__(self, order: list[str]):
        self.heaps: list[list[tuple]] = [[] for _ in KINDS]  # per kind: (due, seq, prospect, token)
        self.ordered = [(KINDS.index(k), self.heaps[KINDS.index(k)]) for k in order]
        self.seq = 0

    def push(self, due: float, kind: int, prospect, token: int) -> None:
        self.seq += 1
        heappush(self.heaps[kind], (due, self.seq, prospect, token))

    def requeue(self, entry: tuple) -> None:
        """Put back a task taken with pop (same due time and tie-break)."""
        due, seq, kind, prospect, token = entry
        heappush(self.heaps[kind], (due, seq, prospect, token))

    def pop(self, now: float) -> Optional[tuple]:
        """The next live task due by now, by kind order then due time: (due, seq, kind, prospect, token)."""
        for kind, heap in self.ordered:
            while heap:
                top = heap[0]
                if top[3] != top[2].token:
                    heappop(heap)  # superseded
                    continue
                if top[0] > now:
                    break
                heappop(heap)
                return top[0], top[1], kind, top[2], top[3]
        return None

    def next_due(self) -> float:
        """Due time of the earliest live task (inf if none); after a pop that found nothing due,
        that is the earliest task not yet due."""
        best = INF
        for heap in self.heaps:
            while heap and heap[0][3] != heap[0][2].token:
                heappop(heap)
            if heap and heap[0][0] < best:
                best = heap[0][0]
        return best

    def overdue(self, now: float) -> int:
        """Live tasks due by now and not yet done (the backlog).

        Walks each heap from its root and never below an entry due after now, so the cost is
        the number of due entries, not the size of the queue."""
        count = 0
        for heap in self.heaps:
            n = len(heap)
            stack = [0] if n and heap[0][0] <= now else []
            while stack:
                i = stack.pop()
                _due, _seq, p, token = heap[i]
                if token == p.token:
                    count += 1
                for c in (2 * i + 1, 2 * i + 2):
                    if c < n and heap[c][0] <= now:
                        stack.append(c)
        return count
