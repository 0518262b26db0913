"""Plain sentences generated from a run's numbers, for a sales room rather than a statistician.

Everything here reads only the tidy summary (``summary.csv``), the per-run table
(``runs.csv``) and the strategies' display names: no sentence is written by hand for one
scenario. The report, the lessons and (later) the workshop page call these functions:

    comparisons(summary, runs, names, baseline)   -> list[Sentence]  headline, one per strategy
    money_sentences(summary, names, baseline)     -> list[Sentence]  profit against the baseline (with money)
    teaching_figures(summary, names)              -> list[TeachingFigures]
    figure_sentences(figures)                     -> list[Sentence]
    metric_sentence(summary, names, baseline, metric) -> Sentence   one metric across strategies
    claim_sentence(runs, names)                   -> Sentence        the "80% on the 5th-12th" slide
    reflection_questions(summary, runs, names, baseline) -> list[str]
    replication_warning(summary)                  -> str | None

``names`` maps strategy keys to display names (``strategies.display_names``), in display order.

Each ``Sentence`` carries the numbers it states (``values``), so a caller can check or
restyle them. Numbers are rounded for people: see ``number`` and ``percent``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

import pandas as pd

from sim.experiment.stats import ratio_interval

LEVEL = 0.95
FEW_REPLICATIONS = 5  # below this, intervals are too wide (or too unreliable) to teach with


@dataclass(frozen=True)
class Sentence:
    """One generated sentence: its text, what it is about, and the numbers it states."""

    text: str
    kind: str
    strategy: Optional[str] = None
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TeachingFigures:
    """The figures a trainer quotes, per strategy (NaN where the strategy never did the thing)."""

    strategy: str
    name: str
    sales: float
    calls_per_sale: float
    prospect_initiated_share: float  # share of sales on the call answering the prospect's own contact
    dropped_follow_ups: float  # tasks dropped because the team fell behind, per run
    booked_connect_rate: float  # connects / calls for booked calls
    ordinary_connect_rate: float  # connects / calls for every other call


# ---------------------------------------------------------------- numbers for people
# One rounding rule: a number's decimals are set by a reference value, the number itself when it
# stands alone, else the value it belongs to (a mean and its interval ends are written alike) or,
# in a table column, the column's most precise need (``column_ref``). No trailing zero is dropped,
# so "0.10% to 0.1%" or "17.2% to 26%" cannot be printed.
def number_digits(ref: float) -> int:
    """Decimals for a count or amount of the size of ``ref``: none from 10 up, one from 1, two below."""
    a = abs(ref) if ref is not None and math.isfinite(ref) else 0.0
    return 0 if a >= 10 or a == 0 else 1 if a >= 1 else 2


def percent_digits(ref: float) -> int:
    """Decimals for a share (0..1) of the size of ``ref``: none from 20%, one from 0.1%, two below."""
    p = 100 * abs(ref) if ref is not None and math.isfinite(ref) else 0.0
    return 0 if p >= 20 or p == 0 else 1 if p >= 0.1 else 2


def number(x: float, ref: Optional[float] = None) -> str:
    """A count or amount rounded for reading: 1,117 / 37 / 3.3 / 0.42 (decimals set by ``ref``, default x)."""
    if x is None or not math.isfinite(x):
        return "-"
    if x == 0 and ref is None:
        return "0"
    return f"{x:,.{number_digits(x if ref is None else ref)}f}"


def percent(share: float, ref: Optional[float] = None) -> str:
    """A share (0..1) as a percentage: 58%, 9.1%, 0.40% (decimals set by ``ref``, default the share)."""
    if share is None or not math.isfinite(share):
        return "-"
    return f"{100 * share:.{percent_digits(share if ref is None else ref)}f}%"


def column_ref(values) -> float:
    """The reference that sets one table column's decimals: its smallest non-zero size, so no
    value of the column rounds to zero and every value has the same decimals."""
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    return min(sizes) if sizes else 0.0


def times(r: float, ref: Optional[float] = None) -> str:
    """A ratio: one decimal from 2 up, two below (where 1.04 and 1.4 tell different stories).
    ``ref`` sets the precision, so a ratio and its interval are written alike."""
    ref = r if ref is None else ref
    return f"{r:.1f}" if abs(ref) >= 2 else f"{r:.2f}"


# ---------------------------------------------------------------- summary access
def row_of(summary: pd.DataFrame, strategy: str, metric: str) -> tuple[float, float, float, int]:
    hit = summary[(summary["strategy"] == strategy) & (summary["metric"] == metric)]
    if hit.empty:
        return float("nan"), float("nan"), float("nan"), 0
    r = hit.iloc[0]
    return float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), int(r["n"])


def mean_of(summary: pd.DataFrame, strategy: str, metric: str) -> float:
    return row_of(summary, strategy, metric)[0]


def replications(summary: pd.DataFrame) -> int:
    return int(summary["n"].max()) if len(summary) else 0


def _clear(lo: float, hi: float, null: float) -> Optional[bool]:
    """True when the interval excludes ``null``, False when it spans it, None when there is no interval."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    return not (lo <= null <= hi)


