"""Reinforcements arriving (at a time, or in a window of hours) and scheduled air strikes: the
scenario's timetable."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..core.board import hex_distance
from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import AIR_STRIKE, SETUP_ARRIVAL_WINDOW, has_room, next_occurrence
from ..core.events import AirStrike, Arrived, Event, LeaderKilled
from ..core.state import GameState
from ..kernels.jit import kernel, resolved
from .casualties import draw_disabled, take_casualties
from .protection import exposure, exposure_factors


def arrival_turns(state: GameState) -> dict[int, list[tuple[object, list[str]]]]:
    """This game's reinforcement timetable: turn -> [(reinforcement, the unit ids arriving)].
    A fixed time is the turn it falls in; a window (`time` to `latest`) gives one turn drawn
    uniformly among the turns it covers, from the seed (`arrival: drawn`), or each unit its
    own turn, evenly spread over the window in the listed order (`arrival: spread`). Worked out
    once per game (the fixed part once per scenario) and kept on the state."""
    if state.arrival_table is not None:
        return state.arrival_table
    table: dict[int, list[tuple[object, list[str]]]] = {}
    for number, entry in enumerate(state.scenario.reinforcements):
        first = state.turn_of(entry.time)
        if entry.latest is None:
            table.setdefault(first, []).append((entry, list(entry.units)))
            continue
        last = max(state.turn_of(entry.latest), first)
        if entry.arrival == "spread":
            count = len(entry.units)
            for k, unit_id in enumerate(entry.units):
                turn = first + (round(k * (last - first) / (count - 1)) if count > 1 else 0)
                table.setdefault(turn, []).append((entry, [unit_id]))
        else:
            draw = state.dice.at(0, SETUP_ARRIVAL_WINDOW, number)
            turn = draw.integers(first, last + 1)
            table.setdefault(turn, []).append((entry, list(entry.units)))
    state.arrival_table = table
    return table


def arrival_rows(state: GameState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This game's timetable (`arrival_turns`) as the kernel `arrive` reads it: (turn, unit,
    entry hex), a row for each unit in the order the units come on. Made once per game, with
    the timetable, and kept on the state."""
    if not state.arrival_rows:
        ids, board = state.units.ids, state.board
        rows = [
            (turn, ids.index(unit_id), board.resolve(reinforcement.at))
            for turn, arriving in sorted(arrival_turns(state).items())
            for reinforcement, unit_ids in arriving
            for unit_id in unit_ids
        ]
        table = np.array(rows, np.int64).reshape(len(rows), 3)
        state.arrival_rows = (table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())
    return state.arrival_rows  # type: ignore[return-value]


def _arrival_due(state: GameState) -> tuple[tuple[np.ndarray, ...], list[bool]]:
    """The game's timetable as rows (`arrival_rows`) and, by turn, whether any unit of it comes
    on then (a list: this turn's check in Python reads one item; a compiled turn reads the
    rows' turns, as `arrive` does): made once per game, kept on the state with the rows it is
    made from."""
    kept = state.__dict__.get("_arrival_due")
    if kept is None or kept[0] is not state.arrival_rows:
        rows = arrival_rows(state)
        turns = rows[0]
        due = np.zeros(int(turns.max(initial=-1)) + 1, np.bool_)
        due[turns[turns >= 0]] = True
        kept = state.__dict__["_arrival_due"] = (rows, due.tolist())
    return kept


def arrivals(state: GameState, events: list[Event]) -> None:
    """The reinforcements due this turn come on (the kernel `arrive`), each reported (where the
    game's events are kept: `state.record_events`)."""
    kept = state.__dict__.get("_arrival_due")
    if kept is None or kept[0] is not state.arrival_rows:
        kept = _arrival_due(state)
    rows, due = kept
    if not (state.turn < len(due) and due[state.turn]):  # (most turns: no call at all)
        return
    turns, units, entries = rows
    u, board = state.units, state.board
    arrived = np.zeros((len(turns), 2), np.int64)
    count = _arrive(unit_arrays(u), board.arrays, turns, units, entries, state.turn, arrived)
    if not state.record_events:  # (a batch's turn: told to nobody)
        return
    for i, at in arrived[:count].tolist():
        events.append(Arrived(state.turn, u.ids[i], board.label(at), int(u.men[i])))


@kernel(borrows=True)
def arrive(u, b, turns, units, entries, turn, arrived) -> int:
    """The units of the timetable's rows (`turns`, `units`, `entries`) due at `turn` come on,
    in the rows' order, each at its entry hex or the nearest free one (`entry_hex`), which
    sees those that came on before it. A row of `arrived` (unit, hex) for each; returns how
    many."""
    count = 0
    for k in range(len(turns)):
        if turns[k] != turn:
            continue
        i = units[k]
        at = entry_hex(u, b, entries[k], u.side[i])
        u.arrived[i] = True
        u.hex[i] = at
        arrived[count, 0] = i
        arrived[count, 1] = at
        count += 1
    return count


# called from Python with a game's bundles: `resolved` tells a new game's alike element by element
_arrive = resolved(arrive)


