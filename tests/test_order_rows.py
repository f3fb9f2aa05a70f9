"""Orders as integer rows (engine/core/orders.py `orders_to_rows`, `rows_to_orders`): the form a
compiled turn takes, and the computer player's plan kernel writes. Every registered kind goes
there and back unchanged, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.rules.engineering  # noqa: F401  (registers Breach, a kind a rule module adds)
from engine.core.orders import (
    ASSAULT,
    BOMBARD,
    FIRE,
    HOLD,
    MOVE,
    NO_NUMBER,
    ORDER_CODES,
    ORDER_TYPES,
    ROW_WIDTH,
    WITHDRAW,
    Assault,
    Bombard,
    Hold,
    Move,
    Order,
    orders_to_rows,
    register_order,
    rows_to_orders,
)
from engine.rules.engineering import Breach


def an_order(kind: type[Order]) -> st.SearchStrategy[Order]:
    """Any order of `kind`: a unit, a hex for each number, a bombardment's rounds from -1 (as
    fast as the tubes fire) up."""
    numbers = [
        st.integers(-1, 500) if name == "rounds" else st.integers(0, 5000) for name in kind.numbers
    ]
    return st.builds(lambda unit, *n: kind(unit, *n), st.integers(0, 300), *numbers)  # type: ignore[call-arg]


ANY_ORDER = st.one_of([an_order(kind) for kind in ORDER_CODES])


def test_every_registered_kind_has_its_own_code_in_registration_order() -> None:
    assert [kind.code for kind in ORDER_CODES] == list(range(len(ORDER_CODES)))
    assert list(ORDER_TYPES.values()) == ORDER_CODES
    assert (HOLD, MOVE, ASSAULT, BOMBARD, FIRE, WITHDRAW) == (0, 1, 2, 3, 4, 5)
    assert Breach.code == ORDER_CODES.index(Breach) >= 6


def test_a_row_is_kind_unit_then_the_kinds_numbers_padded() -> None:
    rows = orders_to_rows(
        [Hold(3), Move(1, 40), Assault(2, 41), Bombard(5, 42), Bombard(6, 43, 12), Breach(7, 9)]
    )
    assert rows.dtype == np.int64
    assert rows.shape == (6, ROW_WIDTH)
    assert rows.tolist() == [
        [HOLD, 3, NO_NUMBER, NO_NUMBER],
        [MOVE, 1, 40, NO_NUMBER],
        [ASSAULT, 2, 41, NO_NUMBER],
        [BOMBARD, 5, 42, -1],
        [BOMBARD, 6, 43, 12],
        [Breach.code, 7, 9, NO_NUMBER],
    ]
    assert orders_to_rows([]).shape == (0, ROW_WIDTH)


@settings(max_examples=300, deadline=None)
@given(st.lists(ANY_ORDER, max_size=30))
def test_orders_go_to_rows_and_back_unchanged(orders: list[Order]) -> None:
    back = rows_to_orders(orders_to_rows(orders))
    assert back == orders
    assert [type(o) for o in back] == [type(o) for o in orders]
    ids = tuple(f"u{k}" for k in range(301))
    assert [o.text(ids) for o in back] == [o.text(ids) for o in orders]


def test_a_code_no_kind_has_is_refused() -> None:
    with pytest.raises(ValueError, match="no order kind has the code"):
        rows_to_orders(np.array([[len(ORDER_CODES), 0, 1, -1]], np.int64))
    with pytest.raises(ValueError, match="no order kind has the code"):
        rows_to_orders(np.array([[-1, 0, -1, -1]], np.int64))


def test_an_unregistered_kind_has_no_row() -> None:
    @dataclass(frozen=True, slots=True)
    class Dig(Order):
        verb: ClassVar[str] = "dig"

    with pytest.raises(ValueError, match="not a registered order kind"):
        orders_to_rows([Dig(0)])


def test_a_kind_with_more_numbers_than_a_row_holds_is_refused() -> None:
    @dataclass(frozen=True, slots=True)
    class Barrage(Order):
        target: int
        rounds: int
        lifts: int
        verb: ClassVar[str] = "barrage"
        numbers: ClassVar[tuple[str, ...]] = ("target", "rounds", "lifts")

    with pytest.raises(ValueError, match="an order row holds"):
        register_order(Barrage)
    assert "barrage" not in ORDER_TYPES and Barrage not in ORDER_CODES
