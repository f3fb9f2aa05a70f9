"""Movement: time to cross each hex, quickest routes, zones of control, rivers and minefields.

Routes come from a "time to goal" field per goal hex, computed once per board (Dijkstra from the
goal outward, only as far out as the units using it stand) and cached on it, so a turn's moves are
table look-ups rather than searches: a battle asks for a handful of goals thousands of times.
Enemy units are not in the field; they are respected step by step (no entering an enemy hex, stop
on entering an enemy's zone of control).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from ..core.board import Board
from ..core.dice import DROWN, MINES, MOVE_STEP, roll
from ..core.events import Crossing, Drowned, Event, Moved
from ..core.state import POSTURE_INDEX, GameState, PerGame
from .casualties import apply_casualties, draw_casualties, remove_men
from .engineering import MineStruck

INF = float("inf")
_ATTACK = POSTURE_INDEX["attack"]
_WITHDRAWAL = POSTURE_INDEX["withdrawal"]
_CACHE = PerGame()  # movement's caches for each game: the enemy's zone, minefields against a side


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

    Dijkstra from the goal outward settles hexes in order of their time. A unit a few hexes from
    a new goal (most goals the computer gives are) needs only the hexes nearer the goal than
    itself, not the whole map, so the search pauses once the hexes asked about are settled and
    goes on when a farther one is asked about. `times` holds final values for settled hexes and
    upper bounds no lower than any settled time for the rest: a route walked downhill from a
    settled hex therefore compares only final values. (A plain list: routes read it a hex at a
    time, where numpy's scalar access is slow.)
    """

    __slots__ = ("_enter", "_neighbors", "_queue", "_settled", "times")

    def __init__(
        self, goal: int, enter: list[float], neighbors: tuple[tuple[int, ...], ...]
    ) -> None:
        self.times = [INF] * len(enter)
        self.times[goal] = 0.0
        self._settled = [False] * len(enter)
        self._queue = [(0.0, goal)]
        self._enter = enter
        self._neighbors = neighbors

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


@dataclass(frozen=True)
class _Ground:
    """What movement reads of a board a hex at a time, for one pair of river-crossing rates: plain
    lists (numpy's scalar access is slow), and the time fields toward each goal asked for."""

    enter: list[float]  # hours to enter each hex at 1 km/h by day (`hex_hours_at_1kmh`)
    must_cross: list[bool]  # water without a bridge: entered by a crossing, not a march
    neighbors: tuple[tuple[int, ...], ...]
    fields: dict[int, TimeField]

    def field(self, goal: int) -> TimeField:
        """The (partly worked out) time field toward `goal`."""
        found = self.fields.get(goal)
        if found is None:
            found = self.fields[goal] = TimeField(goal, self.enter, self.neighbors)
        return found


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
        found = cache[key] = _Ground(
            enter=hex_hours_at_1kmh(board, coefficients).tolist(),
            must_cross=(board.water & ~board.bridge).tolist(),
            neighbors=board.neighbors,
            fields={},
        )
    return found


def time_field(board: Board, goal: int, coefficients) -> list[float]:
    """Time (at 1 km/h, by day) from every hex to `goal`, by the quickest route."""
    return _ground(board, coefficients).field(goal).complete()


def enemy_zone(state: GameState, side: int) -> tuple[set[int], set[int]]:
    """(hexes the enemy of `side` stands in, hexes next to its units that still fight).

    A hex holds one side's units: nobody walks into a hex the enemy stands in, routed or not; it
    is taken by assault (a routed enemy there does not fight, and falls back or is captured).
    Only units that still fight exert a zone of control: a routed one stops nobody."""
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
        if previous is not None and previous[2] == fighting and previous[0] == held:
            return previous  # only the side's own units moved
        return held, {n for h in fighting for n in state.board.neighbors[h]}, fighting

    held, zone, _ = _CACHE.kept_while(
        state, ("enemy_zone", side), (u.hex, u.gone, u.routed, u.arrived), make
    )
    return held, zone


