"""Calibration: the measures on hand-made inputs, the command's output, and the claims of docs/calibration.md."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, cli
from sim import Scenario
from sim.actions.calibration import FIGURES, fatigue_tolerance, first_call_rates, reached_by_call
from sim.model.touches import answer_probability


def _events(rows):
    return pd.DataFrame(rows, columns=["time_min", "prospect", "channel", "kind", "outcome"])


def test_first_call_rates_count_only_each_leads_first_call():
    ev = _events([
        (0, 1, "inbound", "arrival", "new_lead"), (5, 1, "call", "new_lead", "booked"),
        (0, 2, "inbound", "arrival", "new_lead"), (5, 2, "call", "new_lead", "no_answer"),
        (9, 2, "call", "new_lead", "sale"),  # a second new-lead call does not count
        (5, 3, "call", "new_lead", "not_interested"),
    ])
    assert first_call_rates(ev) == (3, 2, 1)


def test_reached_by_call_counts_calls_until_the_first_connect_of_buyers_only():
    ev = [(0, 1, "inbound", "arrival", "new_lead")]
    ev += [(i, 1, "call", "follow_up", "no_answer") for i in range(1, 7)]  # reached on call 7
    ev += [(7, 1, "call", "follow_up", "sale")]
    ev += [(0, 2, "inbound", "arrival", "new_lead"), (1, 2, "call", "new_lead", "call_back_later"),
           (2, 2, "call", "callback", "sale")]  # reached on call 1
    ev += [(0, 3, "inbound", "arrival", "new_lead"), (1, 3, "call", "new_lead", "not_interested")]  # never bought
    ev += [(50, 4, "inbound", "arrival", "new_lead"), (51, 4, "call", "new_lead", "sale")]  # arrived late
    frame = _events(ev)
    assert reached_by_call(frame) == pytest.approx(100 * 2 / 3)
    assert reached_by_call(frame, arrived_before=10) == pytest.approx(50.0)


def test_answer_window_shape_one_is_exponential_and_every_shape_passes_e_inverse_at_the_decay():
    r, a, d = 0.08, 0.9, 15.0
    for age in (0.0, 3.0, 15.0, 40.0):
        assert answer_probability(r, a, age, d, 1.0) == pytest.approx(r + (a - r) * math.exp(-age / d))
    for shape in (0.5, 1.0, 3.0):
        assert answer_probability(r, a, d, d, shape) == pytest.approx(r + (a - r) * math.exp(-1))
    # a larger shape keeps the window open longer early on and shuts it harder later
    assert answer_probability(r, a, 5, d, 3.0) > answer_probability(r, a, 5, d, 1.0)
    assert answer_probability(r, a, 40, d, 3.0) < answer_probability(r, a, 40, d, 1.0)


def test_fatigue_tolerance_matches_the_annoyance_algebra():
    """With the cap out of reach, the per-call risk ratio is (A_n / A_1) ** exponent with
    A_n = sum_j exp(-j * gap / decay), gap = 90 days / n: the same for every tolerance."""
    sc = Scenario(complaints={"frequency_risk": 1e-9, "annoyance_decay": "20d", "frequency_exponent": 3})
    ratios = []
    for n in range(1, 11):
        gap = 90 / n
        ratios.append(sum(math.exp(-j * gap / 20) for j in range(n)) ** 3)
    ratios = np.array(ratios) / ratios[0]
    i = int(np.nonzero(ratios > 2)[0][0])
    expected = i + (2 - ratios[i - 1]) / (ratios[i] - ratios[i - 1])  # calls i (1-based) to i + 1
    assert fatigue_tolerance(sc, 0, prospects=500) == pytest.approx(expected, rel=1e-9)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """`followup-sim calibrate` as docs/calibration.md runs it (its defaults: 5 replications, seed 2026),
    once for the two tests below: the folder it writes, and what it printed."""
    out = tmp_path_factory.mktemp("calibrate") / "cal"
    res = cli("calibrate", "--workers", "2", "--out", out)
    assert res.returncode == 0, res.stderr
    return out, res


@pytest.mark.slow
def test_calibrate_command_writes_a_complete_table(calibrated):
    out, res = calibrated
    for name in ("calibration.csv", "calibration.md", "calibration.png", "manifest.json",
                 "scenario_market.yaml", "scenario_speed.yaml"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "calibration.csv")
    assert list(table["figure"]) == [f.key for f in FIGURES]
    assert set(table["status"]) <= {"met", "missed", "not a target"}
    assert (table["replications"] == 5).all()
    for row in table.itertuples():
        assert np.isfinite([row.model, row.ci_low, row.ci_high]).all(), row.figure
        assert row.ci_low - 1e-9 <= row.model <= row.ci_high + 1e-9, row.figure
    info = json.loads((out / "manifest.json").read_text())
    assert info["seed"] == 2026 and info["replications"] == 5 and "numpy" in info["versions"]
    assert "met" in res.stdout and "published" in res.stdout


def _documented_met_rows() -> list[str]:
    text = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    block = text.split("<!-- calibration table -->")[1].strip().splitlines()
    table = block[:next((i for i, line in enumerate(block) if not line.startswith("|")), len(block))]
    rows = table[2:]  # after the header and the |---| line
    return [line.split("|")[1].strip() for line in rows if line.split("|")[6].strip() == "met"]


@pytest.mark.slow
def test_every_figure_the_readme_calls_met_is_met_with_the_default_command(calibrated):
    """The calibration table of docs/calibration.md comes from `followup-sim calibrate` (5 replications, seed 2026);
    the same command must still meet every figure that table says it meets."""
    out, _ = calibrated
    claimed = _documented_met_rows()
    assert len(claimed) >= 5
    table = pd.read_csv(out / "calibration.csv")
    status = dict(zip(table["what"], table["status"]))
    assert {what: status.get(what) for what in claimed} == {what: "met" for what in claimed}
