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
