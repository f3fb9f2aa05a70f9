"""Pure hex-grid math, following Red Blob Games' hex guide and reference implementation.

https://www.redblobgames.com/grids/hexagons/ (and its ``implementation.html``).

This module is deliberately standalone (standard library only; of the project's own code it
imports only ``engine.kernels.jit``, which imports nothing of ours) so that rules, pathfinding,
rendering and map loading can all share one definition of "adjacent", "distance" and "which hex
is under the mouse" without import cycles. The line's stepping (``line_cell``) is a kernel, so
that the compiled line of sight walks the very same line as ``line``.

Conventions, fixed here so that every caller agrees:

* Storage is **axial** ``(q, r)``; the third cube coordinate ``s = -q - r`` is derived, never
  stored, so a ``Hex`` can never violate the cube constraint.
* Pixel space has **y growing downwards** (screen convention, as in Red Blob's guide).
* ``DIRECTIONS`` are Red Blob's order: ``(+1,0) (+1,-1) (0,-1) (-1,0) (-1,+1) (0,+1)``.
  On screen that is E, NE, NW, W, SW, SE for pointy-topped hexes and SE, NE, N, NW, SW, S
  for flat-topped hexes: counter-clockwise as seen on screen, starting at index 0.
  ``rotate_left`` maps direction ``d`` to ``d + 1``; ``ring(c, 1) == list(neighbors(c))``.
* Text maps default to the **"odd-r"** offset layout: pointy-topped hexes, odd rows shoved
  right by half a hex, ``row`` = line number of the text grid, ``col`` = character column
  (one character per hex). See ``offset_to_axial``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

from .kernels.jit import kernel

__all__ = [
    "DIRECTIONS",
    "FLAT",
    "ORIGIN",
    "POINTY",
    "Edge",
    "FractionalHex",
    "Hex",
    "Layout",
    "OffsetLayout",
    "Orientation",
    "Point",
    "axial_length",
    "axial_to_odd_r",
    "axial_to_offset",
    "direction_to",
    "distance",
    "edge_between",
    "edge_corners",
    "hex_corners",
    "hex_edges",
    "hex_lerp",
    "hex_round",
    "hex_to_pixel",
    "hexes_within",
    "length",
    "line",
    "line_cell",
    "neighbor",
    "neighbors",
    "offset_to_axial",
    "pixel_to_fractional",
    "pixel_to_hex",
    "ring",
    "rotate_left",
    "rotate_right",
    "spiral",
]

Point = tuple[float, float]


class Hex(NamedTuple):
    """An axial hex coordinate; immutable, hashable and ordered.

    Why a ``NamedTuple`` and not ``@dataclass(frozen=True, slots=True)``: hexes are dict keys
    and set members in every hot loop (pathfinding, zones of control, line of sight). A tuple
    subclass hashes and compares in C, is built without a Python-level ``__init__`` or
    ``object.__setattr__`` dance, and unpacks as ``q, r = h``; a frozen dataclass runs a Python
    ``__hash__``/``__eq__`` for every lookup and is several times slower. The price is tuple
    semantics: ``Hex(1, 2) == (1, 2)`` is true and ordering is lexicographic ``(q, r)``, which
    ``edge_between`` relies on for a canonical order.

    ``+``, ``-`` and ``*`` are overridden to mean vector arithmetic; without that, the tuple
    defaults (concatenation and repetition) would silently produce 4-tuples. Coordinates are
    expected to be ``int``; nothing converts them, to keep construction cheap.
    """

    q: int
    r: int

    @property
    def s(self) -> int:
        """Derived so the cube constraint ``q + r + s == 0`` holds by construction."""
        return -self[0] - self[1]

    def __add__(self, other: Hex) -> Hex:  # type: ignore[override]
        return _new(Hex, (self[0] + other[0], self[1] + other[1]))

    def __sub__(self, other: Hex) -> Hex:
        return _new(Hex, (self[0] - other[0], self[1] - other[1]))

    def __neg__(self) -> Hex:
        return Hex(-self[0], -self[1])

    def scale(self, k: int) -> Hex:
        """Stretches the vector from the origin, e.g. ``DIRECTIONS[d].scale(n)`` is n steps."""
        return Hex(self[0] * k, self[1] * k)

    def __mul__(self, k: int) -> Hex:  # type: ignore[override]
        return Hex(self[0] * k, self[1] * k)

    def __rmul__(self, k: int) -> Hex:  # type: ignore[override]
        return Hex(self[0] * k, self[1] * k)

    def __str__(self) -> str:
        """Compact ``(q,r)`` form for logs and save files; ``Hex.parse`` reads it back."""
        return f"({self[0]},{self[1]})"

    @classmethod
    def parse(cls, text: str) -> Hex:
        """Read ``"q,r"`` or ``"(q,r)"`` (spaces allowed) so logs and files round-trip."""
        body = text.strip()
        if body.startswith("(") and body.endswith(")"):
            body = body[1:-1]
        parts = body.split(",")
        if len(parts) != 2:
            raise ValueError(f"expected 'q,r', got {text!r}")
        try:
            return cls(int(parts[0]), int(parts[1]))
        except ValueError:
            raise ValueError(f"expected integer 'q,r', got {text!r}") from None


# Hot paths build hexes with ``tuple.__new__`` directly: it skips the Python-level
# ``namedtuple.__new__`` wrapper and is roughly 40% faster per hex.
_new = tuple.__new__

ORIGIN = Hex(0, 0)

DIRECTIONS: tuple[Hex, ...] = (
    Hex(1, 0),
    Hex(1, -1),
    Hex(0, -1),
    Hex(-1, 0),
    Hex(-1, 1),
    Hex(0, 1),
)
"""Red Blob's order; see the module docstring for the on-screen compass meaning."""

