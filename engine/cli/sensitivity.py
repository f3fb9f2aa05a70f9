"""`wargame sensitivity SCENARIO --metric NAME,...`: which rule coefficients the result hinges on
(engine/fit/sensitivity.py, docs/sensitivity.md). Needs the optional extra `fit` (SALib); without
it the command says in one line how to get it."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ..arguments import add_executor_options, count, seed
from ..exit_codes import ExitCode


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:  # NaN too
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def _whole_from_zero(text: str) -> int:
    return seed(text)  # a whole number from 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO.yaml")
    parser.add_argument(
        "--metric",
        "-m",
        default="win",
        metavar="NAME,...",
        help="what to explain: win (history's winner's share of battles), win.SIDE, or a history"
        " metric's id; comma-separated (default: win)",
    )
    parser.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--games", "-n", type=count, default=8, help="battles per design point, same seeds (8)"
    )
    parser.add_argument("--seed", type=seed, default=0, help="batch seed and SALib's seed (0)")
    parser.add_argument(
        "--coefficients",
        metavar="NAME,...",
        help="screen only these coefficients (default: every one in coefficients.yaml)",
    )
    parser.add_argument(
        "--spread",
        type=_share,
        default=0.3,
        help="each range is the coefficient's value x (1 ± SPREAD), inside its bounds (0.3)",
    )
    parser.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="NAME=LOW:HIGH",
        help="a coefficient's range, instead of the spread (repeatable)",
    )
    parser.add_argument(
        "--trajectories",
        "-r",
        type=count,
        default=4,
        help="Morris trajectories: r x (k + 1) design points for k coefficients (4)",
    )
    parser.add_argument(
        "--sobol",
        type=_whole_from_zero,
        default=32,
        metavar="N",
        help="Sobol base sample, a power of two: N x (top + 2) points; 0 skips Sobol (32)",
    )
    parser.add_argument(
        "--top", type=count, default=10, help="coefficients kept for Sobol and the tornado (10)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="as wargame batch --set: a rule coefficient or a scenario value, at every point"
        " (repeatable)",
    )
    parser.add_argument(
        "--ai",
        action="append",
        default=[],
        metavar="SIDE=MODE",
        help="as wargame batch --ai: a side's computer player mode at every point (repeatable)",
    )
    add_executor_options(parser)


COMMANDS = ("sensitivity",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sensitivity",
        help="which rule coefficients the result hinges on (Morris, then Sobol; needs '.[fit]')",
        description=(
            "Screen every rule coefficient with Morris elementary effects, then compute Sobol"
            " indices (first and total order, 95 %% intervals) on the top ten, and a one-at-a-time"
            " tornado, on the win rate and the chosen metrics. Each design point plays --games"
            " battles with the same seeds. Writes OUT/sensitivity.json, sensitivity.md, the"
            " points as CSV and tornado_METRIC.png. Needs SALib: pip install -e '.[fit]'."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(handler=_sensitivity)


def _sensitivity(args: argparse.Namespace) -> int:
    from ..fit.sens_command import run_command
    from ..fit.sensitivity import MissingExtra, need_salib

    try:
        need_salib()
    except MissingExtra as error:
        print(error, file=sys.stderr)
        return ExitCode.MISSING_EXTRA
    return run_command(args)
