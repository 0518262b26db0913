"""The cadence's steps for one prospect: the first step, the next step after a touch, a
dropped task, a step reached after the strategy's last day."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model import randomness as rnd
from sim.model.prospects import Prospect
from sim.model.queues import CADENCE_KINDS, FOLLOW_UP_K, KINDS, NEW_LEAD_K

if TYPE_CHECKING:
    from sim.model.engine import Model


class CadenceSteps:
    def __init__(self, m: Model):
        self.m = m
        # the cadence of listed prospects and that of inbound leads (the same steps unless the
        # strategy gives an ``outbound:`` or ``inbound:`` sub-cadence); ids below n_list are listed
        self.cadence = m.strategy.cadence("outbound")
        self.inbound_cadence = m.strategy.cadence("inbound")
        self.n_list, self.rules, self.tally, self.uniform = m.n_list, m.rules, m.tally, m.uniforms.get
        self.schedule = m.router.schedule
        self.give_up_at = m.give_up_at  # per prospect, with the strategy's give_up rule (else None)

    def cadence_of(self, p: Prospect):
        return self.cadence if p.pid < self.n_list else self.inbound_cadence

    def channel(self, p: Prospect, kind: int) -> str:
        """The channel of p's task of kind ``kind`` (a cadence step's, else a call)."""
        if kind in CADENCE_KINDS:
            return self.cadence_of(p).channel_of(p.step) or "call"
        return "call"

    def first(self, p: Prospect, start: float, kind: int) -> None:
        """p's cadence starts at ``start``: schedule its first step."""
        cadence = self.cadence_of(p)
        if cadence.first_delay is None or cadence.limit < 1 or self.gives_up(p, start):
            p.cadence_over = True
            return
        p.anchor = start
        p.last_touch = start
        self.m.router.schedule(p, start + cadence.first_delay, kind, rnd.ATTEMPT + p.attempts)

    def touched(self, p: Prospect, now: float) -> None:
        """A cadence step was made (a call or a message): count it, anchor day 1 on the first."""
        if p.step == 0:
            p.anchor = now - self.cadence_of(p).day_one
        p.step += 1
        p.attempts += 1

    def next(self, p: Prospect, now: float, key: int) -> None:
        """Schedule the cadence's next step after p's touch with random-number key ``key`` (-1
        when no touch was made: a dropped task is never forgotten)."""
        k = p.step
        cadence = self.cadence if p.pid < self.n_list else self.inbound_cadence
        # Cadence.channel_of and Cadence.due_after, written out (a step per touch)
        channels = cadence.channels
        if k >= cadence.limit or p.cadence_over:
            p.cadence_over = True
            return
        last_touch = p.last_touch
        if k < len(channels):
            channel = channels[k]
            offset = cadence.offsets[k]
            planned = p.anchor + offset if offset is not None else last_touch + cadence.gaps[k]
        else:
            channel = cadence.repeat_channel
            if channel is None:
                p.cadence_over = True
                return
            planned = last_touch + cadence.repeat_every
        if self.give_up_at is not None and self.gives_up(p, now):
            p.cadence_over = True
            return
        rules = self.rules
        due = max(planned, last_touch + rules.min_gap, now)
        if rules.last_day is not None and due >= p.anchor + rules.last_day:
            p.cadence_over = True
            return
        if (channel == "call" and rules.forget is not None and key >= 0
                and self.uniform(p.pid, key, rnd.FORGET) < rules.forget):
            self.tally.forgotten += 1
            p.cadence_over = True
            log = self.m.log
            if log is not None:
                log.add(now, p, None, channel, "follow_up", "forgotten", p.state_at(now))
            return
        self.schedule(p, due, FOLLOW_UP_K, rnd.ATTEMPT + p.attempts, channel)

    def gives_up(self, p: Prospect, now: float) -> bool:
        """The strategy's give_up rule: after the prospect's drawn number of attempts without a
        sale the team stops (logged as ``given_up``)."""
        if self.give_up_at is None or p.attempts < self.give_up_at[p.pid]:
            return False
        if self.m.log is not None:
            self.m.log.add(now, p, None, "call", "follow_up", "given_up", p.state_at(now))
        return True

    def drop(self, p: Prospect, kind: int, now: float) -> None:
        """A task overdue beyond the limit is dropped; the cadence moves on to its next step."""
        m = self.m
        m.tally.dropped += 1
        if kind == NEW_LEAD_K:
            m.tally.dropped_new_leads += 1
            m.tally.dropped_lead_waits.append(m.horizon - p.start)  # never called: waited to the end
        if m.log is not None:
            m.log.add(now, p, None, "call", KINDS[kind], "dropped", p.state_at(now))
        if kind in CADENCE_KINDS:
            p.step += 1
        self.next(p, now, -1)

    def past_last_day(self, p: Prospect, kind: int, now: float) -> bool:
        """A cadence step reached after the strategy's last day (weekends, calling hours or a
        backlog pushed it there) is not made: the cadence ends, the task is counted and logged.
        The first touch is day 1 by definition; calls the prospect asked for are not limited."""
        m = self.m
        last_day = m.rules.last_day
        if last_day is None or kind < NEW_LEAD_K or p.step == 0 or now < p.anchor + last_day:
            return False
        m.tally.past_last_day += 1
        p.cadence_over = True
        if m.log is not None:
            m.log.add(now, p, None, self.channel(p, kind), KINDS[kind], "past_last_day", p.state_at(now))
        return True
