"""`run --resume` trusts nothing it did not write (issue 29): saved runs are read without pickle,
each must match its digest and its job (scenario, strategy, replication, seed, versions), and
any other is discarded and run again with a line saying so; the results equal an uninterrupted
run's. An interrupted run is made by stopping the library's run after three finished runs."""
from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.interrupts import RunInterrupted
from sim.scenario.loading import load_scenario
from sim.actions.runner import run_into_folder

TINY = """\
name: tiny
horizon: 10d
replications: 3
seed: 3
population: {outbound: {size: 40}, inbound: {per_day: 1}}
strategies:
  one: {preset: one_and_done}
  many: {preset: cadence_1_3_7_14_28_58}
"""
KEPT = 3


class Planted:
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY)
    return tmp_path


def interrupted(home: Path) -> Path:
    """results/tiny stopped after KEPT of its 6 runs: its partial folder's runs/."""
    def stop(done, _total):
        if done >= KEPT:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as info:
        run_into_folder(load_scenario(home / "tiny.yaml"), home / "results" / "tiny", progress=stop, plots=False)
    assert info.value.done == KEPT
    runs = home / "results" / ".tiny.partial" / "runs"
    assert sorted(p.name for p in runs.iterdir()) == [f"{i:06d}.npz" for i in range(KEPT)]
    return runs


def resume(*extra):
    return CliRunner().invoke(app, ["run", "tiny.yaml", "--no-plots", "--resume", *extra])


def whole(home: Path) -> bytes:
    res = CliRunner().invoke(app, ["run", "tiny.yaml", "--no-plots", "--quiet", "--out", "whole"])
    assert res.exit_code == 0, res.output
    return (home / "whole" / "runs.csv").read_bytes()


def test_untouched_saved_runs_are_used(home):
    interrupted(home)
    res = resume()
    assert res.exit_code == 0, res.output
    assert f"resuming: {KEPT} of 6 runs were finished before" in res.output and "discarded" not in res.output
    assert (home / "results" / "tiny" / "runs.csv").read_bytes() == whole(home)


def test_a_planted_pickle_runs_nothing(home):
    runs = interrupted(home)
    target = home / "planted-ran"
    (runs / "000003.pickle").write_bytes(pickle.dumps(Planted(str(target))))
    res = resume()
    assert res.exit_code == 0, res.output
    assert not target.exists(), "the planted command ran"
    assert "1 saved run of the interrupted run discarded and run again: 000003.pickle: a pickle file" \
        in " ".join(res.output.split())
    assert (home / "results" / "tiny" / "runs.csv").read_bytes() == whole(home)
    pickle.loads((pickle.dumps(Planted(str(target)))))  # the same bytes, unpickled, do run it
    assert target.exists()


def test_swapped_runs_are_discarded_and_run_again(home):
    runs = interrupted(home)
    a, b = runs / "000000.npz", runs / "000001.npz"
    data_a = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data_a)
    res = resume()
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "2 saved runs of the interrupted run discarded and run again" in text
    assert "000000.npz: it belongs to another job (replication differ)" in text
    assert f"resuming: {KEPT - 2} of 6 runs" in text
    assert (home / "results" / "tiny" / "runs.csv").read_bytes() == whole(home)


@pytest.mark.parametrize("damage", ["truncated", "text", "pickle named .npz", "another scenario's run"])
def test_a_damaged_or_foreign_saved_run_is_run_again(home, damage):
    runs = interrupted(home)
    path = runs / "000002.npz"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "text":
        path.write_text("not a run")
    elif damage == "pickle named .npz":
        path.write_bytes(pickle.dumps(Planted(str(home / "planted-ran"))))
    else:  # a run of the same strategy and replication of another seed, with the fingerprint copied
        other = home / "other"
        other.mkdir()
        (other / "tiny.yaml").write_text(TINY.replace("seed: 3", "seed: 4"))
        stolen = interrupted(other)
        shutil.copy(stolen / "000002.npz", path)
    res = resume()
    assert res.exit_code == 0, res.output
    assert "1 saved run of the interrupted run discarded and run again: 000002.npz" in " ".join(res.output.split())
    assert "Traceback" not in res.output and not (home / "planted-ran").exists()
    assert (home / "results" / "tiny" / "runs.csv").read_bytes() == whole(home)


@pytest.mark.parametrize("intruder", ["runs is a file", "a stranger's file", "a folder in runs"])
def test_a_partial_folder_with_what_we_never_write_is_refused_and_left_alone(home, intruder):
    runs = interrupted(home)
    partial = runs.parent
    if intruder == "runs is a file":
        shutil.rmtree(runs)
        runs.write_text("x")
    elif intruder == "a stranger's file":
        (partial / "notes.txt").write_text("mine")
    else:
        (runs / "mine").mkdir()
    before = sorted(str(p) for p in partial.rglob("*"))
    for extra in ([], ["--resume"]):
        res = CliRunner().invoke(app, ["run", "tiny.yaml", "--no-plots", *[e for e in extra]])
        assert res.exit_code == 2, res.output
        assert "holds files followup-sim did not write" in " ".join(res.output.split()) and "Traceback" not in res.output
    assert sorted(str(p) for p in partial.rglob("*")) == before


# ---------------------------------------------------------------- report reads a results folder back
def results(home: Path) -> Path:
    res = CliRunner().invoke(app, ["run", "tiny.yaml", "--no-plots", "--quiet", "--out", "r"])
    assert res.exit_code == 0, res.output
    return home / "r"


def report(folder: Path):
    return CliRunner().invoke(app, ["report", str(folder)])


def test_report_refuses_a_runs_csv_changed_since_it_was_written(home):
    folder = results(home)
    runs = folder / "runs.csv"
    runs.write_text(runs.read_text().replace(",", ";", 1))
    res = report(folder)
    assert res.exit_code == 2 and "changed since followup-sim wrote it" in " ".join(res.output.split()), res.output
    assert not (folder / "report.html").exists()


def test_report_on_an_untouched_folder_lists_its_page_in_the_manifest(home):
    folder = results(home)
    assert report(folder).exit_code == 0
    assert "report.html" in json.loads((folder / "manifest.json").read_text())["files"]
