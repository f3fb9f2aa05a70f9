"""Movement: time to cross each hex, quickest routes, zones of control, rivers and minefields.

Routes come from a "time to goal" field per goal hex, computed once per board (Dijkstra from the
goal outward, only as far out as the units using it stand) and cached on it, so a turn's moves are
table look-ups rather than searches: a battle asks for a handful of goals thousands of times.
Enemy units are not in the field; they are respected step by step (no entering an enemy hex, stop
on entering an enemy's zone of control).

The rules are kernels (engine/kernels, docs/speed.md "How a rule becomes a kernel"): `settle`
(the fields' search), `march` (a unit's steps down a field: river crossings begun, the chance of
a part-step, wire, minefields and their casualties, zones of control), `turn_back` and `wade`
(a crossing under way), `drown`, `next_step` and `walk` (routes), `is_trapped` and `mine_share`.
A turn's movement phase is one call of the kernel `move_phase` (`move_rows`, handed the turn's
order rows as they are; `move_units` for lists): the moves and routed units' flights
(`morale.flee`'s rule: trapped units surrender, `morale.surrender_trapped`) in unit order,
escapes off the map's edge and the posture reset. Its time fields are the slots of the board's
`FieldStore` (one per pair of crossing rates; a new goal given its slot by the kernel,
`claim_slot`, the store grown by the wrapper when full) and it searches them further itself
(`_settle_to`); what stays the same through a game is gathered once (`_MovePhase`); the enemy's
zones are counted in it as units move (`occupy_all`, `_occupy`); it numbers its own draws in
the dice's table (`Dice.room`, `next_occurrence`) and returns event rows. `move_unit` and
`flee` are calls of it for one unit.
The board's neighbours go to the kernels as its table (hex x 6, -1 off the map:
`Board.neighbor_table`). Interpreted, the kernels are handed Python lists where they read a hex
at a time and the fields are searched with heapq (`_plain`, `_settle_heapq`).

What stays Python: the window's `reachable` preview, `route` (the window's and the computer's),
`hex_hours_at_1kmh` (once a board), the enemy's zone as sets and masks for the rules still in
Python (`enemy_zone`, `trapped`), `TimeField` for the computer player's own fields, and the
events.
"""

from __future__ import annotations

import heapq
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from ..core.board import Board
from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import DROWN, MINES, MOVE_STEP, TRAPPED, binomial, next_occurrence, uniform_at
from ..core.events import Crossing, Drowned, Escaped, Event, LeaderKilled, Moved, Surrendered
from ..core.state import POSTURE_INDEX, GameState, PerGame
from ..kernels.jit import compiling, kernel, resolved
from .casualties import take_casualties
from .engineering import MineStruck
from .morale import surrender_trapped

INF = float("inf")
_ATTACK = POSTURE_INDEX["attack"]
_WITHDRAWAL = POSTURE_INDEX["withdrawal"]
_HASTY = POSTURE_INDEX["hasty"]
# Whether this process interprets its kernels: the time fields, and what the walking kernels
# read a hex at a time, are then Python lists (`_plain`, `_settle_heapq`)
PLAIN = not compiling()
_CACHE = PerGame()  # movement's caches for each game: the enemy's zone, minefields against a side

# What `march` returns: done with this turn's move, or stopped short of a draw the wrapper must
# place first (the dice count a place in Python: `Dice.draw_place`), after which it is called
# again with that place to go on.
DONE, DRAW_STEP, DRAW_MINES = 0, 1, 2
# Rows the kernels write (float64: kind, unit, hex, then the kind's numbers), turned into events
# in order (`_events_of_rows`).
ROW_CROSSING = 0  # hours left in the water, turned back (1.0), across in this turn (1.0)
ROW_MINES = 1  # share of men hit, killed, wounded, the leader fell (1.0)
ROW_MOVED = 2  # where its path begins in the steps, how many hexes (the hex: where it ends)
ROW_DROWNED = 3  # men lost in the water
# The river word of a drowning's draw place (DROWN, unit, river) in water that is no river (a
# lake, river -1): a number no river has, as a draw's place is counted from 0.
LAKE = 0x7FFF_FFFF
ROW_ESCAPED = 4  # men who got away, off the map's edge (1.0) or out of a ring
ROW_SURRENDERED = 5  # men who surrendered
ROW_WIDTH = 7


def _plain(array: np.ndarray):
    """`array` as the walking kernels take it: the array where the process compiles, a Python
    list where it interprets (numpy's scalar access costs several times a list's, and a march
    reads a few numbers for each neighbour of each hex it passes)."""
    return array.tolist() if PLAIN else array


def neighbor_rows(board: Board):
    """The board's `neighbor_table` as the walking kernels take it (`_plain`): a kernel reads a
    hex's row and skips its -1 entries (off the map)."""
    found = board.memo.get("neighbor_rows")
    if found is None:
        found = board.memo["neighbor_rows"] = _plain(board.neighbor_table)
    return found


def hex_hours_at_1kmh(board: Board, coefficients) -> np.ndarray:
    """Hours to enter each hex at 1 km/h by day: hex size over terrain speed, or the river crossing
    time for water hexes without a bridge. Divide by a unit's speed (and the night factor)."""
    cache = _cache(board)
    key = (
        "enter",
        coefficients.river_crossing_hours_per_100m,
        coefficients.ford_crossing_hours_per_100m,
    )
    if key in cache:
        return cache[key]
    hours = board.hex_size_m / 1000.0 / board.speed_factor
    crossed = board.water & ~board.bridge  # a lake hex is crossed as an unfordable river its size
    width = np.where(board.river >= 0, board.hex_river_width_m, board.hex_size_m)
    rate = np.where(
        board.hex_river_fordable,
        coefficients.ford_crossing_hours_per_100m,
        coefficients.river_crossing_hours_per_100m,
    )
    hours[crossed] = (rate * width / 100.0)[crossed]  # hours whatever the unit's marching speed
    hours[~board.passable] = INF
    cache[key] = hours
    return hours


def _cache(board: Board) -> dict:
    return board.memo.setdefault("routes", {})


class TimeField:
    """Time (at 1 km/h, by day) from each hex to one goal by the quickest route, worked out only
    as far as it is read.

    Dijkstra from the goal outward settles hexes in order of their time (the kernel `settle`). A
    unit a few hexes from a new goal (most goals the computer gives are) needs only the hexes
    nearer the goal than itself, not the whole map, so the search pauses once the hexes asked
    about are settled and goes on when a farther one is asked about. `times` holds final values
    for settled hexes and upper bounds no lower than any settled time for the rest: a route walked
    downhill from a settled hex therefore compares only final values.

    Where the process compiles, `times` and the queue between searches are arrays (the queue two:
    cost and hex, its size in `_counts[0]`); where it interprets, Python lists and a heapq list of
    (cost, hex), whose scalar access is quicker than numpy's (`_settle_heapq`).
    """

    __slots__ = ("_counts", "_done", "_enter", "_list", "_neighbors", "_queue", "times")

    def __init__(self, goal: int, enter: np.ndarray, board: Board) -> None:
        size = len(enter)
        if PLAIN:
            self.times = [INF] * size
            self.times[goal] = 0.0
            self._done = [False] * size
            self._queue = ([(0.0, goal)], None)
            self._enter = enter.tolist()
            self._neighbors = board.neighbors
        else:
            self.times = np.full(size, INF)
            self.times[goal] = 0.0
            self._done = np.zeros(size, dtype=np.bool_)
            # a hex is queued at most once for each neighbour that improves it, the goal once
            self._queue = (np.empty(6 * size + 1), np.empty(6 * size + 1, dtype=np.int64))
            self._queue[0][0], self._queue[1][0] = 0.0, goal
            self._enter = enter
            self._neighbors = board.neighbor_table
        self._counts = np.ones(1, dtype=np.int64)
        self._list: list[float] | None = None

    def settled(self, *hexes: int) -> list[float] | np.ndarray:
        """`times`, final for each of `hexes` and every hex nearer the goal than one of them."""
        done = self._done
        for h in hexes:
            if not done[h]:
                self._search(h)
        return self.times

    def complete(self) -> list[float]:
        """`times`, final for every hex, as a list (its readers take it a hex at a time, where
        numpy's scalar access is slow; made once, as a complete field never changes)."""
        if self._list is None:
            if self._counts[0]:
                self._search(-1)
            self._list = self.times if PLAIN else self.times.tolist()
            self._queue = None  # not needed again
        return self._list

    def _search(self, until: int) -> None:
        """Go on settling hexes, nearest the goal first, until `until` is settled (or all are)."""
        costs, hexes = self._queue
        settle(
            self.times, self._done, costs, hexes, self._counts, self._enter, self._neighbors, until
        )


