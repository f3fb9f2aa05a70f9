"""Line of sight over elevation, woods and villages, cached per pair of hexes on the board.

The walk along the line is a kernel (`sight_clear`, over the board's arrays and plain numbers),
so it is the same code interpreted or compiled by numba (`engine.kernels.jit`); it steps along
the line with `hexgrid.line_cell`, the one definition of the hex line.
"""

from __future__ import annotations

import numpy as np

from ..core.board import Board
from ..hexgrid import axial_length, axial_to_odd_r, line_cell
from ..kernels.jit import kernel
from .movement import _cache

EYE_HEIGHT_M = 2.0  # a man standing or a gun layer; the same for observer and target


@kernel
def sight_clear(
    q: np.ndarray,
    r: np.ndarray,
    width: int,
    elevation_m: np.ndarray,
    sight_block_m: np.ndarray,
    a: int,
    b: int,
    clearance_m: float,
    eye_m: float,
) -> bool:
    """Whether no hex strictly between hexes `a` and `b` (board indices, `row * width + col` of
    the odd-r map whose axial coordinates are `q`, `r`) rises (ground plus woods or buildings)
    more than `clearance_m` above the straight sightline from eye to eye, `eye_m` above the
    ground at each end; a hex next to either end blocks only when it is higher than both eyes
    (men holding a hill stand on its forward slope, and hex elevations are averages)."""
    aq = int(q[a])
    ar = int(r[a])
    dq = int(q[b]) - aq
    dr = int(r[b]) - ar
    steps = axial_length(dq, dr)
    h_a = float(elevation_m[a]) + eye_m
    h_b = float(elevation_m[b]) + eye_m
    highest_end = max(h_a, h_b)
    for k in range(1, steps):
        oq, o_r = line_cell(dq, dr, steps, k)
        col, row = axial_to_odd_r(aq + oq, ar + o_r)
        i = row * width + col
        sightline = h_a + (h_b - h_a) * k / steps
        top = float(elevation_m[i]) + float(sight_block_m[i])
        if top <= sightline + clearance_m:
            continue
        # The slope right below an observer (or a target) is where men stand to look down it:
        # a neighbouring hex blocks only if it is higher than both ends.
        if (k == 1 or k == steps - 1) and top <= highest_end:
            continue
        return False
    return True


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
    visible = bool(
        sight_clear(
            board.q,
            board.r,
            board.width,
            board.elevation_m,
            board.sight_block_m,
            a,
            b,
            float(clearance_m),
            EYE_HEIGHT_M,
        )
    )
    cache[key] = visible
    return visible
