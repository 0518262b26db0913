"""Regression tests: nothing a user has is lost or replaced by a run (issue 15, data loss).

Each case is refused with exit code 2 before any simulating, and the user's files are as
they were. The rule for an existing --out is in ``sim/actions/folders.py`` and the README."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

TINY = """\
name: {name}
horizon: 10d
replications: 1
seed: 3
population: {{outbound: {{size: 40}}, inbound: {{per_day: 1}}}}
strategies:
  one: {{preset: one_and_done}}
"""


def invoke(*args) -> "object":
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user's folder: scenarios/ with two scenarios, nothing else."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    for name in ("alpha", "beta"):
        (tmp_path / "scenarios" / f"{name}.yaml").write_text(TINY.format(name=name))
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


def run(*extra):
    return invoke("run", "scenarios/alpha.yaml", "--no-plots", "--quiet", *extra)


@pytest.mark.parametrize("name", [".", "..", ".hidden", "a" * 65, "a/b", "x\\y"])
def test_unsafe_scenario_names_are_refused_by_validate_run_and_new(home, name):
    bad = home / "scenarios" / "bad.yaml"
    bad.write_text(TINY.format(name=json.dumps(name)))
    before = snapshot(home)
    for command in (["validate", bad], ["run", bad, "--no-plots", "--quiet"]):
        res = invoke(*command)
        assert res.exit_code == 2, res.output
        assert "bad.yaml" in res.output and "name:" in res.output, res.output
    res = invoke("new", name)
    assert res.exit_code == 2 and "name" in res.output
    assert snapshot(home) == before, "nothing written"


def test_scenarios_folder_as_out_is_never_replaced(home):
    before = snapshot(home)
    for extra in ([], ["--force"]):
        res = run("--out", "scenarios", *extra)
        assert res.exit_code == 2, res.output
        assert "not a followup-sim results folder" in res.output
    assert snapshot(home) == before


def test_an_existing_file_as_out_is_never_replaced_or_hidden(home):
    (home / "notes.txt").write_text("my notes")
    before = snapshot(home)
    for extra in ([], ["--force"]):
        res = run("--out", "notes.txt", *extra)
        assert res.exit_code == 2 and "not a folder" in res.output, res.output
    assert snapshot(home) == before, "no .notes.txt.old-PID, no partial folder"


@pytest.mark.parametrize("out", [".", "", "..", "./"])
def test_the_current_folder_or_above_is_never_replaced(home, out):
    before = snapshot(home)
    res = run("--out", out, "--force")
    assert res.exit_code == 2, res.output
    assert snapshot(home) == before


def test_a_path_under_a_file_is_refused_before_simulating(home):
    (home / "notes.txt").write_text("my notes")
    before = snapshot(home)
    res = run("--out", "notes.txt/results")
    assert res.exit_code == 2 and "notes.txt is a file" in res.output, res.output
    assert snapshot(home) == before


def test_results_of_another_scenario_need_force_and_a_rerun_replaces_its_own(home):
    assert invoke("run", "scenarios/beta.yaml", "--no-plots", "--quiet").exit_code == 0
    beta = home / "results" / "beta"
    kept = snapshot(beta)
    res = run("--out", beta)
    assert res.exit_code == 2 and "scenario 'beta'" in res.output and "--force" in res.output
    assert snapshot(beta) == kept
    # a rerun of the same scenario replaces its own folder (what `make run` twice does)
    assert invoke("run", "scenarios/beta.yaml", "--no-plots", "--quiet", "--seed", "9").exit_code == 0
    assert json.loads((beta / "manifest.json").read_text())["seed"] == 9
    # with --force, another scenario's results folder is replaced
    assert run("--out", beta, "--force").exit_code == 0
    assert json.loads((beta / "manifest.json").read_text())["scenario"] == "alpha"
    assert sorted(p.name for p in (home / "results").iterdir()) == ["beta"], "no hidden leftovers"


def test_a_sweep_or_calibration_folder_is_another_kind(home):
    assert run("--out", "results/x").exit_code == 0
    manifest = home / "results" / "x" / "manifest.json"
    manifest.write_text(json.dumps({"kind": "calibration", "seed": 1}))
    res = run("--out", "results/x")
    assert res.exit_code == 2 and "a calibration" in res.output


def test_new_does_not_replace_a_folder(home):
    (home / "scenarios" / "x.yaml").mkdir()
    res = invoke("new", "x", "--force")
    assert res.exit_code == 2 and "not a file" in res.output
    (home / "notes.txt").write_text("my notes")
    res = invoke("new", "y", "--out", "notes.txt/y.yaml")
    assert res.exit_code == 2 and "notes.txt/y.yaml: cannot write the file" in res.output
    assert (home / "notes.txt").read_text() == "my notes"
