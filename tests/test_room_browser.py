"""The presenter screens in headless Chromium at projector sizes: `followup-sim workshop --present
--room 127.0.0.3` as a process, a few phones vote and two teams send cadences, then the trainer
walks every step with the arrow keys and plays the game with P. Each screen is screenshotted
(into FOLLOWUP_SIM_SHOTS when set, to be looked at), fits the screen, logs no error, and has no
text under 18 px: HTML text by its computed size, chart text by the smallest chart font
(``sim.present.presenter.MIN_POINTS`` at its dpi) times the scale the chart is shown at."""
from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import pytest

from test_room_server import ROOM, _control, _phone, server  # noqa: F401  (the module's server fixture)

from sim.present import presenter as P

SMALLEST_HTML = ("Math.min(...Array.from(document.querySelectorAll('body *')).filter(e => e.offsetParent !== null &&"
                 " Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))"
                 ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
# charts are shown with object-fit: contain, so drawn at the smaller of the two scales
CHART_SCALE = ("Math.min(1e9, ...Array.from(document.images).filter(i => i.naturalWidth > 0 && !i.src.includes('/img/qr'))"
               ".map(i => Math.min(i.clientWidth / i.naturalWidth, i.clientHeight / i.naturalHeight)))")


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presenter_steps_at_projector_size(server, tmp_path, size):  # noqa: F811
    from browser import Browser, chromium_or_skip

    chromium_or_skip()
    _control(server, action="step", step=0)
    _control(server, action="new_question")
    for i, (choice, guess) in enumerate([("A", 3), ("B", 6), ("B", 8), ("B", 5)]):
        phone = _phone(server, 100 + i)
        assert phone.request("POST", "/api/vote", {"code": server["code"], "choice": choice, "close_rate": guess,
                                                   "complaints": 2 * guess})[0] == 200
        phone.request("POST", "/api/team", {"code": server["code"], "team": ["Red", "Blue"][i % 2],
                                            "days": ["1, 3, 7", "1, 2"][i % 2]})
        phone.close()
    shots = Path(os.environ.get("FOLLOWUP_SIM_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    chart_px = P.MIN_POINTS * P.DPI / 72
    width, height = size
    with Browser(width=width, height=height, timeout=180) as page:
        page.navigate(f"http://127.0.0.1:{server['port']}/?t={server['token']}")
        page.wait_for("document.querySelector('footer span') && document.querySelector('footer span').innerText.startsWith('1/')",
                      what="the first step")
        for n, step in enumerate(P.STEPS):
            if n:
                page.press("ArrowRight", "ArrowRight", 39)
            page.wait_for(f"document.querySelector('footer span').innerText.startsWith('{n + 1}/')", what=f"step {step}")
            if step == "game":
                page.press("p", "KeyP", 80)
                page.wait_for("document.body.innerText.includes('Calls per rep-day')", what="the scoreboard")
            page.wait_for("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)", what="the images")
            time.sleep(0.3)
            shot = page.screenshot()
            (shots / f"present_{width}x{height}_{n + 1}_{step}.png").write_bytes(shot)
            assert _png_size(shot) == size
            smallest = page.evaluate(SMALLEST_HTML)
            scale = page.evaluate(CHART_SCALE)
            assert smallest >= 18, f"{step}: text of {smallest} px"
            assert scale >= 1e9 or scale * chart_px >= 18, f"{step}: chart text at {scale * chart_px:.1f} px"
            with open(shots / "smallest_text.txt", "a") as f:  # what was measured, to report
                chart = f"{scale * chart_px:.1f} px" if scale < 1e9 else "no chart"
                f.write(f"{width}x{height} {step}: HTML text {smallest:.1f} px, chart text {chart}\n")
            assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1"), f"{step} does not fit"
        text = page.text()
        assert "Red" in text and "Blue" in text
    assert page.errors == []


@pytest.mark.slow
def test_the_handout_prints_on_one_a4_page(server, tmp_path):  # noqa: F811
    import base64
    import re

    from browser import Browser, chromium_or_skip

    chromium_or_skip()
    status, page, headers = server["trainer"].request("GET", f"/take/handout.html?t={server['token']}")
    assert status == 200 and headers["content-disposition"] == 'attachment; filename="handout.html"'
    path = tmp_path / "handout.html"
    path.write_bytes(page)
    with Browser(width=794, height=1123) as b:
        b.navigate(path.as_uri())
        b.wait_for("document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)")
        pdf = base64.b64decode(b.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"])
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert b.errors == []
