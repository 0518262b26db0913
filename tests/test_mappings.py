"""The shipped mapping files, on small CSVs in each vendor's shape: every trap handled and reported."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from sim.fit.export_mapping import ActivityError, load_mapping
from sim.fit.export_reader import read_activities
from sim.fit.fitting import fit_activities

MAPPINGS = ROOT / "mappings"
VENDOR = ROOT / "tests" / "vendor"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


ASKS_FOR_THE_ACCOUNTS_OWN = {"salesforce_tasks_report": "unknown time zone 'SET_THE_EXPORTING_USERS_TIME_ZONE'"}
OUTREACH_LIST = {"outcome": VENDOR / "outreach_call_dispositions.csv"}  # this test account's own list


@pytest.mark.parametrize("path", sorted(MAPPINGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_mapping_is_valid_or_asks_for_what_only_the_account_knows(path):
    if path.stem in ASKS_FOR_THE_ACCOUNTS_OWN:
        with pytest.raises(ActivityError, match=ASKS_FOR_THE_ACCOUNTS_OWN[path.stem]):
            load_mapping(path)
    else:
        load_mapping(path)


def test_outreach_calls_blank_dial_times_lookups_and_duration():
    acts = read_activities(VENDOR / "outreach_calls.csv", MAPPINGS / "outreach_calls.yaml", lookups=OUTREACH_LIST)
    f = acts.frame.set_index("line")
    rep = acts.report
    # line 8: a disposition id missing from the account's list is reported, not guessed
    assert rep.bad == 1 and rep.bad_rows[0].line == 8 and rep.bad_rows[0].field == "outcome" and "'99'" in rep.bad_rows[0].reason
    assert "not in the lookup list" in rep.bad_rows[0].reason
    # lines 9 and 11: marked deleted (IS_DELETED_IN_APP, DML_TYPE delete): left out and counted by filter
    assert rep.filtered == {"drop: IS_DELETED_IN_APP is one of [true, 1]": 1, "drop: DML_TYPE is one of [delete]": 1}
    # line 10: no disposition: read from OUTCOME
    assert f.loc[10, "outcome"] == "no_answer"
    assert rep.rows == rep.kept + rep.skipped + rep.bad == 10
    # line 6: logged by hand, no DIALED_AT or ANSWERED_AT: its time is CREATED_AT, and the report says so
    assert f.loc[6, "t"] == utc("2026-01-07 16:45")
    assert any("1 row had no DIALED_AT and took its time from CREATED_AT" in n for n in rep.notes)
    # disposition id -> name -> outcome
    assert list(f.loc[[2, 3, 4, 5, 6, 7], "outcome"]) == ["no_answer", "voicemail", "meeting_booked", "won",
                                                          "not_interested", "connected"]
    assert f.loc[7, "direction"] == "inbound"
    # duration = COMPLETED_AT - ANSWERED_AT (a voicemail has one too: answered_at includes voicemails)
    assert f.loc[4, "duration_s"] == 360 and f.loc[3, "duration_s"] == 45 and pd.isna(f.loc[2, "duration_s"])


def test_outreach_without_the_accounts_list_says_where_to_export_it(tmp_path):
    with pytest.raises(ActivityError, match="no such file .*outreach_call_dispositions.csv. Export your account's "
                                            "CALL_DISPOSITIONS table"):
        read_activities(VENDOR / "outreach_calls.csv", MAPPINGS / "outreach_calls.yaml")


def test_hubspot_calls_guid_dispositions_and_milliseconds():
    acts = read_activities(VENDOR / "hubspot_calls.csv", MAPPINGS / "hubspot_calls.yaml")
    f = acts.frame.set_index("line")
    assert list(f.loc[[2, 3, 4, 5, 6], "outcome"]) == ["no_answer", "voicemail", "connected", "connected", "voicemail"]
    assert list(f.loc[[4, 5], "direction"]) == ["outbound", "inbound"]
    assert f.loc[4, "duration_s"] == 360.0  # 360000 ms
    # a custom disposition GUID missing from the dispositions list is reported by line
    assert acts.report.bad == 1 and acts.report.bad_rows[0].line == 7


def test_hubspot_durations_in_the_wrong_unit_stop_the_fit(tmp_path):
    rows = pd.read_csv(VENDOR / "hubspot_calls.csv", dtype=str).iloc[[2]]
    many = pd.concat([rows] * 30, ignore_index=True)
    many["hs_call_duration"] = [str(60 + 10 * i) for i in range(30)]  # seconds, though the mapping says ms
    path = tmp_path / "calls_in_seconds.csv"
    many.to_csv(path, index=False)
    with pytest.raises(ActivityError, match=r"duration: the median answered call lasts 0\.2 s .* check the unit"):
        read_activities(path, MAPPINGS / "hubspot_calls.yaml")


def test_salesforce_tasks_use_the_creation_time_and_skip_other_tasks():
    acts = read_activities(VENDOR / "salesforce_tasks.csv", MAPPINGS / "salesforce_tasks.yaml")
    rep = acts.report
    assert rep.filtered == {"keep: TaskSubtype is not one of [Call]": 1,  # the email task
                            "keep: CallType is not one of [Inbound, Outbound]": 1}  # the internal call
    assert rep.bad == 1 and rep.bad_rows[0].line == 8 and "Spoke to receptionist" in rep.bad_rows[0].reason
    assert rep.unmapped == {"outcome": {"Spoke to receptionist": 1}}
    f = acts.frame.set_index("line")
    assert f.loc[2, "t"] == utc("2026-01-05 14:03")  # CreatedDate, +0000
    assert f.loc[4, "outcome"] == "meeting_booked" and f.loc[7, "direction"] == "inbound"
    assert f.loc[4, "duration_s"] == 420
    assert any("ActivityDate has no time of day" in n for n in rep.notes)


def test_salesforce_activity_date_alone_is_refused(tmp_path):
    text = (MAPPINGS / "salesforce_tasks.yaml").read_text().replace("timestamp: CreatedDate", "timestamp: ActivityDate")
    mapping = tmp_path / "by_date.yaml"
    mapping.write_text(text)
    with pytest.raises(ActivityError, match="date without a time of day"):
        read_activities(VENDOR / "salesforce_tasks.csv", mapping)


@pytest.mark.parametrize("csv,mapping", [("outreach_calls", "outreach_calls"), ("hubspot_calls", "hubspot_calls"),
                                         ("salesforce_tasks", "salesforce_tasks")])
def test_a_tiny_export_still_fits_and_lists_what_it_could_not_estimate(csv, mapping):
    fit = fit_activities(read_activities(VENDOR / f"{csv}.csv", MAPPINGS / f"{mapping}.yaml", lookups=OUTREACH_LIST
                                         if csv == "outreach_calls" else None), "tiny")
    kept = dict(fit.kept_defaults)
    assert "population.reachability" in kept and "conversation.hot.*" in kept
    fit.scenario()  # the fitted scenario is valid


def test_a_named_preset_replaces_the_inferred_cadence():
    acts = read_activities(VENDOR / "hubspot_calls.csv", MAPPINGS / "hubspot_calls.yaml")
    fit = fit_activities(acts, "tiny", cadence="five_and_stop")
    assert fit.scenario().strategies["as_logged"].steps == fit.scenario().strategies["five_and_stop"].steps
    with pytest.raises(ActivityError, match="not a preset"):
        fit_activities(acts, "tiny", cadence="five")
