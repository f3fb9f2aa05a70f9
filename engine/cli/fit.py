"""`wargame fit`: infer rule coefficients by ABC-SMC (pyabc) from their priors in
coefficients.yaml against a fit set (the reference battles, and history metrics marked
`use: fit`), then write the posterior, the report and the command that reproduces it. With
`--holdout SCENARIO...` the report carries each scenario's held-out table. docs/fit.md.

Exit codes: 0 done, 1 bad input (a prior, a coefficient, a fit set, a scenario; located), 2 bad
usage, 3 the fit extra is not installed (one line says how), 130 interrupted (the generations
done are kept in OUT/fit.db; the same command resumes).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from ..arguments import count, seed
from ..exit_codes import ExitCode
from .common import add_set_option, parse_overrides

COMMANDS = ("fit",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "fit",
        help="infer rule coefficients by ABC-SMC against the reference battles (pyabc)",
        description=(
            "Approximate Bayesian computation (ABC-SMC, pyabc) of the named coefficients from"
            " their priors in coefficients.yaml, against the reference battles' summary figures"
            " and any scenario history metric marked `use: fit`. Writes OUT/posterior.json,"
            " OUT/report.html (and report.md), OUT/fit.db (pyabc's history: the same command"
            " resumes) and OUT/command.txt. Needs the fit extra: pip install -e '.[fit]'."
        ),
    )
    parser.add_argument(
        "--coefficients",
        "-c",
        required=True,
        metavar="NAME,NAME,...",
        help="the coefficients to fit (each needs a prior in coefficients.yaml)",
    )
    parser.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    parser.add_argument("--population", type=count, default=40, help="particles (default 40)")
    parser.add_argument("--generations", type=count, default=4, help="at most (default 4)")
    parser.add_argument(
        "--min-epsilon", type=float, default=0.0, help="stop when epsilon falls to this"
    )
    parser.add_argument(
        "--min-acceptance",
        type=float,
        default=0.0,
        help="stop when a generation accepts fewer than this share of its simulations",
    )
    parser.add_argument(
        "--battles",
        type=count,
        default=24,
        help="reference battles in the fit set (an evenly spread sample; default 24)",
    )
    parser.add_argument("--seeds", type=count, default=1, help="games per battle (default 1)")
    parser.add_argument(
        "--no-reference", action="store_true", help="leave the reference battles out"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help="add the history metrics this scenario marks `use: fit` (repeatable)",
    )
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="ID",
        help="only these history metrics of the --scenario files (each must be `use: fit`)",
    )
    parser.add_argument(
        "--holdout",
        action="append",
        default=[],
        metavar="SCENARIO",
        help="after the fit, the held-out table of this scenario in the report (repeatable)",
    )
    parser.add_argument(
        "--holdout-games", type=count, default=200, help="games per held-out table (200)"
    )
    parser.add_argument("--seed", type=seed, default=0, help="pyabc's seed (default 0)")
    parser.add_argument("--workers", "-j", type=count, default=None, help="processes (all cores)")
    parser.add_argument(
        "--dask", metavar="tcp://HOST:8786|local", help="pyabc's Dask sampler on a cluster"
    )
    add_set_option(parser)
    parser.set_defaults(handler=run_fit)


def _command(args: argparse.Namespace) -> str:
    words = ["wargame", "fit", "--coefficients", args.coefficients, "--out", str(args.out)]
    for option in ("population", "generations", "battles", "seeds", "seed", "holdout_games"):
        words += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    for option in ("min_epsilon", "min_acceptance"):
        if getattr(args, option):
            words += [f"--{option.replace('_', '-')}", repr(getattr(args, option))]
    if args.no_reference:
        words.append("--no-reference")
    for option in ("scenario", "metric", "holdout", "set"):
        for value in getattr(args, option) or []:
            words += [f"--{option}", value]
    if args.dask:
        words += ["--dask", args.dask]
    elif args.workers:
        words += ["--workers", str(args.workers)]
    return shlex.join(words)


def run_fit(args: argparse.Namespace) -> int:
    from ..fit import missing_extra

    hint = missing_extra("pyabc")
    if hint:
        print(f"wargame fit: {hint}", file=sys.stderr)
        return ExitCode.MISSING_EXTRA
    from ..fit.model import Model, build_fit_set
    from ..fit.priors import FitInputError, choose, load_priors
    from ..fit.run import posterior_of, run_abc
    from ..sim.executors import default_workers
    from ..sim.versions import rules_version

    try:
        base = parse_overrides(args.set or [])
    except ValueError as error:
        print(error, file=sys.stderr)
        return ExitCode.USAGE
    names = [n.strip() for n in args.coefficients.split(",") if n.strip()]
    both = sorted(set(names) & set(base))
    if both:  # each particle would replace the --set value: say so rather than ignore it
        print(
            f"--set rules.{both[0]}: {both[0]} is being fitted (--coefficients); fix it with"
            " --set only when it is not fitted",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    started = time.perf_counter()
    try:
        priors = choose(names, load_priors())
        fit_set = build_fit_set(
            reference=not args.no_reference,
            battles=args.battles,
            seeds=args.seeds,
            scenarios=args.scenario,
            metrics=args.metric,
        )
        holdouts = _holdout_scenarios(args.holdout)
    except FitInputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return ExitCode.BAD_INPUT
    if holdouts is None:
        return ExitCode.BAD_INPUT
    workers = args.workers or default_workers()
    command = _command(args)
    where = f"Dask {args.dask}" if args.dask else f"{workers} process(es)"
    print(
        f"fitting {', '.join(names)}: {args.population} particles, up to {args.generations}"
        f" generations, fit set {fit_set.describe()} ({len(fit_set.observed)} statistics),"
        f" on {where}",
        flush=True,
    )

    def progress(generation, total: int, left: float) -> None:
        print(
            f"generation {generation.t + 1}/{total}: epsilon {generation.epsilon:.4g},"
            f" acceptance {generation.acceptance:.1%} ({generation.particles}/"
            f"{generation.simulations}), time left ~{left:.0f} s",
            flush=True,
        )

    key = {
        "fit_set": sorted(fit_set.observed),
        "battles": [b.isqno for b in fit_set.battles],
        "seeds": fit_set.seeds,
        "population": args.population,
        "set": base,
        "rules_version": rules_version({}, base),
    }
    try:
        history = run_abc(
            Model(fit_set, base),
            priors,
            fit_set.observed,
            args.out,
            population=args.population,
            generations=args.generations,
            min_epsilon=args.min_epsilon,
            min_acceptance=args.min_acceptance,
            workers=workers,
            dask=args.dask,
            fit_key=key,
            seed=args.seed,
            progress=progress,
        )
    except FitInputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        print(
            f"interrupted: the finished generations are in {args.out / 'fit.db'}; the same"
            " command resumes",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    elapsed = time.perf_counter() - started
    posterior = posterior_of(
        history,
        priors,
        fit_set=fit_set.observed,
        fit_set_text=fit_set.describe(),
        command=command,
        rules_version=key["rules_version"],
        seconds=round(elapsed, 1),
    )
    posterior.write(args.out / "posterior.json")
    from ..atomic import write_atomic

    write_atomic(args.out / "command.txt", command + "\n")
    tables = []
    for path, scenario in holdouts:
        from ..fit.holdout import holdout_table

        table = holdout_table(scenario, args.holdout_games, posterior, overrides=base or None)
        tables.append((path, table.markdown()))
        print(f"held out: {path}\n{table.markdown()}")
    from ..fit.report import write_report

    report = write_report(
        args.out,
        history=history,
        priors=priors,
        posterior=posterior,
        observed=fit_set.observed,
        fit_set=fit_set.describe(),
        command=command,
        elapsed=time.perf_counter() - started,
        holdout=tables,
    )
    for name, interval in posterior.meta["intervals"].items():
        print(
            f"{name}: median {interval['p50']:.4g}, 90 % {interval['p5']:.4g}–{interval['p95']:.4g}"
        )
    print(f"posterior: {args.out / 'posterior.json'}; report: {report}")
    print(
        f"elapsed {time.perf_counter() - started:.1f} s"
        f" ({posterior.meta['simulations']} simulations)"
    )
    return ExitCode.OK


def _holdout_scenarios(paths: list[str]):
    from .common import load

    loaded = []
    for path in paths:
        scenario = load(path)
        if scenario is None:
            return None
        loaded.append((path, scenario.scenario))
    return loaded
