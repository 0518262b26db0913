"""The workshop page's charts of an A-vs-B comparison: close rate against complaints (with the presets
in grey) and the call load week by week, and a figure as PNG bytes."""
from __future__ import annotations

import io
import math
from typing import Optional

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.experiment.stats import t_interval
from sim.present.plot_style import place_labels
from sim.present.presenter import COLORS
from sim.workshop.page import SIDES, View


def _bars(mean: float, low: float, high: float, floor: float = 0.0) -> list[list[float]]:
    if not (math.isfinite(low) and math.isfinite(high)):
        return [[0.0], [0.0]]
    return [[max(0.0, mean - max(low, floor))], [max(0.0, high - mean)]]


def tradeoff_figure(view: View, presets: Optional[pd.DataFrame] = None, size: tuple[float, float] = (7.5, 5.0)):
    """Close rate against complaints per 1,000: the presets in grey, A and B in colour, 95% interval bars."""
    fig = Figure(figsize=size, dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    points, texts, styles = [], [], []
    for side in SIDES:
        p = view.point(side)
        ax.errorbar(p["complaints"], p["close_rate"], xerr=_bars(p["complaints"], p["complaints_low"], p["complaints_high"]),
                    yerr=_bars(p["close_rate"], p["close_low"], p["close_high"]), fmt="o", ms=9, capsize=4, lw=2,
                    color=COLORS[side], label=f"{side}: {view.names[side]}", zorder=3)
        points.append((p["complaints"], p["close_rate"]))
        texts.append(side)
        styles.append({"fontsize": 13, "fontweight": "bold", "color": COLORS[side], "zorder": 4})
    if presets is not None:
        for row in presets.itertuples(index=False):
            ax.errorbar(row.complaints, row.close_rate,
                        xerr=_bars(row.complaints, row.complaints_low, row.complaints_high),
                        yerr=_bars(row.close_rate, row.close_low, row.close_high),
                        fmt="o", color="0.72", ms=5, capsize=2, lw=1, zorder=1)
            points.append((row.complaints, row.close_rate))
            texts.append(row.name)
            styles.append({"fontsize": 7, "color": "0.5", "zorder": 1})
    ax.set_xlabel("Complaints per 1,000 prospects")
    ax.set_ylabel("Close rate (% of prospects who bought from us)")
    ax.set_title("Close rate vs complaints: up and to the left is better\n"
                 "(bars: 95% interval over replications; grey: the presets)", fontsize=10)
    ax.margins(x=0.12, y=0.1)
    ax.set_xlim(left=-0.04 * max(ax.get_xlim()[1], 1))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    for label, style in zip(place_labels(ax, points, texts, fontsize=8), styles):
        label.set(**style)
    return fig


def figure_png(fig) -> bytes:
    """A figure as PNG bytes (what the page shows, kept so a rerun need not draw it again)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def call_load_figure(view: View, size: tuple[float, float] = (7.5, 5.0)):
    """Calls per rep per working day, week by week, for A and B (mean and 95% band)."""
    fig = Figure(figsize=size, dpi=110)
    ax = fig.subplots()
    rd = view.experiment.series("rep_days")
    rd = rd.assign(week=rd["day"] // 7 + 1)
    full = int(math.ceil(view.scenario.horizon / (24 * 60))) // 7
    per = rd[rd.week <= full].groupby(["strategy", "replication", "week"], as_index=False)["calls"].mean()
    for side in SIDES:
        rows = [(w, *t_interval(g["calls"])[:3]) for w, g in per[per.strategy == side].groupby("week")]
        if not rows:
            continue
        w, m, lo, hi = (np.array(x, dtype=float) for x in zip(*rows))
        ax.plot(w, m, color=COLORS[side], lw=2, label=f"{side}: {view.names[side]}")
        ax.fill_between(w, np.clip(lo, 0, None), hi, color=COLORS[side], alpha=0.2, lw=0)
    ax.set_xlabel("Week of the simulation")
    ax.set_ylabel("Calls per rep per working day")
    ax.set_title("Call load on each rep, week by week (mean and 95% band)", fontsize=10)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
