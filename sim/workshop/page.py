"""What the workshop page does, without the page: two strategies (A and B) built from presets
plus a trainer's edits, validated into one Scenario, run with a cache, and told as sentences,
stories, a trade-off chart, an exportable scenario file, a report and a link.

The page (``sim/workshop/app.py``) only draws widgets and calls these functions; everything
here can be used and tested without Streamlit. Its charts are in ``page_charts``, the story of one
prospect under A and B in ``page_stories``.

    base = workshop_base()                              # or base_from_file(path)
    setup = default_setup(base)
    setup = replace(setup, b=replace(setup.b, max_touches=3))
    scenario = build_scenario(base, setup)              # ScenarioError with field paths
    view = compare(scenario, cache)                     # runs only what the cache lacks
    view.headline, view.questions

Every strategy run depends only on the scenario's common part, the strategy and the
replication (``engine.run_replication``), so the cache is keyed by a hash of those: a change
of B reruns B alone, and switching back to an earlier B reruns nothing.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd

from sim.present import sentences as S
from sim.model.engine import run_replication
from sim.experiment.jobs import Experiment
from sim.scenario.loading import ScenarioError, dump_scenario, read_yaml, validate_data
from sim.model.results import RunResult
from sim.scenario.schema import Scenario
from sim.experiment.stats import summarize
from sim.scenario.strategies import PRESETS, Strategy, display_names
from sim.scenario.units import format_duration
from sim.actions.runner import run_into_folder
import sys

SIDES = ("A", "B")
CHANNELS = ("call", "email", "sms")
STORY_PICKS = ("sold", "lost", "complained")
SOURCE = "workshop setup"  # how validation messages name what was checked

# The built-in scenario: small enough to answer in well under 2 seconds on 2 cores (about
# 0.3 s per strategy for 5 replications; bench/workshop_speed.py), large enough to teach from.
WORKSHOP_SCENARIO: dict[str, Any] = {
    "name": "workshop",
    "question": "What happens to sales and complaints if we change how we follow up?",
    "description": "A workshop scenario: 600 listed prospects and about 4 new inbound leads a day, "
                   "worked by 3 reps for 90 days.",
    "horizon": "90d",
    "replications": 5,
    "seed": 2026,
    "population": {"outbound": {"size": 600, "ramp": "10d"}, "inbound": {"per_day": 4}},
    "team": {"reps": [{"count": 3, "pushiness": 0.0, "skill": 0.5}]},
    "strategies": {"A": {"preset": "one_and_done"}, "B": {"preset": "cadence_1_3_7_14_28_58"}},
    "baseline": "A",
}


# ---------------------------------------------------------------- the edits
@dataclass(frozen=True)
class StrategyEdit:
    """One side's strategy as the page edits it: where it starts and the fields a trainer changes.

    ``steps`` is a tuple of (day, after, channel): a step on cadence ``day`` (``after`` None) or
    ``after`` a gap such as ``"1d"`` (``day`` None), as the strategy schema has them."""

    start: str
    steps: tuple[tuple[Optional[float], Optional[str], str], ...]
    max_touches: Optional[int]
    stop_on_no: bool
    first_response: str
    book_next_step: bool
    reminder_email: bool
    rep_pushiness: Optional[float]


@dataclass(frozen=True)
class Setup:
    """Everything the page can change: A, B, the team (size and skill, shared by both) and the seed."""

    a: StrategyEdit
    b: StrategyEdit
    reps: int
    skill: float
    seed: int

    def side(self, name: str) -> StrategyEdit:
        return self.a if name == "A" else self.b


@dataclass(frozen=True)
class Base:
    """The scenario the workshop starts from (its strategies are the starting points offered
    beside the presets) and the setup it opens with."""

    data: dict  # the raw scenario mapping, as read
    starts: dict[str, Strategy]  # name -> strategy a side can start from (presets, then the file's own)
    opening: tuple[str, str]  # the starts A and B open with

    @property
    def names(self) -> dict[str, str]:
        return display_names(self.starts)


def _base_from_data(data: dict, source: str) -> Base:
    scenario = validate_data(data, source)
    starts = {name: Strategy.model_validate({"preset": name}) for name in PRESETS}
    by_key = {strategy_key(s): name for name, s in starts.items()}
    mapped = {}
    for key, strategy in scenario.strategies.items():
        same = by_key.get(strategy_key(strategy))
        if same is None:  # the file's own strategy: offered under its key (not hiding a preset's name)
            same = key if key not in starts else f"{key} (file)"
            starts[same] = strategy
        mapped[key] = same
    keys = list(scenario.strategies)
    first = scenario.baseline or keys[0]
    second = next((k for k in keys if k != first), first)
    return Base(data, starts, (mapped[first], mapped[second]))


def workshop_base() -> Base:
    """The built-in workshop scenario."""
    return _base_from_data(json.loads(json.dumps(WORKSHOP_SCENARIO)), "built-in workshop scenario")


def base_from_file(path: Path | str) -> Base:
    """A scenario file as the workshop's starting point (ScenarioError as the CLI gives it)."""
    return _base_from_data(read_yaml(Path(path)), str(path))


