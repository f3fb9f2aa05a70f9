"""Start-up time of the command line: `wargame validate`, `wargame run` and `wargame warm`, each a
fresh process, the way a person types them (issue 15: validate <= 300 ms on Furong; the first run
of a fresh install under 2 s), with the kernels' cache cold and warm.

    python benchmarks/bench_startup.py [SCENARIO.yaml] [--runs N] [--warm-runs N]

Prints the commit and the machine, then for each command the median and the best of N runs, in
wall time and in CPU time (user + system, of the child process): on a shared machine the wall time
moves with the load and the CPU time much less, so both are shown.

The first run is `wargame run` in a copy of the engine's source with no bytecode cache (a fresh
folder in /tmp, with the checkout's scenarios/, assets/ and docs/ linked beside it), so Python
compiles every engine module as it does the first time after an editable install or a checkout;
the copy is made anew for each of the N first runs, and its kernels' cache is cold, as after any
install. The checkout's own caches are not touched.

The kernels' cache (engine/kernels/jit.py, `WARGAME_JIT=auto`) is a folder of this benchmark's
own (`WARGAME_CACHE_DIR`), never the user's: "kernels cold" is an empty one (the kernels run as
plain Python), "kernels warm" one `wargame warm` filled (they run compiled, numba imported at the
first kernel call). `wargame warm, from cold` is the time to fill an empty one.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent
# Python as a user runs it: writing and reading bytecode caches, whatever this shell says (with
# PYTHONDONTWRITEBYTECODE set, every run would compile the engine from source, as a first run does).
# The kernels' mode and cache folder are the default's (auto, the cache folder `kernel_cache`
# names), not this shell's.
DROPPED = ("PYTHONDONTWRITEBYTECODE", "WARGAME_JIT", "WARGAME_CACHE_DIR", "NUMBA_CACHE_DIR")
ENV = {key: value for key, value in os.environ.items() if key not in DROPPED}
ENV |= {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "MPLBACKEND": "Agg"}


def timed(command: Sequence[str], cwd: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one process running `command` (its output discarded) with the
    kernels' cache folder `cache`; exits if the command fails, since the time of a failure says
    nothing about the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        env=ENV | {"WARGAME_CACHE_DIR": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def fresh_copy(folder: Path) -> Path:
    """The engine's source copied into `folder` without any __pycache__, with the data folders
    linked beside it as in the checkout; `python -m engine` run there imports this copy (the
    current folder comes first on sys.path)."""
    shutil.copytree(
        ROOT / "engine", folder / "engine", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("scenarios", "assets", "docs"):
        if (ROOT / name).is_dir():
            (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return folder


def report(label: str, samples: list[tuple[float, float]]) -> None:
    walls = [wall * 1000 for wall, _ in samples]
    cpus = [cpu * 1000 for _, cpu in samples]
    print(
        f"{label:<30} wall median {statistics.median(walls):6.0f} ms  best {min(walls):6.0f} ms"
        f"   cpu median {statistics.median(cpus):6.0f} ms  best {min(cpus):6.0f} ms"
        f"   ({len(samples)} runs)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "furong_mountain.yaml")
    )
    parser.add_argument("--runs", type=int, default=5, help="processes per figure (5)")
    parser.add_argument(
        "--warm-runs", type=int, default=2, help="`wargame warm` from cold, times (2)"
    )
    args = parser.parse_args(argv)
    scenario = str(Path(args.scenario).resolve())
    python = sys.executable
    print(header())
    validate = [python, "-m", "engine", "validate", scenario]
    run = [python, "-m", "engine", "run", scenario, "--seed", "1"]
    warm = [python, "-m", "engine", "warm"]
    with tempfile.TemporaryDirectory(prefix="wargame-kernels-") as caches:
        cold, hot = Path(caches, "cold"), Path(caches, "warm")
        timed(validate, ROOT, cold)  # the checkout's bytecode cache written, if it was not
        report("validate, kernels cold", [timed(validate, ROOT, cold) for _ in range(args.runs)])
        first = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="wargame-startup-") as folder:
                first.append(timed(run, fresh_copy(Path(folder)), cold))
        report("run --seed 1, first", first)
        report("run --seed 1, kernels cold", [timed(run, ROOT, cold) for _ in range(args.runs)])
        warming = []
        for _ in range(args.warm_runs):
            shutil.rmtree(hot, ignore_errors=True)
            warming.append(timed(warm, ROOT, hot))
        report("wargame warm, from cold", warming)
        report("validate, kernels warm", [timed(validate, ROOT, hot) for _ in range(args.runs)])
        report("run --seed 1, kernels warm", [timed(run, ROOT, hot) for _ in range(args.runs)])
    print(f"load after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
