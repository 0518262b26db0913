"""The fit's estimators: each a likelihood or an exact interval, testable on data drawn from its own model.

``fit_answering`` (reachability and the hot answer window, jointly), ``fit_reachability`` and
``fit_hot_window`` (each alone, used as starting points and in tests), ``fit_frequency_risk``
(complaint risk given the annoyance a prospect's touches build up), and the small statistics
they share: Clopper-Pearson and Garwood intervals, Wald intervals from the observed information.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from sim.present.activity_format import ANSWERED
from sim.scenario.schema import Complaints, Gamma, HotLead

Z95 = 1.959963984540054
LOG_LIMIT = 30.0  # fitted logits and logs stay within +-30 (exp(30) = 1e13): no overflow on nonsense logs

@dataclass
class Estimate:
    """A fitted quantity: value, 95% interval, observations behind it, and the field it sets."""

    label: str
    value: float
    low: float
    high: float
    n: int
    method: str
    path: Optional[str] = None  # scenario field set to the value (None: reported only)
    scale: float = 1.0  # display multiplier (100 for percentages)
    unit: str = ""

    def covers(self, truth: float) -> bool:
        return self.low <= truth <= self.high



# ---------------------------------------------------------------- small statistics
def binomial_ci(k: float, n: float) -> tuple[float, float]:
    """Clopper-Pearson 95% interval of a proportion k / n."""
    if n <= 0:
        return (float("nan"), float("nan"))
    lo = 0.0 if k <= 0 else float(stats.beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k >= n else float(stats.beta.ppf(0.975, k + 1, n - k))
    return lo, hi


def poisson_ci(k: float) -> tuple[float, float]:
    """Garwood 95% interval of a Poisson count."""
    lo = 0.0 if k <= 0 else float(stats.chi2.ppf(0.025, 2 * k) / 2)
    return lo, float(stats.chi2.ppf(0.975, 2 * k + 2) / 2)


def rate_estimate(label: str, k: int, n: int, method: str, path: Optional[str] = None) -> Estimate:
    """A proportion k / n as an Estimate with its Clopper-Pearson interval, shown in %."""
    lo, hi = binomial_ci(k, n)
    return Estimate(label, k / n if n else float("nan"), lo, hi, int(n), method, path, scale=100, unit="%")


def _exp(x: float) -> float:
    """exp that gives inf rather than an OverflowError (an interval with no upper end)."""
    return float(np.exp(np.clip(x, -745.0, 709.0))) if np.isfinite(x) else (math.inf if x > 0 else 0.0)


def _hessian(fun: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    k = len(x)
    h = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            e_i = np.eye(k)[i] * step
            e_j = np.eye(k)[j] * step
            v = (fun(x + e_i + e_j) - fun(x + e_i - e_j) - fun(x - e_i + e_j) + fun(x - e_i - e_j)) / (4 * step * step)
            h[i, j] = h[j, i] = v
    return h


def _wald(nll: Callable[[np.ndarray], float], theta: np.ndarray) -> Optional[np.ndarray]:
    """Standard errors on the fitted scale from the observed information (None if it is not positive definite)."""
    h = _hessian(nll, theta)
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        return None
    se2 = np.diag(cov)
    if not np.all(np.isfinite(se2)) or np.any(se2 <= 0) or np.any(np.linalg.eigvalsh(h) <= 0):
        return None
    return np.sqrt(se2)


CHI2_95 = float(stats.chi2.ppf(0.95, 1))  # a 95% profile-likelihood interval: 2 * (nll - min) <= 3.84


def _profile_edges(nll: Callable[[np.ndarray], float], theta: np.ndarray, i: int, se: float,
                   limit: float = LOG_LIMIT) -> tuple[float, float]:
    """The 95% profile-likelihood interval of parameter ``i`` (on the fitted scale): the values v
    where the minimum of nll over the other parameters, with parameter i held at v, is
    CHI2_95 / 2 above the overall minimum. An end that does not close within ``limit`` is +-inf
    (the log cannot bound the parameter on that side).

    Unlike theta +- 1.96 se it does not assume the log-likelihood is quadratic: when a log's
    calls come at a few delays only (a shared queue calls new leads at the first-response delay
    and returned voicemails at once), the window's decay and shape trade off along a curved
    ridge, and the Wald interval is too short on one side (docs/fit-recovery.md).

    Each end is found on the signed root r(v) = +-sqrt(2 (profile(v) - minimum)), which is
    nearly straight in v, by secant steps from the Wald end (``se``: its standard error, or nan),
    kept inside a bracket once one is known: a few profile points per end."""
    others = [j for j in range(len(theta)) if j != i]
    best = nll(theta)
    target = math.sqrt(CHI2_95)

    def root(v: float, z0: np.ndarray) -> tuple[float, np.ndarray]:
        def f(z: np.ndarray) -> float:
            x = theta.copy()
            x[others] = z
            x[i] = v
            return nll(x)

        # SLSQP stops within 1e-6 of the minimum's nll, so r is good to about 1e-6 / target; on these
        # 3- and 4-parameter problems it took half the time of L-BFGS-B (measured on a round trip's log)
        res = optimize.minimize(f, z0, method="SLSQP", options={"maxiter": 200, "ftol": 1e-6})
        return math.sqrt(max(2.0 * (float(res.fun) - best), 0.0)), res.x

    edges = []
    z_hat = theta[others]
    for side in (-1, +1):
        last = (0.0, z_hat)  # the last distance profiled and the other parameters there
        inside, outside = (0.0, 0.0), None  # (distance from theta, r) within and beyond the edge
        dist = Z95 * se if np.isfinite(se) and se > 0 else 0.5
        edge = None
        for _ in range(30):
            # start from the other parameters extrapolated along the path profiled so far
            z0 = z_hat + (last[1] - z_hat) * (dist / last[0]) if last[0] > 0 else z_hat
            r, z = root(theta[i] + side * dist, z0)
            last = (dist, z)
            if abs(r - target) < 0.01:  # the end to within 0.5% of its distance from the estimate
                edge = dist
                break
            if r < target:
                inside = (dist, r)
            else:
                outside = (dist, r)
            if outside is None:
                if dist >= limit:
                    edge = math.inf
                    break
                # secant through theta (r = 0) or the last inside point, at least a quarter further
                (d0, r0) = inside
                step = (target - r0) * d0 / r0 if r0 > 0 else d0
                dist = min(max(d0 + step, 1.25 * d0), 2.0 * d0 + 1.0, limit)
            else:
                (d0, r0), (d1, r1) = inside, outside
                guess = d0 + (target - r0) * (d1 - d0) / (r1 - r0)
                dist = guess if d0 + 0.05 * (d1 - d0) < guess < d1 - 0.05 * (d1 - d0) else (d0 + d1) / 2
        if edge is None:
            edge = dist
        edges.append(theta[i] + side * edge)
    return edges[0], edges[1]


# ---------------------------------------------------------------- reachability
def fit_reachability(n: np.ndarray, k: np.ndarray, weights: Optional[np.ndarray] = None) -> tuple[Estimate, Estimate]:
    """Beta(mean, concentration) of per-prospect answer chances from dials n and answers k (beta-binomial ML);
    ``weights``: how many prospects each (n, k) row stands for (identical rows counted once), default 1 each."""
    n = np.asarray(n, float)
    k = np.asarray(k, float)
    w = np.ones_like(n) if weights is None else np.asarray(weights, float)
    # each distinct (n, k) once, weighted by its prospects: 300,000 prospects have a few hundred pairs
    pairs, inverse = np.unique(np.stack([n, k]), axis=1, return_inverse=True)
    (n, k), w = pairs, np.bincount(inverse.ravel(), weights=w, minlength=pairs.shape[1])

    def nll(theta: np.ndarray) -> float:
        theta = np.clip(theta, -LOG_LIMIT, LOG_LIMIT)
        mu = special.expit(theta[0])
        kappa = math.exp(theta[1])
        a, b = mu * kappa, (1 - mu) * kappa
        return -float(np.sum(w * (special.betaln(k + a, n - k + b) - special.betaln(a, b))))

    p0 = min(max((w * k).sum() / (w * n).sum(), 1e-4), 1 - 1e-4)
    best = None
    for log_kappa in (0.0, 2.0, 4.0):
        res = optimize.minimize(nll, np.array([special.logit(p0), log_kappa]), method="Nelder-Mead",
                                options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    theta = best.x
    theta[1] = min(theta[1], math.log(1e5))
    se = _wald(nll, theta)
    mu, kappa = float(special.expit(theta[0])), float(math.exp(theta[1]))
    method = "beta-binomial maximum likelihood on per-prospect ordinary dials"
    if se is None:
        nan = float("nan")
        return (Estimate("reachability mean", mu, nan, nan, int((w * n).sum()), method, "population.reachability.mean", 100, "%"),
                Estimate("reachability concentration", kappa, nan, nan, int(w.sum()), method, "population.reachability.concentration"))
    mean = Estimate("reachability mean (answer chance per ordinary dial)", mu,
                    float(special.expit(theta[0] - Z95 * se[0])), float(special.expit(theta[0] + Z95 * se[0])),
                    int((w * n).sum()), method, "population.reachability.mean", 100, "%")
    conc = Estimate("reachability concentration (alpha + beta)", kappa, _exp(theta[1] - Z95 * se[1]),
                    _exp(theta[1] + Z95 * se[1]), int(w.sum()), method, "population.reachability.concentration")
    return mean, conc


# ---------------------------------------------------------------- hot answer window
def hot_answer(age: np.ndarray, reach: float, answer: float, decay: float, shape: float) -> np.ndarray:
    """The model's answer chance ``age`` minutes after the prospect got in touch (touches.answer_probability)."""
    with np.errstate(over="ignore"):  # exp(-inf) is the 0 it should be
        return reach + (answer - reach) * np.exp(-((np.maximum(age, 0.0) / decay) ** shape))


