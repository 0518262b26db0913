"""The one escaping rule (``sim.escape``), form by form, against what each reader would do with
the raw text: a browser, a Markdown renderer, a spreadsheet, rich and a terminal."""
from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from sim.present.escape import for_console, for_csv, for_html, for_markdown, plain

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\",\"y\")",
           "+1+1", "-2+3", "@SUM(A1)", "[bold]x[/]", "[link=http://x]y[/link]", "\x1b[2J\x1b[31mred",
           "\x1b]8;;http://x\x07link\x1b]8;;\x07", "a\rb", "\u202eevil\u202c", "![i](http://x/i.png)",
           "[a](javascript:alert(1))", "| a | b |", "# heading", "`code`", "*em* _em_", "a\\b", "&amp;"]


def test_plain_removes_control_sequences_and_keeps_the_words():
    assert plain("\x1b[2J\x1b[31mred") == "red"
    assert plain("\x1b]8;;http://x\x07link\x1b]8;;\x07") == "link"
    assert plain("a\rb\x08c") == "abc"
    assert plain("\u202eevil\u202c") == "evil"
    assert plain("tab\tand\nnewline stay") == "tab\tand\nnewline stay"
    assert plain("Zoë → 日本") == "Zoë → 日本"


def test_html_shows_every_hostile_string_as_its_text():
    for text in HOSTILE:
        out = for_html(text)
        assert "<" not in out and ">" not in out and '"' not in out
        assert html.unescape(out) == plain(text)


def test_markdown_cells_have_no_tag_link_pipe_or_line_break():
    for text in HOSTILE:
        out = for_markdown(text)
        assert "<" not in out and "\n" not in out
        assert not re.search(r"(?<!\\)[\[\]|`*_]", out), out
        assert not re.match(r"[-+#]|\d+[.)]", out), out
    assert for_markdown("# heading") == "\\# heading" and for_markdown("1. first") == "1\\. first"
    assert for_markdown("followup-sim fit a.csv -m b.yaml") == "followup-sim fit a.csv -m b.yaml"


def test_csv_cells_never_start_a_formula():
    for text in HOSTILE:
        out = for_csv(text)
        assert not out.startswith(("=", "+", "-", "@", "\t", "\r")), out
    assert for_csv("  =1+1") == "'  =1+1"
    assert for_csv("one_and_done") == "one_and_done" and for_csv(3.5) == 3.5


def shown(markup: str) -> str:
    console = Console(width=10_000, color_system=None, record=True, force_terminal=False)
    console.print(markup, highlight=False, end="")
    return console.export_text()


def test_console_shows_the_text_not_its_markup():
    for text in HOSTILE:
        assert shown(for_console(text) + "[bold].[/]") == plain(text) + "."


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_any_text_survives_each_form(text):
    """Every form keeps the visible text (minus control characters) and leaves no active syntax."""
    p = plain(text)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", p)
    assert html.unescape(for_html(text)) == p
    assert Text.from_markup(for_console(text) + "[bold]x[/]").plain == p + "x"
    out = for_markdown(text)
    assert "<" not in out and "\n" not in out and not re.match(r"[-+#]|\d+[.)]", out)
    assert re.sub(r"\\(.)", r"\1", html.unescape(out)) == " ".join(p.split())