_DIRECTION_INDEX: dict[Hex, int] = {d: i for i, d in enumerate(DIRECTIONS)}


def neighbor(h: Hex, direction: int) -> Hex:
    """Direction is taken modulo 6 so facing arithmetic such as ``d + 1`` needs no wrapping."""
    dq, dr = DIRECTIONS[direction % 6]
    return _new(Hex, (h[0] + dq, h[1] + dr))


def neighbors(h: Hex) -> tuple[Hex, Hex, Hex, Hex, Hex, Hex]:
    """Unrolled (no loop, no direction lookups) because it sits inside pathfinding loops;
    returned in ``DIRECTIONS`` order so index d is the neighbor in direction d."""
    q, r = h
    return (
        _new(Hex, (q + 1, r)),
        _new(Hex, (q + 1, r - 1)),
        _new(Hex, (q, r - 1)),
        _new(Hex, (q - 1, r)),
        _new(Hex, (q - 1, r + 1)),
        _new(Hex, (q, r + 1)),
    )


def length(h: Hex) -> int:
    """Steps from the origin: the largest absolute cube coordinate."""
    q, r = h
    return axial_length(q, r)


@kernel(borrows=True)
def axial_length(q: int, r: int) -> int:
    """`length` on plain numbers, for kernels (the line of sight's steps)."""
    return (abs(q) + abs(r) + abs(q + r)) // 2


def distance(a: Hex, b: Hex) -> int:
    """Hex steps between two hexes; works on raw ints (no intermediate ``Hex``) because it is
    the hottest function in pathfinding and range checks."""
    dq = a[0] - b[0]
    dr = a[1] - b[1]
    return (abs(dq) + abs(dr) + abs(dq + dr)) // 2


def direction_to(a: Hex, b: Hex) -> int:
    """Index into ``DIRECTIONS`` of the step from ``a`` to adjacent ``b`` (which side of a hex
    a river or an attack crosses); ``ValueError`` if they are not adjacent."""
    try:
        return _DIRECTION_INDEX[Hex(b[0] - a[0], b[1] - a[1])]
    except KeyError:
        raise ValueError(f"{a} and {b} are not adjacent") from None


