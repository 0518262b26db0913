"""The fit's outputs: the fitted scenario as commented YAML, and fit.md with plots comparing the log
with a simulation of the fitted scenario under the cadence the team followed."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.present.activity_format import ANSWERED
from sim.fit.export_mapping import ActivityError
from sim.fit.export_reader import Activities, frame_activities, read_activities
from sim.present.activity_writer import activities_from_events
from sim.present.escape import for_markdown as M
from sim.present.escape import plain
from sim.fit.fitting import Fit, binomial_ci, fit_activities, hot_answer, poisson_ci
from sim.experiment.jobs import run_experiment
import matplotlib
import matplotlib.pyplot as plt
import re
import json
import os
from sim.actions.folders import OutputError, ResultsFolder, check_output, run_in_folder
from sim.present.output import provenance
from sim.scenario.schema import PRESETS

ATTEMPT_BINS = 8  # sales by attempt 1..7 and 8+


# ---------------------------------------------------------------- the scenario file
def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip().removesuffix("...").strip()


def _emit(node, comments: dict[str, str], path: str, indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    for key, value in node.items():
        here = f"{path}.{key}" if path else str(key)
        comment = _comment(comments.get(here))
        tail = f"  # {comment}" if comment else ""
        name = _flow(key) if not isinstance(key, str) else key
        if isinstance(value, dict) and value and not (comment and all(not isinstance(v, (dict, list)) for v in value.values())):
            lines.append(f"{pad}{name}:{tail}")
            _emit(value, comments, here, indent + 1, lines)
        elif isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{name}:{tail}")
            for item in value:
                lines.append(f"{pad}  - {_flow(item)}")
        else:
            lines.append(f"{pad}{name}: {_flow(value)}{tail}")


def _comment(text) -> str:
    """A YAML comment's text on one line (a name with a line break cannot add YAML lines)."""
    return " ".join(plain(text).split()) if text else ""


def scenario_yaml(fit: Fit, command: str = "") -> str:
    """The fitted scenario as YAML, with a comment on each fitted field saying where it came from."""
    head = [
        f"# Fitted by followup-sim fit{(': ' + _comment(command)) if command else ''}",
        f"# from {_comment(fit.acts.report.source)} ({fit.acts.report.kept:,} activity rows). Fields with a comment were",
        "# fitted to the log; every other field is the model's default. Not identified by a log (kept at defaults):",
    ]
    head += [f"#   {path}: {_comment(why)}" for path, why in fit.kept_defaults]
    lines: list[str] = []
    _emit(fit.scenario_data, fit.comments, "", 0, lines)
    return "\n".join(head + lines) + "\n"


# ---------------------------------------------------------------- the figures compared
def log_figures(acts: Activities) -> dict:
    """The summary figures compared between a log and simulations of the fitted scenario."""
    f = acts.frame
    out = f[f["direction"] == "outbound"].sort_values(["prospect", "t"], kind="mergesort")
    calls = out[out["channel"] == "call"]
    answered = int(calls["outcome"].isin(ANSWERED).sum())
    complaints = int(((f["direction"] == "inbound") & (f["outcome"] == "complaint")).sum())
    attempt = out.groupby("prospect").cumcount().to_numpy() + 1
    won = attempt[(out["outcome"] == "won").to_numpy()]
    by_attempt = np.bincount(np.minimum(won, ATTEMPT_BINS), minlength=ATTEMPT_BINS + 1)[1:]
    rep_days = pd.Series(dtype=float)
    with_rep = calls[calls["rep"].notna()]
    if len(with_rep):
        day = with_rep["t"].dt.tz_convert(acts.team_timezone).dt.date
        rep_days = with_rep.groupby([with_rep["rep"].astype(str), day]).size().astype(float)
    return {"calls": len(calls), "answered": answered, "touches": len(out), "complaints": complaints,
            "sales_by_attempt": by_attempt, "sales": int(len(won)), "rep_days": rep_days}


