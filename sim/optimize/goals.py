"""What the optimizer aims at: an objective (a metric of the registry, in its better direction)
and constraints such as ``complaints_per_1000<=15``, judged with their 95% intervals."""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Optional

from sim.scenario.errors import UserError
from sim.model.metrics import lookup, metric_names
from sim.scenario.schema import Scenario


class OptimizeError(UserError):
    """An optimize request that cannot be carried out (a bad objective, constraint, budget or space)."""


@dataclass(frozen=True)
class Objective:
    metric: str
    maximize: bool

    def better(self, value: float) -> float:
        """The value with its sign set so that higher is better."""
        return value if self.maximize else -value

    def text(self) -> str:
        return f"{'highest' if self.maximize else 'lowest'} {self.metric}"


@dataclass(frozen=True)
class Constraint:
    metric: str
    op: str  # "<=" or ">="
    limit: float

    def text(self) -> str:
        return f"{self.metric}{self.op}{self.limit:g}"

    def slack(self, value: float) -> float:
        """How far ``value`` is over the limit (<= 0: met); NaN counts as missed."""
        if math.isnan(value):
            return math.inf
        return value - self.limit if self.op == "<=" else self.limit - value

    def judge(self, mean: float, low: float, high: float) -> str:
        """``met`` when the whole 95% interval is inside the limit, ``missed`` when the mean is
        outside, else ``unsure`` (the data cannot tell)."""
        if self.slack(mean) > 0:
            return "missed"
        far = high if self.op == "<=" else low
        if math.isnan(far) or self.slack(far) > 0:
            return "unsure"
        return "met"


_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=)\s*([-+]?[0-9][0-9_,]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*$")


def _known(name: str, scenario: Scenario, what: str) -> None:
    names = metric_names(scenario)
    if name in names:
        return
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    money = " (profit and the other money metrics need a money: section)" if lookup(name) is not None else ""
    raise OptimizeError(f"{what}: {name!r} is not a metric of this scenario{money}{hint}; "
                        "the metrics are listed in docs/model.md section 8")


def parse_constraint(text: str, scenario: Scenario) -> Constraint:
    """``METRIC<=NUMBER`` or ``METRIC>=NUMBER`` as a Constraint, or OptimizeError saying what is wrong."""
    m = _CONSTRAINT.match(text)
    if m is None:
        raise OptimizeError(f"--constraint {text!r}: expected METRIC<=NUMBER or METRIC>=NUMBER, "
                            "e.g. complaints_per_1000<=15")
    _known(m.group(1), scenario, f"--constraint {text!r}")
    return Constraint(m.group(1), m.group(2), float(m.group(3).replace("_", "").replace(",", "")))


def objective_for(name: Optional[str], scenario: Scenario) -> Objective:
    """The objective: ``name``, or profit when the scenario has money, else close rate."""
    if name is None:
        name = "profit" if scenario.money is not None else "close_rate"
    _known(name, scenario, f"--objective {name!r}")
    metric = lookup(name)
    if metric is None or metric.higher_is_better is None:
        raise OptimizeError(f"--objective {name!r}: this metric has no better direction (it counts work or size); "
                            "choose one such as profit, close_rate, sales or complaints_per_1000")
    return Objective(name, metric.higher_is_better)
