"""Replications to a precision: keep adding replications until every strategy's paired 95%
interval of its difference from the baseline, on one metric, is at most a half-width.

The answer is the smallest replication count n (at least ``MIN_REPLICATIONS``, at most the
maximum) at which every interval is narrow enough. Replications are run in batches (each
batch across the workers), but every n inside a batch is checked, so the count depends only
on the seed and the target, never on the batch sizes or the worker count. Replication r is
the same whatever the count (the seed scheme derives it from (seed, r) alone), so the
results equal those of a fixed ``--replications n`` run, byte for byte.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

from sim.scenario.errors import UserError
from sim.experiment.jobs import Progress, experiment_jobs, map_runs
from sim.model.metrics import metric_names
from sim.model.results import RunResult
from sim.scenario.schema import Scenario
from sim.experiment.stats import t_interval

MIN_REPLICATIONS = 10  # fewer give an interval too unsure of its own width to stop on
DEFAULT_MAX_REPLICATIONS = 200
SUFFIX = "_vs_baseline"


class PrecisionError(UserError, ValueError):
    """A --precision target that cannot be used; the message says what was expected."""


@dataclass(frozen=True)
class Target:
    """The half-width every strategy's paired difference from the baseline must reach."""

    metric: str  # a summary metric ending in _vs_baseline
    half_width: float

    def text(self) -> str:
        base = self.metric[: -len(SUFFIX)]
        if base == "close_rate":
            return f"{self.metric} ±{self.half_width * 100:g} percentage points"
        return f"{self.metric} ±{self.half_width:g}"


def parse_target(text: str) -> Target:
    """``0.5pp`` (close rate, percentage points), ``close_rate_vs_baseline=0.005``,
    ``close_rate=0.5pp`` or ``profit_vs_baseline=10000`` as a Target."""
    raw = text.strip()
    metric, _, value = raw.rpartition("=")
    metric = metric.strip() or "close_rate"
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9_]+", metric):
        raise PrecisionError(f"--precision {text!r}: expected METRIC=HALF_WIDTH (e.g. close_rate_vs_baseline=0.005) "
                             "or a close-rate half-width in percentage points (e.g. 0.5pp)")
    scale = 1.0
    if value.lower().endswith("pp"):
        value, scale = value[:-2].strip(), 0.01
    try:
        half = float(value) * scale
    except ValueError:
        raise PrecisionError(f"--precision {text!r}: {value!r} is not a number; expected e.g. 0.5pp or "
                             "close_rate_vs_baseline=0.005") from None
    if not (half > 0 and math.isfinite(half)):
        raise PrecisionError(f"--precision {text!r}: the half-width must be a number above 0")
    if not metric.endswith(SUFFIX):
        metric += SUFFIX
    return Target(metric, half)


def check_target(scenario: Scenario, target: Target, max_replications: int) -> None:
    """PrecisionError unless the target can be met on this scenario."""
    if len(scenario.strategies) < 2:
        raise PrecisionError("--precision compares each strategy with the baseline: the scenario needs at least "
                             "two strategies")
    names = metric_names(scenario)
    base = target.metric[: -len(SUFFIX)]
    if base not in names:
        close = [n for n in names if base.split("_")[0] in n][:6]
        hint = f" (metrics like it: {', '.join(close)})" if close else ""
        raise PrecisionError(f"--precision: no metric {base!r}{hint}; every metric is listed in docs/model.md, "
                             "section 8")
    if max_replications < 2:
        raise PrecisionError("--max-replications: at least 2 are needed for an interval")


@dataclass
class Stop:
    """Why and where a run to a precision stopped, for the user and the manifest."""

    target: Target
    replications: int  # the count kept: the results are those of a fixed run of this many
    computed: int  # replications simulated (batches may run past the stopping point)
    max_replications: int
    met: bool
    half_widths: dict[str, float] = field(default_factory=dict)  # per strategy, at the stopping count

    @property
    def reason(self) -> str:
        if self.met:
            return f"every strategy's 95% interval of {self.target.metric} is within the target"
        return f"--max-replications {self.max_replications} was reached before every interval was within the target"

    def manifest(self) -> dict:
        return {"metric": self.target.metric, "half_width_target": self.target.half_width,
                "max_replications": self.max_replications, "replications": self.replications,
                "replications_computed": self.computed, "met": self.met, "reason": self.reason,
                "half_widths": {k: (None if math.isnan(v) else v) for k, v in self.half_widths.items()}}


def half_widths(values: dict[str, list[float]], baseline: str, n: int) -> dict[str, float]:
    """Half-width of each strategy's paired 95% interval of its difference from the baseline,
    over replications 0 .. n-1 (NaN pairs left out, as in ``stats.summarize``)."""
    base = values[baseline][:n]
    out = {}
    for name, vals in values.items():
        if name == baseline:
            continue
        _mean, lo, hi, _n = t_interval([a - b for a, b in zip(vals[:n], base)])
        out[name] = (hi - lo) / 2
    return out


def next_batch(n_done: int, widest: float, target: float, max_replications: int) -> int:
    """How many replications to add: about as many as the widest interval says are missing
    (half-width shrinks as 1/sqrt(n)), at least 2, at most doubling what has been run."""
    if math.isnan(widest) or widest <= 0:
        wanted = n_done
    else:
        wanted = math.ceil(n_done * (widest / target) ** 2 * 1.1) - n_done
    return max(2, min(wanted, n_done, max_replications - n_done))


def run_to_precision(scenario: Scenario, target: Target, max_replications: int, workers: int = 1,
                     dask: Optional[str] = None, progress: Optional[Progress] = None,
                     event_log: bool = False) -> tuple[Scenario, list[RunResult], Stop]:
    """Run replications in batches until ``target`` is met or ``max_replications`` are run.

    Returns the scenario with ``replications`` set to the count kept, the results of those
    replications in the order of a fixed run (strategy by strategy, replication within) and
    the Stop. ``progress(done, total)`` counts runs towards the current batch's end."""
    names = list(scenario.strategies)
    metric = target.metric[: -len(SUFFIX)]
    first = min(MIN_REPLICATIONS, max_replications)
    runs: dict[tuple[str, int], RunResult] = {}
    values: dict[str, list[float]] = {name: [] for name in names}
    done, stop_at, widths = 0, None, {}
    while stop_at is None:
        widest = math.nan if any(math.isnan(w) for w in widths.values()) else max(widths.values(), default=math.nan)
        end = first if done == 0 else done + next_batch(done, widest, target.half_width, max_replications)
        jobs = experiment_jobs(scenario, end, event_log, names, first=done)
        offset = len(runs)
        report = (lambda k, _n: progress(offset + k, len(names) * end)) if progress else None
        for job, res in zip(jobs, map_runs(jobs, workers, dask, report)):
            runs[(job.strategy, job.replication)] = res
        for name in names:
            values[name].extend(float(runs[(name, r)].metrics[metric]) for r in range(done, end))
        for n in range(max(done + 1, 2), end + 1):
            widths = half_widths(values, scenario.baseline, n)
            if (n >= first and all(w <= target.half_width for w in widths.values())) or n == max_replications:
                stop_at = n
                break
        done = end
    met = all(w <= target.half_width for w in widths.values())
    kept = scenario.model_copy(update={"replications": stop_at})
    results = [runs[(name, r)] for name in names for r in range(stop_at)]
    return kept, results, Stop(target, stop_at, done, max_replications, met, widths)
