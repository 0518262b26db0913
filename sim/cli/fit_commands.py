"""The commands that read a team's own data or search for a cadence: fit, optimize."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from sim.present.escape import for_console as _escape
from sim.scenario.limits import MAX_SEED
from sim.experiment.interrupts import RunInterrupted

from sim.cli.common import (
    SCENARIO_ARG, app, load_checked, out_console, say_interrupted, say_note, user_errors, with_progress,
)


@app.command()
def fit(
    activities: Path = typer.Argument(..., help="Activity CSV exported from your CRM (docs/activity-format.md).", show_default=False),
    mapping: Optional[Path] = typer.Option(None, "--mapping", "-m", help="YAML mapping of your export's columns and values "
                                           "(see mappings/); without it the columns are named as the format's fields."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Fitted scenario file (default: scenarios/<file name>_fitted.yaml)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Folder for fit.md and plots (default: results/fit-<scenario name>)."),
    max_bad_rows: Optional[int] = typer.Option(None, "--max-bad-rows", min=0,
                                               help="Stop if more rows than this cannot be read (default: 1% of the rows, at least 10)."),
    lookup: list[str] = typer.Option([], "--lookup", help="FIELD=PATH: read the mapping's lookup list for FIELD from PATH "
                                     "(by default it is the file named in the mapping, next to it). Repeatable."),
    drop_outlying_times: bool = typer.Option(False, "--drop-outlying-times",
                                             help="Leave out rows whose time lies far outside the log (listed in fit.md) "
                                                  "instead of stopping."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=0,
                                     help="Simulations of the fitted scenario (or summary model) to set beside the log "
                                          "(0: none; default 3; with --summary 200 of the summary model, and one engine run of "
                                          "the fitted scenario per 40 of them, 2 to 5)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes for those simulations."),
    cadence: Optional[str] = typer.Option(None, "--cadence", help="Use this preset as the team's strategy instead of "
                                          "the cadence read from the log (`followup-sim presets` lists them)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file and an earlier report folder of another fit."),
    summary: bool = typer.Option(False, "--summary", help="The file is a per-prospect summary (one row per prospect: "
                                 "attempts and outcome; docs/summary-format.md), not a log of touches."),
    segment: Optional[list[str]] = typer.Option(None, "--segment", help="With --summary: a column whose values are "
                                                "segments fitted apart (repeat for several)."),
    assume_reach: float = typer.Option(0.08, "--assume-reach", min=0.001, max=1.0,
                                       help="With --summary and no connected column: the answer chance per attempt "
                                            "assumed to split the sale chance into answering and selling."),
) -> None:
    """Fit the model to your own activity export: a scenario with 95% intervals, and a report comparing it with the log."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.fit.report import fit_and_write, parse_lookups, safe_name

    name = safe_name(activities.stem)
    out = out or Path("scenarios") / f"{name}_fitted.yaml"
    report = report or Path("results") / f"fit-{safe_name(out.stem)}"
    t0 = time.perf_counter()
    if summary or segment:
        _fit_summary(activities, mapping, segment or [], out, report, replications, assume_reach, cadence,
                     max_bad_rows, summary, quiet, force, t0)
        return
    replications = 3 if replications is None else replications
    try:
        with user_errors():
            lookups = parse_lookups(lookup)
            result, written = with_progress(
                "simulating the fitted scenario", replications or None, quiet,
                lambda progress: fit_and_write(activities, mapping, out, report, max_bad_rows, replications, workers,
                                               command=" ".join(["followup-sim"] + sys.argv[1:]), progress=progress,
                                               cadence=cadence, force=force, lookups=lookups,
                                               drop_outlying_times=drop_outlying_times, notify=say_note))
    except RunInterrupted as exc:
        say_interrupted("the fit's simulations stopped before their end; nothing was written", exc)
    if quiet:
        return
    tables.print_fit(out_console, result, str(activities))
    out_console.print(f"Wrote [bold]{_escape(str(written[0]))}[/] and [bold]{_escape(str(report))}/[/] "
                      f"({_escape(', '.join(p.name for p in written[1:]))}) "
                      f"in {time.perf_counter() - t0:.1f} s. Compare strategies on it: followup-sim run {_escape(str(written[0]))}",
                      highlight=False)


def _fit_summary(path: Path, mapping: Optional[Path], segments: list[str], out: Path, report: Path, replications: int,
                 assume_reach: float, cadence: Optional[str], max_bad_rows: Optional[int], summary: bool, quiet: bool,
                 force: bool, t0: float) -> None:
    """`fit --summary`: the per-prospect summary fit, its table and what it wrote."""
    from sim.present import console as tables
    from sim.scenario.errors import UserError
    from sim.fit.summary_report import fit_summary_and_write

    with user_errors():
        if not summary:
            raise UserError("--segment: only with --summary (segments are columns of a per-prospect summary)")
        for option, value in (("--cadence", cadence), ("--max-bad-rows", max_bad_rows)):
            if value is not None:
                raise UserError(f"{option}: not used with --summary (a summary with any unreadable row is refused)")
        reps = 200 if replications is None else replications  # summaries are quick to simulate
        result, comp, written = fit_summary_and_write(path, mapping, segments, out, report, reps, assume_reach,
                                                      command=" ".join(["followup-sim"] + sys.argv[1:]), force=force)
    if quiet:
        return
    tables.print_summary_fit(out_console, result, comp, str(path))
    out_console.print(f"Wrote [bold]{_escape(str(written[0]))}[/] and [bold]{_escape(str(report))}/[/] "
                      f"({_escape(', '.join(p.name for p in written[1:]))}) in {time.perf_counter() - t0:.1f} s.",
                      highlight=False)


