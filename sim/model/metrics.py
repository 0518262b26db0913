"""The metrics registry: every metric a run reports, declared once.

Each metric has a name (its column in ``runs.csv``), what it means (the reference, as in
``docs/model.md`` section 8, whose table is generated from here), how a room reads it (``plain``,
for sentences; ``header``, for a table column), its unit, how one run computes it from its
events (``within_run``; every metric is then averaged over replications with a 95% interval)
and which way is better. Families (per rep group, per attempt, per segment value) are declared as
patterns.

``metric_names(scenario)`` lists exactly the metrics a run of that scenario reports, in the
order ``results.build_result`` writes them, without simulating anything.
``markdown_table()`` is the table of ``docs/model.md`` (a test keeps the two the same).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

SALES_BY_ATTEMPT_MAX = 12  # sales_attempt_0 .. sales_attempt_12, then sales_attempt_13plus

# units
SHARE, COUNT, PER_1000, HOURS, MINUTES, PER_REP_DAY, MONEY, PEOPLE = (
    "share", "count per run", "per 1,000", "hours", "minutes", "per rep-day", "money", "prospects per run")


@dataclass(frozen=True)
class Metric:
    name: str  # a column of runs.csv; in a family, with {group} or {k} for the part that varies
    meaning: str  # the reference definition (docs/model.md)
    unit: str
    within_run: str  # how one run computes it: count, ratio, mean, percentile, sum
    higher_is_better: Optional[bool] = None  # None: neither (a count of work, a size)
    plain: str = ""  # what it is, for a sales room (sentences); "" where no sentence uses it
    header: str = ""  # a short table header ("\n" splits it over two lines)
    scale: float = 1.0  # multiply by this to show it (100 for a share shown in %)
    digits: int = 1  # decimals when shown in a table

    def label(self) -> str:
        """The header on one line, or the name."""
        return " ".join(self.header.split()) if self.header else self.name


def _m(*args, **kw) -> Metric:
    return Metric(*args, **kw)


CORE: tuple[Metric, ...] = (
    _m("prospects", "Listed prospects plus inbound leads that arrived before the horizon.", PEOPLE, "count"),
    _m("list_prospects", "Listed prospects: the list at minute 0, plus the batches and weekly names that arrived "
       "before the horizon.", PEOPLE, "count"),
    _m("inbound_leads", "Inbound leads that arrived.", PEOPLE, "count"),
    _m("sales", "Sales made by us.", COUNT, "count", True, plain="Sales per run"),
    _m("close_rate", "`sales / prospects`, over all prospects, whether or not they were contacted.", SHARE, "ratio",
       True, plain="Share of prospects who bought from us", header="Close\n%", scale=100, digits=1),
    _m("sales_per_rep_hour", "`sales` divided by the team's paid working hours over the horizon (its reps' working "
       "minutes, 5.1, busy or not; the hours `paid_rep_hours` counts, without needing a money: section). The team's "
       "hours do not depend on the cadence, so for one team it ranks cadences as `sales` does; it compares teams of "
       "other sizes or hours. NaN when the team has no working hours.", "sales per rep-hour", "ratio", True,
       plain="Sales per paid rep-hour", header="Sales per\nrep-hour", digits=3),
    _m("sales_prospect_initiated", "Sales on a call that answered the prospect's own contact: a reach-out, reply or "
       "voicemail call-back. A first call to a new inbound lead is not included.", COUNT, "count", True),
    _m("complaints", "All complaints.", COUNT, "count", False),
    _m("complaints_frequency", "Complaints because touches came too close together (section 4).", COUNT, "count",
       False, plain="Complaints because touches came too close together, per run"),
    _m("complaints_after_no", "Complaints because we touched them after a clear no (section 4).", COUNT, "count",
       False, plain="Complaints because we touched them after a clear no, per run"),
    _m("complaints_pushy_rep", "Complaints because of a pushy rep (section 4).", COUNT, "count", False,
       plain="Complaints because of a pushy style, per run"),
    _m("complaints_per_1000", "`1000 * complaints / prospects`.", PER_1000, "ratio", False,
       plain="Complaints per 1,000 prospects", header="Complaints\nper 1,000", digits=1),
    _m("complaints_per_1000_touches", "`1000 * complaints / touches`.", PER_1000, "ratio", False),
    _m("opt_outs", "Prospects whose final state is opted out: do-not-call requests after a no, unsubscribes and "
       "complaints. It equals `dnc_requests + complaints`.", COUNT, "count", False),
    _m("dnc_requests", "Do-not-call requests after a \"no\", plus email/SMS unsubscribes. Complaints are not "
       "included.", COUNT, "count", False),
    _m("disqualified", "Prospects whose final state is disqualified.", COUNT, "count"),
    _m("lost_to_competitor", "Prospects with no other final state who bought from a competitor during the run. This "
       "includes buyers who gave up waiting.", COUNT, "count", False,
       plain="Prospects who bought from a competitor, per run"),
    _m("open_at_end", "All the rest.", COUNT, "count"),
    _m("touches", "Every call, email and SMS, plus reminder emails.", COUNT, "count"),
    _m("touches_per_prospect", "`touches / prospects`.", "touches per prospect", "ratio"),
    _m("calls", "Every dial: cadence steps, call-backs and booked calls.", COUNT, "count", plain="Calls per run"),
    _m("connects", "Calls that became conversations.", COUNT, "count"),
    _m("connect_rate", "`connects / calls`.", SHARE, "ratio", True),
    _m("voicemails", "Missed calls on which a voicemail was left.", COUNT, "count"),
    _m("emails", "Cadence emails plus reminder emails.", COUNT, "count"),
    _m("sms", "Cadence SMS.", COUNT, "count"),
    _m("replies", "Email or SMS replies.", COUNT, "count", True),
    _m("booked", "Next steps booked in conversations.", COUNT, "count"),
    _m("booked_calls", "Booked calls made.", COUNT, "count"),
    _m("booked_connects", "Booked calls that connected.", COUNT, "count", True,
       plain="Booked calls that connected, per run"),
    _m("nurtured", "Considering prospects made ready by a conversation.", COUNT, "count", True),
    _m("reach_outs_to_us", "Buying moments at which the buyer contacted us.", COUNT, "count", True,
       plain="Ready buyers who got in touch with us, per run"),
    _m("buyers_gave_up_waiting", "Buyers who contacted us, never had a conversation with us, and bought elsewhere "
       "when their patience ran out.", COUNT, "count", False),
    _m("buyers_lost_after_talking", "Buyers who contacted us and talked with us, but were not sold within patience of "
       "the last agreed time, and bought elsewhere.", COUNT, "count", False),
    _m("talk_hours", "Conversation time in hours. Wrap-up is not included, and it is 0 with an unlimited team.",
       HOURS, "sum"),
    _m("dial_hours", "Time on missed dials and voicemails, in hours.", HOURS, "sum"),
    _m("calls_per_rep_day_mean", "Calls per rep per working day: the mean over rep-days.", PER_REP_DAY, "mean",
       plain="Calls per rep per working day", header="Calls per\nrep-day", digits=0),
    _m("calls_per_rep_day_p95", "Calls per rep per working day: the 95th percentile over rep-days.", PER_REP_DAY,
       "percentile", header="Calls per\nrep-day p95", digits=0),
    _m("talk_hours_per_rep_day_mean", "Talk hours per rep per working day: the mean over rep-days.", HOURS, "mean"),
    _m("talk_hours_per_rep_day_p95", "Talk hours per rep per working day: the 95th percentile over rep-days.", HOURS,
       "percentile"),
    _m("utilization", "Busy minutes (talk or dial plus wrap-up) divided by the reps' paid working minutes (5.1). NaN "
       "with an unlimited team.", SHARE, "ratio"),
    _m("backlog_mean", "Overdue live tasks in rep queues and the shared queue, counted at each midnight: the mean. "
       "Emails and SMS are not included.", COUNT, "mean", False),
    _m("backlog_max", "The same count's largest value.", COUNT, "max", False),
    _m("dropped_tasks", "Tasks dropped for being more than `drop_after` overdue.", COUNT, "count", False,
       plain="Follow-ups dropped because the team was behind, per run"),
    _m("dropped_new_leads", "Dropped tasks that were a new lead's first step.", COUNT, "count", False,
       plain="New leads never called because the team was behind, per run"),
    _m("forgotten_follow_ups", "Follow-up calls forgotten (only when `team.reminders: false`).", COUNT, "count",
       False),
    _m("past_last_day", "Cadence steps not made because they were reached after `last_day` (6.1).", COUNT, "count"),
    _m("lead_response_median_min", "Minutes from arrival to the first call, for inbound leads whose first call was "
       "their new-lead step, and for leads whose first call was dropped because the team was behind (they count as "
       "waiting until the horizon: never called): the median.", MINUTES, "percentile", False,
       plain="Minutes a new lead waited for the first call (median)", header="New lead\nwait, min", digits=0),
    _m("lead_response_p90_min", "The same minutes' 90th percentile.", MINUTES, "percentile", False,
       plain="Minutes the slowest tenth of new leads waited for the first call"),
    _m("leads_called", "How many leads got their new-lead call (the dropped ones are `dropped_new_leads`).", COUNT,
       "count"),
    _m("leads_called_within_5m", "Share of the leads whose new-lead call was due (called or dropped) that were "
       "called within 5 minutes of arriving.", SHARE, "ratio", True,
       plain="Share of new leads called within 5 minutes", header="Lead called\n<5 min %", scale=100, digits=0),
    _m("leads_called_within_1h", "The same within 1 hour.", SHARE, "ratio", True,
       plain="Share of new leads called within 1 hour", header="Lead called\n<1 h %", scale=100, digits=0),
    _m("leads_called_within_1d", "The same within 1 day (24 hours).", SHARE, "ratio", True,
       plain="Share of new leads called within a day", header="Lead called\n<1 day %", scale=100, digits=0),
    _m("breach_after_opt_out", "Calls to an opted-out prospect.", COUNT, "count", False),
    _m("breach_outside_hours", "Calls outside the prospect's legal hours.", COUNT, "count", False),
    _m("breach_over_3_in_24h", "Calls that were more than `rules.max_calls_24h` (default 3) to one prospect within "
       "24 hours.", COUNT, "count", False),
    _m("breach_over_7_in_7d", "Calls that were more than `rules.max_calls_7d` (default 7) within 7 days.", COUNT,
       "count", False),
)

ATTEMPT = _m("sales_attempt_{k}", "Sales by the number of outbound cadence attempts, on any channel, made when the "
             "sale came (k = 0 to 12). 0 means the prospect reached out before our first attempt. Call-backs and "
             "booked calls are not attempts.", COUNT, "count", True)
ATTEMPT_TAIL = _m(f"sales_attempt_{SALES_BY_ATTEMPT_MAX + 1}plus", "Sales after 13 or more attempts.", COUNT, "count",
                  True)

GROUP: tuple[Metric, ...] = (  # only with more than one rep group
    _m("group_{group}_calls", "The group's calls. Over the groups they sum to `calls`.", COUNT, "count"),
    _m("group_{group}_talk_hours", "The group's talk hours. Over the groups they sum to `talk_hours`.", HOURS, "sum"),
    _m("group_{group}_utilization", "The group's busy minutes over its own paid minutes (5.1).", SHARE, "ratio"),
    _m("group_{group}_calls_per_rep_day", "The group's calls over its reps' working days.", PER_REP_DAY, "ratio",
       header="{group}", digits=0),
    _m("group_{group}_sales", "The group's sales (a sale belongs to the rep who made the call). Over the groups they "
       "sum to `sales`.", COUNT, "count", True),
)

SEGMENT: tuple[Metric, ...] = (  # only with population.segments, per column and value (2.3)
    _m("segment_{column}_{value}_close_rate", "Sales over prospects among the prospects with this segment value.",
       SHARE, "ratio", True, scale=100),
    _m("segment_{column}_{value}_sales", "Sales to prospects with this segment value. Over a column's values they "
       "sum to `sales`.", COUNT, "count", True),
    _m("segment_{column}_{value}_calls", "Calls to prospects with this segment value (every dial, as `calls`).",
       COUNT, "count"),
    _m("segment_{column}_{value}_prospects", "Prospects (listed and inbound) with this segment value.", PEOPLE,
       "count"),
)

MONEY_METRICS: tuple[Metric, ...] = (  # only with a money: section (8.1)
    _m("revenue", "The deal values of the prospects who bought from us.", MONEY, "sum", True, header="Revenue",
       scale=1e-3),
    _m("paid_rep_hours", "The team's paid hours over the horizon, busy or not.", HOURS, "sum"),
    _m("rep_cost", "`paid_rep_hours` times `money.rep_hour_cost`.", MONEY, "sum", False),
    _m("message_cost", "Emails and SMS sent, times their costs.", MONEY, "sum", False),
    _m("cost", "`rep_cost + message_cost`.", MONEY, "sum", False, header="Cost", scale=1e-3),
    _m("profit", "`revenue - cost`.", MONEY, "sum", True, header="Profit", scale=1e-3),
    _m("cost_per_sale", "`cost / sales`.", MONEY, "ratio", False, header="Cost per\nsale", scale=1e-3, digits=2),
    _m("revenue_per_rep_hour", "`revenue / paid_rep_hours`.", MONEY, "ratio", True),
)

VS_BASELINE = "_vs_baseline"  # summary rows: the paired difference from the baseline strategy

BY_NAME: dict[str, Metric] = {m.name: m for m in (*CORE, ATTEMPT_TAIL, *MONEY_METRICS)}


def attempt_names() -> list[str]:
    return [ATTEMPT.name.format(k=k) for k in range(SALES_BY_ATTEMPT_MAX + 1)] + [ATTEMPT_TAIL.name]


def group_names(groups: list[str]) -> list[str]:
    """The per-group metrics, group after group (empty for one group)."""
    if len(groups) < 2:
        return []
    return [m.name.format(group=g) for g in groups for m in GROUP]


def segment_names(columns: dict[str, list[str]]) -> list[str]:
    """The per-segment-value metrics, column after column, value after value."""
    return [m.name.format(column=c, value=v) for c, values in columns.items() for v in values for m in SEGMENT]


def metric_names(scenario: "Scenario") -> list[str]:
    """Every metric a run of ``scenario`` reports, in ``runs.csv`` order."""
    names = [m.name for m in CORE] + attempt_names()
    names += group_names(list(dict.fromkeys(g.name for g in scenario.team.reps)))
    if scenario.money is not None:
        names += [m.name for m in MONEY_METRICS]
    segments = scenario.population.segments
    if segments is not None:
        names += segment_names({c: list(v) for c, v in segments.columns.items()})
    return names


def lookup(name: str) -> Optional[Metric]:
    """The metric of a runs.csv column or summary row (``_vs_baseline`` rows are their metric's
    differences), families included; None for an unknown name."""
    if name.endswith(VS_BASELINE):
        name = name[: -len(VS_BASELINE)]
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith("sales_attempt_") and name[len("sales_attempt_"):].isdigit():
        return ATTEMPT
    if name.startswith("segment_"):
        for m in SEGMENT:
            suffix = m.name[len("segment_{column}_{value}"):]
            if name.endswith(suffix) and len(name) > len("segment__") + len(suffix):
                return m
    if name.startswith("group_"):
        for m in GROUP:
            suffix = m.name[len("group_{group}"):]
            if name.endswith(suffix) and len(name) > len("group_") + len(suffix):
                return m
    return None


def markdown_table() -> str:
    """The metric table of docs/model.md section 8."""
    rows = ["| Metric | Meaning | Unit | Better |", "|---|---|---|---|"]
    better = {True: "higher", False: "lower", None: ""}
    for m in (*CORE, ATTEMPT, ATTEMPT_TAIL, *GROUP, *MONEY_METRICS, *SEGMENT):
        name = m.name.replace("{group}", "<group>").replace("{column}", "<column>").replace("{value}", "<value>")
        rows.append(f"| `{name}` | {m.meaning} | {m.unit} | {better[m.higher_is_better]} |")
    return "\n".join(rows)

