"""Each prospect's outcome, read off the event log by one rule that story, workshop, report
and tests all use, so no two screens can disagree about how a prospect ended.

The outcome is the prospect's final state (``prospects.FINAL_STATES``), the same one the
results count (``results.final_states``): our relationship first (bought from us, opted out,
disqualified), then whether they bought from a competitor, else still open. A prospect who
bought from a competitor and later from us ends as our customer; one who bought elsewhere
and never ended our relationship stays "bought_elsewhere" whatever we did afterwards.

    outcomes(events)   -> one row per prospect: final, day (when it was decided), how
    outcome_of(events) -> the same for the one prospect of a log (an ``Outcome``)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from sim.model.prospects import FINAL_STATES

# how each final state came about, as the event log records it (first match in this order wins)
HOW = ("sale", "complaint", "unsubscribed", "opted_out", "unqualified", "purchase", "open")
FINAL_OF_HOW = {"sale": "bought_from_us", "complaint": "opted_out", "unsubscribed": "opted_out",
                "opted_out": "opted_out", "unqualified": "disqualified", "purchase": "bought_elsewhere",
                "open": "open"}
assert set(FINAL_OF_HOW.values()) == set(FINAL_STATES)


@dataclass(frozen=True)
class Outcome:
    """How one prospect ended: a final state, the day it was decided (None while open) and how."""

    prospect: int
    final: str  # one of FINAL_STATES
    day: Optional[int]
    how: str  # one of HOW


def _marks(events: pd.DataFrame) -> dict[str, pd.Series]:
    """Per event, whether it decides each ``how`` (a boolean Series per how, open excluded)."""
    outcome, kind = events["outcome"], events["kind"]
    return {
        "sale": outcome == "sale",
        "complaint": events["complaint_cause"].fillna("") != "",
        "unsubscribed": outcome == "unsubscribed",
        "opted_out": kind == "opt_out",  # asked not to be contacted again, on a clear no
        "unqualified": outcome == "unqualified",
        "purchase": kind == "purchase",  # bought from a competitor (also after waiting for us in vain)
    }


def outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """One row per prospect of an event log (index: prospect id, sorted): ``final`` (a
    FINAL_STATES name), ``day`` (the day of the first event that decided it; 0 while open) and
    ``how`` (which event decided it, one of HOW)."""
    pids = np.unique(events["prospect"].to_numpy())
    how = pd.Series("open", index=pids, dtype=object)
    day = pd.Series(0, index=pids, dtype=np.int64)
    decided = pd.Series(False, index=pids)
    for name, mask in _marks(events).items():  # in HOW's order: the first that applies wins
        hit = events.loc[mask.to_numpy(), ["prospect", "day"]]
        if hit.empty:
            continue
        first_day = hit.groupby("prospect")["day"].min()
        new = first_day.index[~decided.loc[first_day.index].to_numpy()]
        how.loc[new] = name
        day.loc[new] = first_day.loc[new].astype(np.int64)
        decided.loc[new] = True
    frame = pd.DataFrame({"final": how.map(FINAL_OF_HOW), "day": day, "how": how})
    frame.index.name = "prospect"
    return frame


def outcome_of(events: pd.DataFrame) -> Outcome:
    """The outcome of the one prospect whose events these are."""
    pids = events["prospect"].unique()
    if len(pids) != 1:
        raise ValueError(f"outcome_of wants one prospect's events, got {len(pids)} prospects")
    row = outcomes(events).iloc[0]
    return Outcome(int(pids[0]), str(row["final"]), None if row["how"] == "open" else int(row["day"]), str(row["how"]))
