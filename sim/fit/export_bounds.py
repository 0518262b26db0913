"""Bounds on reading an export, checked before reading it: the header's size and width, the rows,
the memory the read will take, the lookup files a mapping may name; and the timestamps far outside
the log, found after reading.

The memory estimate is linear in the rows, measured on this reader (README "Limits"): about
160 MB for the interpreter and libraries, plus ``ROW_BYTES`` a row at the peak (the compact frame,
joined and sorted) and one chunk of raw text. The rows are estimated from the file's size and the
length of its first lines."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from sim.fit.export_mapping import ActivityError, Lookup
from sim.scenario.limits import HEADROOM, available_mb

MAX_HEADER_BYTES = 1 << 20  # a header line longer than 1 MB is not a CRM export
MAX_COLUMNS = 2_000
MAX_ROWS = 30_000_000
MAX_LOOKUP_BYTES = 20 << 20
BASE_MB = 160.0
ROW_BYTES = 400.0  # peak bytes per row read (measured: docs/activity-format.md "Bounds")
SAMPLE_BYTES = 1 << 20
PLAUSIBLE = (pd.Timestamp("1990-01-01", tz="UTC"), pd.Timestamp("2100-01-01", tz="UTC"))
OUTLIER_GAP = pd.Timedelta(days=90)  # beyond the 1%..99% range of the log by more than this and its span
SHOWN = 10


def read_header(path: Path, encoding: str, delimiter: str, skip: int) -> list[str]:
    """The header row, read without ever holding more than MAX_HEADER_BYTES of it."""
    with open(path, encoding=encoding, newline="") as fh:
        for _ in range(skip):  # whole comment lines, a bounded piece at a time
            while True:
                piece = fh.readline(MAX_HEADER_BYTES)
                if not piece or piece.endswith("\n"):
                    break
        line = fh.readline(MAX_HEADER_BYTES + 1)
    if len(line) > MAX_HEADER_BYTES:
        raise ActivityError(f"{path}: the header row is longer than {MAX_HEADER_BYTES // 1024:,} KB; "
                            "a CRM export's header is a few hundred column names: check the file")
    row = next(csv.reader(io.StringIO(line), delimiter=delimiter), None)
    if row is None or not any(c.strip() for c in row):
        raise ActivityError(f"{path}: the file is empty (expected a header row, then one row per touch)")
    if len(row) > MAX_COLUMNS:
        raise ActivityError(f"{path}: {len(row):,} columns, more than the {MAX_COLUMNS:,} this reader accepts; "
                            "export only the columns the mapping names")
    return [c.strip().lstrip("\ufeff") for c in row]


def estimated_rows(path: Path, skip: int) -> int:
    """Rows in the file, from its size and the mean length of the lines in its first megabyte."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    lines = head.split(b"\n")[skip + 1:]
    if len(head) == size:  # the whole file was read: count exactly
        return sum(1 for line in lines if line.strip())
    lines = lines[:-1]  # the last one is cut
    mean = max(sum(len(line) + 1 for line in lines) / max(len(lines), 1), 1.0)
    return int(size / mean)


def check_size(path: Path, skip: int, chunk_rows: int) -> int:
    """The estimated rows; an error when they exceed MAX_ROWS or the memory available now."""
    rows = estimated_rows(path, skip)
    if rows > MAX_ROWS:
        raise ActivityError(f"{path}: about {rows:,} rows, more than the {MAX_ROWS:,} this reader accepts; "
                            "export a shorter period or only the activity types you need (calls, emails)")
    size = path.stat().st_size
    need = BASE_MB + (rows * ROW_BYTES + min(size, size * chunk_rows / max(rows, 1)) * 4) / 1024**2
    have = available_mb()
    if have is not None and need > HEADROOM * have:
        raise ActivityError(f"{path}: reading about {rows:,} rows needs about {need:,.0f} MB; {have:,.0f} MB is "
                            "available. Export a shorter period, or free memory and try again")
    return rows


def lookup_path(name: str, lk: Lookup, base: Path, given: dict[str, Path], mapping=None) -> Path:
    """The lookup file to read: one named on the command line, else the file next to the mapping; checked."""
    path = Path(given[name]) if name in given else base / lk.file
    where = f"{mapping}: " + (f"--lookup {name}={path}" if name in given else f"lookups.{name}")
    if not path.exists():
        how = f" {lk.source}" if lk.source and name not in given else ""
        raise ActivityError(f"{where}: no such file {path}.{how}")
    if not path.is_file():
        raise ActivityError(f"{where}: {path} is not a regular file")
    if path.stat().st_size > MAX_LOOKUP_BYTES:
        raise ActivityError(f"{where}: {path} is {path.stat().st_size / 1024**2:,.0f} MB, more than the "
                            f"{MAX_LOOKUP_BYTES >> 20} MB a list of ids and labels needs")
    return path


def outlying_times(frame: pd.DataFrame) -> pd.Series:
    """Rows whose time is outside 1990..2100 or far from the rest of the log (True)."""
    t = frame["t"]
    out = (t < PLAUSIBLE[0]) | (t >= PLAUSIBLE[1])
    inside = t[~out]
    if len(inside) >= 20:
        lo, hi = inside.quantile(0.01), inside.quantile(0.99)
        gap = max(OUTLIER_GAP, hi - lo)
        out |= (t < lo - gap) | (t > hi + gap)
    return out


def outlier_message(path: Path, frame: pd.DataFrame, mask: pd.Series) -> str:
    rest = frame.loc[~mask, "t"]
    shown = frame[mask].sort_values("line").head(SHOWN)
    lines = [f"{path}: timestamp: {int(mask.sum()):,} row{'s' if mask.sum() != 1 else ''} lie far outside the log "
             f"({rest.min():%Y-%m-%d} to {rest.max():%Y-%m-%d}) or outside 1990-2100; they would stretch the fitted "
             "period and rates. Correct them in the export, or leave them out with --drop-outlying-times"]
    lines += [f"    line {int(r.line)}: {r.t:%Y-%m-%d %H:%M} UTC" for r in shown.itertuples()]
    return "\n".join(lines)


def drop_outlying(frame: pd.DataFrame, report, path: Path, drop: bool) -> pd.DataFrame:
    """The frame without outlying times when ``drop``; an error listing them otherwise."""
    if not len(frame):
        return frame
    mask = outlying_times(frame)
    if not mask.any():
        return frame
    if not drop:
        raise ActivityError(outlier_message(path, frame, mask))
    n = int(mask.sum())
    report.add_filtered("--drop-outlying-times (a time far outside the log)", n)
    report.kept -= n
    lines = ", ".join(str(int(x)) for x in frame.loc[mask, "line"].sort_values().head(SHOWN))
    report.notes.append(f"{n:,} row{'s' if n != 1 else ''} with a time far outside the log left out "
                        f"(--drop-outlying-times): line{'s' if n != 1 else ''} {lines}{' ...' if n > SHOWN else ''}.")
    return frame[~mask.to_numpy()].reset_index(drop=True)


