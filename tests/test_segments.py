"""Segments and the team's own stopping in the engine (docs/model.md 2.3, 6.5): each mechanism alone,
with readiness frozen, complaints off and an unlimited team, against the value its rule predicts
(tolerances from the standard error); the schema's errors with their field paths."""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.engine import run_replication
from sim.model.metrics import metric_names
from sim.scenario.loading import ScenarioError, validate_data
from sim.scenario.schema import Scenario

N = 3000


def base(**population) -> dict:
    """One listed name per prospect, everything but answering and selling switched off."""
    return {
        "name": "segments_test", "horizon": "40d", "replications": 1, "seed": 5,
        "population": {"outbound": {"size": N, "ramp": "0d"}, "inbound": {"per_day": 0},
                       "reachability": {"kind": "fixed", "value": 1.0}, **population},
        "readiness": {"frozen": True, "buy_at_window_end": 0.0},
        "conversation": {"sale": {"ready": 0.0, "considering": 0.0, "not_ready": 0.0},
                         "not_interested": {"ready": 1.0, "considering": 1.0, "not_ready": 1.0},
                         "unqualified": 0.0, "opt_out_on_no": 0.0, "skill_effect": 0.0},
        "complaints": {"enabled": False}, "team": {"unlimited": True},
        "strategies": {"daily": {"steps": [{"day": 1}], "repeat": {"every": "1d"}, "max_touches": 20,
                                 "voicemail": False, "stop_on_no": False, "min_gap": "12h"}},
    }


def within(got: float, p: float, n: int, z: float = 4.0) -> bool:
    return abs(got - p) <= z * math.sqrt(p * (1 - p) / n) + 1e-12


def test_segment_conversation_and_reachability_set_each_cells_close_rate():
    """One attempt each: a prospect buys with chance reachability x its cell's conversation sale chance."""
    data = base(segments={"columns": {"phone": {
        "mobile": {"share": 0.5, "reachability": {"kind": "fixed", "value": 0.5}, "conversation": {"sale": 0.4, "not_interested": 0.6}},
        "landline": {"share": 0.5, "conversation": {"sale": 0.1, "not_interested": 0.9}}}}})
    data["strategies"]["daily"]["max_touches"] = 1
    m = run_replication(Scenario.model_validate(data), "daily").metrics
    for value, p in (("mobile", 0.5 * 0.4), ("landline", 1.0 * 0.1)):
        n = m[f"segment_phone_{value}_prospects"]
        assert within(m[f"segment_phone_{value}_close_rate"], p, n)
        assert m[f"segment_phone_{value}_calls"] == n  # one call each
    assert within(m["segment_phone_mobile_prospects"] / N, 0.5, N)
    assert m["segment_phone_mobile_sales"] + m["segment_phone_landline_sales"] == m["sales"]


def test_cells_carry_the_joint_shares_and_the_same_prospect_is_in_the_same_cell_under_every_strategy():
    cells = [{"values": {"phone": "mobile", "earlier": "success"}, "share": 0.2},
             {"values": {"phone": "mobile", "earlier": "none"}, "share": 0.3},
             {"values": {"phone": "landline", "earlier": "none"}, "share": 0.5}]
    data = base(segments={"cells": cells})
    data["strategies"]["other"] = {**data["strategies"]["daily"], "max_touches": 2}
    sc = Scenario.model_validate(data)
    a = run_replication(sc, "daily").metrics
    b = run_replication(sc, "other").metrics
    assert a["segment_earlier_success_prospects"] == b["segment_earlier_success_prospects"]
    assert a["segment_phone_landline_prospects"] == b["segment_phone_landline_prospects"]
    assert within(a["segment_earlier_success_prospects"] / N, 0.2, N)
    assert within(a["segment_phone_mobile_prospects"] / N, 0.5, N)
    # joint: every success is on mobile (no landline & success cell)
    assert a["segment_phone_landline_prospects"] + a["segment_earlier_success_prospects"] <= N
    assert list(k for k in a if k.startswith("segment_")) == [n for n in metric_names(sc) if n.startswith("segment_")]


def test_give_up_hazards_set_the_attempts_per_prospect():
    """No sale, everyone answers: attempts end only by the give-up rule, k = 1, 2, 3 with 0.5, 0.25, 0.25."""
    data = base()
    data["strategies"]["daily"]["give_up"] = {"hazard": [0.0, 0.5, 0.5, 1.0]}
    data["strategies"]["probability"] = {**data["strategies"]["daily"],
                                         "give_up": {"probability": [0.0, 0.5, 0.25, 0.25]}}
    sc = Scenario.model_validate(data)
    for name in ("daily", "probability"):
        m = run_replication(sc, name).metrics
        mean, sd = 1.75, math.sqrt(0.5 * 1 + 0.25 * 4 + 0.25 * 9 - 1.75 ** 2)
        assert abs(m["calls"] / N - mean) <= 4 * sd / math.sqrt(N)
    # the same table gives up on the same prospects (one uniform per prospect, whatever the strategy)
    assert run_replication(sc, "daily").metrics["calls"] == run_replication(sc, "probability").metrics["calls"]


def test_give_up_per_segment_and_at_zero_attempts():
    data = base(segments={"columns": {"phone": {"mobile": {"share": 0.5}, "landline": {"share": 0.5}}}})
    data["strategies"]["daily"]["give_up"] = {"hazard": [0.0, 0.0, 1.0],
                                              "segments": [{"when": {"phone": "landline"}, "hazard": [1.0]}]}
    m = run_replication(Scenario.model_validate(data), "daily").metrics
    assert m["segment_phone_landline_calls"] == 0  # given up before the first attempt
    assert m["segment_phone_mobile_calls"] == 2 * m["segment_phone_mobile_prospects"]


