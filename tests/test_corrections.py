"""The model corrections found by independent checks, each tested alone with the other causes
switched off, against the value its rule predicts.

1. "Complained after a clear no" applies to touches after the no, never to the no itself.
2. ``last_day`` holds when the touch is made, not only when it is planned.
3. A buyer we have talked to does not "give up waiting"; a booked call with a buyer happens.
4. Shared lead queue: M/M/3 waits match Erlang C; owner routing does not depend on when the
   call is due; a calendar open through midnight is one shift.
5. Common random numbers: the same reach-out gets the same answering luck under any strategy.
6. Sales by outbound attempt number, not by touch count.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.model.calendar import Calendar
from sim.scenario.schema import WorkCalendar
from sim.scenario.units import DAY

CALL_OUTCOMES_MISSED = {"no_answer", "voicemail"}
NOT_A_TOUCH = {"dropped", "past_last_day", "forgotten"}
CADENCE = {"new_lead", "follow_up", "prospecting"}


def _touches(events):
    """Rows that are touches we made (calls and messages), not bookkeeping rows."""
    return events[events.channel.isin(["call", "email", "sms"]) & ~events.outcome.isin(NOT_A_TOUCH)]


# ---------------------------------------------------------------- 1. after a clear no
def _no_scenario(strategy: dict, seed: int = 5) -> sim.Scenario:
    return sim.Scenario(
        horizon="120d", seed=seed,
        population={"outbound": {"size": 4000, "ramp": "5d"}, "inbound": {"per_day": 0},
                    "reachability": {"kind": "beta", "mean": 0.4, "concentration": 10}},
        readiness={"share_of_voice": 0.0, "recent_share": 0.0},  # nobody reaches out
        conversation={"opt_out_on_no": 0.0, "not_interested": {"ready": 0.3, "considering": 0.5, "not_ready": 0.7}},
        complaints={"frequency_risk": 0.0, "after_no_risk": 0.1},  # only the after-no cause can fire
        team={"reps": [{"count": 1, "pushiness": 0.0}], "unlimited": True},
        strategies={"s": strategy},
    )


def test_a_strategy_that_stops_on_a_no_draws_no_after_no_complaints():
    r = sim.run_replication(_no_scenario({"preset": "five_and_stop"}), "s", 0, event_log=True)
    ev = r.events
    assert (ev.outcome == "not_interested").sum() > 500  # plenty of "no"s, each a chance to mislabel
    assert r.metrics["complaints_after_no"] == 0
    assert (ev.complaint_cause == "after_no").sum() == 0


def test_after_no_risk_applies_to_every_touch_after_the_no_and_not_to_the_no_itself():
    r = sim.run_replication(_no_scenario({"preset": "ignore_no"}), "s", 0, event_log=True)
    touches = _touches(r.events)
    no_time = touches[touches.outcome == "not_interested"].groupby("prospect").time_min.min()
    t = touches.join(no_time.rename("no_at"), on="prospect")
    on_no = t[t.time_min == t.no_at]
    after = t[t.time_min > t.no_at]
    assert (on_no.complaint_cause == "after_no").sum() == 0
    n = len(after)
    rate = (after.complaint_cause == "after_no").sum() / n
    se = math.sqrt(0.1 * 0.9 / n)
    assert n > 3000 and abs(rate - 0.1) < 4 * se, (n, rate, se)


# ---------------------------------------------------------------- 2. last_day
def test_no_cadence_touch_after_last_day_on_a_busy_team():
    sc = sim.Scenario(
        horizon="60d", seed=2,
        population={"outbound": {"size": 1500, "ramp": "10d"}, "inbound": {"per_day": 10}},
        team={"reps": [{"count": 1}]},
        strategies={"s": {"preset": "five_and_stop", "last_day": 5}},  # days 1, 2, 4, (7, 11)
    )
    r = sim.run_replication(sc, "s", 0, event_log=True)
    cadence = _touches(r.events)
    cadence = cadence[cadence.kind.isin(CADENCE)]
    first = cadence.groupby("prospect").time_min.min()  # day 1 of each prospect's cadence
    day = (cadence.time_min - cadence.prospect.map(first)) / DAY
    assert len(cadence) > 2000
    assert day.max() < 5, f"a cadence touch on day {day.max() + 1:.2f} of a 5-day cadence"
    assert r.metrics["past_last_day"] > 0  # the busy rep really pushed steps past day 5
    assert (r.events.outcome == "past_last_day").sum() == r.metrics["past_last_day"]


# ---------------------------------------------------------------- 3. buyers who reached out
def _buyers_scenario(**strategy) -> sim.Scenario:
    return sim.Scenario(
        horizon="150d", seed=9,
        population={"outbound": {"size": 3000, "ramp": "10d"}, "inbound": {"per_day": 0}},
        readiness={"share_of_voice": 0.6, "recent_share": 0.9},
        # buyers who reach out mostly book rather than buy on the spot, so bookings are many
        conversation={"hot": {"intent_boost": 0.0}, "sale": {"ready": 0.1, "considering": 0.03, "not_ready": 0.003}},
        team={"reps": [{"count": 2}]},
        strategies={"s": {"preset": "booked_next_step", **strategy}},
    )


def test_buyers_who_gave_up_waiting_were_never_reached():
    r = sim.run_replication(_buyers_scenario(), "s", 0, event_log=True)
    ev = r.events
    gave_up = ev[ev.outcome == "gave_up_waiting"]
    assert len(gave_up) == r.metrics["buyers_gave_up_waiting"] > 20
    assert r.metrics["buyers_lost_after_talking"] > 0
    calls = ev[(ev.channel == "call") & ~ev.outcome.isin(CALL_OUTCOMES_MISSED | NOT_A_TOUCH)]
    reach = ev[ev.kind == "reach_out"]
    for pid, t in gave_up[["prospect", "time_min"]].itertuples(index=False):
        since = reach[(reach.prospect == pid) & (reach.time_min < t)].time_min.max()
        talked = calls[(calls.prospect == pid) & (calls.time_min >= since) & (calls.time_min <= t)]
        assert talked.empty, f"prospect {pid} was talked to at {list(talked.time_min)} and still 'gave up waiting'"


def test_a_call_booked_with_a_buyer_happens_while_they_still_wait():
    """booking_delay (3 days) is longer than patience (2 days): the booked time restarts the
    buyer's patience, so the booked call finds them still ready, not already bought."""
    sc = _buyers_scenario()
    assert sc.strategies["s"].booking_delay > sc.readiness.patience
    ev = sim.run_replication(sc, "s", 0, event_log=True).events
    reach = ev[ev.kind == "reach_out"].groupby("prospect").time_min.min()
    booked = ev[(ev.kind == "booked") & ev.prospect.isin(reach.index)]
    booked = booked[booked.time_min > booked.prospect.map(reach)]
    assert len(booked) > 20
    assert (booked.readiness == "off_market").sum() == 0, booked[booked.readiness == "off_market"].head()


