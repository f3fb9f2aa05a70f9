"""Milliseconds per whole battle and per turn, one process, the computer on both sides.

    python benchmarks/bench_game.py [SCENARIO.yaml ...] [--games N]

Prints the commit and the machine so that figures from different days can be compared. The first
game of a scenario also builds the board (route fields, sight lines) that later games share; it is
timed separately as the warm-up.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.headless import play  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


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
    args = parser.parse_args()
    print(
        f"commit {commit()}  python {platform.python_version()}  {platform.machine()}"
        f"  {os.cpu_count()} cores  {platform.processor() or platform.platform()}"
    )
    for path in args.scenarios:
        scenario = load_scenario(path).scenario
        started = time.perf_counter()
        play(scenario, 0, keep_events=False)
        warm = (time.perf_counter() - started) * 1000
        times, turns = [], 0
        for seed in range(1, args.games + 1):
            started = time.perf_counter()
            record = play(scenario, seed, keep_events=False)
            times.append((time.perf_counter() - started) * 1000)
            turns += record.state.turn
        per_game = statistics.mean(times)
        per_turn = sum(times) / turns
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        print(
            f"{Path(path).name}: {per_game:.1f} ms per battle (median {median:.1f},"
            f" p90 {p90:.1f}), {per_turn:.2f} ms per turn, {args.games} battles;"
            f" first battle with board build {warm:.0f} ms"
        )


if __name__ == "__main__":
    main()
