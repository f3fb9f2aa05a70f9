"""Movement: time to cross each hex, quickest routes, zones of control, rivers and minefields.

Routes come from a "time to goal" field per goal hex, computed once per board (Dijkstra from the
goal outward, only as far out as the units using it stand) and cached on it, so a turn's moves are
table look-ups rather than searches: a battle asks for a handful of goals thousands of times.
Enemy units are not in the field; they are respected step by step (no entering an enemy hex, stop
on entering an enemy's zone of control).
"""

from __future__ import annotations

import heapq

import numpy as np

from ..core.board import Board
from ..core.events import Crossing, Drowned, Event, Moved
from ..core.state import POSTURE_INDEX, GameState
from .casualties import apply_casualties, draw_casualties, remove_men

INF = float("inf")


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
    for h in np.flatnonzero(board.water & ~board.bridge):
        river = int(board.river[h])
        width = board.river_width_m[river] if river >= 0 else board.hex_size_m
        fordable = board.river_fordable[river] if river >= 0 else False
        rate = (
            coefficients.ford_crossing_hours_per_100m
            if fordable
            else coefficients.river_crossing_hours_per_100m
        )
        hours[h] = rate * width / 100.0  # hours whatever the unit's marching speed
    hours[~board.passable] = INF
    cache[key] = hours
    return hours


def _cache(board: Board) -> dict:
    return board.memo.setdefault("routes", {})


class TimeField:
    """Time (at 1 km/h, by day) from each hex to one goal by the quickest route, worked out only
    as far as it is read.

    Dijkstra from the goal outward settles hexes in order of their time. A unit a few hexes from
    a new goal (most goals the computer gives are) needs only the hexes nearer the goal than
    itself, not the whole map, so the search pauses once the hexes asked about are settled and
    goes on when a farther one is asked about. `times` holds final values for settled hexes and
    upper bounds no lower than any settled time for the rest: a route walked downhill from a
    settled hex therefore compares only final values. (A plain list: routes read it a hex at a
    time, where numpy's scalar access is slow.)
    """

    __slots__ = ("_enter", "_neighbors", "_queue", "_settled", "times")

    def __init__(self, board: Board, goal: int, enter: list[float]) -> None:
        self.times = [INF] * board.size
        self.times[goal] = 0.0
        self._settled = [False] * board.size
        self._queue = [(0.0, goal)]
        self._enter = enter
        self._neighbors = board.neighbors

    def settled(self, *hexes: int) -> list[float]:
        """`times`, final for each of `hexes` and every hex nearer the goal than one of them."""
        for h in hexes:
            if not self._settled[h]:
                self._search(h)
        return self.times

    def complete(self) -> list[float]:
        """`times`, final for every hex."""
        if self._queue:
            self._search(-1)
        return self.times

    def _search(self, until: int) -> None:
        """Go on settling hexes, nearest the goal first, until `until` is settled (or all are)."""
        best, settled, queue = self.times, self._settled, self._queue
        enter, neighbors = self._enter, self._neighbors
        pop, push = heapq.heappop, heapq.heappush
        while queue:
            cost, h = pop(queue)
            if cost > best[h]:
                continue  # a stale entry: h was reached more quickly since
            settled[h] = True
            total = cost + enter[h]  # moving from a neighbour into h costs entering h
            if total != INF:
                for n in neighbors[h]:
                    if total < best[n]:
                        best[n] = total
                        push(queue, (total, n))
            if h == until:
                return


def _time_field(board: Board, goal: int, coefficients) -> TimeField:
    """The (partly worked out) time field toward `goal`, shared by all games on the board."""
    cache = _cache(board)
    key = (
        "field",
        goal,
        coefficients.river_crossing_hours_per_100m,
        coefficients.ford_crossing_hours_per_100m,
    )
    found = cache.get(key)
    if found is None:
        enter = _hex_hours_list(board, coefficients)
        found = cache[key] = TimeField(board, goal, enter)
    return found


def _hex_hours_list(board: Board, coefficients) -> list[float]:
    """`hex_hours_at_1kmh` as a plain list, for the searches that read it a hex at a time."""
    cache = _cache(board)
    key = (
        "enter_list",
        coefficients.river_crossing_hours_per_100m,
        coefficients.ford_crossing_hours_per_100m,
    )
    found = cache.get(key)
    if found is None:
        found = cache[key] = hex_hours_at_1kmh(board, coefficients).tolist()
    return found


