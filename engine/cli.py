"""The `wargame` command: one entry point over the engine's faces.

Every subcommand turns expected failures (bad files, bad arguments) into a one-line message and an
exit code, never a traceback: exit 0 success, 1 a problem with the user's input, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .arguments import count, seed
from .atomic import write_atomic
from .scenario import LoadedScenario, ScenarioError, json_schema_text, load_scenario
from .scenario.summary import summarize

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    status = EXIT_OK
    from .rules.coefficients import coefficient_names

    for name in args.files:
        try:
            loaded: LoadedScenario = load_scenario(name, coefficient_names=coefficient_names())
        except ScenarioError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            count = len(error.problems)
            print(f"{name}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        if not args.quiet:
            print(summarize(loaded.scenario, name))
    return status


def _schema(args: argparse.Namespace) -> int:
    text = json_schema_text()
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as error:
            print(f"{args.output}: cannot write: {error.strerror or error}", file=sys.stderr)
            return EXIT_INPUT
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _load(name: str) -> LoadedScenario | None:
    """A scenario for a command that plays it, with the rules' coefficient names checked."""
    from .rules.coefficients import coefficient_names

    try:
        return load_scenario(name, coefficient_names=coefficient_names())
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def _parse_overrides(pairs: list[str]) -> dict[str, float]:
    from .rules.coefficients import parse_override

    return dict(parse_override(pair) for pair in pairs)


def _scenario_and_overrides(
    args: argparse.Namespace,
) -> tuple[LoadedScenario, dict[str, float]] | int:
    """The scenario and the --set overrides of a command that plays it, or the exit code."""
    loaded = _load(args.scenario)
    if loaded is None:
        return EXIT_INPUT
    try:
        return loaded, _parse_overrides(args.set or [])
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from .game_report import print_game

    prepared = _scenario_and_overrides(args)
    if isinstance(prepared, int):
        return prepared
    loaded, overrides = prepared
    from .sim import aimodes

    try:
        chosen = aimodes.parse_ai(args.ai or [], aimodes.side_ids(loaded.scenario))
    except aimodes.AiModeError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    modes = tuple((side, mode) for side, mode in chosen.items())
    return print_game(
        loaded,
        args.seed,
        overrides=overrides,
        explain=args.explain,
        events_path=args.events,
        quiet=args.quiet,
        ai_modes=aimodes.by_index(modes, loaded.scenario) or None,
    )


def _replay(args: argparse.Namespace) -> int:
    from .headless import read_log, replay, scenario_hash

    try:
        log = read_log(Path(args.log))
    except (OSError, ValueError) as error:
        print(f"{args.log}: cannot read the game log: {error}", file=sys.stderr)
        return EXIT_INPUT
    header = log[0]
    scenario_path = args.scenario or header.get("scenario")
    if not args.scenario and scenario_path and not Path(scenario_path).exists():
        # a path relative to where the game was run: look beside the log, then in ./scenarios
        name = Path(scenario_path).name
        for folder in (Path(args.log).parent, Path.cwd() / "scenarios"):
            if (folder / name).exists():
                scenario_path = str(folder / name)
                break
    loaded = _load(scenario_path)
    if loaded is None:
        return EXIT_INPUT
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
        return EXIT_INPUT
    if result.matches:
        print(f"replayed {result.turns} turns: final state {result.state.state_hash()} matches")
        return EXIT_OK
    if result.first_difference:
        print(f"{args.log}: the replay differs at {result.first_difference}", file=sys.stderr)
    if result.state.state_hash() != result.expected_hash:
        print(
            f"replayed {result.turns} turns: final state {result.state.state_hash()} differs"
            f" from the log's {result.expected_hash}",
            file=sys.stderr,
        )
    else:
        print(
            f"replayed {result.turns} turns: final state matches, but the events differ",
            file=sys.stderr,
        )
    return EXIT_INPUT


