"""optimize --report and --objective sales_per_rep_hour, as a user runs them, on the scenario whose
best cadence is known by construction (tests/test_optimize_known.py): the page says the answer the
folder says, shows the best, the runner-up and the current cadence with their blocks, and embeds
the front with its constraint line."""
from __future__ import annotations

import base64
import html
import json
import re

import pytest
import yaml

from conftest import cli
from test_optimize_known import BEST, BINDS, LIMIT


@pytest.mark.slow
def test_report_html_holds_the_answer_the_cadences_and_the_front(tmp_path):
    scenario = tmp_path / "binds.yaml"
    scenario.write_text(yaml.safe_dump(dict(BINDS, seed=1)), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("optimize", scenario, "--budget", "70", "--objective", "sales_per_rep_hour", "-c",
                 f"complaints_per_1000<={LIMIT:g}", "--report", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout
    # sales per paid rep-hour is sales over hours the cadence does not change: the same optimum as sales
    best = yaml.safe_load((out / "best.yaml").read_text())
    assert len(best["optimized"]["steps"]) == BEST
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "report.html" in json.loads((out / "manifest.json").read_text())["files"]
    summary = (out / "summary.md").read_text(encoding="utf-8").split("\n\n")[2:]  # the sentences
    text = re.sub(r"\s+", " ", html.unescape(page))
    for sentence in summary:
        assert " ".join(sentence.split()) in text
    assert "The best cadence: Optimized" in page and "The runner-up: Candidate" in page
    assert "Your current cadence: one_call" in page
    assert page.count("<svg class=timeline") == 3 and page.count("<pre class=block>") == 3
    assert "Calls on cadence days 1, 2, 3;" in page
    png = base64.b64encode((out / "plots" / "front.png").read_bytes()).decode("ascii")
    assert f"data:image/png;base64,{png}" in page
    assert f"complaints_per_1000&lt;={LIMIT:g}" in page  # the constraint, escaped, in the settings line
    assert f"<th>Complaints\nper 1,000\n&lt;={LIMIT:g}</th>" in page and "<th>Sales per\nrep-hour</th>" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
