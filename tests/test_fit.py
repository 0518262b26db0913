"""The fit's estimators, one at a time, on data drawn from their own model: their 95% intervals
cover the truth in about 95% of samples (acceptance band from the binomial, not tuned)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.fit import binomial_ci, fit_hot_window, fit_reachability, hot_answer

SAMPLES = 40


def band(samples: int, level: float = 0.95, alpha: float = 0.002) -> tuple[int, int]:
    """Counts of covering intervals a correct 95% interval gives with probability 1 - alpha."""
    return int(stats.binom.ppf(alpha / 2, samples, level)), int(stats.binom.isf(alpha / 2, samples, level))


def test_band_is_the_binomial_band():
    lo, hi = band(40)
    assert stats.binom.cdf(lo - 1, 40, 0.95) < 0.001 and hi == 40


@pytest.mark.slow
def test_reachability_intervals_cover_the_beta_they_were_drawn_from():
    mean, conc = 0.08, 10.0
    cover_m = cover_c = 0
    for seed in range(SAMPLES):
        rng = np.random.default_rng(seed)
        p = rng.beta(mean * conc, (1 - mean) * conc, 2000)
        n = rng.integers(1, 9, 2000)
        k = rng.binomial(n, p)
        m_est, c_est = fit_reachability(n, k)
        cover_m += m_est.covers(mean)
        cover_c += c_est.covers(conc)
    lo, hi = band(SAMPLES)
    assert lo <= cover_m <= hi and lo <= cover_c <= hi, (cover_m, cover_c, (lo, hi))


@pytest.mark.slow
def test_hot_window_intervals_cover_the_window_they_were_drawn_from():
    reach, answer, decay, shape = 0.08, 0.9, 15.0, 3.0
    covered = np.zeros(3, int)
    for seed in range(SAMPLES):
        rng = np.random.default_rng(1000 + seed)
        age = rng.exponential(25.0, 800)
        y = rng.random(800) < hot_answer(age, reach, answer, decay, shape)
        est, note = fit_hot_window(age, y, reach)
        assert note is None, "spread delays identify the shape"
        covered += [est[0].covers(answer), est[1].covers(decay), est[2].covers(shape)]
    lo, hi = band(SAMPLES)
    assert np.all((covered >= lo) & (covered <= hi)), (covered, (lo, hi))


def test_hot_window_keeps_the_default_shape_when_every_call_comes_at_one_delay():
    rng = np.random.default_rng(3)
    age = np.r_[np.full(400, 0.5), np.full(400, 600.0)]
    y = rng.random(800) < hot_answer(age, 0.08, 0.9, 15.0, 3.0)
    est, note = fit_hot_window(age, y, 0.08, default_shape=3.0)
    assert note is not None and len(est) == 2


def test_clopper_pearson_matches_its_definition():
    lo, hi = binomial_ci(7, 50)
    assert stats.binom.sf(6, 50, lo) == pytest.approx(0.025, rel=1e-6)
    assert stats.binom.cdf(7, 50, hi) == pytest.approx(0.025, rel=1e-6)
