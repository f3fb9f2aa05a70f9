"""A quiet game played out in compiled calls: the computer player's orders for both sides and
the turn, turn after turn, in one kernel call (`play_turns`) until Python must act.

A batch's, a fit's or a calibration's game reports nothing but its end (`detail_events=False`)
and has the computer play both sides' plans. `Game.play_out_quietly` (the headless loop's way,
engine/headless.py `play`) hands the rest of such a game to `play_quiet_turns`, which calls
`play_turns`: each turn is `plan_turn` (the plan mode's kernel for both sides, as
`Game.give_all_computer_orders` calls it) then `play_turn` (engine/rules/whole_turn.py, the turn
as `end_turn` plays it), each turn started in the kernel as `end_turn` starts it
(`_turn_start`: reinforcements, air strikes). Python grows the dice's table or a field store
when a phase finds it full, and writes what the turns noted into the state's records (rivers
crossed, exits, assaults).

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
from .rules.arrivals import (
    STRIKE_COLUMNS,
    _arrival_due,
    arrive,
    strike_all,
    strike_tables,
    strikes_due,
)
from .rules.bombardment import _weapons_back, _weapons_in
from .rules.turn import end_game
from .rules.whole_turn import (
    DONE,
    PLAN,
    ROOM,
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

# `play_turns`' phase where a full dice table stopped a turn's air strikes: the turn's orders
# given, its reinforcements come on; its strikes, then its phases (`play_turn` from START), left
STRIKES = -2


class LoopKit(NamedTuple):
    """What `play_turns` reads beyond the `TurnKit`: `plan_turn`'s arguments, the game's
    counters (`clock`), the turns reinforcements are due (`arriving`) and this game's timetable
    of them (arrivals.py `arrival_rows`, copied in: `fill_arriving`) with the board's arrays
    where they come on (`arrive`), each turn's darkness (`nights`), and the air strikes' tables
    (arrivals.py `StrikeTables`: `strikes_due` tells, on a turn one may fly, which come; `due`
    its scratch; the rest the scratch of `strike_all`, as `air_strikes` hands it)."""

    plan: tuple
    clock: np.ndarray
    arriving: np.ndarray
    arrival_turn: np.ndarray
    arrival_unit: np.ndarray
    arrival_entry: np.ndarray
    arrived: np.ndarray
    board: tuple
    nights: np.ndarray
    flying: np.ndarray
    strike_first: np.ndarray
    strike_last: np.ndarray
    strike_on_call: np.ndarray
    strike_side: np.ndarray
    strike_sorties: np.ndarray
    strike_near: np.ndarray
    due: np.ndarray
    striking_side: np.ndarray
    striking_sorties: np.ndarray
    striking_near: np.ndarray
    strike_rows: np.ndarray


def loop_kit(state: GameState, kept: _Kept) -> LoopKit:
    """The game's `LoopKit`, made once (its plan arguments again when the records' arrays are
    others: `plan_turn_arguments` asks)."""
    store = _LOOPS.of(state)
    found = store.get("loop")
    plan = plan_turn_arguments(state)
    if found is not None and all(a is b for a, b in zip(plan, found.plan, strict=True)):
        return found
    total, board = state.total_turns, state.board
    rows = len(_arrival_due(state)[0][0])
    nights = board.shared(
        ("quiet_game_nights", total),
        lambda: np.array([state.night_of(turn) for turn in range(total + 1)], np.bool_),
    )
    strikes = strike_tables(state)
    flown = len(strikes.first)
    found = LoopKit(
        plan, np.zeros(7, np.int64), np.zeros(total + 1, np.bool_), np.zeros(rows, np.int64),
        np.zeros(rows, np.int64), np.zeros(rows, np.int64), np.zeros((rows, 2), np.int64),
        board.arrays, nights, np.asarray(strikes.flying, np.bool_), strikes.first,
        strikes.last, strikes.on_call, strikes.side, strikes.sorties, strikes.near,
        np.zeros(flown, np.int64), np.zeros(flown, np.int64), np.zeros(flown, np.int64),
        np.zeros((flown, board.size), np.bool_),
        np.zeros((flown * state.units.count, STRIKE_COLUMNS)),
    )  # fmt: skip
    fill_arriving(state, found)
    store["loop"] = found
    return found


def fill_arriving(state: GameState, loop: LoopKit) -> None:
    """The loop kit's reinforcements, in place: for each turn of the game, whether this game's
    timetable brings a unit then (`arriving`), and the timetable's rows."""
    (turns, units, entries), due = _arrival_due(state)
    arriving = loop.arriving
    arriving[:] = False
    arriving[: min(len(due), len(arriving))] = due[: len(arriving)]
    loop.arrival_turn[:] = turns
    loop.arrival_unit[:] = units
    loop.arrival_entry[:] = entries


