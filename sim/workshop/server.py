"""The presenter view and the room's phone pages as one small web server (Starlette on uvicorn).

    followup-sim workshop --present                       # 127.0.0.1 only, the trainer's screen
    followup-sim workshop --present --room 192.168.1.20   # also phones on that network address

Who may do what:
- the trainer's screen and every control need the trainer's token (``?t=`` in the link printed at
  start, then an ``X-Trainer`` header), and are answered only on 127.0.0.1, never on the room address;
- phones reach only the join page, their vote and their team's cadence, with the join code;
- a request whose ``Host`` is not one of the page's own addresses is refused (DNS rebinding);
- bodies over ``MAX_BODY`` bytes are refused, each client address is rate-limited (the trainer's
  requests are not), phones, ballots and teams are bounded (``sim.workshop.room``).
Simulations run in a worker thread, so a flood of phone requests never waits behind one, nor
the trainer's screen behind a flood. Everything is in memory and gone when the server stops.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from typing import Optional

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sim.present import presenter as P
from sim.workshop import room_pages as pages
from sim.workshop import page as W
from sim.workshop import page_charts as charts
from sim.workshop import page_stories as stories
from sim.scenario.errors import UserError
from sim.workshop.game import MAX_BUDGET, play
from sim.workshop.suggest import DEFAULT_SECONDS, SECONDS, suggest_b
from sim.workshop.room import RateLimit, Room, RoomError
from concurrent.futures import ProcessPoolExecutor
from sim.experiment.interrupts import worker_init
import ipaddress
import socket
import uvicorn
from sim.experiment.jobs import stop_pool
from sim.present.takeaways import handout_html, slides_html

SUGGEST_SECONDS = DEFAULT_SECONDS  # the presenter's "suggest a B" time box
SUGGEST_RANGE = SECONDS
MAX_BODY = 2048  # bytes of one phone's or trainer's request body
TRAINER_HEADER = "x-trainer"


@dataclass(frozen=True)
class Listen:
    """Where the page listens: the trainer's loopback address and, for a room, the network address phones use."""

    port: int
    local: str = "127.0.0.1"
    room: Optional[str] = None

    def hosts(self) -> set[str]:
        """The ``Host`` values the page answers (its own addresses with the port)."""
        names = {f"{self.local}:{self.port}"} | ({f"localhost:{self.port}"} if self.local == "127.0.0.1" else set())
        if self.room:
            names.add(f"{self.room}:{self.port}")
        return names

    def trainer_url(self, token: str) -> str:
        return f"http://{self.local}:{self.port}/?t={token}"

    def join_url(self, code: str) -> Optional[str]:
        return f"http://{self.room}:{self.port}/join?c={code}" if self.room else None


