"""Milliseconds per whole battle and per turn, one process, the computer on both sides.

    python benchmarks/bench_game.py [SCENARIO.yaml ...] [--games N] [--profile]

Prints the commit and the machine so that figures from different days can be compared. The first
game of a scenario also builds the board (route fields, sight lines) that later games share; it is
timed separately as the warm-up. The CPU time per battle and the quickest round of ten battles are
printed beside the mean: on a shared machine, whose speed drifts, the best round is the steadiest;
`bench_instructions.py` gives a figure the load cannot move at all. `--profile` plays the battles
again under cProfile and prints where the time goes (the engine's functions, by cumulative and by
own time).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.headless import play  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402


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
    parser.add_argument("--games", type=int, default=50)
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of the battles"
    )
    args = parser.parse_args()
    print(header())
    for path in args.scenarios:
        scenario = load_scenario(path).scenario
        started = time.perf_counter()
        play(scenario, 0, keep_events=False, detail_events=False)
        warm = (time.perf_counter() - started) * 1000
        times, turns = [], 0
        cpu_started = time.process_time()
        for seed in range(1, args.games + 1):
            started = time.perf_counter()
            record = play(scenario, seed, keep_events=False, detail_events=False)
            times.append((time.perf_counter() - started) * 1000)
            turns += record.state.turn
        cpu = (time.process_time() - cpu_started) * 1000 / args.games
        per_game = statistics.mean(times)
        per_turn = sum(times) / turns
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        # The quickest round of ten battles: on a shared machine the steadiest of these figures.
        rounds = [statistics.mean(times[k : k + 10]) for k in range(0, len(times) - 9, 10)]
        best = f"; best round of 10 {min(rounds):.1f}" if rounds else ""
        print(
            f"{Path(path).name}: {per_game:.1f} ms per battle (median {median:.1f},"
            f" p90 {p90:.1f}; CPU {cpu:.1f}{best}) = {1000 / cpu:.0f} battles/s on one core"
            f" by CPU time, {per_turn:.2f} ms per turn, {args.games} battles; first battle"
            f" with board build {warm:.0f} ms"
        )
        if args.profile:
            profile(scenario, args.games)


def profile(scenario, games: int) -> None:
    """Where a battle's time goes: the engine's functions under cProfile (which inflates small
    functions; compare shares, not milliseconds)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for seed in range(1, games + 1):
        play(scenario, seed, keep_events=False, detail_events=False)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(r"engine[/\\](rules|ai|core)", 15)
        body = out.getvalue()
        print(f"-- by {order} --")
        print(body[body.index("ncalls") :].rstrip())


if __name__ == "__main__":
    main()
