"""The workshop page (a Streamlit script): widgets only; every number, sentence, story and
file comes from ``sim.workshop.page``. Started by ``followup-sim workshop [SCENARIO.yaml]``;
the scenario path arrives in the environment variable ``FOLLOWUP_SIM_WORKSHOP_SCENARIO``.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import replace
from typing import Optional

# Streamlit puts this script's folder (sim/) first on sys.path, where its modules would shadow
# top-level ones of the same name (sim/model/calendar.py the standard library's calendar): take it off.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import pandas as pd
import streamlit as st

from sim.workshop import page as W
from sim.workshop import page_charts as charts
from sim.workshop import page_stories as stories
from sim.workshop import suggest as SG
from sim.scenario.loading import ScenarioError
from sim.present.story import StoryError, render

@st.cache_resource(show_spinner=False)
def _cache() -> W.RunCache:
    """One run cache for the server: every session reuses the runs any session made."""
    return W.RunCache()


@st.cache_resource(show_spinner=False)
def _base(path: str) -> W.Base:
    return W.base_from_file(path) if path else W.workshop_base()


def _state() -> dict:
    return st.session_state


# ---------------------------------------------------------------- the editor of one side
def _steps_frame(edit: W.StrategyEdit) -> pd.DataFrame:
    return pd.DataFrame({"day": [d for d, _, _ in edit.steps], "after": [a or "" for _, a, _ in edit.steps],
                         "channel": [c for _, _, c in edit.steps]}).astype({"day": "float", "after": "object"})


def _steps_from(frame: pd.DataFrame) -> tuple:
    steps = []
    for row in frame.itertuples(index=False):
        day = None if row.day is None or (isinstance(row.day, float) and math.isnan(row.day)) else float(row.day)
        after = str(row.after).strip() if isinstance(row.after, str) and row.after.strip() else None
        if day is None and after is None:
            continue  # a blank row the trainer added and left empty
        steps.append((day, after, row.channel if row.channel in W.CHANNELS else "call"))
    return tuple(steps)


def _editor(side: str, base: W.Base, edit: W.StrategyEdit, version: int) -> tuple[W.StrategyEdit, dict]:
    """Draw one side's editor; return the edit its widgets now hold and a placeholder per field path.

    ``edit`` is the side as its widgets were created (``version`` names them): the table editor
    applies the trainer's changes to that same frame on every rerun, so it must not be the edited one."""
    k = f"{side}-{version}-"
    names = base.names
    starts = list(base.starts)
    start = st.selectbox(f"Strategy {side} starts from", starts, index=starts.index(edit.start),
                         format_func=lambda s: names[s], key=f"start-{side}")
    if start != edit.start:  # a new starting point: its own steps and settings, in fresh widgets
        _state()["origin"] = replace(_state()["origin"], **{side.lower(): W.start_edit(base, start)})
        _state()[f"version-{side}"] += 1
        st.rerun()
    slot: dict[str, object] = {}
    st.caption(base.starts[start].description or "")
    frame = st.data_editor(
        _steps_frame(edit), key=k + "steps", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "day": st.column_config.NumberColumn("day", help="cadence day, 1 = the day of the first touch", step=1),
            "after": st.column_config.TextColumn("after", help="or a gap after the previous touch, e.g. 2d"),
            "channel": st.column_config.SelectboxColumn("channel", options=list(W.CHANNELS), required=True,
                                                        default="call"),
        })
    slot["steps"] = st.empty()
    repeat = base.starts[start].repeat
    if repeat is not None and edit.steps:
        st.caption(f"then a {repeat.channel} every {W.format_duration(repeat.every)} (from the starting point)")
    c1, c2 = st.columns(2)
    with c1:
        max_touches = st.number_input("Max touches (empty: no cap)", value=edit.max_touches, step=1, key=k + "max")
        slot["max_touches"] = st.empty()
        first_response = st.text_input("First call to a new lead within", value=edit.first_response, key=k + "first",
                                       help="a duration with its unit: 1m, 5m, 1h, 1d")
        slot["first_response"] = st.empty()
        pushiness = st.number_input("Coach reps to pushiness 0-1 (empty: their own)", value=edit.rep_pushiness,
                                    step=0.1, key=k + "push")
        slot["rep_pushiness"] = st.empty()
    with c2:
        stop_on_no = st.checkbox("Stop after a clear no", value=edit.stop_on_no, key=k + "no")
        book = st.checkbox("Book the next call on every conversation", value=edit.book_next_step, key=k + "book")
        reminder = st.checkbox("Email a reminder before a booked call", value=edit.reminder_email, key=k + "remind")
        slot["flags"] = st.empty()
    new = W.StrategyEdit(start=start, steps=_steps_from(frame),
                         max_touches=None if max_touches is None else int(max_touches), stop_on_no=stop_on_no,
                         first_response=first_response.strip(), book_next_step=book, reminder_email=reminder,
                         rep_pushiness=None if pushiness is None else float(pushiness))
    return new, slot