# ---------------------------------------------------------------- 4. routing and shifts
def _queue_scenario(per_minute: float, routing: str, first_response: str = "0s", seed: int = 1) -> sim.Scenario:
    """Inbound leads only, at a constant Poisson rate, around the clock; one call each, due on
    arrival, answered, exponential 6-minute service, nothing after it: an M/M/c queue."""
    return sim.Scenario(
        horizon="20d", seed=seed, replications=8,
        population={"outbound": {"size": 0}, "inbound": {"per_day": per_minute * DAY, "hourly": None, "weekday": None},
                    "reachability": {"kind": "fixed", "value": 1.0}},
        readiness={"frozen": True, "share_of_voice": 0.0, "recent_share": 0.0},
        conversation={"unqualified": 1.0, "sale": {"ready": 0, "considering": 0, "not_ready": 0},
                      "not_interested": {"ready": 0, "considering": 0, "not_ready": 0}},
        complaints={"enabled": False},
        durations={"conversation": {"kind": "exponential", "mean": "6m"}, "wrap_up_connect": {"kind": "fixed", "value": "0s"}},
        team={"reps": [{"count": 3}], "calendar": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                                   "start": "00:00", "end": "24:00"},
              "queue": {"routing": routing, "drop_after": "30d"}},
        strategies={"s": {"steps": [{"day": 1}], "first_response": first_response, "respect_calling_hours": False}},
    )


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """(chance to wait, mean wait) of an M/M/c queue."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def _waits(sc: sim.Scenario, shift: float = 0.0) -> list[np.ndarray]:
    return [sim.run_replication(sc, "s", r).response_times - shift for r in range(sc.replications)]


def _mean_and_half(values) -> tuple[float, float]:
    x = np.asarray(values, float)
    return x.mean(), 4 * x.std(ddof=1) / math.sqrt(len(x))  # 4 standard errors


@pytest.mark.slow
@pytest.mark.parametrize("load", [0.5, 0.8])
def test_shared_queue_waits_match_erlang_c(load):
    lam, mu, c = load * 3 / 6.0, 1 / 6.0, 3
    p_wait, wq = erlang_c(c, lam, mu)
    waits = _waits(_queue_scenario(lam, "shared"))
    assert min(len(w) for w in waits) > 0.9 * lam * 20 * DAY
    mean, half = _mean_and_half([w.mean() for w in waits])
    assert abs(mean - wq) < half, (mean, wq, half)
    share, half = _mean_and_half([(w > 1e-9).mean() for w in waits])
    assert abs(share - p_wait) < half, (share, p_wait, half)


@pytest.mark.slow
def test_owner_routing_does_not_depend_on_when_the_first_call_is_due():
    lam = 0.5 * 3 / 6.0
    now = _waits(_queue_scenario(lam, "owner", "0s"))
    later = _waits(_queue_scenario(lam, "owner", "1h"), shift=60.0)
    for stat in (np.mean, lambda w: (w > 5).mean()):
        a, ha = _mean_and_half([stat(w) for w in now])
        b, hb = _mean_and_half([stat(w) for w in later])
        assert abs(a - b) < math.hypot(ha, hb), (a, b)


def test_owner_routing_queues_longer_than_a_shared_queue():
    """The design gap the checks found: with owners, an idle rep never takes another rep's
    waiting lead, so waits are longer than one shared queue's at the same load."""
    lam = 0.8 * 3 / 6.0
    shared = np.concatenate(_waits(_queue_scenario(lam, "shared").model_copy(update={"replications": 3})))
    owner = np.concatenate(_waits(_queue_scenario(lam, "owner").model_copy(update={"replications": 3})))
    assert owner.mean() > 1.2 * shared.mean(), (owner.mean(), shared.mean())


