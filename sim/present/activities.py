"""The activity format: one row per touch, read from a CRM export through a mapping file.

An activity file has one row per touch (a call, email or SMS to or from a prospect) with a
prospect id, a timestamp, a channel, a direction and an outcome, and optionally a rep, the
lead's source and creation time, the touch's purpose and its duration
(``docs/activity-format.md``). A YAML mapping file (``Mapping``) renames a vendor's
columns, maps its values, looks ids up in a separate list, and says how to read its
timestamps and durations, so exports are read without editing them.

``read_activities`` streams the CSV in chunks into a compact frame, reports every row it
cannot read by line number with the reason, and refuses the file when there are more such
rows than the user allows. ``activities_from_events`` turns a simulated event log into the
same format, so the fit can be tested on data with known parameters.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, Union

import numpy as np
import pandas as pd
import yaml
from pandas.api.types import union_categoricals
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.scenario.errors import UserError
from sim.scenario.units import DAY
from sim.scenario.loading import _path
from sim.model.outcomes import CALLBACK_AFTER_VOICEMAIL

# ---------------------------------------------------------------- vocabulary
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
DEFAULT_MAX_BYTES = 2 * 1024**3
CHUNK_ROWS = 200_000
SHOWN_BAD_ROWS = 20
DURATION_UNITS = {"ms": 1 / 1000, "s": 1.0, "min": 60.0, "h": 3600.0}
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}/\d{2,4}$")


class ActivityError(UserError):
    """An activity file or mapping that cannot be used, explained for a person."""


# ---------------------------------------------------------------- mapping file
class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Duration(_M):
    """Where a touch's duration comes from: one column in a stated unit, or end minus start."""

    column: Optional[str] = None
    unit: Optional[Literal["ms", "s", "min", "h"]] = Field(
        default=None, description="unit of the column's numbers; required: exports differ (ms, s) and are not guessed")
    start: Optional[str] = Field(default=None, description="column holding the start time (e.g. answered at)")
    end: Optional[str] = Field(default=None, description="column holding the end time (e.g. completed at)")

    @model_validator(mode="after")
    def _one_source(self) -> "Duration":
        if self.column is not None:
            if self.start or self.end:
                raise ValueError("give either column (with unit) or start and end, not both")
            if self.unit is None:
                raise ValueError("a duration column needs its unit (ms, s, min or h): check your export's documentation")
        elif not (self.start and self.end):
            raise ValueError("give column (with unit), or both start and end")
        return self


class Lookup(_M):
    """Replace a field's ids by labels from a separate CSV (e.g. disposition id -> name) before the value map."""

    file: str = Field(description="CSV file, relative to the mapping file")
    key: str = Field(description="column of that file holding the ids")
    value: str = Field(description="column of that file holding the labels")


class Timestamps(_M):
    format: str = Field(default="ISO8601", description="'ISO8601', 'epoch_ms', 'epoch_s' or a strftime format")
    naive_timezone: str = Field(default="UTC", description="zone of timestamps written without an offset")
    team_timezone: str = Field(default="UTC", description="the team's zone: working hours and weekdays are read in it")
    dayfirst: bool = Field(default=False, description="read 03/04/2026 as 3 April (only with a strftime-free format)")

    @field_validator("naive_timezone", "team_timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            pd.Timestamp("2026-01-05").tz_localize(v)
        except Exception:
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as 'Europe/Berlin' or 'UTC')") from None
        return v


class CsvOptions(_M):
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"


