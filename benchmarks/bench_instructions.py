"""Machine instructions per whole battle, counted by valgrind's callgrind: a figure that does not
move with the load on a shared machine, for comparing two versions of the turn loop.

    python benchmarks/bench_instructions.py [SCENARIO.yaml] [--games N]

It runs the battle loop twice under callgrind, with 1 and with 1 + N battles after the board is
built, and prints the difference per battle (so loading, imports and the board build drop out).
Slow: about a minute per run for Furong Mountain. Needs `valgrind` on the PATH.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent

PLAY = """
import sys
sys.path.insert(0, {root!r})
from engine.headless import play
from engine.scenario import load_scenario
scenario = load_scenario({path!r}).scenario
for seed in range({games}):
    play(scenario, seed, keep_events=False, detail_events=False)
"""


def instructions(path: str, games: int) -> int:
    """Instructions callgrind counts for loading `path` and playing `games` battles."""
    code = PLAY.format(root=str(ROOT), path=path, games=games)
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no total:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "furong_mountain.yaml")
    )
    parser.add_argument("--games", type=int, default=5, help="battles counted (5)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed; bench_game.py gives times instead")
    print(header())
    base = instructions(args.scenario, 1)
    more = instructions(args.scenario, 1 + args.games)
    per_battle = (more - base) / args.games
    print(f"{Path(args.scenario).name}: {per_battle / 1e6:.1f} M instructions per battle")


if __name__ == "__main__":
    main()
