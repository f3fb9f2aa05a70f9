"""`wargame run`, `wargame calibrate` and `wargame replay`: playing battles headless, one with
its story, many for the spread of history's metrics, or a logged one again to check it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import resources
from ..arguments import count, seed
from ..exit_codes import ExitCode
from .common import (
    add_posterior_option,
    add_set_option,
    add_variant_option,
    load,
    read_posterior_option,
    scenario_and_overrides,
)

COMMANDS = ("run", "calibrate", "replay")  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="play one whole battle headless, the computer commanding both sides",
        description="Play one battle headless and compare it with history.",
    )
    run.add_argument("scenario", metavar="SCENARIO.yaml")
    run.add_argument("--seed", type=seed, default=1, help="random seed (default 1)")
    run.add_argument("--events", type=Path, metavar="GAME.jsonl", help="write the event log here")
    run.add_argument(
        "--explain",
        action="store_true",
        help="show the numbers behind every fire, bombardment and assault",
    )
    add_set_option(run)
    add_variant_option(run)
    add_posterior_option(run)
    run.add_argument(
        "--ai",
        action="append",
        metavar="[SIDE=]MODE",
        help="computer player mode, plan or adaptive, for one side (SIDE=MODE, repeatable) or"
        " for both (MODE); default: each plan's own",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the final table")
    run.add_argument(
        "--ids",
        action="store_true",
        help="tell the turns by unit, side and hex ids (for scripts) rather than by their names",
    )
    run.set_defaults(handler=run_run)

    calibrate = commands.add_parser(
        "calibrate",
        help="play many seeded battles and show where history falls in their spread",
        description="Print the calibration table (Markdown) of a scenario's history metrics.",
    )
    calibrate.add_argument("scenario", metavar="SCENARIO.yaml")
    calibrate.add_argument("--games", type=count, default=1000, help="battles (default 1000)")
    calibrate.add_argument("--seed", type=seed, default=0, help="first seed (default 0)")
    add_set_option(calibrate)
    add_variant_option(calibrate)
    add_posterior_option(calibrate)
    calibrate.set_defaults(handler=run_calibrate)

    replay = commands.add_parser(
        "replay",
        help="replay a game log and check it reproduces the same final state",
    )
    replay.add_argument("log", metavar="GAME.jsonl")
    replay.add_argument("--scenario", help="the scenario file (default: the one in the log)")
    replay.set_defaults(handler=run_replay)


def run_run(args: argparse.Namespace) -> int:
    from ..game_report import print_game

    prepared = scenario_and_overrides(args)
    if isinstance(prepared, int):
        return prepared
    loaded, overrides = prepared
    posterior = read_posterior_option(args)
    if isinstance(posterior, int):
        return posterior
    if posterior is not None:
        drawn = posterior.draw(args.seed)
        overrides = {**overrides, **drawn}
        print(
            f"coefficients drawn from {args.posterior} for seed {args.seed}: "
            + " ".join(f"--set rules.{name}={value!r}" for name, value in drawn.items()),
            file=sys.stderr,
        )
    from ..sim import aimodes

    try:
        chosen = aimodes.parse_ai(args.ai or [], aimodes.side_ids(loaded.scenario))
    except aimodes.AiModeError as error:
        print(error, file=sys.stderr)
        return ExitCode.USAGE
    modes = tuple((side, mode) for side, mode in chosen.items())
    return print_game(
        loaded,
        args.seed,
        overrides=overrides,
        explain=args.explain,
        events_path=args.events,
        quiet=args.quiet,
        ai_modes=aimodes.by_index(modes, loaded.scenario) or None,
        ids=args.ids,
    )


def run_replay(args: argparse.Namespace) -> int:
    from ..headless import read_log, replay, scenario_hash

    try:
        log = read_log(Path(args.log))
    except OSError as error:
        print(f"{args.log}: cannot read the game log: {error.strerror or error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    except ValueError as error:  # read_log's message names the file (and line)
        print(f"{error}; not a game log that can be replayed", file=sys.stderr)
        return ExitCode.BAD_INPUT
    header = log[0]
    if not args.scenario and isinstance(header.get("scenario_text"), str):
        # a game of a variant, or of a scenario given as text: the log carries its scenario
        from ..rules.coefficients import coefficient_names
        from ..scenario import ScenarioError, load_scenario_text

        try:
            loaded = load_scenario_text(
                header["scenario_text"],
                f"{args.log} (its scenario)",
                coefficient_names=coefficient_names(),
            )
        except ScenarioError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            return ExitCode.BAD_INPUT
        text = header["scenario_text"]
        scenario_path = f"{args.log}'s scenario"
    else:
        scenario_path = args.scenario or header.get("scenario")
        if not isinstance(scenario_path, str) or not scenario_path.strip():
            print(
                f"{args.log}:1: the header names no scenario file; give it with --scenario",
                file=sys.stderr,
            )
            return ExitCode.BAD_INPUT
        if not args.scenario:
            # a path relative to where the game was run: look beside the log, in ./scenarios, then
            # among the shipped scenarios
            scenario_path = str(resources.locate_scenario(scenario_path, Path(args.log).parent))
        if not args.scenario and not Path(scenario_path).exists():
            print(
                f"{args.log}:1: the header's scenario {scenario_path}: no such file (looked"
                " beside the log, in ./scenarios and among the shipped scenarios); give it with"
                " --scenario",
                file=sys.stderr,
            )
            return ExitCode.BAD_INPUT
        found = load(scenario_path)
        if found is None:
            return ExitCode.BAD_INPUT
        loaded = found
        text = Path(scenario_path).read_text(encoding="utf-8")
    if scenario_hash(text) != header.get("scenario_hash"):
        print(
            f"{args.log}: warning: {scenario_path} has changed since the game was played",
            file=sys.stderr,
        )
    try:
        result = replay(loaded.scenario, log)
    except ValueError as error:
        print(f"{args.log}: cannot replay the log: {error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if result.matches:
        print(f"replayed {result.turns} turns: final state {result.found_hash} matches")
        return ExitCode.OK
    if result.first_difference:
        print(f"{args.log}: the replay differs at {result.first_difference}", file=sys.stderr)
    if result.found_hash != result.expected_hash:
        print(
            f"{args.log}: replayed {result.turns} turns: final state {result.found_hash} differs"
            f" from the log's {result.expected_hash}",
            file=sys.stderr,
        )
    else:
        print(
            f"{args.log}: replayed {result.turns} turns: final state matches, but the events"
            " differ",
            file=sys.stderr,
        )
    return ExitCode.BAD_INPUT


def run_calibrate(args: argparse.Namespace) -> int:
    from ..calibration import markdown, spreads

    prepared = scenario_and_overrides(args)
    if isinstance(prepared, int):
        return prepared
    loaded, overrides = prepared
    posterior = read_posterior_option(args)
    if isinstance(posterior, int):
        return posterior
    rows, winners = spreads(
        loaded.scenario,
        args.games,
        first_seed=args.seed,
        overrides=overrides,
        draw=posterior.draw if posterior is not None else None,
    )
    if posterior is not None:
        print(
            f"Coefficients of each game drawn from {args.posterior}"
            f" ({len(posterior.weights)} particles of {', '.join(posterior.coefficients)}),"
            " seeded by the game's seed.\n"
        )
    print(markdown(loaded.scenario, args.games, rows, winners), end="")
    return ExitCode.OK
