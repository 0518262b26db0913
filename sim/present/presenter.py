"""What the presenter screens show, drawn for a projector: the steps of a lesson (question, vote,
reveal, one prospect, debrief, game), the one large chart of the reveal, one prospect under A
and B as a timeline, and the debrief that sets the room's guesses beside what happened.

Charts are drawn 1280 px wide with no text under ``MIN_POINTS`` points, so that shown at the
width of a 1280x720 screen (or scaled up on 1920x1080) no chart text is under 18 px:
``smallest_text_px`` checks a figure. Numbers and sentences come from ``sim.workshop.page`` and
``sim.sentences``; nothing here simulates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from sim.present import sentences as S
from sim.present.story import TALKED, Story
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STEPS = ("question", "vote", "reveal", "story", "debrief", "game")
STEP_TITLES = {"question": "The question", "vote": "Your vote", "reveal": "What happened",
               "story": "One prospect, two strategies", "debrief": "Debrief", "game": "The team game"}
DPI = 100
WIDTH_IN = 12.8  # 1280 px
MIN_POINTS = 16  # 22 px at 100 dpi
COLORS = {"A": "#1f77b4", "B": "#d62728"}


def _figure(height_in: float):

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def smallest_text_px(fig, shown_width_px: float) -> float:
    """The smallest visible text of a figure in screen pixels when the figure is shown ``shown_width_px`` wide."""
    fig.canvas.draw()
    scale = shown_width_px / (fig.get_figwidth() * fig.dpi)
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    return min(sizes) * fig.dpi / 72 * scale


def answer_line(view) -> str:
    """The lesson's answer in one line: the headline sentence of B against A."""
    return view.headline[0].text if view.headline else "A and B could not be compared."


def reveal_figure(view):
    """Close rate and complaints per 1,000 of A and B side by side, 95% interval bars, values written on the bars."""
    fig = _figure(5.0)
    axes = fig.subplots(1, 2)
    panels = (("close_rate", "close_low", "close_high", "Close rate (%)", "{:.1f}%"),
              ("complaints", "complaints_low", "complaints_high", "Complaints per 1,000", "{:.1f}"))
    points = {side: view.point(side) for side in ("A", "B")}
    for ax, (key, lo, hi, title, fmt) in zip(axes, panels):
        for i, side in enumerate(("A", "B")):
            p = points[side]
            low, high = p[lo], p[hi]
            err = [[max(0.0, p[key] - low)], [max(0.0, high - p[key])]] if math.isfinite(low) and math.isfinite(high) else None
            ax.bar(i, p[key], color=COLORS[side], width=0.6, yerr=err, capsize=10, error_kw={"lw": 2.5})
            inside = p[key] > 0.25 * max(points[s][key] for s in points)  # room for the number in the bar
            top = high if math.isfinite(high) else p[key]
            ax.text(i, p[key] / 2 if inside else top, fmt.format(p[key]), ha="center",
                    va="center" if inside else "bottom", fontsize=26, fontweight="bold",
                    color="white" if inside else "black")
        ax.set_xticks([0, 1], ["A", "B"], fontsize=22, fontweight="bold")
        ax.tick_params(axis="y", labelsize=MIN_POINTS)
        ax.set_title(title, fontsize=22)
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", alpha=0.3)
    fig.text(0.5, 0.01, "Bars: 95% interval over replications (same prospects, same luck)", ha="center",
             fontsize=MIN_POINTS, color="0.3")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


MARKS = {  # what a timeline mark is: (marker, colour, size, words in the legend)
    "missed": ("o", "0.6", 130, "call, no answer"),
    "talked": ("o", "#1f77b4", 220, "talked"),
    "message": ("s", "0.45", 110, "email or text"),
    "sale": ("*", "#2ca02c", 700, "bought from us"),
    "complaint": ("X", "#d62728", 450, "complained"),
    "elsewhere": ("v", "black", 350, "bought elsewhere"),
    "ready": ("^", "#ff9f1c", 260, "became ready to buy"),
}