def _settle_heapq(times, done, queue, _, counts, enter, neighbors, until):
    """`settle` where the process interprets: `times`, `done` and `enter` Python lists, the queue
    a heapq list of (cost, hex), `neighbors` the board's (`board.neighbors`). The same hexes
    settled in the same order, to the same bits, as the kernel's source (tests/
    test_movement_kernels.py holds them equal), several times quicker in the interpreter."""
    pop, push = heapq.heappop, heapq.heappush
    while queue:
        cost, h = pop(queue)
        if cost > times[h]:
            continue  # a stale entry: h was reached more quickly since
        done[h] = True
        total = cost + enter[h]  # moving from a neighbour into h costs entering h
        if total != INF:
            for n in neighbors[h]:
                if total < times[n]:
                    times[n] = total
                    push(queue, (total, n))
        if h == until:
            break
    counts[0] = len(queue)


@kernel(interpreted=_settle_heapq, borrows=True)
def settle(times, done, costs, hexes, counts, enter, neighbors, until):
    """Dijkstra from a goal outward over `enter` (hours to enter each hex), resumed with the queue
    (`costs`, `hexes`, its size `counts[0]`) where it paused; pauses again once hex `until` is
    settled (-1: goes on until every reachable hex is). Moving from a neighbour into h costs
    entering h. The queue is a binary heap ordered by (cost, hex) and sifted as Python's heapq
    sifts, so that its entries come out in heapq's order and a paused field holds, bound for
    bound, what the engine's heapq search held."""
    size = counts[0]
    while size > 0:
        # pop the least entry: the last goes to the root and sifts down to a leaf, then up
        cost, h = costs[0], hexes[0]
        size -= 1
        if size > 0:
            last_cost, last_hex = costs[size], hexes[size]
            at = 0
            child = 1
            while child < size:
                right = child + 1
                if right < size and not (
                    costs[child] < costs[right]
                    or (costs[child] == costs[right] and hexes[child] < hexes[right])
                ):
                    child = right
                costs[at], hexes[at] = costs[child], hexes[child]
                at = child
                child = 2 * at + 1
            at = _sift_up(costs, hexes, at, last_cost, last_hex)
            costs[at], hexes[at] = last_cost, last_hex
        if cost > times[h]:
            continue  # a stale entry: h was reached more quickly since
        done[h] = True
        total = cost + enter[h]
        if total != np.inf:
            for n in neighbors[h]:
                if n < 0:
                    continue
                if total < times[n]:
                    times[n] = total
                    at = _sift_up(costs, hexes, size, total, n)
                    costs[at], hexes[at] = total, n
                    size += 1
        if h == until:
            break
    counts[0] = size


@kernel(borrows=True)
def _sift_up(costs, hexes, at, cost, h):
    """Where an entry (cost, h) placed at `at` comes to rest moving toward the root (heapq's
    `_siftdown`): each parent it is less than moves down into its place."""
    while at > 0:
        parent = (at - 1) >> 1
        if cost < costs[parent] or (cost == costs[parent] and h < hexes[parent]):
            costs[at], hexes[at] = costs[parent], hexes[parent]
            at = parent
        else:
            break
    return at


class FieldStore:
    """The time fields toward every goal asked for on a board (for one pair of river-crossing
    rates), each a slot of the same arrays, so that one kernel call can walk any unit down any
    of them (`move_units`) and settle them further as it goes (`_settle_to`), where a `TimeField`
    object each could only be searched from Python.

    A slot holds what a `TimeField` holds: the times (final for settled hexes, bounds above
    every settled time for the rest), which hexes are settled, and the paused search's queue.
    Where the process compiles these are rows of 2-D arrays (the queue two, cost and hex, its
    size in `counts[slot, 0]`); where it interprets, lists of Python lists and heapq lists
    (`_settle_heapq`), the same numbers at the interpreter's old cost. Either way there is room
    for `capacity` slots, doubled when full. A goal's slot is `slot_of[goal]` (-1: none yet),
    `used[0]` slots are given out; a goal is given its slot by `claim_slot`, which the movement
    phase's kernel calls itself (it reports a store that has no room left, the wrapper grows it
    with `grow` and calls again), and Python through `slot`."""

    __slots__ = (
        "_bundle",
        "_lists",
        "board",
        "costs",
        "counts",
        "done",
        "enter",
        "hexes",
        "slot_of",
        "times",
        "used",
    )

    def __init__(self, board: Board, enter: np.ndarray) -> None:
        self.board = board
        self.enter = _plain(enter)  # as `settle` reads it
        self.slot_of = np.full(board.size, -1, dtype=np.int64)  # goal -> its slot
        self.used = np.zeros(1, dtype=np.int64)  # slots given out
        self._lists: dict[int, list[float]] = {}  # goal -> its complete field as a list
        self._bundle = None
        self.times: list | np.ndarray = []
        self.done: list | np.ndarray = []
        self.costs: list | np.ndarray = []
        self.hexes: list | np.ndarray = []
        self.counts: list | np.ndarray = []
        self._allocate(8)

    @property
    def capacity(self) -> int:
        """How many slots there is room for."""
        return len(self.times)

    def grow(self) -> None:
        """Twice the room: the slots given out copied over (new arrays: `bundle` again)."""
        self._allocate(2 * self.capacity)

    def _allocate(self, capacity: int) -> None:
        """Room for `capacity` fields, those already made copied over."""
        size = self.board.size
        used = self.capacity  # the slots there were room for
        if PLAIN:
            for _ in range(used, capacity):
                self.times.append([INF] * size)
                self.done.append([False] * size)
                self.costs.append([])  # the heapq list of (cost, hex)
                self.hexes.append(None)
                self.counts.append([0])
            self._bundle = None
            return
        # a hex is queued at most once for each neighbour that improves it, the goal once
        times = np.full((capacity, size), INF)
        done = np.zeros((capacity, size), dtype=np.bool_)
        costs = np.empty((capacity, 6 * size + 1))
        hexes = np.empty((capacity, 6 * size + 1), dtype=np.int64)
        counts = np.zeros((capacity, 1), dtype=np.int64)
        if used:
            times[:used], done[:used], costs[:used] = self.times, self.done, self.costs
            hexes[:used], counts[:used] = self.hexes, self.counts
        self.times, self.done, self.costs, self.hexes, self.counts = (
            times,
            done,
            costs,
            hexes,
            counts,
        )
        self._bundle = None

    def slot(self, goal: int) -> int:
        """The slot of the field toward `goal`, a new one (its search not begun) if none."""
        found = int(self.slot_of[goal])
        if found >= 0:
            return found
        args = (self.slot_of, self.used, self.times, self.costs, self.hexes, self.counts, goal)
        found = _claim_from_python(*args)
        if found < 0:  # no room left
            self.grow()
            args = (self.slot_of, self.used, self.times, self.costs, self.hexes, self.counts, goal)
            found = _claim_from_python(*args)
        return int(found)

    def settled(self, goal: int, *hexes: int) -> list[float] | np.ndarray:
        """The times toward `goal`, final for each of `hexes` and every hex nearer the goal
        than one of them."""
        slot = self.slot(goal)
        done = self.done[slot]
        for h in hexes:
            if not done[h]:
                self._search(slot, h)
        return self.times[slot]

    def complete(self, goal: int) -> list[float]:
        """The times toward `goal`, final for every hex, as a list (its readers take it a hex
        at a time; made once, as a complete field never changes)."""
        found = self._lists.get(goal)
        if found is None:
            slot = self.slot(goal)
            if self.counts[slot][0]:
                self._search(slot, -1)
            found = self._lists[goal] = self.times[slot] if PLAIN else self.times[slot].tolist()
        return found

    def _search(self, slot: int, until: int) -> None:
        settle(
            self.times[slot],
            self.done[slot],
            self.costs[slot],
            self.hexes[slot],
            self.counts[slot],
            self.enter,
            self.board.neighbors if PLAIN else self.board.neighbor_table,
            until,
        )

    def bundle(self, ground: _Ground):
        """The fields and the board's walking arrays as the kernels take them (`MoveGround`),
        made again when the store has grown."""
        if self._bundle is None or self._bundle.times is not self.times:
            board = self.board
            self._bundle = MoveGround(
                enter=ground.walking_enter,
                must_cross=ground.must_cross,
                water=ground.water,
                bridge=_plain(board.bridge),
                fordable=_plain(board.hex_river_fordable),
                river=_plain(board.river),
                edge=_plain(board.edge),
                passable=_plain(board.passable),
                neighbors=ground.neighbors,
                field_neighbors=board.neighbors if PLAIN else board.neighbor_table,
                times=self.times,
                done=self.done,
                costs=self.costs,
                hexes=self.hexes,
                counts=self.counts,
                slot_of=self.slot_of,
                used=self.used,
            )
        return self._bundle


