"""The followup-sim command line: parses arguments, calls the library, presents the result."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from sim.experiment import jobs as ex
from sim.scenario.errors import UserError
from sim.present.escape import for_console as _escape
from sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED
from sim.scenario.loading import load_scenario
from sim.experiment.precision import DEFAULT_MAX_REPLICATIONS, PrecisionError, parse_target
from sim.experiment.progress import PlainProgress
from sim.experiment.interrupts import RunInterrupted
from sim.scenario.schema import Scenario
from sim.scenario.strategies import display_names, strategy_key
from sim.scenario.templates import write_starter
from sim.scenario.units import format_duration

# Modules that bring in matplotlib or scipy.stats are imported inside the commands that use them
# ("imported here" below): `followup-sim --help`, `validate`, `schema` and `new` then start in
# 0.8 s of CPU instead of 1.8 s (python -X importtime -c "import sim.cli", user time).

app = typer.Typer(
    help="Simulate sales follow-up strategies and compare close rate, complaints and call load.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out_console = Console()
if not out_console.is_terminal:  # piped or captured: don't squeeze tables into 80 columns
    out_console = Console(width=120)
err_console = Console(stderr=True)


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def _user_errors() -> Iterator[None]:
    """The one error mapping: a ``UserError`` (a bad file, field, option or folder) is printed
    with its message and exit status 2, no traceback."""
    try:
        yield
    except UserError as exc:
        _fail(_escape(str(exc)))


def _interrupted(message: str, exc: RunInterrupted) -> None:
    """Ctrl-C or kill during a run: say what was kept, exit with the signal's status."""
    err_console.print(_escape(f"interrupted: {message}"), highlight=False)
    raise typer.Exit(code=exc.exit_code)


def _note(note: str) -> None:
    err_console.print(_escape(f"note: {note}"), highlight=False)


def _load(path: Path, overrides: Optional[list[str]], **fields) -> Scenario:
    with _user_errors():
        return load_scenario(path, overrides, **fields)


def _with_progress(label: str, total: Optional[int], quiet: bool, work):
    """Call ``work(progress)`` under a progress bar on stderr when stderr is a terminal, else with a
    plain line on stderr every few seconds (``sim.experiment.progress``); nothing with ``quiet``.
    ``progress(done, n)`` also sets the total, for work that only knows it once started."""
    if quiet:
        return work(None)
    if not sys.stderr.isatty():
        def write(line: str) -> None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

        return work(PlainProgress(label, write))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda done, n: bar.update(task, completed=done, total=n))


SCENARIO_ARG = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml", show_default=False)


