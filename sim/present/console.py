"""Console tables: what the command line prints after a run, a sweep, a calibration or a fit.

Every function takes the rich ``Console`` to print to and the library's results; columns,
labels and scales come from the metrics registry (``sim.model.metrics``). User text (names, paths)
is escaped so that rich shows it literally.
"""
from __future__ import annotations

import math
import textwrap
from typing import Optional

from rich import box
from rich.console import Console
from rich.table import Table

from sim.present.escape import for_console as escape
from sim.model.metrics import BY_NAME, GROUP, Metric
from sim.scenario.schema import Scenario
from sim.present.sentences import replication_warning
from sim.scenario.strategies import PRESETS, Strategy, display_names, first_response_words, planned_touches
from sim.present.sweep_plots import field_words
from sim.scenario.units import format_duration

WIDTH = 80  # the printed summary fits an 80-column terminal


def _column(name: str, header: Optional[str] = None) -> tuple:
    """(metric, header, scale, digits) of a registered metric; ``name`` may end in _vs_baseline."""
    base = BY_NAME[name.removesuffix("_vs_baseline")]
    return name, header or base.header, base.scale, base.digits


HEADLINE = [_column("close_rate"), _column("close_rate_vs_baseline", "vs base\n(pts)"),
            _column("complaints_per_1000"), _column("calls_per_rep_day_mean"), _column("lead_response_median_min")]
MONEY = [_column("revenue"), _column("cost"), _column("profit"), _column("profit_vs_baseline", "Profit\nvs base"),
         _column("cost_per_sale")]
SWEEP = [_column("close_rate"), _column("complaints_per_1000"), _column("calls_per_rep_day_mean"),
         _column("lead_response_median_min")]


def _group_column(group: str) -> tuple:
    per_rep_day: Metric = next(m for m in GROUP if m.name.endswith("_calls_per_rep_day"))
    return per_rep_day.name.format(group=group), escape(group), per_rep_day.scale, per_rep_day.digits


