"""What several subcommands share: loading a scenario to play with its problems printed, and the
--set overrides of a rule coefficient."""

from __future__ import annotations

import argparse
import sys

from ..exit_codes import ExitCode
from ..scenario import LoadedScenario, ScenarioError, load_scenario


def load(name: str) -> LoadedScenario | None:
    """A scenario for a command that plays it, with the rules' coefficient names checked; None
    (after printing every located problem) when it does not load."""
    from ..rules.coefficients import coefficient_names

    try:
        return load_scenario(name, coefficient_names=coefficient_names())
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def parse_overrides(pairs: list[str]) -> dict[str, float]:
    """`--set rules.NAME=VALUE` pairs as a mapping; ValueError names a bad one."""
    from ..rules.coefficients import parse_override

    return dict(parse_override(pair) for pair in pairs)


def scenario_and_overrides(
    args: argparse.Namespace,
) -> tuple[LoadedScenario, dict[str, float]] | int:
    """The scenario and the --set overrides of a command that plays it, or the exit code."""
    loaded = load(args.scenario)
    if loaded is None:
        return ExitCode.BAD_INPUT
    try:
        return loaded, parse_overrides(args.set or [])
    except ValueError as error:
        print(error, file=sys.stderr)
        return ExitCode.USAGE


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """`--set rules.NAME=VALUE`, the same on every command that plays a battle."""
    parser.add_argument(
        "--set",
        action="append",
        metavar="rules.NAME=VALUE",
        help="override a rule coefficient (repeatable)",
    )
