"""What every command shares: the app, the consoles, the one error mapping (a ``UserError`` is
printed with exit status 2, no traceback), scenario loading and progress."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from sim.scenario.errors import UserError
from sim.present.escape import for_console as _escape
from sim.scenario.loading import load_scenario
from sim.experiment.progress import PlainProgress
from sim.experiment.interrupts import RunInterrupted
from sim.scenario.schema import Scenario


# Modules that bring in matplotlib or scipy.stats are imported inside the commands that use them
# ("imported here" below): `followup-sim --help`, `validate`, `schema` and `new` then start in
# 0.8 s of CPU instead of 1.8 s (python -X importtime -c "import sim.cli", user time).

app = typer.Typer(
    help="Simulate sales follow-up strategies and compare close rate, complaints and call load.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out_console = Console()
if not out_console.is_terminal:  # piped or captured: don't squeeze tables into 80 columns
    out_console = Console(width=120)
err_console = Console(stderr=True)


def fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """The one error mapping: a ``UserError`` (a bad file, field, option or folder) is printed
    with its message and exit status 2, no traceback."""
    try:
        yield
    except UserError as exc:
        fail(_escape(str(exc)))


def say_interrupted(message: str, exc: RunInterrupted) -> None:
    """Ctrl-C or kill during a run: say what was kept, exit with the signal's status."""
    err_console.print(_escape(f"interrupted: {message}"), highlight=False)
    raise typer.Exit(code=exc.exit_code)


def say_note(note: str) -> None:
    err_console.print(_escape(f"note: {note}"), highlight=False)


def load_checked(path: Path, overrides: Optional[list[str]], **fields) -> Scenario:
    with user_errors():
        return load_scenario(path, overrides, **fields)


def with_progress(label: str, total: Optional[int], quiet: bool, work):
    """Call ``work(progress)`` under a progress bar on stderr when stderr is a terminal, else with a
    plain line on stderr every few seconds (``sim.experiment.progress``); nothing with ``quiet``.
    ``progress(done, n)`` also sets the total, for work that only knows it once started."""
    if quiet:
        return work(None)
    if not sys.stderr.isatty():
        def write(line: str) -> None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

        return work(PlainProgress(label, write))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda done, n: bar.update(task, completed=done, total=n))


SCENARIO_ARG = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml", show_default=False)
