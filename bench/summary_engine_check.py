"""The fitted scenario of a per-prospect summary, run by the engine, beside the log: draw the
bank-marketing look-alike (sim/fit/summary_lookalike.py), run `followup-sim fit --summary --segment
contact --segment poutcome` and then `followup-sim run` of the fitted scenario as a user does, and
print the four checks of #27 (real vs simulated as_logged) as a markdown table, with the wall times.

    .venv/bin/python bench/summary_engine_check.py --seed 1 --rows 41188 --out /tmp/lookalike   # docs/summary-recovery.md
    .venv/bin/python bench/summary_engine_check.py --misspecified --seed 1 --out /tmp/misspecified

``--misspecified`` draws a campaign the fit's model does not describe (``draw_misspecified``).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.fit.summary_lookalike import ROWS, SEGMENTS, draw_lookalike, draw_misspecified  # noqa: E402


def checks(log: pd.DataFrame, summary: pd.DataFrame) -> list[tuple[str, float, float, float, float, str]]:
    """(figure, log, simulated, difference, tolerance, unit) of each check."""
    s = summary[summary["strategy"] == "as_logged"].set_index("metric")["mean"]
    won, n = log["outcome"] == "won", log["attempts"]
    rows = [("close rate (%)", 100 * won.mean(), 100 * s["close_rate"], 1.5, "points")]
    for label, lo, hi in (("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5-12", 5, 12)):
        real = 100 * (won & (n >= lo) & (n <= hi)).sum() / won.sum()
        sim = 100 * sum(s[f"sales_attempt_{k}"] for k in range(lo, hi + 1)) / s["sales"]
        rows.append((f"share of sales on attempt {label} (%)", real, sim, 6, "points"))
    real, sim = n.mean(), s["calls"] / s["prospects"]
    rows.append(("attempts per prospect", real, sim, 15, "%"))
    for col in SEGMENTS:
        for value, g in log.groupby(col):
            rows.append((f"close rate (%), {col}={value}", 100 * (g["outcome"] == "won").mean(),
                         100 * s[f"segment_{col}_{value}_close_rate"], 5, "points"))
    out = []
    for name, real, sim, tol, unit in rows:
        diff = abs(sim - real) if unit == "points" else 100 * abs(sim / real - 1)
        out.append((name, real, sim, diff, tol, unit))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", type=int, default=ROWS)
    ap.add_argument("--out", type=Path, required=True, help="a new folder for the log, the fit and the run")
    ap.add_argument("--misspecified", action="store_true", help="a campaign the fit's model does not describe")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=False)
    log = (draw_misspecified if a.misspecified else draw_lookalike)(a.seed, a.rows)
    log.to_csv(a.out / "campaign.csv", index=False)
    py = [sys.executable, "-m", "sim"]
    t0 = time.perf_counter()
    subprocess.run(py + ["fit", str(a.out / "campaign.csv"), "--summary", "--segment", "contact", "--segment",
                         "poutcome", "--out", str(a.out / "fitted.yaml"), "--report", str(a.out / "fit"), "--quiet"],
                   check=True, cwd=ROOT)
    t1 = time.perf_counter()
    subprocess.run(py + ["run", str(a.out / "fitted.yaml"), "--out", str(a.out / "run"), "--quiet"], check=True, cwd=ROOT)
    t2 = time.perf_counter()
    print(f"fit {t1 - t0:.1f} s, run {t2 - t1:.1f} s (wall)\n")
    print("| figure | log | as_logged, simulated | difference | target | met |\n|---|---|---|---|---|---|")
    for name, real, sim, diff, tol, unit in checks(log, pd.read_csv(a.out / "run" / "summary.csv")):
        print(f"| {name} | {real:.3g} | {sim:.3g} | {diff:.2g} {unit} | {tol:g} {unit} | {'yes' if diff <= tol else 'NO'} |")


if __name__ == "__main__":
    main()
