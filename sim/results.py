"""The result of one replication: a flat metrics record, daily series, and the optional event log."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np
import pandas as pd

from .prospects import FINAL_STATES
from .readiness import OFF_MARKET, STATE_NAMES
from .touches import CAUSES
from .units import DAY, HOUR

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Model

SALES_BY_ATTEMPT_MAX = 12


@dataclass
class RunResult:
    strategy: str
    replication: int
    metrics: dict[str, float]
    daily: pd.DataFrame
    rep_days: pd.DataFrame
    readiness: pd.DataFrame
    response_times: np.ndarray
    final_states: np.ndarray = field(repr=False)
    events: Optional[pd.DataFrame] = None


def _mean(values: np.ndarray) -> float:
    """Mean by a correctly rounded sum (``math.fsum``): the same last bit on every CPU, where
    numpy's sums follow the SIMD width the machine has."""
    return math.fsum(values.ravel().tolist()) / values.size if values.size else 0.0


def _pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def _realized_paths(m: "Model") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(prospect, time, state) of every path entry as it really happened, sorted by prospect then time."""
    paths = m.paths
    n = len(m.prospects)
    counts = np.diff(paths.offsets)
    pid = np.repeat(np.arange(n), counts)
    changed = [p for p in m.prospects if p.tt is not None]
    if not changed:
        return pid, paths.times, paths.states.astype(np.int8)
    keep = np.ones(len(pid), dtype=bool)
    changed_ids = np.array([p.pid for p in changed])
    keep[np.isin(pid, changed_ids)] = False
    extra_pid = np.concatenate([np.full(len(p.tt), p.pid) for p in changed])
    extra_t = np.concatenate([np.asarray(p.tt, float) for p in changed])
    extra_s = np.concatenate([np.asarray(p.ss, np.int8) for p in changed])
    pid = np.concatenate([pid[keep], extra_pid])
    t = np.concatenate([paths.times[keep], extra_t])
    s = np.concatenate([paths.states[keep].astype(np.int8), extra_s])
    order = np.lexsort((t, pid))
    return pid[order], t[order], s[order]


def _mix_over_time(pid, t, s, n_days: int) -> pd.DataFrame:
    """How many prospects are in each state at the start of each day, from realized paths
    (prospect, entry time, state) sorted by prospect then time."""
    last = np.r_[pid[1:] != pid[:-1], True]
    return _mix_frame(_mix_counts(t, _spell_ends(t, last), s, n_days), n_days)


def _spell_ends(t, last):
    """When each path entry's spell ends: the next entry's time, or never for a path's last entry."""
    return np.where(last, np.inf, np.r_[t[1:], np.inf])


def _bought_elsewhere(t, s, first, horizon: float):
    """Path entries that are a purchase from a competitor: into off-market, after the start, by the horizon."""
    return (s == OFF_MARKET) & ~first & (t <= horizon)


def _mix_counts(t, t_end, s, n_days: int) -> np.ndarray:
    """Per state, a difference array over days of the spells [t, t_end) (cumsum gives counts)."""
    grid = np.arange(n_days) * DAY
    width = n_days + 1
    lo = np.searchsorted(grid, t, side="left")
    hi = np.searchsorted(grid, t_end, side="left")
    key = s.astype(np.int64) * width
    size = len(STATE_NAMES) * width
    return (np.bincount(key + lo, minlength=size) - np.bincount(key + hi, minlength=size)).reshape(len(STATE_NAMES), width)


def _mix_frame(diff: np.ndarray, n_days: int) -> pd.DataFrame:
    counts = np.cumsum(diff[:, :n_days], axis=1)
    frame = pd.DataFrame(counts.T, columns=list(STATE_NAMES))
    frame.insert(0, "day", np.arange(n_days))
    return frame


