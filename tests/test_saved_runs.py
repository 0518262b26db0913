"""Saved runs (``sim.saved_runs``): what ``run --resume`` reads back runs no code, and a file that
is damaged, edited, of another job, or not a saved run at all is rejected with a reason.

One small run with its event log is saved once per test; every check changes one thing."""
from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model.engine import run_replication
from sim.scenario.loading import load_scenario
from sim.actions.saved_runs import Rejected, job_identity, read_run, write_run

TINY = """\
name: tiny
horizon: 10d
replications: 2
seed: 3
population: {outbound: {size: 40}, inbound: {per_day: 1}}
strategies:
  one: {preset: one_and_done}
  many: {preset: cadence_1_3_7_14_28_58}
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("sc") / "tiny.yaml"
    path.write_text(TINY)
    return load_scenario(path)


@pytest.fixture(scope="module")
def result(scenario):
    return run_replication(scenario, "many", 1, event_log=True)


def job(strategy="many", replication=1, fingerprint="fp", seed=3, events=True):
    return job_identity(fingerprint, strategy, replication, seed, events)


def same(a, b) -> None:
    assert (a.strategy, a.replication) == (b.strategy, b.replication)
    assert a.metrics == b.metrics and [type(v) for v in a.metrics.values()] == [type(v) for v in b.metrics.values()]
    for name in ("daily", "rep_days", "readiness", "events"):
        if getattr(b, name) is None:
            assert getattr(a, name) is None
        else:
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.response_times, b.response_times)
    np.testing.assert_array_equal(a.final_states, b.final_states)
    assert a.final_states.dtype == b.final_states.dtype


def test_a_saved_run_reads_back_equal(tmp_path, result):
    path = tmp_path / "r.npz"
    write_run(path, result, job())
    same(read_run(path, job()), result)


def test_a_run_without_event_log_reads_back_equal(tmp_path, scenario):
    plain = run_replication(scenario, "one", 0)
    write_run(tmp_path / "r.npz", plain, job("one", 0, events=False))
    same(read_run(tmp_path / "r.npz", job("one", 0, events=False)), plain)


@pytest.mark.parametrize("field, other", [("strategy", job(strategy="one")), ("replication", job(replication=0)),
                                          ("scenario", job(fingerprint="another scenario")), ("seed", job(seed=4)),
                                          ("event_log", job(events=False))])
def test_a_run_of_another_job_is_rejected(tmp_path, result, field, other):
    write_run(tmp_path / "r.npz", result, job())
    with pytest.raises(Rejected, match=f"another job \\({field} differ"):
        read_run(tmp_path / "r.npz", other)


def test_other_package_versions_are_another_job(tmp_path, result):
    older = {**job(), "versions": {**job()["versions"], "numpy": "0.0.1"}}
    write_run(tmp_path / "r.npz", result, older)
    with pytest.raises(Rejected, match="versions differ"):
        read_run(tmp_path / "r.npz", job())


class Planted:
    """What a planted pickle would run on loading: it creates a file."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "ran"))


def test_a_planted_pickle_runs_nothing(tmp_path, result):
    target = tmp_path / "ran.txt"
    for name, data in [("pickle", pickle.dumps(Planted(target))),
                       ("npz holding a pickled object", _npz(header=np.array([Planted(target)], dtype=object)))]:
        path = tmp_path / "r.npz"
        path.write_bytes(data)
        with pytest.raises(Rejected):
            read_run(path, job())
        assert not target.exists(), name
    # the check can fail: loading the same bytes with pickle does run it
    pickle.loads(pickle.dumps(Planted(target)))
    assert target.read_text() == "ran"


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_an_edited_value_breaks_the_digest(tmp_path, result):
    path = tmp_path / "r.npz"
    write_run(path, result, job())
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["response_times"] = arrays["response_times"] + 1.0
    path.write_bytes(_npz(**arrays))
    with pytest.raises(Rejected, match="does not match its digest"):
        read_run(path, job())


def test_an_edited_job_breaks_the_digest(tmp_path, result):
    """Relabelling another replication's run as this one is caught even if the job is rewritten."""
    path = tmp_path / "r.npz"
    write_run(path, result, job(replication=0))
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(arrays["header"].tobytes())
    header["job"]["replication"] = 1
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    path.write_bytes(_npz(**arrays))
    with pytest.raises(Rejected, match="does not match its digest"):
        read_run(path, job())


@pytest.mark.parametrize("damage", ["truncated", "empty", "text", "compressed", "no header"])
def test_damage_is_a_reason_not_a_traceback(tmp_path, result, damage):
    path = tmp_path / "r.npz"
    write_run(path, result, job())
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "text":
        path.write_text("hello")
    elif damage == "compressed":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("header.npy", b"\0" * 10_000_000)
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(_npz(x=np.zeros(3)))
    with pytest.raises(Rejected):
        read_run(path, job())


def test_writing_leaves_no_temporary_file(tmp_path, result):
    write_run(tmp_path / "r.npz", result, job())
    assert os.listdir(tmp_path) == ["r.npz"]
