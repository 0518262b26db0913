"""The workshop page's logic (sim/workshop/page.py): A and B from presets plus edits, the CLI's
validation messages, the run cache, the exported scenario, the link, the story pair; and the
page itself driven by Streamlit's headless harness (AppTest)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.workshop import page as W
from sim.workshop import page_charts as charts
from sim.workshop import page_stories as stories
from sim.cli import app
from sim.experiment.jobs import run_experiment
from sim.scenario.loading import ScenarioError, load_scenario
from sim.present.sentences import comparisons
from sim.experiment.stats import summarize
from sim.present.story import kind_of
from sim.scenario.strategies import display_names

APP = str(Path(W.__file__).with_name("app.py"))


@pytest.fixture(scope="module")
def base():
    return W.workshop_base()


@pytest.fixture(scope="module")
def cache():
    return W.RunCache()


def _with_step(edit: W.StrategyEdit, index: int, day: float) -> W.StrategyEdit:
    steps = list(edit.steps)
    steps[index] = (day, None, steps[index][2])
    return replace(edit, steps=tuple(steps))


def _expected_headline(scenario):
    """What `followup-sim run` computes for the same scenario and seed: run_experiment, summarize, comparisons."""
    exp = run_experiment(scenario)
    runs = exp.runs()
    summary = summarize(runs, scenario.baseline)
    return comparisons(summary, runs, display_names(scenario.strategies), scenario.baseline)


# ---------------------------------------------------------------- the setup
def test_the_default_setup_is_the_scenarios_own_strategies(base):
    sc = W.build_scenario(base, W.default_setup(base))
    assert W.strategy_key(sc.strategies["A"]) == W.strategy_key(base.starts["one_and_done"])
    assert W.strategy_key(sc.strategies["B"]) == W.strategy_key(base.starts["cadence_1_3_7_14_28_58"])
    assert sc.strategies["B"].repeat is not None  # the preset's monthly repeat is kept
    assert (sc.team.size, sc.seed, sc.baseline) == (3, W.WORKSHOP_SCENARIO["seed"], "A")
    assert display_names(sc.strategies) == {"A": "Call once and stop", "B": "1-3-7-14-28-58 cadence"}


def test_an_edit_changes_the_strategy_and_its_label(base):
    setup = W.default_setup(base)
    setup = replace(setup, b=replace(W.start_edit(base, "five_and_stop"), max_touches=3, stop_on_no=False))
    sc = W.build_scenario(base, setup)
    b = sc.strategies["B"]
    assert (b.max_touches, b.stop_on_no, [s.day for s in b.steps]) == (3, False, [1, 2, 4, 7, 11])
    assert b.label == "Five calls, then stop (changed)"


def test_a_file_scenario_offers_its_own_strategies(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nhorizon: 30d\nreplications: 2\npopulation: {outbound: {size: 100}}\n"
                    "strategies:\n  odd: {steps: [{day: 1}, {day: 9, channel: email}]}\n"
                    "  once: {preset: one_and_done}\nbaseline: once\n")
    base = W.base_from_file(path)
    assert base.opening == ("one_and_done", "odd")
    sc = W.build_scenario(base, W.default_setup(base))
    assert [(s.day, s.channel) for s in sc.strategies["B"].steps] == [(1, "call"), (9, "email")]


# ---------------------------------------------------------------- bad input: the CLI's words, by field
def test_bad_input_gives_the_validate_commands_message_by_field(base, tmp_path):
    setup = W.default_setup(base)
    bad = replace(setup, b=_with_step(setup.b, 0, 0), reps=-1)
    with pytest.raises(ScenarioError) as err:
        W.build_scenario(base, bad)
    messages = W.field_messages(err.value)
    assert set(messages) == {"strategies.B.steps[0].day", "team.reps[0].count"}
    # the same setup as a file: `followup-sim validate` prints the same lines
    path = tmp_path / "bad.yaml"
    import yaml

    path.write_text(yaml.safe_dump(W.scenario_data(base, bad)))
    out = CliRunner().invoke(app, ["validate", str(path)])
    assert out.exit_code == 2
    for field, message in messages.items():
        assert f"  {field}: {message}" in out.output


def test_a_bad_duration_is_named_by_its_field(base):
    setup = W.default_setup(base)
    with pytest.raises(ScenarioError) as err:
        W.build_scenario(base, replace(setup, a=replace(setup.a, first_response="5")))
    assert list(W.field_messages(err.value)) == ["strategies.A.first_response"]


# ---------------------------------------------------------------- running with a cache
def test_the_headline_equals_a_plain_run_of_the_same_scenario(base, cache):
    setup = W.default_setup(base)
    setup = replace(setup, b=replace(setup.b, max_touches=3), seed=11)
    sc = W.build_scenario(base, setup)
    view = W.compare(sc, cache)
    expected = _expected_headline(sc)
    assert [s.text for s in view.headline] == [s.text for s in expected]
    assert view.headline[0].values == expected[0].values


def test_a_change_of_b_reruns_b_alone_and_going_back_reruns_nothing(base):
    cache = W.RunCache()
    setup = W.default_setup(base)
    sc = W.build_scenario(base, setup)
    reps = sc.replications
    W.compare(sc, cache)
    assert cache.ran == 2 * reps
    changed = W.build_scenario(base, replace(setup, b=replace(setup.b, max_touches=2)))
    assert cache.missing(changed, list(W.SIDES)) == reps
    view = W.compare(changed, cache)
    assert cache.ran == 3 * reps
    W.compare(sc, cache)
    assert cache.ran == 3 * reps
    # what the cache returned for the changed B is that strategy's own run, not the old one
    fresh = W.RunCache().run(changed, "B", 0)
    assert view.runs[(view.runs.strategy == "B") & (view.runs.replication == 0)]["sales"].item() == fresh.metrics["sales"]
    # a change of the world (team size) reruns both
    bigger = W.build_scenario(base, replace(setup, reps=setup.reps + 1))
    assert cache.missing(bigger, list(W.SIDES)) == 2 * reps


# ---------------------------------------------------------------- export
def test_the_exported_yaml_loads_and_runs_to_the_same_numbers(base, cache, tmp_path):
    setup = W.default_setup(base)
    setup = replace(setup, b=replace(W.start_edit(base, "booked_next_step"), first_response="5m"), seed=5)
    sc = W.build_scenario(base, setup)
    path = tmp_path / "workshop.yaml"
    path.write_text(W.scenario_yaml(sc, setup))
    assert "seed 5" in path.read_text().splitlines()[0]
    loaded = load_scenario(path)
    assert loaded == sc
    view = W.compare(sc, cache)
    assert [s.text for s in view.headline] == [s.text for s in _expected_headline(loaded)]


@pytest.mark.slow
def test_the_report_export_is_report_html_of_the_setup(base):
    setup = W.default_setup(base)
    sc = W.build_scenario(base, replace(setup, b=replace(setup.b, max_touches=3)))
    sc = sc.model_copy(update={"replications": 2})
    page = W.report_html(sc)
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype html")
    assert "1-3-7-14-28-58 cadence (changed)" in page
    assert "<script" not in page.lower()


# ---------------------------------------------------------------- the link
def test_a_link_gives_back_the_same_setup(base):
    setup = W.default_setup(base)
    setup = replace(setup, a=replace(W.start_edit(base, "mixed_channels"), rep_pushiness=0.7),
                    b=replace(_with_step(setup.b, 1, 4), max_touches=4, book_next_step=True), skill=0.65, seed=99,
                    reps=2)
    params = W.encode_setup(setup)
    assert params["seed"] == "99"
    back = W.decode_setup(params, base)
    assert back == setup
    assert W.build_scenario(base, back) == W.build_scenario(base, setup)


def test_a_damaged_link_is_refused_with_a_message(base):
    with pytest.raises(ScenarioError, match="could not be read"):
        W.decode_setup({"setup": "not-a-setup", "seed": "1"}, base)


# ---------------------------------------------------------------- one prospect
@pytest.mark.parametrize("pick", W.STORY_PICKS)
def test_the_story_pair_follows_one_prospect_of_the_picked_kind(base, cache, pick):
    sc = W.build_scenario(base, W.default_setup(base))
    pair = stories.story_pair(sc, cache, pick)
    assert pair.a.prospect == pair.b.prospect
    picked = pair.a if pair.under == "A" else pair.b
    assert kind_of(picked.events) == pick
    if pair.candidates > 1:
        other = stories.story_pair(sc, cache, pick, nth=1)
        assert other.a.prospect != pair.a.prospect
        assert kind_of((other.a if other.under == "A" else other.b).events) == pick


# ---------------------------------------------------------------- starting the page
def test_the_server_command_is_local_and_sends_no_statistics():
    argv, env = W.streamlit_command(8999, Path("scenarios/baseline.yaml"))
    assert argv[1:5] == ["-m", "streamlit", "run", str(W.app_path())]
    for flag in ("--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.headless=true",
                 "--server.port=8999"):
        assert flag in argv
    assert env["STREAMLIT_SERVER_ADDRESS"] == "127.0.0.1"
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert env["STREAMLIT_SERVER_HEADLESS"] == "true"
    assert env[W.SCENARIO_ENV].endswith("scenarios/baseline.yaml")


def test_the_workshop_command_refuses_a_bad_scenario_before_starting(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nhorizon: 365\n")
    out = CliRunner().invoke(app, ["workshop", str(path)])
    assert out.exit_code == 2
    assert "horizon" in out.output and "Traceback" not in out.output


# ---------------------------------------------------------------- the page, headless (AppTest)
def _page(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _headlines(at) -> list[str]:
    return [m.value[5:] for m in at.markdown if m.value.startswith("#### ")]


def _run(at):
    next(b for b in at.button if b.label == "Run").click()
    return at.run()


@pytest.mark.slow
def test_the_page_opens_with_the_headline_of_the_default_setup(base):
    at = _page()
    assert not at.exception
    expected = _expected_headline(W.build_scenario(base, W.default_setup(base)))
    assert _headlines(at) == [s.text for s in expected]


@pytest.mark.slow
def test_choose_a_preset_edit_a_step_and_run(base):
    at = _page()
    at.selectbox(key="start-B").set_value("five_and_stop").run()
    assert not at.exception
    at.session_state["B-1-steps"] = {"edited_rows": {1: {"day": 3}}, "added_rows": [], "deleted_rows": []}
    at.number_input(key="B-1-max").set_value(4)
    at.run()
    assert any("changed since the last run" in i.value for i in at.info)
    at = _run(at)
    assert not at.exception
    setup = W.default_setup(base)
    expected_b = replace(_with_step(W.start_edit(base, "five_and_stop"), 1, 3), max_touches=4)
    sc = W.build_scenario(base, replace(setup, b=expected_b))
    assert _headlines(at) == [s.text for s in _expected_headline(sc)]
    # the address now carries this setup and seed
    assert W.decode_setup(dict(at.query_params), base) == replace(setup, b=expected_b)


@pytest.mark.slow
def test_bad_input_shows_the_message_and_no_traceback():
    at = _page()
    at.session_state["B-0-steps"] = {"edited_rows": {0: {"day": 0}}, "added_rows": [], "deleted_rows": []}
    at.number_input(key="reps").set_value(-2)
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "strategies.B.steps[0].day: Input should be greater than or equal to 1 (got 0.0)" in errors
    assert "team.reps[0].count: Input should be greater than or equal to 1 (got -2)" in errors
    run = next(b for b in at.button if b.label == "Run")
    assert run.disabled


@pytest.mark.slow
def test_predict_then_reveal_hides_the_numbers_until_reveal(base):
    at = _page()
    at.toggle(key="predict").set_value(True).run()
    at = _run(at)
    assert _headlines(at) == []
    assert any(b.label == "Reveal" for b in at.button)
    at.number_input(key="hands-b").set_value(7)
    at.number_input(key="hands-a").set_value(5)
    next(b for b in at.button if b.label == "Reveal").click()
    at.run()
    assert not at.exception
    assert len(_headlines(at)) == 1
    table = at.table[0].value
    assert table.iloc[0]["the room"] == "7 said B, 5 said A"
    view = W.compare(W.build_scenario(base, W.default_setup(base)), W.RunCache())
    shown = [m.value[2:] for m in at.markdown if m.value.startswith("- ")]
    assert view.questions[0] in shown and view.questions[1] in shown


@pytest.mark.slow
def test_a_link_reopens_the_same_view(base):
    setup = W.default_setup(base)
    setup = replace(setup, b=replace(W.start_edit(base, "daily_two_weeks"), max_touches=5), seed=31)
    at = _page(**W.encode_setup(setup))
    assert not at.exception
    assert _headlines(at) == [s.text for s in _expected_headline(W.build_scenario(base, setup))]


def test_the_tradeoff_chart_puts_a_and_b_at_their_numbers_over_every_preset(base, cache):
    sc = W.build_scenario(base, W.default_setup(base))
    view = W.compare(sc, cache)
    presets = W.preset_points(sc, cache)
    ax = charts.tradeoff_figure(view, presets).axes[0]
    points = {c.get_label(): tuple(float(v[0]) for v in c.lines[0].get_data()) for c in ax.containers}
    for side in W.SIDES:
        p = view.point(side)
        assert points[f"{side}: {view.names[side]}"] == pytest.approx((p["complaints"], p["close_rate"]))
    assert len(ax.containers) == 2 + len(presets)
    # the preset run in this world is the preset as a plain run would give it
    row = presets.set_index("strategy").loc["one_and_done"]
    assert row.close_rate == pytest.approx(view.point("A")["close_rate"])


@pytest.mark.slow
def test_the_page_starts_from_a_scenario_file(monkeypatch, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nhorizon: 60d\nreplications: 3\nseed: 4\npopulation: {outbound: {size: 300}}\n"
                    "strategies:\n  odd: {label: Odd days, steps: [{day: 1}, {day: 3}, {day: 5}]}\n"
                    "  once: {preset: one_and_done}\nbaseline: once\n")
    monkeypatch.setenv(W.SCENARIO_ENV, str(path))
    at = _page()
    assert not at.exception
    base = W.base_from_file(path)
    sc = W.build_scenario(base, W.default_setup(base))
    assert (sc.replications, sc.seed, sc.horizon) == (3, 4, 60 * 24 * 60)
    assert _headlines(at) == [s.text for s in _expected_headline(sc)]
    assert "“Odd days”" in _headlines(at)[0]
