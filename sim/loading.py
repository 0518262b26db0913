"""Loading scenario files: YAML (safe_load only) -> validated Scenario, with errors a user can act on.

Every problem becomes a ``ScenarioError`` whose message names the file, the field path and
what was expected; the CLI prints it and exits with code 2, without a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

import yaml
from pydantic import ValidationError

from .distributions import KIND_TAGS
from .scenario import Scenario


class ScenarioError(Exception):
    """A scenario file (or an override) that cannot be used, explained for a person."""


def _path(loc: Iterable[Any], data: Any = None) -> str:
    """A pydantic error location as the user wrote it: ``team.reps[0].count``.

    With the raw ``data``, the tag pydantic adds for a union chosen by ``kind`` (the
    ``beta`` in ``reachability.beta.mean``) is left out: it is no field of the file."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif part in ("function-after", "function-before", "function-plain") or "[" in str(part):
            continue
        elif part in KIND_TAGS and isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def explain(err: ValidationError, source: str, data: Any = None) -> str:
    """Every problem of a failed validation, one line each (``data``: the mapping validated)."""
    lines = [f"{source}: the scenario is not valid ({err.error_count()} problem{'s' if err.error_count() > 1 else ''})"]
    for e in err.errors(include_url=False):
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `followup-sim schema` lists every field)"
        given = e.get("input")
        shown = f" (got {given!r})"
        if e["type"] in ("extra_forbidden", "missing") or isinstance(given, (dict, list)) or repr(given) in msg:
            shown = ""  # nothing useful to show, or the message already quotes the value
        lines.append(f"  {_path(e['loc'], data)}: {msg}{shown}")
    return "\n".join(lines)


def read_yaml(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, expected a scenario .yaml file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ScenarioError(f"{path}: YAML syntax error at {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: YAML syntax error: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of fields (name:, strategies:, ...) at the top level")
    return data


def apply_override(data: dict, assignment: str) -> None:
    """Apply ``path.to.field=value`` (value in YAML syntax) to the raw scenario mapping."""
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment!r}: expected PATH=VALUE, e.g. team.reps[0].count=4")
    path, raw = assignment.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    set_path(data, path, value, f"--set {assignment!r}")


def set_path(data: dict, path: str, value: Any, label: str) -> None:
    """Set a field of the raw scenario mapping by dotted path (``team.reps[0].count``)."""
    parts: list[Any] = []
    for chunk in path.strip().split("."):
        name, *indices = chunk.replace("]", "").split("[")
        if not name:
            raise ScenarioError(f"{label}: empty name in the path")
        parts.append(name)
        for i in indices:
            if not i.isdigit():
                raise ScenarioError(f"{label}: list index {i!r} is not a number")
            parts.append(int(i))
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        here = _path(parts[: depth + 1])
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise ScenarioError(f"{label}: {here} does not exist in the scenario file")
            node = node[part]
        else:
            if not isinstance(node, dict):
                raise ScenarioError(f"{label}: {_path(parts[:depth])} is not a section with fields")
            node = node.setdefault(part, {})
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise ScenarioError(f"{label}: {_path(parts)} does not exist in the scenario file")
    elif not isinstance(node, dict):
        raise ScenarioError(f"{label}: {_path(parts[:-1])} is not a section with fields")
    node[last] = value


def with_fields(scenario: Scenario, changes: dict[str, Any], label: str) -> Scenario:
    """A copy of a scenario with some fields changed by dotted path, validated again."""
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        set_path(data, path, value, label)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(explain(err, label, data)) from None


def load_scenario(path: Path | str, overrides: Optional[list[str]] = None, **fields: Any) -> Scenario:
    """Read, override and validate a scenario file. ``fields`` set top-level fields (e.g. seed=7)."""
    path = Path(path)
    data = read_yaml(path)
    for assignment in overrides or []:
        apply_override(data, assignment)
    data.update({k: v for k, v in fields.items() if v is not None})
    source = f"{path}" + (f" (with --set {', '.join(overrides)})" if overrides else "")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(explain(err, source, data)) from None


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario (every default filled in) as YAML that loads back to the same scenario."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
