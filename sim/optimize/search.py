"""The optimize loop: Optuna proposes cadences, each is simulated on the same replications as
every other (common random numbers), then the best few meet in a KN selection on fresh
replications that the search never saw (so the search's lucky draws do not pick the winner).

The answer depends only on the scenario, the seed, the budget and the goals: candidates are
proposed in fixed batches of ``BATCH`` whatever the worker count, Optuna's sampler is seeded
from the scenario's seed, and every finished run can be kept and handed back (``cache``), so a
resumed search replays the same proposals and runs only what is missing.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from sim.experiment.jobs import Job, map_runs
from sim.scenario.loading import validate_data
from sim.scenario.schema import Scenario
from sim.experiment.stats import t_interval
from sim.scenario.strategies import Strategy
from sim.optimize.goals import Constraint, Objective, OptimizeError
from sim.optimize.selection import KN
from sim.optimize.space import Space, suggest
from sim.optimize.timebox import Clock, TimeBox
import optuna

BATCH = 4  # candidates proposed together: fixed, so any --workers gives the same answer
SEARCH_SHARE = 0.6  # of the budget, for the search; the rest is for the final selection
FINAL_FIRST = 1000  # the final stage's replications are 1000, 1001, ...: fresh prospects and luck
DEFAULT_DELTA_SHARE = 0.02  # default indifference zone: 2% of the best searched objective

Progress = Callable[[int, int], None]
Key = tuple[str, int]  # (candidate, replication)


@dataclass(frozen=True)
class Settings:
    objective: Objective
    constraints: tuple[Constraint, ...] = ()
    budget: int = 300  # simulated runs, search and selection together
    search_replications: int = 3
    minutes: Optional[float] = None  # a wall-time limit instead (not reproducible: it depends on speed)
    delta: Optional[float] = None  # indifference zone; default DEFAULT_DELTA_SHARE of the best searched objective
    alpha: float = 0.05
    n0: int = 5
    finalists: int = 3
    space: Space = field(default_factory=Space)

    def text(self) -> str:
        goals = ", ".join(c.text() for c in self.constraints) or "none"
        return (f"objective {self.objective.text()}; constraints {goals}; budget {self.budget} runs; "
                f"{self.search_replications} replications per searched cadence")


@dataclass
class Candidate:
    key: str
    strategy: dict  # scenario data of the strategy
    origin: str  # "search" (a proposal of trial N) or "scenario" (a strategy the scenario lists)
    trial: Optional[int] = None
    params: dict = field(default_factory=dict)
    means: dict = field(default_factory=dict)  # metric -> mean over the search replications


@dataclass
class Outcome:
    settings: Settings
    candidates: dict[str, Candidate]
    current: str  # the team's current strategy (the scenario's baseline)
    best_listed: Optional[str]  # the best other strategy the scenario lists (meeting the constraints)
    contenders: list[str]  # in the final selection
    final: dict[str, list[dict]]  # contender -> its final-stage runs' metrics, replication by replication
    survivors: list[str]  # left by KN (one: separated)
    winner: Optional[str]
    runner_up: Optional[str]
    delta: float
    closest: Optional[str] = None  # when nothing met the constraints: the one that came nearest
    runs: int = 0
    stopped_by: str = "budget"
    seconds: float = 0.0  # wall time of the search and selection, on the evaluator's clock
    has_inbound: bool = True  # whether the scenario has inbound leads (a first response to describe)

    @property
    def separated(self) -> bool:
        return len(self.survivors) == 1


def candidate_key(strategy: dict) -> str:
    return "optimized_" + hashlib.sha1(json.dumps(strategy, sort_keys=True).encode()).hexdigest()[:10]


class Evaluator:
    """Runs (candidate, replication) pairs, each at most once (``cache`` holds the metrics of
    those finished, a resumed search's included); ``keep(key, metrics)`` is told each new one.
    ``runs`` counts every pair asked for, cached or not: the budget."""

    def __init__(self, scenario: Scenario, workers: int = 1, dask: Optional[str] = None,
                 cache: Optional[dict[Key, dict]] = None, keep: Optional[Callable[[Key, dict], None]] = None,
                 progress: Optional[Progress] = None, total: int = 0, clock: Clock = time.monotonic):
        self.scenario, self.workers, self.dask, self.clock = scenario, workers, dask, clock
        self.seconds, self.simulated = 0.0, 0  # wall time of the runs simulated (not cached), and how many
        self.cache = cache if cache is not None else {}
        self.keep, self.progress, self.total = keep, progress, total
        self.runs = 0
        self._base = scenario.model_dump(mode="json")
        self._scenarios: dict[str, Scenario] = {}

    def scenario_for(self, key: str, strategy: dict) -> Scenario:
        if key not in self._scenarios:
            data = dict(self._base, strategies={key: strategy}, baseline=key)
            self._scenarios[key] = validate_data(data, f"candidate {key}")
        return self._scenarios[key]

    def metrics(self, items: list[tuple[str, dict, int]]) -> list[dict]:
        """The metrics of each (key, strategy, replication), in order."""
        todo: dict[Key, Job] = {}
        for key, strategy, rep in items:
            if (key, rep) not in self.cache and (key, rep) not in todo:
                todo[(key, rep)] = Job(self.scenario_for(key, strategy), key, rep)
        cached = len(items) - len(todo)
        self.runs += cached
        self._tick()
        order = list(todo)

        def finished(i: int, result) -> None:
            self.cache[order[i]] = dict(result.metrics)
            if self.keep:
                self.keep(order[i], self.cache[order[i]])
            self.runs += 1
            self._tick()

        t0 = self.clock()
        map_runs(list(todo.values()), self.workers, self.dask, on_result=finished)
        if todo:
            self.seconds += self.clock() - t0
            self.simulated += len(todo)
        return [self.cache[(key, rep)] for key, _, rep in items]

    def seconds_for(self, runs: int) -> float:
        """The wall time ``runs`` more runs should take at the measured time per run (0 before any)."""
        return runs * self.seconds / self.simulated if self.simulated else 0.0

    def _tick(self) -> None:
        if self.progress:
            self.progress(min(self.runs, self.total), self.total)


def _means(rows: list[dict]) -> dict:
    return {m: math.fsum(float(r[m]) for r in rows) / len(rows) for m in rows[0]}


def _feasible(c: Candidate, constraints) -> bool:
    return all(k.slack(c.means[k.metric]) <= 0 for k in constraints)


def _violation(c: Candidate, constraints) -> float:
    """How far a candidate is from meeting every constraint, each relative to its limit."""
    return math.fsum(max(0.0, k.slack(c.means[k.metric])) / max(abs(k.limit), 1e-9) for k in constraints)


def _rules(strategy: dict) -> dict:
    """A strategy's fields that change what happens (not its name or description)."""
    return Strategy.model_validate(strategy).model_dump(mode="json", exclude={"label", "description", "preset"})


def check_budget(settings: Settings, listed: int) -> None:
    """Refuse (OptimizeError) a budget too small for one batch of the search and the selection's
    first stage, saying what would do."""
    r, n0 = settings.search_replications, settings.n0
    search_min = r * (listed + BATCH)
    final_min = n0 * (settings.finalists + 2)
    need = max(math.ceil(search_min / SEARCH_SHARE), math.ceil(final_min / (1 - SEARCH_SHARE)))
    if settings.budget < need:
        raise OptimizeError(f"--budget {settings.budget}: too small for this scenario; the search needs {search_min} "
                            f"runs for its first batch ({listed} listed strategies and {BATCH} proposals, "
                            f"{r} replications each) and the selection {final_min} ({n0} replications of up to "
                            f"{settings.finalists + 2} cadences): give --budget {need} or more")


def optimize(scenario: Scenario, settings: Settings, ev: Evaluator) -> Outcome:
    """Search, then select (see the module's docstring); with ``settings.minutes``, each chunk of
    runs starts only if the measured time per run says it ends in time (``TimeBox``)."""

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    box = TimeBox(settings.minutes, ev.clock, SEARCH_SHARE)
    least_selection = settings.n0 * 2  # the smallest selection: two cadences' first stage
    current_key = scenario.baseline
    current = scenario.strategies[current_key]
    r_search = settings.search_replications
    obj, cons = settings.objective, settings.constraints

    candidates: dict[str, Candidate] = {}
    listed = {k: s.model_dump(mode="json", exclude_none=True) for k, s in scenario.strategies.items()}
    rows = ev.metrics([(k, d, r) for k, d in listed.items() for r in range(r_search)])
    for i, (k, d) in enumerate(listed.items()):
        candidates[k] = Candidate(k, d, "scenario", means=_means(rows[i * r_search:(i + 1) * r_search]))

    sampler = optuna.samplers.TPESampler(seed=scenario.seed % 2**32)  # reads the constraints each trial sets
    study = optuna.create_study(direction="maximize", sampler=sampler)
    limit = int(settings.budget * SEARCH_SHARE)
    stopped_by = "budget"
    while ev.runs + r_search <= limit:
        n = min(BATCH, (limit - ev.runs) // r_search)
        if not box.fits(ev.seconds_for(n * r_search), search=True, then=ev.seconds_for(least_selection)):
            break
        trials = [study.ask() for _ in range(n)]
        datas = [suggest(t, settings.space, current) for t in trials]
        keys = [candidate_key(d) for d in datas]
        rows = ev.metrics([(k, d, r) for k, d in zip(keys, datas) for r in range(r_search)])
        for i, (t, k, d) in enumerate(zip(trials, keys, datas)):
            means = _means(rows[i * r_search:(i + 1) * r_search])
            candidates.setdefault(k, Candidate(k, d, "search", t.number, dict(t.params), means))
            for c in cons:
                t.set_constraint(c.text(), min(c.slack(means[c.metric]), 1e12))
            value = obj.better(means[obj.metric])
            if math.isnan(value):
                study.tell(t, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(t, value)

    if len(candidates) == 1:  # only the current cadence: the time limit left no room for one batch
        need = ev.seconds_for(BATCH * r_search) / SEARCH_SHARE + ev.seconds_for(len(listed) * r_search)
        raise OptimizeError(f"the time limit of {settings.minutes:g} minutes ended before the search could try one "
                            f"batch of cadences (at {ev.seconds_for(1):.2g} s a run, a batch of {BATCH} takes "
                            f"{ev.seconds_for(BATCH * r_search):.0f} s); give {math.ceil(need / 60 * 10) / 10:g} "
                            "minutes or more")
    ranked = sorted(candidates.values(), key=lambda c: obj.better(c.means[obj.metric]), reverse=True)
    feasible = [c for c in ranked if _feasible(c, cons)]
    delta = settings.delta or max(abs(ranked[0].means[obj.metric]) * DEFAULT_DELTA_SHARE, 1e-9)
    best_listed = next((c.key for c in feasible if c.origin == "scenario" and c.key != current_key), None)
    if not feasible:
        closest = min(ranked, key=lambda c: _violation(c, cons)).key
        return Outcome(settings, candidates, current_key, None, [], {}, [], None, None, delta, closest, ev.runs,
                       "time" if box.hit else stopped_by, box.elapsed(), scenario.population.inbound.per_day > 0)
    listed_rules = [_rules(c.strategy) for c in candidates.values() if c.origin == "scenario"]
    contenders = [c.key for c in feasible if c.origin == "search"
                  and _rules(c.strategy) not in listed_rules][:settings.finalists]  # a listed one stands for its twin
    for extra in (current_key, best_listed):
        if extra is not None and extra not in contenders:
            contenders.append(extra)
    if len(contenders) == 1:
        contenders.append(next(c.key for c in ranked if c.key not in contenders))
    contenders = _that_fit(contenders, current_key, best_listed, box.room(ev.seconds_for(settings.n0)))
    final, survivors = _select(contenders, candidates, settings, ev, obj, delta, box)
    if box.hit:
        stopped_by = "time"
    by_mean = sorted(contenders, key=lambda k: obj.better(_means(final[k])[obj.metric]), reverse=True)
    winner = max(survivors, key=lambda k: obj.better(_means(final[k])[obj.metric]))
    runner_up = next((k for k in by_mean if k != winner and k != current_key), None)
    return Outcome(settings, candidates, current_key, best_listed, contenders, final, survivors, winner, runner_up,
                   delta, None, ev.runs, stopped_by, box.elapsed(), scenario.population.inbound.per_day > 0)


def _that_fit(contenders: list[str], current: str, best_listed: Optional[str], room: Optional[int]) -> list[str]:
    """The contenders whose first stage ends in time (``room`` of them; at least two): the best
    searched one, the current cadence, the best listed one, then the other searched ones."""
    if room is None or room >= len(contenders):
        return contenders
    first = [k for k in dict.fromkeys([contenders[0], current, best_listed, *contenders]) if k is not None]
    kept = set(first[:max(2, room)])
    return [k for k in contenders if k in kept]


def _select(contenders: list[str], candidates: dict[str, Candidate], settings: Settings, ev: Evaluator,
            obj: Objective, delta: float, box: TimeBox) -> tuple[dict[str, list[dict]], list[str]]:
    """KN on the contenders, on replications FINAL_FIRST + 0, 1, ... (within the budget)."""
    kn = KN(len(contenders), delta, settings.alpha, settings.n0)
    final: dict[str, list[dict]] = {}
    rows = ev.metrics([(k, candidates[k].strategy, FINAL_FIRST + r) for k in contenders for r in range(kn.n0)])
    for i, k in enumerate(contenders):
        final[k] = rows[i * kn.n0:(i + 1) * kn.n0]
    values = [[obj.better(row[obj.metric]) for row in final[k]] for k in contenders]
    s2 = kn.pair_variances(values)
    alive = kn.screen(values, list(range(len(contenders))), kn.n0, s2)
    r = kn.n0
    most = kn.max_replications(s2)
    while len(alive) > 1 and r < most and ev.runs + len(alive) <= settings.budget:
        if not box.fits(ev.seconds_for(len(alive))):
            break
        rows = ev.metrics([(contenders[i], candidates[contenders[i]].strategy, FINAL_FIRST + r) for i in alive])
        for i, row in zip(alive, rows):
            final[contenders[i]].append(row)
            values[i].append(obj.better(row[obj.metric]))
        r += 1
        alive = kn.screen(values, alive, r, s2)
    return final, [contenders[i] for i in alive]


def interval(rows: list[dict], metric: str) -> tuple[float, float, float, int]:
    return t_interval([float(r[metric]) for r in rows])


def strategy_of(c: Candidate) -> Strategy:
    return Strategy.model_validate(c.strategy)