# What the kernels read of a board and its time fields (`FieldStore.bundle`): the hours to
# enter each hex, water without a bridge (entered by a crossing), water, bridges, whether each
# hex's river is fordable, its river, the map's open edge, passable hexes, the neighbours as
# the walking kernels read them and as `settle` does (`_plain`), the fields' slots, and which
# slot each goal has and how many are given out (`claim_slot`).
MoveGround = namedtuple(
    "MoveGround",
    "enter must_cross water bridge fordable river edge passable neighbors field_neighbors"
    " times done costs hexes counts slot_of used",
)


def _claim_lists(slot_of, used, times, costs, hexes, counts, goal):
    """`claim_slot` where the process interprets: the fields are lists (`FieldStore`), the
    queue a heapq list of (cost, hex). The same slot given out, and the same search begun."""
    slot = used[0]
    if slot >= len(times):
        return -1
    used[0] = slot + 1
    slot_of[goal] = slot
    times[slot][goal] = 0.0
    costs[slot].append((0.0, goal))
    counts[slot][0] = 1
    return slot


@kernel(interpreted=_claim_lists, borrows=True)
def claim_slot(slot_of, used, times, costs, hexes, counts, goal):
    """Give `goal` the next free slot of a `FieldStore` (its arrays), its search begun at the
    goal (time 0, the goal alone queued); the slot, or -1 when the store has no room left (the
    caller grows it and asks again)."""
    slot = used[0]
    if slot >= times.shape[0]:
        return -1
    used[0] = slot + 1
    slot_of[goal] = slot
    times[slot, goal] = 0.0
    costs[slot, 0] = 0.0
    hexes[slot, 0] = goal
    counts[slot, 0] = 1
    return slot


# `claim_slot` as `FieldStore.slot` calls it from Python (a goal the computer player or the
# window asks about): the source itself where the process compiles, a few writes into arrays
# that cost less in the interpreter than a call through numba's dispatcher
_claim_from_python = getattr(claim_slot, "py_func", claim_slot)


