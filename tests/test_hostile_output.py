"""Hostile text in, safe output out (issue 29): strings that are markup, formulas, links or terminal
control sequences, put where a user can put text (strategy keys and labels, the scenario's
description and question, a lesson), go through `run --report`, `report`, `story` and `lesson`
as a user runs them. Every output must show them as text: no HTML element or event handler of
theirs in report.html, no formula cell in a CSV, no control character on the console."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '=HYPERLINK("http://x","y")', "+1+1",
           "-2+3", "@SUM(A1)", "[bold]x[/]", "[link=http://x]y[/link]", "\x1b[2J\x1b[31mred", "a\rb\x07",
           "\u202eevil", "![i](http://x/i.png)", "[a](javascript:alert(1))", "| a | b |", "`code`", "&amp;", "\\"]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BASE = {"horizon": "10d", "replications": 2, "seed": 3,
        "population": {"outbound": {"size": 30}, "inbound": {"per_day": 1}}}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def tags_of(path: Path) -> Tags:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def scenario(a: str, b: str, label: str, text: str) -> dict:
    return {"name": "hostile", **BASE, "description": text, "question": text,
            "strategies": {a: {"preset": "one_and_done", "label": label},
                           b: {"preset": "cadence_1_3_7_14_28_58", "description": text}}}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def no_formula(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"-[^0-9.]", cell), (path, cell)


def clean_console(output: str) -> None:
    assert "Traceback" not in output
    assert not CONTROL.search(output.replace("\n", "")), repr(output[:300])


def benign_tags(tmp: Path) -> set[str]:
    (tmp / "benign.yaml").write_text(yaml.safe_dump(scenario("a", "b", "A", "plain words")))
    assert invoke("run", tmp / "benign.yaml", "--report", "-q", "--out", tmp / "benign").exit_code == 0  # with plots
    return tags_of(tmp / "benign" / "report.html").tags


TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=20),
                 st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3).map(" ".join))
# Keys with control characters (a carriage return would break runs.csv's rows) are refused by the
# schema (exit 2, checked below), so the keys drawn here are mostly ones that run.
KEY = st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                                                  max_size=12))


@pytest.fixture(scope="module")
def allowed(tmp_path_factory) -> set[str]:
    """The elements report.html has with plain names."""
    return benign_tags(tmp_path_factory.mktemp("benign"))


# each example runs the CLI five times: a few examples, no shrinking (a failure shows its example as found)
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
@given(a=KEY, b=KEY, label=TEXT, text=TEXT)
def test_hostile_text_is_text_in_every_output(tmp_path_factory, allowed, a, b, label, text):
    assume(a.strip() != b.strip())
    tmp = tmp_path_factory.mktemp("hostile")
    path = tmp / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(a, b, label, text)))
    out = tmp / "out"
    res = invoke("run", path, "--no-plots", "--report", "--out", out)
    if res.exit_code == 2:  # a key the schema refuses (blank, duplicate after trimming...) is a clean refusal
        assert res.output.startswith("error: ") and "Traceback" not in res.output
        return
    assert res.exit_code == 0, res.output
    clean_console(res.output)
    for name in ("runs.csv", "summary.csv"):
        no_formula(out / name)
    page = tags_of(out / "report.html")
    assert page.tags <= allowed and not page.handlers, (page.tags - allowed, page.handlers)
    # report rebuilt by the report command
    (out / "report.html").unlink()
    res = invoke("report", out)
    assert res.exit_code == 0, res.output
    clean_console(res.output)
    page = tags_of(out / "report.html")
    assert page.tags <= allowed and not page.handlers
    # story, one strategy and two side by side
    for extra in (["--strategy", a], ["--strategy", a, "--vs", b]):
        res = invoke("story", path, *extra, "--prospect", "2")  # one touched under both strategies
        assert res.exit_code == 0, res.output
        clean_console(res.output)
    # a lesson of the same text
    lessons = tmp / "scenarios" / "lessons"
    lessons.mkdir(parents=True)
    (lessons / "hostile.yaml").write_text(path.read_text())
    import os

    here = os.getcwd()
    os.chdir(tmp)
    try:
        res = invoke("lesson", "hostile", "--no-wait", "--out", tmp / "lesson", "--workers", "1")
    finally:
        os.chdir(here)
    assert res.exit_code == 0, res.output
    clean_console(res.output)
    page = tags_of(tmp / "lesson" / "report.html")
    assert page.tags <= allowed and not page.handlers
    no_formula(tmp / "lesson" / "runs.csv")
