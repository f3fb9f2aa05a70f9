"""The map on screen: camera (pan and zoom), the layers and what is drawn over them each frame.

Layers, from the bottom: the terrain layer (pre-rendered once per zoom level), the works, fog and
night tint (redrawn into one "static" layer only when the turn, the viewer or the zoom changes),
then each frame the highlights, the orders given, the unit counters, the animations and the
hover outline. A frame is one blit of the static layer plus a few dozen small blits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pygame

from .. import hexgrid
from ..core.orders import Bombard, Hold, Order, order_hex
from . import drawing, fonts
from .drawing import Geometry
from .session import Session

ZOOMS = (10, 12, 15, 18, 22, 27, 33, 40, 48, 58)
MAX_LAYER_PIXELS = 24_000_000  # a terrain layer larger than this is not made (zoom is capped)
NIGHT_TINT = (18, 24, 70, 105)
FOG_SHADE = (20, 20, 28, 95)
SETTLE_FRAMES = 6  # frames after the last zoom step before a new size's layers are drawn
KEPT_LAYERS = 3  # static layers kept (zoom levels of this turn): zooming back is a blit


@dataclass
class Highlights:
    """What the play screen wants lit this frame."""

    selected: int | None = None
    hover: int = -1
    reachable: dict[int, float] = field(default_factory=dict)
    assault_targets: set[int] = field(default_factory=set)
    bombard_targets: set[int] = field(default_factory=set)
    fire_targets: set[int] = field(default_factory=set)
    bombard_area: set[int] = field(default_factory=set)
    route: list[int] = field(default_factory=list)


class MapView:
    def __init__(self, session: Session, rect: pygame.Rect, zoom_index: int = 5) -> None:
        self.session = session
        self.rect = pygame.Rect(rect)
        self.zoom_index = zoom_index
        self._geos: dict[int, Geometry] = {}
        self._terrain: dict[int, pygame.Surface] = {}
        self._statics: dict[tuple, pygame.Surface] = {}  # by (size, state, turn, viewer, fog)
        self._last_full: tuple[int, pygame.Surface] | None = None  # the last layer shown whole
        self._since_zoom = SETTLE_FRAMES  # frames drawn since the last zoom step
        self._scaled: tuple | None = None  # the last scaled picture shown while zooming
        self._full = False  # the last frame showed the static layer itself, not a picture
        self._terrain_job: tuple | None = None  # a terrain layer being drawn over frames
        self._fonts_loaded: set[tuple[int, bool]] = set()  # (size, bold) asked for in advance
        self._counters: dict[tuple, pygame.Surface] = {}
        self._masks: dict[tuple, pygame.Surface] = {}
        self._overlays: dict[tuple, tuple] = {}  # the last few reach washes, by size and unit
        self.place_plates: dict[str, pygame.Rect] = {}  # the place labels drawn, on the layer
        self.cam = [0.0, 0.0]
        self._cap_zoom()
        self.center_on_units()
        # Hot-seat: each side's own camera (where it looked, at what zoom), kept while the
        # other side looks; a side looking for the first time starts on its own units.
        self._eyes: dict[int, tuple[tuple[float, float], int]] = {}
        self._viewer = session.viewer()

    # ------------------------------------------------------------------ geometry and camera
    @property
    def state(self):
        return self.session.state

    @property
    def size(self) -> int:
        return ZOOMS[self.zoom_index]

    @property
    def geo(self) -> Geometry:
        return self.geo_at(self.size)

    def geo_at(self, size: int) -> Geometry:
        """The geometry at a hex size, made once per size and board."""
        geo = self._geos.get(size)
        if geo is None or geo.board is not self.state.board:
            geo = Geometry(self.state, size)
            self._geos[size] = geo
        return geo

    def _cap_zoom(self) -> None:
        while self.zoom_index > 0:
            geo = Geometry(self.state, ZOOMS[self.zoom_index])
            if geo.width * geo.height <= MAX_LAYER_PIXELS:
                break
            self.zoom_index -= 1

    def set_rect(self, rect: pygame.Rect) -> None:
        self.rect = pygame.Rect(rect)
        self.clamp()

    def clamp(self) -> None:
        geo = self.geo
        slack = 120
        low_x = min(-slack, geo.width - self.rect.width + slack)
        high_x = max(geo.width - self.rect.width + slack, -slack)
        low_y = min(-slack, geo.height - self.rect.height + slack)
        high_y = max(geo.height - self.rect.height + slack, -slack)
        if geo.width + 2 * slack <= self.rect.width:
            self.cam[0] = (geo.width - self.rect.width) / 2
        else:
            self.cam[0] = min(max(self.cam[0], low_x), high_x)
        if geo.height + 2 * slack <= self.rect.height:
            self.cam[1] = (geo.height - self.rect.height) / 2
        else:
            self.cam[1] = min(max(self.cam[1], low_y), high_y)

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        return x - self.cam[0] + self.rect.x, y - self.cam[1] + self.rect.y

    def to_world(self, pos) -> tuple[float, float]:
        return pos[0] - self.rect.x + self.cam[0], pos[1] - self.rect.y + self.cam[1]

    def hex_center_on_screen(self, h: int) -> tuple[float, float]:
        return self.to_screen(*self.geo.center(h))

    def hex_box(self, h: int) -> pygame.Rect:
        """The box around hex `h` on screen (a tooltip goes beside it, not over it); with the
        counters' stacking offset above and right included."""
        x, y = self.hex_center_on_screen(h)
        half_w = self.size * hexgrid.SQRT3 / 2
        box = pygame.Rect(0, 0, int(2 * half_w) + 2, int(2 * self.size) + 2)
        box.center = (int(x), int(y))
        return box.inflate(8, 8)

    def hex_at(self, pos) -> int:
        if not self.rect.collidepoint(pos):
            return -1
        return self.geo.hex_at(*self.to_world(pos))

    def pan(self, dx: float, dy: float) -> None:
        self.cam[0] -= dx
        self.cam[1] -= dy
        self.clamp()

    def zoom(self, step: int, anchor=None) -> None:
        new = min(max(self.zoom_index + step, 0), len(ZOOMS) - 1)
        if new == self.zoom_index:
            return
        anchor = anchor or self.rect.center
        wx, wy = self.to_world(anchor)
        old = self.size
        geo_new = self.geo_at(ZOOMS[new])
        if geo_new.width * geo_new.height > MAX_LAYER_PIXELS:
            return
        self.zoom_index = new
        factor = self.size / old
        mx, my = drawing.MARGIN, drawing.MARGIN
        nx, ny = mx + (wx - mx) * factor, my + (wy - my) * factor
        self.cam[0] = nx - (anchor[0] - self.rect.x)
        self.cam[1] = ny - (anchor[1] - self.rect.y)
        self._since_zoom = 0  # a new size's layers wait until the zooming stops
        self._full = False
        self.clamp()

    def navigate(self, key: int, step: float = 60) -> bool:
        """Arrow keys pan, plus and minus zoom; False for any other key."""
        pans = {
            pygame.K_LEFT: (step, 0),
            pygame.K_RIGHT: (-step, 0),
            pygame.K_UP: (0, step),
            pygame.K_DOWN: (0, -step),
        }
        if key in pans:
            self.pan(*pans[key])
        elif key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.zoom(1)
        elif key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.zoom(-1)
        else:
            return False
        return True

    def center_on(self, h: int) -> None:
        x, y = self.geo.center(h)
        self.cam = [x - self.rect.width / 2, y - self.rect.height / 2]
        self.clamp()

    def center_on_units(self) -> None:
        u = self.state.units
        side = self.session.viewer()
        mine = np.flatnonzero(self.state.active() & (u.side == side))
        if len(mine):
            geo = self.geo
            xs = geo.cx[u.hex[mine]]
            ys = geo.cy[u.hex[mine]]
            self.cam = [
                float(xs.mean()) - self.rect.width / 2,
                float(ys.mean()) - self.rect.height / 2,
            ]
        self.clamp()

    def follow_viewer(self) -> None:
        """When the side looking at the map changes (hot-seat), keep the camera of the side
        that looked and give the new side back its own (or centre on its units)."""
        viewer = self.session.viewer()
        if viewer == self._viewer:
            return
        self._eyes[self._viewer] = ((self.cam[0], self.cam[1]), self.zoom_index)
        self._viewer = viewer
        if viewer in self._eyes:
            (x, y), zoom_index = self._eyes[viewer]
            if zoom_index != self.zoom_index:
                self.zoom_index = zoom_index
                self._counters.clear()
            self.cam = [x, y]
            self.clamp()
        else:
            self.center_on_units()

    # ------------------------------------------------------------------ layers
    def terrain_layer(self) -> pygame.Surface:
        layer = self._terrain.get(self.size)
        if layer is None:
            layer = drawing.render_terrain(self.state, self.geo)
            if pygame.display.get_surface():  # the display's format: its copies blit fast
                layer = layer.convert()
            self._terrain[self.size] = layer
        return layer

    def invalidate(self) -> None:
        self._statics.clear()

    def scenario_changed(self, hexes: set[int] | None = None) -> None:
        """The map itself changed (the editor): every layer is drawn again from the new state;
        with `hexes`, only the part of each terrain layer around those hexes (what else changed
        is redrawn every turn anyway)."""
        if hexes:
            for size, layer in self._terrain.items():
                drawing.redraw_region(self.state, Geometry(self.state, size), layer, hexes)
        else:
            self._terrain.clear()
        self._geos.clear()
        self._counters.clear()
        self._statics.clear()
        self._last_full = None
        self._terrain_job = None
        self._overlays.clear()

    def _static_key(self) -> tuple:
        session = self.session
        return (self.size, id(self.state), self.state.turn, session.viewer(), session.fog)

    @property
    def settled(self) -> bool:
        """Whether the map was last drawn at full detail at this size (not a scaled picture
        while zooming, nor a zoom step not drawn yet)."""
        return self._full and self._static_key() in self._statics

    def static_layer(self) -> pygame.Surface:
        """The terrain with the works, the place names, fog and night: drawn once per turn,
        viewer and zoom level (the last few zoom levels are kept, so zooming back is free)."""
        key = self._static_key()
        found = self._statics.get(key)
        if found is not None:
            return found
        session = self.session
        viewer = session.viewer()
        layer = self.terrain_layer().copy()
        geo = self.geo
        drawing.draw_works(layer, self.state, geo)
        self.place_plates = drawing.draw_places(
            layer, self.state, geo, session.hidden_places(), self._stacks(viewer)
        )
        if session.fog:
            seen = session.memory.visible_hexes[viewer]
            if seen is not None and not seen.all():
                # one translucent shade over just the unseen hexes' box (not the whole map)
                hidden = np.flatnonzero(~seen)
                pad = geo.size * 1.1 + 2
                left = max(0, int(float(geo.cx[hidden].min()) - pad))
                top = max(0, int(float(geo.cy[hidden].min()) - pad))
                right = min(layer.get_width(), int(float(geo.cx[hidden].max()) + pad) + 1)
                bottom = min(layer.get_height(), int(float(geo.cy[hidden].max()) + pad) + 1)
                shade = pygame.Surface((right - left, bottom - top), pygame.SRCALPHA)
                for h in hidden.tolist():
                    corners = [(x - left, y - top) for x, y in geo.corners(h, 1.02)]
                    pygame.draw.polygon(shade, FOG_SHADE, corners)
                layer.blit(shade, (left, top))
        if self.state.is_night():  # a translucent tint: the layer times (1 - a), plus a colour
            r, g, b, a = NIGHT_TINT
            keep = 255 - a
            layer.fill((keep, keep, keep), special_flags=pygame.BLEND_RGB_MULT)
            layer.fill(
                (r * a // 255, g * a // 255, b * a // 255), special_flags=pygame.BLEND_RGB_ADD
            )

        def pixels() -> int:
            return sum(kept.get_width() * kept.get_height() for kept in self._statics.values())

        area = layer.get_width() * layer.get_height()
        while self._statics and (
            len(self._statics) >= KEPT_LAYERS or pixels() + area > 2 * MAX_LAYER_PIXELS
        ):  # the oldest goes first; a huge map keeps fewer
            self._statics.pop(next(iter(self._statics)))
        self._statics[key] = layer
        return layer

    def _draw_ground(self, surface: pygame.Surface) -> None:
        """The static layer under the camera. While zooming (until SETTLE_FRAMES frames after
        the last step) a size not drawn yet is shown as the last whole layer scaled to it, so a
        zoom step costs a scaled blit and a quick run of steps draws only the size it ends on;
        then the new size is drawn over four frames: its terrain in three steps, then the works,
        names, fog and night over it, the scaled picture shown until then (and the fonts the
        new size wants loaded meanwhile)."""
        self._since_zoom += 1
        key = self._static_key()
        last = self._last_full
        if key not in self._statics and last is not None:
            waiting = self._since_zoom <= SETTLE_FRAMES
            if not waiting and self.size not in self._terrain:
                self._terrain_step()  # a third of the terrain a frame; then the rest
                waiting = True
            if waiting:
                self._full = False
                self._draw_scaled(surface, *last)
                self._load_a_font()
                return
        layer = self.static_layer()
        self._last_full = (self.size, layer)
        self._full = True
        area = pygame.Rect(int(self.cam[0]), int(self.cam[1]), self.rect.width, self.rect.height)
        surface.blit(layer, self.rect.topleft, area)

    def _terrain_step(self) -> None:
        """Draw a third of the terrain layer of the current size (drawing.terrain_steps); the
        last third stores it, as `terrain_layer` would have made it in one go."""
        job = self._terrain_job
        if job is None or job[0] != self.size or job[3] is not self.state.board:
            geo = self.geo
            surface = pygame.Surface((geo.width, geo.height))
            steps = drawing.terrain_steps(self.state, geo, surface)
            job = self._terrain_job = (self.size, steps, surface, self.state.board)
        try:
            next(job[1])
        except StopIteration:
            layer = job[2].convert() if pygame.display.get_surface() else job[2]
            self._terrain[self.size] = layer
            self._terrain_job = None

    def _load_a_font(self) -> None:
        """Load one of the fonts this size and the next sizes in and out will want (about 5 ms
        each, the first time a size is asked for): the place names' of this size, the
        counters' of all three. One a frame, in the frames that show the scaled picture, so
        that neither a zoom step nor the frame that draws the layer pays for them."""
        wanted = []
        s = self.size
        wanted += [
            (max(11, min(18, int(s * 0.55))), False),
            (max(10, min(14, int(s * 0.42))), False),
        ]
        for index in (self.zoom_index, self.zoom_index - 1, self.zoom_index + 1):
            if 0 <= index < len(ZOOMS):
                for share in (0.42, 0.5, 0.4):  # men on a counter, "?" of a ghost, "H" of hold
                    wanted.append((max(10, int(ZOOMS[index] * share)), True))
        for size, bold in wanted:
            if (size, bold) not in self._fonts_loaded:
                self._fonts_loaded.add((size, bold))
                fonts.font(size, bold)
                return

    def _draw_scaled(self, surface: pygame.Surface, size: int, layer: pygame.Surface) -> None:
        key = (size, id(layer), self.size, self.cam[0], self.cam[1], self.rect.size)
        if self._scaled is not None and self._scaled[0] == key:  # the camera did not move
            surface.blit(*self._scaled[1:])
            return
        f = size / self.size  # source pixels per pixel on screen
        m = drawing.MARGIN
        sx, sy = m + (self.cam[0] - m) * f, m + (self.cam[1] - m) * f
        wanted = pygame.Rect(int(sx), int(sy), int(self.rect.width * f), int(self.rect.height * f))
        part = wanted.clip(layer.get_rect())
        if part.width < 2 or part.height < 2:
            return
        dest = pygame.Rect(
            self.rect.x + round((part.x - sx) / f),
            self.rect.y + round((part.y - sy) / f),
            max(1, round(part.width / f)),
            max(1, round(part.height / f)),
        )
        scaled = pygame.transform.scale(layer.subsurface(part), dest.size)  # a few frames only
        self._scaled = (key, scaled, dest)
        surface.blit(scaled, dest)

    def _stacks(self, viewer: int) -> dict[int, int]:
        """The hexes where the viewer sees counters, and how many stand there (labels keep off
        them)."""
        u = self.state.units
        active = self.state.active()
        stacks: dict[int, int] = {}
        for i in self.session.visible_units(viewer):
            if active[i] and u.hex[i] >= 0:
                stacks[int(u.hex[i])] = stacks.get(int(u.hex[i]), 0) + 1
        return stacks

    def mask(self, rgba, scale: float = 0.96) -> pygame.Surface:
        key = (self.size, rgba, scale)
        found = self._masks.get(key)
        if found is None:
            found = drawing.hex_mask(self.geo, rgba, scale)
            self._masks[key] = found
        return found

    def counter(self, i: int, *, ordered: bool = False, alpha: int = 255) -> pygame.Surface:
        u, scenario = self.state.units, self.state.scenario
        no_ammo = bool(np.isfinite(u.ammo[i]) and u.ammo[i] <= 0 and u.firepower[i] > 0)
        key = (
            i,
            self.size,
            int(u.men[i]),
            round(float(u.suppression[i]), 1),
            bool(u.routed[i]),
            no_ammo,
            bool(u.crossing_hours[i] > 0),
            ordered,
            alpha,
        )
        found = self._counters.get(key)
        if found is None:
            side = int(u.side[i])
            rgb = drawing.hex_rgb(scenario.sides[side].color)
            found = drawing.draw_counter(
                rgb,
                scenario.units[i].type.value,
                int(u.men[i]),
                self.size,
                suppression=float(u.suppression[i]),
                routed=bool(u.routed[i]),
                no_ammo=no_ammo,
                crossing=bool(u.crossing_hours[i] > 0),
                ordered=ordered,
            )
            if alpha < 255:  # a last-known position: greyed, marked "?", fading
                found = found.copy()
                found.fill((150, 150, 150, 255), special_flags=pygame.BLEND_RGBA_MULT)
                mark = fonts.text("?", max(10, int(self.size * 0.5)), (255, 255, 255), bold=True)
                found.blit(mark, mark.get_rect(topright=(found.get_width() - 2, 0)))
                found.set_alpha(alpha)
            if len(self._counters) > 2000:
                self._counters.clear()
            self._counters[key] = found
        return found

    # ------------------------------------------------------------------ a frame
    def draw(
        self,
        surface: pygame.Surface,
        lit: Highlights,
        *,
        hidden_units: set[int] = frozenset(),  # type: ignore[assignment]
        moving: dict[int, tuple[float, float]] | None = None,
    ) -> None:
        self.follow_viewer()
        geo = self.geo
        clip = surface.get_clip()
        surface.set_clip(self.rect)
        surface.fill((58, 56, 50), self.rect)
        self._draw_ground(surface)
        view = self.rect.inflate(geo.size * 4, geo.size * 4)

        def on_screen(h: int) -> tuple[float, float] | None:
            x, y = self.to_screen(*geo.center(h))
            return (x, y) if view.collidepoint(x, y) else None

        # while zooming, the reach and range washes wait with the layer (drawn once settled)
        overlay = self.area_overlay(lit) if self.settled else None
        if overlay is not None:
            layer, (ox, oy) = overlay
            surface.blit(layer, self.to_screen(ox, oy))
        for targets, color in (
            (lit.fire_targets, (250, 230, 90)),
            (lit.bombard_targets, (255, 150, 30)),
            (lit.assault_targets, (235, 40, 40)),
        ):
            for h in targets:
                if on_screen(h):
                    points = [self.to_screen(*c) for c in geo.corners(h, 0.9)]
                    pygame.draw.polygon(surface, color, points, 3)
        if len(lit.route) > 1:
            points = [self.to_screen(*geo.center(h)) for h in lit.route]
            pygame.draw.lines(surface, (255, 255, 255), False, points, 2)
        self._draw_orders(surface)
        self._draw_units(surface, lit, hidden_units, moving or {})
        if lit.selected is not None and self.state.units.hex[lit.selected] >= 0:
            h = int(self.state.units.hex[lit.selected])
            points = [self.to_screen(*c) for c in geo.corners(h, 0.98)]
            pygame.draw.polygon(surface, (255, 230, 60), points, 3)
        if lit.hover >= 0:
            points = [self.to_screen(*c) for c in geo.corners(lit.hover)]
            pygame.draw.polygon(surface, (255, 255, 255), points, 2)
        surface.set_clip(clip)

    def area_overlay(self, lit: Highlights):
        """The reachable hexes (a light wash and a white dot each) and the bombardment area,
        drawn once into a surface covering just those hexes, kept until they change."""
        if not lit.reachable and not lit.bombard_area:
            return None
        key = (
            self.size,
            lit.selected,
            self.state.turn,
            id(lit.reachable),
            len(lit.reachable),
            len(lit.bombard_area),
        )
        found = self._overlays.get(key)
        if found is not None:
            return found
        geo = self.geo
        hexes = list(lit.reachable) + list(lit.bombard_area)
        xs, ys = geo.cx[hexes], geo.cy[hexes]
        pad = geo.size + 2
        left, top = float(xs.min()) - pad, float(ys.min()) - pad
        width = int(float(xs.max()) - left + pad) + 1
        height = int(float(ys.max()) - top + pad) + 1
        layer = pygame.Surface((width, height), pygame.SRCALPHA)
        half = (geo.size * hexgrid.SQRT3 / 2 + 1, geo.size + 1)
        wash = self.mask((255, 255, 255, 45), 0.9)
        area = self.mask((250, 160, 40, 45))
        dot = max(2, geo.size * 0.12)
        for h in lit.bombard_area:
            x, y = geo.cx[h] - left, geo.cy[h] - top
            layer.blit(area, (x - half[0], y - half[1]))
        for h in lit.reachable:
            x, y = geo.cx[h] - left, geo.cy[h] - top
            layer.blit(wash, (x - half[0], y - half[1]))
            # white with a dark rim: unlike any terrain symbol (the paddies' are green)
            pygame.draw.circle(layer, (250, 250, 245), (x, y), dot)
            pygame.draw.circle(layer, (40, 40, 40), (x, y), dot, 1)
        while len(self._overlays) >= KEPT_LAYERS:
            self._overlays.pop(next(iter(self._overlays)))
        self._overlays[key] = (layer, (left, top))
        return self._overlays[key]

    def _draw_units(self, surface, lit: Highlights, hidden: set[int], moving) -> None:
        session, state = self.session, self.state
        u = state.units
        viewer = session.viewer()
        visible = session.visible_units(viewer)
        ordered = set(session.orders_of(viewer))
        stacks: dict[int, int] = {}
        tops: dict[int, pygame.Rect] = {}  # each stack's top counter as drawn
        geo = self.geo
        if session.fog:
            for i, sighting, opacity in session.memory.ghosts(state, viewer):
                x, y = self.to_screen(*geo.center(sighting.hex))
                ghost = self.counter(i, alpha=int(30 + 120 * opacity))
                surface.blit(ghost, ghost.get_rect(center=(x, y)))
        order = sorted(visible, key=lambda i: (i == lit.selected, i))
        for i in order:
            if i in hidden or not state.active()[i]:
                continue
            if i in moving:
                x, y = self.to_screen(*moving[i])
            else:
                h = int(u.hex[i])
                k = stacks.get(h, 0)
                stacks[h] = k + 1
                x, y = self.to_screen(*geo.center(h))
                x, y = x + 4 * k, y - 4 * k
            if not self.rect.inflate(80, 80).collidepoint(x, y):
                continue
            sprite = self.counter(i, ordered=i in ordered)
            box = sprite.get_rect(center=(x, y))
            surface.blit(sprite, box)
            if i not in moving:
                tops[int(u.hex[i])] = box
        for h, box in tops.items():  # a stack shows how many units it holds
            if stacks[h] > 1:
                badge = self.stack_badge(stacks[h])
                surface.blit(badge, badge.get_rect(center=(box.right - 3, box.top + 3)))

    def stack_badge(self, count: int) -> pygame.Surface:
        """The count mark of a stack of `count` at this size, drawn once and kept."""
        key = ("stack", count, self.size)
        found = self._counters.get(key)
        if found is None:
            found = drawing.stack_badge(count, self.size)
            self._counters[key] = found
        return found

    def _draw_orders(self, surface) -> None:
        session, state = self.session, self.state
        viewer = session.viewer()
        if session.side_to_order() is None:
            return
        geo = self.geo
        for i, order in session.orders_of(viewer).items():
            if state.units.hex[i] < 0:
                continue
            a = self.to_screen(*geo.center(int(state.units.hex[i])))
            draw_order(surface, order, a, lambda h: self.to_screen(*geo.center(h)), geo.size)


def draw_order(surface, order: Order, start, place, size: float) -> None:
    """An order as an arrow from the unit to its goal (or a mark for hold)."""
    if isinstance(order, Hold):
        label = fonts.text("H", max(10, int(size * 0.4)), (255, 255, 255), bold=True)
        box = label.get_rect(center=(start[0] + size * 0.7, start[1] - size * 0.55))
        pygame.draw.rect(surface, (40, 40, 40), box.inflate(6, 2), border_radius=3)
        surface.blit(label, box)
        return
    target = order_hex(order)
    if target is None:
        return
    end = place(target)
    ui = type(order).ui  # the arrow's colour, as the order kind declares it
    color = ui.color if ui is not None else (255, 255, 255)
    if isinstance(order, Bombard):
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - math.dist(start, end) * 0.25)
        points = [
            (
                (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * mid[0] + t * t * end[0],
                (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * mid[1] + t * t * end[1],
            )
            for t in [k / 12 for k in range(13)]
        ]
        pygame.draw.lines(surface, color, False, points, 2)
        pygame.draw.circle(surface, color, end, max(6, size * 0.45), 3)
        return
    drawing.arrow(surface, (20, 20, 20), start, end, 6, 13)
    drawing.arrow(surface, color, start, end, 3, 11)
