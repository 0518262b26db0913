"""Where results go, without losing anyone's data: the output folder is checked, locked and
written through a hidden partial folder that keeps finished runs for ``--resume``.

The rule for an existing ``--out`` (stated in the README):

- a new path is created;
- a results folder this tool wrote (its ``manifest.json`` carries the marker of
  ``sim.actions.folder_marker``: the tool's name, format version and the list of files written) of the
  same kind and scenario is replaced, as a rerun expects; of another scenario or kind, only
  with ``--force``. Replacing removes only the files the manifest lists: anything else in the
  folder stays, and is reported;
- anything else (a file, a device, a folder without that marker such as your scenarios or a web
  site's folder with a manifest.json of its own, the current folder or one above it) is never
  replaced, even with ``--force``.

All of this is decided, and the location proved writable, before any simulating.

While a run goes, ``.<name>.lock`` beside the folder holds an exclusive lock (a second run
into the same folder is refused) and ``.<name>.partial/`` receives each finished run as it
finishes (``sim.actions.saved_runs``: no pickle, a digest and the job each belongs to). At the end the
results are written into the partial folder and it is renamed into place (or its files moved
into the folder it replaces); after an interruption it stays, hidden, for ``run --resume``,
which reads back only saved runs that match their digest and job, and runs the others again.

``run_in_folder`` is the one way every command (run, lesson, sweep, calibrate, fit) runs into
a results folder.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from sim.scenario.errors import UserError
from sim.actions.folder_marker import MANIFEST, is_ours, read_manifest, remove_listed, stamp
from sim.experiment.interrupts import Interrupted, RunInterrupted, exit_code_of, signals_raise
from sim.actions.saved_runs import SUFFIX, Rejected, job_identity, read_run, saved_job, write_run

T = TypeVar("T")


class OutputError(UserError):
    """The output location cannot be used; the message says why and what to do."""


KINDS = ("run", "sweep", "calibration", "fit", "optimize")
MAX_NAME_BYTES = 200  # a folder name; its hidden partial folder adds 10 characters, and file systems allow 255


def _cut(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[:most] + f"... ({len(text)} characters)"


def manifest_of(folder: Path) -> Optional[dict]:
    """The manifest of a followup-sim results folder (with the tool's marker), or None when
    ``folder`` is not one."""
    info = read_manifest(folder)
    return info if is_ours(info) else None


def kind_of(info: dict) -> str:
    """What wrote a manifest: manifests from before ``kind`` was recorded are told by their keys."""
    if info.get("kind") in KINDS:
        return info["kind"]
    if "grid" in info:
        return "sweep"
    if "scenario" not in info and "model" in info:
        return "calibration"
    return "run"


# where the page of another command's results folder comes from (``report`` reads only run folders)
OTHER_PAGES = {
    "optimize": "its summary.md holds the answer, and `followup-sim optimize SCENARIO.yaml --report` writes its report.html",
    "sweep": "sweep.csv and its plots are its results",
    "calibration": "calibration.md is its report",
    "fit": "fit.md is its report",
}


def not_a_run(folder: Path) -> Optional[str]:
    """Why ``folder`` is a results folder of another command than ``run`` (and where its report is),
    or None when it is not one (a run's folder, or none of ours)."""
    info = manifest_of(Path(folder))
    kind = kind_of(info) if info else "run"
    command = {"calibration": "calibrate"}.get(kind, kind)
    return f"{folder}: a folder of `followup-sim {command}`, not of a run: {OTHER_PAGES[kind]}" if kind in OTHER_PAGES else None


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
    long_part = next((part for part in out.parent.parts if len(os.fsencode(part)) > 255), None)
    if long_part is not None:
        raise OutputError(f"--out {_cut(shown)}: a folder name on the way is longer than file systems allow "
                          f"({len(os.fsencode(long_part))} bytes; at most 255)")
    if len(os.fsencode(out.name)) > MAX_NAME_BYTES:  # the hidden partial and lock names must fit too
        raise OutputError(f"--out {_cut(shown)}: a folder name of {len(os.fsencode(out.name))} bytes; "
                          f"at most {MAX_NAME_BYTES} (choose a shorter --out)")
    try:
        target = out.resolve()
        here = Path.cwd().resolve()
        out.lstat() if os.path.lexists(out) else None
    except (OSError, RuntimeError) as exc:
        raise OutputError(f"--out {_cut(shown)}: cannot use this path ({exc.strerror or exc})") from None
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
            why = ("its manifest.json was not written by followup-sim, or by a version before results folders "
                   "listed their files" if (out / MANIFEST).exists() else "no manifest.json")
            raise OutputError(f"--out {shown}: exists and is not a followup-sim results folder ({why}); "
                              "followup-sim replaces only folders it wrote: choose another --out")
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
        self._made = False  # the partial folder is this command's (checked or created by it)
        self._lock_fd: Optional[int] = None
        self.discarded = 0  # finished runs of an earlier interrupted run, dropped (no --resume)
        self.saved = 0
        self.kept: list[str] = []  # files of a replaced folder that its manifest did not list (left there)
        self._identities: list[dict] = []
        self.rejected: list[tuple[int, str]] = []

    # ------------------------------------------------------------ set-up and tear-down
    def __enter__(self) -> "ResultsFolder":
        check_output(self.out, self.kind, self.scenario, self.force)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock()
            self._prepare_partial()
            self._made = True
        except OSError as exc:
            self._unlock()
            raise OutputError(f"--out {self.out}: cannot write there ({exc.strerror or exc})") from None
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.partial.is_dir() and self.saved_runs() == 0 and self._made:
                shutil.rmtree(self.partial, ignore_errors=True)  # nothing worth resuming (and all of it ours)
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
        stamp_path = self.partial / "fingerprint.txt"
        if self.partial.is_symlink() or (self.partial.exists() and not self.partial.is_dir()):
            raise OutputError(f"{self.partial} is in the way (not a folder followup-sim made); move it away")
        strangers = self._strangers()
        if strangers:
            raise OutputError(f"{self.partial} holds files followup-sim did not write ({_some(strangers)}); "
                              "move them away, then run again")
        if self.resume:
            if not self.partial.is_dir():
                raise OutputError(f"--resume: no interrupted run to resume in {self.partial}")
            try:
                kept = stamp_path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                kept = None
            if kept != self.fingerprint:
                raise OutputError(f"--resume: the interrupted run in {self.partial} is of another scenario, seed, "
                                  "replication count or --events setting; run without --resume to start afresh")
            (self.partial / "runs").mkdir(exist_ok=True)
            return
        if self.partial.exists():
            self.discarded = self.saved_runs()
            self._remove_partial()
        (self.partial / "runs").mkdir(parents=True)
        stamp_path.write_text(self.fingerprint, encoding="utf-8")

    def _strangers(self) -> list[str]:
        """What a partial folder holds that this tool never writes there."""
        if not self.partial.is_dir():
            return []
        runs = self.partial / "runs"
        out = [p.name for p in self.partial.iterdir() if p.name not in ("fingerprint.txt", "runs")]
        if runs.is_symlink() or (runs.exists() and not runs.is_dir()):
            out.append("runs (not a folder)")
        elif runs.is_dir():
            out += [f"runs/{p.name}" for p in runs.iterdir()
                    if p.is_symlink() or not p.is_file() or not p.name.endswith((SUFFIX, ".tmp", ".pickle"))]
        return out

    def _remove_partial(self) -> None:
        """Remove a partial folder of ours (checked by ``_strangers``): its saved runs and stamp."""
        self._remove_runs()
        self.partial.rmdir()

    def _remove_runs(self) -> None:
        """Remove the partial folder's saved runs and its stamp (what ``_strangers`` allows there)."""
        runs = self.partial / "runs"
        if runs.is_dir():
            for path in runs.iterdir():
                path.unlink()
            runs.rmdir()
        (self.partial / "fingerprint.txt").unlink(missing_ok=True)

    # ------------------------------------------------------------ finished runs
    def _run_path(self, index: int) -> Path:
        return self.partial / "runs" / f"{index:06d}{SUFFIX}"

    def saved_runs(self) -> int:
        try:
            return sum(1 for p in (self.partial / "runs").iterdir() if p.name.endswith(SUFFIX))
        except OSError:
            return 0

    def _identity(self, job: Any) -> dict:
        return job_identity(self.fingerprint, job.strategy, job.replication, job.scenario.seed, job.event_log)

    def save(self, index: int, result: Any) -> None:
        """Keep finished run ``index`` of the jobs given to ``finished`` (whole, or not at all)."""
        write_run(self._run_path(index), result, self._identities[index])
        self.saved += 1

    def finished(self, jobs: list) -> dict[int, Any]:
        """Declare the jobs of this command (for ``save``) and return, with ``resume``, the saved runs
        of an interrupted run that are whole and belong to their job. Any other saved run is removed
        and run again; ``rejected`` says which and why (runs saved as pickles by older versions
        are never read)."""
        self._identities = [self._identity(job) for job in jobs]
        self.rejected: list[tuple[int, str]] = []
        if not self.resume:
            return {}
        out: dict[int, Any] = {}
        self._reject_pickles()
        for i, identity in enumerate(self._identities):
            path = self._run_path(i)
            if not path.exists():
                continue
            try:
                out[i] = read_run(path, identity)
            except Rejected as exc:
                self.rejected.append((i, f"{path.name}: {exc}"))
                path.unlink(missing_ok=True)
        return out

    def save_found(self, index: int, result: Any, strategy: str, replication: int) -> None:
        """Keep finished run ``index`` of a search whose jobs are found as it goes (not declared
        to ``finished``): ``strategy`` and ``replication`` name its job, as ``finished_found`` checks it."""
        write_run(self._run_path(index), result,
                  job_identity(self.fingerprint, strategy, replication, self.seed_of_search, False))
        self.saved += 1

    def finished_found(self, seed: int) -> dict[int, Any]:
        """With ``resume``: the saved runs of a search (``save_found``) that are whole and of this
        scenario, seed and package versions; any other is removed and run again (``rejected``)."""
        self.seed_of_search = seed
        self.rejected = []
        if not self.resume:
            return {}
        out: dict[int, Any] = {}
        self._reject_pickles()
        for path in sorted((self.partial / "runs").glob(f"*{SUFFIX}")):
            try:
                index = int(path.name[: -len(SUFFIX)])
                job = saved_job(path)
                out[index] = read_run(path, job_identity(self.fingerprint, job["strategy"], job["replication"],
                                                         seed, False))
            except (Rejected, ValueError) as exc:
                self.rejected.append((-1, f"{path.name}: {exc}"))
                path.unlink(missing_ok=True)
        return out

    def _reject_pickles(self) -> None:
        for old in sorted((self.partial / "runs").glob("*.pickle")):
            self.rejected.append((-1, f"{old.name}: a pickle file (older versions' format), never read"))
            old.unlink()

    def rejected_note(self) -> Optional[str]:
        """One line for the user on the saved runs not used, or None."""
        if not getattr(self, "rejected", None):
            return None
        return (f"{len(self.rejected)} saved run{'s' if len(self.rejected) != 1 else ''} of the interrupted run "
                f"discarded and run again: {_some([why for _, why in self.rejected], 5)}")

    # ------------------------------------------------------------ the end
    def commit(self, write: Callable[[Path], None]) -> Path:
        """``write(folder)`` the final files into the partial folder (its ``manifest.json`` last), mark
        it as ours, then put it in place: renamed, or its files moved into the folder it replaces,
        of which only the files listed by its manifest are removed (``kept``: the others)."""
        write(self.partial)
        self._remove_runs()
        names = stamp(self.partial)
        if not self.out.exists():
            self.partial.rename(self.out)
            return self.out
        old = manifest_of(self.out)
        if old is None:  # changed since the check: never touch a folder that is not ours
            raise OutputError(f"--out {self.out}: changed while running and is no longer a followup-sim results "
                              f"folder; the results are in {self.partial}")
        listed = set(old["files"])
        clash = [n for n in names if n != MANIFEST and n not in listed and (self.out / n).exists()]
        if clash:
            self._made = False  # keep the results where they are
            raise OutputError(f"--out {self.out}: holds files followup-sim did not write where the new results go "
                              f"({_some(clash)}); the new results are in {self.partial}")
        self.kept = remove_listed(self.out, old["files"])
        for name in names:
            if name != MANIFEST:
                (self.out / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.partial / name, self.out / name)
        os.replace(self.partial / MANIFEST, self.out / MANIFEST)
        shutil.rmtree(self.partial)  # only the empty folders of our own files are left in it
        return self.out


def _some(items: list[str], count: int = 5) -> str:
    shown = ", ".join(str(i) for i in items[:count])
    return shown + (f" and {len(items) - count} more" if len(items) > count else "")


def run_in_folder(folder: ResultsFolder, compute: Callable[[ResultsFolder], T], write: Callable[[Path, T], None],
                  total: int = 0, notify: Optional[Callable[[str], None]] = None) -> tuple[Path, T]:
    """The one way a command runs into a results folder: check and lock ``folder``, ``compute(folder)``
    (which may keep finished runs with ``folder.save``), ``write(tmp, value)`` the files and put
    them in place. SIGINT/SIGTERM (handled here when in the main thread) become ``RunInterrupted``
    with the count of runs kept for ``--resume`` (of ``total``). ``notify`` hears of files kept in a
    replaced folder. Returns (folder written, what ``compute`` returned)."""
    with signals_raise():
        try:
            with folder:
                value = compute(folder)
                written = folder.commit(lambda tmp: write(tmp, value))
        except (Interrupted, KeyboardInterrupt) as exc:
            kept = folder.saved_runs()
            raise RunInterrupted(kept, total, folder.partial if kept else None, exit_code_of(exc)) from None
    if folder.kept and notify:
        many = len(folder.kept) != 1
        notify(f"{len(folder.kept)} file{'s' if many else ''} in {written} that followup-sim did not write "
               f"{'were' if many else 'was'} left as {'they were' if many else 'it was'}: {_some(folder.kept)}")
    return written, value
