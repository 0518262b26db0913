"""The metrics registry (sim/model/metrics.py) against what a run really reports, and against docs/model.md."""
from pathlib import Path

import pytest

import sim
from sim.scenario.loading import load_scenario
from sim.model.metrics import BY_NAME, CORE, lookup, markdown_table, metric_names
from sim.model.touches import CAUSES

ROOT = Path(__file__).resolve().parent.parent


def _short(path: str, **extra):
    sc = load_scenario(ROOT / path, replications=1)
    pop = sc.population
    return sc.model_copy(update={"horizon": 3 * 1440.0, **extra,
                                 "population": pop.model_copy(update={"outbound": pop.outbound.model_copy(update={"size": 40, "batches": [], "per_week": 0.0})})})


@pytest.mark.parametrize("path", ["scenarios/baseline.yaml", "scenarios/own_team.yaml"])
def test_the_registry_names_exactly_the_metrics_a_run_reports_in_their_order(path):
    sc = _short(path)
    reported = list(sim.run_replication(sc, next(iter(sc.strategies)), 0).metrics)
    assert reported == metric_names(sc)
    if path.endswith("own_team.yaml"):  # groups and money add their own
        assert "profit" in reported and any(n.startswith("group_") for n in reported)


def test_every_reported_metric_has_a_meaning_unit_and_direction_entry():
    sc = _short("scenarios/own_team.yaml")
    for name in metric_names(sc):
        m = lookup(name)
        assert m is not None, name
        assert m.meaning and m.unit and m.within_run
        assert lookup(name + "_vs_baseline") is m
    assert lookup("no_such_metric") is None
    assert {f"complaints_{c}" for c in CAUSES} <= set(BY_NAME)


def test_the_metric_table_of_docs_model_md_is_the_registry_s():
    text = (ROOT / "docs" / "model.md").read_text()
    assert markdown_table() in text, 'paste the table printed by: python -c "from sim.model.metrics import markdown_table; print(markdown_table())"'


def test_shares_are_shown_in_percent_and_have_a_direction():
    for m in CORE:
        if m.unit == "share" and m.header:
            assert m.scale == 100
    assert BY_NAME["close_rate"].higher_is_better is True
    assert BY_NAME["complaints_per_1000"].higher_is_better is False
