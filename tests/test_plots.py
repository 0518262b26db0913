"""Every comparison plot is drawn, labelled and written; one replication (no interval) works too."""
import matplotlib.pyplot as plt
import pytest

import sim
from sim.experiment import run_experiment
from sim.plots import figures, write_plots
from sim.stats import summarize


@pytest.mark.parametrize("replications", [1, 2])
def test_plots_have_labelled_axes_and_titles(replications, tmp_path):
    sc = sim.Scenario(horizon="30d", replications=replications,
                      population={"outbound": {"size": 200}, "inbound": {"per_day": 5}},
                      strategies={"one": {"preset": "one_and_done"}, "wait": {"preset": "wait_for_call"}})
    exp = run_experiment(sc)
    summary = summarize(exp.runs(), sc.baseline)
    for name, fig in figures(exp, summary).items():
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert axes, name
        for ax in axes:
            assert ax.get_xlabel() and ax.get_ylabel(), f"{name}: unlabelled axis"
        assert fig._suptitle is not None or all(ax.get_title() for ax in axes), f"{name}: no title"
        plt.close(fig)
    paths = write_plots(exp, summary, tmp_path / "plots")
    assert len(paths) == 7 and all(p.stat().st_size > 5000 for p in paths)
