"""Kernels (engine/kernels): one source, interpreted or compiled by numba, the same numbers.

These tests compile the kernels in a process of their own (`WARGAME_JIT=1`) and hold every
kernel's compiled results equal to the interpreted ones, worked out in this process when it runs
plain Python, else (the suite itself compiled: `WARGAME_JIT=auto` with a warm cache, as in CI) in
a process of their own with `WARGAME_JIT=0`. A kernel added without a check here fails
`test_every_kernel_is_checked`. Where a kernel replaced Python code, that code is kept here
verbatim as the reference the kernel must equal (the hex line, line of sight).
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import engine.rules.turn  # noqa: F401  (the turn imports every rule: all their kernels made)
from engine import hexgrid, history, quiet_game  # noqa: F401  (their kernels are in CHECKED)
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
    "reachable_from",
    "most_men_cut_off",  # tests/test_metric_plan.py: its source and compiled, to the numpy twin
    *("read_metrics", "place_holder", "men_by_turn"),  # tests/test_metric_plan.py
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
    "draw_disabled",
    "engaged_shares",
    "_engaged",
    "_spread",
    "assault_steps",
    "counted_losses",
    "group_break_point",
    "fight_assault",
    *("is_cut_off", "count_zones", "mark_cut_off"),
    *("resolve_hex", "take_hex", "assault_phase", "_group_attackers"),
    "_total",
    "_any_men",
    "_come_up",
    "_men_weighted",
    "next_occurrence",
    "times_drawn",
    *("expected_shell_casualties", "bombard_all", "struck_units", "lethal_area"),
    *("fire_tubes", "tube_rounds", "suppression_pinned", "exposures_while_damaging"),
    *("damage_works", "works_share_destroyed", "lane_after", "lane_is_open"),
    *("wire_left_after", "breach_obstacles", "strike_all"),
    *("strikes_due", "_targets_at"),
    *("update_places", "turn_tally", "hand_over_places", "arrive", "entry_hex", "record_turn"),
    "sort_orders",
    "close_turn",
    "close_fire_factor",
    "hex_distance",
    "sight_known",
    "firer_factor_values",
    "unit_reaches",
    "unit_reach",
    "nearest_target",
    "plan_shot",
    "fire_phase",
    *("mark_running", "routed_on_map", "uncount_all", "has_room"),
    "ammo_factor",
    "spend_ammo",
    "normal_quantile",
    "share_in_turn",
    "set_break_points",
    "morale_step",
    "in_contact",
    "rout_broken",
    "trapped_lost",
    "_take_men",
    "surrender_trapped",
    # movement (tests/test_movement_kernels.py: marches over every path, fields at each pause)
    "settle",
    "_sift_up",
    "march",
    "_step_hours",
    "_strike_mines",
    "_enter",
    "_may_strike_mines",
    "turn_back",
    "wade",
    "land",
    "drown",
    "next_step",
    "walk",
    "is_trapped",
    "mine_share",
    "wire_hours",
    *("move_phase", "occupy_all", "_occupy", "_settle_to", "_flee", "_row", "_drown_in"),
    *("_move_one", "_cross_on", "claim_slot"),
    # the computer player's plan mode (engine/ai/plan_kernels.py)
    "_holds",
    "_fired",
    "phase_times",
    "clock_times",
    "spread_rounds",
    "ration_rounds",
    "unit_phases",
    "_spent",
    "_works_intact",
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
    *("on_axis", "breach_choice", "plan_turn"),
    # the turn as one call (tests/test_whole_turn.py: its games, turn by turn, are `end_turn`'s)
    *("play_turn", "_clear_assault_rows", "_step_rows", "_moves", "_assaults", "_note_outcomes"),
    *("play_turns", "_turn_start"),  # (engine/quiet_game.py: the same tests)
}
# (take_casualties, bombardment's and the air strikes', and every kernel a battle runs, by
# whole battles played compiled (morale's:
# the shigehiro_pocket battle has trapped units surrender, share_in_turn with them);
# mulhilo and philox_block are checked through uniform_at;
# cube_round is checked through line_cell, which it serves; axial_length and axial_to_odd_r
# through sight_clear, over every pair of hexes)

FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
# clearances sight is checked at: none, and the rules' `sight_clearance_m` (10 m)
SIGHT_CLEARANCES = (0.0, 10.0)


def test_every_kernel_is_checked() -> None:

    assert {f.__name__ for f in jit.KERNELS} == CHECKED


def test_kernels_are_plain_python_when_the_process_does_not_compile() -> None:
    if jit.compiling():
        pytest.skip("the suite itself runs compiled")
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
    return run_script(
        script, given, WARGAME_JIT="1", NUMBA_CACHE_DIR=str(cache), NUMBA_BOUNDSCHECK="1"
    )


def run_script(script: str, given: object, **env: str) -> object:
    """What `script` prints (JSON) run in a process of its own with `env` added to this one's,
    reading `given` as JSON on its standard input."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, **env),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def interpreted(script: str, given: object, here: Callable[[], object]) -> object:
    """`here()` when this process runs its kernels as plain Python, else what `script` prints
    run in a process that does (`WARGAME_JIT=0`): the reference the compiled kernels must equal
    is always the interpreted one."""
    if not jit.compiling():
        return here()
    return run_script(script, given, WARGAME_JIT="0")


