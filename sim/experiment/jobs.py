"""Run every strategy of a scenario for every replication, serially or across processes.

Each (strategy, replication) is the pure function ``run_replication``; the runner only maps
it and collects the results in a fixed order, so any worker count gives identical output.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Optional

import pandas as pd

from sim.model.engine import run_replication
from sim.experiment.interrupts import worker_init
from sim.model.results import RunResult
from sim.scenario.schema import Scenario

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


@dataclass(frozen=True)
class Job:
    """One run: a strategy of a scenario for one replication (with or without its event log)."""

    scenario: Scenario
    strategy: str
    replication: int
    event_log: bool = False


def _one(job: Job) -> RunResult:
    return run_replication(job.scenario, job.strategy, job.replication, job.event_log)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def map_runs(jobs: list[Job], workers: int = 1, dask: Optional[str] = None,
             progress: Optional[Progress] = None, finished: Optional[dict[int, RunResult]] = None,
             on_result: Optional[Callable[[int, RunResult], None]] = None) -> list[RunResult]:
    """Run jobs; results come back in job order.

    ``finished``: results already at hand by job index (a resumed run), not run again.
    ``on_result(i, result)`` is called as each run finishes (to keep it on disk).
    On any exception, SIGINT or SIGTERM included, pending runs are cancelled and the worker
    processes are stopped before the exception goes on."""
    results: list[Optional[RunResult]] = [None] * len(jobs)
    for i, res in (finished or {}).items():
        results[i] = res
    todo = [i for i in range(len(jobs)) if results[i] is None]
    done = len(jobs) - len(todo)
    if progress and done:
        progress(done, len(jobs))

    def finish(i: int, res: RunResult) -> None:
        nonlocal done
        results[i] = res
        done += 1
        if on_result:
            on_result(i, res)
        if progress:
            progress(done, len(jobs))

    if dask is not None:
        from sim.experiment.distributed import map_on_dask  # imported here: Dask is an optional extra

        for k, res in map_on_dask(_one, [jobs[i] for i in todo], dask):
            finish(todo[k], res)
    elif workers <= 1 or len(todo) <= 1:
        for i in todo:
            finish(i, _one(jobs[i]))
    else:
        # Workers hand results over in files and send only the file name down the pipe: a worker
        # stopped while sending a large result would leave half a message in the pipe, and the
        # pool's reader thread would wait for the rest forever (and the interpreter for it).
        store = tempfile.mkdtemp(prefix="followup-sim-runs-")
        pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=worker_init)
        try:
            futures = {pool.submit(_one_into_file, jobs[i], os.path.join(store, f"{i}.pickle")): i for i in todo}
            for fut in as_completed(futures):
                finish(futures[fut], _take(fut.result()))
        except BaseException:
            stop_pool(pool)
            raise
        finally:
            shutil.rmtree(store, ignore_errors=True)
        pool.shutdown(wait=True)
    return [r for r in results if r is not None]


def _one_into_file(job: Job, path: str) -> str:
    """Run one job in a worker and write its result to ``path`` (whole, or not at all)."""
    result = _one(job)
    with open(path + ".tmp", "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + ".tmp", path)
    return path


def _take(path: str) -> RunResult:
    with open(path, "rb") as fh:
        result = pickle.load(fh)
    os.unlink(path)
    return result


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes now (not after their current run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + 2.0
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


def run_experiment(
    scenario: Scenario,
    replications: Optional[int] = None,
    workers: int = 1,
    event_log: bool = False,
    progress: Optional[Progress] = None,
    strategies: Optional[list[str]] = None,
    dask: Optional[str] = None,
    finished: Optional[dict[int, RunResult]] = None,
    on_result: Optional[Callable[[int, RunResult], None]] = None,
) -> Experiment:
    """Every strategy x replication of a scenario, on common random numbers (``finished`` and
    ``on_result``: see ``map_runs``; jobs are numbered strategy by strategy, replication within)."""
    jobs = experiment_jobs(scenario, replications, event_log, strategies)
    return Experiment(scenario, map_runs(jobs, workers, dask, progress, finished, on_result))


def experiment_jobs(scenario: Scenario, replications: Optional[int] = None, event_log: bool = False,
                    strategies: Optional[list[str]] = None, first: int = 0) -> list[Job]:
    """Jobs strategy by strategy, replications ``first`` .. ``replications - 1`` within each."""
    reps = scenario.replications if replications is None else replications
    names = strategies or list(scenario.strategies)
    return [Job(scenario, name, r, event_log) for name in names for r in range(first, reps)]