def edit_from(strategy: Strategy, start: str) -> StrategyEdit:
    """A side's edit that reproduces ``strategy`` exactly."""
    return StrategyEdit(
        start=start,
        steps=tuple((s.day, format_duration(s.after) if s.after is not None else None, s.channel) for s in strategy.steps),
        max_touches=strategy.max_touches,
        stop_on_no=strategy.stop_on_no,
        first_response=format_duration(strategy.first_response),
        book_next_step=strategy.book_next_step,
        reminder_email=strategy.reminder_email,
        rep_pushiness=strategy.rep_pushiness,
    )


def start_edit(base: Base, start: str) -> StrategyEdit:
    """A side set to a starting point as it is (a preset or one of the file's strategies)."""
    if start not in base.starts:
        raise ScenarioError(f"{SOURCE}: no strategy {start!r} to start from; expected one of: {', '.join(base.starts)}")
    return edit_from(base.starts[start], start)


def default_setup(base: Base) -> Setup:
    """The setup the page opens with: the base scenario's first two strategies, its team and seed."""
    data = base.data
    group = (data.get("team", {}).get("reps") or [{}])[0]
    scenario = validate_data(data, SOURCE)
    return Setup(a=start_edit(base, base.opening[0]), b=start_edit(base, base.opening[1]),
                 reps=scenario.team.size, skill=float(group.get("skill", 0.5)), seed=scenario.seed)


def changed(base: Base, edit: StrategyEdit) -> bool:
    """Whether a side differs from its starting point."""
    return edit != start_edit(base, edit.start)


def strategy_data(base: Base, edit: StrategyEdit) -> dict:
    """The strategy mapping a scenario file holds for one side: the starting point with the edits."""
    start = base.starts[edit.start]
    data = start.model_dump(mode="json", exclude_none=True)
    data.pop("preset", None)
    data["steps"] = [{"day": d, "channel": c} if d is not None else {"after": a, "channel": c}
                     for d, a, c in edit.steps]
    if not edit.steps:
        data.pop("repeat", None)  # a repeat needs a step before it
    for name in ("max_touches", "stop_on_no", "first_response", "book_next_step", "reminder_email", "rep_pushiness"):
        value = getattr(edit, name)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    shown = base.names[edit.start]
    data["label"] = f"{shown} (changed)" if changed(base, edit) else shown
    return data


def scenario_data(base: Base, setup: Setup) -> dict:
    """The A-vs-B scenario as a raw mapping (what the exported YAML holds, before defaults).

    The team becomes one group of ``setup.reps`` reps with ``setup.skill``, keeping the first
    group's other fields (a file with several rep groups is shown as one)."""
    data = json.loads(json.dumps(base.data))
    data["seed"] = setup.seed
    reps = data.setdefault("team", {}).get("reps") or [{}]
    group = dict(reps[0])
    group["count"] = setup.reps
    group["skill"] = setup.skill
    data["team"]["reps"] = [group]
    data["strategies"] = {"A": strategy_data(base, setup.a), "B": strategy_data(base, setup.b)}
    data["baseline"] = "A"
    if data["strategies"]["A"]["label"] == data["strategies"]["B"]["label"]:
        data["strategies"]["B"]["label"] += " (B)"
    return data


