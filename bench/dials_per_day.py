"""Calls per rep-day on scenarios/baseline.yaml, per preset, with manual dialing (the default)
and with a power dialer's durations: the mean, the 95th percentile and the busiest week (the
highest weekly mean), averaged over replications, and the tasks dropped because the team was
behind. Used for the figures of docs/model.md section 3.6.

    .venv/bin/python bench/dials_per_day.py [REPLICATIONS]
"""
from __future__ import annotations

import sys

import numpy as np

import sim
from sim.scenario.loading import load_scenario


def main(replications: int = 5) -> None:
    for dialing in ("manual", "power_dialer"):
        sc = load_scenario("scenarios/baseline.yaml", [f"durations.dialing={dialing}"])
        print(f"dialing: {dialing} ({replications} replications)")
        print(f"{'strategy':26s} {'mean':>6s} {'p95':>6s} {'peak week':>10s} {'dropped':>8s}")
        for name in sc.strategies:
            rows = []
            for r in range(replications):
                res = sim.run_replication(sc, name, r)
                days = res.rep_days.assign(week=res.rep_days["day"] // 7)
                rows.append((res.metrics["calls_per_rep_day_mean"], res.metrics["calls_per_rep_day_p95"],
                             days.groupby("week")["calls"].mean().max(), res.metrics["dropped_tasks"]))
            m = np.mean(rows, axis=0)
            print(f"{name:26s} {m[0]:6.1f} {m[1]:6.1f} {m[2]:10.1f} {m[3]:8.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
