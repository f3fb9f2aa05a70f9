"""Loading a scenario file: YAML, then the typed models, then the cross-checks, every problem
located at file:line:col.

Schema problems (pydantic) and cross-reference problems (checks) are both collected before
anything is reported, so one run of `wargame validate` shows all of them.
"""

from __future__ import annotations

import datetime
import importlib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import checks
from .errors import Problem, ScenarioError, did_you_mean, one_of
from .models import Scenario
from .yaml_source import SourceMap, parse, read_text


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from, for messages and for saving."""

    scenario: Scenario
    path: Path | None
    source: SourceMap
    # Located warnings: what loads and plays, but not as the file seems to say (a history metric
    # measured inside a turn); `wargame validate` prints them.
    warnings: tuple[Problem, ...] = ()


def load_scenario(
    path: str | Path, *, coefficient_names: Iterable[str] | None = None
) -> LoadedScenario:
    """Load and check a scenario file. `coefficient_names` are the rule coefficients a `rules:`
    block may override; when they have a `problem(name, value)` method, as the rules' own have,
    the values given are checked with it too. Left out, they are the rules' own (see
    `rules_coefficient_names`): a misspelt coefficient is a located error by default."""
    path = Path(path)
    text = read_text(path, str(path))
    return load_scenario_text(text, str(path), coefficient_names=coefficient_names, path=path)


def load_scenario_text(
    text: str,
    filename: str = "<string>",
    *,
    coefficient_names: Iterable[str] | None = None,
    path: Path | None = None,
    fast: bool = False,
) -> LoadedScenario:
    """`fast`: compose with libyaml, for text known to pass the caps (see `parse`)."""
    data, source = parse(text, filename, fast=fast)
    if not isinstance(data, dict):
        got = describe_value(data)
        raise ScenarioError(
            [source.problem((), f"expected a mapping of scenario sections, got {got}")]
        )
    scenario, warnings = validate_with_warnings(data, source, coefficient_names)
    return LoadedScenario(scenario, path, source, tuple(warnings))


def validate_data(
    data: dict[str, Any], source: SourceMap, coefficient_names: Iterable[str] | None = None
) -> Scenario:
    """Check plain scenario data (a file's, or a file's with a what-if overlay applied): the
    schema and every cross-check, all problems located through `source`."""
    return validate_with_warnings(data, source, coefficient_names)[0]


def validate_with_warnings(
    data: dict[str, Any], source: SourceMap, coefficient_names: Iterable[str] | None = None
) -> tuple[Scenario, list[Problem]]:
    """`validate_data`, and the located warnings of what plays but not as the file says."""
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems.extend(_pydantic_problems(error, data, source))
    names = coefficient_names if coefficient_names is not None else rules_coefficient_names()
    if not hasattr(names, "problem"):
        names = set(names)
    # The cross-checks judge what the game will use: the validated values when there are any.
    checked = scenario.model_dump() if scenario is not None else data
    found, warnings = checks.check_with_warnings(checked, source, coefficient_names=names)
    problems.extend(found)
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario, warnings


def rules_coefficient_names() -> Iterable[str]:
    """The rules' coefficient names (able to judge a value too), for a scenario loaded without
    names of its own: the check of a `rules:` block is on by default, wherever a scenario is
    loaded. The rules package owns the names and this package may not import it (the arrows run
    the other way), so they are looked up by module name when first needed: nothing here depends
    on the rules when it is imported, and the rules' coefficients module imports nothing of ours."""
    package = __name__.rsplit(".", 2)[0]  # "engine"
    module = importlib.import_module(f"{package}.rules.coefficients")
    return module.coefficient_names()


# ------------------------------------------------------------------------- pydantic errors


def describe_value(value: Any) -> str:
    """A YAML value as an error message names it: "a mapping", "the text '...'", ..."""
    if isinstance(value, bool):
        return f"the boolean {value!r}".lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"{len(value)} bytes of binary data"
    return repr(value)


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], list[str], Any]:
    """Split a pydantic `loc` into the path through the data and the union branch names that
    pydantic inserts (e.g. 'minefield', 'tuple[int, int]', 'str') which are not in the data;
    also return the value where the first branch name was met, to judge which branch was meant."""
    path: list[Any] = []
    branches: list[str] = []
    branch_value: Any = None
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict | list) and index == len(loc) - 1:
            path.append(part)  # a missing or extra key: keep it for the message
            node = None
        else:
            if not branches:
                branch_value = node
            branches.append(str(part))
    return tuple(path), branches, branch_value


