"""Reading a CRM export (through a mapping file) into ``Activities``, accounting for every row.

``read_activities`` streams the CSV in chunks into a compact frame, reports every row it
cannot read by line number with the reason, and refuses the file when there are more such
rows than the user allows. ``frame_activities`` reads rows already in the activity format.
"""
from __future__ import annotations


import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from sim.fit.export_accounting import ReadReport, bad_message, bias_problems, check_contradictions
from sim.fit.export_bounds import check_size, drop_outlying, lookup_path, read_header
from sim.fit.export_chunks import read_chunks
from sim.present.activity_format import ANSWERED, CODED, FIELDS, REQUIRED, RUN_COLUMNS
from sim.fit.export_mapping import DURATION_UNITS, ActivityError, Mapping, Timestamps, load_mapping
from sim.fit.export_values import code, first_nonblank, parse_times, time_hint

DEFAULT_MAX_BYTES = 2 * 1024**3
CHUNK_ROWS = 200_000
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}/\d{2,4}$")


@dataclass
class Activities:
    """Touches as a compact frame (one row each, sorted by time) and the report of reading them.

    Columns: prospect (int code), t (UTC timestamps), channel, direction, outcome, purpose
    (categoricals, purpose may be all missing), rep (category, may be missing), lead_source,
    lead_created (UTC timestamps or NaT), duration_s (float, NaN when unknown), line (source line)."""

    frame: pd.DataFrame
    report: ReadReport
    team_timezone: str = "UTC"
    prospect_ids: Optional[pd.Index] = None

    def local(self, col: str = "t") -> pd.Series:
        """A timestamp column in the team's time zone."""
        return self.frame[col].dt.tz_convert(self.team_timezone)


def _leading_comments(path: Path, encoding: str) -> int:
    """How many lines at the top of the file start with '#' (a header comment, as in the shipped sample)."""
    count = 0
    with open(path, encoding=encoding, newline="") as fh:
        while fh.read(1) == "#":
            count += 1
            while True:  # to the end of the line, a bounded piece at a time
                piece = fh.readline(1 << 16)
                if not piece or piece.endswith("\n"):
                    break
    return count


def _needed_columns(m: Mapping, header: list[str], path: Path) -> list[str]:
    """Every export column the mapping reads; an error naming each missing one and its field."""
    needed: dict[str, str] = {}
    missing = []
    for name in FIELDS:
        if name == "duration":
            continue
        cols = m.column_of(name)
        present = [c for c in cols if c in header]
        if name in REQUIRED and name not in m.constants and not present:
            want = " or ".join(repr(c) for c in cols)
            missing.append(f"  {name}: no column {want}" + (" (named in the mapping)" if name in m.columns
                                                             else " (map it under columns: in a mapping file)"))
            continue
        if cols and not present and name in m.columns:
            missing.append(f"  {name}: no column {' or '.join(repr(c) for c in cols)} (named in the mapping)")
            continue
        for c in present:
            needed[c] = name
    if m.duration is not None:
        for c in (m.duration.column, m.duration.start, m.duration.end):
            if c is not None:
                if c not in header:
                    missing.append(f"  duration: no column {c!r} (named in the mapping)")
                needed[c] = "duration"
    for c in RUN_COLUMNS:
        if c in header:
            needed[c] = "run"
    for kind, filters in (("keep", m.keep), ("drop", m.drop)):
        for c in filters:
            if c in header:
                needed[c] = kind
            elif kind == "keep":  # a drop: column may be absent (an export without deleted rows has no flag)
                missing.append(f"  keep: no column {c!r} (named in the mapping)")
    if m.answered is not None and m.answered.column in header:  # absent: no cross-check (a note says so)
        needed[m.answered.column] = "answered"
    if missing:
        raise ActivityError(f"{path}: missing columns ({len(missing)})\n" + "\n".join(missing)
                            + f"\n  the header has: {', '.join(header[:30])}{' ...' if len(header) > 30 else ''}"
                            + _label_hint(m, header))
    return list(needed)


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _label_hint(m: Mapping, header: list[str]) -> str:
    """A hint when the header holds the mapped columns under other spellings (a report's labels, not API names)."""
    named = {c for name in FIELDS for c in m.column_of(name)} | set(m.keep)
    squashed = {_squash(h): h for h in header}
    pairs = [(c, squashed[_squash(c)]) for c in sorted(named) if c not in header and _squash(c) in squashed]
    if not pairs:
        return ""
    shown = ", ".join(f"{c!r} as {h!r}" for c, h in pairs[:4])
    return (f"\n  the header spells {shown}: an export with the report's column labels instead of the API names? "
            "Use a mapping for that shape (e.g. mappings/salesforce_tasks_report.yaml) or rename the columns in yours")


