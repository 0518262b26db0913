"""One prospect's run told in plain words: every touch and every change of mind, with the
calendar time and the hidden state the rep never sees, then the outcome and why.

The story is read off one replication's event log (``run_replication(..., event_log=True)``),
one line per logged event, so it shows exactly what the model did. Every strategy of a
scenario sees the same prospects and the same luck, so the same prospect can be followed
under two strategies side by side (``side_by_side``).

    story = tell(scenario, "one_and_done", pick="lost")
    print(render(story))
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Optional

import pandas as pd

from sim.model.engine import run_replication
from sim.model.outcomes import outcome_of, outcomes
from sim.scenario.errors import UserError
from sim.present.escape import plain
from sim.scenario.schema import WEEKDAYS, Scenario
from sim.scenario.strategies import Cadence, display_names
from sim.scenario.units import DAY

PICKS = ("sold", "complained", "lost", "ignored")
TALKED = {"sale", "booked", "call_back_later", "not_interested", "unqualified", "already_bought"}
CADENCE_KINDS = {"new_lead", "follow_up", "prospecting"}
STATE_WORDS = {"not_ready": "not ready", "considering": "considering", "ready": "ready",
               "off_market": "off the market", "customer": "our customer"}
CHANGE_WORDS = {"not_ready": "lost interest for now (not ready)", "considering": "started considering a purchase",
                "ready": "became ready to buy", "off_market": "is off the market (just bought)",
                "customer": "became our customer"}
# a step back towards "not ready" is not progress: said as such (states in buying order)
ORDER = {"off_market": -1, "not_ready": 0, "considering": 1, "ready": 2, "customer": 3}
BACK_WORDS = {"considering": "cooled off: only considering a purchase now", "not_ready": "lost interest for now (not ready)"}
RETURN_WORDS = {"not_ready": "back on the market, not ready yet", "considering": "back on the market, considering a purchase",
                "ready": "back on the market, ready to buy"}
# our own logged events that already say the readiness change the market logs at the same minute
SAYS_STATE = {"reach_out": "ready", "purchase": "off_market"}
OUTCOME_WORDS = {
    "no_answer": "no answer", "voicemail": "no answer, left a voicemail", "sale": "talked, bought from us",
    "booked": "talked, booked the next call", "call_back_later": "talked, asked to be called back later",
    "not_interested": "talked, said no", "unqualified": "talked, not a fit (disqualified)",
    "already_bought": "talked, had already bought elsewhere", "sent": "sent", "replied": "replied",
    "unsubscribed": "unsubscribed (opted out)",
}
CAUSE_WORDS = {"frequency": "touched too often", "after_no": "touched after a clear no", "pushy_rep": "a pushy rep"}


class StoryError(UserError, ValueError):
    """A story that cannot be told (unknown prospect, nobody of the kind asked for), explained for a person."""


@dataclass(frozen=True)
class StoryLine:
    """One event of the log, in words."""

    time_min: float
    day: int
    when: str  # "Tue 09:14"
    what: str  # "call 2 (rep 1): no answer"
    state: str  # "[considering, annoyance 0.4]" or "[considering -> ready]"
    kind: str
    outcome: str


@dataclass
class Story:
    scenario: str
    strategy: str
    name: str
    replication: int
    prospect: int
    lines: list[StoryLine]
    outcome: str
    why: str
    picked: Optional[str] = None
    events: pd.DataFrame = field(default=None, repr=False)

    @property
    def title(self) -> str:
        how = f", a typical '{self.picked}' prospect" if self.picked else ""
        return f"Prospect {self.prospect} under “{self.name}” (replication {self.replication}{how})"


# ---------------------------------------------------------------- time and words
def clock(time_min: float) -> str:
    """Weekday and time of day of a simulation minute (minute 0 is Monday 00:00 of week one)."""
    day = int(time_min // DAY)
    minute = int(time_min - day * DAY)
    return f"{WEEKDAYS[day % 7].capitalize()} {minute // 60:02d}:{minute % 60:02d}"


def _rep(name: str) -> str:
    return name.replace("-", " ") if name else ""


def change_words(before: Optional[str], after: str) -> str:
    """A change of readiness in words: a step forward, a step back, or a return to the market."""
    if before == "off_market" and after in RETURN_WORDS:
        return RETURN_WORDS[after]
    if before is not None and after in BACK_WORDS and ORDER.get(after, 0) < ORDER.get(before, 0):
        return BACK_WORDS[after]
    return CHANGE_WORDS.get(after, after)


def restated(events: pd.DataFrame) -> pd.Series:
    """Market readiness changes that only restate one of our logged events at the same minute
    (a reach-out is the prospect becoming ready; a purchase is them leaving the market): the
    story tells such a moment once."""
    said = events[events.kind.isin(list(SAYS_STATE))]
    keys = {(float(t), SAYS_STATE[k]) for t, k in zip(said.time_min, said.kind)}
    return pd.Series([e.kind == "readiness" and (float(e.time_min), e.outcome) in keys
                      for e in events.itertuples(index=False)], index=events.index, dtype=bool)


def describe(events: pd.DataFrame) -> list[StoryLine]:
    """One line per event of one prospect's log (sorted by time), with the state before and after;
    a market change that only restates our event of the same minute (``restated``) is left out."""
    lines = []
    touches = {"call": 0, "email": 0, "sms": 0}
    before: Optional[str] = None
    events = events[~restated(events)]
    for e in events.itertuples(index=False):
        kind, outcome, channel, state = e.kind, e.outcome, e.channel, e.readiness
        rep = f" ({_rep(e.rep)})" if e.rep else ""
        if kind == "readiness":
            what = f"market: {change_words(before, outcome)}"
        elif kind == "arrival":
            what = "arrived as a new inbound lead"
        elif kind == "listed":
            what = "was added to our list"
        elif kind == "reach_out":
            what = "got in touch with us, ready to buy"
        elif kind == "purchase":
            what = ("gave up waiting for us and bought from a competitor" if outcome == "gave_up_waiting"
                    else "bought from a competitor")
        elif kind == "opt_out":
            what = "asked us not to contact them again"
        elif kind == "reminder":
            what = "reminder email for the booked call: sent"
        elif outcome == "dropped":
            due = {"booked": "a booked call", "callback": "a callback", "new_lead": "the first call to a new lead",
                   "follow_up": "a follow-up call", "prospecting": "a first call from the list"}.get(kind, "a call")
            what = f"{due} was due but the team was too busy: dropped"
        elif outcome == "forgotten":
            what = "a follow-up was forgotten (no CRM reminder)"
        else:
            if kind in CADENCE_KINDS:
                touches[channel] = touches.get(channel, 0) + 1
                label = f"{channel if channel != 'sms' else 'text'} {touches[channel]}"
                if kind == "new_lead":
                    label = "new-lead " + label
            elif kind == "booked":
                label = "booked call"
            else:
                label = "callback"
            words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
            if channel in ("email", "sms") and outcome == "sent":
                words = "sent, no reply"
            what = f"{label}{rep}: {words}"
        if e.complaint_cause:
            what += f" -> COMPLAINED ({CAUSE_WORDS.get(e.complaint_cause, e.complaint_cause)})"
        if before is not None and state != before:
            shown = f"[{STATE_WORDS.get(before, before)} -> {STATE_WORDS.get(state, state)}]"
        elif kind in ("readiness", "arrival", "listed", "reach_out", "purchase") or (isinstance(e.annoyance, float)
                                                                          and math.isnan(e.annoyance)):
            shown = f"[{STATE_WORDS.get(state, state)}]"
        else:
            shown = f"[{STATE_WORDS.get(state, state)}, annoyance {e.annoyance:.1f}]"
        before = state
        lines.append(StoryLine(float(e.time_min), int(e.day), clock(e.time_min), what, shown, kind, outcome))
    return lines


# ---------------------------------------------------------------- outcome and why
def _days(minutes: float) -> str:
    d = minutes / DAY
    if d < 1:
        hours = minutes / 60
        return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}" if hours >= 1 else f"{minutes:.0f} minutes"
    return f"{d:.0f} day{'s' if round(d) != 1 else ''}"


def _last_ready(ev: pd.DataFrame, before: float) -> Optional[float]:
    """When the prospect last became ready at or before ``before`` (their first event, if ready from the start)."""
    since, prev = None, None
    for t, state in zip(ev.time_min, ev.readiness):
        if t > before:
            break
        if state == "ready" and prev != "ready":
            since = float(t)
        prev = state
    return since


def _kind(ev: pd.DataFrame) -> str:
    """Which cadence of a strategy a prospect follows: ``inbound`` for a lead (it has an
    arrival), else ``outbound``."""
    return "inbound" if (ev.kind == "arrival").any() else "outbound"


def _next_due(ev: pd.DataFrame, cadence: pd.DataFrame, scenario: Scenario, strategy: str) -> Optional[float]:
    """When the cadence's next touch was planned after the last one we made (None when it was over)."""
    steps = scenario.strategy(strategy).plan(_kind(ev))
    plan = Cadence(steps)
    k = len(cadence)
    if k == 0 or plan.channel_of(k) is None:
        return None
    first = steps.steps[0]
    anchor = float(cadence.time_min.iloc[0]) - ((first.day - 1) * DAY if first.day is not None else 0.0)
    return plan.due_after(k, anchor, float(cadence.time_min.iloc[-1]))


