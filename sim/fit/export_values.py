"""Reading one column of an export: the first non-blank of several columns, timestamps in every
documented form, and coded values through a lookup list and the mapping's value map."""
from __future__ import annotations

import re
from typing import Optional

import pandas as pd

from sim.present.activity_format import CODED
from sim.fit.export_mapping import Mapping, Timestamps

_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{9,16}(?:\.\d*)?$")
EPOCH_MS_FROM = 1e11  # a Unix time above this is in milliseconds (1e11 s is the year 5138; 1e11 ms is 1973)
TIME_DTYPE = "datetime64[us, UTC]"  # microseconds: years 1 to 9999 fit, so no date overflows


def first_nonblank(chunk: pd.DataFrame, cols: list[str]) -> tuple[pd.Series, list[int]]:
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


def _epoch(s: pd.Series, unit: Optional[str]) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    if unit is None:  # auto: by magnitude, value by value
        ms = num >= EPOCH_MS_FROM
        return pd.concat([pd.to_datetime(num[ms], unit="ms", utc=True, errors="coerce"),
                          pd.to_datetime(num[~ms], unit="s", utc=True, errors="coerce")]).reindex(s.index)
    return pd.to_datetime(num, unit=unit, utc=True, errors="coerce")


def parse_times(raw: pd.Series, ts: Timestamps, clock_gaps: Optional[pd.Series] = None) -> pd.Series:
    """Strings to UTC timestamps (NaT where unreadable or blank); offsets honoured, naive ones in naive_timezone.

    ``format: auto`` reads ISO 8601 with or without an offset and Unix times in seconds or
    milliseconds (told apart by size). ``clock_gaps``, if given, is set True where a naive time
    was read but does not exist, or exists twice, in naive_timezone (a daylight-saving change)."""
    out = pd.Series(pd.NaT, index=raw.index, dtype=TIME_DTYPE)
    present = raw != ""
    if not present.any():
        return out
    s = raw[present]
    if ts.format in ("epoch_ms", "epoch_s"):
        out[present] = _epoch(s, "ms" if ts.format == "epoch_ms" else "s").astype(TIME_DTYPE)
        return out
    if ts.format == "auto":
        numeric = s.str.match(_NUMBER)
        if numeric.any():
            out[numeric[numeric].index] = _epoch(s[numeric], None).astype(TIME_DTYPE)
            s = s[~numeric]
    fmt = None if ts.format in ("ISO8601", "auto") else ts.format
    has_offset = s.str.contains(_OFFSET)
    if has_offset.any():
        part = s[has_offset]
        out[part.index] = pd.to_datetime(part, utc=True, errors="coerce", format=fmt or "ISO8601").astype(TIME_DTYPE)
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
        out[naive.index] = parsed.dt.tz_convert("UTC").astype(TIME_DTYPE)
    return out


def time_hint(ts: Timestamps, examples: list[str]) -> str:
    """What to set when timestamps cannot be read: the option, and the form the values seem to have."""
    sample = next((e for e in examples if e), "")
    if sample and _NUMBER.match(sample):
        unit = "epoch_ms" if float(sample) >= EPOCH_MS_FROM else "epoch_s"
        guess = f"they look like Unix times: set timestamps.format: {unit} (or auto) in the mapping"
    else:
        guess = ("set timestamps.format in the mapping to a strftime format that matches them, e.g. "
                 "'%m/%d/%Y, %I:%M %p' for '1/5/2026, 2:03 PM' (a report's locale format), with timestamps.naive_timezone "
                 "the zone of the user who exported it")
    return f"timestamps.format is {ts.format!r}; {guess}"


def _translate(value: str, table: Optional[dict[str, str]], lowered: dict[str, str], allowed: tuple) -> str:
    v = table.get(value, value) if table is not None else value
    v = lowered.get(v.lower(), v)
    return v.lower() if v.lower() in allowed else v


def code(values: pd.Series, name: str, m: Mapping, lookups: dict[str, dict[str, str]]) -> tuple[pd.Series, pd.Series]:
    """An export's values to the activity vocabulary (lookup, then value map, then the vocabulary itself),
    and where a lookup was expected but the id is not in the list (True). Each distinct value is
    translated once (an export has a handful of them in millions of rows)."""
    s = values.str.strip()
    table = lookups.get(name)
    lowered = {k.strip().lower(): v for k, v in m.values.get(name, {}).items()}
    allowed = CODED[name]
    distinct = pd.unique(s)
    out = s.map({v: _translate(v, table, lowered, allowed) for v in distinct})
    missed = pd.Series(False, index=s.index)
    if table is not None:  # an id not in the list but mapped under values: (e.g. a status in a chain) is read
        missed = ~s.isin(table.keys()) & (s != "") & ~out.isin(allowed)
    return out, missed
