"""What the command line prints: an 80-column summary with the scenario's description and warnings; sweep's table."""
from conftest import ROOT, cli


def test_run_prints_description_a_summary_that_fits_80_columns_and_warnings(tmp_path):
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", "--set", "horizon=30d", "--set", "population.outbound.size=200",
               "--replications", "2", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    text = " ".join(proc.stdout.split())
    assert "The follow-up strategies sales teams argue about" in text  # the scenario's description
    assert "Call once and stop" in text and "Call new leads within" in text  # labels, not keys
    assert "Only 2 replications" in text
    assert "response_time.png leaves out Wait for them to call" in text
    assert "call_load.png leaves out the last 2 day(s)" in text


def test_sweep_prints_its_table(tmp_path):
    proc = cli("sweep", ROOT / "scenarios" / "baseline.yaml", "--param", "team.reps[0].count", "--values", "1,3",
               "--set", "horizon=20d", "--set", "population.outbound.size=150",
               "--set", "strategies={one: {preset: one_and_done}, five: {preset: five_and_stop}}",
               "--set", "baseline=one", "--replications", "2", "--out", tmp_path / "sweep")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if "Call once and stop" in line or "Five calls, then stop" in line]
    assert len(rows) == 4 and rows[0].split()[0] == "1" and rows[-1].split()[0] == "3"
    assert "Number of reps (team.reps[0].count)" in proc.stdout
