"""Writing a results folder so that an interrupted run never leaves one that looks complete.

Everything is written into a hidden sibling folder first and renamed into place at the end
(``sim.actions.folders``); ``manifest.json``, written last, records what is needed to rerun it
(resolved scenario, seed, versions). Text a user chose (strategy names) is neutralised in
CSV files, so a spreadsheet never runs it as a formula.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Optional

import pandas as pd

from sim.present.escape import for_csv
from sim.experiment.jobs import Experiment
from sim.scenario.loading import dump_scenario
from sim.present.plots import write_plots
from sim.present.activity_format import CALENDAR_START
from sim.present.activity_writer import activities_from_events, write_activities

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
    here = Path(__file__).resolve().parents[2]  # the checkout: sim/present/output.py is two folders down
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


LOCK_FILES = ("requirements.lock", "requirements-test.lock")


def lock_digests() -> dict[str, str]:
    """sha256 of the lock files that ``make`` installs from, when running from a checkout of the
    project (an install elsewhere has none: its versions are in ``versions``)."""
    here = Path(__file__).resolve().parents[2]  # the checkout: sim/present/output.py is two folders down
    out = {}
    for name in LOCK_FILES:
        path = here / name
        if path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def provenance() -> dict:
    """What every results folder records to be rerun: command line, git revision, versions, the
    lock files' digests, platform."""
    return {"command": sys.argv, "git_revision": git_revision(), "versions": package_versions(),
            "lock_files": lock_digests(), "platform": platform.platform()}


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


def write_run_files(exp: Experiment, summary: pd.DataFrame, folder: Path, info: dict,
                    events: bool = False, plots: bool = True, events_format: str = "parquet") -> None:
    """Write runs.csv, summary.csv, scenario.yaml, plots/ (and events.parquet, or activities.csv
    with ``events_format="activities"``) into ``folder``, manifest.json last: a folder without
    it is not finished."""
    folder = Path(folder)
    safe_csv(exp.runs()).to_csv(folder / "runs.csv", index=False)
    safe_csv(summary).to_csv(folder / "summary.csv", index=False)
    (folder / "scenario.yaml").write_text(dump_scenario(exp.scenario), encoding="utf-8")
    if events:
        frame = exp.events()
        if frame is not None and events_format == "activities":

            write_activities(activities_from_events(frame), folder / "activities.csv",
                             header=f"followup-sim activities export of scenario {exp.scenario.name}: "
                                    f"minute 0 of the run is {CALENDAR_START}T00:00Z (a Monday)")
        elif frame is not None:
            frame.to_parquet(folder / "events.parquet", index=False)
    if plots:

        write_plots(exp, summary, folder / "plots")
    (folder / "manifest.json").write_text(json.dumps({"kind": "run", **info}, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def neutralise(text: object) -> object:
    """A CSV cell by the one escaping rule (``sim.present.escape.for_csv``): a text a spreadsheet would run
    as a formula (``=HYPERLINK(...)``) is prefixed with ``'`` so it shows as text."""
    return for_csv(text)


def safe_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (user-chosen names) neutralised for spreadsheets."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
