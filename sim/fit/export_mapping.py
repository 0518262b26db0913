"""A mapping file: how to read one vendor's CRM export as activities.

A YAML mapping file (``Mapping``) renames a vendor's columns, maps its values, looks ids up in
a separate list, filters rows (keeping some, dropping deleted ones), and says how to read its
timestamps and durations, so exports are read without editing them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional, Union

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.present.activity_format import CODED, FIELDS, REQUIRED
from sim.scenario.errors import UserError
from sim.scenario.loading import _path

DURATION_UNITS = {"ms": 1 / 1000, "s": 1.0, "min": 60.0, "h": 3600.0}


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
    """Replace a field's ids by labels from a separate CSV (e.g. disposition id -> name) before the value map.

    The file lies next to the mapping file (a plain name, no folder), or is named on the command
    line (``fit --lookup FIELD=PATH``): a mapping cannot make the tool read any other path."""

    file: str = Field(description="CSV file next to the mapping file (a name, no folder)")
    key: str = Field(description="column of that file holding the ids")
    value: str = Field(description="column of that file holding the labels")
    source: str = Field(default="", description="where to export this list from the account (printed when it is missing)")

    @field_validator("file")
    @classmethod
    def _next_to_mapping(cls, v: str) -> str:
        if not v or Path(v).name != v or v in (".", ".."):
            raise ValueError(f"{v!r}: a lookup file is a file name next to the mapping file, without a folder "
                             "(name any other file on the command line: fit --lookup FIELD=PATH)")
        return v


class AnsweredCheck(_M):
    """A column that says on its own whether a call was answered (a status, an answered flag).

    Reading the outcome from a lookup list that is not the account's own gives wrong outcomes
    without any unreadable row; this column catches it: a conversation on a call the column says
    was not answered, or 'no_answer' on one it says was, beyond a few slips, stops the read."""

    column: str
    answered: list[str] = Field(default_factory=list, description="values meaning the call was answered")
    not_answered: list[str] = Field(default_factory=list, description="values meaning it was not")


class Timestamps(_M):
    format: str = Field(default="auto", description="'auto' (ISO 8601 with or without offset, or Unix seconds or "
                        "milliseconds), 'ISO8601', 'epoch_ms', 'epoch_s' or a strftime format")
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
    drop: dict[str, list[str]] = Field(
        default_factory=dict, description="rows whose column holds one of these values are left out (e.g. deleted rows)")
    answered: Optional[AnsweredCheck] = Field(default=None, description="a column to cross-check the outcomes against")
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

