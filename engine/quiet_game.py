"""A quiet game played out in compiled calls: the computer player's orders for both sides and
the turn, turn after turn, in one kernel call (`play_turns`) until Python must act.

A batch's, a fit's or a calibration's game reports nothing but its end (`detail_events=False`)
and has the computer play both sides' plans. `Game.play_out_quietly` (the headless loop's way,
engine/headless.py `play`) hands the rest of such a game to `play_quiet_turns`, which calls
`play_turns`: each turn is `plan_turn` (the plan mode's kernel for both sides, as
`Game.give_all_computer_orders` calls it) then `play_turn` (engine/rules/whole_turn.py, the turn
as `end_turn` plays it). Python plays the start of a turn that brings reinforcements or may
bring an air strike, grows the dice's table or a field store when a phase finds it full, and
writes what the turns noted into the state's records (rivers crossed, exits, assaults).

Why: with the turn one call, a compiled battle still spent half its time in Python between the
calls (the plan's and the turn's wrappers, the game loop) and unboxing the kit each turn.

It lives above the rules and the computer player (it calls both), beside the game loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .ai.plan_kernels import plan_turn
from .ai.planner import plan_turn_arguments
from .core.events import Event
from .core.state import GameState, PerGame
from .kernels.jit import kernel, resolved
from .rules.arrivals import _arrival_due, strike_tables, strikes_due
from .rules.bombardment import _weapons_back, _weapons_in
from .rules.turn import end_game, start_turn
from .rules.whole_turn import (
    DONE,
    PLAN,
    PYTHON,
    START,
    TELL,
    _Kept,
    kit_with_room,
    make_room,
    play_turn,
    tell_notes,
)

_LOOPS = PerGame()

# `LoopKit.clock`: the game's counters, which `play_turns` moves on and Python reads back
_TURN, _LEDGER, _PLACE, _TOTAL, _WORKS_CHANGED, _ROWS, _PLAYED = range(7)


class LoopKit(NamedTuple):
    """What `play_turns` reads beyond the `TurnKit`: `plan_turn`'s arguments, the game's
    counters (`clock`), the turns reinforcements are due (`arriving`), each turn's darkness
    (`nights`), and the air strikes' tables (arrivals.py `StrikeTables`: `strikes_due` tells,
    on a turn one may fly, whether one comes; `due` its scratch)."""

    plan: tuple
    clock: np.ndarray
    arriving: np.ndarray
    nights: np.ndarray
    flying: np.ndarray
    strike_first: np.ndarray
    strike_last: np.ndarray
    strike_on_call: np.ndarray
    strike_side: np.ndarray
    strike_near: np.ndarray
    due: np.ndarray


def loop_kit(state: GameState, kept: _Kept) -> LoopKit:
    """The game's `LoopKit`, made once (its plan arguments again when the records' arrays are
    others: `plan_turn_arguments` asks)."""
    store = _LOOPS.of(state)
    found = store.get("loop")
    plan = plan_turn_arguments(state)
    if found is not None and all(a is b for a, b in zip(plan, found.plan, strict=True)):
        return found
    total = state.total_turns
    arriving = np.zeros(total + 1, np.bool_)
    fill_arriving(state, arriving)
    nights = state.board.shared(
        ("quiet_game_nights", total),
        lambda: np.array([state.night_of(turn) for turn in range(total + 1)], np.bool_),
    )
    strikes = strike_tables(state)
    found = store["loop"] = LoopKit(
        plan, np.zeros(7, np.int64), arriving, nights, np.asarray(strikes.flying, np.bool_),
        strikes.first, strikes.last, strikes.on_call, strikes.side, strikes.near,
        np.zeros(len(strikes.first), np.int64),
    )  # fmt: skip
    return found


def fill_arriving(state: GameState, arriving: np.ndarray) -> None:
    """`LoopKit.arriving`, in place: for each turn of the game, whether this game's
    reinforcements' timetable brings a unit then."""
    due = _arrival_due(state)[1]
    arriving[:] = False
    arriving[: min(len(due), len(arriving))] = due[: len(arriving)]


