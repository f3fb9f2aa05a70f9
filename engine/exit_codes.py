"""The one table of the `wargame` command's exit codes.

It lives at the top of the package, importing nothing, so that every room that registers a
subcommand (engine/cli, engine/ui/commands.py, engine/sim/commands.py, engine/scenario_list.py)
can share it without an arrow running up the architecture's table. Scripts and CI read these
numbers, so they never change meaning: add a member rather than reuse one.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a `wargame` command's exit status means."""

    OK = 0  # done, or a listing printed in full
    BAD_INPUT = 1  # a problem with the user's files or data: a located message was printed
    USAGE = 2  # bad usage: an unknown option, a value of the wrong kind (argparse's own code)
    MISSING_EXTRA = 3  # an optional extra is not installed (`wargame fit` without '.[fit]')
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


EXIT_OK = ExitCode.OK
EXIT_INPUT = ExitCode.BAD_INPUT
EXIT_USAGE = ExitCode.USAGE
EXIT_INTERRUPTED = ExitCode.INTERRUPTED
