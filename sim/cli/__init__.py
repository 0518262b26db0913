"""The followup-sim command line: parses arguments, calls the library, presents the result.

The commands live in ``run_commands``, ``fit_commands`` and ``setup_commands``; importing them
registers them on ``app`` (``sim.cli.common``)."""
from __future__ import annotations

# importing a module of commands registers them on app, in this order in --help
from sim.cli import run_commands  # noqa: F401
from sim.cli import fit_commands  # noqa: F401
from sim.cli import setup_commands  # noqa: F401
from sim.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app(prog_name="followup-sim")


if __name__ == "__main__":
    main()
