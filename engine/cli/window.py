"""`wargame play` and `wargame edit`: the window's commands, defined in engine/ui/commands.py
(which imports pygame only once a window is really opened)."""

from __future__ import annotations

import argparse

COMMANDS = ("play", "edit")  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    from ..ui.commands import add_play_command

    add_play_command(commands)
