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
    info = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**info, "kind": "calibration"}))
    res = run("--out", "results/x")
    assert res.exit_code == 2 and "a calibration" in res.output


# ---------------------------------------------------------------- --force replaces only folders we made
def test_force_never_replaces_a_folder_with_someone_elses_manifest(home):
    """The case of issue 29: a web app's folder with a manifest.json that is a JSON object."""
    app_dir = home / "webapp"
    app_dir.mkdir()
    (app_dir / "manifest.json").write_text('{"name":"app"}')
    (app_dir / "index.html").write_text("hi")
    before = snapshot(home)
    for command in (["run", "scenarios/alpha.yaml", "--no-plots", "--quiet", "--out", "webapp"],
                    ["sweep", "scenarios/alpha.yaml", "--param", "seed", "--values", "1,2", "--quiet",
                     "--out", "webapp"]):
        for extra in ([], ["--force"]):
            res = invoke(*command, *extra)
            assert res.exit_code == 2, res.output
            assert "not a followup-sim results folder" in res.output and "--force" not in res.output, res.output
    assert snapshot(home) == before


def test_replacing_our_folder_removes_only_the_files_it_lists_and_reports_the_rest(home):
    assert invoke("run", "scenarios/beta.yaml", "--quiet", "--out", "results/x").exit_code == 0
    folder = home / "results" / "x"
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    assert "runs.csv" in listed and "manifest.json" in listed and any(f.startswith("plots/") for f in listed)
    assert sorted(listed) == sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    (folder / "notes.txt").write_text("mine")
    (folder / "plots" / "my_chart.png").write_bytes(b"mine too")
    res = invoke("run", "scenarios/alpha.yaml", "--no-plots", "--out", "results/x", "--force")
    assert res.exit_code == 0, res.output
    assert "2 files in results/x that followup-sim did not write were left as they were: notes.txt, plots/my_chart.png" \
        in " ".join(res.output.split())
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "plots" / "my_chart.png").read_bytes() == b"mine too"
    assert sorted(p.name for p in (folder / "plots").iterdir()) == ["my_chart.png"], "our old plots are gone"
    info = json.loads((folder / "manifest.json").read_text())
    assert info["scenario"] == "alpha" and "notes.txt" not in info["files"] and "plots/my_chart.png" not in info["files"]
    assert sorted(p.name for p in (home / "results").iterdir()) == ["x"], "no hidden leftovers"


def test_a_listed_path_outside_the_folder_is_never_removed(home):
    assert run("--out", "results/x").exit_code == 0
    manifest = home / "results" / "x" / "manifest.json"
    info = json.loads(manifest.read_text())
    info["files"] += ["../../scenarios/beta.yaml", "/etc/hostname", "../x/../../scenarios/alpha.yaml"]
    manifest.write_text(json.dumps(info))
    before = snapshot(home / "scenarios")
    assert run("--out", "results/x").exit_code == 0
    assert snapshot(home / "scenarios") == before


def test_a_new_file_where_a_stranger_stands_keeps_the_strangers_file(home):
    assert run("--out", "results/x", "--no-plots").exit_code == 0
    folder = home / "results" / "x"
    (folder / "plots").mkdir()
    (folder / "plots" / "response_time.png").write_bytes(b"mine")
    res = invoke("run", "scenarios/alpha.yaml", "--quiet", "--out", "results/x")  # with plots this time
    assert res.exit_code == 2 and "plots/response_time.png" in res.output, res.output
    assert (folder / "plots" / "response_time.png").read_bytes() == b"mine"
    assert (folder / "runs.csv").is_file(), "nothing removed before the clash was found"
    partial = home / "results" / ".x.partial"
    assert (partial / "plots" / "response_time.png").is_file(), "the new results are kept where the message says"


def test_new_does_not_replace_a_folder(home):
    (home / "scenarios" / "x.yaml").mkdir()
    res = invoke("new", "x", "--force")
    assert res.exit_code == 2 and "not a file" in res.output
    (home / "notes.txt").write_text("my notes")
    res = invoke("new", "y", "--out", "notes.txt/y.yaml")
    assert res.exit_code == 2 and "notes.txt/y.yaml: cannot write the file" in res.output
    assert (home / "notes.txt").read_text() == "my notes"


@pytest.mark.parametrize("out, expected", [("r" * 300, "a folder name of 300 bytes; at most 200"),
                                           ("a/" + "r" * 300 + "/b", "longer than file systems allow (300 bytes")])
def test_a_name_too_long_for_the_file_system_is_refused_before_anything_is_made(home, out, expected):
    before = snapshot(home)
    res = run("--out", out)
    assert res.exit_code == 2 and expected in " ".join(res.output.split()), res.output
    assert snapshot(home) == before
