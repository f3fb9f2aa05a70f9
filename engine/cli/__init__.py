"""The `wargame` command: one entry point over the engine's faces.

One module per group of subcommands; each exposes `register(commands)`, which adds its
subcommands to argparse's subparsers and sets `handler` on each, a function from the parsed
arguments to an exit code (engine/exit_codes.py, the one table), and `COMMANDS`, the names it adds.
To add a command, write a module here with `register` and `COMMANDS` and name it in
COMMAND_GROUPS; the order there is the order of `--help`. A command line that names a command
builds only its group's parser: `wargame validate` neither builds the other groups' arguments nor
imports what their `register` imports.

Every subcommand turns expected failures (bad files, bad arguments) into a located message and an
exit code, never a traceback: exit 0 success, 1 a problem with the user's input, 2 bad usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..exit_codes import EXIT_INPUT, EXIT_OK, EXIT_USAGE, ExitCode
from ..reference import command as reference
from . import batch, fit, games, listing, new, sensitivity, validate, warm, window

__all__ = ["COMMAND_GROUPS", "EXIT_INPUT", "EXIT_OK", "EXIT_USAGE", "ExitCode", "build_parser"]
__all__ += ["main", "version_text"]

COMMAND_GROUPS = (
    validate,  # validate, schema
    games,  # run, calibrate, replay
    new,  # new
    window,  # play, edit
    batch,  # batch, report
    listing,  # list
    reference,  # reference (engine/reference: the rules against published records)
    fit,  # fit (engine/fit: coefficients inferred by ABC-SMC)
    sensitivity,  # sensitivity (engine/fit/sensitivity.py: Morris, Sobol; the extra 'fit')
    warm,  # warm (engine/cli/warm.py: the kernels compiled ahead)
)
# Commands that play no battle: run as a process of their own, they settle for plain kernels
# before running, since numba's import (0.2-0.5 s) would cost more than the few kernel calls they
# make (validate's budget is 0.3 s). The others play compiled when the cache is warm
# (engine/kernels/jit.py).
PLAIN_COMMANDS = frozenset({"validate", "schema", "new", "list", "edit", "report", "warm"})


def version_text() -> str:
    """`wargame 0.2.0 (rules 1a2b3c4d5e6f)`: the package version, and the rules version that a
    batch's rows record (a hash of the default coefficients and the source that plays a battle),
    so that a bug report or a result names exactly which rules played it."""
    from ..sim.versions import rules_version

    return f"wargame {__version__} (rules {rules_version()})"


class _VersionAction(argparse.Action):
    """argparse's version action, but the rules version is computed only when asked for (it reads
    the coefficients and hashes the rules' source), not each time the parser is built."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(version_text())
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `wargame` parser: every command, or only the group of `command` when it is given (the
    parser then reads that command's arguments exactly as the whole one does)."""
    parser = argparse.ArgumentParser(
        prog="wargame",
        description="Historical hex-grid wargame scenarios: validate, play, simulate, compare.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the package version and the rules version, then exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        if command is None or command in group.COMMANDS:
            group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    named = words[0] if words and any(words[0] in g.COMMANDS for g in COMMAND_GROUPS) else None
    parser = build_parser(named)
    args = parser.parse_args(words)
    if not getattr(args, "handler", None):
        parser.print_help()
        return int(ExitCode.USAGE)
    if argv is None and args.command in PLAIN_COMMANDS:  # a process of its own (not a test's)
        from ..kernels.jit import prefer_plain

        prefer_plain()
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
