"""Fit throughput: simulations per second during a `wargame fit` (ABC-SMC, pyabc), on one
core, on all cores (pyabc's multicore sampler) and on a Dask LocalCluster (its Dask sampler),
and the parallel efficiency (rate on K cores / (K x rate on one)).

    python benchmarks/bench_fit.py                       # 12 reference battles, 2 generations
    python benchmarks/bench_fit.py --battles 4 --population 12 --generations 1   # a quick look

Each run is the same fit (the coefficients and fit set of `wargame fit`'s docs example, a fresh
database each time) through `engine.fit.run.run_abc`: the model is the one the command runs. A
simulation is one particle's games (battles x seeds). The rate counts every simulation pyabc
ran, the calibration sample included, over the whole run's wall time: start-up (worker
processes, pyabc's import, the first parse of each battle in each worker) is part of what a
user waits for. Needs the fit extra.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from engine.fit.model import Model, build_fit_set  # noqa: E402
from engine.fit.priors import choose, load_priors  # noqa: E402
from engine.fit.run import run_abc  # noqa: E402
from engine.sim.executors import default_workers  # noqa: E402

COEFFICIENTS = (
    "fire_casualties_per_firepower_hour,firepower_machine_gun,"
    "close_fire_casualties_per_firepower_hour,melee_rate,break_point_mean"
)


def one(args: argparse.Namespace, workers: int, dask: str | None) -> tuple[int, float]:
    """(simulations, seconds) of one fit."""
    priors = choose(args.coefficients.split(","), load_priors())
    fit_set = build_fit_set(battles=args.battles, seeds=args.seeds)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        history = run_abc(
            Model(fit_set),
            priors,
            fit_set.observed,
            Path(folder),
            population=args.population,
            generations=args.generations,
            workers=workers,
            dask=dask,
        )
        seconds = time.perf_counter() - started
        frame = history.get_all_populations()
        return int(frame["samples"].sum()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coefficients", default=COEFFICIENTS)
    parser.add_argument("--battles", type=int, default=12)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    rows = []
    for label, workers, dask in (
        ("1 core", 1, None),
        (f"{args.workers} cores (multicore sampler)", args.workers, None),
        *(
            []
            if args.no_dask
            else [(f"Dask LocalCluster, {args.workers} workers", args.workers, "local")]
        ),
    ):
        simulations, seconds = one(args, workers, dask)
        rows.append((label, workers, simulations, seconds, simulations / seconds))
        print(f"{label}: {simulations} simulations in {seconds:.1f} s", flush=True)
    base = rows[0][4]
    print(
        f"\nfit set: {args.battles} battles x {args.seeds} seed(s); population {args.population},"
        f" {args.generations} generations"
    )
    print("| sampler | simulations | seconds | simulations/s | efficiency |")
    print("| --- | --- | --- | --- | --- |")
    for label, workers, simulations, seconds, rate in rows:
        print(
            f"| {label} | {simulations} | {seconds:.1f} | {rate:.2f} |"
            f" {rate / (workers * base):.0%} |"
        )


if __name__ == "__main__":
    main()
