"""Fitting a scenario to an activity log: what a CRM log identifies, each with a 95% interval and its n.

- reachability, a Beta(mean, concentration) of per-prospect answer chances, and the hot answer
  window (answer chance by minutes since the prospect got in touch: lead created, reply,
  call-in), by one likelihood on every call but booked ones (``fit_estimators.fit_answering``);
- conversation outcomes (shares of answered calls), the unqualified share, the booked-call show
  rate, unsubscribes and do-not-call requests;
- complaint risk by touch frequency (a table by touches in the last 7 days, and the model's
  frequency_risk by maximum likelihood given the annoyance the log's touches build up);
- call durations, working days and hours, calls per rep-day, the team's size;
- lead arrivals per day, by hour and by weekday; the listed prospects and their ramp;
- the cadence the team followed (``infer_cadence``).

The hidden readiness chain and whatever depends on it cannot be read from a log; those keep
their defaults and are listed (``NOT_IDENTIFIED``). ``docs/fit-recovery.md`` checks the
intervals on simulated logs with known parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pandas as pd
from scipy import stats

from sim.fit.export_mapping import ActivityError
from sim.fit.export_reader import Activities, week_origin
from sim.fit.plausibility import plausibility
from sim.fit.estimators import (  # the estimators are re-exported: sim.fit.fitting is where a reader looks for them
    Estimate, annoyance_after, binomial_ci, fit_answering, fit_frequency_risk, fit_hot_window, fit_reachability,
    hot_answer, poisson_ci, rate_estimate,
)
from pydantic import ValidationError

from sim.scenario.loading import explain
from sim.fit.log_estimates import HOT_WINDOW, _answering, _complaints, _durations, _Log, _outcomes, _prepare
from sim.scenario.schema import PRESETS, Scenario
from sim.scenario.units import DAY, HOUR, WEEK, format_clock, format_duration

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

NOT_IDENTIFIED = [
    ("readiness.*", "the buying-readiness chain is hidden: a CRM records touches, not when a prospect starts or stops considering"),
    ("population.inbound.mix", "the readiness of new leads, hidden for the same reason"),
    ("conversation.sale / not_interested / book (by readiness)",
     "only their mix over the hidden readiness shows in the log; the report compares the outcome shares"),
    ("conversation.nurture, skill_effect, team.reps[].skill, pushiness", "not separable from the outcome shares in a log"),
    ("conversation.email_reply, sms_reply, voicemail_callback (by readiness)", "by readiness, hidden; overall rates are reported"),
    ("conversation.hot.intent_boost, intent_decay", "the intent lift shows only through outcome shares by speed; not fitted"),
    ("conversation.booked_show_reminded", "the log does not say which booked calls had a reminder; the show rate sets booked_show"),
    ("complaints.annoyance_decay, weight_*, frequency_exponent, frequency_cap, pushy_risk; population.tolerance",
     "the shape of the annoyance rule is not separable from its level in a log; frequency_risk is fitted given them"),
    ("durations.wrap_up_*", "time between calls is not logged"),
    ("team.queue, rules, population.timezones", "policies and prospects' time zones, not in an activity log"),
]


@dataclass
class Fit:
    """Everything the fit learned from a log: estimates, tables, the fitted scenario's data and notes."""

    acts: Activities
    origin: pd.Timestamp
    estimates: dict[str, Estimate]
    tables: dict[str, pd.DataFrame]
    scenario_data: dict
    comments: dict[str, str]
    notes: list[str] = field(default_factory=list)
    kept_defaults: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # plausibility (sim.fit.plausibility), in fit.md and on the console

    def scenario(self) -> Scenario:
        return Scenario.model_validate(self.scenario_data)


