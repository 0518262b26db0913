"""The activity format's vocabulary: the fields of a touch and the values its coded fields take.

An activity file has one row per touch (a call, email or SMS to or from a prospect) with a
prospect id, a timestamp, a channel, a direction and an outcome, and optionally a rep, the
lead's source and creation time, the touch's purpose and its duration
(``docs/activity-format.md``). Both the reader of CRM exports and the writer of simulated
events speak it.
"""
from __future__ import annotations

OUTCOMES = ("no_answer", "voicemail", "connected", "meeting_booked", "won", "lost", "not_interested",
            "unqualified", "unsubscribed", "complaint", "sent", "replied")
ANSWERED = ("connected", "meeting_booked", "won", "lost", "not_interested", "unqualified", "unsubscribed")
CHANNELS = ("call", "email", "sms", "other")
DIRECTIONS = ("outbound", "inbound")
PURPOSES = ("new_lead", "follow_up", "callback", "booked", "prospecting")
RUN_COLUMNS = ("strategy", "replication")  # written by `run --events-format activities`: one run per pair
REQUIRED = ("prospect_id", "timestamp", "channel", "direction", "outcome")
OPTIONAL = ("rep_id", "lead_source", "lead_created_at", "purpose", "duration")
FIELDS = REQUIRED + OPTIONAL
CODED = {"channel": CHANNELS, "direction": DIRECTIONS, "outcome": OUTCOMES, "purpose": PURPOSES}

CALENDAR_START = "2026-01-05"  # a Monday: simulated minute 0 is 00:00 UTC of this day in exports
