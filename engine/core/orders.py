"""Orders: what a side tells one unit to do this turn, as small frozen records with a text form.

The text form (`assault ija_1bn 12,7`) is what logs, replays and tests read and write; `parse`
turns it back into the record, so a game can be replayed from its orders.

Each order type declares, in its own class and nowhere else:
  - `verb` and `numbers`: its text form (the verb, the unit, then these fields as numbers; the
    trailing `optional` ones are left out of the text while they hold their default);
  - `unable(state, unit)`: why the unit cannot be given this kind at all (the window asks before
    it offers the mode), and `refusal(state)`: why this very order cannot be given now (by default
    what `unable` says), read by the turn's check_order;
  - `ui`: how the window offers it (key, button label, cursor, preview), as plain data.
The rule step that resolves it is declared beside the rule (engine/rules/turn.py for the built-in
phases, `resolves` in a rule module for a new kind: see engine/rules/engineering.py).
`register_order` adds a kind to ORDER_TYPES, which drives parse, text, the checks and the window.

Orders also have a form as integer rows, for the compiled turn (docs/speed.md, stage 4: numba
takes arrays, not records): `orders_to_rows` and `rows_to_orders`, in the format described at
`ROW_WIDTH` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar

import numpy as np


@dataclass(frozen=True, slots=True)
class OrderUI:
    """How the window offers an order kind. Plain data: no pygame below engine/ui.

    key: the letter that chooses the order mode; label: the button's text; cursor: what a click
    picks ("hex": any hex, "enemy": a hex held by the enemy, "declared": the hexes the kind's
    `Order.targets` names); preview: what the window shows while the mode is on ("path",
    "assault", "bombard", "fire": the window's own previews, "declared": the kind's
    `Order.forecast`, "" for none); help: its words on the help screen; color: the RGB of the
    order's arrow on the map.
    """

    key: str
    label: str
    cursor: str = "hex"
    preview: str = ""
    help: str = ""
    color: tuple[int, int, int] = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class Order:
    unit: int
    verb: ClassVar[str] = ""
    numbers: ClassVar[tuple[str, ...]] = ()  # fields written after the unit, in this order
    optional: ClassVar[int] = 0  # how many trailing `numbers` may be left out (their default)
    ui: ClassVar[OrderUI | None] = None  # None: not offered as a mode in the window
    routed_may: ClassVar[bool] = False  # a routed unit may be given it
    code: ClassVar[int] = -1  # the kind's number in integer rows (`register_order` sets it)

    def text(self, unit_ids: tuple[str, ...]) -> str:
        words = [self.verb, unit_ids[self.unit]]
        values = [getattr(self, name) for name in self.numbers]
        keep = len(values)
        defaults = _defaults(type(self))
        while keep > len(values) - self.optional and values[keep - 1] == defaults.get(
            self.numbers[keep - 1]
        ):
            keep -= 1
        return " ".join(words + [str(v) for v in values[:keep]])

    @classmethod
    def unable(cls, state: Any, unit: int) -> str | None:
        """Why `unit` cannot be given an order of this kind at all (whatever hex it names), or
        None: what the window checks before it offers the order mode."""
        return None

    def refusal(self, state: Any) -> str | None:
        """Why this order cannot be given now, beyond the checks every order gets (the unit on
        the map, the hex on the map), or None. By default: what `unable` says."""
        return self.unable(state, self.unit)

    @classmethod
    def targets(cls, state: Any, unit: int) -> set[int] | None:
        """The hexes `unit` may name in an order of this kind now, for a kind that knows them
        without the window's help (the window lights them); None: the window works them out
        from the cursor (`OrderUI.cursor`)."""
        return None

    def forecast(self, state: Any) -> tuple[str, str, list[tuple[str, str]]] | None:
        """What this order would do, as plain text for the window's preview (a title, a
        headline, named numbers), for a kind that can say it without the window's help; None:
        the window's own preview (`OrderUI.preview`)."""
        return None


def _defaults(cls: type[Order]) -> dict[str, Any]:
    return {f.name: f.default for f in fields(cls) if f.name in cls.numbers}


ORDER_TYPES: dict[str, type[Order]] = {}

