"""`wargame reference`: play the generic battles and the rule checks, and report against the
reference bands. Exit codes: 0 done (and, with --strict, every judged figure inside its band),
1 a figure outside its band under --strict, or bad input (a data row, an unknown battle),
2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from ..arguments import count
from ..exit_codes import ExitCode

EXIT_OK, EXIT_FAIL, EXIT_USAGE = ExitCode.OK, ExitCode.BAD_INPUT, ExitCode.USAGE


COMMANDS = ("reference",)  # what `register` adds (engine/cli/__init__.py)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reference",
        help="measure the rules against CDB90's battles, the square law and turn-length checks",
        description=(
            "Build a generic battle from each 20th-century CDB90 battle, play it with several"
            " seeds, and compare casualty rates, loss-exchange ratios and attacker success with"
            " the record; check a pure fire fight against Lanchester's square law, one battle at"
            " four turn lengths, and success curves over the force ratio. Writes OUT/reference.html"
            " and prints a table. Bands: engine/reference/data/bands.yaml."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="a sample of battles, few seeds")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a figure falls outside its band"
    )
    parser.add_argument(
        "--out", "-o", type=Path, default=Path("reference-report"), help="report folder"
    )
    parser.add_argument(
        "--battle", metavar="NAME", help="one battle: its engine spread beside its record"
    )
    parser.add_argument(
        "--write-scenarios",
        type=Path,
        metavar="DIR",
        help="write the generic scenario files (all battles, or --battle's) into DIR and stop",
    )
    parser.add_argument("--workers", "-j", type=count, default=None, help="processes (all cores)")
    parser.add_argument(
        "--dask", metavar="tcp://HOST:8786|local", help="run on Dask, or a LocalCluster"
    )
    parser.add_argument("--seeds", type=count, default=None, help="seeds per battle (override)")
    parser.add_argument(
        "--battles", type=count, default=None, help="play an evenly spread sample of N battles"
    )
    parser.add_argument(
        "--checks",
        default="cdb90,lanchester,turn_length,force_ratio",
        help="comma-separated checks to run (default: all four)",
    )
    parser.add_argument("--data", type=Path, default=None, help="another reference CSV")
    add_coefficient_options(parser)
    parser.set_defaults(handler=run)


def add_coefficient_options(parser: argparse.ArgumentParser) -> None:
    """--set and --coefficients, shared with `python -m engine.reference.sweep`."""
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a rule coefficient for every game (repeatable; `rules.NAME=VALUE` too)",
    )
    parser.add_argument(
        "--coefficients",
        type=Path,
        metavar="FILE",
        help="a YAML mapping of rule coefficient names to values, applied to every game"
        " (--set wins over it)",
    )


def run(args: argparse.Namespace) -> int:
    from ..scenario.errors import ScenarioError
    from .bench import (
        Settings,
        default_workers,
        evaluate,
        load_bands,
        make_jobs,
        run_jobs,
        sample,
        write_check_scenarios,
    )
    from .builder import write_scenarios
    from .coefficients import OverrideError, describe, load_file, parse_sets
    from .data import CDB90_FILE, DataError, find_battle, load_battles

    started = time.perf_counter()
    try:  # a bad file is bad input (1), a bad --set bad usage (2), as elsewhere
        overrides = load_file(args.coefficients) if args.coefficients else {}
    except OverrideError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAIL
    try:
        overrides.update(parse_sets(args.sets))
    except OverrideError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        battles = load_battles(args.data or CDB90_FILE)
        chosen = [find_battle(battles, args.battle)] if args.battle else None
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAIL
    if args.write_scenarios:
        paths = write_scenarios(chosen or battles, args.write_scenarios, rules=overrides)
        print(f"wrote {len(paths)} scenario files to {args.write_scenarios}")
        if not chosen:
            folder = args.write_scenarios / "checks"
            checks = write_check_scenarios(load_bands(), folder, rules=overrides)
            print(f"wrote {len(checks)} check scenarios to {args.write_scenarios / 'checks'}")
        return EXIT_OK
    checks = tuple(c.strip() for c in args.checks.split(",") if c.strip())
    known = ("cdb90", "lanchester", "turn_length", "force_ratio")
    unknown = [c for c in checks if c not in known]
    if unknown:
        print(
            f"error: unknown check(s) {', '.join(unknown)}; expected {', '.join(known)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = Settings.quick() if args.quick else Settings()
    settings = replace(settings, checks=checks, overrides=tuple(sorted(overrides.items())))
    if args.seeds:
        s = args.seeds
        settings = replace(settings, cdb90_seeds=s, lanchester_seeds=s, turn_seeds=s, ratio_seeds=s)
    if args.battles:
        settings = replace(settings, cdb90_battles=args.battles)
    workers = args.workers or default_workers()
    bands = load_bands()
    if overrides:
        print(f"rule coefficients changed for every game: {describe(overrides)}")
    if chosen:
        return _one_battle(chosen[0], settings, workers, args.dask, started)
    played = sample(battles, settings.cdb90_battles)
    jobs = make_jobs(played, settings, bands)
    games = sum(len(j.seeds) for j in jobs)
    print(
        f"playing {games} games ({len(played)} CDB90 battles and the rule checks)"
        f" on {f'Dask {args.dask}' if args.dask else f'{workers} process(es)'} ...",
        flush=True,
    )
    try:
        records = run_jobs(jobs, workers, args.dask)
    except ScenarioError as error:  # a row the builder cannot turn into a valid scenario
        print(f"error: a generic battle is not a valid scenario:\n{error}", file=sys.stderr)
        return EXIT_FAIL
    results = evaluate(played, records, bands, overrides)
    elapsed = time.perf_counter() - started
    from ..atomic import write_atomic
    from .report import markdown_table, print_table, write_html

    print_table(results)
    command = (
        "wargame reference " + " ".join(sys.argv[2:])
        if sys.argv[1:2] == ["reference"]
        else "wargame reference"
    )
    path = write_html(results, args.out, title="Reference bench", command=command, elapsed=elapsed)
    write_atomic(args.out / "figures.md", markdown_table(results))
    failures = results.failures
    judged = sum(f.ok is not None for f in results.figures)
    print(f"{len(failures)} of {judged} figures outside their band; report: {path}")
    print(f"elapsed {elapsed:.1f} s ({games} games, {games / elapsed:.0f} games/s)")
    if args.strict and failures:
        for f in failures:
            print(f"outside band: [{f.check}] {f.name}: {f.off}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _one_battle(battle, settings, workers: int, dask: str | None, started: float) -> int:
    """One battle's engine spread (median and interquartile range over the seeds) beside its
    record."""
    from rich.console import Console
    from rich.table import Table

    from .bench import Job, run_jobs
    from .builder import layout, scenario_text
    from .stats import loss_exchange_ratio, loss_rate_per_day, spread, success

    seeds = max(settings.cdb90_seeds, 20)
    step = max(1, seeds // max(workers, 1))
    jobs = [
        Job(
            f"cdb90:{battle.isqno}",
            scenario_text(battle),
            tuple(range(k, min(k + step, seeds))),
            overrides=settings.overrides,
        )
        for k in range(0, seeds, step)
    ]
    games = run_jobs(jobs, workers, dask)
    plan = layout(battle)
    table = Table(title=f"{battle.name} {battle.year} (CDB90 #{battle.isqno}): {len(games)} games")
    for name in ("figure", "engine: median (IQR)", "record"):
        table.add_column(name)
    for side in ("attacker", "defender"):
        k = side[0]
        men = getattr(battle, f"{side}_men")
        losses = spread(g[f"{k}_loss"] for g in games)
        table.add_row(f"{side} losses", losses.text(1, 0), f"{getattr(battle, f'{side}_losses'):,}")
        rates = spread(loss_rate_per_day(g[f"{k}_loss"], men, battle.duration_days) for g in games)
        record = loss_rate_per_day(getattr(battle, f"{side}_losses"), men, battle.duration_days)
        table.add_row(f"{side} %/day", rates.text(100), f"{100 * record:.2f}")
    ler = spread(loss_exchange_ratio(g["a_loss"], g["d_loss"]) for g in games)
    table.add_row(
        "loss-exchange ratio",
        ler.text(),
        f"{loss_exchange_ratio(battle.attacker_losses, battle.defender_losses):.2f}",
    )
    share = success(sum(g["won"] for g in games), len(games))
    table.add_row(
        "attacker wins",
        f"{share[0]:.2f} ({share[1]:.2f}–{share[2]:.2f})",
        {1: "won", 0: "draw", -1: "lost"}[battle.attacker_won],
    )
    Console().print(table)
    print(
        f"generic battle: {plan.columns} columns of {plan.hex_size_m:g} m hexes,"
        f" {plan.turns} turns of {plan.turn_minutes} min, units of"
        f" {plan.attacker_unit_men[0]:,} (att) and {plan.defender_unit_men[0]:,} (def) men"
    )
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    return EXIT_OK
