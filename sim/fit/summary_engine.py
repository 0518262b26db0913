"""The log beside the engine: the fitted scenario's ``as_logged`` run by the simulation engine, its
figures computed as ``summary_report.figures`` computes the log's (close rate, attempts per
prospect, shares of sales by attempt, close rate per segment value)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.model.engine import run_replication
from sim.model.metrics import SALES_BY_ATTEMPT_MAX
from sim.scenario.schema import Scenario


def engine_figures(metrics: dict[str, float], bins, segments: dict[str, list[str]]) -> list[float]:
    """One run's figures in the log's order (``bins``: (label, low, high) attempts)."""
    sales = max(metrics["sales"], 1)
    out = [100 * metrics["close_rate"], metrics["calls"] / metrics["prospects"]]
    by_attempt = {k: metrics[f"sales_attempt_{k}"] for k in range(SALES_BY_ATTEMPT_MAX + 1)}
    tail = metrics[f"sales_attempt_{SALES_BY_ATTEMPT_MAX + 1}plus"]
    for _label, lo, hi in bins:
        n = sum(v for k, v in by_attempt.items() if lo <= k <= hi) + (tail if hi > SALES_BY_ATTEMPT_MAX else 0)
        out.append(100 * n / sales)
    for col, values in segments.items():
        out += [100 * metrics[f"segment_{col}_{v}_close_rate"] for v in values]
    return out


def engine_comparison(text: str, comp: pd.DataFrame, bins, segments: dict[str, list[str]],
                      replications: int) -> pd.DataFrame:
    """``comp`` with the engine's mean and 95% prediction range over ``replications`` runs of the
    fitted scenario's as_logged (where one more run would fall: mean +- t sd sqrt(1 + 1/n)),
    and whether the log is inside it."""
    sc = Scenario.model_validate(yaml.safe_load(text))
    runs = np.array([engine_figures(run_replication(sc, "as_logged", r).metrics, bins, segments)
                     for r in range(replications)])
    mean = runs.mean(axis=0)
    if replications > 1:
        half = stats.t.ppf(0.975, replications - 1) * runs.std(axis=0, ddof=1) * math.sqrt(1 + 1 / replications)
    else:
        half = np.full(len(mean), np.nan)
    out = comp.copy()
    out["engine"] = mean
    out["engine_low"], out["engine_high"] = np.maximum(mean - half, 0.0), mean + half  # no figure is below 0
    out["engine_inside"] = (out["log"] >= out["engine_low"]) & (out["log"] <= out["engine_high"])
    out["engine_replications"] = replications
    return out


__all__ = ["engine_figures", "engine_comparison"]
