"""Behaviour is pinned: every preset on three small scenarios gives the digests in tests/golden/.

A change that is meant to be a pure speed-up or clean-up must pass this unchanged. A deliberate
model change regenerates the digests (see tests/golden_runs.py) in the same commit.
"""
from __future__ import annotations

import json

import pytest

from golden_runs import GOLDEN, digests, numpy_version


def test_every_preset_reproduces_its_golden_run():
    golden = json.loads(GOLDEN.read_text())
    if golden["numpy"] != numpy_version():
        pytest.skip(f"digests were made with numpy {golden['numpy']} (random streams may differ in {numpy_version()}); "
                    "regenerate with: python tests/golden_runs.py --write")
    got = digests()
    assert sorted(got) == sorted(golden["runs"])
    changed = {k: (golden["runs"][k], got[k]) for k in got if got[k] != golden["runs"][k]}
    assert not changed, ("behaviour changed (regenerate with `python tests/golden_runs.py --write` only if the change "
                         f"is meant): {json.dumps(changed, indent=1)[:3000]}")


def test_parked_moments_come_exactly_when_a_plain_timeout_would():
    """Model._at keeps moments on later days out of SimPy's heap; its definition is
    ``env.timeout(delay)``. A year with many redrawn futures (nurtures, sales, buyers who
    reach out and give up) must give the same event log to the last bit either way."""
    import sim
    from sim.engine import Model

    sc = sim.Scenario(horizon="365d", population={"outbound": {"size": 1500}, "inbound": {"per_day": 8}},
                      strategies={"b": {"preset": "booked_next_step"}})
    parked = sim.run_replication(sc, "b", 0, event_log=True)
    assert parked.metrics["nurtured"] > 30 and parked.metrics["buyers_gave_up_waiting"] > 10, parked.metrics

    def plain(self, delay, callback):
        self.env.timeout(delay).callbacks.append(callback)

    mp = pytest.MonkeyPatch()
    mp.setattr(Model, "_at", plain)
    try:
        timed = sim.run_replication(sc, "b", 0, event_log=True)
    finally:
        mp.undo()
    assert parked.events.to_csv(index=False) == timed.events.to_csv(index=False)
    assert json.dumps(parked.metrics, sort_keys=True) == json.dumps(timed.metrics, sort_keys=True)
