"""Fitting per-prospect summaries: what one row per prospect (attempts, outcome, connected) identifies.

The summary model, per group of prospects (a segment cell, or everyone):

- without ``connected``: each prospect has a per-attempt sale chance a ~ Beta(mean, concentration)
  (answering times selling: the two cannot be told apart without ``connected``, see ``TRADE_OFF``);
  with ``connected``: an answer chance p ~ Beta(mean, concentration) per prospect and one chance s
  that a conversation sells, so a = p * s;
- the team's stopping as observed: after attempt j without a sale it gives up with hazard g_j
  (the outcome ``lost`` at j attempts), and the period ends with hazard c_j (``open`` at j);
  both read from the rows by counting (Kaplan-Meier), taken not to depend on the prospect's chances.

Sales end the attempts. The likelihood of a's Beta is then beta-geometric with right censoring,
of p's Beta beta-binomial on (attempts, connected), each with Wald intervals on the logit/log scale;
``simulate`` draws summaries from the fitted model (the comparison table and the recovery test).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from sim.fit.estimators import LOG_LIMIT, Z95, Estimate, _exp, _wald, binomial_ci, fit_reachability, rate_estimate
from sim.fit.summaries import BLANK_SEGMENT, Summaries

MIN_GROUP_ROWS = 200  # a segment value or cell with fewer rows, or fewer than MIN_GROUP_SALES sales, is pooled
MIN_GROUP_SALES = 10
MAX_CONCENTRATION = 1e5
TRADE_OFF = ("without a connected column, the answer chance and the chance a conversation sells trade off: only "
             "their product, the sale chance per attempt, shows in attempts and outcomes. The fit reports that "
             "product's Beta; splitting it needs an assumed answer chance (--assume-reach, stated in the output).")


@dataclass
class GroupFit:
    """The fitted summary model of one group of prospects."""

    name: str
    rows: int
    sales: int
    estimates: dict[str, Estimate]
    give_up: pd.DataFrame  # by attempt j: at_risk, gave_up, hazard g_j, ended (open), end hazard c_j
    pooled: bool = False
    params: dict = field(default_factory=dict)  # for simulate: mean, conc (of a or p), sell, g, c


# ---------------------------------------------------------------- estimators
def fit_sale_chance(attempts: np.ndarray, won: np.ndarray) -> tuple[Estimate, Estimate]:
    """Beta(mean, concentration) of per-prospect sale chances per attempt, by maximum likelihood: a won
    prospect sold on its last attempt after attempts - 1 that did not; any other made attempts that
    did not sell (beta-geometric with right censoring; identical rows are counted once, weighted)."""
    df = pd.DataFrame({"n": np.asarray(attempts, int), "w": np.asarray(won, bool)})
    df = df[df["n"] > 0]
    g = df.groupby(["n", "w"]).size().reset_index(name="k")
    n, w, k = g["n"].to_numpy(float), g["w"].to_numpy(bool), g["k"].to_numpy(float)

    def nll(theta: np.ndarray) -> float:
        theta = np.clip(theta, -LOG_LIMIT, LOG_LIMIT)
        mu = special.expit(theta[0])
        kappa = math.exp(theta[1])
        a, b = mu * kappa, (1 - mu) * kappa
        ll = np.where(w, special.betaln(a + 1, b + n - 1), special.betaln(a, b + n)) - special.betaln(a, b)
        return -float(np.sum(k * ll))

    sales, tries = float(k[w].sum()), float((k * np.where(w, n, n)).sum())
    p0 = min(max(sales / max(tries, 1.0), 1e-4), 1 - 1e-4)
    best = None
    for log_kappa in (0.0, 2.0, 5.0):
        res = optimize.minimize(nll, np.array([special.logit(p0), log_kappa]), method="Nelder-Mead",
                                options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    theta = best.x
    theta[1] = min(theta[1], math.log(MAX_CONCENTRATION))
    se = _wald(nll, theta)
    mu, kappa = float(special.expit(theta[0])), float(math.exp(theta[1]))
    method = "beta-geometric maximum likelihood on attempts and outcomes (a sale ends the attempts)"
    rows = int(len(df))
    if se is None:  # e.g. every prospect alike: the concentration has no upper end
        nan = float("nan")
        return (Estimate("sale chance per attempt, mean", mu, nan, nan, rows, method, None, 100, "%"),
                Estimate("sale chance per attempt, concentration", kappa, nan, nan, rows, method))
    mean = Estimate("sale chance per attempt, mean", mu, float(special.expit(theta[0] - Z95 * se[0])),
                    float(special.expit(theta[0] + Z95 * se[0])), rows, method, None, 100, "%")
    conc = Estimate("sale chance per attempt, concentration (alpha + beta)", kappa, _exp(theta[1] - Z95 * se[1]),
                    _exp(theta[1] + Z95 * se[1]), rows, method)
    return mean, conc


def stopping_table(attempts: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """The team's stopping as the rows show it, by attempt j = 0, 1, ...: prospects still worked after
    attempt j without a sale (at_risk), those given up there (``lost`` with j attempts) and its hazard
    g_j; then those whose period ended there (``open`` with j attempts) and its hazard c_j."""
    n = np.asarray(attempts, int)
    o = np.asarray(outcome)
    top = int(n.max()) if len(n) else 0
    lost = np.bincount(n[o == "lost"], minlength=top + 1)
    open_ = np.bincount(n[o == "open"], minlength=top + 1)
    beyond = len(n) - np.cumsum(np.bincount(n, minlength=top + 1))  # rows with more than j attempts
    at_risk = beyond + lost + open_
    still = beyond + open_
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(at_risk > 0, lost / np.maximum(at_risk, 1), 0.0)
        c = np.where(still > 0, open_ / np.maximum(still, 1), 1.0)
    c[-1] = 1.0  # nobody is worked past the longest row
    surv = np.cumprod(1 - g)
    return pd.DataFrame({"attempt": np.arange(top + 1), "at_risk": at_risk, "gave_up": lost, "give_up_hazard": g,
                         "still_worked": surv, "ended_open": open_, "end_hazard": c})


def _give_up_quantiles(table: pd.DataFrame) -> dict[str, float]:
    """Attempts after which the team has given up on half, 75% and 90% of unsold prospects (Kaplan-Meier;
    nan where the rows never get there)."""
    gone = 1 - table["still_worked"].to_numpy()
    out = {}
    for q in (0.5, 0.75, 0.9):
        hit = np.nonzero(gone >= q)[0]
        out[f"give-up attempt, {int(q * 100)}%"] = float(table["attempt"].iloc[hit[0]]) if len(hit) else float("nan")
    return out


def fit_group(name: str, rows: pd.DataFrame, has_connected: bool, assume_reach: float) -> GroupFit:
    """The summary model of one group: sale (or answer and sell) chances, close rate, and stopping."""
    n = rows["attempts"].to_numpy(int)
    outcome = rows["outcome"].to_numpy()
    won = outcome == "won"
    est: dict[str, Estimate] = {}
    est["close_rate"] = rate_estimate("close rate (won / prospects)", int(won.sum()), len(rows),
                                      "share (Clopper-Pearson interval)")
    m = float(n.mean()) if len(n) else float("nan")
    half = Z95 * float(n.std(ddof=1)) / math.sqrt(len(n)) if len(n) > 1 else float("nan")
    est["attempts_per_prospect"] = Estimate("attempts per prospect", m, m - half, m + half, len(n), "mean (normal interval)")
    table = stopping_table(n, outcome)
    params: dict = {"g": table["give_up_hazard"].to_numpy(), "c": table["end_hazard"].to_numpy()}
    if has_connected:
        c = rows["connected"].to_numpy(int)
        pairs = pd.DataFrame({"n": n, "c": c})[n > 0].value_counts().reset_index(name="w")  # identical rows once
        mean, conc = fit_reachability(pairs["n"].to_numpy(), pairs["c"].to_numpy(), pairs["w"].to_numpy())
        mean.label, conc.label = "answer chance per attempt, mean", "answer chance per attempt, concentration (alpha + beta)"
        mean.method = conc.method = "beta-binomial maximum likelihood on (attempts, connected)"
        est["reach_mean"], est["reach_concentration"] = mean, conc
        est["sell"] = rate_estimate("chance a conversation sells", int(won.sum()), int(c.sum()),
                                    "won / connected attempts (Clopper-Pearson interval)")
        params.update(mean=mean.value, conc=conc.value, sell=est["sell"].value, connected=True)
    else:
        mean, conc = fit_sale_chance(n, won)
        est["sale_mean"], est["sale_concentration"] = mean, conc
        label = f"chance a conversation sells, if the answer chance is {assume_reach:.3g}"
        method = "sale chance per attempt / the assumed answer chance (--assume-reach)"
        if mean.value <= assume_reach:
            est["sell_assumed"] = Estimate(label, mean.value / assume_reach, mean.low / assume_reach,
                                           min(1.0, mean.high / assume_reach), mean.n, method, None, 100, "%")
        else:  # no answer chance this low can carry the sales: the assumption, not the data, is wrong
            nan = float("nan")
            est["sell_assumed"] = Estimate(label, nan, nan, nan, mean.n, method + f": impossible, the sale chance per "
                                           f"attempt ({mean.value:.3g}) is above it; raise --assume-reach", None, 100, "%")
        params.update(mean=mean.value, conc=conc.value, sell=1.0, connected=False)
    for label, value in _give_up_quantiles(table).items():
        est[label] = Estimate(label, value, float("nan"), float("nan"), int(table["gave_up"].sum()),
                              "Kaplan-Meier of lost rows' attempts (won and open rows censored)")
    return GroupFit(name=name, rows=len(rows), sales=int(won.sum()), estimates=est, give_up=table, params=params)


def big_enough(rows: pd.DataFrame) -> bool:
    return len(rows) >= MIN_GROUP_ROWS and int((rows["outcome"] == "won").sum()) >= MIN_GROUP_SALES


# ---------------------------------------------------------------- the whole fit
@dataclass
class SummaryFit:
    """Everything a summary fit learned: the overall group, each segment value, the cells simulated."""

    summaries: Summaries
    overall: GroupFit
    by_value: dict[str, dict[str, GroupFit]]  # segment column -> value -> fit (pooled: the overall fit's copy)
    cells: dict[str, GroupFit]  # the groups simulated: each cross cell big enough, and one of the small cells pooled
    cell_of: np.ndarray  # each row's key into cells
    assume_reach: float
    notes: list[str] = field(default_factory=list)


def _cell_keys(frame: pd.DataFrame, segments: list[str]) -> pd.Series:
    if not segments:
        return pd.Series("everyone", index=frame.index)
    keys = frame[segments[0]].astype(str)
    for col in segments[1:]:
        keys = keys + " & " + frame[col].astype(str)
    return keys


def fit_summaries(s: Summaries, assume_reach: float = 0.08) -> SummaryFit:
    """Fit the summary model overall, per segment value, and per cell of the segments (small ones pooled)."""
    f = s.frame
    notes = list(s.notes)
    overall = fit_group("everyone", f, s.has_connected, assume_reach)
    if not s.has_connected:
        notes.append(TRADE_OFF.replace("(--assume-reach, stated in the output)",
                                       f"(here {assume_reach:.0%}; change it with --assume-reach)"))
    if not math.isfinite(overall.estimates.get("sell_assumed", overall.estimates["close_rate"]).value):
        notes.append(f"the assumed answer chance {assume_reach:.3g} is below the sale chance per attempt: no split of "
                     "it into answering and selling is possible with it (raise --assume-reach)")
    by_value: dict[str, dict[str, GroupFit]] = {}
    for col in s.segments:
        by_value[col] = {}
        for value, rows in f.groupby(col, sort=True):
            if big_enough(rows):
                by_value[col][value] = fit_group(f"{col}={value}", rows, s.has_connected, assume_reach)
            else:
                g = fit_group(f"{col}={value}", rows, s.has_connected, assume_reach)
                g.pooled = True
                by_value[col][value] = g
                notes.append(f"segment {col}={value}: {len(rows):,} rows and {g.sales:,} sales, under "
                             f"{MIN_GROUP_ROWS} rows or {MIN_GROUP_SALES} sales: its chances are not fitted alone "
                             "(the simulation pools it with the other small cells)")
    keys = _cell_keys(f, s.segments)
    cells: dict[str, GroupFit] = {}
    cell_of = np.empty(len(f), dtype=object)
    small = np.zeros(len(f), bool)
    for key, idx in keys.groupby(keys).groups.items():
        rows = f.loc[idx]
        if big_enough(rows) or len(s.segments) == 0:
            cells[key] = fit_group(key, rows, s.has_connected, assume_reach)
            cell_of[f.index.get_indexer(idx)] = key
        else:
            small[f.index.get_indexer(idx)] = True
    if small.any():
        rows = f[small]
        key = "small cells pooled" if big_enough(rows) or not cells else None
        if key is None:  # too few even together: they take the overall fit
            key = "everyone"
            cells[key] = overall
            notes.append(f"{int(small.sum()):,} rows in small segment cells take the overall fit")
        else:
            cells[key] = fit_group(key, rows, s.has_connected, assume_reach)
            cells[key].pooled = True
            notes.append(f"{int(small.sum()):,} rows in segment cells under {MIN_GROUP_ROWS} rows or "
                         f"{MIN_GROUP_SALES} sales are fitted together")
        cell_of[small] = key
    return SummaryFit(summaries=s, overall=overall, by_value=by_value, cells=cells, cell_of=cell_of,
                      assume_reach=assume_reach, notes=notes)


# ---------------------------------------------------------------- simulation of the summary model
def simulate_group(params: dict, size: int, rng: np.random.Generator) -> pd.DataFrame:
    """``size`` summary rows drawn from one group's fitted model (columns attempts, outcome, connected)."""
    mean, conc = params["mean"], min(params["conc"], MAX_CONCENTRATION)
    chance = rng.beta(max(mean * conc, 1e-9), max((1 - mean) * conc, 1e-9), size) if np.isfinite(conc) else np.full(size, mean)
    g, c = np.asarray(params["g"], float), np.asarray(params["c"], float)
    sell = params.get("sell", 1.0)
    attempts = np.zeros(size, np.int64)
    connected = np.zeros(size, np.int64)
    outcome = np.full(size, "open", dtype=object)
    alive = np.ones(size, bool)
    for j in range(len(g)):
        if j > 0:
            idx = np.nonzero(alive)[0]
            attempts[idx] = j
            answered = rng.random(len(idx)) < chance[idx]
            connected[idx] += answered
            sold = answered & (rng.random(len(idx)) < sell)
            outcome[idx[sold]] = "won"
            alive[idx[sold]] = False
        idx = np.nonzero(alive)[0]
        gave_up = rng.random(len(idx)) < g[j]
        outcome[idx[gave_up]] = "lost"
        alive[idx[gave_up]] = False
        idx = np.nonzero(alive)[0]
        ended = rng.random(len(idx)) < c[j]
        alive[idx[ended]] = False  # open at j attempts
        if not alive.any():
            break
    return pd.DataFrame({"attempts": attempts, "outcome": outcome, "connected": connected})


def simulate(fit: SummaryFit, rng: np.random.Generator) -> pd.DataFrame:
    """One simulated summary the size of the log: each row drawn from its cell's fitted model, its segment
    values kept."""
    f = fit.summaries.frame
    out = f[fit.summaries.segments].copy() if fit.summaries.segments else pd.DataFrame(index=f.index)
    parts = {}
    for key, cell in fit.cells.items():
        idx = np.nonzero(fit.cell_of == key)[0]
        if len(idx):
            parts[key] = (idx, simulate_group(cell.params, len(idx), rng))
    for col in ("attempts", "outcome", "connected"):
        values = np.empty(len(f), dtype=object)
        for idx, sim in parts.values():
            values[idx] = sim[col].to_numpy()
        out[col] = values
    out["attempts"] = out["attempts"].astype(np.int64)
    out["connected"] = out["connected"].astype(np.int64)
    return out


__all__ = ["GroupFit", "SummaryFit", "fit_sale_chance", "stopping_table", "fit_group", "fit_summaries",
           "simulate_group", "simulate", "binomial_ci", "BLANK_SEGMENT", "TRADE_OFF", "MIN_GROUP_ROWS"]
