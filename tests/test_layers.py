"""The house rules of sim/: layers that import only downward (the contract in pyproject.toml,
run by import-linter), and every module says what it is for."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_every_layer_imports_only_the_layers_below_it():
    proc = lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 kept, 0 broken" in proc.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract can fail: the model importing a plot (a lower layer reaching up) is caught."""
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    world = tmp_path / "sim" / "model" / "world.py"
    world.write_text(world.read_text() + "\nfrom sim.present import plots  # planted upward import\n")
    proc = lint(tmp_path)
    assert proc.returncode != 0
    assert "sim.model.world -> sim.present.plots" in proc.stdout, proc.stdout


def test_every_module_and_package_has_a_docstring():
    missing = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "sim").rglob("*.py"))
               if p.name != "__main__.py" and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, missing
