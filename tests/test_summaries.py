"""Per-prospect summaries: reading them (every row accounted for, bad rows named by line and column,
nothing written on error), the summary model's estimators on data drawn from it, and
`followup-sim fit --summary` as a user runs it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import cli
from sim.fit.recovery import coverage_band
from sim.fit.summary_model import fit_group, fit_sale_chance, simulate_group, stopping_table
from sim.fit.summary_report import comparison
from sim.fit.summary_recovery import draw_known, recovery_table
from sim.fit.summaries import SummaryError, read_summaries

GOOD = "prospect_id,attempts,outcome,phone\np1,1,won,mobile\np2,3,lost,landline\np3,0,open,\np4,2,open,mobile\n"


def write(tmp_path, text: str, name: str = "summary.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- reading
def test_reads_canonical_columns_and_segments(tmp_path):
    s = read_summaries(write(tmp_path, GOOD), segments=["phone"])
    assert list(s.frame["attempts"]) == [1, 3, 0, 2]
    assert list(s.frame["outcome"]) == ["won", "lost", "open", "open"]
    assert list(s.frame["phone"]) == ["mobile", "landline", "(blank)", "mobile"]
    assert not s.has_connected and s.rows == 4 and s.skipped == 0


def test_mapping_renames_maps_values_separates_and_keeps(tmp_path):
    path = write(tmp_path, "# exported from a dialer\nid;calls;status;reached;campaign\n"
                           "a;2;Subscribed;1;spring\nb;5;Declined;2;spring\nc;1;Pending;0;spring\nd;4;Declined;0;autumn\n")
    mapping = write(tmp_path, "columns: {prospect_id: id, attempts: calls, outcome: status, connected: reached}\n"
                              "values: {outcome: {subscribed: won, declined: lost, pending: open}}\n"
                              "keep: {campaign: [spring]}\ncsv: {delimiter: ';'}\n", "m.yaml")
    s = read_summaries(path, mapping)
    assert list(s.frame["outcome"]) == ["won", "lost", "open"]
    assert list(s.frame["connected"]) == [1, 2, 0]
    assert (s.rows, s.skipped, len(s.frame)) == (4, 1, 3)  # every row accounted for
    assert any("skipped" in n for n in s.notes)


@pytest.mark.parametrize("row, column, words", [
    ("p9,three,lost,x", "attempts", "whole number"),
    ("p9,-1,lost,x", "attempts", "whole number"),
    ("p9,2,maybe,x", "outcome", "expected won, lost or open"),
    ("p9,0,won,x", "attempts", "0 attempts"),
    ("p1,2,lost,x", "prospect_id", "appears again (one row per prospect) (got 'p1 is also on line 2')"),
    (",2,lost,x", "prospect_id", "blank"),
])
def test_bad_rows_name_line_and_column(tmp_path, row, column, words):
    path = write(tmp_path, GOOD + row + "\n")
    with pytest.raises(SummaryError) as err:
        read_summaries(path, segments=["phone"])
    text = str(err.value)
    assert f"line 6, column {column!r}" in text and words in text, text


def test_connected_must_fit_the_attempts(tmp_path):
    path = write(tmp_path, "prospect_id,attempts,outcome,connected\np1,2,lost,3\np2,2,won,0\np3,2,lost,1\n")
    with pytest.raises(SummaryError) as err:
        read_summaries(path)
    text = str(err.value)
    assert "2 of 3 rows cannot be read" in text
    assert "line 2, column 'connected' (connected): more than the row's attempts" in text
    assert "line 3, column 'connected' (connected): a won prospect with no attempt that reached them" in text


def test_missing_columns_and_empty_files(tmp_path):
    with pytest.raises(SummaryError, match=r"attempts: no column 'attempts'.*\n.*segment"):
        read_summaries(write(tmp_path, "prospect_id,outcome\np1,won\n"), segments=["region"])
    with pytest.raises(SummaryError, match="--segment attempts: a summary field, not a segment"):
        read_summaries(write(tmp_path, GOOD), segments=["attempts"])
    with pytest.raises(SummaryError, match="the file is empty"):
        read_summaries(write(tmp_path, "", "empty.csv"))
    with pytest.raises(SummaryError, match="no such file"):
        read_summaries(tmp_path / "nope.csv")
    with pytest.raises(SummaryError, match="values.outcome: 'sold' not in won, lost, open"):
        read_summaries(write(tmp_path, GOOD), write(tmp_path, "values: {outcome: {'y': sold}}\n", "m.yaml"))
    with pytest.raises(SummaryError, match="unquoted yes, no, true or false reads as a boolean"):
        read_summaries(write(tmp_path, GOOD), write(tmp_path, "values: {outcome: {yes: won}}\n", "m.yaml"))


# ---------------------------------------------------------------- the model's estimators
def _band_test(hits: int, seeds: int) -> None:
    lo, hi = coverage_band(seeds, alpha=0.002)  # where a correct 95% interval's count stays 99.8% of the time
    assert lo <= hits <= hi, (hits, lo, hi)


def test_sale_chance_intervals_cover_the_truth():
    """Beta of sale chances per attempt, with give-ups and period ends as in a real campaign: its 95%
    intervals cover the known mean and concentration about 95% of the time."""
    g = np.r_[0.0, np.full(15, 0.3), 1.0]
    c = np.r_[0.0, np.full(15, 0.03), 1.0]
    seeds, hit_mean, hit_conc = 60, 0, 0
    for seed in range(seeds):
        d = simulate_group({"mean": 0.1, "conc": 5.0, "g": g, "c": c}, 3000, np.random.default_rng(seed))
        mean, conc = fit_sale_chance(d["attempts"].to_numpy(), (d["outcome"] == "won").to_numpy())
        hit_mean += mean.covers(0.1)
        hit_conc += conc.covers(5.0)
    _band_test(hit_mean, seeds)
    _band_test(hit_conc, seeds)


def test_give_up_hazard_is_read_from_lost_rows():
    """With no sales and no period end, only the give-up rule acts: the hazard at each attempt is
    the known one, within the binomial standard error of its count."""
    g = np.r_[0.1, 0.5, 0.2, 0.4, 1.0]
    d = simulate_group({"mean": 1e-12, "conc": 1e5, "g": g, "c": np.r_[0.0, 0.0, 0.0, 0.0, 1.0]}, 20000,
                       np.random.default_rng(3))
    t = stopping_table(d["attempts"].to_numpy(), d["outcome"].to_numpy())
    for j in range(4):
        se = math.sqrt(g[j] * (1 - g[j]) / t["at_risk"].iloc[j])
        assert abs(t["give_up_hazard"].iloc[j] - g[j]) < 4 * se, (j, t.iloc[j])
    assert (d["outcome"] == "lost").all() and t["give_up_hazard"].iloc[4] == 1.0


def test_connected_separates_answering_from_selling():
    """With a connected column the answer chance's Beta and the chance a conversation sells are each
    recovered within their intervals about 95% of the time."""
    g = np.r_[0.0, np.full(10, 0.35), 1.0]
    c = np.r_[0.0, np.full(10, 0.02), 1.0]
    seeds, hits = 30, {"reach_mean": 0, "reach_concentration": 0, "sell": 0}
    truth = {"reach_mean": 0.3, "reach_concentration": 4.0, "sell": 0.25}
    for seed in range(seeds):
        d = simulate_group({"mean": 0.3, "conc": 4.0, "sell": 0.25, "g": g, "c": c}, 2000, np.random.default_rng(seed))
        fit = fit_group("all", d, True, 0.08)
        for k in hits:
            hits[k] += fit.estimates[k].covers(truth[k])
    for k in hits:
        _band_test(hits[k], seeds)


def test_segment_cells_recovered_over_seeds():
    """Summaries with segments that differ (sim/fit/summary_recovery.py): each cell's sale chance
    Beta is covered within the band (docs/summary-recovery.md runs the same over more seeds)."""
    table = recovery_table(list(range(12)), workers=2, alpha=0.002)
    assert table["within band"].all(), table.to_string()


def test_log_drawn_from_the_model_lands_in_the_comparison_ranges():
    """Figures of a summary drawn from known parameters fall inside the fitted model's simulated
    95% ranges: 13 figures, each inside with chance about 0.95 (at most 3 outside: P < 0.3%)."""
    from sim.fit.summary_model import fit_summaries
    from sim.fit.summaries import Summaries

    f = draw_known(11)
    s = Summaries(f, "known", ["phone", "previous"], False, len(f), 0)
    comp = comparison(fit_summaries(s), replications=100)
    assert len(comp) == 13
    assert (~comp["inside"]).sum() <= 3, comp.to_string()


# ---------------------------------------------------------------- the command line
def test_cli_fits_the_shipped_example(tmp_path):
    out = tmp_path / "fitted.yaml"
    report = tmp_path / "report"
    proc = cli("fit", "examples/summary_sample.csv", "--summary", "--segment", "phone", "--segment", "previous",
               "--out", out, "--report", report, "--replications", "40")
    assert proc.returncode == 0, proc.stderr
    assert "close rate" in proc.stdout and "previous=success" in proc.stdout
    comp = pd.read_csv(report / "comparison.csv")
    assert {"figure", "segment", "log", "simulated", "sim_low", "sim_high"} <= set(comp.columns)
    assert "sale chance per attempt" in (report / "fit.md").read_text()
    proc = cli("validate", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("text, extra, words", [
    ("prospect_id,attempts,outcome\np1,x,won\n", [], "line 2, column 'attempts'"),
    ("prospect_id,attempts,outcome\np1,1,won\n", ["--segment", "region"], "region: no column 'region'"),
    ("prospect_id,attempts,outcome\np1,1,won\n", ["--cadence", "five_and_stop"], "--cadence: not used with --summary"),
])
def test_cli_refuses_bad_input_and_writes_nothing(tmp_path, text, extra, words):
    path = write(tmp_path, text)
    out = tmp_path / "out"
    proc = cli("fit", path, "--summary", "--out", out / "f.yaml", "--report", out / "report", *extra)
    message = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Traceback" not in message, message
    assert words in message, message
    assert not out.exists()


def test_cli_segment_needs_summary(tmp_path):
    proc = cli("fit", write(tmp_path, GOOD), "--segment", "phone", "--out", tmp_path / "o" / "f.yaml")
    assert proc.returncode == 2 and "--segment: only with --summary" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_summary_of_a_simulated_run_gives_back_its_answer_chances():
    """Round trip through the simulation model: a run's touches summarised per prospect (attempts,
    connected) give back the scenario's reachability Beta. Hot windows are switched off (no inbound,
    no replies or callbacks), so every dial answers with the prospect's own chance; the truth must lie
    within 3 standard errors (the 95% interval's half-width / 1.96) on the fitted logit/log scale."""
    from sim.fit.export_reader import frame_activities
    from sim.present.activity_writer import activities_from_events
    from sim.model.engine import run_replication
    from sim.scenario.schema import Scenario
    from sim.fit.summaries import summaries_from_activities

    none = {"ready": 0, "considering": 0, "not_ready": 0}
    sc = Scenario.model_validate({
        "name": "summary_round_trip", "horizon": "60d", "seed": 3,
        "population": {"outbound": {"size": 2000, "ramp": "20d"}, "inbound": {"per_day": 0},
                       "reachability": {"kind": "beta", "mean": 0.2, "concentration": 5}},
        "conversation": {"voicemail_callback": none, "email_reply": none},
        "readiness": {"share_of_voice": 0, "recent_share": 0}, "team": {"reps": [{"count": 3}]},
        "strategies": {"known": {"steps": [{"day": d} for d in (1, 2, 4, 7, 11, 16)]}}})
    result = run_replication(sc, "known", 0, event_log=True)
    s = summaries_from_activities(frame_activities(activities_from_events(result.events)).frame)
    assert len(s) == 2000 and (s["connected"] <= s["attempts"]).all()
    fit = fit_group("all", s, True, 0.08)
    for key, truth, scale in (("reach_mean", 0.2, "logit"), ("reach_concentration", 5.0, "log")):
        e = fit.estimates[key]
        f = (lambda x: math.log(x / (1 - x))) if scale == "logit" else math.log
        se = (f(e.high) - f(e.low)) / (2 * 1.96)
        assert abs(f(e.value) - f(truth)) < 3 * se, (key, e)
