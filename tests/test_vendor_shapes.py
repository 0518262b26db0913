"""Each vendor's export shape (tests/vendor_shapes.py), read through its shipped mapping: what is read,
what each filter leaves out, and what is refused with which message. The true outcome of every call
is known, so a read is checked row by row, not only in total."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, cli
from sim.fit.export_mapping import ActivityError
from sim.fit.export_reader import read_activities
from sim.fit.fitting import fit_activities
from vendor_shapes import (HUBSPOT_GUID, OUTREACH_ACCOUNT, OUTREACH_FORMER, hubspot_calls, id_list, outreach_api,
                           outreach_table, salesforce_tasks, true_calls, write)

MAPPINGS = ROOT / "mappings"
CALLS = true_calls()
READ_AS = {"no_answer": "no_answer", "voicemail": "voicemail", "connected": "connected",
           "meeting_booked": "meeting_booked", "not_interested": "not_interested"}


def outcomes_by_time(acts) -> pd.Series:
    f = acts.frame.sort_values(["t", "line"])
    return f["outcome"].astype(str).reset_index(drop=True)


def accounted(report) -> None:
    assert report.rows == report.kept + sum(report.filtered.values()) + report.bad
    assert sum(n for _, n in report.accounting()[1:]) == report.rows


# ---------------------------------------------------------------- Outreach: the CALLS table and the API
def test_outreach_table_with_the_accounts_own_list_reads_every_call_right_and_drops_deleted_rows(tmp_path):
    path = write(outreach_table(CALLS, deleted=40), tmp_path / "calls.csv")
    acts = read_activities(path, MAPPINGS / "outreach_calls.yaml",
                           lookups={"outcome": id_list(OUTREACH_ACCOUNT, tmp_path / "mine.csv")})
    rep = acts.report
    assert rep.filtered == {"drop: IS_DELETED_IN_APP is one of [true, 1]": 20, "drop: DML_TYPE is one of [delete]": 20}
    assert rep.bad == 0 and rep.kept == len(CALLS)
    accounted(rep)
    assert list(outcomes_by_time(acts)) == list(CALLS["outcome"].map(READ_AS))


def test_outreach_with_the_formerly_shipped_list_is_refused_not_misread(tmp_path):
    """The silent misread of issue #26: another account's id list read voicemails as do-not-call and
    unanswered calls as 'unqualified'. OUTCOME, recorded by the dialer, now contradicts it."""
    path = write(outreach_table(CALLS), tmp_path / "calls.csv")
    with pytest.raises(ActivityError) as err:
        read_activities(path, MAPPINGS / "outreach_calls.yaml",
                        lookups={"outcome": id_list(OUTREACH_FORMER, tmp_path / "theirs.csv")})
    message = str(err.value)
    no_answer = int((CALLS["outcome"] == "no_answer").sum())  # id 6: 'No Answer' here, 'Answered - Not a Fit' there
    assert "calls read as an outcome that OUTCOME contradicts" in message and "not this account's own" in message
    assert f"{no_answer:,} calls: 6 -> unqualified, but OUTCOME says not answered" in message


def test_outreach_api_shape_reads_the_same_calls_as_the_table(tmp_path):
    mine = id_list(OUTREACH_ACCOUNT, tmp_path / "mine.csv")
    table = read_activities(write(outreach_table(CALLS), tmp_path / "t.csv"), MAPPINGS / "outreach_calls.yaml",
                            lookups={"outcome": mine})
    api = read_activities(write(outreach_api(CALLS), tmp_path / "a.csv"), MAPPINGS / "outreach_calls_api.yaml",
                          lookups={"outcome": mine})
    cols = ["t", "outcome", "duration_s"]
    pd.testing.assert_frame_equal(table.frame[cols], api.frame[cols])


# ---------------------------------------------------------------- HubSpot call engagements
def test_hubspot_epoch_ms_and_status_without_disposition_are_read_unfinished_calls_counted(tmp_path):
    path = write(hubspot_calls(CALLS, status_only=3, unfinished=10), tmp_path / "calls.csv")
    acts = read_activities(path, MAPPINGS / "hubspot_calls.yaml")
    rep = acts.report
    filt = "drop: hs_call_status is one of [CANCELED, FAILED, QUEUED, RINGING, CONNECTING, IN_PROGRESS, CALLING_CRM_USER]"
    assert rep.filtered == {filt: 10} and rep.bad == 0
    accounted(rep)
    assert acts.frame["t"].min() == CALLS["t"].min()  # Unix milliseconds, read by format: auto
    expected = CALLS["outcome"].replace({"meeting_booked": "connected", "not_interested": "connected"})
    assert list(outcomes_by_time(acts)) == list(expected)


def test_hubspot_epoch_ms_under_an_iso_format_names_the_option(tmp_path):
    path = write(hubspot_calls(CALLS), tmp_path / "calls.csv")
    mapping = tmp_path / "iso.yaml"
    mapping.write_text((MAPPINGS / "hubspot_calls.yaml").read_text().replace("format: auto", "format: ISO8601"))
    (tmp_path / "hubspot_call_dispositions.csv").write_text((MAPPINGS / "hubspot_call_dispositions.csv").read_text())
    with pytest.raises(ActivityError, match="timestamp: timestamps.format is 'ISO8601'; they look like Unix times: "
                                            "set timestamps.format: epoch_ms"):
        read_activities(path, mapping)


def test_hubspot_custom_dispositions_are_listed_with_counts_and_read_with_the_accounts_list(tmp_path):
    calls = hubspot_calls(CALLS)
    custom = "8f2b7a10-0000-4000-8000-00000000beef"  # the account's own "Meeting booked"
    booked = (CALLS["outcome"] == "meeting_booked").to_numpy()
    calls.loc[booked, "hs_call_disposition"] = custom
    path = write(calls, tmp_path / "calls.csv")
    with pytest.raises(ActivityError) as err:
        read_activities(path, MAPPINGS / "hubspot_calls.yaml")
    assert f"1 distinct outcome id not in the lookup list: '{custom}' ({booked.sum()} rows)" in str(err.value)
    mine = pd.read_csv(MAPPINGS / "hubspot_call_dispositions.csv")
    mine.loc[len(mine)] = [custom, "Meeting booked"]
    mine.to_csv(tmp_path / "mine.csv", index=False)
    mapping = tmp_path / "hubspot_calls.yaml"
    mapping.write_text((MAPPINGS / "hubspot_calls.yaml").read_text().replace(
        '    "Connected": connected\n', '    "Connected": connected\n    "Meeting booked": meeting_booked\n'))
    (tmp_path / "hubspot_call_dispositions.csv").write_text((tmp_path / "mine.csv").read_text())
    acts = read_activities(path, mapping)
    assert int((acts.frame["outcome"] == "meeting_booked").sum()) == booked.sum()


def test_hubspot_default_dispositions_fit_with_warnings_not_silently(tmp_path):
    acts = read_activities(write(hubspot_calls(CALLS), tmp_path / "calls.csv"), MAPPINGS / "hubspot_calls.yaml")
    warnings = " | ".join(fit_activities(acts, "hubspot").warnings)
    assert "the log has no sale" in warnings
    assert "every answered call" in warnings and "'connected'" in warnings


# ---------------------------------------------------------------- Salesforce tasks
def test_salesforce_to_do_tasks_are_counted_by_the_filter_that_left_them_out(tmp_path):
    acts = read_activities(write(salesforce_tasks(CALLS, todos=130), tmp_path / "tasks.csv"),
                           MAPPINGS / "salesforce_tasks.yaml")
    assert acts.report.filtered == {"keep: TaskSubtype is not one of [Call]": 130}
    assert any("no column IsDeleted" in n for n in acts.report.notes)
    accounted(acts.report)
    assert list(outcomes_by_time(acts)) == list(CALLS["outcome"].map(READ_AS))


def test_salesforce_free_text_results_not_mapped_are_listed_with_lines_to_paste(tmp_path):
    tasks = salesforce_tasks(CALLS)
    tasks.loc[tasks.index[::7], "CallDisposition"] = "Spoke - sent info"
    tasks.loc[tasks.index[1::50], "CallDisposition"] = 'Gatekeeper "Jan"'
    with pytest.raises(ActivityError) as err:
        read_activities(write(tasks, tmp_path / "tasks.csv"), MAPPINGS / "salesforce_tasks.yaml")
    message = str(err.value)
    n_spoke, n_gate = (tasks["CallDisposition"] == "Spoke - sent info").sum(), (tasks["CallDisposition"] == 'Gatekeeper "Jan"').sum()
    assert "2 distinct outcome values not mapped; paste under values: in the mapping" in message
    assert f'      "Spoke - sent info": FILL_IN   # {n_spoke} rows' in message
    assert f'      "Gatekeeper \\"Jan\\"": FILL_IN   # {n_gate} rows' in message


def test_salesforce_report_labels_read_with_the_report_mapping_in_the_exporting_users_zone(tmp_path):
    path = write(salesforce_tasks(CALLS, todos=20, report_zone="America/New_York"), tmp_path / "report.csv")
    with pytest.raises(ActivityError, match=r"'CreatedDate' as 'Created Date'.*salesforce_tasks_report.yaml"):
        read_activities(path, MAPPINGS / "salesforce_tasks.yaml")
    mapping = tmp_path / "report.yaml"
    mapping.write_text((MAPPINGS / "salesforce_tasks_report.yaml").read_text().replace(
        "SET_THE_EXPORTING_USERS_TIME_ZONE", "America/New_York"))
    acts = read_activities(path, mapping)
    api = read_activities(write(salesforce_tasks(CALLS), tmp_path / "api.csv"), MAPPINGS / "salesforce_tasks.yaml")
    pd.testing.assert_series_equal(acts.frame["t"], api.frame["t"])
    assert list(outcomes_by_time(acts)) == list(outcomes_by_time(api))


# ---------------------------------------------------------------- dropping rows that bias the fit
def test_unreadable_rows_all_answered_are_refused_even_under_max_bad_rows(tmp_path):
    tasks = salesforce_tasks(CALLS)
    talked = tasks["CallDisposition"].isin(["Connected", "Meeting Booked", "Not Interested"])
    tasks.loc[talked[talked].index[::2], "CreatedDate"] = "yesterday"
    with pytest.raises(ActivityError) as err:
        read_activities(write(tasks, tmp_path / "tasks.csv"), MAPPINGS / "salesforce_tasks.yaml", max_bad_rows=10_000)
    assert "cannot be left out: it would bias the fit" in str(err.value)
    assert "unreadable calls with a readable outcome were answered (100%)" in str(err.value)


def test_unreadable_rows_spread_like_the_rest_are_left_out_when_allowed(tmp_path):
    tasks = salesforce_tasks(CALLS)
    tasks.loc[tasks.index[::25], "CreatedDate"] = "yesterday"  # every 25th call, whatever its outcome or rep
    acts = read_activities(write(tasks, tmp_path / "tasks.csv"), MAPPINGS / "salesforce_tasks.yaml", max_bad_rows=100)
    assert acts.report.bad == len(tasks.index[::25])


# ---------------------------------------------------------------- the CLI, as a user runs it
def test_fit_md_has_the_row_accounting_table(tmp_path):
    path = write(salesforce_tasks(CALLS, todos=42), tmp_path / "tasks.csv")
    out = tmp_path / "out"
    proc = cli("fit", path, "--mapping", MAPPINGS / "salesforce_tasks.yaml", "--out", out / "f.yaml",
               "--report", out / "rep", "--replications", "0")
    assert proc.returncode == 0, proc.stderr
    md = (out / "rep" / "fit.md").read_text()
    assert "## Every row accounted for" in md
    assert f"| {len(CALLS) + 42:,} | rows in the file |" in md and f"| {len(CALLS):,} | read and used |" in md
    # fit.md escapes what it quotes from the export and mapping (one rule: sim/present/escape)
    assert "| 42 | left out by keep: TaskSubtype is not one of \\[Call\\] |" in md
    assert "Every row of the export accounted for" in proc.stdout
