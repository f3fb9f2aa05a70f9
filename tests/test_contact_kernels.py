"""Who is in contact (morale's `in_contact`) and which routed units broke contact (fire's
`mark_running`), as kernels: exact answers on small hand-made positions, and `in_contact` held to
the rule it replaced (an enemy on the map among the board's `within_two` hexes) on every shipped
board. Run both interpreted and compiled (`WARGAME_JIT=1`): the kernels are called directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_rules_exact import BASE, battle, unit

from engine.core.board import build_board
from engine.core.bundles import unit_arrays
from engine.rules.fire import broke_contact, mark_running
from engine.rules.morale import in_contact
from engine.rules.turn import new_game
from engine.scenario import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

# A 9 x 5 board of open ground, and the same with cliffs (impassable) at (0, 0) and (0, 1).
OPEN = "\n".join(["." * 9] * 5) + "\n"
CLIFFS = "\n".join(["x" + "." * 8, "x" + "." * 8, *["." * 9] * 3]) + "\n"


def _battle(units: list[dict]):
    """A game of test_rules_exact's BASE with these units on a 9 x 5 board of open ground."""
    return battle(units=units, width=9, height=5, terrain=OPEN)


def _cliff_battle(units: list[dict]):
    """`_battle` on CLIFFS (a terrain type of its own, impassable)."""
    data = yaml.safe_load(BASE)
    data["map"] |= {"width": 9, "height": 5, "terrain": CLIFFS}
    data["map"]["legend"]["x"] = "cliff"
    data["terrain"]["cliff"] = {"name": {"en": "Cliff"}, "passable": False}
    data["units"] = units
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return new_game(load_scenario_text(text).scenario, 1, None)


def _in_contact(hexes, sides, on_map, q, r) -> np.ndarray:
    """`in_contact`'s answer, written into an array of its own (the kernel writes the caller's:
    the morale phase's scratch)."""
    contact = np.ones(len(hexes), np.bool_)  # (every entry written, True or False)
    in_contact(hexes, sides, on_map, q, r, contact)
    return contact


def _contact(state) -> set[str]:
    """The ids of the units `in_contact` says are in contact, the units on the map as the state
    has them."""
    u, board = state.units, state.board
    contact = _in_contact(u.hex, u.side, state.active(), board.q, board.r)
    return {u.ids[i] for i in np.flatnonzero(contact).tolist()}


def _distance(state, a: tuple[int, int], b: tuple[int, int]) -> int:
    board = state.board
    return board.distance(board.index(*a), board.index(*b))


@pytest.mark.parametrize(
    ("red", "two_away", "three_away"),
    [
        ((1, 2), (3, 2), (4, 2)),  # along a row
        ((2, 2), (3, 0), (4, 0)),  # across the rows (odd-r offsets)
    ],
)
def test_an_enemy_two_hexes_away_is_contact_three_is_not(red, two_away, three_away) -> None:
    for blue, steps, contact in ((two_away, 2, {"red_1", "blue_1"}), (three_away, 3, set())):
        state = _battle([unit("red_1", "red", red), unit("blue_1", "blue", blue)])
        assert _distance(state, red, blue) == steps
        assert _contact(state) == contact


def test_friends_and_units_off_the_map_are_no_contact() -> None:
    """Red's two units side by side, Blue's far off; Blue's second unit next to Red has not
    arrived, its third is gone: nobody is in contact, and those two are off the map."""
    state = _battle(
        [
            unit("red_1", "red", (1, 2)),
            unit("blue_1", "blue", (8, 4)),
            unit("red_2", "red", (2, 2)),
            unit("blue_2", "blue", (1, 1)),
            unit("blue_3", "blue", (2, 1)),
        ]
    )
    u = state.units
    u.arrived[3] = False
    u.gone[4], u.hex[4] = True, -1
    assert _contact(state) == set()
    u.arrived[3] = True  # blue_2 arrives next to both Red units
    assert _contact(state) == {"red_1", "red_2", "blue_2"}