def trapped(state: GameState, unit: int) -> bool:
    """Whether a routed `unit` has no way to run: no neighbouring hex it may enter that the
    enemy does not stand in, or every such hex and its own are in the enemy's zone. What a
    trapped unit does is morale.flee's; fire.broke_contact keeps one in contact."""
    board = state.board
    here = int(state.units.hex[unit])
    held, zone = enemy_zone(state, int(state.units.side[unit]))
    free = [n for n in board.neighbors[here] if n not in held and board.passable[n]]
    return not free or (all(n in zone for n in free) and here in zone)


def next_step(board: Board, here: int, held: set[int], field: list[float]) -> int:
    """The neighbour a unit steps into on its way down a time field (never an enemy-held hex),
    or -1 when no step brings it closer: the lowest time, the lowest hex number among equals."""
    step, lowest = -1, field[here]
    for n in board.neighbors[here]:
        time = field[n]
        if (time < lowest or (time == lowest and n < step)) and n not in held:
            step, lowest = n, time
    return step


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
        held, _ = enemy_zone(state, int(u.side[unit]))
    field = _ground(board, state.coefficients).field(goal).settled(here)
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
    in_water = u.crossing_hours[unit] > 0
    if here == goal and not in_water:
        return  # there already, and on dry land (routed units at their rear, mostly)
    side = int(u.side[unit])
    ground = _ground(board, coefficients)
    field = ground.field(goal)
    held, zone = enemy_zone(state, side)
    hours = state.turn_hours
    path = [here]
    if in_water:
        hours = _go_on_crossing(state, unit, field, held, hours, coefficients, events)
        if hours is None:
            return  # still in the water
        if int(u.hex[unit]) != here:  # turned back, and landed where it set out from
            here = int(u.hex[unit])
            path.append(here)

    speed = float(u.speed_kmh[unit]) * (
        coefficients.night_speed_factor if state.is_night() else 1.0
    )
    enter, must_cross = ground.enter, ground.must_cross
    mined = _minefields_against(state, side)
    wires, owners, enemy = state.works.wire_lines, state.works.owner, 1 - side
    times = field.settled(here)  # and so every hex on the way down from it
    while hours > 1e-9 and here != goal:
        nxt = next_step(board, here, held, times)
        if nxt < 0:
            break
        if must_cross[nxt]:
            crossing = enter[nxt]  # crossing time does not depend on marching speed
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
        cost = enter[nxt] / speed
        wire = wires.item(nxt)
        if wire > 0.0 and owners.item(nxt) == enemy:
            cost += wire_crossing_hours(wire, coefficients)
        if cost > hours:
            # Not time enough left this turn for the whole step: it is taken with the chance
            # hours / cost, so that a unit covers on average one hex per `cost` hours at any
            # turn length. (Always taking a first step, and never a later one, moved infantry
            # 4 hexes an hour in 15-minute turns and 2 in 1-hour ones for 2.8 by the ground.)
            if roll(state, MOVE_STEP, unit, nxt).random() >= hours / cost:
                break
            cost = hours
        hours -= cost
        here = nxt
        path.append(here)
        u.hex[unit] = here
        if here in mined:
            _enter_minefield(state, unit, here, coefficients, events)
        if not ignore_zoc and here in zone:
            break
    if len(path) > 1:
        u.posture[unit] = _WITHDRAWAL if u.routed[unit] else _ATTACK
        if state.record_events:
            events.append(Moved(state.turn, u.ids[unit], tuple(map(board.label, path))))
        state.control[here] = side


