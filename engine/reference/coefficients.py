"""Rule coefficients changed on the bench: `wargame reference --set NAME=VALUE` and
`--coefficients FILE`, so that a rule change can be fitted and judged against the reference
before anyone edits engine/rules/coefficients.yaml.

The overrides apply to every game the bench plays (the CDB90 battles and the checks' battles),
exactly as a scenario's `rules:` block or `wargame batch --set rules.NAME=VALUE` would: through
`Game(overrides=...)`. Every name and value is checked here, before a game is played: an unknown
name gets "did you mean", a value outside the coefficient's bounds (coefficients.yaml's
`above_zero`, `max`, `whole`) its allowed range, and a problem in a file its line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..overrides import parse_override
from ..rules.coefficients import coefficient_names, coefficient_problem, defaults
from ..scenario.errors import Problem, ScenarioError, did_you_mean
from ..scenario.yaml_source import parse, read_text


class OverrideError(ValueError):
    """A --set or --coefficients problem, with the message to print (located for a file)."""


def load_file(path: Path) -> dict[str, float]:
    """A YAML mapping `name: value` from `path`, every entry checked; OverrideError naming each
    problem as `file:line:col: message` otherwise (all of them at once, like the loader)."""
    display = str(path)
    try:
        data, source = parse(read_text(path, display), display)
    except ScenarioError as error:
        raise OverrideError(str(error)) from None
    if not isinstance(data, dict):
        problem = source.problem((), "expected a mapping of rule coefficient names to numbers")
        raise OverrideError(str(problem))
    names = coefficient_names()
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for name, value in data.items():
        if str(name) not in names:
            hint = did_you_mean(str(name), names)
            problems.append(
                source.problem(
                    (name,),
                    f"unknown rule coefficient '{name}'{hint or ' (see docs/rules.md)'}",
                    key=True,
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(source.problem((name,), f"{name}: expected a number, got {value!r}"))
            continue
        problem = coefficient_problem(str(name), float(value))
        if problem:
            problems.append(source.problem((name,), f"{name}: {problem}"))
            continue
        values[str(name)] = float(value)
    if problems:
        raise OverrideError("\n".join(str(p) for p in sorted(problems)))
    return values


def parse_sets(pairs: Iterable[str]) -> dict[str, float]:
    """`--set NAME=VALUE` arguments (also `rules.NAME=VALUE`, as `wargame batch` takes them) as
    a mapping; OverrideError with the message of the first bad one."""
    values: dict[str, float] = {}
    for pair in pairs:
        try:
            name, value = parse_override(pair)
        except ValueError as error:
            raise OverrideError(str(error)) from None
        values[name] = value
    return values


def gather(file: Path | None, pairs: Sequence[str]) -> dict[str, float]:
    """The overrides of a run: the file's, then each --set over them (the command line wins)."""
    values = load_file(file) if file else {}
    values.update(parse_sets(pairs))
    return values


def describe(overrides: Mapping[str, float]) -> str:
    """`name=value (default d), ...` in name order, for the report's header; '' for none."""
    info = defaults()
    return ", ".join(
        f"{name}={overrides[name]:g} (default {info[name].value:g})" for name in sorted(overrides)
    )