def _show_messages(messages: dict[str, str], slots: dict[str, dict], team_slots: dict) -> None:
    """Each validation message under the field it names (the text `followup-sim validate` prints)."""
    placed: dict[object, list[str]] = {}
    for path, msg in messages.items():
        target = None
        for side in W.SIDES:
            prefix = f"strategies.{side}."
            if path.startswith(prefix):
                field = path[len(prefix):].split("[")[0].split(".")[0]
                target = slots[side].get(field) or slots[side]["flags"]
        if path.startswith("team.reps"):
            target = team_slots["skill" if path.endswith("skill") else "reps"]
        elif path.startswith("seed"):
            target = team_slots["seed"]
        placed.setdefault(target if target is not None else team_slots["other"], []).append(f"{path}: {msg}"
                                                                                             if path else msg)
    for target, lines in placed.items():
        target.error("\n\n".join(lines))


# ---------------------------------------------------------------- results
def _results(view: W.View, predict: bool) -> None:
    cache = _cache()
    if predict and not _state().get("revealed"):
        _predict(view)
        return
    for sentence in view.headline:
        st.markdown(f"#### {sentence.text}")
    if view.warning:
        st.warning(view.warning)
    key = W.view_key(view.scenario)
    if _state().get("charts-key") != key:  # drawn once per result, not on every click
        with st.spinner("Drawing..."):
            presets = W.preset_points(view.scenario, cache)
            _state()["charts"] = (charts.figure_png(charts.tradeoff_figure(view, presets, size=(5.8, 4.2))),
                                  charts.figure_png(charts.call_load_figure(view, size=(5.8, 4.2))))
            _state()["charts-key"] = key
    tradeoff, load = _state()["charts"]
    left, right = st.columns(2)
    left.image(tradeoff, width="stretch")
    right.image(load, width="stretch")
    for sentence in view.figures:
        st.markdown(f"- {sentence.text}")
    if predict:
        _debrief(view)
    _story(view)


def _predict(view: W.View) -> None:
    st.info("Predict first: the numbers are hidden until you press Reveal.")
    if view.scenario.question:
        st.markdown(f"### {view.scenario.question}")
    st.markdown(f"**A:** {view.names['A']} &nbsp; vs &nbsp; **B:** {view.names['B']}")
    st.markdown("Ask the room, and type what they say:")
    c1, c2, c3 = st.columns(3)
    c1.number_input("Hands up: B closes more deals", min_value=0, step=1, key="hands-b")
    c2.number_input("Hands up: A closes more deals", min_value=0, step=1, key="hands-a")
    c3.number_input("Room's guess: B's extra complaints per 1,000", step=1.0, value=None, key="guess-complaints")
    st.text_input("Anything else the room predicted", key="guess-text")
    if st.button("Reveal", type="primary"):
        _state()["revealed"] = True
        st.rerun()


