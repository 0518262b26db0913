r"""One escaping rule for every writer: text a user chose (scenario and strategy names, descriptions,
questions, the cells of a CRM export, paths) is shown as text, never run as markup, a formula or a
terminal control sequence.

The rule, in one place:

- ``plain``: control characters are removed (ANSI escape sequences, carriage returns, backspaces,
  bidirectional overrides that reorder what a reader sees); newline and tab stay. Every form below
  starts from it.
- ``for_console``: plain, with rich's markup (``[bold]``, ``[link=...]``) escaped.
- ``for_html``: plain, with ``& < > " '`` as entities.
- ``for_markdown``: plain on one line, HTML-escaped (Markdown passes raw HTML through) and
  Markdown's punctuation backslash-escaped: ``\ ` * _ [ ] | ~`` anywhere (emphasis, code, links
  and images, table cells), and a leading list, heading or quote marker.
- ``for_csv``: a text a spreadsheet would run as a formula (``=HYPERLINK(...)``) gets
  a leading ``'`` so it shows as text; numbers and other values unchanged.
"""
from __future__ import annotations

import html
import re
from typing import Any

from rich.markup import escape as _rich_escape

# C0 and C1 controls but tab and newline, DEL, and the bidirectional embeddings, overrides and isolates
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")  # links and images need [ ], so ( ) ! stay as they are
_LINE_START = re.compile(r"^(\s*)([-+#>=]|\d+(?=[.)]))")  # a list item, heading or quote only starts a line
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(text: Any) -> str:
    """``text`` as a string without terminal control sequences or invisible reordering characters."""
    return _CONTROLS.sub("", _ANSI.sub("", str(text)))


def for_console(text: Any) -> str:
    """``text`` for ``rich`` printing: shown exactly, no markup run, no control sequence sent.

    Written to be followed by markup (``f"[bold]{for_console(path)}[/]"``): a run of backslashes
    at the end is doubled, as rich halves those before a tag (its own ``escape`` doubles one)."""
    body = plain(text)
    stripped = body.rstrip("\\")
    return _rich_escape(stripped) + "\\" * (2 * (len(body) - len(stripped)))


def for_html(text: Any) -> str:
    """``text`` for HTML element content or a quoted attribute."""
    return html.escape(plain(text), quote=True)


def for_markdown(text: Any) -> str:
    """``text`` for one line of Markdown (a paragraph, a list item or a table cell)."""
    one_line = " ".join(plain(text).split())
    escaped = _MARKDOWN.sub(r"\\\1", html.escape(one_line, quote=False))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                           else m.group(1) + m.group(2) + "\\", escaped, count=1)


def for_csv(value: Any) -> Any:
    """A CSV cell: a text kept from running as a formula; other values unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) or value.lstrip(" ").startswith(("=", "@")):
        return "'" + value
    return value  # otherwise kept as it is: a name read back from the CSV must match the scenario's
