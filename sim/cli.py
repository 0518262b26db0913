"""The followup-sim command line: parses arguments, calls the library, presents the result."""
from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import experiment as ex
from .limits import MAX_REPLICATIONS
from .loading import ScenarioError, load_scenario
from .precision import DEFAULT_MAX_REPLICATIONS
from .output import now_utc, provenance
from .scenario import Scenario
from .strategies import PRESETS, Strategy, display_names
from .templates import STARTER
from .units import format_duration

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


def _load(path: Path, overrides: Optional[list[str]], **fields) -> Scenario:
    try:
        return load_scenario(path, overrides, **fields)
    except ScenarioError as exc:
        _fail(_escape(str(exc)))
        raise  # unreachable


def _with_progress(label: str, total: Optional[int], quiet: bool, work):
    """Call ``work(progress)`` under a progress bar on stderr when stderr is a terminal, else with a
    plain line on stderr every few seconds (``sim.progress``); nothing with ``quiet``.
    ``progress(done, n)`` also sets the total, for work that only knows it once started."""
    if quiet:
        return work(None)
    if not sys.stderr.isatty():
        from .progress import PlainProgress

        def write(line: str) -> None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

        return work(PlainProgress(label, write))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda done, n: bar.update(task, completed=done, total=n))


SCENARIO_ARG = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml", show_default=False)


