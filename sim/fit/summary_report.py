"""The outputs of fitting a per-prospect summary: fit.md, estimates.csv, stopping.csv, comparison.csv
(the log's figures beside simulations of the fitted summary model) and a scenario file."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from sim.fit.summary_model import MIN_GROUP_ROWS, SummaryFit, fit_summaries, simulate
from sim.fit.summaries import SummaryError, read_summaries
from sim.fit.summary_engine import engine_comparison
from sim.fit.summary_scenario import fitted_sections, horizon_days
import yaml
from pydantic import ValidationError
from sim.scenario.limits import MAX_HORIZON_DAYS
from sim.scenario.schema import Scenario
from sim.fit.report import check_fit_outputs
from sim.actions.folders import ResultsFolder
from sim.present.escape import for_markdown
from sim.present.output import provenance

ATTEMPT_BINS = (("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5-12", 5, 12), ("13+", 13, 10**9))
COMPARISON_SEED = 20261207
ENGINE_REPLICATIONS = 5  # at most this many runs of the fitted scenario's as_logged by the engine: one per
ENGINE_PER = 40  # this many summary-model simulations, at least 2 (with --replications 200: 5)


def figures(frame: pd.DataFrame, segments: list[str]) -> list[tuple[str, str, float]]:
    """(figure, segment, value) of a summary: close rate, attempts per prospect, shares of sales by
    attempt, close rate per segment value."""
    won = (frame["outcome"] == "won").to_numpy()
    n = frame["attempts"].to_numpy()
    out = [("close rate (%)", "", 100 * won.mean()), ("attempts per prospect", "", float(n.mean()))]
    sales = max(int(won.sum()), 1)
    for label, lo, hi in ATTEMPT_BINS:
        out.append((f"share of sales on attempt {label} (%)", "", 100 * float(((n >= lo) & (n <= hi) & won).sum()) / sales))
    for col in segments:
        for value, idx in frame.groupby(col, sort=True).groups.items():
            out.append(("close rate (%)", f"{col}={value}", 100 * float(won[frame.index.get_indexer(idx)].mean())))
    return out


def comparison(fit: SummaryFit, replications: int = 200, seed: int = COMPARISON_SEED) -> pd.DataFrame:
    """Each figure of the log beside its mean and 95% range over ``replications`` summaries of the same
    prospects simulated from the fitted model (its range is where a log of this size would fall)."""
    s = fit.summaries
    real = figures(s.frame, s.segments)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sims = np.array([[v for _, _, v in figures(simulate(fit, rng), s.segments)] for _ in range(replications)])
    rows = []
    for i, (name, seg, value) in enumerate(real):
        col = sims[:, i]
        lo, hi = (float(np.nanpercentile(col, 2.5)), float(np.nanpercentile(col, 97.5))) if len(col) else (np.nan, np.nan)
        rows.append({"figure": name, "segment": seg, "log": value, "simulated": float(np.nanmean(col)),
                     "sim_low": lo, "sim_high": hi, "inside": bool(lo <= value <= hi), "replications": replications})
    return pd.DataFrame(rows)


def estimates_table(fit: SummaryFit) -> pd.DataFrame:
    """Every estimate of every group (overall, segment values, simulated cells) with its 95% interval and n."""
    rows = []
    groups = [("overall", fit.overall)] + [("segment", g) for by in fit.by_value.values() for g in by.values()] \
        + ([("cell", g) for g in fit.cells.values()] if fit.summaries.segments else [])
    for kind, g in groups:
        for key, e in g.estimates.items():
            rows.append({"kind": kind, "group": g.name, "rows": g.rows, "pooled": g.pooled, "estimate": key,
                         "label": e.label, "value": e.value * e.scale, "low": e.low * e.scale, "high": e.high * e.scale,
                         "n": e.n, "method": e.method})
    return pd.DataFrame(rows)


def _fmt(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.4g}"


def fit_markdown(fit: SummaryFit, comp: Optional[pd.DataFrame], command: str, out: str) -> str:
    """fit.md: what the summary identifies, the team's stopping, the segments, the comparison, what it cannot say."""
    s = fit.summaries
    f = s.frame
    counts = f["outcome"].value_counts()
    lines = [f"# Fit of {s.source} (per-prospect summary)", "", f"Command: `{command}`", "",
             f"{s.rows:,} rows read, {s.skipped:,} skipped by the mapping's keep:, {len(f):,} prospects fitted: "
             f"{counts.get('won', 0):,} won, {counts.get('lost', 0):,} lost, {counts.get('open', 0):,} open. "
             f"Scenario written to `{out}`.", "", "## What the summary identifies (95% intervals)", "",
             "| group | estimate | value | 95% interval | n |", "|---|---|---|---|---|"]
    groups = [fit.overall] + [g for by in fit.by_value.values() for g in by.values()]
    for g in groups:
        for e in g.estimates.values():
            if e.label.startswith("give-up"):
                continue
            pooled = " (too few rows: not fitted alone)" if g.pooled else ""
            u = e.unit if e.unit == "%" else f" {e.unit}" if e.unit else ""
            interval = f"{_fmt(e.low * e.scale)}{u} to {_fmt(e.high * e.scale)}{u}" if np.isfinite(e.low) else "n/a"
            lines.append(f"| {g.name}{pooled} | {e.label} | {_fmt(e.value * e.scale)}{u if np.isfinite(e.value) else ''} | "
                         f"{interval} | {e.n:,} |")
    t = fit.overall.give_up
    lines += ["", "## The team's stopping, as the rows show it", "",
              "After each attempt without a sale the team gave up (the row is `lost`) or kept going; `open` rows are "
              "still being worked when the period ended. Kaplan-Meier: won and open rows are censored.", "",
              "| attempt | worked after it, unsold | gave up | give-up hazard | still worked (KM) | ended open |",
              "|---|---|---|---|---|---|"]
    for r in t.head(16).itertuples():
        lines.append(f"| {r.attempt} | {r.at_risk:,} | {r.gave_up:,} | {r.give_up_hazard:.3f} | {r.still_worked:.3f} | "
                     f"{r.ended_open:,} |")
    if len(t) > 16:
        lines.append(f"| ... | {len(t) - 16} more rows in stopping.csv | | | | |")
    q = {k: e.value for k, e in fit.overall.estimates.items() if k.startswith("give-up")}
    lines += ["", "Given up by attempt: " + ", ".join(f"{k.split(', ')[1]} at {_fmt(v)}" for k, v in q.items()) + "."]
    if s.has_connected:
        lost = f[f["outcome"] == "lost"]
        talked = lost[lost["connected"] > 0]
        lines.append(f"Of {len(lost):,} lost prospects, {len(talked):,} had a conversation ({len(talked[talked['connected'] == 1]):,} "
                     f"exactly one: the team stops after a conversation that did not sell for them), and "
                     f"{len(lost) - len(talked):,} were given up after unanswered attempts only.")
    if comp is not None:
        engine = "engine" in comp.columns
        lines += ["", f"## The log beside the fitted model ({int(comp['replications'].iloc[0])} simulated summaries "
                  "of the same prospects)" + (f" and the fitted scenario ({int(comp['engine_replications'].iloc[0])} "
                                               "runs of as_logged by the simulation engine)" if engine else ""), "",
                  "| figure | segment | log | summary model | 95% range | inside |"
                  + (" engine | 95% range | inside |" if engine else ""),
                  "|---|---|---|---|---|---|" + ("---|---|---|" if engine else "")]
        for r in comp.itertuples():
            row = (f"| {for_markdown(r.figure)} | {for_markdown(r.segment)} | {r.log:.3g} | {r.simulated:.3g} | "
                   f"{r.sim_low:.3g} to {r.sim_high:.3g} | {'yes' if r.inside else 'no'} |")
            if engine:
                row += f" {r.engine:.3g} | {r.engine_low:.3g} to {r.engine_high:.3g} | {'yes' if r.engine_inside else 'no'} |"
            lines.append(row)
        lines += ["", f"{int(comp['inside'].sum())} of {len(comp)} figures inside the summary model's range"
                  + (f", {int(comp['engine_inside'].sum())} inside the engine's (where one more run of as_logged "
                     "would fall)" if engine else "") + " (comparison.csv)."]
    lines += ["", "## Notes", ""] + [f"- {n}" for n in fit.notes] + [
        f"- groups under {MIN_GROUP_ROWS} rows or with under 10 sales are not fitted alone (their row says so).",
        "- the give-up and end hazards are taken not to depend on a prospect's chances (a team that stops after a "
        "conversation that did not sell breaks this a little: see the comparison).",
        "", "## Not identified by a summary", "",
        "- when calls happened (working hours, days, gaps between attempts), durations, complaints, the team's size;",
        "- the hidden buying-readiness chain of the simulation model: a summary shows a sale chance, not why;",
        "- without `connected`: the split of the sale chance per attempt into answering and selling (see Notes)."]
    return "\n".join(lines) + "\n"


