"""What the scenario's sections share: the strict base model, weekdays, task kinds, and a chance that
depends on readiness."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TaskKind = Literal["booked", "callback", "new_lead", "follow_up", "prospecting"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class ByReadiness(_M):
    """A probability that depends on where the prospect is in their buying journey."""

    ready: float = Field(ge=0, le=1)
    considering: float = Field(ge=0, le=1)
    not_ready: float = Field(ge=0, le=1)
