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
