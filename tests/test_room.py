"""The room without a server: join codes, one ballot per phone, the tally and the spread of guesses,
bounds, the rate limit (on a fake clock), the team game's rules and scoreboard, and the presenter's
charts drawn large enough for a projector."""
from __future__ import annotations

import statistics

import pytest

from sim.present import presenter as P
from sim.workshop import game as G
from sim.workshop import page as W
from sim.workshop import page_charts as charts
from sim.workshop import page_stories as stories
from sim.workshop.room import CODE_LETTERS, Limits, RateLimit, Room, RoomError, spread


def test_join_code_and_token_are_random_and_checked():
    a, b = Room(), Room()
    assert a.code != b.code and a.token != b.token
    assert len(a.code) == 5 and set(a.code) <= set(CODE_LETTERS)
    with pytest.raises(RoomError, match="wrong join code"):
        a.join(b.code)
    with pytest.raises(RoomError, match="wrong join code"):
        a.join(None)
    assert a.join(a.code.lower())  # typed in lower case on a phone: still the code
    assert a.is_trainer(a.token) and not a.is_trainer(b.token) and not a.is_trainer(None)


def test_one_ballot_per_phone_a_later_one_replaces_it():
    room = Room()
    phone = room.join(room.code)
    assert room.join(room.code, phone) == phone  # the same phone joining again stays one participant
    room.vote(phone, {"choice": "A", "close_rate": 5})
    room.vote(phone, {"choice": "B"})  # changed its mind; its guess stays
    t = room.tally()
    assert (t["A"], t["B"], t["voters"], t["joined"]) == (0, 1, 1, 1)
    assert t["close_rate"]["median"] == 5 and t["complaints"] is None


def test_a_phone_may_change_its_mind_a_bounded_number_of_times():
    room = Room(limits=Limits(changes=3))
    phone = room.join(room.code)
    for choice in "ABA":
        room.vote(phone, {"choice": choice})
    with pytest.raises(RoomError, match="already voted 3 times"):
        room.vote(phone, {"choice": "B"})
    assert room.tally()["A"] == 1


def test_the_room_is_bounded():
    room = Room(limits=Limits(participants=2, teams=1))
    p1, p2 = room.join(room.code), room.join(room.code)
    with pytest.raises(RoomError, match="full"):
        room.join(room.code)
    room.enter(p1, "Red", "1, 3")
    room.enter(p2, "red", "1, 2")  # the same team, typed differently: replaces its cadence
    assert room.teams() == {"Red": (1, 2)}
    with pytest.raises(RoomError, match="1 teams"):
        room.enter(p2, "Blue", "1")


@pytest.mark.parametrize("data, message", [
    ({"choice": "C"}, "choice: A or B"),
    ({"close_rate": 101}, "close_rate: a number from 0 to 100"),
    ({"complaints": "nan"}, "complaints: a number from 0 to 1000"),
    ({"complaints": [1]}, "complaints: a number"),
    ({"choice": "A", "note": "<script>"}, "only: choice"),
])
def test_bad_ballots_are_refused_with_what_is_expected(data, message):
    room = Room()
    phone = room.join(room.code)
    with pytest.raises(RoomError, match=message):
        room.vote(phone, data)
    assert room.tally()["voters"] == 0


def test_votes_need_a_joined_phone_and_an_open_question():
    room = Room()
    with pytest.raises(RoomError, match="not joined"):
        room.vote("made-up", {"choice": "A"})
    phone = room.join(room.code)
    room.close_votes()
    with pytest.raises(RoomError, match="closed"):
        room.vote(phone, {"choice": "A"})
    room.next_question()
    room.vote(phone, {"choice": "A"})
    assert room.tally()["question"] == 1 and room.tally()["A"] == 1


