"""The turn as one compiled call (engine/rules/whole_turn.py) plays the turn `end_turn` plays.

A game that reports nothing (a batch's: `detail_events=False`) has its turns played by the
kernel `play_turn`, which runs the phases' kernels in the order `end_turn` calls them for a game
whose events are told. These tests hold the two drivers to the same state (its hash, which reads
every field that changes in play, the dice's counts included) after every turn, on every
shipped scenario and on engineers who breach, and through the kernel's stops for room.

They run where the suite compiles its kernels (as in CI, after `wargame warm`): the whole turn
is the compiled driver, and an interpreted process plays every game through `end_turn`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import quiet_game
from engine.core.events import GameEnded
from engine.game import Game
from engine.kernels import jit
from engine.rules import whole_turn
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BATTLES = [
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml")),
    "tests/data/engineers.yaml",  # (no shipped battle breaches)
]

compiled_only = pytest.mark.skipif(
    not jit.compiling(), reason="the whole turn plays only where the kernels are compiled"
)


def _games(path: str, seed: int) -> tuple[Game, Game]:
    scenario = load_scenario(ROOT / path).scenario
    told = Game(scenario, seed, keep_events=False, detail_events=True)
    quiet = Game(scenario, seed, keep_events=False, detail_events=False)
    return told, quiet


def _play_side_by_side(told: Game, quiet: Game, before_turn=None) -> int:
    """Both games to their end on the computer's orders, the states compared after each turn;
    returns the turns played."""
    turns = 0
    while not told.over:
        assert not quiet.over, f"the quiet game ended first, at turn {turns}"
        told.give_all_computer_orders()
        quiet.give_all_computer_orders()
        if before_turn is not None:
            before_turn(told)
            before_turn(quiet)
        told.end_turn()
        quiet.end_turn()
        assert quiet.state.state_hash() == told.state.state_hash(), f"turn {turns} differs"
        turns += 1
    assert quiet.over and quiet.state.winner == told.state.winner
    return turns


@compiled_only
@pytest.mark.parametrize("path", BATTLES)
@pytest.mark.parametrize("seed", [1, 2])
def test_a_quiet_game_plays_the_told_game_turn_by_turn(path: str, seed: int) -> None:
    told, quiet = _games(path, seed)
    assert whole_turn.whole_turn_plays(quiet.state)
    assert not whole_turn.whole_turn_plays(told.state)
    assert _play_side_by_side(told, quiet) > 1


@compiled_only
def test_the_kernel_stops_for_room_and_goes_on_where_it_stopped() -> None:
    """The dice's table cut to one row before every turn (in both games, so that their dice
    stay alike): each phase that draws finds it full, stops having changed nothing, and the
    turn goes on from that phase once the wrapper has grown it."""
    stops: list[int] = []
    kernel = whole_turn._play_turn

    def counting(*args):
        result = kernel(*args)
        if result[0] != whole_turn.DONE:
            stops.append(int(result[1]))
        return result

    def cut_table(game: Game) -> None:
        dice = game.state.dice
        dice.table = np.zeros((1, 4), np.int64)
        dice.head[:] = 0

    told, quiet = _games("scenarios/furong_mountain.yaml", 3)
    whole_turn._play_turn = counting
    try:
        _play_side_by_side(told, quiet, before_turn=cut_table)
    finally:
        whole_turn._play_turn = kernel
    assert {whole_turn.MOVE, whole_turn.FIRE} <= set(stops)


def test_a_game_that_tells_its_events_is_played_phase_by_phase() -> None:
    game = Game(load_scenario(ROOT / BATTLES[0]).scenario, 1)
    assert not whole_turn.whole_turn_plays(game.state)


@compiled_only
def test_a_full_field_store_is_grown_and_the_phase_played_again() -> None:
    """The kernel's other stop: a movement field store with no slot left for a new goal
    (`move_phase` returns before moving anyone), which the board's stores, grown as the
    computer player plans, seldom meet in play. Here every slot of the board's stores is
    taken and no goal has one when the quiet game's first turn moves: the kernel stops at
    the movement, the wrapper grows the store, and the turn is the told game's."""
    kernel = whole_turn._play_turn
    stops: list[tuple[int, int]] = []

    def counting(*args):
        result = kernel(*args)
        if result[0] != whole_turn.DONE:
            stops.append((int(result[0]), int(result[1])))
        return result

    told, quiet = _games("scenarios/furong_mountain.yaml", 4)
    told.give_all_computer_orders()
    quiet.give_all_computer_orders()
    stores = [ground.store for ground in whole_turn.turn_kit(quiet.state).moves.grounds]
    capacities = [store.capacity for store in stores]
    for store in stores:  # (the told game's board is the same: it plays after)
        store.slot_of[:] = -1
        store.used[0] = store.capacity
    whole_turn._play_turn = counting
    try:
        quiet.end_turn()
    finally:
        whole_turn._play_turn = kernel
    told.end_turn()
    assert (whole_turn.STORE, whole_turn.MOVE) in stops
    assert stores[0].capacity >= 2 * capacities[0]
    assert quiet.state.state_hash() == told.state.state_hash()
    _play_side_by_side(told, quiet)


def test_a_rule_step_the_kernel_does_not_know_leaves_the_turn_to_end_turn(monkeypatch) -> None:
    """A rule module declaring an order kind with a step of its own (`resolves`): the whole
    turn knows breaching and bombardment alone, so `end_turn` plays such a game phase by phase."""
    from engine.core.orders import Hold

    assert whole_turn._known_steps()
    monkeypatch.setattr(whole_turn, "RULE_STEPS", [*whole_turn.RULE_STEPS, (30, Hold, print)])
    assert not whole_turn._known_steps()
    scenario = load_scenario(ROOT / BATTLES[0]).scenario
    quiet = Game(scenario, 1, keep_events=False, detail_events=False)
    assert not whole_turn.whole_turn_plays(quiet.state)


