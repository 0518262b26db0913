"""The event log of one run: one named record per touch or state change we caused.

``EventRecord`` is a tuple with named fields (its field names are the columns of the event
table, ``results.EVENT_COLUMNS``); the log is kept only when a run asks for it.
"""
from __future__ import annotations

from typing import NamedTuple


class EventRecord(NamedTuple):
    time_min: float
    prospect: int
    rep: str  # "" for automation, the market and the list
    channel: str  # call, email, sms, market, inbound, list
    kind: str  # a task kind (queues.KINDS) or what happened (arrival, purchase, ...)
    outcome: str
    readiness: int  # the prospect's readiness state after the event
    annoyance: float  # rounded to 6 places
    complaint_cause: str  # "" unless the touch caused a complaint


EVENT_COLUMNS = list(EventRecord._fields)


class EventLog:
    """The records of one run, in the order they happened."""

    __slots__ = ("records",)

    def __init__(self):
        self.records: list[EventRecord] = []

    def add(self, now: float, p, rep, channel: str, kind: str, outcome: str, state: int, cause=None) -> None:
        """Record what happened to prospect ``p`` at ``now`` (``rep``: the rep who made the
        touch, None or automation for none)."""
        self.records.append(EventRecord(now, p.pid, rep.name if rep is not None and rep.idx >= 0 else "", channel,
                                        kind, outcome, int(state), round(p.annoy, 6), cause or ""))
