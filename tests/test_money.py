"""Money: revenue is the deal values of the prospects who bought from us, cost the team's paid
hours at the rate plus each message at its price; both checked exactly against the event log."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.experiment.jobs import run_experiment
from sim.experiment.stats import summarize
from sim.model.world import build_world

MONEY_COLUMNS = {"revenue", "paid_rep_hours", "rep_cost", "message_cost", "cost", "profit", "cost_per_sale",
                 "revenue_per_rep_hour"}


def scenario(money: dict | None, **extra) -> sim.Scenario:
    fields = dict(
        horizon="28d", replications=1, seed=5,  # 28 days from a Monday: 20 working days
        population={"outbound": {"size": 400, "ramp": "5d"}, "inbound": {"per_day": 8}},
        team={"reps": [{"count": 3}]},  # 09:00-17:00 on weekdays: 3 x 20 x 8 = 480 paid hours
        strategies={"mixed": {"preset": "mixed_channels"}, "five": {"preset": "five_and_stop"}},
    )
    fields.update(extra)
    if money is not None:
        fields["money"] = money
    return sim.Scenario(**fields)


GAMMA = {"deal_value": {"kind": "gamma", "mean": 5000, "cv": 0.6}, "rep_hour_cost": 37.5, "email_cost": 0.02,
         "sms_cost": 0.07}


def sold(result) -> np.ndarray:
    ev = result.events
    return ev.loc[ev["outcome"] == "sale", "prospect"].to_numpy()


def test_revenue_is_the_deal_values_of_the_prospects_who_bought_from_us():
    sc = scenario(GAMMA)
    values = build_world(sc, sc.strategy("mixed"), 0).deal_values
    assert len(np.unique(values)) == len(values)  # a gamma: every prospect worth something different
    for name in sc.strategies:
        r = sim.run_replication(sc, name, 0, event_log=True)
        buyers = sold(r)
        assert len(buyers) == r.metrics["sales"] > 0
        assert r.metrics["revenue"] == math.fsum(values[buyers].tolist())


def test_a_fixed_deal_value_gives_sales_times_the_value_and_kinds_keep_their_own_values():
    r = sim.run_replication(scenario({"deal_value": {"kind": "fixed", "value": 5000}}), "five", 0)
    assert r.metrics["sales"] > 0 and r.metrics["revenue"] == r.metrics["sales"] * 5000
    sc = scenario({"inbound_deal_value": {"kind": "fixed", "value": 1000},
                   "outbound_deal_value": {"kind": "fixed", "value": 9000}})
    r = sim.run_replication(sc, "five", 0, event_log=True)
    buyers = sold(r)
    listed = int((buyers < r.metrics["list_prospects"]).sum())
    assert 0 < listed < len(buyers)  # both kinds bought
    assert r.metrics["revenue"] == 9000 * listed + 1000 * (len(buyers) - listed)


def test_cost_is_paid_rep_hours_at_the_rate_plus_each_message_at_its_price():
    sc = scenario(GAMMA)
    r = sim.run_replication(sc, "mixed", 0, event_log=True)
    ev = r.events
    emails, sms = int((ev["channel"] == "email").sum()), int((ev["channel"] == "sms").sum())
    assert emails > 0 and sms > 0
    m = r.metrics
    assert m["paid_rep_hours"] == 480
    assert m["cost"] == 480 * 37.5 + (emails * 0.02 + sms * 0.07)
    assert m["profit"] == m["revenue"] - m["cost"]
    assert m["cost_per_sale"] == m["cost"] / m["sales"]
    assert m["revenue_per_rep_hour"] == m["revenue"] / 480


def test_sales_per_rep_hour_needs_no_money_and_divides_by_the_paid_hours():
    """3 reps, 20 working days of 8 hours: 480 paid hours with or without a money: section, busy or
    not (the same under every cadence), so sales_per_rep_hour is sales / 480."""
    for money in (None, GAMMA):
        sc = scenario(money)
        for name in sc.strategies:
            m = sim.run_replication(sc, name, 0).metrics
            assert m["sales"] > 0 and m["sales_per_rep_hour"] == m["sales"] / 480
            if money is not None:
                assert m["sales_per_rep_hour"] == m["sales"] / m["paid_rep_hours"]
    from sim.optimize.goals import objective_for

    assert objective_for("sales_per_rep_hour", scenario(None)).maximize


def test_money_changes_nothing_else_and_is_absent_without_it():
    plain, paid = scenario(None), scenario(GAMMA)
    for name in plain.strategies:
        a = sim.run_replication(plain, name, 0).metrics
        b = sim.run_replication(paid, name, 0).metrics
        assert not MONEY_COLUMNS & set(a)
        assert set(b) - set(a) == MONEY_COLUMNS
        assert {k: v for k, v in b.items() if k in a} == a  # the same prospects, the same luck


def test_the_summary_pairs_profit_with_the_baseline():
    sc = scenario(GAMMA, replications=3)
    runs = run_experiment(sc).runs()
    summary = summarize(runs, sc.baseline).set_index(["strategy", "metric"])
    diff = (runs[runs.strategy == "five"].set_index("replication")["profit"]
            - runs[runs.strategy == "mixed"].set_index("replication")["profit"])
    assert summary.loc[("five", "profit_vs_baseline"), "mean"] == pytest.approx(diff.mean(), rel=1e-12)


def test_the_schema_describes_money_and_only_a_money_run_draws_the_profit_plot():
    schema = sim.Scenario.model_json_schema(mode="validation")
    money = schema["$defs"]["Money"]["properties"]
    assert set(money) == {"deal_value", "inbound_deal_value", "outbound_deal_value", "rep_hour_cost", "email_cost",
                          "sms_cost"}
    assert all(field.get("description") for field in money.values())
    import matplotlib.pyplot as plt

    from sim.present.plots import figures

    for sc, expected in ((scenario(GAMMA, horizon="7d"), True), (scenario(None, horizon="7d"), False)):
        exp = run_experiment(sc, replications=2)
        made = figures(exp, summarize(exp.runs(), sc.baseline))
        assert ("profit" in made) is expected
        for fig in made.values():
            plt.close(fig)