# ---------------------------------------------------------------- sales by attempt
def attempt_columns(columns) -> tuple[list[tuple[str, str]], str]:
    """The per-attempt sales columns present in a runs table, as (label, column), and what they count.

    Prefers ``sales_attempt_0`` .. ``sales_attempt_12``, ``sales_attempt_13plus`` (our outbound
    attempt number when the sale happened, 0 = before we ever reached out); falls back to the
    older ``sales_touch_1`` .. ``sales_touch_13plus`` (every touch, ours or theirs)."""
    cols = set(columns)
    if "sales_attempt_1" in cols:
        found = [(str(k), f"sales_attempt_{k}") for k in range(0, 13) if f"sales_attempt_{k}" in cols]
        if "sales_attempt_13plus" in cols:
            found.append(("13+", "sales_attempt_13plus"))
        return found, "attempt"
    found = [(str(k), f"sales_touch_{k}") for k in range(1, 13) if f"sales_touch_{k}" in cols]
    if "sales_touch_13plus" in cols:
        found.append(("13+", "sales_touch_13plus"))
    return found, "touch"


def attempt_shares(runs: pd.DataFrame, strategy: str, lo: int, hi: int) -> float:
    """Share of a strategy's sales (pooled over replications) made on attempts lo..hi (touches, in older results)."""
    cols, _ = attempt_columns(runs.columns)
    g = runs[runs["strategy"] == strategy]
    sales = float(g["sales"].sum())
    if sales <= 0:
        return float("nan")
    picked = [c for label, c in cols if label.isdigit() and lo <= int(label) <= hi]
    return float(g[picked].to_numpy(float).sum()) / sales


# ---------------------------------------------------------------- headline
def sales_ratio(runs: pd.DataFrame, strategy: str, baseline: str) -> tuple[float, float, float, int]:
    """How many times the baseline's sales a strategy made: paired by replication, Fieller's 95% interval."""
    a = runs[runs["strategy"] == strategy].set_index("replication")["sales"]
    b = runs[runs["strategy"] == baseline].set_index("replication")["sales"]
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner")
    return ratio_interval(both["a"].to_numpy(float), both["b"].to_numpy(float), LEVEL)


def _deals_clause(ratio: float, lo: float, hi: float, base_name: str) -> tuple[str, dict]:
    """'closed 3.3 times as many deals as X (95% interval 2.9 to 3.8)', or 40% fewer, or no clear difference."""
    values = {"ratio": ratio, "ratio_low": lo, "ratio_high": hi}
    clear = _clear(lo, hi, 1.0)
    if clear is False:
        return (f"made no clear difference to deals compared with {base_name} "
                f"({times(ratio)} times as many, 95% interval {times(lo, ratio)} to {times(hi, ratio)})"), values
    if ratio >= 1:
        interval = f" (95% interval {times(lo, ratio)} to {times(hi, ratio)})" if clear else ""
        return f"closed {times(ratio)} times as many deals as {base_name}{interval}", values
    ref = 1 - ratio
    interval = f" (95% interval {percent(1 - hi, ref)} to {percent(1 - lo, ref)} fewer)" if clear else ""
    return f"closed {percent(1 - ratio)} fewer deals than {base_name}{interval}", values