# ---------------------------------------------------------------- the log, prepared
def infer_cadence(log: _Log, calendar: dict, max_steps: int = 12) -> tuple[dict, pd.DataFrame, list[str]]:
    """The cadence the team followed: the most common day of attempts 1..k, their channel, and the habits around them."""
    t = log.touches
    notes = []
    if t["purpose"].notna().any():
        steps = t[t["purpose"].isin(["new_lead", "follow_up", "prospecting"])]
    else:
        calls = log.calls
        skip = calls.loc[calls["booked"] | ((calls["age"] < HOT_WINDOW) & ~calls["trig_lead"]), ["prospect", "m"]]
        key = set(zip(skip["prospect"], skip["m"]))
        steps = t[[(p, m) not in key for p, m in zip(t["prospect"], t["m"])]]
        notes.append("the log has no purpose column: booked calls and callbacks were told from the calls around them")
    steps = steps.sort_values(["prospect", "m"], kind="mergesort")
    attempt = steps.groupby("prospect").cumcount() + 1
    offset = (steps["m"] - steps.groupby("prospect")["m"].transform("min")) / DAY
    n1 = int((attempt == 1).sum())
    rows, days = [], []
    for j in range(1, max_steps + 1):
        sel = attempt == j
        n = int(sel.sum())
        if n < max(20, 0.02 * n1):
            break
        # the most common whole day: a step due on a weekend or behind a queue comes later, never earlier
        day = int(pd.Series(np.round(offset[sel].to_numpy())).mode().min()) + 1
        day = max(day, days[-1] + 1) if days else 1
        channel = steps.loc[sel, "channel"].astype(str).mode().iloc[0]
        channel = channel if channel in ("call", "email", "sms") else "call"
        days.append(day)
        rows.append({"attempt": j, "prospects": n, "day": day, "channel": channel,
                     "day p25": float(offset[sel].quantile(0.25)) + 1, "day p75": float(offset[sel].quantile(0.75)) + 1})
    table = pd.DataFrame(rows)
    strategy: dict = {"description": "The cadence this team followed, read from the log (followup-sim fit)."}
    strategy["steps"] = [{"day": r["day"], "channel": r["channel"]} for r in rows] or [{"day": 1}]
    strategy["max_touches"] = max(len(rows), 1)
    first = steps[attempt == 1]
    lead_t = pd.to_datetime(first["lead_created"], utc=True).dt.tz_convert(log.team_timezone)
    minute = lead_t.dt.hour * 60 + lead_t.dt.minute
    day_ok = lead_t.dt.day_of_week.isin([WEEKDAY_NAMES.index(d) for d in calendar["days"]])
    # leads created while the team works (an hour before closing at the latest): their delay is the
    # team's habit plus queueing, not the night or the weekend
    in_hours = first["lead_m"].notna() & day_ok & (minute >= calendar["start_min"]) & (minute < calendar["end_min"] - 60)
    if in_hours.sum() >= 10:
        delay = float((first.loc[in_hours, "m"] - first.loc[in_hours, "lead_m"]).median())
        strategy["first_response"] = format_duration(max(1.0, round(delay)))
        notes.append(f"first_response {strategy['first_response']} is the median delay to the first touch of the "
                     f"{int(in_hours.sum()):,} leads created in working hours (queueing included)")
    f = log.f
    booked = int((f["outcome"] == "meeting_booked").sum())
    strategy["book_next_step"] = booked > 0
    calls = log.calls
    if booked:
        prev_m = calls.groupby("prospect")["m"].shift(1)
        gap = (calls["m"] - prev_m)[calls["booked"]].dropna()
        if len(gap) >= 10:
            strategy["booking_delay"] = format_duration(max(HOUR, round(float(gap.median()) / HOUR) * HOUR))
    missed = calls[~calls["answered"]]
    strategy["voicemail"] = bool((missed["outcome"] == "voicemail").sum() >= (missed["outcome"] == "no_answer").sum())
    no = t[t["outcome"] == "not_interested"].groupby("prospect")["m"].min()
    if len(no) >= 10:
        later = t.merge(no.rename("no_m"), left_on="prospect", right_index=True)
        touched_after = later.loc[later["m"] > later["no_m"], "prospect"].nunique()
        strategy["stop_on_no"] = touched_after < 0.2 * len(no)
    return strategy, table, notes


