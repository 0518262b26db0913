"""Names that become paths: a scenario's name is the folder ``results/<name>/`` and the file
``scenarios/<name>.yaml``, so it must be one safe path component.

``.`` and ``..`` would make ``results/.`` the whole results folder (a run would replace it),
a leading dot hides the folder, a slash or a backslash leaves it, and very long names fail
only when the results are written, after the whole run.
"""
from __future__ import annotations

import re

MAX_NAME_LENGTH = 64
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a scenario name, or None when it can."""
    if not isinstance(name, str) or not name:
        return "expected a name of letters, digits, '-', '_' or '.'"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name is at most {MAX_NAME_LENGTH} characters (got {len(name)})"
    if not _SAFE.fullmatch(name):
        return ("expected letters, digits, '-', '_' or '.', starting with a letter, a digit or '_' "
                "(it names the results folder)")
    return None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a strategy's key, or None when it can. A key is written to every CSV
    of the results and read back by ``report``: a carriage return or another control character
    in it does not survive that (free text belongs in the strategy's ``label``)."""
    if _CONTROL.search(key):
        return (f"the strategy key {key!r} holds a control character (a line break, tab or carriage return); "
                "keys are names written to runs.csv: put free text in the strategy's label")
    return None


def check_name(name: str) -> str:
    """``name`` itself, or ValueError saying why it cannot name a results folder."""
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    return name
