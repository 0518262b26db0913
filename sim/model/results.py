"""The result of one replication: a flat metrics record, daily series, and the optional event log."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np
import pandas as pd

from sim.model.event_log import EVENT_COLUMNS, EventRecord
from sim.model.metrics import SALES_BY_ATTEMPT_MAX
from sim.model.prospects import DISQUALIFIED, FINAL_STATES, OPEN, OPTED_OUT, WON
from sim.model.segment_results import SegmentRecord, segment_metrics
from sim.model.readiness import CUSTOMER, OFF_MARKET, STATE_NAMES, Paths
from sim.model.tally import REP_DAY_BASE, Tally
from sim.model.touches import CAUSES
from sim.scenario.units import DAY, HOUR

if TYPE_CHECKING:
    from sim.scenario.schema import Money


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


@dataclass
class RunRecord:
    """What one run hands over when it ends: its counters, how each prospect ended, the
    readiness paths as they really went, and the event log. Plain data: ``build_result``
    turns it into a RunResult without knowing the engine."""

    replication: int
    horizon: float
    n_days: int
    n_list: int  # prospects 0 .. n_list-1 are the list, the rest inbound leads
    tally: Tally
    status: np.ndarray  # per prospect: OPEN, WON, OPTED_OUT or DISQUALIFIED (int8)
    touches: int  # touches made to prospects (reminder emails are counted in the tally)
    rep_names: list[str]
    rep_groups: list[str]  # the group of each rep
    rep_work_days: list[list[int]]  # per rep: the days of the horizon they work (on their own clock)
    rep_available_minutes: list[float]  # per rep: working minutes over the horizon
    available_minutes: float  # working minutes of the whole team over the horizon
    unlimited: bool  # no rep limits: utilization means nothing
    paths: Paths  # the pre-drawn paths
    redrawn: list[tuple[int, list[float], list[int]]]  # (prospect, entry times, states) of paths redrawn in the run
    log: Optional[list[EventRecord]] = None
    money: Optional["Money"] = None  # the scenario's deal values and costs, when given
    deal_values: Optional[np.ndarray] = None  # what a sale to each prospect brings (with money)
    segments: Optional[SegmentRecord] = None  # each prospect's segment cell and calls (with population.segments)

    @property
    def n_prospects(self) -> int:
        return len(self.status)


def _mean(values: np.ndarray) -> float:
    """Mean by a correctly rounded sum (``math.fsum``): the same last bit on every CPU, where
    numpy's sums follow the SIMD width the machine has."""
    return math.fsum(values.ravel().tolist()) / values.size if values.size else 0.0


def _pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


RESPONSE_WINDOWS = (("5m", 5.0), ("1h", 60.0), ("1d", 1440.0))  # what a manager asks: called within ...


def _share_within(first_calls: np.ndarray, due: int, limit: float) -> float:
    """Share of the new leads whose first call was due that were called within ``limit`` minutes
    of arriving; a lead dropped because the team was behind counts as never called."""
    return float(np.count_nonzero(first_calls <= limit)) / due if due else float("nan")


