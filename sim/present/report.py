"""One self-contained ``report.html`` for a sales room, built from a results folder.

It reads only what a run leaves behind (``runs.csv``, ``summary.csv``, ``scenario.yaml``,
``plots/*.png``, ``manifest.json`` if present), so it can be rebuilt from any existing
results folder. Images are embedded as base64, there is no script and nothing is fetched:
the file opens from a USB stick. Every sentence comes from ``sim.present.sentences`` or is built
here from the numbers; none is written for one scenario.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd

from sim.scenario.errors import UserError
from sim.present.segment_report import segment_section
from sim.present.escape import for_html
from sim.present import sentences as S
from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.strategies import Strategy, SubCadence, display_names, first_response_words, planned_touches
from sim.scenario.units import DAY, duration_words
from sim.model.touches import CAUSES
from sim.present.lessons import focus_sentences

REQUIRED = ("runs.csv", "summary.csv", "scenario.yaml")
PLOT_ORDER = ("tradeoff", "cumulative_sales", "call_load", "response_time", "sales_by_touch",
              "complaints_by_cause", "readiness_mix")
PLOT_TITLES = {
    "tradeoff": "Close rate against complaints", "cumulative_sales": "Sales over time",
    "call_load": "Calls per rep per day", "response_time": "How fast new leads are called",
    "sales_by_touch": "Which attempt closes the sale", "complaints_by_cause": "Why prospects complain",
    "readiness_mix": "Where prospects are in their buying journey",
}


class ReportError(UserError, ValueError):
    """A results folder the report cannot be built from, explained for a person."""


@dataclass
class Results:
    """What a results folder holds, read once."""

    folder: Path
    scenario: Scenario
    runs: pd.DataFrame
    summary: pd.DataFrame
    plots: dict[str, Path]
    manifest: dict

    @property
    def names(self) -> dict[str, str]:
        shown = display_names(self.scenario.strategies)
        present = list(dict.fromkeys(self.runs["strategy"]))
        return {k: shown.get(k, k) for k in present}


def read_results(folder: Path) -> Results:
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such results folder")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise ReportError(f"{folder}: not a results folder (missing {', '.join(missing)}); "
                          f"make one with `followup-sim run SCENARIO.yaml`")
    try:
        scenario = load_scenario(folder / "scenario.yaml")
    except ScenarioError as exc:
        raise ReportError(str(exc)) from None
    manifest = {}
    if (folder / "manifest.json").is_file():
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            manifest = {}
    manifest = manifest if isinstance(manifest, dict) else {}
    _check_digests(folder, manifest)
    runs, summary = _table(folder / "runs.csv", ["strategy", "replication"]), _table(folder / "summary.csv",
                                                                                      ["strategy", "metric"])
    plots = {p.stem: p for p in sorted((folder / "plots").glob("*.png"))} if (folder / "plots").is_dir() else {}
    return Results(folder, scenario, runs, summary, plots, manifest)


MAX_TABLE_BYTES = 200_000_000  # runs.csv of 1000 replications x 50 strategies is a few MB


def _check_digests(folder: Path, manifest: dict) -> None:
    """The files a results folder's manifest has digests for must still match them."""
    digests = manifest.get("digests")
    for name, expected in (digests.items() if isinstance(digests, dict) else ()):
        path = folder / str(name)
        if str(name) in ("runs.csv", "summary.csv", "scenario.yaml") and path.is_file():
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            if h.hexdigest() != expected:
                raise ReportError(f"{path}: changed since followup-sim wrote it (its sha256 differs from the one in "
                                  "manifest.json); rerun the scenario to rebuild the folder")


def _table(path: Path, key: list[str]) -> pd.DataFrame:
    """A CSV the run wrote, read back and checked: size, the key columns, one row per key."""
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ReportError(f"{path}: {path.stat().st_size:,} bytes; a results table is at most {MAX_TABLE_BYTES:,}")
    try:
        frame = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not a table followup-sim wrote ({type(exc).__name__})") from None
    missing = [c for c in key if c not in frame.columns]
    if missing:
        raise ReportError(f"{path}: no column {', '.join(missing)}; rerun the scenario to rebuild the folder")
    return frame


# ---------------------------------------------------------------- small pieces
def esc(text: str) -> str:
    """Text for the page, by the one escaping rule (``sim.present.escape``)."""
    return for_html(text)


