"""The room as a trainer and a class use it: `followup-sim workshop --present --room 127.0.0.3`
started as a process; phones are HTTP clients bound to other loopback addresses (127.0.0.10 and
up), the trainer is 127.0.0.1. The server is stopped by its PID."""
from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOM = "127.0.0.3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with socket.socket() as s:  # free on the room address too
        s.bind((ROOM, port))
    return port


class Client:
    """One device: its own source address and cookies, one keep-alive connection."""

    def __init__(self, host: str, port: int, source: str):
        self.host, self.port, self.source = host, port, source
        self.conn = self._connect()
        self.cookies: dict[str, str] = {}

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.source, 0))

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        try:
            return self._request(method, path, body, headers, raw)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()  # the server closed an idle keep-alive connection: open a new one, as a browser does
            self.conn = self._connect()
            return self._request(method, path, body, headers, raw)

    def _request(self, method, path, body, headers, raw):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        for value in resp.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return resp.status, payload, resp.headers

    def close(self):
        self.conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("room") / "server.log"
    out = open(log, "w+")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "--present", "--room", ROOM, "--port", str(port),
                             "--budget", "3"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        trainer = join = None
        while time.monotonic() < deadline and not (trainer and join):
            assert proc.poll() is None, open(log).read()
            text = open(log).read()
            trainer = re.search(r"(http://127\.0\.0\.1:\d+/\?t=[\w-]+)", text)
            join = re.search(r"(http://127\.0\.0\.3:\d+/join\?c=\w+)", text)
            time.sleep(0.2)
        assert trainer and join, open(log).read()
        token = urllib.parse.parse_qs(urllib.parse.urlparse(trainer.group(1)).query)["t"][0]
        code = urllib.parse.parse_qs(urllib.parse.urlparse(join.group(1)).query)["c"][0]
        me = Client("127.0.0.1", port, "127.0.0.1")
        while True:  # the first headline
            status, body, _ = me.request("GET", "/api/state", headers={"X-Trainer": token})
            if status == 200 and "answer" in json.loads(body):
                break
            assert time.monotonic() < deadline
            time.sleep(0.3)
        yield {"port": port, "token": token, "code": code, "trainer": me, "proc": proc}
        me.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        out.close()


def _phone(server, n: int) -> Client:
    phone = Client(ROOM, server["port"], f"127.0.0.{10 + n}")
    status, _, _ = phone.request("GET", f"/join?c={server['code']}")
    assert status == 200 and "phone" in phone.cookies
    return phone


def _control(server, **body):
    status, data, _ = server["trainer"].request("POST", "/api/control", body, {"X-Trainer": server["token"]})
    assert status == 200, data
    return json.loads(data)


def _state(server) -> dict:
    status, data, _ = server["trainer"].request("GET", "/api/state", headers={"X-Trainer": server["token"]})
    assert status == 200
    return json.loads(data)


@pytest.mark.slow
def test_sixty_phones_voting_at_once_give_an_exact_tally(server):
    _control(server, action="new_question")
    _control(server, action="step", step=1)
    n = 60
    choices = ["A" if i % 3 == 0 else "B" for i in range(n)]
    barrier = threading.Barrier(n)

    def vote(i: int) -> int:
        phone = _phone(server, i)
        try:
            barrier.wait(timeout=60)  # every phone sends at the same moment
            status, body, _ = phone.request("POST", "/api/vote", {"code": server["code"], "choice": choices[i],
                                                                  "close_rate": i % 10, "complaints": i})
            assert status == 200, body
            phone.request("POST", "/api/vote", {"code": server["code"], "choice": choices[i]})  # again: still one ballot
            return status
        finally:
            phone.close()

    with ThreadPoolExecutor(n) as pool:
        assert list(pool.map(vote, range(n))) == [200] * n
    tally = _state(server)["tally"]
    assert (tally["A"], tally["B"], tally["voters"]) == (choices.count("A"), choices.count("B"), n)
    assert tally["close_rate"]["n"] == n and tally["close_rate"]["median"] == 4.5
    assert tally["complaints"]["low"] == 0 and tally["complaints"]["high"] == n - 1


@pytest.mark.slow
def test_a_phone_reaches_no_trainer_control_even_with_the_token(server):
    phone = _phone(server, 70)
    for token in ({}, {"X-Trainer": server["token"]}):  # on the room's address the token is not enough
        assert phone.request("GET", "/", headers=token)[0] == 403
        assert phone.request("GET", "/api/state", headers=token)[0] == 403
        assert phone.request("GET", "/img/reveal", headers=token)[0] == 403
        assert phone.request("POST", "/api/control", {"action": "step", "step": 2}, token)[0] == 403
    assert phone.request("GET", f"/?t={server['token']}")[0] == 403
    # and on the trainer's own address, a wrong token is refused too
    other = Client("127.0.0.1", server["port"], "127.0.0.1")
    assert other.request("POST", "/api/control", {"action": "play"}, {"X-Trainer": "guess"})[0] == 403
    phone.close(), other.close()