def _calibrate(args: argparse.Namespace) -> int:
    from .calibration import markdown, spreads

    prepared = _scenario_and_overrides(args)
    if isinstance(prepared, int):
        return prepared
    loaded, overrides = prepared
    rows, winners = spreads(loaded.scenario, args.games, first_seed=args.seed, overrides=overrides)
    print(markdown(loaded.scenario, args.games, rows, winners), end="")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    import os
    import re

    from .rules.coefficients import coefficient_names
    from .scenario import load_scenario_text
    from .scenario.template import new_scenario_text

    path: Path = args.file
    if path.suffix not in (".yaml", ".yml"):
        print(f"{path}: a scenario file ends in .yaml", file=sys.stderr)
        return EXIT_USAGE
    if path.exists() and not args.force:
        print(
            f"{path}: already exists; choose another name, or --force to replace it",
            file=sys.stderr,
        )
        return EXIT_INPUT
    ident = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    if not ident or not ident[0].isalpha():
        ident = f"scenario_{ident}".rstrip("_")
    schema = Path(__file__).resolve().parent.parent / "docs" / "scenario.schema.json"
    schema_path = None
    if schema.exists():
        schema_path = os.path.relpath(schema, path.resolve().parent).replace(os.sep, "/")
    try:
        text = new_scenario_text(
            ident[:64],
            args.width,
            args.height,
            hex_size_m=args.hex_size_m,
            turn_minutes=args.turn_minutes,
            turns=args.turns,
            schema_path=schema_path,
            file_label="".join(c if c.isprintable() else "?" for c in str(path)),
        )
    except ValueError as error:
        print(f"wargame new: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        load_scenario_text(text, str(path), coefficient_names=coefficient_names())
    except ScenarioError as error:  # a template that does not load is a bug; say it plainly
        print(f"wargame new: the template does not load: {error.problems[0]}", file=sys.stderr)
        return EXIT_INPUT
    try:
        write_atomic(path, text)
    except OSError as error:
        print(f"{path}: cannot write: {error.strerror or error}", file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {path} ({args.width} x {args.height} hexes); next: wargame edit {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wargame",
        description="Historical hex-grid wargame scenarios: validate, play, simulate, compare.",
    )
    parser.add_argument("--version", action="version", version=f"wargame {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check scenario files and print a summary of each",
        description="Check scenario files. Every problem is printed as file:line:col: message;"
        " the exit code is 1 if any file has a problem.",
    )
    validate.add_argument("files", nargs="+", metavar="SCENARIO.yaml")
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    validate.set_defaults(handler=_validate)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the scenario format",
        description="Print the JSON Schema that editors use to check scenario files as you type.",
    )
    schema.add_argument("-o", "--output", type=Path, help="write it to this file instead")
    schema.set_defaults(handler=_schema)

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
    run.add_argument(
        "--set",
        action="append",
        metavar="rules.NAME=VALUE",
        help="override a rule coefficient (repeatable)",
    )
    run.add_argument(
        "--ai",
        action="append",
        metavar="[SIDE=]MODE",
        help="computer player mode, plan or adaptive, for one side (SIDE=MODE, repeatable) or"
        " for both (MODE); default: each plan's own",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the final table")
    run.set_defaults(handler=_run)

    calibrate = commands.add_parser(
        "calibrate",
        help="play many seeded battles and show where history falls in their spread",
        description="Print the calibration table (Markdown) of a scenario's history metrics.",
    )
    calibrate.add_argument("scenario", metavar="SCENARIO.yaml")
    calibrate.add_argument("--games", type=count, default=1000, help="battles (default 1000)")
    calibrate.add_argument("--seed", type=seed, default=0, help="first seed (default 0)")
    calibrate.add_argument(
        "--set",
        action="append",
        metavar="rules.NAME=VALUE",
        help="override a rule coefficient (repeatable)",
    )
    calibrate.set_defaults(handler=_calibrate)

    replay = commands.add_parser(
        "replay",
        help="replay a game log and check it reproduces the same final state",
    )
    replay.add_argument("log", metavar="GAME.jsonl")
    replay.add_argument("--scenario", help="the scenario file (default: the one in the log)")
    replay.set_defaults(handler=_replay)
    new = commands.add_parser(
        "new",
        help="write a new, valid scenario of open ground to start a battle from",
        description="Write a new scenario: open ground of the given size, two sides with a"
        " platoon each, an objective. Lines marked TEMPLATE are placeholders for your sources."
        " Then draw the map with `wargame edit`.",
    )
    new.add_argument("file", type=Path, metavar="SCENARIO.yaml")
    new.add_argument("--width", type=int, default=20, help="hexes per row (default 20)")
    new.add_argument("--height", type=int, default=15, help="rows (default 15)")
    new.add_argument("--hex-size-m", type=float, default=100.0, help="metres (default 100)")
    new.add_argument("--turn-minutes", type=int, default=60, help="default 60")
    new.add_argument("--turns", type=int, default=12, help="default 12")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(handler=_new)
    from .ui.commands import add_play_command  # play and edit (the window)

    add_play_command(commands)
    from .sim.commands import add_commands  # batch, report

    add_commands(commands)
    from .scenario_list import add_list_command  # list

    add_list_command(commands)
    from .reference.command import register as add_reference_command  # reference

    add_reference_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
