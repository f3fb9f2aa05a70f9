"""`wargame new`: a new, valid scenario of open ground to start a battle from."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .. import resources
from ..atomic import write_atomic
from ..exit_codes import ExitCode
from ..scenario import ScenarioError

COMMANDS = ("new",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
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
    new.set_defaults(handler=run_new)


def run_new(args: argparse.Namespace) -> int:
    from ..rules.coefficients import coefficient_names
    from ..scenario import load_scenario_text
    from ..scenario.template import new_scenario_text

    path: Path = args.file
    if path.suffix not in (".yaml", ".yml"):
        print(f"{path}: a scenario file ends in .yaml", file=sys.stderr)
        return ExitCode.USAGE
    if path.exists() and not args.force:
        print(
            f"{path}: already exists; choose another name, or --force to replace it",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    ident = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    if not ident or not ident[0].isalpha():
        ident = f"scenario_{ident}".rstrip("_")
    schema = resources.scenario_schema_file()  # the checkout's docs/, or an installed wheel's
    schema_path = None
    if schema is not None:
        try:
            schema_path = os.path.relpath(schema, path.resolve().parent).replace(os.sep, "/")
        except ValueError:  # another drive (Windows): no relative path, so the file's URI
            schema_path = schema.resolve().as_uri()
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
        return ExitCode.USAGE
    try:
        load_scenario_text(text, str(path), coefficient_names=coefficient_names())
    except ScenarioError as error:  # a template that does not load is a bug; say it plainly
        print(f"wargame new: the template does not load: {error.problems[0]}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        write_atomic(path, text)
    except OSError as error:
        print(f"{path}: cannot write: {error.strerror or error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    print(f"wrote {path} ({args.width} x {args.height} hexes); next: wargame edit {path}")
    return ExitCode.OK
