"""What every results chart shares: the style (resolution, colours, footnotes), error bars cut at
the bounds a quantity cannot cross, names shown as text (never as mathtext), and labels placed
where they do not overlap. ``sim.present.plots`` draws the charts with these."""
from __future__ import annotations

from typing import Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from sim.experiment.jobs import Experiment  # noqa: E402
from sim.present.sentences import FEW_REPLICATIONS  # noqa: E402
from sim.experiment.stats import t_interval  # noqa: E402
from sim.scenario.strategies import display_names  # noqa: E402


DPI = 120
CLAIM = {1: 2, 2: 3, 3: 5, 4: 10}  # the untraceable "2/3/5/10%, then 80% on the 5th-12th" claim, in %
CLAIM_LATE = 80
CLIP_NOTE = "Error bars stop at {what}: nothing can be below zero or above 100%."
STATE_WORDS = {"not_ready": "not ready", "considering": "considering", "ready": "ready to buy",
               "off_market": "just bought elsewhere", "customer": "our customer"}


# ---------------------------------------------------------------- helpers
def shown_names(exp: Experiment) -> dict[str, str]:
    """Each strategy's display name (its label, else its key), escaped for matplotlib."""
    return {key: plain(name) for key, name in display_names(exp.scenario.strategies).items()}


def plain(text: object) -> str:
    """User text (a strategy name, a swept value) as matplotlib shows it literally: a ``$`` would
    start mathtext, which fails on names like ``$\\undefined{$`` after the whole run."""
    return str(text).replace("$", r"\$")


def band(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Mean and 95% t interval of y over replications at each x."""
    rows = [(key, *t_interval(g[y])[:3]) for key, g in frame.groupby(x)]
    return pd.DataFrame(rows, columns=[x, "mean", "low", "high"])


def strategy_colors(names: list[str]) -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(names)}


def summary_value(summary: pd.DataFrame, strategy: str, metric: str) -> tuple[float, float, float]:
    row = summary[(summary.strategy == strategy) & (summary.metric == metric)]
    if row.empty:
        return np.nan, np.nan, np.nan
    r = row.iloc[0]
    return float(r["mean"]), float(r["ci_low"]), float(r["ci_high"])


def clip(low: float, high: float, lower: float = 0.0, upper: float = np.inf) -> tuple[float, float, bool]:
    """An interval cut to what the quantity can be; the flag says whether anything was cut."""
    if np.isnan(low):
        return low, high, False
    lo, hi = max(low, lower), min(high, upper)
    return lo, hi, (lo != low or hi != high)


def err_bars(mean: float, low: float, high: float) -> list[list[float]]:
    if np.isnan(low):
        return [[0.0], [0.0]]
    return [[max(mean - low, 0.0)], [max(high - mean, 0.0)]]


def replications_of(exp: Experiment) -> int:
    return len({r.replication for r in exp.results})


def footnote(fig: Figure, lines: list[str]) -> None:
    """Small print under the axes (clipping, left-out strategies, too few replications)."""
    lines = [line for line in lines if line]
    if lines:
        fig.text(0.01, 0.005, "\n".join(lines), fontsize=7.5, color="#444444", ha="left", va="bottom")


def few_note(exp: Experiment) -> str:
    n = replications_of(exp)
    if n >= FEW_REPLICATIONS:
        return ""
    return (f"Only {n} replication{'s' if n != 1 else ''}: "
            + ("no intervals." if n < 2 else "intervals are wide and unreliable; run at least "
               f"{FEW_REPLICATIONS} before drawing conclusions."))


def finish(fig: Figure, notes: list[str], legend_rows: int = 0) -> Figure:
    lines = [n for n in notes if n]
    bottom = 0.02 + 0.028 * len(lines) + 0.035 * legend_rows
    fig.tight_layout(rect=(0, bottom, 1, 1))
    footnote(fig, lines)
    return fig


def place_labels(ax, points: list[tuple[float, float]], texts: list[str], fontsize: float = 8,
                 segments: Optional[list[tuple[tuple[float, float], tuple[float, float]]]] = None) -> list:
    """Write each point's label beside it where it overlaps no other label, point, drawn segment
    (``segments``, e.g. error bars, in data coordinates) or the axes' edge.

    Greedy: labels are placed one at a time, trying offsets around the point in a fixed order
    and keeping the first whose box is clear (the least-overlapping one when none is)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    offsets = [(7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"),
               (-7, -5, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
               (9, 0, "left", "center"), (-9, 0, "right", "center"), (14, 14, "left", "bottom"),
               (14, -14, "left", "top"), (-14, 14, "right", "bottom"), (-14, -14, "right", "top")]
    frame = ax.get_window_extent(renderer)
    marks = [ax.transData.transform(p) for p in points]
    taken: list = []
    for a, b in segments or []:
        (x0, y0), (x1, y1) = ax.transData.transform(a), ax.transData.transform(b)
        taken.append(Bbox.from_extents(min(x0, x1) - 2, min(y0, y1) - 2, max(x0, x1) + 2, max(y0, y1) + 2))
    placed = []
    for (x, y), text in zip(points, texts):
        best, best_score = None, None
        for dx, dy, ha, va in offsets:
            t = ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), ha=ha, va=va, fontsize=fontsize)
            box = t.get_window_extent(renderer).expanded(1.04, 1.15)
            score = sum(box.overlaps(b) for b in taken)
            score += sum(box.x0 - 3 < mx < box.x1 + 3 and box.y0 - 3 < my < box.y1 + 3 for mx, my in marks)
            score += 0 if (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1) else 5
            if best_score is None or score < best_score:
                if best is not None:
                    best.remove()
                best, best_score, best_box = t, score, box
            else:
                t.remove()
            if score == 0:
                break
        taken.append(best_box)
        placed.append(best)
    return placed


# ---------------------------------------------------------------- figures
