"""Rule coefficients as people type them on the command line (`--set rules.NAME=VALUE`,
`--sweep NAME=...`): parsed, with the messages to print for a bad one ("did you mean"). Kept out
of `engine/rules`, which imports only `core` and `hexgrid` and prints nothing for people."""

from __future__ import annotations

from .rules.coefficients import coefficient_names, coefficient_problem
from .scenario.errors import did_you_mean


def check_name(name: str, where: str) -> None:
    """ValueError `where: unknown rule coefficient 'name'` (with "did you mean") for a name the
    rules do not have: the command line's --set and --sweep say it alike."""
    names = coefficient_names()
    if name not in names:
        raise ValueError(f"{where}: unknown rule coefficient '{name}'{did_you_mean(name, names)}")


def parse_override(pair: str, option: str = "--set") -> tuple[str, float]:
    """`[rules.]NAME=VALUE` from the command line as (name, value); ValueError with the message
    to print (the option and its text, what was expected, "did you mean") otherwise."""
    name, _, text = pair.partition("=")
    name = name.strip().removeprefix("rules.")
    check_name(name, f"{option} {pair}")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{option} {pair}: expected a number after '='") from None
    problem = coefficient_problem(name, value)
    if problem:
        raise ValueError(f"{option} {pair}: {name} {problem}")
    return name, value
