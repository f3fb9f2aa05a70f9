"""Line of sight over elevation, woods and villages, cached per pair of hexes on the board.

The walk along the line is a kernel (`sight_clear`, over the board's arrays and plain numbers),
so it is the same code interpreted or compiled by numba (`engine.kernels.jit`); it steps along
the line with `hexgrid.line_cell`, the one definition of the hex line.

What is known of each pair is kept per board and clearance in an array (`SightCache`), not in
Python objects, so that compiled rules read and fill the very cache the Python rules use
(`sight_known`): a battle after the first finds its sight lines already worked out.
"""

from __future__ import annotations

import numpy as np

from ..core.board import Board, BoardArrays
from ..hexgrid import axial_length, axial_to_odd_r, line_cell
from ..kernels.jit import kernel

EYE_HEIGHT_M = 2.0  # a man standing or a gun layer; the same for observer and target
# The largest board whose sight cache is one hex x hex matrix (int8: 16.8 MB at 4,096 hexes,
# 1.0 MB for Furong's 1,008); a larger board (maps go up to 400 hexes a row) makes the row of a
# hex only when a pair of it is first asked about.
MATRIX_HEXES_MAX = 4096
UNKNOWN = -1  # what the cache holds for a pair not yet worked out (else 0 hidden, 1 seen)


@kernel(borrows=True)
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


@kernel(borrows=True)
def sight_known(
    known: np.ndarray, board: BoardArrays, a: int, b: int, clearance_m: float, eye_m: float
) -> bool:
    """`sight_clear` from `a` to `b` on the board (`Board.arrays`), through the cache `known`
    (hex x hex int8, a `SightCache.matrix`): the pair's entry at [lower hex, higher hex] when
    known (0 or 1), else worked out from `a` toward `b` and written there, so whichever end asks
    first decides for both, as it always has (a sightline and its reverse could round
    differently)."""
    low = min(a, b)
    high = max(a, b)
    found = known[low, high]
    if found != UNKNOWN:
        return found == 1
    visible = sight_clear(
        board.q, board.r, board.width, board.elevation_m, board.sight_block_m,
        a, b, clearance_m, eye_m,
    )  # fmt: skip
    known[low, high] = 1 if visible else 0
    return visible


class SightCache:
    """What is known of the sight between each pair of a board's hexes at one clearance: -1 not
    yet worked out, 0 hidden, 1 seen, at [lower hex, higher hex]; a hex sees itself and its
    neighbours from the start. On a board of at most `MATRIX_HEXES_MAX` hexes it is one int8
    matrix (`matrix`, which kernels read and fill with `sight_known`), which Python reads and
    fills through `known`, a memoryview of it whose items are plain ints (numpy's scalar access
    is twice as slow). On a larger board both are None and a hex's row is made when first needed
    (`row`)."""

    __slots__ = ("board", "known", "matrix", "row_arrays", "rows")

    def __init__(self, board: Board) -> None:
        self.board = board
        size = board.size
        self.matrix: np.ndarray | None = None
        if size <= MATRIX_HEXES_MAX:
            self.matrix = np.full((size, size), UNKNOWN, dtype=np.int8)
            here = np.repeat(np.arange(size), board.neighbor_table.shape[1])
            there = board.neighbor_table.ravel()
            on_map = there >= 0
            self.matrix[here[on_map], there[on_map]] = 1
            self.matrix[np.arange(size), np.arange(size)] = 1
        self.row_arrays: dict[int, np.ndarray] = {}  # the rows made, on a board without matrix
        self._views()

    def _views(self) -> None:
        self.known = None if self.matrix is None else memoryview(self.matrix)
        self.rows = {low: memoryview(row) for low, row in self.row_arrays.items()}

    def row(self, low: int) -> memoryview:
        """The row of hex `low` (its pairs with higher hexes) on a board without the matrix, made
        on first use."""
        found = self.rows.get(low)
        if found is None:
            made = np.full(self.board.size, UNKNOWN, dtype=np.int8)
            made[low] = 1
            made[list(self.board.neighbors[low])] = 1
            self.row_arrays[low] = made
            found = self.rows[low] = memoryview(made)
        return found

    # Copied (a game's state deep-copied for a preview) or pickled (a process pool) as its arrays:
    # memoryviews cannot be, and the copy's views must be of the copy's arrays.
    def __getstate__(self) -> tuple:
        return self.board, self.matrix, self.row_arrays

    def __setstate__(self, state: tuple) -> None:
        self.board, self.matrix, self.row_arrays = state
        self._views()


def sight_cache(board: Board, clearance_m: float) -> SightCache:
    """The board's `SightCache` at `clearance_m`, shared by every game of the board (emptied with
    `board.memo`)."""
    key = ("sight", clearance_m)
    found = board.memo.get(key)
    if found is None:
        found = board.memo[key] = SightCache(board)
    return found


def line_of_sight(board: Board, a: int, b: int, clearance_m: float = 0.0) -> bool:
    """Whether men in hex `a` can see men in hex `b`: no hex between them rises (ground plus woods
    or buildings) more than `clearance_m` above the straight sightline from eye to eye, except
    that a hex next to either end blocks only when it is higher than both ends (men holding a
    hill stand on its forward slope, and hex elevations are averages). Worked out once per pair
    and clearance on a board (`SightCache`); a hex sees itself and its neighbours."""
    cache = board.memo.get(("sight", clearance_m))
    if cache is None:
        cache = sight_cache(board, clearance_m)
    low, high = (a, b) if a < b else (b, a)
    known = cache.known
    found = known[low, high] if known is not None else cache.row(low)[high]
    if found != UNKNOWN:
        return found == 1
    # Called from Python, the walk is handed the board's arrays one by one (handing a compiled
    # kernel the board's bundle costs 2.5 us, the walk 0.5 us) and the answer is written through
    # the memoryview; kernels go through `sight_known`, which fills the same matrix.
    visible = sight_clear(
        board.q, board.r, board.width, board.elevation_m, board.sight_block_m,
        a, b, float(clearance_m), EYE_HEIGHT_M,
    )  # fmt: skip
    if known is not None:
        known[low, high] = 1 if visible else 0
    else:
        cache.row(low)[high] = 1 if visible else 0
    return bool(visible)
