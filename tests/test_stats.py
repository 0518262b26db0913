"""Summary intervals agree with scipy's t interval; paired differences are paired by replication."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment.stats import summarize, t_interval


def test_t_interval_matches_scipy():
    x = np.random.default_rng(3).normal(10, 2, 7)
    mean, lo, hi, n = t_interval(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert n == 7 and mean == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx(ref)


def test_single_replication_has_no_interval():
    mean, lo, hi, n = t_interval([4.0])
    assert mean == 4.0 and n == 1 and np.isnan(lo) and np.isnan(hi)


def test_summary_rows_and_paired_difference():
    rng = np.random.default_rng(5)
    base = rng.normal(0.05, 0.01, 6)
    noise = rng.normal(0.0, 0.002, 6)
    runs = pd.DataFrame({
        "strategy": ["a"] * 6 + ["b"] * 6,
        "replication": list(range(6)) * 2,
        "close_rate": np.r_[base, base + 0.01 + noise],
    })
    s = summarize(runs, "a").set_index(["strategy", "metric"])
    row = s.loc[("b", "close_rate_vs_baseline")]
    d = 0.01 + noise
    ref = stats.t.interval(0.95, 5, loc=d.mean(), scale=stats.sem(d))
    assert row["mean"] == pytest.approx(d.mean()) and (row["ci_low"], row["ci_high"]) == pytest.approx(ref)
    # pairing removes the shared replication noise: the paired interval is much narrower than the unpaired one
    unpaired = s.loc[("b", "close_rate")]
    assert row["ci_high"] - row["ci_low"] < (unpaired["ci_high"] - unpaired["ci_low"]) / 3
    assert ("a", "close_rate_vs_baseline") not in s.index


def test_ratio_interval_with_a_constant_denominator_is_the_t_interval_scaled():
    from sim.experiment.stats import ratio_interval

    a = np.random.default_rng(8).normal(30, 4, 6)
    b = np.full(6, 10.0)
    ratio, lo, hi, n = ratio_interval(a, b)
    ref = stats.t.interval(0.95, 5, loc=a.mean(), scale=stats.sem(a))
    assert n == 6 and ratio == pytest.approx(a.mean() / 10)
    assert (lo, hi) == pytest.approx((ref[0] / 10, ref[1] / 10))


def test_ratio_interval_ends_are_where_the_paired_t_test_turns():
    """Fieller's ends are the ratios r at which the t interval of a - r*b just touches zero."""
    from sim.experiment.stats import ratio_interval

    rng = np.random.default_rng(9)
    shared = rng.normal(0, 3, 5)
    b = 20 + shared + rng.normal(0, 1, 5)
    a = 3 * (20 + shared) + rng.normal(0, 4, 5)
    ratio, lo, hi, n = ratio_interval(a, b)
    assert lo < ratio < hi
    _, _, d_hi, _ = t_interval(a - hi * b)  # at the upper end a - r*b is negative, its interval's top is 0
    _, d_lo, _, _ = t_interval(a - lo * b)
    assert d_lo == pytest.approx(0, abs=1e-9) and d_hi == pytest.approx(0, abs=1e-9)
    # pairing: the shared noise cancels, so the interval is narrower than from unpaired data
    _, ulo, uhi, _ = ratio_interval(a, rng.permutation(b))
    assert hi - lo < uhi - ulo


def test_ratio_interval_is_unbounded_when_the_denominator_may_be_zero():
    from sim.experiment.stats import ratio_interval

    ratio, lo, hi, n = ratio_interval([5.0, 6.0, 4.0], [1.0, -1.0, 0.5])
    assert ratio == pytest.approx(5 / (0.5 / 3)) and np.isnan(lo) and np.isnan(hi)
    assert np.isnan(ratio_interval([1.0, 2.0], [0.0, 0.0])[0])
