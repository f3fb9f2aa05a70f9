"""`wargame batch` and `wargame report`: the Monte Carlo commands, defined in
engine/sim/commands.py beside the batch they drive."""

from __future__ import annotations

import argparse

COMMANDS = ("batch", "report")  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    from ..sim.commands import add_commands

    add_commands(commands)
