"""The fitted scenario of a per-prospect summary: what the engine needs so that ``followup-sim run``
of it reproduces the campaign.

Each segment cell (or everyone) gets its own answer chance Beta and conversation sale chance, so
that a prospect's sale chance per attempt, a = answer chance x sale chance of a conversation, has
the Beta the fit found; ``as_logged`` copies the team's stopping (each cell's give-up table, with
the period's end folded in); everything a summary cannot identify is switched off or fixed so that
the only ways attempts end are a sale, the give-up rule and the horizon (readiness frozen with
nobody off the market, no complaints or opt-outs, a "no" that does not end the cadence, an
unlimited team, no inbound leads, a horizon past the longest attempt count).

Without ``connected`` the split of a into answering and selling is not identified: the answer chance
is the assumed one (``--assume-reach``) where that can carry the cell's Beta of a, else the lowest
answer chance that can (the conversation then sells at ``SELL_MAX``); ``Split.reason`` says which.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy import optimize, special

from sim.fit.summary_model import MAX_CONCENTRATION, GroupFit, SummaryFit

SELL_MAX = 0.95  # the engine caps a conversation's sale chance here (touches.ConversationRules)
MIN_CONCENTRATION = 0.05
SHAPE_ATTEMPTS = 40  # the attempts compared when choosing a split
SHAPE_TOLERANCE = 0.01  # largest relative difference allowed in the chance of a sale within j attempts
HORIZON_MARGIN_DAYS = 14


@dataclass
class Split:
    """A cell's sale chance per attempt as answer chance Beta(reach, concentration) x sale chance ``sell``."""

    reach: float
    concentration: float
    sell: float
    reason: str  # "" when the assumed answer chance was used as it is


def _sale_by_attempt_beta(mean: float, conc: float, attempts: int) -> np.ndarray:
    """E[a (1 - a)^(j-1)], j = 1..attempts, for a ~ Beta(mean, conc) (closed form)."""
    a, b = mean * conc, (1 - mean) * conc
    j = np.arange(1, attempts + 1)
    return np.exp(special.betaln(a + 1, b + j - 1) - special.betaln(a, b))


def _sale_by_attempt_scaled(reach: float, conc: float, sell: float, attempts: int) -> np.ndarray:
    """The same for a = sell x p, p ~ Beta(reach, conc): Gauss-Jacobi quadrature, exact for these
    polynomials in p (degree up to ``attempts``)."""
    a, b = reach * conc, (1 - reach) * conc
    x, w = special.roots_jacobi(attempts + 2, b - 1, a - 1)  # weight (1-x)^(b-1) (1+x)^(a-1) on [-1, 1]
    p = (1 + x) / 2
    w = w / w.sum()
    j = np.arange(1, attempts + 1)[:, None]
    return (w * sell * p * (1 - sell * p) ** (j - 1)).sum(axis=1)


def _matched(mean: float, conc: float, reach: float) -> Optional[Split]:
    """The answer chance Beta with mean ``reach`` whose product with sell = mean / reach has a's mean
    and variance, or None when no Beta can (a's spread is too wide for it)."""
    sell = mean / reach
    if sell > SELL_MAX + 1e-12:
        return None
    if not math.isfinite(conc) or conc >= MAX_CONCENTRATION:
        return Split(reach, MAX_CONCENTRATION, sell, "")
    k = (conc + 1) * sell * (1 - reach) / (1 - sell * reach) - 1
    if k < MIN_CONCENTRATION:
        return None
    return Split(reach, k, sell, "")


def split_sale_chance(mean: float, conc: float, assume_reach: float) -> Split:
    """Answer chance and conversation sale chance for a cell whose sale chance per attempt is
    Beta(mean, conc): the assumed answer chance when its product has a's mean and variance and its
    chance of a sale within j attempts (j = 1 to 40) is within 1% of the fitted Beta's (a fixed
    sale chance times a Beta is not a Beta: it sells less over many attempts the lower the sale
    chance); else the lowest answer chance the engine allows (sell = SELL_MAX), which carries the
    Beta almost exactly."""
    low = min(mean / SELL_MAX, 1 - 1e-6)
    target = np.cumsum(_sale_by_attempt_beta(mean, min(conc, MAX_CONCENTRATION), SHAPE_ATTEMPTS))
    split = _matched(mean, conc, assume_reach) if assume_reach >= low else None
    if split is not None:
        got = np.cumsum(_sale_by_attempt_scaled(split.reach, split.concentration, split.sell, SHAPE_ATTEMPTS))
        off = float(np.max(np.abs(got / target - 1)))
        if off <= SHAPE_TOLERANCE:
            return split
        why = (f"with the assumed answer chance {assume_reach:.3g} the chance of a sale within j attempts "
               f"(j = 1 to {SHAPE_ATTEMPTS}) would differ from the fitted Beta's by up to {off:.0%}")
    elif assume_reach < low:
        why = (f"the sale chance per attempt ({mean:.3g}) is above {SELL_MAX:.0%} of the assumed answer chance "
               f"({assume_reach:.3g})")
    else:
        why = f"no answer chance Beta with mean {assume_reach:.3g} is as spread as the fitted sale chances"
    split = _matched(mean, conc, low) or Split(low, MIN_CONCENTRATION, mean / low, "")
    split.reason = f"{why}: answer chance {low:.3g} and a conversation sells at {split.sell:.0%} instead"
    return split