def build_scenario(base: Base, setup: Setup) -> Scenario:
    """The validated A-vs-B scenario, or ScenarioError with one ``path: message`` line per problem,
    exactly as ``followup-sim validate`` words them."""
    return validate_data(scenario_data(base, setup), SOURCE)


_LINE = re.compile(r"^  (\S[^:]*?): (.*)$")


def field_messages(error: ScenarioError) -> dict[str, str]:
    """The problems of a ScenarioError by field path (``strategies.B.steps[0].day`` -> message);
    a problem without a field goes under ``""``."""
    out: dict[str, str] = {}
    lines = str(error).splitlines()
    for line in lines[1:]:
        m = _LINE.match(line)
        if m:
            out[m.group(1)] = m.group(2)
        elif line.strip():
            out[""] = (out.get("", "") + " " + line.strip()).strip()
    if not out:
        out[""] = lines[0] if lines else str(error)
    return out


# ---------------------------------------------------------------- running, with a cache
def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


def common_key(scenario: Scenario) -> str:
    """A hash of everything a run depends on besides its strategy and replication."""
    data = scenario.model_dump(mode="json")
    for name in ("strategies", "baseline", "name", "description", "question", "replications"):
        data.pop(name, None)
    return _digest(data)


def strategy_key(strategy: Strategy) -> str:
    """A hash of what a strategy does (its label and description change no number)."""
    return _digest(strategy.model_dump(mode="json", exclude={"label", "description", "preset"}))


class RunCache:
    """Results of (scenario's common part, strategy, replication, event log?) runs, reused whenever
    the same run is asked for again. One per page session or server; no module-level state."""

    def __init__(self, limit: int = 1000, pool=None):
        self.limit = limit
        self.results: dict[tuple, RunResult] = {}
        self.ran = 0  # runs simulated (for tests and the page: how much a change cost)
        self.pool = pool  # an Executor of worker processes: missing runs of an experiment run there at once

    def _key(self, scenario: Scenario, strategy: str, replication: int, event_log: bool) -> tuple:
        return (common_key(scenario), strategy_key(scenario.strategy(strategy)), replication, event_log)

    def _keep(self, key: tuple, result: RunResult) -> None:
        if len(self.results) >= self.limit:
            self.results.pop(next(iter(self.results)))
        self.results[key] = result

    def run(self, scenario: Scenario, strategy: str, replication: int, event_log: bool = False) -> RunResult:
        key = self._key(scenario, strategy, replication, event_log)
        hit = self.results.get(key)
        if hit is None:
            hit = run_replication(scenario, strategy, replication, event_log)
            self.ran += 1
            self._keep(key, hit)
        return dataclasses.replace(hit, strategy=strategy)

    def prefetch(self, scenario: Scenario, jobs: list[tuple[str, int]]) -> None:
        """With a pool: simulate the runs of ``jobs`` (strategy, replication) the cache lacks, side by side."""
        todo = [(s, r) for s, r in dict.fromkeys(jobs) if self._key(scenario, s, r, False) not in self.results]
        if self.pool is None or len(todo) < 2:
            return
        futures = [self.pool.submit(run_replication, scenario, s, r, False) for s, r in todo]
        for (s, r), fut in zip(todo, futures):
            self._keep(self._key(scenario, s, r, False), fut.result())
            self.ran += 1

    def missing(self, scenario: Scenario, strategies: list[str]) -> int:
        common = common_key(scenario)
        return sum((common, strategy_key(scenario.strategy(s)), r, False) not in self.results
                   for s in strategies for r in range(scenario.replications))

    def experiment(self, scenario: Scenario, strategies: Optional[list[str]] = None,
                   progress: Optional[Callable[[int, int], None]] = None) -> Experiment:
        """Every chosen strategy x replication, in ``run_experiment``'s order, from the cache where it can."""
        names = strategies or list(scenario.strategies)
        jobs = [(s, r) for s in names for r in range(scenario.replications)]
        self.prefetch(scenario, jobs)
        results = []
        for i, (s, r) in enumerate(jobs):
            results.append(self.run(scenario, s, r))
            if progress:
                progress(i + 1, len(jobs))
        if strategies is not None:
            scenario = scenario.model_copy(update={"strategies": {s: scenario.strategies[s] for s in names}})
        return Experiment(scenario, results)


