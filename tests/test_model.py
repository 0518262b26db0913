"""The engine against what can be known exactly: theory, invariants, effects, reproducibility.

Tolerances come from standard errors stated beside each test (fixed seeds, never tuned).
"""
from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.engine import Model
from sim.model.results import build_result
from sim.model.readiness import CONSIDERING, STATE_NAMES, Tail, dwell_means, generator, jump_matrix, published_mix, stationary
from sim.scenario.schema import Readiness
from sim.scenario.units import DAY

CADENCE_KINDS = {"prospecting", "follow_up", "new_lead"}
NO_CONNECT = {"no_answer", "voicemail"}


def _first_connect_index(events: pd.DataFrame) -> pd.Series:
    calls = events[(events.channel == "call") & events.kind.isin(CADENCE_KINDS)].copy()
    calls["k"] = calls.groupby("prospect").cumcount() + 1
    connected = calls[~calls.outcome.isin(NO_CONNECT)]
    return connected.groupby("prospect")["k"].min()


@pytest.mark.slow
def test_reach_within_k_calls_is_geometric():
    p, k, n = 0.1, 8, 20000
    sc = sim.Scenario(
        horizon="30d", seed=4,
        population={"outbound": {"size": n, "ramp": "5d"}, "inbound": {"per_day": 0},
                    "reachability": {"kind": "fixed", "value": p}},
        readiness={"frozen": True}, team={"unlimited": True}, complaints={"enabled": False},
        conversation={"sale": {"ready": 0, "considering": 0, "not_ready": 0},
                      "not_interested": {"ready": 0, "considering": 0, "not_ready": 0}, "unqualified": 0},
        strategies={"eight": {"steps": [{"day": d} for d in range(1, k + 1)], "voicemail": False}},
    )
    first = _first_connect_index(sim.run_replication(sc, "eight", 0, event_log=True).events)
    for j in range(1, k + 1):
        expected = 1 - (1 - p) ** j
        se = math.sqrt(expected * (1 - expected) / n)  # binomial SE of a share over n independent prospects
        observed = (first <= j).sum() / n
        assert abs(observed - expected) < 3 * se, (j, observed, expected)


def test_default_chain_gives_published_mix_and_solves_pi_q():
    r = Readiness()
    pi = stationary(r)
    assert pi.sum() == pytest.approx(1.0)
    assert np.allclose(pi @ generator(r), 0.0, atol=1e-12)
    mix = published_mix(pi)
    assert mix["ready"] == pytest.approx(0.03, abs=0.005)
    assert mix["considering"] == pytest.approx(0.40, abs=0.005)
    assert mix["not_ready"] == pytest.approx(0.57, abs=0.005)


def test_redrawn_tails_draw_exactly_what_generator_choice_drew():
    """Tail looks jumps up in cumulative rows instead of calling Generator.choice; from every
    state, the same generator must give the same path to the last bit (and a frozen chain
    stays put)."""
    r = Readiness()
    tail, means, jumps = Tail(r), dwell_means(r), jump_matrix(r)
    for seed in range(200):
        for state in range(4):
            rng = np.random.default_rng(seed)
            times, states, t, s = [5.0], [state], 5.0, state
            while True:
                t = t + rng.exponential(means[s])
                if t > 3e6:
                    break
                s = int(rng.choice(4, p=jumps[s]))
                times.append(t)
                states.append(s)
            assert tail.sample(np.random.default_rng(seed), state, 5.0, 3e6) == (times, states)
    assert Tail(Readiness(frozen=True)).sample(np.random.default_rng(0), 2, 5.0, 3e6) == ([5.0], [2])


def test_redrawn_tails_have_the_chains_dwell_means_and_jump_chances():
    """A long redrawn path: each state's mean dwell (exponential: sd = mean / sqrt(visits))
    and the share of considering -> ready jumps (binomial sd) match the chain's rates."""
    r = Readiness()
    times, states = Tail(r).sample(np.random.default_rng(11), 0, 0.0, 2e10)
    dwell = np.diff(times)
    left = np.array(states[:-1])
    assert len(dwell) > 150_000
    for state, mean in enumerate(dwell_means(r)):
        d = dwell[left == state]
        assert abs(d.mean() - mean) < 4 * mean / math.sqrt(len(d)), STATE_NAMES[state]
    nxt = np.array(states[1:])[left == CONSIDERING]
    p = jump_matrix(r)[CONSIDERING, 2]
    assert abs((nxt == 2).mean() - p) < 4 * math.sqrt(p * (1 - p) / len(nxt))


@pytest.mark.slow
def test_mix_without_calls_matches_the_stationary_distribution():
    n = 20000
    sc = sim.Scenario(
        horizon="500d", seed=9,
        population={"outbound": {"size": n}, "inbound": {"per_day": 0}},
        readiness={"share_of_voice": 0.0, "recent_share": 0.0},
        strategies={"wait": {"preset": "wait_for_call"}},
    )
    res = sim.run_replication(sc, "wait", 0)
    assert res.metrics["calls"] == 0
    pi = stationary(sc.readiness)
    for day in (0, 200, 450):  # each day is a cross-section of n independent stationary chains
        row = res.readiness.loc[res.readiness.day == day, list(STATE_NAMES[:4])].to_numpy(float)[0]
        se = np.sqrt(pi * (1 - pi) / n)
        assert np.all(np.abs(row / n - pi) < 4 * se), (day, row / n, pi)


