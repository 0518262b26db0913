"""The fit's round trip: simulate a scenario with known parameters, export its log as activities,
fit it, and check that the 95% intervals cover the parameters the log was made with.

``recovery_scenario`` is the known scenario (small, so one round trip takes a couple of seconds);
``round_trip`` runs one seed; ``recovery_table`` runs many and counts, per parameter, how often
the interval covered the truth, beside the band a correct 95% interval stays in
(``coverage_band``, from the binomial distribution of the number of seeds, not tuned).
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
import numpy as np
import pandas as pd
from scipy import stats

from sim.fit.export_reader import frame_activities
from sim.present.activity_writer import activities_from_events, write_activities
from sim.model.engine import run_replication
from sim.fit.fitting import Fit, fit_activities
from sim.scenario.schema import Scenario
from sim.fit.report import compare
import yaml

RECOVERY_SCENARIO = {
    "name": "fit_recovery",
    "description": "A known scenario for the fit's round trip: 1,500 listed prospects, 20 inbound leads a day, "
                   "3 reps, 63 days, a call/email cadence that books next steps.",
    "horizon": "63d",
    "population": {"outbound": {"size": 1500, "ramp": "20d"}, "inbound": {"per_day": 20},
                   "reachability": {"kind": "beta", "mean": 0.08, "concentration": 10}},
    "team": {"reps": [{"count": 3}]},
    "strategies": {"known": {
        "steps": [{"day": 1}, {"day": 2}, {"day": 4, "channel": "email"}, {"day": 7}, {"day": 11}],
        "first_response": "10m", "book_next_step": True}},
}


def recovery_scenario(seed: int = 0, **changes) -> Scenario:
    data = {**RECOVERY_SCENARIO, "seed": seed, **changes}
    return Scenario.model_validate(data)


def truths(sc: Scenario) -> dict[str, float]:
    """The parameters a fit should recover, by estimate key, as the scenario sets them."""
    conv, hot = sc.conversation, sc.conversation.hot
    return {
        "reach_mean": sc.population.reachability.mean,
        "reach_concentration": sc.population.reachability.concentration,
        "answer": hot.answer, "answer_decay": hot.answer_decay, "answer_shape": hot.answer_shape,
        "booked_show": conv.booked_show, "unqualified": conv.unqualified, "unsubscribe": conv.unsubscribe,
        "frequency_risk": sc.complaints.frequency_risk, "per_day": sc.population.inbound.per_day,
    }


def fit_of_run(sc: Scenario, strategy: str = "known", replication: int = 0) -> Fit:
    """Simulate one run with its event log, export it as activities and fit it.

    Prospect ids are relabelled at random (as a CRM's ids bear no relation to when a lead came
    in), so the fit cannot lean on ids that sort in arrival order."""
    result = run_replication(sc, strategy, replication, event_log=True)
    rows = activities_from_events(result.events)
    rng = np.random.default_rng([sc.seed, replication, 7])
    ids = rows["prospect_id"].unique()
    relabel = dict(zip(ids, (f"c{n}" for n in rng.choice(10 * len(ids) + 10, size=len(ids), replace=False))))
    rows["prospect_id"] = rows["prospect_id"].map(relabel)
    return fit_activities(frame_activities(rows), f"{sc.name}_fitted")


LARGE = {"population": {"outbound": {"size": 15000, "ramp": "20d"}, "inbound": {"per_day": 200},
                        "reachability": {"kind": "beta", "mean": 0.08, "concentration": 10}},
         "team": {"reps": [{"count": 30}]}}  # ten times the round trip: intervals ~3x narrower


def round_trip(seed: int, large: bool = False) -> dict:
    """One seed: each parameter's estimate, interval and whether it covers the truth."""
    sc = recovery_scenario(seed, **(LARGE if large else {}))
    fit = fit_of_run(sc)
    out = {"seed": seed}
    for key, truth in truths(sc).items():
        e = fit.estimates.get(key)
        out[key] = None if e is None else (e.value, e.low, e.high, e.covers(truth))
    return out


def coverage_band(seeds: int, level: float = 0.95, alpha: float = 0.01) -> tuple[int, int]:
    """How many of ``seeds`` correct ``level`` intervals cover the truth, with probability 1 - alpha."""
    return int(stats.binom.ppf(alpha / 2, seeds, level)), int(stats.binom.isf(alpha / 2, seeds, level))


