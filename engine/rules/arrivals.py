"""Reinforcements arriving (at a time, or in a window of hours) and scheduled air strikes: the
scenario's timetable."""

from __future__ import annotations

from ..core.dice import AIR_STRIKE, SETUP_ARRIVAL_WINDOW, roll
from ..core.events import AirStrike, Arrived, Event
from ..core.state import GameState
from .casualties import apply_casualties, draw_casualties
from .movement import enemy_zone
from .protection import product, vulnerability


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


def arrivals(state: GameState, events: list[Event]) -> None:
    u, board = state.units, state.board
    for reinforcement, unit_ids in arrival_turns(state).get(state.turn, []):
        entry = board.resolve(reinforcement.at)
        for unit_id in unit_ids:
            i = u.ids.index(unit_id)
            at = _entry_hex(state, entry, int(u.side[i]))
            u.arrived[i] = True
            u.hex[i] = at
            events.append(Arrived(state.turn, unit_id, board.label(at), int(u.men[i])))


def _entry_hex(state: GameState, entry: int, side: int) -> int:
    """Where a reinforcement comes on: its entry hex, or, when the enemy holds that hex, the
    nearest dry, passable hex the enemy does not hold (nearest first, then the lowest hex
    number), so that two sides never share a hex."""
    board = state.board
    held, _ = enemy_zone(state, side)
    if entry not in held:
        return entry
    distance = board.distances_from(entry)
    free = [
        h for h in range(board.size) if h not in held and board.passable[h] and not board.water[h]
    ]
    return min(free, key=lambda h: (int(distance[h]), h)) if free else entry


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
    bullets from the air (the "shell" exposure: men in the open or in the water suffer most)."""
    u, board = state.units, state.board
    for number, strike in enumerate(_due(state, "air_strikes") + _on_call_now(state)):
        side = state.side_index(strike.side)
        centre = board.resolve(strike.target)
        near = board.distances_from(centre) <= strike.radius_hexes
        targets = [
            t
            for t in range(u.count)
            if u.arrived[t]
            and not u.gone[t]
            and u.hex[t] >= 0
            and u.side[t] != side
            and near[u.hex[t]]
            and u.men[t] > 0
        ]
        total_men = sum(int(u.men[t]) for t in targets)
        casualties: dict[str, int] = {}
        modifiers: dict[str, float] = {}
        by_side = state.side_coefficients or (coefficients, coefficients)
        for t in targets:
            # what the strike does to a unit reads the struck unit's side's values
            coefficients = by_side[int(u.side[t])]
            exposure = vulnerability(state, t, coefficients, "shell")
            expected = (
                strike.sorties
                * coefficients.air_casualties_per_sortie
                * int(u.men[t])
                / total_men
                * product(exposure)
            )
            modifiers[u.ids[t]] = round(product(exposure), 4)
            rng = roll(state, AIR_STRIKE, t, number)
            hit = draw_casualties(rng, int(u.men[t]), expected)
            apply_casualties(state, t, hit, coefficients, events, rng=rng)
            u.suppression[t] = min(
                1.0,
                float(u.suppression[t]) + strike.sorties * coefficients.air_suppression_per_sortie,
            )
            shaken = strike.sorties * coefficients.air_morale_loss_per_sortie
            u.morale[t] = max(0.0, float(u.morale[t]) - shaken)
            if hit:
                casualties[u.ids[t]] = hit
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
