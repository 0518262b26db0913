"""The HTML, style and scripts of the presenter screen and the phones' page, and the join QR code.

Pages are static: the scripts read JSON from the server and put every text in with
``textContent`` (never as HTML), and the Content-Security-Policy allows only this page's own
scripts, styles and images, so nothing a phone sends can run in anyone's browser.
Presenter text is at least 20 px (``--small``) on a 1280x720 screen and grows with the screen.
"""
from __future__ import annotations

import html

HEADERS = [
    ("content-security-policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
]


def _page(title: str, body: str, script: str = "", css: str = "room.css") -> str:
    tag = f'<script src="/static/{script}"></script>' if script else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/static/{css}"></head>'
            f"<body>{body}{tag}</body></html>")


def refused(message: str) -> str:
    return _page("followup-sim", f'<main class="phone"><h1>{html.escape(message)}</h1></main>', css="phone.css")


def presenter() -> str:
    return _page("followup-sim: the room", '<main id="screen"><p class="small">Loading...</p></main>'
                 '<footer id="foot"></footer>', "present.js")


def code_form(problem: str = "") -> str:
    said = f'<p role="alert">{html.escape(problem)}</p>' if problem else ""
    return _page("Join the room", f'<main class="phone"><h1>Join the room</h1>{said}'
                 '<form method="get" action="/join"><label>Code on the screen<input name="c" maxlength="8" '
                 'autocomplete="off" autocapitalize="characters"></label><button>Join</button></form></main>',
                 css="phone.css")


def phone(code: str) -> str:
    return _page("Vote", f'<main class="phone" data-code="{html.escape(code)}">'
                 '<h1>Which closes more deals?</h1>'
                 '<p id="names"></p>'
                 '<div class="pick"><button id="A" class="a">A</button><button id="B" class="b">B</button></div>'
                 '<label>Your guess: B\'s close rate (%)<input id="close_rate" type="number" min="0" max="100" step="0.1"></label>'
                 '<label>Your guess: B\'s complaints per 1,000<input id="complaints" type="number" min="0" max="1000" step="1"></label>'
                 '<button id="send">Send my guesses</button><p id="status" role="status"></p>'
                 '<h2>Team game</h2><p id="budget"></p>'
                 '<label>Team name<input id="team" maxlength="20" autocomplete="off"></label>'
                 '<label>Call days, e.g. 1, 3, 7<input id="days" maxlength="80" autocomplete="off"></label>'
                 '<button id="enter">Send our cadence</button><p id="team_status" role="status"></p></main>',
                 "phone.js", css="phone.css")


def qr_svg(url: str) -> str:
    """The join link as a QR code (SVG), dark on white with a quiet zone, for a phone's camera."""
    import io

    import segno  # imported here: segno comes with the workshop extra, needed only for a QR code

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=4, dark="#000", light="#fff", xmldecl=False)
    return out.getvalue().decode()


ROOM_CSS = """
:root { --small: max(20px, 1.6vw); --text: max(26px, 2.2vw); --big: max(36px, 3.2vw); --huge: max(64px, 6vw); }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: #fff; color: #111; font-family: system-ui, sans-serif; }
body { display: flex; flex-direction: column; font-size: var(--text); }
main#screen { flex: 1; display: flex; flex-direction: column; padding: 1.2vh 3vw 0 3vw; min-height: 0; }
h1 { font-size: var(--big); margin: 0.4em 0 0.3em 0; }
p { margin: 0.3em 0; line-height: 1.3; }
.small { font-size: var(--small); color: #333; }
.answer { font-size: var(--big); font-weight: 600; line-height: 1.25; }
.side { margin: 0.4em 0; }
.side b.A { color: #1f77b4; } .side b.B { color: #d62728; }
.chart { flex: 1; min-height: 0; display: flex; justify-content: center; align-items: flex-start; }
.chart img { width: 100%; height: 100%; object-fit: contain; object-position: center top; }
.join { display: flex; gap: 3vw; align-items: center; margin-top: 0.6em; }
.join img { height: 34vh; width: 34vh; image-rendering: pixelated; }
.code { font-size: var(--huge); font-weight: 700; letter-spacing: 0.15em; font-family: monospace; }
.tally { display: flex; gap: 6vw; align-items: flex-end; margin: 0.5em 0; }
.tally div { text-align: center; }
.tally .n { font-size: var(--huge); font-weight: 700; }
.tally .A .n { color: #1f77b4; } .tally .B .n { color: #d62728; }
table { border-collapse: collapse; font-size: var(--text); }
td, th { text-align: left; padding: 0.25em 0.8em 0.25em 0; border-bottom: 2px solid #ddd; vertical-align: top; }
th { font-size: var(--small); color: #333; }
footer { font-size: var(--small); color: #333; padding: 0.5vh 3vw 1vh 3vw; display: flex; justify-content: space-between; }
.busy { color: #b35c00; }
button.suggest { font-size: var(--small); padding: 0.3em 0.8em; margin: 0.4em 0; border: 2px solid #333; border-radius: 8px;
                 background: #f4f4f4; align-self: flex-start; }
"""

