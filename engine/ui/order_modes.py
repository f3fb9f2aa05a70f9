"""The play screen's order modes, built from what each order kind declares of itself
(`Order.ui`, `Order.unable` in engine/core/orders.py, or beside its rule): keys, buttons, the help
line, which hexes a mode lights, and the forecasts a mode without dice can give exactly.

A new order kind with a `ui` declaration appears in the window with no change here, unless it
wants a cursor or a preview the window does not know yet (the known ones are listed below).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from ..core.orders import ORDER_TYPES, Order, window_orders
from ..core.state import GameState
from ..rules.engineering import breach_work, engineer_units, obstacle_left
from ..rules.turn import coefficients_of
from .odds import Odds

# What a mode's cursor picks and what forecast it shows (OrderUI.cursor, OrderUI.preview).
CURSORS = ("hex", "enemy", "obstacle")
PREVIEWS = ("", "path", "assault", "bombard", "fire", "breach")


@dataclass(frozen=True, slots=True)
class OrderMode:
    """One order mode of the window: the kind's verb and what its declaration says."""

    verb: str
    kind: type[Order]
    key: int  # pygame key code
    label: str
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
        found.append(OrderMode(kind.verb, kind, key, ui.label, ui.cursor, ui.preview, ui.help))
    return tuple(found)


def mode_verbs() -> tuple[str, ...]:
    return tuple(mode.verb for mode in order_modes())


def mode_for_key(key: int) -> str | None:
    """The verb of the order mode key `key` chooses, or None."""
    return next((m.verb for m in order_modes() if m.key == key), None)


def help_line() -> tuple[str, str]:
    """The help screen's line for the order modes: their keys and what each does."""
    modes = order_modes()
    keys = "  ".join(m.kind.ui.key.upper() for m in modes)  # type: ignore[union-attr]
    return keys, "order mode: " + ", ".join(m.help or m.verb for m in modes)


def kind_of(verb: str) -> type[Order]:
    return ORDER_TYPES[verb]


def obstacle_targets(state: GameState, unit: int) -> set[int]:
    """Hexes in or next to `unit` with a minefield lane to open or wire to cut, for engineers
    (the cursor "obstacle"); none for other units."""
    if not engineer_units(state)[unit]:
        return set()
    here = int(state.units.hex[unit])
    return {h for h in (here, *state.board.neighbors[here]) if obstacle_left(state, h)}


def breach_forecast(state: GameState, unit: int, h: int) -> Odds:
    """What a turn of `unit`'s work would do to hex `h`'s obstacles if no one shot at it: the
    preview "breach" (no dice in the rule, so the forecast is exact but for the turn's fire)."""
    c = coefficients_of(state)
    u, w = state.units, state.works
    share = min(1.0, float(u.men[unit]) / c.engineer_party_men)
    hours = state.turn_hours * share * (1.0 - float(u.suppression[unit]))
    depth = float(w.mine_depth_m[h])
    lane, wire = breach_work(
        hours,
        float(w.lane[h]),
        depth,
        float(w.wire_lines[h]),
        c.engineer_lane_m_per_hour,
        c.engineer_wire_lines_per_hour,
    )
    parts = []
    if depth > 0:
        parts.append(f"lane {float(w.lane[h]):.0%} → {lane:.0%}")
    if w.wire_lines[h] > 0:
        parts.append(f"wire {float(w.wire_lines[h]):g} → {wire:g} lines")
    factors = [
        ("party_share", f"{share:g}"),
        ("suppression", f"{float(u.suppression[unit]):g}"),
        ("engineer_lane_m_per_hour", f"{c.engineer_lane_m_per_hour:g}"),
        ("depth_m", f"{depth:g}"),
        ("engineer_wire_lines_per_hour", f"{c.engineer_wire_lines_per_hour:g}"),
    ]
    return Odds(
        f"Breach {state.board.label(h)}", f"{hours:.1f} h of work: " + ", ".join(parts), factors
    )
