"""Size limits: what a run may ask for, and the memory it will need, checked before simulating.

Two kinds of limit:

- **Stated limits** (part of the schema, so ``validate`` refuses them): a horizon of at most
  ten years, at most 1,000 replications, 100 strategies, 10,000 reps and 5,000,000 expected
  prospects per run; a sweep of at most 100 points and 100,000 runs.
- **The machine**: the memory a run needs is estimated from the scenario and compared with
  the memory available now; ``--workers`` is capped at the cores this process may use.

The estimate is linear in what the engine holds, with figures measured on this engine
(peak resident memory of one replication, Python 3.11, numpy 2; README "Limits"):

- about 160 MB for the interpreter, numpy, pandas and SimPy;
- about 1 KB per prospect for a year's run, plus 0.25 KB per prospect for each further year
  (1,366,100 prospects: 1,396 MB measured, 1,526 MB estimated);
- about 5 KB per rep plus 0.15 KB per rep and simulated day (the rep-day table);
- with ``--events``, about 0.5 KB per event-log row, and up to 20 rows per prospect and year;
  the parent process keeps the event log of every run until it is written.

It errs on the high side. The available memory is ``MemAvailable`` of ``/proc/meminfo``.
"""
from __future__ import annotations

import os
from typing import Optional

from sim.scenario.errors import UserError
from sim.scenario.units import DAY

MAX_HORIZON_DAYS = 3650
MAX_REPLICATIONS = 1000
MAX_SEED = 2**64 - 1  # the same bound for a seed in a file, in --set and on the command line (--seed)
MAX_STRATEGIES = 100
MAX_REPS = 10_000
MAX_PROSPECTS = 5_000_000
MAX_SWEEP_POINTS = 100
MAX_RUNS = 100_000

BASE_MB = 160.0
PROSPECT_KB = 1.0
PROSPECT_KB_PER_EXTRA_YEAR = 0.25
REP_KB = 5.0
REP_DAY_KB = 0.15
EVENT_ROW_KB = 0.5
EVENT_ROWS_PER_PROSPECT_YEAR = 20.0
HEADROOM = 0.9  # refuse a run that needs more than this share of the available memory


class LimitError(UserError):
    """A run larger than a stated limit or than this machine; the message gives the figures."""


def expected_prospects(scenario) -> float:
    """Listed prospects (the day-0 list, the batches and weekly names arriving before the
    horizon) plus the inbound leads expected over the horizon."""
    pop = scenario.population
    return pop.outbound.names_by(scenario.horizon) + pop.inbound.per_day * scenario.horizon / DAY


def run_memory_mb(scenario, events: bool = False) -> tuple[float, float]:
    """(peak MB of one replication's process, MB of its event log kept by the parent)."""
    days = scenario.horizon / DAY
    years = days / 365.0
    prospects = expected_prospects(scenario)
    reps = 0 if scenario.team.unlimited else scenario.team.size
    per_prospect = PROSPECT_KB + PROSPECT_KB_PER_EXTRA_YEAR * max(0.0, years - 1.0)
    mb = BASE_MB + (prospects * per_prospect + reps * (REP_KB + REP_DAY_KB * days)) / 1024
    log_mb = prospects * EVENT_ROWS_PER_PROSPECT_YEAR * max(years, 1 / 12) * EVENT_ROW_KB / 1024 if events else 0.0
    return mb + log_mb, log_mb


def estimate_mb(scenario, workers: int = 1, events: bool = False, runs: Optional[int] = None,
                remote: bool = False) -> float:
    """Peak MB of the whole command: the concurrent replications plus the parent's event logs."""
    runs = len(scenario.strategies) * scenario.replications if runs is None else runs
    per_run, log_mb = run_memory_mb(scenario, events)  # per_run includes its own event log
    held = runs * log_mb  # every run's event log, kept until the folder is written
    if remote:
        return BASE_MB + held
    concurrent = min(workers, runs)
    if concurrent <= 1:
        return per_run - log_mb + held
    return concurrent * per_run + BASE_MB + held


def available_mb() -> Optional[float]:
    """Memory available to new work now (Linux ``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scenario_problems(scenario) -> list[str]:
    """The stated limits a scenario breaks, as ``field: message`` (checked by the schema)."""
    out = []
    prospects = expected_prospects(scenario)
    if prospects > MAX_PROSPECTS:
        out.append(f"population: about {prospects:,.0f} prospects per run (listed, batches and weekly names included, + inbound per_day x horizon); "
                   f"the limit is {MAX_PROSPECTS:,} (about {run_memory_mb(scenario)[0] / 1024:,.1f} GB per run)")
    if scenario.team.size > MAX_REPS:
        out.append(f"team.reps: {scenario.team.size:,} reps; the limit is {MAX_REPS:,}")
    return out


def check_run(scenario, workers: int, events: bool = False, force: bool = False, dask: bool = False,
              runs: Optional[int] = None, notes: Optional[list[str]] = None) -> int:
    """The worker count to use, or LimitError when the run does not fit this machine.

    ``--workers`` above the cores available is capped (a note is added) unless ``force``."""
    runs = len(scenario.strategies) * scenario.replications if runs is None else runs
    if runs > MAX_RUNS:
        raise LimitError(f"{runs:,} runs (strategies x replications x sweep points); the limit is {MAX_RUNS:,}")
    available_cores = cores()
    if workers > available_cores and not force and not dask:
        if notes is not None:
            notes.append(f"--workers {workers} capped at the {available_cores} cores available (--force to use {workers})")
        workers = available_cores
    need = estimate_mb(scenario, workers, events, runs, remote=dask)
    have = available_mb()
    if have is not None and need > HEADROOM * have:
        per_run = run_memory_mb(scenario, events)[0]
        hint = " with fewer --workers" if workers > 1 and not dask else ""
        if events:
            hint += (" or without --events" if hint else " without --events")
        raise LimitError(
            f"this run needs about {need:,.0f} MB ({per_run:,.0f} MB per replication, {min(workers, runs)} at a time"
            f"{', plus the event logs' if events else ''}); {have:,.0f} MB is available. Run it smaller"
            f"{hint or ' (fewer prospects, reps or a shorter horizon)'}.")
    return workers