# Orders as integer rows: an int64 array of n × ROW_WIDTH, one order a row, which a kernel can
# read and write (the computer player's plan kernel writes them; stage 4's compiled turn takes
# them):
#   column 0  the kind's code (`Order.code`): its place among the registered kinds, so the
#             built-in kinds of this file are 0-5 in the order they are declared here (HOLD ..
#             WITHDRAW below, which kernels may use as constants) and a kind a rule module
#             registers takes the next code when that module is imported. A code above 5 holds
#             within one process only: logs and replays keep the text form, never codes.
#   column 1  the unit
#   column 2+ the kind's `numbers`, in order (the hex it names, then a bombardment's rounds,
#             -1 for as fast as the tubes can fire); -1 in the columns a kind has no number for
ROW_NUMBERS = 2  # the most numbers an order kind may have (`register_order` checks it)
ROW_WIDTH = 2 + ROW_NUMBERS
NO_NUMBER = -1  # a column the row's kind has no number for
# The registered kinds by code (ORDER_TYPES's values in registration order).
ORDER_CODES: list[type[Order]] = []


def register_order(cls: type[Order]) -> type[Order]:
    """Make an order kind known to parse, the checks, the window and the integer rows (a class
    decorator)."""
    if cls.verb in ORDER_TYPES and ORDER_TYPES[cls.verb] is not cls:
        raise ValueError(f"two order kinds say the verb {cls.verb!r}")
    if len(cls.numbers) > ROW_NUMBERS:
        raise ValueError(
            f"order kind {cls.verb!r} has {len(cls.numbers)} numbers; an order row holds"
            f" {ROW_NUMBERS} (ROW_NUMBERS in engine/core/orders.py)"
        )
    if cls.verb not in ORDER_TYPES:
        cls.code = len(ORDER_CODES)
        ORDER_CODES.append(cls)
    ORDER_TYPES[cls.verb] = cls
    return cls


@register_order
@dataclass(frozen=True, slots=True)
class Hold(Order):
    """Stay, fire at what comes into range, defend the hex."""

    verb: ClassVar[str] = "hold"
    routed_may: ClassVar[bool] = True


@register_order
@dataclass(frozen=True, slots=True)
class Move(Order):
    """Move toward `to` (hex number) along the quickest path."""

    to: int
    verb: ClassVar[str] = "move"
    numbers: ClassVar[tuple[str, ...]] = ("to",)
    ui: ClassVar[OrderUI | None] = OrderUI("m", "Move", "hex", "path", "move", (80, 230, 110))


@register_order
@dataclass(frozen=True, slots=True)
class Assault(Order):
    """Close with and take the adjacent hex `target`."""

    target: int
    verb: ClassVar[str] = "assault"
    numbers: ClassVar[tuple[str, ...]] = ("target",)
    ui: ClassVar[OrderUI | None] = OrderUI(
        "a", "Assault", "enemy", "assault", "assault", (240, 50, 40)
    )

    @classmethod
    def unable(cls, state: Any, unit: int) -> str | None:
        u = state.units
        if u.is_gun[unit]:
            return f"{u.ids[unit]} is a gun unit and cannot assault"
        return None


@register_order
@dataclass(frozen=True, slots=True)
class Bombard(Order):
    """Fire indirect weapons at hex `target`, at most `rounds` rounds this turn (-1: as fast as
    the tubes can fire)."""

    target: int
    rounds: int = -1
    verb: ClassVar[str] = "bombard"
    numbers: ClassVar[tuple[str, ...]] = ("target", "rounds")
    optional: ClassVar[int] = 1
    ui: ClassVar[OrderUI | None] = OrderUI(
        "b", "Bombard", "hex", "bombard", "bombard (guns)", (255, 160, 30)
    )

    @classmethod
    def unable(cls, state: Any, unit: int) -> str | None:
        u = state.units
        if not u.indirect[unit]:
            return f"{u.ids[unit]} has no guns or mortars to bombard with"
        return None


@register_order
@dataclass(frozen=True, slots=True)
class Fire(Order):
    """Stay and aim this turn's direct fire at the enemy in hex `target` (the largest unit there),
    if it is in reach and sight; otherwise the unit fires at the nearest enemy as usual."""

    target: int
    verb: ClassVar[str] = "fire"
    numbers: ClassVar[tuple[str, ...]] = ("target",)
    ui: ClassVar[OrderUI | None] = OrderUI("f", "Fire", "enemy", "fire", "fire")

    @classmethod
    def unable(cls, state: Any, unit: int) -> str | None:
        u = state.units
        if u.firepower[unit] <= 0:
            return f"{u.ids[unit]} has no rifles or machine guns to fire"
        return None


@register_order
@dataclass(frozen=True, slots=True)
class Withdraw(Order):
    """Fall back toward `to`, moving away from the enemy; off the map if `to` is on its edge."""

    to: int
    verb: ClassVar[str] = "withdraw"
    numbers: ClassVar[tuple[str, ...]] = ("to",)
    ui: ClassVar[OrderUI | None] = OrderUI(
        "w", "Withdraw", "hex", "path", "withdraw", (110, 170, 255)
    )
    routed_may: ClassVar[bool] = True


