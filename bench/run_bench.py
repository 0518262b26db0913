"""Benchmark: engine speed, linearity, memory, model overhead vs bare SimPy, parallel speed-up,
and where the time goes (the profile's top functions at 10k and 100k).

    make bench                      # sizes 1k, 10k, 100k, 1M (under 10 minutes on 2 cores)
    .venv/bin/python bench/run_bench.py --quick

Each size runs in a fresh subprocess so peak memory (ru_maxrss) is that run's own, and times
its bare SimPy loop there too, after the model is gone. The largest size runs on one core
while the others, then the profiles (``--profile-sizes``, cProfile in a fresh process each),
run one after another on the second (so `make bench` fits in 10 minutes on 2 cores); the
workers table runs last, alone. Prints the tables and writes bench/results.md.
Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTES_MARKER = "<!-- notes: kept when the tables are regenerated -->"
STRATEGIES = ["one_and_done", "five_and_stop", "cadence_1_3_7_14_28_58", "call_within_a_minute",
              "booked_next_step", "mixed_channels"]


def bench_scenario(prospects: int, strategies=STRATEGIES, replications: int = 1):
    import sim

    inbound = max(prospects // 1000, 1)  # per day: ~27% of the book arrives as leads over a year
    reps = max(2, prospects // 1500)
    return sim.Scenario(
        name=f"bench_{prospects}", horizon="365d", replications=replications, seed=1,
        population={"outbound": {"size": prospects, "ramp": "60d"}, "inbound": {"per_day": inbound}},
        team={"reps": [{"count": reps}]},
        strategies={s: {"preset": s} for s in strategies},
    )


def one_size(prospects: int, strategy: str) -> dict:
    """Run in this (fresh) process: one replication of one strategy, then the bare SimPy loop."""
    import gc

    from sim.model.engine import Model
    from sim.model.results import build_result

    sc = bench_scenario(prospects)
    t0 = time.perf_counter()
    model = Model(sc, sc.strategies[strategy], 0)
    res = build_result(model.run())  # as run_replication does: the run and its result
    wall = time.perf_counter() - t0
    events = next(model.env._eid)  # SimPy's own counter of scheduled events
    del model
    gc.collect()
    touches = res.metrics["touches"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bare = bare_simpy(events)
    return {"prospects": res.metrics["prospects"], "touches": touches, "events": events, "wall": wall,
            "touches_per_s": touches / wall, "peak_mb": peak_mb, "bare_s": bare, "overhead": wall / bare}


def profile_size(prospects: int, strategy: str, top: int = 12) -> dict:
    """Run in this (fresh) process: one replication under cProfile; the functions with the most
    self time, each with its calls per touch, its share of the run's self time and its
    inclusive share (profiling slows every call, so these are shares, not speeds)."""
    import cProfile
    import pstats

    from sim.model.engine import Model

    sc = bench_scenario(prospects)
    model = Model(sc, sc.strategies[strategy], 0)
    prof = cProfile.Profile()
    prof.enable()
    rec = model.run()
    prof.disable()
    stats = pstats.Stats(prof).stats  # (file, line, name) -> (primitive calls, calls, self, inclusive, callers)
    total = sum(v[2] for v in stats.values())
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return {"prospects": prospects, "touches": rec.touches, "rows": [
        {"function": _where(f, line, name), "per_touch": calls / rec.touches, "self": own / total, "inclusive": incl / total}
        for (f, line, name), (_prim, calls, own, incl, _callers) in rows]}


def _where(path: str, line: int, name: str) -> str:
    """A profile entry's function as the repository names it (sim/model/queues.py:109 peek)."""
    parts = Path(path).parts
    for root in ("sim", "simpy"):
        if root in parts:
            path = "/".join(parts[len(parts) - parts[::-1].index(root) - 1:])
            break
    return f"{path}:{line} {name}" if line else name