@kernel
def entry_hex(u, b, entry, side) -> int:
    """Where a reinforcement of `side` comes on: its entry hex, or, when the enemy holds that
    hex, the nearest dry, passable hex the enemy does not hold (nearest first, then the lowest
    hex number), so that two sides never share a hex (the entry itself when there is none)."""
    held = np.zeros(len(b.q), np.bool_)  # hexes the enemy's units in the fight stand in
    for i in range(len(u.hex)):
        h = u.hex[i]
        if u.side[i] != side and h >= 0 and u.arrived[i] and not u.gone[i]:
            held[h] = True
    if not held[entry]:
        return entry
    nearest, nearest_steps = entry, -1
    for h in range(len(b.q)):
        if held[h] or not b.passable[h] or b.water[h]:
            continue
        steps = hex_distance(b.q, b.r, entry, h)
        if nearest_steps < 0 or steps < nearest_steps:
            nearest, nearest_steps = h, steps
    return nearest


# The scenario's air strikes as the kernels read them, made once for every game of the scenario
# (kept on the board those games share): the strikes at an hour (`time`) first, then those on
# call (`on_call_until`), each in the scenario's order, which is the order a turn flies them in.
StrikeTables = namedtuple(
    "StrikeTables",
    (
        "strikes",  # the scenario's entries, in the order above (for the events)
        "first",  # int64: the turn of its time (on call: its window's first turn)
        "last",  # int64: its window's last turn (at an hour: `first`)
        "on_call",  # bool
        "side",  # int64: the striking side
        "sorties",  # int64
        "centre",  # int64: the hex aimed at
        "near",  # bool, strikes x hexes: the hexes it strikes (within its radius of the centre)
        "flying",  # bool, by turn: whether any strike may come (its turn, or in its window)
    ),
)


def strike_tables(state: GameState) -> StrikeTables:
    """The scenario's `StrikeTables`, made at the first asking for all its games."""

    def make() -> StrikeTables:
        board = state.board
        listed = state.scenario.air_strikes
        strikes = [s for s in listed if s.on_call_until is None]
        strikes += [s for s in listed if s.on_call_until is not None]
        first = [state.turn_of(s.time) for s in strikes]
        last = [
            state.turn_of(s.on_call_until) if s.on_call_until is not None else turn
            for s, turn in zip(strikes, first, strict=True)
        ]
        centres = [board.resolve(s.target) for s in strikes]
        near = np.zeros((len(strikes), board.size), np.bool_)
        for n, (strike, centre) in enumerate(zip(strikes, centres, strict=True)):
            near[n] = board.distances_from(centre) <= strike.radius_hexes
        flying = np.zeros(max([0, *[t + 1 for t in last]]), np.bool_)
        for a, b in zip(first, last, strict=True):
            flying[max(a, 0) : max(b + 1, 0)] = True
        return StrikeTables(
            tuple(strikes),
            np.array(first, np.int64),
            np.array(last, np.int64),
            np.array([s.on_call_until is not None for s in strikes], np.bool_),
            np.array([state.side_index(s.side) for s in strikes], np.int64),
            np.array([s.sorties for s in strikes], np.int64),
            np.array(centres, np.int64),
            near,
            flying,
        )

    return state.board.shared("strike_tables", make)


@kernel(borrows=True)
def strikes_due(first, last, on_call, side, near, unit_side, positions, ledger, filled, turn, due):
    """The strikes (`StrikeTables`) that come at `turn`, by number in `due`, in the tables'
    order; returns how many. A strike at an hour comes at its turn. An on-call strike comes in
    its window (`first`..`last`) at the first turn of it that begins with enemy units with men in
    its area (`near`): read from where the units stood at each turn's start (`positions`, the
    position ledger, and `ledger`, the units' ledger: its men row; `filled` rows of them), so
    the rules keep no memory of their own."""
    count = 0
    for s in range(len(first)):
        if not on_call[s]:
            if first[s] == turn:
                due[count] = s
                count += 1
            continue
        if not first[s] <= turn <= last[s]:
            continue
        for k in range(first[s], min(turn + 1, filled)):  # the window's first turn with targets
            if _targets_at(positions[k], ledger[k, 0], unit_side, side[s], near[s]):
                if k == turn:
                    due[count] = s
                    count += 1
                break
    return count


# called from Python on the turns a strike may come, with the same tables and ledgers
_strikes_due = resolved(strikes_due)


@kernel(borrows=True)
def _targets_at(where, men, unit_side, side, near) -> bool:
    """Whether a unit not of `side` with men stood (`where`, -1 off the map) in a hex `near`."""
    for i in range(len(where)):
        h = where[i]
        if h >= 0 and unit_side[i] != side and men[i] > 0 and near[h]:
            return True
    return False