class Mapping(_M):
    """How to read one vendor's export as activities (``docs/activity-format.md``)."""

    description: str = ""
    columns: dict[str, Union[str, list[str]]] = Field(
        default_factory=dict,
        description="activity field -> export column (a list: the first non-blank of these columns)")
    constants: dict[str, str] = Field(default_factory=dict, description="activity field -> the same value on every row")
    values: dict[str, dict[str, str]] = Field(default_factory=dict, description="field -> {export value: activity value}")
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    duration: Optional[Duration] = None
    keep: dict[str, list[str]] = Field(default_factory=dict, description="only rows whose column holds one of these values")
    timestamps: Timestamps = Field(default_factory=Timestamps)
    csv: CsvOptions = Field(default_factory=CsvOptions)
    notes: list[str] = Field(default_factory=list, description="traps of this export, printed in every fit report")

    @field_validator("columns", "constants", "values", "lookups")
    @classmethod
    def _known_fields(cls, v: dict) -> dict:
        unknown = [k for k in v if k not in FIELDS or k == "duration"]
        if unknown:
            raise ValueError(f"unknown activity field(s) {', '.join(map(repr, unknown))}; expected some of: "
                             f"{', '.join(f for f in FIELDS if f != 'duration')} (durations go under 'duration:')")
        return v

    @field_validator("values")
    @classmethod
    def _targets(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for name, table in v.items():
            allowed = CODED.get(name)
            if allowed is None:
                continue
            bad = sorted({t for t in table.values() if t not in allowed})
            if bad:
                raise ValueError(f"values.{name}: {', '.join(map(repr, bad))} not in {', '.join(allowed)}")
        return v

    @model_validator(mode="after")
    def _required(self) -> "Mapping":
        for name in REQUIRED:
            if name in self.columns and name in self.constants:
                raise ValueError(f"{name} is both a column and a constant")
        for name, value in self.constants.items():
            if name in CODED and value not in CODED[name]:
                raise ValueError(f"constants.{name}: {value!r} not in {', '.join(CODED[name])}")
        return self

    def column_of(self, name: str) -> list[str]:
        """The export columns an activity field is read from (first non-blank wins)."""
        if name in self.constants:
            return []
        col = self.columns.get(name, name if name != "duration" else None)
        if col is None:
            return []
        return [col] if isinstance(col, str) else list(col)


def load_mapping(path: Optional[Path | str]) -> tuple[Mapping, Path]:
    """A mapping file, validated (no file: the activity format as documented, columns named as its fields)."""
    if path is None:
        return Mapping(), Path.cwd()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ActivityError(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ActivityError(f"{path}: cannot read the mapping file ({exc})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ActivityError(f"{path}: YAML syntax error at {where}: {exc.problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ActivityError(f"{path}: expected a mapping (columns:, values:, ...) at the top level")
    try:
        return Mapping.model_validate(data), path.parent
    except ValidationError as err:

        lines = [f"{path}: the mapping is not valid ({err.error_count()} problem{'s' if err.error_count() > 1 else ''})"]
        for e in err.errors(include_url=False):
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown field (docs/activity-format.md lists the mapping fields)"
            lines.append(f"  {_path(e['loc'], data)}: {msg}")
        raise ActivityError("\n".join(lines)) from None


# ---------------------------------------------------------------- reading
@dataclass
class BadRow:
    line: int
    field: str
    reason: str


@dataclass
class ReadReport:
    """What reading a file found: counts, the rows it could not read, and the traps it handled."""

    source: str
    rows: int = 0
    kept: int = 0
    skipped: int = 0
    bad: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_by_reason: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_bad(self, lines: np.ndarray, fieldname: str, reason: str, shown: list[str]) -> None:
        self.bad += len(lines)
        key = f"{fieldname}: {reason}"
        self.bad_by_reason[key] = self.bad_by_reason.get(key, 0) + len(lines)
        for line, value in zip(lines[: SHOWN_BAD_ROWS], shown[: SHOWN_BAD_ROWS]):
            if len(self.bad_rows) < SHOWN_BAD_ROWS:
                self.bad_rows.append(BadRow(int(line), fieldname, f"{reason} (got {value!r})" if value != "" else reason))


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
        for line in fh:
            if line.startswith("#"):
                count += 1
            else:
                break
    return count


def _header(path: Path, m: Mapping, skip: int) -> list[str]:
    with open(path, encoding=m.csv.encoding, newline="") as fh:
        for _ in range(skip):
            fh.readline()
        row = next(csv.reader(fh, delimiter=m.csv.delimiter), None)
    if row is None or not any(c.strip() for c in row):
        raise ActivityError(f"{path}: the file is empty (expected a header row, then one row per touch)")
    return [c.strip().lstrip("\ufeff") for c in row]


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
    for c in m.keep:
        if c not in header:
            missing.append(f"  keep: no column {c!r} (named in the mapping)")
        needed[c] = "keep"
    if missing:
        raise ActivityError(f"{path}: missing columns ({len(missing)})\n" + "\n".join(missing)
                            + f"\n  the header has: {', '.join(header[:30])}{' ...' if len(header) > 30 else ''}")
    return list(needed)


def _lookup_tables(m: Mapping, base: Path) -> dict[str, dict[str, str]]:
    tables = {}
    for name, lk in m.lookups.items():
        path = (base / lk.file) if not Path(lk.file).is_absolute() else Path(lk.file)
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise ActivityError(f"lookups.{name}: no such file {path}") from None
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ActivityError(f"lookups.{name}: cannot read {path} ({exc})") from None
        for col in (lk.key, lk.value):
            if col not in table.columns:
                raise ActivityError(f"lookups.{name}: {path} has no column {col!r} (it has: {', '.join(table.columns)})")
        tables[name] = dict(zip(table[lk.key].str.strip(), table[lk.value].str.strip()))
    return tables


def _first_nonblank(chunk: pd.DataFrame, cols: list[str]) -> tuple[pd.Series, list[int]]:
    """The first non-blank of several columns, and how many rows each column supplied."""
    out = pd.Series("", index=chunk.index, dtype=object)
    used = []
    for c in cols:
        if c not in chunk.columns:
            used.append(0)
            continue
        fill = (out == "") & (chunk[c] != "")
        used.append(int(fill.sum()))
        out = out.where(~fill, chunk[c])
    return out, used


def _parse_times(raw: pd.Series, ts: Timestamps, clock_gaps: Optional[pd.Series] = None) -> pd.Series:
    """Strings to UTC timestamps (NaT where unreadable or blank); offsets honoured, naive ones in naive_timezone.

    ``clock_gaps``, if given, is set True where a naive time was read but does not exist, or exists
    twice, in naive_timezone (a daylight-saving change): such a time cannot be placed."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    present = raw != ""
    if not present.any():
        return out
    s = raw[present]
    if ts.format in ("epoch_ms", "epoch_s"):
        num = pd.to_numeric(s, errors="coerce")
        out[present] = pd.to_datetime(num, unit="ms" if ts.format == "epoch_ms" else "s", utc=True, errors="coerce")
        return out
    fmt = None if ts.format == "ISO8601" else ts.format
    has_offset = s.str.contains(_OFFSET)
    if has_offset.any():
        part = s[has_offset]
        out[part.index] = pd.to_datetime(part, utc=True, errors="coerce", format=fmt or "ISO8601")
    naive = s[~has_offset]
    if len(naive):
        if fmt is None:
            parsed = pd.to_datetime(naive, errors="coerce", format="ISO8601" if not ts.dayfirst else None,
                                    dayfirst=ts.dayfirst)
        else:
            parsed = pd.to_datetime(naive, errors="coerce", format=fmt)
        if getattr(parsed.dt, "tz", None) is None:
            read = parsed.notna()
            parsed = parsed.dt.tz_localize(ts.naive_timezone, ambiguous="NaT", nonexistent="NaT")
            if clock_gaps is not None:
                clock_gaps.loc[naive.index] = (read & parsed.isna()).to_numpy()
        out[naive.index] = parsed.dt.tz_convert("UTC")
    return out


def _code(values: pd.Series, name: str, m: Mapping, lookups: dict[str, dict[str, str]]) -> pd.Series:
    """An export's values to the activity vocabulary (lookup, then value map, then the vocabulary itself)."""
    s = values.str.strip()
    if name in lookups:
        table = lookups[name]
        s = s.map(lambda v: table.get(v, v))
    vmap = m.values.get(name, {})
    if vmap:
        lowered = {k.strip().lower(): v for k, v in vmap.items()}
        s = s.map(lambda v: lowered.get(v.lower(), v))
    allowed = CODED[name]
    s = s.map(lambda v: v.lower() if v.lower() in allowed else v)
    return s


def read_activities(path: Path | str, mapping: Optional[Path | str] = None, max_bad_rows: Optional[int] = None,
                    max_bytes: int = DEFAULT_MAX_BYTES, chunk_rows: int = CHUNK_ROWS) -> Activities:
    """Read an activity CSV (through a mapping file) into ``Activities``.

    Streams the file ``chunk_rows`` rows at a time, keeping only the mapped columns in compact
    types. Rows that cannot be read are reported by line number with the reason; when there
    are more than ``max_bad_rows`` of them (default: 1% of the rows, at least 10) the whole
    file is refused. Files over ``max_bytes`` are refused before reading."""
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
        header = _header(path, m, skip)
    except UnicodeDecodeError:
        raise ActivityError(f"{path}: not readable as {m.csv.encoding} text (set csv.encoding in the mapping, e.g. latin-1)") from None
    needed = _needed_columns(m, header, path)
    lookups = _lookup_tables(m, base)
    report = ReadReport(source=str(path), notes=list(m.notes))
    first_line = skip + 2  # line number of the first data row
    parts = []
    ts_used: Optional[np.ndarray] = None
    midnight = 0
    try:
        reader = pd.read_csv(path, skiprows=skip, usecols=lambda c: c.strip().lstrip("\ufeff") in needed, dtype=str,
                             keep_default_na=False, chunksize=chunk_rows, sep=m.csv.delimiter, encoding=m.csv.encoding,
                             skipinitialspace=True, on_bad_lines="error")
        offset = 0
        for chunk in reader:
            chunk.columns = [c.strip().lstrip("\ufeff") for c in chunk.columns]
            lines = np.arange(len(chunk)) + first_line + offset
            offset += len(chunk)
            chunk.index = lines
            part, used, mid = _convert(chunk, m, lookups, report)
            midnight += mid
            ts_used = np.asarray(used) if ts_used is None else ts_used + np.asarray(used)
            parts.append(part)
    except pd.errors.ParserError as exc:
        raise ActivityError(f"{path}: not a readable CSV ({str(exc).strip()})") from None
    except UnicodeDecodeError:
        raise ActivityError(f"{path}: not readable as {m.csv.encoding} text (set csv.encoding in the mapping)") from None
    frame = _concat(parts)
    if report.rows == 0:
        raise ActivityError(f"{path}: the file has a header but no rows")
    allowed = max_bad_rows if max_bad_rows is not None else max(10, report.rows // 100)
    if report.bad > allowed:
        raise ActivityError(_bad_message(path, report, allowed))
    _timestamp_notes(m, report, ts_used, midnight, path)
    if len(frame) == 0:
        raise ActivityError(f"{path}: no rows left to fit after the mapping's keep: filter and the unreadable rows")
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
        raise ActivityError(_bad_message(Path(source), report, 0))
    return _assemble(_concat([part]), report, m, source)


def _convert(chunk: pd.DataFrame, m: Mapping, lookups: dict, report: ReadReport) -> tuple[pd.DataFrame, list[int], int]:
    """One chunk of export rows to activity rows; unreadable rows are reported and dropped."""
    report.rows += len(chunk)
    keep = pd.Series(True, index=chunk.index)
    for col, allowed in m.keep.items():
        keep &= chunk[col].str.strip().isin([str(a) for a in allowed])
    report.skipped += int((~keep).sum())
    chunk = chunk[keep]
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
        out, used = _first_nonblank(chunk, m.column_of(name))
        return out.str.strip(), used

    pid, _ = text("prospect_id")
    flag(pid == "", "prospect_id", "blank", pid)
    raw_t, used = text("timestamp")
    gaps = pd.Series(False, index=chunk.index)
    t = _parse_times(raw_t, m.timestamps, gaps)
    flag(raw_t == "", "timestamp", "blank", raw_t)
    flag(gaps, "timestamp", f"a clock time that does not exist, or exists twice, in {m.timestamps.naive_timezone} "
                            "(a daylight-saving change): export with offsets or in UTC", raw_t)
    flag(t.isna(), "timestamp", "not a date and time this mapping can read", raw_t)
    local = t.dt.tz_convert(m.timestamps.naive_timezone)
    midnight = int((raw_t.str.match(_DATE_ONLY) | (t.notna() & (local == local.dt.normalize()))).sum())
    coded = {}
    for name in ("channel", "direction", "outcome", "purpose"):
        raw, _ = text(name)
        if name == "purpose" and not (m.column_of(name) or name in m.constants):
            coded[name] = pd.Series(np.nan, index=chunk.index, dtype=object)
            continue
        v = _code(raw, name, m, lookups)
        if name == "purpose":
            unknown = (v != "") & ~v.isin(CODED[name])
        else:
            flag(v == "", name, "blank", v)
            unknown = (v != "") & ~v.isin(CODED[name])
        where = f"values.{name}" + (" (after the lookup)" if name in lookups else "")
        flag(unknown, name, f"not one of {', '.join(CODED[name])}; map it under {where}", v)
        coded[name] = v.where(v != "", np.nan)
    out_call = (coded["channel"] == "call") & (coded["direction"] == "outbound")
    flag(out_call & coded["outcome"].isin(["sent", "replied", "complaint"]), "outcome",
         "an outbound call cannot be 'sent', 'replied' or 'complaint' (a complaint is its own inbound row)", coded["outcome"])
    rep, _ = text("rep_id")
    source, _ = text("lead_source")
    raw_lead, _ = text("lead_created_at")
    lead = _parse_times(raw_lead, m.timestamps)
    flag((raw_lead != "") & lead.isna(), "lead_created_at", "not a date and time this mapping can read", raw_lead)
    duration = pd.Series(np.nan, index=chunk.index, dtype=float)
    if m.duration is not None:
        d = m.duration
        if d.column is not None:
            raw_d = chunk[d.column].str.strip()
            num = pd.to_numeric(raw_d, errors="coerce")
            flag((raw_d != "") & num.isna(), "duration", "not a number", raw_d)
            duration = num * DURATION_UNITS[d.unit]
        else:
            start = _parse_times(chunk[d.start].str.strip(), m.timestamps)
            end = _parse_times(chunk[d.end].str.strip(), m.timestamps)
            duration = (end - start).dt.total_seconds()
            flag(duration < 0, "duration", f"{d.end} is before {d.start}", chunk[d.end])
    good = ~bad
    report.kept += int(good.sum())
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


def _bad_message(path: Path, report: ReadReport, allowed: int) -> str:
    lines = [f"{path}: {report.bad:,} of {report.rows:,} rows cannot be read, more than the {allowed:,} allowed "
             f"(raise it with --max-bad-rows if the rest can be trusted)"]
    for reason, count in sorted(report.bad_by_reason.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {count:,} row{'s' if count != 1 else ''}: {reason}")
    lines.append("  first rows:")
    for b in report.bad_rows[:10]:
        lines.append(f"    line {b.line}: {b.field}: {b.reason}")
    return "\n".join(lines)


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


# ---------------------------------------------------------------- writing (from a simulated event log)
ACTIVITY_COLUMNS = ["prospect_id", "timestamp", "channel", "direction", "outcome", "rep_id", "lead_source",
                    "lead_created_at", "purpose"]
SIM_OUTCOMES = {
    "no_answer": "no_answer", "voicemail": "voicemail", "sale": "won", "booked": "meeting_booked",
    "call_back_later": "connected", "not_interested": "not_interested", "unqualified": "unqualified",
    "already_bought": "lost", "sent": "sent", "replied": "sent", "unsubscribed": "unsubscribed",
}
TOUCH_KINDS = ("booked", "callback", "new_lead", "follow_up", "prospecting")


def _iso(minutes: np.ndarray, start: pd.Timestamp) -> np.ndarray:
    stamps = start + pd.to_timedelta(np.round(np.asarray(minutes, float) * 60_000_000.0), unit="us")
    if str(start.tz) == "UTC":
        return np.asarray(stamps.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), dtype=object)
    return np.asarray(stamps.strftime("%Y-%m-%dT%H:%M:%S.%f%z"), dtype=object)


def activities_from_events(events: pd.DataFrame, start: str = CALENDAR_START, timezone: str = "UTC") -> pd.DataFrame:
    """A simulated event log (one run, or several with strategy/replication columns) as activity rows.

    Touches become rows with their outcome in the activity vocabulary; a complaint on a touch
    becomes its own inbound row at the same moment; a reply to an email or SMS, a buyer who
    contacts us, and a prospect returning a voicemail (the model's callback two hours later)
    become inbound 'replied' rows, the moments that open the hot answer window. Dropped and
    forgotten tasks and the hidden market events are not touches and are left out. Minute 0 is
    00:00 of ``start`` in ``timezone`` (the team's zone); timestamps carry that zone's offset."""
    t0 = pd.Timestamp(start).tz_localize(timezone)
    groups = ["strategy", "replication"] if {"strategy", "replication"} <= set(events.columns) else []
    frames = []
    for key, ev in (events.groupby(groups, sort=False) if groups else [((), events)]):
        out = _one_run(ev, t0)
        if groups:
            out.insert(0, "replication", key[1])
            out.insert(0, "strategy", key[0])
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=groups + ACTIVITY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _one_run(ev: pd.DataFrame, t0: pd.Timestamp) -> pd.DataFrame:
    ev = ev.reset_index(drop=True)
    arrivals = ev[ev["kind"] == "arrival"]
    created = dict(zip(arrivals["prospect"].to_numpy(), arrivals["time_min"].to_numpy()))
    touch = ev["kind"].isin(TOUCH_KINDS) & ev["channel"].isin(["call", "email", "sms"])
    done = touch & ~ev["outcome"].isin(["dropped", "forgotten"])
    # the voicemails the prospect returns: a voicemail whose prospect's next task is a callback
    seq = ev[touch | (ev["kind"] == "reach_out")].sort_values(["prospect", "time_min"], kind="mergesort")
    nxt_kind = seq["kind"].shift(-1)
    same = seq["prospect"].shift(-1) == seq["prospect"]
    returned = seq[(seq["outcome"] == "voicemail") & same & (nxt_kind == "callback")]
    rows = []
    d = ev[done]
    rows.append(pd.DataFrame({
        "m": d["time_min"].to_numpy(), "order": 0, "prospect": d["prospect"].to_numpy(), "channel": d["channel"].to_numpy(),
        "direction": "outbound", "outcome": d["outcome"].map(SIM_OUTCOMES).to_numpy(), "rep_id": d["rep"].to_numpy(),
        "purpose": d["kind"].to_numpy()}))
    c = d[d["complaint_cause"] != ""]
    rows.append(pd.DataFrame({
        "m": c["time_min"].to_numpy(), "order": 2, "prospect": c["prospect"].to_numpy(), "channel": c["channel"].to_numpy(),
        "direction": "inbound", "outcome": "complaint", "rep_id": c["rep"].to_numpy(), "purpose": ""}))
    r = d[d["outcome"] == "replied"]
    rows.append(pd.DataFrame({
        "m": r["time_min"].to_numpy(), "order": 1, "prospect": r["prospect"].to_numpy(), "channel": r["channel"].to_numpy(),
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    o = ev[ev["kind"] == "reach_out"]
    rows.append(pd.DataFrame({
        "m": o["time_min"].to_numpy(), "order": 1, "prospect": o["prospect"].to_numpy(), "channel": "other",
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    rows.append(pd.DataFrame({
        "m": returned["time_min"].to_numpy() + CALLBACK_AFTER_VOICEMAIL, "order": 1,
        "prospect": returned["prospect"].to_numpy(), "channel": "call",
        "direction": "inbound", "outcome": "replied", "rep_id": "", "purpose": ""}))
    out = pd.concat(rows, ignore_index=True)
    out = out.sort_values(["m", "prospect", "order"], kind="mergesort", ignore_index=True)
    lead = out["prospect"].map(created)
    return pd.DataFrame({
        "prospect_id": "p" + out["prospect"].astype(str),
        "timestamp": _iso(out["m"].to_numpy(), t0),
        "channel": out["channel"].to_numpy(),
        "direction": out["direction"].to_numpy(),
        "outcome": out["outcome"].to_numpy(),
        "rep_id": out["rep_id"].fillna("").to_numpy(),
        "lead_source": np.where(lead.notna(), "inbound", "list"),
        "lead_created_at": np.where(lead.notna(), _iso(lead.fillna(0).to_numpy(), t0), ""),
        "purpose": out["purpose"].to_numpy(),
    })


def write_activities(frame: pd.DataFrame, path: Path | str, header: Optional[str] = None) -> None:
    """Write activity rows as CSV, optionally under '#' header comment lines."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if header:
            for line in header.strip().splitlines():
                fh.write(f"# {line}\n")
        frame.to_csv(fh, index=False)


def minutes_since(acts: Activities, origin: pd.Timestamp, col: str = "t") -> np.ndarray:
    """Minutes from ``origin`` (a UTC timestamp) of a timestamp column."""
    return (acts.frame[col] - origin).dt.total_seconds().to_numpy() / 60.0


def week_origin(acts: Activities) -> pd.Timestamp:
    """Monday 00:00 (team time) of the week of the first activity, as UTC: the model's minute 0."""
    first = acts.frame["t"].min().tz_convert(acts.team_timezone)
    monday = (first - pd.Timedelta(days=first.weekday())).normalize()
    return monday.tz_convert("UTC")


__all__ = ["Activities", "ActivityError", "Mapping", "ReadReport", "read_activities", "load_mapping",
           "activities_from_events", "write_activities", "frame_activities", "OUTCOMES", "ANSWERED", "CHANNELS", "DIRECTIONS",
           "PURPOSES", "CALENDAR_START", "DAY", "week_origin", "minutes_since"]
