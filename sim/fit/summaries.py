"""Reading per-prospect campaign summaries: one row per prospect, how many times we tried and how it ended.

The canonical columns (``docs/summary-format.md``): ``prospect_id``, ``attempts``, ``outcome``
(``won``, ``lost``, ``open``) and optional ``connected``, ``first_attempt``, ``last_attempt``,
``created``, ``source``; any other column can be a segment. A mapping file renames columns, maps
values and sets the CSV separator, as for activity exports. Every row is accounted for: read, kept,
skipped by ``keep:``, or refused with its line and column (any refused row stops the read).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.present.activity_format import ANSWERED
from sim.scenario.errors import UserError
from sim.scenario.segments import MAX_LABEL, check_label

OUTCOMES = ("won", "lost", "open")
REQUIRED = ("prospect_id", "attempts", "outcome")
OPTIONAL = ("connected", "first_attempt", "last_attempt", "created", "source")
FIELDS = REQUIRED + OPTIONAL
DATES = ("first_attempt", "last_attempt", "created")
SHOWN_BAD_ROWS = 20
BLANK_SEGMENT = "(blank)"


class SummaryError(UserError):
    """A summary file or its mapping that cannot be used, explained for a person."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SummaryCsv(_M):
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"


class SummaryMapping(_M):
    """How to read one export as per-prospect summaries (``docs/summary-format.md``)."""

    description: str = ""
    columns: dict[str, Union[str, list[str]]] = Field(
        default_factory=dict, description="summary field or segment name -> export column (a list: the first non-blank)")
    values: dict[str, dict[str, str]] = Field(default_factory=dict, description="field -> {export value: value}")
    keep: dict[str, list[str]] = Field(default_factory=dict, description="only rows whose column holds one of these values")
    csv: SummaryCsv = Field(default_factory=SummaryCsv)
    notes: list[str] = Field(default_factory=list, description="traps of this export, printed in the fit report")

    @field_validator("values", mode="before")
    @classmethod
    def _texts(cls, v):
        """Export values as text: numbers as written; YAML's unquoted yes/no/true/false would be a boolean."""
        if not isinstance(v, dict):
            return v
        out = {}
        for name, table in v.items():
            if not isinstance(table, dict):
                out[name] = table
                continue
            if any(isinstance(x, bool) for x in list(table) + list(table.values())):
                raise ValueError(f"{name}: an unquoted yes, no, true or false reads as a boolean in YAML: quote it "
                                 "(e.g. 'yes': won)")
            out[name] = {str(k): (str(x) if isinstance(x, (int, float)) else x) for k, x in table.items()}
        return out

    @field_validator("values")
    @classmethod
    def _targets(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        bad = sorted({t for t in v.get("outcome", {}).values() if t not in OUTCOMES})
        if bad:
            raise ValueError(f"values.outcome: {', '.join(map(repr, bad))} not in {', '.join(OUTCOMES)}")
        return v

    def column_of(self, name: str) -> list[str]:
        col = self.columns.get(name, name)
        return [col] if isinstance(col, str) else list(col)


def load_summary_mapping(path: Optional[Path | str]) -> SummaryMapping:
    """A summary mapping file, validated (no file: the canonical columns)."""
    if path is None:
        return SummaryMapping()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SummaryError(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SummaryError(f"{path}: cannot read the mapping file ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise SummaryError(f"{path}: YAML syntax error at {where}: {getattr(exc, 'problem', exc)}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise SummaryError(f"{path}: expected a mapping (columns:, values:, ...) at the top level")
    try:
        return SummaryMapping.model_validate(data)
    except ValidationError as err:
        lines = [f"{path}: the mapping is not valid for a summary ({err.error_count()} problem"
                 f"{'s' if err.error_count() > 1 else ''})"]
        for e in err.errors(include_url=False):
            where = ".".join(str(p) for p in e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown field (docs/summary-format.md lists the mapping fields)"
            lines.append(f"  {where}: {msg}")
        raise SummaryError("\n".join(lines)) from None


@dataclass
class Summaries:
    """One row per prospect: prospect_id, attempts (int), outcome (won/lost/open), connected (int or
    absent), the optional dates and source, and one text column per segment; with how the file read."""

    frame: pd.DataFrame
    source: str
    segments: list[str]
    has_connected: bool
    rows: int
    skipped: int
    notes: list[str] = field(default_factory=list)


def _leading_comments(path: Path, encoding: str) -> int:
    count = 0
    with open(path, encoding=encoding, newline="") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            count += 1
    return count


def _read_raw(path: Path, m: SummaryMapping) -> tuple[pd.DataFrame, int]:
    if not path.exists():
        raise SummaryError(f"{path}: no such file")
    if path.is_dir():
        raise SummaryError(f"{path}: is a folder, not a summary CSV")
    try:
        skip = _leading_comments(path, m.csv.encoding)
        with open(path, encoding=m.csv.encoding, newline="") as fh:
            for _ in range(skip):
                fh.readline()
            header = next(csv.reader(fh, delimiter=m.csv.delimiter), None)
        if header is None or not any(c.strip() for c in header):
            raise SummaryError(f"{path}: the file is empty (expected a header row, then one row per prospect)")
        raw = pd.read_csv(path, sep=m.csv.delimiter, dtype=str, keep_default_na=False, skiprows=skip,
                          encoding=m.csv.encoding, engine="c")
    except UnicodeDecodeError as exc:
        raise SummaryError(f"{path}: not readable as {m.csv.encoding} (byte {exc.start}); set csv: encoding: in a "
                           "mapping file (e.g. latin-1, cp1252)") from None
    except LookupError:
        raise SummaryError(f"csv.encoding: unknown encoding {m.csv.encoding!r}") from None
    except pd.errors.ParserError as exc:
        raise SummaryError(f"{path}: not a readable CSV ({str(exc).strip()}); if its separator is not "
                           f"{m.csv.delimiter!r}, set csv: delimiter: in a mapping file") from None
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    return raw, skip


def _pick(raw: pd.DataFrame, cols: list[str]) -> tuple[pd.Series, str]:
    """The first non-blank of the given columns (all present), and the first column's name for messages."""
    out = raw[cols[0]].str.strip()
    for c in cols[1:]:
        blank = out == ""
        out = out.where(~blank, raw[c].str.strip())
    return out, cols[0]


class _Bad:
    """Refused rows, by reason, with the first few shown."""

    def __init__(self, lines: np.ndarray):
        self.lines = lines
        self.count = 0
        self.by_reason: dict[str, int] = {}
        self.shown: list[str] = []
        self.rows = np.zeros(len(lines), bool)

    def flag(self, mask: np.ndarray, column: str, fieldname: str, reason: str, values: pd.Series) -> None:
        mask = np.asarray(mask, bool) & ~self.rows  # one reason per row: the first found
        if not mask.any():
            return
        self.rows |= mask
        self.count += int(mask.sum())
        key = f"column {column!r} ({fieldname}): {reason}"
        self.by_reason[key] = self.by_reason.get(key, 0) + int(mask.sum())
        for line, v in zip(self.lines[mask][:SHOWN_BAD_ROWS], values[mask].astype(str).to_numpy()[:SHOWN_BAD_ROWS]):
            if len(self.shown) < SHOWN_BAD_ROWS:
                self.shown.append(f"line {line}, column {column!r} ({fieldname}): {reason} (got {v!r})")

    def refuse_if_any(self, path: Path, rows: int) -> None:
        """A ``SummaryError`` counting the unreadable rows by reason, naming the first ones; nothing when none."""
        if not self.count:
            return
        out = [f"{path}: {self.count:,} of {rows:,} rows cannot be read (nothing was fitted or written)"]
        out += [f"  {n:,} row{'s' if n != 1 else ''}: {reason}" for reason, n in sorted(self.by_reason.items(), key=lambda kv: -kv[1])]
        out += ["  first rows:"] + [f"    {s}" for s in self.shown[:10]]
        raise SummaryError("\n".join(out))


def _whole(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers >= 0 ('3', '3.0'); the values and which rows are not such a number."""
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(num) & (num >= 0) & (num == np.floor(num)) & (num < 1e6)
    return np.where(ok, num, 0).astype(np.int64), ~ok


def _check_columns(path: Path, m: SummaryMapping, header: list[str], segments: list[str]) -> None:
    """Every column the fit needs is in the header; an error naming each missing one and its field."""
    fields = [s for s in segments if s in FIELDS and s != "source"]
    if fields:
        raise SummaryError(f"--segment {fields[0]}: a summary field, not a segment (segments are other columns, "
                           "e.g. phone type or region)")
    missing = []
    for name in list(FIELDS) + segments:
        present = [c for c in m.column_of(name) if c in header]
        if not present and (name in REQUIRED or name in segments or name in m.columns):
            how = "named in the mapping" if name in m.columns else (
                "a --segment column" if name in segments else "map it under columns: in a mapping file")
            missing.append(f"  {name}: no column {' or '.join(map(repr, m.column_of(name)))} ({how})")
    for c in m.keep:
        if c not in header:
            missing.append(f"  keep: no column {c!r} (named in the mapping)")
    if missing:
        raise SummaryError(f"{path}: missing columns ({len(missing)})\n" + "\n".join(missing)
                           + f"\n  the header has: {', '.join(header[:30])}{' ...' if len(header) > 30 else ''}")


def read_summaries(path: Path | str, mapping: Optional[Path | str] = None,
                   segments: Optional[list[str]] = None) -> Summaries:
    """A per-prospect summary CSV, checked row by row; a ``SummaryError`` names every problem."""
    path = Path(path)
    m = load_summary_mapping(mapping)
    raw, skip = _read_raw(path, m)
    header = list(raw.columns)
    segments = list(dict.fromkeys(segments or []))
    _check_columns(path, m, header, segments)
    rows = len(raw)
    lines = np.arange(rows) + skip + 2  # 1-based, after the comment lines and the header
    keep = np.ones(rows, bool)
    for c, allowed in m.keep.items():
        keep &= raw[c].str.strip().isin([str(a).strip() for a in allowed]).to_numpy()
    raw, lines = raw[keep].reset_index(drop=True), lines[keep]
    skipped = rows - len(raw)
    if len(raw) == 0:
        raise SummaryError(f"{path}: no rows to fit ({rows:,} read, {skipped:,} skipped by keep:)")
    bad = _Bad(lines)
    out = pd.DataFrame(index=raw.index)
    values = {name: _pick(raw, [c for c in m.column_of(name) if c in header]) for name in FIELDS + tuple(segments)
              if any(c in header for c in m.column_of(name))}

    pid, col = values["prospect_id"]
    bad.flag(pid == "", col, "prospect_id", "blank", pid)
    first = pd.Series(lines, index=pid.index).groupby(pid).transform("first")
    again = pid.duplicated(keep="first").to_numpy() & (pid != "").to_numpy()
    if again.any():
        bad.flag(again, col, "prospect_id", "appears again (one row per prospect)",
                 pid + " is also on line " + first.astype(int).astype(str))
    out["prospect_id"] = pid

    text, col = values["attempts"]
    attempts, not_whole = _whole(text)
    bad.flag(not_whole, col, "attempts", "expected a whole number of attempts, 0 or more", text)
    out["attempts"] = attempts

    text, col = values["outcome"]
    vmap = {k.strip().lower(): v for k, v in m.values.get("outcome", {}).items()}
    outcome = text.map(lambda v: vmap.get(v.lower(), v.lower()))
    unknown = ~outcome.isin(OUTCOMES).to_numpy()
    bad.flag(unknown, col, "outcome", "expected won, lost or open (map your values under values: outcome:)", text)
    bad.flag((outcome == "won").to_numpy() & (attempts == 0), values["attempts"][1], "attempts",
             "a won prospect with 0 attempts: this summary counts the attempts that led to the sale", values["attempts"][0])
    out["outcome"] = outcome

    has_connected = "connected" in values
    if has_connected:
        text, col = values["connected"]
        connected, not_whole = _whole(text)
        bad.flag(not_whole, col, "connected", "expected a whole number of attempts that reached the person", text)
        bad.flag(connected > attempts, col, "connected", "more than the row's attempts", text)
        bad.flag((outcome == "won").to_numpy() & (connected == 0), col, "connected",
                 "a won prospect with no attempt that reached them", text)
        out["connected"] = connected
    for name in DATES:
        if name in values:
            text, col = values[name]
            t = pd.to_datetime(text.where(text != "", None), errors="coerce", utc=True, format="mixed")
            bad.flag(t.isna().to_numpy() & (text != "").to_numpy(), col, name, "not a readable date or time", text)
            out[name] = t
    if "source" in values:
        out["source"] = values["source"][0]
    for name in segments:
        seg, col = values[name]
        out[name] = seg.where(seg != "", BLANK_SEGMENT)
        unusable = {v for v in out[name].unique() if not _names_a_segment(v)}
        bad.flag(out[name].isin(unusable).to_numpy(), col, name, f"a segment value is 1 to {MAX_LABEL} characters "
                 "without control characters (it names the scenario's segment and its metrics)", out[name])
    bad.refuse_if_any(path, len(raw))
    notes = list(m.notes)
    if skipped:
        notes.append(f"{skipped:,} of {rows:,} rows skipped by the mapping's keep:")
    return Summaries(frame=out, source=str(path), segments=segments, has_connected=has_connected, rows=rows,
                     skipped=skipped, notes=notes)


def _names_a_segment(value: str) -> bool:
    try:
        check_label(value, "value")
    except ValueError:
        return False
    return True


def summaries_from_activities(acts_frame: pd.DataFrame) -> pd.DataFrame:
    """A per-prospect summary (canonical columns) from an activity frame (``sim.fit.export_reader.Activities.frame``):
    outbound calls are attempts, answered calls are connected; a prospect with a won call is won, one
    with a clear no, a do-not-call request, 'lost' or 'unqualified' is lost, any other is open."""
    f = acts_frame
    calls = f[(f["direction"] == "outbound") & (f["channel"] == "call")]
    g = calls.groupby("prospect", observed=True)
    out = pd.DataFrame({"attempts": g.size(), "connected": g["outcome"].agg(lambda s: int(s.isin(ANSWERED).sum()))})
    won = g["outcome"].agg(lambda s: bool((s == "won").any()))
    lost = g["outcome"].agg(lambda s: bool(s.isin(["not_interested", "unsubscribed", "lost", "unqualified"]).any()))
    out["outcome"] = np.where(won, "won", np.where(lost, "lost", "open"))
    out.index.name = "prospect_id"
    return out.reset_index()[["prospect_id", "attempts", "outcome", "connected"]]
