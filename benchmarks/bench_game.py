"""Milliseconds per whole battle and per turn, one process, the computer on both sides.

    python benchmarks/bench_game.py [SCENARIO.yaml ...] [--games N] [--profile] [--kernels]

Prints the commit and the machine so that figures from different days can be compared. The first
game of a scenario also builds the board (route fields, sight lines) that later games share; it is
timed separately as the warm-up. The CPU time per battle and the quickest round of ten battles are
printed beside the mean: on a shared machine, whose speed drifts, the best round is the steadiest;
`bench_instructions.py` gives a figure the load cannot move at all. `--profile` plays the battles
again under cProfile and prints where the time goes (the engine's functions, by cumulative and by
own time). `--kernels` plays them again timing every call from Python into a kernel (the
CPU time of this thread, so the load of other processes does not count) and prints each kernel's
calls, milliseconds per battle and microseconds per call, and what is left outside the kernels:
the split a compiled turn (docs/speed.md, stage 4) changes. Each scenario's line is followed by
the same battles played as a batch worker plays them, one after another in one game started
again with each seed (`headless.Battles`: no new game's setup), by CPU time.
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

from engine.headless import Battles, play  # noqa: E402
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
    parser.add_argument(
        "--kernels", action="store_true", help="also print the CPU time spent in each kernel"
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
        # The batch worker's way: each battle the last one's game started again (Battles).
        battles = Battles()
        battles.play(scenario, 0)
        cpu_started = time.process_time()
        for seed in range(1, args.games + 1):
            battles.play(scenario, seed)
        again = (time.process_time() - cpu_started) * 1000 / args.games
        print(
            f"  one after another in one game (headless.Battles, a batch worker's way): CPU"
            f" {again:.2f} ms per battle = {1000 / again:.0f} battles/s on one core"
        )
        if args.profile:
            profile(scenario, args.games)
        if args.kernels:
            kernel_times(scenario, args.games)


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


def kernel_times(scenario, games: int) -> None:
    """CPU time inside each kernel a battle calls from Python, against the whole battle's. The
    phase kernels are called through `jit.resolved` callers, timed there with the callers' own
    type checks (a compiled turn would not make them either); every other kernel a module calls
    from Python, through numba's dispatcher, is timed by a stand-in put in that module's name
    for it once the first battle has compiled what the battles call (kernels calling kernels
    inside compiled code are not seen: they count in their caller)."""
    import sys
    from collections import defaultdict

    from engine.kernels import jit

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    clock = time.thread_time

    def timing(name: str, call):
        def timed(*args):
            started = clock()
            try:
                return call(*args)
            finally:
                spent[name] += clock() - started
                calls[name] += 1

        return timed

    resolved_call = jit._Resolved.__call__
    jit._Resolved.__call__ = lambda caller, *args: timing(
        caller.py_func.__name__, lambda *a: resolved_call(caller, *a)
    )(*args)
    swapped = []  # (module, name, dispatcher)
    compiled = {id(d): d for d in map(jit.compiled_version, jit.KERNELS) if d is not None}
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("engine."):
            continue
        for name, value in list(vars(module).items()):
            if compiled.get(id(value)) is value:
                swapped.append((module, name, value))
                setattr(module, name, timing(value.py_func.__name__, value))
    try:
        started = clock()
        for seed in range(1, games + 1):
            play(scenario, seed, keep_events=False, detail_events=False)
        whole = (clock() - started) * 1000 / games
    finally:
        jit._Resolved.__call__ = resolved_call
        for module, name, value in swapped:
            setattr(module, name, value)
    inside = sum(spent.values()) * 1000 / games
    mode = "compiled" if jit.compiling() else "plain Python"
    print(
        f"-- kernels ({mode}): {whole:.1f} ms CPU a battle (timed), {inside:.1f} ms inside"
        f" {sum(calls.values()) / games:.0f} kernel calls from Python, {whole - inside:.1f} ms"
        " outside --"
    )
    for name in sorted(spent, key=spent.__getitem__, reverse=True):
        print(
            f"  {name:24s} {calls[name] / games:6.1f} calls {spent[name] * 1000 / games:7.2f} ms"
            f" {spent[name] / calls[name] * 1e6:8.1f} µs a call"
        )


if __name__ == "__main__":
    main()
