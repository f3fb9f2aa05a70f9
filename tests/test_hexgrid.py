"""Tests for engine.hexgrid: hand-derived exact values plus hypothesis properties."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import hexgrid
from engine.hexgrid import (
    DIRECTIONS,
    FLAT,
    ORIGIN,
    POINTY,
    FractionalHex,
    Hex,
    Layout,
    OffsetLayout,
    Orientation,
    axial_to_offset,
    direction_to,
    distance,
    edge_between,
    edge_corners,
    hex_corners,
    hex_edges,
    hex_lerp,
    hex_round,
    hex_to_pixel,
    hexes_within,
    length,
    line,
    neighbor,
    neighbors,
    offset_to_axial,
    pixel_to_fractional,
    pixel_to_hex,
    ring,
    rotate_left,
    rotate_right,
    spiral,
)

S3 = math.sqrt(3.0)
OFFSET_LAYOUTS = ("odd-r", "even-r", "odd-q", "even-q")

# --------------------------------------------------------------------------- strategies

coord = st.integers(min_value=-1000, max_value=1000)
hexes = st.builds(Hex, coord, coord)
small_radius = st.integers(min_value=0, max_value=20)
orientations = st.sampled_from([POINTY, FLAT])
sizes = st.floats(min_value=0.5, max_value=200.0, allow_nan=False, allow_infinity=False)
origins = st.floats(min_value=-5000.0, max_value=5000.0, allow_nan=False, allow_infinity=False)
layouts = st.builds(Layout, orientations, sizes, sizes, origins, origins)
# 60 examples per property: enough to hit edge cases (hypothesis favours boundary values
# such as 0 and +-1000) while keeping the whole file around a couple of seconds.
FEW = settings(max_examples=60)


# --------------------------------------------------------------------------- Hex value type


def test_hex_cube_s_and_arithmetic() -> None:
    h = Hex(3, -7)
    assert h.s == 4  # s = -q - r = -3 + 7
    assert Hex(1, 2) + Hex(3, -5) == Hex(4, -3)
    assert Hex(1, 2) - Hex(3, -5) == Hex(-2, 7)
    assert -Hex(1, -2) == Hex(-1, 2)
    assert Hex(1, -2).scale(3) == Hex(3, -6)
    # * must scale, not repeat the tuple into a 4-tuple.
    assert Hex(1, -2) * 3 == Hex(3, -6)
    assert 3 * Hex(1, -2) == Hex(3, -6)
    assert isinstance(Hex(1, 2) + Hex(0, 0), Hex)


def test_hex_is_immutable_hashable_and_slotted() -> None:
    h = Hex(2, -1)
    with pytest.raises(AttributeError):
        h.q = 5  # type: ignore[misc]
    assert not hasattr(h, "__dict__")
    assert {Hex(2, -1): "x"}[Hex(2, -1)] == "x"
    assert len({Hex(2, -1), Hex(2, -1), Hex(-1, 2)}) == 2
    q, r = h
    assert (q, r) == (2, -1)


def test_hex_text_form_and_parse() -> None:
    assert str(Hex(2, -1)) == "(2,-1)"
    assert str(ORIGIN) == "(0,0)"
    assert Hex.parse("2,-1") == Hex(2, -1)
    assert Hex.parse("(2,-1)") == Hex(2, -1)
    assert Hex.parse(" ( 2 , -1 ) ") == Hex(2, -1)
    assert Hex.parse("+3,0") == Hex(3, 0)


@pytest.mark.parametrize("bad", ["", "2", "1,2,3", "a,b", "(1,)", "1.5,2", "(,)"])
def test_hex_parse_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        Hex.parse(bad)


# --------------------------------------------------------------------------- exact values


def test_distance_and_length_exact() -> None:
    # Cube (3,-7,4) vs origin: largest absolute cube coordinate is 7 (Red Blob's test value).
    assert distance(Hex(3, -7), Hex(0, 0)) == 7
    assert length(Hex(3, -7)) == 7
    # (1,1) -> (-2,3): delta (-3,2), s delta 1 -> max(3,2,1) = 3.
    assert distance(Hex(1, 1), Hex(-2, 3)) == 3
    assert distance(Hex(5, 5), Hex(5, 5)) == 0


def test_neighbors_of_origin_in_order() -> None:
    # Red Blob's direction list (cube): (1,0,-1) (1,-1,0) (0,-1,1) (-1,0,1) (-1,1,0) (0,1,-1).
    expected = (Hex(1, 0), Hex(1, -1), Hex(0, -1), Hex(-1, 0), Hex(-1, 1), Hex(0, 1))
    assert expected == DIRECTIONS
    assert neighbors(ORIGIN) == expected
    assert [neighbor(ORIGIN, d) for d in range(6)] == list(expected)


def test_neighbor_exact_and_wraps() -> None:
    # Red Blob's test: hex_neighbor(Hex(1,-2,1), 2) == Hex(1,-3,2); direction 2 is (0,-1).
    assert neighbor(Hex(1, -2), 2) == Hex(1, -3)
    assert neighbor(Hex(1, -2), 8) == Hex(1, -3)  # 8 % 6 == 2
    assert neighbor(Hex(1, -2), -1) == Hex(1, -1)  # -1 % 6 == 5 -> (0,+1)


def test_hex_round_exact() -> None:
    # Red Blob's reference tests for cube rounding.
    a, b, c = Hex(0, 0), Hex(1, -1), Hex(0, -1)
    assert hex_lerp(FractionalHex(0.0, 0.0), FractionalHex(10.0, -20.0), 0.5).round() == Hex(5, -10)
    assert hex_lerp(a, b, 0.499).round() == a
    assert hex_lerp(a, b, 0.501).round() == b
    # 0.4a + 0.3b + 0.3c = cube (0.3,-0.6,0.3): r moved most (0.4) -> r = -q-s = 0 -> a.
    assert hex_round(0.3, -0.6) == a
    # 0.3a + 0.3b + 0.4c = cube (0.3,-0.7,0.4): s moved most (0.4) -> s = -q-r = 1 -> c.
    assert hex_round(0.3, -0.7) == c
    assert FractionalHex(0.25, -1.0).s == pytest.approx(0.75)


def test_line_exact() -> None:
    # Red Blob: hex_linedraw(Hex(0,0,0), Hex(1,-5,4)). By hand, N = 5, sample i at t = i/5 is
    # cube (0.2i, -i, 0.8i) + nudge; e.g. i=1: (0.2,-1,0.8) rounds to (0,-1,1) because s moved
    # furthest (0.2+3e-6 vs q's 0.2+1e-6), so s is recomputed; i=3: (0.6,-3,2.4) -> (1,-3,2).
    assert line(Hex(0, 0), Hex(1, -5)) == [
        Hex(0, 0),
        Hex(0, -1),
        Hex(0, -2),
        Hex(1, -3),
        Hex(1, -4),
        Hex(1, -5),
    ]
    assert line(Hex(4, 4), Hex(4, 4)) == [Hex(4, 4)]


def test_line_along_edge_is_deterministic() -> None:
    # (0,0) -> (1,1) is distance 2 and its midpoint (0.5,0.5,-1) lies exactly on the edge
    # between (1,0) and (0,1). Nudged: (0.500001, 0.500002, -1.000003) rounds to (1,1,-1) with
    # errors 0.499999, 0.499998, 0.000003; q moved most, so q = -r - s = 0 -> (0,1).
    assert line(Hex(0, 0), Hex(1, 1)) == [Hex(0, 0), Hex(0, 1), Hex(1, 1)]
    assert line(Hex(1, 1), Hex(0, 0)) == [Hex(1, 1), Hex(0, 1), Hex(0, 0)]


def test_ring_exact_order() -> None:
    assert ring(ORIGIN, 0) == [ORIGIN]
    assert ring(ORIGIN, -1) == []
    # Radius 1: starts at DIRECTIONS[0] and walks in direction order, i.e. equals neighbors().
    assert ring(ORIGIN, 1) == [Hex(1, 0), Hex(1, -1), Hex(0, -1), Hex(-1, 0), Hex(-1, 1), Hex(0, 1)]
    # Radius 2 by hand: start (2,0); two steps each along directions 2,3,4,5,0,1.
    assert ring(ORIGIN, 2) == [
        Hex(2, 0), Hex(2, -1),
        Hex(2, -2), Hex(1, -2),
        Hex(0, -2), Hex(-1, -1),
        Hex(-2, 0), Hex(-2, 1),
        Hex(-2, 2), Hex(-1, 2),
        Hex(0, 2), Hex(1, 1),
    ]  # fmt: skip
    assert ring(Hex(5, -3), 1) == [Hex(5, -3) + d for d in DIRECTIONS]


def test_spiral_and_within_exact() -> None:
    assert spiral(ORIGIN, 0) == [ORIGIN]
    assert spiral(ORIGIN, 1) == [ORIGIN, *DIRECTIONS]
    assert spiral(ORIGIN, -1) == []
    assert hexes_within(ORIGIN, 0) == [ORIGIN]
    assert set(hexes_within(ORIGIN, 1)) == {ORIGIN, *DIRECTIONS}
    assert hexes_within(ORIGIN, -1) == []
    assert len(hexes_within(Hex(7, 7), 3)) == 37  # 3*3*4 + 1


def test_rotation_exact() -> None:
    # rotate_left: cube (q,r,s) -> (-s,-q,-r); (1,0,-1) -> (1,-1,0) = DIRECTIONS[1].
    assert rotate_left(Hex(1, 0)) == Hex(1, -1)
    # rotate_right: (q,r,s) -> (-r,-s,-q); (1,0,-1) -> (0,1,-1) = DIRECTIONS[5].
    assert rotate_right(Hex(1, 0)) == Hex(0, 1)
    for d in range(6):
        assert rotate_left(DIRECTIONS[d]) == DIRECTIONS[(d + 1) % 6]
        assert rotate_right(DIRECTIONS[d]) == DIRECTIONS[(d - 1) % 6]
    assert rotate_left(Hex(4, 2), center=Hex(3, 2)) == Hex(4, 1)


def test_edges_exact() -> None:
    a, b = Hex(0, 0), Hex(1, 0)
    assert edge_between(a, b) == (Hex(0, 0), Hex(1, 0))
    assert edge_between(b, a) == (Hex(0, 0), Hex(1, 0))
    # Tuple order is (q, r): (0,5) < (1,-7).
    assert edge_between(Hex(1, -7), Hex(0, -6)) == (Hex(0, -6), Hex(1, -7))
    with pytest.raises(ValueError):
        edge_between(a, Hex(2, 0))
    with pytest.raises(ValueError):
        edge_between(a, a)
    edges = hex_edges(ORIGIN)
    assert edges[0] == (Hex(0, 0), Hex(1, 0))
    assert edges[3] == (Hex(-1, 0), Hex(0, 0))
    assert len(set(edges)) == 6
    assert direction_to(ORIGIN, Hex(0, -1)) == 2
    with pytest.raises(ValueError):
        direction_to(ORIGIN, Hex(2, -1))


def test_hex_to_pixel_exact() -> None:
    pointy = Layout(POINTY, 10.0, 10.0, 0.0, 0.0)
    # Pointy: x = size*(sqrt3*q + sqrt3/2*r), y = size*(3/2*r).
    assert hex_to_pixel(pointy, ORIGIN) == pytest.approx((0.0, 0.0))
    assert hex_to_pixel(pointy, Hex(1, 0)) == pytest.approx((10 * S3, 0.0))
    assert hex_to_pixel(pointy, Hex(0, 1)) == pytest.approx((5 * S3, 15.0))
    assert hex_to_pixel(pointy, Hex(1, -1)) == pytest.approx((5 * S3, -15.0))  # NE: y up
    flat = Layout(FLAT, 10.0, 10.0)
    # Flat: x = size*(3/2*q), y = size*(sqrt3/2*q + sqrt3*r).
    assert hex_to_pixel(flat, Hex(1, 0)) == pytest.approx((15.0, 5 * S3))
    assert hex_to_pixel(flat, Hex(0, 1)) == pytest.approx((0.0, 10 * S3))
    # Non-square size and origin: pointy (0,1) -> (sqrt3/2*10 + 100, 3/2*20 + 50).
    squashed = Layout(POINTY, 10.0, 20.0, 100.0, 50.0)
    assert hex_to_pixel(squashed, Hex(0, 1)) == pytest.approx((5 * S3 + 100.0, 80.0))
    assert pixel_to_hex(squashed, 5 * S3 + 100.0, 80.0) == Hex(0, 1)
    # Red Blob's layout test: flat, size (10,15), origin (35,71), Hex(3,4,-7) round-trips.
    rb = Layout(FLAT, 10.0, 15.0, 35.0, 71.0)
    assert pixel_to_hex(rb, *hex_to_pixel(rb, Hex(3, 4))) == Hex(3, 4)
    frac = pixel_to_fractional(pointy, 10 * S3, 0.0)
    assert (frac.q, frac.r) == pytest.approx((1.0, 0.0))


def test_pixel_to_hex_picks_containing_hex() -> None:
    pointy = Layout(POINTY, 10.0, 10.0)
    # Just inside the E edge of the origin (edge at x = 5*sqrt3 ~ 8.66) vs just past it.
    assert pixel_to_hex(pointy, 8.6, 0.0) == ORIGIN
    assert pixel_to_hex(pointy, 8.7, 0.0) == Hex(1, 0)
    # Near the top corner (0,-10) but inside: still the origin; beyond it: NW or NE.
    assert pixel_to_hex(pointy, 0.0, -9.9) == ORIGIN
    assert pixel_to_hex(pointy, 0.5, -10.5) == Hex(1, -1)


def test_hex_corners_exact() -> None:
    pointy = Layout(POINTY, 10.0, 10.0)
    # Corner i at 60*(0.5 - i) degrees: 30, -30, -90, -150, -210, -270.
    expected_pointy = [(5 * S3, 5.0), (5 * S3, -5.0), (0.0, -10.0),
                       (-5 * S3, -5.0), (-5 * S3, 5.0), (0.0, 10.0)]  # fmt: skip
    for got, want in zip(hex_corners(pointy, ORIGIN), expected_pointy, strict=True):
        assert got == pytest.approx(want, abs=1e-9)
    flat = Layout(FLAT, 10.0, 10.0, 1.0, 2.0)
    # Corner i at -60*i degrees, shifted by the origin (1,2).
    expected_flat = [(11.0, 2.0), (6.0, 2.0 - 5 * S3), (-4.0, 2.0 - 5 * S3),
                     (-9.0, 2.0), (-4.0, 2.0 + 5 * S3), (6.0, 2.0 + 5 * S3)]  # fmt: skip
    for got, want in zip(hex_corners(flat, ORIGIN), expected_flat, strict=True):
        assert got == pytest.approx(want, abs=1e-9)


def test_edge_corners_exact() -> None:
    pointy = Layout(POINTY, 10.0, 10.0)
    # The E side of the origin is the vertical segment x = 5*sqrt3 between corners 0 and 1.
    p, q = edge_corners(pointy, edge_between(ORIGIN, Hex(1, 0)))
    assert p == pytest.approx((5 * S3, 5.0))
    assert q == pytest.approx((5 * S3, -5.0))
    # The SE side (direction 5) spans corners 5 and 0, returned going round: 5 then 0.
    p, q = edge_corners(pointy, edge_between(ORIGIN, Hex(0, 1)))
    assert p == pytest.approx((0.0, 10.0), abs=1e-9)
    assert q == pytest.approx((5 * S3, 5.0))
    with pytest.raises(ValueError):
        edge_corners(pointy, (ORIGIN, Hex(2, 0)))


def test_offset_exact() -> None:
    # Red Blob's tests: Hex(1,2,-3) -> even-q (1, 2 + (1+1)//2) = (1,3); odd-q (1, 2 + 0) = (1,2).
    assert axial_to_offset(Hex(1, 2), "even-q") == (1, 3)
    assert axial_to_offset(Hex(1, 2), "odd-q") == (1, 2)
    assert offset_to_axial(1, 3, layout="even-q") == Hex(1, 2)
    assert offset_to_axial(1, 2, layout="odd-q") == Hex(1, 2)
    # Derived: Hex(1,3) has odd r: odd-r col = 1 + (3-1)//2 = 2; even-r col = 1 + (3+1)//2 = 3.
    assert axial_to_offset(Hex(1, 3), "odd-r") == (2, 3)
    assert axial_to_offset(Hex(1, 3), "even-r") == (3, 3)
    assert axial_to_offset(Hex(1, 3)) == (2, 3)  # default is odd-r
    # Negative odd row: odd-r col = q + (r - 1)//2 -> Hex(0,-1) -> (-1,-1).
    assert axial_to_offset(Hex(0, -1), "odd-r") == (-1, -1)
    assert offset_to_axial(-1, -1) == Hex(0, -1)
    # Red Blob's round-trip values: Hex(3,4,-7) and OffsetCoord(1,-3) in all four layouts.
    for lay in OFFSET_LAYOUTS:
        assert offset_to_axial(*axial_to_offset(Hex(3, 4), lay), layout=lay) == Hex(3, 4)
        assert axial_to_offset(offset_to_axial(1, -3, layout=lay), lay) == (1, -3)
    with pytest.raises(ValueError):
        offset_to_axial(0, 0, layout="odd-x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        axial_to_offset(ORIGIN, "odd-x")  # type: ignore[arg-type]


def test_odd_r_text_map_semantics() -> None:
    pointy = Layout(POINTY, 10.0, 10.0)
    # Line 1 (odd) is shoved right: (col 0, row 1) sits half a hex right of (col 0, row 0).
    x0, _ = hex_to_pixel(pointy, offset_to_axial(0, 0))
    x1, y1 = hex_to_pixel(pointy, offset_to_axial(0, 1))
    assert x1 - x0 == pytest.approx(5 * S3)
    assert y1 == pytest.approx(15.0)
    # even-r shoves the other way.
    xe, _ = hex_to_pixel(pointy, offset_to_axial(0, 1, layout="even-r"))
    assert xe - x0 == pytest.approx(-5 * S3)
    # Red Blob's odd-r neighbor table (even row / odd row), in DIRECTIONS order.
    even_row = [(1, 0), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1)]
    odd_row = [(1, 0), (1, -1), (0, -1), (-1, 0), (0, 1), (1, 1)]
    for (col, row), table in (((2, 2), even_row), ((2, 3), odd_row)):
        got = [axial_to_offset(n) for n in neighbors(offset_to_axial(col, row))]
        assert got == [(col + dc, row + dr) for dc, dr in table]


# --------------------------------------------------------------------------- properties
# Related properties share one @given test: hypothesis' per-example overhead, not the hex math,
# dominates the run time, so fewer, richer tests keep the file fast without dropping checks.


@FEW
@given(hexes, hexes, hexes)
def test_distance_is_a_metric(a: Hex, b: Hex, c: Hex) -> None:
    d = distance(a, b)
    assert distance(a, a) == 0
    assert d == distance(b, a)
    assert distance(a, c) <= d + distance(b, c)
    diff = a - b
    assert d == max(abs(diff.q), abs(diff.r), abs(diff.s)) == length(diff)
    assert (d == 0) == (a == b)


@FEW
@given(hexes)
def test_neighbors_rotation_and_text_form(h: Hex) -> None:
    ns = neighbors(h)
    assert len(set(ns)) == 6
    for d, n in enumerate(ns):
        assert distance(h, n) == 1
        assert neighbor(h, d) == n
        assert direction_to(h, n) == d
        assert direction_to(n, h) == (d + 3) % 6
    assert ring(h, 1) == list(ns)
    center = ns[0].scale(3)  # any other hex
    assert rotate_right(rotate_left(h, center), center) == h
    x = h
    for _ in range(6):
        x = rotate_left(x, center)
        assert distance(x, center) == distance(h, center)
    assert x == h
    assert Hex.parse(str(h)) == h


@FEW
@given(hexes, hexes)
def test_line_properties(a: Hex, b: Hex) -> None:
    hs = line(a, b)
    assert len(hs) == distance(a, b) + 1
    assert hs[0] == a
    assert hs[-1] == b
    assert all(distance(x, y) == 1 for x, y in pairwise(hs))
    # The nudge is the same in both directions, so ties are broken identically.
    assert line(b, a) == hs[::-1]


@FEW
@given(hexes, st.integers(-20, 20), st.integers(-20, 20), hexes)
def test_line_translation_invariant(a: Hex, dq: int, dr: int, t: Hex) -> None:
    b = a + Hex(dq, dr)
    assert line(a + t, b + t) == [h + t for h in line(a, b)]


@FEW
@given(hexes, layouts, st.integers(0, 5), st.floats(0.0, 0.95))
def test_pixel_round_trip(h: Hex, layout: Layout, corner: int, t: float) -> None:
    x, y = hex_to_pixel(layout, h)
    assert pixel_to_hex(layout, x, y) == h
    assert pixel_to_fractional(layout, x, y).round() == h
    # Any point strictly inside the hexagon (center towards a corner) maps back to it too.
    kx, ky = hex_corners(layout, h)[corner]
    assert pixel_to_hex(layout, x + t * (kx - x), y + t * (ky - y)) == h


@FEW
@given(hexes, coord, coord, st.sampled_from(OFFSET_LAYOUTS))
def test_offset_round_trips(h: Hex, col: int, row: int, lay: OffsetLayout) -> None:
    assert offset_to_axial(*axial_to_offset(h, lay), layout=lay) == h
    assert axial_to_offset(offset_to_axial(col, row, layout=lay), lay) == (col, row)


@FEW
@given(hexes, small_radius)
def test_ring_spiral_and_area(center: Hex, n: int) -> None:
    hs = ring(center, n)
    if n == 0:
        assert hs == [center]
    else:
        assert len(hs) == 6 * n
        assert len(set(hs)) == 6 * n
        assert all(distance(center, h) == n for h in hs)
        # A closed walk: each hex touches the next, and the last touches the first.
        assert all(distance(x, y) == 1 for x, y in zip(hs, hs[1:] + hs[:1], strict=True))
        assert hs[0] == center + DIRECTIONS[0].scale(n)
    area = hexes_within(center, n)
    assert len(area) == 3 * n * (n + 1) + 1
    assert len(set(area)) == len(area)
    assert all(distance(center, h) <= n for h in area)
    sp = spiral(center, n)
    assert len(sp) == len(area)
    assert set(sp) == set(area)
    assert [distance(center, h) for h in sp] == sorted(distance(center, h) for h in sp)


@FEW
@given(st.builds(Hex, st.integers(-50, 50), st.integers(-50, 50)), st.integers(0, 5), hexes,
       layouts)  # fmt: skip
def test_edges(h: Hex, d: int, other: Hex, layout: Layout) -> None:
    n = neighbor(h, d)
    e = edge_between(h, n)
    assert e == edge_between(n, h)
    assert e[0] < e[1]
    assert set(e) == {h, n}
    assert hex_edges(h)[d] == e
    assert hex_edges(n)[(d + 3) % 6] == e
    if distance(h, other) == 1:
        assert edge_between(h, other) == edge_between(other, h)
    else:
        with pytest.raises(ValueError):
            edge_between(h, other)
    # The drawn river segment is a corner of both hexes and has non-zero length.
    p, q = edge_corners(layout, e)
    scale = max(layout.size_x, layout.size_y)
    for pt in (p, q):
        for hx in (h, n):
            assert min(math.dist(pt, c) for c in hex_corners(layout, hx)) < 1e-6 * scale
    assert math.dist(p, q) > 0.1 * min(layout.size_x, layout.size_y)


def test_orientation_matrices_are_inverses() -> None:
    for m in (POINTY, FLAT):
        assert isinstance(m, Orientation)
        # f * b must be the identity matrix.
        assert m.f0 * m.b0 + m.f1 * m.b2 == pytest.approx(1.0)
        assert m.f0 * m.b1 + m.f1 * m.b3 == pytest.approx(0.0, abs=1e-12)
        assert m.f2 * m.b0 + m.f3 * m.b2 == pytest.approx(0.0, abs=1e-12)
        assert m.f2 * m.b1 + m.f3 * m.b3 == pytest.approx(1.0)
    with pytest.raises(ValueError):
        Layout(POINTY, 0.0, 10.0)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 1), (5, 3), (7, 9), (36, 28)])
def test_the_boards_neighbour_table_is_hexgrids_neighbours_in_direction_order(
    width: int, height: int
) -> None:
    import numpy as np

    from engine import hexgrid
    from engine.core.board import _neighbor_table

    cols = np.tile(np.arange(width), height)
    rows = np.repeat(np.arange(height), width)
    q = (cols - ((rows - (rows & 1)) >> 1)).astype(np.int32)
    r = rows.astype(np.int32)
    expected = []  # each hex's neighbour in each direction, -1 off the map
    for i in range(width * height):
        around = []
        for n in hexgrid.neighbors(hexgrid.Hex(int(q[i]), int(r[i]))):
            col, row = hexgrid.axial_to_offset(n)
            around.append(row * width + col if 0 <= col < width and 0 <= row < height else -1)
        expected.append(around)
    table = _neighbor_table(q, r, width, height)
    assert table.dtype == np.int32
    assert table.tolist() == expected


# ---------------------------------------------------------------- the one source of hex geometry


def test_geometry_constants_and_area() -> None:
    assert hexgrid.SQRT3 == S3
    assert hexgrid.ROW_SPACING == hexgrid.HEX_AREA_FACTOR == S3 / 2 == 0.8660254037844386
    assert hexgrid.hex_area(100.0) == pytest.approx(8660.254037844386)


def test_pointy_centers_are_hex_to_pixel_for_whole_arrays() -> None:
    layout = hexgrid.Layout(hexgrid.POINTY, 12.0, 12.0, 40.0, 30.0)
    q = np.array([0, 1, -2, 5, 3])
    r = np.array([0, 0, 3, -1, 7])
    xs, ys = hexgrid.pointy_centers(q, r, 12.0, 40.0, 30.0)
    for k in range(len(q)):
        x, y = hexgrid.hex_to_pixel(layout, hexgrid.Hex(int(q[k]), int(r[k])))
        assert (xs[k], ys[k]) == (pytest.approx(x), pytest.approx(y))
    assert hexgrid.pointy_centers(1, 2, 10.0) == (pytest.approx(20 * S3), 30.0)


def test_corner_offsets_are_the_corners_around_the_centre() -> None:
    for orientation in (hexgrid.POINTY, hexgrid.FLAT):
        layout = hexgrid.Layout(orientation, 10.0, 6.0, 3.0, 4.0)
        h = hexgrid.Hex(2, -1)
        cx, cy = hexgrid.hex_to_pixel(layout, h)
        corners = hexgrid.hex_corners(layout, h)
        offsets = hexgrid.corner_offsets(layout)
        assert len(offsets) == 6
        for (x, y), (dx, dy) in zip(corners, offsets, strict=True):
            assert (x, y) == (pytest.approx(cx + dx), pytest.approx(cy + dy))


def test_pointy_extent_covers_every_hex_of_an_odd_r_map() -> None:
    width, height, size = 7, 5, 10.0
    w, h = hexgrid.pointy_extent(width, height, size)
    layout = hexgrid.Layout(hexgrid.POINTY, size, size, S3 / 2 * size, size)
    points = [
        p
        for row in range(height)
        for col in range(width)
        for p in hexgrid.hex_corners(layout, hexgrid.offset_to_axial(col, row))
    ]
    assert max(x for x, _ in points) == pytest.approx(w)
    assert max(y for _, y in points) == pytest.approx(h)
    assert min(x for x, _ in points) == pytest.approx(0.0, abs=1e-9)
    assert min(y for _, y in points) == pytest.approx(0.0, abs=1e-9)


def test_no_other_module_writes_the_hex_constants_again() -> None:
    """sqrt(3) and its half live in engine/hexgrid.py; everything else reads them there."""
    import re
    from pathlib import Path

    engine = Path(__file__).resolve().parent.parent / "engine"
    pattern = re.compile(r"sqrt\(3|1\.732|0\.866|3 ?\*\* ?0?\.5")
    for path in engine.rglob("*.py"):
        if path.name != "hexgrid.py":
            code = [line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines()]
            assert not pattern.search("\n".join(code)), path  # (comments may say it)
