"""Plausibility warnings on a fit: signs that the log was read wrong or cannot carry what was fitted.

Each warning is a sentence for fit.md and the console: no sales in the log, a fitted share at
0% or 100%, every answered call in one outcome, one rep or one day carrying most of the log."""
from __future__ import annotations

from sim.present.activity_format import ANSWERED

MOST = 0.5  # "most of the log"
MIN_ROWS = 20  # fewer rows than this say too little to warn about


def plausibility(fit) -> list[str]:
    """The warnings on ``fit`` (a ``sim.fit.Fit``); empty when nothing looks wrong."""
    f = fit.acts.frame
    out: list[str] = []
    if len(f) < MIN_ROWS:
        return out
    calls = f[(f["channel"] == "call") & (f["direction"] == "outbound")]
    if not (f["outcome"] == "won").any():
        out.append("the log has no sale (no row with outcome won): the fitted chance of a sale rests on none; "
                   "if your CRM records sales elsewhere (deals, opportunities), the fit cannot see them")
    for e in fit.estimates.values():
        if e.path and e.unit == "%" and e.n >= MIN_ROWS and e.value in (0.0, 1.0):
            out.append(f"{e.label} is {e.value:.0%} of {e.n:,} ({e.path}): a share at its bound usually means an outcome "
                       "the mapping never produces; check values: in the mapping")
    answered = calls.loc[calls["outcome"].isin(ANSWERED), "outcome"].astype(str)
    if len(answered) >= MIN_ROWS and answered.nunique() == 1:
        out.append(f"every answered call ({len(answered):,}) has the outcome {answered.iloc[0]!r}: the export or the "
                   "mapping records no sale, meeting or 'no', so the fit cannot tell them apart")
    reps = f["rep"].dropna().astype(str)
    if reps.nunique() > 1:
        top = reps.value_counts()
        if top.iloc[0] > MOST * len(f):
            out.append(f"one rep ({top.index[0]}) carries {top.iloc[0] / len(f):.0%} of the log: the fitted team is mostly that rep")
    days = f["t"].dt.tz_convert(fit.acts.team_timezone).dt.strftime("%Y-%m-%d")
    if days.nunique() > 1:
        top = days.value_counts()
        if top.iloc[0] > MOST * len(f):
            out.append(f"one day ({top.index[0]}) carries {top.iloc[0] / len(f):.0%} of the log: an import or a bulk "
                       "update may have stamped many rows with its own time")
    return out
