"""Behaviour is pinned: every preset on three small scenarios gives the runs in tests/golden/.

A change that is meant to be a pure speed-up or clean-up must pass this unchanged. A deliberate
model change regenerates the file (see tests/golden_runs.py) in the same commit.

Why exact comparison holds on any CPU. numpy picks SIMD code paths at run time by what the
CPU has (AVX-512, AVX2, ...), and some of them round differently in the last bit: on an
AVX-512 machine ``np.log1p(0.64)`` is 0.4946962418361071, on AVX2 0.49469624183610716. That
reached every call duration through the lognormal's parameters, and from there talk hours,
utilization and the event log. Two ways out were open: (a) compute what feeds the model and
the metrics so that it does not depend on SIMD dispatch, or (b) compare floats to a relative
1e-9. We chose (a): a user's two laptops then give the same ``runs.csv`` byte for byte, not
"nearly", and this test stays exact, so a change in the 15th digit of any metric, let alone a
one-count change, still fails it. So scalar transcendental functions of parameters use
``math`` (libm's scalar code, the same on every x86-64 CPU), sums that feed results use
``math.fsum`` (correctly rounded, independent of order and vector width), and the readiness
chain's long-run mix is solved in closed form rather than by LAPACK. The second test proves
it on whatever CPU runs the suite by rerunning the comparison with numpy's dispatched SIMD
features switched off (``NPY_DISABLE_CPU_FEATURES``) and OpenBLAS pinned to its oldest kernel.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from golden_runs import HERE, differences, load, numpy_version, runs


def _golden() -> dict:
    golden = load()
    if golden["numpy"] != numpy_version():
        pytest.skip(f"golden runs were made with numpy {golden['numpy']} (random streams may differ in "
                    f"{numpy_version()}); regenerate with: python tests/golden_runs.py --write")
    return golden["runs"]


def test_every_preset_reproduces_its_golden_run():
    golden = _golden()
    problems = differences(golden, runs())
    assert not problems, ("behaviour changed (regenerate with `python tests/golden_runs.py --write` only if the "
                          "change is meant):\n" + "\n".join(problems[:60]))


def _simd_features_found() -> list[str]:
    """The SIMD targets numpy dispatches to on this CPU, beyond its compiled-in baseline."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]


@pytest.mark.slow
def test_golden_runs_hold_with_the_cpus_simd_features_switched_off():
    _golden()
    found = _simd_features_found()
    if not found:
        pytest.skip("numpy finds no SIMD features beyond its baseline on this CPU: nothing to switch off")
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(found), "OPENBLAS_CORETYPE": "Prescott"}
    proc = subprocess.run([sys.executable, str(HERE / "golden_runs.py"), "--check"], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (f"with {' '.join(found)} switched off the runs differ (results depend on the "
                                  f"CPU):\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")


def test_parked_moments_come_exactly_when_a_plain_timeout_would():
    """Agenda.at keeps moments on later days out of SimPy's heap; its definition is
    ``env.timeout(delay)``. A year with many redrawn futures (nurtures, sales, buyers who
    reach out and give up) must give the same event log to the last bit either way."""
    import sim
    from sim.model.agenda import Agenda

    sc = sim.Scenario(horizon="365d", population={"outbound": {"size": 1500}, "inbound": {"per_day": 8}},
                      strategies={"b": {"preset": "booked_next_step"}})
    parked = sim.run_replication(sc, "b", 0, event_log=True)
    assert parked.metrics["nurtured"] > 30 and parked.metrics["buyers_gave_up_waiting"] > 10, parked.metrics

    def plain(self, delay, callback):
        self.env.timeout(delay).callbacks.append(callback)  # (and release() then finds nothing parked)

    mp = pytest.MonkeyPatch()
    mp.setattr(Agenda, "at", plain)
    try:
        timed = sim.run_replication(sc, "b", 0, event_log=True)
    finally:
        mp.undo()
    assert parked.events.to_csv(index=False) == timed.events.to_csv(index=False)
    assert json.dumps(parked.metrics, sort_keys=True) == json.dumps(timed.metrics, sort_keys=True)