def recovery_table(seeds: list[int], workers: int = 1, alpha: float = 0.01) -> pd.DataFrame:
    """Per parameter: truth, mean estimate, mean interval, how many seeds' intervals covered it, and the band."""
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(round_trip, seeds))
    else:
        runs = [round_trip(s) for s in seeds]
    truth = truths(recovery_scenario(0))
    rows = []
    for key, value in truth.items():
        got = [r[key] for r in runs if r[key] is not None]
        n = len(got)
        lo, hi = coverage_band(n, alpha=alpha) if n else (0, 0)
        covered = sum(g[3] for g in got)
        rows.append({"parameter": key, "truth": value, "fitted in": n,
                     "mean estimate": sum(g[0] for g in got) / n if n else float("nan"),
                     "mean interval low": sum(g[1] for g in got) / n if n else float("nan"),
                     "mean interval high": sum(g[2] for g in got) / n if n else float("nan"),
                     "covered": covered, "band low": lo, "band high": hi,
                     "within band": bool(n and lo <= covered <= hi)})
    return pd.DataFrame(rows)


def summary_check(seed: int = 0, replications: int = 5, workers: int = 1) -> pd.DataFrame:
    """The log's summary figures beside a simulation of its fitted scenario (``fit_report.compare``)."""

    return compare(fit_of_run(recovery_scenario(seed)), replications=replications, workers=workers)


SAMPLE_SCENARIO = {
    "name": "activities_sample",
    "description": "The known scenario behind examples/activities_sample.csv: 500 listed prospects, 8 inbound "
                   "leads a day, 2 reps in Berlin working 09:00-17:00, 6 weeks, a call/email cadence that books "
                   "next steps; every other field at the model's defaults.",
    "horizon": "42d", "seed": 2026,
    "population": {"outbound": {"size": 500, "ramp": "15d"}, "inbound": {"per_day": 8}},
    "team": {"reps": [{"count": 2}]},
    "strategies": {"known": {
        "steps": [{"day": 1}, {"day": 2}, {"day": 4, "channel": "email"}, {"day": 7}, {"day": 11}],
        "first_response": "10m", "book_next_step": True}},
}
SAMPLE_TIMEZONE = "Europe/Berlin"
# how the sample spells things: the shape of a CRM's activity export, read back by its mapping file
SAMPLE_COLUMNS = {"prospect_id": "Contact ID", "timestamp": "Activity date", "channel": "Type",
                  "direction": "Direction", "outcome": "Call outcome", "rep_id": "Owner",
                  "lead_source": "Lead source", "lead_created_at": "Lead created", "purpose": "Task type"}
SAMPLE_VALUES = {
    "channel": {"call": "Call", "email": "Email", "sms": "SMS", "other": "Web form"},
    "direction": {"outbound": "Outgoing", "inbound": "Incoming"},
    "outcome": {"no_answer": "No answer", "voicemail": "Left voicemail", "connected": "Connected",
                "meeting_booked": "Meeting booked", "won": "Closed won", "lost": "Bought elsewhere",
                "not_interested": "Not interested", "unqualified": "Not a fit", "unsubscribed": "Unsubscribed",
                "complaint": "Complaint", "sent": "Sent", "replied": "Replied"},
    "purpose": {"new_lead": "New lead", "follow_up": "Follow-up", "callback": "Callback", "booked": "Booked call",
                "prospecting": "Prospecting", "": ""},
}


def write_sample(path, mapping_path) -> int:
    """Simulate SAMPLE_SCENARIO and write its log as a CRM-shaped export plus the mapping that reads it."""


    sc = Scenario.model_validate(SAMPLE_SCENARIO)
    events = run_replication(sc, "known", 0, event_log=True).events
    rows = activities_from_events(events, timezone=SAMPLE_TIMEZONE)
    for name, table in SAMPLE_VALUES.items():
        rows[name] = rows[name].map(table)
    rows = rows.rename(columns=SAMPLE_COLUMNS)
    header = (f"Made by the followup-sim simulator, not by a real team: scenario {sc.name} (seed {sc.seed}), "
              "known parameters in bench/fit_recovery.py (SAMPLE_SCENARIO) and examples/README.md.\n"
              "Read it with: followup-sim fit examples/activities_sample.csv --mapping examples/activities_sample.yaml")
    write_activities(rows, path, header=header)
    mapping = {
        "description": "The shape of examples/activities_sample.csv (a CRM activity export made by the simulator).",
        "columns": {field: col for field, col in SAMPLE_COLUMNS.items()},
        "values": {name: {v: k for k, v in table.items() if v} for name, table in SAMPLE_VALUES.items()},
        "timestamps": {"format": "ISO8601", "naive_timezone": SAMPLE_TIMEZONE, "team_timezone": SAMPLE_TIMEZONE},
    }
    with open(mapping_path, "w", encoding="utf-8") as fh:
        fh.write("# Mapping for examples/activities_sample.csv: its column names and values -> the activity format.\n")
        yaml.safe_dump(mapping, fh, sort_keys=False, allow_unicode=True)
    return len(rows)


__all__ = ["write_sample", "SAMPLE_SCENARIO", "LARGE", "RECOVERY_SCENARIO", "recovery_scenario", "truths", "round_trip", "recovery_table", "coverage_band",
           "fit_of_run", "summary_check"]