class Presentation:
    """The state behind the screens: the A-vs-B setup, its view and charts, the step shown, the room."""

    def __init__(self, base: W.Base, listen: Listen, budget: int = 5, cache: Optional[W.RunCache] = None,
                 workers: int = 1):
        self.base = base
        self.listen = listen
        self.setup = W.default_setup(base)
        self.scenario = W.build_scenario(base, self.setup)
        self.cache = cache or W.RunCache(limit=400, pool=worker_pool(workers))
        self.room = Room(budget=budget, horizon_days=int(self.scenario.horizon // (24 * 60)))
        self.step = 0
        self.view: Optional[W.View] = None
        self.images: dict[str, bytes] = {}
        self.board = None
        self.version = 0  # bumped whenever what the screens show changes
        self.busy: Optional[str] = None
        self.error: Optional[str] = None
        self.suggestion = ""  # what the last "suggest a B" found, in a sentence
        self._compute = threading.Lock()

    # ---------------------------------------------------------------- computing (worker threads)
    def refresh(self, story: bool = True) -> None:
        """Simulate A and B (what the cache lacks) and draw the reveal chart; then, unless ``story`` is
        False (the caller draws it later, off the path to the headline), one prospect's timeline."""
        with self._compute:
            self.busy = "simulating A and B"
            try:
                view = W.compare(self.scenario, self.cache)
                self.view, self.error = view, None
                self.images.pop("story", None)
                self.images["reveal"] = charts.figure_png(P.reveal_figure(view))
                self.version += 1
            finally:
                self.busy = None
                self.version += 1
        if story:
            self.draw_story()

    def draw_story(self) -> None:
        """One prospect who bought, under A and under B, as a timeline."""
        with self._compute:
            scenario = self.scenario
            view = W.compare(scenario, self.cache)  # from the cache: the view of this very scenario
            self.busy = "drawing one prospect's story"
            try:
                pair = stories.story_pair(scenario, self.cache, "sold")
                self.images["story"] = charts.figure_png(P.pair_timeline(pair.a, pair.b, view.names))
                self.story_caption = (f"Prospect {pair.a.prospect}: a prospect who bought from us under {pair.under}"
                                      " - the same person with the same luck under A and B")
            except UserError as exc:
                self.images.pop("story", None)
                self.story_caption = str(exc)
            finally:
                self.busy = None
                self.version += 1

    def change(self, side: str, start: str) -> None:
        """Start one side from another preset (or the scenario's own strategy) and simulate again; the
        story is drawn in the background once the headline and the reveal chart are there."""
        edit = W.start_edit(self.base, start)
        self.setup = replace(self.setup, **{side.lower(): edit})
        self.scenario = W.build_scenario(self.base, self.setup)
        self.refresh(story=False)
        threading.Thread(target=self.draw_story, daemon=True).start()

    def suggest(self, seconds: float = SUGGEST_SECONDS) -> None:
        """Fill B with a small search from A, time-boxed to ``seconds`` (progress in ``busy``), then
        simulate A and B again; the sentence about the suggestion goes in ``suggestion``."""
        with self._compute:
            def told(share: float) -> None:
                self.busy = f"searching for a B from A: {share * seconds:.0f} of {seconds:.0f} s"
                self.version += 1

            told(0.0)
            try:
                self.base, self.setup, _, self.suggestion = suggest_b(self.base, self.setup, seconds, told)
                self.scenario = W.build_scenario(self.base, self.setup)
            finally:
                self.busy = None
                self.version += 1
        self.refresh(story=False)
        threading.Thread(target=self.draw_story, daemon=True).start()

    def play(self) -> None:
        with self._compute:
            self.busy = "playing every team's cadence"
            try:
                self.board = play(self.scenario, self.room.teams(), self.cache)
                if self.board.story is not None:
                    self.images["winner"] = charts.figure_png(P.timeline_figure(
                        [(f"Winner: {self.board.rows[0].team}", "#2ca02c", self.board.story)]))
                else:
                    self.images.pop("winner", None)
            finally:
                self.busy = None
                self.version += 1

    # ---------------------------------------------------------------- what the trainer's screen reads
    def state(self) -> dict:
        view, tally = self.view, self.room.tally()
        out = {"step": self.step, "steps": list(P.STEPS), "titles": P.STEP_TITLES, "version": self.version,
               "busy": self.busy, "error": self.error, "tally": tally, "room": self.listen.room is not None,
               "code": self.room.code, "join": self.listen.join_url(self.room.code), "budget": self.room.budget,
               "question": self.scenario.question or "", "starts": {k: v for k, v in self.base.names.items()},
               "sides": {"A": self.setup.a.start, "B": self.setup.b.start},
               "teams": [{"team": t, "days": list(d)} for t, d in self.room.teams().items()],
               "images": sorted(self.images), "suggestion": self.suggestion,
               "suggest_seconds": SUGGEST_SECONDS}
        names = W.display_names(self.scenario.strategies)
        out["names"] = {s: names[s] for s in W.SIDES}
        out["descriptions"] = {s: self.scenario.strategies[s].description or "" for s in W.SIDES}
        if view is not None:
            out["answer"] = P.answer_line(view)
            out["debrief"] = [vars(r) for r in P.debrief_rows(view, tally)]
            out["questions"] = view.questions[:3]
            out["story_caption"] = getattr(self, "story_caption", "")
        if self.board is not None:
            out["board"] = [{"team": r.team, "days": list(r.days), "sales": round(r.sales, 1),
                             "close_rate": round(r.close_rate, 2), "complaints": round(r.complaints_per_1000, 1),
                             "calls": round(r.calls_per_rep_day, 1)} for r in self.board.rows]
            out["winner_outcome"] = self.board.story.outcome if self.board.story else "the winner sold nothing in replication 0"
        return out

    def take(self, name: str) -> Optional[str]:
        """The slide file or the handout of what the screens show now (None before the first headline)."""

        if self.view is None:
            return None
        debrief = P.debrief_rows(self.view, self.room.tally())
        if name == "slides.html":
            return slides_html(self.view, self.images, debrief, getattr(self, "story_caption", ""))
        return handout_html(self.view, self.images, debrief)

    def go(self, step: int) -> None:
        """Show step ``step``: voting is open up to the vote step and closed from the reveal on."""
        self.step = max(0, min(len(P.STEPS) - 1, step))
        (self.room.open_votes if P.STEPS[self.step] in ("question", "vote") else self.room.close_votes)()
        self.version += 1


# ---------------------------------------------------------------- the ASGI guard
class Guard:
    """Refuses foreign ``Host`` headers, oversized bodies and floods before any route runs."""

    def __init__(self, app, hosts: set[str], limit: RateLimit, is_trainer, max_body: int = MAX_BODY):
        self.app, self.hosts, self.limit, self.is_trainer, self.max_body = app, hosts, limit, is_trainer, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("host", "") not in self.hosts:
            return await PlainTextResponse("unknown Host: this page answers only its own address", 421)(scope, receive, send)
        request = Request(scope)
        if not self.is_trainer(request) and not self.limit.allow((scope.get("client") or ("?",))[0]):
            return await PlainTextResponse("too many requests: wait a moment", 429)(scope, receive, send)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = self.max_body + 1
        if length > self.max_body:
            return await PlainTextResponse("request too large", 413)(scope, receive, send)

        async def secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [(k.encode(), v.encode()) for k, v in pages.HEADERS]
            await send(message)

        await self.app(scope, receive, secured)


class TooLarge(UserError):
    """A body over ``MAX_BODY`` bytes sent without a Content-Length (chunked)."""


# ---------------------------------------------------------------- the routes
def is_trainer(pres: Presentation, request: Request) -> bool:
    """A request from the trainer: on the local address, with the trainer's token."""
    local = (request.scope.get("server") or ("",))[0] == pres.listen.local
    token = request.headers.get(TRAINER_HEADER) or request.query_params.get("t")
    return local and pres.room.is_trainer(token)


def refuse() -> Response:
    return PlainTextResponse("this needs the trainer's link", 403)


async def json_body(request: Request) -> dict:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise UserError("send JSON (Content-Type: application/json)")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise TooLarge("request too large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UserError("the request is not valid JSON") from None
    if not isinstance(data, dict):
        raise UserError("the request must be a JSON object")
    return data


def _trainer_routes(pres: Presentation) -> list[Route]:
    """The presenter's screen and its controls, each refused without the trainer's link."""
    room = pres.room

    def trainer(request: Request) -> bool:
        return is_trainer(pres, request)

    async def present(request: Request) -> Response:
        if not trainer(request):
            return HTMLResponse(pages.refused("This screen needs the trainer's link (printed when the page started)."), 403)
        return HTMLResponse(pages.presenter())

    async def state(request: Request) -> Response:
        return JSONResponse(pres.state()) if trainer(request) else refuse()

    async def image(request: Request) -> Response:
        if not trainer(request):
            return refuse()
        name = request.path_params["name"]
        if name == "qr" and pres.listen.room:
            return Response(pages.qr_svg(pres.listen.join_url(room.code)), media_type="image/svg+xml")
        data = pres.images.get(name)
        return Response(data, media_type="image/png") if data else PlainTextResponse("not drawn yet", 404)

    async def take(request: Request) -> Response:
        if not trainer(request):
            return refuse()
        name = request.path_params["name"]
        if name not in ("slides.html", "handout.html"):
            return PlainTextResponse("not found", 404)
        text = await run_in_threadpool(pres.take, name)
        if text is None:
            return PlainTextResponse("not simulated yet", 409)
        return HTMLResponse(text, headers={"content-disposition": f'attachment; filename="{name}"'})

    async def control(request: Request) -> Response:
        if not trainer(request):
            return refuse()
        data = await json_body(request)
        action = data.get("action")
        if action == "step" and isinstance(data.get("step"), int):
            pres.go(data["step"])
        elif action == "side" and data.get("side") in W.SIDES and data.get("start") in pres.base.starts:
            await run_in_threadpool(pres.change, data["side"], data["start"])
        elif action == "budget" and isinstance(data.get("budget"), int) and 1 <= data["budget"] <= MAX_BUDGET:
            room.set_budget(data["budget"])
        elif action == "play":
            await run_in_threadpool(pres.play)
        elif action == "suggest" and _seconds(data.get("seconds", SUGGEST_SECONDS)) is not None:
            await run_in_threadpool(pres.suggest, _seconds(data.get("seconds", SUGGEST_SECONDS)))
        elif action == "new_question":
            room.next_question()
        else:
            raise UserError("unknown control")
        pres.version += 1
        return JSONResponse(pres.state())

    return [Route("/", present), Route("/api/state", state), Route("/img/{name}", image), Route("/take/{name}", take),
            Route("/api/control", control, methods=["POST"])]


def _phone_routes(pres: Presentation) -> list[Route]:
    """The phones' page: joining with the room's code, the question, votes and team entries."""
    room = pres.room

    async def join(request: Request) -> Response:
        code = request.query_params.get("c", "")
        if not pres.listen.room:
            return HTMLResponse(pages.refused("This page is not open to phones."), 403)
        if not code:
            return HTMLResponse(pages.code_form())
        try:
            phone = room.join(code, request.cookies.get("phone"))
        except RoomError as exc:
            return HTMLResponse(pages.code_form(str(exc)), 403)
        response = HTMLResponse(pages.phone(room.code))
        response.set_cookie("phone", phone, httponly=True, samesite="strict", max_age=6 * 3600)
        return response

    def phone_of(request: Request) -> Optional[str]:
        return request.cookies.get("phone")

    async def phone_state(request: Request) -> Response:
        data = {"open": room.open, "question": room.question, "budget": room.budget,
                "horizon": room.horizon_days, "names": {s: W.display_names(pres.scenario.strategies)[s] for s in W.SIDES}}
        room.check_code(request.query_params.get("c", ""))
        return JSONResponse(data)

    async def vote(request: Request) -> Response:
        data = await json_body(request)
        room.check_code(data.get("code"))
        ballot = room.vote(phone_of(request), data)
        return JSONResponse({"ok": True, "choice": ballot.choice, "close_rate": ballot.close_rate,
                             "complaints": ballot.complaints})

    async def team(request: Request) -> Response:
        data = await json_body(request)
        room.check_code(data.get("code"))
        if set(data) - {"code", "team", "days"}:
            raise UserError("a team's entry has only: team, days")
        name, days = room.enter(phone_of(request), data.get("team"), data.get("days"))
        return JSONResponse({"ok": True, "team": name, "days": list(days)})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        text = pages.ASSETS.get(name)
        if text is None:
            return PlainTextResponse("not found", 404)
        return Response(text, media_type="text/javascript" if name.endswith(".js") else "text/css")

    return [Route("/join", join), Route("/api/phone", phone_state), Route("/api/vote", vote, methods=["POST"]),
            Route("/api/team", team, methods=["POST"]), Route("/static/{name}", asset)]


async def user_error(request: Request, exc: UserError) -> Response:
    status = 413 if isinstance(exc, TooLarge) else 403 if isinstance(exc, RoomError) else 400
    return JSONResponse({"ok": False, "error": str(exc)}, status)


def build_app(pres: Presentation, limit: Optional[RateLimit] = None):
    """The presenter's and the phones' routes behind the host, size and rate guard."""
    routes = [*_trainer_routes(pres), *_phone_routes(pres), Route("/favicon.ico", lambda request: Response(status_code=204))]
    app = Starlette(routes=routes, exception_handlers={UserError: user_error})
    return Guard(app, pres.listen.hosts(), limit or RateLimit(), lambda request: is_trainer(pres, request))


def _seconds(value: object) -> Optional[float]:
    """A time box for "suggest a B" as the page sent it, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if SUGGEST_RANGE[0] <= value <= SUGGEST_RANGE[1] else None


def worker_pool(workers: int):
    """A pool of ``workers`` simulation processes, started now (before any thread of the server), or None."""
    if workers <= 1:
        return None


    pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_init)
    for fut in [pool.submit(int, 0) for _ in range(workers)]:
        fut.result()
    return pool


class AddressError(UserError):
    """An address or port the page cannot listen on."""


def open_sockets(listen: Listen) -> list:
    """Bound, listening sockets for the trainer's address and the room's; AddressError (before any
    simulating) for a wildcard, a name instead of an address, or an address not of this computer."""

    addresses = [listen.local] + ([listen.room] if listen.room else [])
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise AddressError(f"--room {address!r}: expected this computer's address on the room's network, "
                               "e.g. 192.168.1.20 (see `ip addr` or your network settings)") from None
        if ip.is_unspecified or ip.is_multicast:
            raise AddressError(f"--room {address}: expected one address of this computer, not every address; "
                               "phones then reach only the voting page on that one network")
    sockets = []
    try:
        for address in addresses:
            s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
            sockets.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((address, listen.port))
            except OSError as exc:
                raise AddressError(f"cannot listen on {address}:{listen.port} ({exc.strerror}): "
                                   + ("another program uses the port; try --port" if exc.errno == 98 else
                                      "is it an address of this computer?")) from None
            s.listen(512)
    except BaseException:
        for s in sockets:
            s.close()
        raise
    return sockets


def serve(pres: Presentation, sockets: list, ready=None) -> None:
    """Answer on ``sockets`` (from ``open_sockets``) until stopped; simulate A and B first in a thread."""

    threading.Thread(target=pres.refresh, daemon=True).start()
    config = uvicorn.Config(build_app(pres), log_level="warning", lifespan="off", timeout_keep_alive=5,
                            limit_concurrency=2000, h11_max_incomplete_event_size=16 * 1024, server_header=False)
    server = uvicorn.Server(config)
    if ready is not None:
        ready(server)
    try:
        server.run(sockets=sockets)
    finally:
        if pres.cache.pool is not None:

            stop_pool(pres.cache.pool)