def scenario_text(fit: SummaryFit, name: str, command: str) -> str:
    """The fitted scenario (``sim/fit/summary_scenario.py``): the list, each segment cell's answer chance
    and conversation sale chance, ``as_logged`` with the team's give-up tables, everything a summary
    cannot identify switched off; its header says what was carried over. SummaryError when the
    summary's segment names cannot name a scenario's segments (nothing is written then)."""
    s = fit.summaries
    population, give_up, notes = fitted_sections(fit)
    longest = int(s.frame["attempts"].max()) if len(s.frame) else 1
    days = horizon_days(longest)
    note = ""
    if days > MAX_HORIZON_DAYS:
        note, days = f" (capped: {longest} attempts need {days}d)", MAX_HORIZON_DAYS
    data = Scenario().model_dump(mode="json")
    data.update({"name": name, "description": f"Fitted by followup-sim fit --summary to {s.source}: see its fit.md.",
                 "horizon": f"{days}d"})
    pop = data["population"]
    pop["outbound"].update({"size": int(len(s.frame)), "ramp": "0d", "batches": [], "per_week": 0.0})
    pop["inbound"]["per_day"] = 0.0
    pop["reachability"] = population["reachability"]
    if "segments" in population:
        pop["segments"] = population["segments"]
    conv = data["conversation"]
    for key, value in population["conversation"].items():
        conv[key] = {"ready": value, "considering": value, "not_ready": value} if key != "unqualified" else value
    conv.update({"opt_out_on_no": 0.0, "skill_effect": 0.0, "nurture": 0.0, "unsubscribe": 0.0})
    data["readiness"].update({"frozen": True, "buy_at_window_end": 0.0})  # nobody off the market, nobody buys elsewhere
    data["complaints"]["enabled"] = False
    data["team"]["unlimited"] = True
    plain = {"voicemail": False, "stop_on_no": False, "min_gap": "12h"}
    data["strategies"] = {
        "as_logged": {"label": "As logged", "description": "A call every working day until a sale, the team's give-up "
                      "point (drawn per prospect from the log's give-up table) or the end.",
                      "steps": [{"day": 1}], "repeat": {"every": "1d"}, **plain, "give_up": give_up},
        "five_and_stop": {"label": "Five calls, then stop", "description": "Daily calls, at most five, no give-up "
                          "before the fifth.", "steps": [{"day": 1}], "repeat": {"every": "1d"}, "max_touches": 5,
                          **plain},
    }
    data["baseline"] = "as_logged"
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        raise SummaryError(f"{s.source}: the fitted scenario is not valid: {err.errors()[0]['msg']} (a segment "
                           "column or value name must be 1 to 64 characters without control characters; "
                           "rename it with a mapping file)") from None
    carried = ["population.outbound.size (one listed name per row, all called from day 1)"]
    if s.segments:
        carried.append(f"population.segments.cells ({len(population['segments']['cells'])} cells of "
                       f"{' x '.join(s.segments)}: each one's share of the rows, answer chance Beta and "
                       "conversation sale chance)")
    carried.append("population.reachability and conversation.sale (everyone's: "
                   + ("fitted to attempts and connected" if s.has_connected else
                      f"the sale chance per attempt split with the assumed answer chance {fit.assume_reach:.3g}")
                   + "; a prospect's sale chance per attempt is answer chance x conversation sale chance)")
    carried.append("strategies.as_logged.give_up (the team's give-up hazard by attempt"
                   + (", per cell" if s.segments else "") + ", with the period's end folded in)")
    head = [f"# Fitted by followup-sim fit --summary{(': ' + command) if command else ''}",
            f"# from {s.source} ({len(s.frame):,} prospects). Carried over from the summary:"]
    head += [f"#   - {c}" for c in carried]
    head += ["# Switched off, since a summary cannot identify them, so that attempts end only by a sale, the give-up",
             "# rule or the horizon: readiness frozen (nobody off the market or buying elsewhere), complaints and",
             "# opt-outs, a 'no' ending the cadence (stop_on_no: false), voicemails and call-backs, inbound leads,",
             f"# team limits (team.unlimited). horizon {days}d: daily calls on working days past the longest row "
             f"({longest} attempts){note}."]
    head += [f"# Split note: {n}" for n in notes]
    return "\n".join(head) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def fit_summary_and_write(path: Path, mapping: Optional[Path], segments: list[str], out: Path, report: Path,
                          replications: int = 200, assume_reach: float = 0.08, command: str = "",
                          force: bool = False, engine_replications: Optional[int] = None
                          ) -> tuple[SummaryFit, Optional[pd.DataFrame], list[Path]]:
    """Read a summary, fit it, compare it with simulations of the fit, then write the scenario and the report.
    Everything that can fail on the input or the output paths fails before anything is written."""

    name = check_fit_outputs(out, report, force)
    summaries = read_summaries(path, mapping, segments)
    fit = fit_summaries(summaries, assume_reach)
    comp = comparison(fit, replications) if replications > 0 else None
    text = scenario_text(fit, name, command)
    fit.notes += [f"the fitted scenario's split of the sale chance per attempt, {n}" for n in fitted_sections(fit)[2]]
    if engine_replications is None:
        engine_replications = min(ENGINE_REPLICATIONS, max(2, replications // ENGINE_PER))
    if comp is not None and engine_replications > 0:
        values = {c: sorted(summaries.frame[c].astype(str).unique()) for c in summaries.segments}
        comp = engine_comparison(text, comp, ATTEMPT_BINS, values, engine_replications)
    files = ["fit.md", "estimates.csv", "stopping.csv"] + (["comparison.csv"] if comp is not None else [])

    def write(tmp: Path) -> None:
        (tmp / "fit.md").write_text(fit_markdown(fit, comp, command, str(out)), encoding="utf-8")
        estimates_table(fit).to_csv(tmp / "estimates.csv", index=False)
        fit.overall.give_up.to_csv(tmp / "stopping.csv", index=False)
        if comp is not None:
            comp.to_csv(tmp / "comparison.csv", index=False)
        info = {"kind": "fit", "scenario": name, "summary": str(path), "fitted_scenario": str(out), **provenance()}
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")

    with ResultsFolder(report, "fit", name, force=force) as folder:
        folder.commit(write)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.parent / f".{out.name}.partial-{os.getpid()}"
    part.write_text(text, encoding="utf-8")
    part.replace(out)
    return fit, comp, [out] + [Path(report) / w for w in files]


__all__ = ["figures", "comparison", "estimates_table", "fit_markdown", "scenario_text", "fit_summary_and_write"]
