"""The board as arrays (stage 1 of the port, docs/speed.md), on every shipped scenario's board.

The kernels read the board without Python objects: the neighbour table (hex x 6), the rivers
per hex, distances (`hex_distance`) and line of sight with its cache as an int8 matrix
(`sight_known`, `SightCache`). Each is held equal to what the Python rules use, for every hex
(or every pair of hexes) of every board; the compiled kernels are held equal to the interpreted
ones in a process that compiles (`run_compiled` of tests/test_kernels.py).
"""

from __future__ import annotations

import copy
import pickle
import random
from pathlib import Path

import numpy as np
import pytest
from test_kernels import (
    ROOT,
    SIGHT_CLEARANCES,
    every_pair,
    kernel_sight,
    run_compiled,
    sight_as_before_the_kernel,
)

from engine import hexgrid
from engine.core.board import BOARD_ARRAYS, Board, build_board, hex_distance
from engine.rules import sight
from engine.rules.coefficients import coefficients
from engine.rules.movement import hex_hours_at_1kmh
from engine.rules.sight import (
    EYE_HEIGHT_M,
    SightCache,
    line_of_sight,
    sight_known,
)
from engine.scenario import load_scenario

SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
# Furong's every pair is checked in tests/test_kernels.py; these are the other boards
OTHER_THAN_FURONG = [name for name in SCENARIOS if name != "furong_mountain.yaml"]


def board_of(name: str) -> Board:
    return build_board(load_scenario(ROOT / "scenarios" / name).scenario)


@pytest.fixture(scope="module")
def numba_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One numba cache for this module's compiled runs, so each kernel compiles once."""
    return tmp_path_factory.mktemp("numba_cache")


def compiled_call(function: str, kernel: str, given: list, cache: Path) -> object:
    """`function(*given)` of this module run in a process that compiles its kernels, which checks
    first that `kernel` ("module:name") is compiled there."""
    module, name = kernel.split(":")
    script = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests')\n"
        f"from test_kernels_board import {function} as function\n"
        f"from {module} import {name} as kernel\n"
        "assert type(kernel).__name__ == 'CPUDispatcher', type(kernel)\n"
        "print(json.dumps(function(*json.load(sys.stdin))))\n"
    )
    return run_compiled(script, given, cache)


def test_the_shipped_scenarios_are_the_four_boards_measured() -> None:
    sizes = {name: board_of(name).size for name in SCENARIOS}
    assert sizes == {
        "division_47_relief.yaml": 720,
        "furong_mountain.yaml": 1008,
        "lion_mountain.yaml": 340,
        "shigehiro_pocket.yaml": 720,
    }
    assert max(sizes.values()) <= sight.MATRIX_HEXES_MAX  # every one caches sight in a matrix


@pytest.mark.parametrize("name", SCENARIOS)
def test_neighbour_table_holds_the_neighbours_in_their_order(name: str) -> None:
    board = board_of(name)
    table = board.neighbor_table
    assert table.dtype == np.int32 and table.shape == (board.size, 6)
    for h in range(board.size):
        expected = []
        for n in hexgrid.neighbors(hexgrid.Hex(int(board.q[h]), int(board.r[h]))):
            col, row = hexgrid.axial_to_offset(n)
            on_map = 0 <= col < board.width and 0 <= row < board.height
            expected.append(board.index(col, row) if on_map else -1)
        assert table[h].tolist() == expected
        assert list(board.neighbors[h]) == [n for n in expected if n >= 0]
    assert (table < 0).any() and (table >= 0).any()


def test_the_boards_bundle_holds_its_own_arrays() -> None:
    board = board_of("lion_mountain.yaml")
    bundle = board.arrays
    assert bundle is board.arrays  # made once
    for name, value in zip(BOARD_ARRAYS, bundle, strict=True):
        assert value is getattr(board, name)
    per_hex = [v for v in bundle if isinstance(v, np.ndarray)]
    assert len(per_hex) == len(BOARD_ARRAYS) - 3 and all(len(v) == board.size for v in per_hex)


@pytest.mark.parametrize("name", SCENARIOS)
def test_rivers_per_hex_are_each_hexs_rivers_width_and_ford(name: str) -> None:
    board = board_of(name)
    assert board.hex_river_width_m.dtype == np.float64
    assert board.hex_river_fordable.dtype == bool
    for h in range(board.size):
        river = int(board.river[h])
        width = board.river_width_m[river] if river >= 0 else 0.0
        fordable = board.river_fordable[river] if river >= 0 else False
        assert float(board.hex_river_width_m[h]) == width
        assert bool(board.hex_river_fordable[h]) == fordable
    assert (board.river >= 0).any()  # every shipped board has a river to check


