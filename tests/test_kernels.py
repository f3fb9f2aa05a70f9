"""Kernels (engine/kernels): one source, interpreted or compiled by numba, the same numbers.

The suite runs the kernels as plain Python (the default); these tests compile them in a
process of their own (`WARGAME_JIT=1`) and hold every kernel's compiled results equal to the
interpreted ones. A kernel added without a check here fails `test_every_kernel_is_checked`.
Where a kernel replaced Python code, that code is kept here verbatim as the reference the
kernel must equal (the hex line, line of sight).
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine import hexgrid
from engine.ai import plan_kernels, triggers  # noqa: F401  (their kernels are in CHECKED)
from engine.core.board import Board, build_board
from engine.core.dice import Dice, binomial
from engine.kernels import jit
from engine.rules.sight import EYE_HEIGHT_M, line_of_sight, sight_clear
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent

# (n, p, u) for the binomial: the edges, both walks (from 0, from the mode), both halves of p
BINOMIAL_CASES = [
    (0, 0.5, 0.5),
    (10, 0.0, 0.5),
    (10, 1.0, 0.5),
    (3, 0.1, 0.728),
    (3, 0.1, 0.730),
    (40, 0.6, 0.3),
    (1, 0.5, 0.4999),
    (1000, 0.1, 0.5),
    (1000, 0.2, 0.01),
    (1000, 0.2, 0.999),
    (5000, 0.7, 0.42),
    (100_000, 0.31, 0.77),
    (7, 0.999999, 0.5),
    (10**6, 1e-9, 0.99),
]
# the kernels the cases above and the line and sight checks below run, by name
CHECKED = {
    "binomial",
    "_binomial_to_half",
    "_walk_up",
    "line_cell",
    "cube_round",
    "axial_length",
    "axial_to_odd_r",
    "sight_clear",
    "mulhilo",
    "philox_block",
    "uniform_at",
    "take_casualties",
    "exposure_factors",
    "exposure",
    "suppression_added",
    "pin_unit",
    "works_left",
    "breach_work",
    "work_hours",
    "breach_step",
    "_holds",
    "_fired",
    "phase_times",
    "spread_rounds",
    "ration_rounds",
    "unit_phases",
    "_spent",
    "_works_intact",
    "_distance",
    "_send_tier",
    "_needs_manning",
    "_man_with",
    "_standing_reflex",
    "_nearest_enemy",
    "_downhill",
    "_bombard",
    "_attack",
    "_hold",
    "_pursue",
    "plan_side",
}
# (take_casualties, and every kernel a battle runs, by whole battles played compiled;
# mulhilo and philox_block are checked through uniform_at;
# cube_round is checked through line_cell, which it serves; axial_length and axial_to_odd_r
# through sight_clear, over every pair of hexes)

FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
# clearances sight is checked at: none, and the rules' `sight_clearance_m` (10 m)
SIGHT_CLEARANCES = (0.0, 10.0)


def test_every_kernel_is_checked() -> None:
    assert {f.__name__ for f in jit.KERNELS} == CHECKED


def test_kernels_are_plain_python_by_default() -> None:
    if os.environ.get(jit.JIT_ENV, "0") == "1":
        pytest.skip("the suite itself runs compiled")
    assert not jit.compiling()
    assert type(binomial).__name__ == "function"


@pytest.fixture(scope="module")
def numba_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One numba cache for this module's compiled runs, so each kernel compiles once."""
    return tmp_path_factory.mktemp("numba_cache")


