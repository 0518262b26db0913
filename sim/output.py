"""Writing a results folder so that an interrupted run never leaves one that looks complete.

Everything is written into a hidden sibling folder first and renamed into place at the end;
``manifest.json`` records what is needed to rerun it (resolved scenario, seed, versions).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator, Optional

import pandas as pd

from .experiment import Experiment
from .loading import dump_scenario

PACKAGES = ("followup-sim", "simpy", "numpy", "pandas", "scipy", "pydantic", "pyyaml", "typer", "rich", "matplotlib", "pyarrow", "dask", "distributed")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_revision() -> Optional[str]:
    here = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def provenance() -> dict:
    """What every results folder records to be rerun: command line, git revision, versions, platform."""
    return {"command": sys.argv, "git_revision": git_revision(), "versions": package_versions(),
            "platform": platform.platform()}


def manifest(exp: Experiment, started: datetime, wall_seconds: float, replications: int, workers: int,
             extra: Optional[dict] = None) -> dict:
    sc = exp.scenario
    return {
        "scenario": sc.name,
        "seed": sc.seed,
        "seed_entropy": sc.seed,
        "seed_scheme": "numpy SeedSequence(seed, spawn_key=(replication,)) -> one child per stream",
        "replications": replications,
        "strategies": exp.strategies,
        "baseline": sc.baseline,
        "workers": workers,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        **provenance(),
        **(extra or {}),
    }


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder; on success it replaces ``out``, on any failure it is removed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_results(exp: Experiment, summary: pd.DataFrame, out: Path, info: dict,
                  events: bool = False, plots: bool = True, events_format: str = "parquet") -> Path:
    """Write runs.csv, summary.csv, scenario.yaml, manifest.json, plots/ (and events.parquet, or
    activities.csv with ``events_format="activities"``) atomically."""
    with atomic_folder(out) as tmp:
        exp.runs().to_csv(tmp / "runs.csv", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        (tmp / "scenario.yaml").write_text(dump_scenario(exp.scenario), encoding="utf-8")
        if events:
            frame = exp.events()
            if frame is not None and events_format == "activities":
                from .activities import CALENDAR_START, activities_from_events, write_activities

                write_activities(activities_from_events(frame), tmp / "activities.csv",
                                 header=f"followup-sim activities export of scenario {exp.scenario.name}: "
                                        f"minute 0 of the run is {CALENDAR_START}T00:00Z (a Monday)")
            elif frame is not None:
                frame.to_parquet(tmp / "events.parquet", index=False)
        if plots:
            from .plots import write_plots

            write_plots(exp, summary, tmp / "plots")
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    return Path(out)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
