"""Each prospect's segment cell, drawn before anything is simulated, and what it changes in the world:
its reachability and deal value where its cell sets them (``population.segments``), and the
per-prospect point where a strategy's ``give_up`` rule stops (k attempts without a sale).

Cells come from the replication's ``segments`` stream and the give-up uniforms from its ``give_up``
stream, one value per prospect in prospect order: the strategy never enters them, so the same
prospect is in the same cell and draws the same uniform under every strategy (common random
numbers), and a scenario without segments or give-up rule draws nothing new.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from sim.scenario.segments import Cell, Segments
from sim.scenario.stopping import GiveUp

NEVER = np.iinfo(np.int64).max  # a prospect the team never gives up on


def draw_cells(seg: Segments, reach: np.ndarray, deal: Optional[np.ndarray],
               rng: np.random.Generator) -> tuple[np.ndarray, list[Cell]]:
    """Each prospect's cell (an index into ``seg.table()``), drawn by share; then, cell after cell,
    the reachability and deal values of its prospects where the cell sets them (``reach`` and
    ``deal`` are changed in place)."""
    cells = seg.table()
    shares = np.array([c.share for c in cells], dtype=float)
    cell = rng.choice(len(cells), size=len(reach), p=shares / shares.sum())
    for i, c in enumerate(cells):
        idx = np.flatnonzero(cell == i)
        if c.reachability is not None:
            reach[idx] = c.reachability.sample(rng, len(idx))
        if c.deal_value is not None and deal is not None:
            deal[idx] = c.deal_value.sample(rng, len(idx))
    return cell, cells


def give_up_points(give_up: GiveUp, uniforms: np.ndarray, seg: Optional[Segments],
                   cell: Optional[np.ndarray]) -> np.ndarray:
    """After how many attempts without a sale the team gives up on each prospect (NEVER: past the
    table): the first j with P(k <= j) above the prospect's uniform, from the table of the first
    ``give_up.segments`` entry its cell matches, else the strategy's own."""
    table = np.full(len(uniforms), -1, dtype=np.int64)  # which table: -1 the strategy's, else the entry's index
    if give_up.segments and seg is not None and cell is not None:
        names = list(seg.columns)
        for i, c in enumerate(seg.table()):
            values = dict(zip(names, c.values))
            hit = next((j for j, e in enumerate(give_up.segments)
                        if all(values.get(col) == v for col, v in e.when.items())), -1)
            table[cell == i] = hit
    out = np.empty(len(uniforms), dtype=np.int64)
    for j in np.unique(table):
        source = give_up if j < 0 else give_up.segments[j]
        cdf = np.asarray(source.cdf(), dtype=float)
        idx = np.flatnonzero(table == j)
        k = np.searchsorted(cdf, uniforms[idx], side="right")
        out[idx] = np.where(k >= len(cdf), NEVER, k)
    return out


__all__ = ["draw_cells", "give_up_points", "NEVER"]
