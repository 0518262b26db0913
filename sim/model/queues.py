"""A rep's task queue: per task kind, a sorted run of the tasks planned for earlier days, a
heap of the tasks added for today, and a bucket per later day.

A rep takes the earliest due task of the first kind (in the team's order) that has one due.
Most tasks are follow-ups planned days ahead: they wait in their day's bucket (one append,
no comparisons) and, when the day comes, the bucket is sorted once into the kind's run (a
list in descending order, taken from its end). Tasks added for a day already loaded
(callbacks, booked calls, a task put back) go to a small heap. Taking a task compares the
run's end with the heap's top. So the comparisons happen in one sort while the day's entries are
warm, not in a heap sift through entries pushed weeks ago: that sift was the cost that grew
with the book in the benchmark.

The order is exactly that of one heap ordered by (due, seq): every bucketed task is due
after every task already in a run or heap, and a run only ever receives later tasks than
the ones it holds. Each prospect has at most one live task; superseded tasks are skipped
lazily by comparing a token, so cancelling is O(1) and nothing is scanned on the hot path.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Optional

from sim.scenario.units import DAY

KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")
BOOKED_K, CALLBACK_K, NEW_LEAD_K, FOLLOW_UP_K, PROSPECTING_K = range(len(KINDS))
CADENCE_KINDS = (NEW_LEAD_K, FOLLOW_UP_K, PROSPECTING_K)  # tasks that are a step of the cadence
INF = float("inf")
NEVER = 1 << 62  # the bucket of a task due at infinity
SLOT = 8  # bucket key: day * SLOT + kind (one int key per day and kind)
assert len(KINDS) <= SLOT


class TaskQueue:
    __slots__ = ("heaps", "runs", "ordered", "seq", "today", "until", "later", "days")

    def __init__(self, order: list[str]):
        # per kind, entries (due, seq, prospect, token):
        self.heaps: list[list[tuple]] = [[] for _ in KINDS]  # added for today: a heap
        self.runs: list[list[tuple]] = [[] for _ in KINDS]  # from earlier days' buckets: descending
        # the same list objects as heaps and runs, in the team's order: change them in place only
        self.ordered = [(KINDS.index(k), self.heaps[KINDS.index(k)], self.runs[KINDS.index(k)]) for k in order]
        self.seq = 0
        # the last day loaded: runs and heaps hold every task due before ``until`` (the end of
        # that day). pop and overdue load up to now's day; next_due may load a later day when
        # nothing live is left, and tasks due before ``until`` then go straight to the heap.
        self.today = 0
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
        """Sort the buckets of every day up to ``day`` into the runs (in front: they are due
        after everything a run holds)."""
        days, later = self.days, self.later
        while days and days[0] <= day:
            first = heappop(days) * SLOT
            for kind, run in enumerate(self.runs):
                entries = later.pop(first + kind, None)
                if entries is not None:
                    entries.sort(reverse=True)
                    run[:0] = entries
        if day > self.today:
            self.today = day
            self.until = (day + 1) * DAY if day < NEVER else INF

    def empty(self) -> bool:
        """No entry at all (a superseded entry still counts until a pop or next_due skips it)."""
        return not self.days and not any(self.heaps) and not any(self.runs)

    def push(self, due: float, kind: int, prospect, token: int) -> None:
        self.seq = seq = self.seq + 1
        if due < self.until:  # _put, written out: a push per touch
            heappush(self.heaps[kind], (due, seq, prospect, token))
        else:
            self._put(kind, (due, seq, prospect, token))

    def requeue(self, entry: tuple) -> None:
        """Put back a task taken with pop (same due time and tie-break)."""
        due, seq, kind, prospect, token = entry
        self._put(kind, (due, seq, prospect, token))

    def put_back(self, kind: int, top: tuple) -> None:
        """Put back an entry taken with peek and remove (same due time and tie-break)."""
        self._put(kind, top)

    def pop(self, now: float) -> Optional[tuple]:
        """The next live task due by now, by kind order then due time: (due, seq, kind, prospect, token)."""
        front = self.peek(now)
        if front is None:
            return None
        kind, top = front
        self.remove(kind, top)
        return top[0], top[1], kind, top[2], top[3]

    def peek(self, now: float) -> Optional[tuple[int, tuple]]:
        """The task pop would take, left in place: (kind, (due, seq, prospect, token)), or None.
        Superseded entries met on the way are dropped, as pop drops them."""
        if now >= self.until:
            self._advance(int(now // DAY))
        for kind, heap, run in self.ordered:
            while heap or run:
                in_run = bool(run) and (not heap or run[-1] < heap[0])  # the earlier of the two fronts
                top = run[-1] if in_run else heap[0]
                if top[3] == top[2].token:
                    if top[0] > now:
                        break
                    return kind, top
                if in_run:  # superseded: dropped
                    run.pop()
                else:
                    heappop(heap)
        return None

    def remove(self, kind: int, top: tuple) -> None:
        """Take out the entry peek just gave (it is the front of its kind: a run's end or a heap's top)."""
        run = self.runs[kind]
        if run and run[-1] is top:
            run.pop()
        else:
            heappop(self.heaps[kind])

    def next_due(self) -> float:
        """Due time of the earliest live task (inf if none); after a pop that found nothing due,
        that is the earliest task not yet due."""
        while True:
            best = INF
            for heap, run in zip(self.heaps, self.runs):
                while heap and heap[0][3] != heap[0][2].token:
                    heappop(heap)
                while run and run[-1][3] != run[-1][2].token:
                    run.pop()
                if heap and heap[0][0] < best:
                    best = heap[0][0]
                if run and run[-1][0] < best:
                    best = run[-1][0]
            if best < INF or not self.days:
                return best
            self._advance(self.days[0])  # nothing live today: bring in the next day that has tasks

    def overdue(self, now: float) -> int:
        """Live tasks due by now and not yet done (the backlog).

        Reads each run from its end and walks each heap from its root, never past an entry
        due after now, so the cost is the number of due entries, not the size of the queue."""
        if now >= self.until:
            self._advance(int(now // DAY))
        count = 0
        for run in self.runs:
            for i in range(len(run) - 1, -1, -1):
                _due, _seq, p, token = run[i]
                if _due > now:
                    break
                if token == p.token:
                    count += 1
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
