"""Parameter recovery of `followup-sim fit`: simulate a known scenario on many seeds, export each
log as activities, fit it, and count how often each 95% interval covers the known value.

    .venv/bin/python bench/fit_recovery.py --seeds 40 --workers 2     # writes docs/fit-recovery.md
    .venv/bin/python bench/fit_recovery.py --sample                   # rewrites examples/activities_sample.csv

The acceptance band is the range a correct 95% interval's cover count stays in with probability
99% (binomial, from the number of seeds); it is computed, never tuned. Figures are printed and
written, not asserted (tests/test_fit_roundtrip.py asserts a shorter run).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.fit.recovery import (  # noqa: E402
    LARGE, RECOVERY_SCENARIO, recovery_scenario, recovery_table, round_trip, summary_check, truths, write_sample,
)

LABELS = {
    "reach_mean": ("population.reachability.mean", 100, "%"), "reach_concentration": ("population.reachability.concentration", 1, ""),
    "answer": ("conversation.hot.answer", 100, "%"), "answer_decay": ("conversation.hot.answer_decay", 1, " min"),
    "answer_shape": ("conversation.hot.answer_shape", 1, ""), "booked_show": ("conversation.booked_show", 100, "%"),
    "unqualified": ("conversation.unqualified", 100, "%"), "unsubscribe": ("conversation.unsubscribe", 100, "%"),
    "frequency_risk": ("complaints.frequency_risk", 100, "%"), "per_day": ("population.inbound.per_day", 1, ""),
}


def _g(v: float, scale: float, unit: str, digits: int = 3) -> str:
    return f"{v * scale:.{digits}g}{unit}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "fit-recovery.md")
    ap.add_argument("--sample", action="store_true", help="write examples/activities_sample.csv and its mapping instead")
    args = ap.parse_args()
    if args.sample:
        n = write_sample(ROOT / "examples" / "activities_sample.csv", ROOT / "examples" / "activities_sample.yaml")
        print(f"wrote examples/activities_sample.csv ({n:,} rows) and examples/activities_sample.yaml")
        return
    t0 = time.perf_counter()
    table = recovery_table(list(range(args.seeds)), workers=args.workers)
    wall = time.perf_counter() - t0
    compare = summary_check(seed=0, replications=5, workers=args.workers)
    t1 = time.perf_counter()
    large = round_trip(0, large=True)
    large_wall = time.perf_counter() - t1
    lines = [
        "# Fit recovery: do the 95% intervals cover the parameters the log was made with?", "",
        f"Command: `.venv/bin/python bench/fit_recovery.py --seeds {args.seeds} --workers {args.workers}` "
        f"({wall:.0f} s on this 2-core machine). Each seed simulates the known scenario below once "
        "(`sim/fit/recovery.py`, `RECOVERY_SCENARIO`), exports its event log as activities "
        "(`activities_from_events`, prospect ids relabelled at random as a CRM's would be), reads them back and fits them (`fit_activities`), exactly as "
        "`followup-sim fit` does.", "",
        f"Known scenario: {RECOVERY_SCENARIO['description']} Every other field is at the model's defaults.", "",
        f"**Band**: with {args.seeds} seeds, a correct 95% interval covers the truth in between `band low` and "
        "`band high` of them with probability 99% (binomial quantiles at 0.5% and 99.5%); computed, not tuned. "
        "`fitted in` counts the seeds where the log held enough data for the estimate.", "",
        "| parameter | truth | mean estimate | mean 95% interval | covered | band | within band |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        path, scale, unit = LABELS[r["parameter"]]
        lines.append(f"| `{path}` | {_g(r['truth'], scale, unit)} | {_g(r['mean estimate'], scale, unit)} | "
                     f"{_g(r['mean interval low'], scale, unit)} to {_g(r['mean interval high'], scale, unit)} | "
                     f"{int(r['covered'])} of {int(r['fitted in'])} | {int(r['band low'])} to {int(r['band high'])} | "
                     f"{'yes' if r['within band'] else '**no**'} |")
    lines += [
        "", "Intervals: Clopper-Pearson or Garwood for shares and counts, Wald (from the observed information) "
        "for reachability, profile likelihood for the hot answer window (`fit_estimators.fit_answering`) and "
        "for `frequency_risk`. The window needs it: with the shared lead queue (`team.queue.routing: shared`) "
        "most first calls come at a few delays only (at once after a returned voicemail, exactly at the "
        "first-response delay), few while the window closes, and the window's log-likelihood is far from "
        "quadratic; the estimate +- 1.96 standard errors covered `answer_decay` in only 32 of these 40 seeds, "
        "with unbiased estimates (mean 14.9 min) whose spread matched that of logs drawn from the fit's own model.",
        "", "## The fitted scenario beside the log (seed 0)", "",
        "The scenario fitted to seed 0's log, simulated under the cadence read from the log (`as_logged`), "
        "5 replications; intervals: exact for the log, t over replications for the simulation.", "",
        "| figure | log | log 95% | simulated | simulated 95% |", "|---|---|---|---|---|",
    ]
    for _, r in compare.iterrows():
        lines.append(f"| {r['figure']} | {r['log']:.3g} | {r['log_low']:.3g} to {r['log_high']:.3g} | "
                     f"{r['simulated']:.3g} | {r['sim_low']:.3g} to {r['sim_high']:.3g} |")
    lines += [
        "", "## Ten times larger (one seed)", "",
        "The same scenario with 15,000 listed prospects, 200 leads a day and 30 reps (about 120,000 activity "
        f"rows; simulation, export and fit took {large_wall:.0f} s): intervals about three times narrower, "
        "so a bias too small to show over 40 small logs would show here.", "",
        "| parameter | truth | estimate | 95% interval | covered |", "|---|---|---|---|---|",
    ]
    truth = truths(recovery_scenario(0, **LARGE))
    for key, got in large.items():
        if key == "seed" or got is None:
            continue
        path, scale, unit = LABELS[key]
        lines.append(f"| `{path}` | {_g(truth[key], scale, unit)} | {_g(got[0], scale, unit)} | "  # 4 digits: narrow intervals
                     f"{_g(got[1], scale, unit, 4)} to {_g(got[2], scale, unit, 4)} | {'yes' if got[3] else '**no**'} |")
    lines += [
        "", "## What is not checked here", "",
        "Parameters the fit leaves at their defaults (the readiness chain, outcome shares by readiness, the "
        "annoyance rule's shape: see `sim/fit/fitting.py`, `NOT_IDENTIFIED`) are the simulation's defaults too, so the "
        "comparison above does not test them. The inferred cadence, working hours, team size and arrival "
        "profile have no intervals; they are checked by the comparison, not by coverage.", "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(table.to_string())
    print(compare.to_string())
    print(f"wrote {args.out} in {wall:.0f} s")


if __name__ == "__main__":
    main()
