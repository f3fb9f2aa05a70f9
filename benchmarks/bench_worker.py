"""What a batch worker spends on a battle beyond the battle: CPU milliseconds a battle of
`run_chunk` plus `write_part` (what a pool worker and the runner do for each chunk) against the
same battles played by bare `play` calls, and where the difference goes.

    WARGAME_JIT=1 python benchmarks/bench_worker.py [--scenario S.yaml] [--games 300]
        [--chunk 50] [--rounds 3] [--profile] [--cold]

One process plays the batch's battles (seeds, overrides, AI modes as `wargame batch` gives them)
in chunks of `--chunk`, then the same battles again through `play` alone, `--rounds` times each,
alternated; the best round of each counts (CPU time: on a shared machine other work slows whichever
round it lands on). The split times the parts of the worker's round: the game's setup (`Game`
made), the play itself, the metrics (`plan_values`), the rows and table (the rest of
`run_chunk`), the chunk file (`write_part`). `--profile` prints a cProfile of one worker round;
`--cold` also times, in a fresh process, what a pool worker pays once: the imports, the first
battle (numba's cache loaded, the board's tables built) and its chunk.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from machine import header  # noqa: E402

import engine.game  # noqa: E402
import engine.restart  # noqa: E402
import engine.sim.worker as worker  # noqa: E402
from engine.headless import play  # noqa: E402
from engine.sim.aimodes import by_index  # noqa: E402
from engine.sim.plan import make_plan  # noqa: E402
from engine.sim.results import write_part  # noqa: E402
from engine.sim.seeds import battle_seed  # noqa: E402

PARTS = ("setup", "play", "metrics", "rows", "chunk file")


class Timers:
    """CPU seconds spent inside a few of the worker's callees, by part: each is wrapped in
    place for the round and put back after."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._restore: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str, part: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        seconds = self.seconds

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[part] += time.process_time() - started

        self._restore.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self) -> Timers:
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "furong_mountain.yaml"))
    parser.add_argument("--games", type=int, default=300)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of a round")
    parser.add_argument("--cold", action="store_true", help="time a fresh worker's first chunk")
    args = parser.parse_args()
    print(header())
    folder = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    plan = make_plan(args.scenario, folder / "out", games=args.games, batch_seed=1)
    tasks = plan.tasks({}, args.chunk)
    metadata = plan.metadata()
    (plan.out / "battles").mkdir(parents=True, exist_ok=True)
    first = tasks[0]
    scenario = worker._load(first.text, first.run_scenario)
    ai_modes = by_index(first.ai, scenario) or None
    overrides = dict(first.overrides) or None
    worker.run_chunk(plan.task(plan.arms[0], 0, 0))  # the board's tables, numba's cache

    def batch() -> None:
        for task in tasks:
            write_part(plan.out, worker.run_chunk(task), metadata)

    def bare() -> None:
        for task in tasks:
            for index in range(task.first, task.last + 1):
                seed = battle_seed(task.batch_seed, index)
                play(
                    scenario,
                    seed,
                    overrides=overrides,
                    ai_modes=ai_modes,
                    keep_events=False,
                    detail_events=False,
                )

    best: dict[str, float] = {"worker": float("inf"), "play": float("inf")}
    split: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in (("worker", batch), ("play", bare)):
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
        with Timers() as timers:
            timers.wrap(engine.game.Game, "__init__", "setup")
            timers.wrap(engine.restart.GameStart, "again", "setup")
            timers.wrap(worker.Battles, "play", "play")
            timers.wrap(worker, "plan_values", "metrics")
            started = time.process_time()
            for task in tasks:
                table = worker.run_chunk(task)
                chunk_started = time.process_time()
                write_part(plan.out, table, metadata)
                timers.seconds["chunk file"] += time.process_time() - chunk_started
            total = time.process_time() - started
        parts = dict(timers.seconds)
        parts["play"] -= parts.get("setup", 0.0)
        parts["rows"] = total - sum(parts.values())
        if not split or total < sum(split.values()):
            split = parts
    games = sum(task.count for task in tasks)
    ms = {name: 1000 * seconds / games for name, seconds in best.items()}
    print(
        f"{Path(args.scenario).name}, {games} battles in chunks of {args.chunk}, best of"
        f" {args.rounds} rounds (CPU): worker {ms['worker']:.2f} ms a battle, bare play"
        f" {ms['play']:.2f}: overhead {ms['worker'] - ms['play']:.2f} ms a battle"
    )
    print(
        "split of the quickest timed worker round (ms a battle): "
        + ", ".join(f"{part} {1000 * split.get(part, 0.0) / games:.2f}" for part in PARTS)
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        batch()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    if args.cold:
        cold(args.scenario)


COLD = """
import sys, time, tempfile
from pathlib import Path
started = time.process_time()
sys.path.insert(0, {root!r})
import engine.sim.worker as worker
import engine.sim.compiler_preload  # as the forkserver preloads it
from engine.sim.plan import make_plan
from engine.sim.results import write_part
imported = time.process_time()
plan = make_plan({scenario!r}, Path(tempfile.mkdtemp()) / "out", games=2, batch_seed=1)
planned = time.process_time()
write_part(plan.out, worker.run_chunk(plan.task(plan.arms[0], 0, 0)), plan.metadata())
first = time.process_time()
write_part(plan.out, worker.run_chunk(plan.task(plan.arms[0], 1, 1)), plan.metadata())
second = time.process_time()
print(f"{{imported - started:.3f}} {{first - planned:.3f}} {{second - first:.3f}}")
"""


def cold(scenario: str) -> None:
    """A fresh process's imports (the worker module and the compiler, as the forkserver preloads
    them) and its first one-battle chunk, against its second: what each pool worker pays once."""
    code = COLD.format(root=str(ROOT), scenario=scenario)
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append([float(x) for x in done.stdout.split()])
    imports, first_chunk, second_chunk = (min(column) for column in zip(*runs, strict=True))
    print(
        f"a fresh worker (best of 3, CPU): imports {imports:.2f} s, first one-battle chunk"
        f" {first_chunk:.2f} s, the second {1000 * second_chunk:.1f} ms: about"
        f" {first_chunk - second_chunk:.2f} s once per worker process"
    )


if __name__ == "__main__":
    main()