# The built-in kinds' codes in order rows (their declaration order above; see ROW_WIDTH).
HOLD, MOVE, ASSAULT, BOMBARD, FIRE, WITHDRAW = range(6)
assert [kind.code for kind in (Hold, Move, Assault, Bombard, Fire, Withdraw)] == [
    HOLD,
    MOVE,
    ASSAULT,
    BOMBARD,
    FIRE,
    WITHDRAW,
], "the built-in order kinds are registered first, in this order"


def orders_to_rows(orders: Iterable[Order]) -> np.ndarray:
    """`orders` as integer rows (n × ROW_WIDTH int64, in their order; see ROW_WIDTH)."""
    listed = list(orders)
    rows = np.full((len(listed), ROW_WIDTH), NO_NUMBER, np.int64)
    for n, order in enumerate(listed):
        kind = type(order)
        if kind.code < 0 or ORDER_CODES[kind.code] is not kind:
            raise ValueError(f"{kind.__name__} is not a registered order kind")
        rows[n, 0] = kind.code
        rows[n, 1] = order.unit
        for m, name in enumerate(kind.numbers):
            rows[n, 2 + m] = getattr(order, name)
    return rows


def rows_to_orders(rows: np.ndarray) -> list[Order]:
    """The orders of integer rows (see ROW_WIDTH), in the rows' order: `orders_to_rows` undone.
    Raises ValueError for a code no kind has."""
    return [_order_of_row(*row) for row in rows.tolist()]


@cache
def _order_of_row(code: int, unit: int, *numbers: int) -> Order:
    """One row's order. Orders are frozen records, so one serves every turn and every game that
    gives it: a look-up costs a fraction of a frozen dataclass's __init__ (the computer player
    turns every unit's row into an order every turn)."""
    if not 0 <= code < len(ORDER_CODES):
        raise ValueError(f"no order kind has the code {code}")
    kind = ORDER_CODES[code]
    return kind(unit, *numbers[: len(kind.numbers)])  # type: ignore[call-arg]


# The rule steps that resolve order kinds, declared beside their rule with `resolves`: the turn
# (engine/rules/turn.py) calls each, after movement and before direct fire, with the orders of its
# kind given this turn as integer rows (see ROW_WIDTH; a unit's last order, in unit order), as
# step(state, rows, coefficients, events): rows, not `Order`s, so that a compiled turn can hand
# them on as they are. Steps run by their rank (then verb), whatever order the rule modules
# happen to be imported in.
RULE_STEPS: list[tuple[int, type[Order], Callable[..., None]]] = []
RANK_WORK = 10  # work on the ground (engineers breaching)
RANK_BOMBARD = 20  # guns and mortars fire


def resolves(kind: type[Order], rank: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare the function that resolves orders of `kind`, at `rank` among the steps (a
    decorator for a rule module)."""

    def declare(step: Callable[..., None]) -> Callable[..., None]:
        if any(known is kind for _, known, _ in RULE_STEPS):
            raise ValueError(f"two steps resolve {kind.verb!r}")
        RULE_STEPS.append((rank, kind, step))
        RULE_STEPS.sort(key=lambda entry: (entry[0], entry[1].verb))
        return step

    return declare


def order_hex(order: Order) -> int | None:
    """The hex an order names (where to move, what to assault, bombard or fire at), or None for
    one that names none (hold)."""
    return getattr(order, "to", getattr(order, "target", None))


def window_orders() -> list[type[Order]]:
    """The order kinds the window offers as modes, in the order they were declared."""
    return [cls for cls in ORDER_TYPES.values() if cls.ui is not None]


class OrderParseError(ValueError):
    pass


def parse(text: str, unit_index: dict[str, int]) -> Order:
    """An order from its text form; raises OrderParseError with the reason."""
    parts = text.split()
    if not parts or parts[0] not in ORDER_TYPES:
        raise OrderParseError(f"unknown order {text!r}; expected one of {sorted(ORDER_TYPES)}")
    cls = ORDER_TYPES[parts[0]]
    if len(parts) < 2 or parts[1] not in unit_index:
        raise OrderParseError(f"order {text!r} names no known unit")
    unit = unit_index[parts[1]]
    if not cls.numbers:
        return cls(unit)
    numbers = parts[2:]
    # hexes and rounds: ASCII digits (never < 0; str.isdigit alone also takes '²')
    if not numbers or not all(p.isascii() and p.isdigit() for p in numbers):
        raise OrderParseError(f"order {text!r} needs a hex number")
    if not len(cls.numbers) - cls.optional <= len(numbers) <= len(cls.numbers):
        raise OrderParseError(f"order {text!r} has too many numbers")
    return cls(unit, *[int(p) for p in numbers])  # type: ignore[call-arg]