@app.command()
def run(
    scenario: Path = SCENARIO_ARG,
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the scenario's replications."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=MAX_SEED, help="Override the scenario's seed."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes to run replications in parallel (same results for any count)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder (default: results/<scenario name>)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value (repeatable)."),
    events: bool = typer.Option(False, "--events", help="Also write the full event log to events.parquet."),
    events_format: str = typer.Option("parquet", "--events-format",
                                      help="With --events: 'parquet' (events.parquet, every event) or 'activities' "
                                           "(activities.csv, touches in the activity format that `fit` reads)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write comparison plots."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no table."),
    report: bool = typer.Option(False, "--report", help="Also write report.html (one self-contained page for a sales room)."),
    force: bool = typer.Option(False, "--force", help="Replace a results folder of another scenario; allow more --workers than cores."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run: run only the replications it did not finish."),
    precision: Optional[str] = typer.Option(
        None, "--precision", help="Add replications until every strategy's 95% interval of its difference from the "
        "baseline is this narrow: 0.5pp (close rate, percentage points) or METRIC=HALF_WIDTH, e.g. "
        "close_rate_vs_baseline=0.005."),
    max_replications: int = typer.Option(DEFAULT_MAX_REPLICATIONS, "--max-replications", min=2, max=MAX_REPLICATIONS,
                                         help="With --precision: stop here even if the target is not met."),
) -> None:
    """Run every strategy of a scenario for every replication and write the results folder."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.present.plots import notes as plot_notes
    from sim.actions.runner import run_into_folder

    if events_format not in ("parquet", "activities"):
        _fail(f"--events-format {events_format!r}: expected 'parquet' or 'activities'")
    target = None
    if precision is not None:
        if replications is not None:
            _fail("give --replications N or --precision, not both (--precision chooses the count, up to "
                  "--max-replications)")
        with _user_errors():
            target = parse_target(precision)
    sc = _load(scenario, set_, replications=replications, seed=seed)
    folder = out if out is not None else Path("results") / sc.name
    t0 = time.perf_counter()
    total = len(sc.strategies) * sc.replications if target is None else None
    label = (f"{sc.name}: {len(sc.strategies)} strategies x {sc.replications} replications" if target is None else
             f"{sc.name}: {len(sc.strategies)} strategies to {target.text()} (at most {max_replications} replications)")

    def work(progress):
        return run_into_folder(sc, folder, workers, events, plots, dask, force=force, resume=resume, progress=progress,
                               notify=_note, report=report, events_format=events_format, precision=target,
                               max_replications=max_replications)

    try:
        with _user_errors():
            try:
                outcome = _with_progress(label, total, quiet, work)
            except PrecisionError as exc:  # the target does not fit this scenario: name the file
                raise PrecisionError(f"{scenario}: {exc}") from None
    except RunInterrupted as exc:
        kept = (f"; they are kept in {exc.partial}/: run the same command with --resume to finish"
                if exc.partial else "; nothing was kept")
        _interrupted(f"{exc.done} of {exc.total} runs finished{kept}", exc)
    except ImportError as exc:
        _fail(_escape(f"cannot write results: {exc} (install the 'parquet' extra for --events)"))
    if not quiet:
        sc = outcome.experiment.scenario  # with --precision: the replications kept
        tables.print_summary(out_console, sc, outcome.summary, plot_notes(outcome.experiment) if plots else None)
        if outcome.stop is not None:
            tables.print_stop(out_console, outcome.stop)
        resumed = f", {outcome.resumed} runs resumed" if outcome.resumed else ""
        out_console.print(f"Results written to [bold]{_escape(str(outcome.folder))}/[/] in {time.perf_counter() - t0:.1f} s{resumed} "
                          f"(runs.csv, summary.csv, scenario.yaml, manifest.json{', plots/' if plots else ''}"
                          f"{(', events.parquet' if events_format == 'parquet' else ', activities.csv') if events else ''}"
                          f"{', report.html' if report else ''}).",
                          width=tables.WIDTH)


@app.command()
def sweep(
    scenario: Path = SCENARIO_ARG,
    param: list[str] = typer.Option(..., "--param", "-p", help="Field to vary, e.g. strategies.five.max_touches (once or twice)."),
    values: list[str] = typer.Option(..., "--values", "-v", help="Comma-separated values for the matching --param, e.g. 1,3,5,8."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the scenario's replications."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=MAX_SEED, help="Override the scenario's seed."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes to run in parallel."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder (default: results/<scenario name>-sweep)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field before sweeping: path=value."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    force: bool = typer.Option(False, "--force", help="Replace a results folder of another scenario; allow more --workers than cores."),
) -> None:
    """Vary one or two fields over a grid (same seeds at every point) and plot the outcome curves."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.actions.sweep import parse_values, sweep_into_folder

    if len(param) != len(values) or not 1 <= len(param) <= 2:
        _fail("give one or two --param options, each with its own --values list")
    sc = _load(scenario, set_, replications=replications, seed=seed)
    t0 = time.perf_counter()
    try:
        with _user_errors():
            params = [(p, parse_values(p, vs)) for p, vs in zip(param, values)]
            folder, total, table = _with_progress(
                f"sweep of {sc.name}", None, quiet,
                lambda progress: sweep_into_folder(
                    sc, params, out if out is not None else Path("results") / f"{sc.name}-sweep", workers, dask,
                    force, progress, notify=_note))
    except RunInterrupted as exc:
        _interrupted("the sweep stopped before its end; nothing was written", exc)
    if not quiet:
        tables.print_sweep(out_console, sc, table, [p for p, _ in params])
        out_console.print(f"Sweep of {total} runs written to [bold]{_escape(str(folder))}/[/] (sweep.csv, plots/sweep.png) "
                          f"in {time.perf_counter() - t0:.1f} s.", width=tables.WIDTH)


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

    sc = _load(scenario, set_, seed=seed)
    t0 = time.perf_counter()
    try:
        with _user_errors():
            if budget < 1:
                raise OptimizeError(f"--budget {budget}: give a number of simulated runs, e.g. --budget 300")
            if minutes is not None and not minutes > 0:
                raise OptimizeError(f"--minutes {minutes:g}: give a positive number of minutes")
            if delta is not None and not delta > 0:
                raise OptimizeError(f"--delta {delta:g}: give a positive difference in the objective's units")
            settings = Settings(objective_for(objective, sc), tuple(parse_constraint(c, sc) for c in constraint or []),
                                budget, search_replications, minutes, delta, space=space_of(sc.optimize))
            folder, outcome = _with_progress(
                f"optimize {sc.name}", budget, quiet,
                lambda progress: optimize_into_folder(sc, settings, out if out is not None else
                                                      Path("results") / f"{sc.name}-optimize", workers, dask,
                                                      force, resume, progress, notify=_note, report=report))
    except RunInterrupted as exc:
        kept = (f"; they are kept in {exc.partial}/: run the same command with --resume to continue"
                if exc.partial else "; nothing was kept")
        _interrupted(f"{exc.done} runs of the search finished{kept}", exc)
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


@app.command()
def story(
    scenario: Path = SCENARIO_ARG,
    strategy: str = typer.Option(..., "--strategy", "-s", help="Strategy to follow the prospect under: its key in the scenario or the name the outputs show."),
    prospect: Optional[int] = typer.Option(None, "--prospect", "-p", min=0, help="Prospect id to follow."),
    pick: Optional[str] = typer.Option(None, "--pick", help="Follow a typical prospect who was: sold, complained, lost or ignored."),
    replication: int = typer.Option(0, "--replication", "-r", min=0, help="Which replication (same prospects for every strategy)."),
    vs: Optional[str] = typer.Option(None, "--vs", help="A second strategy (key or shown name): the same prospect side by side."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value."),
) -> None:
    """Tell one prospect's run in plain words: every touch, the hidden state, the outcome and why."""
    from sim.present.story import PICKS, render, run_events, side_by_side, tell  # imported here: see the top of this file

    sc = _load(scenario, set_)
    keys = []
    for name in [strategy] + ([vs] if vs else []):
        key = strategy_key(sc.strategies, name)
        if key is None:
            shown = "; ".join(f"{k} ({n})" if n != k else k for k, n in display_names(sc.strategies).items())
            _fail(_escape(f"{scenario}: no strategy {name!r}; this scenario has (key, then the name shown): {shown}"))
        keys.append(key)
    strategy, vs = keys[0], (keys[1] if vs else None)
    if (prospect is None) == (pick is None):
        _fail("give exactly one of --prospect ID or --pick " + "|".join(PICKS))
    if pick is not None and pick not in PICKS:
        _fail(_escape(f"--pick {pick!r}: expected one of {', '.join(PICKS)}"))
    with _user_errors():
        if vs is None:
            typer.echo(render(tell(sc, strategy, prospect, pick, replication)))
            return
        other = run_events(sc, vs, replication)
        first = tell(sc, strategy, prospect, pick, replication, other=other)
        second = tell(sc, vs, first.prospect, None, replication, events=other)
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120
    typer.echo(side_by_side(first, second, width))


@app.command("report")
def report_(results: Path = typer.Argument(..., help="A results folder written by `followup-sim run`.", show_default=False),
            out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default: RESULTS/report.html).")) -> None:
    """Write report.html for a results folder: the question, the answer in sentences, every chart, the table."""
    from sim.present.report import write_report  # imported here: see the top of this file

    from sim.actions.folder_marker import add_file  # imported here: see the top of this file

    with _user_errors():
        path = write_report(results, out)
    if path.parent.resolve() == results.resolve():
        add_file(results, path.name)  # listed in the folder's manifest: a rerun replaces it with the rest
    out_console.print(f"Report written to [bold]{_escape(str(path))}[/] (one file: open it in any browser, no network needed).",
                      highlight=False)


@app.command()
def lesson(
    name: Optional[str] = typer.Argument(None, help="Lesson to run; leave out to list them.", show_default=False),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the lesson's replications."),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Processes to run replications in parallel."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder (default: results/lessons/NAME)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value (repeatable)."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="On a terminal, wait for Enter after the question."),
) -> None:
    """Classroom lessons: list them, or ask one's question, run it, answer from the numbers, write the report."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.present.lessons import answer, find_lesson, list_lessons
    from sim.actions.runner import run_into_folder

    if name is None:
        tables.print_lessons(out_console, list_lessons())
        return
    with _user_errors():
        found = find_lesson(name)
    sc = _load(found.path, set_, replications=replications)
    out_console.print(f"[bold]Question:[/] {_escape(found.question or '(this lesson has no question)')}", highlight=False)
    if sc.description:
        out_console.print(_escape(" ".join(sc.description.split())), highlight=False, style="dim")
    if wait and sys.stdin.isatty() and sys.stdout.isatty():
        out_console.input("\nAsk the room, then press Enter to run the lesson... ")
    folder = out if out is not None else Path("results") / "lessons" / found.name
    t0 = time.perf_counter()
    try:
        with _user_errors():
            outcome = _with_progress(
                f"{found.name}: {len(sc.strategies)} strategies x {sc.replications} replications",
                len(sc.strategies) * sc.replications, False,
                lambda progress: run_into_folder(sc, folder, workers, progress=progress, report=True, notify=_note))
    except RunInterrupted as exc:
        _interrupted(f"{exc.done} of {exc.total} runs finished; run the lesson again", exc)
    out_console.print("\n[bold]Answer:[/]")
    for sentence in answer(sc, outcome.summary, outcome.experiment.runs(), found.name):
        out_console.print(_escape(f"- {sentence}"), highlight=False)
    out_console.print(f"\nReport: [bold]{_escape(str(outcome.folder / 'report.html'))}[/] (open it in a browser; "
                      f"results in {_escape(str(outcome.folder))}/, {time.perf_counter() - t0:.1f} s).", highlight=False)


@app.command()
def calibrate(
    replications: int = typer.Option(5, "--replications", "-r", min=2, help="Replications of each reference experiment."),
    seed: int = typer.Option(2026, "--seed", min=0, max=MAX_SEED, help="Seed of the reference experiments."),
    workers: int = typer.Option(ex.default_workers(), "--workers", "-w", min=1,
                                help="Processes to run in parallel (same results for any count)."),
    scenario: Optional[Path] = typer.Option(
        None, "--scenario", "-s", help="Check this scenario's model (readiness, conversation, complaints, durations, "
        "reachability, tolerance) instead of the defaults."),
    out: Path = typer.Option(Path("results") / "calibration", "--out", "-o", help="Results folder."),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Write calibration.png."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no table."),
    force: bool = typer.Option(False, "--force", help="Replace the --out folder even if it holds other results."),
) -> None:
    """Run reference experiments and set the model beside the published figures (docs/model.md, "published figures")."""
    from sim.present import console as tables  # imported here: see the top of this file
    from sim.actions.calibration import calibrate_into_folder, display_rows, model_of
    from sim.present.output import now_utc, provenance

    model = model_of(_load(scenario, None)) if scenario is not None else None
    started, t0 = now_utc(), time.perf_counter()
    info = {"seed": seed, "replications": replications, "workers": workers,
            "model": str(scenario) if scenario else "defaults", "started": started.isoformat(timespec="seconds"),
            **provenance()}
    try:
        with _user_errors():
            table, folder = _with_progress(
                f"calibration: {replications} replications", None, quiet,
                lambda progress: calibrate_into_folder(replications, seed, workers, out, info, plot, model, force,
                                                       progress))
    except RunInterrupted as exc:
        _interrupted("the calibration stopped before its end; nothing was written", exc)
    if quiet:
        return
    met, targets = tables.print_calibration(
        out_console, display_rows(table), f"Calibration: model {'of ' + str(scenario) if scenario else 'defaults'} vs "
        f"published figures ({replications} replications, seed {seed})")
    out_console.print(f"{met} of {targets} figures met. Written to [bold]{_escape(str(folder))}/[/] (calibration.csv, calibration.md"
                      f"{', calibration.png' if plot else ''}, manifest.json) in {time.perf_counter() - t0:.1f} s.")


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
        with _user_errors():
            lookups = parse_lookups(lookup)
            result, written = _with_progress(
                "simulating the fitted scenario", replications or None, quiet,
                lambda progress: fit_and_write(activities, mapping, out, report, max_bad_rows, replications, workers,
                                               command=" ".join(["followup-sim"] + sys.argv[1:]), progress=progress,
                                               cadence=cadence, force=force, lookups=lookups,
                                               drop_outlying_times=drop_outlying_times, notify=_note))
    except RunInterrupted as exc:
        _interrupted("the fit's simulations stopped before their end; nothing was written", exc)
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

    with _user_errors():
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
def validate(scenario: Path = SCENARIO_ARG,
             set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value.")) -> None:
    """Check a scenario file without running it."""
    sc = _load(scenario, set_)
    out_console.print(_escape(f"{scenario}: valid scenario '{sc.name}' ({len(sc.strategies)} strategies, "
                              f"{format_duration(sc.horizon)} horizon, {sc.replications} replications, seed {sc.seed})."),
                      highlight=False)


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema (point your editor's YAML support at it)."""
    typer.echo(json.dumps(Scenario.model_json_schema(mode="validation"), indent=2))


@app.command()
def new(
    name: str = typer.Argument(..., help="Scenario name (letters, digits, - _ ., not starting with a dot; at most 64)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default: scenarios/NAME.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter scenario."""
    with _user_errors():
        path = write_starter(name, out, force)
    out_console.print(_escape(f"Wrote {path}. Edit it, then: followup-sim run {path}"), highlight=False)


@app.command()
def presets() -> None:
    """List the preset strategies with their steps."""
    from sim.present import console as tables  # imported here: see the top of this file

    tables.print_presets(out_console)


@app.command()
def workshop(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario YAML to start from (default: a small built-in workshop scenario).",
                                              show_default=False),
    port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port of the page on 127.0.0.1."),
    present: bool = typer.Option(False, "--present", help="Open the presenter view instead: one full screen per step "
                                 "(question, vote, reveal, one prospect, debrief, team game), keyboard navigation."),
    room: Optional[str] = typer.Option(None, "--room", metavar="ADDRESS", show_default=False,
                                       help="With --present: also let phones vote and play from the network at ADDRESS "
                                            "(this computer's address there, e.g. 192.168.1.20). Off unless given."),
    budget: int = typer.Option(5, "--budget", min=1, max=20, help="Team game: calls per prospect each team may plan."),
) -> None:
    """Open the workshop page on this computer (127.0.0.1 only): change A or B live, predict, reveal, debrief.
    With --present, the presenter view; with --room, phones on the room's network vote and play too."""
    from sim.workshop.page import base_from_file, streamlit_command, workshop_base  # imported here: see the top of this file

    if room is not None and not present:
        _fail("--room needs --present: phones vote on the presenter view")
    if present:
        from sim.workshop.server import Listen, Presentation, open_sockets, serve

        with _user_errors():
            base = base_from_file(scenario) if scenario is not None else workshop_base()
            listen = Listen(port=port, room=room)
            sockets = open_sockets(listen)  # a wrong address or a busy port is refused here, before simulating
            pres = Presentation(base, listen, budget=budget, workers=min(2, os.cpu_count() or 1))
        out_console.print(f"Presenter view: [bold]{listen.trainer_url(pres.room.token)}[/] (the trainer's link: keep "
                          "it to yourself; it works only on this computer).", highlight=False, soft_wrap=True)
        if room:
            out_console.print(f"Phones join at [bold]{listen.join_url(pres.room.code)}[/] (code {pres.room.code}); "
                              "they can only vote and send a team's cadence.", highlight=False, soft_wrap=True)
        out_console.print("Press Ctrl-C to stop; votes and teams are kept in memory only.", highlight=False)
        sys.stdout.flush()
        serve(pres, sockets)
        return
    if scenario is not None:
        with _user_errors():
            base_from_file(scenario)  # a bad file is refused here, as by validate, before any server starts
    if importlib.util.find_spec("streamlit") is None:
        _fail("the workshop page needs Streamlit: pip install 'followup-sim[workshop]' (or run `make workshop`)")
    argv, env = streamlit_command(port, scenario)
    out_console.print(f"Workshop page: [bold]http://127.0.0.1:{port}[/] (only this computer; nothing is sent anywhere). "
                      "Press Ctrl-C to stop it.", highlight=False)
    sys.stdout.flush()
    # the server takes this process's place (same PID), so Ctrl-C and `kill PID` stop it directly
    os.execve(argv[0], argv, {**os.environ, **env})


def main() -> None:
    app(prog_name="followup-sim")


if __name__ == "__main__":
    main()
