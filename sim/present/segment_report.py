"""The report's segment section: per segment column one plain sentence and a small chart of each
value's close rate under every strategy (the ``segment_<column>_<value>_close_rate`` metrics, with
their 95% intervals), when the scenario has ``population.segments``."""
from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.scenario.schema import Scenario  # noqa: E402


def _row(summary: pd.DataFrame, strategy: str, metric: str) -> tuple[float, float, float]:
    r = summary[(summary["strategy"] == strategy) & (summary["metric"] == metric)]
    if r.empty:
        return float("nan"), float("nan"), float("nan")
    return (float(r["mean"].iloc[0]), max(float(r["ci_low"].iloc[0]), 0.0), min(float(r["ci_high"].iloc[0]), 1.0))


def segment_sentence(summary: pd.DataFrame, column: str, values: list[str], strategy: str, shown: str) -> str:
    """One plain sentence: under a strategy, each value's close rate with its 95% interval."""
    parts = []
    for i, v in enumerate(values):
        mean, low, high = _row(summary, strategy, f"segment_{column}_{v}_close_rate")
        interval = f"95% interval {100 * low:.1f}% to {100 * high:.1f}%" if i == 0 else f"{100 * low:.1f}% to {100 * high:.1f}%"
        parts.append(f"{100 * mean:.1f}% of {v} prospects bought ({interval})")
    return f"By {column}, under {shown}: " + ", ".join(parts) + "."


def segment_chart(summary: pd.DataFrame, column: str, values: list[str], names: dict[str, str]) -> bytes:
    """A small bar chart (PNG): each value's close rate per strategy, with 95% intervals."""
    fig, ax = plt.subplots(figsize=(6.0, 2.4), dpi=100)
    width = 0.8 / max(len(names), 1)
    for i, (key, shown) in enumerate(names.items()):
        rows = [_row(summary, key, f"segment_{column}_{v}_close_rate") for v in values]
        x = [j + i * width for j in range(len(values))]
        mean = [100 * r[0] for r in rows]
        err = [[100 * (r[0] - r[1]) for r in rows], [100 * (r[2] - r[0]) for r in rows]]
        ax.bar(x, mean, width, yerr=err, capsize=2, label=shown)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(values))], values)
    ax.set_ylabel("bought (%)")
    ax.set_title(f"Close rate by {column}", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def segment_section(sc: Scenario, summary: pd.DataFrame, names: dict[str, str], baseline: str) -> str:
    """The HTML of the section (empty without segments)."""
    seg = sc.population.segments
    if seg is None:
        return ""
    parts = ["<h2 id=segments>By segment</h2>"]
    for column, values in seg.columns.items():
        vals = list(values)
        text = segment_sentence(summary, column, vals, baseline, names.get(baseline, baseline))
        data = base64.b64encode(segment_chart(summary, column, vals, names)).decode("ascii")
        parts.append(f"<p class=segment>{html.escape(text)}</p><figure><img alt='Close rate by "
                     f"{html.escape(column, quote=True)}' src='data:image/png;base64,{data}'></figure>")
    return "\n".join(parts)


__all__ = ["segment_section", "segment_sentence", "segment_chart"]
