"""Dispatch counts per call on the benchmark scenario: tasks taken out of a queue (pops,
including those put back), peeks at a queue's front, rep wake-ups, and the touches per
CPU-second of the same scenario.

    .venv/bin/python bench/dispatch_counts.py 10000 [--routing shared|owner] [--code DIR]

Counts by patching from outside (a wrapper around ``TaskQueue.pop`` and around each rep's
SimPy process), never inside the engine, so the engine runs as it always does; the wrappers
cost time, so the touches per CPU-second printed are from a second, unpatched run.
``--code DIR`` runs the ``sim`` package found in DIR (an older checkout, to compare).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scenario(prospects: int, routing: str):
    from run_bench import bench_scenario

    sc = bench_scenario(prospects, ["cadence_1_3_7_14_28_58"])
    queue = sc.team.queue.model_copy(update={"routing": routing})
    return sc.model_copy(update={"team": sc.team.model_copy(update={"queue": queue})})


def engine_parts():
    """Model and TaskQueue, from sim.model (or from the flat sim/ of a checkout before it had packages)."""
    try:
        from sim.model.engine import Model
        from sim.model.queues import TaskQueue
    except ImportError:
        from sim.engine import Model
        from sim.queues import TaskQueue
    return Model, TaskQueue


def counted_run(sc) -> dict:
    """One run with counting wrappers: pops of any task queue, wake-ups of rep processes."""
    import simpy

    Model, TaskQueue = engine_parts()

    counts = {"pops": 0, "peeks": 0, "wakes": 0}
    # a task taken out of a queue: TaskQueue.remove where it exists (pop calls it), else pop
    taking = "remove" if hasattr(TaskQueue, "remove") else "pop"
    take, process = getattr(TaskQueue, taking), simpy.Environment.__dict__["process"]  # (a descriptor: kept as is)
    peek = getattr(TaskQueue, "peek", None)

    def counting_take(self, *args):
        counts["pops"] += 1
        return take(self, *args)

    def counting_peek(self, now):
        counts["peeks"] += 1
        return peek(self, now)

    def counting_process(env, gen):
        if gen.gi_code.co_name.lstrip("_") != "rep_process":
            return simpy.Process(env, gen)

        def wrapped():  # the rep's process, resumed once per wake-up (it ignores sent values)
            for event in gen:
                yield event
                counts["wakes"] += 1
        return simpy.Process(env, wrapped())

    setattr(TaskQueue, taking, counting_take)
    simpy.Environment.process = counting_process
    if peek is not None:
        TaskQueue.peek = counting_peek
    try:
        rec = Model(sc, sc.strategies["cadence_1_3_7_14_28_58"], 0).run()
    finally:
        setattr(TaskQueue, taking, take)
        simpy.Environment.process = process
        if peek is not None:
            TaskQueue.peek = peek
    return {"calls": rec.tally.calls, **counts}


def timed_run(sc) -> dict:
    Model, _ = engine_parts()

    t0 = time.process_time()
    rec = Model(sc, sc.strategies["cadence_1_3_7_14_28_58"], 0).run()
    cpu = time.process_time() - t0
    return {"touches": rec.touches, "cpu_s": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prospects", type=int)
    ap.add_argument("--routing", choices=("shared", "owner"), default="shared")
    ap.add_argument("--code", type=Path, help="a directory holding the sim package to run (default: this checkout)")
    args = ap.parse_args()
    sys.path[:0] = [str(args.code.resolve())] if args.code else []
    sys.path.insert(0, str(HERE))
    sc = scenario(args.prospects, args.routing)
    c, t = counted_run(sc), timed_run(sc)
    print(f"{args.prospects} listed, {args.routing} routing: {c['calls']} calls, "
          f"{c['pops'] / c['calls']:.2f} pops/call ({c['peeks'] / c['calls']:.2f} peeks), "
          f"{c['wakes'] / c['calls']:.2f} wakes/call; "
          f"{t['touches']} touches in {t['cpu_s']:.2f} CPU s = {t['touches'] / t['cpu_s']:,.0f} touches/CPU-s")


if __name__ == "__main__":
    main()
