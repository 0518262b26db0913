"""Finished runs kept on disk for ``run --resume``, in a form that cannot run code when read.

A saved run is one uncompressed ``.npz`` file: numpy arrays only (read with
``allow_pickle=False``, so no object can be rebuilt from it), every table column an array, and
a JSON header stored as bytes. The header names the job the run belongs to (``job_identity``:
the scenario's fingerprint, strategy, replication, seed, event log, package versions) and a
sha256 digest of everything else in the file, both written by the run that finished it.

Reading one back trusts nothing: a file that is not such an archive, holds anything but plain
arrays, is larger unpacked than on disk, whose digest does not match its content, or whose job is
not the one asked for raises ``Rejected`` with the reason, and the caller runs that job again.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from sim.model.results import RunResult
from sim.present.output import package_versions

FORMAT = "followup-sim saved run"
VERSION = 1
SUFFIX = ".npz"
FRAMES = ("daily", "rep_days", "readiness", "events")
ARRAYS = ("response_times", "final_states")
MAX_BYTES = 4 << 30  # a saved run larger than this is not one this program wrote


class Rejected(Exception):
    """A saved run that is not used; ``str()`` says why in a few words."""


def job_identity(fingerprint: str, strategy: str, replication: int, seed: int, event_log: bool) -> dict:
    """What a saved run must belong to: the scenario (its fingerprint's digest), the strategy,
    the replication, the seed, whether it has an event log, and the versions that computed it."""

    return {"scenario": hashlib.sha256(fingerprint.encode()).hexdigest(), "strategy": strategy,
            "replication": int(replication), "seed": int(seed), "event_log": bool(event_log),
            "versions": package_versions()}


# ---------------------------------------------------------------- columns as plain arrays
TEXT_DTYPES = ("object", "str", "string")  # how a text column is rebuilt: only these names are accepted


def _column(values: pd.Series) -> tuple[np.ndarray, Optional[np.ndarray], str]:
    """(array, missing-value mask or None, how to rebuild) for one column: texts become
    fixed-width unicode arrays, categories their texts."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values, how = values.astype(object), "category"
    elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        how = "text:" + str(values.dtype)
    else:
        array = values.to_numpy()
        if array.dtype.hasobject:
            raise TypeError(f"column {values.name!r} of dtype {values.dtype} cannot be saved without pickle")
        return array, None, "array"
    missing = values.isna().to_numpy()
    text = np.asarray(["" if m else str(v) for v, m in zip(values.tolist(), missing)], dtype=str)
    return text, (missing if missing.any() else None), how


def _rebuild(array: np.ndarray, missing: Optional[np.ndarray], how: str) -> Any:
    if how == "array":
        return array
    values = array.astype(object)
    if missing is not None:
        values[missing.astype(bool)] = None
    if how == "category":
        return pd.Categorical(values)
    dtype = how.removeprefix("text:")
    if dtype not in TEXT_DTYPES:
        raise Rejected(f"a column of unknown type {dtype!r}")
    return values if dtype == "object" else pd.array(values, dtype=dtype)


def _pack(result: RunResult) -> tuple[dict[str, np.ndarray], dict]:
    arrays: dict[str, np.ndarray] = {}
    layout: dict[str, Any] = {}
    for name in FRAMES:
        frame = getattr(result, name)
        if frame is None:
            layout[name] = None
            continue
        if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
            frame = frame.reset_index(drop=True)
        cols = []
        for i, col in enumerate(frame.columns):
            arrays[f"{name}.{i}"], missing, how = _column(frame[col])
            if missing is not None:
                arrays[f"{name}.{i}.missing"] = missing
            cols.append([str(col), how])
        layout[name] = {"columns": cols, "rows": len(frame)}
    for name in ARRAYS:
        array = np.asarray(getattr(result, name))
        if array.dtype.hasobject:  # texts (how each prospect ended)
            array, missing, layout[name] = _column(pd.Series(array, dtype=object))
            if missing is not None:
                raise TypeError(f"{name} has missing values")
        else:
            layout[name] = "array"
        arrays[name] = array
    layout["metrics"] = [[str(k), _number(v)] for k, v in result.metrics.items()]
    layout["strategy"], layout["replication"] = result.strategy, int(result.replication)
    return arrays, layout


def _number(value: Any) -> Any:
    """A metric as JSON keeps it (an int stays an int: runs.csv shows it the same)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)


def _digest(arrays: dict[str, np.ndarray], layout: dict, job: dict) -> str:
    h = hashlib.sha256(json.dumps([layout, job], sort_keys=True).encode())
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------- writing and reading
def write_run(path: Path, result: RunResult, job: dict) -> None:
    """Save ``result`` of ``job`` at ``path`` (a temporary name, then renamed: never half a file)."""
    arrays, layout = _pack(result)
    header = {"format": FORMAT, "version": VERSION, "job": job, "layout": layout,
              "digest": _digest(arrays, layout, job)}
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)


def _arrays(path: Path) -> dict[str, np.ndarray]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Rejected(f"{size:,} bytes, more than a saved run holds")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if any(i.compress_type != zipfile.ZIP_STORED or i.file_size > size for i in infos):
                raise Rejected("not written by followup-sim (compressed members)")
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except Rejected:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise Rejected(f"unreadable ({type(exc).__name__})") from None


def saved_job(path: Path) -> dict:
    """The job a saved run says it belongs to, not yet checked (``read_run`` checks it and the
    digest); ``Rejected`` if the file is not a saved run."""
    arrays = _arrays(Path(path))
    try:
        job = json.loads(arrays["header"].tobytes().decode("utf-8"))["job"]
        return {"strategy": str(job["strategy"]), "replication": int(job["replication"])}
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise Rejected(f"unreadable ({type(exc).__name__})") from None


def read_run(path: Path, job: dict) -> RunResult:
    """The run saved at ``path`` if it is whole and belongs to ``job``; else ``Rejected``."""
    arrays = _arrays(Path(path))
    try:
        header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise Rejected("not a saved run of this format version")
        layout = header["layout"]
        if header.get("digest") != _digest(arrays, layout, header["job"]):
            raise Rejected("its content does not match its digest (damaged or edited)")
        if header["job"] != job:
            raise Rejected(f"it belongs to another job ({_difference(header['job'], job)})")
        return _unpack(arrays, layout)
    except Rejected:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, UnicodeDecodeError) as exc:
        raise Rejected(f"unreadable ({type(exc).__name__})") from None


def _difference(found: Any, wanted: dict) -> str:
    if not isinstance(found, dict):
        return "no job recorded"
    keys = [k for k in wanted if found.get(k) != wanted[k]]
    return ", ".join(keys) + " differ" if keys else "other fields"


def _unpack(arrays: dict[str, np.ndarray], layout: dict) -> RunResult:
    frames: dict[str, Optional[pd.DataFrame]] = {}
    for name in FRAMES:
        spec = layout[name]
        if spec is None:
            frames[name] = None
            continue
        data = {col: _rebuild(arrays[f"{name}.{i}"], arrays.get(f"{name}.{i}.missing"), how)
                for i, (col, how) in enumerate(spec["columns"])}
        frame = pd.DataFrame(data, columns=[col for col, _ in spec["columns"]])
        if len(frame) != spec["rows"]:
            raise Rejected("a table's length does not match its layout")
        frames[name] = frame
    metrics = {str(k): v for k, v in layout["metrics"]}
    if not all(isinstance(v, (int, float)) for v in metrics.values()):
        raise Rejected("a metric that is not a number")
    return RunResult(str(layout["strategy"]), int(layout["replication"]), metrics, frames["daily"],
                     frames["rep_days"], frames["readiness"], *[_rebuild(arrays[n], None, layout[n]) for n in ARRAYS],
                     frames["events"])