def _mix_and_bought_elsewhere(m: "Model", chunk: int = 1 << 16) -> tuple[pd.DataFrame, np.ndarray]:
    """The readiness mix over time and who bought from a competitor, as ``_mix_over_time`` and
    ``_realized_paths`` give them, without building the realized paths: the pre-drawn paths
    are read in chunks (prospects whose future was redrawn are skipped there) and the redrawn
    ones added from their own lists. Peak memory stays a few bytes per prospect."""
    paths, horizon, n_days = m.paths, m.horizon, m.n_days
    n = len(m.prospects)
    offsets, times, states = paths.offsets, paths.times, paths.states
    changed = [p for p in m.prospects if p.tt is not None]
    redrawn = np.zeros(n, dtype=bool)
    redrawn[[p.pid for p in changed]] = True
    diff = np.zeros((len(STATE_NAMES), n_days + 1), dtype=np.int64)
    elsewhere = np.zeros(n, dtype=bool)
    total = len(times)
    for a in range(0, total, chunk):
        b = min(total, a + chunk)
        idx = np.arange(a, b)
        pid = np.searchsorted(offsets, idx, side="right") - 1
        keep = ~redrawn[pid]
        first = idx == offsets[pid]
        last = idx == offsets[pid + 1] - 1
        t = times[a:b]
        t_end = np.where(last, np.inf, np.r_[times[a + 1:b + 1], np.inf][:b - a])  # the next entry may be past the chunk
        s = states[a:b]
        diff += _mix_counts(t[keep], t_end[keep], s[keep], n_days)
        elsewhere[pid[keep & _bought_elsewhere(t, s, first, horizon)]] = True
    if changed:
        lens = np.fromiter((len(p.tt) for p in changed), dtype=np.int64, count=len(changed))
        t = np.fromiter((x for p in changed for x in p.tt), dtype=float, count=int(lens.sum()))
        s = np.fromiter((x for p in changed for x in p.ss), dtype=np.int8, count=int(lens.sum()))
        ends = np.cumsum(lens)
        last = np.zeros(len(t), dtype=bool)
        last[ends - 1] = True
        first = np.zeros(len(t), dtype=bool)
        first[ends - lens] = True
        diff += _mix_counts(t, _spell_ends(t, last), s, n_days)
        pid = np.repeat(np.array([p.pid for p in changed]), lens)
        elsewhere[pid[_bought_elsewhere(t, s, first, horizon)]] = True
    return _mix_frame(diff, n_days), elsewhere


