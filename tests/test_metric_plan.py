"""The batch's reading of the history metrics (engine/metric_plan.py) gives `metric_values`' numbers
exactly: every metric of every shipped scenario and variant, several seeds, at every turn of each
game, read by the kernel `read_metrics` (as written, and compiled: the same numbers) or by numpy
where the process does not compile; its kernel for the cut-off men (`history.most_men_cut_off`),
as written and compiled, gives its numpy twin's (`men_cut_off_arrays`, what `measure` runs); the
worker's `men_by_turn`, as written and compiled, gives its numpy twin's.

tests/test_history_metrics.py checks the plan too on each of its steered battles (`value`), where
every metric's event happens and where it does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli.common import variant_scenario
from engine.headless import play
from engine.history import men_cut_off_arrays, metric_values
from engine.kernels import jit
from engine.metric_plan import MetricPlan, metric_plan, plan_values
from engine.scenario import load_scenario
from engine.scenario.overlay import load_overlay
from engine.sim.seeds import battle_seed

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
VARIANTS = sorted((ROOT / "scenarios" / "variants").glob("*.yaml"))
SEEDS = [battle_seed(11, index) for index in range(4)]


def played(scenario, seed: int):
    return play(scenario, seed, keep_events=False, detail_events=False).state


def same(plan: list, measured: list) -> bool:
    """Equal value by value, told apart as the rows would be: None from 0.0, -0.0 from 0.0."""
    return [repr(v) for v in plan] == [repr(v) for v in measured]


def assert_equal_at_every_turn(state, plan: MetricPlan | None = None) -> None:
    """The plan's numbers (`plan`'s, else the scenario's kept plan) are `metric_values`' for the
    whole game, and for the game cut after each turn (its ledgers and places' record as they
    stood then): windows that end before the game did, snapshots clipped to the last one."""
    ids = [entry.id for entry in state.scenario.history]
    assert len(set(ids)) == len(ids)
    recorded, places = state.ledger_turns, state.place_turns
    try:
        for turns in range(recorded, 0, -1):
            state.ledger_turns, state.place_turns = turns, min(places, turns - 1)
            measured = list(metric_values(state).values())
            read = plan.values(state) if plan is not None else plan_values(state)
            assert same(read, measured), (turns, ids)
    finally:
        state.ledger_turns, state.place_turns = recorded, places


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_plan_gives_metric_values_for_every_scenario(path: Path) -> None:
    scenario = load_scenario(path).scenario
    states = [played(scenario, seed) for seed in SEEDS]
    for state in states:
        assert_equal_at_every_turn(state)
    assert metric_plan(states[0]) is metric_plan(states[-1])  # made once for the scenario


def kernel_plan(state) -> MetricPlan:
    """A plan that reads through `read_metrics` even where the process does not compile (the
    kernel then runs as written, in Python)."""
    plan = MetricPlan(state)
    if plan._kit is None:
        plan._kit = plan._program(state)
    return plan


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_kernel_reading_gives_metric_values_for_every_scenario(path: Path) -> None:
    scenario = load_scenario(path).scenario
    for seed in SEEDS[:2]:
        state = played(scenario, seed)
        assert_equal_at_every_turn(state, kernel_plan(state))


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_the_plan_gives_metric_values_for_every_variant(path: Path) -> None:
    wanted = load_overlay(path).scenario_id  # the id of the scenario it is written for
    base = next(p for p in SCENARIOS if load_scenario(p).scenario.id == wanted)
    scenario = variant_scenario(str(base), [str(path)]).scenario
    for seed in SEEDS[:2]:
        assert_equal_at_every_turn(played(scenario, seed))


def test_the_plan_is_remade_for_a_game_with_other_units() -> None:
    """A game whose units are not its scenario's (as a test may make one) gets a plan of its
    own, never one whose masks name other units."""
    scenario = load_scenario(SCENARIOS[0]).scenario
    state = played(scenario, SEEDS[0])
    kept = metric_plan(state)
    state.units.ids = tuple(reversed(state.units.ids))
    assert not kept.fits(state)
    assert metric_plan(state) is not kept
    assert same(plan_values(state), list(metric_values(state).values()))


# ------------------------------------------------------------------ the cut-off men's kernel


def cut_off_cases() -> tuple[dict[str, np.ndarray], list[tuple[str, int, int, list[bool]]]]:
    """Furong's board and a few games' records, and (game, begin, end, mask) cases: each unit
    alone, each side, everyone, over every window of up to four turn ends."""
    scenario = load_scenario(ROOT / "scenarios" / "furong_mountain.yaml").scenario
    arrays: dict[str, np.ndarray] = {}
    cases = []
    for number, seed in enumerate(SEEDS[:2]):
        state = played(scenario, seed)
        board, units = state.board, state.units
        arrays.update(
            neighbor_table=board.neighbor_table,
            passable=board.passable,
            rears=np.array(state.rears, np.int64),
            sides=units.side,
        )
        arrays[f"positions{number}"] = state.position_rows
        arrays[f"ledger{number}"] = state.ledger_rows
        masks = [units.side == side for side in (0, 1)] + [np.ones(units.count, bool)]
        masks += [np.arange(units.count) == unit for unit in range(units.count)]
        last = state.ledger_turns - 1
        for begin in range(0, last + 1, 3):
            for mask in masks:
                cases.append((str(number), begin, min(begin + 3, last), mask.tolist()))
    return arrays, cases


def cut_off(kernel, arrays: dict[str, np.ndarray], cases) -> list[float]:
    cells = len(arrays["passable"])
    return [
        kernel(
            arrays["neighbor_table"],
            arrays["passable"],
            arrays["rears"],
            arrays["sides"],
            np.array(mask, np.bool_),
            arrays[f"positions{game}"],
            arrays[f"ledger{game}"],
            begin,
            end,
            np.empty(cells, np.bool_),
            np.empty(cells, np.bool_),
            np.empty(cells, np.int64),
        )
        for game, begin, end, mask in cases
    ]


def test_the_cut_off_kernel_as_written_gives_the_numpy_numbers() -> None:
    source = next(f for f in jit.KERNELS if f.__name__ == "most_men_cut_off")
    arrays, cases = cut_off_cases()
    expected = cut_off(men_cut_off_arrays, arrays, cases)
    assert cut_off(source, arrays, cases) == expected
    assert any(value > 0 for value in expected)  # some cases have men cut off


COMPILED = """
import json, sys
import numpy as np
from engine.history import most_men_cut_off
assert type(most_men_cut_off).__name__ == "CPUDispatcher"
sys.path.insert(0, "tests")
from test_metric_plan import cut_off
given = json.load(sys.stdin)
arrays = dict(np.load(given["arrays"]))
print(json.dumps(cut_off(most_men_cut_off, arrays, given["cases"])))
"""


def test_the_compiled_cut_off_kernel_gives_the_numpy_numbers(tmp_path: Path) -> None:
    pytest.importorskip("numba")
    arrays, cases = cut_off_cases()
    np.savez(tmp_path / "arrays.npz", **arrays)
    done = subprocess.run(
        [sys.executable, "-c", COMPILED],
        input=json.dumps({"arrays": str(tmp_path / "arrays.npz"), "cases": cases}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(
            os.environ,
            WARGAME_JIT="1",
            NUMBA_CACHE_DIR=str(tmp_path / "numba"),
            NUMBA_BOUNDSCHECK="1",
        ),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == cut_off(men_cut_off_arrays, arrays, cases)


def test_a_plan_reads_nothing_before_the_first_record() -> None:
    """A game with nothing recorded yet is measured by `measure` itself, as it would be."""
    scenario = load_scenario(ROOT / "scenarios" / "furong_mountain.yaml").scenario
    state = played(scenario, SEEDS[0])
    plan = MetricPlan(state)
    recorded = state.ledger_turns
    state.ledger_turns = 0
    try:
        assert same(plan.values(state), list(metric_values(state).values()))
    finally:
        state.ledger_turns = recorded


# ------------------------------------------------------------ the kernels, compiled and as written


def kernel_source(name: str):
    return next(f for f in jit.KERNELS if f.__name__ == name)


def kernel_cases() -> tuple[dict[str, np.ndarray], list[dict]]:
    """Every scenario's kit for `read_metrics` and `men_by_turn` and two games' arrays each, as
    named arrays, and a case per game (with its last snapshot and number of rows)."""
    from engine.sim.worker import _layout

    arrays: dict[str, np.ndarray] = {}
    cases = []
    for path in SCENARIOS:
        scenario = load_scenario(path).scenario
        layout = _layout(path.read_text(encoding="utf-8"), str(path))
        for seed in SEEDS[:2]:
            state = played(scenario, seed)
            name = f"{path.stem}{seed}"
            kit = MetricPlan(state)._program(state)
            for number, array in enumerate(kit):
                arrays[f"{name}.kit{number}"] = array
            for field in GAME_ARRAYS:
                arrays[f"{name}.{field}"] = getattr(state, field)
            for number, array in enumerate(layout.counted(state)):
                arrays[f"{name}.counted{number}"] = array
            width = len(layout.sides) + len(layout.groups)
            cases.append(
                {
                    "name": name,
                    "kit": len(kit),
                    "last": state.ledger_turns - 1,
                    "place_turns": state.place_turns,
                    "width": width,
                    "cells": state.board.size,
                }
            )
    return arrays, cases


GAME_ARRAYS = (
    "ledger_rows",
    "position_rows",
    "place_history",
    "rounds_rows",
    "works_rows",
    "first_routed",
)


def run_kernels(read_metrics, men_by_turn, arrays, cases) -> list:
    """Each case's `read_metrics` values and tells, and its `men_by_turn` rows, as lists."""
    found = []
    for case in cases:
        name = case["name"]
        kit = tuple(arrays[f"{name}.kit{number}"] for number in range(case["kit"]))
        game = [arrays[f"{name}.{field}"] for field in GAME_ARRAYS]
        out = np.zeros(len(kit[0]), np.float64)
        told = np.zeros(len(kit[0]), np.int8)
        cells = case["cells"]
        scratch = (np.empty(cells, np.bool_), np.empty(cells, np.bool_), np.empty(cells, np.int64))
        work = (*scratch, out, told)
        read_metrics(kit, *game, case["last"], case["place_turns"], work)
        turns = case["last"] + 1
        rows = np.zeros((turns + 2, case["width"]), np.int64)
        counted = [arrays[f"{name}.counted{number}"] for number in range(3)]
        men_by_turn(game[0], game[1], turns, *counted, rows, 2)
        found.append([out.tolist(), told.tolist(), rows[2:].tolist()])
    return found


