"""``optimize --report``: the optimizer's answer as one self-contained ``report.html`` for a sales
room: the sentences, the best cadence, the runner-up and the team's current cadence (timeline,
rules, the block to paste into a scenario), the finalists' table and the trade-off front with its
constraint lines. Built from the ``Outcome`` with ``sim.present.report``'s pieces (its style, the
timeline, the strategy in words, the one escaping rule); no script, nothing fetched."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Optional

from sim.present.report import CSS, describe_strategy, esc, timeline_svg
from sim.scenario.schema import Scenario
from sim.scenario.units import DAY, duration_words
from sim.optimize.answer import console_table, name_of, sentences
from sim.optimize.search import Outcome, strategy_of

EXTRA_CSS = "pre.block{background:#f6f8fa;border:1px solid #e4e7ec;padding:.6em 1em;overflow-x:auto;font-size:.85em}"

HOW_TO_READ = """<ul>
<li>The search tried cadences on a few replications each, all on the same simulated prospects and the same luck
(common random numbers), so differences between them come from the cadences, not from luck.</li>
<li>The best few then met again on <i>fresh</i> replications the search never saw, in a ranking-and-selection
procedure (Kim and Nelson's): it adds replications until one is the best, or within the indifference zone of the
best, with the stated probability, or the budget runs out (then the page says so).</li>
<li>A constraint is <b>met</b> when its whole 95% interval is inside the limit, <b>missed</b> when the average is
outside, and <b>unsure</b> when the interval straddles the limit.</li>
<li>This is a model: it shows which cadence to try and roughly how much it brings; the figures depend on the
assumptions in the scenario file.</li>
</ul>"""


def _cadence(out: Outcome, scenario: Scenario, key: str, role: str, block: str) -> str:
    c = out.candidates[key]
    strategy = strategy_of(c)
    has_inbound = scenario.population.inbound.per_day > 0
    if strategy.inbound is None and strategy.outbound is None:
        timeline = timeline_svg(strategy, scenario.horizon / DAY)
    else:
        timeline = "".join(f"<p class=muted>{who}:</p>{timeline_svg(strategy.plan(kind), scenario.horizon / DAY)}"
                           for who, kind in (("Listed prospects", "outbound"), ("Inbound leads", "inbound")))
    return (f"<div class=strategy data-strategy='{esc(key)}'><h3>{esc(role)}: {esc(name_of(out, key))}</h3>"
            f"<p class=muted>{esc(describe_strategy(strategy, has_inbound))}</p>{timeline}"
            f"<details><summary>The block to paste under <code>strategies:</code> in a scenario</summary>"
            f"<pre class=block>{esc(block)}</pre></details></div>")


def _tried(out: Outcome) -> str:
    searched = sum(c.origin == "search" for c in out.candidates.values())
    listed = len(out.candidates) - searched
    return (f"{searched} cadence{'s' if searched != 1 else ''} proposed by the search and the scenario's {listed} "
            f"strateg{'ies' if listed != 1 else 'y'}")


def _table(out: Outcome) -> str:
    headers, rows = console_table(out)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table class=summary><tr>{head}</tr>{body}</table>"


def _plot(path: Path, out: Outcome) -> str:
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    title = "Every cadence tried: the objective against complaints, with the constraint lines"
    return (f"<figure id=plot-front><figcaption>{esc(title)}</figcaption><p class=takeaway>{_tried(out)}; "
            "filled points met every constraint on the search's replications, hollow ones missed one; the star is "
            f"the chosen cadence and the squares the scenario's own strategies.</p>"
            f"<img alt='{esc(title)}' src='data:image/png;base64,{data}'></figure>")


def build_report(scenario: Scenario, out: Outcome, blocks: dict[str, str], front: Path,
                 info: Optional[dict] = None) -> str:
    """The page's HTML; ``blocks`` maps a cadence's key to its block to paste into a scenario."""
    info = info or {}
    s = out.settings
    title = f"{scenario.name.replace('_', ' ').capitalize()}: the best cadence for this team"
    ran = info.get("wall_seconds")
    took = f", in {duration_words(ran / 60)}" if isinstance(ran, (int, float)) and ran >= 60 else (
        f", in {ran:.0f} seconds" if isinstance(ran, (int, float)) else "")
    stop = {"time": "the time limit", "budget": "the budget"}.get(out.stopped_by, out.stopped_by)
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{esc(title)}</title>"
             f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{CSS}{EXTRA_CSS}</style>"
             f"</head><body><h1>{esc(title)}</h1>",
             f"<p class=muted>{esc(s.text())}. {out.runs} simulated runs of {duration_words(scenario.horizon)} "
             f"each{esc(took)}; stopped by {esc(stop)}; {_tried(out)}; seed {scenario.seed}.</p>"]
    if scenario.question:
        parts.append(f"<div class=question>{esc(scenario.question)}</div>")
    parts.append("<h2 id=answer>The answer</h2><ul class=headline>"
                 + "".join(f"<li class=headline>{esc(t)}</li>" for t in sentences(out)) + "</ul>")
    if out.winner is not None:
        parts.append("<h2 id=cadences>The cadences</h2><p class=legend><span><i class=dot></i> call</span>"
                     "<span><i class=sq></i> email</span><span><i class=tri></i> text message</span>"
                     "<span class=muted>numbers: cadence day (1 = first touch)</span></p>")
        roles = [(out.winner, "The best cadence")]
        if out.runner_up is not None:
            roles.append((out.runner_up, "The runner-up"))
        if out.current not in (out.winner, out.runner_up):
            roles.append((out.current, "Your current cadence"))
        parts += [_cadence(out, scenario, key, role, blocks.get(key, "")) for key, role in roles]
        parts.append("<h2 id=table>The finalists on fresh replications</h2>" + _table(out)
                     + "<p class=muted>Mean±95% half-width over the fresh replications each had; a dropped cadence "
                       "stopped when the selection ruled it out. 'vs current' is paired over the runs both had.</p>")
    elif out.closest is not None:
        parts.append("<h2 id=cadences>The closest cadence</h2>"
                     + _cadence(out, scenario, out.closest, "Closest to the constraints", blocks.get(out.closest, "")))
    parts.append("<h2 id=plots>The trade-off</h2>" + _plot(front, out))
    parts.append("<h2 id=how-to-read>How to read this</h2>" + HOW_TO_READ)
    rev = info.get("git_revision") or "unknown"
    parts.append(f"<p class=muted>Made by followup-sim optimize from scenario {esc(scenario.name)} (seed "
                 f"{scenario.seed}, code revision {esc(str(rev)[:12])}).</p></body></html>")
    return "\n".join(parts)