def _difference_clause(mean: float, lo: float, hi: float, what: str, unit: str) -> tuple[str, dict]:
    values = {"diff": mean, "diff_low": lo, "diff_high": hi}
    clear = _clear(lo, hi, 0.0)
    if clear is False:
        return (f"no clear difference in {what} ({number(mean)} {unit}, 95% interval "
                f"{number(lo, mean)} to {number(hi, mean)})"), values
    word = "more" if mean >= 0 else "fewer"
    interval = f" (95% interval {number(abs(lo) if mean >= 0 else abs(hi), mean)} to " \
               f"{number(abs(hi) if mean >= 0 else abs(lo), mean)})" if clear else ""
    return f"{number(abs(mean))} {word} {what} {unit}{interval}", values


def comparisons(summary: pd.DataFrame, runs: pd.DataFrame, names: dict[str, str], baseline: str) -> list[Sentence]:
    """One headline sentence per strategy against the baseline: deals as a ratio, complaints as a difference."""
    out = []
    base_name = names.get(baseline, baseline)
    for key in names:
        if key == baseline:
            continue
        name = names[key]
        ratio, lo, hi, n = sales_ratio(runs, key, baseline)
        values: dict[str, float] = {}
        if math.isfinite(ratio) and (math.isfinite(lo) or n < 2):
            deals, v = _deals_clause(ratio, lo, hi, f"“{base_name}”")
            values.update(v)
        else:  # the baseline sold nothing (or nearly): a ratio means nothing, say the difference in sales
            d, dlo, dhi, _ = row_of(summary, key, "sales_vs_baseline")
            clear = _clear(dlo, dhi, 0.0)
            if clear is False:
                deals = (f"made no clear difference to deals compared with “{base_name}” ({number(d)} per run, "
                         f"95% interval {number(dlo, d)} to {number(dhi, d)})")
            else:
                word = "more" if d >= 0 else "fewer"
                lo_, hi_ = sorted((abs(dlo), abs(dhi))) if clear else (0.0, 0.0)
                interval = f" (95% interval {number(lo_, d)} to {number(hi_, d)})" if clear else ""
                deals = f"closed {number(abs(d))} {word} deals per run than “{base_name}”{interval}"
            values.update({"sales_diff": d, "sales_diff_low": dlo, "sales_diff_high": dhi})
        c, clo, chi, _ = row_of(summary, key, "complaints_per_1000_vs_baseline")
        complaints, v = _difference_clause(c, clo, chi, "complaints", "per 1,000 prospects")
        values.update({f"complaints_{k}": x for k, x in v.items()})
        text = f"“{name}” {deals}, with {complaints}."
        out.append(Sentence(text, "headline", key, values))
    return out


# ---------------------------------------------------------------- money
def amount(x: float) -> str:
    """A sum of money rounded for saying aloud: three significant figures from 1,000 up
    (12,345 -> 12,300), else as ``number`` rounds it."""
    if x is None or not math.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        digits = 3 - len(str(int(abs(x))))  # negative: round to tens, hundreds, ...
        return f"{round(x, digits):,.0f}"
    return number(x)


def money_sentences(summary: pd.DataFrame, names: dict[str, str], baseline: str) -> list[Sentence]:
    """One sentence per strategy on its profit against the baseline, paired by replication
    (``profit_vs_baseline``), for someone who has never read an interval: 'brought about X more
    profit per run than B (very probably between L and H more)'. Empty without money."""
    if not (summary["metric"] == "profit").any():
        return []
    out = []
    base_name = names.get(baseline, baseline)
    for key, name in names.items():
        if key == baseline:
            continue
        d, lo, hi, n = row_of(summary, key, "profit_vs_baseline")
        if not math.isfinite(d):
            continue
        values = {"profit_diff": d, "profit_diff_low": lo, "profit_diff_high": hi}
        clear = _clear(lo, hi, 0.0)
        word = "more" if d >= 0 else "less"
        if clear is None:
            text = (f"“{name}” brought {amount(abs(d))} {word} profit than “{base_name}” in the one run made; run "
                    f"more replications to know how sure that is.")
        elif clear:
            near, far = sorted((abs(lo), abs(hi)))
            text = (f"“{name}” brought about {amount(abs(d))} {word} profit per run than “{base_name}” "
                    f"(very probably between {amount(near)} and {amount(far)} {word}).")
        else:
            low = f"{amount(abs(lo))} less" if lo < 0 else f"{amount(lo)} more"
            high = f"{amount(abs(hi))} less" if hi < 0 else f"{amount(hi)} more"
            text = (f"“{name}” made no clear difference to profit compared with “{base_name}”: about "
                    f"{amount(abs(d))} {word} per run, but anywhere between {low} and {high} is likely, so it "
                    f"could go either way.")
        out.append(Sentence(text, "money", key, values))
    return out