def rotate_left(h: Hex, center: Hex = ORIGIN) -> Hex:
    """60 degrees about ``center``, turning direction ``d`` into ``d + 1`` (counter-clockwise
    on screen), so facings and map symmetries can be expressed as rotations."""
    q = h[0] - center[0]
    r = h[1] - center[1]
    return Hex(center[0] + q + r, center[1] - q)


def rotate_right(h: Hex, center: Hex = ORIGIN) -> Hex:
    """Inverse of ``rotate_left``: direction ``d`` becomes ``d - 1``."""
    q = h[0] - center[0]
    r = h[1] - center[1]
    return Hex(center[0] - r, center[1] + q + r)


# --------------------------------------------------------------------------- fractional hexes


class FractionalHex(NamedTuple):
    """A point in hex space between grid cells (pixel lookups, line interpolation).

    Kept separate from ``Hex`` so float coordinates never leak into dict keys.
    """

    q: float
    r: float

    @property
    def s(self) -> float:
        return -self[0] - self[1]

    def round(self) -> Hex:
        return hex_round(self[0], self[1])


def hex_round(q: float, r: float) -> Hex:
    """Cube rounding: round all three cube coordinates, then recompute the one that moved most.

    Rounding q and r independently would pick the wrong hex near corners. Ties round half up
    (``floor(x + 0.5)``, like the reference's ``Math.round``) rather than Python's banker's
    rounding, so the result does not depend on the parity of the coordinates.
    """
    return Hex(*cube_round(q, r, -q - r))


@kernel(borrows=True)
def cube_round(q: float, r: float, s: float) -> tuple[int, int]:
    """`hex_round` on the three cube coordinates, as the axial (q, r): the one definition of the
    rounding, shared by `hex_round` and the line's stepping (`line_cell`)."""
    rq = math.floor(q + 0.5)
    rr = math.floor(r + 0.5)
    rs = math.floor(s + 0.5)
    dq = abs(rq - q)
    dr = abs(rr - r)
    ds = abs(rs - s)
    if dq > dr and dq > ds:
        rq = -rr - rs
    elif dr > ds:
        rr = -rq - rs
    return rq, rr


