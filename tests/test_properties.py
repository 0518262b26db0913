"""Property tests (hypothesis) for the schema and the model (issue 15).

1. Random small valid scenarios always run and satisfy the invariants: one end state per
   prospect, nobody buys twice, calls only in working hours (and legal hours when the strategy
   respects them), no touch after a complaint or an unsubscribe unless counted as a breach,
   and the metrics equal the event log's counts.
2. Random mutations of a valid file either validate and run, or fail cleanly: exit code 2,
   one message, no traceback, nothing written.

Fixed budgets keep `make test` fast and the examples the same on every run (derandomized):
SCENARIO_EXAMPLES scenarios and MUTATION_EXAMPLES mutated files.
"""
from __future__ import annotations

import pandas as pd
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.scenario.loading import ScenarioError, validate_data
from sim.model.prospects import FINAL_STATES
from sim.scenario.units import DAY

SCENARIO_EXAMPLES = 30
MUTATION_EXAMPLES = 100
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@st.composite
def small_scenarios(draw):
    start = draw(st.integers(5, 14))
    end = draw(st.integers(start + 1, min(start + 10, 24)))
    days = draw(st.lists(st.sampled_from(WEEK), min_size=1, max_size=7, unique=True))
    strategy = {"preset": draw(st.sampled_from(list(sim.PRESETS)))}
    if draw(st.booleans()):
        strategy["respect_calling_hours"] = draw(st.booleans())
    if draw(st.booleans()):
        strategy["max_touches"] = draw(st.integers(0, 8))
    if draw(st.booleans()):
        strategy["first_response"] = f"{draw(st.integers(1, 600))}m"
    return {
        "name": "prop",
        "horizon": f"{draw(st.integers(3, 30))}d",
        "replications": 1,
        "seed": draw(st.integers(0, 2**32)),
        "population": {"outbound": {"size": draw(st.integers(0, 60)), "ramp": f"{draw(st.integers(1, 10))}d"},
                       "inbound": {"per_day": draw(st.floats(0, 6))}},
        "team": {"reps": [{"count": draw(st.integers(1, 3)), "pushiness": draw(st.floats(0, 1)),
                           "skill": draw(st.floats(0, 1))}],
                 "unlimited": draw(st.booleans()), "reminders": draw(st.booleans()),
                 "calendar": {"days": days, "start": f"{start:02d}:00", "end": f"{end:02d}:00" if end < 24 else "24:00"}},
        "strategies": {"s": strategy},
    }


