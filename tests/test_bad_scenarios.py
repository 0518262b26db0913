"""The corpus of bad scenario files (tests/bad_scenarios/): each NAME.yaml is paired with
NAME.expect, the lines its error message must hold (field path and expectation).

Every file, through `validate` and through `run`, must give exit code 2, one message that
names the file, no traceback, and nothing written. All files go through the CLI in this one
process (fast); a handful of the hostile ones also go through a real subprocess under a
1 GB address-space limit and a generous timeout that only catches runaway cases.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_scenarios"
FILES = sorted(CORPUS.glob("*.yaml"))
MEMORY_LIMIT = 1 << 30  # 1 GB of address space for the child
RUNAWAY_SECONDS = 60  # not a speed target: only stops a runaway case from hanging the suite
IN_SUBPROCESS = ["billion_laughs", "deep_nesting", "recursive_alias", "many_unknown_keys", "huge_integer",
                 "team_of_a_billion", "a_billion_prospects"]


def expectations(path: Path) -> list[str]:
    return [line for line in path.with_suffix(".expect").read_text(encoding="utf-8").splitlines() if line.strip()]


def check_message(path: Path, output: str) -> None:
    assert output.startswith("error: "), output[:500]
    assert output.count("error: ") == 1, "one message"
    assert path.name in output, "the message names the file"
    assert "Traceback" not in output
    for line in expectations(path):
        assert line in output, f"{path.name}: expected {line!r} in:\n{output[:2000]}"


def test_the_corpus_is_large_and_every_file_has_its_expectation():
    assert len(FILES) >= 40
    for path in FILES:
        assert path.with_suffix(".expect").is_file(), path.name
        assert expectations(path), path.name
    assert not set(IN_SUBPROCESS) - {p.stem for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bad_file_fails_cleanly_in_validate_and_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        res = runner.invoke(app, command)
        assert res.exit_code == 2, (command, res.output, res.exception)
        check_message(path, res.output)
    assert not list(tmp_path.iterdir()), "nothing written"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.slow
@pytest.mark.parametrize("stem", IN_SUBPROCESS)
def test_hostile_file_fails_cleanly_in_a_process_with_1gb(stem, tmp_path):
    path = CORPUS / f"{stem}.yaml"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "out")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=RUNAWAY_SECONDS,
                          preexec_fn=_limit_memory, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    check_message(path, proc.stderr)
    assert proc.stdout == ""
    assert not list(tmp_path.iterdir()), "nothing written"


@pytest.mark.slow
def test_a_device_as_the_scenario_is_refused_in_bounded_memory(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", "/dev/zero"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=RUNAWAY_SECONDS, preexec_fn=_limit_memory)
    assert proc.returncode == 2 and "/dev/zero: larger than 1,000 KB" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