def mark_of(line) -> Optional[str]:
    """The timeline mark of one story line (None: not drawn)."""
    if "COMPLAINED" in line.what:
        return "complaint"
    if line.kind == "readiness":
        return "ready" if line.outcome == "ready" else None
    if line.kind == "purchase":
        return "elsewhere"
    if line.outcome == "sale":
        return "sale"
    if line.outcome in TALKED:
        return "talked"
    if line.outcome in ("no_answer", "voicemail"):
        return "missed"
    if line.outcome in ("sent", "replied"):
        return "message"
    return None


def timeline_figure(lanes: list[tuple[str, str, Story]]):
    """One prospect's story per lane (label, colour, story), top to bottom: every touch, the buying
    moments and the end, by day of the simulation."""
    height = 2.0 + 1.7 * len(lanes)
    fig = _figure(height)
    ax = fig.subplots()
    used: set[str] = set()
    last = 1.0
    for y, (label, colour, story) in zip(range(len(lanes) - 1, -1, -1), lanes):
        ax.axhline(y, color=colour, lw=3, alpha=0.35, zorder=0)
        for line in story.lines:
            mark = mark_of(line)
            if mark is None:
                continue
            marker, color, size, _ = MARKS[mark]
            day = line.time_min / (24 * 60)
            last = max(last, day)
            ax.scatter([day], [y], marker=marker, s=size, color=color, zorder=3, edgecolors="white", linewidths=1)
            used.add(mark)
        ax.text(0, y + 0.3, f"{label} - {_short(story.outcome)}", fontsize=20, color=colour, fontweight="bold",
                va="center")
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(-1, last * 1.05 + 1)
    ax.set_yticks([])
    ax.set_xlabel("Day of the simulation", fontsize=18)
    ax.tick_params(axis="x", labelsize=MIN_POINTS)
    ax.spines[["top", "right", "left"]].set_visible(False)
    handles = [ax.scatter([], [], marker=MARKS[k][0], s=MARKS[k][2] * 0.6, color=MARKS[k][1], label=MARKS[k][3])
               for k in MARKS if k in used]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=MIN_POINTS, frameon=False)
    fig.tight_layout(rect=(0, 0.6 / height if handles else 0, 1, 1))  # the legend's row below the axis
    return fig


def pair_timeline(a: Story, b: Story, names: dict[str, str]):
    """The same prospect under A (top) and B (bottom)."""
    return timeline_figure([(f"A: {names['A']}", COLORS["A"], a), (f"B: {names['B']}", COLORS["B"], b)])


def _short(outcome: str) -> str:
    text = outcome.split(";")[0].split(" (")[0].strip().rstrip(".")
    return text if len(text) <= 48 else text[:47] + "…"


@dataclass(frozen=True)
class DebriefRow:
    question: str
    room: str
    happened: str


def _guesses(s: Optional[dict], unit: str) -> str:
    if not s:
        return "no guesses"
    if s["n"] == 1:
        return f"1 guess: {S.number(s['median'])}{unit}"
    return (f"{s['n']} guesses, middle half {S.number(s['q1'])}{unit} to {S.number(s['q3'])}{unit} "
            f"(median {S.number(s['median'])}{unit})")


def debrief_rows(view, tally: dict) -> list[DebriefRow]:
    """The room's votes and the spread of its guesses beside what the simulation says happened."""
    b, a = view.point("B"), view.point("A")
    better = "B" if b["close_rate"] > a["close_rate"] else "A"
    clear = not (b["close_low"] <= a["close_rate"] <= b["close_high"])
    return [
        DebriefRow("Which closes more deals, A or B?", f"{tally['A']} said A, {tally['B']} said B",
                   f"{better} ({S.number(a['close_rate'])}% vs {S.number(b['close_rate'])}%)"
                   + ("" if clear else ", within the noise")),
        DebriefRow("B's close rate", _guesses(tally.get("close_rate"), "%"),
                   f"{S.number(b['close_rate'])}% (95% interval {S.number(b['close_low'])} to {S.number(b['close_high'])})"),
        DebriefRow("B's complaints per 1,000", _guesses(tally.get("complaints"), ""),
                   f"{S.number(b['complaints'])} (95% interval {S.number(b['complaints_low'])} to "
                   f"{S.number(b['complaints_high'])})"),
    ]