def explain(ev: pd.DataFrame, scenario: Scenario, strategy: str) -> tuple[str, str]:
    """(outcome, one sentence why) for one prospect's events: the outcome is ``outcomes.outcome_of``
    (the prospect's final state, as the results count it), the why is read off the events."""
    touches = ev[ev.channel.isin(["call", "email", "sms"]) & ~ev.outcome.isin(["dropped", "forgotten"])]
    cadence = touches[touches.kind.isin(CADENCE_KINDS)]
    talked = touches[touches.outcome.isin(TALKED) | (touches.outcome == "replied")]
    n_touch = len(touches)
    end = outcome_of(ev)
    if end.how == "sale":
        sale = ev[ev.outcome == "sale"]
        t = float(sale.time_min.iloc[0])
        row = sale.iloc[0]
        ready = _last_ready(ev, t)
        since = f", {_days(t - ready)} after they became ready" if ready is not None else ""
        earlier = touches[touches.time_min < t]
        if row.kind == "callback":
            trigger = ev[(ev.time_min <= t) & (ev.kind.isin(["reach_out"]) | ev.outcome.isin(
                ["voicemail", "replied", "call_back_later"]))]
            cause = {"reach_out": "they got in touch with us", "voicemail": "a voicemail brought a call back",
                     "replied": "they replied to a message", "call_back_later": "they had asked us to call back"}
            last = trigger.iloc[-1] if len(trigger) else None
            how = cause["reach_out"] if last is not None and last.kind == "reach_out" else \
                cause.get(last.outcome, "they came back to us") if last is not None else "they came back to us"
            return f"bought from us on day {end.day}", (
                f"{how}{since}, after {len(earlier)} earlier touch{'es' if len(earlier) != 1 else ''} from us.")
        return f"bought from us on day {end.day}", (
            f"our {row.kind.replace('_', ' ')} call (touch {len(earlier) + 1}) reached them{since}.")
    if end.how == "complaint":
        row = ev[ev.complaint_cause != ""].iloc[0]
        t = float(row.time_min)
        recent = touches[(touches.time_min > t - 30 * DAY) & (touches.time_min <= t)]
        why = {"frequency": f"annoyance had built up to {row.annoyance:.1f} with {len(recent)} touches in the last "
                            f"30 days", "after_no": "we touched them again after a clear no",
               "pushy_rep": "the rep pushed hard on the call"}.get(row.complaint_cause, row.complaint_cause)
        return f"complained on day {end.day}", f"on touch {len(touches[touches.time_min <= t])}, {why}."
    if end.how == "opted_out":
        return f"asked not to be contacted again on day {end.day}", "they said no and asked us to stop contacting them."
    if end.how in ("unsubscribed", "unqualified"):
        return f"left our list on day {end.day}", f"{OUTCOME_WORDS[end.how]}."
    if end.how == "purchase":
        first = ev[ev.kind == "purchase"].iloc[0]
        t = float(first.time_min)
        ready = _last_ready(ev, t)
        waited = ", gave up waiting for us" if first.outcome == "gave_up_waiting" else ""
        since = f"they had been ready for {_days(t - ready)}{waited}" if ready is not None else \
            f"they were not ready for us{waited}"
        before = touches[touches.time_min <= t]
        after = touches[touches.time_min > t]
        due = _next_due(ev, cadence[cadence.time_min <= t], scenario, strategy)
        if len(after):
            nxt = f"our next touch came {_days(float(after.time_min.iloc[0]) - t)} later"
        elif due is not None and due > t:
            nxt = f"our next call was due on day {int(due // DAY) + 1}, {_days(due - t)} later"
        elif len(cadence) and len(cadence) >= scenario.strategy(strategy).plan(_kind(ev)).touch_limit():
            nxt = (f"our cadence had ended after {len(cadence)} touch{'es' if len(cadence) != 1 else ''} "
                   f"(the last on day {int(cadence.day.iloc[-1])})")
        elif len(before) == 0:
            nxt = "we had not touched them yet"
        else:
            nxt = "we made no further touch"
        n_talk = len(talked[talked.time_min <= t])
        contact = "never talked to us" if n_talk == 0 else f"talked to us {n_talk} time{'s' if n_talk != 1 else ''}"
        return f"bought from a competitor on day {end.day}", f"{since} and {contact}; {nxt}."
    if n_touch == 0:
        return "never touched", "we never touched them and they never got in touch."
    if talked.empty:
        return "never reached", f"we tried {n_touch} time{'s' if n_touch != 1 else ''} and never got through."
    return "still open", (f"still open at the end: {n_touch} touch{'es' if n_touch != 1 else ''}, {len(talked)} "
                          f"conversation{'s' if len(talked) != 1 else ''}, no decision.")


