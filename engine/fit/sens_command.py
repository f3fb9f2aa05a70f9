"""Running `wargame sensitivity` from parsed arguments, and `wargame batch --sensitivity`'s short
screening of the batch's scenario (its OUT/sensitivity/ folder, read by report.html). The command
line itself is engine/cli/sensitivity.py; the analysis is sensitivity.py."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
from pathlib import Path

from ..exit_codes import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, ExitCode


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
    for item in args.set:
        words += ["--set", item]
    for item in args.ai:
        words += ["--ai", item]
    return shlex.join(words)


def run_command(args: argparse.Namespace, console=None) -> int:
    """Run and write a sensitivity analysis from parsed arguments; the exit code."""
    from rich.console import Console

    from ..scenario.errors import ScenarioError
    from ..sim.executors import ChunkFailed, default_workers, make_executor
    from ..sim.plan import PlanError
    from ..sim.versions import rules_version
    from .sensitivity import (
        MissingExtra,
        SensitivityError,
        parse_range,
        run_sensitivity,
        write_run,
    )

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
    previous = signal.signal(signal.SIGTERM, _terminate)  # a cluster job's time limit: as Ctrl-C
    try:
        # everything is checked before the workers start: a typo costs no pool
        run_sensitivity(
            args.scenario, args.metric, coefficients=names, explicit=explicit,
            spread=args.spread, games=args.games, dry_run=True, sets=args.set, ai=args.ai,
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
            sets=args.set,
            ai=args.ai,
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
    except MissingExtra as error:
        print(error, file=sys.stderr)
        return ExitCode.MISSING_EXTRA
    except KeyboardInterrupt:
        if executor is not None:
            executor.close(cancel=True)
        print("\ninterrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    executor.close()
    run.command = command_text(args)
    run.rules_version = rules_version()
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


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


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


# ----------------------------------------------------------------------------- batch --sensitivity

BATCH_FOLDER = "sensitivity"  # OUT/sensitivity/: what report.html's section reads
# A short screening, kept small beside the batch it reports on: 8 battles a point; Morris with 4
# trajectories over every coefficient (4 x 90 points), Sobol on the top five (16 x 7 points),
# the tornado (11 points, 32 battles each): about 4,200 battles.
BATCH_SETTINGS = {"games": 8, "trajectories": 4, "sobol": 16, "top": 5}


def batch_arguments(args: argparse.Namespace) -> argparse.Namespace:
    """The `wargame sensitivity` arguments that `wargame batch ... --sensitivity` runs: the
    batch's scenario, seed, --set, --ai, workers and Dask, the history winner's share of wins."""
    return argparse.Namespace(
        scenario=args.scenario,
        metric="win",
        out=Path(args.out) / BATCH_FOLDER,
        seed=args.seed,
        coefficients=None,
        spread=0.3,
        range=[],
        set=list(args.set),
        ai=list(args.ai),
        workers=args.workers,
        dask=args.dask,
        **BATCH_SETTINGS,
    )


def batch_sensitivity(args: argparse.Namespace, console) -> int:
    """Screen the batch's scenario into OUT/sensitivity/ unless the same screening (the same
    command, the same rules version) is there already: a resumed batch does not redo it."""
    from ..sim.versions import rules_version

    options = batch_arguments(args)
    found = options.out / "sensitivity.json"
    try:
        old = json.loads(found.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if (
        isinstance(old, dict)
        and old.get("command") == command_text(options)
        and old.get("rules_version") == rules_version()
    ):
        console.print(f"sensitivity: already in {options.out} (the same command and rules)")
        return EXIT_OK
    return run_command(options, console)
