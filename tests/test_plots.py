"""Plots a room can read: labelled, bounded intervals, no partial week, labels clear of each other, plain names."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import sim
from sim.experiment.jobs import run_experiment
from sim.present.plots import (figures, notes, plot_call_load, plot_complaints_by_cause, plot_cumulative_sales,
                       plot_readiness_mix, plot_response_time, plot_sales_by_touch, plot_tradeoff, write_plots)
from sim.experiment.stats import summarize
from sim.present.sweep_plots import field_words, plot_sweep


def _exp(replications=2, horizon="30d", **strategies):
    sc = sim.Scenario(horizon=horizon, replications=replications,
                      population={"outbound": {"size": 200}, "inbound": {"per_day": 5}},
                      strategies=strategies or {"one": {"preset": "one_and_done"}, "wait": {"preset": "wait_for_call"}})
    exp = run_experiment(sc)
    return exp, summarize(exp.runs(), sc.baseline)


@pytest.mark.parametrize("replications", [1, 2])
def test_plots_have_labelled_axes_and_titles(replications, tmp_path):
    exp, summary = _exp(replications)
    for name, fig in figures(exp, summary).items():
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert axes, name
        for ax in axes:
            assert ax.get_xlabel() and ax.get_ylabel(), f"{name}: unlabelled axis"
        assert fig._suptitle is not None or all(ax.get_title() for ax in axes), f"{name}: no title"
        plt.close(fig)
    paths = write_plots(exp, summary, tmp_path / "plots")
    assert len(paths) == 7 and all(p.stat().st_size > 5000 for p in paths)


def test_plots_show_labels_not_keys():
    exp, summary = _exp()
    fig = plot_tradeoff(exp, summary)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"Call once and stop", "Wait for them to call"} <= texts and "one" not in texts
    plt.close(fig)


def test_call_load_leaves_out_the_partial_last_week_and_ticks_whole_weeks():
    exp, _ = _exp(horizon="30d")  # 4 full weeks and 2 days
    fig = plot_call_load(exp)
    ax = fig.axes[0]
    xs = np.concatenate([line.get_xdata() for line in ax.get_lines()])
    assert xs.max() == 4 and xs.min() == 1
    assert all(float(t).is_integer() for t in ax.get_xticks())
    assert any("partial week 5" in t.get_text() for t in fig.texts)
    plt.close(fig)
    assert any("call_load.png leaves out the last 2 day(s)" in n for n in notes(exp))


def _lowest_drawn_y(fig) -> float:
    """The lowest y of every line, band and error bar drawn (in data units)."""
    low = np.inf
    for ax in fig.axes:
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), float)
            if y.size:
                low = min(low, np.nanmin(y))
        for coll in ax.collections:
            for path in coll.get_paths():
                if len(path.vertices):
                    low = min(low, path.vertices[:, 1].min())
    return low


def test_intervals_of_counts_never_go_below_zero_and_say_so():
    exp, summary = _exp(replications=2, horizon="30d")  # two replications: wide t intervals
    for fig in (plot_call_load(exp), plot_cumulative_sales(exp), plot_complaints_by_cause(exp)):
        assert _lowest_drawn_y(fig) >= 0
        if any("cut at" in t.get_text() for t in fig.texts):
            assert any("Only 2 replications" in t.get_text() for t in fig.texts)
        plt.close(fig)


def test_tradeoff_labels_do_not_overlap_when_points_coincide():
    exp, summary = _exp(a={"preset": "one_and_done"}, b={"preset": "one_and_done", "label": "The same, again"},
                        c={"preset": "one_and_done", "label": "And a third time"})
    fig = plot_tradeoff(exp, summary)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 3
    for i in range(3):
        for j in range(i + 1, 3):
            assert not boxes[i].overlaps(boxes[j]), (boxes[i], boxes[j])
    plt.close(fig)


def test_sales_by_attempt_uses_attempt_columns_and_reads_older_touch_columns():
    exp, _ = _exp(horizon="40d", one={"preset": "five_and_stop"})
    fig = plot_sales_by_touch(exp)
    ax = fig.axes[0]
    assert "attempt" in ax.get_xlabel() and len(ax.patches) == 14  # attempts 0..12 and 13+
    plt.close(fig)
    exp2, _ = _exp(horizon="40d", one={"preset": "five_and_stop"})
    for r in exp2.results:  # a results folder from before sales were counted by attempt
        m = r.metrics
        for k in range(1, 13):
            m[f"sales_touch_{k}"] = m.pop(f"sales_attempt_{k}")
        m["sales_touch_13plus"] = m.pop("sales_attempt_13plus")
        del m["sales_attempt_0"]
    fig = plot_sales_by_touch(exp2)
    assert "Touch number" in fig.axes[0].get_xlabel() and len(fig.axes[0].patches) == 13
    plt.close(fig)


def test_response_time_says_why_a_panel_is_empty():
    sc = sim.Scenario(horizon="20d", replications=1, population={"outbound": {"size": 100}, "inbound": {"per_day": 0}},
                      strategies={"one": {"preset": "one_and_done"}})
    exp = run_experiment(sc)
    fig = plot_response_time(exp)
    assert any("Empty" in t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
    assert any("response_time.png is empty" in n for n in notes(exp))


def test_response_time_explains_night_waits_and_names_left_out_strategies():
    exp, _ = _exp()
    fig = plot_response_time(exp)
    text = " ".join(t.get_text() for t in fig.texts)
    assert "night or at the weekend" in text and "Left out (no new lead called): Wait for them to call" in text
    plt.close(fig)


def test_readiness_mix_is_one_chart_whose_title_states_how_much_strategies_differ():
    from sim.present.plots import mix_shares

    exp, _ = _exp(one={"preset": "one_and_done"}, two={"preset": "five_and_stop"}, three={"preset": "wait_for_call"},
                  four={"preset": "cadence_1_3_7_14_28_58"})
    fig = plot_readiness_mix(exp)
    fig.canvas.draw()
    assert fig.legends and len(fig.axes) == 1 and not fig.axes[0].get_legend()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    shares = mix_shares(exp)
    ref = shares[exp.scenario.baseline]
    spread = max(float((m - ref).abs().max().max()) for m in shares.values())
    assert f"within {spread:.0f} points" in fig.axes[0].get_title()
    plt.close(fig)


def test_sweep_axes_in_words_with_integer_ticks_and_both_parameters_in_the_title():
    import pandas as pd

    rows = []
    for reps in (1, 2, 4):
        for cap in (2, 5):
            for metric in ("close_rate", "complaints_per_1000", "calls_per_rep_day_mean", "lead_response_median_min"):
                rows.append({"team.reps[0].count": reps, "strategies.a.max_touches": cap, "strategy": "a",
                             "metric": metric, "mean": 0.1 * reps, "ci_low": -0.5, "ci_high": 0.5, "n": 2})
    table = pd.DataFrame(rows)
    fig = plot_sweep(table, ["team.reps[0].count", "strategies.a.max_touches"], {"a": "Plan A"})
    ax = fig.axes[0]
    assert ax.get_xlabel() == field_words("team.reps[0].count") == "Number of reps (team.reps[0].count)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    title = fig._suptitle.get_text()
    assert "number of reps" in title and "most touches per prospect" in title
    assert fig.legends and not any(a.get_legend() for a in fig.axes)
    assert _lowest_drawn_y(fig) >= 0
    plt.close(fig)


def test_response_shares_count_a_dropped_lead_as_never_called():
    """A team too small for its leads drops some: the share called within a window is over every
    lead whose first call was due, so dropping leads cannot make a team look faster."""
    from sim.present.plots import RESPONSE_WINDOWS, response_shares

    sc = sim.Scenario(horizon="30d", replications=2, seed=4,
                      population={"outbound": {"size": 600, "ramp": "2d"}, "inbound": {"per_day": 40}},
                      team={"reps": [{"count": 1}], "queue": {"drop_after": "4h"}},
                      strategies={"fast": {"preset": "call_within_a_minute"}})
    exp = run_experiment(sc)
    shares = response_shares(exp)
    for r in exp.results:
        dropped = r.metrics["dropped_new_leads"]
        assert dropped > 0  # the mechanism under test is at work
        row = shares[shares.replication == r.replication].iloc[0]
        assert row["due"] == len(r.response_times) + dropped
        for limit, label in RESPONSE_WINDOWS:
            called = (r.response_times <= limit).sum()
            assert row[label] == pytest.approx(called / (len(r.response_times) + dropped))
            assert row[label] < called / len(r.response_times)  # what leaving the dropped out would say