def run_compiled(script: str, given: object, cache: Path) -> object:
    """What `script` prints (JSON) run in a process that compiles its kernels, reading `given`
    as JSON on its standard input."""
    pytest.importorskip("numba")
    # NUMBA_BOUNDSCHECK: compiled code reads past an array's end silently otherwise
    env = dict(os.environ, WARGAME_JIT="1", NUMBA_CACHE_DIR=str(cache), NUMBA_BOUNDSCHECK="1")
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compiled_kernels_give_the_interpreted_numbers(numba_cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from engine.core.dice import binomial\n"
        "assert type(binomial).__name__ == 'CPUDispatcher', type(binomial)\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([int(binomial(n, p, u)) for n, p, u in cases]))\n"
    )
    compiled = run_compiled(script, BINOMIAL_CASES, numba_cache)
    assert compiled == [binomial(n, p, u) for n, p, u in BINOMIAL_CASES]


# (seed, turn, site, a, b): places whose uniforms the compiled `uniform_at` must give as the
# interpreted dice's streams do; seeds across all 128 bits of the key
DRAW_PLACES = [
    (0, 0, 1, 0, 0),
    (7, 3, 3, 12, 0),
    (2**64 + 5, 61, 11, 4000, 77),
    (2**128 - 1, 2**20, 7, 2**31, 2**40),
    (123456789, 12, 5, 3, 951),
]


def test_compiled_uniforms_are_the_interpreted_streams(numba_cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from engine.core.dice import Dice, uniform_at\n"
        "assert type(uniform_at).__name__ == 'CPUDispatcher'\n"
        "out = []\n"
        "for seed, turn, site, a, b in json.load(sys.stdin):\n"
        "    dice = Dice(seed)\n"
        "    for _ in range(2):\n"
        "        place = dice.draw_place(turn, site, a, b)\n"
        "        out.append([uniform_at(dice.key_words, place, k) for k in range(10)])\n"
        "print(json.dumps(out))\n"
    )
    expected = []
    for seed, turn, site, a, b in DRAW_PLACES:
        dice = Dice(seed)
        for _ in range(2):
            stream = dice.at(turn, site, a, b)
            expected.append([stream.random() for _ in range(10)])
    assert run_compiled(script, DRAW_PLACES, numba_cache) == expected


# (scenario file, seed) played compiled here: two golden battles (tests/test_golden.py), and
# engineers who breach (tests/data/engineers.yaml; no golden battle breaches)
COMPILED_BATTLES = [
    ("scenarios/furong_mountain.yaml", 7),
    ("scenarios/shigehiro_pocket.yaml", 2),
    ("tests/data/engineers.yaml", 1),
]


def test_a_compiled_battle_is_the_interpreted_battle(numba_cache: Path) -> None:
    """Whole battles, every event explained and the final state's hash, the same compiled as
    interpreted: each kernel the turn runs, in its place."""
    script = (
        "import json, sys\n"
        "from engine.kernels import jit\n"
        "from tests.test_golden import ROOT, playthrough\n"
        "assert jit.compiling()\n"
        "battles = json.load(sys.stdin)\n"
        "print(json.dumps([playthrough(p, seed, ROOT / p) for p, seed in battles]))\n"
    )
    from tests.test_golden import playthrough

    compiled = run_compiled(script, COMPILED_BATTLES, numba_cache)
    interpreted = [playthrough(p, seed, ROOT / p) for p, seed in COMPILED_BATTLES]
    assert "breaches" in interpreted[-1]
    assert compiled == interpreted


def line_as_before_the_kernel(a: hexgrid.Hex, b: hexgrid.Hex) -> list[tuple[int, int]]:
    """`hexgrid.line` as it was written before its stepping became the `line_cell` kernel
    (Red Blob's nudged cube rounding), kept here as the reference the kernel must equal."""
    n = hexgrid.distance(a, b)
    if n == 0:
        return [tuple(a)]
    aq, ar = a
    dq, dr = b[0] - aq, b[1] - ar
    ds = -dq - dr
    out = [tuple(a)]
    for i in range(1, n):
        fq = dq * i / n + 1e-6
        fr = dr * i / n + 2e-6
        fs = ds * i / n - 3e-6
        rq, rr, rs = math.floor(fq + 0.5), math.floor(fr + 0.5), math.floor(fs + 0.5)
        eq, er, es = abs(rq - fq), abs(rr - fr), abs(rs - fs)
        if eq > er and eq > es:
            rq = -rr - rs
        elif er > es:
            rr = -rq - rs
        out.append((aq + rq, ar + rr))
    out.append(tuple(b))
    return out


