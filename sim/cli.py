"""The followup-sim command line: parses arguments, calls the library, presents the result."""
from __future__ import annotations

import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import experiment as ex
from .loading import ScenarioError, load_scenario
from .output import manifest, now_utc, provenance, write_results
from .scenario import Scenario
from .stats import summarize
from .strategies import PRESETS, Strategy
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
        _fail(str(exc).replace("[", "\\["))
        raise  # unreachable


def _with_progress(label: str, total: Optional[int], quiet: bool, work):
    """Call ``work(progress)`` under a progress bar on stderr (when stderr is a terminal and not quiet);
    ``progress(done, n)`` also sets the total, for work that only knows it once started."""
    if quiet or not sys.stderr.isatty():
        return work(None)
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
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder [default: results/<scenario name>]."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value (repeatable)."),
    events: bool = typer.Option(False, "--events", help="Also write the full event log to events.parquet."),
    events_format: str = typer.Option("parquet", "--events-format",
                                      help="With --events: 'parquet' (events.parquet, every event) or 'activities' "
                                           "(activities.csv, touches in the activity format that `fit` reads)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write comparison plots."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no table."),
) -> None:
    """Run every strategy of a scenario for every replication and write the results folder."""
    if events_format not in ("parquet", "activities"):
        _fail(f"--events-format {events_format!r}: expected 'parquet' or 'activities'")
    sc = _load(scenario, set_, replications=replications, seed=seed)
    folder = out or Path("results") / sc.name
    started, t0 = now_utc(), time.perf_counter()
    total = len(sc.strategies) * sc.replications
    result = _with_progress(
        f"{sc.name}: {len(sc.strategies)} strategies x {sc.replications} replications", total, quiet,
        lambda progress: ex.run_experiment(sc, workers=workers, event_log=events, dask=dask, progress=progress))
    summary = summarize(result.runs(), sc.baseline)
    info = manifest(result, started, time.perf_counter() - t0, sc.replications, workers)
    try:
        written = write_results(result, summary, folder, info, events=events, plots=plots, events_format=events_format)
    except ImportError as exc:
        _fail(f"cannot write results: {exc} (install the 'parquet' extra for --events)")
        return
    if not quiet:
        _print_summary(sc, summary)
        out_console.print(f"Results written to [bold]{written}/[/] in {time.perf_counter() - t0:.1f} s "
                          f"(runs.csv, summary.csv, scenario.yaml, manifest.json{', plots/' if plots else ''}"
                          f"{(', events.parquet' if events_format == 'parquet' else ', activities.csv') if events else ''}).")