def test_the_mask_handed_in_says_who_is_on_the_map() -> None:
    """`in_contact` reads the units on the map from `on_map` alone: a unit left out neither is
    in contact nor puts anyone in contact."""
    state = _battle(
        [unit("red_1", "red", (1, 2)), unit("blue_1", "blue", (2, 2)), unit("red_2", "red", (8, 0))]
    )
    u, board = state.units, state.board
    on_map = np.array([True, False, True])
    assert not _in_contact(u.hex, u.side, on_map, board.q, board.r).any()
    on_map = np.array([False, True, True])
    assert not _in_contact(u.hex, u.side, on_map, board.q, board.r).any()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_within_two_hexes_is_two_steps_between_neighbours_on_every_board(path: Path) -> None:
    """The rule read the board's `within_two` (two steps through on-map neighbours);
    `in_contact` reads the hex distance: on a rectangle of hexes they are the same hexes."""
    board = build_board(load_scenario(path).scenario)
    for h in range(board.size):
        near = set(np.flatnonzero(board.distances_from(h) <= 2).tolist())
        assert near == set(board.within_two(h)), h


FURONG = build_board(load_scenario(ROOT / "scenarios" / "furong_mountain.yaml").scenario)


@given(
    st.lists(
        st.tuples(
            st.integers(-1, FURONG.size - 1), st.integers(0, 1), st.booleans()
        ),  # hex, side, on the map
        min_size=1,
        max_size=24,
    )
)
def test_in_contact_is_the_within_two_rule(units: list[tuple[int, int, bool]]) -> None:
    """Any units on Furong's board (36 x 28): `in_contact` gives what the Python rule it
    replaced gave (the enemy's hexes on the map against each unit's `within_two` set)."""
    hexes = np.array([h for h, _, _ in units], np.int32)
    sides = np.array([s for _, s, _ in units], np.int8)
    on_map = np.array([placed and h >= 0 for h, _, placed in units], np.bool_)
    enemy_hexes: tuple[set[int], set[int]] = (set(), set())
    for h, side, placed in zip(hexes.tolist(), sides.tolist(), on_map.tolist(), strict=True):
        if placed:
            enemy_hexes[1 - side].add(h)
    expected = [
        placed and not FURONG.within_two(h).isdisjoint(enemy_hexes[side])
        for h, side, placed in zip(hexes.tolist(), sides.tolist(), on_map.tolist(), strict=True)
    ]
    got = _in_contact(hexes, sides, on_map, FURONG.q, FURONG.r)
    assert got.tolist() == expected


# ------------------------------------------------------------------ mark_running


def _running(state, on_map: np.ndarray | None = None) -> tuple[bool, set[str], np.ndarray]:
    """(what `mark_running` returned, the ids it marked, its count of units in a hex)."""
    u, board = state.units, state.board
    running = np.zeros(u.count, np.bool_)
    occupied = np.zeros((2, board.size), np.int32)
    zoned = np.zeros((2, board.size), np.int32)
    marked = mark_running(
        unit_arrays(u),
        state.active() if on_map is None else on_map,
        board.neighbor_table,
        board.passable,
        occupied,
        zoned,
        running,
    )
    return bool(marked), {u.ids[i] for i in np.flatnonzero(running).tolist()}, occupied


def test_a_routed_unit_free_to_run_broke_contact() -> None:
    state = _battle([unit("red_1", "red", (1, 2)), unit("blue_1", "blue", (2, 2))])
    state.units.routed[1] = True
    marked, running, occupied = _running(state)
    assert (marked, running) == (True, {"blue_1"})
    assert occupied.sum() == 2  # both units counted, each in its hex
    assert broke_contact(state) == {1}


def test_only_routed_units_run() -> None:
    state = _battle([unit("red_1", "red", (1, 2)), unit("blue_1", "blue", (2, 2))])
    assert _running(state)[:2] == (False, set())


