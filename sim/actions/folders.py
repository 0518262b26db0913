"""Where results go, without losing anyone's data: the output folder is checked, locked and
written through a hidden partial folder that keeps finished runs for ``--resume``.

The rule for an existing ``--out`` (stated in the README):

- a new path is created;
- an earlier results folder of the same kind and scenario (its ``manifest.json`` says so) is
  replaced, as a rerun expects;
- a results folder of another scenario or kind is replaced only with ``--force``;
- anything else (a file, a device, a folder without ``manifest.json`` such as your scenarios,
  the current folder or one above it) is never replaced, even with ``--force``.

All of this is decided, and the location proved writable, before any simulating.

While a run goes, ``.<name>.lock`` beside the folder holds an exclusive lock (a second run
into the same folder is refused) and ``.<name>.partial/`` receives each finished run as it
finishes. At the end the results are written into the partial folder and it is renamed into
place; after an interruption it stays, hidden, for ``run --resume``.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any, Callable, Optional

from sim.scenario.errors import UserError


class OutputError(UserError):
    """The output location cannot be used; the message says why and what to do."""


KINDS = ("run", "sweep", "calibration", "fit", "optimize")


def manifest_of(folder: Path) -> Optional[dict]:
    """The manifest of a followup-sim results folder, or None when ``folder`` is not one."""
    path = Path(folder) / "manifest.json"
    try:
        if not path.is_file() or path.stat().st_size > 10_000_000:
            return None
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def kind_of(info: dict) -> str:
    """What wrote a manifest: manifests from before ``kind`` was recorded are told by their keys."""
    if info.get("kind") in KINDS:
        return info["kind"]
    if "grid" in info:
        return "sweep"
    if "scenario" not in info and "model" in info:
        return "calibration"
    return "run"


def _describe(info: dict) -> str:
    kind = kind_of(info)
    if kind == "calibration":
        return "a calibration"
    return f"a {kind} of scenario {info.get('scenario', '?')!r}"


def check_output(out: Path, kind: str, scenario: str, force: bool = False) -> Path:
    """Refuse, with OutputError, an output path whose writing could lose data or cannot work."""
    out = Path(out)
    shown = str(out) or "''"
    if out.name in ("", ".", ".."):
        raise OutputError(f"--out {shown}: expected a folder name to create or replace, not {shown!r}")
    try:
        target = out.resolve()
        here = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputError(f"--out {shown}: cannot use this path ({exc})") from None
    if target == here or target in here.parents or target.parent == target:
        raise OutputError(f"--out {shown}: that is the current folder or one above it; choose a new folder")
    if out.is_symlink():
        raise OutputError(f"--out {shown}: is a symbolic link; followup-sim does not replace links")
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"--out {shown}: exists and is not a folder; followup-sim never replaces it "
                              "(choose another --out)")
        info = manifest_of(out)
        if info is None:
            raise OutputError(f"--out {shown}: exists and is not a followup-sim results folder (no manifest.json); "
                              "followup-sim never replaces it, even with --force (choose another --out)")
        same = kind_of(info) == kind and (kind == "calibration" or info.get("scenario") == scenario)
        if not same and not force:
            raise OutputError(f"--out {shown}: holds the results of {_describe(info)}; add --force to replace them, "
                              "or choose another --out")
    _check_writable(out, shown)
    return out


def _check_writable(out: Path, shown: str) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    probe = parent
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"--out {shown}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"--out {shown}: cannot write in {probe} (permission denied)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ResultsFolder:
    """One output folder, for the length of one command: checked, locked, written atomically.

    Use as a context manager. ``save(i, result)`` keeps finished run i in the partial folder,
    ``finished()`` reads back those of an interrupted run (with ``resume``), ``commit(write)``
    writes the final files with ``write(folder)`` and renames the folder into place.
    """

    def __init__(self, out: Path, kind: str, scenario: str, fingerprint: str = "", force: bool = False,
                 resume: bool = False):
        self.out = Path(out)
        self.kind, self.scenario, self.fingerprint = kind, scenario, fingerprint
        self.force, self.resume = force, resume
        self.partial = self.out.parent / f".{self.out.name}.partial"
        self.lock_path = self.out.parent / f".{self.out.name}.lock"
        self._lock_fd: Optional[int] = None
        self.discarded = 0  # finished runs of an earlier interrupted run, dropped (no --resume)
        self.saved = 0

    # ------------------------------------------------------------ set-up and tear-down
    def __enter__(self) -> "ResultsFolder":
        check_output(self.out, self.kind, self.scenario, self.force)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock()
            self._prepare_partial()
        except OSError as exc:
            self._unlock()
            raise OutputError(f"--out {self.out}: cannot write there ({exc.strerror or exc})") from None
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.partial.exists() and self.saved_runs() == 0:
                shutil.rmtree(self.partial, ignore_errors=True)  # nothing worth resuming
        finally:
            self._unlock()

    def _lock(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                holder = self._holder()
                raise OutputError(f"--out {self.out}: another followup-sim command is writing there"
                                  f"{f' (process {holder})' if holder else ''}; wait for it or choose another --out") from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _holder(self) -> Optional[int]:
        try:
            pid = int(self.lock_path.read_text().strip() or 0)
        except (OSError, ValueError):
            return None
        return pid if pid and _pid_alive(pid) else None

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            self.lock_path.unlink(missing_ok=True)
        except OSError:
            pass
        os.close(self._lock_fd)
        self._lock_fd = None

    def _prepare_partial(self) -> None:
        stamp = self.partial / "fingerprint.txt"
        if self.partial.exists() and not self.partial.is_dir():
            raise OutputError(f"{self.partial} is in the way (a file); remove it")
        if self.resume:
            if not self.partial.is_dir():
                raise OutputError(f"--resume: no interrupted run to resume in {self.partial}")
            try:
                kept = stamp.read_text(encoding="utf-8")
            except OSError:
                kept = None
            if kept != self.fingerprint:
                raise OutputError(f"--resume: the interrupted run in {self.partial} is of another scenario, seed, "
                                  "replication count or --events setting; run without --resume to start afresh")
            return
        if self.partial.exists():
            self.discarded = self.saved_runs()
            shutil.rmtree(self.partial)
        (self.partial / "runs").mkdir(parents=True)
        stamp.write_text(self.fingerprint, encoding="utf-8")

    # ------------------------------------------------------------ finished runs
    def _run_path(self, index: int) -> Path:
        return self.partial / "runs" / f"{index:06d}.pickle"

    def saved_runs(self) -> int:
        try:
            return sum(1 for p in (self.partial / "runs").iterdir() if p.suffix == ".pickle")
        except OSError:
            return 0

    def save(self, index: int, result: Any) -> None:
        """Keep finished run ``index`` (written to a temporary name, then renamed: never half a file)."""
        path = self._run_path(index)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        self.saved += 1

    def finished(self, count: int) -> dict[int, Any]:
        """The runs an interrupted run kept (only with ``resume``); an unreadable one is run again.

        The files are the ones this program wrote into the user's own results folder."""
        if not self.resume:
            return {}
        out: dict[int, Any] = {}
        for i in range(count):
            path = self._run_path(i)
            if path.is_file():
                try:
                    with open(path, "rb") as fh:
                        out[i] = pickle.load(fh)  # noqa: S301 - written by this program, see above
                except Exception:  # a damaged file: that run is simply run again
                    path.unlink(missing_ok=True)
        return out

    # ------------------------------------------------------------ the end
    def commit(self, write: Callable[[Path], None]) -> Path:
        """``write(folder)`` the final files into the partial folder, then rename it into place."""
        write(self.partial)
        shutil.rmtree(self.partial / "runs", ignore_errors=True)
        (self.partial / "fingerprint.txt").unlink(missing_ok=True)
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            self.out.rename(old)
            self.partial.rename(self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            self.partial.rename(self.out)
        return self.out
