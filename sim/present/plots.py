"""Comparison plots a sales room reads at a glance, written into a results folder.

Each ``plot_*`` function returns a Figure (so tests can check labels); ``write_plots``
saves and closes them. Every estimate carries its 95% interval over replications; an
interval of a quantity that cannot go below zero (or above 100%) is cut at that bound, and
the figure says so in a footnote. Strategies are shown by their display names (``label:``).
``notes`` says in words what a figure leaves out, for the command line to print.
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
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sim.experiment.jobs import Experiment  # noqa: E402
from sim.model.readiness import STATE_NAMES  # noqa: E402
from sim.present.sentences import attempt_columns  # noqa: E402
from sim.experiment.stats import t_interval  # noqa: E402
from sim.scenario.strategies import display_names  # noqa: E402
from sim.model.touches import CAUSES  # noqa: E402
from sim.scenario.units import DAY  # noqa: E402
from sim.present.plot_style import (  # noqa: E402
    CLAIM, CLAIM_LATE, CLIP_NOTE, DPI, STATE_WORDS, band, clip, err_bars, few_note, finish, place_labels, plain,
    shown_names, strategy_colors, summary_value,
)


def plot_tradeoff(exp: Experiment, summary: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=(8.5, 6.2))
    colors = strategy_colors(exp.strategies)
    shown = shown_names(exp)
    points, texts, segments, cut = [], [], [], False
    for name in exp.strategies:
        cr = [v * 100 for v in summary_value(summary, name, "close_rate")]
        cp = list(summary_value(summary, name, "complaints_per_1000"))
        lo, hi, c1 = clip(cr[1], cr[2], 0, 100)
        cr = [cr[0], lo, hi]
        lo, hi, c2 = clip(cp[1], cp[2], 0)
        cp = [cp[0], lo, hi]
        cut |= c1 or c2
        ax.errorbar(cp[0], cr[0], xerr=err_bars(*cp), yerr=err_bars(*cr), fmt="o", color=colors[name], capsize=4,
                    label=shown[name])
        points.append((cp[0], cr[0]))
        texts.append(shown[name])
        segments += [((cp[1], cr[0]), (cp[2], cr[0])), ((cp[0], cr[1]), (cp[0], cr[2]))]
    ax.set_xlabel("Complaints per 1,000 prospects")
    ax.set_ylabel("Close rate (% of prospects who bought from us)")
    best = max(exp.strategies, key=lambda n: summary_value(summary, n, "close_rate")[0])
    calm = min(exp.strategies, key=lambda n: summary_value(summary, n, "complaints_per_1000")[0])
    ax.set_title(plain(f"Most sales: “{shown[best]}”; fewest complaints: “{shown[calm]}”") +
                 "\n(up and to the left is better; bars: 95% interval over replications)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.margins(x=0.18, y=0.1)
    ax.set_xlim(left=-0.04 * max(ax.get_xlim()[1], 1))
    ax.set_ylim(bottom=min(ax.get_ylim()[0], 0))
    fig.tight_layout()
    place_labels(ax, points, texts, segments=segments)
    return finish(fig, [CLIP_NOTE.format(what="0% and 100%") if cut else "", few_note(exp)])


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _money_tick(value: float, _pos=None) -> str:
    """An axis tick as a short amount: 800, 80k, 1.2M."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:g}M"
    if size >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def plot_profit(exp: Experiment, summary: pd.DataFrame) -> Figure:
    """Profit of each strategy, and its difference from the baseline paired by replication
    (the same prospects, worth the same, under every strategy), both with 95% intervals."""
    sc = exp.scenario
    shown = shown_names(exp)
    colors = strategy_colors(exp.strategies)
    names = list(exp.strategies)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.55 * len(names) + 2.6), sharey=True)
    y = np.arange(len(names))[::-1]
    for yi, name in zip(y, names):
        mean, lo, hi = summary_value(summary, name, "profit")
        left.errorbar(mean, yi, xerr=err_bars(mean, lo, hi), fmt="o", color=colors[name], capsize=4)
        left.annotate(_money(mean), (mean, yi), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        if name == sc.baseline:
            right.annotate("baseline", (0, yi), textcoords="offset points", xytext=(-6, -3), ha="right", fontsize=8,
                           color="#444444")
            continue
        mean, lo, hi = summary_value(summary, name, "profit_vs_baseline")
        right.errorbar(mean, yi, xerr=err_bars(mean, lo, hi), fmt="o", color=colors[name], capsize=4)
        right.annotate(f"{mean:+,.0f}", (mean, yi), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    left.set_yticks(y, [shown[n] for n in names])
    left.set_ylim(-0.7, len(names) - 0.3)
    for ax in (left, right):
        ax.axvline(0, color="#888888", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.margins(x=0.15)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(FuncFormatter(_money_tick))
    left.set_xlabel("Profit over the horizon (revenue - cost)")
    right.set_xlabel(f"Difference from {shown[sc.baseline]} (paired by replication)")
    best = max(names, key=lambda n: summary_value(summary, n, "profit")[0])
    fig.suptitle(f"Profit: {shown[best]} earns most on average\n(bars: 95% interval over replications)")
    money = sc.money
    cost = (f"Cost: every rep's paid hours at {money.rep_hour_cost:g} an hour, busy or not, "
            f"plus {money.email_cost:g} an email and {money.sms_cost:g} an SMS.")
    return finish(fig, [cost, few_note(exp)])


def _bands_over_time(frame: pd.DataFrame, x: str, y: str, strategies: dict, xlabel: str, ylabel: str, title: str,
                     notes: Optional[list[str]] = None) -> Figure:
    """One line per strategy: the mean of y at each x over replications, with its 95% band (cut at zero)."""
    fig, ax = plt.subplots(figsize=(9.5, 6))
    names = list(strategies)
    colors = strategy_colors(names)
    shown = {key: plain(name) for key, name in display_names(strategies).items()}
    cut = False
    for name in names:
        b = band(frame[frame.strategy == name], x, y)
        ax.plot(b[x], b["mean"], color=colors[name], label=shown[name])
        if b["low"].notna().any():
            cut |= bool((b["low"] < 0).any())
            ax.fill_between(b[x], b["low"].clip(lower=0), b["high"], color=colors[name], alpha=0.2, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    lines = [line for line in [CLIP_NOTE.format(what="zero") if cut else ""] + (notes or []) if line]
    rows = int(np.ceil(len(names) / 4))
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=min(4, len(names)), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.01 + 0.028 * len(lines)))
    return finish(fig, lines, legend_rows=rows)


def plot_cumulative_sales(exp: Experiment) -> Figure:
    daily = exp.series("daily")
    shown = shown_names(exp)
    end = daily[daily["day"] == daily["day"].max()].groupby("strategy")["cumulative_sales"].mean()
    title = "Sales over time by strategy (mean and 95% band)"
    if len(end) and end.max() > 0:
        most, least = end.idxmax(), end.idxmin()
        title = (f"By the end, “{plain(shown[most])}” had made {end[most]:.0f} sales a run"
                 + (f", “{plain(shown[least])}” {end[least]:.0f}" if least != most else "") + "\n(mean and 95% band)")
    return _bands_over_time(daily, "day", "cumulative_sales", exp.scenario.strategies,
                            "Day of the simulation", "Cumulative sales (count)", title, [few_note(exp)])


def plot_call_load(exp: Experiment) -> Figure:
    rd = exp.series("rep_days")
    rd = rd[rd["day"] >= 0].copy()  # a rep behind the team's clock may start on its day -1
    rd["week"] = rd["day"] // 7 + 1
    per_rep_week = rd.groupby(["strategy", "replication", "week"], as_index=False)["calls"].mean()
    days = int(np.ceil(exp.scenario.horizon / DAY))
    full_weeks = days // 7
    note = ""
    if days % 7:
        per_rep_week = per_rep_week[per_rep_week["week"] <= full_weeks]
        note = (f"The last {days % 7} day{'s' if days % 7 != 1 else ''} (a partial week {full_weeks + 1}) "
                f"{'are' if days % 7 != 1 else 'is'} left out: a part-week average is not comparable.")
    title = "Call load on the team over time (mean and 95% band)"
    weekly = per_rep_week.groupby(["strategy", "week"])["calls"].mean()
    if len(weekly) and weekly.max() > 0:
        (busy, week) = weekly.idxmax()
        title = (f"Busiest: “{plain(shown_names(exp)[busy])}”, {weekly.max():.0f} calls per rep per working day in week "
                 f"{week}\n(weekly mean and 95% band)")
    return _bands_over_time(per_rep_week, "week", "calls", exp.scenario.strategies, "Week of the simulation",
                            "Calls per rep per working day (weekly mean)", title, [note, few_note(exp)])


def rep_groups(exp: Experiment) -> list[str]:
    """The scenario's rep group names, in its order (one name: no breakdown by group)."""
    return [g.name for g in exp.scenario.team.reps]


def plot_call_load_by_group(exp: Experiment, summary: pd.DataFrame) -> Figure:
    """Each rep group's calls per rep per working day and share of paid time busy, by
    strategy (mean and 95% interval over replications)."""
    groups, names = rep_groups(exp), exp.strategies
    shown, colors = shown_names(exp), strategy_colors(names)
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.35 * len(groups) * len(names) + 2.8), sharey=True)
    height = 0.8 / len(names)
    clipped = False
    for ax, metric, scale, label in [(axes[0], "calls_per_rep_day", 1.0, "Calls per rep per working day"),
                                     (axes[1], "utilization", 100.0, "Share of paid time busy with calls (%)")]:
        for j, name in enumerate(names):
            for i, group in enumerate(groups):
                mean, low, high = (scale * v for v in summary_value(summary, name, f"group_{group}_{metric}"))
                low, high, cut = clip(low, high, 0.0, 100.0 if metric == "utilization" else np.inf)
                clipped |= cut
                y = i + (j - (len(names) - 1) / 2) * height
                ax.barh(y, mean, height=height * 0.9, color=colors[name], xerr=err_bars(mean, low, high), capsize=2,
                        label=shown[name] if i == 0 else None)
        ax.set_xlabel(label)
        ax.set_yticks(range(len(groups)), [plain(g) for g in groups])
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()  # the first group on top (the axes share y: invert once)
    axes[0].set_ylabel("Rep group")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle("Call load by rep group (mean and 95% interval over replications)")
    notes = ["Working days and paid time are each group's own: its calendar, time zone, holidays and leave."]
    if clipped:
        notes.append(CLIP_NOTE.format(what="0 and 100%"))
    return finish(fig, notes + [few_note(exp)])


