"""A look-alike of a real telemarketing campaign's per-prospect summary, for testing the fit and the
fitted scenario: the structure of the UCI bank-marketing data (41,188 clients, about 11% bought,
about 2.6 attempts each with a long tail, about half the sales on the first attempt and under 2% on
the eighth or later; close rate by phone type about 14% mobile and 6% landline, by earlier
campaign's outcome about 62% success, 14% failure, 9% none; strongly dependent columns: an earlier
success is mostly on mobile). Drawn from the summary model (``simulate_group``) with the cells below.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.fit.summary_model import simulate_group

SEGMENTS = ["contact", "poutcome"]
ROWS = 41_188
# (contact, poutcome): share of the clients, mean and concentration of the sale chance per attempt
CELLS = {
    ("cellular", "nonexistent"): (0.52, 0.053, 5.0),
    ("telephone", "nonexistent"): (0.34, 0.0215, 5.0),
    ("cellular", "failure"): (0.085, 0.072, 5.0),
    ("telephone", "failure"): (0.018, 0.045, 5.0),
    ("cellular", "success"): (0.031, 0.42, 5.0),
    ("telephone", "success"): (0.006, 0.35, 5.0),
}
# the team's give-up hazard after attempt j without a sale (j = 0, 1, ...); nobody past 56 attempts
GIVE_UP = np.r_[0.0, 0.32, 0.38, 0.42, 0.40, 0.38, 0.36, 0.34, np.full(48, 0.22), 1.0]


def draw_lookalike(seed: int, rows: int = ROWS) -> pd.DataFrame:
    """One look-alike summary (prospect_id, attempts, outcome, contact, poutcome; outcomes won or lost)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    shares = np.array([v[0] for v in CELLS.values()])
    counts = rng.multinomial(rows, shares / shares.sum())
    end = np.r_[np.zeros(len(GIVE_UP) - 1), 1.0]
    parts = []
    for ((contact, poutcome), (_share, mean, conc)), count in zip(CELLS.items(), counts):
        d = simulate_group({"mean": mean, "conc": conc, "g": GIVE_UP, "c": end}, int(count), rng)
        d["outcome"] = np.where(d["outcome"] == "won", "won", "lost")  # the period never ends a row: all lost
        d["contact"], d["poutcome"] = contact, poutcome
        parts.append(d)
    f = pd.concat(parts, ignore_index=True)
    f = f.iloc[rng.permutation(len(f))].reset_index(drop=True)
    f.insert(0, "prospect_id", [f"C{i:06d}" for i in range(len(f))])
    return f[["prospect_id", "attempts", "outcome"] + SEGMENTS]


__all__ = ["draw_lookalike", "SEGMENTS", "CELLS", "GIVE_UP", "ROWS"]
