"""The calibration picture: each published figure beside the model's value and 95% interval."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402
import pandas as pd  # noqa: E402

from sim.scenario.published import FIGURE_BY_KEY, format_value  # noqa: E402

MET, MISSED, PUBLISHED = "#2a7f62", "#c0392b", "#34495e"


def _panel(ax, row) -> None:
    fig = FIGURE_BY_KEY[row.figure]
    color = MET if row.status == "met" else MISSED
    ax.axvspan(row.tolerance_low, row.tolerance_high, color="#d5e8d4", zorder=0, label="tolerance")
    ax.plot([row.published], [1], marker="D", color=PUBLISHED, markersize=8, linestyle="", label="published")
    lo, hi = row.ci_low, row.ci_high
    if not (math.isnan(lo) or math.isnan(hi)):
        ax.errorbar([row.model], [0], xerr=[[row.model - lo], [hi - row.model]], fmt="o", color=color,
                    capsize=4, markersize=7, label="model, 95% interval")
    else:
        ax.plot([row.model], [0], marker="o", color=color, markersize=7, linestyle="")
    values = [v for v in (row.published, row.model, lo, hi, row.tolerance_low, row.tolerance_high) if not math.isnan(v)]
    if fig.log_scale:
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 1.6, max(values) * 1.6)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}x"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:
        span = max(values) - min(values) or abs(max(values)) or 1.0
        ax.set_xlim(min(values) - 0.15 * span, max(values) + 0.15 * span)
    ax.set_ylim(-0.7, 1.7)
    ax.set_yticks([0, 1], ["model", "published"])
    ax.set_title(f"{fig.label}\nmodel {format_value(row.model, row.unit)}: {row.status}", fontsize=9, color=color)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3, which="both")


def _touch_panel(ax, claims: pd.DataFrame) -> None:
    labels = ["1", "2", "3", "4", "5-12"]
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], claims["published"], width=0.4, color="#bbbbbb", label="claim (no source)")
    err = [claims["model"] - claims["ci_low"], claims["ci_high"] - claims["model"]]
    ax.bar([i + 0.2 for i in x], claims["model"], width=0.4, color="#4a78a8", yerr=err, capsize=3,
           label="model, 1/3/7/14/28/58 cadence")
    ax.set_xticks(list(x), labels)
    ax.set_xlabel("our outbound attempt the sale came on", fontsize=8)
    ax.set_ylabel("% of sales", fontsize=8)
    ax.set_title("sales by attempt: the '2/3/5/10/80' claim\nbeside the model (not a target)", fontsize=9)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=8)


def calibration_figure(table: pd.DataFrame):
    targets = table[table["status"] != "not a target"]
    claims = table[table["status"] == "not a target"]
    n = len(targets) + (1 if len(claims) else 0)
    cols = 3
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 4.6, rows * 2.5))
    axes = list(axes.ravel())
    for ax, row in zip(axes, targets.itertuples()):
        _panel(ax, row)
    if len(claims):
        _touch_panel(axes[len(targets)], claims)
    for ax in axes[n:]:
        ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle("followup-sim defaults against published figures (odds ratios on a log scale)", fontsize=12)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def write_calibration_plot(table: pd.DataFrame, path: Path) -> Path:
    fig = calibration_figure(table)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
