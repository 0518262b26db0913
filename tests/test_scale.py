"""Sweeps and scale-out give the same numbers as a plain serial run (issue: performance and scale)."""
from __future__ import annotations

import pandas as pd
import pytest

import sim
from conftest import ROOT, cli
from sim.experiment.jobs import run_experiment
from sim.actions.sweep import grid, run_sweep


def small() -> sim.Scenario:
    return sim.Scenario(horizon="30d", replications=2, population={"outbound": {"size": 150}, "inbound": {"per_day": 3}},
                        strategies={"one": {"preset": "one_and_done"}, "five": {"preset": "five_and_stop"}})


def test_grid_is_the_full_product():
    points = grid([("a", [1, 2]), ("b", ["x", "y", "z"])])
    assert len(points) == 6 and points[0] == {"a": 1, "b": "x"} and points[-1] == {"a": 2, "b": "z"}


def test_sweep_point_equals_a_plain_run_with_that_value():
    sc = small()
    table = run_sweep(sc, [("strategies.five.max_touches", [1, 3])], workers=2)
    assert set(table.columns) == {"strategies.five.max_touches", "strategy", "metric", "mean", "ci_low", "ci_high", "n"}
    assert len(table) == 2 * 2 * table["metric"].nunique()
    direct = run_experiment(sc.model_copy(update={"strategies": {**sc.strategies,
                            "five": sim.preset("five_and_stop", max_touches=3)}})).runs()
    got = table[(table["strategies.five.max_touches"] == 3) & (table.strategy == "five") & (table.metric == "sales")]
    assert got["mean"].item() == pytest.approx(direct[direct.strategy == "five"]["sales"].mean())
    # capping five-and-stop at one touch must make exactly the one-and-done calls (same prospects, same luck)
    one_cap = table[(table["strategies.five.max_touches"] == 1) & (table.metric == "calls")].set_index("strategy")["mean"]
    assert one_cap["five"] == pytest.approx(one_cap["one"])


@pytest.mark.slow
def test_dask_local_equals_serial():
    sc = small()
    pd.testing.assert_frame_equal(run_experiment(sc, dask="local").runs(), run_experiment(sc).runs())


@pytest.mark.slow
def test_sweep_cli_writes_table_and_plot(tmp_path):
    out = tmp_path / "sw"
    proc = cli("sweep", ROOT / "scenarios" / "speed_to_lead.yaml", "--param", "team.reps[0].count", "--values", "1,3",
               "--set", "horizon=20d", "--replications", "2", "--workers", "2", "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert sorted(table["team.reps[0].count"].unique()) == [1, 3]
    assert (out / "plots" / "sweep.png").stat().st_size > 0 and (out / "manifest.json").exists()
    bad = cli("sweep", ROOT / "scenarios" / "speed_to_lead.yaml", "--param", "team.reps[0].count", "--values", "0",
              "--out", tmp_path / "bad")
    assert bad.returncode == 2 and "team.reps[0].count" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_the_benchmark_child_runs():
    """bench/run_bench.py's per-size child, on a tiny size: it must keep working as the engine
    changes (it once failed after every run, unnoticed until the next benchmark)."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run_bench.py"), "--child", "300", "five_and_stop"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    assert row["prospects"] > 300 and row["touches"] > 0 and row["touches_per_s"] > 0
