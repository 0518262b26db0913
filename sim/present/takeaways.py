"""What a class takes home, from the same numbers as the presenter screens: the steps as a slide
file (one self-contained HTML page, a 1920x1080 slide per step, charts inside as data URIs)
and a one-page A4 handout ready to print. Both open with the lesson's answer in one line.

    html = slides_html(view, charts, debrief, caption)
    html = handout_html(view, charts, debrief)
"""
from __future__ import annotations

import base64
import html
from typing import Optional

from sim.present import presenter as P

_E = html.escape


def _img(png: Optional[bytes], alt: str) -> str:
    if not png:
        return ""
    return f'<img alt="{_E(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(rows: list[P.DebriefRow]) -> str:
    body = "".join(f"<tr><td>{_E(r.question)}</td><td>{_E(r.room)}</td><td>{_E(r.happened)}</td></tr>" for r in rows)
    return f"<table><tr><th></th><th>The room</th><th>What happened</th></tr>{body}</table>"


def _sides(view) -> str:
    return "".join(f'<p class="side"><b class="{s}">{s}: {_E(view.names[s])}</b> '
                   f'<span>{_E(view.scenario.strategies[s].description or "")}</span></p>' for s in ("A", "B"))


SLIDE_CSS = """
@page { size: 1920px 1080px; margin: 0; }
body { margin: 0; font-family: system-ui, sans-serif; color: #111; background: #777; }
section { width: 1920px; height: 1080px; box-sizing: border-box; padding: 48px 72px; background: #fff;
          margin: 0 auto 24px auto; display: flex; flex-direction: column; overflow: hidden; page-break-after: always; }
h1 { font-size: 60px; margin: 0 0 24px 0; } p { font-size: 36px; margin: 10px 0; line-height: 1.3; }
.answer { font-size: 52px; font-weight: 600; } .small { font-size: 28px; color: #333; }
.side b.A { color: #1f77b4; } .side b.B { color: #d62728; }
img { flex: 1; min-height: 0; width: 100%; object-fit: contain; }
table { border-collapse: collapse; font-size: 36px; } td, th { text-align: left; padding: 8px 28px 8px 0;
  border-bottom: 2px solid #ddd; vertical-align: top; } th { font-size: 28px; color: #333; }
"""


def slides_html(view, charts: dict[str, bytes], debrief: list[P.DebriefRow], caption: str = "") -> str:
    """The presenter's steps as slides: question, reveal (answer and chart), one prospect, debrief."""
    question = _E(view.scenario.question or "Which follow-up works better?")
    slides = [
        f"<h1>{question}</h1>{_sides(view)}<p class='small'>Predict first: which closes more deals, and at what cost "
        "in complaints?</p>",
        f"<p class='answer'>{_E(P.answer_line(view))}</p>{_img(charts.get('reveal'), 'Close rate and complaints of A and B')}",
        f"<h1>One prospect under A and under B</h1><p class='small'>{_E(caption)}</p>"
        f"{_img(charts.get('story'), 'One prospect under A and B')}",
        f"<h1>What the room predicted, and what happened</h1>{_table(debrief)}"
        + "".join(f"<p class='small'>- {_E(q)}</p>" for q in view.questions[:3]),
    ]
    body = "".join(f"<section>{s}</section>" for s in slides)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{question}</title>"
            f"<style>{SLIDE_CSS}</style></head><body>{body}</body></html>")


HANDOUT_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: system-ui, sans-serif; color: #111; font-size: 11pt; max-width: 182mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 4mm 0; } h2 { font-size: 12.5pt; margin: 4mm 0 1.5mm 0; }
.answer { font-size: 13pt; font-weight: 600; border-left: 4px solid #d62728; padding-left: 3mm; }
p { margin: 1.5mm 0; line-height: 1.35; } .side b.A { color: #1f77b4; } .side b.B { color: #d62728; }
img { width: 100%; } .charts img { max-height: 50mm; object-fit: contain; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 1mm 3mm 1mm 0;
  border-bottom: 1px solid #ccc; vertical-align: top; } th { font-size: 9.5pt; color: #333; }
.small { font-size: 9.5pt; color: #333; }
"""


def handout_html(view, charts: dict[str, bytes], debrief: list[P.DebriefRow]) -> str:
    """One A4 page: the question, A and B, the answer in one line, the chart, the debrief, the questions to take back."""
    sc = view.scenario
    figures = "".join(f"<li>{_E(s.text)}</li>" for s in view.figures[:3])
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Handout: {_E(sc.question or sc.name)}"
            f"</title><style>{HANDOUT_CSS}</style></head><body>"
            f"<h1>{_E(sc.question or 'Which follow-up works better?')}</h1>{_sides(view)}"
            f"<h2>The answer</h2><p class='answer'>{_E(P.answer_line(view))}</p>"
            f"<div class='charts'>{_img(charts.get('reveal'), 'Close rate and complaints of A and B')}</div>"
            f"<ul class='small'>{figures}</ul>"
            f"<h2>What the room predicted, and what happened</h2>{_table(debrief)}"
            f"<h2>Take back to your team</h2>" + "".join(f"<p>- {_E(q)}</p>" for q in view.questions[:3])
            + f"<p class='small'>{_E(sc.description or '')} {sc.replications} replications on the same prospects "
              f"(seed {sc.seed}); bars and intervals are 95%. Made with followup-sim.</p></body></html>")