@dataclass(frozen=True)
class _Ground:
    """What movement reads of a board for one pair of river-crossing rates, as the kernels take
    it, and the time fields toward each goal asked for (`store`)."""

    enter: np.ndarray  # hours to enter each hex at 1 km/h by day (`hex_hours_at_1kmh`)
    # what `march` reads a hex at a time (`_plain`): `enter`, water without a bridge (entered
    # by a crossing, not a march), water, the neighbours (`neighbor_rows`)
    walking_enter: list[float] | np.ndarray
    must_cross: list[bool] | np.ndarray
    water: list[bool] | np.ndarray
    neighbors: list[list[int]] | np.ndarray
    board: Board
    store: FieldStore
    # what `move_units` fills, read before its next call: the hexes of each move's path, and
    # the event rows (`ROW_...`), grown as a phase needs (`buffers`)
    scratch: dict

    def buffers(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """(path hexes, event rows) with room for `rows` of each."""
        steps = self.scratch.get("steps")
        if steps is None or len(steps) < rows:
            steps = self.scratch["steps"] = np.empty(rows, dtype=np.int64)
            self.scratch["rows"] = np.empty((rows, ROW_WIDTH))
        return steps, self.scratch["rows"]


def _ground(board: Board, coefficients) -> _Ground:
    """The board's `_Ground` for these coefficients, shared by all games on the board."""
    cache = _cache(board)
    key = (
        "ground",
        coefficients.river_crossing_hours_per_100m,
        coefficients.ford_crossing_hours_per_100m,
    )
    found = cache.get(key)
    if found is None:
        enter = hex_hours_at_1kmh(board, coefficients)
        found = cache[key] = _Ground(
            enter=enter,
            walking_enter=_plain(enter),
            must_cross=_plain(board.water & ~board.bridge),
            water=_plain(board.water),
            neighbors=neighbor_rows(board),
            board=board,
            store=FieldStore(board, enter),
            scratch={},
        )
    return found


def time_field(board: Board, goal: int, coefficients) -> list[float]:
    """Time (at 1 km/h, by day) from every hex to `goal`, by the quickest route."""
    return _ground(board, coefficients).store.complete(goal)


def enemy_zone(state: GameState, side: int) -> tuple[set[int], set[int]]:
    """(hexes the enemy of `side` stands in, hexes next to its units that still fight).

    A hex holds one side's units: nobody walks into a hex the enemy stands in, routed or not; it
    is taken by assault (a routed enemy there does not fight, and falls back or is captured).
    Only units that still fight exert a zone of control: a routed one stops nobody."""
    enemy = _enemy(state, side)
    if enemy[4] is None:  # the zone as a set, made the first time it is asked for
        neighbors = state.board.neighbors
        enemy[4] = {n for h in enemy[1] for n in neighbors[h]}
    return enemy[0], enemy[4]


def _enemy_masks(state: GameState, side: int) -> tuple[np.ndarray, np.ndarray]:
    """`enemy_zone` as the kernels take it: (held, zone), a bool for each hex (`_plain`), made
    the first time they are asked for (the assault's checks read the sets alone)."""
    enemy = _enemy(state, side)
    if enemy[2] is None:
        enemy[2], enemy[3] = _masks_of(state.board, enemy[0], enemy[1])
    return enemy[2], enemy[3]


def _masks_of(board: Board, held: set[int], fighting: set[int]) -> tuple:
    """(a bool for each hex: `held`, one for each hex next to one of `fighting`: the zone)."""
    size = len(board.neighbors)
    if PLAIN:
        held_mask, zone_mask = [False] * size, [False] * size
        for h in held:
            held_mask[h] = True
        for h in fighting:
            for n in board.neighbors[h]:
                zone_mask[n] = True
        return held_mask, zone_mask
    held_mask = np.zeros(size, dtype=np.bool_)
    held_mask[list(held)] = True
    # the zone: every neighbour of a hex the enemy fights from (the table's -1, past a hex's
    # last neighbour, marks the spare last entry)
    zone_mask = np.zeros(size + 1, dtype=np.bool_)
    zone_mask[board.neighbor_table[list(fighting)]] = True
    return held_mask, zone_mask[:size]


def _enemy(state: GameState, side: int) -> list:
    """[held, fighting, held as a bool for each hex, the zone as one, the zone as a set], kept
    while no unit moves, routs, arrives or goes; the masks and the zone's set None until asked
    for (`_enemy_masks`, `enemy_zone`)."""
    u = state.units

    def make(previous):
        gone, arrived, routed = u.gone.tolist(), u.arrived.tolist(), u.routed.tolist()
        held: set[int] = set()
        fighting: set[int] = set()
        for h, their, i in zip(u.hex.tolist(), u.side.tolist(), range(u.count), strict=True):
            if their != side and h >= 0 and arrived[i] and not gone[i]:
                held.add(h)
                if not routed[i]:
                    fighting.add(h)
        if previous is not None and previous[1] == fighting and previous[0] == held:
            return previous  # only the side's own units moved
        return [held, fighting, None, None, None]

    return _CACHE.kept_while(
        state, ("enemy_zone", side), (u.hex, u.gone, u.routed, u.arrived), make
    )


def _mask(board: Board, hexes):
    """A bool for each hex of the board: whether it is one of `hexes` (`_plain`)."""
    mask = np.zeros(len(board.neighbors), dtype=np.bool_)
    mask[list(hexes)] = True
    return _plain(mask)


def trapped(state: GameState, unit: int) -> bool:
    """Whether a routed `unit` has no way to run (the kernel `is_trapped`). What a trapped unit
    does is morale.flee's; fire.broke_contact keeps one in contact."""
    board = state.board
    held, zone = _enemy_masks(state, int(state.units.side[unit]))
    return bool(
        is_trapped(int(state.units.hex[unit]), neighbor_rows(board), board.passable, held, zone)
    )


@kernel(borrows=True)
def is_trapped(here, neighbors, passable, held, zone):
    """No neighbouring hex of `here` that may be entered and that the enemy does not stand in
    (`held`), or every such hex and `here` itself are in the enemy's zone."""
    free = False
    all_in_zone = True
    for n in neighbors[here]:
        if n < 0:
            continue
        if held[n] or not passable[n]:
            continue
        free = True
        if not zone[n]:
            all_in_zone = False
    return not free or (all_in_zone and zone[here])


@kernel(borrows=True)
def next_step(neighbors, here, held, field):
    """The neighbour a unit steps into on its way down a time field (never a `held` hex), or -1
    when no step brings it closer: the lowest time, the lowest hex number among equals."""
    step, lowest = -1, field[here]
    for n in neighbors[here]:
        if n < 0:
            continue
        time = field[n]
        if (time < lowest or (time == lowest and n < step)) and not held[n]:
            step, lowest = n, time
    return step


@kernel(borrows=True)
def walk(neighbors, here, goal, held, field, limit, path):
    """The hexes from `here` down `field` toward `goal` into `path` (here first), step by step
    as `march` takes them, at most `limit`; returns how many."""
    path[0] = here
    count = 1
    while here != goal and count < limit:
        here = next_step(neighbors, here, held, field)
        if here < 0:
            break
        path[count] = here
        count += 1
    return count


def route(
    state: GameState,
    unit: int,
    goal: int,
    limit: int = 400,
    held: set[int] | frozenset[int] | None = None,
) -> list[int]:
    """The hexes a unit would walk from where it stands toward `goal`, step by step as
    `move_unit` does, whatever the time a turn allows (for the window's route preview). `held`:
    the hexes it may not step into, by default those the enemy stands in now (the computer
    player also asks for the way as if the enemy held none)."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    if here < 0:
        return []
    if held is None:
        mask, _ = _enemy_masks(state, int(u.side[unit]))
    elif not held:
        mask = board.shared("no_hex_held", lambda: _mask(board, ()))
    else:
        mask = _mask(board, held)
    ground = _ground(board, state.coefficients)
    field = ground.store.settled(goal, here)
    # a walk down a field never comes back to a hex: it is no longer than the board has hexes
    path = np.empty(max(1, min(limit, board.size + 1)), dtype=np.int64)
    count = walk(ground.neighbors, here, goal, mask, field, limit, path)
    return path[:count].tolist()


def reachable(state: GameState, unit: int) -> dict[int, float]:
    """Hexes `unit` can get to this turn, with the hours it takes: hex times at its speed, no
    entering enemy-held hexes, a stop on entering an enemy's zone of control, a stop in a river
    until across, and the first step always allowed, as in `move_unit`. (The window's preview,
    not a step of the turn: plain Python.)"""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    if here < 0 or u.gone[unit] or u.routed[unit] or u.crossing_hours[unit] > 0:
        return {}
    c = state.coefficients
    enter = hex_hours_at_1kmh(board, c)
    speed = float(u.speed_kmh[unit]) * (c.night_speed_factor if state.is_night() else 1.0)
    held, zone = enemy_zone(state, int(u.side[unit]))
    budget = state.turn_hours
    best = {here: 0.0}
    queue = [(0.0, here)]
    while queue:
        spent, h = heapq.heappop(queue)
        if spent > best.get(h, INF):
            continue
        if h != here and (h in zone or (board.water[h] and not board.bridge[h])):
            continue  # movement stops here this turn
        for n in board.neighbors[h]:
            if n in held or not np.isfinite(enter[n]):
                continue
            water = board.water[n] and not board.bridge[n]
            step = float(enter[n]) if water else float(enter[n]) / speed
            total = spent + step
            if total > budget and not (h == here or water):
                continue
            if water and spent >= budget:
                continue
            total = min(total, budget) if water or h == here else total
            if total < best.get(n, INF):
                best[n] = total
                heapq.heappush(queue, (total, n))
    best.pop(here, None)
    return best


# What each entry of `move_units` does (its `kinds`): run for the rear as a routed unit does
# (`morale.flee`: trapped, or a run with zones of control ignored and the river's toll), move
# toward its goal, the same taking the withdrawal posture first, or move ignoring zones of
# control (an assault into an empty hex).
FLEE, GO, WITHDRAW, GO_FREE = 1, 2, 3, 4


def move_unit(
    state: GameState,
    unit: int,
    goal: int,
    coefficients,
    events: list[Event],
    *,
    ignore_zoc: bool = False,
) -> None:
    """Spend this turn's time moving `unit` toward `goal`, one hex at a time down the time field
    (the kernel `march`; a crossing under way first, `turn_back` and `wade`)."""
    move_units(
        state,
        [unit],
        [GO_FREE if ignore_zoc else GO],
        [goal],
        [-1],
        (coefficients, coefficients),
        events,
    )


def move_units(
    state: GameState,
    units: list[int],
    kinds: list[int],
    goals: list[int],
    escapes: list[int],
    coefficients: tuple,
    events: list[Event],
    *,
    reset_postures: bool = False,
) -> None:
    """Move `units` in their order, each as its kind says (`FLEE`, `GO`, `WITHDRAW`, `GO_FREE`)
    toward its goal, reading its side's `coefficients`; a unit whose `escapes` hex it ends on,
    on the map's edge, leaves the map (escaped). With `reset_postures`, units on the map that
    stood still take their own posture again (the movement phase's end). One call of the kernel
    `move_phase` for them all (`move_rows`)."""
    entries = np.array([units, kinds, goals, escapes], dtype=np.int64).reshape(4, len(units))
    move_rows(state, entries, len(units), coefficients, events, reset_postures=reset_postures)


def move_rows(
    state: GameState,
    entries: np.ndarray,
    count: int,
    coefficients: tuple,
    events: list[Event],
    *,
    reset_postures: bool = False,
) -> None:
    """`move_units` for the moves in the first `count` columns of `entries` (int64 rows unit,
    kind, goal, escape hex): what the turn's order kernel writes (`turn.sort_orders`), handed
    on as it is. One call of the kernel `move_phase` for them all: the time fields are the
    board's `FieldStore` slots (the kernel gives a new goal its slot; a store with no room left
    is grown here and the kernel called again), the enemy's zones are counted in the kernel as
    units move, and the kernel numbers its own draws in the dice's table (`Dice.room`). What
    stays the same from call to call of a game is made once (`_MovePhase`). The rows become the
    events, in order."""
    phase = _move_phase_of(state, coefficients)
    if count > len(phase.slots):
        phase.slots = np.empty(count, dtype=np.int64)
    grounds, bundles = phase.grounds, phase.current_bundles()
    u, size = state.units, state.board.size
    occupied, zoned = zone_counts(size)
    turn, dice = state.turn, state.dice
    table, head = dice.room(turn, count * phase.draws_per_move)
    steps, rows = grounds[0].buffers(count * (size + 8))
    while True:
        taken, written = _move_phase(
            unit_arrays(u),
            entries,
            count,
            phase.slots,
            phase.moved,
            bundles,
            phase.values,
            occupied,
            zoned,
            phase.mined[0],
            phase.mined[1],
            works_arrays(state.works),
            state.control,
            state.is_night(),
            state.turn_hours,
            turn,
            dice.key_words,
            table,
            head,
            steps,
            rows,
            reset_postures,
        )
        if taken >= 0:
            break
        # no room for a new goal's field in the store of ground `written`: nothing moved yet
        bundles = phase.grow(written)
    if written:
        _events_of_rows(state, rows[:written].tolist(), steps, events)


class _MovePhase:
    """What `move_rows` hands the kernel that stays the same through a game for one pair of the
    sides' coefficients (gathered once, not at each of the 60-odd calls a battle): each side's
    ground (`_ground`, one for both where they share it) and its fields' bundle (`MoveGround`,
    made again when a store grows), the coefficients movement reads (`MoveCoefficients`, one
    for both where they are equal), the minefields against each side, a bound of the draws a
    move makes, and the scratch the kernel writes each move's slot into and who moved."""

    __slots__ = (
        "bundles",
        "coefficients",
        "draws_per_move",
        "grounds",
        "mined",
        "moved",
        "slots",
        "values",
    )

    def __init__(self, state: GameState, coefficients: tuple) -> None:
        board = state.board
        self.coefficients = coefficients  # held: the phase is kept by their ids
        # the kernel reads a side's as `[side % len(...)]`: numba types every bundle handed to
        # it at each call, so one where both sides share it
        self.grounds = _one_if_same(
            (_ground(board, coefficients[0]), _ground(board, coefficients[1]))
        )
        self.bundles = tuple(ground.store.bundle(ground) for ground in self.grounds)
        values = tuple(map(_move_values, coefficients))
        self.values = values[:1] if values[0] == values[1] else values
        self.mined = (_minefields_against(state, 0), _minefields_against(state, 1))
        self.draws_per_move = 4 + _mined_hexes(state)
        self.slots = np.empty(state.units.count, dtype=np.int64)
        self.moved = np.zeros(state.units.count, dtype=np.bool_)  # per unit (`move_phase`)

    def current_bundles(self) -> tuple:
        """The grounds' fields' bundles, made again where a store has grown since (its fields
        are shared by the board's games, which may have grown it)."""
        bundles, grounds = self.bundles, self.grounds
        if bundles[0].times is not grounds[0].store.times or (
            len(bundles) > 1 and bundles[1].times is not grounds[1].store.times
        ):
            bundles = self.bundles = tuple(ground.store.bundle(ground) for ground in grounds)
        return bundles

    def grow(self, ground: int) -> tuple:
        """Room for more fields in the store of ground number `ground` (a move found none):
        the bundles made again."""
        self.grounds[ground].store.grow()
        self.bundles = tuple(g.store.bundle(g) for g in self.grounds)
        return self.bundles


