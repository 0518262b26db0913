"""Loading scenario files: YAML (safe_load only) -> validated Scenario, with errors a user can act on.

Every problem becomes a ``ScenarioError`` whose message names the file, the field path and
what was expected; the CLI prints it and exits with code 2, without a traceback.

Hostile files are refused within bounded memory and time: at most ``MAX_FILE_BYTES`` are
read, the YAML node graph is checked before any object is built (alias expansion, depth,
duplicate keys), values shown in messages are cut short and at most ``MAX_PROBLEM_LINES``
problems are listed. NaN and infinity are refused wherever they are written.
"""
from __future__ import annotations

import math
import re
import reprlib
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.distributions import KIND_TAGS
from sim.scenario.errors import UserError
from sim.scenario.schema import Scenario


class ScenarioError(UserError):
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


MAX_FILE_BYTES = 1_000_000  # a scenario is a few KB; the largest shipped one is under 3 KB
MAX_NODES = 100_000  # values in the file once aliases are expanded (a billion-laughs file has 10^9)
MAX_DEPTH = 64  # sections nested in sections
MAX_SCALAR = 10_000  # characters in one value (a description is a paragraph)
MAX_PROBLEM_LINES = 20  # problems listed in one error message; the rest are counted
_SHOW = reprlib.Repr()
_SHOW.maxstring = _SHOW.maxother = 60
_SHOW.maxlist = _SHOW.maxdict = _SHOW.maxtuple = 4
_SHOW.maxlevel = 2


def shown(value: Any) -> str:
    """A short repr of a value for an error message: long texts and big structures cut short."""
    return _SHOW.repr(value)


def _located(msg: str, nested: bool = False) -> tuple[Optional[str], str]:
    """A model-level check names its field at the start of its message (``team.calendar: ...``,
    or ``reps[0].calendar: ...`` from a check of the ``team`` section, ``nested``): (that path,
    the rest), or (None, msg)."""
    m = re.match(r"^([a-z_][\w.\[\]]*): (.*)$", msg, re.S)
    if m and ("." in m.group(1) or "[" in m.group(1) or nested or m.group(1) in Scenario.model_fields):
        return m.group(1), m.group(2)
    return None, msg


def explain(err: ValidationError, source: str, data: Any = None) -> str:
    """Every problem of a failed validation, one line each (``data``: the mapping validated);
    at most ``MAX_PROBLEM_LINES`` lines, then a count of the others."""
    count = err.error_count()
    lines = [f"{source}: the scenario is not valid ({count} problem{'s' if count > 1 else ''})"]
    for n, e in enumerate(err.errors(include_url=False, include_context=False)):
        if n == MAX_PROBLEM_LINES:
            lines.append(f"  ... and {count - n} more (fix these first)")
            break
        msg = e["msg"].removeprefix("Value error, ")
        named, msg = _located(msg, nested=bool(e["loc"]))
        if named and e["loc"]:
            named = _path(e["loc"], data) + ("" if named.startswith("[") else ".") + named
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `followup-sim schema` lists every field)"
        given = e.get("input")
        text = ""
        if e["type"] not in ("extra_forbidden", "missing") and not isinstance(given, (dict, list, tuple)):
            text = shown(given)
            if text in msg:
                text = ""  # the message already quotes the value
        path = named or _path(e["loc"], data)
        lines.append(f"  {path}: {msg}" + (f" (got {text})" if text else ""))
    return "\n".join(lines)


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that reads the file's node graph first, so it can be checked before
    any Python object is built (see ``check_nodes``)."""


def _short(path: str, limit: int = 80) -> str:
    return path if len(path) <= limit else path[:limit] + "..."


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def check_nodes(root: yaml.Node) -> None:
    """Refuse, with ValueError naming the field path, what safe YAML still lets through:
    alias expansion beyond ``MAX_NODES`` values (billion laughs, recursive aliases), nesting
    deeper than ``MAX_DEPTH`` and a key given twice in one mapping (the last would win silently).
    Walks the tree as the aliases expand it, without recursion, and stops at the budget."""
    seen = 0
    stack: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise ValueError(f"the file holds more than {MAX_NODES:,} values once its aliases (*name) are "
                             "expanded; a scenario needs a few hundred")
        if depth > MAX_DEPTH:
            raise ValueError(f"{_short(path) or '(top level)'}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR:
                raise ValueError(f"{_short(path)}: a value of {len(node.value):,} characters; at most {MAX_SCALAR:,}")
            if node.style is None and len(node.value) > 30 and re.fullmatch(r"[-+]?[0-9_]+", node.value):
                raise ValueError(f"{_short(path)}: a number of {len(node.value)} digits is far beyond any limit")
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    stack.append((value, path, depth + 1))
                    continue
                name = _key_text(key)
                if isinstance(key, yaml.ScalarNode) and name in keys:
                    where = _short(f"{path}.{name}" if path else name)
                    raise ValueError(f"{where}: given twice (lines {keys[name]} and {key.start_mark.line + 1}); "
                                     "the second would silently replace the first")
                keys[name] = key.start_mark.line + 1
                stack.append((value, f"{path}.{name}" if path else name, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, f"{path}[{i}]", depth + 1))


def parse_yaml(text: str) -> Any:
    """YAML text as Python data, safely and within bounded memory (see ``check_nodes``).

    Raises yaml.YAMLError for syntax and ValueError for what ``check_nodes`` refuses."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return loader.construct_document(node)
    except RecursionError:  # PyYAML's composer recurses once per level, before check_nodes can look
        raise ValueError(f"nested too deeply to read (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()


def _raw_problems(data: Any) -> list[str]:
    """Numbers no field can take, wherever they are: NaN and infinity (``.nan``, ``.inf``)."""
    out = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack and len(out) < MAX_PROBLEM_LINES:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            out.append(f"  {path or '(top level)'}: expected a finite number (got {node!r})")
        elif isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
    return sorted(out)


def _coerced_bools(data: Any, model: Any, path: str = "") -> list[str]:
    """``true``/``false`` written where a number is expected (pydantic would read them as 1 and 0)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(model, BaseModel):
                target = getattr(model, str(key), None)
            elif isinstance(model, dict):
                target = model.get(key)
            else:
                continue
            out += _coerced_bools(value, target, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list) and isinstance(model, list):
        for i, (value, target) in enumerate(zip(data, model)):
            out += _coerced_bools(value, target, f"{path}[{i}]")
    elif isinstance(data, bool) and isinstance(model, (int, float)) and not isinstance(model, bool):
        out.append(f"  {path}: expected a number, not {str(data).lower()}")
    return out


def validate_data(data: dict, source: str) -> Scenario:
    """The raw mapping of a file (after --set) as a Scenario, or ScenarioError listing every problem."""
    problems = _raw_problems(data)
    if problems:
        raise ScenarioError(f"{source}: the scenario is not valid\n" + "\n".join(problems))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(explain(err, source, data)) from None
    except RecursionError:
        raise ScenarioError(f"{source}: the scenario is nested too deeply to read") from None
    problems = _coerced_bools(data, scenario)
    if problems:
        raise ScenarioError(f"{source}: the scenario is not valid\n" + "\n".join(problems[:MAX_PROBLEM_LINES]))
    return scenario


def read_yaml(path: Path) -> dict:
    """The mapping a scenario file holds, read within bounded memory, or ScenarioError."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, expected a scenario .yaml file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES // 1000:,} KB; a scenario file is a few KB "
                            "(is this the right file?)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file (byte {exc.start}); expected a scenario .yaml file") from None
    try:
        data = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ScenarioError(f"{path}: YAML syntax error at {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: YAML syntax error: {shown(str(exc))}") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty; expected the scenario's fields (name:, strategies:, ...); "
                            "`followup-sim new NAME` writes a starter")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of fields (name:, strategies:, ...) at the top level, "
                            f"got {type(data).__name__} {shown(data)}")
    return data


