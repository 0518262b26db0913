"""The summary fit's round trip: draw per-prospect summaries from known parameters (segments that
differ), fit them, and count how often each 95% interval covers the parameter the rows were drawn with.

``KNOWN_CELLS`` are the known segment cells (phone x previous outcome, as in telemarketing data);
``draw_known`` draws one summary; ``round_trip`` fits one seed; ``recovery_table`` counts coverage
over seeds beside the band a correct 95% interval stays in (``sim.fit.recovery.coverage_band``).
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from sim.fit.recovery import coverage_band
from sim.fit.summary_model import fit_summaries, simulate_group
from sim.fit.summaries import Summaries

SEGMENTS = ["phone", "previous"]
# (phone, previous): rows, mean and concentration of the per-attempt sale chance (or answer chance
# with connected), the team's give-up hazard after each unsold attempt
KNOWN_CELLS = {
    ("mobile", "none"): (6000, 0.07, 4.0, 0.30),
    ("mobile", "failure"): (1500, 0.10, 4.0, 0.30),
    ("mobile", "success"): (400, 0.45, 3.0, 0.25),
    ("landline", "none"): (2500, 0.035, 6.0, 0.40),
    ("landline", "failure"): (600, 0.06, 6.0, 0.40),
    ("landline", "success"): (250, 0.30, 3.0, 0.30),
}
END_HAZARD = 0.02  # the period ends for a prospect still worked after an attempt
LONGEST = 40  # nobody is tried more than this
SELL = 0.5  # with connected: the chance a conversation sells (the answer chance carries the cell's sale chance / SELL)


def cell_params(mean: float, conc: float, give_up: float, connected: bool) -> dict:
    g = np.r_[0.0, np.full(LONGEST - 1, give_up), 1.0]
    c = np.r_[0.0, np.full(LONGEST - 1, END_HAZARD), 1.0]
    if connected:  # a = p * s: the answer chance carries the cell's differences, selling is shared
        return {"mean": min(mean / SELL, 0.95), "conc": conc, "sell": SELL, "g": g, "c": c}
    return {"mean": mean, "conc": conc, "sell": 1.0, "g": g, "c": c}


def draw_known(seed: int, connected: bool = False, scale: float = 1.0) -> pd.DataFrame:
    """One summary in the canonical columns drawn from ``KNOWN_CELLS`` (``scale`` multiplies the rows)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    parts = []
    for (phone, previous), (rows, mean, conc, give_up) in KNOWN_CELLS.items():
        d = simulate_group(cell_params(mean, conc, give_up, connected), int(rows * scale), rng)
        d["phone"], d["previous"] = phone, previous
        parts.append(d)
    f = pd.concat(parts, ignore_index=True)
    f = f.iloc[rng.permutation(len(f))].reset_index(drop=True)
    f.insert(0, "prospect_id", [f"P{i:06d}" for i in range(len(f))])
    cols = ["prospect_id", "attempts", "outcome"] + (["connected"] if connected else []) + SEGMENTS
    return f[cols]


def truths(connected: bool) -> dict[str, float]:
    """Known value of each cell's fitted parameter, keyed 'cell: estimate'."""
    out = {}
    for (phone, previous), (_, mean, conc, _) in KNOWN_CELLS.items():
        p = cell_params(mean, conc, 0.3, connected)
        key = f"{phone} & {previous}"
        if connected:
            out[f"{key}: reach_mean"], out[f"{key}: reach_concentration"] = p["mean"], conc
            out[f"{key}: sell"] = SELL
        else:
            out[f"{key}: sale_mean"], out[f"{key}: sale_concentration"] = mean, conc
    return out


def round_trip(seed: int, connected: bool = False) -> dict[str, tuple[float, float, float]]:
    """(estimate, low, high) of every known parameter from one drawn summary."""
    f = draw_known(seed, connected)
    s = Summaries(frame=f, source=f"known summary, seed {seed}", segments=SEGMENTS, has_connected=connected,
                  rows=len(f), skipped=0)
    fit = fit_summaries(s)
    out = {}
    for key in truths(connected):
        cell, name = key.split(": ")
        g = fit.cells.get(cell)
        e = g.estimates.get(name) if g is not None else None
        out[key] = (e.value, e.low, e.high) if e is not None else (np.nan, np.nan, np.nan)
    return out


def _trip(args: tuple[int, bool]) -> dict:
    return round_trip(*args)


def recovery_table(seeds: list[int], connected: bool = False, workers: int = 1, alpha: float = 0.01) -> pd.DataFrame:
    """Per parameter: truth, mean estimate, mean interval, seeds covered, and the band a correct 95% interval stays in."""
    jobs = [(s, connected) for s in seeds]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(_trip, jobs))
    else:
        runs = [_trip(j) for j in jobs]
    rows = []
    for key, truth in truths(connected).items():
        got = np.array([r[key] for r in runs], float)
        ok = np.isfinite(got[:, 1]) & np.isfinite(got[:, 2])
        covered = int(((got[ok, 1] <= truth) & (truth <= got[ok, 2])).sum())
        lo, hi = coverage_band(int(ok.sum()), alpha=alpha)
        rows.append({"parameter": key, "truth": truth, "median estimate": float(np.nanmedian(got[:, 0])),
                     "median low": float(np.nanmedian(got[ok, 1])) if ok.any() else np.nan,
                     "median high": float(np.nanmedian(got[ok, 2])) if ok.any() else np.nan,
                     "with interval": int(ok.sum()), "covered": covered, "band low": lo, "band high": hi,
                     "within band": lo <= covered <= hi})
    return pd.DataFrame(rows)


def write_sample(path: Path, seed: int = 7) -> int:
    """The shipped example summary (no connected column, two segment columns), with a comment saying how it was made."""
    f = draw_known(seed)
    head = ("# A per-prospect summary drawn from known parameters (sim/fit/summary_recovery.py, KNOWN_CELLS, seed 7):\n"
            "# one row per prospect of a phone campaign; phone and previous are segment columns.\n")
    path.write_text(head + f.to_csv(index=False), encoding="utf-8")
    return len(f)