def _move_phase_of(state: GameState, coefficients: tuple) -> _MovePhase:
    """The game's `_MovePhase` for these coefficients (by their identity), made at first use."""
    cache = _CACHE.of(state)
    key = ("move_phase", id(coefficients[0]), id(coefficients[1]))
    found = cache.get(key)
    if found is None:
        found = cache[key] = _MovePhase(state, coefficients)
    return found


def zone_counts(size: int) -> tuple:
    """(occupied, zoned), side x hex, zero: what `occupy_all` counts each side's units in a hex
    and fighting units next to one into, for a board of `size` hexes. Python lists where the
    process interprets (numpy's scalar access costs several times a list's), int32 arrays where
    it compiles."""
    if PLAIN:
        return [[0] * size, [0] * size], [[0] * size, [0] * size]
    return np.zeros((2, size), np.int32), np.zeros((2, size), np.int32)


def _one_if_same(pair: tuple) -> tuple:
    """`pair`, or its first alone where both are the same object."""
    return pair[:1] if pair[0] is pair[1] else pair


# The coefficients movement's kernels read, those of the kernels they call among them
# (`take_casualties`, `morale.surrender_trapped`), as a namedtuple of their own: numba types
# every field of a bundle at each call, 8 µs for the 99 of `CoefficientValues`.
MOVE_COEFFICIENTS = (
    "night_speed_factor",
    "wire_crossing_hours_per_line",
    "mine_footprint_m",
    "lane_mine_factor",
    "killed_fraction",
    "officer_loss_factor",
    "leader_hit_per_casualty_share",
    "morale_loss_leader_killed",
    "drown_share_routed_crossing",
    "trapped_slip_away_share",
    "trapped_slip_away_night_factor",
    "surrender_share_trapped",
)
MoveCoefficients = namedtuple("MoveCoefficients", MOVE_COEFFICIENTS)
_MOVE_VALUES: dict[int, tuple] = {}  # by the id of the coefficients, kept with them


def _move_values(coefficients):
    """`coefficients`' values movement's kernels read (`MoveCoefficients`), made once per set
    of coefficients (as `Coefficients.values`)."""
    kept = _MOVE_VALUES.get(id(coefficients))
    if kept is None or kept[0] is not coefficients:
        if len(_MOVE_VALUES) >= 256:  # a sweep makes many; each game asks for its own
            _MOVE_VALUES.clear()
        values = coefficients.values()
        kept = _MOVE_VALUES[id(coefficients)] = (
            coefficients,
            MoveCoefficients._make(getattr(values, name) for name in MOVE_COEFFICIENTS),
        )
    return kept[1]


def _mined_hexes(state: GameState) -> int:
    """How many hexes hold a minefield: the most minefields one march can strike."""
    cache = _CACHE.of(state)
    found = cache.get("mined_hexes")
    if found is None:
        w = state.works
        found = cache["mined_hexes"] = int(((w.mine_density > 0.0) & (w.owner >= 0)).sum())
    return found


def _events_of_rows(state: GameState, rows: list, steps: np.ndarray, events: list[Event]) -> None:
    """The events of `move_phase`'s rows, in their order, and what they note beside the arrays
    (rivers crossed, where an escaped unit left the map)."""
    u, board, turn = state.units, state.board, state.turn
    for kind, unit_f, h_f, a, b, c, d in rows:
        unit, h = int(unit_f), int(h_f)
        if kind == ROW_CROSSING:
            events.append(_crossing_event(state, unit, h, a, bool(b)))
            if c:
                _note_crossed(state, int(u.side[unit]), int(board.river[h]))
        elif kind == ROW_MINES:
            if d:
                name = u.leader_names[unit] or "commander"
                events.append(LeaderKilled(turn, u.ids[unit], name))
            label = board.label(h)
            events.append(MineStruck(turn, u.ids[unit], label, round(a, 4), int(b), int(c)))
        elif kind == ROW_MOVED:
            if state.record_events:
                path = steps[int(a) : int(a) + int(b)].tolist()
                events.append(Moved(turn, u.ids[unit], tuple(map(board.label, path))))
        elif kind == ROW_DROWNED:
            events.append(Drowned(turn, u.ids[unit], int(a)))
        elif kind == ROW_ESCAPED:
            if b:  # off the map's edge: where it left, for an `exit` victory condition
                state.exits[unit] = (h, int(a))
            events.append(Escaped(turn, u.ids[unit], int(a)))
        else:
            events.append(Surrendered(turn, u.ids[unit], int(a)))