def fmt(mean: float, lo: float, hi: float, scale: float = 1.0, digits: int = 1) -> str:
    """``mean±half-width`` of a (symmetric) t interval, or the mean alone with one replication."""
    if math.isnan(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    if not math.isnan(lo):
        text += f"±{(hi - lo) / 2 * scale:.{digits}f}"
    return text


def _table(title: str, caption: Optional[str] = None) -> Table:
    return Table(title=escape(title), caption=escape(caption) if caption else None, box=box.SIMPLE_HEAD,
                 pad_edge=False, padding=(0, 0, 0, 1))


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
                cells.append(fmt(row["mean"], row["ci_low"], row["ci_high"], scale, digits))
            else:
                cells.append("-")
        table.add_row(escape(shown[strategy]), *cells)


def _notes(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(escape(textwrap.fill(f"Note: {line}", WIDTH)), highlight=False, style="yellow")


def print_summary(console: Console, sc: Scenario, summary, notes: Optional[list[str]] = None) -> None:
    """The scenario's description, a compact table (fits 80 columns), money and group tables, warnings."""
    n = int(summary["n"].max()) if len(summary) else 0
    if sc.description:
        console.print(escape(textwrap.fill(" ".join(sc.description.split()), WIDTH)), highlight=False)
        console.print()
    table = _table(f"{sc.name}: mean±95% interval over {n} replication{'s' if n != 1 else ''}",
                   f"vs base: difference from {display_names(sc.strategies)[sc.baseline]}, paired by replication")
    index = summary.set_index(["strategy", "metric"])
    _fill(table, sc, index, HEADLINE)
    console.print(table, width=WIDTH)
    if (sc.baseline, "profit") in index.index:
        console.print()
        money = _table("Money over the horizon, in thousands (mean±95% interval)",
                       "Cost: paid rep hours (busy or not) at the rate, plus emails and SMS")
        _fill(money, sc, index, MONEY)
        console.print(money, width=WIDTH)
    groups = [g.name for g in sc.team.reps]
    if len(groups) > 1 and (sc.baseline, _group_column(groups[0])[0]) in index.index:
        console.print()
        by_group = _table("Calls per rep-day, by rep group (mean±95% interval)",
                          "Utilization and sales by group: runs.csv, call_load_by_group.png")
        _fill(by_group, sc, index, [_group_column(g) for g in groups])
        console.print(by_group, width=WIDTH)
    warning = replication_warning(summary)
    _notes(console, ([warning] if warning else []) + (notes or []))


def print_stop(console: Console, stop) -> None:
    """How many replications a --precision run kept, and why it stopped there."""
    extra = (f"; {stop.computed} were run in batches, and the results are those of the first {stop.replications}, "
             f"as --replications {stop.replications} gives") if stop.computed > stop.replications else ""
    widest = max((w for w in stop.half_widths.values() if w == w), default=float("nan"))
    text = (f"Precision: stopped after {stop.replications} replications: {stop.reason} (widest half-width "
            f"{widest:.4g}, target {stop.target.half_width:.4g}){extra}.")
    console.print(escape(textwrap.fill(text, WIDTH)), highlight=False, style=None if stop.met else "yellow")


def print_sweep(console: Console, sc: Scenario, table, params: list[str]) -> None:
    """The sweep's outcomes, one row per grid point and strategy (fits 80 columns)."""
    shown = display_names(sc.strategies)
    n = int(table["n"].max()) if len(table) else 0
    out = _table(f"{sc.name} sweep: mean±95% interval over {n} replication{'s' if n != 1 else ''}",
                 "; ".join(f"{p.split('.')[-1]}: {field_words(p)}" for p in params))
    for p in params:
        out.add_column(escape(p.split(".")[-1]), justify="right", max_width=12, overflow="fold")
    out.add_column("Strategy", max_width=22, overflow="fold")
    for _m, label, _s, _d in SWEEP:
        out.add_column(label, justify="right", no_wrap=True)
    index = table.set_index(params + ["strategy", "metric"]).sort_index(level=list(range(len(params))), sort_remaining=False)
    points = table[params + ["strategy"]].drop_duplicates()
    for row in points.itertuples(index=False):
        key = tuple(row)
        cells = []
        for metric, _label, scale, digits in SWEEP:
            try:
                r = index.loc[key + (metric,)]
                cells.append(fmt(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), scale, digits))
            except KeyError:
                cells.append("-")
        out.add_row(*[escape(str(v)) for v in key[:-1]], escape(shown.get(key[-1], key[-1])), *cells)
    console.print(out, width=WIDTH)
    warning = replication_warning(table)
    if warning:
        _notes(console, [warning])


def print_calibration(console: Console, rows: list[dict], title: str) -> tuple[int, int]:
    """The calibration table; returns (figures met, figures that are targets)."""
    shown = Table(title=escape(title))
    for col in ("figure", "published", "model (95% interval)", "tolerance", "status"):
        shown.add_column(col, no_wrap=col != "figure")
    for r in rows:
        style = {"met": "green", "missed": "red"}.get(r["status"], "dim")
        shown.add_row(escape(r["figure"]), escape(r["published"]), escape(r["model (95% interval)"]),
                      escape(r["tolerance"]), f"[{style}]{escape(r['status'])}[/]")
    console.print(shown)
    return sum(r["status"] == "met" for r in rows), sum(r["status"] != "not a target" for r in rows)


def print_fit(console: Console, result, source: str) -> None:
    """The fitted quantities with their 95% intervals and n, and how many rows were left out."""
    table = Table(title=escape(f"Fitted to {source} ({result.acts.report.kept:,} rows): estimates with 95% intervals"))
    for col in ("quantity", "value", "95% interval", "n", "sets"):
        table.add_column(col, justify="right" if col in ("value", "n") else "left")
    for e in result.estimates.values():
        u = e.unit if e.unit == "%" else f" {e.unit}" if e.unit else ""
        interval = f"{e.low * e.scale:.3g} to {e.high * e.scale:.3g}" if math.isfinite(e.low) else "-"
        table.add_row(escape(e.label), f"{e.value * e.scale:.3g}{u}", interval, f"{e.n:,}", escape(e.path or "report only"))
    console.print(table)
    rows = Table(title="Every row of the export accounted for")
    rows.add_column("rows", justify="right")
    rows.add_column("what happened")
    for what, n in result.acts.report.accounting():
        rows.add_row(f"{n:,}", escape(what))
    console.print(rows)
    bad = result.acts.report.bad
    if bad:
        console.print(f"{bad:,} unreadable row{'s were' if bad != 1 else ' was'} left out (listed in fit.md).")
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {escape(warning)}")


def print_summary_fit(console: Console, fit, comp, source: str) -> None:
    """A summary fit: the overall estimates with 95% intervals and n, then the log beside the fitted model."""
    table = Table(title=escape(f"Fitted to {source} ({len(fit.summaries.frame):,} prospects): estimates with 95% intervals"))
    for col in ("quantity", "value", "95% interval", "n"):
        table.add_column(col, justify="right" if col in ("value", "n") else "left")
    for e in fit.overall.estimates.values():
        u = e.unit if e.unit == "%" else f" {e.unit}" if e.unit else ""
        interval = f"{e.low * e.scale:.3g} to {e.high * e.scale:.3g}" if math.isfinite(e.low) else "-"
        value = f"{e.value * e.scale:.3g}{u}" if math.isfinite(e.value) else "-"
        table.add_row(escape(e.label), value, interval, f"{e.n:,}")
    console.print(table)
    for note in fit.notes:
        console.print(escape(f"note: {note}"), highlight=False)
    if comp is None:
        return
    engine = "engine" in comp.columns
    title = f"The log beside {int(comp['replications'].iloc[0])} simulated summaries of the fitted model"
    if engine:
        title += f" and {int(comp['engine_replications'].iloc[0])} engine runs of the fitted scenario (as_logged)"
    table = Table(title=title)
    cols = ("figure", "segment", "log", "summary\nmodel", "95% range") + (("engine", "95% range") if engine else ())
    for col in cols:
        table.add_column(col, justify="left" if col in ("figure", "segment") else "right")
    for r in comp.itertuples():
        cells = [escape(r.figure), escape(r.segment), f"{r.log:.3g}", f"{r.simulated:.3g}",
                 f"{r.sim_low:.3g} to {r.sim_high:.3g}"]
        if engine:
            cells += [f"{r.engine:.3g}", f"{r.engine_low:.3g} to {r.engine_high:.3g}"]
        table.add_row(*cells, style=None if r.inside and (not engine or r.engine_inside) else "bold")
    console.print(table)
    if engine:
        console.print(f"{int(comp['engine_inside'].sum())} of {len(comp)} figures of the log inside the engine's "
                      "range (where one more run would fall).")
    console.print(f"{int(comp['inside'].sum())} of {len(comp)} figures of the log inside their simulated range.")


def print_lessons(console: Console, lessons) -> None:
    table = Table(title="Lessons (run one with: followup-sim lesson NAME)")
    table.add_column("Lesson", style="bold", no_wrap=True)
    table.add_column("Question")
    for item in lessons:
        table.add_row(escape(item.name), escape(item.question))
    console.print(table)


def steps_text(s: Strategy) -> str:
    """A cadence's planned touches in one line: 'day 1 call, day 3 call; then every 30d (call)'."""
    touches = planned_touches(s, 10_000)[:len(s.steps)]  # (a finite horizon: a repeat may have no end)
    text = ", ".join(f"day {day:g} {channel}" for day, channel in touches) or "none"
    if s.repeat:
        text += f"; then every {format_duration(s.repeat.every)} ({s.repeat.channel})"
    return text


def print_presets(console: Console) -> None:
    table = Table(title="Preset strategies (use as `preset: NAME` in a scenario; override any field)")
    table.add_column("Preset", style="bold")
    table.add_column("Label")
    table.add_column("Steps")
    table.add_column("Notes")
    for name in PRESETS:
        s = Strategy(preset=name)
        first = first_response_words(s)
        notes = [s.description.rstrip(".")] + ([f"first response {format_duration(s.first_response)}"] if first else [])
        if not s.stop_on_no:
            notes.append("keeps calling after a no")
        if s.book_next_step:
            notes.append("books next step" + (" + reminder email" if s.reminder_email else ""))
        table.add_row(name, escape(s.label or ""), steps_text(s), escape("; ".join(notes)))
    table.caption = ("First response is how soon a new inbound lead is first called. The default, 1 hour, is past "
                     "a new lead's hot window (they stay by the phone for about 15 minutes): compare with "
                     "scenarios/speed_to_lead.yaml.")
    console.print(table)


def print_optimize(console: Console, title: str, headers: list[str], rows: list[list[str]], said: list[str],
                   caption: Optional[str] = None) -> None:
    """The optimizer's finalists (cells already formatted by the caller) and its answer in sentences."""
    out = _table(title, caption)
    for i, h in enumerate(headers):
        out.add_column(escape(h), justify="left" if i == 0 else "right", max_width=26 if i == 0 else 16,
                       overflow="fold")
    for row in rows:
        out.add_row(*[escape(c) for c in row])
    console.print(out, width=WIDTH)
    console.print()
    for line in said:
        console.print(escape(textwrap.fill(line, WIDTH)), highlight=False)
        console.print()
