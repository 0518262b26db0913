"""Golden results: every preset on three small scenarios, pinned exactly, so that any change of
behaviour is a visible, deliberate diff.

Each run keeps its metrics as values (so a failure says which metric moved, and by how much)
and digests of its event log and of its daily, per-rep and readiness tables. Results are the
same to the last bit on every CPU (see tests/test_golden.py for why), so everything compares
exactly. A speed-up or clean-up must leave the file as it is. A deliberate model change
regenerates it:

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
    from sim.scenario.strategies import PRESETS

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


def runs() -> dict[str, dict]:
    """Run every case and record what it produced: metric values exactly (NaN as null), the
    rest as digests."""
    import sim

    out = {}
    for case, sc in scenarios():
        for strategy in sc.strategies:
            r = sim.run_replication(sc, strategy, 0, event_log=True)
            metrics = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.metrics.items()}
            tables = b"".join(df.to_csv(index=False).encode() for df in (r.daily, r.rep_days, r.readiness))
            out[f"{case}/{strategy}"] = {
                "events": len(r.events),
                "event_log": _digest(r.events.to_csv(index=False).encode()),
                "tables": _digest(tables + str(list(r.final_states)).encode()),
                "metrics": json.loads(json.dumps(metrics, default=float)),  # as the file holds them
            }
    return out


def differences(golden: dict[str, dict], got: dict[str, dict]) -> list[str]:
    """Every way ``got`` differs from ``golden``, one line each (empty: identical)."""
    lines = []
    for key in sorted(set(golden) | set(got)):
        if key not in got or key not in golden:
            lines.append(f"{key}: {'missing' if key not in got else 'new'} run")
            continue
        want, have = golden[key], got[key]
        for field in ("events", "event_log", "tables"):
            if want[field] != have[field]:
                lines.append(f"{key}: {field} {want[field]} -> {have[field]}")
        for metric in sorted(set(want["metrics"]) | set(have["metrics"])):
            a, b = want["metrics"].get(metric, "absent"), have["metrics"].get(metric, "absent")
            if a != b:
                lines.append(f"{key}: {metric} {a!r} -> {b!r}")
    return lines


def numpy_version() -> str:
    return ".".join(metadata.version("numpy").split(".")[:2])


def load() -> dict:
    return json.loads(GOLDEN.read_text())


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    if sys.argv[1:] == ["--check"]:  # used by tests/test_golden.py in a subprocess
        problems = differences(load()["runs"], runs())
        print("\n".join(problems) or "identical")
        sys.exit(1 if problems else 0)
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/golden_runs.py --write   (rewrites tests/golden/digests.json)\n"
                 "       python tests/golden_runs.py --check   (compares a fresh run with it)")
    GOLDEN.write_text(json.dumps({"numpy": numpy_version(), "runs": runs()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
