"""Drawing the map: the pre-rendered terrain layer (terrain colours and symbols, elevation shading
and contours, rivers, roads, named places), the works on it (minefields and their lanes, wire,
trenches, blockhouses), unit counters, and small shapes for highlights and animations.

Everything is drawn at one hex size (the radius in pixels): the map view keeps a terrain layer
per zoom level and redraws the works only when the game changes. A terrain type's symbol is its
`symbol:` in the scenario's terrain legend (wood, village, paddy, road, track, steep, crest,
hill, water); a type without one is drawn as plain colour.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pygame

from .. import hexgrid
from ..core.state import GameState
from . import fonts

SQRT3 = hexgrid.SQRT3
MARGIN = 24  # pixels of background around the map

INK = (30, 26, 22)
PAPER = (236, 230, 214)
WATER = (62, 104, 170)
MINE_RED = (170, 30, 30)
WIRE_GREY = (45, 45, 48)
LANE_GREEN = (40, 140, 60)  # the edges of a lane through mines, the posts of a gap in wire
TRENCH = (92, 62, 34)


def hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def scale_rgb(rgb, factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * factor))) for c in rgb)  # type: ignore[return-value]


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


class Geometry:
    """Hex centres and corners in map pixels (the "world") at one hex size."""

    def __init__(self, state: GameState, size: float) -> None:
        board = state.board
        self.size = float(size)
        self.board = board
        self.layout = hexgrid.Layout(
            hexgrid.POINTY, size, size, MARGIN + SQRT3 / 2 * size, MARGIN + size
        )
        self.cx, self.cy = hexgrid.pointy_centers(
            board.q, board.r, size, self.layout.origin_x, self.layout.origin_y
        )
        extent_x, extent_y = hexgrid.pointy_extent(board.width, board.height, size)
        self.width = int(MARGIN * 2 + extent_x) + 1
        self.height = int(MARGIN * 2 + extent_y) + 1
        corners = hexgrid.corner_offsets(self.layout)
        self.corner_dx = [dx for dx, _ in corners]
        self.corner_dy = [dy for _, dy in corners]

    def center(self, h: int) -> tuple[float, float]:
        return float(self.cx[h]), float(self.cy[h])

    def corners(self, h: int, scale: float = 1.0, dx: float = 0.0, dy: float = 0.0):
        x, y = float(self.cx[h]) + dx, float(self.cy[h]) + dy
        return [
            (x + ox * scale, y + oy * scale)
            for ox, oy in zip(self.corner_dx, self.corner_dy, strict=True)
        ]

    def hex_at(self, x: float, y: float) -> int:
        """Hex number under a map pixel, or -1 off the map."""
        h = hexgrid.pixel_to_hex(self.layout, x, y)
        col, row = hexgrid.axial_to_offset(h)
        if 0 <= col < self.board.width and 0 <= row < self.board.height:
            return row * self.board.width + col
        return -1

    def side_points(self, h: int, direction: int, scale: float = 1.0):
        c = self.corners(h, scale)
        return c[direction % 6], c[(direction + 1) % 6]


# ------------------------------------------------------------------------------- terrain layer


_SHADES: dict[int, tuple[object, np.ndarray]] = {}


def _shading(state: GameState) -> np.ndarray:
    """`_shade`, worked out once per board (it does not depend on the zoom)."""
    board = state.board
    kept = _SHADES.get(id(board))
    if kept is not None and kept[0] is board:
        return kept[1]
    found = _shade(state)
    if len(_SHADES) > 16:
        _SHADES.clear()
    _SHADES[id(board)] = (board, found)
    return found


def _shade(state: GameState) -> np.ndarray:
    """A brightness factor per hex: light from the north-west on the slopes, higher ground a
    little lighter."""
    board = state.board
    e = board.elevation_m
    span = float(e.max() - e.min())
    if span <= 0:
        return np.ones(board.size)
    x, y = hexgrid.pointy_centers(board.q, board.r.astype(float), 1.0)
    gx = np.zeros(board.size)
    gy = np.zeros(board.size)
    for h, around in enumerate(board.neighbors):
        if not around:
            continue
        idx = np.array(around)
        dx, dy = x[idx] - x[h], y[idx] - y[h]
        de = e[idx] - e[h]
        gx[h] = float((de * dx).sum() / max((dx * dx).sum(), 1e-9))
        gy[h] = float((de * dy).sum() / max((dy * dy).sum(), 1e-9))
    hex_m = board.hex_size_m
    slope_x, slope_y = gx / hex_m * 3.0, gy / hex_m * 3.0  # rise per hex width, exaggerated
    light = -(slope_x * -0.7071 + slope_y * -0.7071)  # facing the light (north-west) is bright
    height = (e - e.min()) / span
    return 1.0 + 0.22 * np.tanh(light) + 0.14 * (height - 0.5)


def render_terrain(
    state: GameState,
    geo: Geometry,
    *,
    onto: pygame.Surface | None = None,
    only: set[int] | None = None,
) -> pygame.Surface:
    """The whole map at one hex size: ground, symbols, contours, rivers and roads (the names of
    places go on top of the works, see `draw_places`).

    With `onto` and `only`, the hexes in `only` are drawn again onto an existing layer, whose
    clip the caller has set to the area they cover (the map editor, after an edit): inside the
    clip that gives the same pixels as a whole new layer, as long as `only` holds every hex
    that can reach into it."""
    surface = pygame.Surface((geo.width, geo.height)) if onto is None else onto
    for _ in terrain_steps(state, geo, surface, only):
        pass
    return surface


def terrain_steps(
    state: GameState, geo: Geometry, surface: pygame.Surface, only: set[int] | None = None
) -> Iterator[None]:
    """`render_terrain` onto `surface` in three steps, pausing after the ground and after the
    outlines and symbols (the map view draws a new zoom level's terrain over three frames);
    run to the end, the same pixels as one call."""
    board, scenario = state.board, state.scenario
    surface.fill((58, 56, 50))  # within the clip, if one is set
    types = [scenario.terrain[t] for t in board.terrain_ids]
    colors = [hex_rgb(t.color) for t in types]
    symbols = [t.symbol.value if t.symbol else None for t in types]  # the legend's `symbol:`
    linear = {i for i, s in enumerate(symbols) if s in ("road", "track")}
    shade = _shading(state)
    terrain = board.terrain.tolist()

    # Ground colour; a road or track hex takes the colour of the ground around it.
    ground = []
    for h in range(board.size):
        t = terrain[h]
        if t in linear:
            around = [terrain[n] for n in board.neighbors[h] if terrain[n] not in linear]
            t = max(set(around), key=around.count) if around else t
        ground.append(t)
    drawn = range(board.size) if only is None else sorted(only)
    # each hex's fill and outline colour, as scale_rgb makes them, for the whole map at once
    base = np.array(colors, dtype=float)[np.array(ground)]
    fills = np.clip((base * shade[:, None]).astype(int), 0, 255).tolist()
    edges = np.clip((base * (shade * 0.9)[:, None]).astype(int), 0, 255).tolist()
    marks = [scale_rgb(rgb, 0.62) for rgb in colors]
    for h in drawn:
        pygame.draw.polygon(surface, fills[h], geo.corners(h, 1.02))
    yield
    for h in drawn:
        pygame.draw.polygon(surface, edges[h], geo.corners(h), 1)
        symbol = symbols[ground[h]]
        if symbol:
            _draw_symbol(surface, geo, h, symbol, marks[ground[h]])
    yield
    _draw_contours(surface, state, geo, only)
    _draw_rivers(surface, state, geo)
    for kind in ("track", "road"):
        kinds = {i for i, s in enumerate(symbols) if s == kind}
        _draw_lines(surface, state, geo, kinds, kind, only)
    pygame.draw.rect(surface, INK, (0, 0, geo.width, geo.height), 2)


def redraw_region(state: GameState, geo: Geometry, layer: pygame.Surface, hexes: set[int]) -> None:
    """Draw the terrain layer again around `hexes` (and their neighbours, whose road colours
    and contours they change): the pixels a whole new layer would have there, but for the
    rare pixel of a symbol's arc that pygame rasterises a little differently when a clip edge
    cuts it (the editor draws the whole layer again once the user stops, to put those right)."""
    board = state.board
    around = set(hexes)
    for h in hexes:
        around.update(board.neighbors[h])
    xs = [float(geo.cx[h]) for h in around]
    ys = [float(geo.cy[h]) for h in around]
    pad = geo.size * 1.1
    area = pygame.Rect(
        int(min(xs) - pad),
        int(min(ys) - pad),
        int(max(xs) - min(xs) + 2 * pad) + 1,
        int(max(ys) - min(ys) + 2 * pad) + 1,
    ).clip(layer.get_rect())
    # Drawn clipped to a slightly larger block, of which only `area` is kept, so the clip edge
    # (where pygame leaves out pixels of a cut arc) lies outside what is kept.
    outer = area.inflate(8, 8).clip(layer.get_rect())
    reach = geo.size * 3.5 + 8  # every hex whose ground, lines or symbols can reach `outer`
    near = (
        (geo.cx >= outer.left - reach)
        & (geo.cx <= outer.right + reach)
        & (geo.cy >= outer.top - reach)
        & (geo.cy <= outer.bottom + reach)
    )
    only = set(np.flatnonzero(near).tolist())
    kept = layer.subsurface(outer).copy()
    clip = layer.get_clip()
    layer.set_clip(outer)
    try:
        render_terrain(state, geo, onto=layer, only=only)
    finally:
        layer.set_clip(clip)
    fresh = layer.subsurface(area).copy()
    layer.blit(kept, outer.topleft)
    layer.blit(fresh, area.topleft)


def _draw_symbol(surface, geo: Geometry, h: int, symbol: str, color) -> None:
    s = geo.size
    x, y = geo.center(h)
    if s < 9:
        return
    if symbol == "wood":
        for dx, dy in ((-0.38, 0.1), (0.0, -0.28), (0.36, 0.12)):
            px, py = x + dx * s, y + dy * s
            pygame.draw.circle(surface, color, (px, py), max(2, s * 0.17))
            pygame.draw.line(surface, color, (px, py), (px, py + s * 0.28), max(1, int(s / 14)))
    elif symbol == "village":
        for dx, dy in ((-0.3, -0.05), (0.12, -0.25), (0.18, 0.2)):
            px, py = x + dx * s, y + dy * s
            r = s * 0.15
            pygame.draw.rect(surface, color, (px - r, py - r * 0.6, r * 2, r * 1.4))
            pygame.draw.polygon(
                surface,
                color,
                [(px - r * 1.2, py - r * 0.6), (px + r * 1.2, py - r * 0.6), (px, py - r * 1.6)],
            )
    elif symbol == "paddy":
        for k in (-1, 0, 1):
            yy = y + k * s * 0.32
            pygame.draw.line(surface, color, (x - s * 0.4, yy), (x + s * 0.4, yy), 1)
            for j in (-0.2, 0.1, 0.35):
                pygame.draw.line(surface, color, (x + j * s, yy), (x + j * s + 2, yy - s * 0.12), 1)
    elif symbol == "steep":
        for k in range(-2, 3):
            px = x + k * s * 0.2
            pygame.draw.line(
                surface, color, (px - s * 0.1, y - s * 0.3), (px + s * 0.1, y + s * 0.3), 2
            )
    elif symbol == "crest":
        pygame.draw.polygon(
            surface,
            color,
            [(x - s * 0.3, y + s * 0.2), (x + s * 0.3, y + s * 0.2), (x, y - s * 0.3)],
            2,
        )
    elif symbol == "hill":
        pygame.draw.arc(surface, color, (x - s * 0.45, y - s * 0.15, s * 0.5, s * 0.5), 0.3, 2.8, 2)
        pygame.draw.arc(surface, color, (x - s * 0.05, y - s * 0.3, s * 0.5, s * 0.5), 0.3, 2.8, 2)
    elif symbol == "water":
        for k in (-1, 1):
            yy = y + k * s * 0.25
            points = [(x + (j / 4 - 0.5) * s, yy + (2 if j % 2 else -2)) for j in range(5)]
            pygame.draw.lines(surface, (180, 205, 235), False, points, 1)


def _draw_contours(surface, state: GameState, geo: Geometry, only=None) -> None:
    """Brown lines along hex sides where the ground crosses a contour (every 50 m, or a fifth
    of the relief on a flat map)."""
    board = state.board
    e = board.elevation_m
    span = float(e.max() - e.min())
    if span <= 0:
        return
    step = 50.0 if span >= 150 else max(span / 5, 1.0)
    level = np.floor(e / step).astype(int)
    color = (96, 70, 40)
    for h in range(board.size) if only is None else sorted(only):
        a = hexgrid.Hex(int(board.q[h]), int(board.r[h]))
        for n in board.neighbors[h]:
            if level[n] == level[h] or (n < h and (only is None or n in only)):
                continue  # each side once: from its lower-numbered hex, or the one drawn
            d = hexgrid.direction_to(a, hexgrid.Hex(int(board.q[n]), int(board.r[n])))
            p, q = geo.side_points(h, d)
            pygame.draw.line(surface, color, p, q, 2 if geo.size >= 16 else 1)


def _river_hexes(state: GameState, river_number: int) -> list[int]:
    """The hexes of a river in order (the hex lines between its waypoints)."""
    board = state.board
    spec = state.scenario.map.rivers[river_number]
    points = [board.resolve(p) for p in spec.path]
    order: list[int] = []
    for a, b in itertools.pairwise(points):
        ha = hexgrid.Hex(int(board.q[a]), int(board.r[a]))
        hb = hexgrid.Hex(int(board.q[b]), int(board.r[b]))
        for cell in hexgrid.line(ha, hb):
            col, row = hexgrid.axial_to_offset(cell)
            i = row * board.width + col
            if not order or order[-1] != i:
                order.append(i)
    return order


def _draw_rivers(surface, state: GameState, geo: Geometry) -> None:
    board = state.board
    s = geo.size
    for number, spec in enumerate(state.scenario.map.rivers):
        hexes = _river_hexes(state, number)
        for h in hexes:
            pygame.draw.polygon(surface, scale_rgb(WATER, 1.08), geo.corners(h, 0.98))
        if len(hexes) >= 2:
            points = [geo.center(h) for h in hexes]
            pygame.draw.lines(surface, (40, 80, 150), False, points, max(2, int(s * 0.42)))
            pygame.draw.lines(surface, (96, 140, 205), False, points, max(1, int(s * 0.16)))
        for col, row, direction in spec.edges:
            h = board.index(col, row)
            d = ("E", "NE", "NW", "W", "SW", "SE").index(direction)
            p, q = geo.side_points(h, d)
            pygame.draw.line(surface, WATER, p, q, max(2, int(s * 0.18)))
        for ref in spec.bridges:
            h = board.resolve(ref)
            x, y = geo.center(h)
            pygame.draw.rect(surface, (120, 90, 60), (x - s * 0.5, y - s * 0.15, s, s * 0.3))
            pygame.draw.rect(surface, INK, (x - s * 0.5, y - s * 0.15, s, s * 0.3), 1)


def _draw_lines(
    surface, state: GameState, geo: Geometry, kinds: set[int], kind: str, only=None
) -> None:
    """Roads and tracks as lines from hex centre to hex centre (those touching `only`)."""
    if not kinds:
        return
    board = state.board
    s = geo.size
    on = np.isin(board.terrain, list(kinds))
    color = (235, 225, 190) if kind == "road" else (150, 118, 70)
    edge = (90, 80, 60)
    width = max(2, int(s * (0.26 if kind == "road" else 0.12)))
    pairs = []
    hexes = np.flatnonzero(on).tolist()
    if only is not None:
        hexes = [h for h in hexes if h in only]
    for h in hexes:
        linked = [n for n in board.neighbors[h] if on[n] and (n > h or (only and n not in only))]
        pairs.extend((h, n) for n in linked)
        if not any(on[n] for n in board.neighbors[h]):
            pairs.append((h, h))
    if kind == "road":
        for a, b in pairs:
            pygame.draw.line(surface, edge, geo.center(a), geo.center(b), width + 2)
    for a, b in pairs:
        if kind == "track":
            _dashed(surface, color, geo.center(a), geo.center(b), width, s * 0.3)
        else:
            pygame.draw.line(surface, color, geo.center(a), geo.center(b), width)
    if kind == "road":
        for h in hexes:
            pygame.draw.circle(surface, color, geo.center(h), width / 2)


def _dashed(surface, color, a, b, width: int, dash: float) -> None:
    length = math.dist(a, b)
    if length <= 0:
        return
    steps = max(1, int(length / dash))
    for k in range(0, steps, 2):
        t0, t1 = k / steps, min(1.0, (k + 1) / steps)
        p = (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
        q = (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)
        pygame.draw.line(surface, color, p, q, width)


def counter_box(geo: Geometry, h: int, stacked: int = 1) -> pygame.Rect:
    """Where the counters of hex `h` stand on the layer (a stack of `stacked` goes up and right,
    4 px a counter, its count's badge over the top counter's corner), for labels to keep off
    them."""
    x, y = geo.center(h)
    w, height = int(geo.size * 1.2) + 4, int(geo.size * 0.92) + 4
    box = pygame.Rect(0, 0, w, height)
    box.center = (int(x), int(y))
    extra = 4 * max(0, stacked - 1)
    badge = max(7, int(geo.size * 0.3)) if stacked > 1 else 0  # the count disc past the corner
    return pygame.Rect(
        box.x, box.y - extra - badge, box.width + extra + badge, box.height + extra + badge
    )


def draw_places(
    surface,
    state: GameState,
    geo: Geometry,
    hidden: frozenset[str] = frozenset(),
    counters: dict[int, int] | None = None,
) -> dict[str, pygame.Rect]:
    """Named places: a marker, the Chinese name and the English name below it, on a plate.
    Labels keep off one another, off the other places' markers and off the counters
    (`counters`: hex -> units stacked there): each tries below its marker, above, right and
    left, then the Chinese name alone (or the English if none) in the same four places, and
    else shows the marker only (the hex panel names it). The places of the victory conditions
    are labelled first. `hidden`: place ids the viewer is not shown (the other side's plan
    places, under fog). Returns the plate drawn for each place labelled."""
    s = geo.size
    big = max(11, min(18, int(s * 0.55)))
    small = max(10, min(14, int(s * 0.42)))
    scenario = state.scenario
    victory = {getattr(c, "place", None) for c in scenario.victory}
    shown = [p for p in scenario.map.places if p.id not in hidden]
    shown.sort(key=lambda p: p.id not in victory)  # stable: the file's order otherwise
    marks = []
    for place in shown:
        x, y = geo.center(state.board.index(*place.hex))
        r = max(3, s * 0.14)
        marks.append(pygame.Rect(int(x - r), int(y - r), int(2 * r) + 1, int(2 * r) + 1))
        pygame.draw.circle(surface, INK, (x, y), r)
        pygame.draw.circle(surface, PAPER, (x, y), max(2, s * 0.09))
    blocked = [counter_box(geo, h, n) for h, n in (counters or {}).items()]
    bounds = pygame.Rect(0, 0, geo.width, geo.height)
    taken: list[pygame.Rect] = []
    plates: dict[str, pygame.Rect] = {}
    for k, place in enumerate(shown):
        x, y = geo.center(state.board.index(*place.hex))
        lines = []
        if place.name.zh:
            lines.append(fonts.text(place.name.zh, big, INK))
        english = place.name.en.split(" (")[0]
        lines.append(fonts.text(english, small, (60, 50, 40)))
        others = marks[:k] + marks[k + 1 :]
        chosen = None
        for ring in (0, 1):  # beside the marker first, the short name before the far places
            for shown_lines in (lines, lines[:1]) if len(lines) > 1 else (lines,):
                width = max(line.get_width() for line in shown_lines) + 8
                height = sum(line.get_height() for line in shown_lines) + 2
                for plate in _plates(x, y, s, width, height)[ring]:
                    if (
                        bounds.contains(plate)
                        and plate.collidelist(taken) < 0
                        and plate.collidelist(blocked) < 0
                        and plate.collidelist(others) < 0
                    ):
                        chosen = (plate, shown_lines)
                        break
                if chosen:
                    break
            if chosen:
                break
        if chosen is None:
            continue  # the marker alone: no room for a name that would cover another
        plate, shown_lines = chosen
        taken.append(plate)
        plates[place.id] = plate
        back = pygame.Surface(plate.size, pygame.SRCALPHA)
        back.fill((*PAPER, 190))
        surface.blit(back, plate.topleft)
        yy = plate.top + 1
        for line in shown_lines:
            surface.blit(line, (plate.left + (plate.width - line.get_width()) / 2, yy))
            yy += line.get_height()
    return plates


def _plates(x: float, y: float, s: float, width: int, height: int) -> list[list[pygame.Rect]]:
    """A label's places around its marker at (x, y): below, above, right, left; then the same
    a hex farther out (past a counter beside it), and the corners."""
    near = [
        pygame.Rect(int(x - width / 2), int(y + s * 0.55), width, height),
        pygame.Rect(int(x - width / 2), int(y - s * 0.55 - height), width, height),
        pygame.Rect(int(x + s * 0.3), int(y - height / 2), width, height),
        pygame.Rect(int(x - s * 0.3 - width), int(y - height / 2), width, height),
    ]
    far = [
        near[0].move(0, int(s * 0.9)),
        near[1].move(0, -int(s * 0.9)),
        near[2].move(int(s * 1.2), 0),
        near[3].move(-int(s * 1.2), 0),
        pygame.Rect(int(x + s * 0.3), int(y + s * 0.55), width, height),
        pygame.Rect(int(x - s * 0.3 - width), int(y + s * 0.55), width, height),
        pygame.Rect(int(x + s * 0.3), int(y - s * 0.55 - height), width, height),
        pygame.Rect(int(x - s * 0.3 - width), int(y - s * 0.55 - height), width, height),
    ]
    return [near, far]


# ------------------------------------------------------------------------------------ the works


def draw_works(surface, state: GameState, geo: Geometry) -> None:
    """Minefields (with any lane blown through them), wire, trenches and blockhouses."""
    w = state.works
    s = geo.size
    for h in np.flatnonzero(w.fort_level > 0).tolist():
        intact = (
            float(w.fort_strength[h] / w.fort_strength_start[h]) if w.fort_strength_start[h] else 0
        )
        color = mix((150, 130, 110), TRENCH, intact)
        points = geo.corners(h, 0.8)
        for k in range(6):
            p, q = points[k], points[(k + 1) % 6]
            for j in range(3):
                t0, t1 = j / 3 + 0.05, j / 3 + 0.25
                a = (p[0] + (q[0] - p[0]) * t0, p[1] + (q[1] - p[1]) * t0)
                b = (p[0] + (q[0] - p[0]) * t1, p[1] + (q[1] - p[1]) * t1)
                pygame.draw.line(surface, color, a, b, max(2, int(s / 10)))
    for h in np.flatnonzero(w.mine_depth_m > 0).tolist():
        _draw_minefield(surface, geo, h, float(w.lane[h]))
    laid = wire_laid(state)
    for h, start in laid.items():
        lines = float(w.wire_lines[h])
        x, y = geo.center(h)
        for k in range(math.ceil(start - 1e-9)):
            yy = y - s * 0.58 - k * s * 0.16
            half = s * (0.5 - 0.12 * k)
            # the lines still uncut are the first ones; the cut ones keep a gap in the middle
            gapped = lines <= k
            points = [
                (x - half + j * half / 5, yy + (s * 0.06 if j % 2 else -s * 0.06))
                for j in range(11)
            ]
            width = max(1, int(s / 12))
            if not gapped:
                color = mix((175, 165, 155), WIRE_GREY, min(1.0, lines - k))
                pygame.draw.lines(surface, color, False, points, width)
                continue
            pygame.draw.lines(surface, WIRE_GREY, False, points[:4], width)
            pygame.draw.lines(surface, WIRE_GREY, False, points[7:], width)
            for px, py in (points[3], points[7]):  # the gap's marker posts
                pygame.draw.line(surface, LANE_GREEN, (px, py - s * 0.08), (px, py + s * 0.08), 2)
    for h in np.flatnonzero(w.blockhouse_strength_start > 0).tolist():
        intact = float(w.blockhouse_strength[h] / w.blockhouse_strength_start[h])
        x, y = geo.center(h)
        box = pygame.Rect(0, 0, max(7, s * 0.26), max(6, s * 0.24))
        box.center = (int(x + s * 0.74), int(y))
        pygame.draw.rect(surface, mix((160, 150, 140), (70, 70, 74), intact), box)
        pygame.draw.rect(surface, INK, box, 2)
        pygame.draw.line(surface, INK, (box.left + 2, box.centery), (box.right - 2, box.centery), 2)
        if intact < 1:
            bar = pygame.Rect(box.left, box.bottom + 2, box.width * intact, 3)
            pygame.draw.rect(surface, (200, 60, 40), bar)


def wire_laid(state: GameState) -> dict[int, float]:
    """Lines of wire laid in each hex at the start (the scenario's), so that cut lines can be
    drawn with their gaps. Found once for the scenario (kept on the board its games share)."""

    def laid() -> dict[int, float]:
        lines: dict[int, float] = {}
        for obstacle in state.scenario.obstacles:
            if getattr(obstacle, "kind", None) == "wire":
                for ref in obstacle.hexes:
                    h = state.board.resolve(ref)
                    lines[h] = lines.get(h, 0.0) + float(obstacle.lines)
        return lines

    return state.board.shared("wire_laid", laid)


def _draw_minefield(surface, geo: Geometry, h: int, lane: float) -> None:
    """Rows of mines across the bottom of the hex (below a counter), with a cleared strip for a
    lane blown through it."""
    s = geo.size
    x, y = geo.center(h)
    r = max(3, int(s * 0.085))
    band = pygame.Rect(int(x - s * 0.48), int(y + s * 0.47), int(s * 0.96), int(s * 0.36))
    pygame.draw.rect(surface, (236, 222, 196), band)
    pygame.draw.rect(surface, MINE_RED, band, max(1, int(s / 16)))
    lane_left = x - s * 0.48 * lane
    lane_right = x + s * 0.48 * lane
    for row in range(2):
        for k in range(4):
            px = x + (k - 1.5) * s * 0.22 + (s * 0.06 if row else -s * 0.06)
            py = y + s * (0.57 + row * 0.16)
            if lane > 0 and lane_left <= px <= lane_right:
                continue
            pygame.draw.circle(surface, MINE_RED, (px, py), r)
            if r >= 4:
                pygame.draw.circle(surface, INK, (px, py), r, 1)
    if lane > 0:
        for px in (lane_left, lane_right):
            pygame.draw.line(surface, (40, 140, 60), (px, band.top), (px, band.bottom), 2)


def mine_point(geo: Geometry, h: int) -> tuple[int, int]:
    """A pixel (map coordinates) inside the first mine drawn in hex `h` (for tests)."""
    x, y = geo.center(h)
    s = geo.size
    return int(x - 1.5 * s * 0.22 - s * 0.06), int(y + s * 0.57)


# ------------------------------------------------------------------------------------ counters

UNIT_TYPES = ("infantry", "machine_gun", "artillery", "mortar", "engineers", "headquarters")


def draw_counter(
    side_rgb,
    unit_type: str,
    men: int,
    size: float,
    *,
    suppression: float = 0.0,
    routed: bool = False,
    no_ammo: bool = False,
    crossing: bool = False,
    ordered: bool = False,
) -> pygame.Surface:
    """A unit counter: side colour, a type symbol, men left, and status marks."""
    w, h = int(size * 1.2), int(size * 0.92)
    surface = pygame.Surface((w + 4, h + 4), pygame.SRCALPHA)
    body = pygame.Rect(2, 2, w, h)
    pygame.draw.rect(surface, (0, 0, 0, 90), body.move(2, 2), border_radius=3)
    pygame.draw.rect(surface, side_rgb, body, border_radius=3)
    light = mix(side_rgb, (255, 255, 255), 0.75)
    pygame.draw.rect(surface, light, body, 2, border_radius=3)
    box = pygame.Rect(0, 0, int(w * 0.56), int(h * 0.42))
    box.midtop = (body.centerx, body.top + int(h * 0.1))
    pygame.draw.rect(surface, light, box, 2)
    _type_symbol(surface, box, unit_type, light)
    label = fonts.text(str(men), max(10, int(size * 0.42)), (255, 255, 255), bold=True)
    surface.blit(label, label.get_rect(midbottom=(body.centerx, body.bottom + 1)))
    if suppression > 0.05:
        bar = pygame.Rect(body.left + 2, body.top + 2, int((w - 4) * min(1.0, suppression)), 3)
        pygame.draw.rect(surface, (250, 210, 40), bar)
    if routed:
        pygame.draw.line(surface, (255, 240, 60), body.bottomleft, body.topright, 4)
    if no_ammo:
        pygame.draw.circle(surface, (250, 150, 30), (body.right - 5, body.bottom - 5), 4)
        pygame.draw.circle(surface, (0, 0, 0), (body.right - 5, body.bottom - 5), 4, 1)
    if crossing:
        pygame.draw.arc(
            surface, (150, 200, 255), (body.left + 2, body.bottom - 8, 10, 8), 0, 3.1, 2
        )
    if ordered:
        pygame.draw.circle(surface, (80, 230, 110), (body.left + 5, body.bottom - 5), 3)
    return surface


STACK_BADGE_RGB = (250, 250, 245)  # the stack badge's face: light on the dark rim, unlike a side


def stack_badge(count: int, size: float) -> pygame.Surface:
    """The mark on the top counter of a hex holding `count` units: the count in a light disc
    with a dark rim. The counters beneath stand only 4 px apart, so without it a stack of seven
    reads as one counter (issue 14, problem 7)."""
    label = fonts.text(str(count), max(9, int(size * 0.36)), (30, 30, 30), bold=True)
    radius = max(label.get_width(), label.get_height()) // 2 + 2
    surface = pygame.Surface((2 * radius + 2, 2 * radius + 2), pygame.SRCALPHA)
    centre = (radius + 1, radius + 1)
    pygame.draw.circle(surface, STACK_BADGE_RGB, centre, radius)
    pygame.draw.circle(surface, (30, 30, 30), centre, radius, 1)
    surface.blit(label, label.get_rect(center=centre))
    return surface


def _type_symbol(surface, box: pygame.Rect, unit_type: str, color) -> None:
    """NATO-style marks: infantry a cross, machine guns a cross with a bar, artillery a dot,
    mortars a dot with an arrow, engineers an E, headquarters a flag staff."""
    left, t, r, b = box.left, box.top, box.right, box.bottom
    cx, cy = box.center
    if unit_type in ("infantry", "machine_gun"):
        pygame.draw.line(surface, color, (left, t), (r, b), 2)
        pygame.draw.line(surface, color, (left, b), (r, t), 2)
        if unit_type == "machine_gun":
            pygame.draw.line(surface, color, (cx - 3, b - 3), (cx + 3, b - 3), 2)
            pygame.draw.circle(surface, color, (cx, cy), 2)
    elif unit_type == "artillery":
        pygame.draw.circle(surface, color, (cx, cy), max(2, box.height // 4))
    elif unit_type == "mortar":
        pygame.draw.circle(surface, color, (cx, cy + 2), max(2, box.height // 5))
        pygame.draw.line(surface, color, (cx, cy + 2), (cx, t + 2), 2)
        pygame.draw.polygon(surface, color, [(cx - 3, t + 5), (cx + 3, t + 5), (cx, t + 1)])
    elif unit_type == "engineers":
        pygame.draw.lines(
            surface,
            color,
            False,
            [(left + 4, b - 3), (left + 4, t + 3), (r - 4, t + 3), (r - 4, b - 3)],
            2,
        )
        pygame.draw.line(surface, color, (cx, t + 3), (cx, b - 3), 2)
    elif unit_type == "headquarters":
        pygame.draw.line(surface, color, (left + 3, b), (left + 3, t + 2), 2)
        pygame.draw.rect(surface, color, (left + 3, t + 2, box.width * 0.45, box.height * 0.4))


def hex_mask(geo: Geometry, rgba, scale: float = 0.96) -> pygame.Surface:
    """A translucent filled hex the size of one map hex, for highlights."""
    s = geo.size
    surface = pygame.Surface((int(SQRT3 * s) + 2, int(2 * s) + 2), pygame.SRCALPHA)
    cx, cy = surface.get_width() / 2, surface.get_height() / 2
    points = [
        (cx + ox * scale, cy + oy * scale)
        for ox, oy in zip(geo.corner_dx, geo.corner_dy, strict=True)
    ]
    pygame.draw.polygon(surface, rgba, points)
    return surface


def arrow(surface, color, a, b, width: int = 3, head: float = 9.0) -> None:
    pygame.draw.line(surface, color, a, b, width)
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    left = (b[0] - head * math.cos(angle - 0.45), b[1] - head * math.sin(angle - 0.45))
    right = (b[0] - head * math.cos(angle + 0.45), b[1] - head * math.sin(angle + 0.45))
    pygame.draw.polygon(surface, color, [b, left, right])