@app.command()
def run(
    scenario: Path = SCENARIO_ARG,
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the scenario's replications."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Override the scenario's seed."),
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
    from .cluster import ClusterError
    from .folders import OutputError
    from .limits import LimitError
    from .precision import PrecisionError, parse_target
    from .runner import RunInterrupted, run_into_folder

    if events_format not in ("parquet", "activities"):
        _fail(f"--events-format {events_format!r}: expected 'parquet' or 'activities'")
    target = None
    if precision is not None:
        if replications is not None:
            _fail("give --replications N or --precision, not both (--precision chooses the count, up to "
                  "--max-replications)")
        try:
            target = parse_target(precision)
        except PrecisionError as exc:
            _fail(_escape(str(exc)))
    sc = _load(scenario, set_, replications=replications, seed=seed)
    folder = out if out is not None else Path("results") / sc.name
    t0 = time.perf_counter()
    total = len(sc.strategies) * sc.replications if target is None else None
    label = (f"{sc.name}: {len(sc.strategies)} strategies x {sc.replications} replications" if target is None else
             f"{sc.name}: {len(sc.strategies)} strategies to {target.text()} (at most {max_replications} replications)")

    def work(progress):
        return run_into_folder(sc, folder, workers, events, plots, dask, force=force, resume=resume, progress=progress,
                               notify=lambda note: err_console.print(_escape(f"note: {note}"), highlight=False),
                               report=report, events_format=events_format, precision=target,
                               max_replications=max_replications)

    try:
        outcome = _with_progress(label, total, quiet, work)
    except PrecisionError as exc:
        _fail(_escape(f"{scenario}: {exc}"))
        return
    except (OutputError, ClusterError, LimitError) as exc:
        _fail(_escape(str(exc)))
        return
    except RunInterrupted as exc:
        kept = (f"; they are kept in {exc.partial}/: run the same command with --resume to finish"
                if exc.partial else "; nothing was kept")
        err_console.print(_escape(f"interrupted: {exc.done} of {exc.total} runs finished{kept}"), highlight=False)
        raise typer.Exit(code=exc.exit_code)
    except ImportError as exc:
        _fail(f"cannot write results: {exc} (install the 'parquet' extra for --events)")
        return
    if not quiet:
        from .plots import notes as plot_notes
        sc = outcome.experiment.scenario  # with --precision: the replications kept
        _print_summary(sc, outcome.summary, plot_notes(outcome.experiment) if plots else None)
        if outcome.stop is not None:
            _print_stop(outcome.stop)
        resumed = f", {outcome.resumed} runs resumed" if outcome.resumed else ""
        out_console.print(f"Results written to [bold]{_escape(str(outcome.folder))}/[/] in {time.perf_counter() - t0:.1f} s{resumed} "
                          f"(runs.csv, summary.csv, scenario.yaml, manifest.json{', plots/' if plots else ''}"
                          f"{(', events.parquet' if events_format == 'parquet' else ', activities.csv') if events else ''}"
                          f"{', report.html' if report else ''}).",
                          width=WIDTH)


def _print_stop(stop) -> None:
    """How many replications a --precision run kept, and why it stopped there."""
    import textwrap

    extra = (f"; {stop.computed} were run in batches, and the results are those of the first {stop.replications}, "
             f"as --replications {stop.replications} gives") if stop.computed > stop.replications else ""
    widest = max((w for w in stop.half_widths.values() if w == w), default=float("nan"))
    text = (f"Precision: stopped after {stop.replications} replications: {stop.reason} (widest half-width "
            f"{widest:.4g}, target {stop.target.half_width:.4g}){extra}.")
    out_console.print(_escape(textwrap.fill(text, WIDTH)), highlight=False,
                      style=None if stop.met else "yellow")


def _escape(text: str) -> str:
    """User text (paths, names) as rich shows it literally: ``[/]`` is no markup."""
    from rich.markup import escape

    return escape(text)


def _fmt(mean: float, lo: float, hi: float, scale: float = 1.0, digits: int = 1) -> str:
    """``mean±half-width`` of a (symmetric) t interval, or the mean alone with one replication."""
    if math.isnan(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    if not math.isnan(lo):
        text += f"±{(hi - lo) / 2 * scale:.{digits}f}"
    return text


HEADLINE = [
    ("close_rate", "Close\n%", 100, 1),
    ("close_rate_vs_baseline", "vs base\n(pts)", 100, 1),
    ("complaints_per_1000", "Complaints\nper 1,000", 1, 1),
    ("calls_per_rep_day_mean", "Calls per\nrep-day", 1, 0),
    ("lead_response_median_min", "New lead\nwait, min", 1, 0),
]
MONEY = [
    ("revenue", "Revenue", 1e-3, 1),
    ("cost", "Cost", 1e-3, 1),
    ("profit", "Profit", 1e-3, 1),
    ("profit_vs_baseline", "Profit\nvs base", 1e-3, 1),
    ("cost_per_sale", "Cost per\nsale", 1e-3, 2),
]
WIDTH = 80  # the printed summary fits an 80-column terminal


def _fill(table: Table, sc: Scenario, index, columns: list[tuple]) -> None:
    """A row per strategy of ``mean±half-width`` cells for ``columns`` (metric, header, scale, digits)."""
    table.add_column("Strategy", style="bold", max_width=22, overflow="fold")
    for _key, label, _s, _d in columns:
        table.add_column(label, justify="right", no_wrap=True)
    shown = display_names(sc.strategies)
    for strategy in sc.strategies:
        cells = []
        for key, _label, scale, digits in columns:
            if (strategy, key) in index.index:
                row = index.loc[(strategy, key)]
                cells.append(_fmt(row["mean"], row["ci_low"], row["ci_high"], scale, digits))
            else:
                cells.append("-")
        table.add_row(_escape(shown[strategy]), *cells)


def _print_summary(sc: Scenario, summary, notes: Optional[list[str]] = None) -> None:
    """The scenario's description, a compact table (fits 80 columns) and any warnings."""
    import textwrap

    from rich import box

    from .sentences import replication_warning

    n = int(summary["n"].max()) if len(summary) else 0
    if sc.description:
        out_console.print(_escape(textwrap.fill(" ".join(sc.description.split()), WIDTH)), highlight=False)
        out_console.print()
    table = Table(title=_escape(f"{sc.name}: mean±95% interval over {n} replication{'s' if n != 1 else ''}"),
                  caption=_escape(f"vs base: difference from {display_names(sc.strategies)[sc.baseline]}, paired by replication"),
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    index = summary.set_index(["strategy", "metric"])
    _fill(table, sc, index, HEADLINE)
    out_console.print(table, width=WIDTH)
    if (sc.baseline, "profit") in index.index:
        out_console.print()
        money = Table(title="Money over the horizon, in thousands (mean±95% interval)",
                      caption="Cost: paid rep hours (busy or not) at the rate, plus emails and SMS",
                      box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
        _fill(money, sc, index, MONEY)
        out_console.print(money, width=WIDTH)
    groups = [g.name for g in sc.team.reps]
    if len(groups) > 1 and (sc.baseline, f"group_{groups[0]}_calls_per_rep_day") in index.index:
        out_console.print()
        by_group = Table(title="Calls per rep-day, by rep group (mean±95% interval)",
                         caption="Utilization and sales by group: runs.csv, call_load_by_group.png",
                         box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
        _fill(by_group, sc, index, [(f"group_{g}_calls_per_rep_day", _escape(g), 1, 0) for g in groups])
        out_console.print(by_group, width=WIDTH)
    warning = replication_warning(summary)
    for line in ([warning] if warning else []) + (notes or []):
        out_console.print(textwrap.fill(f"Note: {line}", WIDTH), highlight=False, style="yellow")


@app.command()
def sweep(
    scenario: Path = SCENARIO_ARG,
    param: list[str] = typer.Option(..., "--param", "-p", help="Field to vary, e.g. strategies.five.max_touches (once or twice)."),
    values: list[str] = typer.Option(..., "--values", "-v", help="Comma-separated values for the matching --param, e.g. 1,3,5,8."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the scenario's replications."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Override the scenario's seed."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes to run in parallel."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder (default: results/<scenario name>-sweep)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field before sweeping: path=value."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    force: bool = typer.Option(False, "--force", help="Replace a results folder of another scenario; allow more --workers than cores."),
) -> None:
    """Vary one or two fields over a grid (same seeds at every point) and plot the outcome curves."""
    from .cluster import ClusterError
    from .folders import OutputError
    from .limits import LimitError
    from .runner import RunInterrupted
    from .sweep import parse_values, sweep_into_folder

    if len(param) != len(values) or not 1 <= len(param) <= 2:
        _fail("give one or two --param options, each with its own --values list")
    sc = _load(scenario, set_, replications=replications, seed=seed)
    t0 = time.perf_counter()
    try:
        params = [(p, parse_values(p, vs)) for p, vs in zip(param, values)]
        folder, total, table = _with_progress(
            f"sweep of {sc.name}", None, quiet,
            lambda progress: sweep_into_folder(
                sc, params, out if out is not None else Path("results") / f"{sc.name}-sweep", workers, dask, force,
                progress, notify=lambda note: err_console.print(_escape(f"note: {note}"), highlight=False)))
    except (ScenarioError, OutputError, ClusterError, LimitError) as exc:
        _fail(_escape(str(exc)))
        return
    except RunInterrupted as exc:
        err_console.print("interrupted: the sweep stopped before its end; nothing was written", highlight=False)
        raise typer.Exit(code=exc.exit_code)
    if not quiet:
        _print_sweep(sc, table, [p for p, _ in params])
        out_console.print(f"Sweep of {total} runs written to [bold]{_escape(str(folder))}/[/] (sweep.csv, plots/sweep.png) "
                          f"in {time.perf_counter() - t0:.1f} s.", width=WIDTH)


def _print_sweep(sc: Scenario, table, params: list[str]) -> None:
    """The sweep's outcomes, one row per grid point and strategy (fits 80 columns)."""
    import textwrap

    from rich import box

    from .sentences import replication_warning
    from .sweep_plots import field_words

    shown = display_names(sc.strategies)
    cols = [("close_rate", "Close\n%", 100, 1), ("complaints_per_1000", "Complaints\nper 1,000", 1, 1),
            ("calls_per_rep_day_mean", "Calls per\nrep-day", 1, 0), ("lead_response_median_min", "New lead\nwait, min", 1, 0)]
    n = int(table["n"].max()) if len(table) else 0
    out = Table(title=f"{sc.name} sweep: mean±95% interval over {n} replication{'s' if n != 1 else ''}",
                caption="; ".join(f"{p.split('.')[-1]}: {field_words(p)}" for p in params),
                box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    for p in params:
        out.add_column(p.split(".")[-1], justify="right", max_width=12, overflow="fold")
    out.add_column("Strategy", max_width=22, overflow="fold")
    for _m, label, _s, _d in cols:
        out.add_column(label, justify="right", no_wrap=True)
    index = table.set_index(params + ["strategy", "metric"]).sort_index(level=list(range(len(params))), sort_remaining=False)
    points = table[params + ["strategy"]].drop_duplicates()
    for row in points.itertuples(index=False):
        key = tuple(row)
        cells = []
        for metric, _label, scale, digits in cols:
            try:
                r = index.loc[key + (metric,)]
                cells.append(_fmt(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), scale, digits))
            except KeyError:
                cells.append("-")
        out.add_row(*[str(v) for v in key[:-1]], shown.get(key[-1], key[-1]), *cells)
    out_console.print(out, width=WIDTH)
    warning = replication_warning(table)
    if warning:
        out_console.print(textwrap.fill(f"Note: {warning}", WIDTH), highlight=False, style="yellow")


@app.command()
def story(
    scenario: Path = SCENARIO_ARG,
    strategy: str = typer.Option(..., "--strategy", "-s", help="Strategy (its key in the scenario) to follow the prospect under."),
    prospect: Optional[int] = typer.Option(None, "--prospect", "-p", min=0, help="Prospect id to follow."),
    pick: Optional[str] = typer.Option(None, "--pick", help="Follow a typical prospect who was: sold, complained, lost or ignored."),
    replication: int = typer.Option(0, "--replication", "-r", min=0, help="Which replication (same prospects for every strategy)."),
    vs: Optional[str] = typer.Option(None, "--vs", help="A second strategy: the same prospect side by side."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value."),
) -> None:
    """Tell one prospect's run in plain words: every touch, the hidden state, the outcome and why."""
    import shutil

    from .story import PICKS, StoryError, render, run_events, side_by_side, tell

    sc = _load(scenario, set_)
    for name in [strategy] + ([vs] if vs else []):
        if name not in sc.strategies:
            _fail(f"{scenario}: no strategy {name!r}; this scenario has: {', '.join(sc.strategies)}")
    if (prospect is None) == (pick is None):
        _fail("give exactly one of --prospect ID or --pick " + "|".join(PICKS))
    if pick is not None and pick not in PICKS:
        _fail(f"--pick {pick!r}: expected one of {', '.join(PICKS)}")
    try:
        if vs is None:
            typer.echo(render(tell(sc, strategy, prospect, pick, replication)))
            return
        other = run_events(sc, vs, replication)
        first = tell(sc, strategy, prospect, pick, replication, other=other)
        second = tell(sc, vs, first.prospect, None, replication, events=other)
    except StoryError as exc:
        _fail(str(exc))
        return
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120
    typer.echo(side_by_side(first, second, width))


@app.command("report")
def report_(results: Path = typer.Argument(..., help="A results folder written by `followup-sim run`.", show_default=False),
            out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default: RESULTS/report.html).")) -> None:
    """Write report.html for a results folder: the question, the answer in sentences, every chart, the table."""
    from .report import ReportError, write_report
    try:
        path = write_report(results, out)
    except ReportError as exc:
        _fail(str(exc).replace("[", "\\["))
        return
    out_console.print(f"Report written to [bold]{path}[/] (one file: open it in any browser, no network needed).",
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
    from .cluster import ClusterError
    from .folders import OutputError
    from .lessons import LessonError, answer, find_lesson, list_lessons
    from .limits import LimitError
    from .runner import RunInterrupted, run_into_folder

    if name is None:
        table = Table(title="Lessons (run one with: followup-sim lesson NAME)")
        table.add_column("Lesson", style="bold", no_wrap=True)
        table.add_column("Question")
        for item in list_lessons():
            table.add_row(item.name, item.question)
        out_console.print(table)
        return
    try:
        found = find_lesson(name)
    except LessonError as exc:
        _fail(str(exc))
        return
    sc = _load(found.path, set_, replications=replications)
    out_console.print(f"[bold]Question:[/] {found.question or '(this lesson has no question)'}", highlight=False)
    if sc.description:
        out_console.print(" ".join(sc.description.split()), highlight=False, style="dim")
    if wait and sys.stdin.isatty() and sys.stdout.isatty():
        out_console.input("\nAsk the room, then press Enter to run the lesson... ")
    folder = out if out is not None else Path("results") / "lessons" / found.name
    t0 = time.perf_counter()
    try:
        outcome = _with_progress(
            f"{found.name}: {len(sc.strategies)} strategies x {sc.replications} replications",
            len(sc.strategies) * sc.replications, False,
            lambda progress: run_into_folder(sc, folder, workers, progress=progress, report=True,
                                             notify=lambda note: err_console.print(_escape(f"note: {note}"),
                                                                                   highlight=False)))
    except (OutputError, ClusterError, LimitError) as exc:
        _fail(_escape(str(exc)))
        return
    except RunInterrupted as exc:
        err_console.print(_escape(f"interrupted: {exc.done} of {exc.total} runs finished; run the lesson again"),
                          highlight=False)
        raise typer.Exit(code=exc.exit_code)
    out_console.print("\n[bold]Answer:[/]")
    for sentence in answer(sc, outcome.summary, outcome.experiment.runs(), found.name):
        out_console.print(_escape(f"- {sentence}"), highlight=False)
    out_console.print(f"\nReport: [bold]{_escape(str(outcome.folder / 'report.html'))}[/] (open it in a browser; "
                      f"results in {_escape(str(outcome.folder))}/, {time.perf_counter() - t0:.1f} s).", highlight=False)


@app.command()
def calibrate(
    replications: int = typer.Option(5, "--replications", "-r", min=2, help="Replications of each reference experiment."),
    seed: int = typer.Option(2026, "--seed", min=0, help="Seed of the reference experiments."),
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
    from .calibration import calibrate_into_folder, display_rows, model_of
    from .folders import OutputError
    from .runner import RunInterrupted

    model = model_of(_load(scenario, None)) if scenario is not None else None
    started, t0 = now_utc(), time.perf_counter()
    info = {"seed": seed, "replications": replications, "workers": workers,
            "model": str(scenario) if scenario else "defaults", "started": started.isoformat(timespec="seconds"),
            **provenance()}
    try:
        table, folder = _with_progress(
            f"calibration: {replications} replications", None, quiet,
            lambda progress: calibrate_into_folder(replications, seed, workers, out, info, plot, model, force, progress))
    except OutputError as exc:
        _fail(_escape(str(exc)))
        return
    except RunInterrupted as exc:
        err_console.print("interrupted: the calibration stopped before its end; nothing was written", highlight=False)
        raise typer.Exit(code=exc.exit_code)
    if quiet:
        return
    rows = display_rows(table)
    shown = Table(title=_escape(f"Calibration: model {'of ' + str(scenario) if scenario else 'defaults'} vs published "
                                f"figures ({replications} replications, seed {seed})"))
    for col in ("figure", "published", "model (95% interval)", "tolerance", "status"):
        shown.add_column(col, no_wrap=col != "figure")
    for r in rows:
        style = {"met": "green", "missed": "red"}.get(r["status"], "dim")
        shown.add_row(r["figure"], r["published"], r["model (95% interval)"], r["tolerance"], f"[{style}]{r['status']}[/]")
    out_console.print(shown)
    met = sum(r["status"] == "met" for r in rows)
    targets = sum(r["status"] != "not a target" for r in rows)
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
    replications: int = typer.Option(3, "--replications", "-r", min=0,
                                     help="Simulations of the fitted scenario to set beside the log (0: none)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes for those simulations."),
    cadence: Optional[str] = typer.Option(None, "--cadence", help="Use this preset as the team's strategy instead of "
                                          "the cadence read from the log (`followup-sim presets` lists them)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file and an earlier report folder of another fit."),
) -> None:
    """Fit the model to your own activity export: a scenario with 95% intervals, and a report comparing it with the log."""
    from .activities import ActivityError
    from .fit_report import fit_and_write, safe_name
    from .folders import OutputError

    name = safe_name(activities.stem)
    out = out or Path("scenarios") / f"{name}_fitted.yaml"
    report = report or Path("results") / f"fit-{safe_name(out.stem)}"
    t0 = time.perf_counter()
    try:
        result, written = _with_progress(
            "simulating the fitted scenario", replications or None, quiet,
            lambda progress: fit_and_write(activities, mapping, out, report, max_bad_rows, replications, workers,
                                           command=" ".join(["followup-sim"] + sys.argv[1:]), progress=progress,
                                           cadence=cadence, force=force))
    except (ActivityError, OutputError) as exc:
        _fail(_escape(str(exc)))
        return
    if quiet:
        return
    table = Table(title=f"Fitted to {activities} ({result.acts.report.kept:,} rows): estimates with 95% intervals")
    for col in ("quantity", "value", "95% interval", "n", "sets"):
        table.add_column(col, justify="right" if col in ("value", "n") else "left")
    for e in result.estimates.values():
        u = e.unit if e.unit == "%" else f" {e.unit}" if e.unit else ""
        interval = f"{e.low * e.scale:.3g} to {e.high * e.scale:.3g}" if math.isfinite(e.low) else "-"
        table.add_row(e.label, f"{e.value * e.scale:.3g}{u}", interval, f"{e.n:,}", e.path or "report only")
    out_console.print(table)
    if result.acts.report.bad:
        bad = result.acts.report.bad
        out_console.print(f"{bad:,} unreadable row{'s were' if bad != 1 else ' was'} left out (listed in fit.md).")
    out_console.print(f"Wrote [bold]{written[0]}[/] and [bold]{report}/[/] ({', '.join(p.name for p in written[1:])}) "
                      f"in {time.perf_counter() - t0:.1f} s. Compare strategies on it: followup-sim run {written[0]}",
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
    from .names import name_problem

    problem = name_problem(name)
    if problem:
        _fail(_escape(f"name {name!r}: {problem}"))
    path = out or Path("scenarios") / f"{name}.yaml"
    if path.exists() and not path.is_file():
        _fail(_escape(f"{path} exists and is not a file; choose another --out"))
    if path.exists() and not force:
        _fail(_escape(f"{path} already exists (use --force to overwrite)"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STARTER.format(name=name, file=path), encoding="utf-8")
    except OSError as exc:
        _fail(_escape(f"{path}: cannot write the file ({exc.strerror or exc})"))
    out_console.print(_escape(f"Wrote {path}. Edit it, then: followup-sim run {path}"), highlight=False)


@app.command()
def presets() -> None:
    """List the preset strategies with their steps."""
    table = Table(title="Preset strategies (use as `preset: NAME` in a scenario; override any field)")
    table.add_column("Preset", style="bold")
    table.add_column("Label")
    table.add_column("Steps")
    table.add_column("Notes")
    for name in PRESETS:
        s = Strategy(preset=name)
        steps = ", ".join(f"{'day ' + format(st.day, 'g') if st.day is not None else '+' + format_duration(st.after)} {st.channel}"
                          for st in s.steps) or "none"
        if s.repeat:
            steps += f"; then every {format_duration(s.repeat.every)} ({s.repeat.channel})"
        notes = [s.description.rstrip("."), f"first response {format_duration(s.first_response)}"]
        if not s.stop_on_no:
            notes.append("keeps calling after a no")
        if s.book_next_step:
            notes.append("books next step" + (" + reminder email" if s.reminder_email else ""))
        table.add_row(name, s.label or "", steps, "; ".join(notes))
    table.caption = ("First response is how soon a new inbound lead is first called. The default, 1 hour, is past "
                     "a new lead's hot window (they stay by the phone for about 15 minutes): compare with "
                     "scenarios/speed_to_lead.yaml.")
    out_console.print(table)


@app.command()
def workshop(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario YAML to start from (default: a small built-in workshop scenario).",
                                              show_default=False),
    port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port of the page on 127.0.0.1."),
) -> None:
    """Open the workshop page on this computer (127.0.0.1 only): change A or B live, predict, reveal, debrief."""
    import importlib.util

    from .workshop import base_from_file, streamlit_command

    if scenario is not None:
        try:
            base_from_file(scenario)  # a bad file is refused here, as by validate, before any server starts
        except ScenarioError as exc:
            _fail(_escape(str(exc)))
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