def play_quiet_turns(state: GameState, fingerprint: bool) -> list[Event]:
    """The rest of a quiet game (`rules.whole_turn.whole_turn_plays`), the computer playing
    both sides' plans (its plan mode, `plan_turn`), in as few kernel calls as Python's part
    allows: each call of `play_turns` plays turn after turn (the plan's orders, then the turn:
    `play_turn`), returning only where Python must act (a full table or store, notes to tell)
    or at the game's end. Returns the events of its turns: the game's end.

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
        make_room(state, kept, status, extra)


@kernel(borrows=True)
def play_turns(k, loop, table, grounds, phase):
    """Turn after turn of a quiet game from phase `phase` (`PLAN`: a new turn's), each the
    computer player's orders for both sides (`plan_turn`, with `loop.plan` its arguments, the
    numbers of its `PlanTurn` and its records' rows set here) and the turn (`play_turn`), the
    game's counters moved on in `loop.clock`; each turn's start (`_turn_start`: reinforcements,
    air strikes) between them, as `end_turn` starts a turn. Returns as `play_turn` does where it
    stops (and where the game ends; `ROOM`, `STRIKES` where the dice's table is too full for the
    turn's air strikes), or (`TELL`, `PLAN`, ...) before a turn that might find the kit's notes
    or outcomes full."""
    u = k.u
    count = len(u.men)
    plan, clock = loop.plan, loop.clock
    while True:
        turn = clock[_TURN]
        night = loop.nights[turn]
        if phase == STRIKES:  # (a full table stopped the turn's air strikes: they, then on)
            extra = _turn_start(k, loop, table, turn, False)
            if extra:
                return ROOM, STRIKES, extra, -1, False
            phase = START
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
            extra = _turn_start(k, loop, table, turn, True)
            if extra:
                return ROOM, STRIKES, extra, -1, False
            phase = START
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
def _turn_start(k, loop, table, turn, fresh):
    """A turn's start in `play_turns`, as `turn.start_turn` plays it for `end_turn`: (`fresh`)
    each unit's men kept for the morale phase, the reinforcements due come on (`arrive`); then
    the air strikes that come fly (`strikes_due`, asked only on a turn one may fly; `strike_all`
    as `air_strikes` calls it). Returns 0, or the rows the dice's table needs for the strikes
    where it is too full (nothing of them done: called again with `fresh` False once it has
    grown)."""
    u = k.u
    count = len(u.men)
    if fresh:
        for i in range(count):  # the men at the turn's start, for the morale phase
            k.scratch.men_before[i] = u.men[i]
        if loop.arriving[turn]:
            arrive(
                u, loop.board, loop.arrival_turn, loop.arrival_unit, loop.arrival_entry, turn,
                loop.arrived,
            )  # fmt: skip
    if turn >= len(loop.flying) or not loop.flying[turn]:
        return 0
    due = strikes_due(
        loop.strike_first, loop.strike_last, loop.strike_on_call, loop.strike_side,
        loop.strike_near, u.side, k.position_rows, k.ledger_rows, loop.clock[_LEDGER], turn,
        loop.due,
    )  # fmt: skip
    if due == 0:
        return 0
    near = loop.striking_near
    for n in range(due):
        s = loop.due[n]
        loop.striking_side[n] = loop.strike_side[s]
        loop.striking_sorties[n] = loop.strike_sorties[s]
        for h in range(near.shape[1]):
            near[n, h] = loop.strike_near[s, h]
    rows = loop.strike_rows[: due * count]
    for r in range(rows.shape[0]):
        for c in range(rows.shape[1]):
            rows[r, c] = 0.0
    struck = strike_all(
        u, k.w, k.cover, k.water, loop.striking_side[:due], loop.striking_sorties[:due],
        loop.striking_near[:due], k.bombard_c0, k.bombard_c1, k.keys, turn, table, k.head, rows,
    )  # fmt: skip
    return due * count if struck < 0 else 0