def test_a_calendar_open_through_midnight_is_one_shift():
    every_day = Calendar(WorkCalendar(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start="00:00", end="24:00"))
    assert every_day.shift_end(3 * DAY + 100) == math.inf
    weekdays = Calendar(WorkCalendar(start="00:00", end="24:00"))  # Monday to Friday
    assert weekdays.shift_end(1 * DAY + 100) == 5 * DAY  # from Tuesday to Friday's midnight
    late = Calendar(WorkCalendar(start="16:00", end="24:00"))  # ends at midnight, next day starts at 16:00
    assert late.shift_end(DAY + 17 * 60) == 2 * DAY
    office = Calendar(WorkCalendar())
    assert office.shift_end(DAY + 10 * 60) == DAY + 17 * 60


def test_no_call_is_put_back_at_midnight_on_a_round_the_clock_team():
    """Calls run across midnight: the talk time of a call that starts just before it is kept."""
    sc = _queue_scenario(0.4, "shared").model_copy(update={"replications": 1})
    ev = sim.run_replication(sc, "s", 0, event_log=True).events
    calls = ev[ev.channel == "call"].sort_values("time_min")
    minute = calls.time_min % DAY
    assert ((minute > DAY - 3) | (minute < 3)).sum() > 20  # calls keep starting around midnight