def _debrief(view: W.View) -> None:
    st.subheader("Debrief: predicted and what happened")
    ratio = view.headline[0].values.get("ratio", float("nan")) if view.headline else float("nan")
    extra = view.headline[0].values.get("complaints_diff", float("nan")) if view.headline else float("nan")
    hands_b, hands_a = _state().get("hands-b", 0), _state().get("hands-a", 0)
    guess = _state().get("guess-complaints")
    rows = [
        {"question": "Which closes more deals?",
         "the room": f"{hands_b} said B, {hands_a} said A",
         "what happened": (f"B: {W.S.times(ratio)} times A's deals" if math.isfinite(ratio) else "no ratio (A sold nothing)")},
        {"question": "B's extra complaints per 1,000",
         "the room": "not asked" if guess is None else W.S.number(guess),
         "what happened": W.S.number(extra)},
    ]
    if _state().get("guess-text"):
        rows.append({"question": "Also predicted", "the room": _state()["guess-text"], "what happened": ""})
    st.table(pd.DataFrame(rows))
    st.markdown("**Questions for the room**")
    for q in view.questions[:3]:
        st.markdown(f"- {q}")


def _story(view: W.View) -> None:
    st.subheader("One prospect, two strategies: same person, same luck")
    c1, c2 = st.columns([3, 1])
    words = {"sold": "bought from us", "lost": "bought elsewhere", "complained": "complained"}
    pick = c1.radio("Follow a prospect who", W.STORY_PICKS, horizontal=True, key="pick", format_func=words.get)
    if c2.button("Another prospect"):
        _state()["nth"] = _state().get("nth", 0) + 1
    try:
        pair = stories.story_pair(view.scenario, _cache(), pick, _state().get("nth", 0))
    except StoryError as exc:
        st.info(str(exc))
        return
    st.caption(f"Prospect {pair.a.prospect}: a prospect who {words[pick]} under {pair.under} "
               f"({pair.candidates} to choose from)")
    left, right = st.columns(2)
    for col, story, side in ((left, pair.a, "A"), (right, pair.b, "B")):
        with col:
            st.markdown(f"**{side}: {story.name}**")
            st.code(render(story).split("\n", 2)[2], language=None, wrap_lines=True)


def _exports(scenario, setup: W.Setup) -> None:
    st.subheader("Take it home")
    c1, c2 = st.columns(2)
    c1.download_button("Download the scenario (YAML)", W.scenario_yaml(scenario, setup),
                       file_name=f"workshop_seed{setup.seed}.yaml", mime="text/yaml")
    with c2:
        key = W.common_key(scenario) + W.strategy_key(scenario.strategies["A"]) + W.strategy_key(scenario.strategies["B"])
        if _state().get("report-key") != key:
            if st.button("Prepare report.html"):
                with st.spinner("Writing the report (runs the scenario into a results folder)..."):
                    _state()["report"] = W.report_html(scenario)
                    _state()["report-key"] = key
                st.rerun()
        else:
            st.download_button("Download report.html", _state()["report"], file_name="report.html", mime="text/html")


def _suggest(base: W.Base, setup: W.Setup, valid: bool) -> None:
    """The "suggest a B" button: a search from A, time-boxed, whose result B then starts from."""
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    with c1:
        seconds = st.number_input("Search for (seconds)", min_value=int(SG.SECONDS[0]), max_value=int(SG.SECONDS[1]),
                                  value=int(SG.DEFAULT_SECONDS), step=5, key="suggest-seconds")
    with c2:
        pressed = st.button("Suggest a B", disabled=not valid,
                            help="Search from A for a better cadence within the time given; B then starts from it")
    state = _state()
    if pressed:
        bar = st.progress(0.0, text="Searching from A...")
        new_base, new_setup, strategy, text = SG.suggest_b(
            base, setup, float(seconds),
            progress=lambda share: bar.progress(share, text=f"Searching from A: {share * seconds:.0f} of {seconds} s"))
        if strategy is not None:
            state["suggested"], state["origin"], state["pending-B"] = strategy, new_setup, SG.SUGGESTED
            state["version-B"] += 1
        state["suggestion"] = text
        st.rerun()
    if state.get("suggestion"):
        st.success(state["suggestion"])


