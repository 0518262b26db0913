"""The per-touch rules on small exact cases, and one prospect with one rep whose whole event log
is known in advance (as SimPy's own tests assert a process's log line by line)."""
from __future__ import annotations

import math

import pytest

import sim
from sim.model.readiness import CONSIDERING, NOT_READY, OFF_MARKET, READY
from sim.scenario.schema import Complaints, Conversation
from sim.model.touches import (
    ALREADY_BOUGHT, BOOKED, LATER, NOT_INTERESTED, SALE, UNQUALIFIED, ComplaintRules, ConversationRules, TouchRules,
)
from sim.scenario.units import DAY

CONV = Conversation(sale={"ready": 0.35, "considering": 0.03, "not_ready": 0.003},
                    not_interested={"ready": 0.05, "considering": 0.25, "not_ready": 0.5},
                    unqualified=0.05, book={"ready": 0.7, "considering": 0.45, "not_ready": 0.1})


@pytest.mark.parametrize("u, expected", [
    (0.3499, SALE),              # u < 0.35
    (0.3501, UNQUALIFIED),       # then 0.05 unqualified: up to 0.40
    (0.4001, NOT_INTERESTED),    # then min(0.05, 1 - 0.35 - 0.05) = 0.05 no: up to 0.45
    (0.4501, BOOKED),            # then the rest 0.55 times book 0.7 = 0.385: up to 0.835
    (0.8349, BOOKED),
    (0.8351, LATER),             # everything else: call back later
])
def test_a_ready_prospects_conversation_outcome_follows_the_bands(u, expected):
    assert ConversationRules(CONV, books=True).outcome(READY, 1.0, 1.0, u) == expected


def test_outcome_bands_move_with_intent_skill_and_booking():
    rules = ConversationRules(CONV, books=True)
    # intent 2 and skill 1.5 triple the sale band: 0.35 * 3 = 1.05, capped at 0.95
    assert rules.outcome(READY, 2.0, 1.5, 0.9499) == SALE
    assert rules.outcome(READY, 2.0, 1.5, 0.9501) == UNQUALIFIED
    # considering: sale 0.03, unqualified to 0.08, no 0.25 to 0.33, book 0.67 * 0.45 = 0.3015 to 0.6315
    assert [rules.outcome(CONSIDERING, 1.0, 1.0, u) for u in (0.0299, 0.0799, 0.3299, 0.6314, 0.6316)] == [
        SALE, UNQUALIFIED, NOT_INTERESTED, BOOKED, LATER]
    # a strategy that does not book: the booking band becomes call back later
    assert ConversationRules(CONV, books=False).outcome(READY, 1.0, 1.0, 0.5) == LATER
    # someone who bought recently is out of the market whatever the draw
    assert rules.outcome(OFF_MARKET, 7.0, 2.0, 0.0) == ALREADY_BOUGHT
    # not ready: the no band is 0.5
    assert rules.outcome(NOT_READY, 1.0, 1.0, 0.003 + 0.05 + 0.4999) == NOT_INTERESTED


def test_nurture_turns_only_considering_prospects_ready():
    rules = ConversationRules(Conversation(nurture=0.1), books=False)
    assert rules.nurtures(CONSIDERING, 1.0, 0.0999) and not rules.nurtures(CONSIDERING, 1.0, 0.1001)
    assert rules.nurtures(CONSIDERING, 2.0, 0.1999)  # skill scales it
    assert not rules.nurtures(READY, 1.0, 0.0) and not rules.nurtures(NOT_READY, 1.0, 0.0)


COMPLAINTS = Complaints(frequency_risk=0.003, frequency_exponent=3.0, frequency_cap=0.5, after_no_risk=0.1,
                        pushy_risk=0.06)