def fit_hot_window(age: np.ndarray, answered: np.ndarray, reach: float,
                   default_shape: float = HotLead().answer_shape) -> tuple[list[Estimate], Optional[str]]:
    """answer, answer_decay and answer_shape by maximum likelihood on (age, answered) of first calls after
    the prospect got in touch, with ordinary reach fixed; shape is fixed at its default when the ages
    cannot tell it (the observed information is not positive definite or its interval spans over 20x)."""
    age = np.asarray(age, float)
    y = np.asarray(answered, float)
    n = len(age)
    method = "maximum likelihood on the first call after each moment the prospect got in touch"

    def unpack(theta: np.ndarray, shape: Optional[float]) -> tuple[float, float, float]:
        theta = np.clip(theta, -LOG_LIMIT, LOG_LIMIT)
        h = reach + (1 - reach) * special.expit(theta[0])
        d = math.exp(theta[1])
        s = math.exp(theta[2]) if shape is None else shape
        return h, d, s

    def make_nll(shape: Optional[float]):
        def nll(theta: np.ndarray) -> float:
            h, d, s = unpack(theta, shape)
            p = np.clip(hot_answer(age, reach, h, d, s), 1e-12, 1 - 1e-12)
            return -float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
        return nll

    early = y[age <= np.quantile(age, 0.2)].mean() if n else 0.5
    h0 = special.logit(min(max((early - reach) / (1 - reach), 0.05), 0.95))

    def solve(shape: Optional[float]):
        nll = make_nll(shape)
        best = None
        for d0 in (5.0, 15.0, 60.0, 240.0):
            for s0 in ((0.5, 2.0) if shape is None else (None,)):
                x0 = [h0, math.log(d0)] + ([math.log(s0)] if shape is None else [])
                res = optimize.minimize(nll, np.array(x0), method="Nelder-Mead",
                                        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 6000})
                if best is None or res.fun < best.fun:
                    best = res
        return nll, best.x

    note = None
    nll, theta = solve(None)
    se = _wald(nll, theta)
    if se is None or se[2] * 2 * Z95 > math.log(20):
        note = (f"hot answer window: the call delays in this log cannot tell the window's shape; answer_shape is kept "
                f"at {default_shape:g} and answer and answer_decay are fitted given it")
        nll, theta = solve(default_shape)
        se = _wald(nll, theta)
    h, d, s = unpack(theta, default_shape if note else None)
    nan = float("nan")
    if se is None:
        se = np.full(3, nan)

    def h_of(x):
        return reach + (1 - reach) * special.expit(x)

    out = [
        Estimate("hot answer (answer chance right after they get in touch)", h, h_of(theta[0] - Z95 * se[0]),
                 h_of(theta[0] + Z95 * se[0]), n, method, "conversation.hot.answer", 100, "%"),
        Estimate("hot answer_decay (how long they stay by the phone)", d, _exp(theta[1] - Z95 * se[1]),
                 _exp(theta[1] + Z95 * se[1]), n, method, "conversation.hot.answer_decay", 1, "min"),
    ]
    if note is None:
        out.append(Estimate("hot answer_shape (1 fades at once, >1 stays open then shuts)", s,
                            _exp(theta[2] - Z95 * se[2]), _exp(theta[2] + Z95 * se[2]), n, method,
                            "conversation.hot.answer_shape"))
    return out, note


