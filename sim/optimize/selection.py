"""Picking the best of a few cadences with a stated confidence: Kim and Nelson's fully
sequential procedure (KN, 2001), on common random numbers, and paired intervals.

KN keeps every system whose mean is not clearly below another's, adding one replication at a
time to those left; with an indifference zone ``delta`` it ends with one system that is the
best, or within ``delta`` of it, with probability at least ``1 - alpha``. It uses the variance
of each pair's differences, so common random numbers (the same replication of every system
sees the same prospects) make it stop sooner. Values are oriented so that higher is better.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.experiment.stats import ratio_interval, t_interval


@dataclass(frozen=True)
class KN:
    k: int  # systems
    delta: float  # indifference zone, in the objective's units
    alpha: float = 0.05
    n0: int = 5  # first-stage replications of every system

    def __post_init__(self) -> None:
        if self.k < 2 or self.n0 < 2 or not self.delta > 0 or not 0 < self.alpha < 1:
            raise ValueError(f"KN needs k >= 2, n0 >= 2, delta > 0 and 0 < alpha < 1, not {self}")

    @property
    def h2(self) -> float:
        """The procedure's h^2 = 2 eta (n0 - 1), eta from the Bonferroni split of alpha over k - 1 pairs."""
        eta = 0.5 * ((2 * self.alpha / (self.k - 1)) ** (-2 / (self.n0 - 1)) - 1)
        return 2 * eta * (self.n0 - 1)

    def pair_variances(self, obs: list[list[float]]) -> np.ndarray:
        """S^2 of every pair's differences over the first n0 replications."""
        first = np.array([row[:self.n0] for row in obs], dtype=float)
        s2 = np.zeros((self.k, self.k))
        for i in range(self.k):
            for j in range(self.k):
                if i != j:
                    s2[i, j] = float(np.var(first[i] - first[j], ddof=1))
        return s2

    def max_replications(self, s2: np.ndarray) -> int:
        """The most replications the procedure can need (it has ended by then)."""
        return int(math.floor(self.h2 * float(s2.max()) / self.delta ** 2)) + 1

    def screen(self, obs: list[list[float]], alive: list[int], r: int, s2: np.ndarray) -> list[int]:
        """The systems of ``alive`` kept after ``r`` replications of each (``obs[i]`` at least r long)."""
        means = {i: math.fsum(obs[i][:r]) / r for i in alive}
        kept = []
        for i in alive:
            ok = True
            for j in alive:
                if j == i:
                    continue
                w = max(0.0, self.delta / (2 * r) * (self.h2 * s2[i, j] / self.delta ** 2 - r))
                if means[i] < means[j] - w:
                    ok = False
                    break
            if ok:
                kept.append(i)
        return kept


@dataclass(frozen=True)
class Paired:
    """One system against another on the replications both have: the mean difference and the
    ratio of means, each with a 95% interval (t, and Fieller's for the ratio)."""

    diff: float
    diff_low: float
    diff_high: float
    ratio: float
    ratio_low: float
    ratio_high: float
    n: int


def paired(a: list[float], b: list[float]) -> Paired:
    n = min(len(a), len(b))
    d = np.asarray(a[:n], dtype=float) - np.asarray(b[:n], dtype=float)
    mean, lo, hi, _ = t_interval(d)
    ratio, rlo, rhi, _ = ratio_interval(a[:n], b[:n])
    return Paired(mean, lo, hi, ratio, rlo, rhi, n)
