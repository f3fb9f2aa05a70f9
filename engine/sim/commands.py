"""The `wargame batch` and `wargame report` subcommands (registered by engine/cli/).

Exit codes as elsewhere: 0 success, 1 a problem with the input (every problem located), 2 bad
usage, 130 interrupted (the battles already written stay, and the same command resumes).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from ..arguments import add_executor_options, count, seed
from ..exit_codes import (  # the one table
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ExitCode,
)


def add_commands(commands: argparse._SubParsersAction) -> None:
    batch = commands.add_parser(
        "batch",
        help="play many seeded battles (on all cores or a Dask cluster) and report the spread",
        description=(
            "Play GAMES battles of a scenario for each arm (the baseline, each --variant, each"
            " combination of the computer player's modes with --compare-ai, each point of the"
            " --sweep grid), one Parquet row per battle in OUT/battles/, then write"
            " OUT/report.html. Running the same command again resumes, skipping finished battles."
        ),
    )
    batch.add_argument("scenario", metavar="SCENARIO.yaml")
    batch.add_argument("--games", "-n", type=count, default=1000, help="battles per arm (1000)")
    batch.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    batch.add_argument("--seed", type=seed, default=0, help="batch seed (0)")
    batch.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="OVERLAY.yaml",
        help="a what-if overlay, played beside the baseline (repeatable)",
    )
    batch.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="rules.NAME=V overrides a rule coefficient; any other path changes the scenario"
        " for every arm, e.g. 'units[id=roc_1st_company].men=150' (repeatable)",
    )
    batch.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="rules.NAME=LOW:HIGH:N",
        help="play every arm at N values of a coefficient (repeatable: a grid)",
    )
    batch.add_argument("--no-baseline", action="store_true", help="play only the --variant arms")
    batch.add_argument(
        "--ai",
        action="append",
        default=[],
        metavar="SIDE=MODE",
        help="the computer player's mode for a side in every arm: plan (follow the scenario's"
        " plan) or adaptive (pick objectives from the victory conditions); repeatable",
    )
    batch.add_argument(
        "--compare-ai",
        action="store_true",
        help="beside each arm, play one arm per other combination of the sides' modes",
    )
    add_executor_options(batch)
    batch.add_argument(
        "--chunk", type=count, default=None, help="battles per task and per file (default: auto)"
    )
    batch.add_argument("--no-report", action="store_true", help="write the battles only")
    batch.add_argument(
        "--posterior",
        metavar="DIR/posterior.json",
        help="draw each battle's rule coefficients from a `wargame fit` posterior (by its seed)",
    )
    batch.add_argument(
        "--sensitivity",
        action="store_true",
        help="also screen every rule coefficient (Morris, then Sobol on the top five; about"
        " 4,100 battles) into OUT/sensitivity/, and say in the report what the result hinges on;"
        " needs pip install -e '.[fit]' (docs/sensitivity.md)",
    )
    batch.set_defaults(handler=_batch)

    report = commands.add_parser(
        "report",
        help="rebuild a batch's report.html and plots from its Parquet files",
        description="Rebuild OUT/report.html and OUT/plots/*.png from OUT/battles/*.parquet.",
    )
    report.add_argument("out", type=Path, metavar="OUT")
    report.set_defaults(handler=_report)


def _batch(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..scenario.errors import ScenarioError
    from .executors import ChunkFailed, default_workers, make_executor, start_forkserver
    from .plan import PlanError, make_plan
    from .runner import run_batch

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    posterior = ""
    if args.posterior:  # checked here, then carried as text to every worker (docs/fit.md)
        from ..fit.posterior import posterior_text
        from ..fit.priors import FitInputError

        try:
            posterior = posterior_text(args.posterior)
        except FitInputError as error:
            print("\n".join(error.problems), file=sys.stderr)
            return EXIT_INPUT
    if args.sensitivity:  # before the batch: a missing library must not wait for it
        from ..fit.sensitivity import MissingExtra, need_salib

        try:
            need_salib()
        except MissingExtra as error:
            print(f"--sensitivity: {error}", file=sys.stderr)
            return ExitCode.MISSING_EXTRA
    workers = args.workers or default_workers()
    if workers > 1 and not args.dask:  # the pool's server starts while the plan is made
        start_forkserver()
    try:
        plan = make_plan(
            args.scenario,
            args.out,
            games=args.games,
            batch_seed=args.seed,
            variant_files=args.variant,
            sets=args.set,
            sweeps=args.sweep,
            baseline=not args.no_baseline,
            ai=args.ai,
            compare_ai=args.compare_ai,
            posterior=posterior,
        )
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"{count} problem{'s' if count != 1 else ''}; nothing was played", file=sys.stderr)
        return EXIT_INPUT
    except PlanError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        executor = make_executor(workers, args.dask)
    except OSError as error:
        print(f"--dask {args.dask}: cannot connect: {error}", file=sys.stderr)
        return EXIT_INPUT
    arms = len(plan.arms)
    console.print(
        f"{plan.scenario.title.en}: {plan.games:,} battles x {arms} arm{'s' * (arms != 1)}"
        f" on {executor.name} ({executor.workers} worker{'s' * (executor.workers != 1)}),"
        f" seed {plan.batch_seed} -> {args.out}"
    )
    previous = signal.signal(signal.SIGTERM, _terminate)  # e.g. a Slurm job's time limit
    try:
        outcome = run_batch(plan, executor, chunk=args.chunk, console=console)
    except PlanError as error:
        executor.close(cancel=True)
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except ChunkFailed as error:
        task = error.task
        print(f"error: {error}", file=sys.stderr)
        if error.index is not None:  # the battle that failed is known
            print(
                f"  replay it with: {task.replay_command(_seed(task, error.index))}",
                file=sys.stderr,
            )
        else:
            print(
                f"  replay the first of them with: {task.replay_command(_seed(task))}",
                file=sys.stderr,
            )
        print("  battles already written are kept; the same command resumes", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished chunks are saved in {args.out}; run the same command to"
            " resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    console.print(
        f"played {outcome.played:,} battles in {outcome.seconds:,.1f} s"
        f" ({outcome.rate:,.1f} battles/s); {outcome.already + outcome.played:,} of"
        f" {outcome.planned:,} now in {args.out / 'battles'}"
        + (f"; {outcome.restarts} worker pool restart(s)" if outcome.restarts else "")
    )
    screened = EXIT_OK
    if args.sensitivity:  # a failed screening still leaves the batch's report written
        from ..fit.sens_command import batch_sensitivity

        screened = batch_sensitivity(args, console)
        if screened == EXIT_INTERRUPTED:
            return screened
    if args.no_report:
        return screened
    return _write_report(args.out, console) or screened


def _terminate(signum, frame) -> None:
    """SIGTERM stops a batch as Ctrl-C does: workers stopped, finished chunks kept."""
    raise KeyboardInterrupt


def _seed(task, index: int | None = None) -> int:
    from .seeds import battle_seed

    return battle_seed(task.batch_seed, task.first if index is None else index)


def _write_report(out: Path, console) -> int:
    from .report import build_report

    messages: list[str] = []
    try:
        path = build_report(out, messages)
    except FileNotFoundError as error:
        for message in messages:
            print(message, file=sys.stderr)
        print(error, file=sys.stderr)
        return EXIT_INPUT
    for message in messages:
        console.print(message)
    console.print(f"report: {path}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from rich.console import Console

    return _write_report(args.out, Console(stderr=True, highlight=False, soft_wrap=True))