# ---------------------------------------------------------------- teaching figures
def teaching_figures(summary: pd.DataFrame, names: dict[str, str]) -> list[TeachingFigures]:
    """Calls per sale, share of sales from prospects who came back to us, dropped follow-ups,
    booked-call vs ordinary connect rates: ratios of the means over replications."""
    rows = []
    for key, name in names.items():
        m = {metric: mean_of(summary, key, metric) for metric in (
            "sales", "calls", "sales_prospect_initiated", "dropped_tasks", "booked_calls", "booked_connects", "connects")}
        sales, calls = m["sales"], m["calls"]
        booked_calls = m["booked_calls"] if math.isfinite(m["booked_calls"]) else 0.0
        booked_connects = m["booked_connects"] if math.isfinite(m["booked_connects"]) else 0.0
        rows.append(TeachingFigures(
            strategy=key, name=name, sales=sales,
            calls_per_sale=calls / sales if sales > 0 else float("nan"),
            prospect_initiated_share=m["sales_prospect_initiated"] / sales if sales > 0 else float("nan"),
            dropped_follow_ups=m["dropped_tasks"],
            booked_connect_rate=booked_connects / booked_calls if booked_calls > 0 else float("nan"),
            ordinary_connect_rate=((m["connects"] - booked_connects) / (calls - booked_calls)
                                   if calls - booked_calls > 0 else float("nan")),
        ))
    return rows


def figure_sentences(figures: list[TeachingFigures]) -> list[Sentence]:
    """One sentence per strategy stating its teaching figures."""
    out = []
    for f in figures:
        parts = []
        if math.isfinite(f.calls_per_sale):
            parts.append(f"made {number(f.calls_per_sale)} calls per sale")
        elif f.sales == 0:
            parts.append("made no sale")
        if math.isfinite(f.prospect_initiated_share):
            parts.append(f"{percent(f.prospect_initiated_share)} of its sales came after the prospect got in "
                         f"touch by themselves (reached out, replied or called back)")
        if math.isfinite(f.dropped_follow_ups):
            parts.append(f"it dropped {number(f.dropped_follow_ups)} follow-ups per run because the team was behind"
                         if f.dropped_follow_ups >= 0.5 else "it dropped no follow-ups")
        if math.isfinite(f.booked_connect_rate):
            ref = min(f.booked_connect_rate, f.ordinary_connect_rate)
            parts.append(f"a booked call connected {percent(f.booked_connect_rate, ref)} of the time against "
                         f"{percent(f.ordinary_connect_rate, ref)} for an ordinary dial")
        if not parts:
            continue
        text = f"“{f.name}” " + "; ".join(parts) + "."
        values = {"calls_per_sale": f.calls_per_sale, "prospect_initiated_share": f.prospect_initiated_share,
                  "dropped_follow_ups": f.dropped_follow_ups, "booked_connect_rate": f.booked_connect_rate,
                  "ordinary_connect_rate": f.ordinary_connect_rate}
        out.append(Sentence(text, "figures", f.strategy, values))
    return out


# ---------------------------------------------------------------- questions for the room
def _best(summary: pd.DataFrame, names: dict[str, str], metric: str, highest: bool = True) -> tuple[str, float]:
    vals = {k: mean_of(summary, k, metric) for k in names}
    vals = {k: v for k, v in vals.items() if math.isfinite(v)}
    if not vals:
        return "", float("nan")
    k = (max if highest else min)(vals, key=vals.get)
    return k, vals[k]


