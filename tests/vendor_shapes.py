"""Synthetic exports in each vendor's documented shape (headers, ids, value sets, units, timestamp
formats), built from one list of true calls so a test knows what every row must read as.

- Outreach data sharing, CALLS table: CALL_DISPOSITION_ID is the account's own id (the
  account list below is one public account's), OUTCOME 'Answered'/'Not Answered' (voicemails are
  answered), deleted rows flagged by IS_DELETED_IN_APP and DML_TYPE 'delete', Timestamp_NTZ UTC.
- Outreach API v2 /calls flattened with pandas.json_normalize: attributes.* and
  relationships.*.data.id, ISO 8601 with Z.
- HubSpot call engagements: hs_timestamp in Unix milliseconds (the API's form), the six default
  disposition GUIDs HubSpot documents, hs_call_status (COMPLETED, NO_ANSWER, BUSY, CANCELED,
  FAILED), hs_call_duration in ms; some calls carry a status and no disposition.
- Salesforce Task records: API names (TaskSubtype, CallType, CallDisposition, CreatedDate as
  2026-01-05T14:03:00.000+0000) or a UI report's labels (Task Subtype, Call Type, Call Result,
  Created Date as '1/5/2026, 9:03 AM' in the exporting user's zone); to-do tasks (subtype Task,
  no call type) are mixed in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TRUE_OUTCOMES = ("no_answer", "voicemail", "connected", "meeting_booked", "not_interested")
TRUE_SHARES = (0.55, 0.2, 0.1, 0.07, 0.08)
# one public account's CALL_DISPOSITIONS (the ids issue #26 quotes, plus one for a conversation without a decision)
OUTREACH_ACCOUNT = {1: "Answered - Meeting Set", 3: "Answered - Not Interested", 5: "Answered - Wrong Contact",
                    6: "No Answer", 7: "Left Voicemail", 9: "Bad Number", 11: "Answered - Call Back Later"}
OUTREACH_ID = {"meeting_booked": 1, "not_interested": 3, "no_answer": 6, "voicemail": 7, "connected": 11}
# the list this project once shipped as if it were the vendor's (ids 1-12 numbered differently)
OUTREACH_FORMER = {1: "No Answer", 2: "Left Voicemail", 3: "Answered - Interested", 4: "Answered - Meeting Set",
                   5: "Answered - Not Interested", 6: "Answered - Not a Fit", 7: "Answered - Do Not Call", 8: "Busy",
                   9: "Bad Number", 10: "Gatekeeper", 11: "Answered - Call Back Later", 12: "Closed Won"}
HUBSPOT_GUID = {"no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20", "voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
                "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7", "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764"}
SALESFORCE_RESULT = {"no_answer": "No Answer", "voicemail": "Left Voicemail", "connected": "Connected",
                     "meeting_booked": "Meeting Booked", "not_interested": "Not Interested"}


def true_calls(n: int = 600, seed: int = 26) -> pd.DataFrame:
    """n outbound calls over six weeks of working hours (UTC) by four reps to n/3 prospects, with true outcomes."""
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 30, n)
    week, weekday = day // 5, day % 5
    minute = rng.integers(14 * 60, 21 * 60, n)
    t = pd.Timestamp("2026-01-05", tz="UTC") + pd.to_timedelta((week * 7 + weekday) * 1440 + minute, unit="min")
    frame = pd.DataFrame({"t": t, "prospect": rng.integers(1000, 1000 + n // 3, n), "rep": rng.integers(1, 5, n),
                          "outcome": rng.choice(TRUE_OUTCOMES, n, p=TRUE_SHARES),
                          "talk_s": rng.integers(60, 900, n)})
    return frame.sort_values("t", ignore_index=True)


def answered(outcome: pd.Series) -> pd.Series:
    return outcome.isin(["connected", "meeting_booked", "not_interested"])


def outreach_table(calls: pd.DataFrame, deleted: int = 0) -> pd.DataFrame:
    """The CALLS table; the first ``deleted`` rows are repeated as deleted rows (half flagged each way)."""
    ntz = calls["t"].dt.strftime("%Y-%m-%d %H:%M:%S")
    picked = calls["outcome"].isin(["voicemail"]) | answered(calls["outcome"])
    end = (calls["t"] + pd.to_timedelta(np.where(answered(calls["outcome"]), calls["talk_s"], 10 + calls["talk_s"] % 30), unit="s"))
    table = pd.DataFrame({
        "ID": np.arange(len(calls)) + 1, "PROSPECT_ID": calls["prospect"], "USER_ID": calls["rep"], "DIRECTION": "outbound",
        "DIALED_AT": ntz, "ANSWERED_AT": np.where(picked, ntz, ""),
        "COMPLETED_AT": np.where(picked, end.dt.strftime("%Y-%m-%d %H:%M:%S"), ""), "CREATED_AT": ntz,
        "OUTCOME": np.where(picked, "Answered", "Not Answered"),
        "CALL_DISPOSITION_ID": calls["outcome"].map(OUTREACH_ID).astype(str),
        "CALL_PURPOSE_ID": "1", "IS_DELETED_IN_APP": "false", "DML_TYPE": "insert"})
    gone = table.head(deleted).copy()
    gone["ID"] += 100_000
    gone["IS_DELETED_IN_APP"] = np.where(np.arange(deleted) % 2 == 0, "true", "false")
    gone["DML_TYPE"] = np.where(np.arange(deleted) % 2 == 1, "delete", "update")
    return pd.concat([table, gone], ignore_index=True)


def outreach_api(calls: pd.DataFrame) -> pd.DataFrame:
    """GET /api/v2/calls, data[] flattened by pandas.json_normalize."""
    table = outreach_table(calls)
    iso = lambda col: pd.to_datetime(table[col].replace("", None), utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.000Z").fillna("")
    return pd.DataFrame({
        "type": "call", "id": table["ID"], "attributes.direction": "outbound", "attributes.dialedAt": iso("DIALED_AT"),
        "attributes.answeredAt": iso("ANSWERED_AT"), "attributes.completedAt": iso("COMPLETED_AT"),
        "attributes.createdAt": iso("CREATED_AT"), "attributes.outcome": table["OUTCOME"],
        "relationships.callDisposition.data.type": np.where(table["CALL_DISPOSITION_ID"] != "", "callDisposition", ""),
        "relationships.callDisposition.data.id": table["CALL_DISPOSITION_ID"],
        "relationships.prospect.data.type": "prospect", "relationships.prospect.data.id": table["PROSPECT_ID"],
        "relationships.user.data.type": "user", "relationships.user.data.id": table["USER_ID"]})


def hubspot_calls(calls: pd.DataFrame, status_only: int = 0, unfinished: int = 0) -> pd.DataFrame:
    """Call engagements; every ``status_only``-th unanswered call has a status and no disposition;
    ``unfinished`` extra rows are CANCELED or FAILED calls."""
    o = calls["outcome"].replace({"meeting_booked": "connected", "not_interested": "connected"})
    status = np.where(o == "no_answer", "NO_ANSWER", "COMPLETED")
    disposition = o.map(HUBSPOT_GUID)
    if status_only:
        blank = (o == "no_answer") & (np.arange(len(o)) % status_only == 0)
        disposition = disposition.where(~blank, "")
    frame = pd.DataFrame({
        "hs_object_id": np.arange(len(calls)) + 9000, "hs_call_callee_object_id": calls["prospect"],
        "hubspot_owner_id": calls["rep"] + 70, "hs_timestamp": ((calls["t"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)).astype(str),
        "hs_call_direction": "OUTBOUND", "hs_call_disposition": disposition, "hs_call_status": status,
        "hs_call_duration": np.where(answered(calls["outcome"]), calls["talk_s"] * 1000, (10 + calls["talk_s"] % 30) * 1000), "hs_call_title": "Call"})
    extra = frame.head(unfinished).copy()
    extra["hs_call_status"] = np.where(np.arange(unfinished) % 2 == 0, "CANCELED", "FAILED")
    extra["hs_call_disposition"] = ""
    return pd.concat([frame, extra], ignore_index=True)


def salesforce_tasks(calls: pd.DataFrame, todos: int = 0, report_zone: str | None = None) -> pd.DataFrame:
    """Task records (API names), or a UI report's columns when ``report_zone`` names the exporting user's zone."""
    tasks = pd.DataFrame({"Id": [f"00T{i:05d}" for i in range(len(calls))], "WhoId": [f"003{p}" for p in calls["prospect"]],
                          "OwnerId": [f"005{r}" for r in calls["rep"]], "Subject": "Call", "TaskSubtype": "Call",
                          "CallType": "Outbound", "CallDisposition": calls["outcome"].map(SALESFORCE_RESULT),
                          "CallDurationInSeconds": np.where(answered(calls["outcome"]), calls["talk_s"], 10 + calls["talk_s"] % 30),
                          "ActivityDate": calls["t"].dt.strftime("%Y-%m-%d"),
                          "CreatedDate": calls["t"].dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "t": calls["t"]})
    todo = tasks.head(todos).copy()
    todo["Subject"], todo["TaskSubtype"], todo["CallType"], todo["CallDisposition"] = "Send proposal", "Task", "", ""
    tasks = pd.concat([tasks, todo], ignore_index=True)
    if report_zone is None:
        return tasks.drop(columns="t")
    local = tasks["t"].dt.tz_convert(report_zone)
    created = [f"{x.month}/{x.day}/{x.year}, {x.strftime('%I:%M %p').lstrip('0')}" for x in local]
    return pd.DataFrame({"Subject": tasks["Subject"], "Contact ID": tasks["WhoId"], "Lead ID": "", "Assigned": tasks["OwnerId"],
                         "Task Subtype": tasks["TaskSubtype"], "Call Type": tasks["CallType"],
                         "Call Result": tasks["CallDisposition"], "Call Duration": tasks["CallDurationInSeconds"],
                         "Date": [f"{x.month}/{x.day}/{x.year}" for x in local], "Created Date": created})


def write(frame: pd.DataFrame, path) -> str:
    frame.to_csv(path, index=False)
    return str(path)


def id_list(ids: dict, path) -> str:
    """A lookup list as the vendor exports it (ID, NAME)."""
    return write(pd.DataFrame({"ID": list(ids), "NAME": list(ids.values())}), path)