# ---------------------------------------------------------------- the whole fit
def fit_activities(acts: Activities, name: str = "fitted", defaults: Optional[Scenario] = None,
                   cadence: Optional[str] = None) -> Fit:
    """Fit every parameter the log identifies; the rest keep ``defaults`` (the model's defaults) and are listed.

    ``cadence``: a preset name to use as the team's strategy (``as_logged``) instead of the
    cadence read from the log (which the report still shows)."""
    if cadence is not None and cadence not in PRESETS:
        raise ActivityError(f"--cadence {cadence!r}: not a preset; expected one of: {', '.join(PRESETS)}")
    sc = defaults or Scenario()
    f = acts.frame
    if not ((f["channel"] == "call") & (f["direction"] == "outbound")).any():
        raise ActivityError(f"{acts.report.source}: no outbound calls among the {len(f):,} rows read; the fit needs the "
                            "team's calls (channel call, direction outbound): check the mapping's channel and direction")
    origin = week_origin(acts)
    log = _prepare(acts, origin)
    est: dict[str, Estimate] = {}
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = list(acts.report.notes)
    kept: list[tuple[str, str]] = list(NOT_IDENTIFIED)
    calls = log.calls
    if log.booked_inferred:
        notes.append("the log has no purpose column: a booked call is taken to be the next call after a "
                     "'meeting_booked' outcome")

    est["connect_rate"] = rate_estimate("connect rate (answered / outbound calls, all calls)", int(calls["answered"].sum()),
                                len(calls), "share (Clopper-Pearson interval)")
    _answering(acts, log, sc, est, tables, notes, kept)
    _outcomes(log, est, tables, kept)
    _durations(calls, est, kept)
    _complaints(log, sc, est, tables, notes)
    data, comments = _scenario_data(acts, log, sc, est, tables, notes, kept, name, cadence)
    fit = Fit(acts=acts, origin=origin, estimates=est, tables=tables, scenario_data=data, comments=comments,
              notes=notes, kept_defaults=kept)
    fit.warnings = plausibility(fit)
    return fit


