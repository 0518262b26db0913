"""The activity format: a simulated event log exported as activities and read back."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.fit.export_mapping import ActivityError
from sim.fit.export_reader import read_activities
from sim.present.activity_writer import activities_from_events, write_activities
from sim.model.engine import run_replication
from sim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def small_run():
    sc = Scenario.model_validate({
        "horizon": "30d", "seed": 5,
        "population": {"outbound": {"size": 300}, "inbound": {"per_day": 10}},
        "team": {"reps": [{"count": 2}]},
        "strategies": {"mixed": {"preset": "mixed_channels", "book_next_step": True}}})
    return run_replication(sc, "mixed", 0, event_log=True)


def test_every_touch_and_complaint_becomes_a_row_and_reads_back(small_run, tmp_path):
    ev = small_run.events
    rows = activities_from_events(ev)
    path = tmp_path / "a.csv"
    write_activities(rows, path, header="a test export")
    acts = read_activities(path)
    f = acts.frame
    touches = ev["kind"].isin(["booked", "callback", "new_lead", "follow_up", "prospecting"]) & \
        ~ev["outcome"].isin(["dropped", "forgotten"])
    assert (f["direction"] == "outbound").sum() == touches.sum() == small_run.metrics["touches"]
    assert (f["outcome"] == "complaint").sum() == small_run.metrics["complaints"]
    assert (f["outcome"] == "won").sum() == small_run.metrics["sales"]
    calls = f[(f["channel"] == "call") & (f["direction"] == "outbound")]
    assert len(calls) == small_run.metrics["calls"]
    assert calls["outcome"].isin(["connected", "meeting_booked", "won", "lost", "not_interested", "unqualified"]).sum() \
        == small_run.metrics["connects"]
    # minute 0 is Monday 2026-01-05 00:00 UTC; line numbers count the comment and the header
    first = ev[touches].iloc[0]
    assert f["t"].iloc[0] == pd.Timestamp("2026-01-05", tz="UTC") + pd.Timedelta(minutes=first["time_min"])
    assert f["line"].min() == 3
    leads = ev[ev["kind"] == "arrival"]
    called = f.loc[f["lead_created"].notna(), "prospect"].nunique()
    assert called <= len(leads) and called > 0.8 * len(leads)


def test_a_file_with_several_runs_is_refused(small_run, tmp_path):
    ev = small_run.events
    both = pd.concat([ev.assign(strategy="a", replication=0), ev.assign(strategy="b", replication=0)])
    path = tmp_path / "two.csv"
    write_activities(activities_from_events(both), path)
    with pytest.raises(ActivityError, match="2 simulated runs"):
        read_activities(path)


def test_run_writes_activities_csv_instead_of_events_parquet(tmp_path):
    from conftest import ROOT, cli

    out = tmp_path / "out"
    proc = cli("run", ROOT / "scenarios" / "baseline.yaml", "--set", "horizon=10d", "--set", "population.outbound.size=100",
               "-r", "1", "--no-plots", "-q", "--events", "--events-format", "activities", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "events.parquet").exists()
    lines = (out / "activities.csv").read_text().splitlines()
    assert lines[0].startswith("# followup-sim activities export") and "2026-01-05T00:00Z" in lines[0]
    assert lines[1] == "strategy,replication,prospect_id,timestamp,channel,direction,outcome,rep_id,lead_source,lead_created_at,purpose"
    bad = cli("run", ROOT / "scenarios" / "baseline.yaml", "--events-format", "csv", "--out", tmp_path / "x")
    assert bad.returncode == 2 and "expected 'parquet' or 'activities'" in bad.stderr and not (tmp_path / "x").exists()