def time_field(board: Board, goal: int, coefficients) -> list[float]:
    """Time (at 1 km/h, by day) from every hex to `goal`, by the quickest route."""
    return _time_field(board, goal, coefficients).complete()


def enemy_zone(state: GameState, side: int) -> tuple[set[int], set[int]]:
    """(hexes held by the enemy of `side`, hexes next to them); cached until units move."""
    u = state.units

    def make(previous):
        gone, arrived, routed = u.gone.tolist(), u.arrived.tolist(), u.routed.tolist()
        held = {
            h
            for h, their, i in zip(u.hex.tolist(), u.side.tolist(), range(u.count), strict=True)
            if their != side and h >= 0 and arrived[i] and not gone[i] and not routed[i]
        }
        if previous is not None and previous[0] == held:  # only the side's own units moved
            return previous
        return held, {n for h in held for n in state.board.neighbors[h]}

    return state.kept_while(("enemy_zone", side), (u.hex, u.gone, u.routed, u.arrived), make)


def next_step(board: Board, here: int, held: set[int], field: list[float]) -> int:
    """The neighbour a unit steps into on its way down a time field (never an enemy-held hex),
    or -1 when no step brings it closer."""
    options = [n for n in board.neighbors[here] if n not in held and field[n] < field[here]]
    if not options:
        return -1
    return min(options, key=lambda n: (field[n], n))


def route(state: GameState, unit: int, goal: int, limit: int = 400) -> list[int]:
    """The hexes a unit would walk from where it stands toward `goal`, step by step as
    `move_unit` does, whatever the time a turn allows (for the window's route preview)."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    if here < 0:
        return []
    held, _ = enemy_zone(state, int(u.side[unit]))
    field = _time_field(board, goal, state.coefficients).settled(here)
    path = [here]
    while here != goal and len(path) < limit:
        here = next_step(board, here, held, field)
        if here < 0:
            break
        path.append(here)
    return path


def reachable(state: GameState, unit: int) -> dict[int, float]:
    """Hexes `unit` can get to this turn, with the hours it takes: hex times at its speed, no
    entering enemy-held hexes, a stop on entering an enemy's zone of control, a stop in a river
    until across, and the first step always allowed, as in `move_unit`."""
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


def move_unit(
    state: GameState,
    unit: int,
    goal: int,
    coefficients,
    events: list[Event],
    *,
    ignore_zoc: bool = False,
) -> None:
    """Spend this turn's time moving `unit` toward `goal`, one hex at a time down the time field."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    if here == goal and not u.crossing_hours[unit] > 0:
        return  # there already, and on dry land (routed units at their rear, mostly)
    side = int(u.side[unit])
    hours = state.turn_hours
    speed = float(u.speed_kmh[unit]) * (
        coefficients.night_speed_factor if state.is_night() else 1.0
    )
    enter = hex_hours_at_1kmh(board, coefficients)
    held, zone = enemy_zone(state, side)
    path = [here]

    field = _time_field(board, goal, coefficients)
    if u.crossing_hours[unit] > 0:  # go on with a crossing; men pinned by fire make no way
        river = int(board.river[here])
        came_from = int(u.crossing_from[unit])
        onward = [n for n in board.neighbors[here] if n not in held and not board.water[n]]
        times = field.settled(here, *onward)
        wants_back = (
            came_from >= 0
            and not u.crossing_back[unit]
            and onward
            and min(onward, key=lambda n: (times[n], n)) == came_from
            and times[came_from] <= times[here]
        )
        if wants_back:  # turn round in the water: as far back as it has come
            u.crossing_back[unit] = True
            u.crossing_hours[unit] = max(float(enter[here]) - float(u.crossing_hours[unit]), 0.0)
            if u.routed[unit]:
                _drown(state, unit, river, coefficients, events)
        pinned = float(u.suppression[unit])
        spent = min(hours, float(u.crossing_hours[unit]) / max(1.0 - pinned, 1e-6))
        u.crossing_hours[unit] = max(0.0, float(u.crossing_hours[unit]) - spent * (1.0 - pinned))
        hours -= spent
        events.append(_crossing_event(state, unit, here))
        if u.crossing_hours[unit] > 1e-9:
            return
        u.crossing_hours[unit] = 0.0
        if u.crossing_back[unit]:  # back on the bank it set out from: not across
            u.crossing_back[unit] = False
            u.crossing_from[unit] = -1
            here = came_from
            path.append(here)
            u.hex[unit] = here
        else:
            u.crossing_from[unit] = -1
            _note_crossed(state, side, river)

    times = field.settled(here)  # and so every hex on the way down from it
    while hours > 1e-9 and here != goal:
        nxt = next_step(board, here, held, times)
        if nxt < 0:
            break
        if board.water[nxt] and not board.bridge[nxt]:
            crossing = float(enter[nxt])  # crossing time does not depend on marching speed
            u.crossing_from[unit] = here
            u.crossing_back[unit] = False
            here = nxt
            path.append(here)
            u.hex[unit] = here
            spent = min(hours, crossing)
            hours -= spent
            u.crossing_hours[unit] = crossing - spent
            river = int(board.river[here])
            events.append(_crossing_event(state, unit, here))
            if u.crossing_hours[unit] > 1e-9:
                break
            u.crossing_hours[unit] = 0.0
            u.crossing_from[unit] = -1
            _note_crossed(state, side, river)
            continue
        cost = float(enter[nxt]) / speed
        if cost > hours and len(path) > 1:
            break  # not enough time left this turn; a first step is always allowed
        hours -= cost
        here = nxt
        path.append(here)
        u.hex[unit] = here
        _enter_obstacles(state, unit, here, coefficients, events)
        if not ignore_zoc and here in zone:
            break
    if len(path) > 1:
        u.posture[unit] = (
            POSTURE_INDEX["attack"] if not u.routed[unit] else POSTURE_INDEX["withdrawal"]
        )
        events.append(Moved(state.turn, u.ids[unit], tuple(board.label(h) for h in path)))
        state.control[here] = side


