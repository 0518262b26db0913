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
