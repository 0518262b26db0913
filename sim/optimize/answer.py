"""The optimizer's answer for people: the final table (each contender against the team's current
cadence, paired) and the sentences, from an ``Outcome``."""
from __future__ import annotations

import math

from sim.experiment.progress import clock_text
from sim.model.metrics import lookup
from sim.present.report import describe_strategy
from sim.scenario.strategies import display_name
from sim.optimize.search import Outcome, interval, strategy_of
from sim.optimize.selection import paired


def name_of(out: Outcome, key: str) -> str:
    c = out.candidates[key]
    if c.origin == "scenario":
        return display_name(key, strategy_of(c))
    return "Optimized" if key == out.winner else f"Candidate {c.trial}"


def _num(metric: str, value: float, sign: str = "") -> str:
    """A value of ``metric`` as a sentence shows it (``sign="+"``: a difference, shares in points)."""
    m = lookup(metric)
    if math.isnan(value):
        return "n/a"
    if m is not None and m.unit == "share":
        return f"{100 * value:{sign}.2f}" + (" pp" if sign else "%")
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign},.3g}"


def _size(metric: str, value: float) -> str:
    """A difference without its sign (an indifference zone)."""
    return _diff(metric, value).lstrip("+")


def _diff(metric: str, value: float) -> str:
    return _num(metric, value, "+")


def final_rows(out: Outcome) -> list[dict]:
    """One row per contender of the final selection: its objective and constraint metrics (mean and
    95% interval over the fresh replications) and its paired difference from the current cadence."""
    obj = out.settings.objective.metric
    base = [float(r[obj]) for r in out.final[out.current]]
    rows = []
    for key in sorted(out.contenders, key=lambda k: out.settings.objective.better(interval(out.final[k], obj)[0]),
                      reverse=True):
        runs = out.final[key]
        mean, lo, hi, n = interval(runs, obj)
        row = {"strategy": key, "name": name_of(out, key), "origin": out.candidates[key].origin,
               "replications": n, "kept_by_selection": key in out.survivors,
               f"{obj}": mean, f"{obj}_low": lo, f"{obj}_high": hi}
        if key != out.current:
            p = paired([float(r[obj]) for r in runs], base)
            row.update({f"{obj}_vs_current": p.diff, f"{obj}_vs_current_low": p.diff_low,
                        f"{obj}_vs_current_high": p.diff_high, "ratio_to_current": p.ratio,
                        "ratio_low": p.ratio_low, "ratio_high": p.ratio_high, "paired_replications": p.n})
        for c in out.settings.constraints:
            cm, clo, chi, _ = interval(runs, c.metric)
            row.update({c.metric: cm, f"{c.metric}_low": clo, f"{c.metric}_high": chi,
                        f"{c.text()}": c.judge(cm, clo, chi)})
        row["description"] = describe_strategy(strategy_of(out.candidates[key]), out.has_inbound)
        rows.append(row)
    return rows


def _pct(r: float) -> str:
    return f"{100 * (r - 1):+.0f}%"


