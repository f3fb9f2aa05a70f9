"""The turn reads orders as integer rows (engine/core/orders.py `ROW_WIDTH`): `sort_orders`
sorts them out for the phases, and `Game.give_computer_orders` hands the computer's rows to the
turn without making Order records. Same games either way."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import numpy as np

from engine import Game
from engine.core.orders import (
    ASSAULT,
    BOMBARD,
    FIRE,
    HOLD,
    MOVE,
    WITHDRAW,
    orders_to_rows,
)
from engine.rules.movement import FLEE, GO
from engine.rules.movement import WITHDRAW as WITHDRAWING
from engine.rules.turn import TurnScratch, sort_orders

FURONG = Path(__file__).resolve().parent.parent / "scenarios" / "furong_mountain.yaml"

# The unit fields `sort_orders` reads, for a hand-made position.
Units = namedtuple("Units", "men hex side routed crossing_hours crossing_from")
# ... and whether each is in the fight (arrived, not gone), which `sorted_out` adds from `active`
UnitsInFight = namedtuple("UnitsInFight", (*Units._fields, "arrived", "gone"))

# A line of hexes 0..9 on a board whose axial q is the hex number, r 0: hex a and b are |a-b|
# apart.
Q = np.arange(10, dtype=np.int64)
R = np.zeros(10, np.int64)


def sorted_out(rows, units, active, rear=(0, 9), step_codes=(BOMBARD,)):
    count = len(units.men)
    scratch = TurnScratch(
        men_before=np.zeros(count, np.int64),
        moving=np.full((4, count), -9, np.int64),
        aim_hex=np.full(count, -9, np.int64),  # every unit's aim written, -1 where none
        assaulting=np.full((2, count), -9, np.int64),
        stepping=np.full(count, -9, np.int64),
        on_map=np.zeros(count, np.bool_),
        on_board=np.zeros(count, np.bool_),
        last_order=np.full(count, -9, np.int64),
        changed=np.zeros(0, np.int64),
    )
    plain = getattr(sort_orders, "py_func", sort_orders)
    n_moving, n_assaulting, n_stepping = plain(
        np.array(rows, np.int64).reshape(-1, 4),
        UnitsInFight(*units, np.array(active, np.bool_), np.zeros(count, np.bool_)),
        np.array(rear, np.int64),
        Q,
        R,
        np.array(step_codes, np.int64),
        scratch,
    )
    moving, aim, assaulting, stepping = (
        scratch.moving,
        scratch.aim_hex,
        scratch.assaulting,
        scratch.stepping,
    )
    return (
        moving[:, :n_moving].T.tolist(),
        aim.tolist(),
        assaulting[:, :n_assaulting].T.tolist(),
        stepping[:n_stepping].tolist(),
    )


def test_sort_orders_gives_each_phase_its_units_in_unit_order() -> None:
    units = Units(
        men=np.full(8, 100, np.int64),
        hex=np.array([4, 4, 4, 4, 4, 4, 4, 4], np.int64),
        side=np.array([0, 0, 0, 0, 1, 1, 1, 0], np.int8),
        routed=np.array([0, 0, 0, 0, 0, 1, 1, 0], np.bool_),
        crossing_hours=np.array([0, 0, 0, 0, 0, 0, 0, 0.5]),
        crossing_from=np.array([-1, -1, -1, -1, -1, -1, -1, 3], np.int64),
    )
    rows = [
        (MOVE, 0, 7, -1),
        (ASSAULT, 1, 5, -1),  # next to it: an assault, no move
        (ASSAULT, 2, 8, -1),  # four hexes off: it goes there first, and is told to assault
        (FIRE, 3, 6, -1),
        (HOLD, 0, -1, -1),  # unit 0's last order counts: it holds
        (WITHDRAW, 4, 9, -1),
        (MOVE, 5, 2, -1),  # routed: flees to its rear whatever it is told
        (WITHDRAW, 6, 8, -1),  # routed and withdrawing: flees, leaving at the hex it was told
        (BOMBARD, 3, 1, 20),  # unit 3's last order: a rule step's, its fire order gone
    ]
    moving, aim, assaulting, stepping = sorted_out(rows, units, [1] * 8)
    assert moving == [
        [2, GO, 8, -1],
        [4, WITHDRAWING, 9, 9],
        [5, FLEE, 9, 9],
        [6, FLEE, 9, 8],
        [7, GO, 3, -1],  # in a river with no order: back to the bank it set out from
    ]
    assert aim == [-1] * 8
    assert assaulting == [[1, 5], [2, 8]]
    assert stepping == [8] and rows[8] == (BOMBARD, 3, 1, 20)  # unit 3's last row


def test_sort_orders_moves_only_active_units_but_keeps_every_aim() -> None:
    units = Units(
        men=np.full(3, 100, np.int64),
        hex=np.array([1, 2, -1], np.int64),
        side=np.zeros(3, np.int8),
        routed=np.zeros(3, np.bool_),
        crossing_hours=np.zeros(3),
        crossing_from=np.full(3, -1, np.int64),
    )
    rows = [(MOVE, 2, 5, -1), (FIRE, 1, 6, -1), (MOVE, 0, 3, -1)]
    moving, aim, assaulting, stepping = sorted_out(rows, units, [1, 1, 0])
    assert moving == [[0, GO, 3, -1]]
    assert aim == [-1, 6, -1]
    assert assaulting == [] and stepping == []


def test_no_orders_at_all_sort_out_to_nothing() -> None:
    units = Units(
        men=np.full(2, 10, np.int64),
        hex=np.array([1, 2], np.int64),
        side=np.array([0, 1], np.int8),
        routed=np.zeros(2, np.bool_),
        crossing_hours=np.zeros(2),
        crossing_from=np.full(2, -1, np.int64),
    )
    assert sorted_out([], units, [1, 1]) == ([], [-1, -1], [], [])


def test_the_computers_rows_play_the_game_its_orders_play() -> None:
    by_rows = Game.load(FURONG, seed=3)
    by_orders = Game.load(FURONG, seed=3)
    for _ in range(12):
        for side in (0, 1):
            by_rows.give_computer_orders(side)
            by_orders.apply_orders(side, by_orders.computer_orders(side))
        assert by_rows.end_turn() == by_orders.end_turn()
    assert by_rows.orders == by_orders.orders  # the log's text form
    assert by_rows.state.state_hash() == by_orders.state.state_hash()


def test_orders_given_over_the_computers_rows_count() -> None:
    game = Game.load(FURONG, seed=2)
    game.give_computer_orders("roc")
    computer = game.pending("roc")
    assert [o.unit for o in computer] == sorted({o.unit for o in computer}) and computer
    first = computer[0]
    other = next(o for o in game.legal_orders(first.unit) if type(o) is not type(first))
    game.apply_orders("roc", [other])
    pending = {o.unit: o for o in game.pending("roc")}
    assert pending[first.unit] == other
    assert len(pending) == len(computer)
    game.end_turn()  # the side's orders as records now: the turn makes them rows


def test_a_turn_of_rows_is_the_turn_of_their_orders() -> None:
    """`end_turn` given Orders makes them rows; given the rows themselves, the same turn."""
    from engine.rules.turn import end_turn

    a = Game.load(FURONG, seed=5)
    b = Game.load(FURONG, seed=5)
    for _ in range(6):
        orders = [o for side in (0, 1) for o in a.computer_orders(side)]
        events_a = end_turn(a.state, orders)
        events_b = end_turn(b.state, orders_to_rows(orders))
        assert events_a == events_b
    assert a.state.state_hash() == b.state.state_hash()