@kernel(borrows=True)
def move_phase(
    u,
    entries,
    count,
    slots,
    moved,
    grounds,
    values,
    occupied,
    zoned,
    mined0,
    mined1,
    w,
    control,
    night,
    hours,
    turn,
    keys,
    table,
    head,
    steps,
    rows,
    reset_postures,
):
    """The moves of a phase, in order: the first `count` columns of `entries`, rows unit, kind
    (`FLEE`, `GO`, `WITHDRAW`, `GO_FREE`), goal, the hex it escapes from on reaching it at the
    map's edge (-1: none), each unit walking down its goal's field in its side's ground
    (`grounds`: `MoveGround`s, one a side or one for both), reading its side's coefficients
    (`values`: `MoveCoefficients`, as `grounds`) and minefields against it (`mined0`,
    `mined1`). First each move's field is found or given a slot (`claim_slot`), into `slots`:
    where a store has no room left, nothing has moved and the kernel returns (-1, that
    ground's index) for its caller to grow the store and call again. `moved` (per unit, its
    scratch: it makes no array, and borrows) says who moved, for the postures. `occupied` and
    `zoned` (side x hex, zero) count each side's units in a hex and fighting units next to it:
    the enemy's `held` and zone of control, kept as units move. Draws
    are numbered in the dice's table (`table`, `head`: `next_occurrence`); event rows go to
    `rows` (`ROW_...`: kind, unit, hex, then the kind's numbers), the paths moved to `steps`.
    With `reset_postures`, units on the map that stood still take their own posture again (a
    unit in the water stays exposed). Returns (steps taken, rows written)."""
    for e in range(count):
        goal = entries[2, e]
        ground = u.side[entries[0, e]] % len(grounds)
        g = grounds[ground]
        slot = g.slot_of[goal]
        if slot < 0:
            slot = claim_slot(g.slot_of, g.used, g.times, g.costs, g.hexes, g.counts, goal)
            if slot < 0:
                return -1, ground
        slots[e] = slot
    neighbors = grounds[0].neighbors
    if count > 0:  # (the zones are read by the moves alone)
        occupy_all(u, occupied, zoned, neighbors)
    for i in range(u.hex.shape[0]):
        moved[i] = False
    taken, written = 0, 0
    for e in range(count):
        unit, kind, goal = entries[0, e], entries[1, e], entries[2, e]
        escape, slot = entries[3, e], slots[e]
        side = u.side[unit]
        enemy = 1 - side
        g = grounds[side % len(grounds)]
        c = values[side % len(values)]
        mined = mined0 if side == 0 else mined1
        held, zone = occupied[enemy], zoned[enemy]
        start = u.hex[unit]
        was_placed = u.arrived[unit] and not u.gone[unit] and start >= 0
        if kind == FLEE:
            taken, written = _flee(
                u, unit, goal, slot, g, c, held, zone, mined, w, control, night, hours, turn,
                keys, table, head, steps, taken, rows, written,
            )  # fmt: skip
        else:
            if kind == WITHDRAW:
                u.posture[unit] = _WITHDRAWAL
            taken, written = _move_one(
                u, unit, goal, slot, kind == GO_FREE, g, c, held, zone, mined, w, control, hours,
                night, turn, keys, table, head, steps, taken, rows, written,
            )  # fmt: skip
        here = u.hex[unit]
        moved[unit] = here != start
        if escape >= 0 and here == escape and g.edge[here] and u.men[unit] > 0:
            men = u.men[unit]
            u.men[unit] -= men
            u.escaped[unit] += men
            u.gone[unit] = True
            u.hex[unit] = -1
            rows[written, 0] = ROW_ESCAPED
            rows[written, 1] = unit
            rows[written, 2] = here
            rows[written, 3] = men
            rows[written, 4] = 1.0
            written += 1
        placed = u.arrived[unit] and not u.gone[unit] and u.hex[unit] >= 0
        if was_placed and (not placed or u.hex[unit] != start):
            _occupy(occupied, zoned, neighbors, side, start, not u.routed[unit], -1)
            if placed:
                _occupy(occupied, zoned, neighbors, side, u.hex[unit], not u.routed[unit], 1)
    if reset_postures:
        for i in range(u.hex.shape[0]):
            if u.posture[i] not in (_ATTACK, _WITHDRAWAL):
                continue  # (asked first: most units are in neither)
            if not (u.arrived[i] and not u.gone[i] and u.hex[i] >= 0):
                continue
            if not (moved[i] or u.routed[i] or u.crossing_hours[i] > 0):
                u.posture[i] = _HASTY if u.posture_home[i] == _ATTACK else u.posture_home[i]
    return taken, written


# called from Python once a phase, with the same bundles turn after turn: `resolved` skips
# numba's typing of them at each call
_move_phase = resolved(move_phase)


def _occupy_all_lists(u, occupied, zoned, neighbors):
    """`occupy_all` where the process interprets: the units' arrays read as lists (numpy's
    scalar access costs several times a list's). The same counts as the kernel's source (the
    marches of tests/test_movement_kernels.py, interpreted and compiled, hold them to one
    digest)."""
    placed = zip(
        u.hex.tolist(),
        u.side.tolist(),
        u.arrived.tolist(),
        u.gone.tolist(),
        u.routed.tolist(),
        strict=True,
    )
    for h, side, arrived, gone, routed in placed:
        if arrived and not gone and h >= 0:
            occupied[side][h] += 1
            if not routed:
                zone = zoned[side]
                for n in neighbors[h]:
                    if n >= 0:
                        zone[n] += 1


@kernel(interpreted=_occupy_all_lists, borrows=True)
def occupy_all(u, occupied, zoned, neighbors):
    """Count every unit on the map in `occupied` and, if it still fights, its zone of control
    in `zoned` (`_occupy`), as the enemy's `make` reads them: arrived, not gone, on a hex."""
    for i in range(u.hex.shape[0]):
        if u.arrived[i] and not u.gone[i] and u.hex[i] >= 0:
            _occupy(occupied, zoned, neighbors, u.side[i], u.hex[i], not u.routed[i], 1)


@kernel(borrows=True)
def _occupy(occupied, zoned, neighbors, side, h, fighting, change):
    """Count a unit of `side` in or out (`change` 1 or -1) of hex h: a hex the enemy may not
    enter, and, for a unit that still fights, its neighbours in its zone of control."""
    occupied[side][h] += change
    if fighting:
        for n in neighbors[h]:
            if n >= 0:
                zoned[side][n] += change


@kernel(borrows=True)
def _settle_to(g, slot, h):
    """Makes the times of the field in `slot` (`g.times[slot]`) final for hex h and every hex
    nearer its goal. (It returns nothing, so that it and its callers borrow their arrays:
    engine/kernels/jit.py `kernel(borrows=True)`.)"""
    if not g.done[slot][h]:
        settle(
            g.times[slot], g.done[slot], g.costs[slot], g.hexes[slot], g.counts[slot], g.enter,
            g.field_neighbors, h,
        )  # fmt: skip


@kernel(borrows=True)
def _flee(
    u, unit, rear, slot, g, c, held, zone, mined, w, control, night, hours, turn, keys, table,
    head, steps, taken, rows, written,
):  # fmt: skip
    """A routed unit runs for the `rear`; the river takes its toll; trapped (`is_trapped`),
    men slip away, surrender or die (`morale.surrender_trapped`, drawn at TRAPPED)."""
    here = u.hex[unit]
    if is_trapped(here, g.neighbors, g.passable, held, zone):
        occurrence = next_occurrence(table, head, turn, TRAPPED, unit, 0)
        place = (int(turn), TRAPPED, int(unit), 0, int(occurrence))
        slipped, surrendered = surrender_trapped(u, unit, night, hours, c, keys, place)
        if slipped:
            written = _row(rows, written, ROW_ESCAPED, unit, here, slipped)
        if surrendered:
            written = _row(rows, written, ROW_SURRENDERED, unit, here, surrendered)
        return taken, written
    was_dry = not g.water[here]
    taken, written = _move_one(
        u, unit, rear, slot, True, g, c, held, zone, mined, w, control, hours, night, turn,
        keys, table, head, steps, taken, rows, written,
    )  # fmt: skip
    there = u.hex[unit]
    if g.water[there] and was_dry and not g.bridge[there]:
        written = _drown_in(u, unit, there, g, c, turn, keys, table, head, rows, written)
    return taken, written


@kernel(borrows=True)
def _row(rows, written, kind, unit, h, number):
    """An event row of `kind` about `unit` at hex h with one number; returns the rows written."""
    rows[written, 0] = kind
    rows[written, 1] = unit
    rows[written, 2] = h
    rows[written, 3] = number
    rows[written, 4] = 0.0
    return written + 1


@kernel(borrows=True)
def _drown_in(u, unit, h, g, c, turn, keys, table, head, rows, written):
    """A routed unit floundering in the river of hex h, if it cannot be waded, loses men in the
    water (`drown`, drawn at DROWN, unit, river; `LAKE` for water that is no river)."""
    if g.fordable[h]:
        return written
    river = int(g.river[h])
    if river < 0:  # a lake
        river = LAKE
    occurrence = next_occurrence(table, head, turn, DROWN, unit, river)
    place = (int(turn), DROWN, int(unit), river, int(occurrence))
    lost = drown(u, unit, c.drown_share_routed_crossing, keys, place)
    if lost:
        written = _row(rows, written, ROW_DROWNED, unit, h, lost)
    return written