# ---------------------------------------------------------------- picking a prospect
def kinds_of(events: pd.DataFrame) -> dict[int, Optional[str]]:
    """Prospect id -> which pick it fits, for every prospect of an event log: sold (bought from us),
    complained, lost (bought from a competitor), ignored (still open, touched, never talked), or
    None. Read off ``outcomes.outcomes``, the one rule for how a prospect ended."""
    ends = outcomes(events)
    touch = events.channel.isin(["call", "email", "sms"]) & ~events.outcome.isin(["dropped", "forgotten"])
    flags = pd.DataFrame({
        "prospect": events.prospect, "touched": touch,
        "talked": touch & (events.outcome.isin(TALKED) | (events.outcome == "replied")),
    }).groupby("prospect").any().reindex(ends.index, fill_value=False)
    kind = pd.Series(None, index=ends.index, dtype=object)
    kind[(ends.final == "open") & flags.touched & ~flags.talked] = "ignored"
    kind[ends.final == "bought_elsewhere"] = "lost"
    kind[ends.how == "complaint"] = "complained"
    kind[ends.final == "bought_from_us"] = "sold"
    return {int(pid): (k if isinstance(k, str) else None) for pid, k in kind.items()}


def kind_of(ev: pd.DataFrame) -> Optional[str]:
    """Which pick one prospect's events fit (``kinds_of`` for one prospect)."""
    return kinds_of(ev).get(int(ev.prospect.iloc[0])) if len(ev) else None