def _branch_fits(branch: str, value: Any) -> bool:
    """Whether the union member named `branch` is the one the writer meant, going by the value's
    shape: a list meant the [col, row] form, text meant an id, and so on."""
    if branch.startswith(("tuple[", "list[")):
        return isinstance(value, list)
    if branch.startswith("str") or ("str" in branch and "constrained" in branch):
        return isinstance(value, str)
    if branch in ("int", "float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if branch == "bool":
        return isinstance(value, bool)
    if branch.startswith("dict["):
        return isinstance(value, dict)
    return True


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def annotation_at(path: tuple[Any, ...], data: Any) -> Any:
    """The type the format expects at `path` in `data` (a model class, list[...], dict[...],
    a scalar type), with unions resolved by the data there; None where the path leaves the format.
    Used for "did you mean" on unknown keys, and by what-if overlays to check their paths."""
    current: Any = Scenario
    node = data
    for part in path:
        current = _unwrap(current, node)
        if current is None:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        else:
            origin, args = typing.get_origin(current), typing.get_args(current)
            if origin is list and args:
                current = args[0]
            elif origin is dict and len(args) == 2:
                current = args[1]
            else:
                return None
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return _unwrap(current, node)


def _model_at(path: tuple[Any, ...], data: Any) -> type[BaseModel] | None:
    """The model class whose fields apply at `path` (for 'did you mean' on unknown keys)."""
    current = annotation_at(path, data)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated and pick the union member that fits the data (by `kind` tag or shape)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(a, node) for a in typing.get_args(annotation)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if isinstance(node, dict) and models:
            for model in models:
                kind = model.model_fields.get("kind")
                if kind is not None and typing.get_args(kind.annotation) == (node.get("kind"),):
                    return model
            return models[0]
        for member in members:
            if typing.get_origin(member) is list and isinstance(node, list):
                return member
        return members[0] if len(members) == 1 else None
    return annotation


def _describe_path(path: tuple[Any, ...], data: Any) -> str:
    """'units[3] (roc_9th_company).men' reads better than a tuple."""
    text = ""
    node = data
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" ({node['id']})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "the file"


def _pydantic_problems(error: ValidationError, data: Any, source: SourceMap) -> list[Problem]:
    located = [(item, *_data_path(tuple(item["loc"]), data)) for item in error.errors()]
    fitting = [e for e in located if not e[2] or _branch_fits(e[2][0], e[3])]
    by_path: dict[tuple[Any, ...], list[tuple[dict[str, Any], list[str]]]] = {}
    for item, path, branches, _ in fitting or located:
        by_path.setdefault(path, []).append((item, branches))
    problems = []
    for path, items in by_path.items():
        problems.append(_one_problem(path, items, data, source))
    return problems


def _one_problem(
    path: tuple[Any, ...],
    items: list[tuple[dict[str, Any], list[str]]],
    data: Any,
    source: SourceMap,
) -> Problem:
    item, _branches = items[0]
    kind = item["type"]
    where = _describe_path(path[:-1], data) if path else "the file"
    if kind == "extra_forbidden":
        key = path[-1]
        model = _model_at(path[:-1], data)
        allowed = list(model.model_fields) if model else []
        hint = did_you_mean(str(key), allowed) if allowed else ""
        expected = f"; expected one of {one_of(allowed)}" if allowed and not hint else ""
        return source.problem(path, f"unknown key '{key}' in {where}{hint}{expected}", key=True)
    if kind == "missing":
        return source.problem(path[:-1], f"missing required key '{path[-1]}' in {where}")
    if kind == "union_tag_invalid":
        ctx = item.get("ctx", {})
        tag = str(ctx.get("tag", ""))
        expected = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
        return source.problem(
            (*path, "kind"),
            f"unknown kind '{tag}' in {_describe_path(path, data)}"
            + (did_you_mean(tag, expected) or f"; expected one of {one_of(expected)}"),
        )
    if kind == "enum" or kind == "literal_error":
        ctx = item.get("ctx", {})
        expected_text = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected_text.replace(" or ", ", ").split(",")]
        value = _value_at(data, path)
        hint = did_you_mean(str(value), choices)
        return source.problem(
            path,
            f"{_describe_path(path, data)}: {describe_value(value)} is not allowed"
            + (hint or f"; expected {expected_text}"),
        )
    value = _value_at(data, path)
    message = " or ".join(sorted({_expected(i) for i, _ in items}))
    where = _describe_path(path, data)
    hint = ""
    if kind == "bool_type" and isinstance(value, str):
        hint = f"; write true or false (YAML 1.2, which editors use, reads '{value}' as text)"
    return source.problem(path, f"{where}: {message}, got {describe_value(value)}{hint}")


_PLAIN_EXPECTATIONS = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "datetime_type": "expected a date and time like 1945-05-21T05:00",
    "datetime_parsing": "expected a date and time like 1945-05-21T05:00",
    "datetime_from_date_parsing": "expected a date and time like 1945-05-21T05:00",
    "time_type": 'expected a time of day like "19:30"',
    "time_parsing": 'expected a time of day like "19:30"',
    "model_type": "expected a mapping of keys and values",
    "model_attributes_type": "expected a mapping of keys and values",
    "dict_type": "expected a mapping of keys and values",
    "list_type": "expected a list",
    "tuple_type": "expected a hex as [col, row]",
}


def _expected(item: dict[str, Any]) -> str:
    """Pydantic's message rephrased as what a writer of the file is expected to put there."""
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind in _PLAIN_EXPECTATIONS:
        return _PLAIN_EXPECTATIONS[kind]
    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        sign, key = bounds[kind]
        return f"expected a number {sign} {ctx.get(key)}"
    if kind == "string_pattern_mismatch" and "a-z" in str(ctx.get("pattern", "")):
        return "expected a lower-case id (letters, digits and _, starting with a letter)"
    if kind == "string_pattern_mismatch" and "#" in str(ctx.get("pattern", "")):
        return 'expected a colour like "#1f4e9c"'
    if kind in ("too_short", "too_long") and "actual_length" in ctx:
        return _clean(item["msg"])
    return _clean(item["msg"])


def _clean(message: str) -> str:
    """Pydantic says 'Input should be a valid integer'; people read 'expected a valid integer'."""
    for prefix, replacement in (
        ("Input should be ", "expected "),
        ("Value error, ", ""),
        ("String should ", "text should "),
        ("List should ", "the list should "),
        ("Tuple should ", "a hex [col, row] should "),
    ):
        if message.startswith(prefix):
            message = replacement + message[len(prefix) :]
    return message
