"""The workshop page in a real browser: `followup-sim workshop --port N` started as a process,
headless Chromium edits strategy B, runs, waits for the charts, and the page logs no error
and asks for nothing beyond 127.0.0.1. The server is stopped by its PID."""
from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the workshop server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError("the workshop server did not answer")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


CHARTS = "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length >= 2"


@pytest.mark.slow
def test_edit_b_run_and_see_the_chart_in_a_real_browser(tmp_path):
    from browser import Browser, chromium_or_skip

    chromium_or_skip()
    port = _free_port()
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "--port", str(port)], cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(port, proc)
        with Browser(width=1280, height=720, timeout=120) as page:
            page.navigate(f"http://127.0.0.1:{port}/")
            page.wait_for(f"document.body.innerText.includes('times as many deals') && {CHARTS}",
                          what="the first results and charts")
            # strategy B: at most 3 touches (the second 'Max touches' field on the page)
            page.type_into("input[aria-label^='Max touches']", "3", index=1)
            page.wait_for("document.body.innerText.includes('changed since the last run')", what="the change to register")
            page.click_button("Run")
            page.wait_for("document.body.innerText.includes('cadence (changed)” closed')", what="B's new headline")
            page.wait_streamlit_idle()
            page.wait_for(CHARTS, what="the charts")
            page.evaluate("Array.from(document.querySelectorAll('h4')).find(h => h.innerText.includes('closed'))"
                          ".scrollIntoView()")
            time.sleep(0.5)
            shot = page.screenshot()
            (tmp_path / "workshop_1280x720.png").write_bytes(shot)
            assert _png_size(shot) == (1280, 720)
            assert page.errors == []
            outside = [u for u in page.requests if not u.startswith((f"http://127.0.0.1:{port}/",
                                                                     f"ws://127.0.0.1:{port}/", "data:", "blob:"))]
            assert outside == []
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.seek(0)
        printed = log.read()
        log.close()
    assert f"http://127.0.0.1:{port}" in printed