def test_compiled_kernels_give_the_interpreted_numbers(numba_cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from engine.core.dice import binomial\n"
        "from engine.kernels import jit\n"
        "assert type(binomial).__name__ == ('CPUDispatcher' if jit.compiling() else 'function')\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([int(binomial(n, p, u)) for n, p, u in cases]))\n"
    )
    compiled = run_compiled(script, BINOMIAL_CASES, numba_cache)
    expected = interpreted(
        script, BINOMIAL_CASES, lambda: [binomial(n, p, u) for n, p, u in BINOMIAL_CASES]
    )
    assert compiled == expected


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


# (turn, site, a, b, by a kernel) draws the dice's table numbers: Python's and a kernel's,
# places drawn again, a later turn (the table emptied), enough to grow the table twice
TABLE_DRAWS = [
    *[(1, 3, a % 7, 0, a % 2 == 0) for a in range(40)],
    *[(1, 7, a % 5, a % 3, a % 3 == 0) for a in range(120)],
    (0, 1, 4, 0, False),  # an earlier turn: counted apart, by Python only
    *[(2, 8, a % 9, 5, True) for a in range(30)],
    (2, 10, 3, -1, True),  # a lake's river: refused
]


def test_compiled_dice_table_numbers_as_interpreted(numba_cache: Path) -> None:
    """The dice's table (`Dice.room`, `next_occurrence`, `times_drawn`) compiled gives each draw
    the occurrence it gives interpreted, grows and empties alike and refuses a negative place."""
    script = (
        "import json, sys\n"
        "from engine.core.dice import Dice, next_occurrence\n"
        "def numbered(draws):\n"
        "    dice, out = Dice(3), []\n"
        "    for turn, site, a, b, by_kernel in draws:\n"
        "        try:\n"
        "            if by_kernel:\n"
        "                table, head = dice.room(turn, 1)\n"
        "                out.append(int(next_occurrence(table, head, turn, site, a, b)))\n"
        "            else:\n"
        "                out.append(dice.draw_place(turn, site, a, b)[4])\n"
        "        except ValueError:\n"
        "            out.append('refused')\n"
        "        out.append(dice.drawn(turn, site, a, max(b, 0)))\n"
        "    return [out, len(dice.table), dice.head.tolist(), list(dice.fingerprint())]\n"
        "print(json.dumps(numbered(json.load(sys.stdin))))\n"
    )
    compiled = run_compiled(script, TABLE_DRAWS, numba_cache)
    expected = run_script(script, TABLE_DRAWS, WARGAME_JIT="0")
    assert compiled == expected
    assert "refused" in expected[0] and expected[1] == 256


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
        "from tests.test_golden import ROOT, playthrough\n"
        "battles = json.load(sys.stdin)\n"
        "print(json.dumps([playthrough(p, seed, ROOT / p) for p, seed in battles]))\n"
    )
    from tests.test_golden import playthrough

    compiled = run_compiled(script, COMPILED_BATTLES, numba_cache)
    expected = interpreted(
        script,
        COMPILED_BATTLES,
        lambda: [playthrough(p, seed, ROOT / p) for p, seed in COMPILED_BATTLES],
    )
    assert "breaches" in expected[-1]
    assert compiled == expected


