"""An export read a chunk of rows at a time, only the mapped columns, with every row that is longer
than the header caught: pandas, told to read some columns (``usecols``), drops a row's extra fields
without a word, so a separator inside an unquoted note would put values under the wrong columns."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator, Optional

import pandas as pd

from sim.fit.export_accounting import ReadReport
from sim.fit.export_mapping import ActivityError, Mapping

EXTRA = "\x00fields past the header"  # a column no export has: a row's fields beyond the header land in it


def _column_names(header: list[str], needed: list[str]) -> list[str]:
    """Names for pandas: the header's (a repeated or unneeded name made unique, since only the needed
    ones are read), then ``EXTRA``, which catches the fields of a row longer than the header."""
    seen: set[str] = set()
    names = []
    for i, c in enumerate(header):
        names.append(c if c in needed and c not in seen else f"\x00column {i + 1}")
        seen.add(c)
    return names + [EXTRA]


class _WidthRowFirst(io.TextIOBase):
    """The file's text after one made-up row of empty fields, one more than the header has.

    pandas reads only the mapped columns (``usecols``) and then takes a row longer than the header
    without a word; a name for one field past the header (``EXTRA``) catches the extra fields, but
    pandas accepts that name only when the first rows it sees are that wide: this row makes them."""

    def __init__(self, fh, row: str):
        self._fh, self._row = fh, row

    def readable(self) -> bool:
        return True

    def read(self, n: Optional[int] = -1) -> str:
        if not self._row:
            return self._fh.read(n)
        if n is None or n < 0:
            out, self._row = self._row + self._fh.read(), ""
        else:
            out, self._row = self._row[:n], self._row[n:]
        return out


def _drop_long_rows(chunk: pd.DataFrame, width: int, report: ReadReport) -> pd.DataFrame:
    """Rows with more fields than the header are unreadable: their values may sit under the wrong
    columns (a separator inside an unquoted text field). Reported by line, like any unreadable row."""
    long = chunk[EXTRA] != ""
    if long.any():
        report.rows += int(long.sum())
        report.add_bad(chunk.index[long].to_numpy(), "row", f"more fields than the header's {width} (a separator "
                       "inside a text field that is not in quotes?): its values may be under the wrong columns",
                       chunk.loc[long, EXTRA].tolist())
    return chunk.loc[~long].drop(columns=EXTRA)


def read_chunks(path: Path, m: Mapping, header: list[str], needed: list[str], skip: int, chunk_rows: int,
                report: ReadReport) -> Iterator[pd.DataFrame]:
    """The export's rows, ``chunk_rows`` at a time: the needed columns as text, indexed by line number
    (``skip`` comment lines, then the header), rows longer than the header reported and left out."""
    first_line = skip + 2  # line number of the first data row
    names = _column_names(header, needed)
    try:
        with open(path, encoding=m.csv.encoding, newline="") as fh:
            text = _WidthRowFirst(fh, m.csv.delimiter * len(header) + "\n")
            reader = pd.read_csv(text, skiprows=range(1, skip + 2), header=None, names=names,
                                 usecols=lambda c: c in needed or c == EXTRA, dtype=str, keep_default_na=False,
                                 chunksize=chunk_rows, sep=m.csv.delimiter, skipinitialspace=True, on_bad_lines="error")
            offset = 0
            for i, chunk in enumerate(reader):
                if i == 0:
                    chunk = chunk.iloc[1:]  # the made-up row
                chunk.index = range(first_line + offset, first_line + offset + len(chunk))
                offset += len(chunk)
                yield _drop_long_rows(chunk, len(header), report)
    except pd.errors.ParserError as exc:
        raise ActivityError(f"{path}: not a readable CSV ({str(exc).strip()})") from None
    except UnicodeDecodeError:
        raise ActivityError(f"{path}: not readable as {m.csv.encoding} text (set csv.encoding in the mapping)") from None
