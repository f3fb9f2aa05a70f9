"""What several subcommands share: loading a scenario to play with its problems printed, and the
--set overrides of a rule coefficient."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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


def variant_scenario(name: str, variants: Sequence[str]) -> LoadedScenario:
    """The scenario with each overlay file applied (as `wargame batch` applies them). Raises
    ScenarioError with every problem located in the file that holds it: the scenario, or the
    overlay that wrote the value (never the merged text, which is in no file). A variant's
    scenario has no file of its own: its text (the merged data, written out) goes in the game's
    log, so that the game replays without the overlay."""
    from ..rules.coefficients import coefficient_names
    from ..scenario import load_scenario_text
    from ..scenario.overlay import apply_overlays, dump_scenario, load_overlay, validate_data
    from ..scenario.yaml_source import parse, read_text

    names = coefficient_names()
    load_scenario(name, coefficient_names=names)  # the scenario's own problems, at its lines
    overlays = [load_overlay(variant) for variant in variants]
    data, source = parse(read_text(Path(name), name), name)
    merged, merged_source = apply_overlays(data, source, overlays)
    # checked where each value was written (the overlay's line for what it changed)
    validate_data(merged, merged_source, names)
    header = [f"{name} with the variant {', '.join(o.name for o in overlays)}"]
    text = dump_scenario(merged, header)
    return load_scenario_text(text, f"{name} + {' + '.join(variants)}", coefficient_names=names)


def load_with_variants(name: str, variants: list[str] | None) -> LoadedScenario | None:
    """`variant_scenario` for a command: the scenario as written when there are no overlays;
    None after printing every located problem."""
    if not variants:
        return load(name)
    try:
        return variant_scenario(name, variants)
    except ScenarioError as error:  # an overlay that does not parse or fit (OverlayError too)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def add_variant_option(parser: argparse.ArgumentParser) -> None:
    """`--variant FILE`, a what-if overlay (as in `wargame batch`), on every command that plays."""
    parser.add_argument(
        "--variant",
        action="append",
        metavar="FILE",
        help="apply a what-if overlay to the scenario (repeatable; as in wargame batch)",
    )


def parse_overrides(pairs: list[str]) -> dict[str, float]:
    """`--set rules.NAME=VALUE` pairs as a mapping; ValueError names a bad one."""
    from ..overrides import parse_override

    return dict(parse_override(pair) for pair in pairs)


def scenario_and_overrides(
    args: argparse.Namespace,
) -> tuple[LoadedScenario, dict[str, float]] | int:
    """The scenario (with any --variant applied) and the --set overrides of a command that plays
    it, or the exit code."""
    loaded = load_with_variants(args.scenario, getattr(args, "variant", None))
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


def add_posterior_option(parser: argparse.ArgumentParser) -> None:
    """`--posterior FILE`: each battle's coefficients drawn from a fit's posterior (docs/fit.md)."""
    parser.add_argument(
        "--posterior",
        metavar="DIR/posterior.json",
        help="draw each battle's rule coefficients from this fit's posterior (seeded by the"
        " battle's seed: replayable)",
    )


def read_posterior_option(args: argparse.Namespace):
    """The --posterior file read and checked (None when not given), or the exit code after
    printing its located problems. Needs no fit extra."""
    path = getattr(args, "posterior", None)
    if not path:
        return None
    from ..fit.posterior import read_posterior
    from ..fit.priors import FitInputError

    try:
        return read_posterior(path)
    except FitInputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return ExitCode.BAD_INPUT
