"""Means with 95% t intervals over replications, and paired differences from a baseline."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # the t quantile; scipy.stats would add ~0.8 s to every CLI start

ID_COLUMNS = ("strategy", "replication")


def t_interval(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """(mean, low, high, n) of a Student t interval; the interval is NaN when n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    # math.fsum, not numpy's sums: those follow the CPU's SIMD width in their last bits, and
    # summary.csv should be the same file on every machine
    mean = math.fsum(x.tolist()) / n
    if n < 2:
        return mean, float("nan"), float("nan"), n
    sd = math.sqrt(math.fsum(((x - mean) ** 2).tolist()) / (n - 1))
    half = float(stdtrit(n - 1, 0.5 + level / 2)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half, n


def summarize(runs: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Tidy summary: strategy, metric, mean, ci_low, ci_high, n; plus ``<metric>_vs_baseline`` rows
    holding each strategy's difference from the baseline, paired by replication."""
    metrics = [c for c in runs.columns if c not in ID_COLUMNS]
    rows = []
    base = runs[runs["strategy"] == baseline].set_index("replication")
    for strategy, group in runs.groupby("strategy", sort=False):
        for metric in metrics:
            mean, lo, hi, n = t_interval(group[metric], level)
            rows.append((strategy, metric, mean, lo, hi, n))
        if strategy == baseline:
            continue
        paired = group.merge(base[metrics], left_on="replication", right_index=True, suffixes=("", "__base"))
        for metric in metrics:
            diff = paired[metric].astype(float) - paired[f"{metric}__base"].astype(float)
            mean, lo, hi, n = t_interval(diff, level)
            rows.append((strategy, f"{metric}_vs_baseline", mean, lo, hi, n))
    return pd.DataFrame(rows, columns=["strategy", "metric", "mean", "ci_low", "ci_high", "n"])


def ratio_interval(numerator, denominator, level: float = 0.95) -> tuple[float, float, float, int]:
    """(ratio, low, high, n): the ratio of the means of two paired samples with Fieller's interval.

    ``numerator[i]`` and ``denominator[i]`` come from the same replication (common random
    numbers), so their covariance counts. The interval is every ratio r for which a paired t
    test of ``numerator - r * denominator`` against zero does not reject at ``level``: the
    roots of (a - r b)^2 = t^2 (v_aa - 2 r v_ab + r^2 v_bb), with v the covariances of the
    means. When the denominator's mean is not clearly above zero the set is unbounded and
    the interval is (nan, nan); with fewer than 2 pairs there is no interval either.
    """
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n == 0 or b.mean() == 0:
        return float("nan"), float("nan"), float("nan"), n
    ma, mb = float(a.mean()), float(b.mean())
    ratio = ma / mb
    if n < 2:
        return ratio, float("nan"), float("nan"), n
    t2 = float(stdtrit(n - 1, 0.5 + level / 2)) ** 2
    cov = np.cov(a, b, ddof=1) / n
    vaa, vab, vbb = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    qa = mb * mb - t2 * vbb
    qb = ma * mb - t2 * vab
    qc = ma * ma - t2 * vaa
    disc = qb * qb - qa * qc
    if qa <= 0 or disc < 0:
        return ratio, float("nan"), float("nan"), n
    root = float(np.sqrt(disc))
    return ratio, (qb - root) / qa, (qb + root) / qa, n
