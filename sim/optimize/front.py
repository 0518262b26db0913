"""The trade-off front: every cadence tried, its objective against complaints per 1,000
prospects (means over the search's replications), the constraint lines, the chosen one marked."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.optimize.answer import name_of  # noqa: E402
from sim.optimize.search import Outcome  # noqa: E402

X = "complaints_per_1000"


def write_front(out: Outcome, path: Path) -> Path:
    obj = out.settings.objective.metric
    cons = out.settings.constraints
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    searched = [c for c in out.candidates.values() if c.origin == "search"]
    ok = [c for c in searched if all(k.slack(c.means[k.metric]) <= 0 for k in cons)]
    bad = [c for c in searched if c not in ok]
    ax.scatter([c.means[X] for c in ok], [c.means[obj] for c in ok], s=22, color="#4c72b0", alpha=0.7,
               label="cadences tried (meeting the constraints)")
    if bad:
        ax.scatter([c.means[X] for c in bad], [c.means[obj] for c in bad], s=22, facecolors="none",
                   edgecolors="#999999", label="cadences tried (missing a constraint)")
    for c in out.candidates.values():
        if c.origin == "scenario":
            ax.scatter([c.means[X]], [c.means[obj]], marker="s", s=40, color="#dd8452")
            ax.annotate(name_of(out, c.key), (c.means[X], c.means[obj]), fontsize=8, xytext=(4, 4),
                        textcoords="offset points")
    if out.winner is not None:
        w = out.candidates[out.winner]
        ax.scatter([w.means[X]], [w.means[obj]], marker="*", s=220, color="#c44e52", zorder=5,
                   label=f"chosen: {name_of(out, out.winner)}")
    for c in cons:
        if c.metric == X:
            ax.axvline(c.limit, color="#c44e52", linestyle="--", linewidth=1)
            ax.annotate(c.text(), (c.limit, ax.get_ylim()[1]), fontsize=8, color="#c44e52", xytext=(3, -12),
                        textcoords="offset points")
        elif c.metric == obj:
            ax.axhline(c.limit, color="#c44e52", linestyle="--", linewidth=1)
    others = [c.text() for c in cons if c.metric not in (X, obj)]
    ax.set_xlabel("Complaints per 1,000 prospects (mean over the search's replications)")
    ax.set_ylabel(f"{obj} (mean over the search's replications)")
    title = f"{len(searched)} cadences tried: {obj} against complaints"
    if others:
        title += "\nother constraints (hollow points miss one): " + ", ".join(others)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
