"""Tagged distributions for scenario files (``{kind: beta, mean: 0.08, concentration: 20}``).

Each exposes ``mean`` (so tests can compare samples with theory) and ``sample(rng, n)``.
Duration distributions take their parameters in human units (``mean: 6m``).
"""
from __future__ import annotations

import math
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.units import Minutes


MAX_CV = 10.0  # beyond this a gamma or lognormal is almost all in one huge draw (and cv**2 overflows)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Fixed(_Dist):
    """Always the same value."""

    kind: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class Beta(_Dist):
    """A probability that varies between prospects: mean in (0, 1), concentration = alpha + beta."""

    kind: Literal["beta"] = "beta"
    mean: float = Field(gt=0, lt=1)
    concentration: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _drawable(self) -> "Beta":
        if not (self.mean * self.concentration > 0 and (1 - self.mean) * self.concentration > 0):
            raise ValueError("mean x concentration and (1 - mean) x concentration must both be above 0")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        a = self.mean * self.concentration
        return rng.beta(a, self.concentration - a, n)


class Gamma(_Dist):
    """A positive quantity with a mean and a coefficient of variation (cv = sd / mean)."""

    kind: Literal["gamma"] = "gamma"
    mean: float = Field(gt=0)
    cv: float = Field(default=0.5, gt=0, le=MAX_CV)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, n)


class Uniform(_Dist):
    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.high < self.low:
            raise ValueError("high must be at least low")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


Distribution = Annotated[Union[Fixed, Beta, Gamma, Uniform], Field(discriminator="kind")]


class FixedDuration(_Dist):
    kind: Literal["fixed"] = "fixed"
    value: Minutes

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class ExponentialDuration(_Dist):
    kind: Literal["exponential"] = "exponential"
    mean: Minutes = Field(gt=0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)


class LognormalDuration(_Dist):
    """A right-skewed duration with the given mean and coefficient of variation."""

    kind: Literal["lognormal"] = "lognormal"
    mean: Minutes = Field(gt=0)
    cv: float = Field(default=0.6, gt=0, le=MAX_CV)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # math, not numpy: numpy's log1p and log take SIMD paths that differ in the last bit
        # between CPUs (AVX-512 against AVX2), and every duration drawn would inherit it
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


DurationDistribution = Annotated[
    Union[FixedDuration, ExponentialDuration, LognormalDuration], Field(discriminator="kind")
]

# Every ``kind`` a union above accepts: pydantic names it in the location of an error
# inside the chosen model, where it is no field of the file (see loading._path).
KIND_TAGS = frozenset(m.model_fields["kind"].default for m in (
    Fixed, Beta, Gamma, Uniform, FixedDuration, ExponentialDuration, LognormalDuration))
