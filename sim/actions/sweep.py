"""Sweeps: vary one or two scenario fields over a grid and collect every strategy's outcomes.

Every grid point runs on the same seeds (common random numbers), so the curves differ only
because of the parameter. Jobs of all points are pooled so every worker stays busy.
"""
from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd
import yaml

from sim.experiment.jobs import Experiment, Job, Progress, experiment_jobs, map_runs
from sim.scenario.limits import MAX_SWEEP_POINTS
from sim.scenario.loading import ScenarioError, dump_scenario, with_fields
from sim.scenario.schema import Scenario
from sim.experiment.stats import summarize
from sim.scenario.strategies import display_names
from sim.experiment.cluster import check_dask
from sim.actions.folders import ResultsFolder, run_in_folder
from sim.scenario.limits import check_run, run_memory_mb
from sim.present.output import now_utc, provenance, safe_csv
from sim.present.sweep_plots import write_sweep_plots


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
    scenarios = sweep_scenarios(scenario, params)
    jobs = sweep_jobs(scenarios, scenario.replications if replications is None else replications)
    return sweep_table(params, scenarios, jobs, map_runs(jobs, workers, dask, progress))


def sweep_scenarios(scenario: Scenario, params: list[tuple[str, list[Any]]]) -> list[Scenario]:
    """The scenario of every grid point, each validated (ScenarioError before any run)."""
    if not 1 <= len(params) <= 2:
        raise ScenarioError("a sweep varies one or two parameters")
    names = [name for name, _ in params]
    if len(set(names)) != len(names):
        raise ScenarioError(f"--param {names[0]} is given twice; a sweep varies two different fields")
    for name, values in params:
        if not values:
            raise ScenarioError(f"--values for {name} is empty; give comma-separated values, e.g. 1,3,5")
    points = math.prod(len(values) for _, values in params)
    if points > MAX_SWEEP_POINTS:
        raise ScenarioError(f"the sweep has {points:,} points ({' x '.join(str(len(v)) for _, v in params)}); "
                            f"the limit is {MAX_SWEEP_POINTS}")
    return [with_fields(scenario, point, "sweep " + ", ".join(f"{k}={v}" for k, v in point.items()))
            for point in grid(params)]


def sweep_jobs(scenarios: list[Scenario], reps: int) -> list[Job]:
    return [job for sc in scenarios for job in experiment_jobs(sc, reps)]


def sweep_table(params, scenarios: list[Scenario], jobs: list[Job], results: list) -> pd.DataFrame:
    points = grid(params)
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


def parse_values(param: str, text: str) -> list[Any]:
    """``--values 1,3,5`` as a list of YAML values, or ScenarioError saying what is wrong."""
    values = []
    for chunk in text.split(","):
        if not chunk.strip():
            continue
        try:
            values.append(yaml.safe_load(chunk))
        except (yaml.YAMLError, RecursionError):
            raise ScenarioError(f"--values {text!r} for {param}: {chunk.strip()!r} is not a value "
                                "(write plain values separated by commas, e.g. 1,3,5 or 2d,5d)") from None
    if not values:
        raise ScenarioError(f"--values {text!r} for {param}: no values; give comma-separated values, e.g. 1,3,5")
    return values


def sweep_into_folder(scenario: Scenario, params: list[tuple[str, list[Any]]], out: Path, workers: int = 1,
                      dask: Optional[str] = None, force: bool = False, progress: Optional[Progress] = None,
                      notify: Optional[Callable[[str], None]] = None) -> tuple[Path, int, pd.DataFrame]:
    """Run a sweep and write sweep.csv, scenario.yaml, plots/sweep.png and manifest.json into ``out``.

    Every grid point is validated, the size checked (``sim.scenario.limits``) and the folder checked and
    locked before any run; returns (folder, runs, the sweep table). Raises ScenarioError, folders.OutputError,
    limits.LimitError, cluster.ClusterError or runner.RunInterrupted."""

    scenarios = sweep_scenarios(scenario, params)
    jobs = sweep_jobs(scenarios, scenario.replications)
    notes: list[str] = []
    largest = max(scenarios, key=lambda sc: run_memory_mb(sc)[0])
    workers = check_run(largest, workers, force=force, dask=dask is not None, runs=len(jobs), notes=notes)
    for note in notes if notify else ():
        notify(note)
    if dask is not None:
        check_dask(dask)
    started, t0 = now_utc(), time.perf_counter()
    folder = ResultsFolder(out, "sweep", scenario.name, force=force)

    def write(tmp: Path, table: pd.DataFrame) -> None:
        safe_csv(table).to_csv(tmp / "sweep.csv", index=False)
        (tmp / "scenario.yaml").write_text(dump_scenario(scenario), encoding="utf-8")
        write_sweep_plots(table, [p for p, _ in params], tmp / "plots", display_names(scenario.strategies))
        info = {"kind": "sweep", "scenario": scenario.name, "seed": scenario.seed,
                "replications": scenario.replications, "grid": {p: v for p, v in params},
                "points": len(scenarios), "workers": workers, "started": started.isoformat(timespec="seconds"),
                "wall_seconds": round(time.perf_counter() - t0, 3), **provenance()}
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")

    written, table = run_in_folder(
        folder, lambda _folder: sweep_table(params, scenarios, jobs, map_runs(jobs, workers, dask, progress)),
        write, 0, notify)
    return written, len(jobs), table
