"""A rep's task queue: one heap per task kind for the tasks due by the end of the current
day, and a list per later day for the rest.

A rep takes the earliest due task of the first kind (in the team's order) that has one due:
the top of a kind's heap is due exactly when some task of that kind is, so one heap per kind
is enough. Tasks due on a later day wait in that day's bucket (one append, no comparisons)
and enter the heaps when the day comes: the heaps then hold a day's work, not every open
prospect's next touch, so a pop compares a few warm entries instead of walking a deep heap
of entries pushed weeks ago (the cost that grew with the book in the benchmark). Pops give
exactly the order of a single heap: the order is (due, seq), and every bucketed task is due
after every task in the heaps.

Each prospect has at most one live task; superseded tasks are skipped lazily by comparing a
token, so cancelling is O(1) and no structure is ever scanned on the hot path.
"""
from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import Optional

from .units import DAY

KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")
INF = float("inf")
NEVER = 1 << 62  # the bucket of a task due at infinity
SLOT = 8  # bucket key: day * SLOT + kind


class TaskQueue:
    __slots__ = ("heaps", "ordered", "seq", "today", "until", "later", "days")

    def __init__(self, order: list[str]):
        self.heaps: list[list[tuple]] = [[] for _ in KINDS]  # per kind: (due, seq, prospect, token)
        self.ordered = [(KINDS.index(k), self.heaps[KINDS.index(k)]) for k in order]
        self.seq = 0
        self.today = 0  # the heaps hold every task due before ``until`` = (today + 1) days
        self.until = DAY
        self.later: dict[int, list[tuple]] = {}  # day * SLOT + kind -> the entries due that day
        self.days: list[int] = []  # heap of the days in ``later``

    def _put(self, kind: int, entry: tuple) -> None:
        due = entry[0]
        if due < self.until:
            heappush(self.heaps[kind], entry)
            return
        key = (int(due // DAY) if due < INF else NEVER) * SLOT + kind
        bucket = self.later.get(key)
        if bucket is None:
            self.later[key] = [entry]
            heappush(self.days, key // SLOT)  # a day may appear more than once; _advance copes
        else:
            bucket.append(entry)

    def _advance(self, day: int) -> None:
        """Move the buckets of every day up to ``day`` into the heaps."""
        days, later = self.days, self.later
        while days and days[0] <= day:
            first = heappop(days) * SLOT
            for kind, heap in enumerate(self.heaps):
                entries = later.pop(first + kind, None)
                if entries is not None:
                    heap += entries
                    heapify(heap)
        if day > self.today:
            self.today = day
            self.until = (day + 1) * DAY if day < NEVER else INF

    def push(self, due: float, kind: int, prospect, token: int) -> None:
        self.seq += 1
        self._put(kind, (due, self.seq, prospect, token))

    def requeue(self, entry: tuple) -> None:
        """Put back a task taken with pop (same due time and tie-break)."""
        due, seq, kind, prospect, token = entry
        self._put(kind, (due, seq, prospect, token))

    def pop(self, now: float) -> Optional[tuple]:
        """The next live task due by now, by kind order then due time: (due, seq, kind, prospect, token)."""
        if now >= self.until:
            self._advance(int(now // DAY))
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
        while True:
            best = INF
            for heap in self.heaps:
                while heap and heap[0][3] != heap[0][2].token:
                    heappop(heap)
                if heap and heap[0][0] < best:
                    best = heap[0][0]
            if best < INF or not self.days:
                return best
            self._advance(self.days[0])  # nothing live today: bring in the next day that has tasks

    def overdue(self, now: float) -> int:
        """Live tasks due by now and not yet done (the backlog).

        Walks each heap from its root and never below an entry due after now, so the cost is
        the number of due entries, not the size of the queue."""
        if now >= self.until:
            self._advance(int(now // DAY))
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
