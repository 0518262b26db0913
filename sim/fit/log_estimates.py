"""What each part of an activity log identifies, for ``sim.fit.fitting.fit_activities``: answering
(reachability and the hot answer window), booked calls and conversation outcomes, call durations and
complaint risk by touch frequency. Each adds its estimates, tables and notes, or says which
scenario fields keep their defaults and why."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.present.activity_format import ANSWERED
from sim.fit.export_reader import Activities, minutes_since
from sim.fit.estimators import (
    Estimate, annoyance_after, binomial_ci, fit_answering, fit_frequency_risk, fit_reachability, poisson_ci,
    rate_estimate,
)
from sim.scenario.schema import Scenario
from sim.scenario.units import DAY, HOUR

HOT_WINDOW = 24 * HOUR  # calls this soon after the prospect got in touch are not ordinary dials
MIN_N = 30


@dataclass
class _Log:
    f: pd.DataFrame  # all rows, with m (minutes since origin)
    calls: pd.DataFrame  # outbound calls, sorted by prospect then time, with booked, age, answered
    touches: pd.DataFrame  # outbound touches (all channels), sorted by prospect then time
    last_m: float
    booked_inferred: bool
    team_timezone: str = "UTC"


def _prepare(acts: Activities, origin: pd.Timestamp) -> _Log:
    f = acts.frame.copy()
    f["m"] = minutes_since(acts, origin)
    lead_m = (f["lead_created"] - origin).dt.total_seconds() / 60.0
    f["lead_m"] = lead_m.groupby(f["prospect"]).transform("min")
    out = f["direction"] == "outbound"
    touches = f[out].sort_values(["prospect", "m"], kind="mergesort").reset_index(drop=True)
    calls = touches[touches["channel"] == "call"].reset_index(drop=True)
    calls["answered"] = calls["outcome"].isin(ANSWERED)
    has_purpose = calls["purpose"].notna().any()
    if has_purpose:
        calls["booked"] = calls["purpose"] == "booked"
    else:
        prev = calls.groupby("prospect")["outcome"].shift(1)
        calls["booked"] = prev == "meeting_booked"
    # the moments each prospect got in touch: inbound rows (not complaints) and the lead's creation
    inbound = f[(f["direction"] == "inbound") & ~f["outcome"].isin(["complaint", "unsubscribed"])]
    created = f.loc[f["lead_m"].notna()].groupby("prospect")["lead_m"].first()  # one per prospect, keyed by it
    trig = pd.concat([
        pd.DataFrame({"prospect": inbound["prospect"].to_numpy(), "trig_m": inbound["m"].to_numpy(), "lead": False}),
        pd.DataFrame({"prospect": created.index.to_numpy(), "trig_m": created.to_numpy(), "lead": True}),
    ], ignore_index=True).sort_values("trig_m", kind="mergesort")
    trig["trig_m"] = trig["trig_m"].astype(float)
    by_time = calls.reset_index().sort_values("m", kind="mergesort")
    merged = pd.merge_asof(by_time, trig, left_on="m", right_on="trig_m", by="prospect", direction="backward")
    merged = merged.set_index("index").sort_index()
    calls["trig_m"] = merged["trig_m"].to_numpy()
    calls["trig_lead"] = merged["lead"].fillna(False).to_numpy(dtype=bool)
    calls["age"] = calls["m"] - calls["trig_m"]
    return _Log(f=f, calls=calls, touches=touches, last_m=float(f["m"].max()), booked_inferred=not has_purpose,
                team_timezone=acts.team_timezone)


def _complaints(log: _Log, sc: Scenario, estimates: dict, tables: dict, notes: list) -> None:
    t = log.touches.copy()
    comp = log.f[(log.f["direction"] == "inbound") & (log.f["outcome"] == "complaint")][["prospect", "m"]]
    t["idx"] = np.arange(len(t))
    charged = pd.merge_asof(comp.sort_values("m"), t[["prospect", "m", "idx"]].sort_values("m"), on="m",
                            by="prospect", direction="backward")
    lost = int(charged["idx"].isna().sum())
    if lost:
        notes.append(f"{lost} complaints have no earlier outbound touch to that prospect and are not charged to a touch.")
    t["complaint"] = np.bincount(charged["idx"].dropna().astype(int), minlength=len(t))[: len(t)] > 0
    key = t["prospect"].to_numpy(float) * 1e8 + t["m"].to_numpy(float)
    t["in_7d"] = np.arange(len(t)) - np.searchsorted(key, key - 7 * DAY, side="right") + 1
    t["bin"] = np.minimum(t["in_7d"], 5)
    rows = []
    t["dnc"] = t["outcome"] == "unsubscribed"
    for b, g in t.groupby("bin"):
        k, n, u = int(g["complaint"].sum()), len(g), int(g["dnc"].sum())
        lo, hi = binomial_ci(k, n)
        ulo, uhi = binomial_ci(u, n)
        rows.append({"touches in last 7 days": f"{b}" if b < 5 else "5+", "touches": n, "complaints": k,
                     "complaints per 1,000": 1000 * k / n, "95% low": 1000 * lo, "95% high": 1000 * hi,
                     "do-not-call or unsubscribe": u, "per 1,000": 1000 * u / n, "low": 1000 * ulo, "high": 1000 * uhi})
    tables["complaints_by_frequency"] = pd.DataFrame(rows)
    k, n = int(t["complaint"].sum()), len(t)
    lo, hi = poisson_ci(k)
    estimates["complaints_per_1000"] = Estimate("complaints per 1,000 outbound touches", 1000 * k / n,
                                                1000 * lo / n, 1000 * hi / n, n, "count / touches (Garwood interval)")
    said_no = (t["outcome"] == "not_interested").astype(int)
    no_before = said_no.groupby(t["prospect"]).cumsum() - said_no  # a 'no' on an earlier touch
    no_here_or_before = no_before + said_no
    usable = ~t["outcome"].isin(["won", "unsubscribed"])
    first = usable & (no_here_or_before == 0)
    cx = sc.complaints
    if t.loc[first, "complaint"].sum() >= 5:
        ann = annoyance_after(t, cx)
        estimates["frequency_risk"] = fit_frequency_risk(t.loc[first, "prospect"].to_numpy(), ann[first.to_numpy()],
                                                         t.loc[first, "complaint"].to_numpy(), cx,
                                                         sc.population.tolerance)
    after = usable & (no_before > 0)
    if after.sum() >= MIN_N:
        estimates["after_no_risk"] = rate_estimate("complaints per touch after a clear 'no'", int(t.loc[after, "complaint"].sum()),
                                           int(after.sum()), "share of touches after a 'no' that drew a complaint "
                                           "(includes their small frequency risk)", "complaints.after_no_risk")
    log.touches = t


def _durations(calls: pd.DataFrame, est: dict, kept: list) -> None:
    """Mean and cv of talk time (answered calls), voicemails and unanswered dials, when the log has durations."""
    found = False
    for key, sel, path in (("conversation", calls["answered"], "durations.conversation"),
                           ("voicemail", calls["outcome"] == "voicemail", "durations.voicemail"),
                           ("no_answer", calls["outcome"] == "no_answer", "durations.no_answer")):
        d = calls.loc[sel, "duration_s"].dropna().to_numpy() / 60.0
        d = d[d > 0]
        if len(d) < MIN_N:
            continue
        found = True
        mean, sd = float(d.mean()), float(d.std(ddof=1))
        half = stats.t.ppf(0.975, len(d) - 1) * sd / math.sqrt(len(d))
        est[f"duration_{key}"] = Estimate(f"{key.replace('_', ' ')} duration, mean", mean, mean - half, mean + half, len(d),
                                          "mean of logged durations (t interval); cv from their spread",
                                          f"{path}.mean", 1, "min")
        est[f"duration_{key}_cv"] = Estimate(f"{key.replace('_', ' ')} duration, cv", sd / mean, float("nan"), float("nan"),
                                             len(d), "sd / mean of logged durations", f"{path}.cv")
    if not found:
        kept.append(("durations.*", "the log has no call durations"))


# ---------------------------------------------------------------- cadence


def _answering(acts: Activities, log: _Log, sc: Scenario, est: dict, tables: dict, notes: list, kept: list) -> None:
    """Answering: ordinary dials and calls within a day of the prospect getting in touch, fitted together
    (reachability and the hot answer window), or reachability alone when the log has too few hot calls."""
    calls = log.calls
    dials = calls[~calls["booked"]]
    is_hot = (dials["age"] < HOT_WINDOW).to_numpy()
    n_p = int(acts.frame["prospect"].max()) + 1
    ordinary = dials[~is_hot]
    n_ord = np.bincount(ordinary["prospect"], minlength=n_p)
    k_ord = np.bincount(ordinary["prospect"], weights=ordinary["answered"].astype(float), minlength=n_p)
    hot = dials[is_hot]
    first_hot = hot.groupby(["prospect", "trig_m"], sort=False).head(1)
    if (n_ord > 0).sum() >= MIN_N and k_ord.sum() >= 10 and len(first_hot) >= MIN_N and first_hot["answered"].sum() >= 10:
        answering, note = fit_answering(n_ord, k_ord, hot["prospect"].to_numpy(), hot["age"].to_numpy(),
                                        hot["answered"].to_numpy(), sc.conversation.hot.answer_shape)
        keys = ["reach_mean", "reach_concentration", "answer", "answer_decay", "answer_shape"]
        for key, e in zip(keys, answering):
            est[key] = e
        if note:
            notes.append(note)
        if "answer_shape" not in est:
            kept.append(("conversation.hot.answer_shape", "not identified by the call delays in this log"))
        ages = first_hot["age"].to_numpy()
        edges = np.array([0, 2, 5, 10, 20, 30, 60, 120, 240, 480, 1440])
        rows = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (ages >= lo) & (ages < hi)
            k, n = int(first_hot["answered"].to_numpy()[sel].sum()), int(sel.sum())
            if n:
                a, b = binomial_ci(k, n)
                rows.append({"minutes since they got in touch": f"{lo:g} to {hi:g}", "calls": n, "answered": k,
                             "rate": k / n, "low": a, "high": b, "mid": float(np.median(ages[sel]))})
        tables["hot_window"] = pd.DataFrame(rows)
    elif (n_ord > 0).sum() >= MIN_N and k_ord.sum() >= 10:
        sel = n_ord > 0
        est["reach_mean"], est["reach_concentration"] = fit_reachability(n_ord[sel], k_ord[sel])
        kept.append(("conversation.hot.*", f"only {len(first_hot)} calls soon after a prospect got in touch"))
    else:
        kept.append(("population.reachability", f"only {int((n_ord > 0).sum())} prospects with ordinary dials"))
        kept.append(("conversation.hot.*", f"only {len(first_hot)} calls soon after a prospect got in touch"))


def _outcomes(log: _Log, est: dict, tables: dict, kept: list) -> None:
    """Booked calls, conversation outcomes, do-not-call requests and unsubscribes."""
    calls = log.calls
    bk = calls[calls["booked"]]
    if len(bk) >= 10:
        est["booked_show"] = rate_estimate("booked-call show rate", int(bk["answered"].sum()), len(bk),
                                   "share of booked calls answered", "conversation.booked_show")
    answered = calls[calls["answered"]]
    rows = []
    for outcome in ANSWERED:
        k = int((answered["outcome"] == outcome).sum())
        lo, hi = binomial_ci(k, len(answered))
        rows.append({"outcome": outcome, "calls": k, "share": k / max(len(answered), 1), "low": lo, "high": hi})
    tables["outcomes"] = pd.DataFrame(rows)
    not_lost = answered[answered["outcome"] != "lost"]
    if len(not_lost) >= MIN_N:
        est["unqualified"] = rate_estimate("unqualified share of answered calls (not already bought)",
                                   int((not_lost["outcome"] == "unqualified").sum()), len(not_lost),
                                   "share (Clopper-Pearson interval)", "conversation.unqualified")
    dnc = int((answered["outcome"] == "unsubscribed").sum())
    nos = int((answered["outcome"] == "not_interested").sum())
    if dnc > 0 and dnc + nos >= MIN_N:
        est["opt_out_on_no"] = rate_estimate("do-not-call requests per 'no' on a call", dnc, dnc + nos,
                                     "share of no's that came with a do-not-call request", "conversation.opt_out_on_no")
    else:
        kept.append(("conversation.opt_out_on_no", "no do-not-call requests on calls in the log"))
    msgs = log.touches[log.touches["channel"].isin(["email", "sms"])]
    if len(msgs) >= MIN_N:
        est["unsubscribe"] = rate_estimate("unsubscribes per email or SMS", int((msgs["outcome"] == "unsubscribed").sum()),
                                   len(msgs), "share (Clopper-Pearson interval)", "conversation.unsubscribe")
    else:
        kept.append(("conversation.unsubscribe", f"only {len(msgs)} emails and SMS in the log"))