def differing(events: pd.DataFrame, other: pd.DataFrame) -> set[int]:
    """Prospects whose final state differs between two strategies' event logs (a prospect with no
    events under one of them is still open there)."""
    a, b = outcomes(events).final, outcomes(other).final
    ids = a.index.union(b.index)
    a, b = a.reindex(ids, fill_value="open"), b.reindex(ids, fill_value="open")
    return {int(pid) for pid in ids[(a != b).to_numpy()]}


def pick_prospect(events: pd.DataFrame, pick: str, other: Optional[pd.DataFrame] = None) -> Optional[int]:
    """A typical prospect of a kind: the one with the median number of events among them
    (the lower median; ties go to the smallest id). None when nobody is of that kind.

    With ``other`` (the same replication under a second strategy) the choice is made among
    the prospects whose outcome (final state) differs there, when there are any: the contrast
    a room learns from."""
    if pick not in PICKS:
        raise StoryError(f"--pick {pick!r}: expected one of {', '.join(PICKS)}")
    kinds = kinds_of(events)
    sizes = events.groupby("prospect").size()
    candidates = [pid for pid, k in kinds.items() if k == pick]
    if other is not None:
        differ = differing(events, other)
        candidates = [pid for pid in candidates if pid in differ] or candidates
    chosen = sorted((int(sizes[pid]), pid) for pid in candidates)
    if not chosen:
        return None
    return int(chosen[(len(chosen) - 1) // 2][1])


# ---------------------------------------------------------------- telling
def run_events(scenario: Scenario, strategy: str, replication: int) -> pd.DataFrame:
    """The event log of one strategy for one replication."""
    return run_replication(scenario, strategy, replication, event_log=True).events


def tell(scenario: Scenario, strategy: str, prospect: Optional[int] = None, pick: Optional[str] = None,
         replication: int = 0, events: Optional[pd.DataFrame] = None, other: Optional[pd.DataFrame] = None) -> Story:
    """The story of one prospect (given, or a typical one of the ``pick`` kind) under one strategy;
    ``other``: the event log of a second strategy, to pick a prospect whose outcome differs there."""
    if strategy not in scenario.strategies:
        raise StoryError(f"no strategy {strategy!r}; this scenario has: {', '.join(scenario.strategies)}")
    if (prospect is None) == (pick is None):
        raise StoryError("give exactly one of a prospect id or a pick (sold, complained, lost, ignored)")
    if pick is not None and pick not in PICKS:
        raise StoryError(f"--pick {pick!r}: expected one of {', '.join(PICKS)}")
    events = run_events(scenario, strategy, replication) if events is None else events
    if pick is not None:
        prospect = pick_prospect(events, pick, other)
        if prospect is None:
            raise StoryError(f"no prospect was {pick} under {strategy!r} in replication {replication}; "
                             f"try another --replication or --pick")
    ev = events[events.prospect == prospect]
    if ev.empty:
        top = int(events.prospect.max()) if len(events) else -1
        raise StoryError(f"prospect {prospect} has no events under {strategy!r} in replication {replication} "
                         f"(ids run from 0 to {top})")
    outcome, why = explain(ev, scenario, strategy)
    return Story(scenario.name, strategy, display_names(scenario.strategies)[strategy], replication, int(prospect),
                 describe(ev), outcome, why, pick, ev)


# ---------------------------------------------------------------- rendering
def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def line_text(line: StoryLine) -> str:
    return f"{line.when}  day {line.day:<3}  {line.what}  {line.state}"


def render(story: Story) -> str:
    """The story as text: a title, one line per event, then the outcome and why."""
    out = [story.title, ""]
    out += [line_text(line) for line in story.lines]
    out += ["", f"Outcome: {story.outcome}.", f"Why: {_sentence(story.why)}"]
    return plain("\n".join(out))  # the one escaping rule: names never send terminal control sequences


def side_by_side(a: Story, b: Story, width: int = 100) -> str:
    """Two stories of the same prospect in two columns (each event wrapped to its column)."""
    col = max(30, (width - 3) // 2)

    def cell(story: Story, ln: StoryLine) -> list[str]:
        return textwrap.wrap(f"{ln.when} day {ln.day}: {ln.what} {ln.state}", col, subsequent_indent="   ")

    # one row per moment: events of both runs at the same minute share a row, so the two columns stay in step
    rows: list[tuple[list[str], list[str]]] = []
    i = j = 0
    la, lb = a.lines, b.lines
    while i < len(la) or j < len(lb):
        ta = math.floor(la[i].time_min) if i < len(la) else math.inf  # same minute, same row
        tb = math.floor(lb[j].time_min) if j < len(lb) else math.inf
        if ta == tb:
            rows.append((cell(a, la[i]), cell(b, lb[j])))
            i, j = i + 1, j + 1
        elif ta < tb:
            rows.append((cell(a, la[i]), []))
            i += 1
        else:
            rows.append(([], cell(b, lb[j])))
            j += 1
    rows.append(([""], [""]))
    rows.append((textwrap.wrap(f"Outcome: {a.outcome}. Why: {_sentence(a.why)}", col),
                 textwrap.wrap(f"Outcome: {b.outcome}. Why: {_sentence(b.why)}", col)))
    head = f"Prospect {a.prospect}, replication {a.replication}: same person, same luck, two strategies"
    if a.picked:
        differs = outcome_of(a.events).final != outcome_of(b.events).final
        head += (f" (a typical '{a.picked}' prospect under “{a.name}” "
                 + ("whose outcome differs" if differs else f"who ended the same way: no prospect of this kind "
                                                             f"ended differently under “{b.name}”") + ")")
    out = textwrap.wrap(head, 2 * col + 3) + [""]
    rows = [(textwrap.wrap(f"“{a.name}”", col), textwrap.wrap(f"“{b.name}”", col)), (["-" * col], ["-" * col])] + rows
    for l_cell, r_cell in rows:
        for k in range(max(len(l_cell), len(r_cell), 1)):
            lt = l_cell[k] if k < len(l_cell) else ""
            rt = r_cell[k] if k < len(r_cell) else ""
            out.append(f"{lt:<{col}} | {rt}".rstrip())
    return plain("\n".join(out))
