"""Movement's kernels (engine/rules/movement.py) against the rules as they were written before
the port, and compiled against interpreted.

The goldens march units down time fields, across the river and onto assaults, but in them no
routed unit turns back in the river or drowns and no march strikes a minefield: the marches here
(`marches`) send Furong's units at random goals, across the Chen, into the minefield and the
wire, and rout some of them, so that every path of `march`, `turn_back`, `wade`, `land` and
`drown` is taken, interpreted and compiled.
"""

from __future__ import annotations

import collections
import hashlib
import random
import sys
from pathlib import Path

import numpy as np
from test_kernels import run_compiled

from engine.core.board import build_board
from engine.kernels import jit
from engine.rules import movement
from engine.rules.morale import flee
from engine.rules.movement import (
    _settle_heapq,
    hex_hours_at_1kmh,
    is_trapped,
    move_unit,
)
from engine.rules.turn import coefficients_of, new_game
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
# `marches(seed)` for seeds 0-2, played by the engine before movement became kernels (main at
# 4476a16): the events' reprs and each final state's hash, hashed
MARCHES_BEFORE_THE_PORT = "7fa5ea11a4c127c9"
MARCH_SEEDS = 3


def kernel_source(name: str):
    """A movement kernel as written (its plain function), whatever the process runs."""
    return next(f for f in jit.KERNELS if f.__name__ == name and f.__module__ == movement.__name__)


def marches(seed: int, turns: int = 16) -> tuple[list, object]:
    """Furong's units marched `turns` turns toward goals drawn at random (half of them the
    enemy's rear, across the river), some with zones of control ignored; now and then one routs
    and flees to its rear from then on, and one in the river is sent back to the bank it left.
    Returns (the events, the final state)."""
    state = new_game(load_scenario(FURONG).scenario, seed)
    rng = random.Random(seed)
    board, u = state.board, state.units
    c = coefficients_of(state)
    land = [h for h in range(board.size) if board.passable[h]]
    events: list = []
    for _ in range(turns):
        state.turn += 1
        for i in state.active().nonzero()[0].tolist():
            side = int(u.side[i])
            if not u.routed[i] and rng.random() < 0.08:
                u.routed[i] = True
            if u.routed[i]:
                flee(state, i, state.rears[side], c, events)
            elif u.crossing_hours[i] > 0 and rng.random() < 0.5:
                move_unit(state, i, int(u.crossing_from[i]), c, events)
            else:
                goal = state.rears[1 - side] if rng.random() < 0.5 else rng.choice(land)
                move_unit(state, i, goal, c, events, ignore_zoc=rng.random() < 0.2)
    return events, state


def marches_digest(seeds: int) -> tuple[str, dict[str, int]]:
    """`marches` for seeds 0 .. seeds-1 as one hash, and how many events of each kind they
    made (a crossing turned back counted apart)."""
    kinds: collections.Counter = collections.Counter()
    digest = hashlib.sha256()
    for seed in range(seeds):
        events, state = marches(seed)
        for e in events:
            kinds[type(e).__name__ + ("_back" if getattr(e, "back", False) else "")] += 1
            digest.update(repr(e).encode())
        digest.update(state.state_hash().encode())
    return digest.hexdigest()[:16], dict(kinds)


def field_pauses(board, goals: int = 10, pauses: int = 6) -> list[list[float]]:
    """Time fields toward seeded goals, read after each of several pauses (at seeded hexes) and
    complete: every hex's time or bound, as the engine's `TimeField` holds them."""
    rng = random.Random(77)
    enter = hex_hours_at_1kmh(board, coefficients_of(new_game(load_scenario(FURONG).scenario, 0)))
    out = []
    for _ in range(goals):
        field = movement.TimeField(rng.randrange(board.size), enter, board)
        for _ in range(pauses):
            out.append([float(t) for t in field.settled(rng.randrange(board.size))])
        out.append(list(map(float, field.complete())))
    return out


def test_marches_are_the_marches_before_the_port() -> None:
    digest, kinds = marches_digest(MARCH_SEEDS)
    for kind in ("Moved", "Crossing", "Crossing_back", "Drowned", "MineStruck"):
        assert kinds.get(kind, 0) > 0, kinds  # every path of the kernels is taken
    assert digest == MARCHES_BEFORE_THE_PORT


