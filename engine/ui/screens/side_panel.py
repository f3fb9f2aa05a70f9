"""The play screen's side panel: the selected (or hovered) unit, and the hovered hex's ground,
works and units, each told as far as the viewing side may know it under fog of war.

A unit's box gives each of its weapons with the rounds left (rifles and machine guns share one
stock in the rules; guns and mortars have their own or the side's shared stock) and what its
order will spend, from the same rules' run as the odds (`odds.fire_event`, `odds.bombard_odds`).
A stack of units is listed, each a link that selects it (`link_unit`). The hex box keeps the last
hex pointed at while the mouse is off the map (so its list can be scrolled), and tells what was
last seen in it under fog."""

from __future__ import annotations

import numpy as np
import pygame
from pygame_gui.elements import UITextBox

from ...core.orders import Bombard, Fire, Hold
from ...core.state import DIRECT_CLASSES, POSTURES
from ...rules.bombardment import rounds_available
from ...rules.fire import reach_hexes
from ...rules.turn import coefficients_of
from .. import odds
from ..chrome import HEADER_H
from ..labels import bilingual, esc, order_words
from ..session import Session

LINK = "unit:"  # the href of a unit's link in the panel: "unit:<index>"


def _rounds(left: float) -> str:
    """Rounds left, in the warning colour when there are none."""
    if not np.isfinite(left):
        return "unlimited rounds"
    colour = "#e08060" if left < 1 else "#d8d8d0"
    return f"<font color={colour}>{left:,.0f} rounds</font>"


def unseen_units(session: Session) -> list[int]:
    """The enemy units the viewing side cannot see now (none without fog of war): previews
    leave them out, so that they tell nothing of them."""
    if not session.fog:
        return []
    side = session.viewer()
    visible = session.visible_units(side)
    u = session.state.units
    return [i for i in range(u.count) if int(u.side[i]) != side and i not in visible]


def link_unit(target: str) -> int | None:
    """The unit a panel link names (`LINK` + index), or None."""
    if target.startswith(LINK) and target[len(LINK) :].isdigit():
        return int(target[len(LINK) :])
    return None