def _realized_paths(rec: RunRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(prospect, time, state) of every path entry as it really happened, sorted by prospect then time."""
    paths = rec.paths
    counts = np.diff(paths.offsets)
    pid = np.repeat(np.arange(rec.n_prospects), counts)
    changed = rec.redrawn
    if not changed:
        return pid, paths.times, paths.states.astype(np.int8)
    keep = np.ones(len(pid), dtype=bool)
    changed_ids = np.array([who for who, _t, _s in changed])
    keep[np.isin(pid, changed_ids)] = False
    extra_pid = np.concatenate([np.full(len(times), who) for who, times, _s in changed])
    extra_t = np.concatenate([np.asarray(times, float) for _w, times, _s in changed])
    extra_s = np.concatenate([np.asarray(states, np.int8) for _w, _t, states in changed])
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


def _mix_and_bought_elsewhere(rec: RunRecord, chunk: int = 1 << 16) -> tuple[pd.DataFrame, np.ndarray]:
    """The readiness mix over time and who bought from a competitor, as ``_mix_over_time`` and
    ``_realized_paths`` give them, without building the realized paths: the pre-drawn paths
    are read in chunks (prospects whose future was redrawn are skipped there) and the redrawn
    ones added from their own lists. Peak memory stays a few bytes per prospect."""
    paths, horizon, n_days = rec.paths, rec.horizon, rec.n_days
    n = rec.n_prospects
    offsets, times, states = paths.offsets, paths.times, paths.states
    changed = rec.redrawn
    redrawn = np.zeros(n, dtype=bool)
    redrawn[[who for who, _t, _s in changed]] = True
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
        lens = np.fromiter((len(times) for _w, times, _s in changed), dtype=np.int64, count=len(changed))
        t = np.fromiter((x for _w, times, _s in changed for x in times), dtype=float, count=int(lens.sum()))
        s = np.fromiter((x for _w, _t, states in changed for x in states), dtype=np.int8, count=int(lens.sum()))
        ends = np.cumsum(lens)
        last = np.zeros(len(t), dtype=bool)
        last[ends - 1] = True
        first = np.zeros(len(t), dtype=bool)
        first[ends - lens] = True
        diff += _mix_counts(t, _spell_ends(t, last), s, n_days)
        pid = np.repeat(np.array([who for who, _t, _s in changed]), lens)
        elsewhere[pid[_bought_elsewhere(t, s, first, horizon)]] = True
    return _mix_frame(diff, n_days), elsewhere


# FINAL_STATES: bought_from_us, opted_out, disqualified, bought_elsewhere, open
BOUGHT_FROM_US, ENDED_OPTED_OUT, ENDED_DISQUALIFIED, BOUGHT_ELSEWHERE, STILL_OPEN = range(len(FINAL_STATES))


def final_states(status: np.ndarray, bought_elsewhere: np.ndarray) -> np.ndarray:
    """Each prospect's end as an index into FINAL_STATES: our relationship first (won, opted
    out, disqualified), then whether they bought from a competitor, else still open."""
    final = np.full(len(status), STILL_OPEN, dtype=np.int8)
    final[(status == OPEN) & bought_elsewhere] = BOUGHT_ELSEWHERE
    final[status == DISQUALIFIED] = ENDED_DISQUALIFIED
    final[status == OPTED_OUT] = ENDED_OPTED_OUT
    final[status == WON] = BOUGHT_FROM_US
    return final


def build_result(rec: RunRecord) -> RunResult:
    """A run's metrics (in ``metric_names`` order), daily and rep-day tables, and its event log."""
    readiness, bought_elsewhere = _mix_and_bought_elsewhere(rec)
    final = final_states(rec.status, bought_elsewhere)
    final_counts = np.bincount(final, minlength=len(FINAL_STATES))
    per_rep_day = _per_rep_day(rec)
    metrics = _core_metrics(rec, final_counts, *per_rep_day)
    if len(set(rec.rep_groups)) > 1:
        metrics.update(group_metrics(rec))
    if rec.money is not None:
        metrics.update(money_metrics(rec, rec.tally.sales, rec.tally.emails, rec.tally.sms))
    if rec.segments is not None:
        metrics.update(segment_metrics(rec.segments, rec.status))

    daily, rep_days = _tables(rec, *per_rep_day)
    events = _event_frame(rec, *_realized_paths(rec)) if rec.log is not None else None
    return RunResult(
        strategy="", replication=rec.replication, metrics=metrics, daily=daily, rep_days=rep_days,
        readiness=readiness, response_times=np.asarray(rec.tally.response_times),
        final_states=np.asarray(FINAL_STATES, dtype=object)[final], events=events,
    )


