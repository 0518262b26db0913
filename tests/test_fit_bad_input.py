"""`followup-sim fit` on broken activity files: exit code 2, the file, line and field named, no
traceback, nothing written; a few bad rows are reported and left out; huge files are refused
before reading or streamed in bounded memory."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import cli
from sim.fit.export_mapping import ActivityError
from sim.fit.export_reader import read_activities

HEADER = "prospect_id,timestamp,channel,direction,outcome,rep_id\n"


def good_rows(n: int, start: int = 0) -> str:
    outcomes = ["no_answer", "voicemail", "connected", "not_interested"]
    return "".join(f"p{i},2026-01-{5 + i % 20:02d}T{9 + i % 8:02d}:15:00Z,call,outbound,{outcomes[i % 4]},rep-1\n"
                   for i in range(start, start + n))


def fit_cli(tmp_path, csv_text: str, *extra: str):
    path = tmp_path / "export.csv"
    path.write_text(csv_text)
    out = tmp_path / "out"
    proc = cli("fit", path, "--out", out / "fitted.yaml", "--report", out / "report", "--replications", "0", *extra)
    return proc, out


def assert_refused(proc, out, *expected: str) -> str:
    message = proc.stderr + proc.stdout
    assert proc.returncode == 2, message
    assert "Traceback" not in message
    assert not out.exists(), "nothing written on error"
    for text in expected:
        assert text in message, (text, message)
    return message


def test_missing_columns_are_named_with_their_fields(tmp_path):
    proc, out = fit_cli(tmp_path, "prospect_id,when,channel\np1,2026-01-05T09:00:00Z,call\n")
    assert_refused(proc, out, "export.csv", "missing columns", "timestamp: no column 'timestamp'",
                   "direction: no column 'direction'", "outcome: no column 'outcome'", "the header has: prospect_id, when")


def test_a_mapped_column_missing_from_the_export_is_named(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {outcome: Call outcome}\n")
    proc, out = fit_cli(tmp_path, HEADER + good_rows(5), "--mapping", str(mapping))
    assert_refused(proc, out, "outcome: no column 'Call outcome' (named in the mapping)")


def test_unparseable_dates_are_listed_by_line_and_stop_the_fit_when_many(tmp_path):
    bad = "p1,yesterday,call,outbound,no_answer,rep-1\np2,2026-13-45T09:00:00Z,call,outbound,voicemail,rep-1\n"
    proc, out = fit_cli(tmp_path, HEADER + good_rows(20) + bad * 10)
    assert_refused(proc, out, "20 of 40 rows cannot be read, more than the 10 allowed",
                   "20 rows: timestamp: not a date and time this mapping can read",
                   "line 22: timestamp: not a date and time this mapping can read (got 'yesterday')",
                   "line 23: timestamp", "--max-bad-rows")


def test_unknown_outcomes_are_listed_by_line_with_the_mapping_field_to_fix(tmp_path):
    proc, out = fit_cli(tmp_path, HEADER + good_rows(5) + "p9,2026-01-06T10:00:00Z,call,outbound,Gatekeeper,rep-1\n",
                        "--max-bad-rows", "0")
    assert_refused(proc, out, "1 of 6 rows cannot be read, more than the 0 allowed",
                   "line 7: outcome: not one of no_answer", "map it under values.outcome (got 'Gatekeeper')")


def test_a_few_bad_rows_are_left_out_and_reported(tmp_path):
    text = HEADER + good_rows(300) + "p9,2026-01-06T10:00:00Z,call,outbound,Gatekeeper,rep-1\n" + good_rows(100, 300)
    proc, out = fit_cli(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert "1 unreadable row was left out" in proc.stdout
    md = (out / "report" / "fit.md").read_text()
    assert "line 302: outcome" in md and "Gatekeeper" in md


def test_a_row_longer_than_the_header_is_unreadable_not_truncated(tmp_path):
    """A separator inside an unquoted text field pushes the row's values under the wrong columns;
    the reader reads only the mapped columns, so such a row used to be read silently. Here row 3's
    outcome is the text's second half and row 4 has a field too many after valid values: both are
    unreadable rows with their line, the rest is read, and the accounting adds up."""
    text = (HEADER + good_rows(2) + "p7,2026-01-06T10:00:00Z,call,outbound,no_answer, rep said call back,rep-1\n"
            + "p8,2026-01-07T10:00:00Z,call,outbound,connected,rep-1,extra\n" + good_rows(20, 2))
    path = tmp_path / "export.csv"
    path.write_text(text)
    acts = read_activities(path, max_bad_rows=5)
    r = acts.report
    assert (r.rows, r.kept, r.bad) == (24, 22, 2)
    assert [(b.line, b.field) for b in r.bad_rows] == [(4, "row"), (5, "row")]
    assert "more fields than the header's 6" in r.bad_rows[0].reason and "'extra'" in r.bad_rows[1].reason
    assert not {4, 5} & set(acts.frame["line"])


def test_an_unknown_cadence_preset_is_refused_before_reading(tmp_path):
    proc, out = fit_cli(tmp_path, HEADER + good_rows(5), "--cadence", "call_forever")
    assert_refused(proc, out, "--cadence 'call_forever': not a preset; expected one of: wait_for_call")


def test_a_log_without_outbound_calls_is_refused(tmp_path):
    rows = "".join(f"p{i},2026-01-{5 + i % 10:02d}T10:00:00Z,email,outbound,sent,\n" for i in range(40))
    proc, out = fit_cli(tmp_path, HEADER + rows)
    assert_refused(proc, out, "no outbound calls among the 40 rows read", "check the mapping's channel and direction")


@pytest.mark.parametrize("text,expected", [("", "the file is empty"), ("\n\n", "the file is empty"),
                                           (HEADER, "has a header but no rows")])
def test_an_empty_file_is_refused(tmp_path, text, expected):
    proc, out = fit_cli(tmp_path, text)
    assert_refused(proc, out, expected)


def test_a_missing_file_and_a_broken_mapping_are_refused(tmp_path):
    out = tmp_path / "out"
    proc = cli("fit", tmp_path / "nope.csv", "--out", out / "x.yaml", "--report", out / "r")
    assert_refused(proc, out, "nope.csv: no such file")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {outcom: Result}\nvalues: {outcome: {Done: finished}}\ntimestamps: {team_timezone: Mars/Base}\n")
    proc, out = fit_cli(tmp_path, HEADER + good_rows(3), "--mapping", str(mapping))
    assert_refused(proc, out, "m.yaml: the mapping is not valid (3 problems)", "unknown activity field(s) 'outcom'",
                   "values.outcome: 'finished' not in", "unknown time zone 'Mars/Base'")


def test_time_zones_are_honoured_and_naive_times_read_in_the_stated_zone(tmp_path):
    path = tmp_path / "tz.csv"
    path.write_text(HEADER + "p1,2026-01-05T10:00:00+01:00,call,outbound,no_answer,r\n"
                             "p1,2026-01-05 10:00:00,call,outbound,no_answer,r\n"
                             "p1,2026-01-05T09:00:00Z,call,outbound,no_answer,r\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("timestamps: {naive_timezone: America/New_York}\n")
    t = read_activities(path, mapping).frame.sort_values("line")["t"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert t == ["2026-01-05 09:00", "2026-01-05 15:00", "2026-01-05 09:00"]
    # 02:30 on 8 March 2026 does not exist in New York (clocks jump from 02:00 to 03:00)
    with open(path, "a") as fh:
        fh.write("p1,2026-03-08 02:30:00,call,outbound,no_answer,r\n")
    acts = read_activities(path, mapping)
    assert acts.report.bad == 1 and acts.report.bad_rows[0].line == 5
    assert "does not exist, or exists twice, in America/New_York" in acts.report.bad_rows[0].reason


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:  # a sparse 3 GB file: no disk used, nothing read
        fh.write(HEADER.encode())
        fh.truncate(3 * 1024**3)
    out = tmp_path / "out"
    proc = cli("fit", path, "--out", out / "x.yaml", "--report", out / "r")
    assert_refused(proc, out, "3.0 GB is over the 2.0 GB this reader accepts")
    with pytest.raises(ActivityError, match="over the"):
        read_activities(path, max_bytes=1024)


@pytest.mark.slow
def test_a_large_file_is_streamed_in_bounded_memory(tmp_path):
    """A 130 MB export, mostly columns the fit does not read, is read in chunks: the reader's peak memory
    grows by much less than the file (the compact frame keeps about 50 bytes a row)."""
    path = tmp_path / "big.csv"
    junk = ",".join(["x" * 40] * 10)
    block = "".join(f"p{i},2026-01-{5 + i % 20:02d}T{9 + i % 8:02d}:15:00Z,call,outbound,"
                    f"{['no_answer', 'voicemail', 'connected'][i % 3]},rep-{i % 7},{junk}\n" for i in range(1000))
    with open(path, "w") as fh:
        fh.write(HEADER.strip() + "," + ",".join(f"junk{j}" for j in range(10)) + "\n")
        for _ in range(300):
            fh.write(block)
    size_mb = path.stat().st_size / 1024**2
    assert size_mb > 120
    small = tmp_path / "small.csv"
    small.write_text("".join(open(path).readlines()[:2001]))
    probe = textwrap.dedent(f"""
        import resource, sys
        from sim.fit.export_reader import read_activities
        read_activities({str(small)!r}, chunk_rows=20_000)  # load what the reader imports on first use
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        acts = read_activities({str(path)!r}, chunk_rows=20_000)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(len(acts.frame), (after - before) / 1024)
    """)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows, grew_mb = proc.stdout.split()
    assert int(rows) == 300_000
    assert float(grew_mb) < size_mb / 3, (grew_mb, size_mb)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 400), prospects=st.integers(1, 60),
       days=st.integers(1, 90), with_purpose=st.booleans())
@example(seed=1, rows=2, prospects=1, days=1, with_purpose=False)  # calls only at 22:30: no legal calling hours
def test_any_log_in_the_format_fits_or_is_refused_with_a_message(seed, rows, prospects, days, with_purpose):
    """Random (mostly nonsensical) activity logs: the fit gives a valid scenario, or an ActivityError."""
    import numpy as np
    import pandas as pd

    from sim.present.activity_format import CHANNELS, DIRECTIONS, OUTCOMES, PURPOSES
    from sim.fit.export_reader import frame_activities
    from sim.fit.fitting import fit_activities
    from sim.fit.report import scenario_yaml

    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2026-01-07", tz="UTC")
    stamps = t0 + pd.to_timedelta(rng.uniform(0, 1440 * days, rows), unit="m")
    outcome = rng.choice(OUTCOMES, rows)
    channel = rng.choice(CHANNELS, rows, p=[0.7, 0.2, 0.05, 0.05])
    direction = rng.choice(DIRECTIONS, rows, p=[0.85, 0.15])
    outcome[(channel == "call") & (direction == "outbound") & np.isin(outcome, ["sent", "replied", "complaint"])] = "voicemail"
    lead = t0 + pd.to_timedelta(rng.uniform(-1e4, 1440 * days, rows), unit="m")
    frame = pd.DataFrame({
        "prospect_id": [f"p{i}" for i in rng.integers(0, prospects, rows)],
        "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "channel": channel, "direction": direction,
        "outcome": outcome, "rep_id": rng.choice(["a", "b", ""], rows), "lead_source": "",
        "lead_created_at": np.where(rng.random(rows) < 0.4, lead.strftime("%Y-%m-%dT%H:%M:%SZ"), ""),
        "purpose": rng.choice(list(PURPOSES) + [""], rows) if with_purpose else ""})
    try:
        fit = fit_activities(frame_activities(frame), "random")
    except ActivityError as exc:
        assert "no outbound calls" in str(exc) or "the scenario fitted to this log" in str(exc), str(exc)
        return
    fit.scenario()
    assert "name: random" in scenario_yaml(fit)
