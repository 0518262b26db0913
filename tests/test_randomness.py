"""The counter-based spill uniforms (touches past the pre-drawn tape): uniform, independent, reproducible."""
import math

import numpy as np

from sim.model import randomness as rnd


def _sample(n_prospects: int, touches: range) -> np.ndarray:
    key = rnd.spill_key(7, 0)
    return np.array([rnd.spill_uniforms(key, i, k) for i in range(n_prospects) for k in touches])


def test_spill_uniforms_have_uniform_moments_and_no_lag_correlation():
    u = _sample(4000, range(rnd.TAPE_TOUCHES, rnd.TAPE_TOUCHES + 5)).ravel()  # 100,000 values
    n = u.size
    assert ((u >= 0) & (u < 1)).all()
    # mean 1/2 with sd sqrt(1/12)/sqrt(n); variance 1/12 with sd sqrt(1/180)/sqrt(n); lag-1 corr sd 1/sqrt(n)
    assert abs(u.mean() - 0.5) < 4 * math.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 4 * math.sqrt(1 / 180 / n)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / math.sqrt(n)
    # ten equal bins: chi-square with 9 degrees of freedom; 99.99% quantile is about 33.7
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    assert ((counts - n / 10) ** 2 / (n / 10)).sum() < 33.7


def test_spill_uniforms_depend_only_on_seed_prospect_and_touch():
    key = rnd.spill_key(7, 0)
    assert rnd.spill_uniforms(key, 12, 9) == rnd.spill_uniforms(rnd.spill_key(7, 0), 12, 9)
    assert rnd.spill_uniforms(key, 12, 9) != rnd.spill_uniforms(key, 13, 9)
    assert rnd.spill_uniforms(key, 12, 9) != rnd.spill_uniforms(key, 12, 10)
    assert rnd.spill_uniforms(key, 12, 9) != rnd.spill_uniforms(rnd.spill_key(7, 1), 12, 9)
    assert len(rnd.spill_uniforms(key, 0, rnd.TAPE_TOUCHES)) == rnd.SLOTS


def test_touch_uniforms_past_the_tape_are_spill_uniform():
    """TouchUniforms.get writes spill_uniform out (it runs per touch): both give the same numbers."""
    key = rnd.spill_key(7, 0)
    u = rnd.TouchUniforms(np.random.default_rng(1), 40, key)
    for i in (0, 1, 39):
        for k in (rnd.TAPE_TOUCHES, rnd.TAPE_TOUCHES + 3, rnd.INBOUND, rnd.AGREED + 2, rnd.MARKET + 7):
            for slot in range(rnd.SLOTS):
                assert u.get(i, k, slot) == rnd.spill_uniform(key, i, k, slot)