# ---------------------------------------------------------------- the page
def main() -> None:
    st.set_page_config(page_title="followup-sim workshop", layout="wide")
    try:
        base = _base(os.environ.get(W.SCENARIO_ENV, ""))
    except ScenarioError as exc:
        st.error(str(exc))
        st.stop()
    state = _state()
    base = SG.with_suggestion(base, state.get("suggested"))  # a suggested B is one more starting point
    if state.pop("pending-B", None):  # B's start picker forgets its choice and opens on the suggestion
        state.pop("start-B", None)
    if "origin" not in state:
        state["version-A"] = state["version-B"] = 0
        state["origin"] = W.default_setup(base)
        if "setup" in st.query_params:
            try:
                state["origin"] = W.decode_setup(dict(st.query_params), base)
            except ScenarioError as exc:
                st.warning(str(exc))
    setup: W.Setup = state["origin"]
    st.markdown("## What if we followed up differently?")

    with st.sidebar:
        st.header("The team")
        reps = st.number_input("Reps", value=setup.reps, step=1, key="reps")
        team_slots = {"reps": st.empty()}
        skill = st.slider("Rep skill (0.5 = average)", 0.0, 1.0, value=float(setup.skill), step=0.05, key="skill")
        team_slots["skill"] = st.empty()
        seed = st.number_input("Seed", value=setup.seed, step=1, key="seed")
        team_slots["seed"] = st.empty()
        predict = st.toggle("Predict, then reveal", key="predict",
                            help="Hide the numbers after Run until you press Reveal, so the room can vote first")
        sc0 = W.validate_data(base.data, "scenario")
        st.caption(f"{sc0.description}\n\n{sc0.replications} runs; in each, A and B meet the same prospects with "
                   f"the same luck (seed {int(seed)}).")

    cols = st.columns(2, gap="large")
    edits, slots = {}, {}
    for col, side in zip(cols, W.SIDES):
        with col:
            st.subheader(f"Strategy {side}")
            edits[side], slots[side] = _editor(side, base, setup.side(side), state[f"version-{side}"])
    team_slots["other"] = st.empty()
    new = W.Setup(a=edits["A"], b=edits["B"], reps=int(reps), skill=float(skill), seed=int(seed))
    try:
        scenario: Optional[object] = W.build_scenario(base, new)
    except ScenarioError as exc:
        _show_messages(W.field_messages(exc), slots, team_slots)
        scenario = None
    if scenario is not None:
        st.query_params.from_dict(W.encode_setup(new))
    with cols[1]:
        _suggest(base, new, scenario is not None)

    ran = state.get("ran")
    first = ran is None and scenario is not None
    if st.button("Run", type="primary", disabled=scenario is None) or first:
        cache = _cache()
        todo = cache.missing(scenario, list(W.SIDES))
        with st.status(f"Simulating {todo} new runs ({cache.ran} made so far are reused)...", expanded=False) as status:
            bar = st.progress(0.0)
            W.compare(scenario, cache, progress=lambda done, n: bar.progress(done / n))
            status.update(label="Done", state="complete")
        state["ran"] = ran = scenario
        state["revealed"] = False
        state["nth"] = 0
    if ran is None:
        return
    if scenario is not None and ran != scenario:
        st.info("The strategies changed since the last run: press Run to see the new results.")
    view = W.compare(ran, _cache())
    _results(view, predict)
    if scenario is not None and ran == scenario and not (predict and not state.get("revealed")):
        _exports(ran, new)  # not before a reveal: the report would give the answer away


if __name__ == "__main__":
    main()
