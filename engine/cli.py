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
from .atomic import write_atomic
from .scenario import LoadedScenario, ScenarioError, json_schema_text, load_scenario
from .scenario.summary import summarize

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for name in args.files:
        try:
            loaded: LoadedScenario = load_scenario(name)
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
