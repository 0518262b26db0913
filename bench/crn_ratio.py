"""How much common random numbers buy: the paired against the unpaired 95% interval of each
strategy's close-rate difference from a baseline, and whether the same reach-out by a
prospect gets the same answering luck under two strategies.

    .venv/bin/python bench/crn_ratio.py scenarios/baseline.yaml --replications 20 --workers 2
    .venv/bin/python bench/crn_ratio.py --ninety-day --replications 20 --workers 2

The paired half-width is t * sd(difference) / sqrt(n); the unpaired one, from the same runs
treated as independent, t * sqrt((var(a) + var(b)) / n); their ratio is
sd(difference) / sqrt(var(a) + var(b)) = sqrt(1 - 2 cov / (var(a) + var(b))).
Prints a Markdown table (for bench/results.md).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from scipy.special import stdtrit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sim  # noqa: E402
from sim.experiment.jobs import run_experiment  # noqa: E402
from sim.scenario.loading import load_scenario  # noqa: E402

NINETY_DAY = dict(
    name="crn_ninety_day", horizon="90d", replications=20, seed=11,
    population={"outbound": {"size": 800, "ramp": "10d"}, "inbound": {"per_day": 6}},
    team={"reps": [{"count": 3}]},
    strategies={"one_and_done": {"preset": "one_and_done"}, "five_and_stop": {"preset": "five_and_stop"}},
    baseline="one_and_done",
)


def ratios(scenario, replications: int, workers: int, metric: str = "close_rate") -> list[tuple]:
    runs = run_experiment(scenario, replications=replications, workers=workers).runs()
    base = runs[runs.strategy == scenario.baseline].sort_values("replication")[metric].to_numpy(float)
    rows = []
    for name in scenario.strategies:
        if name == scenario.baseline:
            continue
        other = runs[runs.strategy == name].sort_values("replication")[metric].to_numpy(float)
        diff = other - base
        unpaired = math.sqrt(np.var(other, ddof=1) + np.var(base, ddof=1))
        corr = float(np.corrcoef(other, base)[0, 1])
        sd = 100 * float(np.std(diff, ddof=1))
        rows.append((name, 100 * diff.mean(), np.std(diff, ddof=1) / unpaired, corr, sd, replications_for(sd, 0.5)))
    return rows


def replications_for(sd: float, half_width: float) -> int:
    """Fewest replications n whose paired 95% interval t(n-1) * sd / sqrt(n) is at most half_width."""
    n = 2
    while stdtrit(n - 1, 0.975) * sd / math.sqrt(n) > half_width and n < 100_000:
        n += 1
    return n


def callback_agreement(scenario, a: str, b: str, replications: int) -> tuple[int, float, int, float]:
    """Share of reach-outs (same prospect, same moment, under both strategies) whose first
    callback was answered in both or in neither; and the same among those whose callback came
    equally soon under both (a later callback is answered less often: that is the strategy's
    effect, not luck)."""
    same = total = same_soon = total_soon = 0
    for r in range(replications):
        answered = []
        for name in (a, b):
            ev = sim.run_replication(scenario, name, r, event_log=True).events
            calls = ev[ev.channel == "call"]
            out = {}
            for (pid, t) in ev.loc[ev.kind == "reach_out", ["prospect", "time_min"]].itertuples(index=False):
                after = calls[(calls.prospect == pid) & (calls.kind == "callback") & (calls.time_min >= t)]
                if len(after):
                    row = after.iloc[0]
                    out[(pid, t)] = (row.outcome not in ("no_answer", "voicemail"), row.time_min - t)
            answered.append(out)
        common = answered[0].keys() & answered[1].keys()
        total += len(common)
        same += sum(answered[0][k][0] == answered[1][k][0] for k in common)
        soon = [k for k in common if answered[0][k][1] == answered[1][k][1]]
        total_soon += len(soon)
        same_soon += sum(answered[0][k][0] == answered[1][k][0] for k in soon)
    return (total, same / total if total else float("nan"),
            total_soon, same_soon / total_soon if total_soon else float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--ninety-day", action="store_true", help="the 90-day, 800-list, 6-leads-a-day, 3-rep scenario")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--agreement", nargs=2, metavar=("A", "B"), default=("one_and_done", "five_and_stop"))
    ap.add_argument("--agreement-replications", type=int, default=3)
    args = ap.parse_args()
    sc = sim.Scenario(**NINETY_DAY) if args.ninety_day else load_scenario(args.scenario)
    print(f"{sc.name}: {args.replications} replications, seed {sc.seed}, baseline {sc.baseline}\n")
    print("| strategy | close-rate difference (points) | paired / unpaired interval width | correlation "
          "| sd of the paired difference (points) | replications for a +-0.5 point interval |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, diff, ratio, corr, sd, need in ratios(sc, args.replications, args.workers):
        print(f"| {name} | {diff:+.2f} | {ratio:.2f} | {corr:.2f} | {sd:.2f} | {need} |")
    a, b = args.agreement
    n, share, n_soon, share_soon = callback_agreement(sc, a, b, args.agreement_replications)
    print(f"\nSame reach-out, first callback answered in both or neither ({a} vs {b}, "
          f"{args.agreement_replications} replications): {100 * share:.1f}% of {n}; "
          f"among callbacks made equally soon under both: {100 * share_soon:.1f}% of {n_soon}")


if __name__ == "__main__":
    main()