@app.command()
def optimize(
    scenario: Path = SCENARIO_ARG,
    objective: Optional[str] = typer.Option(
        None, "--objective", help="Metric to make best, in its better direction (default: profit with a money: "
        "section, else close_rate), e.g. close_rate, sales, sales_per_rep_hour (sales per paid rep-hour: no money: section needed)."),
    constraint: Optional[list[str]] = typer.Option(
        None, "--constraint", "-c", help="METRIC<=N or METRIC>=N that the cadence must meet, judged with its 95% "
        "interval (repeatable), e.g. complaints_per_1000<=15, calls_per_rep_day_p95<=80, dropped_new_leads<=0."),
    budget: int = typer.Option(300, "--budget", "-b", help="Simulated runs in all: 60% for the search, the rest "
                               "for the final selection on fresh replications."),
    minutes: Optional[float] = typer.Option(None, "--minutes", help="Also stop within this much wall time (60% of it "
                                            "for the search, the selection by the end): the next runs start only if, at "
                                            "the time per run measured so far, they end in time; results then depend on "
                                            "speed."),
    search_replications: int = typer.Option(3, "--search-replications", min=1, max=50,
                                            help="Replications per cadence during the search."),
    delta: Optional[float] = typer.Option(None, "--delta", help="Indifference zone in the objective's units: "
                                          "differences smaller than this do not matter (default: 2% of your "
                                          "searched cadence's objective)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=MAX_SEED, help="Override the scenario's seed (also seeds the search)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes to run in parallel (same answer for any count)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder (default: results/<scenario name>-optimize)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value (repeatable)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no table."),
    force: bool = typer.Option(False, "--force", help="Replace a results folder of another scenario; allow more --workers than cores."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted search with its finished runs."),
    report: bool = typer.Option(False, "--report", help="Also write report.html (the answer, the best cadence, the "
                                "runner-up and yours, the trade-off front: one self-contained page)."),
) -> None:
    """Search for the best cadence for the scenario's team (the baseline strategy is 'your cadence'; the
    scenario's optimize: section says what may change), then pick the best few apart on fresh replications
    with a stated confidence."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.optimize.answer import console_table, sentences
    from sim.optimize.folder import optimize_into_folder
    from sim.optimize.goals import OptimizeError, objective_for, parse_constraint
    from sim.optimize.search import Settings
    from sim.optimize.space import space_of

    sc = load_checked(scenario, set_, seed=seed)
    t0 = time.perf_counter()
    try:
        with user_errors():
            if budget < 1:
                raise OptimizeError(f"--budget {budget}: give a number of simulated runs, e.g. --budget 300")
            if minutes is not None and not minutes > 0:
                raise OptimizeError(f"--minutes {minutes:g}: give a positive number of minutes")
            if delta is not None and not delta > 0:
                raise OptimizeError(f"--delta {delta:g}: give a positive difference in the objective's units")
            settings = Settings(objective_for(objective, sc), tuple(parse_constraint(c, sc) for c in constraint or []),
                                budget, search_replications, minutes, delta, space=space_of(sc.optimize))
            folder, outcome = with_progress(
                f"optimize {sc.name}", budget, quiet,
                lambda progress: optimize_into_folder(sc, settings, out if out is not None else
                                                      Path("results") / f"{sc.name}-optimize", workers, dask,
                                                      force, resume, progress, notify=say_note, report=report))
    except RunInterrupted as exc:
        kept = (f"; they are kept in {exc.partial}/: run the same command with --resume to continue"
                if exc.partial else "; nothing was kept")
        say_interrupted(f"{exc.done} runs of the search finished{kept}", exc)
    if not quiet:
        said = sentences(outcome)
        if outcome.winner is not None:
            headers, rows = console_table(outcome)
            tables.print_optimize(out_console, f"{sc.name}: the finalists on fresh replications (mean±95% interval)", headers, rows, said,
                                  "Runs: fresh replications each had; a dropped cadence stopped when the selection "
                                  "ruled it out, so its mean is over fewer. 'vs current' is paired over the runs both had.")
        else:
            tables.print_optimize(out_console, f"{sc.name}: no cadence met the constraints", [], [], said)
        out_console.print(f"Results written to [bold]{_escape(str(folder))}/[/] in {time.perf_counter() - t0:.1f} s "
                          f"({outcome.runs} runs; {'best.yaml, selection.csv, ' if outcome.winner else ''}"
                          f"candidates.csv, evaluations.csv, summary.md, plots/front.png{', report.html' if report else ''}).",
                          width=tables.WIDTH)
