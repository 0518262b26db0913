"""Generated sentences state the numbers they are built from, and say "no clear difference" when an interval spans it."""
import re

import numpy as np
import pandas as pd
import pytest

from sim.present import sentences as S
from sim.experiment.stats import ratio_interval, summarize

NAMES = {"one": "Call once", "many": "Many calls", "same": "Same again"}


def _runs():
    rng = np.random.default_rng(4)
    base = np.array([40.0, 44.0, 37.0, 42.0, 39.0])
    return pd.DataFrame({
        "strategy": ["one"] * 5 + ["many"] * 5 + ["same"] * 5,
        "replication": list(range(5)) * 3,
        "prospects": 1000.0,
        "sales": np.r_[base, 3 * base + rng.normal(0, 3, 5), base + rng.normal(0, 4, 5)],
        "complaints_per_1000": np.r_[np.full(5, 5.0), np.full(5, 35.0) + rng.normal(0, 2, 5), 5 + rng.normal(0, 2, 5)],
        "calls": np.r_[np.full(5, 2000.0), np.full(5, 12000.0), np.full(5, 2000.0)],
        "sales_prospect_initiated": np.r_[0.7 * base, np.full(5, 60.0), 0.5 * base],
        "dropped_tasks": np.r_[np.zeros(5), np.full(5, 12.0), np.zeros(5)],
        "booked_calls": np.r_[np.zeros(5), np.full(5, 100.0), np.zeros(5)],
        "booked_connects": np.r_[np.zeros(5), np.full(5, 60.0), np.zeros(5)],
        "connects": np.r_[np.full(5, 180.0), np.full(5, 1160.0), np.full(5, 180.0)],
    })


def test_headline_states_the_paired_ratio_and_the_complaint_difference():
    runs = _runs()
    summary = summarize(runs, "one")
    by = {s.strategy: s for s in S.comparisons(summary, runs, NAMES, "one")}
    a = runs[runs.strategy == "many"]["sales"].to_numpy()
    b = runs[runs.strategy == "one"]["sales"].to_numpy()
    ratio, lo, hi, _ = ratio_interval(a, b)
    d = runs[runs.strategy == "many"]["complaints_per_1000"].to_numpy() - 5.0
    text = by["many"].text
    assert ratio > 2 and f"closed {ratio:.1f} times as many deals as “Call once” (95% interval {lo:.1f} to {hi:.1f})" in text
    assert re.search(rf"with {round(d.mean())} more complaints per 1,000 prospects \(95% interval \d+ to \d+\)", text)
    assert "no clear difference" not in text


def test_intervals_spanning_no_effect_read_no_clear_difference():
    runs = _runs()
    by = {s.strategy: s for s in S.comparisons(summarize(runs, "one"), runs, NAMES, "one")}
    text = by["same"].text
    assert "made no clear difference to deals" in text and "no clear difference in complaints" in text
    lo, hi = by["same"].values["ratio_low"], by["same"].values["ratio_high"]
    assert lo < 1 < hi


def test_fewer_deals_are_said_as_a_percentage_fewer():
    runs = _runs()
    by = {s.strategy: s for s in S.comparisons(summarize(runs, "many"), runs, NAMES, "many")}
    ratio = by["one"].values["ratio"]
    assert f"closed {100 * (1 - ratio):.0f}% fewer deals than “Many calls”" in by["one"].text


def test_teaching_figures_are_ratios_of_the_means():
    runs = _runs()
    figs = {f.strategy: f for f in S.teaching_figures(summarize(runs, "one"), NAMES)}
    many = runs[runs.strategy == "many"].mean(numeric_only=True)
    f = figs["many"]
    assert f.calls_per_sale == pytest.approx(many["calls"] / many["sales"])
    assert f.prospect_initiated_share == pytest.approx(60 / many["sales"])
    assert f.dropped_follow_ups == 12 and f.booked_connect_rate == pytest.approx(0.6)
    assert f.ordinary_connect_rate == pytest.approx(1100 / 11900)
    assert np.isnan(figs["one"].booked_connect_rate)
    text = {s.strategy: s.text for s in S.figure_sentences(list(figs.values()))}["many"]
    assert f"made {round(f.calls_per_sale)} calls per sale" in text and "booked call connected 60.0% of the time against 9.2%" in text
    assert "9.2% for an ordinary dial" in text and "dropped 12 follow-ups" in text


def test_questions_and_the_few_replications_warning():
    runs = _runs()
    summary = summarize(runs, "one")
    qs = S.reflection_questions(summary, runs, NAMES, "one")
    assert qs and all(q.endswith("?") for q in qs)
    assert S.replication_warning(summary) is None
    few = summarize(runs[runs.replication < 3], "one")
    assert "Only 3 replications" in S.replication_warning(few)


