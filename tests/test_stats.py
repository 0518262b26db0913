"""Summary intervals agree with scipy's t interval; paired differences are paired by replication."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.stats import summarize, t_interval


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