# ---------------------------------------------------------------- what the room sees
@dataclass
class View:
    """The A-vs-B comparison as the page shows it."""

    scenario: Scenario
    experiment: Experiment
    runs: pd.DataFrame
    summary: pd.DataFrame
    names: dict[str, str]
    headline: list[S.Sentence]
    figures: list[S.Sentence]
    questions: list[str]
    warning: Optional[str]

    def point(self, side: str) -> dict[str, float]:
        """Close rate (%) and complaints per 1,000, with their 95% intervals, of one side."""
        cr = S.row_of(self.summary, side, "close_rate")
        cp = S.row_of(self.summary, side, "complaints_per_1000")
        return {"close_rate": cr[0] * 100, "close_low": cr[1] * 100, "close_high": cr[2] * 100,
                "complaints": cp[0], "complaints_low": cp[1], "complaints_high": cp[2]}


def view_of(experiment: Experiment) -> View:
    """Sentences and questions for an experiment of A and B (baseline A), from ``sim.present.sentences``."""
    scenario = experiment.scenario
    runs = experiment.runs()
    summary = summarize(runs, scenario.baseline)
    names = display_names(scenario.strategies)
    return View(scenario, experiment, runs, summary, names,
                headline=S.comparisons(summary, runs, names, scenario.baseline),
                figures=S.figure_sentences(S.teaching_figures(summary, names)),
                questions=S.reflection_questions(summary, runs, names, scenario.baseline),
                warning=S.replication_warning(summary))


def compare(scenario: Scenario, cache: RunCache, progress: Optional[Callable[[int, int], None]] = None) -> View:
    """Run A and B (only what the cache lacks) and say what happened."""
    return view_of(cache.experiment(scenario, list(SIDES), progress))


def presets_scenario(scenario: Scenario) -> Scenario:
    """The same world with every preset as it ships: the grey points behind A and B."""
    return scenario.model_copy(update={"strategies": {k: Strategy.model_validate({"preset": k}) for k in PRESETS},
                                       "baseline": next(iter(PRESETS))})


def preset_points(scenario: Scenario, cache: RunCache,
                  progress: Optional[Callable[[int, int], None]] = None) -> pd.DataFrame:
    """Close rate (%) and complaints per 1,000 with 95% intervals for every preset in this world."""
    sc = presets_scenario(scenario)
    exp = cache.experiment(sc, progress=progress)
    summary = summarize(exp.runs(), sc.baseline)
    names = display_names(sc.strategies)
    rows = []
    for key in sc.strategies:
        cr = S.row_of(summary, key, "close_rate")
        cp = S.row_of(summary, key, "complaints_per_1000")
        rows.append({"strategy": key, "name": names[key], "close_rate": cr[0] * 100, "close_low": cr[1] * 100,
                     "close_high": cr[2] * 100, "complaints": cp[0], "complaints_low": cp[1],
                     "complaints_high": cp[2]})
    return pd.DataFrame(rows)


def view_key(scenario: Scenario) -> str:
    """A hash of everything an A-vs-B view shows: the world, both strategies and their names."""
    return _digest([common_key(scenario), scenario.replications,
                    {k: [strategy_key(s), s.label] for k, s in scenario.strategies.items()}])


# ---------------------------------------------------------------- export
def scenario_yaml(scenario: Scenario, setup: Setup) -> str:
    """The A-vs-B scenario as a file ``followup-sim run`` accepts (every default filled in; the seed recorded)."""
    head = (f"# Exported from the followup-sim workshop page (seed {setup.seed}).\n"
            f"# Rerun it: followup-sim run FILE.yaml\n")
    return head + dump_scenario(scenario)


