"""The play screen's order input: which unit is selected, the order mode (move, assault, bombard,
fire, withdraw, breach, ...), and turning a click on a hex into an Order for the session to check.

`MODES` is the one table of the modes, built from what each order kind declares of itself
(engine/ui/order_modes.py): its button label, its key and the Order a click gives; the play
screen builds its buttons and keys from it. `OrderInput` is a part of the play
screen (a mixin): it reads and sets the screen's `session`, `selected`, `mode` and `message`, and
asks the screen to `refresh_panel`, `rebuild` and centre its `view`.
"""

from __future__ import annotations

import numpy as np

from ...core.orders import Assault, Bombard, Fire, Hold, Move, Order
from ...rules.bombardment import rounds_available
from ...rules.turn import IllegalOrderError
from .. import odds
from ..labels import order_words
from ..order_modes import OrderMode, order_modes
from .side_panel import unseen_units

MODES: tuple[OrderMode, ...] = order_modes()  # from the order kinds' declarations
MODE_BY_NAME = {mode.name: mode for mode in MODES}
MODE_BY_KEY = {mode.key: mode.name for mode in MODES}
ORDER_MODES = tuple(MODE_BY_NAME)


class OrderInput:
    """Selection, order modes and orders by click (see the play screen's HELP)."""

    def my_side(self) -> int | None:
        return self.session.side_to_order()

    def can_order(self, i: int | None) -> bool:
        side = self.my_side()
        u = self.state.units
        return (
            i is not None
            and side is not None
            and int(u.side[i]) == side
            and bool(self.state.active()[i])
        )

    def give(self, order: Order) -> None:
        try:
            self.session.give(order)
        except IllegalOrderError as error:
            self.message = str(error)
            return
        self.message = f"Order: {order_words(order, self.state, self.session.hidden_places())}"
        self.mode = None
        self._odds_key = None
        self.refresh_panel()
        self.rebuild_buttons()

    def rebuild_buttons(self) -> None:
        for button, action in self.buttons.items():
            chosen = button.object_ids[-1] == "#chosen"
            if action in ORDER_MODES and ((self.mode == action) != chosen):
                self.rebuild()
                return

    def set_mode(self, mode: str | None) -> None:
        if mode and not self.can_order(self.selected):
            self.message = "Select one of your units first."
            return
        reason = mode and MODE_BY_NAME[mode].order.unable(self.state, self.selected)
        reason = reason or (mode and self.out_of_rounds(mode, self.selected))
        if reason:  # as the order kind declares (Order.unable)
            self.message = f"{reason}."
            return
        self.mode = mode
        if mode:
            self.message = f"{mode.capitalize()}: click the hex."
        self.rebuild_buttons()

    def hold(self) -> None:
        if self.can_order(self.selected):
            self.give(Hold(self.selected))

    def undo(self) -> None:
        taken = self.session.undo()
        self.message = (
            f"Taken back: {taken.text(self.state.units.ids)}" if taken else "Nothing to take back."
        )
        self._odds_key = None
        self.refresh_panel()

    def enemies_seen_at(self, h: int) -> list[int]:
        side = self.session.viewer()
        visible = self.session.visible_units(side)
        u = self.state.units
        return [i for i in self.state.units_at(h) if int(u.side[i]) != side and i in visible]

    def hidden_units(self) -> list[int]:
        """The enemy units the viewing side cannot see now: previews leave them out."""
        return unseen_units(self.session)

    def click(self, h: int) -> None:
        """A left click on hex `h`: select a unit of yours, or give the selected unit the order
        the hex suggests (see HELP)."""
        side = self.my_side()
        if h < 0 or side is None:
            return
        u = self.state.units
        selected = self.selected if self.can_order(self.selected) else None
        if selected is not None and self.mode:
            self.order_by_mode(selected, h)
            return
        mine = self.state.units_at(h, side)
        if selected is None:
            self.select(mine[0] if mine else None)
            return
        here = int(u.hex[selected])
        if h == here:
            if len(mine) > 1:
                self.select(mine[(mine.index(selected) + 1) % len(mine)])
            else:
                self.give(Hold(selected))
            return
        if mine:
            self.select(mine[0])
            return
        if self.enemies_seen_at(h):
            self.order_by_mode(selected, h)
            return
        self.give(Move(selected, h))

    def order_by_mode(self, unit: int, h: int) -> None:
        """Give `unit` the order a click on `h` gives (`order_for`), or say why not."""
        kind, reason = self.order_for(unit, h)
        if reason or kind is None:
            self.message = reason or "No order there."
            return
        self.give(kind(unit, h))

    def order_for(self, unit: int, h: int) -> tuple[type[Order] | None, str | None]:
        """The kind of order a click on hex `h` gives `unit`: the chosen mode's, or with none
        what the hex suggests (an enemy next to it: assault; in its guns' range: bombard; in
        reach and sight of its rifles: fire; anything else: move); and why it would be refused
        (an order that could have no effect), or None."""
        u = self.state.units
        if self.mode:
            mode = MODE_BY_NAME[self.mode]
            reason = self.refusal(mode.order, unit, h)
            return mode.order, (f"{mode.label}: {reason}." if reason else None)
        if not self.enemies_seen_at(h):
            return Move, None
        if self.state.board.distance(int(u.hex[unit]), h) == 1 and not u.is_gun[unit]:
            kind = Assault
        elif u.indirect[unit] and h in self.bombard_range(unit):
            kind = Bombard
        else:
            kind = Fire
        reason = self.refusal(kind, unit, h)
        if reason:
            return kind, f"{kind.ui.label if kind.ui else kind.verb}: {reason}."
        return kind, None

    def refusal(self, kind: type[Order], unit: int, h: int) -> str | None:
        """Why an order of `kind` at hex `h` could have no effect now, in the rules' terms (the
        odds' refusals: reach as fire discipline shortens it, sight, range, rounds left), or
        None. Other kinds are checked by their own declaration when given."""
        state = self.state
        reason = kind.unable(state, unit)
        if reason:
            return reason
        if kind is Assault:
            return odds.assault_refusal(state, [unit], h)
        if kind is Fire:
            if not self.enemies_seen_at(h):
                return "no enemy seen there"
            reason = odds.fire_refusal(state, unit, h)
            if reason:
                return reason
            fired, _ = odds.fire_event(state, unit, h, self.hidden_units())
            if fired is None or fired.expected <= 0:
                return "no rounds left: it would fire nothing"
            return None
        if kind is Bombard:
            return odds.bombard_refusal(state, unit, h)
        return None

    def select(self, unit: int | None) -> None:
        self.selected = unit
        self.mode = None
        self._odds_key = None
        if unit is not None:
            u = self.state.units
            self.message = f"{u.names[unit]}: click a hex to move, an enemy to attack; H holds."
        self.refresh_panel()

    def next_unit(self) -> None:
        side = self.my_side()
        if side is None:
            return
        u = self.state.units
        mine = np.flatnonzero(self.state.active() & (u.side == side)).tolist()
        if not mine:
            return
        ordered = set(self.session.orders_of(side))
        start = mine.index(self.selected) + 1 if self.selected in mine else 0
        for k in range(len(mine)):
            i = mine[(start + k) % len(mine)]
            if i not in ordered:
                break
        else:
            i = mine[start % len(mine)]
        self.select(i)
        self.view.center_on(int(u.hex[i]))

    def out_of_rounds(self, mode: str, unit: int) -> str | None:
        """For the fire and bombard modes: "no rounds left" when the unit has none at all."""
        u = self.state.units
        kind = MODE_BY_NAME[mode].order
        if kind is Bombard and all(rounds_available(self.state, w) < 1 for w in u.indirect[unit]):
            return f"{u.names[unit]} has no rounds left for its guns"
        if kind is Fire and u.ammo[unit] <= 0:
            return f"{u.names[unit]} has no rounds left"
        return None

    def bombard_range(self, unit: int) -> set[int]:
        """The hexes in range of `unit`'s tubes that have rounds left (none when all are
        spent: no target is lit, none taken)."""
        u, board = self.state.units, self.state.board
        here = int(u.hex[unit])
        if here < 0 or not u.indirect[unit]:
            return set()
        metres = board.distances_from(here) * board.hex_size_m
        inside = np.zeros(board.size, bool)
        for weapon in u.indirect[unit]:
            if rounds_available(self.state, weapon) < 1:
                continue
            inside |= (metres >= weapon.min_range_m) & (metres <= weapon.range_m)
        return set(np.flatnonzero(inside).tolist())

    def fire_targets(self, unit: int) -> set[int]:
        """Hexes of enemies this side can see that `unit` would aim its fire at this turn, as
        the rules judge reach (shortened by fire discipline when rounds are short) and sight."""
        u = self.state.units
        if int(u.hex[unit]) < 0 or u.firepower[unit] <= 0 or u.ammo[unit] <= 0:
            return set()
        found = set()
        for i in self.session.visible_units(self.session.viewer()):
            there = int(u.hex[i])
            if int(u.side[i]) == int(u.side[unit]) or there < 0 or not self.state.active()[i]:
                continue
            if there not in found and odds.fire_refusal(self.state, unit, there) is None:
                found.add(there)
        return found
