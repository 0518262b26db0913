"""Curves of a sweep: each outcome against the swept parameter, with 95% bands.

Axes are labelled in words (``field_words``), integer fields get integer ticks, bands of
quantities that cannot go below zero (or above 100%) are cut there, and the legend sits
below the panels, off the data.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.present.plot_style import plain  # noqa: E402
from sim.present.sentences import field_words  # noqa: E402  (re-exported: the sweep's axes are labelled with it)

PANELS = [
    ("close_rate", "Close rate (%)", 100.0, 100.0),
    ("complaints_per_1000", "Complaints per 1,000 prospects", 1.0, np.inf),
    ("calls_per_rep_day_mean", "Calls per rep per working day", 1.0, np.inf),
    ("lead_response_median_min", "Median lead response (minutes)", 1.0, np.inf),
]

def _positions(values: pd.Series) -> tuple[np.ndarray, list[str], bool, bool]:
    """Numeric x when every value is a number, else evenly spaced categories in sweep order;
    also whether every value is a whole number (integer ticks)."""
    uniques = list(dict.fromkeys(values.tolist()))
    try:
        numeric = [float(v) for v in uniques]
    except (TypeError, ValueError):
        return np.arange(len(uniques), dtype=float), [str(v) for v in uniques], False, False
    integer = all(float(v).is_integer() for v in numeric)
    labels = [f"{int(v)}" if integer else f"{v:g}" for v in numeric]
    return np.asarray(numeric), labels, True, integer


def plot_sweep(table: pd.DataFrame, params: list[str], names: Optional[dict[str, str]] = None) -> Figure:
    names = names or {}
    x_name = params[0]
    xs, labels, numeric, integer = _positions(table[x_name])
    lookup = dict(zip([str(v) for v in dict.fromkeys(table[x_name].tolist())], xs))
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.2), sharex=True)
    groups = ["strategy"] + params[1:]
    cut = False
    handles, texts = [], []
    for i, (ax, (metric, label, scale, upper)) in enumerate(zip(axes.ravel(), PANELS)):
        rows = table[table["metric"] == metric]
        for key, g in rows.groupby(groups, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            name = names.get(str(key[0]), str(key[0])) + "".join(
                f", {field_words(p).split(' (')[0].lower()} {v}" for p, v in zip(params[1:], key[1:]))
            x = np.array([lookup[str(v)] for v in g[x_name]])
            order = np.argsort(x)
            mean = g["mean"].to_numpy(float)[order] * scale
            line, = ax.plot(x[order], mean, marker="o", label=plain(name))
            lo, hi = g["ci_low"].to_numpy(float)[order] * scale, g["ci_high"].to_numpy(float)[order] * scale
            if np.isfinite(lo).any():
                cut |= bool(np.nanmin(lo) < 0 or np.nanmax(hi) > upper)
                ax.fill_between(x[order], np.clip(lo, 0, upper), np.clip(hi, 0, upper), color=line.get_color(),
                                alpha=0.2, linewidth=0)
            if i == 0:
                handles.append(line)
                texts.append(plain(name))
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.set_xticks(xs, [plain(str(label)) for label in labels])
        ax.tick_params(labelbottom=True)
    for ax in axes[1]:
        ax.set_xlabel(plain(field_words(x_name)))
    for ax in axes[0]:
        ax.set_xlabel(plain(field_words(x_name)))
    title = f"How outcomes change with {field_words(x_name).split(' (')[0].lower()}"
    if len(params) > 1:
        title += f", one line per strategy and {field_words(params[1]).split(' (')[0].lower()}"
    fig.suptitle(plain(title) + "\n(mean and 95% band over replications)")
    ncol = min(3, len(texts))
    rows = int(np.ceil(len(texts) / max(ncol, 1)))
    note = "Bands stop at zero (and 100%): nothing can be below zero or above 100%." if cut else ""
    bottom = 0.02 + 0.03 * rows + (0.03 if note else 0)
    fig.legend(handles, texts, loc="lower center", ncol=ncol, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.01 + (0.03 if note else 0)))
    if note:
        fig.text(0.01, 0.005, note, fontsize=7.5, color="#444444")
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def write_sweep_plots(table: pd.DataFrame, params: list[str], folder: Path,
                      names: Optional[dict[str, str]] = None) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig = plot_sweep(table, params, names)
    path = folder / "sweep.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]
