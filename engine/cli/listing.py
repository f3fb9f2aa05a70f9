"""`wargame list`: the scenarios with their dates, scale and size (engine/scenario_list.py)."""

from __future__ import annotations

import argparse

COMMANDS = ("list",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    from ..scenario_list import add_list_command

    add_list_command(commands)
