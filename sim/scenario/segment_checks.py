"""Checks of segments against the rest of a scenario: each cell's conversation rates merged with the
scenario's must fit, a deal value needs ``money``, and a strategy's give-up table for some segment
values must name columns and values the population has."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from pydantic import ValidationError

from sim.scenario.segments import merged_conversation

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


def _first_error(err: ValidationError) -> str:
    e = err.errors()[0]
    msg = str(e.get("msg", err))
    return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg


def segment_problems(sc: "Scenario") -> Optional[str]:
    """The first problem, as ``field.path: what is wrong``, or None."""
    seg = sc.population.segments
    for name, strategy in sc.strategies.items():
        if strategy.give_up is None or not strategy.give_up.segments:
            continue
        for i, entry in enumerate(strategy.give_up.segments):
            where = f"strategies.{name}.give_up.segments[{i}].when"
            if seg is None:
                return f"{where}: the population has no segments (population.segments)"
            for col, value in entry.when.items():
                if col not in seg.columns:
                    return f"{where}: unknown column {col!r}; the columns are {', '.join(seg.columns)}"
                if value not in seg.columns[col]:
                    return f"{where}.{col}: {value!r} is not a value of {col} ({', '.join(seg.columns[col])})"
    if seg is None:
        return None
    where_of = (lambda i: f"population.segments.cells[{i}]") if seg.cells else \
        (lambda i: "population.segments (the cell " + ", ".join(f"{c}={v}" for c, v in
                                                               zip(seg.columns, seg.table()[i].values)) + ")")
    for i, cell in enumerate(seg.table()):
        if cell.conversation is not None:
            try:
                merged_conversation(sc.conversation, cell.conversation)
            except ValidationError as err:
                return f"{where_of(i)}.conversation: {_first_error(err)}"
        if cell.deal_value is not None and sc.money is None:
            return f"{where_of(i)}.deal_value: a deal value needs a money: section (revenue is only counted with it)"
    return None
