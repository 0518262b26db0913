"""One prospect's story under A and under B, for the workshop page: which prospect of the picked
kind to tell (the typical one first, then those whose outcome differs), and the two stories."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.present.story import PICKS, Story, StoryError, differing, kinds_of, pick_prospect, tell
from sim.scenario.schema import Scenario
from sim.workshop.page import SIDES, STORY_PICKS, RunCache


@dataclass
class StoryPair:
    a: Story
    b: Story
    under: str  # the side whose outcome was picked ("A", or "B" when nobody under A fits)
    candidates: int  # how many prospects fit the pick


def story_candidates(events: pd.DataFrame, other: pd.DataFrame, pick: str) -> list[int]:
    """Prospects of the ``pick`` kind in ``events``: the typical one (``story.pick_prospect``) first,
    then those whose outcome (final state) differs in ``other``, then the rest, each by how much happened to them."""
    first = pick_prospect(events, pick, other)
    if first is None:
        return []
    kinds, differ = kinds_of(events), differing(events, other)
    sizes = events.groupby("prospect").size()
    of_kind = sorted((p for p, k in kinds.items() if k == pick and p != first), key=lambda p: (int(sizes[p]), p))
    return [first] + [p for p in of_kind if p in differ] + [p for p in of_kind if p not in differ]


def story_pair(scenario: Scenario, cache: RunCache, pick: str, nth: int = 0, replication: int = 0) -> StoryPair:
    """One prospect's story under A and under B (``story.tell``): the ``nth`` prospect of the pick's
    kind under A (under B when nobody under A fits), the typical one first."""
    if pick not in PICKS:
        raise StoryError(f"pick {pick!r}: expected one of {', '.join(STORY_PICKS)}")
    ev = {side: cache.run(scenario, side, replication, event_log=True).events for side in SIDES}
    under, found = "A", story_candidates(ev["A"], ev["B"], pick)
    if not found:
        under, found = "B", story_candidates(ev["B"], ev["A"], pick)
    if not found:
        raise StoryError(f"nobody {pick} under A or B in replication {replication}; try another kind of prospect")
    prospect = found[nth % len(found)]
    a, b = (tell(scenario, side, prospect=prospect, replication=replication, events=ev[side]) for side in SIDES)
    (a if under == "A" else b).picked = pick
    return StoryPair(a, b, under, len(found))
