"""Curves of a sweep: each outcome against the swept parameter, with 95% bands."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .plots import plain  # noqa: E402

PANELS = [
    ("close_rate", "Close rate (%)", 100.0),
    ("complaints_per_1000", "Complaints per 1,000 prospects", 1.0),
    ("calls_per_rep_day_mean", "Calls per rep per working day", 1.0),
    ("lead_response_median_min", "Median lead response (minutes)", 1.0),
]


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str], bool]:
    """Numeric x when every value is a number, else evenly spaced categories in sweep order."""
    uniques = list(dict.fromkeys(values.tolist()))
    try:
        numeric = [float(v) for v in uniques]
        return np.asarray(numeric), [str(v) for v in uniques], True
    except (TypeError, ValueError):
        return np.arange(len(uniques), dtype=float), [str(v) for v in uniques], False


def plot_sweep(table: pd.DataFrame, params: list[str]) -> Figure:
    x_name = params[0]
    xs, labels, numeric = _positions(table[x_name])
    lookup = dict(zip(labels, xs))
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    groups = ["strategy"] + params[1:]
    for ax, (metric, label, scale) in zip(axes.ravel(), PANELS):
        rows = table[table["metric"] == metric]
        for key, g in rows.groupby(groups, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            name = str(key[0]) + "".join(f", {p.split('.')[-1]}={v}" for p, v in zip(params[1:], key[1:]))
            x = np.array([lookup[str(v)] for v in g[x_name]])
            order = np.argsort(x)
            mean = g["mean"].to_numpy(float)[order] * scale
            line, = ax.plot(x[order], mean, marker="o", label=plain(name))
            lo, hi = g["ci_low"].to_numpy(float)[order] * scale, g["ci_high"].to_numpy(float)[order] * scale
            if np.isfinite(lo).any():
                ax.fill_between(x[order], lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_ylabel(label)
        ax.set_xlabel(plain(x_name))
        ax.grid(alpha=0.3)
        if not numeric:
            ax.set_xticks(xs, [plain(label) for label in labels])
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(plain(f"How outcomes change with {x_name} (mean and 95% band over replications)"))
    fig.tight_layout()
    return fig


def write_sweep_plots(table: pd.DataFrame, params: list[str], folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig = plot_sweep(table, params)
    path = folder / "sweep.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]