def _mean(r: Results, key: str, metric: str) -> float:
    return S.mean_of(r.summary, key, metric)


def _interval(r: Results, key: str, metric: str, fmt, ref: Optional[float] = None) -> str:
    """A mean with its interval under it, all with the decimals ``ref`` sets (the column's)."""
    mean, lo, hi, n = S.row_of(r.summary, key, metric)
    if not math.isfinite(mean):
        return "-"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return fmt(mean, ref)
    return f"{fmt(mean, ref)}<br><span class=ci>{fmt(lo, ref)} to {fmt(hi, ref)}</span>"


def _pct(x: float, ref: Optional[float] = None) -> str:
    return S.percent(min(max(x, 0.0), 1.0), ref) if math.isfinite(x) else "-"


def _num(x: float, ref: Optional[float] = None) -> str:
    return S.number(max(x, 0.0), ref) if math.isfinite(x) else "-"


def timeline_svg(strategy: "Strategy | SubCadence", horizon_days: float, width: int = 560) -> str:
    """A small inline SVG of a cadence: a mark per planned touch on a day axis."""
    touches = planned_touches(strategy, horizon_days)
    if not touches:
        return "<p class=muted>No outbound touches: the team only answers prospects who get in touch.</p>"
    touches = touches[:len(strategy.steps) + 2]  # the listed steps and two repeats say enough
    span = max(14.0, min(horizon_days, max(d for d, _ in touches) * 1.08))
    x0, x1, y = 12, width - 12, 22
    stretch = span > 30  # a long cadence: a square-root day scale keeps its first days apart

    def x(d: float) -> float:
        if stretch:
            return x0 + (x1 - x0) * math.sqrt(d - 1) / math.sqrt(span - 1)
        return x0 + (x1 - x0) * (d - 1) / max(span - 1, 1)

    parts = [f'<svg class=timeline width="{width}" height="46" viewBox="0 0 {width} 46" role="img" '
             f'aria-label="cadence timeline">', f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" class=axis />']
    marks = {"call": '<circle cx="{x:.1f}" cy="{y}" r="5" class=call />',
             "email": '<rect x="{xl:.1f}" y="{yt}" width="9" height="9" class=email />',
             "sms": '<polygon points="{x:.1f},{yt} {xr:.1f},{yb} {xl:.1f},{yb}" class=sms />'}
    for d, ch in touches:
        xx = x(d)
        parts.append(marks[ch].format(x=xx, y=y, xl=xx - 4.5, xr=xx + 4.5, yt=y - 5, yb=y + 5))
    ticks = sorted({1.0, *(d for d, _ in touches)})
    last = -99.0
    for d in ticks:
        if x(d) - last < 18:
            continue
        last = x(d)
        parts.append(f'<text x="{x(d):.1f}" y="42" class=tick>{d:g}</text>')
    parts.append("</svg>")
    if strategy.repeat is not None and len(touches) > len(strategy.steps):
        parts.append(f"<span class=muted> … then every {duration_words(strategy.repeat.every)}</span>")
    return "".join(parts)


def _touch_words(plan) -> list[str]:
    """A cadence's touches in words (``plan``: a strategy or one of its sub-cadences)."""
    bits = []
    touches = planned_touches(plan, 10_000)
    if touches:
        listed = touches[:len(plan.steps)]
        days = ", ".join(f"{d:g}" for d, _ in listed)
        chans = sorted({c for _, c in listed})
        what = "touches" if len(chans) > 1 else {"call": "calls", "email": "emails", "sms": "texts"}[chans[0]]
        if len(listed) == 1:
            what = {"call": "a call", "email": "an email", "sms": "a text"}[listed[0][1]]
        bits.append(f"{what} on cadence day{'s' if len(listed) > 1 else ''} {days}")
        if plan.repeat is not None:
            more = (f"{plan.repeat.count} more time{'s' if plan.repeat.count != 1 else ''}" if plan.repeat.count
                    else "until the end")
            bits.append(f"then a {plan.repeat.channel} every {duration_words(plan.repeat.every)} ({more})")
        if plan.max_touches is not None:
            bits.append(f"at most {plan.max_touches} touches")
    else:
        bits.append("no outbound touches")
    return bits


def describe_strategy(strategy: Strategy, has_inbound: bool = True) -> str:
    """The strategy's rules in one plain sentence, from its fields (``has_inbound``: whether the
    scenario has inbound leads at all)."""
    if strategy.inbound is None and strategy.outbound is None:
        bits = _touch_words(strategy)
    else:
        bits = [f"listed prospects: {', '.join(_touch_words(strategy.plan('outbound')))}",
                f"inbound leads: {', '.join(_touch_words(strategy.plan('inbound')))}"]
    first = first_response_words(strategy, has_inbound)
    if first:
        bits.append(first)
    bits.append("stops after a clear no" if strategy.stop_on_no else "keeps calling after a clear no")
    if strategy.stop_after_conversation:
        bits.append("stops after any conversation that did not sell")
    if strategy.give_up is not None:
        bits.append("gives up after a number of unsold attempts drawn per prospect ("
                    + strategy.give_up.mean_words() + (", by segment" if strategy.give_up.segments else "") + ")")
    if strategy.book_next_step:
        bits.append("books the next call on every conversation" + (", with a reminder email" if strategy.reminder_email else ""))
    if strategy.rep_pushiness is not None:
        bits.append(f"reps coached to a pushiness of {strategy.rep_pushiness:g} (0 calm, 1 pushy)")
    return "; ".join(bits).capitalize() + "."


# ---------------------------------------------------------------- takeaways
def _best(r: Results, metric: str, highest: bool = True) -> tuple[str, float]:
    vals = {k: _mean(r, k, metric) for k in r.names}
    vals = {k: v for k, v in vals.items() if math.isfinite(v)}
    if not vals:
        return "", float("nan")
    k = (max if highest else min)(vals, key=vals.get)
    return k, vals[k]


def takeaways(r: Results) -> dict[str, str]:
    """A one-line takeaway per plot, generated from the numbers."""
    n = r.names
    out: dict[str, str] = {}
    top, close = _best(r, "close_rate")
    calm, calm_c = _best(r, "complaints_per_1000", highest=False)
    loud, loud_c = _best(r, "complaints_per_1000")
    if top:
        out["tradeoff"] = (f"Most sales: “{n[top]}” ({_pct(close)} of prospects bought). Fewest complaints: "
                           f"“{n[calm]}” ({_num(calm_c, S.column_ref([calm_c, loud_c]))} per 1,000); most: “{n[loud]}” "
                           f"({_num(loud_c, S.column_ref([calm_c, loud_c]))} per 1,000).")
    most, sales = _best(r, "sales")
    least, few = _best(r, "sales", highest=False)
    if most:
        out["cumulative_sales"] = (f"By the end “{n[most]}” had made {_num(sales, S.column_ref([sales, few]))} sales per run, "
                                   f"“{n[least]}” {_num(few, S.column_ref([sales, few]))}.")
    busy, calls = _best(r, "calls_per_rep_day_mean")
    if busy:
        p95 = _mean(r, busy, "calls_per_rep_day_p95")
        out["call_load"] = (f"“{n[busy]}” keeps reps busiest: {_num(calls, S.column_ref([calls, p95]))} calls per rep per working "
                            f"day on average, {_num(p95, S.column_ref([calls, p95]))} on a busy day (the top 5%).")
    fast, fast_m = _best(r, "lead_response_median_min", highest=False)
    slow, slow_m = _best(r, "lead_response_median_min")
    if not fast:
        out["response_time"] = ("No new lead got a first call in this scenario: it has no inbound leads, or no "
                                "strategy calls them.")
    else:
        out["response_time"] = (f"Half of new leads got their first call within {_num(fast_m, S.column_ref([fast_m, slow_m]))} minutes "
                                f"under “{n[fast]}” and within {_num(slow_m, S.column_ref([fast_m, slow_m]))} minutes under “{n[slow]}”; leads that "
                                f"arrive at night or at the weekend wait for the next shift.")
    cols, what = S.attempt_columns(r.runs.columns)
    if cols:
        shares = {k: S.attempt_shares(r.runs, k, 5, 12) for k in n}
        shares = {k: v for k, v in shares.items() if math.isfinite(v)}
        if shares:
            k = max(shares, key=shares.get)
            plural = what + ("es" if what == "touch" else "s")
            out["sales_by_touch"] = (f"The most any strategy made on {plural} 5 to 12 was {_pct(shares[k])} of its "
                                     f"sales (“{n[k]}”); the unsourced claim says 80%.")
    if top and loud:
        causes = {c: _mean(r, loud, f"complaints_{c}") for c in CAUSES}
        causes = {c: v for c, v in causes.items() if math.isfinite(v)}
        if causes and sum(causes.values()) > 0:
            c = max(causes, key=causes.get)
            words = {"frequency": "touches too close together", "after_no": "touches after a clear no",
                     "pushy_rep": "a pushy style"}[c]
            out["complaints_by_cause"] = (f"Under “{n[loud]}”, the most complaints came from {words} "
                                          f"({_pct(causes[c] / sum(causes.values()))} of its complaints).")
    lost, lost_n = _best(r, "lost_to_competitor")
    kept, kept_n = _best(r, "lost_to_competitor", highest=False)
    if lost:
        out["readiness_mix"] = (f"The market moves on its own: prospects become ready and buy whatever we do. "
                                f"{_num(lost_n, S.column_ref([lost_n, kept_n]))} prospects per run bought from a competitor "
                                f"under “{n[lost]}”, {_num(kept_n, S.column_ref([lost_n, kept_n]))} under “{n[kept]}”.")
    return out


# ---------------------------------------------------------------- sections
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#1d2330;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #dde3ee;padding-bottom:.2em;margin-top:1.8em}
.question{font-size:1.35em;background:#fff6d8;border-left:6px solid #f0b400;padding:.6em 1em;margin:1em 0}
.warn{background:#fde8e8;border-left:6px solid #d33;padding:.5em 1em}
.muted,.ci{color:#667085}.ci{font-size:.8em;white-space:nowrap}table.summary{width:100%;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0;font-size:.95em}th,td{padding:.3em .7em;border-bottom:1px solid #e4e7ec;
text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}th{background:#f3f5f9}
figure{margin:1.4em 0}figure img{max-width:100%;border:1px solid #e4e7ec}
figcaption{font-weight:600;margin:.3em 0}
.strategy{margin:1em 0 1.4em}.strategy h3{margin:.1em 0}
svg.timeline .axis{stroke:#98a2b3;stroke-width:2}svg.timeline .call{fill:#2e6fdb}svg.timeline .email{fill:#12a37b}
svg.timeline .sms{fill:#e0762b}svg.timeline .tick{font-size:10px;fill:#667085;text-anchor:middle}
.legend span{margin-right:1.2em}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:#2e6fdb}
.sq{display:inline-block;width:10px;height:10px;background:#12a37b}
.tri{display:inline-block;width:0;height:0;border-left:6px solid transparent;border-right:6px solid transparent;
border-bottom:10px solid #e0762b}
li{margin:.35em 0}
"""


def _strategies(r: Results) -> str:
    horizon = r.scenario.horizon / DAY
    out = ['<p class=legend><span><i class=dot></i> call</span><span><i class=sq></i> email</span>'
           '<span><i class=tri></i> text message</span><span class=muted>numbers: cadence day (1 = first touch)'
           '</span></p>']
    for key, name in r.names.items():
        s = r.scenario.strategies.get(key)
        if s is None:
            continue
        base = " <span class=muted>(the baseline the others are compared with)</span>" if key == r.scenario.baseline else ""
        desc = f"<p>{esc(s.description)}</p>" if s.description else ""
        if s.inbound is None and s.outbound is None:
            timelines = timeline_svg(s, horizon)
        else:
            timelines = "".join(f"<p class=muted>{who}:</p>{timeline_svg(s.plan(kind), horizon)}"
                                for who, kind in (("Listed prospects", "outbound"), ("Inbound leads", "inbound")))
        has_inbound = r.scenario.population.inbound.per_day > 0
        out.append(f'<div class=strategy><h3>{esc(name)}{base}</h3>{desc}<p class=muted>'
                   f'{esc(describe_strategy(s, has_inbound))}'
                   f'</p>{timelines}</div>')
    return "\n".join(out)


def _figures_table(figs: list[S.TeachingFigures]) -> str:
    rows = ["<table><tr><th>Strategy</th><th>Calls per sale</th><th>Sales after they reached out</th>"
            "<th>Follow-ups dropped per run</th><th>Booked call connects</th><th>Ordinary dial connects</th></tr>"]
    fields = ("calls_per_sale", "prospect_initiated_share", "dropped_follow_ups", "booked_connect_rate",
              "ordinary_connect_rate")
    ref = {name: S.column_ref([getattr(f, name) for f in figs]) for name in fields}  # one rule per column
    for f in figs:
        cells = [(_num if name in ("calls_per_sale", "dropped_follow_ups") else _pct)(getattr(f, name), ref[name])
                 for name in fields]
        rows.append(f"<tr><td>{esc(f.name)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _summary_table(r: Results) -> str:
    cols = [("close_rate", "Bought from us", _pct), ("complaints_per_1000", "Complaints per 1,000 prospects", _num),
            ("opt_outs", "Opted out per run", _num), ("lost_to_competitor", "Bought elsewhere per run", _num),
            ("calls_per_rep_day_mean", "Calls per rep per day", _num),
            ("lead_response_median_min", "New lead's first call, median minutes", _num),
            ("utilization", "Reps' time busy", _pct)]
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in cols)
    rows = [f"<table class=summary><tr><th>Strategy</th>{head}</tr>"]
    ref = {metric: S.column_ref([_mean(r, k, metric) for k in r.names]) for metric, _, _ in cols}  # one rule a column
    for key, name in r.names.items():
        cells = "".join(f"<td>{_interval(r, key, metric, fmt, ref[metric])}</td>" for metric, _, fmt in cols)
        rows.append(f"<tr><td>{esc(name)}</td>{cells}</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _complaints(sc: Scenario) -> str:
    c = sc.complaints
    if not c.enabled:
        return "<p>Complaints are switched off in this scenario.</p>"
    tol = sc.population.tolerance.mean
    return f"""<p>A complaint is a prospect who objects to being contacted and asks us to stop (it ends our contact with
them). The model counts three separate causes:</p>
<ul>
<li><b>Touched too often.</b> Every touch adds annoyance (a conversation {c.weight_call:g}, a missed call
{c.weight_missed_call:g}, a voicemail {c.weight_voicemail:g}, an email {c.weight_email:g}, a text {c.weight_sms:g}), and
annoyance fades with time: half of it is gone after {duration_words(c.annoyance_decay * math.log(2))}. When it reaches a prospect's tolerance
(about {tol:g} on average) each touch carries a {S.percent(c.frequency_risk)} risk, rising steeply above it. So the
same number of touches spread out annoys less than bunched together.</li>
<li><b>Touched after a clear no.</b> Each touch after a prospect said they are not interested carries a
{S.percent(c.after_no_risk)} risk.</li>
<li><b>A pushy rep.</b> A conversation with a fully pushy rep carries a {S.percent(c.pushy_risk)} risk (less for a
calmer style).</li>
</ul>"""


HOW_TO_READ = """<p>Each strategy was run several times (<i>replications</i>) on the same simulated prospects, with
different luck each time. The numbers are the average over those runs.</p>
<ul>
<li><b>“95% interval 2.9 to 3.8”</b> is the range the true average very probably lies in, given how much the
runs differed. A narrow interval means the runs agreed; a wide one means luck mattered a lot.</li>
<li><b>“No clear difference”</b> means the interval for a difference includes zero (or, for “times as many”,
includes 1): the runs cannot tell the two strategies apart, so do not argue from that number.</li>
<li>Comparisons are <i>paired</i>: each run of a strategy is set against the run of the baseline with the same
prospects and the same luck, which makes differences much sharper than comparing averages.</li>
<li>This is a model. It shows which way and roughly how much; the exact figures depend on the assumptions in the
scenario file.</li>
</ul>"""


def build_report(folder: Path) -> str:
    """The report's HTML for a results folder."""
    r = read_results(folder)
    sc, names = r.scenario, r.names
    baseline = sc.baseline if sc.baseline in names else next(iter(names))
    n_reps = S.replications(r.summary)
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{esc(sc.name)}: follow-up strategies "
             f"compared</title><meta name=viewport content='width=device-width,initial-scale=1'>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{esc(sc.name.replace('_', ' ').capitalize())}: follow-up strategies compared</h1>",
             f"<p class=muted>{len(names)} strategies on the same simulated prospects, {duration_words(sc.horizon)} "
             f"simulated, {n_reps} replication{'s' if n_reps != 1 else ''}, seed {sc.seed}.</p>"]
    if sc.question:
        parts.append(f"<div class=question>{esc(sc.question)}</div>")
    if sc.description:
        parts.append(f"<p>{esc(sc.description)}</p>")
    warning = S.replication_warning(r.summary)
    if warning:
        parts.append(f"<p class=warn>{esc(warning)}</p>")
    parts.append("<h2 id=answer>What happened</h2>")
    focus = focus_sentences(sc, r.summary, r.runs)
    if focus:
        parts.append("<ul class=focus>" + "".join(f"<li class=focus>{esc(t)}</li>" for t in focus) + "</ul>"
                     "<p class=muted>Against the baseline:</p>")
    parts.append("<ul class=headline>")
    for s in S.comparisons(r.summary, r.runs, names, baseline):
        parts.append(f"<li class=headline data-strategy='{esc(s.strategy)}'>{esc(s.text)}</li>")
    parts.append("</ul>")
    money = S.money_sentences(r.summary, names, baseline)
    if money:
        parts.append("<p class=muted>In money (profit: what the sales brought in, minus the reps' paid hours and "
                     "every email and SMS sent):</p><ul class=money>")
        for s in money:
            parts.append(f"<li class=money data-strategy='{esc(s.strategy)}'>{esc(s.text)}</li>")
        parts.append("</ul>")
    parts.append("<h2 id=strategies>The strategies</h2>" + _strategies(r))
    figs = S.teaching_figures(r.summary, names)
    parts.append("<h2 id=figures>Figures to quote</h2><ul class=figures>")
    for s in S.figure_sentences(figs):
        parts.append(f"<li class=figure data-strategy='{esc(s.strategy)}'>{esc(s.text)}</li>")
    parts.append("</ul>" + _figures_table(figs))
    parts.append("<p class=muted>Sales after they reached out: sales on the call that answered a prospect who got "
                 "in touch by themselves, replied to a message or called back after a voicemail. A dropped follow-up was due but the team was too busy for too long. "
                 "Each figure is worked out over all runs together (for example, all calls of all runs over all their "
                 "sales), not run by run and then averaged.</p>")
    parts.append(segment_section(sc, r.summary, names, baseline))
    parts.append("<h2 id=plots>The charts</h2>")
    lines = takeaways(r)
    for stem in [p for p in PLOT_ORDER if p in r.plots] + [p for p in r.plots if p not in PLOT_ORDER]:
        data = base64.b64encode(r.plots[stem].read_bytes()).decode("ascii")
        title = PLOT_TITLES.get(stem, stem.replace("_", " ").capitalize())
        take = lines.get(stem, "")
        parts.append(f"<figure id='plot-{esc(stem)}'><figcaption>{esc(title)}</figcaption>"
                     f"<p class=takeaway>{esc(take)}</p><img alt='{esc(title)}' "
                     f"src='data:image/png;base64,{data}'></figure>")
    if not r.plots:
        parts.append("<p class=muted>This results folder has no plots (it was run with --no-plots).</p>")
    parts.append("<h2 id=table>All strategies in one table</h2>" + _summary_table(r))
    parts.append("<p class=muted>Average over replications, with the 95% interval under it. Counts are per run of "
                 f"{duration_words(sc.horizon)}. A range never goes below zero (or above 100%): no count or share can.</p>")
    questions = S.reflection_questions(r.summary, r.runs, names, baseline)
    if questions:
        parts.append("<h2 id=questions>Questions for the room</h2><ol>"
                     + "".join(f"<li>{esc(q)}</li>" for q in questions) + "</ol>")
    parts.append("<h2 id=how-to-read>How to read this</h2>" + HOW_TO_READ)
    parts.append("<h2 id=complaints>What counts as a complaint</h2>" + _complaints(sc))
    rev = r.manifest.get("git_revision") or "unknown"
    parts.append(f"<p class=muted>Made by followup-sim from the results of scenario {esc(sc.name)} (seed {sc.seed}, "
                 f"{n_reps} replications, code revision {esc(str(rev)[:12])}).</p></body></html>")
    return "\n".join(parts)


def write_report(folder: Path, out: Optional[Path] = None) -> Path:
    """Write ``report.html`` into the results folder (or to ``out``) and return its path."""
    text = build_report(folder)
    path = Path(out) if out is not None else Path(folder) / "report.html"
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
