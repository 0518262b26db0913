"""Classroom lessons: short scenarios in ``scenarios/lessons/``, each with a ``question:`` a
trainer asks the room before running it, and an answer generated from the run's numbers.

A lesson is an ordinary scenario file; what a lesson adds is which numbers answer its
question (``FOCUS``: metric names, nothing written for one result). A lesson file without
an entry there is answered with the headline comparison alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd

from sim.scenario.errors import UserError
from sim.present import sentences as S
from sim.scenario.loading import ScenarioError, read_yaml
from sim.scenario.schema import Scenario
from sim.scenario.strategies import display_names

LESSONS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "lessons"

# lesson -> the metrics whose comparison answers its question ("claim": the 5th-to-12th slide)
FOCUS: dict[str, list[str]] = {
    "more_or_more_often": ["complaints_per_1000", "complaints_frequency", "calls"],
    "chasing_old_leads": ["lead_response_median_min", "lead_response_p90_min", "dropped_tasks", "dropped_new_leads", "sales"],
    "five_to_twelve": ["claim", "sales"],
    "wait_for_them": ["sales", "reach_outs_to_us", "lost_to_competitor"],
    "booked_or_three_more": ["sales", "calls", "booked_connects"],
}


class LessonError(UserError, ValueError):
    """A lesson that cannot be found or read, explained for a person."""


@dataclass(frozen=True)
class Lesson:
    name: str
    path: Path
    question: str
    description: str


def lessons_dir(folder: Optional[Path] = None) -> Path:
    if folder is not None:
        return Path(folder)
    local = Path("scenarios") / "lessons"
    return local if local.is_dir() else LESSONS_DIR


def list_lessons(folder: Optional[Path] = None) -> list[Lesson]:
    """Every lesson file of the folder, by name."""
    out = []
    for path in sorted(lessons_dir(folder).glob("*.yaml")):
        try:
            data = read_yaml(path)
        except ScenarioError:
            data = {}
        out.append(Lesson(path.stem, path, str(data.get("question", "")), " ".join(str(data.get("description", "")).split())))
    return out


def find_lesson(name: str, folder: Optional[Path] = None) -> Lesson:
    for lesson in list_lessons(folder):
        if lesson.name == name:
            return lesson
    known = ", ".join(lesson.name for lesson in list_lessons(folder)) or "none"
    raise LessonError(f"no lesson {name!r} in {lessons_dir(folder)}/ (lessons: {known})")


def focus_sentences(scenario: Scenario, summary: pd.DataFrame, runs: pd.DataFrame,
                    lesson: Optional[str] = None) -> list[str]:
    """The sentences on the numbers that answer a lesson's question (none for a scenario that is no lesson)."""
    names = display_names(scenario.strategies)
    names = {k: names[k] for k in dict.fromkeys(runs["strategy"]) if k in names}
    out = []
    for metric in FOCUS.get(lesson or scenario.name, []):
        sentence = (S.claim_sentence(runs, names) if metric == "claim"
                    else S.metric_sentence(summary, names, scenario.baseline, metric))
        if sentence is not None:
            out.append(sentence.text)
    return out


def answer(scenario: Scenario, summary: pd.DataFrame, runs: pd.DataFrame, lesson: Optional[str] = None) -> list[str]:
    """The answer to a lesson's question as sentences from the numbers: the focus metrics, then the headline."""
    names = display_names(scenario.strategies)
    names = {k: names[k] for k in dict.fromkeys(runs["strategy"]) if k in names}
    out = focus_sentences(scenario, summary, runs, lesson)
    out += [s.text for s in S.comparisons(summary, runs, names, scenario.baseline)]
    warning = S.replication_warning(summary)
    if warning:
        out.append(warning)
    return out
