"""Line of sight over elevation, woods and villages, cached per pair of hexes on the board."""

from __future__ import annotations

from .. import hexgrid
from ..core.board import Board
from .movement import _cache

EYE_HEIGHT_M = 2.0  # a man standing or a gun layer; the same for observer and target


def line_of_sight(board: Board, a: int, b: int, clearance_m: float = 0.0) -> bool:
    """Whether men in hex `a` can see men in hex `b`: no hex between them rises (ground plus woods
    or buildings) more than `clearance_m` above the straight sightline from eye to eye, except
    that a hex next to either end blocks only when it is higher than both ends (men holding a
    hill stand on its forward slope, and hex elevations are averages)."""
    if a == b or b in board.neighbors[a]:
        return True
    cache = _cache(board)
    key = ("los", a, b, clearance_m) if a < b else ("los", b, a, clearance_m)
    found = cache.get(key)
    if found is not None:
        return found
    start = hexgrid.Hex(int(board.q[a]), int(board.r[a]))
    end = hexgrid.Hex(int(board.q[b]), int(board.r[b]))
    cells = hexgrid.line(start, end)
    steps = len(cells) - 1
    h_a = float(board.elevation_m[a]) + EYE_HEIGHT_M
    h_b = float(board.elevation_m[b]) + EYE_HEIGHT_M
    visible = True
    highest_end = max(h_a, h_b)
    for k in range(1, steps):
        col, row = hexgrid.axial_to_offset(cells[k])
        i = row * board.width + col
        sightline = h_a + (h_b - h_a) * k / steps
        top = float(board.elevation_m[i]) + float(board.sight_block_m[i])
        if top <= sightline + clearance_m:
            continue
        # The slope right below an observer (or a target) is where men stand to look down it:
        # a neighbouring hex blocks only if it is higher than both ends.
        if (k == 1 or k == steps - 1) and top <= highest_end:
            continue
        visible = False
        break
    cache[key] = visible
    return visible