def line_pairs() -> list[tuple[int, int, int, int]]:
    """A seeded sample of lines (aq, ar, bq, br): random ones, far ones, and ones running along
    hex edges and through corners (dq == dr, dq == -2 dr, ...), where the nudge decides."""
    rng = random.Random(1515)
    pairs = []
    for _ in range(3000):
        aq, ar = rng.randint(-60, 60), rng.randint(-60, 60)
        pairs.append((aq, ar, aq + rng.randint(-40, 40), ar + rng.randint(-40, 40)))
    for _ in range(300):
        aq, ar = rng.randint(-(10**6), 10**6), rng.randint(-(10**6), 10**6)
        pairs.append((aq, ar, aq + rng.randint(-200, 200), ar + rng.randint(-200, 200)))
    for m in range(-12, 13):
        for uq, ur in ((1, 1), (1, -2), (2, -1), (1, 0), (0, 1), (1, -1)):
            pairs.append((3, -2, 3 + m * uq, -2 + m * ur))
    return pairs


def test_line_cell_steps_the_line_as_before() -> None:
    for aq, ar, bq, br in line_pairs():
        a, b = hexgrid.Hex(aq, ar), hexgrid.Hex(bq, br)
        expected = line_as_before_the_kernel(a, b)
        assert hexgrid.line(a, b) == expected
        n = len(expected) - 1
        cells = [hexgrid.line_cell(bq - aq, br - ar, n, k) for k in range(1, n)]
        assert [(aq + q, ar + r) for q, r in cells] == expected[1:-1]


def test_compiled_line_cell_gives_the_interpreted_line(numba_cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from engine import hexgrid\n"
        "assert type(hexgrid.line_cell).__name__ == 'CPUDispatcher'\n"
        "out = []\n"
        "for aq, ar, bq, br in json.load(sys.stdin):\n"
        "    a, b = hexgrid.Hex(aq, ar), hexgrid.Hex(bq, br)\n"
        "    n = hexgrid.distance(a, b)\n"
        "    cells = [hexgrid.line_cell(bq - aq, br - ar, n, k) for k in range(1, n)]\n"
        "    out.append([cells, hexgrid.line(a, b)])\n"
        "print(json.dumps(out))\n"
    )
    pairs = line_pairs()
    compiled = run_compiled(script, pairs, numba_cache)
    for (aq, ar, bq, br), (cells, whole) in zip(pairs, compiled, strict=True):
        expected = line_as_before_the_kernel(hexgrid.Hex(aq, ar), hexgrid.Hex(bq, br))
        assert [tuple(h) for h in whole] == expected
        assert [(aq + q, ar + r) for q, r in cells] == expected[1:-1]


def furong_board() -> Board:
    return build_board(load_scenario(FURONG).scenario)


def sight_as_before_the_kernel(board: Board, a: int, b: int, clearance_m: float) -> bool:
    """`line_of_sight`'s walk as it was written before it became the `sight_clear` kernel (over
    `hexgrid.line`'s Hex objects), kept here as the reference the kernel must equal."""
    cells = hexgrid.line(
        hexgrid.Hex(int(board.q[a]), int(board.r[a])),
        hexgrid.Hex(int(board.q[b]), int(board.r[b])),
    )
    steps = len(cells) - 1
    h_a = float(board.elevation_m[a]) + EYE_HEIGHT_M
    h_b = float(board.elevation_m[b]) + EYE_HEIGHT_M
    for k in range(1, steps):
        col, row = hexgrid.axial_to_offset(cells[k])
        i = row * board.width + col
        sightline = h_a + (h_b - h_a) * k / steps
        top = float(board.elevation_m[i]) + float(board.sight_block_m[i])
        if top <= sightline + clearance_m:
            continue
        if (k == 1 or k == steps - 1) and top <= max(h_a, h_b):
            continue
        return False
    return True