@pytest.fixture(scope="module")
def busy():
    sc = sim.Scenario(
        horizon="90d", seed=2,
        population={"outbound": {"size": 2500}, "inbound": {"per_day": 20}},
        team={"reps": [{"count": 2, "pushiness": 0.5}]},
        strategies={n: {"preset": n} for n in ("ignore_no", "daily_two_weeks", "booked_next_step", "mixed_channels")},
    )
    return {name: sim.run_replication(sc, name, 0, event_log=True) for name in sc.strategies}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ignore_no", "daily_two_weeks", "booked_next_step", "mixed_channels"])
def test_invariants_on_a_busy_team(busy, name):
    res = busy[name]
    ev, m = res.events, res.metrics
    touches = ev[ev.channel.isin(["call", "email", "sms"]) & ~ev.outcome.isin(["dropped", "forgotten"])]
    sales = touches[touches.outcome == "sale"]
    assert sales.prospect.is_unique, "nobody buys twice"
    sale_time = sales.set_index("prospect").time_min
    after = touches[touches.prospect.isin(sale_time.index)]
    assert (after.time_min <= after.prospect.map(sale_time)).all(), "no touch after a sale"
    rep_calls = touches[(touches.channel == "call") & (touches.rep != "")]
    minute = rep_calls.time_min % DAY
    weekday = (rep_calls.time_min // DAY) % 7
    assert ((minute >= 9 * 60) & (minute < 17 * 60) & (weekday < 5)).all(), "calls only in working hours"
    # a call started inside the shift may run past its end (docs/model.md 5.2), so a rep's busy
    # time can pass the 8 hours by the length of that last call, never by more than a long one
    assert (res.rep_days.busy_minutes <= 8 * 60 + 180).all(), "no rep works hours past the day's end"
    assert m["breach_after_opt_out"] == 0
    finals = pd.Series(res.final_states).value_counts()
    assert finals.sum() == m["prospects"] and finals.get("bought_from_us", 0) == m["sales"] == len(sales)
    assert m["complaints"] == m["complaints_frequency"] + m["complaints_after_no"] + m["complaints_pushy_rep"]
    assert m["close_rate"] == pytest.approx(m["sales"] / m["prospects"])


def _binomial_diff_se(a: float, b: float, n: int) -> float:
    return math.sqrt(a * (1 - a) / n + b * (1 - b) / n)


@pytest.mark.slow
def test_frequency_not_count_drives_complaints():
    n = 20000
    base = dict(horizon="120d", seed=13, team={"unlimited": True},
                population={"outbound": {"size": n}, "inbound": {"per_day": 0}},
                complaints={"after_no_risk": 0.0, "pushy_risk": 0.0})
    packed = {"steps": [{"day": 1}] + [{"after": "1d"}] * 5, "min_gap": "12h", "stop_on_no": False}
    spread = {"steps": [{"day": d} for d in (1, 13, 25, 37, 49, 61)], "stop_on_no": False}
    sc = sim.Scenario(**base, strategies={"packed": packed, "spread": spread})
    a = sim.run_replication(sc, "packed", 0).metrics["complaints_frequency"] / n
    b = sim.run_replication(sc, "spread", 0).metrics["complaints_frequency"] / n
    assert a - b > 3 * _binomial_diff_se(a, b, n), (a, b)


@pytest.mark.slow
def test_calling_a_lead_within_a_minute_beats_the_next_day():
    sc = sim.Scenario(horizon="60d", seed=21, population={"outbound": {"size": 0}, "inbound": {"per_day": 80}},
                      team={"reps": [{"count": 12}]},
                      strategies={"fast": {"preset": "one_and_done", "first_response": "1m"},
                                  "slow": {"preset": "one_and_done", "first_response": "1d"}})
    fast, slow = (sim.run_replication(sc, s, 0, event_log=True) for s in ("fast", "slow"))
    n = fast.metrics["inbound_leads"]
    assert n == slow.metrics["inbound_leads"] > 3000
    reached = [(_first_connect_index(r.events) == 1).sum() / n for r in (fast, slow)]
    assert reached[0] - reached[1] > 3 * _binomial_diff_se(*reached, n)
    sold = [r.metrics["sales"] / n for r in (fast, slow)]
    assert sold[0] - sold[1] > 3 * _binomial_diff_se(*sold, n)


@pytest.mark.slow
def test_ignoring_no_and_pushy_reps_each_raise_their_own_cause():
    n = 6000
    sc = sim.Scenario(horizon="120d", seed=17, team={"unlimited": True},
                      population={"outbound": {"size": n}, "inbound": {"per_day": 0}},
                      strategies={"polite": {"preset": "cadence_1_3_7_14_28_58"},
                                  "ignore": {"preset": "ignore_no"},
                                  "pushy": {"preset": "cadence_1_3_7_14_28_58", "rep_pushiness": 1.0}})
    m = {s: sim.run_replication(sc, s, 0).metrics for s in sc.strategies}
    for strat, cause in (("ignore", "complaints_after_no"), ("pushy", "complaints_pushy_rep")):
        a, b = m[strat][cause] / n, m["polite"][cause] / n
        assert a - b > 3 * _binomial_diff_se(a, b, n), (strat, a, b)


def test_same_seed_same_event_log_byte_for_byte():
    sc = sim.Scenario(horizon="40d", population={"outbound": {"size": 400}, "inbound": {"per_day": 10}},
                      strategies={"c": {"preset": "booked_next_step"}})
    a = sim.run_replication(sc, "c", 1, event_log=True)
    b = sim.run_replication(sc, "c", 1, event_log=True)
    assert a.events.to_csv(index=False) == b.events.to_csv(index=False)
    assert a.metrics == b.metrics
    c = sim.run_replication(sc, "c", 2, event_log=True)
    assert a.events.to_csv(index=False) != c.events.to_csv(index=False), "another replication differs"


def test_strategies_share_prospects_arrivals_and_readiness():
    sc = sim.Scenario(horizon="40d", population={"outbound": {"size": 300}, "inbound": {"per_day": 10}},
                      strategies={"a": {"preset": "one_and_done"}, "b": {"preset": "daily_two_weeks", "first_response": "1m"}})
    ma, mb = (Model(sc, sc.strategies[s], 3) for s in ("a", "b"))
    assert ma.arrivals == mb.arrivals and len(ma.arrivals) > 100
    assert ma.reach == mb.reach and ma.tolerance == mb.tolerance
    assert np.array_equal(ma.paths.states, mb.paths.states) and np.array_equal(ma.paths.times, mb.paths.times)
    assert np.array_equal(ma.uniforms.tape, mb.uniforms.tape)
    ra, rb = (sim.run_replication(sc, s, 3, event_log=True) for s in ("a", "b"))
    arrivals = [r.events.loc[r.events.kind == "arrival", "time_min"].tolist() for r in (ra, rb)]
    assert arrivals[0] == arrivals[1]
    pd.testing.assert_series_equal(ra.readiness.iloc[0], rb.readiness.iloc[0])


def test_chunked_mix_equals_the_realized_paths():
    """build_result reads the paths in chunks; any chunk size gives what the full realized paths give."""
    from sim.model.results import _mix_and_bought_elsewhere, _mix_over_time, _realized_paths

    sc = sim.Scenario(horizon="60d", population={"outbound": {"size": 400}, "inbound": {"per_day": 5}},
                      strategies={"c": {"preset": "booked_next_step"}})
    rec = Model(sc, sc.strategies["c"], 1).run()
    assert len(rec.redrawn) > 20, "some futures were redrawn (sales, nurtures)"
    pid, t, s = _realized_paths(rec)
    first = np.r_[True, pid[1:] != pid[:-1]]
    expected_elsewhere = np.zeros(rec.n_prospects, dtype=bool)
    expected_elsewhere[pid[(s == 3) & ~first & (t <= rec.horizon)]] = True
    assert expected_elsewhere.any()
    for chunk in (7, 1000, 1 << 16):
        mix, elsewhere = _mix_and_bought_elsewhere(rec, chunk)
        pd.testing.assert_frame_equal(mix, _mix_over_time(pid, t, s, rec.n_days))
        assert np.array_equal(elsewhere, expected_elsewhere)


@pytest.mark.parametrize("name", list(sim.PRESETS))
def test_a_run_makes_no_reference_cycles(name):
    """Model.run switches the cycle collector off: that is safe only while a run leaves no
    garbage that reference counting cannot free. With the collector off throughout, a
    collection after the run must find nothing (the model itself is still referenced)."""
    sc = sim.Scenario(horizon="60d", population={"outbound": {"size": 300}, "inbound": {"per_day": 5}},
                      strategies={name: {"preset": name}})
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        model = Model(sc, sc.strategies[name], 0, event_log=True)
        result = model.run()
        assert not gc.isenabled(), "run() must leave the collector as it found it"
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
    assert build_result(result).metrics["prospects"] > 300


def test_a_chain_with_an_unreachable_state_runs():
    """to_ready 0 leaves 'ready' unreachable: its long-run share is exactly 0 (closed form, not
    a least-squares solve that gave -6e-13 and crashed the start-state draw), and a run works."""
    r = Readiness(to_ready=0.0)
    pi = stationary(r)
    assert pi[2] == 0.0 and pi[3] == 0.0 and abs(pi.sum() - 1) < 1e-15
    sc = sim.Scenario(horizon="30d", population={"outbound": {"size": 200}}, readiness={"to_ready": 0.0})
    assert sim.run_replication(sc, "five_and_stop", 0).metrics["prospects"] > 200