def test_spread_is_the_median_and_quartiles_of_the_guesses():
    assert spread([]) is None
    s = spread([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (s["n"], s["median"], s["q1"], s["q3"], s["low"], s["high"]) == (5, 3.0, 2.0, 4.0, 1.0, 5.0)
    assert spread([7.0])["q1"] == spread([7.0])["q3"] == 7.0


def test_rate_limit_is_a_token_bucket_per_client_with_bounded_memory():
    now = [0.0]
    limit = RateLimit(rate=2.0, burst=3.0, clients=2, clock=lambda: now[0])
    assert [limit.allow("x") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("y")  # another client has its own bucket
    now[0] += 0.5  # one token back at 2 a second
    assert limit.allow("x") and not limit.allow("x")
    limit.allow("z")
    assert len(limit._buckets) == 2  # the least recently seen client was forgotten


# ---------------------------------------------------------------- the team game
@pytest.mark.parametrize("days, message", [
    ("1, 2, 3, 4", "over the call budget of 3"),
    ("1, 1", "each day at most once"),
    ("0, 2", "from 1"),
    ("1, 91", "to 90"),
    ("1, two", "whole numbers"),
    ("", "at least one"),
    ([1.5], "whole numbers"),
])
def test_a_cadence_must_fit_the_budget_and_the_horizon(days, message):
    with pytest.raises(G.GameError, match=message):
        G.parse_days(days, budget=3, horizon_days=90)


def test_team_names_are_plain_words():
    assert G.team_name(" Red 2 ") == "Red 2"
    for bad in ("", "<b>x</b>", "a" * 21, "-x", 5):
        with pytest.raises(G.GameError):
            G.team_name(bad)


@pytest.fixture(scope="module")
def small():
    base = W.workshop_base()
    scenario = W.build_scenario(base, W.default_setup(base)).model_copy(update={"replications": 2})
    return scenario, W.RunCache()


@pytest.mark.slow
def test_teams_play_on_the_same_prospects_and_are_ranked_by_sales(small):
    scenario, cache = small
    entries = {"Twin 1": (1, 3, 7), "Twin 2": (1, 3, 7), "One call": (1,)}
    board = G.play(scenario, entries, cache)
    rows = {r.team: r for r in board.rows}
    # the same cadence on the same prospects with the same luck gives exactly the same numbers
    assert rows["Twin 1"].sales == rows["Twin 2"].sales
    assert rows["Twin 1"].complaints_per_1000 == rows["Twin 2"].complaints_per_1000
    # each row is its strategy's own mean over the replications, run directly
    sc = scenario.model_copy(update={"strategies": {"x": G.cadence_strategy((1,), "x")}, "baseline": "x"})
    direct = [W.run_replication(sc, "x", r).metrics["sales"] for r in range(2)]
    assert rows["One call"].sales == pytest.approx(statistics.mean(direct))
    assert [r.sales for r in board.rows] == sorted((r.sales for r in board.rows), reverse=True)
    assert board.story is None or board.story.name == board.rows[0].team


def test_no_team_no_game(small):
    with pytest.raises(G.GameError, match="no team"):
        G.play(small[0], {}, small[1])


# ---------------------------------------------------------------- the presenter's charts
@pytest.mark.slow
def test_presenter_charts_have_no_text_under_18_px_at_1280_wide(small):
    scenario, cache = small
    view = W.compare(scenario, cache)
    pair = stories.story_pair(scenario, cache, "sold")
    for fig in (P.reveal_figure(view), P.pair_timeline(pair.a, pair.b, view.names)):
        assert fig.get_figwidth() * fig.dpi == 1280
        assert P.smallest_text_px(fig, 1280) >= 18
    assert P.answer_line(view) == view.headline[0].text and "\n" not in P.answer_line(view)


def test_timeline_marks_follow_the_story_lines():
    from sim.present.story import StoryLine

    def line(kind, outcome, what="x"):
        return StoryLine(0.0, 0, "Mon 09:00", what, "", kind, outcome)

    assert P.mark_of(line("follow_up", "no_answer")) == "missed"
    assert P.mark_of(line("follow_up", "sale")) == "sale"
    assert P.mark_of(line("follow_up", "not_interested")) == "talked"
    assert P.mark_of(line("follow_up", "not_interested", "call 2: said no -> COMPLAINED (touched too often)")) == "complaint"
    assert P.mark_of(line("readiness", "ready")) == "ready"
    assert P.mark_of(line("readiness", "considering")) is None
    assert P.mark_of(line("purchase", "")) == "elsewhere"


@pytest.mark.slow
def test_slides_and_handout_state_the_answer_and_carry_their_charts(small):
    import html
    import re

    from sim.workshop.room import Room
    from sim.present.takeaways import handout_html, slides_html

    scenario, cache = small
    view = W.compare(scenario, cache)
    images = {"reveal": charts.figure_png(P.reveal_figure(view))}
    rows = P.debrief_rows(view, Room().tally())
    for page in (slides_html(view, images, rows), handout_html(view, images, rows)):
        assert html.escape(P.answer_line(view)) in page  # the lesson's answer in one line
        sources = re.findall(r'src="([^"]*)"', page)
        assert sources and all(s.startswith("data:image/png;base64,") for s in sources)  # self-contained
        assert "http" not in page.replace("followup-sim", "")
    assert slides_html(view, images, rows).count("<section>") == 4
