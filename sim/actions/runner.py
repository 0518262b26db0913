"""``followup-sim run`` as one library call: check the output folder and the size of the run,
lock the folder, run (keeping each finished run as it finishes), write the results.

Everything that can refuse the run is checked before the first replication starts. On SIGINT
or SIGTERM the workers are stopped, the finished runs stay in the hidden partial folder and
``RunInterrupted`` says how many; ``resume=True`` runs only the missing ones, and the results
equal those of an uninterrupted run with the same seed.
"""
from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import pandas as pd

from sim.experiment.cluster import check_dask
from sim.experiment.jobs import Experiment, Progress, experiment_jobs, map_runs
from sim.actions.folders import OutputError, ResultsFolder, run_in_folder
from sim.scenario.limits import check_run
from sim.scenario.loading import dump_scenario
from sim.present.output import manifest, now_utc, write_run_files
from sim.scenario.schema import Scenario
from sim.experiment.stats import summarize
from sim.experiment.precision import check_target
from sim.experiment.precision import run_to_precision
from sim.present.report import write_report

if TYPE_CHECKING:
    from sim.experiment.precision import Stop, Target


@dataclass
class RunOutcome:
    experiment: Experiment
    summary: pd.DataFrame
    folder: Path
    resumed: int  # runs taken from an interrupted run
    workers: int
    stop: Optional["Stop"] = None  # a --precision run: where and why it stopped


def fingerprint(scenario: Scenario, events: bool) -> str:
    """What a resumed run must share with the interrupted one: the resolved scenario (seed and
    replications included) and whether event logs are kept (their format is chosen at writing)."""
    return f"events: {events}\n" + dump_scenario(scenario)


def run_into_folder(scenario: Scenario, out: Path, workers: int = 1, events: bool = False, plots: bool = True,
                    dask: Optional[str] = None, force: bool = False, resume: bool = False,
                    progress: Optional[Progress] = None,
                    notify: Optional[Callable[[str], None]] = None, report: bool = False,
                    events_format: str = "parquet", precision: Optional["Target"] = None,
                    max_replications: int = 0) -> RunOutcome:
    """Run every strategy x replication of ``scenario`` and write the results folder ``out``
    (with ``report``, report.html too, written before the folder is put in place).

    Raises ``folders.OutputError``, ``limits.LimitError`` or ``cluster.ClusterError`` before simulating,
    ``RunInterrupted`` on SIGINT/SIGTERM (installed here when called from the main thread).
    ``notify(text)`` receives notes for the user (workers capped, runs resumed or discarded).

    With a ``precision`` target, replications are added in batches until it is met or
    ``max_replications`` are run (``sim.experiment.precision``); the folder then holds the replications
    kept, as a fixed run of that many would, and the manifest says why it stopped
    (``RunOutcome.stop``). Such a run cannot be resumed."""
    notes: list[str] = []
    if precision is not None:

        if resume:
            raise OutputError("--resume cannot finish a --precision run: run it again without --resume")
        check_target(scenario, precision, max_replications)
    runs = len(scenario.strategies) * (max_replications if precision is not None else scenario.replications)
    workers = check_run(scenario, workers, events, force=force, dask=dask is not None, notes=notes, runs=runs)
    if dask is not None:
        check_dask(dask)
    if events and events_format == "parquet" and importlib.util.find_spec("pyarrow") is None:  # events.parquet is written after the run
        raise OutputError("--events writes events.parquet, which needs pyarrow: pip install 'followup-sim[parquet]'")
    started, t0 = now_utc(), time.perf_counter()
    jobs = experiment_jobs(scenario, event_log=events)
    folder = ResultsFolder(out, "run", scenario.name, fingerprint(scenario, events), force=force, resume=resume)
    state: dict = {}

    def compute(folder: ResultsFolder) -> tuple:
        sc = scenario
        finished = folder.finished(jobs)
        state["resumed"] = len(finished)
        if folder.discarded:
            notes.append(f"an interrupted run's {folder.discarded} finished runs were discarded "
                         "(--resume keeps them)")
        if folder.rejected_note():
            notes.append(folder.rejected_note())
        if finished:
            notes.append(f"resuming: {len(finished)} of {len(jobs)} runs were finished before")
        for note in notes if notify else ():
            notify(note)
        stop = None
        if precision is None:
            results = map_runs(jobs, workers, dask, progress, finished=finished, on_result=folder.save)
        else:

            sc, results, stop = run_to_precision(sc, precision, max_replications, workers, dask, progress, events)
        exp = Experiment(sc, results)
        summary = summarize(exp.runs(), sc.baseline)
        extra = {"resumed_runs": len(finished)} if resume else {}
        if stop is not None:
            extra["precision"] = stop.manifest()
        info = manifest(exp, started, time.perf_counter() - t0, sc.replications, workers, extra=extra or None)
        return exp, summary, stop, info

    def write(tmp: Path, value: tuple) -> None:
        exp, summary, _stop, info = value
        write_run_files(exp, summary, tmp, info, events, plots, events_format)
        if report:

            write_report(tmp)

    written, (exp, summary, stop, _info) = run_in_folder(folder, compute, write, len(jobs), notify)
    return RunOutcome(exp, summary, written, state["resumed"], workers, stop)