@pytest.mark.slow
def test_wrong_join_code_foreign_host_and_oversized_payload_are_refused(server):
    stranger = Client(ROOM, server["port"], "127.0.0.80")
    status, body, _ = stranger.request("GET", "/join?c=WRONG")
    assert status == 403 and b"wrong join code" in body and "phone" not in stranger.cookies
    phone = _phone(server, 71)
    status, body, _ = phone.request("POST", "/api/vote", {"code": "WRONG", "choice": "A"})
    assert status == 403 and json.loads(body)["error"].startswith("wrong join code")
    # DNS rebinding: a name that points at this address is not the page's own
    for host in ("evil.example", f"evil.example:{server['port']}", f"{ROOM}:1"):
        assert phone.request("GET", f"/join?c={server['code']}", headers={"Host": host})[0] == 421
    assert phone.request("GET", "/", headers={"Host": "evil.example"})[0] == 421
    big = {"code": server["code"], "choice": "A", "pad": "x" * 5000}
    assert phone.request("POST", "/api/vote", big)[0] == 413
    # the same, without a Content-Length (chunked): refused while reading
    phone.conn.putrequest("POST", "/api/vote")
    phone.conn.putheader("Content-Type", "application/json")
    phone.conn.putheader("Transfer-Encoding", "chunked")
    phone.conn.putheader("Cookie", f"phone={phone.cookies['phone']}")
    phone.conn.endheaders()
    for _ in range(5):
        phone.conn.send(b"400\r\n" + b" " * 1024 + b"\r\n")
    phone.conn.send(b"0\r\n\r\n")
    assert phone.conn.getresponse().status == 413
    stranger.close(), phone.close()


@pytest.mark.slow
def test_bad_team_entries_are_refused_and_nothing_a_phone_sends_is_html(server):
    phone = _phone(server, 72)
    status, body, headers = phone.request("POST", "/api/team", {"code": server["code"], "team": "<img src=x>", "days": "1"})
    assert status == 400 and "team:" in json.loads(body)["error"]
    status, body, _ = phone.request("POST", "/api/team", {"code": server["code"], "team": "Red", "days": "1, 2, 3, 4"})
    assert status == 400 and "budget of 3" in json.loads(body)["error"]
    status, body, _ = phone.request("POST", "/api/team", {"code": server["code"], "team": "Red", "days": "1, 8"})
    assert status == 200 and json.loads(body) == {"ok": True, "team": "Red", "days": [1, 8]}
    status, body, _ = phone.request("POST", "/api/vote", raw=b"<x>", headers={"Content-Type": "application/json"})
    assert status == 400 and json.loads(body)["error"] == "the request is not valid JSON"
    status, body, _ = phone.request("POST", "/api/vote", raw=b"choice=A", headers={"Content-Type": "text/plain"})
    assert status == 400 and "send JSON" in json.loads(body)["error"]  # a cross-site form cannot post JSON
    assert "script-src 'self'" in headers["content-security-policy"]
    phone.close()


@pytest.mark.slow
def test_a_flood_is_rate_limited_without_stalling_the_presenter(server):
    stop = threading.Event()
    counts = {"ok": 0, "limited": 0, "done": False}
    lock = threading.Lock()

    def flood(k: int) -> None:
        c = Client(ROOM, server["port"], "127.0.0.99")
        try:
            for _ in range(1500):
                if stop.is_set():
                    break
                status = c.request("GET", f"/api/phone?c={server['code']}")[0]
                with lock:
                    counts["ok" if status == 200 else "limited" if status == 429 else "other"] = \
                        counts.get("ok" if status == 200 else "limited" if status == 429 else "other", 0) + 1
        finally:
            c.close()

    threads = [threading.Thread(target=flood, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 120
        while counts["limited"] == 0:  # the flood is on and being refused
            assert time.monotonic() < deadline, f"no request of the flood was refused: {counts}"
            time.sleep(0.01)
        answers = [_state(server)["step"] is not None for _ in range(20)]  # the trainer's screen polls meanwhile
        flood_over = not any(t.is_alive() for t in threads)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert answers == [True] * 20
    assert not flood_over  # the presenter was answered while the flood went on, not after it
    assert counts["limited"] > counts["ok"] and "other" not in counts


@pytest.mark.slow
def test_suggest_a_b_fills_b_from_a_short_search_from_a(server):
    """The presenter's "suggest a B" (button or key B): a 5 s search from A; B then starts from what
    it found, the headline is simulated again, and a time box the page does not offer is refused."""
    before = _state(server)
    state = _control(server, action="suggest", seconds=5)
    assert state["sides"] == {"A": before["sides"]["A"], "B": "suggested"}
    assert state["starts"]["suggested"] == "Suggested from A" == state["names"]["B"]
    assert "against your cadence" in state["suggestion"] and "Time: it ran" in state["suggestion"]
    assert state["busy"] is None and "answer" in state and "Suggested from A" in state["answer"]
    status, body, _ = server["trainer"].request("POST", "/api/control", {"action": "suggest", "seconds": 1},
                                                {"X-Trainer": server["token"]})
    assert status == 400 and json.loads(body)["error"] == "unknown control"
