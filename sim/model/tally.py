"""Counters filled during a run (plain ints and lists, cheap on the hot path)."""
from __future__ import annotations

from collections import Counter

from sim.model.touches import CAUSES


REP_DAY_BASE = 1  # index of a rep's day 0 in the per-rep day rows


class Tally:
    def __init__(self, n_reps: int, n_days: int):
        self.calls = 0
        self.connects = 0
        self.voicemails = 0
        self.emails = 0
        self.sms = 0
        self.replies = 0
        self.booked = 0
        self.booked_calls = 0
        self.booked_connects = 0
        self.reminder_emails = 0
        self.sales = 0
        self.sales_prospect_initiated = 0
        self.sales_by_attempt: Counter[int] = Counter()  # by our outbound attempts made when the sale came
        self.complaints = dict.fromkeys(CAUSES, 0)
        self.dnc_requests = 0
        self.nurtured = 0
        self.reach_outs_to_us = 0
        self.buyers_gave_up_waiting = 0  # contacted us, never reached, bought elsewhere
        self.buyers_lost_after_talking = 0  # contacted us, talked to us, bought elsewhere all the same
        self.dropped = 0
        self.dropped_new_leads = 0
        self.dropped_lead_waits: list[float] = []  # per dropped new lead: horizon - arrival (never called)
        self.forgotten = 0
        self.past_last_day = 0  # cadence steps not made: reached after the strategy's last day
        self.breach_after_opt_out = 0
        self.breach_outside_hours = 0
        self.breach_24h = 0
        self.breach_7d = 0
        self.talk_minutes = 0.0
        self.dial_minutes = 0.0
        self.response_times: list[float] = []
        self.backlog: list[int] = []
        self.daily_sales = [0] * n_days
        self.daily_calls = [0] * n_days
        self.daily_connects = [0] * n_days
        self.daily_complaints = [0] * n_days
        # per rep and day; a rep's current day is summed on the Rep and written here when it ends
        # (Rep.close_day), so mid-run these rows lag by up to a day
        # Days are counted on the rep's clock (their group's time zone), so they run from -1 to
        # n_days: day d is kept at index d + REP_DAY_BASE.
        self.rep_calls = [[0] * (n_days + 2) for _ in range(n_reps)]
        self.rep_talk = [[0.0] * (n_days + 2) for _ in range(n_reps)]
        self.rep_busy = [[0.0] * (n_days + 2) for _ in range(n_reps)]
        self.rep_sales = [0] * n_reps