def distance_mismatches(name: str) -> list[int]:
    """Pairs checked, and pairs where `hex_distance` differs from `Board.distances_from` or
    `Board.distance`, over every ordered pair of the board's hexes."""
    board = board_of(name)
    checked = wrong = 0
    for a in range(board.size):
        row = board.distances_from(a).tolist()
        for b in range(board.size):
            d = hex_distance(board.q, board.r, a, b)
            wrong += d != row[b] or d != board.distance(a, b)
            checked += 1
    return [checked, wrong]


@pytest.mark.parametrize("name", SCENARIOS)
def test_hex_distance_is_the_boards_distance_for_every_pair(name: str) -> None:
    size = board_of(name).size
    assert distance_mismatches(name) == [size * size, 0]


def test_compiled_hex_distance_is_the_boards_distance_for_every_pair(numba_cache: Path) -> None:
    for name in SCENARIOS:
        compiled = compiled_call(
            "distance_mismatches", "engine.core.board:hex_distance", [name], numba_cache
        )
        assert compiled == [board_of(name).size ** 2, 0]


def every_pair_seen(name: str, clearance_m: float) -> str:
    """`sight_clear` from a to b for every pair a < b of the board's hexes, "1" where a sees b."""
    board = board_of(name)
    return every_pair(board, kernel_sight(board, clearance_m))


def sight_of_boards(names: list[str], clearances: list[float]) -> dict[str, str]:
    """`every_pair_seen` of each board at each clearance, under "name clearance"."""
    return {f"{name} {c}": every_pair_seen(name, c) for name in names for c in clearances}


@pytest.fixture(scope="module")
def interpreted_sight() -> dict[str, str]:
    """`sight_of_boards` in this process (interpreted unless the suite runs compiled) for the
    boards other than Furong, at each clearance the Furong checks use."""
    return sight_of_boards(OTHER_THAN_FURONG, list(SIGHT_CLEARANCES))


def pair_at(size: int, a: int, b: int) -> int:
    """Where the pair a < b stands in `every_pair_seen`'s string."""
    return a * size - a * (a + 1) // 2 + (b - a - 1)


@pytest.mark.parametrize("name", OTHER_THAN_FURONG)
def test_sight_kernel_sees_as_the_line_before_it_on_the_other_boards(
    name: str, interpreted_sight: dict[str, str]
) -> None:
    """The kernel against `line_of_sight`'s walk as it was before the kernel (over Hex objects),
    on a seeded sample of 20,000 pairs a board (the reference walk costs 13 us a pair)."""
    board = board_of(name)
    rng = random.Random(name)
    for clearance in SIGHT_CLEARANCES:
        seen = interpreted_sight[f"{name} {clearance}"]
        assert "0" in seen and "1" in seen
        for _ in range(20_000):
            a, b = sorted(rng.sample(range(board.size), 2))
            before = sight_as_before_the_kernel(board, a, b, clearance)
            assert seen[pair_at(board.size, a, b)] == ("1" if before else "0"), (a, b)


def test_compiled_sight_kernel_sees_as_interpreted_on_the_other_boards(
    numba_cache: Path, interpreted_sight: dict[str, str]
) -> None:
    given = [OTHER_THAN_FURONG, list(SIGHT_CLEARANCES)]
    compiled = compiled_call(
        "sight_of_boards", "engine.rules.sight:sight_clear", given, numba_cache
    )
    assert compiled == interpreted_sight


def cache_filled_in_a_seeded_order(name: str, clearance_m: float) -> list[list[int]]:
    """A fresh `SightCache` matrix after `sight_known` has been asked every pair of the board in
    a seeded order, each pair from a seeded end; and what each call answered."""
    board = board_of(name)
    known = SightCache(board).matrix
    pairs = [(a, b) for a in range(board.size) for b in range(a + 1, board.size)]
    rng = random.Random(1515)
    rng.shuffle(pairs)
    answers = []
    for a, b in pairs:
        if rng.random() < 0.5:
            a, b = b, a
        seen = sight_known(known, board.arrays, a, b, clearance_m, EYE_HEIGHT_M)
        answers.append(int(seen))
    return [known.ravel().tolist(), answers]


def test_sight_known_fills_the_cache_with_what_line_of_sight_answers() -> None:
    name = "lion_mountain.yaml"
    board = board_of(name)
    clearance = SIGHT_CLEARANCES[-1]
    known, answers = cache_filled_in_a_seeded_order(name, clearance)
    matrix = np.array(known, dtype=np.int8).reshape(board.size, board.size)
    board.memo.clear()
    for a in range(board.size):
        for b in range(board.size):
            expected = bool(matrix[min(a, b), max(a, b)])
            assert line_of_sight(board, a, b, clearance) == expected
    upper = np.triu_indices(board.size)
    assert (matrix[upper] >= 0).all()  # every pair known, each answered once as it was filled
    assert sorted(answers) == sorted(matrix[np.triu_indices(board.size, 1)].tolist())
    assert (sight.sight_cache(board, clearance).matrix[upper] == matrix[upper]).all()


