"""The market's moments: buyers' decisions (to contact us or a competitor), their waits for
us, and the redrawn futures our touches cause (a sale, a nurture, a lost buyer)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import randomness as rnd
from sim.model.prospects import OPEN, Prospect
from sim.model.queues import CALLBACK_K
from sim.model.readiness import OFF_MARKET, READY, Tail

if TYPE_CHECKING:
    from sim.model.engine import Model


def contact_key(p: Prospect) -> int:
    """The prospect contacts us (reaches out, replies, calls back after a voicemail): a "no"
    they gave before is withdrawn by their own contact. Returns the random-number key of the
    call that answers this contact."""
    p.said_no = False
    p.contacts += 1
    return rnd.INBOUND + p.contacts - 1


class Market:
    def __init__(self, m: Model):
        self.m = m
        self.tail = Tail(m.scenario.readiness)
        self._wait_seq = 0  # tokens of buyers' waiting deadlines (``wait``)

    def _prospect_rng(self, p: Prospect) -> np.random.Generator:
        """A generator for redrawing p's future path (after a sale, a nurture, a lost buyer)."""
        p.redraws += 1
        return rnd.prospect_rng(self.m.seed, self.m.replication, "redraw", p.pid, p.redraws)

    def redraw(self, p: Prospect, state: int, now: float) -> None:
        """p is in ``state`` from now on; draw the rest of their path and its purchase moments."""
        tail_t, tail_s = self.tail.sample(self._prospect_rng(p), state, now, self.m.horizon)
        p.cut_path(now, tail_t, tail_s)
        self._schedule_purchases(p, tail_t[1:], tail_s[1:])

    def _schedule_purchases(self, p: Prospect, times, states) -> None:
        m = self.m
        version, now = p.version, m.env.now
        for t, s in zip(times, states):
            if s == OFF_MARKET and t <= m.horizon:
                m.agenda.at(t - now, lambda _e, p=p, v=version: self.purchase(p, v))

    def purchase(self, p: Prospect, version: int) -> None:
        """A buyer's decision moment: they contact us (we may still lose them) or a competitor.

        The decision's uniform is keyed by the prospect's buying-moment count, so the same
        moment is decided with the same luck under every strategy (only the share differs)."""
        if p.version != version or p.status != OPEN:
            return
        m = self.m
        now = m.env.now
        share = m.rules.buyer_contacts_us(now - p.last_touch if p.touches else None)
        p.moments += 1
        if m.uniforms.get(p.pid, rnd.MARKET + p.moments - 1, rnd.REACH) >= share:
            if m.log is not None:
                m.log.add(now, p, None, "market", "purchase", "bought_elsewhere", OFF_MARKET)
            return
        m.tally.reach_outs_to_us += 1
        p.cut_path(now, [now], [READY])
        p.hot_t = now
        if m.log is not None:
            m.log.add(now, p, None, "market", "reach_out", "contacted_us", READY)
        m.router.schedule(p, now, CALLBACK_K, contact_key(p), "call")
        self.wait(p, now + m.rules.patience, talked=False)

    def wait(self, p: Prospect, until: float, talked: bool) -> None:
        """A buyer who contacted us waits for us until ``until``, then buys from a competitor
        (``gave_up``). Each conversation with them sets a new deadline (``outcomes``):
        patience from the call-back or booked time they agreed to, or from now."""
        self._wait_seq += 1
        token = self._wait_seq
        p.buyer_wait = -token if talked else token
        self.m.agenda.at(until - self.m.env.now, lambda _e, p=p, token=token: self.gave_up(p, token))

    def gave_up(self, p: Prospect, token: int) -> None:
        """A waiting buyer's deadline: unless a later deadline or a sale came first, they buy
        elsewhere. Counted as giving up waiting only if we never talked to them."""
        if abs(p.buyer_wait) != token or p.status != OPEN:
            return
        m = self.m
        talked = p.buyer_wait < 0
        p.buyer_wait = 0
        if talked:
            m.tally.buyers_lost_after_talking += 1
        else:
            m.tally.buyers_gave_up_waiting += 1
        if m.log is not None:
            m.log.add(m.env.now, p, None, "market", "purchase", "bought_elsewhere" if talked else "gave_up_waiting",
                      OFF_MARKET)
        self.redraw(p, OFF_MARKET, m.env.now)