def _crossing_event(state: GameState, unit: int, here: int) -> Crossing:
    board, u = state.board, state.units
    river = int(board.river[here])
    return Crossing(
        state.turn,
        u.ids[unit],
        board.label(here),
        board.river_ids[river] if river >= 0 else "water",
        round(float(u.crossing_hours[unit]), 3),
        bool(u.crossing_back[unit]),
    )


def _drown(state: GameState, unit: int, river: int, coefficients, events: list[Event]) -> None:
    """A routed unit floundering in a river that cannot be waded loses men in the water."""
    fordable = state.board.river_fordable[river] if river >= 0 else False
    if fordable:
        return
    u = state.units
    lost = int(state.rng.binomial(int(u.men[unit]), coefficients.drown_share_routed_crossing))
    lost = remove_men(state, unit, lost, "drowned")
    if lost:
        events.append(Drowned(state.turn, u.ids[unit], lost))
    if u.men[unit] <= 0:
        u.gone[unit] = True


def _note_crossed(state: GameState, side: int, river: int) -> None:
    if river >= 0:
        state.crossed_turn.setdefault((side, river), state.turn)


def mine_casualty_share(state: GameState, hex_index: int, coefficients) -> float:
    """Share of men crossing the hex's minefield who are hit, given any lane blown through it."""
    w = state.works
    density = float(w.mine_density[hex_index])
    if density <= 0.0:
        return 0.0
    share = 1.0 - float(np.exp(-density * coefficients.mine_footprint_m))
    lane = float(w.lane[hex_index])
    return share * (1.0 - lane * (1.0 - coefficients.lane_mine_factor))


def _enter_obstacles(state: GameState, unit: int, hex_index: int, coefficients, events) -> None:
    """Men entering a minefield laid by the other side are hit; own minefields are known."""
    owner = int(state.works.owner[hex_index])
    if owner < 0 or owner == int(state.units.side[unit]):
        return
    share = mine_casualty_share(state, hex_index, coefficients)
    if share > 0.0:
        men = int(state.units.men[unit])
        hit = draw_casualties(state.rng, men, men * share)
        apply_casualties(state, unit, hit, coefficients, events)