# ---------------------------------------------------------------- 5. common random numbers
def test_the_same_reach_out_gets_the_same_luck_under_any_strategy():
    """An unlimited team calls every buyer back at the same moment under both strategies, so
    with luck keyed by the event the callback's answer and outcome must agree every time,
    however many calls each strategy made before."""
    sc = sim.Scenario(
        horizon="120d", seed=4,
        population={"outbound": {"size": 5000, "ramp": "5d"}, "inbound": {"per_day": 0}},
        readiness={"share_of_voice": 0.8, "recent_share": 0.8},
        team={"reps": [{"count": 1}], "unlimited": True},
        strategies={"one": {"preset": "one_and_done"}, "five": {"preset": "five_and_stop"}},
    )
    first_callbacks = []
    for name in ("one", "five"):
        ev = sim.run_replication(sc, name, 0, event_log=True).events
        reach = ev[ev.kind == "reach_out"][["prospect", "time_min"]]
        cb = ev[(ev.kind == "callback") & (ev.channel == "call")]
        rows = {}
        for pid, t in reach.itertuples(index=False):
            after = cb[(cb.prospect == pid) & (cb.time_min >= t)]
            if len(after):
                row = after.iloc[0]
                rows[(pid, t)] = (row.time_min - t, row.outcome)
        first_callbacks.append(rows)
    common = [k for k in first_callbacks[0] if k in first_callbacks[1]
              and first_callbacks[0][k][0] == first_callbacks[1][k][0]]
    assert len(common) > 100
    differ = [k for k in common if first_callbacks[0][k][1] != first_callbacks[1][k][1]]
    assert not differ, f"{len(differ)} of {len(common)} identical reach-outs got different callback outcomes"


# ---------------------------------------------------------------- 6. sales by attempt
def test_sales_are_counted_by_outbound_attempt_not_by_touch():
    sc = sim.Scenario(horizon="120d", seed=8, population={"outbound": {"size": 2000}, "inbound": {"per_day": 5}},
                      strategies={"one": {"preset": "one_and_done"}, "wait": {"preset": "wait_for_call"}})
    one = sim.run_replication(sc, "one", 0).metrics
    by_attempt = {k: v for k, v in one.items() if k.startswith("sales_attempt_")}
    assert sum(by_attempt.values()) == one["sales"] > 20
    assert one["sales_attempt_1"] > 0 and all(v == 0 for k, v in by_attempt.items()
                                              if k not in ("sales_attempt_0", "sales_attempt_1"))
    wait = sim.run_replication(sc, "wait", 0).metrics
    assert wait["sales"] == wait["sales_attempt_0"] == wait["sales_prospect_initiated"] > 0


def test_a_strategy_may_choose_its_own_lead_routing():
    """``routing`` on a strategy overrides the team's, so one scenario compares both on the
    same leads (scenarios/lead_routing.yaml)."""
    lam = 0.5 * 3 / 6.0
    by_team = _queue_scenario(lam, "owner").model_copy(update={"replications": 1})
    by_strategy = sim.Scenario.model_validate({
        **_queue_scenario(lam, "shared").model_dump(mode="json"),
        "strategies": {"s": {"steps": [{"day": 1}], "first_response": "0s", "respect_calling_hours": False,
                             "routing": "owner"}}})
    a, b = sim.run_replication(by_team, "s", 0).metrics, sim.run_replication(by_strategy, "s", 0).metrics
    assert a == b and a["lead_response_p90_min"] > 0


def test_calls_over_the_24_hour_limit_are_counted_when_it_exceeds_the_7_day_limit():
    """The ring of recent call times holds enough calls for both rules, whichever is larger."""
    sc = sim.Scenario(horizon="10d", population={"outbound": {"size": 40, "ramp": "0s"}, "inbound": {"per_day": 0},
                                                "reachability": {"kind": "fixed", "value": 0.0}},
                      rules={"max_calls_24h": 4, "max_calls_7d": 2}, team={"reps": [{"count": 2}]},
                      strategies={"s": {"steps": [{"day": 1}] + [{"after": "30m"}] * 11, "min_gap": "0s",
                                        "voicemail": False, "respect_calling_hours": False}})
    r = sim.run_replication(sc, "s", 0, event_log=True)
    calls = r.events[(r.events.channel == "call") & r.events.outcome.isin(CALL_OUTCOMES_MISSED)]
    expected = 0
    for _, t in calls.groupby("prospect").time_min:
        t = t.sort_values().to_numpy()
        expected += int(((t[4:] - t[:-4]) < DAY).sum())
    assert r.metrics["breach_over_3_in_24h"] == expected > 0
