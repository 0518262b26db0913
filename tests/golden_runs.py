"""Golden results: digests of the event log, metrics and daily tables of every preset on three
small scenarios, so that any change of behaviour is a visible, deliberate diff.

A speed-up must leave every digest as it is. A deliberate model change regenerates them:

    .venv/bin/python tests/golden_runs.py --write     # rewrites tests/golden/digests.json

and the commit says why the numbers moved.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "digests.json"


def scenarios():
    import sim
    from sim.strategies import PRESETS

    presets = {name: {"preset": name} for name in PRESETS}
    base = dict(
        horizon="90d", replications=1, seed=7, strategies=presets,
        population={"outbound": {"size": 300, "ramp": "10d"}, "inbound": {"per_day": 6},
                    "timezones": {0: 0.6, -3: 0.2, 2: 0.2}},
        team={"reps": [{"count": 2, "pushiness": 0.3}, {"name": "pushy", "count": 1, "pushiness": 0.9, "skill": 0.8}],
              "reminders": False},
    )
    yield "busy_team", sim.Scenario(**base)
    yield "unlimited", sim.Scenario(**{**base, "seed": 3, "team": {"reps": [{"count": 1}], "unlimited": True}})
    capped = {"preset": "cadence_1_3_7_14_28_58", "max_calls_per_rep_day": 30, "respect_calling_hours": False}
    yield "overloaded", sim.Scenario(**{**base, "seed": 11, "team": {"reps": [{"count": 1}], "queue": {"drop_after": "2d"}},
                                        "strategies": {**presets, "capped": capped}})


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def digests() -> dict[str, dict]:
    """Run every case and digest what it produced."""
    import sim

    out = {}
    for case, sc in scenarios():
        for strategy in sc.strategies:
            r = sim.run_replication(sc, strategy, 0, event_log=True)
            metrics = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.metrics.items()}
            tables = b"".join(df.to_csv(index=False).encode() for df in (r.daily, r.rep_days, r.readiness))
            out[f"{case}/{strategy}"] = {
                "events": len(r.events),
                "sales": int(r.metrics["sales"]),
                "event_log": _digest(r.events.to_csv(index=False).encode()),
                "metrics": _digest(json.dumps(metrics, sort_keys=True, default=float).encode()),
                "tables": _digest(tables + str(list(r.final_states)).encode()),
            }
    return out


def numpy_version() -> str:
    return ".".join(metadata.version("numpy").split(".")[:2])


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/golden_runs.py --write   (rewrites tests/golden/digests.json)")
    sys.path.insert(0, str(HERE.parent))
    GOLDEN.write_text(json.dumps({"numpy": numpy_version(), "runs": digests()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
