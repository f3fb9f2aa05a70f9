"""CPU cost of line of sight: one cache miss and one hit of `line_of_sight`, and every pair.

    python benchmarks/bench_sight.py [SCENARIO.yaml] [--rounds 5] [--sample 3000]
    WARGAME_JIT=1 python benchmarks/bench_sight.py ...     # the compiled kernels, from Python

A cache miss is what a battle pays the first time it asks whether two hexes see each other;
`line_of_sight` is timed on a seeded sample of pairs at least two hexes apart (nearer pairs
never miss), with the per-pair cache emptied before each round; a hit is the same pairs asked
again (what every battle after a board's first mostly pays). "Whole board" asks every pair
of hexes once at clearance 0, from an empty cache. Figures are CPU time (`time.process_time`),
the best of `--rounds` rounds: the machine is shared and the best round is the steadiest. With
`WARGAME_JIT=1` a warm-up call compiles (or loads from numba's cache) before timing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import hexgrid  # noqa: E402
from engine.core.board import build_board  # noqa: E402
from engine.rules.sight import line_of_sight  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402


def best_cpu(run, rounds: int) -> float:
    """The least CPU time of `rounds` calls of `run`, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "furong_mountain.yaml")
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=3000)
    args = parser.parse_args()
    print(header())
    board = build_board(load_scenario(args.scenario).scenario)
    hexes = [hexgrid.Hex(int(q), int(r)) for q, r in zip(board.q, board.r, strict=True)]
    far = [
        (a, b)
        for a in range(board.size)
        for b in range(a + 1, board.size)
        if hexgrid.distance(hexes[a], hexes[b]) >= 2
    ]
    sample = random.Random(15).sample(far, args.sample)
    line_of_sight(board, *sample[0])  # compiles, or loads numba's cache, when WARGAME_JIT=1

    def misses() -> None:
        board.memo.clear()
        for a, b in sample:
            line_of_sight(board, a, b, 0.0)

    def hits() -> None:
        for a, b in sample:
            line_of_sight(board, a, b, 0.0)

    def whole_board() -> None:
        board.memo.clear()
        for a in range(board.size):
            for b in range(a + 1, board.size):
                line_of_sight(board, a, b, 0.0)

    miss = best_cpu(misses, args.rounds) / len(sample)
    hit = best_cpu(hits, args.rounds) / len(sample)  # the last round of misses filled the cache
    pairs = board.size * (board.size - 1) // 2
    whole = best_cpu(whole_board, args.rounds)
    print(
        f"{Path(args.scenario).name}: one cache miss {miss * 1e6:.2f} us,"
        f" one hit {hit * 1e6:.3f} us (mean over {len(sample)} pairs 2+ hexes apart);"
        f" every pair ({pairs}) {whole:.2f} s; CPU, best of {args.rounds}"
    )


if __name__ == "__main__":
    main()
