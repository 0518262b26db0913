"""Writing a simulated event log as activity rows, so the fit can be tested on data with known parameters."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from sim.model.outcomes import CALLBACK_AFTER_VOICEMAIL  # when the model's prospect returns a voicemail (one source)
from sim.present.activity_format import CALENDAR_START

ACTIVITY_COLUMNS = ["prospect_id", "timestamp", "channel", "direction", "outcome", "rep_id", "lead_source",
                    "lead_created_at", "purpose"]
SIM_OUTCOMES = {
    "no_answer": "no_answer", "voicemail": "voicemail", "sale": "won", "booked": "meeting_booked",
    "call_back_later": "connected", "not_interested": "not_interested", "unqualified": "unqualified",
    "already_bought": "lost", "sent": "sent", "replied": "sent", "unsubscribed": "unsubscribed",
}
TOUCH_KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")


def _iso(minutes: np.ndarray, start: pd.Timestamp) -> np.ndarray:
    stamps = start + pd.to_timedelta(np.round(np.asarray(minutes, float) * 60_000_000.0), unit="us")
    if str(start.tz) == "UTC":
        return np.asarray(stamps.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), dtype=object)
    return np.asarray(stamps.strftime("%Y-%m-%dT%H:%M:%S.%f%z"), dtype=object)


def activities_from_events(events: pd.DataFrame, start: str = CALENDAR_START, timezone: str = "UTC") -> pd.DataFrame:
    """A simulated event log (one run, or several with strategy/replication columns) as activity rows.

    Touches become rows with their outcome in the activity vocabulary; a complaint on a touch
    becomes its own inbound row at the same moment; a reply to an email or SMS, a buyer who
    contacts us, and a prospect returning a voicemail (the model's callback two hours later)
    become inbound 'replied' rows, the moments that open the hot answer window. Dropped and
    forgotten tasks and the hidden market events are not touches and are left out. Minute 0 is
    00:00 of ``start`` in ``timezone`` (the team's zone); timestamps carry that zone's offset."""
    t0 = pd.Timestamp(start).tz_localize(timezone)
    groups = ["strategy", "replication"] if {"strategy", "replication"} <= set(events.columns) else []
    frames = []
    for key, ev in (events.groupby(groups, sort=False) if groups else [((), events)]):
        out = _one_run(ev, t0)
        if groups:
            out.insert(0, "replication", key[1])
            out.insert(0, "strategy", key[0])
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=groups + ACTIVITY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _one_run(ev: pd.DataFrame, t0: pd.Timestamp) -> pd.DataFrame:
    ev = ev.reset_index(drop=True)
    arrivals = ev[ev["kind"] == "arrival"]
    created = dict(zip(arrivals["prospect"].to_numpy(), arrivals["time_min"].to_numpy()))
    touch = ev["kind"].isin(TOUCH_KINDS) & ev["channel"].isin(["call", "email", "sms"])
    done = touch & ~ev["outcome"].isin(["dropped", "forgotten"])
    # the voicemails the prospect returns: a voicemail whose prospect's next task is a callback
    seq = ev[touch | (ev["kind"] == "reach_out")].sort_values(["prospect", "time_min"], kind="mergesort")
    nxt_kind = seq["kind"].shift(-1)
    same = seq["prospect"].shift(-1) == seq["prospect"]
    returned = seq[(seq["outcome"] == "voicemail") & same & (nxt_kind == "callback")]
    rows = []
    d = ev[done]
    rows.append(pd.DataFrame({
        "m": d["time_min"].to_numpy(), "order": 0, "prospect": d["prospect"].to_numpy(), "channel": d["channel"].to_numpy(),
        "direction": "outbound", "outcome": d["outcome"].map(SIM_OUTCOMES).to_numpy(), "rep_id": d["rep"].to_numpy(),
        "purpose": d["kind"].to_numpy()}))
    c = d[d["complaint_cause"] != ""]
    rows.append(pd.DataFrame({
        "m": c["time_min"].to_numpy(), "order": 2, "prospect": c["prospect"].to_numpy(), "channel": c["channel"].to_numpy(),
        "direction": "inbound", "outcome": "complaint", "rep_id": c["rep"].to_numpy(), "purpose": ""}))
    r = d[d["outcome"] == "replied"]
    rows.append(pd.DataFrame({
        "m": r["time_min"].to_numpy(), "order": 1, "prospect": r["prospect"].to_numpy(), "channel": r["channel"].to_numpy(),
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    o = ev[ev["kind"] == "reach_out"]
    rows.append(pd.DataFrame({
        "m": o["time_min"].to_numpy(), "order": 1, "prospect": o["prospect"].to_numpy(), "channel": "other",
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    rows.append(pd.DataFrame({
        "m": returned["time_min"].to_numpy() + CALLBACK_AFTER_VOICEMAIL, "order": 1,
        "prospect": returned["prospect"].to_numpy(), "channel": "call",
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    out = pd.concat(rows, ignore_index=True)
    out = out.sort_values(["m", "prospect", "order"], kind="mergesort", ignore_index=True)
    lead = out["prospect"].map(created)
    return pd.DataFrame({
        "prospect_id": "p" + out["prospect"].astype(str),
        "timestamp": _iso(out["m"].to_numpy(), t0),
        "channel": out["channel"].to_numpy(),
        "direction": out["direction"].to_numpy(),
        "outcome": out["outcome"].to_numpy(),
        "rep_id": out["rep_id"].fillna("").to_numpy(),
        "lead_source": np.where(lead.notna(), "inbound", "list"),
        "lead_created_at": np.where(lead.notna(), _iso(lead.fillna(0).to_numpy(), t0), ""),
        "purpose": out["purpose"].to_numpy(),
    })


def write_activities(frame: pd.DataFrame, path: Path | str, header: Optional[str] = None) -> None:
    """Write activity rows as CSV, optionally under '#' header comment lines."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if header:
            for line in header.strip().splitlines():
                fh.write(f"# {line}\n")
        frame.to_csv(fh, index=False)