@kernel(borrows=True)
def _move_one(
    u, unit, goal, slot, ignore_zoc, g, c, held, zone, mined, w, control, hours, night, turn,
    keys, table, head, steps, taken, rows, written,
):  # fmt: skip
    """Spend the turn's `hours` moving `unit` toward `goal` down the field in `slot`: a crossing
    under way first (`_cross_on`), then `march`, placing its draws (MOVE_STEP or MINES, unit,
    hex) as it asks. A move of a hex or more writes a moved row (its path in `steps`), takes the
    attack posture (withdrawal when routed) and the hex it ends in for its side."""
    here = u.hex[unit]
    in_water = u.crossing_hours[unit] > 0
    if here == goal and not in_water:
        return taken, written  # there already, and on dry land
    first = taken
    steps[taken] = here
    taken += 1
    if in_water:
        hours, written = _cross_on(
            u, unit, slot, g, c, held, hours, turn, keys, table, head, rows, written
        )
        if hours < 0.0:
            return first, written  # still in the water
        if u.hex[unit] != here:  # turned back, and landed where it set out from
            here = u.hex[unit]
            steps[taken] = here
            taken += 1
    speed = float(u.speed_kmh[unit]) * (c.night_speed_factor if night else 1.0)
    _settle_to(g, slot, here)  # and so every hex on the way down from it
    times = g.times[slot]
    status, at, place = DONE, -1, (0, 0, 0, 0, 0)
    while True:
        status, at, hours, taken, written = march(
            u, unit, goal, hours, speed, times, g.enter, g.must_cross, g.neighbors, held, zone,
            mined, w.wire_lines, w.owner, w.mine_density, w.lane, g.water, ignore_zoc, c, keys,
            status, at, place, steps, taken, rows, written,
        )  # fmt: skip
        if status == DRAW_STEP:
            occurrence = next_occurrence(table, head, turn, MOVE_STEP, unit, at)
            place = (int(turn), MOVE_STEP, int(unit), int(at), int(occurrence))
        elif status == DRAW_MINES:
            occurrence = next_occurrence(table, head, turn, MINES, unit, at)
            place = (int(turn), MINES, int(unit), int(at), int(occurrence))
        else:
            break
    if taken - first < 2:
        return first, written
    here = steps[taken - 1]
    u.posture[unit] = _WITHDRAWAL if u.routed[unit] else _ATTACK
    rows[written, 0] = ROW_MOVED
    rows[written, 1] = unit
    rows[written, 2] = here
    rows[written, 3] = first
    rows[written, 4] = taken - first
    control[here] = u.side[unit]
    return taken, written + 1


@kernel(borrows=True)
def _cross_on(u, unit, slot, g, c, held, hours, turn, keys, table, head, rows, written):
    """Spend the turn's `hours` on the crossing `unit` is making (`turn_back`, `wade`; a routed
    unit turning round in a river it cannot wade drowns some, `_drown_in`). Returns (the hours
    left once on a bank, or -1 while still in the water, rows)."""
    here = u.hex[unit]
    _settle_to(g, slot, here)
    for n in g.neighbors[here]:
        if n >= 0 and not held[n] and not g.water[n]:
            _settle_to(g, slot, n)
    times = g.times[slot]
    turned = turn_back(u, unit, times, g.neighbors, held, g.water, g.enter)
    if turned and u.routed[unit]:
        written = _drown_in(u, unit, here, g, c, turn, keys, table, head, rows, written)
    in_water, left = wade(u, unit, hours)
    rows[written, 0] = ROW_CROSSING
    rows[written, 1] = unit
    rows[written, 2] = here
    rows[written, 3] = in_water
    rows[written, 4] = 1.0 if u.crossing_back[unit] else 0.0
    rows[written, 5] = 0.0
    written += 1
    if left < 0.0:
        return -1.0, written
    if not land(u, unit):
        rows[written - 1, 5] = 1.0  # across: the side has crossed the river
    return left, written


@kernel(borrows=True)
def _enter(u, unit, here, steps, taken):
    """`unit` steps into `here`: noted as the march's next hex (`steps`); the hexes noted."""
    steps[taken] = here
    u.hex[unit] = here
    return taken + 1


@kernel(borrows=True)
def _may_strike_mines(here, mined, mine_density, lane, c):
    """Whether entering `here` may strike mines laid by the other side (`mined`): a draw."""
    return bool(
        mined[here]
        and mine_share(mine_density[here], lane[here], c.mine_footprint_m, c.lane_mine_factor) > 0.0
    )


@kernel(borrows=True)
def march(
    u,
    unit,
    goal,
    hours,
    speed,
    times,
    enter,
    must_cross,
    neighbors,
    held,
    zone,
    mined,
    wire_lines,
    owner,
    mine_density,
    lane,
    water,
    ignore_zoc,
    c,
    keys,
    pending,
    at,
    place,
    steps,
    taken,
    rows,
    written,
):
    """Spend `hours` moving `unit` from where it stands toward `goal` down the time field `times`
    (final from its hex down): never into a `held` hex, a stop on entering the enemy's `zone`
    (unless `ignore_zoc`), a river entered by a crossing (`enter` hours whatever the marching
    speed: the unit stops in the water while it takes longer than the turn has left), the
    enemy's wire (`wire_crossing_hours_per_line` a line) and minefields (`mined`: laid by the
    other side) on the way; other hexes at `enter` / `speed` hours.

    A step the turn has not time enough left for is taken with the chance hours left / its
    hours, so that a unit covers on average one hex per step's hours at any turn length (always
    taking a first step, and never a later one, moved infantry 4 hexes an hour in 15-minute turns
    and 2 in 1-hour ones for 2.8 by the ground). That draw (MOVE_STEP, unit, hex) and a
    minefield's (MINES, unit, hex) are counted by the caller: the kernel returns DRAW_STEP or
    DRAW_MINES with the hex `at`, and is called again with `pending` that status and the place
    counted, to draw there and go on. Hexes entered go to `steps` (from `taken`), crossings and
    minefields struck to `rows` (from `written`). Returns (status, at, hours left, taken,
    written)."""
    here = u.hex[unit]
    enemy = 1 - u.side[unit]
    if pending == DRAW_STEP:
        cost = _step_hours(enter, speed, wire_lines, owner, enemy, c, at)
        if uniform_at(keys, place, 0) >= hours / cost:
            return DONE, at, hours, taken, written
        hours -= hours
        here = at
        taken = _enter(u, unit, here, steps, taken)
        if _may_strike_mines(here, mined, mine_density, lane, c):
            return DRAW_MINES, here, hours, taken, written
        if not ignore_zoc and zone[here]:
            return DONE, at, hours, taken, written
    elif pending == DRAW_MINES:
        written = _strike_mines(
            u, unit, here, mine_density, lane, water, c, keys, place, rows, written
        )
        if not ignore_zoc and zone[here]:
            return DONE, at, hours, taken, written
    while hours > 1e-9 and here != goal:
        nxt = next_step(neighbors, here, held, times)
        if nxt < 0:
            break
        if must_cross[nxt]:
            crossing = enter[nxt]  # crossing time does not depend on marching speed
            u.crossing_from[unit] = here
            u.crossing_back[unit] = False
            here = nxt
            taken = _enter(u, unit, here, steps, taken)
            spent = min(hours, crossing)
            hours -= spent
            u.crossing_hours[unit] = crossing - spent
            landed = not u.crossing_hours[unit] > 1e-9
            rows[written, 0] = ROW_CROSSING
            rows[written, 1] = unit
            rows[written, 2] = here
            rows[written, 3] = u.crossing_hours[unit]
            rows[written, 4] = 0.0  # not turned back
            rows[written, 5] = 1.0 if landed else 0.0
            written += 1
            if not landed:
                break
            u.crossing_hours[unit] = 0.0
            u.crossing_from[unit] = -1
            continue
        cost = _step_hours(enter, speed, wire_lines, owner, enemy, c, nxt)
        if cost > hours:
            return DRAW_STEP, nxt, hours, taken, written
        hours -= cost
        here = nxt
        taken = _enter(u, unit, here, steps, taken)
        if _may_strike_mines(here, mined, mine_density, lane, c):
            return DRAW_MINES, here, hours, taken, written
        if not ignore_zoc and zone[here]:
            break
    return DONE, at, hours, taken, written


