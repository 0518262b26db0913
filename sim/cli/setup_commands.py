"""The commands that write or check scenario files, and the workshop: validate, schema, new, presets, workshop."""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from sim.present.escape import for_console as _escape
from sim.scenario.schema import Scenario
from sim.scenario.templates import write_starter
from sim.scenario.units import format_duration

from sim.cli.common import (
    SCENARIO_ARG, app, fail, load_checked, out_console, user_errors,
)


@app.command()
def validate(scenario: Path = SCENARIO_ARG,
             set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a field: path.to.field=value.")) -> None:
    """Check a scenario file without running it."""
    sc = load_checked(scenario, set_)
    out_console.print(_escape(f"{scenario}: valid scenario '{sc.name}' ({len(sc.strategies)} strategies, "
                              f"{format_duration(sc.horizon)} horizon, {sc.replications} replications, seed {sc.seed})."),
                      highlight=False)


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema (point your editor's YAML support at it)."""
    typer.echo(json.dumps(Scenario.model_json_schema(mode="validation"), indent=2))


@app.command()
def new(
    name: str = typer.Argument(..., help="Scenario name (letters, digits, - _ ., not starting with a dot; at most 64)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default: scenarios/NAME.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter scenario."""
    with user_errors():
        path = write_starter(name, out, force)
    out_console.print(_escape(f"Wrote {path}. Edit it, then: followup-sim run {path}"), highlight=False)


@app.command()
def presets() -> None:
    """List the preset strategies with their steps."""
    from sim.present import console as tables  # imported here: see the top of this file

    tables.print_presets(out_console)


@app.command()
def workshop(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario YAML to start from (default: a small built-in workshop scenario).",
                                              show_default=False),
    port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port of the page on 127.0.0.1."),
    present: bool = typer.Option(False, "--present", help="Open the presenter view instead: one full screen per step "
                                 "(question, vote, reveal, one prospect, debrief, team game), keyboard navigation."),
    room: Optional[str] = typer.Option(None, "--room", metavar="ADDRESS", show_default=False,
                                       help="With --present: also let phones vote and play from the network at ADDRESS "
                                            "(this computer's address there, e.g. 192.168.1.20). Off unless given."),
    budget: int = typer.Option(5, "--budget", min=1, max=20, help="Team game: calls per prospect each team may plan."),
) -> None:
    """Open the workshop page on this computer (127.0.0.1 only): change A or B live, predict, reveal, debrief.
    With --present, the presenter view; with --room, phones on the room's network vote and play too."""
    from sim.workshop.page import base_from_file, streamlit_command, workshop_base  # imported here: see the top of this file

    if room is not None and not present:
        fail("--room needs --present: phones vote on the presenter view")
    if present:
        from sim.workshop.server import Listen, Presentation, open_sockets, serve

        with user_errors():
            base = base_from_file(scenario) if scenario is not None else workshop_base()
            listen = Listen(port=port, room=room)
            sockets = open_sockets(listen)  # a wrong address or a busy port is refused here, before simulating
            pres = Presentation(base, listen, budget=budget, workers=min(2, os.cpu_count() or 1))
        out_console.print(f"Presenter view: [bold]{listen.trainer_url(pres.room.token)}[/] (the trainer's link: keep "
                          "it to yourself; it works only on this computer).", highlight=False, soft_wrap=True)
        if room:
            out_console.print(f"Phones join at [bold]{listen.join_url(pres.room.code)}[/] (code {pres.room.code}); "
                              "they can only vote and send a team's cadence.", highlight=False, soft_wrap=True)
        out_console.print("Press Ctrl-C to stop; votes and teams are kept in memory only.", highlight=False)
        sys.stdout.flush()
        serve(pres, sockets)
        return
    if scenario is not None:
        with user_errors():
            base_from_file(scenario)  # a bad file is refused here, as by validate, before any server starts
    if importlib.util.find_spec("streamlit") is None:
        fail("the workshop page needs Streamlit: pip install 'followup-sim[workshop]' (or run `make workshop`)")
    argv, env = streamlit_command(port, scenario)
    out_console.print(f"Workshop page: [bold]http://127.0.0.1:{port}[/] (only this computer; nothing is sent anywhere). "
                      "Press Ctrl-C to stop it.", highlight=False)
    sys.stdout.flush()
    # the server takes this process's place (same PID), so Ctrl-C and `kill PID` stop it directly
    os.execve(argv[0], argv, {**os.environ, **env})
