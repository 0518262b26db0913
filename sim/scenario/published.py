"""The published figures the model is calibrated against: each with its source, the band in
which the model counts as meeting it, and what in the model carries it. Read by the
calibration (``calibration``) and by its plot (``calibration_plot``), which need not know
each other."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

CLAIM_2_3_5_10_80 = (2.0, 3.0, 5.0, 10.0, 80.0)  # % of sales on touch 1, 2, 3, 4, 5-12 (no traceable source)


@dataclass(frozen=True)
class Figure:
    """One published figure, the band in which the model counts as meeting it, and what carries it."""

    key: str
    label: str
    source: str
    published: float
    unit: str  # "%", "x" (odds ratio), "pp" (percentage-point lift), "calls"
    low: Optional[float]  # tolerance band on the model's estimate; None for figures that are not targets
    high: Optional[float]
    carried_by: str
    log_scale: bool = False
    published_text: Optional[str] = None  # how the source states it, when not a plain number


FIGURES: tuple[Figure, ...] = (
    Figure("mix_ready", "ready now", "design target: readiness at any moment", 3.0, "%", 2.0, 4.0,
           "readiness dwell times, to_ready, buying_window"),
    Figure("mix_considering", "considering now", "design target: readiness at any moment", 40.0, "%", 35.0, 45.0,
           "readiness dwell times, to_ready, buying_window"),
    Figure("mix_not_ready", "not ready now", "design target: readiness at any moment", 57.0, "%", 52.0, 62.0,
           "readiness dwell times, off_market"),
    Figure("contact_5_vs_30", "contact odds, first call at 5 vs 30 min", "lead response study of 15,000+ leads, 2007",
           100.0, "x", 50.0, 200.0, "conversation.hot.answer, answer_decay, answer_shape", True),
    Figure("qualify_5_vs_30", "qualify odds, first call at 5 vs 30 min", "lead response study of 15,000+ leads, 2007",
           21.0, "x", 10.5, 42.0, "hot answer window, conversation.not_interested, hot.intent_boost", True),
    Figure("qualify_1h_vs_24h", "qualify odds, first call in hour 1 vs after 24 h", "analysis of 1.25 million leads, 2011",
           60.0, "x", 60.0, 240.0, "hot answer window, hot.intent_boost and intent_decay", True, "over 60x"),
    Figure("qualify_1h_vs_2h", "qualify odds, first call in hour 1 vs hour 2", "analysis of 1.25 million leads, 2011",
           7.0, "x", 3.5, 14.0, "hot answer window, hot.intent_decay", True),
    Figure("reached_by_6", "converted leads first reached by the 6th call", "persistence study (93% by the 6th call)",
           93.0, "%", 88.0, 98.0, "population.reachability, the cadence"),
    Figure("connect_rate", "connect rate per dial", "published connect rates, 4.5% to 10%", 7.25, "%", 4.5, 10.0,
           "population.reachability", published_text="4.5% to 10%"),
    Figure("lift_1_minute", "conversion lift, first call at 1 min vs 24 h", "lead response reports (about +391%)",
           391.0, "pp", 250.0, 550.0, "hot answer window, hot.intent_boost and intent_decay"),
    Figure("fatigue_calls", "calls in 3 months before complaint risk per call doubles",
           "car-dealer customer study (more than about 3 calls in 3 months)", 3.0, "calls", 2.0, 4.0,
           "complaints.annoyance_decay, frequency_exponent"),
    Figure("dials_per_rep_day", "dials per rep on a busy day (95th percentile), manual dialing",
           "about 52 calls a rep-day on average, 60 a day a common target (150 to 200 with a power dialer)", 60.0,
           "calls", 40.0, 120.0, "durations.dialing (no_answer, voicemail, wrap_up_other)",
           published_text="52 to 60 a day"),
    Figure("touch_1", "sales on outbound attempt 1", "claim without a source (2/3/5/10/80)", 2.0, "%", None, None, "not a target"),
    Figure("touch_2", "sales on outbound attempt 2", "claim without a source (2/3/5/10/80)", 3.0, "%", None, None, "not a target"),
    Figure("touch_3", "sales on outbound attempt 3", "claim without a source (2/3/5/10/80)", 5.0, "%", None, None, "not a target"),
    Figure("touch_4", "sales on outbound attempt 4", "claim without a source (2/3/5/10/80)", 10.0, "%", None, None, "not a target"),
    Figure("touch_5_12", "sales on outbound attempts 5 to 12", "claim without a source (2/3/5/10/80)", 80.0, "%", None, None,
           "not a target"),
)
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


def format_value(value: float, unit: str, digits: Optional[int] = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "x":
        return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"
    if unit == "pp":
        return f"{value:+.0f}%"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.{1 if digits is None else digits}f}"
