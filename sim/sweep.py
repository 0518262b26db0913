"""Sweeps: vary one or two scenario fields over a grid and collect every strategy's outcomes.

Every grid point runs on the same seeds (common random numbers), so the curves differ only
because of the parameter. Jobs of all points are pooled so every worker stays busy.
"""
from __future__ import annotations

import itertools
from typing import Any, Optional

import pandas as pd

from .experiment import Experiment, Progress, map_runs
from .loading import with_fields
from .scenario import Scenario
from .stats import summarize


def grid(params: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the parameter values, first parameter varying slowest."""
    names = [name for name, _ in params]
    return [dict(zip(names, combo)) for combo in itertools.product(*(values for _, values in params))]


def run_sweep(
    scenario: Scenario,
    params: list[tuple[str, list[Any]]],
    replications: Optional[int] = None,
    workers: int = 1,
    dask: Optional[str] = None,
    progress: Optional[Progress] = None,
) -> pd.DataFrame:
    """Tidy table: one column per parameter, then strategy, metric, mean, ci_low, ci_high, n."""
    if not 1 <= len(params) <= 2:
        raise ValueError("a sweep varies one or two parameters")
    points = grid(params)
    scenarios = [with_fields(scenario, point, "sweep " + ", ".join(f"{k}={v}" for k, v in point.items()))
                 for point in points]
    reps = scenario.replications if replications is None else replications
    jobs = [(sc, name, r, False) for sc in scenarios for name in sc.strategies for r in range(reps)]
    results = map_runs(jobs, workers, dask, progress)
    frames = []
    per_point = len(jobs) // len(points)
    for i, (point, sc) in enumerate(zip(points, scenarios)):
        exp = Experiment(sc, results[i * per_point:(i + 1) * per_point])
        summary = summarize(exp.runs(), sc.baseline)
        summary = summary[~summary["metric"].str.endswith("_vs_baseline")]
        for name, value in reversed(list(point.items())):
            summary.insert(0, name, str(value) if not isinstance(value, (int, float)) else value)
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)
