"""Reinforcements arriving (at a time, or in a window of hours) and scheduled air strikes: the
scenario's timetable."""

from __future__ import annotations

import numpy as np

from ..core.board import hex_distance
from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import AIR_STRIKE, SETUP_ARRIVAL_WINDOW, next_occurrence
from ..core.events import AirStrike, Arrived, Event, LeaderKilled
from ..core.state import GameState
from ..kernels.jit import kernel
from .casualties import draw_disabled, take_casualties
from .protection import exposure, exposure_factors


def _due(state: GameState, kind: str) -> list:
    """The air strikes whose time falls in this turn (the timetable is worked out once for every
    game of the scenario, kept on the board those games share). On-call air strikes are not in the
    timetable (`_on_call_now`)."""

    def timetable() -> dict[int, list]:
        table: dict[int, list] = {}
        for entry in getattr(state.scenario, kind):
            if getattr(entry, "on_call_until", None) is None:
                table.setdefault(state.turn_of(entry.time), []).append(entry)
        return table

    return state.board.shared(("timetable", kind), timetable).get(state.turn, [])


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


def arrivals(state: GameState, events: list[Event]) -> None:
    """The reinforcements due this turn come on (the kernel `arrive`), each reported."""
    if state.turn not in arrival_turns(state):  # (most turns: no call at all)
        return
    turns, units, entries = arrival_rows(state)
    u, board = state.units, state.board
    arrived = np.zeros((len(turns), 2), np.int64)
    count = arrive(unit_arrays(u), board.arrays, turns, units, entries, state.turn, arrived)
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


def _on_call_now(state: GameState) -> list:
    """The on-call air strikes (`on_call_until`) that come this turn: those whose window is open
    and for which this is the first turn of the window that begins with enemy units in the target
    area. Read from where units stood at each turn's start (`position_ledger`), so the rules keep
    no memory of their own."""
    due = []
    for strike in state.board.shared(
        "on_call_strikes", lambda: [s for s in state.scenario.air_strikes if s.on_call_until]
    ):
        first, last = state.turn_of(strike.time), state.turn_of(strike.on_call_until)
        if not first <= state.turn <= last:
            continue
        side = state.side_index(strike.side)
        near = state.board.distances_from(state.board.resolve(strike.target)) <= strike.radius_hexes
        enemy = state.units.side != side

        def targets_at(k: int, near=near, enemy=enemy) -> bool:
            where = state.position_ledger[k]
            on = (where >= 0) & enemy & (state.ledger[k][0] > 0)
            return bool(near[where[on]].any())

        if targets_at(state.turn) and not any(targets_at(k) for k in range(first, state.turn)):
            due.append(strike)
    return due


def air_strikes(state: GameState, coefficients, events: list[Event]) -> None:
    """Each sortie disables men in the target area in proportion to their exposure to bombs and
    bullets from the air (the "shell" exposure: men in the open or in the water suffer most).
    The strikes due this turn are found here (the timetable, the on-call windows); the kernel
    `strike_all` flies them all."""
    strikes = _due(state, "air_strikes") + _on_call_now(state)
    if not strikes:
        return
    u, board = state.units, state.board
    centres = [board.resolve(strike.target) for strike in strikes]
    near = np.array(
        [
            board.distances_from(centre) <= strike.radius_hexes
            for strike, centre in zip(strikes, centres, strict=True)
        ],
        dtype=bool,
    ).reshape(len(strikes), board.size)
    by_side = state.side_coefficients or (coefficients, coefficients)
    table, head = state.dice.room(state.turn, len(strikes) * u.count)
    rows = np.zeros((len(strikes) * u.count, STRIKE_COLUMNS))
    count = strike_all(
        unit_arrays(u),
        works_arrays(state.works),
        board.cover,
        board.water,
        np.array([state.side_index(strike.side) for strike in strikes], np.int64),
        np.array([strike.sorties for strike in strikes], np.int64),
        near,
        by_side[0].values(),
        by_side[1].values(),
        state.dice.key_words,
        state.turn,
        table,
        head,
        rows,
    )
    struck = rows[:count].tolist()
    for number, (strike, centre) in enumerate(zip(strikes, centres, strict=True)):
        casualties: dict[str, int] = {}
        modifiers: dict[str, float] = {}
        for row in struck:
            if row[STRIKE] != number:
                continue
            t = int(row[STRUCK])
            if row[STRIKE_LEADER]:
                events.append(LeaderKilled(state.turn, u.ids[t], u.leader_names[t] or "commander"))
            modifiers[u.ids[t]] = round(row[STRIKE_EXPOSURE], 4)
            if row[STRIKE_HIT]:
                casualties[u.ids[t]] = int(row[STRIKE_HIT])
        if state.record_events:
            events.append(
                AirStrike(
                    state.turn,
                    strike.side,
                    board.label(centre),
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
    many."""
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
