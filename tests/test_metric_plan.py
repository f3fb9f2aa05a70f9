"""The batch's reading of the history metrics (engine/metric_plan.py) gives `metric_values`' numbers
exactly: every metric of every shipped scenario and variant, several seeds, at every turn of each
game; and its kernel for the cut-off men (`history.most_men_cut_off`), as written and compiled,
gives its numpy twin's (`men_cut_off_arrays`, what `measure` runs).

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


def assert_equal_at_every_turn(state) -> None:
    """The plan's numbers are `metric_values`' for the whole game, and for the game cut after
    each turn (its ledgers and places' record as they stood then): windows that end before the
    game did, snapshots clipped to the last one recorded."""
    ids = [entry.id for entry in state.scenario.history]
    assert len(set(ids)) == len(ids)
    recorded, places = state.ledger_turns, state.place_turns
    try:
        for turns in range(recorded, 0, -1):
            state.ledger_turns, state.place_turns = turns, min(places, turns - 1)
            measured = list(metric_values(state).values())
            assert same(plan_values(state), measured), (turns, ids)
    finally:
        state.ledger_turns, state.place_turns = recorded, places


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_plan_gives_metric_values_for_every_scenario(path: Path) -> None:
    scenario = load_scenario(path).scenario
    states = [played(scenario, seed) for seed in SEEDS]
    for state in states:
        assert_equal_at_every_turn(state)
    assert metric_plan(states[0]) is metric_plan(states[-1])  # made once for the scenario


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