def _team_and_time(acts: Activities, log: _Log, est: dict, tables: dict, notes: list, kept: list) -> dict:
    """Working days and hours, calls per rep-day, team size, horizon, arrivals and the listed prospects."""
    out: dict = {}
    calls = log.calls
    local = calls["t"].dt.tz_convert(acts.team_timezone)
    wd = np.bincount(local.dt.day_of_week.to_numpy(), minlength=7)
    days = [WEEKDAY_NAMES[i] for i in range(7) if wd[i] >= 0.1 * wd.max()]
    minute = (local.dt.hour * 60 + local.dt.minute + local.dt.second / 60).to_numpy()
    start = math.floor(np.quantile(minute, 0.005) / 30) * 30
    end = min(1440, math.ceil(np.quantile(minute, 0.995) / 30) * 30)
    if end <= start:
        end = min(1440, start + 30)
    outside = float(np.mean((minute < start) | (minute >= end) | ~np.isin(local.dt.day_of_week, [WEEKDAY_NAMES.index(d) for d in days])))
    out["calendar"] = {"days": days, "start": format_clock(start), "end": format_clock(end)}
    out["calendar_minutes"] = {"days": days, "start_min": start, "end_min": end}
    tables["calls_by_weekday"] = pd.DataFrame({"weekday": WEEKDAY_NAMES, "calls": wd})
    est["working_hours"] = Estimate(f"working hours {format_clock(start)} to {format_clock(end)} on {', '.join(days)}",
                                    100 * (1 - outside), float("nan"), float("nan"), len(calls),
                                    "0.5% and 99.5% quantiles of call times, rounded out to the half hour; "
                                    "value: % of calls inside", None, 1, "% inside")
    with_rep = calls[calls["rep"].notna()]
    if len(with_rep):
        per_day = with_rep.groupby([with_rep["rep"].astype(str), local[calls["rep"].notna()].dt.date]).size()
        mean, sd, n = float(per_day.mean()), float(per_day.std(ddof=1)) if len(per_day) > 1 else 0.0, len(per_day)
        half = stats.t.ppf(0.975, max(n - 1, 1)) * sd / math.sqrt(n) if n > 1 else float("nan")
        est["calls_per_rep_day"] = Estimate("calls per rep-day (days a rep called)", mean, mean - half, mean + half, n,
                                            "mean over rep-days (t interval)")
        est["calls_per_rep_day_p95"] = Estimate("calls per rep-day, 95th percentile", float(per_day.quantile(0.95)),
                                                float("nan"), float("nan"), n, "quantile")
        out["reps"] = int(with_rep["rep"].astype(str).nunique())
    else:
        kept.append(("team.reps", "the log has no rep_id"))
    span_days = max(1, math.ceil(log.last_m / DAY))
    out["horizon"] = f"{span_days}d"
    leads = log.f.groupby("prospect")["lead_m"].first()
    start_w, end_w = _lead_window(float(log.f["m"].min()), log.last_m)
    lead_m = leads.dropna()
    counted = lead_m[(lead_m >= start_w) & (lead_m < end_w)]
    k, days = len(counted), (end_w - start_w) / DAY
    lo, hi = poisson_ci(k)
    est["per_day"] = Estimate("inbound leads per day", k / days, lo / days, hi / days, k,
                              f"leads created in {days:g} whole days (whole weeks when the log is long enough) "
                              "ending 3 days before the last activity (Garwood interval)", "population.inbound.per_day")
    if k >= 50:
        stamps = pd.to_datetime(log.f.loc[log.f["prospect"].isin(counted.index)].groupby("prospect")["lead_created"].min(),
                                utc=True)
        loc = stamps.dt.tz_convert(acts.team_timezone)
        hourly = np.bincount(loc.dt.hour.to_numpy(), minlength=24).astype(float)
        weekday = np.bincount(loc.dt.day_of_week.to_numpy(), minlength=7).astype(float)
        out["hourly"] = [round(float(x), 3) for x in hourly / hourly.mean()]
        out["weekday"] = [round(float(x), 3) for x in weekday / weekday.mean()]
        tables["arrivals_by_hour"] = pd.DataFrame({"hour": range(24), "leads": hourly.astype(int), "weight": out["hourly"]})
        tables["arrivals_by_weekday"] = pd.DataFrame({"weekday": WEEKDAY_NAMES, "leads": weekday.astype(int),
                                                      "weight": out["weekday"]})
    else:
        kept.append(("population.inbound.hourly, weekday", f"only {k} leads with a creation time"))
    listed = leads.index[leads.isna()]
    first_touch = log.touches.groupby("prospect")["m"].min()
    out["list_size"] = int(len(listed))
    if len(listed):
        ft = first_touch.reindex(listed).dropna()
        ramp = max(1, math.ceil(float(ft.quantile(0.95)) / 0.95 / DAY)) if len(ft) else 1
        out["ramp"] = f"{ramp}d"
    notes.append(f"{len(listed):,} prospects have no lead creation time and are taken as a list worked from the start; "
                 f"{k:,} are inbound leads.")
    return out


