"""The corpus of bad exports for `fit` (tests/bad_activities/): each NAME.expect names a case, with
NAME.csv the export, NAME.yaml its mapping (when it has one), NAME.args further options, and the
lines the message must hold.

Every case, through the CLI as a user runs it, must give exit code 2, one message that names
the file it is about, no traceback, and nothing written. Cases too big to keep in the
repository (a header of a million columns, a 200 MB file) are built in tmp_path below."""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

CORPUS = Path(__file__).resolve().parent / "bad_activities"
CASES = sorted(p.stem for p in CORPUS.glob("*.expect"))


def expectations(name: str) -> list[str]:
    return [line for line in (CORPUS / f"{name}.expect").read_text(encoding="utf-8").splitlines() if line.strip()]


def run_fit(tmp_path: Path, csv: Path, mapping: Path | None, extra: list[str]):
    args = ["fit", str(csv), "--out", str(tmp_path / "out" / "fitted.yaml"), "--report", str(tmp_path / "out" / "report"),
            "--replications", "0"] + (["--mapping", str(mapping)] if mapping else []) + extra
    return CliRunner().invoke(app, args)


def check(res, tmp_path: Path, about: str, expected: list[str]) -> None:
    out = res.output
    assert res.exit_code == 2, (res.output, res.exception)
    assert out.startswith("error: ") and out.count("error: ") == 1, out[:800]
    assert "Traceback" not in out
    assert about in out, f"the message names {about}"
    for line in expected:
        assert line in " ".join(out.split()) or line in out, f"expected {line!r} in:\n{out[:3000]}"
    assert not (tmp_path / "out").exists(), "nothing written"


def test_the_corpus_is_large_and_every_case_has_its_export():
    assert len(CASES) >= 20
    for name in CASES:
        assert (CORPUS / f"{name}.csv").is_file(), name
        assert expectations(name), name


@pytest.mark.parametrize("name", CASES)
def test_bad_export_fails_cleanly(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mapping = CORPUS / f"{name}.yaml"
    args = CORPUS / f"{name}.args"
    extra = shlex.split(args.read_text()) if args.exists() else []
    res = run_fit(tmp_path, CORPUS / f"{name}.csv", mapping if mapping.exists() else None, extra)
    about = f"{name}.yaml" if "mapping is not valid" in res.output else f"{name}"
    check(res, tmp_path, about, expectations(name))


def test_outlying_times_can_be_dropped_on_request_and_are_counted(tmp_path):
    res = run_fit(tmp_path, CORPUS / "stray_2035.csv", None, ["--drop-outlying-times"])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "out" / "report" / "fit.md").read_text()
    assert "| 1 | left out by --drop-outlying-times (a time far outside the log) |" in md
    assert "line 62" in md


def test_a_header_of_a_million_columns_is_refused_at_once(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n")
    res = run_fit(tmp_path, path, None, [])
    check(res, tmp_path, "wide.csv", ["header row is longer than 1,024 KB"])


def test_a_header_without_a_line_end_is_read_only_so_far(tmp_path):
    path = tmp_path / "no_newline.csv"
    with open(path, "w") as fh:
        fh.write("#" + "x" * 3_000_000)  # a comment line, then nothing
    res = run_fit(tmp_path, path, None, [])
    check(res, tmp_path, "no_newline.csv", ["the file is empty"])
