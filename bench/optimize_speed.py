"""Time to a decision with `followup-sim optimize`: evaluations (simulated runs) per minute and the
wall time of a search, with local worker processes and on a local Dask cluster of 2 workers.

Each mode runs the command as a user does, into a fresh folder, and reads the runs done and the
wall time from the folder's manifest.json (the command's own clock, from the first check to the
written folder).

    .venv/bin/python bench/optimize_speed.py [--scenario scenarios/baseline.yaml] [--budget 300]
        [--modes w1,w2,dask] [-c complaints_per_1000<=15 ...]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MODES = {"w1": ["--workers", "1"], "w2": ["--workers", "2"], "dask": ["--dask", "local"]}


def measure(scenario: str, budget: int, mode: str, constraints: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "sim", "optimize", scenario, "--budget", str(budget), "-q", "-o", str(out),
               *MODES[mode]]
        for c in constraints:
            cmd += ["-c", c]
        subprocess.run(cmd, check=True)
        info = json.loads((out / "manifest.json").read_text())
    minutes = info["wall_seconds"] / 60
    return {"mode": mode, "runs": info["runs"], "wall_s": info["wall_seconds"],
            "runs_per_min": info["runs"] / minutes, "winner": info["winner"], "separated": info["separated"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/baseline.yaml")
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--modes", default="w1,w2,dask")
    ap.add_argument("-c", "--constraint", action="append", default=[])
    args = ap.parse_args()
    print(f"| mode | runs | wall (s) | runs per minute | winner | separated |\n|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        r = measure(args.scenario, args.budget, mode, args.constraint)
        print(f"| {r['mode']} | {r['runs']} | {r['wall_s']:.0f} | {r['runs_per_min']:.1f} | {r['winner']} | "
              f"{r['separated']} |", flush=True)


if __name__ == "__main__":
    main()
