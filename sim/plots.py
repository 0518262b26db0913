"""Comparison plots a sales manager reads at a glance, written into a results folder.

Each ``plot_*`` function returns a Figure (so tests can check labels); ``write_plots``
saves and closes them. Every estimate carries its 95% interval over replications.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .experiment import Experiment  # noqa: E402
from .readiness import STATE_NAMES  # noqa: E402
from .results import SALES_BY_TOUCH_MAX  # noqa: E402
from .stats import t_interval  # noqa: E402
from .touches import CAUSES  # noqa: E402

DPI = 120
CLAIM = {1: 2, 2: 3, 3: 5, 4: 10}  # the untraceable "2/3/5/10, then 80% on the 5th-12th" claim, in %


def plain(text: object) -> str:
    """User text (a strategy name, a swept value) as matplotlib shows it literally: a ``$`` would
    start mathtext, which fails on names like ``$\\undefined{$`` after the whole run."""
    return str(text).replace("$", r"\$")


def _band(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Mean and 95% t interval of y over replications at each x."""
    rows = [(key, *t_interval(g[y])[:3]) for key, g in frame.groupby(x)]
    return pd.DataFrame(rows, columns=[x, "mean", "low", "high"])


def _colors(names: list[str]) -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(names)}


def _summary_value(summary: pd.DataFrame, strategy: str, metric: str) -> tuple[float, float, float]:
    row = summary[(summary.strategy == strategy) & (summary.metric == metric)]
    if row.empty:
        return np.nan, np.nan, np.nan
    r = row.iloc[0]
    return float(r["mean"]), float(r["ci_low"]), float(r["ci_high"])


def _err(mean: float, low: float, high: float) -> list[list[float]]:
    if np.isnan(low):
        return [[0.0], [0.0]]
    return [[mean - low], [high - mean]]


