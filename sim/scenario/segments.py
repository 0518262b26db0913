"""Segments of the population (``population.segments``): named columns (phone type, an earlier
campaign's outcome, ...) whose values set some of a prospect's parameters.

Two forms, which can be combined:

- per column: each value with its ``share``; a prospect draws each column independently;
- ``cells``: the joint table, one row per combination of values with its share (columns that are
  not independent, e.g. clients whose earlier campaign succeeded are mostly on mobile). Without
  ``columns`` the columns and their values are read from the cells.

A value or a cell may set ``reachability`` (a Distribution replacing ``population.reachability``),
``conversation`` (only the outcome rates ``sale``, ``not_interested`` and ``unqualified``; the rest
of ``conversation`` stays the scenario's) and ``deal_value`` (replacing ``money``'s, needs
``money``). A cell's own setting wins over its values'; a parameter set by the values of two
columns needs cells that set it (a prospect would otherwise have two).
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import Field, field_validator, model_validator

from sim.scenario.distributions import Distribution, Fixed, Gamma, Uniform
from sim.scenario.fields import _M, ByReadiness

SHARE_TOLERANCE = 1e-3  # shares must sum to 1 within this
PARAMS = ("reachability", "conversation", "deal_value")
CONVERSATION_FIELDS = ("sale", "not_interested", "unqualified")
MAX_LABEL = 64
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_label(v: str, what: str) -> str:
    """A column or value name: 1 to 64 characters, no control characters (it names metrics)."""
    if not v or len(v) > MAX_LABEL or _BAD_CHARS.search(v) or v != v.strip():
        raise ValueError(f"{what} {v!r}: expected 1 to {MAX_LABEL} characters, no control characters and no "
                         "leading or trailing spaces")
    return v


def _text_keys(v: Any, what: str) -> Any:
    """Keys written as numbers in YAML (``1:``) read as their text; an unquoted yes/no is refused."""
    if not isinstance(v, dict):
        return v
    out = {}
    for k, x in v.items():
        if isinstance(k, bool):
            raise ValueError(f"{what} {k!r}: an unquoted yes, no, true or false reads as a boolean in YAML: quote it")
        out[str(k) if isinstance(k, (int, float)) else k] = x
    return out


def check_chance(v: Optional[Distribution], what: str = "reachability") -> Optional[Distribution]:
    """A distribution of chances: between 0 and 1."""
    if isinstance(v, Fixed) and v.value > 1:
        raise ValueError(f"{what} is a chance to answer, between 0 and 1 (got value {v.value:g})")
    if isinstance(v, Uniform) and v.high > 1:
        raise ValueError(f"{what} is a chance to answer, between 0 and 1 (got high {v.high:g})")
    if isinstance(v, Gamma):
        raise ValueError(f"{what} is a chance to answer, between 0 and 1: use kind beta, fixed or uniform, "
                         "not gamma (unbounded)")
    return v


class SegmentConversation(_M):
    """The conversation outcome rates a segment may set; a number means the same at every readiness."""

    sale: Optional[ByReadiness] = Field(default=None, description="chance a conversation sells")
    not_interested: Optional[ByReadiness] = Field(default=None, description="chance of a clear no")
    unqualified: Optional[float] = Field(default=None, ge=0, le=1, description="chance the prospect is unqualified")

    @field_validator("sale", "not_interested", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {"ready": v, "considering": v, "not_ready": v}
        return v


class SegmentParams(_M):
    reachability: Optional[Distribution] = Field(
        default=None, description="chance to answer a dial, per prospect (replaces population.reachability)")
    conversation: Optional[SegmentConversation] = Field(
        default=None, description="sale, not_interested, unqualified (replacing the scenario's conversation rates)")
    deal_value: Optional[Distribution] = Field(default=None, description="value of a sale (replaces money's)")

    @field_validator("reachability")
    @classmethod
    def _chance(cls, v: Optional[Distribution]) -> Optional[Distribution]:
        return check_chance(v)

    def given(self) -> set[str]:
        return {k for k in PARAMS if getattr(self, k) is not None}


class SegmentValue(SegmentParams):
    """One value of a segment column."""

    share: Optional[float] = Field(default=None, ge=0, le=1, description="share of prospects with this value")


class SegmentCell(SegmentParams):
    """One combination of values (one per column) with its share of the prospects."""

    values: dict[str, str] = Field(description="column -> value")
    share: float = Field(ge=0, le=1, description="share of prospects in this cell")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        v = _text_keys(v, "column")
        if isinstance(v, dict):
            v = {k: (str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x) for k, x in v.items()}
        return v


@dataclass(frozen=True)
class Cell:
    """A combination of values as the engine draws it: its share and its parameters (None: the scenario's)."""

    values: tuple[str, ...]  # one per column, in column order
    share: float
    reachability: Optional[Distribution]
    conversation: Optional[SegmentConversation]
    deal_value: Optional[Distribution]


class Segments(_M):
    """Segments of the population (module docstring)."""

    columns: dict[str, dict[str, SegmentValue]] = Field(
        default_factory=dict, description="column -> value -> share and parameters")
    cells: list[SegmentCell] = Field(default_factory=list, description="the joint table: values, share, parameters")

    @field_validator("columns", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        v = _text_keys(v, "column")
        if isinstance(v, dict):
            v = {k: (_text_keys(x, "value") if x is not None else {}) for k, x in v.items()}
            v = {k: ({val: ({} if p is None else p) for val, p in x.items()} if isinstance(x, dict) else x)
                 for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Segments":
        if not self.columns and not self.cells:
            raise ValueError("give columns (each value with its share) or cells (the joint table), or leave "
                             "segments out")
        for col, values in self.columns.items():
            check_label(col, "column")
            if not values:
                raise ValueError(f"columns.{col}: a column needs at least one value")
            for value in values:
                check_label(value, f"columns.{col}: value")
        if self.cells:
            self._check_cells()
        else:
            for col, values in self.columns.items():
                missing = [v for v, p in values.items() if p.share is None]
                if missing:
                    raise ValueError(f"columns.{col}.{missing[0]}.share: each value needs its share (or give cells)")
                total = math.fsum(p.share for p in values.values())
                if abs(total - 1) > SHARE_TOLERANCE:
                    raise ValueError(f"columns.{col}: the shares of its values sum to {total:.4g}; expected 1 "
                                     f"(within {SHARE_TOLERANCE:g})")
        self._check_params()
        self._check_names()
        return self

    def _check_cells(self) -> None:
        if not self.columns:  # the columns and their values, in order of first appearance in the cells
            cols: dict[str, dict[str, SegmentValue]] = {}
            for cell in self.cells:
                for col, value in cell.values.items():
                    cols.setdefault(col, {}).setdefault(value, SegmentValue())
            for col, values in cols.items():
                check_label(col, "column")
                for value in values:
                    check_label(value, f"column {col}: value")
            self.columns = cols
        names = list(self.columns)
        seen: dict[tuple[str, ...], int] = {}
        for i, cell in enumerate(self.cells):
            unknown = [c for c in cell.values if c not in self.columns]
            if unknown:
                raise ValueError(f"cells[{i}].values: unknown column {unknown[0]!r}; the columns are "
                                 f"{', '.join(names)}")
            missing = [c for c in names if c not in cell.values]
            if missing:
                raise ValueError(f"cells[{i}].values: no value for column {missing[0]!r} (a cell names a value of "
                                 "every column)")
            for col, value in cell.values.items():
                if value not in self.columns[col]:
                    raise ValueError(f"cells[{i}].values.{col}: {value!r} is not a value of {col} "
                                     f"({', '.join(self.columns[col])})")
            key = tuple(cell.values[c] for c in names)
            if key in seen:
                raise ValueError(f"cells[{i}]: the same values as cells[{seen[key]}]")
            seen[key] = i
        total = math.fsum(c.share for c in self.cells)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"cells: the shares sum to {total:.4g}; expected 1 (within {SHARE_TOLERANCE:g})")
        for col, values in self.columns.items():
            for value, p in values.items():
                if p.share is None:
                    continue
                implied = math.fsum(c.share for c in self.cells if c.values[col] == value)
                if abs(implied - p.share) > 0.01:
                    raise ValueError(f"columns.{col}.{value}.share: {p.share:g}, but its cells add up to "
                                     f"{implied:.4g}; leave the value's share out when cells are given")

    def _check_params(self) -> None:
        """A parameter set by the values of two columns needs every cell to set it."""
        for param in PARAMS:
            setters = [col for col, values in self.columns.items() if any(param in p.given() for p in values.values())]
            if len(setters) > 1 and not (self.cells and all(param in c.given() for c in self.cells)):
                raise ValueError(f"{param} is set by values of both {setters[0]} and {setters[1]}: a prospect would "
                                 f"have two; set it per cell in cells: instead")

    def _check_names(self) -> None:
        """Two (column, value) pairs must not give the same metric name."""
        seen: dict[str, tuple[str, str]] = {}
        for col, values in self.columns.items():
            for value in values:
                key = metric_stem(col, value)
                if key in seen:
                    raise ValueError(f"column {col} value {value!r} and column {seen[key][0]} value "
                                     f"{seen[key][1]!r} give the same metric names ({key}_...): rename one")
                seen[key] = (col, value)

    def table(self) -> list[Cell]:
        """Every combination a prospect can draw, with its share and parameters (the cells, or the
        product of the columns), in a fixed order."""
        names = list(self.columns)
        if self.cells:
            out = []
            for c in self.cells:
                key = tuple(c.values[n] for n in names)
                out.append(self._cell(key, c.share, c))
            return out
        out = []
        for key in itertools.product(*(list(self.columns[n]) for n in names)):
            share = math.prod(self.columns[n][v].share for n, v in zip(names, key))
            out.append(self._cell(key, share, None))
        return out

    def _cell(self, key: tuple[str, ...], share: float, cell: Optional[SegmentCell]) -> Cell:
        values = [self.columns[n][v] for n, v in zip(self.columns, key)]
        found = {}
        for param in PARAMS:
            own = getattr(cell, param) if cell is not None else None
            if own is None:
                own = next((getattr(p, param) for p in values if getattr(p, param) is not None), None)
            found[param] = own
        return Cell(values=key, share=share, **found)


def metric_stem(column: str, value: str) -> str:
    """The start of a segment value's metric names: ``segment_<column>_<value>``."""
    return f"segment_{column}_{value}"


def merged_conversation(conv: Any, seg: Optional[SegmentConversation]) -> Any:
    """The scenario's ``Conversation`` with a segment's outcome rates put in (validated: a
    ValueError says what does not fit)."""
    if seg is None:
        return conv
    data = conv.model_dump()
    for name in CONVERSATION_FIELDS:
        x = getattr(seg, name)
        if x is not None:
            data[name] = x.model_dump() if isinstance(x, ByReadiness) else x
    return type(conv).model_validate(data)


__all__ = ["Segments", "SegmentValue", "SegmentCell", "SegmentConversation", "Cell", "metric_stem",
           "merged_conversation", "check_chance", "CONVERSATION_FIELDS"]