@kernel(borrows=True)
def _step_hours(enter, speed, wire_lines, owner, enemy, c, h):
    """Hours to march into hex h (not a river): the ground at the unit's speed, and the enemy's
    uncut wire there (`wire_crossing_hours`)."""
    cost = enter[h] / speed
    wire = wire_lines[h]
    if wire > 0.0 and owner[h] == enemy:
        cost += wire_hours(wire, c.wire_crossing_hours_per_line)
    return cost


@kernel(borrows=True)
def _strike_mines(u, unit, h, mine_density, lane, water, c, keys, place, rows, written):
    """Men of `unit` entering the minefield of hex h are hit: each man with the chance
    `mine_share`, a binomial draw at `place` (all of them when the chance is 1), killed and
    wounded as any casualties (`take_casualties`, from the place's next uniform). A row: hex,
    share, killed, wounded, the leader fell."""
    share = mine_share(mine_density[h], lane[h], c.mine_footprint_m, c.lane_mine_factor)
    men = int(u.men[unit])
    expected = men * share
    hit, k = 0, 0
    if men > 0 and expected > 0.0:
        p = expected / men
        if p >= 1.0:
            hit = men
        else:
            hit = binomial(men, p, uniform_at(keys, place, 0))
            k = 1
    killed, wounded, leader_killed, k = take_casualties(
        u, water, unit, hit, c.killed_fraction, c, keys, place, k
    )
    rows[written, 0] = ROW_MINES
    rows[written, 1] = unit
    rows[written, 2] = h
    rows[written, 3] = share
    rows[written, 4] = killed
    rows[written, 5] = wounded
    rows[written, 6] = 1.0 if leader_killed else 0.0
    return written + 1


@kernel(borrows=True)
def turn_back(u, unit, times, neighbors, held, water, enter):
    """Whether `unit`, in the water, turns round toward the bank it set out from: the way on now
    lies behind it (the quickest dry neighbour not held by the enemy is where it came from, and
    no farther from the goal than the river). Turning, it has as far back as it has come."""
    here = u.hex[unit]
    came_from = u.crossing_from[unit]
    if came_from < 0 or u.crossing_back[unit]:
        return False
    best, lowest = -1, np.inf
    for n in neighbors[here]:
        if n < 0:
            continue
        if held[n] or water[n]:
            continue
        if best < 0 or times[n] < lowest or (times[n] == lowest and n < best):
            best, lowest = n, times[n]
    if best != came_from or not times[came_from] <= times[here]:
        return False
    u.crossing_back[unit] = True
    u.crossing_hours[unit] = max(enter[here] - u.crossing_hours[unit], 0.0)
    return True


@kernel(borrows=True)
def wade(u, unit, hours):
    """Spend `hours` on `unit`'s crossing (men pinned by fire make no way: `suppression`).
    Returns (the crossing's hours left after them, the turn's hours left once out of the water
    or -1 while still in it)."""
    pinned = u.suppression[unit]
    spent = min(hours, u.crossing_hours[unit] / max(1.0 - pinned, 1e-6))
    in_water = max(0.0, u.crossing_hours[unit] - spent * (1.0 - pinned))
    u.crossing_hours[unit] = in_water
    if in_water > 1e-9:
        return in_water, -1.0
    u.crossing_hours[unit] = 0.0
    return in_water, hours - spent


@kernel(borrows=True)
def land(u, unit):
    """`unit` out of the water: back on the bank it set out from (True) or across (False)."""
    came_from = u.crossing_from[unit]
    u.crossing_from[unit] = -1
    if u.crossing_back[unit]:
        u.crossing_back[unit] = False
        u.hex[unit] = came_from
        return True
    return False


def _crossing_event(state: GameState, unit: int, here: int, hours: float, back: bool) -> Crossing:
    """A crossing under way or just made at `here`, with `hours` of it left."""
    board, u = state.board, state.units
    river = int(board.river[here])
    return Crossing(
        state.turn,
        u.ids[unit],
        board.label(here),
        board.river_ids[river] if river >= 0 else "water",
        round(float(hours), 3),
        back,
    )


def _drown(state: GameState, unit: int, river: int, coefficients, events: list[Event]) -> None:
    """A routed unit floundering in a river that cannot be waded loses men in the water (the
    kernel `drown`)."""
    fordable = state.board.river_fordable[river] if river >= 0 else False
    if fordable:
        return
    place = state.dice.draw_place(state.turn, DROWN, unit, river if river >= 0 else LAKE)
    share = coefficients.drown_share_routed_crossing
    lost = drown(unit_arrays(state.units), unit, share, state.dice.key_words, place)
    if lost:
        events.append(Drowned(state.turn, state.units.ids[unit], int(lost)))


@kernel(borrows=True)
def drown(u, unit, share, keys, place):
    """Each man of `unit` is lost in the water with the chance `share` (a binomial at `place`);
    a unit left with none is gone. Returns the men lost."""
    lost = min(binomial(int(u.men[unit]), share, uniform_at(keys, place, 0)), int(u.men[unit]))
    if lost > 0:
        u.men[unit] -= lost
        u.drowned[unit] += lost
    else:
        lost = 0
    if u.men[unit] <= 0:
        u.gone[unit] = True
    return lost


def _note_crossed(state: GameState, side: int, river: int, turn: int | None = None) -> None:
    """The first turn a unit of `side` crossed `river` (this turn, or `turn`)."""
    if river >= 0:
        state.crossed_turn.setdefault((side, river), state.turn if turn is None else turn)


def mine_casualty_share(state: GameState, hex_index: int, coefficients) -> float:
    """Share of men crossing the hex's minefield who are hit, given any lane opened through it
    (the kernel `mine_share`)."""
    w = state.works
    return float(
        mine_share(
            float(w.mine_density[hex_index]),
            float(w.lane[hex_index]),
            coefficients.mine_footprint_m,
            coefficients.lane_mine_factor,
        )
    )


@kernel(borrows=True)
def mine_share(density, lane, mine_footprint_m, lane_mine_factor):
    """Share of men crossing a minefield of `density` who are hit, given a lane opened over the
    share `lane` of its depth.

    `density` is the field's linear density (mines per metre of front, counting every row of
    its depth: US FM 20-32's measure), so a man walking straight through the field's depth meets
    on average density × mine_footprint_m mines and is hit with probability
    p = 1 - exp(-density × mine_footprint_m). A lane opened over a share `lane` of the depth
    leaves that share at lane_mine_factor of it and the rest untouched:
    p × (1 - lane × (1 - lane_mine_factor))."""
    if density <= 0.0:
        return 0.0
    share = 1.0 - np.exp(-density * mine_footprint_m)
    return share * (1.0 - lane * (1.0 - lane_mine_factor))


def wire_crossing_hours(lines: float, coefficients) -> float:
    """Hours a unit needs to get through `lines` uncut lines of the enemy's wire outside an
    assault (the kernel `wire_hours`)."""
    return wire_hours(lines, coefficients.wire_crossing_hours_per_line)


@kernel(borrows=True)
def wire_hours(lines, hours_per_line):
    """Hours to get through `lines` uncut lines of wire outside an assault, crawling under,
    cutting by hand or throwing coats over it: lines × the hours a line."""
    return lines * hours_per_line


def _minefields_against(state: GameState, side: int) -> np.ndarray:
    """Whether each hex is one where men of `side` walk into a minefield laid by the other side
    (their own they know). Works are laid before play and never change hands, so this is found
    once a game."""
    cache = _CACHE.of(state)
    found = cache.get("minefields_against")
    if found is None:
        w = state.works
        laid = (w.mine_density > 0.0) & (w.owner >= 0)
        found = cache["minefields_against"] = tuple(_plain(laid & (w.owner != s)) for s in (0, 1))
    return found[side]