@pytest.mark.parametrize("x,text", [(1117.4, "1,117"), (37.2, "37"), (3.33, "3.3"), (0.423, "0.42"), (0, "0")])
def test_numbers_are_rounded_for_reading(x, text):
    assert S.number(x) == text


@pytest.mark.parametrize("x,text", [(0.583, "58%"), (0.0912, "9.1%"), (0.004, "0.4%")])
def test_percentages_are_rounded_for_reading(x, text):
    assert S.percent(x) == text


def test_a_baseline_that_sold_nothing_is_compared_by_difference_not_ratio():
    runs = _runs()
    runs.loc[runs.strategy == "one", "sales"] = 0.0
    summary = summarize(runs, "one")
    by = {s.strategy: s for s in S.comparisons(summary, runs, NAMES, "one")}
    d = runs[runs.strategy == "many"]["sales"].mean()
    assert f"“Many calls” closed {round(d)} more deals per run than “Call once” (95% interval" in by["many"].text
    assert "times as many" not in by["many"].text


@pytest.mark.parametrize("r,ref,text", [(3.34, None, "3.3"), (1.049, None, "1.05"), (1.96, 2.4, "2.0"), (2.4, 1.9, "2.40")])
def test_ratios_keep_two_decimals_below_two(r, ref, text):
    assert S.times(r, ref) == text


def test_metric_sentence_states_each_strategy_and_its_paired_difference():
    runs = _runs()
    summary = summarize(runs, "one")
    text = S.metric_sentence(summary, NAMES, "one", "dropped_tasks").text
    assert text.startswith("Follow-ups dropped because the team was behind, per run: 0 under “Call once”;")
    assert "12 under “Many calls” (12 more" in text and "0 under “Same again” (the same)" in text
    calls = S.metric_sentence(summary, NAMES, "one", "complaints_per_1000").text
    d = summary.set_index(["strategy", "metric"]).loc[("same", "complaints_per_1000_vs_baseline")]
    assert (d["ci_low"] <= 0 <= d["ci_high"]) == ("“Same again” (no clear difference)" in calls)


def test_claim_sentence_counts_attempts_five_to_twelve():
    runs = _runs()
    runs["sales_attempt_0"] = 0.0
    for k in range(1, 13):
        runs[f"sales_attempt_{k}"] = runs["sales"] / 12
    runs["sales_attempt_13plus"] = 0.0
    text = S.claim_sentence(runs, NAMES).text
    assert text.startswith("Share of sales made on attempts 5 to 12: 67% under “Call once” (33% on attempts 1 to 4")
    assert text.endswith("The slide says 80%.")


def _money_runs():
    """Profit per run of three strategies against one baseline: clearly more, clearly less, no clear difference."""
    rng = np.random.default_rng(9)
    base = np.array([120_000.0, 131_000.0, 118_500.0, 126_000.0, 122_300.0])
    return pd.DataFrame({
        "strategy": ["base"] * 5 + ["more"] * 5 + ["less"] * 5 + ["same"] * 5,
        "replication": list(range(5)) * 4,
        "sales": 40.0,
        "profit": np.r_[base, base + 15_000 + rng.normal(0, 1_500, 5), base - 40_000 + rng.normal(0, 2_000, 5),
                        base + rng.normal(0, 6_000, 5)],
    })


MONEY_NAMES = {"base": "Our cadence", "more": "Plus a call", "less": "Call once", "same": "Same again"}


def _amount_agrees(printed: str, value: float) -> bool:
    """An amount as printed (three significant figures from 1,000 up) agrees with a value."""
    x = float(printed.replace(",", ""))
    step = 10 ** (len(str(int(abs(value)))) - 3) if abs(value) >= 1000 else 0.1
    return abs(x - abs(value)) <= 0.5 * step + 1e-9


def test_money_sentences_state_the_paired_profit_difference_from_the_summary():
    runs = _money_runs()
    summary = summarize(runs, "base")
    by = {s.strategy: s for s in S.money_sentences(summary, MONEY_NAMES, "base")}
    assert set(by) == {"more", "less", "same"}
    row = summary.set_index(["strategy", "metric"])
    num = r"([\d,]+)"
    for key, word in (("more", "more"), ("less", "less")):
        d, lo, hi = (float(row.loc[(key, "profit_vs_baseline"), c]) for c in ("mean", "ci_low", "ci_high"))
        assert (lo > 0) if key == "more" else (hi < 0)
        hit = re.fullmatch(rf"“{MONEY_NAMES[key]}” brought about {num} {word} profit per run than “Our cadence” "
                           rf"\(very probably between {num} and {num} {word}\)\.", by[key].text)
        assert hit, by[key].text
        assert _amount_agrees(hit.group(1), d)
        assert _amount_agrees(hit.group(2), min(abs(lo), abs(hi))) and _amount_agrees(hit.group(3), max(abs(lo), abs(hi)))
        assert by[key].values == {"profit_diff": d, "profit_diff_low": lo, "profit_diff_high": hi}
    d, lo, hi = (float(row.loc[("same", "profit_vs_baseline"), c]) for c in ("mean", "ci_low", "ci_high"))
    assert lo < 0 < hi
    hit = re.fullmatch(rf"“Same again” made no clear difference to profit compared with “Our cadence”: about {num} "
                       rf"(more|less) per run, but anywhere between {num} less and {num} more is likely, so it could "
                       rf"go either way\.", by["same"].text)
    assert hit and _amount_agrees(hit.group(1), d) and hit.group(2) == ("more" if d >= 0 else "less"), by["same"].text
    assert _amount_agrees(hit.group(3), lo) and _amount_agrees(hit.group(4), hi)