def test_a_routed_unit_hemmed_in_by_the_enemy_stays_in_contact() -> None:
    """Blue in the corner (0, 0), whose only neighbours (1, 0) and (0, 1) Red holds."""
    units = [
        unit("red_1", "red", (1, 0)),
        unit("blue_1", "blue", (0, 0)),
        unit("red_2", "red", (0, 1)),
    ]
    state = _battle(units)
    state.units.routed[1] = True
    assert _running(state)[:2] == (False, set())


def test_a_routed_unit_whose_ways_out_are_all_in_the_enemy_zone_stays_in_contact() -> None:
    """Blue in the corner: Red holds (0, 1), next to Blue's hex, and Red's unit at (1, 1) has
    (1, 0), Blue's one free way out, in its zone: trapped. With the unit at (0, 1) routed (no
    zone), Blue's own hex is out of Red's zone and it may run (as may that unit)."""
    units = [
        unit("red_1", "red", (1, 1)),
        unit("blue_1", "blue", (0, 0)),
        unit("red_2", "red", (0, 1)),
    ]
    state = _battle(units)
    state.units.routed[1] = True
    assert _running(state)[:2] == (False, set())
    state.units.routed[2] = True  # and free to run itself: Blue, routed, has no zone
    assert _running(state)[:2] == (True, {"blue_1", "red_2"})


def test_a_routed_unit_between_cliffs_and_the_enemy_stays_in_contact() -> None:
    """Blue at (1, 0), whose neighbours are two cliffs, (0, 0) and (0, 1), and two hexes Red
    holds, (2, 0) and (1, 1): trapped. With Red's unit at (1, 1) gone, that hex is free but in
    the zone of Red's unit at (2, 0), as is Blue's own: still trapped. With that one routed too
    (no zone), Blue may run (as may that unit)."""
    units = [unit("red_1", "red", (2, 0)), unit("blue_1", "blue", (1, 0))]
    units.append(unit("red_2", "red", (1, 1)))
    state = _cliff_battle(units)
    board = state.board
    assert sorted(board.neighbors[board.index(1, 0)]) == sorted(
        board.index(c, r) for c, r in ((0, 0), (2, 0), (0, 1), (1, 1))
    )
    assert not board.passable[board.index(0, 0)] and not board.passable[board.index(0, 1)]
    u = state.units
    u.routed[1] = True
    assert _running(state)[:2] == (False, set())
    u.gone[2], u.hex[2] = True, -1
    assert _running(state)[:2] == (False, set())
    u.routed[0] = True  # and free to run itself
    assert _running(state)[:2] == (True, {"blue_1", "red_1"})


def test_nothing_runs_while_no_routed_unit_on_the_map_has_men() -> None:
    """The routed units that count are those `on_map` (as direct fire hands it) with men left:
    with none, nothing is marked, and the zones are not even counted."""
    state = _battle([unit("red_1", "red", (1, 2)), unit("blue_1", "blue", (2, 2))])
    state.units.routed[1] = True
    off = np.zeros(2, np.bool_)
    marked, running, occupied = _running(state, off)
    assert (marked, running, int(occupied.sum())) == (False, set(), 0)
    state.units.men[1] = 0
    marked, running, occupied = _running(state)
    assert (marked, running, int(occupied.sum())) == (False, set(), 0)


def test_a_routed_unit_not_yet_arrived_does_not_run() -> None:
    """Blue's routed unit at (5, 4) has not arrived; its other routed unit on the map runs."""
    units = [
        unit("red_1", "red", (1, 2)),
        unit("blue_1", "blue", (2, 2)),
        unit("blue_2", "blue", (5, 4)),
    ]
    state = _battle(units)
    u = state.units
    u.routed[1] = u.routed[2] = True
    u.arrived[2] = False
    assert _running(state)[:2] == (True, {"blue_1"})
