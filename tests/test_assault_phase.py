"""The turn's assault phase, one kernel call (`assault.assaults` over `assault_phase`): its stops
for a move into an empty hex and for the dice's table to grow leave the turn as it would be
without them (the goldens hold the whole turn; these the stops themselves)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.events import Assaulted, Moved
from engine.rules import assault
from engine.rules.turn import coefficients_of
from tests.test_rules_exact import battle, unit

RED_1, BLUE_1, RED_2, RED_3 = 0, 1, 2, 3


def phase_played(monkeypatch: pytest.MonkeyPatch, room: int) -> tuple[list, list, list, list]:
    """Three red units' assaults in a 3-hour turn, the dice's table grown by `room` rows first:
    red_1 on blue_1's hex, red_2 on an empty hex, red_3 on red_1's own. Returns (the events,
    the units' hexes and men, where the dice got to, each `assault_phase` call's stop)."""
    units = [
        unit("red_1", "red", (2, 1), 120),
        unit("blue_1", "blue", (3, 1), 40),
        unit("red_2", "red", (1, 0), 30),
        unit("red_3", "red", (1, 1), 30),
    ]
    state = battle(units=units, turn_minutes=180)
    u, board = state.units, state.board
    empty = next(
        n
        for n in board.neighbors[int(u.hex[RED_2])]
        if board.passable[n] and not board.water[n] and not state.units_at(n)
    )
    assert board.distance(int(u.hex[RED_3]), int(u.hex[RED_1])) == 1
    state.dice.room(state.turn, room)
    stops: list = []
    phase = assault._assault_phase

    def noted(*args):
        stop = phase(*args)
        stops.append(int(stop[1]))
        return stop

    monkeypatch.setattr(assault, "_assault_phase", noted)
    state.record_events = True
    events: list = []
    orders = np.array(
        [[RED_1, RED_2, RED_3], [int(u.hex[BLUE_1]), empty, int(u.hex[RED_1])]], np.int64
    )
    assault.assaults(state, orders, state.active(), coefficients_of(state), events)
    arrays = [u.hex.tolist(), u.men.tolist(), u.routed.tolist()]
    return [repr(e) for e in events], arrays, [empty, board.index(1, 1)], stops


def test_the_phase_stops_for_room_and_for_an_empty_hex_and_plays_on_as_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events, arrays, (empty, red_3_start), stops = phase_played(monkeypatch, 0)
    # the 12 steps of 3 hours draw up to 96 times for two units: more than a new table holds
    assert stops == [assault._ROOM, assault._ENTER, assault._DONE]
    roomy_events, roomy_arrays, _, roomy_stops = phase_played(monkeypatch, 10_000)
    assert roomy_stops == [assault._ENTER, assault._DONE]
    assert events == roomy_events and arrays == roomy_arrays
    hexes = arrays[0]
    assert hexes[RED_2] == empty  # walked in
    assert hexes[RED_3] == red_3_start  # red_1's hex: its own side's, not fought for
    assert sum("Assaulted(" in e for e in events) == 1  # red_3's hex was its side's already
    assault_at = next(i for i, e in enumerate(events) if e.startswith(Assaulted.__name__))
    moved_at = next(i for i, e in enumerate(events) if e.startswith(Moved.__name__))
    assert assault_at < moved_at  # in the order of the hexes: red_1's first