def test_no_money_sentence_without_money_and_a_plain_one_for_a_single_run():
    runs = _runs()
    assert S.money_sentences(summarize(runs, "one"), NAMES, "one") == []
    one = _money_runs()
    one = one[one.replication == 0]
    (first, *_) = S.money_sentences(summarize(one, "base"), MONEY_NAMES, "base")
    assert "in the one run made; run more replications to know how sure that is" in first.text


@pytest.mark.parametrize("x, text", [(12_345, "12,300"), (-15_432, "-15,400"), (999.4, "999"), (99_999, "100,000"),
                                     (1_234_567, "1,230,000"), (45.2, "45")])
def test_amounts_are_rounded_to_three_figures(x, text):
    assert S.amount(x) == text


@pytest.mark.parametrize("x,ref,text", [(0.172, 0.216, "17%"), (0.26, 0.216, "26%"), (0.001, 0.0009, "0.10%"),
                                        (0.0014, 0.0009, "0.14%"), (0.09, None, "9.0%"), (0.106, 0.077, "10.6%")])
def test_a_share_and_its_interval_are_written_with_the_decimals_of_their_reference(x, ref, text):
    assert S.percent(x, ref) == text


def test_one_rounding_rule_per_sentence_and_column():
    """Interval ends carry the decimals of the value they bound; a column's values all carry one
    number of decimals, from its most precise need, so none rounds to zero."""
    assert (S.number(2.94, 3.3), S.number(12.4, 3.3), S.number(0.4, 12)) == ("2.9", "12.4", "0")
    ref = S.column_ref([0.106, 0.31, 0.09, 0.077])
    assert [S.percent(x, ref) for x in (0.106, 0.31, 0.09, 0.077)] == ["10.6%", "31.0%", "9.0%", "7.7%"]
    summary = summarize(_runs(), "one")
    for s in S.comparisons(summary, _runs(), NAMES, "one") + [S.metric_sentence(summary, NAMES, "one", "calls")]:
        for a, b in re.findall(r"interval ([\d,.]+)%? to ([\d,.]+)", s.text):
            assert len(a.partition(".")[2]) == len(b.partition(".")[2]), s.text


def test_every_number_of_a_lesson_s_metric_sentences_is_a_mean_or_difference_of_the_summary():
    """The sentences a lesson answers with (``lessons.focus_sentences``: one metric across strategies),
    parsed back: each strategy's figure is its mean in the summary at the printed precision,
    each difference and interval end the paired difference's, scaled as the sentence says."""

    runs = _runs()
    for metric in ("sales", "calls", "complaints_per_1000", "dropped_tasks"):
        summary = summarize(runs, "one")
        s = S.metric_sentence(summary, NAMES, "one", metric)
        found = re.findall(r"([\d,.]+)%? under “([^”]+)”", s.text)
        assert len(found) == len(NAMES), s.text  # every strategy's figure is stated
        for printed, name in found:
            key = next(k for k, v in NAMES.items() if v == name)
            mean = S.mean_of(summary, key, metric)
            decimals = len(printed.partition(".")[2])
            assert abs(float(printed.replace(",", "")) - mean) <= 0.5 * 10 ** -decimals + 1e-9, (s.text, name)
        for name, d, lo, hi in re.findall(r"under “([^”]+)” \(([\d,.]+) (?:more|fewer), 95% interval ([\d,.]+) to "
                                          r"([\d,.]+)\)", s.text):
            key = next(k for k, v in NAMES.items() if v == name)
            mean, low, high, _ = S.row_of(summary, key, f"{metric}_vs_baseline")
            for printed, value in ((d, abs(mean)), (lo, min(abs(low), abs(high))), (hi, max(abs(low), abs(high)))):
                decimals = len(printed.partition(".")[2])
                assert abs(float(printed.replace(",", "")) - value) <= 0.5 * 10 ** -decimals + 1e-9, s.text
