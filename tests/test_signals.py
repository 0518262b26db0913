"""Ctrl-C, kill, resume and two runs into one folder, with `followup-sim run --workers 2` as a
real subprocess (issue 15): the workers stop with the run (no orphans, by PID), the exit code
is 130 or 143, no folder looks finished, finished runs are kept, `--resume` completes them to
the same bytes as an uninterrupted run, and a second run into a locked folder is refused."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from sim.scenario.loading import load_scenario

pytestmark = pytest.mark.slow

SCENARIO = ROOT / "scenarios" / "baseline.yaml"
ARGS = ["--set", "horizon=120d", "--set", "population.outbound.size=1500", "--replications", "3", "--seed", "5",
        "--no-plots"]
RUNS = len(load_scenario(SCENARIO).strategies) * 3
STOP_GUARD = 20  # seconds: only catches a run that does not stop; the README states the measured time


def start(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--out", str(out), *extra],
                            cwd=out.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def communicate_or_kill(proc: subprocess.Popen, seconds: float) -> tuple[str, str]:
    """``proc.communicate`` with a guard; a run that does not stop is killed with its workers
    (so a failing test leaves no process behind) and the test fails."""
    try:
        return proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        for pid in [*children(proc.pid), proc.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.communicate()
        pytest.fail(f"the run did not stop within {seconds} s")


def kept_runs(out: Path) -> int:
    runs = out.parent / f".{out.name}.partial" / "runs"
    return len(list(runs.glob("*.npz"))) if runs.is_dir() else 0


def interrupt(out: Path, signum: int, *extra: str) -> tuple[subprocess.CompletedProcess, list[int], float]:
    """Start a run, wait for two workers and a first finished run, send ``signum``."""
    proc = start(out, "--workers", "2", *extra)
    wait_for(lambda: len(children(proc.pid)) >= 2 and kept_runs(out) >= 1)
    workers = children(proc.pid)
    t0 = time.monotonic()
    proc.send_signal(signum)
    stdout, stderr = communicate_or_kill(proc, STOP_GUARD)
    stopped = time.monotonic() - t0
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), workers, stopped


# One run of this takes far longer than STOP_GUARD, so a run that waited for its workers to
# finish their current run (instead of stopping them) fails the guard.
LONG = ["--set", "horizon=365d", "--set", "population.outbound.size=300000", "--replications", "2", "--no-plots"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_and_its_workers_at_once(tmp_path, signum, code):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", str(SCENARIO), *LONG, "--workers", "2",
                             "--out", str(out)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(children(proc.pid)) >= 2)
    workers = children(proc.pid)
    time.sleep(1.0)  # both workers are inside a run
    t0 = time.monotonic()
    proc.send_signal(signum)
    _stdout, stderr = communicate_or_kill(proc, STOP_GUARD)
    print(f"stopped {time.monotonic() - t0:.2f} s after {signal.Signals(signum).name}")
    assert proc.returncode == code, stderr
    time.sleep(0.5)  # the kernel reaps what the run terminated
    assert not [pid for pid in workers if alive(pid)], "no orphan worker process"
    assert "Traceback" not in stderr
    assert f"interrupted: 0 of {len(load_scenario(SCENARIO).strategies) * 2} runs finished; nothing was kept" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no folder, no hidden partial folder, no lock"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_an_interrupted_run_keeps_what_finished_and_nothing_looks_finished(tmp_path):
    out = tmp_path / "out"
    proc, workers, _stopped = interrupt(out, signal.SIGTERM)
    assert proc.returncode == 143, proc.stderr
    time.sleep(0.5)
    assert not [pid for pid in workers if alive(pid)], "no orphan worker process"
    kept = kept_runs(out)
    assert 1 <= kept < RUNS
    assert f"interrupted: {kept} of {RUNS} runs finished" in " ".join(proc.stderr.split())
    assert "--resume" in proc.stderr
    assert not out.exists(), "no folder that looks finished"
    assert not (tmp_path / ".out.partial" / "manifest.json").exists()
    assert not (tmp_path / ".out.lock").exists()


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_serial_run_inside_the_engine(tmp_path, signum, code):
    """Without workers the signal lands inside SimPy's processes, which re-create an exception
    from its arguments: the interruption must survive that (it once became a ValueError)."""
    out = tmp_path / "out"
    proc = start(out, "--workers", "1")
    wait_for(lambda: kept_runs(out) >= 1)
    proc.send_signal(signum)
    _stdout, stderr = communicate_or_kill(proc, STOP_GUARD)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and "interrupted: " in stderr
    assert not out.exists()


def test_resume_runs_only_the_missing_runs_and_gives_the_same_bytes(tmp_path):
    out = tmp_path / "out"
    proc, _workers, _ = interrupt(out, signal.SIGTERM)
    assert proc.returncode == 143, proc.stderr
    kept = kept_runs(out)
    resumed = subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--out", str(out),
                              "--workers", "2", "--resume", "--quiet"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {kept} of {RUNS} runs were finished before" in resumed.stderr
    whole = subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--out", str(tmp_path / "whole"),
                            "--workers", "2", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    assert (out / "runs.csv").read_bytes() == (tmp_path / "whole" / "runs.csv").read_bytes()
    assert (out / "summary.csv").read_bytes() == (tmp_path / "whole" / "summary.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "whole"], "no partial folder left"


def test_resume_refuses_another_scenario_and_a_missing_partial(tmp_path):
    out = tmp_path / "out"
    proc, _workers, _ = interrupt(out, signal.SIGINT)
    assert proc.returncode == 130
    other = subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--seed", "6", "--out", str(out),
                            "--resume"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert other.returncode == 2 and "is of another scenario, seed" in other.stderr, other.stderr
    assert kept_runs(out) >= 1, "the interrupted run's work is still there"
    none = subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--out", str(tmp_path / "new"),
                           "--resume"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert none.returncode == 2 and "no interrupted run to resume" in none.stderr


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "out"
    first = start(out, "--workers", "2", "--quiet", "--replications", "5")  # the last --replications counts
    wait_for(lambda: (tmp_path / ".out.lock").exists())
    second = subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), *ARGS, "--out", str(out), "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 2, second.stderr
    assert f"another followup-sim command is writing there (process {first.pid})" in " ".join(second.stderr.split())
    stdout, stderr = communicate_or_kill(first, 600)
    assert first.returncode == 0, stderr
    assert (out / "manifest.json").is_file() and (out / "runs.csv").is_file()
    assert not (tmp_path / ".out.lock").exists()
