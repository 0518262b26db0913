"""``followup-sim optimize`` as one library call: check everything, lock the results folder, search
and select (keeping each finished run for ``--resume``), write the folder.

The folder follows ``run``'s rules (``sim.folders``): checked before any simulating, written
through a hidden partial folder and renamed into place only when complete, so an interrupted
search never leaves complete-looking results; its finished runs stay in the partial folder and
``resume=True`` replays the search with them, running only what is missing.
"""
from __future__ import annotations

import json
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd
import yaml

from sim.experiment.cluster import check_dask
from sim.actions.folders import ResultsFolder
from sim.experiment.interrupts import Interrupted, RunInterrupted, exit_code_of, signals_raise
from sim.scenario.limits import check_run
from sim.scenario.loading import dump_scenario
from sim.present.output import now_utc, provenance, safe_csv
from sim.scenario.schema import Scenario
from sim.model.results import RunResult
from sim.optimize.answer import final_rows, sentences
from sim.optimize.search import Evaluator, Outcome, Progress, Settings, check_budget, optimize
from sim.experiment.distributed import cluster_address
from sim.optimize.front import write_front
from sim.optimize.report import build_report


def fingerprint(scenario: Scenario, settings: Settings) -> str:
    """What a resumed search must share with the interrupted one."""
    return repr(settings) + "\n" + dump_scenario(scenario)


def optimize_into_folder(scenario: Scenario, settings: Settings, out: Path, workers: int = 1,
                         dask: Optional[str] = None, force: bool = False, resume: bool = False,
                         progress: Optional[Progress] = None,
                         notify: Optional[Callable[[str], None]] = None, report: bool = False) -> tuple[Path, Outcome]:
    """Optimize and write the results folder ``out`` (with ``report``, report.html too); raises a
    UserError before simulating, or RunInterrupted on SIGINT/SIGTERM (the finished runs kept for
    ``resume``)."""
    notes: list[str] = []
    check_budget(settings, len(scenario.strategies))
    workers = check_run(scenario, workers, force=force, dask=dask is not None, notes=notes, runs=settings.budget)
    if dask is not None:
        check_dask(dask)
    started, t0 = now_utc(), time.perf_counter()
    folder = ResultsFolder(out, "optimize", scenario.name, fingerprint(scenario, settings), force=force, resume=resume)
    with signals_raise():
        try:
            with folder:
                kept = folder.finished_found(scenario.seed)
                cache = {(run.strategy, run.replication): dict(run.metrics) for run in kept.values()}
                if folder.rejected_note() and notify:
                    notify(folder.rejected_note())
                resumed = len(cache)
                if folder.discarded:
                    notes.append(f"an interrupted search's {folder.discarded} finished runs were discarded "
                                 "(--resume keeps them)")
                if cache:
                    notes.append(f"resuming: {len(cache)} runs were finished before")
                for note in notes if notify else ():
                    notify(note)
                counter = [max(kept, default=-1) + 1]

                def keep(key, metrics) -> None:  # a run's metrics only: the search needs nothing else
                    folder.save_found(counter[0], _metrics_only(key[0], key[1], metrics), key[0], key[1])
                    counter[0] += 1

                with ExitStack() as stack:
                    if dask is not None:

                        dask = stack.enter_context(cluster_address(dask))  # one local cluster for every batch
                    ev = Evaluator(scenario, workers, dask, cache, keep, progress, settings.budget)
                    outcome = optimize(scenario, settings, ev)
                info = {"kind": "optimize", "scenario": scenario.name, "seed": scenario.seed,
                        "settings": settings.text(), "objective": settings.objective.metric,
                        "constraints": [c.text() for c in settings.constraints], "budget": settings.budget,
                        "runs": outcome.runs, "simulated_runs": len(ev.cache) - resumed, "resumed_runs": resumed,
                        "stopped_by": outcome.stopped_by, "delta": outcome.delta, "alpha": settings.alpha,
                        "winner": outcome.winner, "separated": outcome.separated, "workers": workers,
                        "started": started.isoformat(timespec="seconds"),
                        "wall_seconds": round(time.perf_counter() - t0, 3), **provenance()}
                written = folder.commit(lambda tmp: write_files(tmp, scenario, outcome, ev, info, report))
        except (Interrupted, KeyboardInterrupt) as exc:
            saved = folder.saved_runs()
            raise RunInterrupted(saved, settings.budget, folder.partial if saved else None, exit_code_of(exc)) from None
    return written, outcome


def _metrics_only(strategy: str, replication: int, metrics: dict) -> RunResult:
    """A finished run of the search as a saved run holds it: its metrics, no tables."""
    empty = pd.DataFrame()
    return RunResult(strategy, replication, metrics, empty, empty, empty, np.zeros(0), np.zeros(0))


def best_block(outcome: Outcome, key: str, name: str) -> str:
    """A strategy block to paste under ``strategies:`` of a scenario."""
    data = dict(outcome.candidates[key].strategy)
    return yaml.safe_dump({name: data}, sort_keys=False, allow_unicode=True)


def write_files(tmp: Path, scenario: Scenario, outcome: Outcome, ev: Evaluator, info: dict,
                report: bool = False) -> None:

    (tmp / "scenario.yaml").write_text(dump_scenario(scenario), encoding="utf-8")
    rows = []
    for (key, rep), metrics in sorted(ev.cache.items()):
        if key in outcome.candidates:
            rows.append({"strategy": key, "origin": outcome.candidates[key].origin, "replication": rep,
                         "stage": "selection" if rep >= 1000 else "search", **metrics})
    safe_csv(pd.DataFrame(rows)).to_csv(tmp / "evaluations.csv", index=False)
    cands = [{"strategy": c.key, "origin": c.origin, "trial": c.trial, "params": json.dumps(c.params, sort_keys=True),
              **{f"search_{m}": c.means[m] for m in _shown(outcome)}} for c in outcome.candidates.values()]
    safe_csv(pd.DataFrame(cands)).to_csv(tmp / "candidates.csv", index=False)
    if outcome.winner is not None:
        safe_csv(pd.DataFrame(final_rows(outcome))).to_csv(tmp / "selection.csv", index=False)
        blocks = ["# Paste under `strategies:` in a scenario. Found by followup-sim optimize; see summary.md.",
                  "# The best cadence:", best_block(outcome, outcome.winner, "optimized")]
        if outcome.runner_up is not None:
            blocks += ["# The runner-up:", best_block(outcome, outcome.runner_up, "runner_up")]
        blocks += ["# Your current cadence (the scenario's baseline):", best_block(outcome, outcome.current, outcome.current)]
        (tmp / "best.yaml").write_text("\n".join(blocks), encoding="utf-8")
    (tmp / "summary.md").write_text(f"# Optimizing {scenario.name}\n\n{outcome.settings.text()}.\n\n"
                                    + "\n\n".join(sentences(outcome)) + "\n", encoding="utf-8")
    write_front(outcome, tmp / "plots" / "front.png")
    if report:
        blocks = {key: best_block(outcome, key, name) for key, name in
                  ((outcome.winner, "optimized"), (outcome.runner_up, "runner_up"), (outcome.current, outcome.current),
                   (outcome.closest, "closest")) if key is not None}
        html = build_report(scenario, outcome, blocks, tmp / "plots" / "front.png", info)
        (tmp / "report.html").write_text(html, encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")


def _shown(outcome: Outcome) -> list[str]:
    s = outcome.settings
    return list(dict.fromkeys([s.objective.metric, "complaints_per_1000", *(c.metric for c in s.constraints)]))
