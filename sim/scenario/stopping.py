"""The team's own stopping in a strategy (``give_up``): give up on a prospect after k attempts
without a sale, k drawn per prospect from a table, as a fit's stopping.csv gives it.

The table is given one of two ways, by attempt j = 0, 1, 2, ...:

- ``hazard``: after attempt j without a sale, the chance that the team gives up there (given it
  had not before; j = 0 is before the first attempt);
- ``probability``: the chance that k = j (summing to at most 1).

Past the table the team never gives up (the cadence's own end, ``max_touches`` and the horizon
still apply), so hazards [.., 1] make the table's end a hard stop. ``segments`` give other tables
to prospects of some segment values (the first entry that matches a prospect's values wins).
"""
from __future__ import annotations

import math
from typing import Any, Optional

from pydantic import Field, field_validator, model_validator

from sim.scenario.fields import _M

MAX_TABLE = 10_000


class GiveUpTable(_M):
    hazard: Optional[list[float]] = Field(default=None, description="by attempt j: chance of giving up after it")
    probability: Optional[list[float]] = Field(default=None, description="by attempt j: chance that k = j")

    @model_validator(mode="after")
    def _one(self) -> "GiveUpTable":
        if (self.hazard is None) == (self.probability is None):
            raise ValueError("give exactly one of hazard (by attempt) or probability (of k = attempt)")
        table = self.hazard if self.hazard is not None else self.probability
        name = "hazard" if self.hazard is not None else "probability"
        if not table or len(table) > MAX_TABLE:
            raise ValueError(f"{name}: expected 1 to {MAX_TABLE} numbers, one per attempt (0, 1, 2, ...)")
        for j, x in enumerate(table):
            if not 0 <= x <= 1:
                raise ValueError(f"{name}[{j}]: {x:g} is not a chance between 0 and 1")
        if self.probability is not None and math.fsum(table) > 1 + 1e-6:
            raise ValueError(f"probability: the chances sum to {math.fsum(table):.4g}, above 1")
        return self

    def cdf(self) -> list[float]:
        """P(k <= j) by j (what a per-prospect uniform is compared with)."""
        out, total, alive = [], 0.0, 1.0
        if self.probability is not None:
            for x in self.probability:
                total += x
                out.append(min(total, 1.0))
            return out
        for h in self.hazard:
            total += alive * h
            alive *= 1.0 - h
            out.append(min(total, 1.0))
        return out

    def mean_words(self) -> str:
        """The median k in words (for descriptions), or that fewer than half are ever given up on."""
        for j, c in enumerate(self.cdf()):
            if c >= 0.5:
                return f"half of those not sold given up by attempt {j}"
        return "fewer than half of those not sold ever given up"


class SegmentGiveUp(GiveUpTable):
    """A give-up table for the prospects whose segment values match ``when``."""

    when: dict[str, str] = Field(description="column -> value: the prospects this table is for")

    @field_validator("when", mode="before")
    @classmethod
    def _texts(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): (str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x)
                    for k, x in v.items()}
        return v


class GiveUp(GiveUpTable):
    """Give up on a prospect after k attempts without a sale, k drawn per prospect (module docstring)."""

    segments: list[SegmentGiveUp] = Field(default_factory=list,
                                          description="other tables for prospects of some segment values")


__all__ = ["GiveUp", "GiveUpTable", "SegmentGiveUp"]