def every_pair(board: Board, answer) -> str:
    """`answer(a, b)` for every pair of the board's hexes a < b, as a string of "1" (sees) and
    "0": one pair per character, short enough to hand from a compiled process as JSON."""
    return "".join(
        "1" if answer(a, b) else "0" for a in range(board.size) for b in range(a + 1, board.size)
    )


def kernel_sight(board: Board, clearance_m: float):
    """The `sight_clear` kernel over the board's arrays, as a function of the pair."""

    def sees(a: int, b: int) -> bool:
        return sight_clear(
            board.q, board.r, board.width, board.elevation_m, board.sight_block_m,
            a, b, clearance_m, EYE_HEIGHT_M,
        )  # fmt: skip

    return sees


def sight_over_every_pair(board: Board, clearances) -> dict[str, str]:
    """Every pair's sight by the kernel and by `line_of_sight` (from an empty cache), at each
    clearance: what the interpreted and the compiled processes both compute."""
    out = {}
    for clearance in clearances:
        out[f"kernel {clearance}"] = every_pair(board, kernel_sight(board, clearance))
        board.memo.clear()
        out[f"line_of_sight {clearance}"] = every_pair(
            board, lambda a, b, c=clearance: line_of_sight(board, a, b, c)
        )
    return out


@pytest.fixture(scope="module")
def furong_sight() -> dict[str, str]:
    """`sight_over_every_pair` in this process (interpreted, unless the suite runs compiled),
    worked out once for the tests that compare with it."""
    return sight_over_every_pair(furong_board(), SIGHT_CLEARANCES)


def test_sight_kernel_sees_as_before_over_every_pair_of_furong(
    furong_sight: dict[str, str],
) -> None:
    board = furong_board()
    for clearance in SIGHT_CLEARANCES:
        before = every_pair(
            board, lambda a, b, c=clearance: sight_as_before_the_kernel(board, a, b, c)
        )
        assert "0" in before and "1" in before  # the board has hidden and seen pairs
        assert furong_sight[f"kernel {clearance}"] == before
        assert furong_sight[f"line_of_sight {clearance}"] == before
    # a hex sees itself and its neighbours whatever stands in them
    here = board.size // 2
    assert line_of_sight(board, here, here)
    assert all(line_of_sight(board, here, there) for there in board.neighbors[here])


def test_compiled_sight_kernel_sees_as_interpreted_over_every_pair_of_furong(
    numba_cache: Path, furong_sight: dict[str, str]
) -> None:
    script = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_kernels import furong_board, sight_over_every_pair\n"
        "from engine.rules.sight import sight_clear\n"
        "assert type(sight_clear).__name__ == 'CPUDispatcher'\n"
        "print(json.dumps(sight_over_every_pair(furong_board(), json.load(sys.stdin))))\n"
    )
    compiled = run_compiled(script, SIGHT_CLEARANCES, numba_cache)
    assert compiled == furong_sight


def test_asking_for_compiled_kernels_without_numba_warns_and_runs_plain() -> None:
    script = (
        "import sys, warnings\n"
        "sys.modules['numba'] = None  # as if numba were not installed\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from engine.core.dice import binomial\n"
        "print(type(binomial).__name__, binomial(10, 0.5, 0.5))\n"
        "print(caught[0].message)\n"
    )
    env = dict(os.environ, WARGAME_JIT="1")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    kind, message = done.stdout.splitlines()[:2]
    assert kind == f"function {binomial(10, 0.5, 0.5)}"
    assert "numba is not installed" in message and "wargame-engine[speed]" in message
