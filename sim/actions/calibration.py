"""Calibration: the default model beside the published figures the design names (docs/model.md).

Three reference experiments run on the defaults (nothing here changes a model parameter,
only the population, team and strategies each measurement needs):

* ``market``: a 365-day list, with and without the 1/3/7/14/28/58 cadence, on a team large
  enough to keep up: readiness mix, connect rate per dial, calls until first reached, sales
  by touch number.
* ``speed``: inbound leads only, an unlimited team working around the clock, one call at a
  fixed delay after the lead came in (contact and qualify odds by delay) and the five-call
  cadence started after 1 minute or after 24 hours (conversion lift).
* ``fatigue``: the complaint rule alone, for n calls spread evenly over 90 days.

Ratios of odds are estimated per replication and averaged on the log scale, so their
intervals are t intervals on log odds ratios. ``run_calibration`` returns one row per figure.
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np
import pandas as pd

from sim.experiment.jobs import experiment_jobs, map_runs
from sim.scenario.published import FIGURE_BY_KEY, FIGURES, format_value
from sim.model.readiness import STATE_NAMES
from sim.scenario.schema import Scenario
from sim.experiment.stats import t_interval
from sim.model.touches import ComplaintRules
from sim.scenario.units import DAY
import json
from pathlib import Path
from sim.scenario.loading import dump_scenario
from sim.present.calibration_plot import write_calibration_plot
import time
from sim.actions.folders import ResultsFolder, run_in_folder

CONNECTED_NOT = ("no_answer", "voicemail")
QUALIFIED = ("sale", "booked")  # a first call that sells or books a next step: the lead qualified
ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# First-call delays (minutes) pooled for "within the first hour", "the next hour" and "after 24 hours".
FIRST_HOUR = (5, 15, 25, 35, 45, 55)
NEXT_HOUR = (65, 75, 85, 95, 105, 115)
AFTER_A_DAY = (24 * 60, 36 * 60, 48 * 60)
FATIGUE_CALLS = range(1, 11)


# ---------------------------------------------------------------- reference experiments
MODEL_SECTIONS = ("readiness", "conversation", "complaints", "durations")


def model_of(scenario: Optional[Scenario]) -> dict:
    """The model parameters a calibration uses (defaults, or a scenario's own): everything but
    the population's size, the team and the strategies, which each reference experiment sets."""
    if scenario is None:
        return {}
    data = scenario.model_dump(mode="json")
    out = {k: data[k] for k in MODEL_SECTIONS}
    out["population"] = {k: data["population"][k] for k in ("reachability", "tolerance")}
    return out


def _population(model: dict, **parts) -> dict:
    return {**model.get("population", {}), **parts}


def market_scenario(replications: int, seed: int, prospects: int = 6000, model: Optional[dict] = None) -> Scenario:
    """A list worked with the 1/3/7/14/28/58 cadence by a team that keeps up, beside no follow-up at all."""
    model = model or {}
    return Scenario(
        name="calibration_market", horizon="365d", replications=replications, seed=seed,
        **{k: v for k, v in model.items() if k != "population"},
        population=_population(model, outbound={"size": prospects, "ramp": "60d"}, inbound={"per_day": 0}),
        team={"reps": [{"count": max(2, prospects // 1000)}]},
        strategies={"cadence": {"preset": "cadence_1_3_7_14_28_58"}, "no_follow_up": {"preset": "wait_for_call"}},
        baseline="no_follow_up",
    )


def _delay_name(prefix: str, minutes: int) -> str:
    return f"{prefix}_{minutes}m"


def speed_scenario(replications: int, seed: int, leads_per_day: int = 60, model: Optional[dict] = None) -> Scenario:
    """Inbound leads only, an unlimited team on a 24/7 calendar: the first call goes out exactly at the delay."""
    one_call = {"preset": "one_and_done", "respect_calling_hours": False, "book_next_step": True}
    cadence = {"preset": "five_and_stop", "respect_calling_hours": False}
    delays = sorted({1, 5, 30, *FIRST_HOUR, *NEXT_HOUR, *AFTER_A_DAY})
    strategies = {_delay_name("first_call", d): {**one_call, "first_response": f"{d}m"} for d in delays}
    strategies["cadence_1m"] = {**cadence, "first_response": "1m"}
    strategies["leads_cadence"] = {"preset": "cadence_1_3_7_14_28_58", "respect_calling_hours": False}
    strategies["cadence_24h"] = {**cadence, "first_response": "24h"}
    model = model or {}
    return Scenario(
        name="calibration_speed_to_lead", horizon="90d", replications=replications, seed=seed,
        **{k: v for k, v in model.items() if k != "population"},
        population=_population(model, outbound={"size": 0}, inbound={"per_day": leads_per_day}),
        team={"unlimited": True, "calendar": {"days": ALL_WEEK, "start": "00:00", "end": "23:59"}},
        strategies=strategies, baseline="cadence_24h",
    )


# ---------------------------------------------------------------- measures on one run
def mix_shares(readiness: pd.DataFrame) -> dict[str, float]:
    """Average share (%) ready / considering / not ready (off-market counts as not ready) over the days."""
    market = readiness[list(STATE_NAMES[:4])].to_numpy(float)
    total = market.sum(axis=1)
    ok = total > 0
    share = market[ok] / total[ok, None]
    return {"ready": 100 * share[:, 2].mean(), "considering": 100 * share[:, 1].mean(),
            "not_ready": 100 * (share[:, 0] + share[:, 3]).mean()}


def first_call_rates(events: pd.DataFrame) -> tuple[int, int, int]:
    """(leads called, first call connected, first call qualified) from a run's event log."""
    calls = events[(events["channel"] == "call") & (events["kind"] == "new_lead")]
    first = calls.drop_duplicates("prospect", keep="first")
    contact = ~first["outcome"].isin(CONNECTED_NOT)
    qualified = first["outcome"].isin(QUALIFIED)
    return len(first), int(contact.sum()), int(qualified.sum())


def reached_by_call(events: pd.DataFrame, within: int = 6, arrived_before: Optional[float] = None) -> float:
    """Share (%) of prospects who bought from us whose first connected call was call number <= within.

    ``arrived_before`` keeps only inbound leads that arrived by then (so each had time for its calls)."""
    calls = events[events["channel"] == "call"]
    buyers = set(calls.loc[calls["outcome"] == "sale", "prospect"])
    if arrived_before is not None:
        arrivals = events[(events["channel"] == "inbound") & (events["time_min"] <= arrived_before)]
        buyers &= set(arrivals["prospect"])
    calls = calls[calls["prospect"].isin(buyers)].copy()
    calls["n"] = calls.groupby("prospect").cumcount() + 1
    connected = calls[~calls["outcome"].isin(CONNECTED_NOT)]
    first = connected.groupby("prospect")["n"].min()
    return 100.0 * float((first <= within).mean()) if len(first) else float("nan")


def sales_by_touch_shares(metrics: dict) -> dict[str, float]:
    """Shares of all sales by the outbound attempt they came on (how many times we had reached
    out when the sale came): the claim's "touch" is our attempt, not a call-back or booked call."""
    by = {k: metrics.get(f"sales_attempt_{k}", 0) for k in range(1, 13)}
    total = metrics["sales"]
    if not total:
        return {key: float("nan") for key in ("touch_1", "touch_2", "touch_3", "touch_4", "touch_5_12")}
    return {"touch_1": 100 * by[1] / total, "touch_2": 100 * by[2] / total, "touch_3": 100 * by[3] / total,
            "touch_4": 100 * by[4] / total, "touch_5_12": 100 * sum(by[k] for k in range(5, 13)) / total}


def _log_odds_ratio(a_hits: int, a_n: int, b_hits: int, b_n: int) -> float:
    """log of (odds in a) / (odds in b), with a half added to each cell so empty cells stay finite."""
    return math.log(((a_hits + 0.5) / (a_n - a_hits + 0.5)) / ((b_hits + 0.5) / (b_n - b_hits + 0.5)))


def fatigue_tolerance(scenario: Scenario, replication: int, prospects: int = 20000, max_ratio: float = 2.0) -> float:
    """Calls spread evenly over 90 days a prospect takes before the per-call complaint risk is
    ``max_ratio`` times the risk of a lone call, averaged over the population's tolerances.

    Interpolated between whole numbers of calls so the figure has an interval."""
    rng = np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=(replication, 99)))
    rules = ComplaintRules(scenario.complaints)
    tol = np.maximum(scenario.population.tolerance.sample(rng, prospects), 1e-6)
    w = scenario.complaints.weight_call
    risks = []
    for n in FATIGUE_CALLS:
        gap = 90 * DAY / n
        level = 0.0
        for _ in range(n):
            level = rules.annoyance(level, gap, w)
        r = np.minimum(rules.cap, rules.frequency_risk * (level / tol) ** rules.exponent)
        risks.append(float(r.mean()))
    ratio = np.array(risks) / risks[0]
    above = np.nonzero(ratio > max_ratio)[0]
    if not len(above):
        return float(FATIGUE_CALLS[-1])
    i = above[0]  # ratio[i] > max_ratio >= ratio[i - 1]
    n_lo, n_hi = FATIGUE_CALLS[i - 1], FATIGUE_CALLS[i]
    return n_lo + (max_ratio - ratio[i - 1]) / (ratio[i] - ratio[i - 1]) * (n_hi - n_lo)


# ---------------------------------------------------------------- the whole calibration
def run_calibration(replications: int = 5, seed: int = 2026, workers: int = 1,
                    progress: Optional[Callable[[int, int], None]] = None,
                    market_prospects: int = 6000, leads_per_day: int = 60,
                    model: Optional[dict] = None) -> tuple[pd.DataFrame, dict[str, Scenario]]:
    """Run the reference experiments and return (table, scenarios): one row per figure.

    ``model`` holds model sections to use instead of the defaults (see ``model_of``)."""
    market = market_scenario(replications, seed, market_prospects, model)
    speed = speed_scenario(replications, seed, leads_per_day, model)
    jobs = [job for sc in (market, speed) for job in experiment_jobs(sc, replications, event_log=True)]
    results = map_runs(jobs, workers, progress=progress)
    by = {(job.scenario.name, job.strategy, job.replication): res for job, res in zip(jobs, results)}

    per_rep: dict[str, list[float]] = {f.key: [] for f in FIGURES}
    for r in range(replications):
        cad = by[(market.name, "cadence", r)]
        for key, value in mix_shares(by[(market.name, "no_follow_up", r)].readiness).items():
            per_rep[f"mix_{key}"].append(value)
        per_rep["connect_rate"].append(100 * cad.metrics["connect_rate"])
        per_rep["dials_per_rep_day"].append(cad.metrics["calls_per_rep_day_p95"])
        for key, value in sales_by_touch_shares(cad.metrics).items():
            per_rep[key].append(value)

        def rates(delays) -> tuple[int, int, int]:
            tot = np.zeros(3, dtype=int)
            for d in delays:
                tot += first_call_rates(by[(speed.name, _delay_name("first_call", d), r)].events)
            return tuple(int(x) for x in tot)

        n5, c5, q5 = rates([5])
        n30, c30, q30 = rates([30])
        nh1, _, qh1 = rates(FIRST_HOUR)
        nh2, _, qh2 = rates(NEXT_HOUR)
        nd, _, qd = rates(AFTER_A_DAY)
        per_rep["contact_5_vs_30"].append(_log_odds_ratio(c5, n5, c30, n30))
        per_rep["qualify_5_vs_30"].append(_log_odds_ratio(q5, n5, q30, n30))
        per_rep["qualify_1h_vs_24h"].append(_log_odds_ratio(qh1, nh1, qd, nd))
        per_rep["qualify_1h_vs_2h"].append(_log_odds_ratio(qh1, nh1, qh2, nh2))
        per_rep["reached_by_6"].append(reached_by_call(by[(speed.name, "leads_cadence", r)].events,
                                                    arrived_before=speed.horizon - 60 * DAY))
        fast = by[(speed.name, "cadence_1m", r)].metrics["close_rate"]
        slow = by[(speed.name, "cadence_24h", r)].metrics["close_rate"]
        per_rep["lift_1_minute"].append(math.log(fast / slow) if fast > 0 and slow > 0 else float("nan"))
        per_rep["fatigue_calls"].append(fatigue_tolerance(market, r))

    rows = []
    for f in FIGURES:
        mean, lo, hi, n = t_interval(per_rep[f.key])
        if f.unit == "x":  # averaged on the log scale
            mean, lo, hi = math.exp(mean), math.exp(lo), math.exp(hi)
        elif f.key == "lift_1_minute":  # log ratio -> % lift
            mean, lo, hi = (100 * (math.exp(v) - 1) for v in (mean, lo, hi))
        if f.low is None:
            status = "not a target"
        else:
            status = "met" if f.low <= mean <= f.high else "missed"
        rows.append({
            "figure": f.key, "what": f.label, "source": f.source, "published": f.published, "unit": f.unit,
            "model": mean, "ci_low": lo, "ci_high": hi, "replications": n,
            "tolerance_low": f.low, "tolerance_high": f.high, "status": status, "carried_by": f.carried_by,
        })
    return pd.DataFrame(rows), {"market": market, "speed": speed}


# ---------------------------------------------------------------- presenting the table
def display_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """The table as strings: what, source, published, model [95% interval], tolerance, status, carried by."""
    out = []
    for r in table.itertuples():
        published = FIGURE_BY_KEY[r.figure].published_text
        if published is None:
            published = f"about {r.published:.0f}x" if r.unit == "x" else format_value(r.published, r.unit)
        interval = f"[{format_value(r.ci_low, r.unit)}, {format_value(r.ci_high, r.unit)}]"
        tolerance = "-" if r.tolerance_low is None or (isinstance(r.tolerance_low, float) and math.isnan(r.tolerance_low)) \
            else f"{format_value(r.tolerance_low, r.unit)} to {format_value(r.tolerance_high, r.unit)}"
        out.append({"figure": r.what, "source": r.source, "published": published,
                    "model (95% interval)": f"{format_value(r.model, r.unit)} {interval}",
                    "tolerance": tolerance, "status": r.status, "carried by": r.carried_by})
    return out


def to_markdown(table: pd.DataFrame) -> str:
    rows = display_rows(table)
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def write_calibration_files(table: pd.DataFrame, scenarios: dict[str, Scenario], folder, info: dict,
                            plot: bool = True) -> None:
    """Write calibration.csv, calibration.md, the reference scenarios, (the plot and) manifest.json into ``folder``."""


    folder = Path(folder)
    table.to_csv(folder / "calibration.csv", index=False)
    (folder / "calibration.md").write_text(to_markdown(table), encoding="utf-8")
    for name, sc in scenarios.items():
        (folder / f"scenario_{name}.yaml").write_text(dump_scenario(sc), encoding="utf-8")
    if plot:

        write_calibration_plot(table, folder / "calibration.png")
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration", **info}, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def calibrate_into_folder(replications: int, seed: int, workers: int, out, info: dict, plot: bool = True,
                          model: Optional[dict] = None, force: bool = False, progress=None, notify=None):
    """Check and lock ``out``, run the calibration, write it; returns (table, folder).
    Raises folders.OutputError before any run, runner.RunInterrupted on SIGINT/SIGTERM."""


    t0 = time.perf_counter()
    folder = ResultsFolder(out, "calibration", "calibration", force=force)

    def write(tmp, value) -> None:
        table, scenarios = value
        write_calibration_files(table, scenarios, tmp, {**info, "wall_seconds": round(time.perf_counter() - t0, 3)},
                                plot)

    written, (table, _scenarios) = run_in_folder(
        folder, lambda _folder: run_calibration(replications, seed, workers, progress=progress, model=model), write,
        0, notify)
    return table, written