RESPONSE_WINDOWS = ((5.0, "within 5 minutes"), (60.0, "within 1 hour"), (1440.0, "within 1 day"))


def response_shares(exp: Experiment) -> pd.DataFrame:
    """Per strategy and replication, the share of new leads whose first call was due (called or
    dropped because the team was behind) that were called within 5 minutes, 1 hour and 1 day."""
    rt = exp.response_times()
    rows = []
    for r in exp.results:
        minutes = rt.loc[(rt.strategy == r.strategy) & (rt.replication == r.replication), "minutes"].to_numpy(float)
        due = len(minutes) + int(r.metrics.get("dropped_new_leads", 0))
        rows.append({"strategy": r.strategy, "replication": r.replication, "due": due,
                     **{label: (np.count_nonzero(minutes <= w) / due if due else np.nan)
                        for w, label in RESPONSE_WINDOWS}})
    return pd.DataFrame(rows)


def plot_response_time(exp: Experiment) -> Figure:
    """What a manager asks: the share of new leads called within 5 minutes, 1 hour and 1 day (a
    lead the team dropped counts as not called), per strategy, with 95% intervals."""
    shares = response_shares(exp)
    shown = shown_names(exp)
    due = shares.groupby("strategy", sort=False)["due"].sum()
    names = [n for n in exp.strategies if due.get(n, 0) > 0]
    left_out = [shown[n] for n in exp.strategies if n not in names]
    fig, ax = plt.subplots(figsize=(9.5, 0.75 * max(len(names), 1) + 2.8))
    notes, cut = [], False
    if names:
        height = 0.8 / len(RESPONSE_WINDOWS)
        y = np.arange(len(names))[::-1]
        colors = ("#1b7837", "#7fbf7b", "#d9f0d3")
        for j, (_w, label) in enumerate(RESPONSE_WINDOWS):
            stats = [t_interval(100 * shares.loc[shares.strategy == n, label].dropna().to_numpy(float))[:3]
                     for n in names]
            mean = np.array([m for m, _, _ in stats])
            err = []
            for m, lo, hi in stats:
                lo2, hi2, c = clip(lo, hi, 0, 100)
                cut |= c
                err.append([m - lo2, hi2 - m] if np.isfinite(lo) else [0, 0])
            pos = y + 0.4 - (j + 0.5) * height
            ax.barh(pos, mean, height, xerr=np.array(err).T, capsize=2, color=colors[j], edgecolor="#555555",
                    linewidth=0.5, label=f"called {label}")
            for yy, m, (_lo, up) in zip(pos, mean, err):  # the figure right of its error bar
                ax.text(m + up + 1.5, yy, f"{m:.0f}%", va="center", fontsize=8)
        ax.set_yticks(y, [shown[n] for n in names])
        ax.set_xlim(0, 112)

        fast = {n: float(shares.loc[shares.strategy == n, RESPONSE_WINDOWS[0][1]].mean()) for n in names}
        best, worst = max(fast, key=fast.get), min(fast, key=fast.get)
        title = f"“{shown[best]}” called {100 * fast[best]:.0f}% of new leads within 5 minutes"
        if worst != best:
            title += f",\n“{shown[worst]}” {100 * fast[worst]:.0f}%"
        notes.append("A lead the team dropped because it was behind counts as not called. Leads that arrive at "
                     "night or at the weekend wait for the next shift.")
    else:
        ax.text(0.5, 0.5, "Empty: no new lead was due a first call\n(no inbound leads, or no strategy calls them)",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        title = "No new lead was due a first call"
    if left_out and names:
        notes.append("Left out (no new lead called): " + ", ".join(left_out) + ".")
    ax.set_xlabel("% of new leads called (95% interval over replications)")
    ax.set_ylabel("Strategy")
    ax.set_title(plain(title), fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    lines = [n for n in notes + [CLIP_NOTE.format(what="0% and 100%") if cut else "", few_note(exp)] if n]
    if names:
        fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=len(RESPONSE_WINDOWS), fontsize=8,
                   frameon=False, bbox_to_anchor=(0.5, 0.01 + 0.028 * len(lines)))
    return finish(fig, lines, legend_rows=1 if names else 0)


def plot_sales_by_touch(exp: Experiment) -> Figure:
    """Small multiples: per strategy, the share of its sales on each of our attempts, beside the claim."""
    runs = exp.runs()
    cols, what = attempt_columns(runs.columns)
    names = exp.strategies
    shown = shown_names(exp)
    ncols = min(4, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols + 0.6, 2.4 * nrows + 1.2), sharex=True, sharey=True,
                             squeeze=False)
    late_share = {}
    labels = [label for label, _ in cols]
    x = np.arange(len(cols))
    colors = strategy_colors(names)
    claim_x = [labels.index(str(k)) for k in CLAIM if str(k) in labels]
    plural = what + ("es" if what == "touch" else "s")
    cut = False
    for ax, name in zip(axes.ravel(), names):
        g = runs[runs.strategy == name]
        sales = g["sales"].to_numpy(float)
        ax.set_title(shown[name], fontsize=9)
        ax.grid(alpha=0.3, axis="y")
        if sales.sum() == 0:
            ax.text(0.5, 0.5, "no sales", ha="center", va="center", transform=ax.transAxes, color="#666666")
            continue
        share = 100 * g[[c for _, c in cols]].to_numpy(float) / np.maximum(sales[:, None], 1)
        stats = [t_interval(share[:, j])[:3] for j in range(len(cols))]
        mean = np.array([s[0] for s in stats])
        err = []
        for m, lo, hi in stats:
            lo2, hi2, c = clip(lo, hi, 0, 100)
            cut |= c
            err.append([m - lo2, hi2 - m] if not np.isnan(lo) else [0, 0])
        ax.bar(x, mean, 0.75, yerr=np.array(err).T, capsize=1.5, color=colors[name])
        ax.plot(claim_x, [CLAIM[int(labels[i])] for i in claim_x], "k--", marker="x", alpha=0.7, linewidth=1)
        late = [i for i, lab in enumerate(labels) if lab.isdigit() and 5 <= int(lab) <= 12]
        here = 100 * g[[cols[i][1] for i in late]].to_numpy(float).sum() / sales.sum()
        late_share[name] = here
        ax.text(0.97, 0.95, f"{plural} 5-12: {here:.0f}%\nclaim: {CLAIM_LATE}%", ha="right", va="top",
                transform=ax.transAxes, fontsize=7.5, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    for ax in axes.ravel()[:len(names)]:
        ax.set_ylabel("% of its sales", fontsize=8)
    step = 2 if len(labels) > 8 else 1
    for ax in axes.ravel()[:len(names)]:
        ax.set_xticks(x[::step], labels[::step], fontsize=7.5)
        ax.tick_params(labelbottom=True)
        ax.set_xlabel("Our attempt (0 = before we called)" if what == "attempt"
                      else "Touch number (ours and callbacks)", fontsize=7.5)
    if late_share:
        top = max(late_share, key=late_share.get)
        title = (f"No strategy makes {CLAIM_LATE}% of its sales on {plural} 5 to 12: at most {late_share[top]:.0f}% "
                 f"(“{shown[top]}”)" if late_share[top] < CLAIM_LATE else
                 f"“{shown[top]}” makes {late_share[top]:.0f}% of its sales on {plural} 5 to 12")
    else:
        title = "No strategy made a sale"
    fig.suptitle(plain(title), fontsize=11)
    key = (f"Bars: share of each strategy's sales on each {what} (95% interval). Dashed: the unsourced claim "
           f"'2/3/5/10%, then {CLAIM_LATE}% on the 5th to 12th'.")
    return finish(fig, [key, CLIP_NOTE.format(what="0% and 100%") if cut else "", few_note(exp)])


def plot_complaints_by_cause(exp: Experiment) -> Figure:
    runs = exp.runs()
    names = exp.strategies
    shown = shown_names(exp)
    fig, ax = plt.subplots(figsize=(10, 6))
    labels = {"frequency": "touches too frequent", "after_no": "touched after a clear no", "pushy_rep": "pushy rep"}
    causes = [c for c in CAUSES if runs[f"complaints_{c}"].sum() > 0]  # a cause nobody complained of: no bar, no legend
    absent = [labels[c] for c in CAUSES if c not in causes]
    width = 0.8 / max(len(causes), 1)
    x = np.arange(len(names))
    cut = False
    for j, cause in enumerate(causes):
        stats = []
        for name in names:
            g = runs[runs.strategy == name]
            stats.append(t_interval(1000 * g[f"complaints_{cause}"] / g["prospects"])[:3])
        mean = np.array([s[0] for s in stats])
        err = []
        for m, lo, hi in stats:
            lo2, hi2, c = clip(lo, hi, 0)
            cut |= c
            err.append([m - lo2, hi2 - m] if not np.isnan(lo) else [0, 0])
        ax.bar(x + j * width - 0.4 + width / 2, mean, width, yerr=np.array(err).T, capsize=3, label=labels[cause])
    ax.set_xticks(x, [shown[n] for n in names], rotation=25, ha="right")
    ax.set_xlabel("Strategy")
    ax.set_ylabel("Complaints per 1,000 prospects")
    totals = {n: 1000 * runs.loc[runs.strategy == n, "complaints"].sum() / max(runs.loc[runs.strategy == n, "prospects"].sum(), 1)
              for n in names}
    loud = max(totals, key=totals.get)
    if causes and totals[loud] > 0:
        top = max(causes, key=lambda c: runs.loc[runs.strategy == loud, f"complaints_{c}"].sum())
        title = f"Most complaints: “{shown[loud]}”, mostly {labels[top]} (per 1,000 prospects, 95% interval)"
    else:
        title = "Nobody complained under any strategy"
    ax.set_title(plain(title), fontsize=10)
    if causes:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3, axis="y")
    none = f"No complaint from: {', '.join(absent)}." if absent and causes else ""
    return finish(fig, [none, CLIP_NOTE.format(what="zero") if cut else "", few_note(exp)])


