"""The static map of a game as flat arrays indexed by hex number.

The turn loop asks "what is next to hex i", "how far is i from j", "is i water" thousands of times
per battle; answering from precomputed numpy arrays (and plain tuples for neighbours) keeps those
questions cheap and free of Hex objects. Hex number i is `row * width + col` of the text map.
"""

from __future__ import annotations

import itertools
from collections import namedtuple
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .. import hexgrid
from ..hexgrid import axial_length
from ..kernels.jit import kernel
from ..scenario.models import LEVEL_CHARS, HexRef, Scenario

HEX_AREA_FACTOR = hexgrid.HEX_AREA_FACTOR  # area of a hex = sqrt(3)/2 * (centre spacing)^2

# What kernels read of a board (`Board.arrays`): its numbers and every per-hex array, by the
# names the `Board` gives them (a namedtuple, as the state's bundles in engine/core/bundles.py:
# a plain value interpreted, a type numba compiles against).
BOARD_ARRAYS = (
    "width",
    "height",
    "hex_size_m",
    "q",
    "r",
    "neighbor_table",
    "terrain",
    "elevation_m",
    "water",
    "passable",
    "speed_factor",
    "cover",
    "sight_block_m",
    "river",
    "hex_river_width_m",
    "hex_river_fordable",
    "bridge",
    "edge",
)
BoardArrays = namedtuple("BoardArrays", BOARD_ARRAYS)  # type: ignore[misc]


