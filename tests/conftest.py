"""Shared helpers for running the CLI as a user does."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGS`` in a subprocess, the way a user runs followup-sim."""
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def run_cli():
    return cli


TINY = """\
name: tiny
horizon: 10d
replications: 2
seed: 3
population: {outbound: {size: 40}, inbound: {per_day: 1}}
"""  # a scenario that runs in about a second


def invoke(*args):
    """Run the CLI in this process (typer's runner), exceptions surfacing as they are."""
    from typer.testing import CliRunner

    from sim.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