# Assaults the golden battles may not fight: 1 km hexes (men coming up), two axes, a minefield,
# wire and a blockhouse, rounds running out, grenades, leaders, by night, the hex taken;
# (hex_size_m, red's men, blue's men, blue's ammunition, works in blue's hex, the clock's
# start, hours, seed)
ASSAULTS = [
    (100, 120, 60, 40, True, "1945-05-21T08:00", 3.0, 1),
    (100, 200, 30, 5, False, "1945-05-21T22:00", 2.0, 2),
    (1000, 1500, 400, 300, True, "1945-05-21T08:00", 6.0, 3),
    (1000, 3000, 300, 100, False, "1945-05-21T08:00", 12.0, 4),
    (500, 900, 500, 2000, False, "1945-05-21T08:00", 12.0, 5),
]


def assaults_played(cases: list) -> list:
    """For each of `cases` (`ASSAULTS`), Red's two units assaulting Blue's hex: every event, the
    units' arrays after it and where the dice got to."""
    import numpy as np

    from engine.rules.assault import resolve_assault
    from engine.rules.turn import coefficients_of
    from tests.test_rules_exact import battle, unit

    played = []
    for hex_m, red, blue, ammo, works, start, hours, seed in cases:
        leader = {"name": {"en": "Han"}}
        weapons = [
            {"weapon": "rifle", "count": blue, "ammo": ammo},
            {"weapon": "mg", "count": 2, "ammo": ammo},
            {"weapon": "grenade", "count": blue},
        ]
        units = [
            unit("red_1", "red", (2, 1), red, officers=3, leader=leader),
            unit("blue_1", "blue", (3, 1), blue, weapons, officers=2, leader=leader),
            unit("red_2", "red", (3, 0), red // 3, quality=0.8, officers=1, leader=leader),
        ]
        obstacles = [
            {"kind": "minefield", "hexes": [[3, 1]], "depth_m": 30, "density_per_m": 0.1},
            {"kind": "wire", "hexes": [[3, 1]], "lines": 1},
            {"kind": "blockhouse", "hexes": [[3, 1]], "strength": 20},
        ]
        state = battle(
            seed,
            None,
            units=units,
            obstacles=obstacles if works else [],
            start=start,
            hex_size_m=hex_m,
        )
        events: list = []
        target = state.board.index(3, 1)
        resolve_assault(state, target, [0, 2], coefficients_of(state), events, hours=hours)
        u = state.units
        arrays = [
            getattr(u, name).tolist()
            for name in ("men", "killed", "wounded", "captured", "officers_killed", "hex")
        ]
        arrays += [
            np.asarray(getattr(u, name), dtype=float).tolist()
            for name in ("ammo", "grenades", "grip_hours", "morale", "leader_alive", "routed")
        ]
        fingerprint = json.loads(json.dumps(state.dice.fingerprint()))
        played.append([[repr(e) for e in events], arrays, fingerprint])
    return played


def test_compiled_assaults_are_the_interpreted_assaults(numba_cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from engine.rules import assault\n"
        "from engine.kernels import jit\n"
        "from tests.test_kernels import assaults_played\n"
        "kind = type(assault.fight_assault).__name__\n"
        "assert kind == ('CPUDispatcher' if jit.compiling() else 'function'), kind\n"
        "print(json.dumps(assaults_played(json.load(sys.stdin))))\n"
    )
    expected = interpreted(script, ASSAULTS, lambda: assaults_played(ASSAULTS))
    assert any("LeaderKilled" in line for events, _, _ in expected for line in events)
    assert any("defenders_came_up" in line for events, _, _ in expected for line in events)
    assert any("'ammunition'" in line for events, _, _ in expected for line in events)
    assert any("HexTaken" in line for events, _, _ in expected for line in events)
    assert run_compiled(script, ASSAULTS, numba_cache) == expected


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


SIGHT_SCRIPT = (
    "import json, sys\n"
    "sys.path.insert(0, 'tests')\n"
    "from test_kernels import furong_board, sight_over_every_pair\n"
    "from engine.kernels import jit\n"
    "from engine.rules.sight import sight_clear\n"
    "assert type(sight_clear).__name__ == ('CPUDispatcher' if jit.compiling() else 'function')\n"
    "print(json.dumps(sight_over_every_pair(furong_board(), json.load(sys.stdin))))\n"
)


@pytest.fixture(scope="module")
def furong_sight() -> dict[str, str]:
    """`sight_over_every_pair` interpreted (`interpreted`), worked out once for the tests that
    compare with it."""
    return interpreted(  # type: ignore[return-value]
        SIGHT_SCRIPT,
        SIGHT_CLEARANCES,
        lambda: sight_over_every_pair(furong_board(), SIGHT_CLEARANCES),
    )


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
    compiled = run_compiled(SIGHT_SCRIPT, SIGHT_CLEARANCES, numba_cache)
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
    assert "numba is not installed" in message and "pip install numba" in message


def test_compiled_normal_quantile_is_normaldist_inv_cdf(numba_cache: Path) -> None:
    """The breaking points' normals (`normal_quantile`, AS241) compiled: the floats of
    `statistics.NormalDist().inv_cdf`, as interpreted (tests/test_dice.py)."""
    from statistics import NormalDist

    from tests.test_dice import quantile_uniforms

    uniforms = quantile_uniforms()[::10]
    script = (
        "import json, sys\n"
        "from engine.core.dice import normal_quantile\n"
        "assert type(normal_quantile).__name__ == 'CPUDispatcher'\n"
        "print(json.dumps([normal_quantile(u) for u in json.load(sys.stdin)]))\n"
    )
    inv_cdf = NormalDist().inv_cdf
    assert run_compiled(script, uniforms, numba_cache) == [inv_cdf(u) for u in uniforms]


def test_a_borrowing_kernel_that_returns_or_makes_an_array_is_refused(numba_cache: Path) -> None:
    """A kernel compiled without reference counting (`kernel(borrows=True)`) must make no array
    and return none: numba refuses one that makes an array or returns a view, but lets one
    return an array it was handed, which `borrowing_faults` finds (and `wargame warm` fails
    on); one that returns numbers passes."""
    script = (
        "import json, numba, numpy as np\n"
        "from engine.kernels import jit\n"
        "def row_of(a, i):\n"
        "    return a[i]\n"
        "def same(a, i):\n"
        "    return a\n"
        "def total(a, i):\n"
        "    return a[i].sum()\n"
        "def fresh(a, i):\n"
        "    return np.zeros(3).sum()\n"
        "a = np.ones((2, 3))\n"
        "made = {}\n"
        "for function in (row_of, same, total, fresh):\n"
        "    borrowing = numba.njit(_nrt=False)(function)\n"
        "    jit.BORROWING.add(function)\n"
        "    jit._COMPILED[function] = borrowing\n"
        "    caller = numba.njit(lambda a: np.sum(borrowing(a, 1)))\n"
        "    try:\n"
        "        caller.compile((numba.typeof(a),))  # not run: `same` would free `a`\n"
        "        made[function.__name__] = 'compiled'\n"
        "    except numba.core.errors.TypingError:\n"
        "        made[function.__name__] = 'refused'\n"
        "def give_row(a, i):\n"
        "    return a[i]\n"
        "def leaky(a, i):\n"
        "    return give_row(a, i).sum()\n"
        "jit._COMPILED[give_row] = give_row = numba.njit(_nrt=True)(give_row)\n"
        "jit._COMPILED[leaky] = borrowing = numba.njit(_nrt=False)(leaky)\n"
        "jit.BORROWING.add(leaky)\n"
        "numba.njit(lambda a: borrowing(a, 1)).compile((numba.typeof(a),))\n"
        "print(json.dumps([made, jit.borrowing_faults()]))\n"
    )
    made, faults = run_compiled(script, None, numba_cache)
    # numba refuses a made array and a view; the array handed in it lets through
    assert made == {
        "row_of": "refused",
        "same": "compiled",
        "total": "compiled",
        "fresh": "refused",
    }
    assert len(faults) == 2
    # a borrowing kernel given an array by a kernel it calls would never give it back
    assert faults[0].startswith("__main__.leaky calls give_row (")
    assert faults[1].startswith("__main__.same (")
    assert all(fault.endswith("-> array(float64, 1d, C)") for fault in faults[:1])
    assert faults[1].endswith("-> array(float64, 2d, C)")


def test_holds_array_looks_inside_tuples() -> None:
    numba = pytest.importorskip("numba")
    types = numba.core.types
    assert jit.holds_array(types.float64[:])
    assert jit.holds_array(types.Tuple((types.int64, types.UniTuple(types.bool_[:, :], 2))))
    assert not jit.holds_array(types.UniTuple(types.float64, 5))
    assert not jit.holds_array(types.int64)
