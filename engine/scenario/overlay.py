"""What-if overlays: small YAML files that change a scenario without copying it.

    name: no_minefield
    description: The garrison never laid its 30 m minefield.
    scenario: furong_mountain          # optional: the scenario id this overlay is written for
    set:                               # replace (or add) values
      units[id=roc_1st_company].men: 150
      plans[side=roc].phases[id=relief_north].only_when: day
    scale:                             # multiply numbers (whole numbers stay whole)
      ammunition[side=ija].rounds: 2
    shift:                             # move date-times by a duration, or add to numbers
      reinforcements[0].time: 12h
      clock.turns: 12
    add:                               # append items to a list, or keys to a mapping
      obstacles:
        - {kind: wire, hexes: [[12, 14]], lines: 1}
    remove:                            # delete list items or keys
      - obstacles[kind=minefield]

A path is dotted keys with list selectors: `[3]` (an index, from 0), `[id=x]` or just `[x]` (the
items whose id is x), `[kind=wire]` (every item whose `kind` is wire), `[*]` (every item), and
`["odd key"]` for a mapping key that is not a plain name. Every path refers to the scenario as
written; operations apply in the order set, scale, shift, add, remove, so no path depends on
another operation's effect. A selector that matches several items applies to each of them; `scale`,
`shift` and `remove` skip matched items that lack the rest of the path (an error if none has it).

Overlays work on the scenario's plain data (what the YAML says), then the whole result is checked
again exactly as `wargame validate` checks a file. Every problem, whether in the overlay itself
(an unknown path, a selector that matches nothing) or in what it produced (a negative strength, an
unknown unit), is reported at the overlay's file:line:col, with "did you mean" where it helps.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from . import loader
from .errors import Problem, ScenarioError, did_you_mean, one_of
from .loader import describe_value
from .models import Scenario
from .overlay_paths import Path_, PathSyntaxError, Step, parse_path, path_text
from .yaml_source import (
    Dumper,
    Mark,
    SourceMap,
    dump_text,
    load_text,
    parse,
    read_text,
)

__all__ = [
    "NAME_PATTERN",
    "OPERATIONS",
    "OVERLAY_KEYS",
    "MergedSource",
    "Operation",
    "Overlay",
    "OverlayError",
    "PathSyntaxError",
    "Step",
    "apply_overlays",
    "command_line_overlay",
    "dump_scenario",
    "load_overlay",
    "parse_overlay",
    "parse_path",
    "path_text",
    "validate_data",
]

OVERLAY_KEYS = ("name", "description", "scenario", "set", "scale", "shift", "add", "remove")
OPERATIONS = ("set", "scale", "shift", "add", "remove")
_DURATION = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(d|h|min|m)\s*$")
_DURATION_UNITS = {"d": 1440.0, "h": 60.0, "min": 1.0, "m": 1.0}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FROZEN_PATHS = (("map", "terrain"), ("map", "elevation"))  # text grids: copy the scenario instead


class OverlayError(ScenarioError):
    """An overlay could not be applied; `problems` are located in the overlay (or on --set)."""


# ---------------------------------------------------------------------------------- overlays


@dataclass(frozen=True)
class Operation:
    op: str
    path: str
    steps: tuple[Step, ...]
    value: Any
    origin: Path_ | None  # where the value stands in the overlay's data (None: the command line)
    where: Problem  # the location (message empty) to report this operation's problems at


@dataclass(frozen=True)
class Overlay:
    """A parsed overlay: what to change, and where each change was written."""

    name: str
    description: str
    file: str  # as given ("" for changes from the command line)
    text_hash: str
    scenario_id: str | None
    operations: tuple[Operation, ...]
    source: SourceMap | None = field(default=None, compare=False, repr=False)


def _at(where: Problem, message: str, offset: int = 0) -> Problem:
    column = where.column + offset if where.line > 0 else where.column
    return Problem(where.file, where.line, column, message)


def load_overlay(path: str | Path) -> Overlay:
    """Read and check an overlay file (its paths are checked against a scenario in `apply`)."""
    display = str(path)
    text = read_text(Path(path), display)
    return parse_overlay(text, display)


def parse_overlay(text: str, display: str = "<overlay>") -> Overlay:
    data, source = parse(text, display)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise OverlayError([source.problem((), "expected a mapping with name, description, set…")])
    for key in data:
        if key not in OVERLAY_KEYS:
            hint = (
                did_you_mean(str(key), OVERLAY_KEYS) or f"; expected one of {one_of(OVERLAY_KEYS)}"
            )
            problems.append(
                source.problem((key,), f"unknown key '{key}' in the overlay{hint}", key=True)
            )
    name = data.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        where = ("name",) if "name" in data else ()
        problems.append(
            source.problem(
                where,
                "missing required key 'name' (a lower-case id such as no_minefield)"
                if name is None
                else "name: expected a lower-case id (letters, digits and _, starting with a"
                f" letter), got {name!r}",
            )
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append(source.problem(("description",), "description: expected text"))
        description = ""
    scenario_id = data.get("scenario")
    if scenario_id is not None and not isinstance(scenario_id, str):
        problems.append(source.problem(("scenario",), "scenario: expected a scenario id"))
    operations: list[Operation] = []
    for op in OPERATIONS:
        if op not in data:
            continue
        body = data[op]
        if op == "remove":
            if isinstance(body, str):
                body = [body]
                data[op] = body
            if not isinstance(body, list):
                problems.append(source.problem((op,), "remove: expected a list of paths"))
                continue
            for index, item in enumerate(body):
                mark = source.locate((op, index))
                where = Problem(display, mark.line, mark.column + _quote_shift(source, mark), "")
                if not isinstance(item, str):
                    problems.append(_at(where, "remove: expected a path like obstacles[kind=wire]"))
                    continue
                operations.append(_operation(op, item, None, (op, index), where, problems))
            continue
        if not isinstance(body, dict):
            problems.append(source.problem((op,), f"{op}: expected a mapping of path: value"))
            continue
        for key, value in body.items():
            mark = source.locate((op, key), key=True)
            where = Problem(display, mark.line, mark.column + _quote_shift(source, mark), "")
            if op == "scale" and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                problems.append(source.problem((op, key), f"scale {key}: expected a finite number"))
                continue
            if op == "shift" and _too_long(value):
                problems.append(
                    source.problem(
                        (op, key),
                        f"shift {key}: {value} is longer than the calendar (at most"
                        f" {_LONGEST_DAYS:,} days)",
                    )
                )
                continue
            if op == "shift" and _shift_amount(value) is None:
                problems.append(
                    source.problem(
                        (op, key),
                        f"shift {key}: expected a number, or a duration like 12h, 90min or 1d"
                        f" for a date and time, got {value!r}",
                    )
                )
                continue
            operations.append(_operation(op, str(key), value, (op, key), where, problems))
    if not operations and not problems:
        problems.append(
            source.problem((), "the overlay changes nothing: give set, scale, add or remove")
        )
    if problems:
        raise OverlayError(problems)
    return Overlay(
        name=str(name),
        description=" ".join(str(description).split()),
        file=display,
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        scenario_id=scenario_id,
        operations=tuple(operations),
        source=source,
    )


def _quote_shift(source: SourceMap, mark: Mark) -> int:
    """A quoted key starts one column before its text."""
    if 0 < mark.line <= len(source.lines):
        line = source.lines[mark.line - 1]
        if mark.column - 1 < len(line) and line[mark.column - 1] in "'\"":
            return 1
    return 0


_LONGEST_DAYS = 3_652_059  # from 0001-01-01 to 9999-12-31: no longer shift lands in the calendar


def _duration_minutes(value: Any) -> float | None:
    if isinstance(value, str) and (match := _DURATION.match(value)):
        return float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    return None


def _too_long(value: Any) -> bool:
    """A duration longer than the whole calendar (Python's timedelta would overflow on some)."""
    minutes = _duration_minutes(value)
    return minutes is not None and abs(minutes) > _LONGEST_DAYS * 1440.0


def _shift_amount(value: Any) -> float | timedelta | None:
    """A shift's amount: a finite number for numbers, a duration (12h, 90min, 1d) for
    date-times."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    minutes = _duration_minutes(value)
    if minutes is not None and not _too_long(value):
        return timedelta(minutes=minutes)
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d", value.strip()):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _operation(
    op: str, text: str, value: Any, origin: Path_ | None, where: Problem, problems: list[Problem]
) -> Operation:
    try:
        steps = parse_path(text)
    except PathSyntaxError as error:
        problems.append(_at(where, f"{op} {text}: {error}", error.offset))
        steps = ()
    return Operation(op, text, steps, value, origin, where)


def command_line_overlay(assignments: Sequence[str]) -> Overlay | None:
    """`--set PATH=VALUE` arguments that change the scenario's data (not `rules.X`), as an
    overlay; the value is read as YAML (numbers, true/false, dates, [lists])."""
    operations: list[Operation] = []
    problems: list[Problem] = []
    for text in assignments:
        # `[kind=wire]` holds an '=': split at the first '=' outside brackets
        depth, cut = 0, -1
        for index, char in enumerate(text):
            depth += char == "["
            depth -= char == "]"
            if char == "=" and depth == 0:
                cut = index
                break
        where = Problem(f"--set {text}", 0, 0, "")
        if cut < 0:
            problems.append(_at(where, "expected PATH=VALUE"))
            continue
        path, raw = text[:cut].strip(), text[cut + 1 :]
        try:
            value = load_text(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        operations.append(_operation("set", path, value, None, where, problems))
    if problems:
        raise OverlayError(problems)
    if not operations:
        return None
    digest = hashlib.sha256("\n".join(assignments).encode("utf-8")).hexdigest()[:16]
    return Overlay(
        "command_line", "--set " + " ".join(assignments), "", digest, None, tuple(operations)
    )


# ------------------------------------------------------------------------- the merged source


class MergedSource(SourceMap):
    """Where each value of a scenario with overlays applied was written: the scenario file for
    what it says, the overlay file for what an overlay put there. Problems found when the merged
    data is checked point at whichever wrote the value."""

    def __init__(self, base: SourceMap):
        super().__init__(
            base.file,
            list(base.lines),
            dict(base.key_marks),
            dict(base.value_marks),
            set(base.block_scalars),
        )
        self.key_where: dict[Path_, Problem] = {}  # overlay-written keys: file and mark
        self.value_where: dict[Path_, Problem] = {}

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        path = tuple(path)
        while True:
            tables: list[tuple[dict, dict]] = []
            if key:
                tables.append((self.key_where, self.key_marks))
            tables += [(self.value_where, self.value_marks), (self.key_where, self.key_marks)]
            for overlaid, marks in tables:
                if path in overlaid:
                    return _at(overlaid[path], message)
                if path in marks:
                    mark = marks[path]
                    return Problem(self.file, mark.line, mark.column, message)
            if not path:
                return Problem(self.file, 1, 1, message)
            path = path[:-1]

    def _drop(self, path: Path_) -> None:
        n = len(path)
        for table in (self.key_marks, self.value_marks, self.key_where, self.value_where):
            for p in [p for p in table if p[:n] == path]:
                del table[p]

    def written_by(self, path: Path_, where: Problem, overlay: SourceMap | None, origin) -> None:
        """`path` now holds a value written in an overlay at `origin` (or on the command line)."""
        self._drop(path)
        self.key_where[path] = where
        self.value_where[path] = where
        if overlay is None or origin is None:
            return
        n = len(origin)
        for marks, table in (
            (overlay.value_marks, self.value_where),
            (overlay.key_marks, self.key_where),
        ):
            for p, mark in marks.items():
                if p[:n] == origin and len(p) > n:
                    table[path + p[n:]] = Problem(overlay.file, mark.line, mark.column, "")

    def removed_item(self, list_path: Path_, index: int) -> None:
        n = len(list_path)
        self._drop((*list_path, index))
        for table in (self.key_marks, self.value_marks, self.key_where, self.value_where):
            moved = {}
            for p in list(table):
                if p[:n] == list_path and len(p) > n and isinstance(p[n], int) and p[n] > index:
                    moved[(*list_path, p[n] - 1, *p[n + 1 :])] = table.pop(p)
            table.update(moved)


# ------------------------------------------------------------------------------ applying


_MISSING = object()


def _annotation_at(path: Path_, data: Any) -> Any:
    """The type the scenario format expects at `path` (a model class, list[...], dict[...], ...)."""
    return loader.annotation_at(path, data)


def _fields_at(path: Path_, data: Any) -> list[str] | None:
    """The keys the format allows in the mapping at `path`, or None when any key goes (a
    dictionary such as `weapons` or `rules`)."""
    annotation = _annotation_at(path, data)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return None


def _get(data: Any, path: Path_) -> Any:
    node = data
    for part in path:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            return _MISSING
        node = node[part]
    return node


def _describe(steps: Sequence[Step], upto: int, text: str) -> str:
    end = steps[upto].offset if upto < len(steps) else len(text)
    return text[:end].rstrip(".") or "the scenario"


class _Resolver:
    def __init__(self, data: Any, op: Operation):
        self.data, self.op = data, op

    def fail(self, message: str, step: Step) -> Problem:
        return _at(self.op.where, f"{self.op.op} {self.op.path}: {message}", step.offset)

    def resolve(self) -> list[Path_]:
        """Concrete paths the operation applies to; raise OverlayError if none."""
        op = self.op
        paths: list[Path_] = [()]
        for n, step in enumerate(op.steps):
            last = n == len(op.steps) - 1
            survivors: list[Path_] = []
            failures: list[Problem] = []
            for path in paths:
                node = _get(self.data, path)
                try:
                    survivors.extend(self._step(path, node, step, n, last))
                except _StepFailed as failure:
                    failures.append(failure.problem)
            if not survivors:
                raise OverlayError(failures[:1])
            if len(paths) > 1 and op.op == "set" and failures:
                raise OverlayError(failures[:1])  # `set` must reach every matched item
            paths = survivors
        for path in paths:
            for frozen in _FROZEN_PATHS:
                if path[: len(frozen)] == frozen:
                    raise OverlayError(
                        [
                            _at(
                                op.where,
                                f"{op.op} {op.path}: an overlay cannot change the map's text"
                                " grids; copy the scenario to draw another map",
                            )
                        ]
                    )
        return paths

    def _step(self, path: Path_, node: Any, step: Step, n: int, last: bool) -> list[Path_]:
        op, text = self.op, self.op.path
        where = _describe(self.op.steps, n, text)
        if node is _MISSING:  # a mapping `set` will create
            if step.kind != "key":
                return self._cannot(step, where)
            allowed = _fields_at(path, self.data)
            if allowed is not None and step.key not in allowed:
                raise _StepFailed(
                    self.fail(
                        f"no key '{step.key}' in {where}"
                        + (
                            did_you_mean(step.key, allowed)
                            or f"; expected one of {one_of(allowed)}"
                        ),
                        step,
                    )
                )
            return [(*path, step.key)]
        if step.kind == "key":
            if isinstance(node, dict):
                if step.key in node:
                    return [(*path, step.key)]
                allowed = _fields_at(path, self.data)
                creating = op.op in ("set", "add") and (allowed is None or step.key in allowed)
                if creating and (last or op.op == "set"):
                    return [(*path, step.key)]
                choices = set(node) | set(allowed or [])
                raise _StepFailed(
                    self.fail(
                        f"no key '{step.key}' in {where}"
                        + (did_you_mean(step.key, choices) or f"; it has {one_of(node)}"),
                        step,
                    )
                )
            if isinstance(node, list):
                raise _StepFailed(
                    self.fail(
                        f"{where} is a list; pick items with [index], [id], [field=value] or [*]"
                        f" before .{step.key}",
                        step,
                    )
                )
            raise _StepFailed(
                self.fail(f"{where} is a single value, it has no key '{step.key}'", step)
            )
        if not isinstance(node, list):
            return self._cannot(step, where)
        if step.kind == "all":
            if not node and op.op != "add":
                raise _StepFailed(self.fail(f"{where} is empty", step))
            return [(*path, i) for i in range(len(node))]
        if step.kind == "index":
            index = step.value + len(node) if step.value < 0 else step.value
            if not 0 <= index < len(node):
                raise _StepFailed(
                    self.fail(f"{where} has {len(node)} items (0 to {len(node) - 1})", step)
                )
            return [(*path, index)]
        # [field=value]
        key, wanted = step.key, str(step.value)
        have_key = [item for item in node if isinstance(item, dict) and key in item]
        if not have_key:
            keys = {k for item in node if isinstance(item, dict) for k in item}
            raise _StepFailed(
                self.fail(
                    f"no item of {where} has a '{key}'" + (did_you_mean(key, keys) or ""), step
                )
            )
        found = [
            (*path, i)
            for i, item in enumerate(node)
            if isinstance(item, dict) and key in item and _same(item[key], wanted)
        ]
        if not found:
            values = sorted({str(item[key]) for item in have_key})
            raise _StepFailed(
                self.fail(
                    f"no item of {where} has {key} '{wanted}'"
                    + (did_you_mean(wanted, values) or f"; {key} is one of {one_of(values)}"),
                    step,
                )
            )
        return found

    def _cannot(self, step: Step, where: str) -> list[Path_]:
        raise _StepFailed(self.fail(f"{where} is not a list, so [..] cannot select in it", step))


class _StepFailed(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _same(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return str(value) == wanted


def _assign(data: Any, path: Path_, value: Any) -> None:
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


def apply_overlays(
    data: dict[str, Any], source: SourceMap, overlays: Iterable[Overlay]
) -> tuple[dict[str, Any], MergedSource]:
    """The scenario's plain data with the overlays applied (the input is not changed), and where
    each value was written. Raises OverlayError for paths that do not fit the scenario."""
    data = copy.deepcopy(data)
    merged = MergedSource(source)
    problems: list[Problem] = []
    for overlay in overlays:
        if overlay.scenario_id is not None and overlay.scenario_id != data.get("id"):
            mark = overlay.source.locate(("scenario",)) if overlay.source else Mark(0, 0)
            problems.append(
                Problem(
                    overlay.file,
                    mark.line,
                    mark.column,
                    f"this overlay is written for scenario '{overlay.scenario_id}', not"
                    f" '{data.get('id')}'",
                )
            )
            continue
        order = {op: i for i, op in enumerate(OPERATIONS)}
        removals: list[tuple[Path_, Operation]] = []
        for op in sorted(overlay.operations, key=lambda o: order[o.op]):
            try:
                paths = _Resolver(data, op).resolve()
            except OverlayError as error:
                problems.extend(error.problems)
                continue
            if op.op == "remove":
                removals.extend((p, op) for p in paths)
                continue
            for path in paths:
                problem = _apply_one(data, merged, overlay, op, path)
                if problem is not None:
                    problems.append(problem)
                    break
        # remove last, deepest and highest indexes first, so earlier indexes stay valid
        # an item named by two removals (the same line twice, or `[*]` and `[id=x]`) goes once
        unique = dict.fromkeys(path for path, _op in removals)
        for path in sorted(unique, key=_removal_order, reverse=True):
            parent = _get(data, path[:-1])
            if isinstance(parent, list):
                del parent[path[-1]]
                merged.removed_item(path[:-1], path[-1])
            elif isinstance(parent, dict) and path[-1] in parent:
                del parent[path[-1]]
                merged._drop(path)
    if problems:
        raise OverlayError(problems)
    return data, merged


def _removal_order(path: Path_) -> tuple:
    return tuple((1, p) if isinstance(p, int) else (0, str(p)) for p in path)


def _apply_one(data, merged: MergedSource, overlay: Overlay, op: Operation, path: Path_):
    current = _get(data, path)
    if op.op == "set":
        for cut in range(1, len(path)):  # mappings `set` creates on the way are its own too
            if _get(data, path[:cut]) is _MISSING:
                merged.key_where[path[:cut]] = op.where
                merged.value_where[path[:cut]] = op.where
        _assign(data, path, copy.deepcopy(op.value))
        merged.written_by(path, op.where, overlay.source, op.origin)
        return None
    if op.op == "scale":
        if current is _MISSING:
            return None
        if isinstance(current, bool) or not isinstance(current, int | float):
            return _at(
                op.where,
                f"scale {op.path}: {path_text(path)} is {describe_value(current)}, not a number",
            )
        scaled = current * op.value
        if not math.isfinite(scaled):
            return _at(
                op.where, f"scale {op.path}: {path_text(path)} times {op.value} is too large"
            )
        _assign(data, path, round(scaled) if isinstance(current, int) else float(scaled))
        merged.key_where[path] = op.where
        merged.value_where[path] = op.where
        return None
    if op.op == "shift":
        if current is _MISSING:
            return None
        amount = _shift_amount(op.value)
        moment = _as_datetime(current)
        if moment is not None and isinstance(amount, timedelta):
            try:
                shifted = moment + amount
            except OverflowError:
                return _at(
                    op.where,
                    f"shift {op.path}: {path_text(path)} would move out of the calendar"
                    f" (years 1 to 9999)",
                )
            if isinstance(current, str):  # keep the file's way of writing it
                spec = "%Y-%m-%dT%H:%M" if len(current.strip()) <= 16 else "%Y-%m-%dT%H:%M:%S"
                _assign(data, path, shifted.strftime(spec))
            else:
                _assign(data, path, shifted)
        elif moment is not None:
            return _at(op.where, f"shift {op.path}: a date and time shifts by a duration like 12h")
        elif isinstance(current, int | float) and not isinstance(current, bool):
            if isinstance(amount, timedelta):
                return _at(op.where, f"shift {op.path}: {path_text(path)} is a number, not a time")
            _assign(data, path, current + amount)
        else:
            return _at(op.where, f"shift {op.path}: {path_text(path)} is {describe_value(current)}")
        merged.key_where[path] = op.where
        merged.value_where[path] = op.where
        return None
    # add
    value = copy.deepcopy(op.value)
    if current is _MISSING:
        current = [] if isinstance(value, list) else {}
        _assign(data, path, current)
        merged.written_by(path, op.where, None, None)
    if isinstance(current, list):
        if not isinstance(value, list):
            return _at(
                op.where, f"add {op.path}: {path_text(path)} is a list; give a list of items"
            )
        start = len(current)
        current.extend(value)
        for j in range(len(value)):
            origin = (*op.origin, j) if op.origin is not None else None
            merged.written_by((*path, start + j), op.where, overlay.source, origin)
        return None
    if isinstance(current, dict):
        if not isinstance(value, dict):
            return _at(op.where, f"add {op.path}: {path_text(path)} is a mapping; give key: value")
        for key, item in value.items():
            if key in current:
                return _at(
                    op.where,
                    f"add {op.path}: {path_text(path)} already has '{key}'; use set to replace it",
                )
            current[key] = item
            origin = (*op.origin, key) if op.origin is not None else None
            merged.written_by((*path, key), op.where, overlay.source, origin)
        return None
    return _at(
        op.where, f"add {op.path}: {path_text(path)} is {describe_value(current)}; add needs a list"
    )


def validate_data(
    data: dict[str, Any], source: SourceMap, coefficient_names: Iterable[str] | None
) -> Scenario:
    """Check plain scenario data as the loader checks a file; problems located through `source`."""
    try:
        return loader.validate_data(data, source, coefficient_names)
    except ScenarioError as error:
        raise OverlayError(error.problems) from None


# --------------------------------------------------------------------------- writing it out


class _Dumper(Dumper):
    """The scenario dumper (text that would read as a number is quoted), multi-line text as
    blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def dump_scenario(data: dict[str, Any], header: Sequence[str] = ()) -> str:
    """Scenario data as YAML that loads back to the same Scenario."""
    body = dump_text(data, dumper=_Dumper, width=100, default_flow_style=None)
    lines = [f"# {line}" if line else "#" for line in header]
    return "\n".join(lines) + ("\n" if lines else "") + body
