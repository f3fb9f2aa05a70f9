"""What the play screen shows before an order is given: the hexes the selected unit can reach,
assault, bombard or fire at (the map's highlights), the route to the hovered hex, and the odds
box beside the mouse. The numbers come from the rules (`odds`), never from the game's dice.

`Previews` is a part of the play screen (a mixin): it reads the screen's `session`, `selected`,
`mode`, `hover`, `mouse`, `player` and `view`, and the order input's `can_order`,
`bombard_range`, `fire_targets` and `enemies_seen_at`; it keeps its own caches.
"""

from __future__ import annotations

import pygame

from ...core.orders import Assault, Bombard, Fire, Move, Withdraw
from .. import chrome, fonts, odds, order_modes
from ..chrome import ACCENT, TEXT
from ..labels import DIM
from ..mapview import Highlights
from .orders import MODE_BY_NAME

ODDS_SLICE_S = 0.003  # seconds of each frame given to an assault preview's tries (a frame: ~4 ms)


class Previews:
    """The map's highlights and the odds box of the selected unit."""

    def reach(self) -> dict[int, float]:
        if not self.can_order(self.selected):
            return {}
        key = (self.selected, self.state.turn, id(self.state))
        if key != self._reach_key:
            self._reach = odds.reachable(self.state, self.selected)
            self._reach_key = key
        return self._reach

    def highlights(self) -> Highlights:
        lit = Highlights(selected=self.selected, hover=self.hover)
        if not self.can_order(self.selected) or not self.player.done:
            return lit
        u, board = self.state.units, self.state.board
        unit = self.selected
        here = int(u.hex[unit])
        if self.mode in (None, "move", "withdraw"):
            lit.reachable = self.reach()
        enemy_hexes = {
            int(u.hex[i])
            for i in self.session.visible_units(self.session.viewer())
            if int(u.side[i]) != int(u.side[unit]) and self.state.active()[i]
        }
        if not u.is_gun[unit] and self.mode in (None, "assault"):
            lit.assault_targets = {h for h in board.neighbors[here] if h in enemy_hexes}
        if self.mode == "fire":
            lit.fire_targets = self.fire_targets(unit)
        if self.mode:  # the hexes a kind declares it may aim at (breach: obstacles)
            lit.fire_targets |= order_modes.declared_targets(self.state, self.mode, unit)
        if u.indirect[unit] and self.mode in (None, "bombard"):
            area = self.bombard_range(unit)
            lit.bombard_targets = enemy_hexes & area
            if self.mode == "bombard":
                lit.bombard_area = area
        moving = self.mode in (None, "move", "withdraw")
        if moving and self.hover not in (-1, here) and not self.enemies_seen_at(self.hover):
            lit.route = odds.route(self.state, unit, self.hover)
        return lit

    def hover_odds(self) -> list[odds.Odds]:
        """The previews of the hovered hex: what the last sighting says under fog, and the
        order a click would give there (in an order mode: that mode's order), or why it would
        be refused. An assault's tries run a slice per frame until they are all done."""
        if not self.can_order(self.selected) or self.hover < 0 or not self.player.done:
            return []
        key = (self.selected, self.hover, self.mode, self.state.turn, id(self.state))
        key += (len(self.session.pending),)
        trials = getattr(self, "_assault_trials", None)
        if key == self._odds_key:
            if trials is not None and not trials.done:
                trials.advance(ODDS_SLICE_S)
                self._odds[-1] = trials.odds()
            return self._odds
        self._odds_key = key
        self._assault_trials = None
        found = self.last_seen_odds(self.hover)
        preview = self.order_preview(self.selected, self.hover)
        if preview is not None:
            found.append(preview)
        self._odds = found
        return found

    def last_seen_odds(self, h: int) -> list[odds.Odds]:
        """Under fog, with no enemy seen in hex `h` now: what was last seen there."""
        if not self.session.fog or self.enemies_seen_at(h):
            return []
        u, found = self.state.units, []
        for i, sighting, _ in self.session.memory.ghosts(self.state, self.session.viewer()):
            if sighting.hex == h:
                age = self.state.turn - sighting.turn
                found.append(
                    odds.Odds(
                        f"Last seen: {u.names[i]}",
                        f"{odds.men(sighting.men)}, {age} turn{'s' if age != 1 else ''} ago",
                        possible=False,
                    )
                )
        return found

    def order_preview(self, unit: int, h: int) -> odds.Odds | None:
        """The preview of the order a click on `h` would give `unit` now (`order_for`), or of
        the refusal, with its reason."""
        u = self.state.units
        here = int(u.hex[unit])
        declared = self.mode and order_modes.declared_preview(self.state, self.mode, unit, h)
        if declared:  # the preview the order kind gives of itself
            return declared
        if h == here:
            return None
        kind, reason = self.order_for(unit, h)
        if reason:
            title = MODE_BY_NAME[self.mode].label if self.mode else "No order"
            return odds.Odds(title, reason, possible=False)
        enemies = self.enemies_seen_at(h)
        places = self.session.hidden_places()  # the other side's plan: not named
        if kind is Assault:
            attackers = self.co_attackers(unit, h)
            if not enemies:
                return odds.assault_odds(self.state, attackers, h, places=places)
            trials = odds.AssaultTrials(
                self.state, attackers, h, hidden=self.hidden_units(), places=places
            )
            trials.advance(ODDS_SLICE_S)
            self._assault_trials = trials
            return trials.odds()
        if kind is Bombard:
            known = bool(enemies) or not self.session.fog
            return odds.bombard_odds(
                self.state, unit, h, seen=known, hidden=self.hidden_units(), places=places
            )
        if kind is Fire:
            target = max(enemies, key=lambda i: int(u.men[i]))
            return odds.fire_odds(self.state, unit, target, self.hidden_units())
        if kind in (Move, Withdraw):
            reach = self.reach()
            verb = kind.verb.capitalize()
            if h in reach:
                return odds.Odds(verb, f"gets there this turn ({reach[h]:.1f} h)")
            path = odds.route(self.state, unit, h)
            if len(path) < 2:
                return odds.Odds(verb, "no way there", possible=False)
            return odds.Odds(verb, f"{len(path) - 1} hexes: more than this turn; keeps going")
        return None

    def co_attackers(self, unit: int, h: int) -> list[int]:
        """`unit` and the units already ordered to assault hex `h` from next to it: the rules
        fight all of a turn's attacks on one hex as one assault."""
        u, board = self.state.units, self.state.board
        found = [unit]
        for i, order in self.session.pending.items():
            if (
                i != unit
                and isinstance(order, Assault)
                and order.target == h
                and board.distance(int(u.hex[i]), h) == 1
            ):
                found.append(i)
        return found

    def draw_odds(self, surface) -> None:
        found = self.hover_odds()
        if not found:
            return
        width = 330
        rows: list[tuple[str, str, int, tuple]] = []
        for item in found:
            rows.append((item.title, "", 15, ACCENT))
            colour = TEXT if item.possible else DIM
            rows.extend(
                (line, "", 14, colour) for line in fonts.wrap(item.headline, 14, width - 16)
            )
            rows.extend((name, value, 13, DIM) for name, value in item.factors[:10])
        height = sum(size + 5 for *_, size, _ in rows) + 12
        here = int(self.state.units.hex[self.selected])  # (hover_odds: a unit is selected)
        u, viewer = self.state.units, self.session.viewer()
        others = {int(u.hex[i]) for i in self.session.visible_units(viewer) if u.hex[i] >= 0}
        x, y = chrome.tooltip_at(  # beside the hovered hex, off the selected unit's
            (width, height),
            self.view.hex_box(self.hover),
            chrome.map_bounds(self.view.rect),
            [self.view.hex_box(here)] if here >= 0 else [],
            [self.view.hex_box(h) for h in others - {self.hover, here}],
        ).topleft
        back = pygame.Surface((width, height), pygame.SRCALPHA)
        back.fill((16, 18, 22, 225))
        surface.blit(back, (x, y))
        pygame.draw.rect(surface, (120, 120, 110), (x, y, width, height), 1)
        yy = y + 6
        for left, right, size, color in rows:
            label = fonts.text(left, size, color, bold=size == 15)
            surface.blit(label, (x + 8, yy))
            if right:
                value = fonts.text(right, size, TEXT)
                surface.blit(value, (x + width - value.get_width() - 8, yy))
            yy += size + 5