class AnsweringLikelihood:
    """The negative log-likelihood ``fit_answering`` maximises, for one log's calls (see there).

    ``nll(theta, shape)``: theta = (logit mean, log concentration, logit answer, log decay[, log
    shape]), shape None when theta holds it. Built once per log: the calls are sorted and padded
    here, and prospects without calls soon after getting in touch are counted by their (dials, answers):
    each such pair costs one Beta function."""

    def __init__(self, n: np.ndarray, k: np.ndarray, hot_prospect: np.ndarray, hot_age: np.ndarray,
                 hot_answered: np.ndarray, max_hot: int = 20):
        n = np.asarray(n, float)
        k = np.asarray(k, float)
        hp = np.asarray(hot_prospect, int)
        age = np.asarray(hot_age, float)
        y = np.asarray(hot_answered, bool)
        order = np.argsort(hp, kind="stable")
        hp, age, y = hp[order], age[order], y[order]
        pos = np.arange(len(hp)) - np.searchsorted(hp, hp, side="left")  # index of the call within its prospect
        keep = pos < max_hot
        self.dropped = int((~keep).sum())  # calls beyond the max_hot-th of a prospect, left out
        hp, age, y, pos = hp[keep], age[keep], y[keep], pos[keep]
        self.width = width = int(pos.max()) + 1 if len(pos) else 0
        used = np.zeros(len(n), bool)
        used[n > 0] = True
        used[hp] = True
        idx = np.flatnonzero(used)
        remap = np.full(len(n), -1)
        remap[idx] = np.arange(len(idx))
        self.n, self.k = n, k = n[idx], k[idx]
        self.hp, self.age, self.y = hp, age, y = remap[hp], age, y
        # prospects with calls soon after getting in touch, and the others (whose likelihood is one Beta function)
        with_hot = np.unique(hp)
        cold = np.ones(len(n), bool)
        cold[with_hot] = False
        pairs, count = np.unique(np.c_[n[cold], k[cold]], axis=0, return_counts=True)  # few distinct (dials, answers)
        self._cold = (pairs[:, 0], pairs[:, 1], count.astype(float))
        self._prospects = len(n)
        self._hot = (n[with_hot], k[with_hot], np.searchsorted(with_hot, hp), pos)

    def nll(self, theta: np.ndarray, shape: Optional[float]) -> float:
        n_c, k_c, count = self._cold
        n_h, k_h, row, pos = self._hot
        age, y, width = self.age, self.y, self.width
        theta = np.clip(theta, -LOG_LIMIT, LOG_LIMIT)  # far outside any answer chance or window worth fitting
        mu, kappa = special.expit(theta[0]), math.exp(theta[1])
        h, d = special.expit(theta[2]), math.exp(theta[3])
        sh = math.exp(theta[4]) if shape is None else shape
        a0, b0 = mu * kappa, (1 - mu) * kappa
        with np.errstate(over="ignore"):
            surv = np.exp(-((np.maximum(age, 0.0) / d) ** sh))
        alpha = np.where(y, h * surv + 1 - surv, (1 - h) * surv)  # coefficient of r
        beta = np.where(y, h * surv, (1 - h) * surv + 1 - surv)  # coefficient of 1 - r
        A = np.ones((len(n_h), max(width, 1)))
        B = np.ones((len(n_h), max(width, 1)))
        A[row, pos] = alpha
        B[row, pos] = beta
        E = np.zeros((len(n_h), width + 1))
        E[:, 0] = 1.0
        for j in range(width):
            nxt = E * B[:, [j]]
            nxt[:, 1:] += E[:, :-1] * A[:, [j]]
            E = nxt
        # log B(a + m, b - m) for m = 0..width, from B(a, b) by B(a + 1, b - 1) = B(a, b) a / (b - 1)
        a, b = a0 + k_h, b0 + (n_h - k_h) + width
        j = np.arange(width)
        step = np.log(a[:, None] + j) - np.log(b[:, None] - 1 - j)
        log_beta = special.betaln(a, b)[:, None] + np.concatenate([np.zeros((len(a), 1)), np.cumsum(step, axis=1)], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.log(E) + log_beta
            top = terms.max(axis=1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)
            per = top[:, 0] + np.log(np.exp(terms - top).sum(axis=1))  # log-sum-exp over m
        ll = np.sum(per) + count @ special.betaln(a0 + k_c, b0 + n_c - k_c) - self._prospects * special.betaln(a0, b0)
        return -float(ll)


def fit_answering(n: np.ndarray, k: np.ndarray, hot_prospect: np.ndarray, hot_age: np.ndarray, hot_answered: np.ndarray,
                  default_shape: float = HotLead().answer_shape, max_hot: int = 20) -> tuple[list[Estimate], Optional[str]]:
    """Reachability and the hot answer window together, by maximum likelihood on every call that is
    not a booked call.

    Prospect i answers an ordinary dial with its own chance r_i ~ Beta(mean, concentration), and a
    call ``age`` minutes after they got in touch with r_i + (answer - r_i) * exp(-(age / decay) ** shape).
    Each of those factors is a r + b (1 - r) with a, b >= 0, so a prospect's likelihood, integrated
    over r_i, is a finite sum of Beta functions (no quadrature, no cancellation). Fitting both at
    once matters: a prospect who misses a call soon after reaching out is more likely one who rarely
    answers, and leaving that call out of the reachability fit while keeping the dials it led to
    biases the mean down. ``n``, ``k``: ordinary dials and answers per prospect (index = prospect);
    ``hot_*``: one entry per call made within a day of the prospect getting in touch.

    Intervals: Wald (from the observed information) for reachability; profile likelihood for the
    window's answer, decay and shape, whose likelihood is far from quadratic when the calls come at
    a few delays only (``_profile_edges``)."""
    lik = AnsweringLikelihood(n, k, hot_prospect, hot_age, hot_answered, max_hot)
    note = None
    if lik.dropped:
        note = f"{lik.dropped} calls beyond the {max_hot}th within a day of getting in touch were left out"
    n, k, hp, age, y = lik.n, lik.k, lik.hp, lik.age, lik.y
    nll_of = lik.nll

    def solve(x0: np.ndarray, shape: Optional[float]) -> np.ndarray:
        fun = lambda x: nll_of(x, shape)  # noqa: E731
        res = optimize.minimize(fun, x0, method="L-BFGS-B", options={"maxiter": 500})
        polish = optimize.minimize(fun, res.x, method="Nelder-Mead",
                                   options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000})
        return polish.x if polish.fun <= res.fun else res.x

    # start from the two separate fits
    mu0, kap0 = fit_reachability(np.maximum(n, 1), np.minimum(k, np.maximum(n, 1)))
    first = np.r_[True, hp[1:] != hp[:-1]] if len(hp) else np.zeros(0, bool)
    hot0, _ = fit_hot_window(age[first], y[first], mu0.value, default_shape)
    h0 = min(max(hot0[0].value, 0.02), 0.99)
    s0 = hot0[2].value if len(hot0) > 2 else default_shape
    x0 = np.array([special.logit(mu0.value), math.log(kap0.value), special.logit(h0), math.log(hot0[1].value), math.log(s0)])
    theta = solve(x0, None)
    se = _wald(lambda x: nll_of(x, None), theta)
    fixed = None
    if se is None or se[4] * 2 * Z95 > math.log(20):
        fixed = default_shape
        theta = solve(x0[:4], fixed)
        se = _wald(lambda x: nll_of(x, fixed), theta)
        msg = (f"hot answer window: the call delays in this log cannot tell the window's shape; answer_shape is kept "
               f"at {default_shape:g} and the rest is fitted given it")
        note = msg if note is None else f"{note}; {msg}"
    theta = np.clip(theta, -LOG_LIMIT, LOG_LIMIT)
    if se is None:
        se = np.full(len(theta), float("nan"))
    method = ("joint maximum likelihood on every call but booked ones (beta-binomial with the hot answer window); "
              "Wald intervals for reachability, profile-likelihood intervals for the window")
    z = Z95 * se
    fun = lambda x: nll_of(x, fixed)  # noqa: E731
    edges = {i: _profile_edges(fun, theta, i, se[i]) for i in range(2, len(theta))}

    def ci(i: int, f) -> tuple[float, float]:
        lo, hi = edges[i] if i in edges else (theta[i] - z[i], theta[i] + z[i])
        return float(f(lo)), float(f(hi))

    ex = _exp
    n_dials, n_hot = int(n.sum()), int(len(age))
    out = [
        Estimate("reachability mean (answer chance per ordinary dial)", float(special.expit(theta[0])), *ci(0, special.expit),
                 n_dials, method, "population.reachability.mean", 100, "%"),
        Estimate("reachability concentration (alpha + beta)", ex(theta[1]), *ci(1, ex), len(n), method,
                 "population.reachability.concentration"),
        Estimate("hot answer (answer chance right after they get in touch)", float(special.expit(theta[2])),
                 *ci(2, special.expit), n_hot, method, "conversation.hot.answer", 100, "%"),
        Estimate("hot answer_decay (how long they stay by the phone)", ex(theta[3]), *ci(3, ex), n_hot, method,
                 "conversation.hot.answer_decay", 1, "min"),
    ]
    if fixed is None:
        out.append(Estimate("hot answer_shape (1 fades at once, >1 stays open then shuts)", ex(theta[4]), *ci(4, ex),
                            n_hot, method, "conversation.hot.answer_shape"))
    return out, note


