"""The command line as a user runs it: files written, exit codes, errors without tracebacks."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, SCENARIOS, cli

SHORT = ["--set", "horizon=45d", "--set", "population.outbound.size=300", "--replications", "2"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_and_writes_its_folder(scenario, tmp_path):
    out = tmp_path / "out"
    proc = cli("run", scenario, *SHORT, "--out", out, "--events", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    for name in ("runs.csv", "summary.csv", "scenario.yaml", "manifest.json", "events.parquet"):
        assert (out / name).stat().st_size > 0, name
    pngs = list((out / "plots").glob("*.png"))
    assert len(pngs) >= 7 and all(p.stat().st_size > 0 for p in pngs)
    runs = pd.read_csv(out / "runs.csv")
    sc = yaml.safe_load((out / "scenario.yaml").read_text())
    assert list(runs.columns[:2]) == ["strategy", "replication"]
    assert set(runs["strategy"]) == set(sc["strategies"]) and len(runs) == 2 * len(sc["strategies"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == sc["seed"] and manifest["replications"] == 2
    assert {"numpy", "simpy", "pandas", "python"} <= set(manifest["versions"])
    lock = ROOT / "requirements.lock"
    assert manifest["lock_files"]["requirements.lock"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    events = pd.read_parquet(out / "events.parquet")
    assert {"strategy", "replication", "time_min", "prospect", "outcome"} <= set(events.columns)
    # the resolved scenario reruns as it stands
    assert cli("validate", out / "scenario.yaml").returncode == 0


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_validate_accepts_shipped_scenarios(scenario):
    proc = cli("validate", scenario)
    assert proc.returncode == 0, proc.stderr
    assert "valid scenario" in proc.stdout


def test_error_paths_name_fields_as_written(tmp_path):
    """A union's tag (``beta``) is no field of the file and stays out of the path; a stray
    ``kind`` whose value is not a tag leaves the field it names in."""
    from sim.scenario.loading import ScenarioError, load_scenario

    path = tmp_path / "paths.yaml"
    path.write_text("population: {reachability: {kind: beta, concentration: 5}}\n"
                    "conversation: {sale: {kind: ready, considering: 0.01, not_ready: 0.001}}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    lines = str(err.value).splitlines()
    assert "  population.reachability.mean: Field required" in lines
    assert "  conversation.sale.ready: Field required" in lines
    assert not any(".beta." in line for line in lines)


def test_missing_file_and_bad_set_path(tmp_path):
    proc = cli("run", tmp_path / "nope.yaml", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", "--set", "team.nonsense.count=3", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "team.nonsense" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", "--set", "team.reps[5].count=3", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "team.reps[5]" in proc.stderr
    proc = cli("validate", ROOT / "scenarios" / "baseline.yaml", "--set", "population.outbound.size=-1")
    assert proc.returncode == 2 and "population.outbound.size" in proc.stderr
    assert not (tmp_path / "o").exists()


def _run(tmp_path: Path, tag: str, *extra: str) -> pd.DataFrame:
    out = tmp_path / tag
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", *SHORT, "--no-plots", "--quiet", "--out", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return pd.read_csv(out / "runs.csv")


@pytest.mark.slow
def test_workers_and_reruns_give_identical_runs(tmp_path):
    one = _run(tmp_path, "w1", "--workers", "1")
    _run(tmp_path, "w1b", "--workers", "1")  # compared byte for byte below
    two = _run(tmp_path, "w2", "--workers", "2")
    assert (tmp_path / "w1" / "runs.csv").read_bytes() == (tmp_path / "w1b" / "runs.csv").read_bytes()
    pd.testing.assert_frame_equal(one, two)
    other = _run(tmp_path, "s2", "--seed", "99")
    assert not one.equals(other), "a different seed must change the numbers"


def test_new_presets_schema(tmp_path):
    proc = cli("new", "my_team", "--out", tmp_path / "my_team.yaml")
    assert proc.returncode == 0, proc.stderr
    assert cli("validate", tmp_path / "my_team.yaml").returncode == 0
    assert cli("new", "my_team", "--out", tmp_path / "my_team.yaml").returncode == 2  # no silent overwrite
    proc = cli("presets")
    assert proc.returncode == 0 and "cadence_1_3_7_14_28_58" in proc.stdout
    proc = cli("schema")
    schema = json.loads(proc.stdout)
    assert "strategies" in schema["properties"] and schema["additionalProperties"] is False


def test_every_command_has_help():
    for command in ("run", "validate", "schema", "new", "presets"):
        proc = cli(command, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout, command