def test_compiled_sight_known_fills_the_cache_as_interpreted(numba_cache: Path) -> None:
    given = ["shigehiro_pocket.yaml", SIGHT_CLEARANCES[-1]]
    compiled = compiled_call(
        "cache_filled_in_a_seeded_order", "engine.rules.sight:sight_known", given, numba_cache
    )
    assert compiled == cache_filled_in_a_seeded_order(*given)


def test_line_of_sight_answers_from_the_cache_whichever_end_asks() -> None:
    """The pair's entry decides, for both ends: planting a wrong answer shows every call reads it
    (so a kernel that fills the matrix serves the Python rules); a hex sees itself and its
    neighbours from the start."""
    board = board_of("lion_mountain.yaml")
    board.memo.clear()
    a, b = 3, board.size - 5
    seen = line_of_sight(board, a, b, 0.0)
    cache = sight.sight_cache(board, 0.0)
    assert cache.matrix[a, b] == int(seen) and cache.matrix[b, a] == sight.UNKNOWN
    cache.matrix[a, b] = int(not seen)
    assert line_of_sight(board, a, b, 0.0) is (not seen)
    assert line_of_sight(board, b, a, 0.0) is (not seen)
    assert sight.sight_cache(board, 10.0) is not cache  # another clearance, another cache
    for h in range(board.size):
        assert cache.matrix[h, h] == 1
        assert all(cache.matrix[h, n] == 1 for n in board.neighbors[h])
    board.memo.clear()


def test_a_board_too_large_for_the_matrix_keeps_rows_and_sees_the_same(
    monkeypatch: pytest.MonkeyPatch, interpreted_sight: dict[str, str]
) -> None:
    name = "lion_mountain.yaml"
    board = board_of(name)
    monkeypatch.setattr(sight, "MATRIX_HEXES_MAX", board.size - 1)
    board.memo.clear()
    for clearance in SIGHT_CLEARANCES:
        expected = interpreted_sight[f"{name} {clearance}"]
        asked = "".join(
            "1" if line_of_sight(board, a, b, clearance) else "0"
            for a in range(board.size)
            for b in range(a + 1, board.size)
        )
        assert asked == expected
        cache = sight.sight_cache(board, clearance)
        assert cache.matrix is None and sorted(cache.rows) == list(range(board.size - 1))
    board.memo.clear()


@pytest.mark.parametrize("large", [False, True])
def test_the_sight_cache_survives_copy_and_pickle(
    large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A game's state is deep-copied for previews and pickled to a process pool, its board's
    caches with it: the copy knows what the cache knew, and reads its own arrays."""
    board = board_of("lion_mountain.yaml")
    if large:
        monkeypatch.setattr(sight, "MATRIX_HEXES_MAX", board.size - 1)
    board.memo.clear()
    far = [(a, b) for a in range(0, board.size, 7) for b in range(a + 2, board.size, 11)]
    seen = [line_of_sight(board, a, b, 10.0) for a, b in far]
    cache = sight.sight_cache(board, 10.0)
    for again in (copy.deepcopy(cache), pickle.loads(pickle.dumps(cache))):
        for (a, b), expected in zip(far, seen, strict=True):
            known = again.row(a)[b] if again.known is None else again.known[a, b]
            assert known == int(expected)
        if again.matrix is not None:
            again.matrix[1, 3] = 1  # `known` is a view of the copy's own matrix
            assert again.known[1, 3] == 1 and cache.matrix[1, 3] == sight.UNKNOWN
            again.matrix[1, 3] = 0
            assert again.known[1, 3] == 0
    board.memo.clear()


def hours_as_before_the_river_arrays(board: Board, c) -> np.ndarray:
    """`movement.hex_hours_at_1kmh` as it was written before it read the rivers per hex (a loop
    over the crossed hexes through the per-river tuples), kept as the reference."""
    hours = board.hex_size_m / 1000.0 / board.speed_factor
    for h in np.flatnonzero(board.water & ~board.bridge):
        river = int(board.river[h])
        width = board.river_width_m[river] if river >= 0 else board.hex_size_m
        fordable = board.river_fordable[river] if river >= 0 else False
        rate = c.ford_crossing_hours_per_100m if fordable else c.river_crossing_hours_per_100m
        hours[h] = rate * width / 100.0
    hours[~board.passable] = np.inf
    return hours


@pytest.mark.parametrize("name", SCENARIOS)
def test_hours_to_enter_each_hex_read_the_rivers_per_hex_as_before(name: str) -> None:
    board = board_of(name)
    board.memo.clear()
    c = coefficients()
    assert np.array_equal(hex_hours_at_1kmh(board, c), hours_as_before_the_river_arrays(board, c))
    assert (board.water & ~board.bridge).any()
    board.memo.clear()
