"""Run every strategy of a scenario for every replication, serially or across processes.

Each (strategy, replication) is the pure function ``run_replication``; the runner only maps
it and collects the results in a fixed order, so any worker count gives identical output.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Optional

import pandas as pd

from .engine import run_replication
from .results import RunResult
from .scenario import Scenario

Progress = Callable[[int, int], None]


@dataclass
class Experiment:
    scenario: Scenario
    results: list[RunResult]

    @property
    def strategies(self) -> list[str]:
        return list(self.scenario.strategies)

    def runs(self) -> pd.DataFrame:
        """One row per strategy and replication, a column per metric."""
        rows = [{"strategy": r.strategy, "replication": r.replication, **r.metrics} for r in self.results]
        return pd.DataFrame(rows)

    def series(self, name: str) -> pd.DataFrame:
        """A per-run table (``daily``, ``rep_days``, ``readiness``) stacked with strategy and replication columns."""
        frames = []
        for r in self.results:
            f = getattr(r, name).copy()
            f.insert(0, "replication", r.replication)
            f.insert(0, "strategy", r.strategy)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def response_times(self) -> pd.DataFrame:
        frames = [pd.DataFrame({"strategy": r.strategy, "replication": r.replication, "minutes": r.response_times})
                  for r in self.results]
        return pd.concat(frames, ignore_index=True)

    def events(self) -> Optional[pd.DataFrame]:
        if any(r.events is None for r in self.results):
            return None
        return self.series("events")


def _one(args: tuple) -> RunResult:
    scenario, strategy, replication, event_log = args
    return run_replication(scenario, strategy, replication, event_log)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def map_runs(jobs: list[tuple], workers: int = 1, dask: Optional[str] = None,
             progress: Optional[Progress] = None) -> list[RunResult]:
    """Run (scenario, strategy, replication, event_log) jobs; results come back in job order."""
    results: list[Optional[RunResult]] = [None] * len(jobs)
    done = 0

    def finished(i: int, res: RunResult) -> None:
        nonlocal done
        results[i] = res
        done += 1
        if progress:
            progress(done, len(jobs))

    if dask is not None:
        from .distributed import map_on_dask

        for i, res in map_on_dask(_one, jobs, dask):
            finished(i, res)
    elif workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            finished(i, _one(job))
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = {pool.submit(_one, job): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                finished(futures[fut], fut.result())
    return [r for r in results if r is not None]


def run_experiment(
    scenario: Scenario,
    replications: Optional[int] = None,
    workers: int = 1,
    event_log: bool = False,
    progress: Optional[Progress] = None,
    strategies: Optional[list[str]] = None,
    dask: Optional[str] = None,
) -> Experiment:
    """Every strategy x replication of a scenario, on common random numbers."""
    reps = scenario.replications if replications is None else replications
    names = strategies or list(scenario.strategies)
    jobs = [(scenario, name, r, event_log) for name in names for r in range(reps)]
    return Experiment(scenario, map_runs(jobs, workers, dask, progress))
