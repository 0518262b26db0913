"""Size limits: stated limits refused by validate (the corpus has one file per limit), the
machine's memory and cores checked before a run (sim/scenario/limits.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.scenario import limits
from sim.scenario.limits import LimitError, check_run, estimate_mb, run_memory_mb

from conftest import TINY, invoke  # noqa: E402


def test_a_run_larger_than_the_memory_available_is_refused_with_the_estimate(monkeypatch):
    sc = sim.Scenario(population={"outbound": {"size": 400_000}}, replications=4)
    per_run = run_memory_mb(sc)[0]
    monkeypatch.setattr(limits, "available_mb", lambda: 1000.0)
    monkeypatch.setattr(limits, "cores", lambda: 2)
    with pytest.raises(LimitError) as err:
        check_run(sc, workers=2)
    message = str(err.value)
    assert f"needs about {estimate_mb(sc, 2):,.0f} MB" in message
    assert f"{per_run:,.0f} MB per replication, 2 at a time" in message and "1,000 MB is available" in message
    assert "fewer --workers" in message
    # one at a time fits
    monkeypatch.setattr(limits, "available_mb", lambda: per_run / limits.HEADROOM + 1)
    assert check_run(sc, workers=1) == 1


def test_the_estimate_grows_as_the_figures_in_its_docstring_say():
    small = sim.Scenario(population={"outbound": {"size": 10_000}, "inbound": {"per_day": 0}}, team={"reps": [{"count": 1}]})
    big = sim.Scenario(population={"outbound": {"size": 110_000}, "inbound": {"per_day": 0}}, team={"reps": [{"count": 1}]})
    assert run_memory_mb(big)[0] - run_memory_mb(small)[0] == pytest.approx(100_000 * limits.PROSPECT_KB / 1024)
    two_years = big.model_copy(update={"horizon": 730 * 1440.0})
    assert run_memory_mb(two_years)[0] - run_memory_mb(big)[0] == pytest.approx(
        110_000 * limits.PROSPECT_KB_PER_EXTRA_YEAR / 1024 + limits.REP_DAY_KB * 365 / 1024)
    # parallel workers each hold a replication; the parent holds every run's event log
    assert estimate_mb(big, workers=2) == pytest.approx(2 * run_memory_mb(big)[0] + limits.BASE_MB)
    per_run, log = run_memory_mb(big, events=True)
    runs = len(big.strategies) * big.replications
    assert estimate_mb(big, workers=1, events=True) == pytest.approx(per_run - log + runs * log)


@pytest.mark.slow
def test_the_estimate_is_above_a_measured_peak_and_not_wildly_so(tmp_path):
    """One replication of 20,000 listed prospects for a year in a fresh process: the estimate
    errs on the high side, by less than 2.5x (the README states the per-prospect figures).
    The peak is VmHWM: ru_maxrss would carry this test process's own peak across exec."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux /proc")
    code = (
        "import json, sim\n"
        "from sim.model.engine import run_replication\n"
        "sc = sim.Scenario(horizon='365d', replications=1, population={'outbound': {'size': 20000}, "
        "'inbound': {'per_day': 0}}, team={'reps': [{'count': 14}]}, "
        "strategies={'c': {'preset': 'cadence_1_3_7_14_28_58'}})\n"
        "run_replication(sc, 'c', 0, False)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(json.dumps(int(hwm.split()[1]) / 1024))\n")
    peak = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                     timeout=600).stdout)
    sc = sim.Scenario(horizon="365d", replications=1, population={"outbound": {"size": 20000}, "inbound": {"per_day": 0}},
                      team={"reps": [{"count": 14}]})
    estimate = run_memory_mb(sc)[0]
    assert peak <= estimate <= 2.5 * peak, (peak, estimate)


def test_workers_are_capped_at_the_cores_unless_forced(monkeypatch):
    sc = sim.Scenario(horizon="10d", population={"outbound": {"size": 40}})
    monkeypatch.setattr(limits, "cores", lambda: 2)
    notes: list[str] = []
    assert check_run(sc, workers=64, notes=notes) == 2
    assert notes == ["--workers 64 capped at the 2 cores available (--force to use 64)"]
    assert check_run(sc, workers=64, force=True) == 64


def test_the_cli_says_when_it_caps_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "cores", lambda: 1)
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("run", tmp_path / "s.yaml", "--workers", "8", "--out", tmp_path / "o", "--no-plots", "-q")
    assert res.exit_code == 0, res.output
    assert "note: --workers 8 capped at the 1 cores available" in res.output
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["workers"] == 1


def test_a_sweep_beyond_the_point_limit_is_refused_before_running(tmp_path):
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("sweep", tmp_path / "s.yaml", "-p", "seed", "-v", ",".join(map(str, range(11))),
                 "-p", "population.outbound.size", "-v", ",".join(map(str, range(10, 20))), "--out", tmp_path / "o")
    assert res.exit_code == 2 and "the sweep has 110 points (11 x 10); the limit is 100" in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_a_sweep_too_big_for_memory_is_refused_before_running(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "available_mb", lambda: 500.0)
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("sweep", tmp_path / "s.yaml", "-p", "population.outbound.size", "-v", "100,1000000",
                 "--out", tmp_path / "o")
    assert res.exit_code == 2 and "500 MB is available" in res.output, res.output
    assert not (tmp_path / "o").exists()
