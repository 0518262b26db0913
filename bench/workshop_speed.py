"""How long the workshop page takes to answer a change of one strategy, with the built-in scenario.

Measures, after the page has opened once (the presets behind A and B are then cached):
  simulate  - re-running the changed strategy B (5 replications) and its story's event log
  draw      - the trade-off and call-load charts rendered to PNG, as the page sends them
  change    - the two together: what `sim.workshop.page` does for one change
  page      - the whole page script rerun after a click on Run (Streamlit's AppTest, no browser)
Each change sets B's max touches to a value not run before, so nothing comes from the cache.

And the presenter view (`followup-sim workshop --present`), over HTTP as its screen asks:
  present-fresh   - from starting the command to the first headline on the trainer's screen
  present-change  - the trainer starts B from another preset, to the new headline and reveal chart
                    (each change a preset not run before)
  present-story   - the same change to one prospect's timeline too (drawn after the reveal chart)

    .venv/bin/python bench/workshop_speed.py [--repeats 7] [--only present]
"""
from __future__ import annotations

import argparse
import io
import statistics
import time
from dataclasses import replace
from pathlib import Path

from sim.workshop import page as W
from sim.workshop import page_charts as charts
from sim.workshop import page_stories as stories


def _png(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def library(repeats: int) -> dict[str, list[float]]:
    base = W.workshop_base()
    setup = W.default_setup(base)
    cache = W.RunCache()
    sc = W.build_scenario(base, setup)
    presets = W.preset_points(sc, cache)  # the page's first open
    stories.story_pair(sc, cache, "sold")
    out: dict[str, list[float]] = {"simulate": [], "draw": [], "change": []}
    for k in range(repeats):
        changed = W.build_scenario(base, replace(setup, b=replace(setup.b, max_touches=20 + k)))
        t0 = time.perf_counter()
        view = W.compare(changed, cache)
        stories.story_pair(changed, cache, "sold")
        t1 = time.perf_counter()
        _png(charts.tradeoff_figure(view, presets, size=(5.8, 4.2)))
        _png(charts.call_load_figure(view, size=(5.8, 4.2)))
        t2 = time.perf_counter()
        out["simulate"].append(t1 - t0)
        out["draw"].append(t2 - t1)
        out["change"].append(t2 - t0)
    return out


def page(repeats: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(W.__file__).with_name("app.py")), default_timeout=300).run()
    times = []
    for k in range(repeats):
        at.number_input(key="B-0-max").set_value(40 + k)
        at.run()
        t0 = time.perf_counter()
        next(b for b in at.button if b.label == "Run").click()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception
    return times


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def present(repeats: int) -> dict[str, list[float]]:
    import json
    import re
    import subprocess
    import sys
    import urllib.request

    out: dict[str, list[float]] = {"present-fresh": [], "present-change": [], "present-story": []}
    for k in range(repeats):
        port = _free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "--present", "--port", str(port)],
                                stdout=subprocess.PIPE, text=True)
        try:
            token = re.search(r"\?t=([\w-]+)", proc.stdout.readline()).group(1)

            def call(path: str, body: dict | None = None) -> dict:
                req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={
                    "X-Trainer": token, "Content-Type": "application/json"},
                    data=None if body is None else json.dumps(body).encode())
                with urllib.request.urlopen(req, timeout=120) as resp:
                    return json.load(resp)

            while "answer" not in (state := call("/api/state")):
                time.sleep(0.02)
            out["present-fresh"].append(time.perf_counter() - t0)
            while state["busy"]:  # the opening story is drawn too before the change
                time.sleep(0.05)
                state = call("/api/state")
            start = [s for s in state["starts"] if s not in state["sides"].values()][k % 7]
            t1 = time.perf_counter()
            state = call("/api/control", {"action": "side", "side": "B", "start": start})
            assert "reveal" in state["images"] and state["sides"]["B"] == start
            out["present-change"].append(time.perf_counter() - t1)
            while "story" not in state["images"]:
                time.sleep(0.02)
                state = call("/api/state")
            out["present-story"].append(time.perf_counter() - t1)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=["page", "present"], help="only the Streamlit page's figures, or the presenter's")
    args = parser.parse_args()
    figures = {}
    if args.only != "present":
        figures.update(library(args.repeats))
        figures["page"] = page(args.repeats)
    if args.only != "page":
        figures.update(present(args.repeats))
    print(f"workshop page, built-in scenario, one change of strategy B, median of {args.repeats} (min to max):")
    for name, values in figures.items():
        print(f"  {name:<14} {statistics.median(values):5.2f} s  ({min(values):.2f} to {max(values):.2f})")


if __name__ == "__main__":
    main()