def plot_tradeoff(exp: Experiment, summary: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 6))
    colors = _colors(exp.strategies)
    for name in exp.strategies:
        cr = [v * 100 for v in _summary_value(summary, name, "close_rate")]
        cp = list(_summary_value(summary, name, "complaints_per_1000"))
        ax.errorbar(cp[0], cr[0], xerr=_err(*cp), yerr=_err(*cr), fmt="o", color=colors[name], capsize=4, label=plain(name))
        ax.annotate(plain(name), (cp[0], cr[0]), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.set_xlabel("Complaints per 1,000 prospects")
    ax.set_ylabel("Close rate (% of prospects who bought from us)")
    ax.set_title("Close rate vs complaints: up and to the left is better\n(bars: 95% interval over replications)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _bands_over_time(frame: pd.DataFrame, x: str, y: str, names: list[str], xlabel: str, ylabel: str, title: str) -> Figure:
    """One line per strategy: the mean of y at each x over replications, with its 95% band."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    colors = _colors(names)
    for name in names:
        b = _band(frame[frame.strategy == name], x, y)
        ax.plot(b[x], b["mean"], color=colors[name], label=plain(name))
        if b["low"].notna().any():
            ax.fill_between(b[x], b["low"], b["high"], color=colors[name], alpha=0.2, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_cumulative_sales(exp: Experiment) -> Figure:
    return _bands_over_time(exp.series("daily"), "day", "cumulative_sales", exp.strategies, "Day of the simulation",
                            "Cumulative sales (count)", "Sales over time by strategy (mean and 95% band)")


def plot_call_load(exp: Experiment) -> Figure:
    rd = exp.series("rep_days").copy()
    rd["week"] = rd["day"] // 7
    per_rep_week = rd.groupby(["strategy", "replication", "week"], as_index=False)["calls"].mean()
    return _bands_over_time(per_rep_week, "week", "calls", exp.strategies, "Week of the simulation",
                            "Calls per rep per working day (weekly mean)",
                            "Call load on the team over time (mean and 95% band)")


def plot_response_time(exp: Experiment) -> Figure:
    rt = exp.response_times()
    names = exp.strategies
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(names) + 2.5))
    data = [np.maximum(rt.loc[rt.strategy == n, "minutes"].to_numpy(float), 0.1) for n in names]
    has = [len(d) > 0 for d in data]
    if any(has):
        ax.boxplot([d for d, h in zip(data, has) if h], orientation="horizontal", whis=(10, 90), showfliers=False,
                   tick_labels=[plain(n) for n, h in zip(names, has) if h])
        ax.set_xscale("log")
    else:
        ax.text(0.5, 0.5, "no new leads called", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("Minutes from a lead's arrival to the first call (log scale; box 25-75%, whiskers 10-90%)")
    ax.set_ylabel("Strategy")
    ax.set_title("How fast new leads get their first call")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def plot_sales_by_touch(exp: Experiment) -> Figure:
    runs = exp.runs()
    cols = [f"sales_touch_{k}" for k in range(1, SALES_BY_TOUCH_MAX + 1)] + [f"sales_touch_{SALES_BY_TOUCH_MAX + 1}plus"]
    labels = [str(k) for k in range(1, SALES_BY_TOUCH_MAX + 1)] + [f"{SALES_BY_TOUCH_MAX + 1}+"]
    names = exp.strategies
    fig, ax = plt.subplots(figsize=(10, 5.5))
    width = 0.8 / max(len(names), 1)
    x = np.arange(len(cols))
    colors = _colors(names)
    for i, name in enumerate(names):
        g = runs[runs.strategy == name]
        share = 100 * g[cols].to_numpy(float) / np.maximum(g["sales"].to_numpy(float)[:, None], 1)
        stats = [t_interval(share[:, j])[:3] for j in range(len(cols))]
        mean = np.array([s[0] for s in stats])
        err = np.array([[m - lo, hi - m] if not np.isnan(lo) else [0, 0] for m, lo, hi in stats]).T
        ax.bar(x + i * width - 0.4 + width / 2, mean, width, yerr=err, capsize=2, color=colors[name], label=plain(name))
    ax.plot([k - 1 for k in CLAIM], list(CLAIM.values()), "k--", marker="x", alpha=0.6,
            label="claim '2/3/5/10%' (no traceable source)")
    ax.set_xticks(x, labels)
    ax.set_xlabel("Touch number on which the sale happened")
    ax.set_ylabel("Share of the strategy's sales (%)")
    ax.set_title("Which touch closes the sale? (mean and 95% interval)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def plot_complaints_by_cause(exp: Experiment) -> Figure:
    runs = exp.runs()
    names = exp.strategies
    fig, ax = plt.subplots(figsize=(10, 5.5))
    width = 0.8 / len(CAUSES)
    x = np.arange(len(names))
    labels = {"frequency": "touches too frequent", "after_no": "touched after a clear no", "pushy_rep": "pushy rep"}
    for j, cause in enumerate(CAUSES):
        stats = []
        for name in names:
            g = runs[runs.strategy == name]
            stats.append(t_interval(1000 * g[f"complaints_{cause}"] / g["prospects"])[:3])
        mean = np.array([s[0] for s in stats])
        err = np.array([[m - lo, hi - m] if not np.isnan(lo) else [0, 0] for m, lo, hi in stats]).T
        ax.bar(x + j * width - 0.4 + width / 2, mean, width, yerr=err, capsize=3, label=labels[cause])
    ax.set_xticks(x, [plain(n) for n in names], rotation=25, ha="right")
    ax.set_xlabel("Strategy")
    ax.set_ylabel("Complaints per 1,000 prospects")
    ax.set_title("Why prospects complain, by strategy (mean and 95% interval)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def plot_readiness_mix(exp: Experiment) -> Figure:
    mix = exp.series("readiness")
    names = exp.strategies
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows + 0.8), sharex=True, sharey=True, squeeze=False)
    states = list(STATE_NAMES)
    for ax, name in zip(axes.ravel(), names):
        m = mix[mix.strategy == name].groupby("day")[states].mean()
        total = m.sum(axis=1).replace(0, np.nan)
        ax.stackplot(m.index, *(100 * m[s] / total for s in states), labels=[s.replace("_", " ") for s in states], alpha=0.85)
        ax.set_title(plain(name), fontsize=9)
        ax.set_xlabel("Day")
        ax.set_ylabel("Share of prospects (%)")
        ax.set_ylim(0, 100)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Where prospects are in their buying journey over time (mean over replications)")
    fig.tight_layout()
    return fig


def figures(exp: Experiment, summary: pd.DataFrame) -> dict[str, Figure]:
    return {
        "tradeoff": plot_tradeoff(exp, summary),
        "cumulative_sales": plot_cumulative_sales(exp),
        "call_load": plot_call_load(exp),
        "response_time": plot_response_time(exp),
        "sales_by_touch": plot_sales_by_touch(exp),
        "complaints_by_cause": plot_complaints_by_cause(exp),
        "readiness_mix": plot_readiness_mix(exp),
    }


def write_plots(exp: Experiment, summary: pd.DataFrame, folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures(exp, summary).items():
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
        paths.append(path)
    return paths