def sentences(out: Outcome) -> list[str]:
    s = out.settings
    obj = s.objective.metric
    goals = ", ".join(c.text() for c in s.constraints)
    if out.winner is None:
        closest = out.candidates[out.closest]
        misses = "; ".join(f"{c.metric} {_num(c.metric, closest.means[c.metric])} against {c.op}{c.limit:g}"
                           for c in s.constraints if c.slack(closest.means[c.metric]) > 0)
        return [f"No cadence met the constraints ({goals}) in {len(out.candidates)} tried; the closest was "
                f"{name_of(out, out.closest)}: {misses}. {describe_strategy(strategy_of(closest), out.has_inbound)}"] + _took(out)
    win = out.candidates[out.winner]
    runs = out.final[out.winner]
    base = out.final[out.current]
    p = paired([float(r[obj]) for r in runs], [float(r[obj]) for r in base])
    current = name_of(out, out.current)
    said = []
    if out.winner == out.current:
        said.append(f"Your cadence ({current}) stayed the best: no cadence found beat it by more than the "
                    f"indifference zone of {_size(obj, out.delta)} {obj}.")
    else:
        ratio = (f"{obj} about {_pct(p.ratio)} against your cadence, {current} (95% interval {_pct(p.ratio_low)} to "
                 f"{_pct(p.ratio_high)}" if not math.isnan(p.ratio_low) else
                 f"{obj} {_diff(obj, p.diff)} against your cadence, {current} (95% interval {_diff(obj, p.diff_low)} "
                 f"to {_diff(obj, p.diff_high)}")
        said.append(f"{describe_strategy(strategy_of(win), out.has_inbound).rstrip('.')}: {ratio}, paired over {p.n} fresh "
                    f"replications).")
    if s.constraints:
        judged = []
        for c in s.constraints:
            m, lo, hi, _ = interval(runs, c.metric)
            judged.append(f"{c.metric} {_num(c.metric, m)} (95% interval {_num(c.metric, lo)} to {_num(c.metric, hi)}) "
                          f"against {c.op}{c.limit:g}: {c.judge(m, lo, hi)}")
        said.append("Constraints: " + "; ".join(judged) + ".")
        unsure = [c for c in s.constraints if c.judge(*interval(runs, c.metric)[:3]) != "met"]
        safe = [key for key in out.contenders if key != out.winner and all(
            c.judge(*interval(out.final[key], c.metric)[:3]) == "met" for c in s.constraints)]
        if unsure and safe:
            best_safe = max(safe, key=lambda key: s.objective.better(interval(out.final[key], obj)[0]))
            q = paired([float(x[obj]) for x in out.final[best_safe]], [float(x[obj]) for x in runs])
            said.append(f"The data cannot yet tell whether the best keeps to {', '.join(c.text() for c in unsure)}. "
                        f"If every limit must hold for sure, {name_of(out, best_safe)} met them all, at {obj} "
                        f"{_diff(obj, q.diff)} against the best (95% interval {_diff(obj, q.diff_low)} to "
                        f"{_diff(obj, q.diff_high)}); its rules are in selection.csv.")
    k, r = len(out.contenders), max(len(v) for v in out.final.values())
    if out.separated:
        said.append(f"Selection: best of the {k} finalists, or within {_size(obj, out.delta)} {obj} of the best, with "
                    f"probability at least {1 - s.alpha:.0%} (Kim-Nelson procedure, up to {r} fresh replications each).")
    else:
        left = ", ".join(name_of(out, k2) for k2 in out.survivors)
        said.append(f"Selection: the {out.stopped_by} ran out before the {k} finalists were separated; still in: "
                    f"{left} (within {_size(obj, out.delta)} {obj} of each other could not be ruled out). The highest "
                    f"mean is shown as the best; a larger "
                    f"{'--minutes' if out.stopped_by == 'time' else '--budget'} can decide.")
    if out.best_listed is not None and out.best_listed != out.winner and out.best_listed in out.final:
        q = paired([float(x[obj]) for x in runs], [float(x[obj]) for x in out.final[out.best_listed]])
        said.append(f"Against the best strategy the scenario lists ({name_of(out, out.best_listed)}): "
                    f"{obj} {_diff(obj, q.diff)} (95% interval {_diff(obj, q.diff_low)} to {_diff(obj, q.diff_high)}), "
                    f"paired over {q.n} replications.")
    return said + _took(out)


def _took(out: Outcome) -> list[str]:
    """How long a search with --minutes ran, and what stopped it (nothing without --minutes)."""
    minutes = out.settings.minutes
    if minutes is None:
        return []
    why = ("it stopped where the next runs, at the time per run measured so far, would not have ended in time"
           if out.stopped_by == "time" else "the --budget of runs ran out first")
    return [f"Time: it ran {clock_text(out.seconds)} of the {clock_text(60 * minutes)} allowed ({out.runs} runs); {why}."]


def _cell(metric: str, mean: float, low: float, high: float, sign: bool = False) -> str:
    """``mean±half-width`` in the unit tables show the metric in (close rate in %)."""
    m = lookup(metric)
    scale, digits = (m.scale, m.digits + (m.scale == 100)) if m is not None else (1.0, 2)
    if math.isnan(mean):
        return "-"
    text = f"{mean * scale:{'+' if sign else ''},.{digits}f}"
    return text if math.isnan(low) else text + f"±{(high - low) / 2 * scale:,.{digits}f}"


def _header(metric: str) -> str:
    """A column's header: the registry's short one (on two lines) where it has one, with the unit
    the cells are shown in."""
    m = lookup(metric)
    scale = m.scale if m is not None else 1.0
    unit = {100: " %", 1e-3: " (thousands)"}.get(scale, "")
    if m is not None and m.header:
        return m.header + ("" if unit == " %" else unit.replace(" ", "\n", 1))
    return metric + unit


def console_table(out: Outcome) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted cells of the finalists (mean±95% half-width), for the terminal."""
    obj = out.settings.objective.metric
    headers = ["Cadence", "Runs", _header(obj), "vs current"] + [
        f"{_header(c.metric)}\n{c.op}{c.limit:g}" for c in out.settings.constraints]
    rows = []
    for row in final_rows(out):
        cells = [row["name"] + ("" if row["kept_by_selection"] else " (dropped)"), str(row["replications"]),
                 _cell(obj, row[obj], row[obj + "_low"], row[obj + "_high"])]
        if row["strategy"] == out.current:
            cells.append("current")
        else:
            cells.append(_cell(obj, row[obj + "_vs_current"], row[obj + "_vs_current_low"],
                               row[obj + "_vs_current_high"], sign=True))
        for c in out.settings.constraints:
            cells.append(f"{_cell(c.metric, row[c.metric], row[c.metric + '_low'], row[c.metric + '_high'])} "
                         f"{row[c.text()]}")
        rows.append(cells)
    return headers, rows