def test_stop_after_conversation_ends_the_cadence_after_a_conversation_that_did_not_sell():
    data = base()
    data["strategies"]["stop"] = {**data["strategies"]["daily"], "stop_after_conversation": True}
    sc = Scenario.model_validate(data)
    assert run_replication(sc, "stop").metrics["calls"] == N  # everyone answers, nobody buys: one call each
    assert run_replication(sc, "daily").metrics["calls"] == 20 * N


def test_without_segments_nothing_is_drawn_and_no_segment_metric_is_reported():
    sc = Scenario.model_validate(base())
    assert not any(n.startswith("segment_") for n in metric_names(sc))


def test_draws_do_not_depend_on_the_strategy():
    from sim.model.world import build_world
    data = base(segments={"columns": {"phone": {"mobile": {"share": 0.3, "reachability": {"kind": "beta", "mean": 0.3}},
                                                "landline": {"share": 0.7}}}})
    data["strategies"]["other"] = {"preset": "five_and_stop"}
    sc = Scenario.model_validate(data)
    a, b = build_world(sc, sc.strategy("daily"), 0), build_world(sc, sc.strategy("other"), 0)
    assert np.array_equal(a.segment, b.segment) and list(a.reach) == list(b.reach)


BAD = [
    ({"columns": {"phone": {"mobile": {"share": 0.5}, "landline": {"share": 0.4}}}},
     "population.segments.columns.phone: the shares of its values sum to 0.9"),
    ({"cells": [{"values": {"phone": "mobile", "region": "x"}, "share": 1.0}],
      "columns": {"phone": {"mobile": {}}}},
     "cells[0].values: unknown column 'region'"),
    ({"cells": [{"values": {"phone": "mobile"}, "share": 0.6}, {"values": {"phone": "landline"}, "share": 0.3}]},
     "cells: the shares sum to 0.9"),
    ({"columns": {"phone": {"mobile": {"share": 1.0, "reachability": {"kind": "fixed", "value": 1.5}}}}},
     "reachability is a chance to answer, between 0 and 1"),
    ({"cells": [{"values": {"phone": "mobile"}, "share": 1.0, "conversation": {"sale": 0.9}}]},
     "population.segments.cells[0].conversation: sale + not_interested + unqualified exceed 1"),
    ({"columns": {"phone": {"mobile": {"share": 1.0, "deal_value": {"kind": "fixed", "value": 5}}}}},
     "deal_value: a deal value needs a money: section"),
    ({"columns": {"a": {"x": {"share": 1.0, "reachability": {"kind": "fixed", "value": 0.1}}},
                  "b": {"y": {"share": 1.0, "reachability": {"kind": "fixed", "value": 0.2}}}}},
     "reachability is set by values of both a and b"),
]


@pytest.mark.parametrize("segments,expected", BAD)
def test_bad_segments_are_refused_with_their_field_path(segments, expected):
    data = {"population": {"segments": segments}}
    with pytest.raises(ScenarioError) as err:
        validate_data(data, "s.yaml")
    assert expected in str(err.value), str(err.value)


def test_a_give_up_table_for_an_unknown_segment_value_is_refused():
    data = {"population": {"segments": {"columns": {"phone": {"mobile": {"share": 1.0}}}}},
            "strategies": {"s": {"steps": [{"day": 1}], "give_up": {
                "hazard": [0.5], "segments": [{"when": {"phone": "fax"}, "hazard": [1.0]}]}}}}
    with pytest.raises(ScenarioError, match=r"strategies.s.give_up.segments\[0\].when.phone: 'fax' is not a value"):
        validate_data(data, "s.yaml")
    data["strategies"]["s"]["give_up"] = {"hazard": [1.5]}
    with pytest.raises(ScenarioError, match=r"hazard\[0\]: 1.5 is not a chance"):
        validate_data(data, "s.yaml")


def test_the_report_has_a_sentence_and_a_chart_per_segment_column(tmp_path):
    from conftest import cli
    data = base(segments={"columns": {"phone": {"mobile": {"share": 0.5, "conversation": {"sale": 0.3, "not_interested": 0.7}},
                                                "landline": {"share": 0.5}}}})
    data["population"]["outbound"]["size"] = 300
    data["replications"] = 2
    path = tmp_path / "s.yaml"
    import yaml
    path.write_text(yaml.safe_dump(data))
    assert cli("run", path, "--out", tmp_path / "out", "--quiet", "--no-plots").returncode == 0
    proc = cli("report", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<h2 id=segments>By segment</h2>" in page
    assert "By phone, under daily: " in page and "% of mobile prospects bought" in page and "(95% interval " in page
    assert page.count("alt='Close rate by phone'") == 1


def test_the_report_says_how_a_strategy_gives_up():
    from sim.present.report import describe_strategy
    data = base()
    data["strategies"]["daily"].update(give_up={"hazard": [0.0, 0.3, 0.5]}, stop_after_conversation=True)
    words = describe_strategy(Scenario.model_validate(data).strategy("daily"), False)
    # P(k <= 1) = 0.3, P(k <= 2) = 0.3 + 0.7 x 0.5 = 0.65: half are given up by attempt 2
    assert "half of those not sold given up by attempt 2" in words
    assert "stops after any conversation that did not sell" in words
