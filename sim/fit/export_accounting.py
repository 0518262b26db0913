"""Every row of an export accounted for: read, left out by a named filter, or unreadable (by reason).

``ReadReport`` counts them as the reader goes; ``bad_message`` explains a refusal, listing the
distinct values the mapping does not map with lines to paste into it; ``bias_problems`` finds
unreadable rows that would bias the fit if dropped (all of one outcome, one rep or one period)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.present.activity_format import ANSWERED, CODED
from sim.fit.export_mapping import ActivityError

SHOWN_BAD_ROWS = 20
SHOWN_VALUES = 30
BIAS_P = 1e-3  # a split of the unreadable rows this unlikely by chance is not left out silently
MIN_BIASED_ROWS = 10


@dataclass
class BadRow:
    line: int
    field: str
    reason: str


@dataclass
class ReadReport:
    """What reading a file found: counts, the rows it could not read, and the traps it handled.

    ``rows`` = ``kept`` + the rows each filter removed (``filtered``, by the filter's name) + ``bad``."""

    source: str
    rows: int = 0
    kept: int = 0
    bad: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_by_reason: dict[str, int] = field(default_factory=dict)
    filtered: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, Counter] = field(default_factory=dict)  # field -> {value not in the vocabulary: rows}
    bad_groups: dict[str, Counter] = field(default_factory=dict)  # rep / day / answered -> counts among bad rows
    hints: dict[str, str] = field(default_factory=dict)  # field -> the mapping option that may read its rows
    checked: int = 0  # calls cross-checked against the mapping's answered: column
    contradictions: Counter = field(default_factory=Counter)  # "value -> outcome, but COLUMN says x" -> calls
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(self.filtered.values())

    def add_filtered(self, name: str, count: int) -> None:
        if count:
            self.filtered[name] = self.filtered.get(name, 0) + int(count)

    def add_bad(self, lines: np.ndarray, fieldname: str, reason: str, shown: list[str]) -> None:
        self.bad += len(lines)
        key = f"{fieldname}: {reason}"
        self.bad_by_reason[key] = self.bad_by_reason.get(key, 0) + len(lines)
        for line, value in zip(lines[: SHOWN_BAD_ROWS], shown[: SHOWN_BAD_ROWS]):
            if len(self.bad_rows) < SHOWN_BAD_ROWS:
                self.bad_rows.append(BadRow(int(line), fieldname, f"{reason} (got {value!r})" if value != "" else reason))

    def add_unmapped(self, fieldname: str, values: pd.Series) -> None:
        self.unmapped.setdefault(fieldname, Counter()).update(values.value_counts().to_dict())

    def add_bad_groups(self, name: str, values: pd.Series) -> None:
        self.bad_groups.setdefault(name, Counter()).update(values.value_counts().to_dict())

    def accounting(self) -> list[tuple[str, int]]:
        """(what happened, rows): read, each filter, each unreadable reason; the counts add up to ``rows``."""
        out = [("rows in the file", self.rows), ("read and used", self.kept)]
        out += [(f"left out by {name}", n) for name, n in self.filtered.items()]
        out += [(f"unreadable: {reason}", n) for reason, n in sorted(self.bad_by_reason.items(), key=lambda kv: -kv[1])]
        return out


def unmapped_lines(report: ReadReport) -> list[str]:
    """The distinct unmapped values with their counts, as lines to paste under values: in the mapping."""
    out = []
    for name, counts in report.unmapped.items():
        if not counts:
            continue
        if name not in CODED:  # ids missing from a lookup list
            shown = ", ".join(f"{v!r} ({n:,} row{'s' if n != 1 else ''})" for v, n in counts.most_common(SHOWN_VALUES))
            out.append(f"  {len(counts):,} distinct {name}{'s' if len(counts) != 1 else ''} not in the lookup list: {shown}"
                       + (" ..." if len(counts) > SHOWN_VALUES else ""))
            continue
        out.append(f"  {len(counts):,} distinct {name} value{'s' if len(counts) != 1 else ''} not mapped; "
                   f"paste under values: in the mapping and replace each FILL_IN by one of: {', '.join(CODED[name])}")
        out.append(f"    {name}:")
        for value, n in counts.most_common(SHOWN_VALUES):
            out.append(f"      {_yaml_key(value)}: FILL_IN   # {n:,} row{'s' if n != 1 else ''}")
        if len(counts) > SHOWN_VALUES:
            out.append(f"      # ... and {len(counts) - SHOWN_VALUES:,} more values")
    return out