def _lookup_tables(m: Mapping, mapping: Optional[Path | str], base: Path, given: dict[str, Path]) -> dict[str, dict[str, str]]:
    tables = {}
    for name in given:
        if name not in m.lookups:
            raise ActivityError(f"{mapping or 'no mapping file'}: --lookup {name}=...: the mapping has no lookups.{name} "
                                f"(it has: {', '.join(m.lookups) or 'none'})")
    for name, lk in m.lookups.items():
        path = lookup_path(name, lk, base, given, mapping)
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ActivityError(f"lookups.{name}: cannot read {path} ({exc})") from None
        for col in (lk.key, lk.value):
            if col not in table.columns:
                raise ActivityError(f"lookups.{name}: {path} has no column {col!r} (it has: {', '.join(table.columns)})")
        tables[name] = dict(zip(table[lk.key].str.strip(), table[lk.value].str.strip()))
    return tables


def read_activities(path: Path | str, mapping: Optional[Path | str] = None, max_bad_rows: Optional[int] = None,
                    max_bytes: int = DEFAULT_MAX_BYTES, chunk_rows: int = CHUNK_ROWS,
                    lookups: Optional[dict[str, Path]] = None, drop_outlying_times: bool = False) -> Activities:
    """Read an activity CSV (through a mapping file) into ``Activities``.

    Streams the file ``chunk_rows`` rows at a time, keeping only the mapped columns in compact
    types. Every row is read, left out by a named filter, or unreadable (by line, with the
    reason); when more than ``max_bad_rows`` rows are unreadable (default: 1% of the rows, at
    least 10), or leaving them out would bias the fit, the whole file is refused. Files over
    ``max_bytes``, too many columns or rows, or more than the memory available are refused
    before reading; ``lookups`` names lookup files on the command line (field -> path).
    Timestamps far outside the log are refused, or left out with ``drop_outlying_times``."""
    path = Path(path)
    m, base = load_mapping(mapping)
    if not path.exists():
        raise ActivityError(f"{path}: no such file")
    if path.is_dir():
        raise ActivityError(f"{path}: is a folder, expected an activity .csv file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ActivityError(f"{path}: {size / 1024**3:.1f} GB is over the {max_bytes / 1024**3:.1f} GB this reader accepts; "
                            "export a shorter period or only the activity types you need (calls, emails)")
    if size == 0:
        raise ActivityError(f"{path}: the file is empty (expected a header row, then one row per touch)")
    try:
        skip = _leading_comments(path, m.csv.encoding)
        header = read_header(path, m.csv.encoding, m.csv.delimiter, skip)
    except UnicodeDecodeError:
        raise ActivityError(f"{path}: not readable as {m.csv.encoding} text (set csv.encoding in the mapping, e.g. latin-1)") from None
    needed = _needed_columns(m, header, path)
    tables = _lookup_tables(m, mapping, base, {k: Path(v) for k, v in (lookups or {}).items()})
    check_size(path, skip, chunk_rows)
    report = ReadReport(source=str(path), notes=list(m.notes))
    report.notes += [f"The export has no column {c}, so no row was left out by drop: {c}." for c in m.drop if c not in header]
    if m.answered is not None and m.answered.column not in header:
        report.notes.append(f"The export has no column {m.answered.column}: the outcomes were not cross-checked against it "
                            "(answered: in the mapping), so a lookup list that is not the account's own would go unnoticed.")
    parts = []
    ts_used: Optional[np.ndarray] = None
    midnight = 0
    for chunk in read_chunks(path, m, header, needed, skip, chunk_rows, report):
        part, used, mid = _convert(chunk, m, tables, report)
        midnight += mid
        ts_used = np.asarray(used) if ts_used is None else ts_used + np.asarray(used)
        parts.append(part)
    frame = _concat(parts)
    if report.rows == 0:
        raise ActivityError(f"{path}: the file has a header but no rows")
    allowed = max_bad_rows if max_bad_rows is not None else max(10, report.rows // 100)
    if report.bad > allowed:
        raise ActivityError(bad_message(path, report, allowed))
    _timestamp_notes(m, report, ts_used, midnight, path)
    if len(frame) == 0:
        raise ActivityError(f"{path}: no rows left to fit after the mapping's filters and the unreadable rows\n"
                            + "\n".join(f"  {what}: {n:,}" for what, n in report.accounting()))
    if m.answered is not None and m.answered.column in header:
        check_contradictions(path, report, m.answered.column)
    biased = bias_problems(report, frame, m.timestamps.team_timezone)
    if biased:
        raise ActivityError(f"{path}: the {report.bad:,} unreadable rows cannot be left out: it would bias the fit\n"
                            + "\n".join(f"  {b}" for b in biased)
                            + "\n  make them readable (the mapping, the export) instead; what they are:\n"
                            + "\n".join(bad_message(path, report, allowed).splitlines()[1:]))
    frame = drop_outlying(frame, report, path, drop_outlying_times)
    return _assemble(frame, report, m, path)


def _assemble(frame: pd.DataFrame, report: ReadReport, m: Mapping, path: Path | str) -> Activities:
    """Checks across rows, then the compact frame sorted by time with integer prospect codes."""
    if "run" in frame.columns:
        runs = frame["run"].unique()
        if len(runs) > 1:
            shown = ", ".join(sorted(runs)[:6]) + (" ..." if len(runs) > 6 else "")
            raise ActivityError(
                f"{path}: the file holds {len(runs)} simulated runs (strategy/replication: {shown}); fit one at a time, "
                "e.g. with a mapping file that says keep: {strategy: [NAME], replication: ['0']}")
        frame = frame.drop(columns=["run"])
    _check_durations(frame, m, path)
    frame = frame.sort_values(["t", "line"], kind="mergesort", ignore_index=True)
    ids = frame["prospect_id"].astype("category")
    codes = ids.cat.codes.to_numpy()
    used = np.unique(codes)  # categories no kept row uses (left out by keep: or unreadable) are dropped
    frame.insert(0, "prospect", np.searchsorted(used, codes).astype(np.int64))
    prospect_ids = pd.Index(ids.cat.categories[used])
    frame = frame.drop(columns=["prospect_id"])
    for name in ("channel", "direction", "outcome", "purpose"):
        frame[name] = pd.Categorical(frame[name].astype(object), categories=CODED[name])
    _lead_notes(frame, report)
    return Activities(frame=frame, report=report, team_timezone=m.timestamps.team_timezone, prospect_ids=prospect_ids)


CATEGORICAL = ("prospect_id", "channel", "direction", "outcome", "purpose", "rep", "lead_source")


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Chunks into one frame, keeping the text columns categorical (union of each chunk's categories)."""
    if not parts:
        return pd.DataFrame()
    cats = {name: union_categoricals([p[name] for p in parts]) for name in parts[0].columns
            if isinstance(parts[0][name].dtype, pd.CategoricalDtype)}
    frame = pd.concat([p.drop(columns=list(cats)) for p in parts], ignore_index=True)
    for name, values in cats.items():
        frame[name] = values
    return frame


def frame_activities(rows: pd.DataFrame, team_timezone: str = "UTC", source: str = "simulated run") -> Activities:
    """Activity rows already in the format (e.g. from ``activities_from_events``) as ``Activities``, without a file."""
    m = Mapping(timestamps=Timestamps(team_timezone=team_timezone))
    chunk = rows.drop(columns=[c for c in RUN_COLUMNS if c in rows.columns]).astype(str).replace("nan", "")
    chunk.index = np.arange(len(chunk)) + 2
    report = ReadReport(source=source)
    part, _, _ = _convert(chunk, m, {}, report)
    if report.bad:
        raise ActivityError(bad_message(Path(source), report, 0))
    return _assemble(_concat([part]), report, m, source)


def _convert(chunk: pd.DataFrame, m: Mapping, lookups: dict, report: ReadReport) -> tuple[pd.DataFrame, list[int], int]:
    """One chunk of export rows to activity rows; unreadable rows are reported and dropped."""
    report.rows += len(chunk)
    chunk = _filter(chunk, m, report)
    bad = pd.Series(False, index=chunk.index)

    def flag(mask: pd.Series, fieldname: str, reason: str, shown: pd.Series) -> None:
        mask = mask & ~bad
        if mask.any():
            report.add_bad(mask.index[mask].to_numpy(), fieldname, reason, shown[mask].astype(str).tolist())
            bad.loc[mask] = True

    def text(name: str) -> tuple[pd.Series, list[int]]:
        if name in m.constants:
            return pd.Series(m.constants[name], index=chunk.index, dtype=object), []
        cols = [c for c in m.column_of(name) if c in chunk.columns]
        if not cols:
            return pd.Series("", index=chunk.index, dtype=object), []
        out, used = first_nonblank(chunk, m.column_of(name))
        return out.str.strip(), used

    pid, _ = text("prospect_id")
    flag(pid == "", "prospect_id", "blank", pid)
    raw_t, used = text("timestamp")
    gaps = pd.Series(False, index=chunk.index)
    t = parse_times(raw_t, m.timestamps, gaps)
    flag(raw_t == "", "timestamp", "blank", raw_t)
    flag(gaps, "timestamp", f"a clock time that does not exist, or exists twice, in {m.timestamps.naive_timezone} "
                            "(a daylight-saving change): export with offsets or in UTC", raw_t)
    unread = t.isna() & ~bad
    flag(unread, "timestamp", "not a date and time this mapping can read", raw_t)
    if unread.any() and "timestamp" not in report.hints:
        report.hints["timestamp"] = time_hint(m.timestamps, raw_t[unread].head(1).tolist())
    local = t.dt.tz_convert(m.timestamps.naive_timezone)
    midnight = int((raw_t.str.match(_DATE_ONLY) | (t.notna() & (local == local.dt.normalize()))).sum())
    coded = {}
    for name in ("channel", "direction", "outcome", "purpose"):
        if name == "purpose" and not (m.column_of(name) or name in m.constants):
            coded[name] = pd.Series(np.nan, index=chunk.index, dtype=object)
            continue
        coded[name] = _coded(name, text(name)[0], m, lookups, report, flag)
    if m.answered is not None and m.answered.column in chunk.columns:
        _cross_check(chunk[m.answered.column], m, coded, bad, text("outcome")[0], report)
    out_call = (coded["channel"] == "call") & (coded["direction"] == "outbound")
    flag(out_call & coded["outcome"].isin(["sent", "replied", "complaint"]), "outcome",
         "an outbound call cannot be 'sent', 'replied' or 'complaint' (a complaint is its own inbound row)", coded["outcome"])
    rep, _ = text("rep_id")
    source, _ = text("lead_source")
    raw_lead, _ = text("lead_created_at")
    lead = parse_times(raw_lead, m.timestamps)
    flag((raw_lead != "") & lead.isna(), "lead_created_at", "not a date and time this mapping can read", raw_lead)
    duration = _durations(chunk, m, flag)
    good = ~bad
    report.kept += int(good.sum())
    if bad.any():
        _bad_groups(report, bad, rep, t, coded, m.timestamps.team_timezone)
    part = pd.DataFrame({
        "prospect_id": pid[good].to_numpy(dtype=object),
        "t": t[good].to_numpy(),
        "channel": coded["channel"][good].to_numpy(dtype=object),
        "direction": coded["direction"][good].to_numpy(dtype=object),
        "outcome": coded["outcome"][good].to_numpy(dtype=object),
        "purpose": coded["purpose"][good].to_numpy(dtype=object),
        "rep": rep[good].replace("", np.nan).to_numpy(dtype=object),
        "lead_source": source[good].replace("", np.nan).to_numpy(dtype=object),
        "lead_created": lead[good].to_numpy(),
        "duration_s": duration[good].to_numpy(dtype=float),
        "line": chunk.index[good].to_numpy(dtype=np.int64),
    })
    if all(c in chunk.columns for c in RUN_COLUMNS):
        part["run"] = (chunk["strategy"] + "/" + chunk["replication"])[good].astype("category").to_numpy()
    part["t"] = pd.to_datetime(part["t"], utc=True)
    part["lead_created"] = pd.to_datetime(part["lead_created"], utc=True)
    for name in CATEGORICAL:  # a few bytes a row instead of a Python string each
        part[name] = part[name].astype("category")
    return part, used, midnight


def _coded(name: str, raw: pd.Series, m: Mapping, lookups: dict, report: ReadReport, flag) -> pd.Series:
    """One coded field (channel, direction, outcome, purpose) in the vocabulary; NaN where blank.
    Blank values, ids missing from a lookup list and values not mapped are flagged (and counted by value)."""
    v, missed = code(raw, name, m, lookups)
    if name != "purpose":
        flag(v == "", name, "blank", v)
    if missed.any():
        report.add_unmapped(f"{name} id", raw[missed].str.strip())
        flag(missed, name, f"an id that is not in the lookup list {m.lookups[name].file} (the list must be your "
                           "account's own: export it again, or add the id)", raw.str.strip())
    unknown = (v != "") & ~v.isin(CODED[name]) & ~missed
    if unknown.any():
        report.add_unmapped(name, v[unknown])
    where = f"values.{name}" + (" (after the lookup)" if name in lookups else "")
    flag(unknown, name, f"not one of {', '.join(CODED[name])}; map it under {where}", v)
    return v.where(v != "", np.nan)


def _durations(chunk: pd.DataFrame, m: Mapping, flag) -> pd.Series:
    """Seconds from a column in its stated unit, or end minus start; NaN when unknown; bad values flagged."""
    duration = pd.Series(np.nan, index=chunk.index, dtype=float)
    d = m.duration
    if d is None:
        return duration
    if d.column is not None:
        raw_d = chunk[d.column].str.strip()
        num = pd.to_numeric(raw_d, errors="coerce")
        flag((raw_d != "") & num.isna(), "duration", "not a number", raw_d)
        return num * DURATION_UNITS[d.unit]
    start = parse_times(chunk[d.start].str.strip(), m.timestamps)
    end = parse_times(chunk[d.end].str.strip(), m.timestamps)
    duration = (end - start).dt.total_seconds()
    flag(duration < 0, "duration", f"{d.end} is before {d.start}", chunk[d.end])
    return duration


def _filter(chunk: pd.DataFrame, m: Mapping, report: ReadReport) -> pd.DataFrame:
    """The rows the mapping's keep: and drop: filters let through; the others counted by filter."""
    out = pd.Series(True, index=chunk.index)
    for kind, filters in (("keep", m.keep), ("drop", m.drop)):
        for col, listed in filters.items():
            if col not in chunk.columns:
                continue
            hit = chunk[col].str.strip().str.lower().isin([str(a).strip().lower() for a in listed])
            removed = (hit if kind == "drop" else ~hit) & out
            shown = ", ".join(map(str, listed))
            report.add_filtered(f"{kind}: {col} {'is one of' if kind == 'drop' else 'is not one of'} [{shown}]",
                                int(removed.sum()))
            out &= ~removed
    return chunk[out]


def _cross_check(said: pd.Series, m: Mapping, coded: dict, bad: pd.Series, raw: pd.Series, report: ReadReport) -> None:
    """Count the calls whose outcome contradicts the mapping's answered: column, by the raw value read."""
    said = said.str.strip().str.lower()
    yes = said.isin([v.lower() for v in m.answered.answered])
    no = said.isin([v.lower() for v in m.answered.not_answered])
    outcome = coded["outcome"]
    calls = (coded["channel"] == "call") & ~bad
    report.checked += int((calls & (yes | no)).sum())
    wrong = calls & ((outcome.isin(ANSWERED) & no) | ((outcome == "no_answer") & yes))
    if wrong.any():
        keys = raw[wrong].str.strip() + " -> " + outcome[wrong].astype(str) + f", but {m.answered.column} says " + said[wrong]
        report.contradictions.update(keys.value_counts().to_dict())


def _bad_groups(report: ReadReport, bad: pd.Series, rep: pd.Series, t: pd.Series, coded: dict, zone: str) -> None:
    """Who, when and what the unreadable rows were, as far as they can be read (for the bias check)."""
    r = rep[bad]
    report.add_bad_groups("rep", r[r != ""])
    day = t[bad].dropna()
    if len(day):
        report.add_bad_groups("day", day.dt.tz_convert(zone).dt.strftime("%Y-%m-%d"))
    outcome = coded["outcome"][bad]
    calls = (coded["channel"][bad] == "call") & outcome.isin(ANSWERED + ("no_answer", "voicemail"))
    report.add_bad_groups("answered", outcome[calls].isin(ANSWERED))


def _timestamp_notes(m: Mapping, report: ReadReport, used: Optional[np.ndarray], midnight: int, path: Path) -> None:
    cols = m.column_of("timestamp")
    if used is not None and len(cols) > 1:
        for col, n in zip(cols[1:], used[1:]):
            if n:
                report.notes.append(f"{n:,} row{'s' if n != 1 else ''} had no {cols[0]} and took {'their' if n != 1 else 'its'} "
                                    f"time from {col}.")
    kept = max(report.kept, 1)
    if midnight > 0.5 * kept:
        raise ActivityError(
            f"{path}: timestamp: {midnight:,} of {kept:,} rows ({', '.join(cols) or 'timestamp'}) hold a date without a "
            "time of day, which cannot place a call within a day (answer windows, working hours). Map timestamp to a "
            "column with the time, e.g. the record's creation time, and say so in the mapping's notes")


def _check_durations(frame: pd.DataFrame, m: Mapping, path: Path) -> None:
    """A duration unit that cannot be right (a median conversation over 3 hours or under 2 seconds) is an error."""
    if m.duration is None:
        return
    talk = frame.loc[frame["outcome"].isin(ANSWERED) & (frame["channel"] == "call"), "duration_s"].dropna()
    if len(talk) < 20:
        return
    med = float(talk.median())
    if med > 3 * 3600 or med < 2:
        unit = m.duration.unit or "seconds"
        raise ActivityError(
            f"{path}: duration: the median answered call lasts {med:,.1f} s when read in {unit}, which no phone "
            "conversation does; check the unit of the duration column in your export's documentation")


def _lead_notes(frame: pd.DataFrame, report: ReadReport) -> None:
    if frame["lead_created"].notna().any():
        differ = int((frame.groupby("prospect")["lead_created"].nunique() > 1).sum())
        if differ:
            report.notes.append(f"{differ:,} prospects have more than one lead creation time; the earliest is used.")


def minutes_since(acts: Activities, origin: pd.Timestamp, col: str = "t") -> np.ndarray:
    """Minutes from ``origin`` (a UTC timestamp) of a timestamp column."""
    return (acts.frame[col] - origin).dt.total_seconds().to_numpy() / 60.0


def week_origin(acts: Activities) -> pd.Timestamp:
    """Monday 00:00 (team time) of the week of the first activity, as UTC: the model's minute 0."""
    first = acts.frame["t"].min().tz_convert(acts.team_timezone)
    monday = (first - pd.Timedelta(days=first.weekday())).normalize()
    return monday.tz_convert("UTC")