@compiled_only
@pytest.mark.parametrize("path", BATTLES)
@pytest.mark.parametrize("seed", [1, 2])
def test_a_quiet_game_played_out_at_once_is_the_told_game(path: str, seed: int) -> None:
    """The headless loop's way for a batch's game: the rest of it in as few kernel calls as
    Python's part allows (engine/quiet_game.py), the same game as the told one played turn
    by turn: the same state at its end (its hash reads the assaults, the rivers crossed and
    the exits the kit's notes hand over) and the same end."""
    told, quiet = _games(path, seed)
    while not told.over:
        told.give_all_computer_orders()
        told.end_turn()
    events = quiet.play_out_quietly()
    assert events is not None and quiet.over
    assert isinstance(events[-1], GameEnded) and events[-1].winner == told.state.winner
    assert quiet.state.turn == told.state.turn
    assert quiet.state.state_hash() == told.state.state_hash()


@compiled_only
def test_played_out_the_notes_are_told_whenever_the_kit_fills() -> None:
    """The kit keeps room for one turn's assault outcomes only: `play_turns` stops to have
    them told before every turn after one with an assault, and the game is the same."""
    kernel = quiet_game._play_turns
    stops: list[int] = []

    def counting(*args):
        result = kernel(*args)
        stops.append(int(result[0]))
        return result

    told, quiet = _games("scenarios/furong_mountain.yaml", 5)
    while not told.over:
        told.give_all_computer_orders()
        told.end_turn()
    store = whole_turn._KITS.of(quiet.state)
    kept = whole_turn.turn_kit(quiet.state)
    count = quiet.state.units.count
    store["kit"] = kept._replace(kit=kept.kit._replace(outcomes=np.zeros((count, 3), np.int64)))
    quiet_game._play_turns = counting
    try:
        assert quiet.play_out_quietly() is not None
    finally:
        quiet_game._play_turns = kernel
    assert whole_turn.TELL in stops
    assert quiet.state.assaults == told.state.assaults
    assert quiet.state.state_hash() == told.state.state_hash()


def test_a_game_that_keeps_its_events_is_not_played_out_at_once() -> None:
    scenario = load_scenario(ROOT / BATTLES[0]).scenario
    for keep, detail in ((True, False), (False, True), (True, True)):
        game = Game(scenario, 1, keep_events=keep, detail_events=detail)
        assert game.play_out_quietly() is None and game.turn == 0
    game = Game(scenario, 1, keep_events=False, detail_events=False)
    assert game.play_out_quietly(("adaptive", None)) is None and game.turn == 0


def test_a_quiet_game_leaves_nothing_behind_it() -> None:
    """A batch plays millions of games in a process: once a game is dropped, nothing the whole
    turn or the played-out loop kept for it (their `PerGame` caches) may keep its state alive."""
    import gc
    import weakref

    from engine.headless import play

    scenario = load_scenario(ROOT / "scenarios/furong_mountain.yaml").scenario
    record = play(scenario, 1, keep_events=False, detail_events=False)
    assert record.state.finished
    gone = weakref.ref(record.state)
    del record
    gc.collect()
    assert gone() is None


def _strikes_coming(state) -> int:
    """How many air strikes come at the start of the state's turn (as `air_strikes` asks)."""
    from engine.rules.arrivals import _strikes_due, strike_tables

    tables, turn = strike_tables(state), state.turn
    if not (turn < len(tables.flying) and tables.flying[turn]):
        return 0
    return int(
        _strikes_due(
            tables.first, tables.last, tables.on_call, tables.side, tables.near,
            state.units.side, state.position_rows, state.ledger_rows, state.ledger_turns, turn,
            np.zeros(len(tables.strikes), np.int64),
        )
    )  # fmt: skip


@compiled_only
def test_a_turns_air_strikes_stop_for_room_and_go_on() -> None:
    """`play_turns` starts a turn in the kernel (`_turn_start`: reinforcements, air strikes).
    Where the dice's table has no room for the strikes, it changes nothing of them and asks
    for room; called again with room, the units are as `end_turn`'s start leaves them."""
    from engine.rules.turn import start_turn

    told, quiet = _games("scenarios/furong_mountain.yaml", 2)
    while _strikes_coming(told.state) == 0:
        assert not told.over, "no air strike came in the battle"
        for game in (told, quiet):
            game.give_all_computer_orders()
            game.end_turn()
    state, turn = quiet.state, quiet.state.turn
    kept = whole_turn.kit_with_room(state)
    loop = quiet_game.loop_kit(state, kept)
    loop.clock[quiet_game._LEDGER] = state.ledger_turns
    men = state.units.men.copy()
    full = np.zeros((0, 4), np.int64)
    asked = quiet_game._turn_start(kept.kit, loop, full, turn, True)
    assert asked > 0 and np.array_equal(state.units.men, men)
    table, _ = state.dice.room(turn, int(asked))
    assert quiet_game._turn_start(kept.kit, loop, table, turn, False) == 0
    start_turn(told.state, np.zeros(told.state.units.count, np.int64), [])
    struck = state.units.men != men
    assert struck.any()
    for name in ("men", "suppression", "morale", "hex", "arrived"):
        assert np.array_equal(getattr(state.units, name), getattr(told.state.units, name)), name
    assert np.array_equal(kept.kit.scratch.men_before, men)