def cell_split(g: GroupFit, assume_reach: float) -> Split:
    """A group's answer chance and conversation sale chance: fitted with ``connected``, else split."""
    p = g.params
    if p.get("connected"):
        return Split(p["mean"], min(p["conc"], MAX_CONCENTRATION), min(p["sell"], SELL_MAX), "")
    return split_sale_chance(p["mean"], p["conc"], assume_reach)


def mean_at_concentration(attempts: np.ndarray, won: np.ndarray, conc: float) -> float:
    """The mean of a small cell's own sale chance per attempt, its concentration fixed at ``conc`` (the
    pooled fit's): beta-geometric maximum likelihood in one parameter, so a cell too small for the
    whole Beta still gets its own level instead of that of unlike cells pooled with it."""
    n, w = np.asarray(attempts, float), np.asarray(won, bool)
    keep = n > 0
    n, w = n[keep], w[keep]
    conc = min(conc, MAX_CONCENTRATION)
    if not len(n) or not w.any():
        return 1e-4

    def nll(logit: float) -> float:
        mu = special.expit(logit)
        a, b = mu * conc, (1 - mu) * conc
        return -float(np.sum(np.where(w, special.betaln(a + 1, b + n - 1), special.betaln(a, b + n))
                             - special.betaln(a, b)))

    res = optimize.minimize_scalar(nll, bounds=(-12.0, 6.0), method="bounded")
    return float(min(max(special.expit(res.x), 1e-4), 0.99))


def give_up_hazards(g: GroupFit) -> list[float]:
    """The chance of stopping after attempt j without a sale: the team's give-up hazard with the
    period's end folded in (1 - (1 - g_j)(1 - c_j)); 1 after the longest row."""
    t = g.give_up
    h = 1 - (1 - t["give_up_hazard"].to_numpy(float)) * (1 - t["end_hazard"].to_numpy(float))
    h[-1] = 1.0
    return [round(float(x), 6) for x in np.clip(h, 0.0, 1.0)]


def _beta(mean: float, conc: float) -> dict:
    return {"kind": "beta", "mean": round(min(max(mean, 1e-6), 1 - 1e-6), 6),
            "concentration": round(min(max(conc, MIN_CONCENTRATION), MAX_CONCENTRATION), 4)}


def _conversation(sell: float) -> dict:
    s = round(min(max(sell, 0.0), SELL_MAX), 6)
    return {"sale": s, "not_interested": round(1 - s, 6), "unqualified": 0.0}


def horizon_days(longest: int) -> int:
    """Days for daily calls on working days (5 a week) to reach the longest attempt count, plus a margin."""
    return int(math.ceil(max(longest, 1) * 7 / 5)) + HORIZON_MARGIN_DAYS


def fitted_sections(fit: SummaryFit) -> tuple[dict, dict, list[str]]:
    """(population changes, as_logged's give_up, notes on the split) of the fitted scenario."""
    s = fit.summaries
    overall = cell_split(fit.overall, fit.assume_reach)
    population: dict = {"reachability": _beta(overall.reach, overall.concentration)}
    notes = [f"everyone: {overall.reason}"] if overall.reason else []
    give_up: dict = {"hazard": give_up_hazards(fit.overall)}
    population["conversation"] = _conversation(overall.sell)
    if not s.segments:
        return population, give_up, notes
    f = s.frame
    cells, entries = [], []
    keyed = f[s.segments].astype(str).assign(_cell=fit.cell_of)
    splits: dict[str, Split] = {}
    for values, rows in keyed.groupby(s.segments, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        key = rows["_cell"].iloc[0]
        g = fit.cells[key]
        name = " & ".join(values)
        if g.pooled or key != name:  # a small cell: its own mean at the pooled fit's concentration
            own = f.loc[rows.index]
            won = (own["outcome"] == "won").to_numpy()
            if g.params.get("connected"):
                sp = cell_split(g, fit.assume_reach)
                sp.sell = min(won.sum() / max(own["connected"].sum(), 1), SELL_MAX) if won.any() else 1e-4
            else:
                mean = mean_at_concentration(own["attempts"].to_numpy(), won, g.params["conc"])
                sp = split_sale_chance(mean, g.params["conc"], fit.assume_reach)
            notes.append(f"{name} ({len(own):,} rows, {int(won.sum()):,} sales, too few for a Beta of its own): its "
                         f"own mean sale chance per attempt ({sp.reach * sp.sell:.3g}) at the concentration and "
                         f"give-up table of '{key}'" + (f"; {sp.reason}" if sp.reason else ""))
        else:
            if key not in splits:
                splits[key] = cell_split(g, fit.assume_reach)
                if splits[key].reason:
                    notes.append(f"{key}: {splits[key].reason}")
            sp = splits[key]
        when = dict(zip(s.segments, values))
        cells.append({"values": when, "share": round(len(rows) / len(f), 8),
                      "reachability": _beta(sp.reach, sp.concentration), "conversation": _conversation(sp.sell)})
        entries.append({"when": when, "hazard": give_up_hazards(g)})
    total = sum(c["share"] for c in cells)
    cells[-1]["share"] = round(cells[-1]["share"] + 1 - total, 8)  # the rounded shares sum to 1
    population["segments"] = {"cells": cells}
    give_up["segments"] = entries
    return population, give_up, notes


__all__ = ["Split", "split_sale_chance", "cell_split", "give_up_hazards", "horizon_days", "fitted_sections",
           "SELL_MAX"]