def reflection_questions(summary: pd.DataFrame, runs: pd.DataFrame, names: dict[str, str], baseline: str) -> list[str]:
    """Questions for the room, each built on one number of this run."""
    qs = []
    top, close = _best(summary, names, "close_rate")
    figs = {f.strategy: f for f in teaching_figures(summary, names)}
    if top:
        comp = mean_of(summary, top, "complaints_per_1000")
        calm, calm_comp = _best(summary, names, "complaints_per_1000", highest=False)
        qs.append(f"“{names[top]}” sold to the most prospects ({percent(close)}) with {number(comp)} complaints per "
                  f"1,000; “{names[calm]}” drew the fewest complaints ({number(calm_comp)} per 1,000). Which of the "
                  f"two would you rather explain to your manager, and to your customers?")
    if top and math.isfinite(figs[top].prospect_initiated_share):
        qs.append(f"Under “{names[top]}”, {percent(figs[top].prospect_initiated_share)} of sales were callbacks to "
                  f"prospects who got in touch or asked us to call. What did our earlier touches have to do with them "
                  f"calling us rather than a competitor?")
    per_sale = {k: f.calls_per_sale for k, f in figs.items() if math.isfinite(f.calls_per_sale)}
    if per_sale:
        k = max(per_sale, key=per_sale.get)
        qs.append(f"“{names[k]}” needed {number(per_sale[k])} calls per sale. How many calls can one of us make in a "
                  f"day, and how many sales a week does that buy?")
    dropped = {k: f.dropped_follow_ups for k, f in figs.items() if math.isfinite(f.dropped_follow_ups)}
    if dropped and max(dropped.values()) >= 1:
        k = max(dropped, key=dropped.get)
        qs.append(f"“{names[k]}” dropped {number(dropped[k])} follow-ups in a run because the team could not keep up. "
                  f"Which follow-ups would you let go first, and who decides?")
    booked = {k: f for k, f in figs.items() if math.isfinite(f.booked_connect_rate)}
    if booked:
        f = max(booked.values(), key=lambda f: f.booked_connect_rate)
        ref = min(f.booked_connect_rate, f.ordinary_connect_rate)
        qs.append(f"A booked call connected {percent(f.booked_connect_rate, ref)} of the time against "
                  f"{percent(f.ordinary_connect_rate, ref)} for an ordinary dial. How often do we end a good conversation "
                  f"without the next call in both diaries?")
    return qs


# ---------------------------------------------------------------- one metric across strategies
METRICS: dict[str, tuple[str, str]] = {
    # metric -> (what it is, its unit as a phrase; "%" for shares)
    "close_rate": ("Share of prospects who bought from us", "%"),
    "sales": ("Sales per run", ""),
    "complaints_per_1000": ("Complaints per 1,000 prospects", ""),
    "complaints_frequency": ("Complaints because touches came too close together, per run", ""),
    "complaints_after_no": ("Complaints because we touched them after a clear no, per run", ""),
    "complaints_pushy_rep": ("Complaints because of a pushy style, per run", ""),
    "calls": ("Calls per run", ""),
    "lead_response_median_min": ("Minutes a new lead waited for the first call (median)", ""),
    "lead_response_p90_min": ("Minutes the slowest tenth of new leads waited for the first call", ""),
    "dropped_tasks": ("Follow-ups dropped because the team was behind, per run", ""),
    "dropped_new_leads": ("New leads never called because the team was behind, per run", ""),
    "reach_outs_to_us": ("Ready buyers who got in touch with us, per run", ""),
    "lost_to_competitor": ("Prospects who bought from a competitor, per run", ""),
    "booked_connects": ("Booked calls that connected, per run", ""),
    "calls_per_rep_day_mean": ("Calls per rep per working day", ""),
}