def play_quiet_turns(state: GameState, fingerprint: bool) -> list[Event]:
    """The rest of a quiet game (`rules.whole_turn.whole_turn_plays`), the computer playing
    both sides' plans (its plan mode, `plan_turn`),
    in as few kernel calls as Python's part allows: each call of `play_turns` plays turn after
    turn (the plan's orders, then the turn: `play_turn`), returning only where Python must act
    (a turn's reinforcements or air strikes, a full table or store, notes to tell) or at the
    game's end. Returns the events of its turns: those Python's parts tell, and the game's end.

    The turns are the ones `Game.give_all_computer_orders` and `end_turn` play one by one: the
    same kernels in the same order (tests/test_whole_turn.py)."""
    kept = kit_with_room(state)
    kit, dice = kept.kit, state.dice
    loop = loop_kit(state, kept)
    clock = loop.clock
    every_group = list(range(len(kept.groups)))
    _weapons_in(kept.groups, kit.weapons, every_group)
    clock[:] = (
        state.turn, state.ledger_turns, state.place_turns, state.total_turns,
        state.works_changed, 0, 0,
    )  # fmt: skip
    events: list[Event] = []
    phase = PLAN
    while True:
        status, phase, extra, side_gone, over = _play_turns(
            kit, loop, dice.table, kept.moves.current_bundles(), phase,
        )  # fmt: skip
        played = int(clock[_PLAYED])
        clock[_PLAYED] = 0
        state.turn = int(clock[_TURN])
        state.ledger_turns = int(clock[_LEDGER])
        state.place_turns = int(clock[_PLACE])
        state.state_version += played
        if played:
            state.works_changed = False
        tell_notes(state, kit)
        if over:
            _weapons_back(kept.groups, kit.weapons, every_group)
            end_game(state, events, int(side_gone), fingerprint)
            return events
        if status == PYTHON:  # the turn's start as `end_turn` plays it, then the rest
            start_turn(state, kit.scratch.men_before, events)
        else:
            make_room(state, kept, status, extra)


@kernel(borrows=True)
def play_turns(k, loop, table, grounds, phase):
    """Turn after turn of a quiet game from phase `phase` (`PLAN`: a new turn's), each the
    computer player's orders for both sides (`plan_turn`, with `loop.plan` its arguments, the
    numbers of its `PlanTurn` and its records' rows set here) and the turn (`play_turn`), the
    game's counters moved on in `loop.clock`. Returns as `play_turn` does where it stops (and
    where the game ends), or (`PYTHON`, `START`, ...) at a turn whose start Python plays
    (reinforcements due, or an air strike that comes: `_python_starts`), or (`TELL`, `PLAN`,
    ...) before a turn that might find the kit's notes or outcomes full."""
    u = k.u
    count = len(u.men)
    plan, clock = loop.plan, loop.clock
    while True:
        turn = clock[_TURN]
        night = loop.nights[turn]
        if phase == PLAN:
            if k.note_count[0] + k.notes_per_turn > len(k.notes) or k.outcome_count[
                0
            ] + count > len(k.outcomes):
                return TELL, PLAN, 0, -1, False
            numbers = plan[0].numbers
            numbers[0] = turn
            numbers[1] = 1 if night else 0
            numbers[2] = clock[_TOTAL]
            recorded = plan[9].recorded
            recorded[0] = clock[_PLACE]
            recorded[1] = clock[_LEDGER]
            _, both = plan_turn(*plan)
            clock[_ROWS] = both
            phase = START
            if _python_starts(k, loop, turn):
                return PYTHON, START, 0, -1, False
            for i in range(count):  # the men at the turn's start, for the morale phase
                k.scratch.men_before[i] = u.men[i]
        hours = k.turn_hours
        status, stopped, extra, side_gone, over = play_turn(
            k, plan[0].rows[: clock[_ROWS]], table, grounds, turn, night, hours,
            (clock[_TOTAL] - turn) * hours, clock[_TOTAL], clock[_LEDGER], clock[_PLACE],
            clock[_WORKS_CHANGED] != 0, phase,
        )  # fmt: skip
        if status != DONE:
            return status, stopped, extra, -1, False
        clock[_TURN] = turn + 1
        clock[_LEDGER] += 1
        clock[_PLACE] += 1
        clock[_WORKS_CHANGED] = 0
        clock[_PLAYED] += 1
        if over:
            return DONE, PLAN, 0, side_gone, over
        phase = PLAN


_play_turns = resolved(play_turns)


@kernel(borrows=True)
def _python_starts(k, loop, turn):
    """Whether Python plays the start of `turn`: reinforcements are due, or an air strike comes
    (`strikes_due`, asked only on a turn one may fly: the check Python's `air_strikes` makes)."""
    if loop.arriving[turn]:
        return True
    if turn >= len(loop.flying) or not loop.flying[turn]:
        return False
    due = strikes_due(
        loop.strike_first, loop.strike_last, loop.strike_on_call, loop.strike_side,
        loop.strike_near, k.u.side, k.position_rows, k.ledger_rows, loop.clock[_LEDGER], turn,
        loop.due,
    )  # fmt: skip
    return due > 0
