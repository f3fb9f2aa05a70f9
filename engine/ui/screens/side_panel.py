"""The play screen's side panel: the selected (or hovered) unit, and the hovered hex's ground,
works and units, each told as far as the viewing side may know it under fog of war."""

from __future__ import annotations

import numpy as np
import pygame
from pygame_gui.elements import UITextBox

from ...core.state import POSTURES
from ...rules.fire import reach_hexes
from ...rules.turn import coefficients_of
from ..chrome import HEADER_H
from ..labels import bilingual, esc
from ..session import Session


class SidePanel:
    """The unit box and the hex box; their text is set again only when what it tells changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.unit_box: UITextBox | None = None
        self.hex_box: UITextBox | None = None
        self._unit_text_key = None
        self._hex_text_key = None

    @property
    def state(self):
        return self.session.state

    def build(self, manager, x: int, width: int) -> None:
        self.unit_box = UITextBox("", pygame.Rect(x, HEADER_H + 4, width, 196), manager=manager)
        self.hex_box = UITextBox("", pygame.Rect(x, HEADER_H + 204, width, 150), manager=manager)
        self._hex_text_key = self._unit_text_key = None

    def refresh(self, selected: int | None, hover: int) -> None:
        if self.unit_box is None or self.hex_box is None:
            return
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
            self.session.viewer(),
        )
        if key != self._unit_text_key:
            self._unit_text_key = key
            self.unit_box.set_text(self.unit_text(unit))
        key = (hover, self.state.turn, id(self.state), self.session.viewer())
        if key != self._hex_text_key:
            self._hex_text_key = key
            self.hex_box.set_text(self.hex_text(hover))

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
            if u.firepower[i] > 0:
                ammo = "unlimited" if not np.isfinite(u.ammo[i]) else f"{u.ammo[i]:,.0f} rounds"
                reach = reach_hexes(state, i, coefficients_of(state))
                hexes = "1 hex" if reach == 1 else f"{reach} hexes"
                lines.append(f"Ammunition {ammo}; fires up to {hexes}")
            for weapon in u.indirect[i]:
                lines.append(f"{weapon.tubes}× {esc(weapon.weapon)} to {weapon.range_m:,.0f} m")
            if u.leader_names[i]:
                alive = "" if u.leader_alive[i] else " (killed)"
                lines.append(f"Leader {esc(u.leader_names[i])}{alive}")
            order = self.session.pending.get(i)
            if order is not None and int(u.side[i]) == self.session.viewer():
                lines.append(f"<font color=#80e070>Order: {esc(order.text(u.ids))}</font>")
        return "<br>".join(lines)

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
        for i in here:
            lines.append(f"{esc(state.units.names[i])}: {int(state.units.men[i])} men")
        return "<br>".join(lines)
