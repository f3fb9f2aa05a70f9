"""`wargame warm`: compile every kernel into numba's cache ahead, so that the default
`WARGAME_JIT=auto` plays compiled from then on (engine/kernels/jit.py, engine/kernels/warm.py)."""

from __future__ import annotations

import argparse

COMMANDS = ("warm",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    warm = commands.add_parser(
        "warm",
        help="compile the rules' kernels ahead, so that battles play compiled",
        description="Compile every kernel of the rules with numba into its cache (the user's cache"
        " folder, or WARGAME_CACHE_DIR, or NUMBA_CACHE_DIR) by playing one battle of each shipped"
        " scenario, then stamp the cache as warm: from then on WARGAME_JIT=auto (the default)"
        " plays compiled. While it is cold, battles play as plain Python rather than wait on a"
        " compile. Exit 0 when the cache is warm, 1 when it is not (numba missing, a kernel the"
        " warm-up did not reach).",
    )
    warm.add_argument(
        "--check",
        action="store_true",
        help="only say whether the cache is warm, and why not (exit 0 warm, 1 cold)",
    )
    warm.set_defaults(handler=run_warm)


def run_warm(args: argparse.Namespace) -> int:
    from ..kernels.warm import warm

    return warm(check=args.check)
