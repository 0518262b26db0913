"""report.html: self-contained, every plot and the summary table in it, and every sentence's numbers agree
with summary.csv and runs.csv (parsed back out of the page); then a real browser renders it."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, cli
from sim.scenario.loading import load_scenario
from sim.experiment.stats import ratio_interval
from sim.scenario.strategies import display_names

NUM = r"[\d,]+(?:\.\d+)?"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "baseline"
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", "--set", "horizon=60d", "--set", "population.outbound.size=400",
               "--set", "money={deal_value: {kind: gamma, mean: 2000, cv: 0.5}, rep_hour_cost: 30}",
               "--replications", "3", "--workers", "2", "--report", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out


def agrees(printed: str, value: float) -> bool:
    """A number as printed agrees with a value when they are equal at the printed precision."""
    text = printed.replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - value) <= 0.5 * 10 ** -decimals + 1e-9


def _items(page: str, cls: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(rf"<li class={cls} data-strategy='([^']*)'>(.*?)</li>", page)}


def test_report_is_self_contained_and_holds_every_plot_and_the_table(results):
    page = (results / "report.html").read_text()
    assert "<script" not in page.lower() and "http://" not in page and "https://" not in page
    assert not re.search(r"<(img|link)[^>]+(src|href)=['\"](?!data:)", page), "only embedded resources"
    for png in (results / "plots").glob("*.png"):
        assert f"id='plot-{png.stem}'" in page, png.stem
    assert page.count("<img ") == len(list((results / "plots").glob("*.png"))) >= 7
    assert "class=summary" in page and "How to read this" in page and "What counts as a complaint" in page
    names = display_names(load_scenario(results / "scenario.yaml").strategies)
    for name in names.values():
        assert html.escape(name) in page


def test_every_sentence_agrees_with_summary_csv(results):
    page = (results / "report.html").read_text()
    summary = pd.read_csv(results / "summary.csv").set_index(["strategy", "metric"])
    runs = pd.read_csv(results / "runs.csv")
    sc = load_scenario(results / "scenario.yaml")
    names = display_names(sc.strategies)
    base = sc.baseline

    def m(key, metric, col="mean"):
        return float(summary.loc[(key, metric), col])

    headlines = _items(page, "headline")
    assert set(headlines) == set(sc.strategies) - {base}
    for key, text in headlines.items():
        assert text.startswith(f"“{names[key]}”") and f"“{names[base]}”" in text
        a = runs[runs.strategy == key].sort_values("replication")["sales"]
        b = runs[runs.strategy == base].sort_values("replication")["sales"]
        if m(base, "sales") == 0:  # no ratio: the difference in sales per run, from summary.csv
            d, dlo, dhi = (m(key, "sales_vs_baseline", c) for c in ("mean", "ci_low", "ci_high"))
            hit = re.search(rf"closed ({NUM}) (more|fewer) deals per run than .*?\(95% interval ({NUM}) to ({NUM})\)", text)
            assert hit and agrees(hit.group(1), abs(d)) and agrees(hit.group(3), min(abs(dlo), abs(dhi))), text
            continue
        ratio, lo, hi, _ = ratio_interval(a.to_numpy(float), b.to_numpy(float))
        assert ratio == pytest.approx(m(key, "sales") / m(base, "sales"))  # the ratio of summary.csv's means
        if (hit := re.search(rf"closed ({NUM}) times as many deals .*?\(95% interval ({NUM}) to ({NUM})\)", text)):
            assert all(map(agrees, hit.groups(), (ratio, lo, hi))), text
            assert lo > 1
        elif (hit := re.search(rf"closed ({NUM})% fewer deals .*?\(95% interval ({NUM})% to ({NUM})% fewer\)", text)):
            assert all(map(agrees, hit.groups(), (100 * (1 - ratio), 100 * (1 - hi), 100 * (1 - lo)))), text
            assert hi < 1
        else:
            hit = re.search(rf"no clear difference to deals .*?\(({NUM}) times as many, 95% interval ({NUM}) to ({NUM})\)", text)
            assert hit and all(map(agrees, hit.groups(), (ratio, lo, hi))) and lo <= 1 <= hi, text
        d, dlo, dhi = (m(key, "complaints_per_1000_vs_baseline", c) for c in ("mean", "ci_low", "ci_high"))
        if (hit := re.search(rf"with ({NUM}) (more|fewer) complaints per 1,000 prospects \(95% interval ({NUM}) to ({NUM})\)", text)):
            n, word, x, y = hit.groups()
            assert word == ("more" if d > 0 else "fewer") and agrees(n, abs(d)), text
            assert agrees(x, min(abs(dlo), abs(dhi))) and agrees(y, max(abs(dlo), abs(dhi))), text
            assert dlo > 0 or dhi < 0
        else:
            hit = re.search(rf"no clear difference in complaints \((-?{NUM}) per 1,000 prospects, 95% interval (-?{NUM}) to (-?{NUM})\)", text)
            assert hit and dlo <= 0 <= dhi, text

    figures = _items(page, "figure")
    assert set(figures) == set(sc.strategies) - {k for k in sc.strategies if m(k, "sales") == 0}
    for key, text in figures.items():
        calls, sales = m(key, "calls"), m(key, "sales")
        hit = re.search(rf"made ({NUM}) calls per sale", text)
        assert hit and agrees(hit.group(1), calls / sales), text
        hit = re.search(rf"({NUM})% of its sales came after the prospect got in touch", text)
        assert hit and agrees(hit.group(1), 100 * m(key, "sales_prospect_initiated") / sales), text
        dropped = m(key, "dropped_tasks")
        hit = re.search(rf"dropped ({NUM}) follow-ups", text)
        assert (hit and agrees(hit.group(1), dropped)) or ("dropped no follow-ups" in text and dropped < 0.5), text
        if m(key, "booked_calls") > 0:
            hit = re.search(rf"booked call connected ({NUM})% of the time against ({NUM})% for an ordinary dial", text)
            ordinary = (m(key, "connects") - m(key, "booked_connects")) / (calls - m(key, "booked_calls"))
            assert hit and agrees(hit.group(1), 100 * m(key, "booked_connects") / m(key, "booked_calls")), text
            assert agrees(hit.group(2), 100 * ordinary), text


def _amount_agrees(printed: str, value: float) -> bool:
    """An amount as printed (three significant figures from 1,000 up) agrees with a value."""
    step = 10 ** (len(str(int(abs(value)))) - 3) if abs(value) >= 1000 else 0.1
    return abs(float(printed.replace(",", "")) - abs(value)) <= 0.5 * step + 1e-9


def test_every_money_sentence_agrees_with_summary_csv(results):
    page = (results / "report.html").read_text()
    summary = pd.read_csv(results / "summary.csv").set_index(["strategy", "metric"])
    sc = load_scenario(results / "scenario.yaml")
    items = _items(page, "money")
    assert set(items) == set(sc.strategies) - {sc.baseline}
    for key, text in items.items():
        d, lo, hi = (float(summary.loc[(key, "profit_vs_baseline"), c]) for c in ("mean", "ci_low", "ci_high"))
        if (hit := re.search(rf"brought about ({NUM}) (more|less) profit per run than .*?\(very probably between "
                             rf"({NUM}) and ({NUM}) (more|less)\)", text)):
            amount, word, near, far, word2 = hit.groups()
            assert word == word2 == ("more" if d > 0 else "less") and (lo > 0 or hi < 0), text
            assert _amount_agrees(amount, d), text
            assert _amount_agrees(near, min(abs(lo), abs(hi))) and _amount_agrees(far, max(abs(lo), abs(hi))), text
        else:
            hit = re.search(rf"made no clear difference to profit .*?: about ({NUM}) (more|less) per run, but anywhere "
                            rf"between ({NUM}) less and ({NUM}) more is likely", text)
            assert hit and lo <= 0 <= hi and _amount_agrees(hit.group(1), d), text
            assert _amount_agrees(hit.group(3), lo) and _amount_agrees(hit.group(4), hi), text


def test_report_command_rebuilds_from_a_folder_and_refuses_a_non_folder(results, tmp_path):
    out = tmp_path / "again.html"
    proc = cli("report", results, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == (results / "report.html").read_text()
    proc = cli("report", tmp_path)
    assert proc.returncode == 2 and "not a results folder" in proc.stderr and "Traceback" not in proc.stderr


def test_a_real_browser_renders_the_report(results, tmp_path):
    from browser import check_page, chromium_or_skip

    chromium_or_skip()
    pytest.importorskip("websocket", reason="websocket-client is needed to talk to Chromium (pip install -e '.[test]')")
    page = check_page(results / "report.html")
    (tmp_path / "report.png").write_bytes(page.screenshot)
    assert page.errors == []
    assert len(page.images) == len(list((results / "plots").glob("*.png")))
    for img in page.images:
        assert img["complete"] and img["width"] > 300 and img["height"] > 200, img
    assert "What happened" in page.text and "How to read this" in page.text
    assert len(page.screenshot) > 50_000 and page.screenshot[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_strategy_that_calls_no_new_lead_is_not_said_to_call_them_within_an_hour():
    """The rule sentence says how soon new inbound leads are called only when the strategy calls
    them and the scenario has any: 'Wait for them to call' has no inbound touch; a list-only
    scenario has no inbound leads."""
    from sim.present.report import describe_strategy
    from sim.scenario.strategies import preset

    assert "within" not in describe_strategy(preset("wait_for_call"))
    assert "new inbound leads called within 1 hour" in describe_strategy(preset("one_and_done"))
    assert "within" not in describe_strategy(preset("one_and_done"), has_inbound=False)
    assert "emailed within" in describe_strategy(preset("one_and_done", steps=[{"day": 1, "channel": "email"}]))


def test_trainer_facing_text_has_no_statisticians_words(results):
    page = html.unescape((results / "report.html").read_text())
    text = re.sub(r"<[^>]+>|data:image/png;base64,[A-Za-z0-9+/=]+", " ", page)
    for words in ("t interval", "time constant", "divided by each other", "common random numbers", "d simulated"):
        assert words not in text, words
    assert "60 days simulated" in text and "half of it is gone after about 12 days" in text


def test_preset_notes_that_quote_a_figure_name_its_source():
    from sim.scenario.strategies import PRESETS

    quoting = {name: p["description"] for name, p in PRESETS.items() if re.search(r"\d+%", p["description"])}
    assert quoting, "the one_and_done note quotes the 44% persistence figure"
    for name, text in quoting.items():
        assert "MODEL.md section 8" in text, name


@pytest.mark.parametrize("kind,command,where", [("optimize", "optimize", "--report"), ("sweep", "sweep", "sweep.csv"),
                                                ("calibration", "calibrate", "calibration.md"), ("fit", "fit", "fit.md")])
def test_report_on_another_commands_folder_says_whose_it_is_and_where_its_page_is(tmp_path, kind, command, where):
    """`report` reads a run's folder; given another command's (its manifest says which), it says so
    and where that command's own page is, instead of 'not a results folder'."""
    from typer.testing import CliRunner

    from sim.actions.folder_marker import FORMAT, TOOL
    from sim.cli import app

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "manifest.json").write_text(f'{{"tool": "{TOOL}", "format": {FORMAT}, "kind": "{kind}", "files": []}}')
    res = CliRunner().invoke(app, ["report", str(folder)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"a folder of `followup-sim {command}`, not of a run" in res.output and where in res.output
    assert not (folder / "report.html").exists()