def _go_on_crossing(
    state: GameState,
    unit: int,
    field: TimeField,
    held: set[int],
    hours: float,
    coefficients,
    events: list[Event],
) -> float | None:
    """Spend the turn's `hours` on the crossing `unit` is making (men pinned by fire make no way),
    turning back if the way on now lies behind it; the hours left once on a bank, or None while
    still in the water."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    river = int(board.river[here])
    came_from = int(u.crossing_from[unit])
    water = board.water_list
    onward = [n for n in board.neighbors[here] if n not in held and not water[n]]
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
        enter = _ground(board, coefficients).enter
        u.crossing_hours[unit] = max(enter[here] - float(u.crossing_hours[unit]), 0.0)
        if u.routed[unit]:
            _drown(state, unit, river, coefficients, events)
    pinned = float(u.suppression[unit])
    spent = min(hours, float(u.crossing_hours[unit]) / max(1.0 - pinned, 1e-6))
    u.crossing_hours[unit] = max(0.0, float(u.crossing_hours[unit]) - spent * (1.0 - pinned))
    events.append(_crossing_event(state, unit, here))
    if u.crossing_hours[unit] > 1e-9:
        return None
    u.crossing_hours[unit] = 0.0
    if u.crossing_back[unit]:  # back on the bank it set out from: not across
        u.crossing_back[unit] = False
        u.crossing_from[unit] = -1
        u.hex[unit] = came_from
    else:
        u.crossing_from[unit] = -1
        _note_crossed(state, int(u.side[unit]), river)
    return hours - spent


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
    rng = roll(state, DROWN, unit, river)
    lost = rng.binomial(int(u.men[unit]), coefficients.drown_share_routed_crossing)
    lost = remove_men(state, unit, lost, "drowned")
    if lost:
        events.append(Drowned(state.turn, u.ids[unit], lost))
    if u.men[unit] <= 0:
        u.gone[unit] = True


def _note_crossed(state: GameState, side: int, river: int) -> None:
    if river >= 0:
        state.crossed_turn.setdefault((side, river), state.turn)


def mine_casualty_share(state: GameState, hex_index: int, coefficients) -> float:
    """Share of men crossing the hex's minefield who are hit, given any lane opened through it.

    `density_per_m` is the field's linear density (mines per metre of front, counting every row
    of its depth: US FM 20-32's measure), so a man walking straight through the field's depth
    meets on average density × mine_footprint_m mines and is hit with probability
    p = 1 - exp(-density × mine_footprint_m). A lane opened over a share `lane` of the depth
    leaves that share at lane_mine_factor of it and the rest untouched:
    p × (1 - lane × (1 - lane_mine_factor))."""
    w = state.works
    density = float(w.mine_density[hex_index])
    if density <= 0.0:
        return 0.0
    share = 1.0 - float(np.exp(-density * coefficients.mine_footprint_m))
    lane = float(w.lane[hex_index])
    return share * (1.0 - lane * (1.0 - coefficients.lane_mine_factor))


def wire_crossing_hours(lines: float, coefficients) -> float:
    """Hours a unit needs to get through `lines` uncut lines of the enemy's wire outside an
    assault, crawling under, cutting by hand or throwing coats over it: lines × this rate."""
    return lines * coefficients.wire_crossing_hours_per_line


def _minefields_against(state: GameState, side: int) -> frozenset[int]:
    """Hexes where men of `side` walk into a minefield laid by the other side (their own they
    know). Works are laid before play and never change hands, so this is found once a game."""
    cache = _CACHE.of(state)
    found = cache.get("minefields_against")
    if found is None:
        w = state.works
        laid = (w.mine_density > 0.0) & (w.owner >= 0)
        found = cache["minefields_against"] = tuple(
            frozenset(np.flatnonzero(laid & (w.owner != side)).tolist()) for side in (0, 1)
        )
    return found[side]


def _enter_minefield(state: GameState, unit: int, hex_index: int, coefficients, events) -> None:
    """Men entering a minefield laid by the other side are hit (see `_minefields_against`)."""
    share = mine_casualty_share(state, hex_index, coefficients)
    if share > 0.0:
        u = state.units
        men = int(u.men[unit])
        rng = roll(state, MINES, unit, hex_index)
        hit = draw_casualties(rng, men, men * share)
        killed, wounded = apply_casualties(state, unit, hit, coefficients, events, rng=rng)
        label = state.board.label(hex_index)
        events.append(MineStruck(state.turn, u.ids[unit], label, round(share, 4), killed, wounded))
