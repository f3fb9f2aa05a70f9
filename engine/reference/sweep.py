"""Fit a rule coefficient on the bench: play the reference at each of several values of one
coefficient and print, for each value, every judged figure's number and whether it is inside its
band, so a coefficient is fitted to the bench (never to the four scenarios' figures), and the fit
can be re-run by anyone with the same command.

    python -m engine.reference.sweep fire_casualties_per_firepower_hour --values 0.01,0.02,0.03
    python -m engine.reference.sweep NAME --values a,b,c --checks cdb90 --quick -j 2
    python -m engine.reference.sweep NAME --values a,b --set OTHER=V --coefficients FILE

Each value is a full bench run (`wargame reference` with `--set NAME=VALUE` over any other
`--set`/`--coefficients`), with the same seeds, so the differences between columns are the
coefficient's alone. The table's cells are the figure's judged number (casualty rates in %/day,
exchange ratios, success shares, the square law's error as a share of A, the turn-length
check's larger relative difference, the force-ratio curve's largest success step) with `*` when
the figure is outside its band. `--json FILE` also writes every figure of every value.

Exit codes: 0 done, 1 bad input (a coefficients file), 2 bad usage (a name, a value).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..arguments import count
from ..atomic import write_atomic
from ..exit_codes import ExitCode
from ..overrides import parse_override
from .coefficients import OverrideError, describe, load_file, parse_sets


def parse_values(text: str) -> list[float]:
    """`a,b,c` as numbers; ValueError naming the one that is not."""
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise ValueError(f"--values {text}: '{part}' is not a number") from None
    if not values:
        raise ValueError(f"--values {text}: expected numbers separated by commas, e.g. 0.5,1,2")
    return values


def build_parser() -> argparse.ArgumentParser:
    from .command import add_coefficient_options

    parser = argparse.ArgumentParser(
        prog="python -m engine.reference.sweep",
        description="Play the reference bench at each value of one rule coefficient and print"
        " every judged figure for each value (fit a coefficient on the bench).",
    )
    parser.add_argument("name", help="the rule coefficient to vary (see docs/rules.md)")
    parser.add_argument("--values", required=True, help="values to try, comma-separated")
    parser.add_argument("--quick", action="store_true", help="a sample of battles, few seeds")
    parser.add_argument("--checks", default="cdb90,lanchester,turn_length,force_ratio")
    parser.add_argument("--seeds", type=count, default=None, help="seeds per battle (override)")
    parser.add_argument("--battles", type=count, default=None, help="an evenly spread sample")
    parser.add_argument("--workers", "-j", type=count, default=None, help="processes")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here too")
    add_coefficient_options(parser)
    return parser


def sweep(
    name: str,
    values: list[float],
    settings: Any,
    workers: int,
    base: dict[str, float] | None = None,
) -> list[tuple[float, Any]]:
    """The bench's results at each value of `name` (over `base`, the other overrides)."""
    from .bench import evaluate, load_bands, make_jobs, run_jobs, sample
    from .data import CDB90_FILE, load_battles

    bands = load_bands()
    played = sample(load_battles(CDB90_FILE), settings.cdb90_battles)
    out = []
    for value in values:
        overrides = {**(base or {}), name: value}
        run = replace(settings, overrides=tuple(sorted(overrides.items())))
        records = run_jobs(make_jobs(played, run, bands), workers)
        out.append((value, evaluate(played, records, bands, overrides)))
    return out


def table_rows(name: str, runs: list[tuple[float, Any]]) -> list[list[str]]:
    """The sweep's table as text cells: a header row, then one row per judged figure, then the
    count of figures outside their band."""
    header = ["check", "figure"] + [f"{v:g}" for v, _ in runs]
    keys: list[tuple[str, str]] = []
    for _, results in runs:
        for f in results.figures:
            if f.ok is not None and (f.check, f.name) not in keys:
                keys.append((f.check, f.name))
    rows = [header]
    for check, figure in keys:
        cells = [check, figure]
        for _, results in runs:
            found = next((f for f in results.figures if (f.check, f.name) == (check, figure)), None)
            if found is None:
                cells.append("")
                continue
            number = "—" if found.value is None else f"{found.value:.3g}"
            cells.append(number + ("" if found.ok else " *"))
        rows.append(cells)
    rows.append(["", "outside band"] + [str(len(r.failures)) for _, r in runs])
    return rows


def main(argv: list[str] | None = None) -> int:
    from .bench import Settings, default_workers

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        base = load_file(args.coefficients) if args.coefficients else {}
    except OverrideError as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        base.update(parse_sets(args.sets))
        values = parse_values(args.values)
        name = args.name.removeprefix("rules.")
        for value in values:  # the name, and each value within the coefficient's bounds
            parse_override(f"{name}={value!r}", "sweep")
    except (OverrideError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.USAGE
    checks = tuple(c.strip() for c in args.checks.split(",") if c.strip())
    settings = replace(Settings.quick() if args.quick else Settings(), checks=checks)
    if args.seeds:
        s = args.seeds
        settings = replace(settings, cdb90_seeds=s, lanchester_seeds=s, turn_seeds=s, ratio_seeds=s)
    if args.battles:
        settings = replace(settings, cdb90_battles=args.battles)
    started = time.perf_counter()
    print(
        f"sweeping {name} over {', '.join(f'{v:g}' for v in values)}"
        + (f"; also changed: {describe(base)}" if base else ""),
        flush=True,
    )
    runs = sweep(name, values, settings, args.workers or default_workers(), base)
    from rich.console import Console
    from rich.table import Table

    rows = table_rows(name, runs)
    table = Table(title=f"sweep of {name}: judged figures (* outside the band)")
    for column in rows[0]:
        table.add_column(column, overflow="fold")
    for row in rows[1:]:
        table.add_row(*row)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    if args.json:
        payload = {
            "name": name,
            "base": base,
            "runs": [
                {
                    "value": value,
                    "outside": len(results.failures),
                    "figures": [
                        {
                            "check": f.check,
                            "figure": f.name,
                            "value": f.value,
                            "ok": f.ok,
                            "engine": f.engine,
                            "off": f.off,
                        }
                        for f in results.figures
                    ],
                }
                for value, results in runs
            ],
        }
        write_atomic(args.json, json.dumps(payload, indent=1) + "\n")
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