PHONE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, sans-serif; font-size: 20px; background: #fff; color: #111; }
main.phone { max-width: 480px; margin: 0 auto; padding: 16px; }
h1 { font-size: 26px; } h2 { font-size: 22px; margin-top: 28px; }
label { display: block; margin: 14px 0; }
input { display: block; width: 100%; font-size: 22px; padding: 10px; margin-top: 6px; }
button { font-size: 22px; padding: 12px 18px; margin: 6px 0; width: 100%; border-radius: 8px; border: 2px solid #333;
         background: #f4f4f4; }
.pick { display: flex; gap: 12px; } .pick button { font-size: 40px; font-weight: 700; }
button.a { color: #1f77b4; } button.b { color: #d62728; }
button.chosen { background: #222; color: #fff; }
"""

PRESENT_JS = r"""
"use strict";
const token = new URLSearchParams(location.search).get("t") || "";
let state = null, shown = -1, version = -1;
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text); return e; }
function img(name, alt) { const i = el("img"); i.alt = alt;
  i.src = "/img/" + name + "?t=" + encodeURIComponent(token) + "&v=" + state.version; return i; }
async function api(body) {
  const r = await fetch("/api/control", {method: "POST", headers: {"Content-Type": "application/json", "X-Trainer": token},
                                         body: JSON.stringify(body)});
  if (r.ok) { state = await r.json(); render(); }
}
function joinBox(big) {
  const box = el("div", "join");
  if (!state.room) return box;
  const q = img("qr", "QR code of the join link"); if (!big) q.style.height = q.style.width = "22vh";
  box.append(q);
  const t = el("div"); t.append(el("p", "small", "Join on your phone: " + state.join));
  t.append(el("p", "", "Code")); t.append(el("p", "code", state.code)); box.append(t);
  return box;
}
function sides(parent) {
  for (const s of ["A", "B"]) { const p = el("p", "side"); p.append(el("b", s, s + ": " + state.names[s]));
    if (state.descriptions[s]) p.append(el("span", "small", " - " + state.descriptions[s])); parent.append(p); }
}
function tally(parent) {
  const t = state.tally, box = el("div", "tally");
  for (const s of ["A", "B"]) { const d = el("div", s); d.append(el("div", "n", t[s])); d.append(el("div", "", "say " + s)); box.append(d); }
  const d = el("div"); d.append(el("div", "n", t.voters)); d.append(el("div", "", "voted of " + t.joined + " joined")); box.append(d);
  parent.append(box);
  const g = [];
  if (t.close_rate) g.push(t.close_rate.n + " guessed B's close rate");
  if (t.complaints) g.push(t.complaints.n + " guessed B's complaints");
  if (g.length) parent.append(el("p", "small", g.join("; ")));
}
const views = {
  question(m) { m.append(el("h1", "", state.question || "Which follow-up works better?")); sides(m);
    const b = el("button", "suggest", "Suggest a B: search from A for " + state.suggest_seconds + " s (key B)");
    b.disabled = !!state.busy; b.addEventListener("click", suggest); m.append(b);
    if (state.suggestion) m.append(el("p", "small suggestion", state.suggestion));
    m.append(joinBox(!state.suggestion)); },
  vote(m) { m.append(el("h1", "", "Vote: which closes more deals, A or B? And guess B's numbers."));
            tally(m); m.append(joinBox(false)); },
  reveal(m) { if (!state.answer) { m.append(el("p", "busy", "Simulating...")); return; }
              m.append(el("p", "answer", state.answer)); const c = el("div", "chart"); c.append(img("reveal", "Close rate and complaints of A and B")); m.append(c); },
  story(m) { m.append(el("h1", "", "One prospect under A and under B"));
             if (state.story_caption) m.append(el("p", "small", state.story_caption));
             if (state.images.includes("story")) { const c = el("div", "chart"); c.append(img("story", "One prospect's timeline under A and B")); m.append(c); } },
  debrief(m) { m.append(el("h1", "", "What you predicted, and what happened"));
    if (!state.debrief) { m.append(el("p", "busy", "Simulating...")); return; }
    const t = el("table"), h = el("tr"); for (const x of ["", "The room", "What happened"]) h.append(el("th", "", x)); t.append(h);
    for (const r of state.debrief) { const tr = el("tr"); tr.append(el("td", "", r.question)); tr.append(el("td", "", r.room)); tr.append(el("td", "", r.happened)); t.append(tr); }
    m.append(t); for (const q of state.questions || []) m.append(el("p", "small", "- " + q)); },
  game(m) { m.append(el("h1", "", "Team game: the most sales with at most " + state.budget + " calls per prospect"));
    if (state.board) {
      const t = el("table"), h = el("tr");
      for (const x of ["Team", "Call days", "Sales", "Complaints per 1,000", "Calls per rep-day"]) h.append(el("th", "", x)); t.append(h);
      for (const r of state.board) { const tr = el("tr");
        for (const x of [r.team, r.days.join(", "), r.sales, r.complaints, r.calls]) tr.append(el("td", "", x)); t.append(tr); }
      m.append(t);
      if (state.images.includes("winner")) { const c = el("div", "chart"); c.append(img("winner", "The winner's story")); m.append(c); }
    } else {
      m.append(el("p", "", state.teams.length + " teams have sent a cadence" + (state.teams.length ? ": " + state.teams.map(t => t.team).join(", ") : "")));
      m.append(el("p", "small", "Press P to play every team's cadence on the same prospects."));
      m.append(joinBox(false));
    }
  },
};
function render() {
  if (!state) return;
  const name = state.steps[state.step];
  if (state.step !== shown || state.version !== version || name === "vote" || name === "game") {
    const m = document.getElementById("screen"); m.replaceChildren(); views[name](m);
    shown = state.step; version = state.version;
  }
  const f = document.getElementById("foot"); f.replaceChildren();
  f.append(el("span", "", (state.step + 1) + "/" + state.steps.length + " " + state.titles[name]));
  f.append(el("span", state.busy ? "busy" : "", state.busy ? state.busy + "..." : "Keys: arrows move, B suggests a B, P plays the game, 1-9 call budget, S slides, H handout"));
}
function suggest() { if (!state.busy) api({action: "suggest", seconds: state.suggest_seconds}); }
async function poll() {
  try { const r = await fetch("/api/state", {headers: {"X-Trainer": token}}); if (r.ok) { state = await r.json(); render(); } }
  catch (e) { /* the server stopped: keep the last screen */ }
  setTimeout(poll, 1000);
}
document.addEventListener("keydown", e => {
  if (!state) return;
  if (["ArrowRight", "PageDown", " "].includes(e.key)) api({action: "step", step: state.step + 1});
  else if (["ArrowLeft", "PageUp"].includes(e.key)) api({action: "step", step: state.step - 1});
  else if (e.key === "Home") api({action: "step", step: 0});
  else if (e.key === "p" || e.key === "P") api({action: "play"});
  else if (e.key === "b" || e.key === "B") suggest();
  else if (/^[1-9]$/.test(e.key)) api({action: "budget", budget: Number(e.key)});
  else if (e.key === "s" || e.key === "h") location.href = "/take/" + (e.key === "s" ? "slides" : "handout") + ".html?t=" + encodeURIComponent(token);
  else return;
  e.preventDefault();
});
poll();
"""

PHONE_JS = r"""
"use strict";
const main = document.querySelector("main"), code = main.dataset.code;
const $ = id => document.getElementById(id);
async function post(url, body, out) {
  try {
    const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({code, ...body})});
    const j = await r.json().catch(() => ({error: "refused (" + r.status + ")"}));
    $(out).textContent = j.ok ? "Sent. You can change it until the reveal." : j.error;
    return j;
  } catch (e) { $(out).textContent = "Not sent: no connection"; }
}
for (const s of ["A", "B"]) $(s).addEventListener("click", async () => {
  const j = await post("/api/vote", {choice: s}, "status");
  if (j && j.ok) { $("A").classList.toggle("chosen", s === "A"); $("B").classList.toggle("chosen", s === "B"); }
});
$("send").addEventListener("click", () => post("/api/vote", {close_rate: $("close_rate").value, complaints: $("complaints").value}, "status"));
$("enter").addEventListener("click", async () => {
  const j = await post("/api/team", {team: $("team").value, days: $("days").value}, "team_status");
  if (j && j.ok) $("team_status").textContent = "Team " + j.team + ": calls on days " + j.days.join(", ");
});
async function poll() {
  try { const r = await fetch("/api/phone?c=" + encodeURIComponent(code));
    if (r.ok) { const s = await r.json();
      $("names").textContent = "A: " + s.names.A + " - B: " + s.names.B + (s.open ? "" : " (voting is closed)");
      $("budget").textContent = "At most " + s.budget + " calls per prospect, on days 1 to " + s.horizon + "."; } }
  catch (e) {}
  setTimeout(poll, 3000);
}
poll();
"""

ASSETS = {"present.js": PRESENT_JS, "phone.js": PHONE_JS, "room.css": ROOM_CSS, "phone.css": PHONE_CSS}
