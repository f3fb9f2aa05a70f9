"""What a call from Python into a compiled kernel costs before the rule does any work.

    WARGAME_JIT=1 python benchmarks/bench_calls.py [SCENARIO.yaml] [--calls N]

Why this exists: with every rule phase a kernel (docs/speed.md, "Where the port stands"), a
compiled battle is still six times the 5 ms aim, and the profile is flat: the turn is a string
of calls from Python into kernels, and each call hands numba bundles of arrays to unbox. This
prints, for the state of a battle at its middle turn:

- handing each bundle alone to a kernel that reads one number of it (the unboxing alone);
- the phase kernels the turn calls, with the arguments of their first call in a battle, through
  numba's dispatcher, through the compiled entry point of that signature (which skips the
  dispatcher's type matching but still unboxes), and through the engine's `jit.resolved` caller
  where the wrapper uses one (the entry point, found by checking the arguments' types cheaply).
  These calls do their rule's work too, on a state they keep changing: compare the two columns, not
  the rules.

A compiled `play_turn` (stage 4) pays the unboxing once a turn instead of once a call.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from machine import header

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the phase kernels the turn calls from Python: (module, name)
PHASE_KERNELS = (
    ("engine.rules.fire", "fire_phase"),
    ("engine.rules.morale", "morale_step"),
    ("engine.ai.planner", "plan_turn"),
    ("engine.rules.bombardment", "bombard_all"),
    ("engine.rules.assault", "assault_phase"),
    ("engine.rules.movement", "move_phase"),
    ("engine.rules.turn", "sort_orders"),
)


def per_call_us(function, args: tuple, calls: int) -> float:
    """Microseconds a call, the best of three rounds (the machine is shared)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            function(*args)
        best = min(best, (time.perf_counter() - started) / calls * 1e6)
    return best


def capture_first_calls(scenario) -> dict[str, tuple]:
    """Play one battle with each phase kernel wrapped, keeping its first call's arguments."""
    import importlib

    from engine.headless import play

    captured: dict[str, tuple] = {}
    originals = []
    for module_name, name in PHASE_KERNELS:
        module = importlib.import_module(module_name)
        # a wrapper calling its kernel through `jit.resolved` calls it by `_name`
        name = f"_{name}" if hasattr(module, f"_{name}") else name
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name):
            captured.setdefault(_name, (_real, args))
            return _real(*args)

        originals.append((module, name, real))
        setattr(module, name, spy)
    try:
        play(scenario, 1, keep_events=False, detail_events=False)
    finally:
        for module, name, real in originals:
            setattr(module, name, real)
    return captured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "furong_mountain.yaml")
    )
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    from engine.kernels import jit

    if not jit.compiling():
        sys.exit("kernels run interpreted here: set WARGAME_JIT=1 (this measures numba's calls)")
    import numba

    from engine.ai.planner import plan_orders  # noqa: F401  (the planner's kernels made)
    from engine.core.bundles import unit_arrays, works_arrays
    from engine.rules.turn import coefficients_of, end_turn, new_game
    from engine.scenario import load_scenario

    print(header())
    scenario = load_scenario(args.scenario).scenario
    state = new_game(scenario, 1)
    while state.turn < state.total_turns // 2 and not state.finished:
        end_turn(state, [])
    bundles = {
        "UnitArrays": unit_arrays(state.units),
        "WorksArrays": works_arrays(state.works),
        "CoefficientValues": coefficients_of(state).values(),
        "BoardArrays": state.board.arrays,
    }
    first_field = numba.njit(lambda bundle: bundle[0])
    print("handing one bundle to a kernel (unboxing only):")
    for name, bundle in bundles.items():
        first_field(bundle)
        cost = per_call_us(first_field, (bundle,), args.calls)
        print(f"  {name:18} {len(bundle):3} fields  {cost:6.1f} µs")
    print("the phase kernels, their first call of a battle repeated:")
    for name, (caller, call_args) in capture_first_calls(scenario).items():
        kernel = getattr(caller, "kernel", caller)  # under a `resolved` caller, the dispatcher
        entry = kernel.overloads[kernel.signatures[0]].entry_point
        through = per_call_us(kernel, call_args, args.calls)
        direct = per_call_us(entry, call_args, args.calls)
        line = (
            f"  {name.lstrip('_'):14} {len(call_args):2} arguments  dispatcher {through:6.1f} µs"
            f"  entry point {direct:6.1f} µs"
        )
        if caller is not kernel:
            quick = per_call_us(caller, call_args, args.calls)
            line += f"  resolved (as the engine calls it) {quick:6.1f} µs"
        print(line)


if __name__ == "__main__":
    main()