def mix_shares(exp: Experiment) -> dict[str, pd.DataFrame]:
    """Per strategy, the share (%) of prospects in each readiness state by day, mean over replications."""
    mix = exp.series("readiness")
    states = list(STATE_NAMES)
    out = {}
    for name in exp.strategies:
        m = mix[mix.strategy == name].groupby("day")[states].mean()
        total = m.sum(axis=1).replace(0, np.nan)
        out[name] = m.div(total, axis=0) * 100
    return out


def plot_readiness_mix(exp: Experiment) -> Figure:
    """The buying journey of the market: one stacked chart (the baseline's), since the market moves
    on its own and the mix hardly differs between strategies; the title says by how much it does."""
    shares = mix_shares(exp)
    shown = shown_names(exp)
    names = list(shares)
    ref = exp.scenario.baseline if exp.scenario.baseline in shares else names[0]
    states = list(STATE_NAMES)
    spread = max((float((shares[n] - shares[ref]).abs().max().max()) for n in names), default=0.0)
    fig, ax = plt.subplots(figsize=(9, 5.2))
    m = shares[ref]
    handles = ax.stackplot(m.index, *(m[s] for s in states), labels=[STATE_WORDS.get(s, s) for s in states],
                           alpha=0.85)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of prospects (%)")
    ax.grid(alpha=0.3, axis="y")
    if len(names) > 1:
        title = (f"The market moves on its own: under every strategy each share is within {spread:.0f} points "
                 f"of this one on every day")
    else:
        title = "Where prospects are in their buying journey"
    ax.set_title(plain(title) + f"\n(shown: “{plain(shown[ref])}”, mean over replications)", fontsize=10)
    fig.legend(handles, [STATE_WORDS.get(s, s) for s in states], loc="lower center", ncol=len(states), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
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
        **({"profit": plot_profit(exp, summary)} if exp.scenario.money is not None else {}),
        **({"call_load_by_group": plot_call_load_by_group(exp, summary)} if len(rep_groups(exp)) > 1 else {}),
    }


def notes(exp: Experiment) -> list[str]:
    """What the plots leave out or cannot show, in words, for the command line to print."""
    out = []
    shown = shown_names(exp)
    due = response_shares(exp).groupby("strategy")["due"].sum()
    missing = [shown[n] for n in exp.strategies if due.get(n, 0) == 0]
    if len(missing) == len(exp.strategies):
        out.append("response_time.png is empty: no new lead was due a first call (no inbound leads, or no strategy "
                   "calls them).")
    elif missing:
        out.append("response_time.png leaves out " + ", ".join(missing) + ": no new lead is called.")
    days = int(np.ceil(exp.scenario.horizon / DAY))
    if days % 7:
        out.append(f"call_load.png leaves out the last {days % 7} day(s): a partial week.")
    return out


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
