"""Hostile and careless input is refused before any run, with a message naming the file, the
field path and what was expected (issue 15). The corpus in tests/bad_scenarios/ covers many
files; these tests pin the mechanisms one at a time."""
from __future__ import annotations

import math
import time

import pandas as pd
import pytest
import yaml

import sim
from sim.scenario.loading import MAX_NODES, MAX_PROBLEM_LINES, ScenarioError, load_scenario, parse_yaml
from sim.present.output import neutralise, safe_csv

from conftest import TINY, invoke  # noqa: E402


def refused(tmp_path, text: str, name: str = "bad.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    return message


def test_a_bare_number_duration_is_an_error_in_files_set_and_python(tmp_path):
    message = refused(tmp_path, "horizon: 365\n")
    assert "horizon: a duration needs a unit: write 365d" in message
    assert "strategies.a.first_response: a duration needs a unit: write 5d" in refused(
        tmp_path, "strategies: {a: {preset: one_and_done, first_response: 5}}\n")
    (tmp_path / "ok.yaml").write_text(TINY)
    with pytest.raises(ScenarioError, match="horizon: a duration needs a unit: write 365d"):
        load_scenario(tmp_path / "ok.yaml", ["horizon=365"])
    with pytest.raises(ValueError, match="a duration needs a unit: write 90d"):
        sim.Scenario(horizon=90)
    assert sim.Scenario(horizon="90d").horizon == 90 * 1440


@pytest.mark.parametrize("text,path", [
    ("population: {inbound: {per_day: .nan}}", "population.inbound.per_day"),
    ("population: {timezones: {0: .inf}}", "population.timezones.0"),
    ("population: {reachability: {kind: uniform, low: 0, high: .inf}}", "population.reachability.high"),
    ("strategies: {a: {steps: [{day: .inf}]}}", "strategies.a.steps[0].day"),
    ("strategies: {a: {preset: one_and_done, last_day: .inf}}", "strategies.a.last_day"),
    ("horizon: .inf", "horizon"),
])
def test_nan_and_infinity_are_refused_wherever_written(tmp_path, text, path):
    message = refused(tmp_path, text + "\n")
    assert f"{path}: expected a finite number" in message, message


def test_python_api_refuses_non_finite_numbers_too():
    with pytest.raises(ValueError, match="finite number"):
        sim.Scenario(population={"inbound": {"per_day": math.nan}})


def test_a_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    message = refused(tmp_path, "strategies:\n  a: {preset: one_and_done}\n  a: {preset: five_and_stop}\n")
    assert "strategies.a: given twice (lines 2 and 3)" in message
    # a merge key is no duplicate: overriding a merged field is what it is for
    (tmp_path / "merge.yaml").write_text(
        "strategies:\n  a: &base {preset: five_and_stop, max_touches: 3}\n  b: {<<: *base, max_touches: 4}\n")
    assert load_scenario(tmp_path / "merge.yaml").strategies["b"].max_touches == 4


def test_true_is_not_a_number(tmp_path):
    assert "seed: expected a number, not true" in refused(tmp_path, "seed: true\n")
    assert "population.inbound.hourly[3]: expected a number, not false" in refused(
        tmp_path, "population: {inbound: {hourly: [1, 1, 1, false, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}\n")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_an_empty_file_is_refused(tmp_path, text):
    assert "the file is empty" in refused(tmp_path, text)


def test_billion_laughs_is_refused_before_expansion():
    levels = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    t0 = time.process_time()
    with pytest.raises(ValueError, match=f"more than {MAX_NODES:,} values once its aliases"):
        parse_yaml("\n".join(levels))
    assert time.process_time() - t0 < 10, "a runaway guard, not a speed target"
    # a few aliases, as people use them, are fine
    assert parse_yaml("x: &x {a: 1}\ny: *x\n") == {"x": {"a": 1}, "y": {"a": 1}}


def test_deep_nesting_and_recursive_aliases_are_refused():
    with pytest.raises(ValueError, match=r"more than \d+ levels"):
        parse_yaml("x: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(ValueError):
        parse_yaml("a: &a [*a]\n")


def test_error_lines_are_capped_and_shown_values_cut_short(tmp_path):
    many = "\n".join(f"unknown_{i}: 1" for i in range(500)) + "\n"
    message = refused(tmp_path, many)
    lines = message.splitlines()
    assert len(lines) == 1 + MAX_PROBLEM_LINES + 1
    assert lines[-1] == f"  ... and {500 - MAX_PROBLEM_LINES} more (fix these first)"
    long_value = "x" * 5000
    message = refused(tmp_path, f"replications: {long_value}\n")
    assert len(message) < 400 and "replications:" in message


def test_a_big_file_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "w") as fh:
        fh.write("description: >\n")
        for _ in range(200_000):
            fh.write("  " + "padding " * 8 + "\n")
    with pytest.raises(ScenarioError, match="larger than 1,000 KB"):
        load_scenario(path)


def test_checks_run_depends_on_are_in_validate(tmp_path):
    assert "team.reps: List should have at least 1 item" in refused(tmp_path, "team: {reps: []}\n")
    assert "population.reachability: reachability is a chance to answer, between 0 and 1 (got value 2)" in refused(
        tmp_path, "population: {reachability: {kind: fixed, value: 2}}\n")
    message = refused(tmp_path, "team: {calendar: {start: '09:00', end: '17:00'}}\n"
                                "population: {timezones: {0: 1, 14: 1}}\n")
    assert "team.calendar: the working hours 09:00-17:00 never meet the legal calling hours 08:00-20:00" in message
    assert "offset +14 h" in message
    # the same hours are fine when no strategy respects calling hours
    (tmp_path / "ok.yaml").write_text("population: {timezones: {0: 1, 14: 1}}\n"
                                      "strategies: {a: {preset: one_and_done, respect_calling_hours: false}}\n")
    load_scenario(tmp_path / "ok.yaml")
    assert "rules: legal_end must be after legal_start" in refused(tmp_path, "rules: {legal_start: '20:00', legal_end: '08:00'}\n")
    assert "cv: Input should be less than or equal to 10" in refused(
        tmp_path, "durations: {conversation: {kind: lognormal, mean: 5m, cv: 1.0e+200}}\n")


def test_formula_like_names_are_neutralised_in_csv():
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for text in ("+1", "-1+2", "@SUM(A1)"):
        assert neutralise(text) == "'" + text
    assert neutralise("five_and_stop") == "five_and_stop" and neutralise(-1.5) == -1.5
    frame = pd.DataFrame({"strategy": ["=1+1", "ok"], "close_rate": [-0.1, 0.2]})
    out = safe_csv(frame)
    assert out["strategy"].tolist() == ["'=1+1", "ok"] and out["close_rate"].tolist() == [-0.1, 0.2]


def test_names_with_markup_and_mathtext_run_and_are_written(tmp_path, monkeypatch):
    """A strategy named ``[/]`` crashed the console, one with ``$...$`` matplotlib, after the run."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(TINY + yaml.safe_dump({"strategies": {
        "[/]": {"preset": "one_and_done"}, "$\\undefinedcmd{$": {"preset": "five_and_stop", "label": "$\\x{$ [b]"},
        "=cmd|' /C calc'!A0": {"preset": "five_and_stop", "label": "[/] calls"}}}))
    res = invoke("run", "s.yaml", "--out", "out")
    assert res.exit_code == 0, res.output
    assert "[/] calls" in res.output and "[b]" in res.output  # labels are shown, markup and all
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    assert set(runs["strategy"]) == {"[/]", "$\\undefinedcmd{$", "'=cmd|' /C calc'!A0"}
    assert len(list((tmp_path / "out" / "plots").glob("*.png"))) >= 7
    res = invoke("sweep", "s.yaml", "--param", "description", "--values", "$\\bad{$,b", "--out", "sw", "-q")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("values,expected", [
    ("", "no values"), (",,", "no values"), ("[unclosed", "'[unclosed' is not a value"),
])
def test_sweep_values_that_are_no_values(tmp_path, values, expected):
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("sweep", tmp_path / "s.yaml", "--param", "replications", "--values", values, "--out", tmp_path / "o")
    assert res.exit_code == 2 and expected in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_the_same_param_twice_is_an_error(tmp_path):
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("sweep", tmp_path / "s.yaml", "-p", "replications", "-v", "1,2", "-p", "replications", "-v", "3",
                 "--out", tmp_path / "o")
    assert res.exit_code == 2 and "--param replications is given twice" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("address", ["nonsense", "foo://host:1"])
def test_a_bad_dask_address_is_a_clear_error_before_running(tmp_path, address):
    pytest.importorskip("dask.distributed")
    (tmp_path / "s.yaml").write_text(TINY)
    res = invoke("run", tmp_path / "s.yaml", "--dask", address, "--out", tmp_path / "o")
    assert res.exit_code == 2 and f"--dask '{address}': cannot reach a Dask scheduler" in res.output, res.output
    assert not (tmp_path / "o").exists()
