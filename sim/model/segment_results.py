"""What segments change in a run and what it reports of them: each prospect's conversation rates
(its cell's, ``population.segments``), and per segment value its prospects, calls, sales and close
rate (the ``segment_<column>_<value>_...`` metrics of ``sim/model/metrics.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from sim.model.prospects import WON, Prospect
from sim.model.touches import ConversationRules
from sim.scenario.segments import Cell, Segments, merged_conversation

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.scenario.strategies import Strategy


def cell_conversations(sc: "Scenario", strategy: "Strategy", cells: Optional[list[Cell]],
                       segment: Optional[np.ndarray]) -> Optional[list[ConversationRules]]:
    """Each prospect's conversation rules (one object per cell, shared), or None without segments
    (then every prospect has the scenario's)."""
    if cells is None or segment is None:
        return None
    rules = [ConversationRules(merged_conversation(sc.conversation, c.conversation), strategy.book_next_step)
             for c in cells]
    return [rules[i] for i in segment.tolist()]


@dataclass
class SegmentRecord:
    """Per prospect its cell and calls, with the columns and values the cells stand for."""

    columns: list[str]
    values: dict[str, list[str]]  # column -> its values, in the scenario's order
    cell_values: list[tuple[str, ...]]  # each cell's value of every column
    cell: np.ndarray  # per prospect: its cell
    calls: np.ndarray  # per prospect: calls made to it


def segment_record(seg: Optional[Segments], segment: Optional[np.ndarray],
                   prospects: list[Prospect]) -> Optional[SegmentRecord]:
    if seg is None or segment is None:
        return None
    calls = np.fromiter((p.calls for p in prospects), dtype=np.int64, count=len(prospects))
    return SegmentRecord(columns=list(seg.columns), values={c: list(v) for c, v in seg.columns.items()},
                         cell_values=[c.values for c in seg.table()], cell=segment, calls=calls)


def segment_metrics(rec: SegmentRecord, status: np.ndarray) -> dict[str, float]:
    """Per column, per value (in the scenario's order): close rate, sales, calls, prospects."""
    out: dict[str, float] = {}
    won = status == WON
    for j, col in enumerate(rec.columns):
        for value in rec.values[col]:
            ids = [i for i, cv in enumerate(rec.cell_values) if cv[j] == value]
            mask = np.isin(rec.cell, ids)
            n = int(mask.sum())
            sales = int(won[mask].sum())
            stem = f"segment_{col}_{value}"
            out[f"{stem}_close_rate"] = sales / n if n else float("nan")
            out[f"{stem}_sales"] = sales
            out[f"{stem}_calls"] = int(rec.calls[mask].sum())
            out[f"{stem}_prospects"] = n
    return out


__all__ = ["cell_conversations", "SegmentRecord", "segment_record", "segment_metrics"]