def _minutes(value: float) -> str:
    """A duration field's text in fixed notation ('14.1m'; never '3.5e+07m', which no scenario reads)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "m"


def _lead_window(first_m: float, last_m: float) -> tuple[float, float]:
    """Minutes [start, end) in which lead arrivals are counted: whole weeks from the first Monday
    the log covers from its start, ending 3 days before the last activity (a lead created later may
    not be touched yet, and a lead never touched has no row); whole days when that is under a week."""
    end_limit = last_m - 3 * DAY
    start = 0.0 if first_m < DAY else math.ceil(first_m / WEEK) * WEEK
    weeks = math.floor((end_limit - start) / WEEK)
    if weeks >= 1:
        return start, start + weeks * WEEK
    start = math.floor(first_m / DAY) * DAY
    end = max(start + DAY, math.floor(end_limit / DAY) * DAY)
    return start, end


def _scenario_data(acts, log, sc, est, tables, notes, kept, name, preset=None) -> tuple[dict, dict]:
    tt = _team_and_time(acts, log, est, tables, notes, kept)
    strategy, cadence, cad_notes = infer_cadence(log, tt["calendar_minutes"])
    tables["cadence"] = cadence
    notes.extend(cad_notes)
    data = sc.model_dump(mode="json")
    data.update({"name": name, "description": f"Fitted by followup-sim fit to {acts.report.source}: see its fit.md.",
                 "horizon": tt["horizon"], "replications": 5})
    comments: dict[str, str] = {}

    def put(path: str, value, comment: str) -> None:
        node = data
        parts = path.split(".")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
        comments[path] = comment

    for key in ("conversation", "voicemail", "no_answer"):
        if f"duration_{key}" in est:
            data["durations"][key] = {"kind": "lognormal", "mean": "1m", "cv": 0.5}
    for e in est.values():
        if e.path is None or not np.isfinite(e.value):
            continue
        value = round(float(e.value), 6) if e.unit != "min" else _minutes(float(e.value))
        u = e.unit if e.unit == "%" else f" {e.unit}" if e.unit else ""
        interval = f"[{e.low * e.scale:.4g}{u}, {e.high * e.scale:.4g}{u}]" if np.isfinite(e.low) else "[no interval]"
        put(e.path, value, f"fitted: {e.value * e.scale:.4g}{u}, 95% interval {interval}, n={e.n:,}; {e.method}")
    if "reach_mean" in est:
        data["population"]["reachability"]["kind"] = "beta"
    put("population.outbound.size", tt["list_size"], "prospects without a lead creation time in the log")
    if "ramp" in tt:
        put("population.outbound.ramp", tt["ramp"], "first touches of listed prospects spread over this (95% / 0.95)")
    for key in ("hourly", "weekday"):
        if key in tt:
            put(f"population.inbound.{key}", tt[key], f"lead creation times by {'hour' if key == 'hourly' else 'weekday'} "
                                                      "(team time), relative to their mean")
    put("team.calendar", tt["calendar"], "call times: 0.5% and 99.5% quantiles, rounded out to the half hour; "
                                         "days with at least 10% of the busiest day's calls")
    if "reps" in tt:
        put("team.reps", [{"count": tt["reps"]}], "distinct rep_id values that made calls (skill and pushiness: defaults)")
    data["strategies"] = {
        "as_logged": strategy,
        "five_and_stop": {"preset": "five_and_stop"},
        "cadence_1_3_7_14_28_58": {"preset": "cadence_1_3_7_14_28_58"},
        "call_within_a_minute": {"preset": "call_within_a_minute"},
    }
    data["baseline"] = "as_logged"
    comments["strategies.as_logged"] = "the cadence the log shows (most common day of each attempt); the others are presets to compare"
    if preset is not None:
        data["strategies"]["as_logged"] = {"preset": preset, "description": f"The preset {preset}, named with --cadence."}
        comments["strategies.as_logged"] = (f"the preset {preset}, named with --cadence instead of the cadence read from "
                                            "the log (fit.md shows that one); the others are presets to compare")
        notes.append(f"the team's strategy is the preset {preset} (named with --cadence), not the cadence read from the log")
    try:
        Scenario.model_validate(data)
    except ValidationError as err:  # e.g. calls logged only at night: fitted working hours outside legal calling hours
        raise ActivityError(explain(err, f"{acts.report.source}: the scenario fitted to this log", data)
                            + "\n  (the log is too small or too odd to fit a usable team: check its times and rows)") from None
    return data, comments


__all__ = ["Fit", "Estimate", "fit_activities", "fit_answering", "fit_reachability", "fit_hot_window", "fit_frequency_risk",
           "annoyance_after", "rate_estimate",
           "infer_cadence", "binomial_ci", "poisson_ci", "hot_answer", "NOT_IDENTIFIED", "HOT_WINDOW"]
