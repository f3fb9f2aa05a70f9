"""µs per call of the computer player's `plan_orders(state, side, mode)` as a game asks for it.

    python benchmarks/bench_planner.py [SCENARIO.yaml ...] [--games N] [--rounds R] [--mode plan]
    WARGAME_JIT=1 python benchmarks/bench_planner.py ...      # the kernels compiled

Plays `--games` battles of each scenario with the computer on both sides and times every call
(CPU time, `time.process_time`), both sides together; prints the best of `--rounds` passes over
the same games (the machine is shared: the best pass is the steadiest). The first game of a
scenario, which builds what its games share (time fields, the plan's tables), is played once
before the passes and not timed.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.game import Game  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402


def one_pass(scenario, seeds: range, mode: str) -> tuple[float, int]:
    """(CPU seconds in plan_orders, calls) over the games of `seeds`."""
    spent, calls = 0.0, 0
    for seed in seeds:
        game = Game(scenario, seed, keep_events=False, detail_events=False)
        while not game.over:
            for side in (0, 1):
                started = time.process_time()
                orders = game.computer_orders(side, mode)
                spent += time.process_time() - started
                calls += 1
                game.apply_orders(side, orders)
            game.end_turn()
    return spent, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenarios",
        nargs="*",
        default=[
            str(ROOT / "scenarios" / "furong_mountain.yaml"),
            str(ROOT / "scenarios" / "shigehiro_pocket.yaml"),
        ],
    )
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", default="plan", choices=("plan", "adaptive"))
    args = parser.parse_args()
    print(header())
    for path in args.scenarios:
        scenario = load_scenario(path)
        one_pass(scenario, range(0, 1), args.mode)  # the scenario's shared caches, compiling
        best, calls = math.inf, 0
        for _ in range(args.rounds):
            spent, calls = one_pass(scenario, range(1, args.games + 1), args.mode)
            best = min(best, spent)
        print(
            f"{Path(path).stem}: plan_orders mode {args.mode}, {1e6 * best / calls:.1f} µs a call"
            f" (best of {args.rounds} passes, {calls} calls a pass, both sides)"
        )


if __name__ == "__main__":
    main()
