"""Replications to a precision: the count is the first at which every paired interval is narrow
enough, and its results are those of a fixed run of that many replications, byte for byte."""
from __future__ import annotations

import json

import pytest
import yaml

import sim
from conftest import cli
from sim.experiment.precision import MIN_REPLICATIONS, PrecisionError, Target, parse_target, run_to_precision
from sim.experiment.jobs import Experiment
from sim.experiment.stats import summarize

FIELDS = dict(name="precise", horizon="20d", seed=4,
              population={"outbound": {"size": 200}, "inbound": {"per_day": 2}}, team={"reps": [{"count": 2}]},
              strategies={"five": {"preset": "five_and_stop"}, "one": {"preset": "one_and_done"},
                          "daily": {"preset": "daily_two_weeks"}})


def half_width(summary, strategy: str, metric: str) -> float:
    row = summary[(summary.strategy == strategy) & (summary.metric == metric)].iloc[0]
    return (row.ci_high - row.ci_low) / 2


@pytest.mark.parametrize("text,metric,value", [
    ("0.5pp", "close_rate_vs_baseline", 0.005),
    ("close_rate_vs_baseline=0.005", "close_rate_vs_baseline", 0.005),
    ("close_rate=0.5pp", "close_rate_vs_baseline", 0.005),
    ("profit_vs_baseline=1000", "profit_vs_baseline", 1000.0),
])
def test_targets_parse(text, metric, value):
    target = parse_target(text)
    assert target.metric == metric and target.half_width == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text", ["", "0pp", "-1pp", "abc", "close rate=1", "x=nan", "x=inf"])
def test_bad_targets_are_refused(text):
    with pytest.raises(PrecisionError):
        parse_target(text)


def test_it_stops_at_the_first_count_whose_intervals_are_all_narrow_enough():
    sc = sim.Scenario(**FIELDS)
    target = Target("close_rate_vs_baseline", 0.0028)
    kept, results, stop = run_to_precision(sc, target, 200)
    n = stop.replications
    assert stop.met and kept.replications == n > MIN_REPLICATIONS and len(results) == 3 * n
    assert sorted({r.replication for r in results}) == list(range(n))
    all_runs = Experiment(sc, results).runs()

    def widest(k: int) -> float:
        summary = summarize(all_runs[all_runs.replication < k], sc.baseline)
        return max(half_width(summary, s, target.metric) for s in ("one", "daily"))

    assert widest(n) <= 0.0028 < widest(n - 1)  # narrow enough now, not one replication before
    assert stop.half_widths == pytest.approx({s: half_width(summarize(all_runs, sc.baseline), s, target.metric)
                                              for s in ("one", "daily")}, rel=1e-12)


def test_it_stops_at_the_maximum_and_says_the_target_was_not_met():
    sc = sim.Scenario(**FIELDS)
    kept, results, stop = run_to_precision(sc, Target("close_rate_vs_baseline", 1e-6), 12)
    assert not stop.met and stop.replications == kept.replications == 12 and len(results) == 36
    assert "--max-replications 12" in stop.reason


@pytest.mark.slow
def test_a_precision_run_writes_what_a_fixed_run_of_that_length_writes(tmp_path):
    path = tmp_path / "precise.yaml"
    path.write_text(yaml.safe_dump(FIELDS), encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    proc = cli("run", path, "--precision", "close_rate_vs_baseline=0.0028", "--workers", "2", "--out", a)
    assert proc.returncode == 0, proc.stderr
    stop = json.loads((a / "manifest.json").read_text())["precision"]
    n = stop["replications"]
    assert stop["met"] and stop["replications_computed"] > n > MIN_REPLICATIONS  # a batch went past the stop
    assert f"stopped after {n} replications" in " ".join(proc.stdout.split())
    assert any("runs done" in line for line in proc.stderr.splitlines())  # progress on a piped stderr
    assert cli("run", path, "--replications", n, "--out", b, "--quiet").returncode == 0
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert len(files) >= 9
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert json.loads((a / "manifest.json").read_text())["replications"] == n


def test_bad_precision_requests_exit_2_and_write_nothing(tmp_path):
    path = tmp_path / "precise.yaml"
    path.write_text(yaml.safe_dump(FIELDS), encoding="utf-8")
    single = tmp_path / "single.yaml"
    single.write_text(yaml.safe_dump({**FIELDS, "strategies": {"five": {"preset": "five_and_stop"}}}), encoding="utf-8")
    out = tmp_path / "out"
    for args, expected in [
        (["--precision", "half"], "is not a number"),
        (["--precision", "closing_rate=0.01"], "no metric 'closing_rate'"),
        (["--precision", "1pp", "--replications", "5"], "not both"),
    ]:
        proc = cli("run", path, *args, "--out", out)
        assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    proc = cli("run", single, "--precision", "1pp", "--out", out)
    assert proc.returncode == 2 and "at least two strategies" in proc.stderr and "single.yaml" in proc.stderr
    assert not out.exists()