def test_the_settle_kernel_pauses_where_heapq_paused() -> None:
    """The kernel's array heap, run as written, holds at every pause what Python's heapq search
    (the interpreted `settle`, the engine's search before the port) holds: times and bounds to
    the bit, the same hexes settled, the same number of entries queued."""
    board = build_board(load_scenario(FURONG).scenario)
    enter = hex_hours_at_1kmh(board, coefficients_of(new_game(load_scenario(FURONG).scenario, 0)))
    table = board.neighbor_table
    settle = kernel_source("settle")
    rng = random.Random(3)
    size = board.size
    for _ in range(25):
        goal = rng.randrange(size)
        times, done = np.full(size, np.inf), np.zeros(size, dtype=np.bool_)
        costs, hexes = np.empty(6 * size + 1), np.empty(6 * size + 1, dtype=np.int64)
        times[goal], costs[0], hexes[0] = 0.0, 0.0, goal
        counts = np.ones(1, dtype=np.int64)
        plain_times, plain_done, queue = [np.inf] * size, [False] * size, [(0.0, goal)]
        plain_times[goal] = 0.0
        plain_counts = np.ones(1, dtype=np.int64)
        for until in [rng.randrange(size) for _ in range(5)] + [-1]:
            settle(times, done, costs, hexes, counts, enter, table, until)
            _settle_heapq(
                plain_times, plain_done, queue, None, plain_counts, enter.tolist(),
                board.neighbors, until,
            )  # fmt: skip
            assert times.tolist() == plain_times
            assert done.tolist() == plain_done
            assert counts[0] == plain_counts[0] == len(queue)
            queued = int(counts[0])
            # the same heap, entry for entry: heapq's order of pops from here on
            entries = zip(costs[:queued].tolist(), hexes[:queued].tolist(), strict=True)
            assert list(entries) == queue
        assert counts[0] == 0 and np.isfinite(times).any()


def test_trapped_is_no_free_way_out_of_the_zone() -> None:
    """`is_trapped` over seeded enemy positions on Furong, against the rule read from the sets:
    no neighbour to enter that the enemy does not hold, or every such neighbour and the hex
    itself in the enemy's zone."""
    board = build_board(load_scenario(FURONG).scenario)
    table = board.neighbor_table
    rng = random.Random(11)
    seen = set()
    for _ in range(300):
        held = set(rng.sample(range(board.size), rng.randrange(1, 400)))
        zone = {n for h in held for n in board.neighbors[h] if rng.random() < 0.9}
        held_mask = np.zeros(board.size, dtype=np.bool_)
        held_mask[list(held)] = True
        zone_mask = np.zeros(board.size, dtype=np.bool_)
        zone_mask[list(zone)] = True
        for here in rng.sample(range(board.size), 30):
            free = [n for n in board.neighbors[here] if n not in held and board.passable[n]]
            expected = not free or (all(n in zone for n in free) and here in zone)
            got = is_trapped(here, table, board.passable, held_mask, zone_mask)
            assert bool(got) == expected
            seen.add(expected)
    assert seen == {True, False}


def test_compiled_movement_is_the_interpreted_movement(tmp_path: Path) -> None:
    """The marches and the time fields (paused and complete), compiled (with array bounds
    checked) as interpreted."""
    script = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from engine.rules import movement\n"
        "assert type(movement.march).__name__ == 'CPUDispatcher'\n"
        "from test_movement_kernels import FURONG, field_pauses, marches_digest\n"
        "from engine.core.board import build_board\n"
        "from engine.scenario import load_scenario\n"
        "seeds = json.load(sys.stdin)\n"
        "board = build_board(load_scenario(FURONG).scenario)\n"
        "print(json.dumps([marches_digest(seeds), field_pauses(board)]))\n"
    )
    compiled = run_compiled(script, MARCH_SEEDS, tmp_path)
    board = build_board(load_scenario(FURONG).scenario)
    digest, kinds = marches_digest(MARCH_SEEDS)
    assert compiled[0] == [digest, kinds]
    assert compiled[1] == field_pauses(board)


if __name__ == "__main__":  # the pinned digest, from whatever engine is on the path
    print(marches_digest(int(sys.argv[1]) if len(sys.argv) > 1 else MARCH_SEEDS))
