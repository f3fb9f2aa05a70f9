"""Argument types the command line shares: a bad number is refused by argparse with the option's
name and what was expected (exit code 2), before anything is loaded or played."""

from __future__ import annotations

import argparse


def _whole_number(text: str, least: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
    return value


def seed(text: str) -> int:
    """A seed for numpy's generator, which takes whole numbers from 0 only."""
    return _whole_number(text, 0, "a whole number from 0")


def count(text: str) -> int:
    """How many of something (games, workers, hexes): at least one."""
    return _whole_number(text, 1, "a whole number from 1")


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """`--workers`/`-j` and `--dask`: where the battles of a batch or a screening are played, the
    same two options with the same words in every command that plays many battles."""
    parser.add_argument(
        "--workers", "-j", type=count, default=None, help="worker processes (default: all cores)"
    )
    parser.add_argument(
        "--dask",
        metavar="tcp://HOST:8786|local",
        help="run on a Dask scheduler, or 'local' for a LocalCluster on 127.0.0.1",
    )