def air_strikes(state: GameState, coefficients, events: list[Event]) -> None:
    """Each sortie disables men in the target area in proportion to their exposure to bombs and
    bullets from the air (the "shell" exposure: men in the open or in the water suffer most).
    The strikes due this turn are found by the kernel `strikes_due` over the scenario's tables
    (a turn no strike may come at costs a look-up); the kernel `strike_all` flies them all."""
    tables = strike_tables(state)
    turn = state.turn
    if not (turn < len(tables.flying) and tables.flying[turn]):
        return
    u, board = state.units, state.board
    due = np.zeros(len(tables.strikes), np.int64)
    count = _strikes_due(
        tables.first,
        tables.last,
        tables.on_call,
        tables.side,
        tables.near,
        u.side,
        state.position_rows,
        state.ledger_rows,
        state.ledger_turns,
        turn,
        due,
    )
    if not count:
        return
    chosen = due[:count]
    by_side = state.side_coefficients or (coefficients, coefficients)
    rows = np.zeros((count * u.count, STRIKE_COLUMNS))
    dice = state.dice
    table, head = dice.table, dice.head
    while True:
        struck_count = _strike_all(
            unit_arrays(u),
            works_arrays(state.works),
            board.cover,
            board.water,
            tables.side[chosen],
            tables.sorties[chosen],
            tables.near[chosen],
            by_side[0].values(),
            by_side[1].values(),
            state.dice.key_words,
            turn,
            table,
            head,
            rows,
        )
        if struck_count >= 0:
            break
        # the kernel said the table is full (nothing done): grow it for every draw it may make
        table, head = dice.room(turn, count * u.count)
    struck = rows[:struck_count].tolist()
    for number, s in enumerate(chosen.tolist()):
        strike = tables.strikes[s]
        casualties: dict[str, int] = {}
        modifiers: dict[str, float] = {}
        for row in struck:
            if row[STRIKE] != number:
                continue
            t = int(row[STRUCK])
            if row[STRIKE_LEADER]:
                events.append(LeaderKilled(turn, u.ids[t], u.leader_names[t] or "commander"))
            modifiers[u.ids[t]] = round(row[STRIKE_EXPOSURE], 4)
            if row[STRIKE_HIT]:
                casualties[u.ids[t]] = int(row[STRIKE_HIT])
        if state.record_events:
            events.append(
                AirStrike(
                    turn,
                    strike.side,
                    board.label(int(tables.centre[s])),
                    strike.sorties,
                    casualties,
                    modifiers,
                )
            )


# Columns of `strike_all`'s rows, one per unit struck
STRIKE = 0  # the strike's number among the turn's
STRUCK = 1  # the unit
STRIKE_EXPOSURE = 2  # its shell exposure
STRIKE_HIT = 3  # its men hit
STRIKE_LEADER = 4  # 1 when its leader fell
STRIKE_COLUMNS = 5


@kernel(borrows=True)
def strike_all(u, w, cover, water, sides, sorties, near, c0, c1, keys, turn, table, head, rows):
    """The turn's air strikes, in order: strike s of side `sides[s]` with `sorties[s]` sorties
    on the hexes `near[s]` strikes every enemy unit there with men, sharing the casualties by
    men and exposure; it pins and shakes them. Each unit reads its own side's coefficients (c0,
    c1). Draws at AIR_STRIKE (unit, strike), numbered in the dice's table (`table`, `head`:
    `next_occurrence`). Fills a row of `rows` per unit struck (STRIKE_COLUMNS); returns how
    many; or -1, having changed nothing, when the dice's table has no room for a draw a strike
    and unit (`has_room`: the wrapper grows it with `Dice.room` and calls again)."""
    if not has_room(table, head, turn, len(sorties) * len(u.men)):
        return -1
    count = 0
    for s in range(len(sorties)):
        side = sides[s]
        first = count
        total_men = 0
        for t in range(len(u.men)):
            h = u.hex[t]
            if (
                u.arrived[t]
                and not u.gone[t]
                and h >= 0
                and u.side[t] != side
                and near[s, h]
                and u.men[t] > 0
            ):
                rows[count, STRIKE] = s
                rows[count, STRUCK] = t
                total_men += u.men[t]
                count += 1
        for r in range(first, count):
            t = int(rows[r, STRUCK])
            c = c0 if u.side[t] == 0 else c1  # the struck unit's side's values
            exposed = exposure(exposure_factors(u, w, cover, water, t, c, True))
            men = u.men[t]
            expected = sorties[s] * c.air_casualties_per_sortie * men / total_men * exposed
            occurrence = next_occurrence(table, head, turn, AIR_STRIKE, t, s)
            place = (turn, AIR_STRIKE, t, s, occurrence)
            hit, taken = draw_disabled(men, expected, keys, place, 0)
            _, _, leader_killed, taken = take_casualties(
                u, water, t, hit, c.killed_fraction, c, keys, place, taken
            )
            u.suppression[t] = min(
                1.0, u.suppression[t] + sorties[s] * c.air_suppression_per_sortie
            )
            u.morale[t] = max(0.0, u.morale[t] - sorties[s] * c.air_morale_loss_per_sortie)
            rows[r, STRIKE_EXPOSURE] = exposed
            rows[r, STRIKE_HIT] = hit
            rows[r, STRIKE_LEADER] = 1.0 if leader_killed else 0.0
    return count


# called from Python with a game's bundles and the sides' coefficients: `resolved` skips numba's
# typing of them
_strike_all = resolved(strike_all)
