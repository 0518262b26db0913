"""Progress without a terminal: plain lines on stderr every few seconds and at the end."""
from __future__ import annotations

import re

from conftest import SCENARIOS, cli
from sim.scenario.loading import load_scenario
from sim.experiment.progress import PlainProgress, clock_text

BASELINE = next(p for p in SCENARIOS if p.stem == "baseline")
TINY = ["--set", "horizon=10d", "--set", "population.outbound.size=50", "--set", "population.inbound.per_day=2",
        "--replications", "2", "--no-plots"]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_at_most_every_interval_and_once_at_the_end():
    clock, lines = FakeClock(), []
    progress = PlainProgress("demo", lines.append, every=5.0, clock=clock)
    clock.now += 1
    progress(1, 10)  # 1 s in: too soon
    assert lines == []
    clock.now += 4
    progress(2, 10)  # 5 s in: a line, time left at the pace so far (2.5 s a run, 8 runs left)
    assert lines == ["demo: 2 of 10 runs done, 5 s elapsed, about 20 s left"]
    clock.now += 4.9
    progress(3, 10)  # 4.9 s after the last line: nothing
    assert len(lines) == 1
    clock.now += 0.1
    progress(4, 10)
    assert lines[-1] == "demo: 4 of 10 runs done, 10 s elapsed, about 15 s left"
    clock.now += 1
    progress(10, 10)  # the end is always written, however soon
    assert lines[-1] == "demo: 10 of 10 runs done, 11 s elapsed"
    progress(10, 10)
    assert len(lines) == 3
    progress(10, 20)  # a run to a precision adds a batch: nothing new is done yet
    assert len(lines) == 3
    clock.now += 1
    progress(20, 20)  # the batch's end is written too
    assert lines[-1] == "demo: 20 of 20 runs done, 12 s elapsed"


def test_unknown_total_and_long_durations():
    clock, lines = FakeClock(), []
    progress = PlainProgress("sweep", lines.append, every=5.0, clock=clock)
    clock.now += 6
    progress(3, None)
    assert lines == ["sweep: 3 runs done, 6 s elapsed"]
    assert clock_text(185) == "3 min 05 s" and clock_text(7380) == "2 h 03 min" and clock_text(0.4) == "0 s"


def test_a_piped_run_prints_progress_lines_and_quiet_silences_them(tmp_path):
    proc = cli("run", BASELINE, *TINY, "--out", tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "runs done" in line]
    runs = 2 * len(load_scenario(BASELINE).strategies)
    assert lines and re.fullmatch(rf".*: {runs} of {runs} runs done, \d+ s elapsed", lines[-1]), lines
    quiet = cli("run", BASELINE, *TINY, "--out", tmp_path / "b", "--quiet")
    assert quiet.returncode == 0 and "runs done" not in quiet.stderr