def metric_sentence(summary: pd.DataFrame, names: dict[str, str], baseline: str, metric: str) -> Optional[Sentence]:
    """One metric for every strategy, each other strategy set against the baseline (paired), e.g.
    'Minutes a new lead waited ...: 61 under “A”; 66 under “B” (5 more, 95% interval 2 to 8).'"""
    what, unit = METRICS.get(metric, (metric.replace("_", " ").capitalize(), ""))
    fmt = percent if unit == "%" else number
    base_mean = mean_of(summary, baseline, metric)
    if not math.isfinite(base_mean) and all(not math.isfinite(mean_of(summary, k, metric)) for k in names):
        return None
    parts, values = [], {}
    ref = column_ref([mean_of(summary, k, metric) for k in names])  # every mean of the sentence alike
    for key, name in names.items():
        m = mean_of(summary, key, metric)
        values[key] = m
        if not math.isfinite(m):
            parts.append(f"none under “{name}”")
            continue
        part = f"{fmt(m, ref)} under “{name}”"
        if key != baseline and math.isfinite(base_mean):
            d, lo, hi, _ = row_of(summary, key, f"{metric}_vs_baseline")
            clear = _clear(lo, hi, 0.0)
            if lo == hi == d == 0:
                part += " (the same)"
            elif clear is False:
                part += " (no clear difference)"
            elif math.isfinite(d) and d != 0:
                scale = 100.0 if unit == "%" else 1.0
                word = ("more" if d > 0 else "fewer") if unit != "%" else ("points more" if d > 0 else "points fewer")
                interval = (f", 95% interval {number(min(abs(lo), abs(hi)) * scale, d * scale)} to "
                            f"{number(max(abs(lo), abs(hi)) * scale, d * scale)}") if clear else ""
                part += f" ({number(abs(d) * scale)} {word}{interval})"
        parts.append(part)
    return Sentence(f"{what}: " + "; ".join(parts) + ".", "metric", None, values)


def claim_sentence(runs: pd.DataFrame, names: dict[str, str]) -> Optional[Sentence]:
    """The untraceable '80% of sales on the 5th to 12th contact' set beside each strategy's own shares."""
    cols, what = attempt_columns(runs.columns)
    if not cols:
        return None
    parts, values = [], {}
    shares = [attempt_shares(runs, k, lo, 12 if lo == 5 else 4) for k in names for lo in (5, 0 if what == "attempt" else 1)]
    ref = column_ref(shares)  # every share of the sentence alike
    for key, name in names.items():
        late = attempt_shares(runs, key, 5, 12)
        early = attempt_shares(runs, key, 0 if what == "attempt" else 1, 4)
        if not math.isfinite(late):
            continue
        values[key] = late
        plural = what + ("es" if what == "touch" else "s")
        parts.append(f"{percent(late, ref)} under “{name}” ({percent(early, ref)} on {plural} 1 to 4"
                     + (" or before we called" if what == "attempt" else "") + ")")
    if not parts:
        return None
    plural = what + ("es" if what == "touch" else "s")
    return Sentence(f"Share of sales made on {plural} 5 to 12: " + "; ".join(parts) + ". The slide says 80%.",
                    "claim", None, values)


def replication_warning(summary: pd.DataFrame) -> Optional[str]:
    """A plain warning when there are too few replications for useful intervals, else None."""
    n = replications(summary)
    if n >= FEW_REPLICATIONS:
        return None
    if n < 2:
        return (f"Only {n} replication: there are no intervals, so no difference can be called clear. "
                f"Run at least {FEW_REPLICATIONS} replications before teaching from these numbers.")
    return (f"Only {n} replications: the 95% intervals are wide and unreliable. "
            f"Run at least {FEW_REPLICATIONS} before teaching from these numbers.")


# the last part of a field path -> what it is in words (the path is shown beside it)
FIELD_WORDS = {
    "count": "Number of reps", "max_touches": "Most touches per prospect", "first_response": "Time to call a new lead",
    "per_day": "New inbound leads per day", "per_week": "New per week", "per_month": "New inbound leads per month",
    "size": "Prospects on the list", "pushiness": "Rep pushiness (0 calm, 1 pushy)",
    "skill": "Rep skill", "min_gap": "Shortest gap between touches", "drop_after": "Days a task may be overdue",
    "booking_delay": "Days ahead a next call is booked", "callback_delay": "Wait before a requested call back",
    "max_calls_per_rep_day": "Most calls per rep per day", "forget": "Share of follow-ups forgotten",
    "mean": "Mean", "horizon": "Simulated time", "ramp": "Days to first-touch the list",
    "every": "Gap between repeat touches", "rep_pushiness": "Coached pushiness (0 calm, 1 pushy)",
}


def field_words(path: str) -> str:
    """A field path in words, with the path itself for precision: 'Number of reps (team.reps[0].count)'."""
    last = re.sub(r"\[\d+\]", "", path.split(".")[-1])
    words = FIELD_WORDS.get(last, last.replace("_", " ").capitalize())
    return f"{words} ({path})"
