"""Readable strategy labels: presets ship one, a changed preset loses it, display names fall back to the key."""
import sim
from sim.scenario.strategies import PRESETS, Strategy, display_name, display_names


def test_every_preset_ships_a_readable_label():
    for name in PRESETS:
        label = Strategy(preset=name).label
        assert label and "_" not in label, name


def test_display_name_is_label_or_key():
    assert display_name("one", Strategy(preset="one_and_done")) == "Call once and stop"
    assert display_name("mine", Strategy(steps=[{"day": 1}])) == "mine"
    assert display_name("mine", Strategy(steps=[{"day": 1}], label="My way")) == "My way"


def test_a_changed_preset_does_not_keep_the_preset_label():
    assert Strategy(preset="five_and_stop", first_response="1m").label is None
    assert Strategy(preset="five_and_stop", description="ours").label == "Five calls, then stop"
    assert Strategy(preset="five_and_stop", first_response="1m", label="Fast five").label == "Fast five"


def test_shared_labels_are_told_apart_by_key():
    sc = sim.Scenario(strategies={"a": {"preset": "one_and_done"}, "b": {"preset": "one_and_done"},
                                  "c": {"steps": [{"day": 1}]}})
    assert display_names(sc.strategies) == {"a": "Call once and stop (a)", "b": "Call once and stop (b)", "c": "c"}