def _per_rep_day(rec: RunRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calls, talk and busy minutes per rep-day, rep after rep, over each rep's working days (tally
    rows: index d + REP_DAY_BASE)."""
    tally = rec.tally
    rep_calls, rep_talk, rep_busy = (
        np.array([row[d + REP_DAY_BASE] for row, days in zip(rows, rec.rep_work_days) for d in days], dtype=float)
        for rows in (tally.rep_calls, tally.rep_talk, tally.rep_busy))
    return rep_calls, rep_talk, rep_busy


def _core_metrics(rec: RunRecord, final_counts: np.ndarray, rep_calls: np.ndarray, rep_talk: np.ndarray,
                  rep_busy: np.ndarray) -> dict[str, float]:
    """Every run's metrics (the registry's CORE and the sales by attempt), in runs.csv order."""
    tally = rec.tally
    n = rec.n_prospects
    available = rec.available_minutes
    touches = rec.touches + tally.reminder_emails
    complaints = sum(tally.complaints.values())
    inbound = n - rec.n_list
    resp = np.asarray(tally.response_times)
    # a dropped new lead was never called: it waited at least until the end of the run
    waits = np.concatenate([resp, np.asarray(tally.dropped_lead_waits, dtype=float)])

    metrics: dict[str, float] = {
        "prospects": n,
        "list_prospects": rec.n_list,
        "inbound_leads": inbound,
        "sales": tally.sales,
        "close_rate": tally.sales / n if n else float("nan"),
        "sales_per_rep_hour": tally.sales / (available / HOUR) if available else float("nan"),
        "sales_prospect_initiated": tally.sales_prospect_initiated,
        "complaints": complaints,
        **{f"complaints_{c}": tally.complaints[c] for c in CAUSES},
        "complaints_per_1000": 1000 * complaints / n if n else float("nan"),
        "complaints_per_1000_touches": 1000 * complaints / touches if touches else 0.0,
        "opt_outs": int(final_counts[ENDED_OPTED_OUT]),
        "dnc_requests": tally.dnc_requests,
        "disqualified": int(final_counts[ENDED_DISQUALIFIED]),
        "lost_to_competitor": int(final_counts[BOUGHT_ELSEWHERE]),
        "open_at_end": int(final_counts[STILL_OPEN]),
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
        "utilization": math.fsum(rep_busy.ravel().tolist()) / available if available and not rec.unlimited else float("nan"),
        "backlog_mean": math.fsum(tally.backlog) / len(tally.backlog) if tally.backlog else 0.0,
        "backlog_max": float(np.max(tally.backlog)) if tally.backlog else 0.0,
        "dropped_tasks": tally.dropped,
        "dropped_new_leads": tally.dropped_new_leads,
        "forgotten_follow_ups": tally.forgotten,
        "past_last_day": tally.past_last_day,
        "lead_response_median_min": _pct(waits, 50),
        "lead_response_p90_min": _pct(waits, 90),
        "leads_called": len(resp),
        **{f"leads_called_within_{w}": _share_within(resp, len(waits), limit) for w, limit in RESPONSE_WINDOWS},
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

    return metrics


def _tables(rec: RunRecord, rep_calls: np.ndarray, rep_talk: np.ndarray,
            rep_busy: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The daily table (sales, calls, connects, complaints, cumulative sales) and the rep-day table."""
    tally, work_days = rec.tally, rec.rep_work_days
    daily = pd.DataFrame({
        "day": np.arange(rec.n_days),
        "sales": tally.daily_sales,
        "calls": tally.daily_calls,
        "connects": tally.daily_connects,
        "complaints": tally.daily_complaints,
    })
    daily["cumulative_sales"] = daily["sales"].cumsum()
    rep_days = pd.DataFrame({
        "rep": np.repeat(rec.rep_names, [len(days) for days in work_days]),
        "group": np.repeat(rec.rep_groups, [len(days) for days in work_days]),
        "day": np.array([d for days in work_days for d in days], dtype=int),
        "calls": rep_calls.ravel(),
        "talk_minutes": rep_talk.ravel(),
        "busy_minutes": rep_busy.ravel(),
    })
    return daily, rep_days


def group_metrics(rec: RunRecord) -> dict[str, float]:
    """Calls, talk hours, utilization, calls per rep-day and sales of each rep group (in the
    order the scenario lists them); over the groups they sum to the team's."""
    tally = rec.tally
    out: dict[str, float] = {}
    for group in dict.fromkeys(rec.rep_groups):
        reps = [i for i, g in enumerate(rec.rep_groups) if g == group]
        calls = sum(sum(tally.rep_calls[i]) for i in reps)
        busy = math.fsum(x for i in reps for x in tally.rep_busy[i])
        available = math.fsum(rec.rep_available_minutes[i] for i in reps)
        rep_days = sum(len(rec.rep_work_days[i]) for i in reps)
        out[f"group_{group}_calls"] = calls
        out[f"group_{group}_talk_hours"] = math.fsum(x for i in reps for x in tally.rep_talk[i]) / HOUR
        out[f"group_{group}_utilization"] = busy / available if available and not rec.unlimited else float("nan")
        out[f"group_{group}_calls_per_rep_day"] = calls / rep_days if rep_days else float("nan")
        out[f"group_{group}_sales"] = sum(tally.rep_sales[i] for i in reps)
    return out


def money_metrics(rec: RunRecord, sales: int, emails: int, sms: int) -> dict[str, float]:
    """Revenue (the deal values of the prospects who bought from us), cost (the team's paid
    hours over the horizon at the hourly rate, whether busy or not, plus every email and SMS
    sent) and what follows from them."""
    money = rec.money
    revenue = math.fsum(rec.deal_values[rec.status == WON].tolist())
    paid_hours = rec.available_minutes / HOUR
    rep_cost = paid_hours * money.rep_hour_cost
    message_cost = emails * money.email_cost + sms * money.sms_cost
    cost = rep_cost + message_cost
    return {
        "revenue": revenue,
        "paid_rep_hours": paid_hours,
        "rep_cost": rep_cost,
        "message_cost": message_cost,
        "cost": cost,
        "profit": revenue - cost,
        "cost_per_sale": cost / sales if sales else float("nan"),
        "revenue_per_rep_hour": revenue / paid_hours if paid_hours else float("nan"),
    }




def _event_frame(rec: RunRecord, pid, t, s) -> pd.DataFrame:
    """Touches and our own state changes as logged, plus the market's readiness changes."""
    first = np.r_[True, pid[1:] != pid[:-1]]
    touches = pd.DataFrame(rec.log, columns=EVENT_COLUMNS)
    change = ~first & (t <= rec.horizon) & (s != CUSTOMER)
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