KERNELS_COMPILED = """
import json, sys
import numpy as np
from engine.metric_plan import read_metrics
from engine.sim.worker import men_by_turn
assert type(read_metrics).__name__ == "CPUDispatcher"
sys.path.insert(0, "tests")
from test_metric_plan import run_kernels
given = json.load(sys.stdin)
arrays = dict(np.load(given["arrays"]))
print(json.dumps(run_kernels(read_metrics, men_by_turn, arrays, given["cases"])))
"""


def test_the_kernels_as_written_compiled_and_numpy_give_the_same_numbers(tmp_path: Path) -> None:
    """`read_metrics` and `men_by_turn` as written (run in Python), compiled, and (the men)
    their numpy twin, on every scenario's games: the same numbers."""
    from engine.sim.worker import _men_by_turn_arrays

    arrays, cases = kernel_cases()
    written = run_kernels(
        kernel_source("read_metrics"), kernel_source("men_by_turn"), arrays, cases
    )
    twin = run_kernels(kernel_source("read_metrics"), _men_by_turn_arrays, arrays, cases)
    assert written == twin
    pytest.importorskip("numba")
    np.savez(tmp_path / "arrays.npz", **arrays)
    done = subprocess.run(
        [sys.executable, "-c", KERNELS_COMPILED],
        input=json.dumps({"arrays": str(tmp_path / "arrays.npz"), "cases": cases}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(
            os.environ,
            WARGAME_JIT="1",
            NUMBA_CACHE_DIR=str(tmp_path / "numba"),
            NUMBA_BOUNDSCHECK="1",
        ),
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == written
