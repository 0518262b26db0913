"""A look-alike of a real telemarketing campaign's per-prospect summary, for testing the fit and the
fitted scenario: the structure of the UCI bank-marketing data (41,188 clients, about 11% bought,
about 2.6 attempts each with a long tail, about half the sales on the first attempt and under 2% on
the eighth or later; close rate by phone type about 14% mobile and 6% landline, by earlier
campaign's outcome about 62% success, 14% failure, 9% none; strongly dependent columns: an earlier
success is mostly on mobile). ``draw_lookalike`` draws it from the summary model (``simulate_group``)
with the cells below; ``draw_misspecified`` draws one the fit's model does not describe (chances that
are zero for many clients and lognormal for the rest, a give-up count from a table), to see how
the fit and the fitted scenario fare when the Beta is wrong.
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


# draw_misspecified: contact share, then P(poutcome) given contact, the sale chance's mean by poutcome
# and the share of clients who could buy at all; the telephone clients' chances are 0.4 times
CONTACT_CELLULAR = 0.635
POUTCOME_GIVEN = {"cellular": {"success": 0.05, "failure": 0.11}, "telephone": {"success": 0.01, "failure": 0.04}}
MEAN_BY_POUTCOME = {"success": 0.55, "failure": 0.09, "nonexistent": 0.06}
CAN_BUY = {"success": 0.9, "failure": 0.45, "nonexistent": 0.45}
# attempts the team makes before giving up (1 to 56), as relative weights: a long-tailed table
GIVE_UP_WEIGHTS = np.r_[43, 26, 13, 6.5, 4, 2.4, 1.5, 1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, np.full(40, 0.02)]


def draw_misspecified(seed: int, rows: int = ROWS) -> pd.DataFrame:
    """A look-alike the summary model does not describe: per client, a sale chance per attempt that
    is 0 for those who cannot buy (10% to 55% of a cell) and lognormal (sigma 0.8) for the rest, and
    a give-up count drawn from ``GIVE_UP_WEIGHTS``, independent of the chance. Same columns as
    ``draw_lookalike``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    contact = np.where(rng.random(rows) < CONTACT_CELLULAR, "cellular", "telephone")
    u = rng.random(rows)
    success = np.array([POUTCOME_GIVEN[c]["success"] for c in contact])
    failure = success + np.array([POUTCOME_GIVEN[c]["failure"] for c in contact])
    poutcome = np.where(u < success, "success", np.where(u < failure, "failure", "nonexistent"))
    can_buy = np.array([CAN_BUY[p] for p in poutcome])
    mean = np.array([MEAN_BY_POUTCOME[p] for p in poutcome]) * np.where(contact == "cellular", 1.0, 0.4)
    buys = rng.random(rows) < can_buy
    chance = np.clip(mean / can_buy * rng.lognormal(-0.32, 0.8, rows), 0.0, 0.97) * buys
    k = rng.choice(np.arange(1, len(GIVE_UP_WEIGHTS) + 1), size=rows, p=GIVE_UP_WEIGHTS / GIVE_UP_WEIGHTS.sum())
    first = np.where(chance > 0, rng.geometric(np.maximum(chance, 1e-12)), np.iinfo(np.int64).max)
    won = first <= k
    return pd.DataFrame({"prospect_id": [f"C{i:06d}" for i in range(rows)], "attempts": np.where(won, first, k),
                         "outcome": np.where(won, "won", "lost"), "contact": contact, "poutcome": poutcome})


__all__ = ["draw_lookalike", "draw_misspecified", "SEGMENTS", "CELLS", "GIVE_UP", "ROWS"]