# ---------------------------------------------------------------- complaints
def annoyance_after(touches: pd.DataFrame, cx: Complaints) -> np.ndarray:
    """Annoyance just after each touch (the model's rule with its default weights), touches sorted by prospect, time."""
    w = np.select(
        [(touches["channel"] == "call") & touches["outcome"].isin(ANSWERED),
         (touches["channel"] == "call") & (touches["outcome"] == "voicemail"),
         touches["channel"] == "call", touches["channel"] == "email"],
        [cx.weight_call, cx.weight_voicemail, cx.weight_missed_call, cx.weight_email], cx.weight_sms)
    m = touches["m"].to_numpy(float)
    m0 = touches.groupby("prospect")["m"].transform("min").to_numpy(float)
    x = (m - m0) / cx.annoyance_decay
    s = pd.Series(w * np.exp(x)).groupby(touches["prospect"].to_numpy()).cumsum().to_numpy()
    return s * np.exp(-x)


def fit_frequency_risk(prospect: np.ndarray, annoyance: np.ndarray, complained: np.ndarray, cx: Complaints,
                       tolerance: Gamma, nodes: int = 40) -> Estimate:
    """complaints.frequency_risk by maximum likelihood: risk per touch min(cap, f * (annoyance / tolerance) ** exponent),
    each prospect's tolerance integrated over its (default) Gamma distribution by Gauss-Laguerre quadrature
    (equal-probability nodes miss the low tolerances that carry most of the risk: 18% low on E[tolerance^-3]
    with 24 of them); profile-likelihood interval."""
    shape = 1.0 / tolerance.cv ** 2
    x, w = special.roots_genlaguerre(nodes, shape - 1)
    tol = x * tolerance.mean / shape
    log_w = np.log(w / w.sum())
    base = (annoyance[:, None] / tol[None, :]) ** cx.frequency_exponent  # risk / f, per touch and tolerance node
    c = complained.astype(float)[:, None]
    order = np.argsort(prospect, kind="stable")  # each prospect's touches together, for reduceat
    base, c = base[order], c[order]
    p_sorted = np.asarray(prospect)[order]
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]]) if len(p_sorted) else np.zeros(0, int)

    def nll(log_f: float) -> float:
        if not len(starts):
            return 0.0
        r = np.clip(np.minimum(cx.frequency_cap, math.exp(log_f) * base), 1e-300, 1 - 1e-12)
        ll = c * np.log(r) + (1 - c) * np.log1p(-r)
        per = np.add.reduceat(ll, starts, axis=0)
        return -float(np.sum(special.logsumexp(per + log_w, axis=1)))

    res = optimize.minimize_scalar(nll, bounds=(math.log(1e-7), math.log(0.5)), method="bounded",
                                   options={"xatol": 1e-6})
    best, at = res.fun, res.x
    cut = stats.chi2.ppf(0.95, 1) / 2

    def edge(direction: int) -> float:
        far = at + direction * 8.0
        g = lambda x: nll(x) - best - cut  # noqa: E731
        if g(far) < 0:
            return math.exp(far)
        return math.exp(optimize.brentq(g, *sorted((at, far)), xtol=1e-5))

    return Estimate("complaint frequency_risk (risk per touch when annoyance equals tolerance)", math.exp(at),
                    edge(-1), edge(+1), len(prospect),
                    "maximum likelihood given the annoyance each prospect's touches build up (default weights, "
                    "decay, exponent and tolerance); touches before any 'no'", "complaints.frequency_risk", 100, "%")


__all__ = ["Estimate", "binomial_ci", "poisson_ci", "rate_estimate", "fit_reachability", "hot_answer", "fit_hot_window", "fit_answering",
           "AnsweringLikelihood", "CHI2_95",
           "annoyance_after", "fit_frequency_risk", "Z95"]