@settings(max_examples=SCENARIO_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_random_small_scenarios_run_and_keep_the_invariants(data):
    try:
        sc = validate_data(data, "generated")
    except ScenarioError:
        assume(False)  # e.g. working hours that never meet the legal calling hours
    res = sim.run_replication(sc, "s", 0, event_log=True)
    m, ev = res.metrics, res.events
    strategy = sc.strategies["s"]
    # one end state per prospect, and the counts agree
    assert len(res.final_states) == m["prospects"] == m["list_prospects"] + m["inbound_leads"]
    assert set(res.final_states) <= set(FINAL_STATES)
    assert sum(m[k] for k in ("sales", "opt_outs", "disqualified", "lost_to_competitor", "open_at_end")) == m["prospects"]
    finals = pd.Series(res.final_states).value_counts()
    # metrics equal the event log's counts
    calls = ev[(ev.channel == "call") & ~ev.outcome.isin(["dropped", "forgotten"])]
    touches = ev[ev.channel.isin(["call", "email", "sms"]) & ~ev.outcome.isin(["dropped", "forgotten"])]
    sales = touches[touches.outcome == "sale"]
    assert m["calls"] == len(calls)
    assert m["voicemails"] == int((calls.outcome == "voicemail").sum())
    assert m["sms"] == int((touches.channel == "sms").sum())
    assert m["sales"] == len(sales) == finals.get("bought_from_us", 0)
    assert m["complaints"] == int((ev.complaint_cause != "").sum())
    assert m["inbound_leads"] == int((ev.kind == "arrival").sum())
    assert sales.prospect.is_unique, "nobody buys twice"
    # calls only in working hours
    cal = sc.team.calendar
    minute = calls.time_min % DAY
    weekday = ((calls.time_min // DAY) % 7).astype(int)
    assert ((minute >= cal.start) & (minute < cal.end)).all(), "calls only in working hours"
    assert weekday.map(lambda d: WEEK[d] in cal.days).all(), "calls only on working days"
    if strategy.respect_calling_hours:  # one time zone (offset 0): legal hours are team hours
        assert ((minute >= sc.rules.legal_start) & (minute < sc.rules.legal_end)).all()
        assert m["breach_outside_hours"] == 0
    # no touch after a complaint or an unsubscribe, unless counted as a breach
    stops = ev[(ev.complaint_cause != "") | (ev.outcome == "unsubscribed")].groupby("prospect").time_min.min()
    later = touches[touches.prospect.isin(stops.index)]
    after = later[later.time_min > later.prospect.map(stops)]
    assert len(after[after.channel == "call"]) <= m["breach_after_opt_out"]
    assert len(after[after.channel != "call"]) == 0, "no email or SMS after an opt-out"


VALID = """\
name: mutant
horizon: 6d
replications: 1
seed: 4
population:
  outbound: {size: 30, ramp: 3d}
  inbound: {per_day: 2, mix: {ready: 0.25, considering: 0.6, not_ready: 0.15}}
  reachability: {kind: beta, mean: 0.2, concentration: 5}
  timezones: {0: 1.0}
readiness: {buying_window: 30d, to_ready: 0.15}
conversation: {unqualified: 0.05, hot: {answer: 0.9, answer_decay: 15m}}
durations: {conversation: {kind: lognormal, mean: 6m, cv: 0.8}}
team:
  reps: [{count: 2, pushiness: 0.2, skill: 0.5}]
  calendar: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}
  queue: {drop_after: 5d}
rules: {legal_start: "08:00", legal_end: "20:00", max_calls_24h: 3}
strategies:
  a: {preset: five_and_stop, first_response: 5m}
  b: {steps: [{day: 1}, {after: 2d, channel: email}], max_touches: 4}
baseline: a
"""

REPLACEMENTS = st.one_of(
    st.sampled_from([None, True, False, 0, 1, 2, -1, 0.5, 1.5, 10**9, 10**20, 1e308, float("nan"), float("inf"),
                     "", "x", "5", "3d", "0s", "3650d", "99999w", "09:00", "25:00", "beta", "fixed", "call",
                     [], [1], {}, {"kind": "fixed", "value": 0.5}, {"kind": "beta"}, "[/]", "$\\bad{$", "=1+1"]),
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.text(max_size=12),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _node(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_files(draw):
    """VALID with one to three edits: a value replaced, a section emptied, a field deleted or added."""
    data = yaml.safe_load(VALID)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        containers = [p for p in paths if isinstance(_node(data, p), (dict, list))]
        leaves = [p for p in paths if p not in containers]
        action = draw(st.sampled_from(["replace"] * 4 + ["empty", "delete", "add"]))
        if action == "empty" and containers:
            path = draw(st.sampled_from(containers))
            _node(data, path[:-1])[path[-1]] = type(_node(data, path))()
        elif action == "add" and containers:
            path = draw(st.sampled_from([p for p in containers if isinstance(_node(data, p), dict)] or [()]))
            target = _node(data, path)
            target[draw(st.sampled_from(["extra", "max_touchez", "kind", "mean", "count", "size"]))] = draw(REPLACEMENTS)
        else:
            path = draw(st.sampled_from(leaves or paths))
            parent = _node(data, path[:-1])
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(REPLACEMENTS)
    return yaml.safe_dump(data, sort_keys=False)


@settings(max_examples=MUTATION_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=mutated_files())
def test_mutated_files_validate_and_run_or_fail_cleanly(text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutant")
    path = folder / "mutant.yaml"
    path.write_text(text)
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(path)])
    assert checked.exception is None or isinstance(checked.exception, SystemExit), (text, checked.output)
    assert checked.exit_code in (0, 2), (text, checked.output)
    event("refused by validate" if checked.exit_code == 2 else "valid")
    if checked.exit_code == 2:
        assert checked.output.startswith("error: ") and checked.output.count("error: ") == 1, checked.output
        assert "mutant.yaml" in checked.output and "Traceback" not in checked.output
        res = runner.invoke(app, ["run", str(path), "--out", str(folder / "out"), "--no-plots", "-q"])
        assert res.exit_code == 2 and res.output == checked.output.replace("validate", "run"), res.output
        assert sorted(p.name for p in folder.iterdir()) == ["mutant.yaml"], "nothing written"
        return
    res = runner.invoke(app, ["run", str(path), "--out", str(folder / "out"), "--no-plots", "-q"])
    assert res.exception is None or isinstance(res.exception, SystemExit), (text, res.output, res.exception)
    assert res.exit_code in (0, 2), (text, res.output)  # 2: refused by the machine's limits, before running
    if res.exit_code == 0:
        assert (folder / "out" / "manifest.json").is_file()
    else:
        assert "error: " in res.output and not (folder / "out").exists()