def report_html(scenario: Scenario, workdir: Optional[Path] = None) -> str:
    """report.html for the A-vs-B scenario: a results folder written by ``runner.run_into_folder``
    (with its plots and report) in a temporary folder, read back."""

    with tempfile.TemporaryDirectory(prefix="workshop-report-", dir=workdir) as tmp:
        outcome = run_into_folder(scenario, Path(tmp) / scenario.name, workers=1, plots=True, report=True)
        return (outcome.folder / "report.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- starting the page
SCENARIO_ENV = "FOLLOWUP_SIM_WORKSHOP_SCENARIO"  # the scenario file the page starts from (empty: built-in)
# Local only, no usage statistics, no browser opened, no file watcher, no developer menu. Given
# both as flags and as the environment of the server process, so no config file in the user's
# home (nor one in the current folder) is needed or can change them.
STREAMLIT_SETTINGS = {
    "server.address": "127.0.0.1",
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "browser.serverAddress": "127.0.0.1",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "global.developmentMode": "false",
    "client.toolbarMode": "minimal",
    "theme.base": "light",
}


def app_path() -> Path:
    return Path(__file__).with_name("app.py")


def streamlit_command(port: int, scenario: Optional[Path] = None,
                      python: Optional[str] = None) -> tuple[list[str], dict[str, str]]:
    """The command line and extra environment that start the workshop page on 127.0.0.1:``port``."""

    settings = {**STREAMLIT_SETTINGS, "server.port": str(port), "browser.serverPort": str(port)}
    argv = [python or sys.executable, "-m", "streamlit", "run", str(app_path())]
    argv += [f"--{key}={value}" for key, value in settings.items()]
    # Streamlit's environment names: STREAMLIT_ + the option in upper snake case (server.fileWatcherType
    # -> STREAMLIT_SERVER_FILE_WATCHER_TYPE)
    env = {"STREAMLIT_" + re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key.replace(".", "_")).upper(): value
           for key, value in settings.items()}
    env[SCENARIO_ENV] = str(Path(scenario).resolve()) if scenario is not None else ""
    return argv, env


# ---------------------------------------------------------------- the link
def encode_setup(setup: Setup) -> dict[str, str]:
    """Query parameters carrying a setup: ``setup`` (the edits, compressed) and ``seed``."""
    edits = {"a": dataclasses.asdict(setup.a), "b": dataclasses.asdict(setup.b), "reps": setup.reps,
             "skill": setup.skill}
    raw = zlib.compress(json.dumps(edits, separators=(",", ":")).encode(), 9)
    return {"setup": base64.urlsafe_b64encode(raw).decode().rstrip("="), "seed": str(setup.seed)}


def _edit(data: dict) -> StrategyEdit:
    steps = tuple((None if d is None else float(d), None if a is None else str(a), str(c)) for d, a, c in data["steps"])
    return StrategyEdit(**{**data, "steps": steps})


def decode_setup(params: dict[str, str], base: Base) -> Setup:
    """The setup a link carries (see ``encode_setup``); ScenarioError when it cannot be read."""
    try:
        text = params["setup"]
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), bufsize=65536)
        if len(raw) > 100_000:
            raise ValueError("too long")
        edits = json.loads(raw)
        setup = Setup(a=_edit(edits["a"]), b=_edit(edits["b"]), reps=int(edits["reps"]), skill=float(edits["skill"]),
                      seed=int(params.get("seed", WORKSHOP_SCENARIO["seed"])))
    except (KeyError, ValueError, TypeError, zlib.error, json.JSONDecodeError) as exc:
        raise ScenarioError(f"the link's setup could not be read ({type(exc).__name__}); "
                            "the page opened with its default setup") from None
    for edit in (setup.a, setup.b):
        if edit.start not in base.starts:
            raise ScenarioError(f"the link starts a strategy from {edit.start!r}, which this scenario does not offer")
    return setup