def _t_interval(values: list[float]) -> tuple[float, float, float]:
    v = np.asarray(values, float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half


def compare(fit: Fit, replications: int = 3, workers: int = 1, progress=None) -> pd.DataFrame:
    """The log's figures beside a simulation of the fitted scenario under its ``as_logged`` cadence."""

    sc = fit.scenario()
    exp = run_experiment(sc, replications=replications, workers=workers, event_log=True, strategies=["as_logged"],
                         progress=progress)
    sims = [log_figures(frame_activities(activities_from_events(r.events), fit.acts.team_timezone)) for r in exp.results]
    real = log_figures(fit.acts)
    rows = []

    def add(metric: str, log_value: float, lo: float, hi: float, sim_values: list[float], scale: float = 1.0) -> None:
        mean, slo, shi = _t_interval(sim_values)
        slo = max(slo, 0.0)  # every figure here is a count or a share
        rows.append({"figure": metric, "log": log_value * scale, "log_low": lo * scale, "log_high": hi * scale,
                     "simulated": mean * scale, "sim_low": slo * scale, "sim_high": shi * scale,
                     "replications": len(sim_values)})

    lo, hi = binomial_ci(real["answered"], real["calls"])
    add("connect rate (%)", real["answered"] / max(real["calls"], 1), lo, hi,
        [s["answered"] / max(s["calls"], 1) for s in sims], 100)
    k, n = real["complaints"], max(real["touches"], 1)
    lo, hi = poisson_ci(k)
    add("complaints per 1,000 touches", 1000 * k / n, 1000 * lo / n, 1000 * hi / n,
        [1000 * s["complaints"] / max(s["touches"], 1) for s in sims])
    rd = real["rep_days"]
    if len(rd):
        m, lo, hi = _t_interval(list(rd))
        add("calls per rep-day", m, lo, hi, [float(s["rep_days"].mean()) for s in sims if len(s["rep_days"])])
    k = real["sales"]
    lo, hi = poisson_ci(k)
    add("sales", k, lo, hi, [s["sales"] for s in sims])
    total = max(real["sales"], 1)
    for i in range(ATTEMPT_BINS):
        k = int(real["sales_by_attempt"][i])
        lo, hi = binomial_ci(k, total)
        label = f"sales at attempt {i + 1}{'+' if i == ATTEMPT_BINS - 1 else ''} (% of sales)"
        add(label, k / total, lo, hi, [s["sales_by_attempt"][i] / max(s["sales"], 1) for s in sims], 100)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- plots
def _plot_comparison(table: pd.DataFrame, path: Path) -> None:

    matplotlib.use("Agg")

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    panels = [("connect rate (%)", "Connect rate (% of outbound calls)"),
              ("complaints per 1,000 touches", "Complaints per 1,000 outbound touches"),
              ("calls per rep-day", "Calls per rep-day")]
    t = table.set_index("figure")
    colors = ("#4c72b0", "#dd8452")
    for ax, (key, title) in zip([axes[0, 0], axes[0, 1], axes[1, 0]], panels):
        if key not in t.index:
            ax.set_visible(False)
            continue
        r = t.loc[key]
        for x, (label, col, lo, hi) in enumerate([("your log", "log", "log_low", "log_high"),
                                                  ("simulated fit", "simulated", "sim_low", "sim_high")]):
            err = [[r[col] - r[lo]], [r[hi] - r[col]]] if np.isfinite(r[lo]) else None
            ax.bar(x, r[col], color=colors[x], yerr=err, capsize=6, label=label)
        ax.set_xticks([0, 1], ["your log", "simulated fit"])
        ax.set_title(title)
        ax.set_ylabel(key)
    ax = axes[1, 1]
    rows = table[table["figure"].str.startswith("sales at attempt")]
    x = np.arange(len(rows))
    for i, (col, lo, hi, label) in enumerate([("log", "log_low", "log_high", "your log"),
                                               ("simulated", "sim_low", "sim_high", "simulated fit")]):
        v = rows[col].to_numpy()
        err = np.vstack([v - rows[lo].to_numpy(), rows[hi].to_numpy() - v])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.bar(x + (i - 0.5) * 0.4, v, width=0.4, color=colors[i], yerr=err, capsize=3, label=label)
    ax.set_xticks(x, [str(i + 1) if i < ATTEMPT_BINS - 1 else f"{ATTEMPT_BINS}+" for i in range(len(rows))])
    ax.set_xlabel("outbound attempt number of the sale")
    ax.set_ylabel("% of sales")
    ax.set_title("Sales by attempt number")
    ax.legend(frameon=False)
    reps = int(table["replications"].max()) if len(table) else 0
    fig.suptitle(f"Your log beside the fitted scenario simulated under the cadence you followed "
                 f"(95% intervals; simulation: {reps} replications)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_hot(fit: Fit, path: Path) -> bool:
    table = fit.tables.get("hot_window")
    if table is None or not len(table) or "answer_decay" not in fit.estimates:
        return False

    matplotlib.use("Agg")

    est = fit.estimates
    reach = est["reach_mean"].value if "reach_mean" in est else fit.scenario().population.reachability.mean
    shape = est["answer_shape"].value if "answer_shape" in est else fit.scenario().conversation.hot.answer_shape
    fig, ax = plt.subplots(figsize=(8, 4.5))
    mid = table["mid"].to_numpy()
    rate = table["rate"].to_numpy()
    ax.errorbar(np.maximum(mid, 0.1), 100 * rate, yerr=[100 * (rate - table["low"]), 100 * (table["high"] - rate)],
                fmt="o", color="#4c72b0", capsize=4, label="your log (first call after they got in touch)")
    age = np.geomspace(0.1, 1440, 300)
    ax.plot(age, 100 * hot_answer(age, reach, est["answer"].value, est["answer_decay"].value, shape),
            color="#dd8452", label="fitted answer window")
    ax.set_xscale("log")
    ax.set_xlabel("minutes since the prospect got in touch (log scale)")
    ax.set_ylabel("answered (%)")
    ax.set_title(f"Call within {est['answer_decay'].value:.0f} minutes or the window closes")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- fit.md
def _fmt(v: float, digits: int = 3) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:.{digits}g}" if abs(v) < 1e5 else f"{v:,.0f}"


def _md_table(frame: pd.DataFrame, floats: int = 3) -> str:
    cols = [M(c) for c in frame.columns]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in frame.iterrows():
        cells = [(_fmt(v, floats) if isinstance(v, (float, np.floating)) else f"{v:,}" if isinstance(v, (int, np.integer)) else M(v))
                 for v in r]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def write_report(fit: Fit, folder: Path, scenario_file: str, comparison: Optional[pd.DataFrame], command: str) -> list[str]:
    """fit.md and its plots in ``folder`` (which exists); returns the files written."""
    rep = fit.acts.report
    written = ["fit.md"]
    first, last = fit.acts.frame["t"].min(), fit.acts.frame["t"].max()
    md = [f"# Fit of {M(Path(rep.source).name)}", "",
          f"{M(command)} read **{rep.rows:,} rows** of {M(rep.source)}: {rep.kept:,} kept, {rep.skipped:,} left out by the "
          f"mapping's filters, {rep.bad:,} unreadable. Period {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC; the "
          f"model's minute 0 is {fit.origin:%Y-%m-%d %H:%M} UTC (Monday 00:00, team time {fit.acts.team_timezone}). "
          f"The fitted scenario is {M(scenario_file)}.", ""]
    if fit.warnings:
        md += ["## Warnings: check these before trusting the fit", ""] + [f"- {M(w)}" for w in fit.warnings] + [""]
    md += ["## Every row accounted for", "", "| rows | what happened |", "|---:|---|"]
    md += [f"| {n:,} | {M(what)} |" for what, n in rep.accounting()] + [""]
    if fit.notes:
        md += ["## What the reader and the fit had to decide", ""] + [f"- {M(n)}" for n in fit.notes] + [""]
    if rep.bad:
        md += ["## Unreadable rows (left out)", ""]
        md += [f"- {count:,} row{'s' if count != 1 else ''}: {M(reason)}"
               for reason, count in sorted(rep.bad_by_reason.items(), key=lambda kv: -kv[1])]
        md += ["", "First of them:", ""] + [f"- line {b.line}: {M(b.field)}: {M(b.reason)}" for b in rep.bad_rows] + [""]
    md += ["## Fitted parameters", "",
           "Each with its 95% interval and the number of observations behind it (dials, calls, prospects, touches).", "",
           "| quantity | value | 95% interval | n | sets | method |", "|---|---|---|---|---|---|"]
    for e in fit.estimates.values():
        unit = e.unit if e.unit not in ("",) else ""
        interval = f"{_fmt(e.low * e.scale)} to {_fmt(e.high * e.scale)}" if np.isfinite(e.low) else "-"
        md.append(f"| {M(e.label)} | {_fmt(e.value * e.scale)} {unit} | {interval} | {e.n:,} | "
                  f"{'`' + e.path + '`' if e.path else 'report only'} | {e.method} |")
    md.append("")
    if _plot_hot(fit, folder / "hot_window.png"):
        written.append("hot_window.png")
        md += ["## The answer window after a prospect gets in touch", "", _md_table(fit.tables["hot_window"]), "",
               "![answer window](hot_window.png)", ""]
    titles = {"outcomes": "Outcomes of answered calls",
              "complaints_by_frequency": "Complaints and do-not-call requests by touch frequency "
                                         "(outbound touches to the prospect in the 7 days up to this one)",
              "cadence": "The cadence the team followed (attempts by prospect; `strategies.as_logged`)",
              "arrivals_by_weekday": "Lead arrivals by weekday", "calls_by_weekday": "Calls by weekday"}
    for key, title in titles.items():
        if key in fit.tables and len(fit.tables[key]):
            md += [f"## {title}", "", _md_table(fit.tables[key]), ""]
    md += ["## Kept at the model's defaults", "", "A log of touches cannot identify these; they keep their defaults:", ""]
    md += [f"- `{path}`: {M(why)}" for path, why in fit.kept_defaults] + [""]
    if comparison is not None:
        _plot_comparison(comparison, folder / "fit.png")
        written.append("fit.png")
        shown = comparison[["figure", "log", "log_low", "log_high", "simulated", "sim_low", "sim_high"]]
        md += ["## Your log beside the fitted scenario", "",
               f"The fitted scenario simulated under the team's strategy (`as_logged`: the cadence the log shows, "
               "or the preset named with --cadence), "
               f"{int(comparison['replications'].max())} replications; intervals: exact for the log, t over "
               "replications for the simulation.", "", _md_table(shown), "", "![log vs simulation](fit.png)", ""]
    (folder / "fit.md").write_text("\n".join(md), encoding="utf-8")
    return written


# ---------------------------------------------------------------- the command's one call
def safe_name(stem: str) -> str:
    """A scenario name (letters, digits, - _ .) from a file name."""

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_") or "fitted"


def parse_lookups(items: list[str]) -> dict[str, Path]:
    """``--lookup FIELD=PATH`` options as {field: path}."""
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ActivityError(f"--lookup {item!r}: expected FIELD=PATH, e.g. --lookup outcome=my_dispositions.csv")
        out[name.strip()] = Path(path.strip())
    return out


def check_fit_outputs(out: Path, report: Path, force: bool) -> str:
    """Refuse (OutputError) a fitted-scenario file or report folder a fit may not write; return the
    fit's name (from ``out``). Called before reading anything, so nothing is written on a refusal."""
    name = safe_name(Path(out).stem)
    if Path(out).exists() and not force:
        raise OutputError(f"--out {out}: exists; add --force to replace it, or choose another --out")
    if Path(out).exists() and not Path(out).is_file():
        raise OutputError(f"--out {out}: exists and is not a file; followup-sim never replaces it")
    check_output(report, "fit", name, force)
    return name


def fit_and_write(activities: Path, mapping: Optional[Path], out: Path, report: Path, max_bad_rows: Optional[int] = None,
                  replications: int = 3, workers: int = 1, command: str = "", progress=None,
                  cadence: Optional[str] = None, force: bool = False, lookups: Optional[dict[str, Path]] = None,
                  drop_outlying_times: bool = False, notify=None) -> tuple[Fit, list[Path]]:
    """Read an activity export, fit it, simulate the fit beside the log, then write the scenario and the report.

    Everything that can fail on the input or the output paths fails before anything is written
    (``ActivityError``, ``folders.OutputError``): an existing scenario file is replaced only with
    ``force``, the report folder follows the rules of every results folder (``sim.actions.folders``).
    Both are written under a temporary name and renamed into place."""


    if cadence is not None and cadence not in PRESETS:  # before reading anything
        raise ActivityError(f"--cadence {cadence!r}: not a preset; expected one of: {', '.join(PRESETS)}")
    name = check_fit_outputs(out, report, force)
    acts = read_activities(activities, mapping, max_bad_rows=max_bad_rows, lookups=lookups,  # every input error
                           drop_outlying_times=drop_outlying_times)                         # before any folder
    fit = fit_activities(acts, name, cadence=cadence)
    text = scenario_yaml(fit, command)
    written: list[str] = []

    def write(tmp: Path, comparison: Optional[pd.DataFrame]) -> None:
        written.extend(write_report(fit, tmp, str(out), comparison, command))
        info = {"kind": "fit", "scenario": name, "activities": str(activities), "fitted_scenario": str(out),
                **provenance()}
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")

    run_in_folder(ResultsFolder(report, "fit", name, force=force),
                  lambda _folder: compare(fit, replications, workers, progress) if replications > 0 else None,
                  write, 0, notify)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.parent / f".{out.name}.partial-{os.getpid()}"
    part.write_text(text, encoding="utf-8")
    part.replace(out)
    return fit, [out] + [Path(report) / w for w in written]