@dataclass(frozen=True, eq=False)
class Board:
    width: int
    height: int
    hex_size_m: float
    q: np.ndarray  # axial q per hex (int32)
    r: np.ndarray  # axial r per hex (int32)
    neighbors: tuple[tuple[int, ...], ...]  # on-map neighbours of each hex
    # hex x 6 (int32): the neighbour in each of `hexgrid.DIRECTIONS`, -1 where off the map; the
    # same neighbours as `neighbors`, in the same order, for kernels (no Python tuples there)
    neighbor_table: np.ndarray
    terrain: np.ndarray  # terrain type index per hex (int16)
    terrain_ids: tuple[str, ...]
    elevation_m: np.ndarray  # float64
    water: np.ndarray  # bool: river or lake hexes
    passable: np.ndarray  # bool
    speed_factor: np.ndarray  # float64, relative to open ground
    cover: np.ndarray  # float64 casualty multiplier for men in the hex
    sight_block_m: np.ndarray  # float64
    river: np.ndarray  # river index per hex, -1 where none (int16)
    river_ids: tuple[str, ...]
    river_width_m: tuple[float, ...]
    river_fordable: tuple[bool, ...]
    # `river_width_m` and `river_fordable` of each hex's river, for kernels: 0.0 and False where
    # no river runs (float64, bool)
    hex_river_width_m: np.ndarray
    hex_river_fordable: np.ndarray
    bridge: np.ndarray  # bool: a bridge carries movement over the river here
    edge: np.ndarray  # bool: hex on an open border of the map (where units can leave it)
    places: dict[str, int] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False)  # what games of this board can share

    @cached_property
    def arrays(self) -> BoardArrays:
        """The board as kernels read it: one `BoardArrays` bundle of its own arrays (not
        copies; the board never changes in play), made on first use."""
        return BoardArrays._make(getattr(self, name) for name in BOARD_ARRAYS)

    @cached_property
    def place_hexes(self) -> np.ndarray:
        """The hex of each named place, in the order of `places` (a place's number is its
        position there): the places as kernels read them (rules/turn.py)."""
        return np.array(list(self.places.values()), np.int64)

    @cached_property
    def place_index(self) -> dict[str, int]:
        """Each named place's number (its position in `places`)."""
        return {name: number for number, name in enumerate(self.places)}

    @property
    def size(self) -> int:
        return self.width * self.height

    @cached_property
    def hex_area_m2(self) -> float:
        return hexgrid.hex_area(self.hex_size_m)

    def index(self, col: int, row: int) -> int:
        return row * self.width + col

    def cell(self, index: int) -> tuple[int, int]:
        return index % self.width, index // self.width

    def resolve(self, ref: HexRef) -> int:
        """Hex number of a scenario hex reference ([col, row] or a place id)."""
        if isinstance(ref, str):
            return self.places[ref]
        return self.index(ref[0], ref[1])

    def shared(self, key, make):
        """The value under `key` that every game of this board's scenario shares, made by `make()`
        the first time. A board serves one scenario object (`build_board`), so keys need not name
        the scenario."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = make()
        return found

    def banks(self, river: int) -> np.ndarray:
        """Which bank of river number `river` each hex is on: the pieces of passable ground left
        when the river's unbridged hexes are taken out, numbered 0, 1, ... (-1 for those river
        hexes and for impassable ground). A bridge joins the banks it spans into one piece."""

        def label() -> np.ndarray:
            cut = ((self.river == river) & ~self.bridge) | ~self.passable
            piece = np.full(self.size, -1, np.int32)
            count = 0
            for start in np.flatnonzero(~cut).tolist():
                if piece[start] >= 0:
                    continue
                piece[start] = count
                todo = [start]
                while todo:
                    for n in self.neighbors[todo.pop()]:
                        if piece[n] < 0 and not cut[n]:
                            piece[n] = count
                            todo.append(n)
                count += 1
            return piece

        return self.shared(("banks", river), label)

    # What the turn loop reads hundreds of times a game, made on first use and kept as plain
    # attributes (cached_property writes past the frozen dataclass): no call, no lookup by key.
    @cached_property
    def _qr(self) -> list[tuple[int, int]]:
        """Axial (q, r) of each hex as plain Python pairs: numpy scalar access is slow."""
        return list(zip(self.q.tolist(), self.r.tolist(), strict=True))

    @cached_property
    def _distance_rows(self) -> dict[int, list[int]]:
        return {}

    @cached_property
    def _labels(self) -> tuple[str, ...]:
        return tuple(f"{h % self.width},{h // self.width}" for h in range(self.size))

    def distance(self, a: int, b: int) -> int:
        qr = self._qr
        qa, ra = qr[a]
        qb, rb = qr[b]
        dq = qa - qb
        dr = ra - rb
        return (abs(dq) + abs(dr) + abs(dq + dr)) // 2

    def distance_row(self, a: int) -> list[int]:
        """Hex distance from `a` to every hex, as a plain list cached per hex (for loops that
        read a few entries, where numpy's scalar access would be slow)."""
        rows = self._distance_rows
        row = rows.get(a)
        if row is None:
            row = rows[a] = self.distances_from(a).tolist()
        return row

    def distances_from(self, a: int) -> np.ndarray:
        """Hex distance from `a` to every hex, as one vector operation."""
        dq = self.q - self.q[a]
        dr = self.r - self.r[a]
        return (np.abs(dq) + np.abs(dr) + np.abs(dq + dr)) // 2

    @cached_property
    def water_list(self) -> list[bool]:
        """`water` as a Python list, for loops where numpy scalar access would be slow."""
        return self.water.tolist()

    def within_two(self, index: int) -> frozenset[int]:
        """Hexes at most two steps from `index` (itself included), cached."""
        cache = self.memo.get("within_two")
        if cache is None:
            cache = self.memo["within_two"] = {}
        found = cache.get(index)
        if found is None:
            ring = set(self.neighbors[index])
            found = frozenset({index, *ring, *(n2 for n in ring for n2 in self.neighbors[n])})
            cache[index] = found
        return found

    def label(self, index: int) -> str:
        """`col,row` of a hex, as events and logs name it (built once per board)."""
        if index < 0:  # off the map
            col, row = self.cell(index)
            return f"{col},{row}"
        return self._labels[index]


@kernel(borrows=True)
def hex_distance(q: np.ndarray, r: np.ndarray, a: int, b: int) -> int:
    """Hex steps between hexes `a` and `b` of a board whose axial coordinates are `q`, `r`
    (`Board.q`, `Board.r`): `Board.distance` for kernels, which read the board as arrays."""
    return axial_length(int(q[a]) - int(q[b]), int(r[a]) - int(r[b]))


_BOARDS: dict[int, tuple[Scenario, Board]] = {}
_BOARDS_KEPT = 8


def build_board(scenario: Scenario) -> Board:
    """The board of a scenario, built once and shared by every game of it (it never changes in
    play), so the route fields and sight lines cached on it serve a whole batch."""
    found = _BOARDS.get(id(scenario))
    if found is not None and found[0] is scenario:
        return found[1]
    board = _build_board(scenario)
    if len(_BOARDS) >= _BOARDS_KEPT:
        _BOARDS.pop(next(iter(_BOARDS)))
    _BOARDS[id(scenario)] = (scenario, board)
    return board


def _neighbor_table(q: np.ndarray, r: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each hex's neighbour in each of `hexgrid.DIRECTIONS` (the order the rules iterate them
    in), -1 where it is off the map, as a hex x 6 int32 array worked out for all hexes at once:
    a 400 x 400 map would take seconds hex by hex."""
    table = np.empty((q.size, len(hexgrid.DIRECTIONS)), dtype=np.int32)
    for d, (dq, dr) in enumerate(hexgrid.DIRECTIONS):
        nq, nr = q + dq, r + dr
        col = nq + ((nr - (nr & 1)) >> 1)  # hexgrid.axial_to_offset, odd-r
        inside = (col >= 0) & (col < width) & (nr >= 0) & (nr < height)
        table[:, d] = np.where(inside, nr * width + col, -1)
    return table


def _build_board(scenario: Scenario) -> Board:
    spec = scenario.map
    width, height = spec.width, spec.height
    terrain_ids = tuple(scenario.terrain)
    type_index = {name: i for i, name in enumerate(terrain_ids)}
    rows = spec.terrain.rstrip("\n").split("\n")
    terrain = np.array([type_index[spec.legend[ch]] for row in rows for ch in row], dtype=np.int16)
    types = [scenario.terrain[name] for name in terrain_ids]
    water = np.array([types[t].water for t in terrain], dtype=bool)
    passable = np.array([types[t].passable for t in terrain], dtype=bool)
    speed = np.array([types[t].speed_factor for t in terrain], dtype=np.float64)
    cover = np.array([types[t].cover for t in terrain], dtype=np.float64)
    sight = np.array([types[t].sight_block_m for t in terrain], dtype=np.float64)

    if spec.elevation is not None:
        levels = [
            LEVEL_CHARS.index(ch)
            for row in spec.elevation.grid.rstrip("\n").split("\n")
            for ch in row
        ]
        elevation = spec.elevation.base_m + spec.elevation.step_m * np.array(levels, float)
    else:
        elevation = np.zeros(width * height)

    cols = np.tile(np.arange(width), height)
    rows_ = np.repeat(np.arange(height), width)
    q = (cols - ((rows_ - (rows_ & 1)) >> 1)).astype(np.int32)
    r = rows_.astype(np.int32)

    def index_of(h: hexgrid.Hex) -> int:
        col, row = hexgrid.axial_to_offset(h)
        return row * width + col if 0 <= col < width and 0 <= row < height else -1

    neighbor_table = _neighbor_table(q, r, width, height)
    neighbors = tuple(tuple(n for n in around if n >= 0) for around in neighbor_table.tolist())
    edge = (neighbor_table < 0).any(axis=1)
    if spec.closed_edges:  # a border nobody leaves across (a sea): only open borders are exits
        on_border = {
            "north": rows_ == 0,
            "south": rows_ == height - 1,
            "west": cols == 0,
            "east": cols == width - 1,
        }
        edge &= np.logical_or.reduce(
            [on_border[b] for b in on_border if b not in spec.closed_edges]
            or [np.zeros(width * height, bool)]
        )

    places = {p.id: p.hex[1] * width + p.hex[0] for p in spec.places}

    def resolve(ref: HexRef) -> int:
        return places[ref] if isinstance(ref, str) else ref[1] * width + ref[0]

    river = np.full(width * height, -1, dtype=np.int16)
    bridge = np.zeros(width * height, dtype=bool)
    for number, spec_river in enumerate(spec.rivers):
        points = [hexgrid.Hex(int(q[h]), int(r[h])) for h in map(resolve, spec_river.path)]
        for a, b in itertools.pairwise(points):
            for h in hexgrid.line(a, b):
                river[index_of(h)] = number
        for ref in spec_river.bridges:
            bridge[resolve(ref)] = True
    water = water | (river >= 0)
    has_river = river >= 0
    river_widths = np.array([r.crossing.width_m for r in spec.rivers] or [0.0], dtype=np.float64)
    river_fordables = np.array([r.crossing.fordable for r in spec.rivers] or [False], dtype=bool)
    hex_river_width_m = np.where(has_river, river_widths[np.maximum(river, 0)], 0.0)
    hex_river_fordable = has_river & river_fordables[np.maximum(river, 0)]

    return Board(
        width=width,
        height=height,
        hex_size_m=spec.hex_size_m,
        q=q,
        r=r,
        neighbors=neighbors,
        neighbor_table=neighbor_table,
        terrain=terrain,
        terrain_ids=terrain_ids,
        elevation_m=elevation,
        water=water,
        passable=passable,
        speed_factor=speed,
        cover=cover,
        sight_block_m=sight,
        river=river,
        river_ids=tuple(r.id for r in spec.rivers),
        river_width_m=tuple(r.crossing.width_m for r in spec.rivers),
        river_fordable=tuple(r.crossing.fordable for r in spec.rivers),
        hex_river_width_m=hex_river_width_m,
        hex_river_fordable=hex_river_fordable,
        bridge=bridge,
        edge=edge,
        places=places,
    )
