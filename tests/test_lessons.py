"""Lessons: each has a question, validates, and runs end to end (question, answer, report) on a short horizon."""
from __future__ import annotations

import pytest

from conftest import ROOT, cli
from sim.present.lessons import FOCUS, list_lessons
from sim.scenario.loading import load_scenario

LESSONS = list_lessons(ROOT / "scenarios" / "lessons")


def test_there_are_at_least_five_lessons_each_with_a_question_and_a_focus():
    assert len(LESSONS) >= 5
    for lesson in LESSONS:
        sc = load_scenario(lesson.path)
        assert sc.question.endswith("?") and sc.question == lesson.question, lesson.name
        assert sc.description and len(sc.strategies) >= 2, lesson.name
        assert lesson.name in FOCUS, f"{lesson.name}: say which numbers answer its question"


def test_lesson_lists_them():
    proc = cli("lesson")
    assert proc.returncode == 0, proc.stderr
    for lesson in LESSONS:
        assert lesson.name in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_lesson_runs_answers_and_writes_its_report(lesson, tmp_path):
    out = tmp_path / lesson.name
    proc = cli("lesson", lesson.name, "--set", "horizon=45d", "--set", "population.outbound.size=400",
               "--replications", "2", "--out", out)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.index("Question:") < text.index("Answer:") < text.index("Report:")
    assert lesson.question in " ".join(text.split())
    answer = text[text.index("Answer:"):text.index("Report:")]
    assert answer.count("\n- ") >= 2 and "Only 2 replications" in answer
    assert (out / "report.html").stat().st_size > 50_000 and (out / "summary.csv").is_file()
    page = (out / "report.html").read_text()
    assert lesson.question in page and page.count("<li class=focus>") >= 1  # the lesson's answer is in its report


def test_unknown_lesson_is_a_plain_error():
    proc = cli("lesson", "no_such_lesson")
    assert proc.returncode == 2 and "no lesson 'no_such_lesson'" in proc.stderr and "Traceback" not in proc.stderr
