"""`wargame validate` and `wargame schema`: checking scenario files, and the JSON Schema that
lets an editor check them as they are typed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..exit_codes import ExitCode
from ..scenario import LoadedScenario, ScenarioError, json_schema_text, load_scenario
from ..scenario.summary import summarize

COMMANDS = ("validate", "schema")  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser(
        "validate",
        help="check scenario files and print a summary of each",
        description="Check scenario files. Every problem is printed as file:line:col: message;"
        " the exit code is 1 if any file has a problem.",
    )
    validate.add_argument("files", nargs="+", metavar="SCENARIO.yaml")
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    validate.set_defaults(handler=run_validate)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the scenario format",
        description="Print the JSON Schema that editors use to check scenario files as you type.",
    )
    schema.add_argument("-o", "--output", type=Path, help="write it to this file instead")
    schema.add_argument(
        "--overlay", action="store_true", help="the schema of what-if overlays instead"
    )
    schema.set_defaults(handler=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    status = ExitCode.OK
    from ..rules.coefficients import coefficient_names

    for name in args.files:
        try:
            loaded: LoadedScenario = load_scenario(name, coefficient_names=coefficient_names())
        except ScenarioError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            count = len(error.problems)
            print(f"{name}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
            status = ExitCode.BAD_INPUT
            continue
        for warning in loaded.warnings:
            print(warning, file=sys.stderr)
        if not args.quiet:
            print(summarize(loaded.scenario, name))
    return status


def run_schema(args: argparse.Namespace) -> int:
    if args.overlay:
        from ..scenario.overlay_schema import overlay_json_schema_text

        text = overlay_json_schema_text()
    else:
        text = json_schema_text()
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as error:
            print(f"{args.output}: cannot write: {error.strerror or error}", file=sys.stderr)
            return ExitCode.BAD_INPUT
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return ExitCode.OK
