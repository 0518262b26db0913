"""The commands that run scenarios and show their results: run, sweep, story, report, lesson, calibrate."""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from sim.experiment import jobs as ex
from sim.present.escape import for_console as _escape
from sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED
from sim.experiment.precision import DEFAULT_MAX_REPLICATIONS, PrecisionError, parse_target
from sim.experiment.interrupts import RunInterrupted
from sim.scenario.strategies import display_names, strategy_key

from sim.cli.common import (
    SCENARIO_ARG, app, fail, load_checked, out_console, say_interrupted, say_note, user_errors, with_progress,
)


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
        fail(f"--events-format {events_format!r}: expected 'parquet' or 'activities'")
    target = None
    if precision is not None:
        if replications is not None:
            fail("give --replications N or --precision, not both (--precision chooses the count, up to "
                  "--max-replications)")
        with user_errors():
            target = parse_target(precision)
    sc = load_checked(scenario, set_, replications=replications, seed=seed)
    folder = out if out is not None else Path("results") / sc.name
    t0 = time.perf_counter()
    total = len(sc.strategies) * sc.replications if target is None else None
    label = (f"{sc.name}: {len(sc.strategies)} strategies x {sc.replications} replications" if target is None else
             f"{sc.name}: {len(sc.strategies)} strategies to {target.text()} (at most {max_replications} replications)")

    def work(progress):
        return run_into_folder(sc, folder, workers, events, plots, dask, force=force, resume=resume, progress=progress,
                               notify=say_note, report=report, events_format=events_format, precision=target,
                               max_replications=max_replications)

    try:
        with user_errors():
            try:
                outcome = with_progress(label, total, quiet, work)
            except PrecisionError as exc:  # the target does not fit this scenario: name the file
                raise PrecisionError(f"{scenario}: {exc}") from None
    except RunInterrupted as exc:
        kept = (f"; they are kept in {exc.partial}/: run the same command with --resume to finish"
                if exc.partial else "; nothing was kept")
        say_interrupted(f"{exc.done} of {exc.total} runs finished{kept}", exc)
    except ImportError as exc:
        fail(_escape(f"cannot write results: {exc} (install the 'parquet' extra for --events)"))
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
        fail("give one or two --param options, each with its own --values list")
    sc = load_checked(scenario, set_, replications=replications, seed=seed)
    t0 = time.perf_counter()
    try:
        with user_errors():
            params = [(p, parse_values(p, vs)) for p, vs in zip(param, values)]
            folder, total, table = with_progress(
                f"sweep of {sc.name}", None, quiet,
                lambda progress: sweep_into_folder(
                    sc, params, out if out is not None else Path("results") / f"{sc.name}-sweep", workers, dask,
                    force, progress, notify=say_note))
    except RunInterrupted as exc:
        say_interrupted("the sweep stopped before its end; nothing was written", exc)
    if not quiet:
        tables.print_sweep(out_console, sc, table, [p for p, _ in params])
        out_console.print(f"Sweep of {total} runs written to [bold]{_escape(str(folder))}/[/] (sweep.csv, plots/sweep.png) "
                          f"in {time.perf_counter() - t0:.1f} s.", width=tables.WIDTH)


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

    sc = load_checked(scenario, set_)
    keys = []
    for name in [strategy] + ([vs] if vs else []):
        key = strategy_key(sc.strategies, name)
        if key is None:
            shown = "; ".join(f"{k} ({n})" if n != k else k for k, n in display_names(sc.strategies).items())
            fail(_escape(f"{scenario}: no strategy {name!r}; this scenario has (key, then the name shown): {shown}"))
        keys.append(key)
    strategy, vs = keys[0], (keys[1] if vs else None)
    if (prospect is None) == (pick is None):
        fail("give exactly one of --prospect ID or --pick " + "|".join(PICKS))
    if pick is not None and pick not in PICKS:
        fail(_escape(f"--pick {pick!r}: expected one of {', '.join(PICKS)}"))
    with user_errors():
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
    from sim.actions.folders import not_a_run

    other = not_a_run(results)
    if other:
        fail(_escape(other))
    with user_errors():
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
    with user_errors():
        found = find_lesson(name)
    sc = load_checked(found.path, set_, replications=replications)
    out_console.print(f"[bold]Question:[/] {_escape(found.question or '(this lesson has no question)')}", highlight=False)
    if sc.description:
        out_console.print(_escape(" ".join(sc.description.split())), highlight=False, style="dim")
    if wait and sys.stdin.isatty() and sys.stdout.isatty():
        out_console.input("\nAsk the room, then press Enter to run the lesson... ")
    folder = out if out is not None else Path("results") / "lessons" / found.name
    t0 = time.perf_counter()
    try:
        with user_errors():
            outcome = with_progress(
                f"{found.name}: {len(sc.strategies)} strategies x {sc.replications} replications",
                len(sc.strategies) * sc.replications, False,
                lambda progress: run_into_folder(sc, folder, workers, progress=progress, report=True, notify=say_note))
    except RunInterrupted as exc:
        say_interrupted(f"{exc.done} of {exc.total} runs finished; run the lesson again", exc)
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

    model = model_of(load_checked(scenario, None)) if scenario is not None else None
    started, t0 = now_utc(), time.perf_counter()
    info = {"seed": seed, "replications": replications, "workers": workers,
            "model": str(scenario) if scenario else "defaults", "started": started.isoformat(timespec="seconds"),
            **provenance()}
    try:
        with user_errors():
            table, folder = with_progress(
                f"calibration: {replications} replications", None, quiet,
                lambda progress: calibrate_into_folder(replications, seed, workers, out, info, plot, model, force,
                                                       progress))
    except RunInterrupted as exc:
        say_interrupted("the calibration stopped before its end; nothing was written", exc)
    if quiet:
        return
    met, targets = tables.print_calibration(
        out_console, display_rows(table), f"Calibration: model {'of ' + str(scenario) if scenario else 'defaults'} vs "
        f"published figures ({replications} replications, seed {seed})")
    out_console.print(f"{met} of {targets} figures met. Written to [bold]{_escape(str(folder))}/[/] (calibration.csv, calibration.md"
                      f"{', calibration.png' if plot else ''}, manifest.json) in {time.perf_counter() - t0:.1f} s.")