def build_result(m: "Model") -> RunResult:
    tally, horizon = m.tally, m.horizon
    n = len(m.prospects)
    readiness, bought_elsewhere = _mix_and_bought_elsewhere(m)
    status = np.fromiter((p.status for p in m.prospects), dtype=np.int8, count=n)
    # status: 0 open, 1 won, 2 opted out, 3 disqualified -> index into FINAL_STATES
    final = np.where(status == 1, 0, np.where(status == 2, 1, np.where(status == 3, 2, np.where(bought_elsewhere, 3, 4))))
    final_counts = np.bincount(final, minlength=len(FINAL_STATES))

    work_days = [d for d in range(m.n_days) if m.cal.working_day[d % 7] and d * DAY < horizon]
    rep_calls = np.array([[row[d] for d in work_days] for row in tally.rep_calls], dtype=float).reshape(len(m.reps), -1)
    rep_talk = np.array([[row[d] for d in work_days] for row in tally.rep_talk], dtype=float).reshape(len(m.reps), -1)
    rep_busy = np.array([[row[d] for d in work_days] for row in tally.rep_busy], dtype=float).reshape(len(m.reps), -1)
    available = m.cal.working_minutes(horizon) * max(len(m.reps), 1)
    touches = sum(p.touches for p in m.prospects) + tally.reminder_emails
    complaints = sum(tally.complaints.values())
    inbound = n - m.n_list
    resp = np.asarray(tally.response_times)

    metrics: dict[str, float] = {
        "prospects": n,
        "list_prospects": m.n_list,
        "inbound_leads": inbound,
        "sales": tally.sales,
        "close_rate": tally.sales / n if n else float("nan"),
        "sales_prospect_initiated": tally.sales_prospect_initiated,
        "complaints": complaints,
        **{f"complaints_{c}": tally.complaints[c] for c in CAUSES},
        "complaints_per_1000": 1000 * complaints / n if n else float("nan"),
        "complaints_per_1000_touches": 1000 * complaints / touches if touches else 0.0,
        "opt_outs": int(final_counts[1]),
        "dnc_requests": tally.dnc_requests,
        "disqualified": int(final_counts[2]),
        "lost_to_competitor": int(final_counts[3]),
        "open_at_end": int(final_counts[4]),
        "touches": touches,
        "touches_per_prospect": touches / n if n else float("nan"),
        "calls": tally.calls,
        "connects": tally.connects,
        "connect_rate": tally.connects / tally.calls if tally.calls else float("nan"),
        "voicemails": tally.voicemails,
        "emails": tally.emails,
        "sms": tally.sms,
        "replies": tally.replies,
        "booked": tally.booked,
        "booked_calls": tally.booked_calls,
        "booked_connects": tally.booked_connects,
        "nurtured": tally.nurtured,
        "reach_outs_to_us": tally.reach_outs_to_us,
        "buyers_gave_up_waiting": tally.buyers_gave_up_waiting,
        "buyers_lost_after_talking": tally.buyers_lost_after_talking,
        "talk_hours": tally.talk_minutes / HOUR,
        "dial_hours": tally.dial_minutes / HOUR,
        "calls_per_rep_day_mean": _mean(rep_calls),
        "calls_per_rep_day_p95": _pct(rep_calls.ravel(), 95) if rep_calls.size else 0.0,
        "talk_hours_per_rep_day_mean": _mean(rep_talk) / HOUR,
        "talk_hours_per_rep_day_p95": _pct(rep_talk.ravel(), 95) / HOUR if rep_talk.size else 0.0,
        "utilization": math.fsum(rep_busy.ravel().tolist()) / available if available and not m.unlimited else float("nan"),
        "backlog_mean": math.fsum(tally.backlog) / len(tally.backlog) if tally.backlog else 0.0,
        "backlog_max": float(np.max(tally.backlog)) if tally.backlog else 0.0,
        "dropped_tasks": tally.dropped,
        "dropped_new_leads": tally.dropped_new_leads,
        "forgotten_follow_ups": tally.forgotten,
        "past_last_day": tally.past_last_day,
        "lead_response_median_min": _pct(resp, 50),
        "lead_response_p90_min": _pct(resp, 90),
        "leads_called": len(resp),
        "breach_after_opt_out": tally.breach_after_opt_out,
        "breach_outside_hours": tally.breach_outside_hours,
        "breach_over_3_in_24h": tally.breach_24h,
        "breach_over_7_in_7d": tally.breach_7d,
    }
    # sales by how many outbound attempts we had made when the sale came (0: the prospect
    # reached out before we ever did); callbacks and booked calls are not attempts
    for k in range(0, SALES_BY_ATTEMPT_MAX + 1):
        metrics[f"sales_attempt_{k}"] = tally.sales_by_attempt.get(k, 0)
    metrics[f"sales_attempt_{SALES_BY_ATTEMPT_MAX + 1}plus"] = sum(
        v for k, v in tally.sales_by_attempt.items() if k > SALES_BY_ATTEMPT_MAX
    )

    daily = pd.DataFrame({
        "day": np.arange(m.n_days),
        "sales": tally.daily_sales,
        "calls": tally.daily_calls,
        "connects": tally.daily_connects,
        "complaints": tally.daily_complaints,
    })
    daily["cumulative_sales"] = daily["sales"].cumsum()
    rep_days = pd.DataFrame({
        "rep": np.repeat([r.name for r in m.reps], len(work_days)),
        "day": np.tile(work_days, len(m.reps)),
        "calls": rep_calls.ravel(),
        "talk_minutes": rep_talk.ravel(),
        "busy_minutes": rep_busy.ravel(),
    })
    events = _event_frame(m, *_realized_paths(m)) if m.log is not None else None
    return RunResult(
        strategy="", replication=m.replication, metrics=metrics, daily=daily, rep_days=rep_days,
        readiness=readiness, response_times=resp,
        final_states=np.asarray(FINAL_STATES, dtype=object)[final], events=events,
    )


EVENT_COLUMNS = ["time_min", "prospect", "rep", "channel", "kind", "outcome", "readiness", "annoyance", "complaint_cause"]


def _event_frame(m: "Model", pid, t, s) -> pd.DataFrame:
    """Touches and our own state changes as logged, plus the market's readiness changes."""
    first = np.r_[True, pid[1:] != pid[:-1]]
    touches = pd.DataFrame(m.log, columns=EVENT_COLUMNS)
    change = ~first & (t <= m.horizon) & (s != 4)
    market = pd.DataFrame({
        "time_min": t[change], "prospect": pid[change], "rep": "", "channel": "market", "kind": "readiness",
        "outcome": np.asarray(STATE_NAMES, dtype=object)[s[change]], "readiness": s[change].astype(int),
        "annoyance": np.nan, "complaint_cause": "",
    })
    frame = pd.concat([touches, market], ignore_index=True)
    frame = frame.sort_values(["time_min", "prospect"], kind="mergesort", ignore_index=True)
    frame["readiness"] = np.asarray(STATE_NAMES, dtype=object)[frame["readiness"].to_numpy(int)]
    frame.insert(1, "day", (frame["time_min"] // DAY).astype(int) + 1)
    return frame
