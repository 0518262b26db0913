"""Every preset runs on a small default scenario and accounts for every prospect."""
import pytest

import sim
from sim.model.prospects import FINAL_STATES


@pytest.mark.parametrize("name", list(sim.PRESETS))
def test_preset_runs_and_accounts_for_everyone(name):
    sc = sim.Scenario(horizon="60d", population={"outbound": {"size": 300}, "inbound": {"per_day": 3}},
                      strategies={name: {"preset": name}})
    r = sim.run_replication(sc, name, 0)
    m = r.metrics
    assert m["prospects"] == m["list_prospects"] + m["inbound_leads"]
    assert sum(m[k] for k in ("sales", "opt_outs", "disqualified", "lost_to_competitor", "open_at_end")) == m["prospects"]
    assert set(r.final_states) <= set(FINAL_STATES)