def hex_lerp(a: Hex | FractionalHex, b: Hex | FractionalHex, t: float) -> FractionalHex:
    """Linear interpolation in cube space (straight lines on the map are straight here)."""
    return FractionalHex(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


# Red Blob's nudge: moves every sample slightly off hex edges and corners, the same way for
# every line, so a line running exactly along an edge always picks the same side. The three
# values sum to zero so the nudged point stays on the q + r + s = 0 plane.
_NUDGE_Q = 1e-6
_NUDGE_R = 2e-6
_NUDGE_S = -3e-6


@kernel(borrows=True)
def line_cell(dq: int, dr: int, steps: int, k: int) -> tuple[int, int]:
    """Cell ``k`` (``0 < k < steps``) of the line from the origin to ``(dq, dr)``, ``steps``
    being their distance, as its axial ``(q, r)``: the one definition of the line's stepping,
    shared by ``line`` and the line-of-sight kernel (``engine.rules.sight``), interpreted or
    compiled, with the same floating-point operations in the same order."""
    ds = -dq - dr
    return cube_round(
        dq * k / steps + _NUDGE_Q, dr * k / steps + _NUDGE_R, ds * k / steps + _NUDGE_S
    )


def line(a: Hex, b: Hex) -> list[Hex]:
    """Hexes on the straight line from ``a`` to ``b`` (line of sight, fire lanes).

    Returns ``distance(a, b) + 1`` hexes, starting with ``a``, ending with ``b``, each adjacent
    to the next. Sampling is done on the integer offset ``b - a`` (``line_cell``) and ``a`` is
    added back afterwards, which makes the result exactly translation invariant and keeps float
    error tiny for far-away coordinates. Thanks to the nudge, ``line(b, a)`` is ``line(a, b)``
    reversed.
    """
    n = distance(a, b)
    if n == 0:
        return [a]
    aq, ar = a
    dq = b[0] - aq
    dr = b[1] - ar
    out = [a]
    for i in range(1, n):
        rq, rr = line_cell(dq, dr, n, i)
        out.append(_new(Hex, (aq + rq, ar + rr)))
    out.append(b)
    return out


# --------------------------------------------------------------------------- areas


def ring(center: Hex, radius: int) -> list[Hex]:
    """All hexes at exactly ``radius`` steps, in a fixed order.

    The walk starts at ``center + DIRECTIONS[0] * radius`` and goes counter-clockwise (in
    ``DIRECTIONS`` order), so ``ring(c, 1)`` equals ``neighbors(c)`` and the corners of ring N
    are at indices ``k * N`` in direction ``k``. Radius 0 is ``[center]``; a negative radius
    has no hexes and gives ``[]`` (so ``ring(c, reach - 1)`` needs no special case).
    """
    if radius <= 0:
        return [center] if radius == 0 else []
    q = center[0] + radius
    r = center[1]
    out: list[Hex] = []
    for k in range(6):
        dq, dr = DIRECTIONS[(k + 2) % 6]
        for _ in range(radius):
            out.append(_new(Hex, (q, r)))
            q += dq
            r += dr
    return out


def spiral(center: Hex, radius: int) -> list[Hex]:
    """``center`` then rings 1..radius: nearest-first order for searches and reveal effects."""
    if radius < 0:
        return []
    out = [center]
    for k in range(1, radius + 1):
        out.extend(ring(center, k))
    return out


def hexes_within(center: Hex, n: int) -> list[Hex]:
    """All ``3n(n+1)+1`` hexes at distance <= n, ordered by ``(q, r)`` (cheapest to generate;
    use ``spiral`` when nearest-first matters). Negative ``n`` gives ``[]``."""
    cq, cr = center
    out: list[Hex] = []
    for dq in range(-n, n + 1):
        for dr in range(max(-n, -dq - n), min(n, -dq + n) + 1):
            out.append(_new(Hex, (cq + dq, cr + dr)))
    return out


# --------------------------------------------------------------------------- edges

Edge = tuple[Hex, Hex]
"""An edge between two adjacent hexes as ``(smaller, larger)`` in tuple order, so the same
physical edge (a river segment, a bridge) has exactly one key whichever side names it."""


def edge_between(a: Hex, b: Hex) -> Edge:
    """Canonical key for the edge shared by ``a`` and ``b``; ``ValueError`` if not adjacent,
    because an "edge" between distant hexes is always a data error (e.g. a broken river)."""
    if distance(a, b) != 1:
        raise ValueError(f"{a} and {b} are not adjacent; they share no edge")
    return (a, b) if a < b else (b, a)


def hex_edges(h: Hex) -> tuple[Edge, Edge, Edge, Edge, Edge, Edge]:
    """The six edges of ``h`` in ``DIRECTIONS`` order (index d is the side facing direction d)."""
    e0, e1, e2, e3, e4, e5 = (edge_between(h, n) for n in neighbors(h))
    return (e0, e1, e2, e3, e4, e5)


# --------------------------------------------------------------------------- pixel layout


@dataclass(frozen=True, slots=True)
class Orientation:
    """The 2x2 hex->pixel matrix ``f``, its inverse ``b`` and the first corner's angle.

    Stored as a matrix (not a "pointy: bool") so hex_to_pixel and pixel_to_hex are one code
    path for both orientations. ``start_angle`` is in units of 60 degrees.
    """

    f0: float
    f1: float
    f2: float
    f3: float
    b0: float
    b1: float
    b2: float
    b3: float
    start_angle: float


SQRT3 = math.sqrt(3.0)
_SQRT3 = SQRT3
# Pointy-topped hexes `spacing` apart (centre to centre, the scenario's hex size): rows lie
# sqrt(3)/2 of the spacing apart, and one hex covers sqrt(3)/2 x spacing^2. The rules, the
# scenario summaries and the window read these here, nowhere else.
ROW_SPACING = SQRT3 / 2.0
HEX_AREA_FACTOR = SQRT3 / 2.0


def hex_area(spacing: float) -> float:
    """The area of one hex whose centres are `spacing` apart."""
    return HEX_AREA_FACTOR * spacing**2


POINTY = Orientation(
    _SQRT3, _SQRT3 / 2.0, 0.0, 3.0 / 2.0,
    _SQRT3 / 3.0, -1.0 / 3.0, 0.0, 2.0 / 3.0,
    0.5,
)  # fmt: skip
"""Pointy-topped hexes: rows are horizontal, the default for text maps ("odd-r")."""

FLAT = Orientation(
    3.0 / 2.0, 0.0, _SQRT3 / 2.0, _SQRT3,
    2.0 / 3.0, 0.0, -1.0 / 3.0, _SQRT3 / 3.0,
    0.0,
)  # fmt: skip
"""Flat-topped hexes: columns are vertical."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How the grid sits on screen: orientation, hex radius per axis and the pixel of Hex(0,0).

    Separate x/y sizes allow squashed hexes (isometric-ish maps, non-square art) with the same
    math. Frozen so a layout can be shared and cached by renderers.
    """

    orientation: Orientation
    size_x: float
    size_y: float
    origin_x: float = 0.0
    origin_y: float = 0.0

    def __post_init__(self) -> None:
        if self.size_x == 0 or self.size_y == 0:
            raise ValueError("hex size must be non-zero (pixel_to_hex divides by it)")


def hex_to_pixel(layout: Layout, h: Hex) -> Point:
    """Center of ``h`` in pixels."""
    m = layout.orientation
    q, r = h
    x = (m.f0 * q + m.f1 * r) * layout.size_x
    y = (m.f2 * q + m.f3 * r) * layout.size_y
    return (x + layout.origin_x, y + layout.origin_y)


def pixel_to_fractional(layout: Layout, x: float, y: float) -> FractionalHex:
    """Unrounded inverse of ``hex_to_pixel``, for callers that need sub-hex precision."""
    m = layout.orientation
    px = (x - layout.origin_x) / layout.size_x
    py = (y - layout.origin_y) / layout.size_y
    return FractionalHex(m.b0 * px + m.b1 * py, m.b2 * px + m.b3 * py)


def pixel_to_hex(layout: Layout, x: float, y: float) -> Hex:
    """The hex containing a pixel (mouse picking)."""
    m = layout.orientation
    px = (x - layout.origin_x) / layout.size_x
    py = (y - layout.origin_y) / layout.size_y
    return hex_round(m.b0 * px + m.b1 * py, m.b2 * px + m.b3 * py)


def hex_corners(layout: Layout, h: Hex) -> tuple[Point, Point, Point, Point, Point, Point]:
    """The six polygon corners of ``h``.

    Corner i sits at angle ``60 * (start_angle - i)`` degrees, as in the reference; with y
    down that walks counter-clockwise on screen, matching ``DIRECTIONS``. For pointy hexes the
    side facing direction d runs from corner d to corner d+1.
    """
    cx, cy = hex_to_pixel(layout, h)
    p0, p1, p2, p3, p4, p5 = ((cx + dx, cy + dy) for dx, dy in corner_offsets(layout))
    return (p0, p1, p2, p3, p4, p5)


def corner_offsets(layout: Layout) -> list[Point]:
    """The six corners of any hex as offsets from its centre, in `hex_corners`' order (corner i
    at ``60 * (start_angle - i)`` degrees): for drawing many hexes from their centres."""
    sa = layout.orientation.start_angle
    angles = [2.0 * math.pi * (sa - i) / 6.0 for i in range(6)]
    return [(layout.size_x * math.cos(a), layout.size_y * math.sin(a)) for a in angles]


def pointy_centers(q, r, size: float, origin_x: float = 0.0, origin_y: float = 0.0):
    """Pixel centres of pointy-topped hexes of radius `size` (`hex_to_pixel` with `POINTY`),
    for plain numbers or whole numpy arrays of axial q and r at once."""
    return origin_x + SQRT3 * size * (q + r / 2.0), origin_y + 1.5 * size * r


def pointy_extent(width: int, height: int, size: float) -> tuple[float, float]:
    """Pixel width and height of an odd-r map of `width` x `height` pointy-topped hexes of
    radius `size`, from the left edge of its widest row to the bottom of its last."""
    return SQRT3 * size * (width + 0.5), size * (1.5 * (height - 1) + 2)


def edge_corners(layout: Layout, edge: Edge) -> tuple[Point, Point]:
    """End points of the segment shared by the edge's two hexes (drawing rivers along edges).

    Found by matching corners geometrically rather than by a per-orientation index table, so
    it holds for any ``Orientation`` and non-square sizes. The points are returned in the
    corner order of ``edge[0]``.
    """
    a, b = edge
    if distance(a, b) != 1:
        raise ValueError(f"{a} and {b} are not adjacent; they share no edge")
    corners_b = hex_corners(layout, b)

    def gap(p: Point) -> float:
        return min((p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 for c in corners_b)

    corners_a = hex_corners(layout, a)
    shared = sorted(range(6), key=lambda i: gap(corners_a[i]))[:2]
    i, j = sorted(shared)
    if (i, j) == (0, 5):  # keep the order going around the hex: corner 5 then corner 0
        i, j = j, i
    return (corners_a[i], corners_a[j])


# --------------------------------------------------------------------------- offset coordinates

OffsetLayout = Literal["odd-r", "even-r", "odd-q", "even-q"]
"""Which rows ("-r", pointy-topped) or columns ("-q", flat-topped) are shoved by half a hex."""


def offset_to_axial(col: int, row: int, *, layout: OffsetLayout = "odd-r") -> Hex:
    """Convert rectangular map coordinates to axial, for reading text maps.

    Text maps use "odd-r" by default: pointy-topped hexes, odd rows shoved right, ``row`` is the
    line number in the text grid and ``col`` the character column (one character per hex).
    Axial coordinates are used everywhere else because offset coordinates make neighbor and
    distance math depend on row parity. ``x & 1`` is 1 for odd negatives too, so negative
    rows/columns work.
    """
    if layout == "odd-r":
        return Hex(col - ((row - (row & 1)) >> 1), row)
    if layout == "even-r":
        return Hex(col - ((row + (row & 1)) >> 1), row)
    if layout == "odd-q":
        return Hex(col, row - ((col - (col & 1)) >> 1))
    if layout == "even-q":
        return Hex(col, row - ((col + (col & 1)) >> 1))
    raise ValueError(f"unknown offset layout {layout!r}")


@kernel(borrows=True)
def axial_to_odd_r(q: int, r: int) -> tuple[int, int]:
    """`axial_to_offset` in the maps' own layout, odd-r, on plain numbers: (col, row), for
    kernels (the board index of a hex on the line of sight)."""
    return q + ((r - (r & 1)) >> 1), r


def axial_to_offset(h: Hex, layout: OffsetLayout = "odd-r") -> tuple[int, int]:
    """Inverse of ``offset_to_axial``, returning ``(col, row)`` for writing text maps."""
    q, r = h
    if layout == "odd-r":
        return axial_to_odd_r(q, r)
    if layout == "even-r":
        return (q + ((r + (r & 1)) >> 1), r)
    if layout == "odd-q":
        return (q, r + ((q - (q & 1)) >> 1))
    if layout == "even-q":
        return (q, r + ((q + (q & 1)) >> 1))
    raise ValueError(f"unknown offset layout {layout!r}")