class SidePanel:
    """The unit box and the hex box; their text is set again only when what it tells changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.unit_box: UITextBox | None = None
        self.hex_box: UITextBox | None = None
        self._unit_text_key = None
        self._hex_text_key = None
        self.selected: int | None = None
        self.shown_hex = -1  # the hex the hex box tells of: the last one pointed at on the map

    @property
    def state(self):
        return self.session.state

    def build(self, manager, x: int, width: int, height: int = 640) -> int:
        """The two boxes at the panel's top, for a window `height` tall; returns the y below
        them. At 640 they are 196 and 150 px; a taller window gives each box a third of the
        extra height (the log the rest), so that a stack's list or a weapon list reads without
        scrolling on a large screen."""
        extra = max(0, height - 640) // 3
        unit_h, hex_h = 196 + extra, 150 + extra
        self.unit_box = UITextBox("", pygame.Rect(x, HEADER_H + 4, width, unit_h), manager=manager)
        top = HEADER_H + 8 + unit_h
        self.hex_box = UITextBox("", pygame.Rect(x, top, width, hex_h), manager=manager)
        self._hex_text_key = self._unit_text_key = None
        return top + hex_h + 4

    def refresh(self, selected: int | None, hover: int) -> None:
        if self.unit_box is None or self.hex_box is None:
            return
        self.selected = selected
        unit = selected
        if unit is None and hover >= 0:
            here = [
                i
                for i in self.state.units_at(hover)
                if i in self.session.visible_units(self.session.viewer())
            ]
            unit = here[0] if here else None
        key = (
            unit,
            self.state.turn,
            id(self.state),
            len(self.session.pending),
            self.session.pending.get(unit) if unit is not None else None,
            self.session.viewer(),
        )
        if key != self._unit_text_key:
            self._unit_text_key = key
            self.unit_box.set_text(self.unit_text(unit))
        if hover >= 0:  # off the map (on this panel): keep the last hex, to read and scroll
            self.shown_hex = hover
        h = self.shown_hex
        key = (h, self.state.turn, id(self.state), self.session.viewer(), self.selected)
        if key != self._hex_text_key:
            self._hex_text_key = key
            self.hex_box.set_text(self.hex_text(h))

    def unit_text(self, i: int | None) -> str:
        if i is None and self.session.finished:  # not "your orders" once the battle is over
            return "<b>The battle is over.</b><br>The map shows how it ended; no orders to give."
        if i is None:
            side = self.session.side_to_order()
            if side is None:
                return "<b>No orders to give.</b>"
            name = self.state.scenario.sides[side].name.en
            given = len(self.session.orders_of(side))
            return (
                f"<b>{esc(name)}: your orders</b><br>Click one of your units to select it, or"
                f" press Tab.<br>{given} orders given this turn. Units without orders hold and"
                " fire.<br>Enter ends the turn. F1 shows every key."
            )
        state, u = self.state, self.state.units
        spec = state.scenario.units[i]
        side = state.scenario.sides[int(u.side[i])]
        own = int(u.side[i]) == self.session.viewer() or not self.session.fog
        lines = [
            f"<b>{esc(bilingual(spec.name))}</b>",
            f"{esc(side.name.en)} · {spec.type.value.replace('_', ' ')}",
        ]
        lost = int(u.men_start[i] - u.men[i])
        lines.append(f"Men <b>{int(u.men[i])}</b> of {int(u.men_start[i])} ({lost} lost)")
        status = []
        if u.routed[i]:
            status.append("<b>ROUTED</b>")
        if u.suppression[i] > 0.05:
            status.append(f"suppressed {u.suppression[i]:.0%}")
        if u.crossing_hours[i] > 0:
            status.append(f"crossing, {u.crossing_hours[i]:.1f} h to the far bank")
        if status:
            lines.append(" · ".join(status))
        if own:
            lines.append(f"Morale {u.morale[i]:.2f} · quality {u.quality[i]:.2f}")
            lines.append(f"Posture {POSTURES[int(u.posture[i])]}")
            lines += self.weapon_lines(i)
            if u.leader_names[i]:
                alive = "" if u.leader_alive[i] else " (killed)"
                lines.append(f"Leader {esc(u.leader_names[i])}{alive}")
            order = self.session.pending.get(i)
            if order is not None and int(u.side[i]) == self.session.viewer():
                spend = self.spending(i, order)
                words = esc(order_words(order, state, self.session.hidden_places()))
                lines.append(f"<font color=#80e070>Order: {words}{spend}</font>")
            if (order is None or isinstance(order, Hold)) and u.firepower[i] > 0:
                lines.append(self.own_fire_line(i))
        lines += self.stack_lines(i)
        return "<br>".join(lines)

    def weapon_lines(self, i: int) -> list[str]:
        """Each weapon of unit `i` with its range and the rounds left: the rifles' and machine
        guns' one stock (as the rules pool it), each gun's or mortar's own or shared stock."""
        state, u = self.state, self.state.units
        spec = state.scenario.units[i]
        lines = []
        direct = []
        start = 0.0  # the direct-fire rounds the unit started with (as core.state pools them)
        for entry in spec.weapons:
            kind = state.scenario.weapons[entry.weapon]
            name = esc(kind.name.en)
            cls = kind.kind.value
            if cls == "grenade":
                grenades = f"{u.grenades[i]:,.0f} left"
                lines.append(f"{entry.count}× {name}: {grenades}")
            elif cls in DIRECT_CLASSES:
                direct.append(f"{entry.count}× {name} to {kind.range_m:,.0f} m")
                start += entry.ammo or 0
            elif kind.indirect:
                group = next((w for w in u.indirect[i] if w.weapon == entry.weapon), None)
                if group is None:
                    continue
                left = rounds_available(state, group)
                shared = " (the side's shared stock)" if group.budget >= 0 else ""
                lines.append(
                    f"{entry.count}× {name} to {kind.range_m:,.0f} m: {_rounds(left)}{shared}"
                )
        if u.firepower[i] > 0:
            if np.isfinite(u.ammo[i]):
                shared = ", one stock for them" if len(direct) > 1 else ""
                ammo = f"{_rounds(u.ammo[i])} of {start:,.0f}{shared}"
            else:
                ammo = "unlimited rounds"
            reach = reach_hexes(state, i, coefficients_of(state))
            hexes = "1 hex" if reach == 1 else f"{reach} hexes"
            direct.append(f"{ammo}; fires up to {hexes}")
            lines = direct + lines
        return lines

    def spending(self, i: int, order) -> str:
        """What unit `i`'s order will spend, from the rules' own run of it (as the odds): the
        rounds of a bombardment or of aimed fire; "" for other orders."""
        state = self.state
        if isinstance(order, Bombard):
            shown = odds.bombard_odds(
                state, i, order.target, trials=1, cap=order.rounds, hidden=self.hidden()
            )
            return f" (fires {shown.rounds:,.0f} rounds)" if shown.possible else ""
        if isinstance(order, Fire) and np.isfinite(state.units.ammo[i]):
            fired, spent = odds.fire_event(state, i, order.target, self.hidden())
            return f" (spends {spent:,.0f} rounds)" if fired is not None else ""
        return ""

    def hidden(self) -> list[int]:
        return unseen_units(self.session)

    def own_fire_line(self, i: int) -> str:
        """What unit `i` fires by itself this turn if it stays, by the rules' own direct fire
        (the nearest enemy it sees in its reach): the expected men hit and the rounds spent."""
        fired, spent = odds.own_fire(self.state, i, self.hidden())
        if fired is None:
            return "Staying, it has no enemy in reach and sight to fire at"
        u = self.state.units
        target = esc(u.names[u.ids.index(fired.target)])
        rounds = f", spends {spent:,.0f} rounds" if np.isfinite(u.ammo[i]) else ""
        return f"Staying, it fires at {target}: expected {odds.men(fired.expected)} hit{rounds}"

    def stack_lines(self, i: int) -> list[str]:
        """The other units in unit `i`'s hex that the viewer may know of, each a link that
        selects it (the map shows only the top counter of a stack)."""
        state, u = self.state, self.state.units
        visible = self.session.visible_units(self.session.viewer())
        others = [j for j in state.units_at(int(u.hex[i])) if j != i and j in visible]
        if not others:
            return []
        lines = [f"<b>In this hex ({len(others) + 1} units):</b>"]
        lines += [self.unit_link(j) for j in others]
        return lines

    def unit_link(self, j: int) -> str:
        """A unit's name and men, as a link that selects it when it is the viewer's own."""
        u = self.state.units
        text = f"{esc(u.names[j])}: {odds.men(int(u.men[j]))}"
        if int(u.side[j]) == self.session.viewer() and self.session.side_to_order() is not None:
            return f"<a href='{LINK}{j}'>{text}</a>"
        return text

    def hex_text(self, h: int) -> str:
        if h < 0:
            return "Point at a hex to see its ground, works and units."
        state, board, w = self.state, self.state.board, self.state.works
        terrain = state.scenario.terrain[board.terrain_ids[int(board.terrain[h])]]
        hidden = self.session.hidden_places()
        place = next(
            (
                p
                for p in state.scenario.map.places
                if board.index(*p.hex) == h and p.id not in hidden
            ),
            None,
        )
        title = f"<b>{board.label(h)}</b>"
        if place:
            title += f" <b>{esc(bilingual(place.name))}</b>"
        lines = [title, f"{esc(bilingual(terrain.name))} · {board.elevation_m[h]:.0f} m"]
        lines.append(f"cover ×{board.cover[h]:.2f} · speed ×{board.speed_factor[h]:.2f}")
        if board.river[h] >= 0:
            river = state.scenario.map.rivers[int(board.river[h])]
            bridge = " (bridge)" if board.bridge[h] else ""
            lines.append(f"{esc(bilingual(river.name))}{bridge}, {river.crossing.width_m:g} m wide")
        works = []
        if w.mine_depth_m[h] > 0:
            works.append(f"minefield {w.mine_depth_m[h]:g} m deep, lane {w.lane[h]:.0%}")
        if w.wire_lines[h] > 0:
            works.append(f"wire {w.wire_lines[h]:.1f} lines")
        if w.fort_level[h] > 0 and w.fort_strength_start[h] > 0:
            levels = {1: "hasty", 2: "prepared", 3: "fortified"}
            left = w.fort_strength[h] / w.fort_strength_start[h]
            works.append(f"{levels[int(w.fort_level[h])]} works {left:.0%}")
        if w.blockhouse_strength_start[h] > 0:
            works.append(
                f"blockhouses {w.blockhouse_strength[h] / w.blockhouse_strength_start[h]:.0%}"
            )
        if works:
            lines.append("; ".join(works))
        visible = self.session.visible_units(self.session.viewer())
        here = [i for i in state.units_at(h) if i in visible]
        if len(here) > 1:
            lines.append(f"<b>{len(here)} units:</b>")
        lines += [self.unit_link(i) for i in here]
        if self.session.fog:
            for i, sighting, _ in self.session.memory.ghosts(state, self.session.viewer()):
                if sighting.hex == h and i not in here:
                    age = state.turn - sighting.turn
                    lines.append(
                        f"<font color=#a0a0a0>Last seen: {esc(state.units.names[i])},"
                        f" {odds.men(sighting.men)}, {age} turn{'s' if age != 1 else ''}"
                        " ago</font>"
                    )
        return "<br>".join(lines)
