"""The fitted scenario of a per-prospect summary, run by the engine (#27): `fit --summary --segment A
--segment B`, then `run` of the fitted scenario, as a user runs them, on a small look-alike of a real
telemarketing campaign (sim/fit/summary_lookalike.py); docs/summary-recovery.md has the full size."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import yaml

from conftest import cli
from sim.fit.summary_lookalike import CELLS, SEGMENTS, draw_lookalike
from sim.fit.summary_scenario import split_sale_chance

ROWS = 10_000


def test_fit_then_run_reproduces_the_campaign_within_the_targets(tmp_path):
    log = draw_lookalike(11, ROWS)
    path = tmp_path / "campaign.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "fitted.yaml"
    proc = cli("fit", path, "--summary", "--segment", "contact", "--segment", "poutcome", "--out", out,
               "--report", tmp_path / "fit", "--replications", "20")
    assert proc.returncode == 0, proc.stderr
    comp = pd.read_csv(tmp_path / "fit" / "comparison.csv")
    assert {"engine", "engine_low", "engine_high", "engine_inside"} <= set(comp.columns)
    proc = cli("run", out, "--out", tmp_path / "run", "--quiet", "--set", "replications=3")
    assert proc.returncode == 0, proc.stderr
    s = pd.read_csv(tmp_path / "run" / "summary.csv")
    s = s[s["strategy"] == "as_logged"].set_index("metric")["mean"]
    won, n = (log["outcome"] == "won").to_numpy(), log["attempts"].to_numpy()
    assert abs(100 * s["close_rate"] - 100 * won.mean()) <= 1.5
    for lo, hi in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 12)):
        real = 100 * (won & (n >= lo) & (n <= hi)).sum() / won.sum()
        sim = 100 * sum(s[f"sales_attempt_{k}"] for k in range(lo, hi + 1)) / s["sales"]
        assert abs(sim - real) <= 6, (lo, hi, real, sim)
    assert abs(s["calls"] / s["prospects"] / n.mean() - 1) <= 0.15
    for col in SEGMENTS:
        for value, rows in log.groupby(col):
            real = 100 * (rows["outcome"] == "won").mean()
            assert abs(100 * s[f"segment_{col}_{value}_close_rate"] - real) <= 5, (col, value)
    # the round trip for segments that differ: each cell's sale chance per attempt in the scenario
    # (answer chance x conversation sale chance) is the known one, within 4 standard errors of the fit
    est = pd.read_csv(tmp_path / "fit" / "estimates.csv")
    sc = yaml.safe_load(out.read_text())
    for cell in sc["population"]["segments"]["cells"]:
        key = (cell["values"]["contact"], cell["values"]["poutcome"])
        product = cell["reachability"]["mean"] * cell["conversation"]["sale"]
        row = est[(est["kind"] == "cell") & (est["group"] == " & ".join(key)) & (est["estimate"] == "sale_mean")]
        if row.empty:  # a small cell, pooled
            continue
        value, low, high = (row[c].iloc[0] / 100 for c in ("value", "low", "high"))
        assert math.isclose(product, value, rel_tol=1e-4)
        assert low - 1.05 * (value - low) <= CELLS[key][1] <= high + 1.05 * (high - value), key  # 1.96 -> 4 SE


def test_a_sale_chance_above_the_assumed_answer_chance_still_gives_a_valid_split():
    for mean, conc in ((0.45, 3.0), (0.02, 0.3), (0.076, 4.0)):
        s = split_sale_chance(mean, conc, 0.08)
        assert 0 < s.reach < 1 and 0 < s.sell <= 0.95 and s.concentration > 0
        assert math.isclose(s.reach * s.sell, mean, rel_tol=1e-9)
        # the product's variance is the fitted Beta's (moment matched)
        var_a = mean * (1 - mean) / (conc + 1)
        var = s.sell ** 2 * s.reach * (1 - s.reach) / (s.concentration + 1)
        assert math.isclose(var, var_a, rel_tol=1e-6) or s.concentration == 0.05
    assert split_sale_chance(0.45, 3.0, 0.08).reason  # said, for fit.md
    assert split_sale_chance(0.076, 4.0, 0.08).reason == ""  # the assumption as it is


def test_a_segment_value_that_cannot_name_a_segment_is_refused_and_nothing_written(tmp_path):
    log = draw_lookalike(3, 3000)
    log["contact"] = np.where(log["contact"] == "cellular", "x" * 70, "telephone")
    path = tmp_path / "campaign.csv"
    log.to_csv(path, index=False)
    proc = cli("fit", path, "--summary", "--segment", "contact", "--out", tmp_path / "f.yaml",
               "--report", tmp_path / "fit", "--replications", "0")
    assert proc.returncode == 2, proc.stderr
    assert "a segment value is 1 to 64 characters" in proc.stderr and "column 'contact'" in proc.stderr
    first = 2 + int(np.flatnonzero(log["contact"] != "telephone")[0])  # the header is line 1
    assert f"line {first}, column 'contact'" in proc.stderr, proc.stderr
    assert not (tmp_path / "f.yaml").exists() and not (tmp_path / "fit").exists()
