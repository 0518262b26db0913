"""A small headless-Chromium driver over the DevTools protocol, for looking at report.html as a browser does.

Chromium is started with a fresh profile and no network features; the page is loaded from a
file, console errors, uncaught exceptions and failed loads are collected, every image is
checked, and a full-page screenshot is taken.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-port=0", "--window-size=1200,900"]


def find_chromium() -> Optional[str]:
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_or_skip() -> str:
    """Chromium's path; without one the calling test skips with how to get it, except in CI,
    where .ci/run installs Debian's chromium and sets FOLLOWUP_SIM_REQUIRE_BROWSER: there a
    missing browser fails the test instead of hiding it."""
    import pytest

    exe = find_chromium()
    if exe is None:
        message = "no Chromium found (install Debian's `chromium` package to look at pages in a real browser)"
        if os.environ.get("FOLLOWUP_SIM_REQUIRE_BROWSER"):
            pytest.fail(message + "; FOLLOWUP_SIM_REQUIRE_BROWSER is set, so this test must run")
        pytest.skip(message)
    return exe


def open_devtools(flags: list[str], profile: str, timeout: float):
    """Start headless Chromium with ``flags`` and a fresh ``profile``; return the process and a
    DevTools websocket to its first page (the caller closes both)."""
    import websocket  # websocket-client

    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("no Chromium found")
    proc = subprocess.Popen([exe, *flags, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.monotonic() + timeout
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with code {proc.returncode}")
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if m:
                port = int(m.group(1))
        if port is None:
            raise RuntimeError("Chromium did not open its DevTools port")
        pages = []
        while not pages and time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                pages = [t for t in json.load(resp) if t.get("type") == "page"]
            time.sleep(0.1)
        return proc, websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=timeout,
                                                 suppress_origin=True)
    except BaseException:
        stop(proc)
        raise


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@dataclass
class PageCheck:
    errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    title: str = ""
    text: str = ""
    screenshot: bytes = b""


def check_page(html_path: Path, timeout: float = 60.0) -> PageCheck:
    """Render a local HTML file in headless Chromium and report what a person would see."""
    profile = tempfile.mkdtemp(prefix="report-chromium-")
    proc = None
    try:
        proc, ws = open_devtools(FLAGS, profile, timeout)
        deadline = time.monotonic() + timeout
        result = PageCheck()
        ids = iter(range(1, 10_000))
        events: list[dict] = []

        def call(method: str, **params) -> dict:
            i = next(ids)
            ws.send(json.dumps({"id": i, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == i:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return msg.get("result", {})
                events.append(msg)

        for domain in ("Page", "Runtime", "Log", "Network"):
            call(f"{domain}.enable")
        call("Page.navigate", url=Path(html_path).resolve().as_uri())
        while not any(e.get("method") == "Page.loadEventFired" for e in events):
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not finish loading")
            events.append(json.loads(ws.recv()))
        state = call("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({title: document.title, text: document.body.innerText,"
            " images: Array.from(document.images).map(i => ({src: i.src.slice(0, 40), complete: i.complete,"
            " width: i.naturalWidth, height: i.naturalHeight})),"
            " size: [document.documentElement.scrollWidth, document.documentElement.scrollHeight]})"))
        page = json.loads(state["result"]["value"])
        for e in events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                result.errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif method == "Runtime.exceptionThrown":
                result.errors.append("exception: " + p["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                result.errors.append("log: " + p["entry"].get("text", ""))
            elif method == "Network.loadingFailed":
                result.errors.append("load failed: " + p.get("errorText", ""))
        result.title, result.text, result.images = page["title"], page["text"], page["images"]
        width, height = page["size"]
        shot = call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1})
        result.screenshot = base64.b64decode(shot["data"])
        ws.close()
        return result
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(profile, ignore_errors=True)


class Browser:
    """A live headless-Chromium page over DevTools, for pages that run (the workshop page):
    navigate, wait for a condition, type, click a button by its text, screenshot; every console
    error, uncaught exception and failed load is kept in ``errors``.

        with Browser(width=1280, height=720) as b:
            b.navigate("http://127.0.0.1:8501/")
            b.wait_for("document.querySelectorAll('img').length > 0")
    """

    def __init__(self, width: int = 1280, height: int = 720, timeout: float = 60.0):
        self.width, self.height, self.timeout = width, height, timeout
        self.errors: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for
        self._events: list[dict] = []
        self._ids = iter(range(1, 1_000_000))

    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="workshop-chromium-")
        flags = [f for f in FLAGS if not f.startswith("--window-size")] + [f"--window-size={self.width},{self.height}"]
        self._proc = None
        try:
            self._proc, self._ws = open_devtools(flags, self._profile, self.timeout)
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable")
            self.resize(self.width, self.height)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        ws = getattr(self, "_ws", None)
        if ws is not None:
            ws.close()
        if self._proc is not None:
            stop(self._proc)
        shutil.rmtree(self._profile, ignore_errors=True)

    # ---------------------------------------------------------------- protocol
    def _take(self, msg: dict) -> None:
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("text", "") + " " + str(d.get("exception", {}).get("description", "")))
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            self.errors.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            self.errors.append("load failed: " + p.get("errorText", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        self._events.append(msg)

    def call(self, method: str, **params) -> dict:
        i = next(self._ids)
        self._ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = json.loads(self._ws.recv())
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._take(msg)

    def evaluate(self, expression: str):
        out = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in out:
            raise RuntimeError(f"{expression}: {out['exceptionDetails'].get('text')}")
        return out["result"].get("value")

    # ---------------------------------------------------------------- what a person does
    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def wait_for(self, expression: str, timeout: Optional[float] = None, what: str = "") -> None:
        """Wait until a JavaScript expression is true in the page."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.evaluate(f"(() => {{ try {{ return Boolean({expression}); }} catch (e) {{ return false; }} }})()"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited for {what or expression}")
            time.sleep(0.2)

    def wait_streamlit_idle(self, timeout: Optional[float] = None) -> None:
        """For a Streamlit page: wait until its script run is over and no element is left from the last run."""
        time.sleep(0.3)  # a rerun starts a moment after the click
        self.wait_for("!document.querySelector('[data-testid=stStatusWidgetRunningIcon]') && "
                      "!document.querySelector('[data-stale=true]')", timeout, what="the page to finish its run")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def click_button(self, label: str) -> None:
        """Click the (first visible) button whose text is ``label``."""
        found = self.evaluate(
            "(() => { const b = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim() === "
            f"{json.dumps(label)} && b.offsetParent !== null); if (!b) return false; b.scrollIntoView(); b.click();"
            " return true; })()")
        if not found:
            raise LookupError(f"no button {label!r} on the page")

    def type_into(self, selector: str, text: str, index: int = 0) -> None:
        """Replace the text of the ``index``-th element matching a CSS selector, as typed, then press Enter."""
        ok = self.evaluate(f"(() => {{ const e = document.querySelectorAll({json.dumps(selector)})[{index}];"
                           " if (!e) return false; e.scrollIntoView(); e.focus(); e.select(); return true; })()")
        if not ok:
            raise LookupError(f"no element {selector!r} [{index}] on the page")
        self.call("Input.insertText", text=text)
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13)

    def press(self, key: str, code: str, keycode: int) -> None:
        """Press and release one key (``key`` as the page's keydown event sees it), as a person does."""
        text = {"text": key} if len(key) == 1 else {}
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=keycode, **text)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=keycode)

    def screenshot(self, full_page: bool = False) -> bytes:
        """A PNG of the viewport (or the whole page)."""
        params = {"format": "png"}
        if full_page:
            w, h = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": w, "height": min(h, 16000), "scale": 1})
        return base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])
