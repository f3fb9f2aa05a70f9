"""`wargame sensitivity SCENARIO --metric NAME,...`: which rule coefficients the result hinges on
(engine/fit/sensitivity.py, docs/sensitivity.md). Needs the optional extra `fit` (SALib); without
it the command says in one line how to get it."""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from pathlib import Path

from ..arguments import count, seed
from ..exit_codes import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE


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
        "--workers", "-j", type=count, default=None, help="worker processes (default: all cores)"
    )
    parser.add_argument(
        "--dask",
        metavar="tcp://HOST:8786|local",
        help="run on a Dask scheduler, or 'local' for a LocalCluster on 127.0.0.1",
    )


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


def command_text(args: argparse.Namespace) -> str:
    """The command that reproduces this run, every option spelled out."""
    words = ["wargame", "sensitivity", args.scenario, "--metric", args.metric]
    words += ["--out", str(args.out), "--games", str(args.games), "--seed", str(args.seed)]
    if args.coefficients:
        words += ["--coefficients", args.coefficients]
    words += ["--spread", f"{args.spread:g}"]
    for item in args.range:
        words += ["--range", item]
    words += ["--trajectories", str(args.trajectories), "--sobol", str(args.sobol)]
    words += ["--top", str(args.top)]
    return shlex.join(words)


def _sensitivity(args: argparse.Namespace) -> int:
    from ..fit.sensitivity import MissingExtra, need_salib

    try:
        need_salib()
    except MissingExtra as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    return run_command(args)


def run_command(args: argparse.Namespace, console=None) -> int:
    """Run and write a sensitivity analysis from parsed arguments; the exit code."""
    from rich.console import Console

    from ..fit.sensitivity import SensitivityError, parse_range, run_sensitivity, write_run
    from ..scenario.errors import ScenarioError
    from ..sim.executors import ChunkFailed, default_workers, make_executor
    from ..sim.plan import PlanError

    console = console or Console(stderr=True, highlight=False, soft_wrap=True)
    names = None
    if args.coefficients:
        names = [n.strip().removeprefix("rules.") for n in args.coefficients.split(",") if n]
    try:
        explicit = dict(parse_range(item) for item in args.range)
    except SensitivityError as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT
    if args.out.exists() and not args.out.is_dir():
        print(f"--out {args.out}: exists and is not a folder", file=sys.stderr)
        return EXIT_USAGE
    progress = _Progress(console)
    executor = None
    try:
        # everything is checked before the workers start: a typo costs no pool
        run_sensitivity(
            args.scenario, args.metric, coefficients=names, explicit=explicit,
            spread=args.spread, games=args.games, dry_run=True,
        )  # fmt: skip
        executor = make_executor(args.workers or default_workers(), args.dask)
        console.print(
            f"sensitivity of {args.scenario}: {args.games} battles a point on {executor.name}"
            f" ({executor.workers} worker{'s' * (executor.workers != 1)}), seed {args.seed}"
        )
        run = run_sensitivity(
            args.scenario,
            args.metric,
            games=args.games,
            seed=args.seed,
            coefficients=names,
            spread=args.spread,
            explicit=explicit,
            trajectories=args.trajectories,
            sobol_base=args.sobol,
            top=args.top if args.sobol else 0,
            executor=executor,
            out=args.out,
            on_stage=progress.stage,
            on_progress=progress.update,
        )
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except (SensitivityError, PlanError) as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT
    except OSError as error:
        print(f"--dask {args.dask}: cannot connect: {error}", file=sys.stderr)
        return EXIT_INPUT
    except ChunkFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        if executor is not None:
            executor.close(cancel=True)
        print("\ninterrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    executor.close()
    run.command = command_text(args)
    paths = write_run(run, args.out)
    console.print(
        f"played {run.battles:,} battles in {run.seconds:,.1f} s"
        f" ({run.battles / max(run.seconds, 1e-9):,.1f} battles/s)"
    )
    for j in range(len(run.metrics)):
        console.print(run.headline(j))
    for path in paths:
        console.print(f"wrote {path}")
    return EXIT_OK


class _Progress:
    """One plain line per stage and about every 15 s: the stage, battles done, time left."""

    def __init__(self, console) -> None:
        self.console = console
        self.name, self.started, self.last = "", time.monotonic(), 0.0

    def stage(self, name: str, points: int) -> None:
        self.name, self.started, self.last = name, time.monotonic(), time.monotonic()
        self.console.print(f"{name}: {points:,} design points")

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 15 and done < total:
            return
        self.last = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else float("nan")
        self.console.print(
            f"  {self.name}: {done:,} of {total:,} battles, {rate:,.1f} battles/s"
            + (f", about {left:,.0f} s left" if done < total else f", {elapsed:,.0f} s")
        )