@pytest.mark.parametrize("annoyance, said_no, pushiness, u, expected", [
    (3.0, False, 0.0, 0.0029, "frequency"),   # annoyance = tolerance: risk 0.003
    (3.0, False, 0.0, 0.0031, None),
    (6.0, False, 0.0, 0.0239, "frequency"),   # twice the tolerance: 0.003 * 2**3 = 0.024
    (6.0, False, 0.0, 0.0241, None),
    (300.0, False, 0.0, 0.4999, "frequency"),  # capped at 0.5
    (300.0, False, 0.0, 0.5001, None),
    (3.0, True, 0.0, 0.1029, "after_no"),     # stacked: 0.003 + 0.1
    (3.0, True, 0.0, 0.1031, None),
    (3.0, False, 0.5, 0.0329, "pushy_rep"),   # 0.003 + 0.06 * 0.5
    (3.0, False, 0.5, 0.0331, None),
    (3.0, True, 1.0, 0.1629, "pushy_rep"),    # 0.003 + 0.1 + 0.06
    (3.0, True, 1.0, 0.1631, None),
])
def test_complaint_cause_stacks_the_three_causes_on_one_uniform(annoyance, said_no, pushiness, u, expected):
    assert ComplaintRules(COMPLAINTS).cause(annoyance, 3.0, said_no, pushiness, u) == expected


def test_no_complaints_when_switched_off_and_annoyance_fades_exponentially():
    off = ComplaintRules(Complaints(enabled=False))
    assert off.cause(1e9, 1.0, True, 1.0, 0.0) is None
    rules = ComplaintRules(Complaints(annoyance_decay="18d"))
    assert rules.annoyance(2.0, 18 * DAY, 0.6) == pytest.approx(2.0 * math.exp(-1) + 0.6, rel=1e-15)
    assert rules.annoyance(0.0, 0.0, 1.0) == 1.0


def test_touch_rules_answer_chance():
    sc = sim.Scenario()
    plain = TouchRules(sc, sim.preset("five_and_stop"))
    reminded = TouchRules(sc, sim.preset("booked_next_step"))
    assert plain.answer_chance(0.08, True, 0.0) == sc.conversation.booked_show
    assert reminded.answer_chance(0.08, True, 0.0) == sc.conversation.booked_show_reminded
    assert plain.answer_chance(0.08, False, 0.0) == sc.conversation.hot.answer
    assert plain.answer_chance(0.08, False, 1e9) == 0.08  # long after reaching out: their own reach
    decay = sc.conversation.hot.answer_decay
    assert plain.answer_chance(0.08, False, decay) == pytest.approx(0.08 + (0.9 - 0.08) * math.exp(-1))


# ---------------------------------------------------------------- one prospect, one rep
def test_one_prospect_one_rep_the_whole_event_log():
    """A listed prospect who never answers, worked by five-and-stop (days 1, 2, 4, 7, 11) by
    one rep on the default Monday-to-Friday 09:00-17:00 calendar from Monday 00:00. Day 7
    is a Sunday, so that call waits for Monday 09:00. Annoyance: each missed call adds 0.6
    and fades with an 18-day time constant."""
    sc = sim.Scenario(
        horizon="30d", seed=3,
        population={"outbound": {"size": 1, "ramp": "0s"}, "inbound": {"per_day": 0},
                    "reachability": {"kind": "fixed", "value": 0.0}},
        readiness={"frozen": True},
        complaints={"enabled": False},
        team={"reps": [{"count": 1, "name": "ann"}]},
        strategies={"s": {"preset": "five_and_stop", "voicemail": False}},
    )
    ev = sim.run_replication(sc, "s", 0, event_log=True).events
    state = ev.readiness.iloc[0]
    nine = 9 * 60
    times = [nine, DAY + nine, 3 * DAY + nine, 7 * DAY + nine, 10 * DAY + nine]
    annoy, expected = 0.0, []
    for i, t in enumerate(times):
        annoy = annoy * math.exp(-(t - (times[i - 1] if i else t)) / (18 * DAY)) + 0.6
        expected.append((t, int(t // DAY) + 1, 0, "ann", "call", "prospecting" if i == 0 else "follow_up",
                         "no_answer", state, round(annoy, 6), ""))
    got = [tuple(row) for row in ev.itertuples(index=False)]
    assert got == expected