def _yaml_key(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def bad_message(path: Path, report: ReadReport, allowed: int) -> str:
    lines = [f"{path}: {report.bad:,} of {report.rows:,} rows cannot be read, more than the {allowed:,} allowed "
             f"(raise it with --max-bad-rows if the rest can be trusted)"]
    lines += _reasons(report)
    return "\n".join(lines)


def _reasons(report: ReadReport) -> list[str]:
    lines = [f"  {count:,} row{'s' if count != 1 else ''}: {reason}"
             for reason, count in sorted(report.bad_by_reason.items(), key=lambda kv: -kv[1])]
    lines += unmapped_lines(report)
    lines += [f"  {name}: {hint}" for name, hint in report.hints.items()]
    lines.append("  first rows:")
    lines += [f"    line {b.line}: {b.field}: {b.reason}" for b in report.bad_rows[:10]]
    return lines


CONTRADICTION_SHARE = 0.05  # a few slips (a rep picks the wrong disposition) are normal; more is a wrong list


def check_contradictions(path: Path, report: ReadReport, column: str) -> None:
    """Refuse outcomes that contradict the answered: column on more than 5% of the calls checked (at least 10)."""
    wrong = sum(report.contradictions.values())
    if wrong < MIN_BIASED_ROWS or wrong <= CONTRADICTION_SHARE * report.checked:
        if wrong:
            report.notes.append(f"{wrong:,} of {report.checked:,} calls have an outcome that {column} contradicts "
                                "(a conversation on an unanswered call, or the reverse); read as their outcome says.")
        return
    lines = [f"{path}: outcome: {wrong:,} of {report.checked:,} calls read as an outcome that {column} contradicts. "
             "The lookup list or values: in the mapping are probably not this account's own (ids differ between "
             "accounts): export the account's own list and map its names"]
    lines += [f"  {n:,} calls: {key}" for key, n in report.contradictions.most_common(12)]
    raise ActivityError("\n".join(lines))


def bias_problems(report: ReadReport, frame: pd.DataFrame, team_timezone: str) -> list[str]:
    """Why leaving the unreadable rows out would bias the fit: each a sentence, empty when it would not.

    The unreadable rows are compared with the rows read: their share of answered calls, and how
    they fall on reps and days. A split this uneven (binomial test, p < 0.001, at least 10 rows)
    is refused. Rows whose outcome is an unmapped value are one unknown outcome each: a value
    carrying more than 1% of the calls moves every outcome share by that much."""
    out = []
    if report.bad < MIN_BIASED_ROWS:
        return out
    calls = frame[frame["channel"] == "call"] if len(frame) else frame
    answered = report.bad_groups.get("answered", Counter())
    k, n = answered.get(True, 0), answered.get(True, 0) + answered.get(False, 0)
    if n >= MIN_BIASED_ROWS and len(calls):
        p0 = float(calls["outcome"].isin(ANSWERED).mean())
        uneven = stats.binomtest(k, n, p0).pvalue < BIAS_P if 0 < p0 < 1 else k != round(p0 * n)
        if uneven:
            out.append(f"{k:,} of the {n:,} unreadable calls with a readable outcome were answered ({k / n:.0%}), "
                       f"against {p0:.0%} of the calls read: leaving them out would move the connect rate")
    n_calls = max(len(calls) + report.bad, 1)
    for value, count in report.unmapped.get("outcome", Counter()).most_common():
        if count >= MIN_BIASED_ROWS and count > 0.01 * n_calls:
            out.append(f"{count:,} rows have the unmapped outcome {value!r} ({count / n_calls:.1%} of the calls): "
                       "one outcome left out shifts every outcome share")
    for name, column in (("rep", "rep"), ("day", None)):
        bad = report.bad_groups.get(name, Counter())
        if not bad or not len(frame):
            continue
        value, count = bad.most_common(1)[0]
        if count < MIN_BIASED_ROWS or count <= report.bad / 2:
            continue
        if column is not None:
            read = int((frame[column].astype(object) == value).sum())
            total = len(frame)
        else:
            days = frame["t"].dt.tz_convert(team_timezone).dt.strftime("%Y-%m-%d")
            read, total = int((days == value).sum()), len(frame)
        share = (read + count) / (total + report.bad)
        if stats.binomtest(count, report.bad, share).pvalue < BIAS_P:
            out.append(f"{count:,} of the {report.bad:,} unreadable rows are {name} {value} ({count / report.bad:.0%}), "
                       f"which has {share:.0%} of all rows: leaving them out would under-count that {name}")
    return out