def apply_override(data: dict, assignment: str) -> None:
    """Apply ``path.to.field=value`` (value in YAML syntax) to the raw scenario mapping."""
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment!r}: expected PATH=VALUE, e.g. team.reps[0].count=4")
    path, raw = assignment.split("=", 1)
    try:
        value = parse_yaml(raw)
    except (yaml.YAMLError, ValueError, RecursionError):
        value = raw
    set_path(data, path, value, f"--set {assignment!r}")


INBOUND_RATES = frozenset({"per_day", "per_week", "per_month"})  # one rate, three ways to write it


def set_path(data: dict, path: str, value: Any, label: str) -> None:
    """Set a field of the raw scenario mapping by dotted path (``team.reps[0].count``).

    Setting one of the inbound rates (``population.inbound.per_week``) removes the other two
    forms, so ``--set`` or a sweep of per_week works on a scenario that gave per_day."""
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
    if last in INBOUND_RATES and len(parts) >= 2 and parts[-2] == "inbound":
        for other in INBOUND_RATES - {last}:  # setting one form of the inbound rate replaces the others
            node.pop(other, None)


def with_fields(scenario: Scenario, changes: dict[str, Any], label: str) -> Scenario:
    """A copy of a scenario with some fields changed by dotted path, validated again."""
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        set_path(data, path, value, label)
    return validate_data(data, label)


def load_scenario(path: Path | str, overrides: Optional[list[str]] = None, **fields: Any) -> Scenario:
    """Read, override and validate a scenario file. ``fields`` set top-level fields (e.g. seed=7)."""
    path = Path(path)
    data = read_yaml(path)
    for assignment in overrides or []:
        apply_override(data, assignment)
    data.update({k: v for k, v in fields.items() if v is not None})
    sets = ", ".join(overrides or [])
    source = f"{path}" + (f" (with --set {_short(sets, 200)})" if overrides else "")
    return validate_data(data, source)


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario (every default filled in) as YAML that loads back to the same scenario.

    A scenario without money (or an optimize section) has no such key (rather than ``money: null``), as its user
    wrote it."""
    data = scenario.model_dump(mode="json")
    for optional in ("money", "optimize"):
        if data.get(optional) is None:
            data.pop(optional, None)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
