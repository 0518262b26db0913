"""How followup-sim knows a results folder is its own: the marker in its ``manifest.json``.

Every results folder's manifest carries ``"tool": "followup-sim"``, the manifest's format
version and ``"files"``: the paths (relative, ``/``-separated) of every file the command wrote,
``manifest.json`` included, and the sha256 of the files ``report`` reads back (``"digests"``).
Only a folder with that marker is ever replaced, and replacing it
removes only the files it lists, after checking that each stays inside the folder and is not
reached through a link; anything else in the folder stays and is reported.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import Optional

TOOL = "followup-sim"
FORMAT = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 10_000_000
DIGESTED = ("runs.csv", "summary.csv", "scenario.yaml")  # what ``report`` reads back: checked against these


def digest(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: Path) -> Optional[dict]:
    """The JSON object in ``folder/manifest.json``, or None (missing, too large, not JSON, not an object)."""
    path = Path(folder) / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return info if isinstance(info, dict) else None


def is_ours(info: Optional[dict]) -> bool:
    """Whether a manifest carries this tool's marker (name, a format it knows, a list of file names)."""
    return (isinstance(info, dict) and info.get("tool") == TOOL and info.get("format") == FORMAT
            and isinstance(info.get("files"), list) and all(isinstance(f, str) for f in info["files"]))


def files_in(folder: Path) -> list[str]:
    """Every file (or link) under ``folder``, as sorted relative ``/``-separated paths."""
    folder = Path(folder)
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        out += [(rel / name).as_posix() for name in files]
        out += [(rel / name).as_posix() for name in dirs if (Path(root) / name).is_symlink()]
    return sorted(p.removeprefix("./") for p in out)


def stamp(folder: Path) -> list[str]:
    """Add the marker to the manifest ``folder`` holds (written by the command), listing every
    file in the folder; returns that list."""
    path = Path(folder) / MANIFEST
    info = json.loads(path.read_text(encoding="utf-8"))
    names = sorted(set(files_in(folder)) | {MANIFEST})
    digests = {name: digest(Path(folder) / name) for name in names if name in DIGESTED}
    info = {"tool": TOOL, "format": FORMAT, **info, "files": names, "digests": digests}
    path.write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    return names


def add_file(folder: Path, name: str) -> bool:
    """List one more file written later into a folder of ours (``report`` adds report.html); False if not ours."""
    info = read_manifest(folder)
    if not is_ours(info):
        return False
    if name not in info["files"]:
        info["files"] = sorted(info["files"] + [name])
        (Path(folder) / MANIFEST).write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    return True


def _listed_path(folder: Path, name: str) -> Optional[Path]:
    """``folder/name`` if ``name`` is a plain relative path staying inside ``folder`` and no folder
    on the way is a link; else None (such an entry is never acted on)."""
    rel = PurePosixPath(name)
    if not name or rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts) or "\\" in name:
        return None
    path = folder.joinpath(*rel.parts)
    probe = path.parent
    while probe != folder:
        if probe.is_symlink() or not probe.is_dir():
            return None
        probe = probe.parent
    return path


def remove_listed(folder: Path, names: list[str]) -> list[str]:
    """Remove the files of ``names`` from ``folder`` (manifest first, so it no longer looks finished),
    then the folders they leave empty; returns the paths left in the folder (not ours)."""
    folder = Path(folder)
    parents: set[Path] = set()
    for name in [MANIFEST] + [n for n in names if n != MANIFEST]:
        path = _listed_path(folder, name)
        if path is None or not (path.is_symlink() or path.is_file()):
            continue
        path.unlink()
        parents.update(p for p in path.parents if folder in p.parents)
    for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        try:
            parent.rmdir()  # only when empty
        except OSError:
            pass
    return files_in(folder)
