"""The turn's bookkeeping as kernels (engine/rules/turn.py, engine/rules/arrivals.py): the named
places as arrays read by name, who holds them, a side leaving the field, reinforcements coming
on where the enemy does not stand. Each rule is checked against what it says, worked out here
from the state in plain Python (the goldens check that games play as before)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.core.events import Arrived, GameEnded, HexTaken
from engine.rules.arrivals import arrival_rows, arrivals
from engine.rules.turn import _close_turn, end_turn, new_game
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FURONG).scenario


def test_places_read_by_name_follow_the_arrays(scenario) -> None:
    state = new_game(scenario, seed=3)
    names = list(state.board.places)
    assert state.place_timeline == {}  # nothing played yet
    assert dict(state.place_control) == dict(zip(names, state.place_owner.tolist(), strict=True))
    with pytest.raises(TypeError):
        state.place_control[names[0]] = 1  # type: ignore[index]  # the arrays are the record
    for _ in range(3):
        end_turn(state, [])
        assert len(state.place_timeline[names[0]]) == state.place_turns  # read each turn
    assert state.place_turns == 3
    for p, name in enumerate(names):
        assert state.place_timeline[name] == tuple(state.place_history[:3, p].tolist())
        assert state.place_control[name] == state.place_timeline[name][-1]


def test_a_place_is_whose_units_stand_in_it_alone(scenario) -> None:
    state = new_game(scenario, seed=3)
    u, board = state.units, state.board
    names = list(board.places)
    taken, shared = int(board.place_hexes[0]), int(board.place_hexes[1])
    spare = next(h for h in range(board.size) if h not in board.place_hexes)
    on_map = state.active()
    u.hex[on_map & np.isin(u.hex, [taken, shared])] = spare  # both places emptied
    side = 1 - int(state.place_owner[0])  # the side that does not hold the first place
    ours = np.flatnonzero((u.side == side) & on_map)
    theirs = np.flatnonzero((u.side != side) & on_map)
    u.hex[ours[0]] = taken
    u.hex[[ours[1], theirs[0]]] = shared  # a unit of each side in the second place
    owner_shared_before = int(state.place_owner[1])
    events: list = []
    _close_turn(state, events, state.active(), fingerprint=False)
    assert state.place_owner[0] == side and state.control[taken] == side
    assert state.place_owner[1] == owner_shared_before  # both sides there: it stays whose it was
    told = [e for e in events if isinstance(e, HexTaken)]
    assert [e.place for e in told] == [names[0]]
    assert told[0].side == state.side_ids[side]
    assert state.place_turns == 1 and state.place_timeline[names[0]] == (side,)


def test_a_place_an_assault_has_reported_is_not_reported_again(scenario) -> None:
    state = new_game(scenario, seed=3)
    u, board = state.units, state.board
    spare = next(h for h in range(board.size) if h not in board.place_hexes)
    u.hex[state.active() & (u.hex == board.place_hexes[0])] = spare  # the place emptied
    side = 1 - int(state.place_owner[0])
    mover = int(np.flatnonzero((u.side == side) & state.active())[0])
    u.hex[mover] = board.place_hexes[0]
    label = board.label(int(board.place_hexes[0]))
    events: list = [HexTaken(0, label, state.side_ids[side], None)]
    _close_turn(state, events, state.active(), fingerprint=False)
    assert len([e for e in events if isinstance(e, HexTaken)]) == 1
    assert state.place_owner[0] == side


def test_a_side_that_leaves_the_field_hands_over_its_places(scenario) -> None:
    state = new_game(scenario, seed=3)
    end_turn(state, [])
    u = state.units
    gone = int(state.place_owner[state.place_owner >= 0][0])
    held = np.flatnonzero(state.place_owner == gone).tolist()
    names = list(state.board.places)
    u.gone[u.side == gone] = True
    u.arrived[u.side == gone] = True  # none left to come on either
    events: list = []
    assert len(state.place_timeline[names[0]]) == 1  # read before the side leaves
    _close_turn(state, events, state.active(), fingerprint=False)
    assert len(state.place_timeline[names[0]]) == 2  # its last row amended, not a row more
    assert state.finished
    handed = [e.place for e in events if isinstance(e, HexTaken)]
    assert handed == [names[p] for p in held]
    assert (state.place_owner[held] == 1 - gone).all()
    assert (state.control[state.board.place_hexes[held]] == 1 - gone).all()
    assert (state.place_history[state.place_turns - 1, held] == 1 - gone).all()
    for p, name in enumerate(names):  # the view by name, read before and after, amended too
        assert state.place_timeline[name] == tuple(state.place_history[: state.place_turns, p])
    assert isinstance(events[-1], GameEnded)


def test_the_men_on_the_field_are_told_at_the_turn_end(scenario) -> None:
    state = new_game(scenario, seed=3)
    events = end_turn(state, [])
    u = state.units
    told = next(e for e in events if type(e).__name__ == "TurnEnded")
    for side, side_id in enumerate(state.side_ids):
        on_field = (u.side == side) & u.arrived & ~u.gone
        assert told.men[side_id] == int(u.men[on_field].sum())
        assert type(told.men[side_id]) is int  # not a numpy number, for the logs


def test_a_game_keeping_no_events_tells_only_its_end_and_its_men_are_the_ledgers(
    scenario,
) -> None:
    """Without `record_events` (a batch's game) a turn builds no event but the game's end; each
    side's men at every turn's end, which TurnEnded tells a game keeping its events, are read
    off the ledgers (engine/sim/worker.py `men_on_the_field`), the same figures."""
    from engine.sim.worker import men_on_the_field

    told, kinds = [], set()
    for keeping in (True, False):
        state = new_game(scenario, seed=5)
        state.record_events = keeping
        while not state.finished:
            events = end_turn(state, [])
            if keeping:
                told.append(next(e for e in events if type(e).__name__ == "TurnEnded").men)
            else:
                kinds |= {type(e) for e in events}
    assert kinds == {GameEnded}
    by_turn = men_on_the_field(state).tolist()
    assert len(by_turn[0]) == len(told) == state.turn
    for side, side_id in enumerate(state.side_ids):
        assert by_turn[side] == [men[side_id] for men in told]


def test_reinforcements_come_on_at_their_turn_at_their_entry(scenario) -> None:
    state = new_game(scenario, seed=3)
    turns, units, entries = arrival_rows(state)
    assert len(turns) == sum(len(r.units) for r in scenario.reinforcements)
    state.turn = int(turns[0])
    events: list = []
    arrivals(state, events)
    due = turns == state.turn
    assert [e.unit for e in events] == [state.units.ids[i] for i in units[due]]
    assert all(isinstance(e, Arrived) for e in events)
    assert (state.units.hex[units[due]] == entries[due]).all()
    assert state.units.arrived[units[due]].all()


def test_a_reinforcement_whose_entry_the_enemy_holds_comes_on_nearest_free(scenario) -> None:
    state = new_game(scenario, seed=3)
    turns, units, entries = arrival_rows(state)
    u, board = state.units, state.board
    first = int(units[0])
    entry = int(entries[0])
    enemy = np.flatnonzero((u.side != u.side[first]) & state.active())
    u.hex[enemy[0]] = entry  # the enemy stands in the entry hex
    u.hex[enemy[1]] = board.neighbors[entry][0]  # and in a hex next to it
    held = set(u.hex[enemy].tolist())
    distance = board.distances_from(entry)
    free = [
        h for h in range(board.size) if h not in held and board.passable[h] and not board.water[h]
    ]
    expected = min(free, key=lambda h: (int(distance[h]), h))
    state.turn = int(turns[0])
    arrivals(state, [])
    assert u.hex[first] == expected
    assert u.hex[first] not in held
