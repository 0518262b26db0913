"""The rep's task queue (pop, and peek then remove) and the free-rep heap against their plain definitions (brute force)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.model.engine import Model
from sim.model.queues import KINDS, TaskQueue
from sim.scenario.units import DAY


class P:
    """A stand-in prospect: the queue only reads its token."""

    def __init__(self):
        self.token = 0


ORDER = ["callback", "booked", "new_lead", "prospecting", "follow_up"]  # not the default order, on purpose

ops = st.lists(st.tuples(
    st.sampled_from(["push", "supersede", "pop", "requeue"]),
    st.integers(0, 15),              # which prospect
    st.integers(0, len(KINDS) - 1),  # kind
    st.integers(-5, 30),             # due, in grid steps from now (a coarse grid, so ties happen)
), max_size=150)


def _replay(script, start: int, unit: float, n_people: int = 16) -> None:
    """Run a script against the queue and against a plain list of live tasks, checking every
    pop, next_due and backlog count. ``unit``: the grid's step (at a quarter day or a day,
    tasks wait in later days' buckets and pass through the sorted runs)."""
    q, people, live, now = TaskQueue(ORDER), [P() for _ in range(n_people)], [], start * unit
    rank = {KINDS.index(k): i for i, k in enumerate(ORDER)}
    seq = 0
    for op, who, kind, due in script:
        p = people[who % n_people]
        if op in ("push", "supersede"):
            p.token += 1  # a new task supersedes the prospect's old one, as Router.schedule does
            q.push(now + due * unit, kind, p, p.token)
            seq += 1
            live = [e for e in live if e[3] is not p] + [(now + due * unit, seq, kind, p, p.token)]
        elif op == "pop":
            due_now = [e for e in live if e[0] <= now]
            expected = min(due_now, key=lambda e: (rank[e[2]], e[0], e[1])) if due_now else None
            front = q.peek(now)  # what pop would take, left in place (a second peek sees it again)
            assert front == q.peek(now)
            assert (None if front is None else (front[1][:2] + (front[0],) + front[1][2:])) == expected
            if who % 2:
                got = q.pop(now)
            elif front is not None:  # as a rep takes a task: the front peeked, then removed
                q.remove(*front)
                got = expected
            else:
                got = None
            assert got == expected
            if got is not None:
                live.remove(got)
                if who % 3 == 0:  # sometimes a rep puts it back (the call would run past the shift)
                    q.requeue(got) if who % 2 else q.put_back(*front)
                    live.append(got)
            else:
                assert q.next_due() == min((e[0] for e in live), default=float("inf"))
        assert q.overdue(now) == sum(1 for e in live if e[0] <= now)
        if op == "pop" or due % 3 == 0:
            now += unit


@settings(max_examples=300, deadline=None, derandomize=True)  # the same 300 scripts on every run, as in CI
@given(ops, st.integers(0, 30), st.sampled_from([1.0, DAY / 4, DAY]))
def test_pop_next_due_and_backlog_match_their_definitions(script, start, unit):
    _replay(script, start, unit)


@pytest.mark.parametrize("unit", [1.0, DAY / 4, DAY / 2])
def test_long_scripts_with_many_tasks_per_day(unit):
    """Hypothesis keeps scripts short; here 4,000 steps with 60 prospects fill each day's
    buckets with many tasks of a kind, so their order in the runs is what is checked."""
    rng = random.Random(int(unit))
    kinds = ["push"] * 5 + ["supersede", "pop", "pop", "pop", "requeue"]
    script = [(rng.choice(kinds), rng.randrange(60), rng.randrange(len(KINDS)), rng.randint(-5, 30)) for _ in range(4000)]
    _replay(script, 3, unit, n_people=60)


def test_edges_midnight_infinity_and_days_of_stale_tasks():
    """Dues a hair either side of midnight, a task due at infinity, and next_due stepping over
    days whose tasks were all superseded."""
    eps = 1e-9
    script_dues = [DAY - eps, DAY, DAY + eps, 2 * DAY - eps, float("inf"), 5 * DAY + eps]
    q, people = TaskQueue(ORDER), [P() for _ in script_dues]
    for p, due in zip(people, script_dues):
        p.token += 1
        q.push(due, KINDS.index("follow_up"), p, p.token)
    assert q.pop(DAY - 2 * eps) is None and q.next_due() == DAY - eps
    assert [q.pop(DAY + eps)[0] for _ in range(3)] == [DAY - eps, DAY, DAY + eps]
    for p in people[3:5]:
        p.token += 1  # superseded: the days they wait in hold only stale entries now
    assert q.next_due() == 5 * DAY + eps
    assert q.overdue(4 * DAY) == 0 and q.overdue(6 * DAY) == 1
    assert q.pop(6 * DAY)[0] == 5 * DAY + eps
    people[4].token += 1
    q.push(float("inf"), KINDS.index("callback"), people[4], people[4].token)
    assert q.pop(1e12) is None and q.next_due() == float("inf") and q.overdue(1e12) == 0


def test_new_leads_go_to_the_lowest_numbered_free_rep():
    """Owner routing: when a lead's call comes due it goes to the first rep waiting for work."""
    sc = sim.Scenario(horizon="20d", population={"outbound": {"size": 1500}, "inbound": {"per_day": 40}},
                      team={"reps": [{"count": 12}], "queue": {"routing": "owner"}},
                      strategies={"c": {"preset": "cadence_1_3_7_14_28_58"}})
    m = Model(sc, sc.strategies["c"], 0)
    heap_assign, seen = m.router.assign, {"free": 0, "busy": 0}

    def checked(now, kind):
        free = [r.idx for r in m.reps if r.wake is not None] if m.cal.is_working(now) else []
        seen["free" if free else "busy"] += 1
        got = heap_assign(now, kind)
        if free:
            assert got == free[0], "the heap must give the first free rep, as a scan of all reps does"
        return got

    m.router.assign = checked
    m.run()
    assert seen["free"] > 50 and seen["busy"] > 50, seen  # both branches were exercised
