"""Buying readiness as a continuous-time Markov chain, and vectorized sampling of its paths.

States: not_ready -> considering -> ready -> (purchase) -> off_market -> not_ready, with
considering -> not_ready and ready -> considering drifts. Paths for every prospect are drawn
up front from one stream (so every strategy sees the same market); a strategy that changes
a prospect's state (a sale, nurture) redraws only that prospect's future.
"""
from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from sim.scenario.schema import Readiness

NOT_READY, CONSIDERING, READY, OFF_MARKET, CUSTOMER = 0, 1, 2, 3, 4
STATE_NAMES = ("not_ready", "considering", "ready", "off_market", "customer")
MARKET_STATES = 4


def dwell_means(r: Readiness) -> np.ndarray:
    """Mean time (minutes) spent in each market state per visit."""
    return np.array([r.not_ready_dwell, r.considering_dwell, r.buying_window, r.off_market])


def jump_matrix(r: Readiness) -> np.ndarray:
    """P[i, j]: chance that leaving state i goes to state j."""
    p = np.zeros((MARKET_STATES, MARKET_STATES))
    p[NOT_READY, CONSIDERING] = 1.0
    p[CONSIDERING, READY] = r.to_ready
    p[CONSIDERING, NOT_READY] = 1.0 - r.to_ready
    p[READY, OFF_MARKET] = r.buy_at_window_end
    p[READY, CONSIDERING] = 1.0 - r.buy_at_window_end
    p[OFF_MARKET, NOT_READY] = 1.0
    return p


def generator(r: Readiness) -> np.ndarray:
    """The chain's rate matrix Q (per minute): Q[i, j] = P[i, j] / mean dwell in i, rows sum to 0."""
    q = jump_matrix(r) / dwell_means(r)[:, None]
    np.fill_diagonal(q, -q.sum(axis=1))
    return q


def stationary(r: Readiness) -> np.ndarray:
    """Long-run share of time in each market state (pi Q = 0, sum(pi) = 1), in closed form.

    The jump chain visits considering once per cycle, ready ``to_ready`` times as often,
    off-market ``to_ready * buy_at_window_end`` times and not-ready the rest of the way round;
    the time share of a state is its visit rate times its mean dwell. Plain float arithmetic
    rather than a least-squares solve: LAPACK's kernels depend on the CPU, and these shares
    pick every listed prospect's start state, so their last bits must not (tests check pi Q = 0)."""
    a, b = r.to_ready, r.buy_at_window_end
    visits = ((1.0 - a) + a * b, 1.0, a, a * b)  # not ready, considering, ready, off market
    dwell = (r.not_ready_dwell, r.considering_dwell, r.buying_window, r.off_market)
    time = [v * d for v, d in zip(visits, dwell)]
    total = math.fsum(time)
    return np.array([x / total for x in time])


def published_mix(pi: np.ndarray) -> dict[str, float]:
    """The 3-bucket mix people quote: ready, considering, not ready (off-market counts as not ready)."""
    return {"ready": pi[READY], "considering": pi[CONSIDERING], "not_ready": pi[NOT_READY] + pi[OFF_MARKET]}


class Paths:
    """Every prospect's readiness path in compressed rows: entries ``offsets[i]:offsets[i+1]``
    of ``times`` (entry time of each state) and ``states``; the first entry is the start state."""

    def __init__(self, offsets: np.ndarray, times: np.ndarray, states: np.ndarray):
        self.offsets = offsets
        self.times = times
        self.states = states


def sample_paths(
    rng: np.random.Generator, r: Readiness, start_states: np.ndarray, start_times: np.ndarray, horizon: float
) -> Paths:
    """Draw every prospect's path from its start until the horizon, all prospects at once."""
    n = len(start_states)
    idx_parts = [np.arange(n)]
    t_parts = [np.asarray(start_times, dtype=float)]
    s_parts = [np.asarray(start_states, dtype=np.int8)]
    if not r.frozen and n:
        means = dwell_means(r)
        cum = np.cumsum(jump_matrix(r), axis=1)
        idx, t, s = idx_parts[0], t_parts[0], s_parts[0]
        while len(idx):
            t = t + rng.exponential(1.0, len(idx)) * means[s]
            u = rng.random(len(idx))
            s = np.minimum((u[:, None] >= cum[s]).sum(axis=1), MARKET_STATES - 1).astype(np.int8)
            keep = t <= horizon
            idx, t, s = idx[keep], t[keep], s[keep]
            idx_parts.append(idx)
            t_parts.append(t)
            s_parts.append(s)
    idx = np.concatenate(idx_parts)
    t = np.concatenate(t_parts)
    s = np.concatenate(s_parts)
    order = np.lexsort((t, idx))
    counts = np.bincount(idx, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Paths(offsets, t[order], s[order])


class Tail:
    """Draws one prospect's path onward from a state (the chain is memoryless), with the
    chain's tables read once per run: a redraw happens at every sale, nurture and lost buyer.

    Each step takes an exponential dwell and then one uniform against the row's cumulative
    jump chances, exactly what ``Generator.choice(4, p=row)`` does (cumsum, divided by its
    last entry, searchsorted to the right), so the numbers are those of ``choice``."""

    def __init__(self, r: Readiness):
        self.frozen = r.frozen
        self.means = dwell_means(r).tolist()
        cdf = np.cumsum(jump_matrix(r), axis=1)
        self.cdf = (cdf / cdf[:, -1:]).tolist()

    def sample(self, rng: np.random.Generator, state: int, time: float, horizon: float) -> tuple[list[float], list[int]]:
        times, states = [time], [state]
        if self.frozen:
            return times, states
        means, cdf = self.means, self.cdf
        while True:
            time = time + rng.exponential(means[state])
            if time > horizon:
                return times, states
            state = bisect_right(cdf[state], rng.random())
            times.append(time)
            states.append(state)
