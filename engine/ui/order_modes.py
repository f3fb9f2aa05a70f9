"""The play screen's order modes, built from what each order kind declares of itself
(`Order.ui`, `Order.unable`, `Order.targets`, `Order.forecast` in engine/core/orders.py, or beside
its rule): keys, buttons, the help line, which hexes a mode lights and the preview it shows.

A new order kind with a `ui` declaration appears in the window with no change here: with the
cursor and preview "declared", the kind itself says which hexes it may aim at and what the order
would do. The window's own cursors and previews (the paths, the odds of fire, bombardment and
assault, drawn from trial runs of the rules) are kept for the kinds that use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from ..core.orders import ORDER_TYPES, Order, window_orders
from ..core.state import GameState
from ..rules import turn as _turn  # noqa: F401  (imports every rule module: every kind declared)
from .odds import Odds

# What a mode's cursor picks and what preview it shows (OrderUI.cursor, OrderUI.preview).
CURSORS = ("hex", "enemy", "declared")
PREVIEWS = ("", "path", "assault", "bombard", "fire", "declared")


@dataclass(frozen=True, slots=True)
class OrderMode:
    """An order mode of the play screen, as its order kind declares it: a click on a hex then
    gives `order(unit, hex)`."""

    name: str  # the kind's verb
    label: str  # its button
    key: int  # its key (pygame)
    order: type[Order]
    cursor: str
    preview: str
    help: str


def order_modes() -> tuple[OrderMode, ...]:
    """Every order kind the window offers, in the order they were declared."""
    found = []
    for kind in window_orders():
        ui = kind.ui
        assert ui is not None
        if ui.cursor not in CURSORS or ui.preview not in PREVIEWS:
            raise ValueError(f"order {kind.verb!r}: the window knows no {ui.cursor}/{ui.preview}")
        key = getattr(pygame, f"K_{ui.key}")
        found.append(OrderMode(kind.verb, ui.label, key, kind, ui.cursor, ui.preview, ui.help))
    return tuple(found)


def mode_for_key(key: int) -> str | None:
    """The verb of the order mode key `key` chooses, or None."""
    return next((m.name for m in order_modes() if m.key == key), None)


def help_line() -> tuple[str, str]:
    """The help screen's line for the order modes: their keys and what each does."""
    modes = order_modes()
    keys = "  ".join(m.order.ui.key.upper() for m in modes)  # type: ignore[union-attr]
    return keys, "order mode: " + ", ".join(m.help or m.name for m in modes)


def kind_of(verb: str) -> type[Order]:
    return ORDER_TYPES[verb]


def declared_targets(state: GameState, verb: str, unit: int) -> set[int]:
    """The hexes a kind with a "declared" cursor says `unit` may aim at (none for others)."""
    kind = kind_of(verb)
    if kind.ui is None or kind.ui.cursor != "declared":
        return set()
    return kind.targets(state, unit) or set()


def declared_preview(state: GameState, verb: str, unit: int, h: int) -> Odds | None:
    """The preview a kind with a "declared" preview gives of its order at hex `h`, or None."""
    kind = kind_of(verb)
    if kind.ui is None or kind.ui.preview != "declared":
        return None
    if kind.ui.cursor == "declared" and h not in declared_targets(state, verb, unit):
        return None
    said = kind(unit, h).forecast(state)  # type: ignore[call-arg]
    return Odds(said[0], said[1], list(said[2])) if said else None
