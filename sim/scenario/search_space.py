"""The ``optimize:`` section of a scenario: which cadences ``followup-sim optimize`` may try.

Each field is a range ``[low, high]`` or a list of the values allowed; a one-value list (or a
range with low = high) fixes that field. Left out, a field keeps its default below. Strategy
fields not named here (min gap, booking delay, voicemail, routing, ...) stay as the team's
current strategy (the scenario's ``baseline``) has them.
"""
from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.strategies import Channel
from sim.scenario.units import Minutes

MAX_SEARCH_TOUCHES = 20


class SearchSpace(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)
    touches: tuple[int, int] = Field(default=(1, 8), description="fewest and most cadence steps, e.g. [2, 8]")
    first_gap: tuple[Minutes, Minutes] = Field(default=("1d", "5d"),
                                               description="range of the gap from step 1 to step 2, e.g. [1d, 5d]")
    growth: tuple[float, float] = Field(default=(1.0, 2.5), description="range of the factor each later gap grows "
                                        "by (1 = evenly spaced, 2 = each gap twice the last)")
    channels: list[Channel] = Field(default=["call", "email", "sms"], min_length=1,
                                    description="channels of steps 2 onwards (step 1 is a call)")
    first_response: list[Minutes] = Field(default=["1m", "5m", "15m", "1h", "4h", "1d"], min_length=1,
                                          description="how soon a new inbound lead is called")
    repeat: list[Union[Literal["none"], Minutes]] = Field(
        default=["none", "14d", "30d", "60d"], min_length=1,
        description="after the steps, a call every this long ('none': no repeat)")
    repeat_count: tuple[int, int] = Field(default=(1, 6), description="range of how many repeats")
    stop_on_no: list[bool] = Field(default=[True, False], min_length=1)
    book_next_step: list[bool] = Field(default=[False, True], min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> "SearchSpace":
        for name in ("touches", "first_gap", "growth", "repeat_count"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"{name}: the range [{low}, {high}] is empty (write [low, high])")
        if not 1 <= self.touches[0] <= self.touches[1] <= MAX_SEARCH_TOUCHES:
            raise ValueError(f"touches: between 1 and {MAX_SEARCH_TOUCHES}")
        if self.first_gap[0] <= 0 or self.growth[0] < 1 or self.repeat_count[0] < 1:
            raise ValueError("first_gap must be positive, growth at least 1 and repeat_count at least 1")
        return self