def _fmt(mean: float, lo: float, hi: float, scale: float = 1.0, digits: int = 1) -> str:
    """``mean ± half-width`` of a (symmetric) t interval, or the mean alone with one replication."""
    if math.isnan(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    if not math.isnan(lo):
        text += f" ± {(hi - lo) / 2 * scale:.{digits}f}"
    return text


HEADLINE = [
    ("close_rate", "Close %", 100, 1),
    ("close_rate_vs_baseline", "vs base (pts)", 100, 1),
    ("complaints_per_1000", "Complaints /1k", 1, 1),
    ("calls_per_rep_day_mean", "Calls /rep-day", 1, 0),
    ("lead_response_median_min", "Lead reply (min)", 1, 0),
]


def _print_summary(sc: Scenario, summary) -> None:
    n = int(summary["n"].max()) if len(summary) else 0
    table = Table(title=f"{sc.name}: mean ± 95% interval over {n} replications (baseline: {sc.baseline})")
    table.add_column("Strategy", style="bold", no_wrap=True)
    for _key, label, _s, _d in HEADLINE:
        table.add_column(label, justify="right")
    index = summary.set_index(["strategy", "metric"])
    for strategy in sc.strategies:
        cells = []
        for key, _label, scale, digits in HEADLINE:
            if (strategy, key) in index.index:
                row = index.loc[(strategy, key)]
                cells.append(_fmt(row["mean"], row["ci_low"], row["ci_high"], scale, digits))
            else:
                cells.append("-")
        table.add_row(strategy, *cells)
    out_console.print(table)


@app.command()
def sweep(
    scenario: Path = SCENARIO_ARG,
    param: list[str] = typer.Option(..., "--param", "-p", help="Field to vary, e.g. strategies.five.max_touches (once or twice)."),
    values: list[str] = typer.Option(..., "--values", "-v", help="Comma-separated values for the matching --param, e.g. 1,3,5,8."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Override the scenario's replications."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Override the scenario's seed."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes to run in parallel."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder [default: results/<scenario name>-sweep]."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field before sweeping: path=value."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler ADDRESS, or 'local'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Vary one or two fields over a grid (same seeds at every point) and plot the outcome curves."""
    import yaml as _yaml

    from .loading import dump_scenario
    from .output import atomic_folder
    from .sweep import grid, run_sweep
    from .sweep_plots import write_sweep_plots

    if len(param) != len(values) or not 1 <= len(param) <= 2:
        _fail("give one or two --param options, each with its own --values list")
    sc = _load(scenario, set_, replications=replications, seed=seed)
    params = [(p, [_yaml.safe_load(v) for v in vs.split(",") if v.strip()]) for p, vs in zip(param, values)]
    total = len(grid(params)) * len(sc.strategies) * sc.replications
    started, t0 = now_utc(), time.perf_counter()
    try:
        table = _with_progress(f"sweep of {sc.name}", total, quiet,
                               lambda progress: run_sweep(sc, params, workers=workers, dask=dask, progress=progress))
    except ScenarioError as exc:
        _fail(str(exc).replace("[", "\\["))
        return
    folder = out or Path("results") / f"{sc.name}-sweep"
    with atomic_folder(folder) as tmp:
        table.to_csv(tmp / "sweep.csv", index=False)
        (tmp / "scenario.yaml").write_text(dump_scenario(sc), encoding="utf-8")
        write_sweep_plots(table, [p for p, _ in params], tmp / "plots")
        info = {"scenario": sc.name, "seed": sc.seed, "replications": sc.replications,
                "grid": {p: v for p, v in params}, "points": len(grid(params)), "workers": workers,
                "started": started.isoformat(timespec="seconds"), "wall_seconds": round(time.perf_counter() - t0, 3),
                **provenance()}
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    if not quiet:
        out_console.print(f"Sweep of {total} runs written to [bold]{folder}/[/] (sweep.csv, plots/sweep.png) "
                          f"in {time.perf_counter() - t0:.1f} s.")


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
) -> None:
    """Run reference experiments and set the model beside the published figures (MODEL.md section 8)."""
    from .calibration import display_rows, model_of, run_calibration, write_calibration
    model = model_of(_load(scenario, None)) if scenario is not None else None
    started, t0 = now_utc(), time.perf_counter()
    table, scenarios = _with_progress(
        f"calibration: {replications} replications", None, quiet,
        lambda progress: run_calibration(replications, seed, workers, progress=progress, model=model))
    info = {"seed": seed, "replications": replications, "workers": workers,
            "model": str(scenario) if scenario else "defaults", "started": started.isoformat(timespec="seconds"),
            "wall_seconds": round(time.perf_counter() - t0, 3), **provenance()}
    folder = write_calibration(table, scenarios, out, info, plot=plot)
    if quiet:
        return
    rows = display_rows(table)
    shown = Table(title=f"Calibration: model {'of ' + str(scenario) if scenario else 'defaults'} vs published figures "
                        f"({replications} replications, seed {seed})")
    for col in ("figure", "published", "model (95% interval)", "tolerance", "status"):
        shown.add_column(col, no_wrap=col != "figure")
    for r in rows:
        style = {"met": "green", "missed": "red"}.get(r["status"], "dim")
        shown.add_row(r["figure"], r["published"], r["model (95% interval)"], r["tolerance"], f"[{style}]{r['status']}[/]")
    out_console.print(shown)
    met = sum(r["status"] == "met" for r in rows)
    targets = sum(r["status"] != "not a target" for r in rows)
    out_console.print(f"{met} of {targets} figures met. Written to [bold]{folder}/[/] (calibration.csv, calibration.md"
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
) -> None:
    """Fit the model to your own activity export: a scenario with 95% intervals, and a report comparing it with the log."""
    from .activities import ActivityError
    from .fit_report import fit_and_write, safe_name

    name = safe_name(activities.stem)
    out = out or Path("scenarios") / f"{name}_fitted.yaml"
    report = report or Path("results") / f"fit-{safe_name(out.stem)}"
    t0 = time.perf_counter()
    try:
        result, written = _with_progress(
            "simulating the fitted scenario", replications or None, quiet,
            lambda progress: fit_and_write(activities, mapping, out, report, max_bad_rows, replications, workers,
                                           command=" ".join(["followup-sim"] + sys.argv[1:]), progress=progress,
                                           cadence=cadence))
    except ActivityError as exc:
        _fail(str(exc).replace("[", "\\["))
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
    out_console.print(f"{scenario}: valid scenario '{sc.name}' ({len(sc.strategies)} strategies, "
                      f"{format_duration(sc.horizon)} horizon, {sc.replications} replications, seed {sc.seed}).",
                      highlight=False)


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema (point your editor's YAML support at it)."""
    typer.echo(json.dumps(Scenario.model_json_schema(mode="validation"), indent=2))


@app.command()
def new(
    name: str = typer.Argument(..., help="Scenario name (letters, digits, - _ .)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: scenarios/NAME.yaml]."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter scenario."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        _fail(f"name {name!r}: use letters, digits, '-', '_' or '.' only")
    path = out or Path("scenarios") / f"{name}.yaml"
    if path.exists() and not force:
        _fail(f"{path} already exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER.format(name=name, file=path), encoding="utf-8")
    out_console.print(f"Wrote {path}. Edit it, then: followup-sim run {path}", highlight=False)


@app.command()
def presets() -> None:
    """List the preset strategies with their steps."""
    table = Table(title="Preset strategies (use as `preset: NAME` in a scenario; override any field)")
    table.add_column("Preset", style="bold")
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
        table.add_row(name, steps, "; ".join(notes))
    out_console.print(table)


def main() -> None:
    app(prog_name="followup-sim")


if __name__ == "__main__":
    main()
