"""The fit's round trip: logs simulated from a known scenario, exported as activities and fitted, give
back the known parameters within their 95% intervals about as often as 95% intervals should, and a
fitted scenario whose simulation matches the log. docs/fit-recovery.md runs the same over 40 seeds."""
from __future__ import annotations

import math

import pytest
import yaml

from conftest import ROOT, cli
from sim.fit.recovery import coverage_band, recovery_table, summary_check

SEEDS = 8


@pytest.mark.slow
def test_known_parameters_fall_in_their_intervals_over_seeds():
    table = recovery_table(list(range(SEEDS)), workers=2, alpha=0.002)
    lo, hi = coverage_band(SEEDS, alpha=0.002)
    assert (table["fitted in"] == SEEDS).all(), table
    assert table["within band"].all(), table.to_string()
    assert (table["band low"] == lo).all() and (table["band high"] == hi).all()


@pytest.mark.slow
def test_the_fitted_scenario_reproduces_the_logs_figures():
    """Log and simulation of its fit differ by less than 3 standard errors (the log's exact interval
    and the replications' t interval, each read back as a standard error)."""
    table = summary_check(seed=1, replications=4, workers=2).set_index("figure")
    t_crit = 3.182  # t(0.975, 3 degrees of freedom): the simulated intervals come from 4 replications
    for figure in ("connect rate (%)", "complaints per 1,000 touches", "calls per rep-day", "sales",
                   "sales at attempt 1 (% of sales)"):
        r = table.loc[figure]
        se_log = (r["log_high"] - r["log_low"]) / (2 * 1.96)
        se_sim = (r["sim_high"] - r["sim_low"]) / (2 * t_crit)
        assert abs(r["log"] - r["simulated"]) < 3 * math.hypot(se_log, se_sim), (figure, dict(r))


@pytest.mark.slow
def test_fit_command_on_the_shipped_sample(tmp_path):
    out = tmp_path / "sample_fitted.yaml"
    report = tmp_path / "report"
    proc = cli("fit", ROOT / "examples" / "activities_sample.csv", "--mapping", ROOT / "examples" / "activities_sample.yaml",
               "--out", out, "--report", report, "--replications", "2")
    assert proc.returncode == 0, proc.stderr
    assert "population.reachability.mean" in proc.stdout
    for name in ("fit.md", "fit.png", "hot_window.png"):
        assert (report / name).stat().st_size > 0
    text = out.read_text()
    assert "mean: 0.0" in text and "  # fitted: " in text  # the fitted fields carry where they came from
    data = yaml.safe_load(text)
    assert data["team"]["calendar"] == {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
    assert data["baseline"] == "as_logged"
    assert cli("validate", out).returncode == 0
    md = (report / "fit.md").read_text()
    assert "Kept at the model's defaults" in md and "readiness" in md


def test_fit_never_replaces_a_users_file_or_folder_without_force(tmp_path):
    """The fitted scenario file is replaced only with --force, and the report folder follows the
    rules of every results folder: a folder that is not followup-sim's is never replaced."""
    sample, mapping = ROOT / "examples" / "activities_sample.csv", ROOT / "examples" / "activities_sample.yaml"
    out = tmp_path / "mine.yaml"
    out.write_text("name: my_own_work\n")
    proc = cli("fit", sample, "--mapping", mapping, "--out", out, "--report", tmp_path / "rep", "--replications", "0")
    assert proc.returncode == 2 and "--force" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text() == "name: my_own_work\n" and not (tmp_path / "rep").exists()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me")
    proc = cli("fit", sample, "--mapping", mapping, "--out", tmp_path / "new.yaml", "--report", notes,
               "--replications", "0", "--force")
    assert proc.returncode == 2 and (notes / "todo.txt").read_text() == "keep me"
    assert not (tmp_path / "new.yaml").exists()
    proc = cli("fit", sample, "--mapping", mapping, "--out", out, "--report", tmp_path / "rep", "--replications", "0",
               "--force")
    assert proc.returncode == 0, proc.stderr
    assert "my_own_work" not in out.read_text() and (tmp_path / "rep" / "manifest.json").exists()
    again = cli("fit", sample, "--mapping", mapping, "--out", out, "--report", tmp_path / "rep", "--replications", "0",
                "--force")
    assert again.returncode == 0, again.stderr  # a rerun replaces its own report folder