def bare_simpy(events: int) -> float:
    """Wall seconds for a bare SimPy loop that processes the same number of timeouts."""
    import simpy

    env = simpy.Environment()
    per = 50
    def proc(env, n):
        for _ in range(n):
            yield env.timeout(1.0)
    for _ in range(per):
        env.process(proc(env, events // per))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def workers_table(prospects: int, replications: int) -> list[dict]:
    from sim.experiment.jobs import run_experiment

    sc = bench_scenario(prospects, ["cadence_1_3_7_14_28_58"], replications)
    rows = []
    for w in (1, 2):
        t0 = time.perf_counter()
        run_experiment(sc, workers=w)
        rows.append({"workers": w, "wall": time.perf_counter() - t0})
    for r in rows:
        r["speedup"] = rows[0]["wall"] / r["wall"]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated list-prospect counts")
    ap.add_argument("--strategy", default="cadence_1_3_7_14_28_58")
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000 and a small workers table")
    ap.add_argument("--profile-sizes", default="10000,100000",
                    help="sizes also run under cProfile for the table of where time goes ('' for none)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--child-profile", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_size(int(args.child[0]), args.child[1])))
        return
    if args.child_profile:
        print(json.dumps(profile_size(int(args.child_profile[0]), args.child_profile[1])))
        return
    sizes = [1000, 10000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    t0 = time.perf_counter()

    def child(n: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, __file__, "--child", str(n), args.strategy], stdout=subprocess.PIPE, text=True)

    def finish(n: int, proc: subprocess.Popen) -> dict:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"benchmark of {n:,} prospects failed (exit {proc.returncode})")
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>9,} listed: {row['prospects']:>9,} prospects {row['touches']:>10,} touches {row['events']:>10,} events "
              f"{row['wall']:7.2f} s {row['touches_per_s']:>9,.0f} touches/s {row['peak_mb']:7.0f} MB "
              f"overhead {row['overhead']:.1f}x", flush=True)
        return row

    def profiled(n: int) -> dict:  # beside the largest size, after the others
        proc = subprocess.Popen([sys.executable, __file__, "--child-profile", str(n), args.strategy],
                                stdout=subprocess.PIPE, text=True)
        out, _ = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"profile of {n:,} prospects failed (exit {proc.returncode})")
        prof = json.loads(out.strip().splitlines()[-1])
        print(f"profile of {n:,} listed: " + ", ".join(f"{r['function']} {r['self']:.0%}" for r in prof["rows"][:5]), flush=True)
        return prof

    largest = child(sizes[-1]) if len(sizes) > 1 else None  # on its own core, beside the others
    by_size = {n: finish(n, child(n)) for n in sizes[:-1]}
    profiles = [profiled(n) for n in ([] if args.quick else [int(x) for x in args.profile_sizes.split(",") if x])]
    by_size[sizes[-1]] = finish(sizes[-1], largest if largest is not None else child(sizes[-1]))
    rows = [by_size[n] for n in sizes]
    wrows = workers_table(2000 if args.quick else 5000, 8)
    for r in wrows:
        print(f"8 replications, workers={r['workers']}: {r['wall']:.2f} s (speed-up {r['speedup']:.2f}x)", flush=True)
    total = time.perf_counter() - t0
    print(f"benchmark wall time: {total / 60:.1f} minutes", flush=True)
    write_markdown(rows, wrows, args.strategy, total, profiles)


def profile_lines(profiles: list[dict]) -> list[str]:
    """The table of where time goes, per profiled size."""
    if not profiles:
        return []
    lines = ["", "Where the time goes: the functions with the most self time under cProfile (one replication, "
             "same scenario; the profile runs at the sizes named, not at the largest). Calls per touch count "
             "every call; shares are of the run's self time, and inclusive shares count what a function calls.", ""]
    for prof in profiles:
        lines += [f"{prof['prospects']:,} prospects ({prof['touches']:,} touches):", "",
                  "| function | calls per touch | self time | inclusive |", "|---|---:|---:|---:|"]
        lines += [f"| `{r['function']}` | {r['per_touch']:.2f} | {r['self']:.1%} | {r['inclusive']:.1%} |"
                  for r in prof["rows"]]
        lines.append("")
    return lines


def write_markdown(rows: list[dict], wrows: list[dict], strategy: str, total: float, profiles: list[dict]) -> None:
    from importlib import metadata

    lines = [
        "# Benchmark results", "",
        f"{date.today().isoformat()}; {os.cpu_count()} cores; Python {platform.python_version()} (from {sys.base_prefix}); "
        f"simpy {metadata.version('simpy')}, numpy {metadata.version('numpy')}. Strategy `{strategy}`, 365 days, "
        "one replication per size, fresh process per size (the largest beside the others, one core each). "
        f"Whole benchmark: {total / 60:.1f} minutes. Regenerate with `make bench`.", "",
        "| prospects | touches | SimPy events | wall s | touches/s | peak MB | bare SimPy s | overhead |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['prospects']:,} | {r['touches']:,} | {r['events']:,} | {r['wall']:.2f} | "
                     f"{r['touches_per_s']:,.0f} | {r['peak_mb']:.0f} | {r['bare_s']:.2f} | {r['overhead']:.1f}x |")
    lines += ["", "| replications | workers | wall s | speed-up |", "|---:|---:|---:|---:|"]
    lines += [f"| 8 | {r['workers']} | {r['wall']:.2f} | {r['speedup']:.2f}x |" for r in wrows]
    lines += profile_lines(profiles)
    lines += ["", "Targets (issue 5): >=150,000 touches/s single core; touches/s at 1M within 25% of 10k; "
              "peak < 1.5 GB at 1M; overhead <= 3x bare SimPy; 2 workers >= 1.7x.", ""]
    path = HERE / "results.md"
    notes = ""  # hand-written sections (the profile, the analysis) below the marker are kept
    if path.exists() and NOTES_MARKER in path.read_text(encoding="utf-8"):
        notes = path.read_text(encoding="utf-8").split(NOTES_MARKER, 1)[1]
    path.write_text("\n".join(lines) + "\n" + NOTES_MARKER + notes, encoding="utf-8")
    print(f"wrote {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
