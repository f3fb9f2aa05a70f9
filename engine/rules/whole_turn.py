"""The turn as one compiled call, for a game that reports nothing but its end (a batch's, a
fit's, a calibration's: `state.record_events` off, `Game(detail_events=False)`).

`play_quiet_turn` hands the kernel `play_turn` the turn's order rows and the game's `TurnKit`
(every array and number the phases read, gathered once a game); the kernel runs the phases'
own kernels in the turn's order, as `turn.end_turn` calls them one by one: `sort_orders`,
`move_phase`, `breach_step`, `bombard_all`, `fire_phase`, `assault_phase` (with the attackers'
walk into an empty hex, `move_phase` again), `morale_step`, `close_turn`. Where Python must act,
the dice's table or a field store being full, the kernel stops and says at which phase; the
wrapper makes room and calls it again from there (a phase that stops has changed nothing, and
the assaults go on from the hex they stopped at). What the phases note beside the arrays (the
rivers crossed, where a unit left the map, each assault's outcome) is read off the kernel's rows
afterwards by the code `end_turn` uses.

Why: a compiled battle spent 4 of its 7 ms in Python around seven kernel calls a turn, and
much of the rest unboxing the same bundles seven times (docs/speed.md, stage 4).

One rules implementation: the rules are the phases' kernels, which both drivers call; this
module only orders them as `end_turn` does, for a game whose events nobody reads.
tests/test_whole_turn.py holds the two drivers to the same state after every turn of every
scenario.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import has_room
from ..core.events import Event
from ..core.orders import RULE_STEPS
from ..core.state import GameState, PerGame
from ..kernels.jit import compiling, kernel, resolved
from .assault import (
    _ATTACKING,
    _DONE,
    _OUTCOME,
    _ROOM,
    _SKIPPED,
    _TARGET,
    OUTCOMES,
    _Record,
    _sides_values,
    assault_phase,
)
from .bombardment import (
    HIT_COLUMNS,
    ORDER_COLUMNS,
    Bombard,
    _groups_of,
    _weapons_back,
    _weapons_in,
    bombard_all,
    bombard_scratch,
    weapon_arrays,
)
from .engineering import BREACH_COLUMNS, Breach, _breach_columns, breach_step
from .fire import fire_ground, fire_phase, uncount_all
from .morale import _morale_scratch, _values_by_side, morale_step
from .movement import (
    GO_FREE,
    ROW_CROSSING,
    ROW_ESCAPED,
    _move_phase_of,
    _note_crossed,
    move_phase,
    neighbor_rows,
    zone_counts,
)
from .protection import held_array
from .turn import (
    _rears,
    _step_codes,
    close_turn,
    finish_turn,
    sort_orders,
    start_turn,
    turn_scratch,
)

# What `play_turn` returns first: the turn is done, or it stopped for the dice's table to
# grow (by the rows in its third value) or for a field store to grow (the ground's number).
DONE, ROOM, STORE = 0, 1, 2
# engine/quiet_game.py's `play_turns`' other stop: the kit's notes are to be told before a turn
# may fill them.
TELL = 4
_RESTED = OUTCOMES.index("rested")  # an attack that rested: not an assault fought
# The phases, in the turn's order: where `play_turn` starts, and where it stopped.
START, MOVE, BREACH, BOMBARD, FIRE, ASSAULT, MORALE = range(7)
PLAN = -1  # engine/quiet_game.py's `play_turns`' first: the computer's orders for both sides
# `TurnKit.progress`: what the phases before a stop found, for the call that goes on
_MOVING, _ASSAULTING, _STEPPING, _WORKS, _FIRST = range(5)
_PROGRESS_SIZE = 5
# The turns' worth of notes and assaults' outcomes the kit keeps: `play_turns` hands them to
# Python before a turn might find no room (a quiet game's turns are told every few turns).
_TURNS_KEPT = 8


class TurnKit(NamedTuple):
    """Everything `play_turn` reads and writes but the turn's orders, the dice's table (a new
    array when it grows) and the movement's fields (new when a store grows): the game's own
    arrays and bundles, the scratch the phases write into, the coefficients' values, made
    once a game (`turn_kit`). The fields are grouped by the phase that reads them first."""

    u: tuple  # `UnitArrays`
    w: tuple  # `WorksArrays`
    scratch: tuple  # turn.TurnScratch
    progress: np.ndarray  # int64: `_MOVING`...: what the phases before a stop found
    rear: np.ndarray
    q: np.ndarray
    r: np.ndarray
    step_codes: np.ndarray
    keys: tuple  # the dice's key words
    head: np.ndarray  # the dice's table's head
    # movement
    slots: np.ndarray
    moved: np.ndarray  # bool per unit: who moved (`move_phase`'s scratch)
    move_values: tuple
    mined0: np.ndarray
    mined1: np.ndarray
    move_occupied: np.ndarray
    move_zoned: np.ndarray
    control: np.ndarray
    move_steps: np.ndarray
    move_rows: np.ndarray
    draws_per_move: int
    notes: np.ndarray  # the move rows that note something beside the arrays, for Python
    note_count: np.ndarray  # int64 [1]: the rows of `notes` filled (Python empties them)
    notes_per_turn: int  # the most rows of `notes` a turn may fill
    enter: np.ndarray  # int64 (4, units): an assault's walk into an empty hex, as move entries
    # rule steps (engineers breaching, then the guns)
    held: np.ndarray  # each unit's suppression carried into the turn (what it fires at)
    breach_code: int
    bombard_code: int
    engineers: np.ndarray
    wire_rate: np.ndarray
    values: tuple  # the game's `CoefficientValues`
    step_units: np.ndarray
    step_targets: np.ndarray
    step_caps: np.ndarray
    breach_rows: np.ndarray
    weapons: tuple
    budget_rounds: np.ndarray
    rounds_fired: np.ndarray
    cover: np.ndarray
    water: np.ndarray
    bombard_c0: tuple
    bombard_c1: tuple
    hex_area_m2: float
    hex_size_m: float
    target_first: np.ndarray
    target_units: np.ndarray
    bombard_rows: np.ndarray
    hits: np.ndarray
    bombard_order: np.ndarray  # `bombard_all`'s scratch (`bombard_scratch`)
    bombard_by_class: np.ndarray
    bombard_shells: np.ndarray
    # direct fire
    fire: tuple  # fire.FireGround
    # assaults
    edge: np.ndarray
    passable: np.ndarray
    neighbors: np.ndarray
    assault_c0: tuple
    assault_c1: tuple
    assault_occupied: np.ndarray
    assault_zoned: np.ndarray
    assault_steps: int
    found: np.ndarray
    pairs: np.ndarray  # int64 2 x units: the turn's assaults as (unit, target) rows
    entered: np.ndarray  # per assault row: 1 where the attackers walked in (nothing to tell)
    info: np.ndarray
    members: np.ndarray
    defenders: np.ndarray
    firing: np.ndarray
    out: np.ndarray
    counts: np.ndarray
    melee: np.ndarray
    leaders: np.ndarray
    ammunition: np.ndarray
    routed: np.ndarray
    cut: np.ndarray  # the fight's scratch (assault's `_Record`)
    engaged: np.ndarray
    fire_rate: np.ndarray
    outcomes: np.ndarray  # int64 rows (turn, defending side, outcome): the assaults fought
    outcome_count: np.ndarray  # int64 [1]: the rows of `outcomes` filled (Python empties them)
    # morale and the turn's end
    on_map: np.ndarray  # who is on the map after the morale phase
    ledger_rows: np.ndarray
    morale_values: tuple
    morale_rows: np.ndarray
    morale_contact: np.ndarray  # who is in contact as the morale phase starts (its scratch)
    place_hexes: np.ndarray
    tally: np.ndarray  # the units' tally of men by fate (the ledger's first rows)
    owner: np.ndarray
    history: np.ndarray
    builders: np.ndarray
    works_rows: np.ndarray
    rounds_rows: np.ndarray
    position_rows: np.ndarray
    first_routed: np.ndarray
    turn_hours: float


class _Kept(NamedTuple):
    """A game's kit and the objects its wrapper asks beside it. Nothing here may hold the state:
    it is kept in a `PerGame` cache, whose entries die with their game only if their values do
    not keep it alive."""

    kit: TurnKit
    moves: object  # movement's `_MovePhase`
    groups: list  # bombardment's groups of tubes, in the weapon arrays' order


_KITS = PerGame()


def whole_turn_plays(state: GameState) -> bool:
    """Whether `play_quiet_turn` plays this game's turns: it reports nothing, this process
    compiles (interpreted, the phases' wrappers hand their kernels Python lists, quicker there),
    and the rule steps are the ones the kernel knows (a rule module declaring another order kind
    with a step of its own is played by `end_turn`'s steps)."""
    return not state.record_events and compiling() and _known_steps()


def _known_steps() -> bool:
    """Whether the declared rule steps are breaching and bombardment alone (worked out again
    only when a rule module declares one more)."""
    global _STEPS_SEEN
    if _STEPS_SEEN[0] != len(RULE_STEPS):
        _STEPS_SEEN = (len(RULE_STEPS), {kind for _, kind, _ in RULE_STEPS} == {Breach, Bombard})
    return _STEPS_SEEN[1]


_STEPS_SEEN: tuple[int, bool] = (-1, False)  # (how many steps were declared, known ones alone)


def turn_kit(state: GameState) -> _Kept:
    """The game's kit, made at its first quiet turn and again only when an array it holds has
    been replaced (a ledger grown past the game's turns, a copied state's arrays)."""
    store = _KITS.of(state)
    kept = store.get("kit")
    if kept is not None and _still_good(state, kept.kit):
        return kept
    kept = store["kit"] = _make_kit(state)
    return kept


def _still_good(state: GameState, kit: TurnKit) -> bool:
    return (
        kit.u is unit_arrays(state.units)
        and kit.w is works_arrays(state.works)
        and kit.ledger_rows is state.ledger_rows
        and kit.history is state.place_history
        and kit.control is state.control
        and kit.head is state.dice.head
        and kit.rounds_fired is state.rounds_fired
        and kit.budget_rounds is state.budget_rounds
    )


def _make_kit(state: GameState) -> _Kept:
    u, board, c = state.units, state.board, state.coefficients
    count = u.count
    by_side = state.side_coefficients or (c, c)
    moves = _move_phase_of(state, by_side)
    steps, rows = moves.grounds[0].buffers(count * (board.size + 8))
    rivers = int(board.river.max()) + 1 if board.size else 0
    record = _Record(state, c, count, count, state.turn_hours)
    c0, c1 = _sides_values(state, c)
    bombard_sides = state.side_coefficients or (c, c)
    groups, weapons = weapon_arrays(u)
    bombard_order, bombard_by_class, bombard_shells = bombard_scratch(count)
    engineers, wire_rate = _breach_columns(state, c)
    on_map, morale_rows, morale_contact = _morale_scratch(state)
    ledger = state.record_arguments()  # (room made in the ledgers first)
    move_occupied, move_zoned = zone_counts(board.size)
    kit = TurnKit(
        u=unit_arrays(u),
        w=works_arrays(state.works),
        scratch=turn_scratch(state),
        progress=np.zeros(_PROGRESS_SIZE, np.int64),
        rear=_rears(state),
        q=board.q,
        r=board.r,
        step_codes=_step_codes(),
        keys=state.dice.key_words,
        head=state.dice.head,
        slots=moves.slots,
        moved=moves.moved,
        move_values=moves.values,
        mined0=moves.mined[0],
        mined1=moves.mined[1],
        move_occupied=move_occupied,
        move_zoned=move_zoned,
        control=state.control,
        move_steps=steps,
        move_rows=rows,
        draws_per_move=moves.draws_per_move,
        notes=np.zeros((_TURNS_KEPT * count * (rivers + 3), rows.shape[1])),
        note_count=np.zeros(1, np.int64),
        notes_per_turn=count * (rivers + 3),
        enter=np.zeros((4, count), np.int64),
        held=held_array(state),
        breach_code=Breach.code,
        bombard_code=Bombard.code,
        engineers=engineers,
        wire_rate=wire_rate,
        values=c.values(),
        step_units=np.zeros(count, np.int64),
        step_targets=np.zeros(count, np.int64),
        step_caps=np.zeros(count, np.int64),
        breach_rows=np.empty((count, len(BREACH_COLUMNS))),
        weapons=weapons,
        budget_rounds=state.budget_rounds,
        rounds_fired=state.rounds_fired,
        cover=board.cover,
        water=board.water,
        bombard_c0=bombard_sides[0].values(),
        bombard_c1=bombard_sides[1].values(),
        hex_area_m2=float(board.hex_area_m2),
        hex_size_m=float(board.hex_size_m),
        target_first=np.zeros(count + 1, np.int64),
        target_units=np.zeros(count * count, np.int64),
        bombard_rows=np.zeros((count, ORDER_COLUMNS)),
        hits=np.zeros((count * count, HIT_COLUMNS)),
        bombard_order=bombard_order,
        bombard_by_class=bombard_by_class,
        bombard_shells=bombard_shells,
        fire=fire_ground(state, c),
        edge=board.edge,
        passable=board.passable,
        neighbors=neighbor_rows(board),
        assault_c0=c0,
        assault_c1=c1,
        assault_occupied=record.occupied,
        assault_zoned=record.zoned,
        assault_steps=len(record.melee[0]),
        found=record.found,
        pairs=np.zeros(2 * count, np.int64),
        entered=np.zeros(count, np.int64),
        info=record.info,
        members=record.members,
        defenders=record.defenders,
        firing=record.firing,
        out=record.out,
        counts=record.counts,
        melee=record.melee,
        leaders=record.leaders,
        ammunition=record.ammunition,
        routed=record.routed,
        cut=record.cut,
        engaged=record.engaged,
        fire_rate=record.fire_rate,
        outcomes=np.zeros((_TURNS_KEPT * count, 3), np.int64),
        outcome_count=np.zeros(1, np.int64),
        on_map=on_map,
        ledger_rows=state.ledger_rows,
        morale_values=_values_by_side(
            state, state.side_coefficients if state.side_coefficients else (c, c)
        ),
        morale_rows=morale_rows,
        morale_contact=morale_contact,
        place_hexes=board.place_hexes,
        tally=ledger[0],
        owner=state.place_owner,
        history=state.room_in_place_history(),
        builders=ledger[7],
        works_rows=state.works_rows,
        rounds_rows=state.rounds_rows,
        position_rows=state.position_rows,
        first_routed=ledger[15],
        turn_hours=float(state.turn_hours),
    )
    # (the `_Record` itself is not kept: it holds the state, which a game's cache must not)
    return _Kept(kit, moves, groups)


def play_quiet_turn(state: GameState, rows: np.ndarray, fingerprint: bool) -> list[Event]:
    """`end_turn` for a game whose turns report nothing (`whole_turn_plays`): arrivals and air
    strikes (a look-up most turns) as `end_turn` does them, then the rest of the turn in one
    call of `play_turn`; the game's end told as `end_turn` tells it."""
    kept = kit_with_room(state)
    kit, u = kept.kit, state.units
    events: list[Event] = []
    start_turn(state, kit.scratch.men_before, events)
    bombarding = _bombard_groups(kept, u, rows, kit.bombard_code)
    dice, turn, hours = state.dice, state.turn, state.turn_hours
    hours_left = (state.total_turns - turn) * hours
    night = state.is_night()
    phase = START
    while True:
        status, phase, extra, side_gone, over = _play_turn(
            kit, rows, dice.table, kept.moves.current_bundles(), turn, night, hours,
            hours_left, state.total_turns, state.ledger_turns, state.place_turns,
            state.works_changed, phase,
        )  # fmt: skip
        if status == DONE:
            break
        make_room(state, kept, status, extra)
    if bombarding:
        _weapons_back(kept.groups, kit.weapons, bombarding)
    tell_notes(state, kit)
    state.place_turns += 1
    state.recorded()
    return finish_turn(state, events, int(side_gone), bool(over), fingerprint)


def kit_with_room(state: GameState) -> _Kept:
    """The game's kit (`turn_kit`), with room in the ledgers and the places' record for the
    turn's rows (they are made for the game's every turn: only a game played past them grows
    them, and the kit is then made again)."""
    if state.ledger_turns >= len(state.ledger_rows):
        state.record_arguments()  # (a game played past its turns: the ledgers grow)
    state.room_in_place_history()
    return turn_kit(state)


def make_room(state: GameState, kept: _Kept, status: int, extra: int) -> None:
    """What a kernel's stop asks for: the dice's table grown by `extra` rows (`ROOM`), or the
    field store of ground `extra` (`STORE`); nothing for the other stops."""
    if status == ROOM:
        state.dice.room(state.turn, extra)
    elif status == STORE:  # nothing of the phase done
        kept.moves.grow(extra)


def _bombard_groups(kept: _Kept, u, rows: np.ndarray, code: int) -> list[int]:
    """The weapon arrays' rows of the guns told to bombard this turn, their ammunition copied
    in from the groups' records (as bombardment's wrapper does before its kernel)."""
    if not len(rows):
        return []
    guns = rows[rows[:, 0] == code, 1]
    if not len(guns):
        return []
    fired = _groups_of(u, guns)
    _weapons_in(kept.groups, kept.kit.weapons, fired)
    return fired


def tell_notes(state: GameState, kit: TurnKit) -> None:
    """What the turns noted beside the arrays, in their order, into the state's records: the
    rivers crossed and where a unit that left the map by its edge went (movement's
    `_events_of_rows` notes the same), and each assault's outcome (assault's `_Record.tell`);
    the kit's rows of them emptied."""
    count = int(kit.note_count[0])
    if count:
        u, board = state.units, state.board
        for kind, unit_f, h_f, a, _b, _c, turn in kit.notes[:count].tolist():
            unit, h = int(unit_f), int(h_f)
            if kind == ROW_CROSSING:
                _note_crossed(state, int(u.side[unit]), int(board.river[h]), int(turn))
            else:
                state.exits[unit] = (h, int(a))
        kit.note_count[0] = 0
    count = int(kit.outcome_count[0])
    if count:
        state.assaults.extend(
            (turn, defender, OUTCOMES[outcome])
            for turn, defender, outcome in kit.outcomes[:count].tolist()
        )
        kit.outcome_count[0] = 0


@kernel(borrows=True)
def play_turn(
    k, rows, table, grounds, turn, night, hours, hours_left, total_turns, ledger_row, place_row,
    works_changed, phase,
):  # fmt: skip
    """The turn from phase `phase` on (`START` for a new turn) with the game's kit `k`
    (`TurnKit`), the order rows `rows`, the dice's table `table` and the movement's fields
    `grounds`. Returns (`DONE`, the last phase, 0, the side that left the field or -1, whether
    the game is over) or, where a phase found the dice's table (`ROOM`) or a field store
    (`STORE`) full and changed nothing, (that status, the phase to go on from, the rows needed
    or the ground's number, -1, False)."""
    u, s, p = k.u, k.scratch, k.progress
    count = len(u.men)
    if phase == START:
        n_moving, n_assaulting, n_stepping = sort_orders(rows, u, k.rear, k.q, k.r, k.step_codes, s)
        p[_MOVING] = n_moving
        p[_ASSAULTING] = n_assaulting
        p[_STEPPING] = n_stepping
        p[_WORKS] = 1 if works_changed else 0
        p[_FIRST] = 0
        _clear_assault_rows(k)
        phase = MOVE
    if phase == MOVE:
        status, extra = _moves(k, s.moving, p[_MOVING], table, grounds, night, hours, turn, True)
        if status != DONE:
            return status, MOVE, extra, -1, False
        for i in range(count):  # in the fight after the moves (`GameState.active`)
            s.on_map[i] = u.arrived[i] and not u.gone[i] and u.hex[i] >= 0
        for i in range(count):  # everyone fires and works at what it carried into the turn
            k.held[i] = u.suppression[i]
        phase = BREACH
    if phase == BREACH:
        n = _step_rows(k, rows, s, k.breach_code, False)
        if n:
            breach_step(
                u, k.w, k.q, k.r, k.engineers, k.wire_rate, k.held, k.step_units[:n],
                k.step_targets[:n], hours, k.values, k.breach_rows,
            )  # fmt: skip
        phase = BOMBARD
    if phase == BOMBARD:
        n = _step_rows(k, rows, s, k.bombard_code, True)
        if n:
            changed = bombard_all(
                u, k.w, k.weapons, k.budget_rounds, k.rounds_fired, k.cover, k.water, k.q,
                k.r, k.held, k.step_units[:n], k.step_targets[:n], k.step_caps[:n],
                k.target_first[: n + 1], k.target_units[: n * count], k.bombard_c0,
                k.bombard_c1, night, hours, k.hex_area_m2, k.hex_size_m, k.keys, turn, table,
                k.head, k.bombard_rows[:n], k.hits[: n * count], k.bombard_order,
                k.bombard_by_class, k.bombard_shells,
            )  # fmt: skip
            if changed < 0:
                return ROOM, BOMBARD, n + n * count, -1, False
            if changed:
                p[_WORKS] = 1
        phase = FIRE
    if phase == FIRE:
        shots = fire_phase(
            u, k.w, k.fire, s.on_map, s.aim_hex, k.held, night, hours, hours_left, k.keys,
            turn, table, k.head,
        )  # fmt: skip
        if shots < 0:
            return ROOM, FIRE, count, -1, False
        phase = ASSAULT
    if phase == ASSAULT:
        status, extra = _assaults(k, s, table, grounds, night, hours, turn)
        if status != DONE:
            return status, ASSAULT, extra, -1, False
        _note_outcomes(k, turn)
        phase = MORALE
    morale_step(
        u, k.on_map, k.q, k.r, s.men_before, k.ledger_rows, ledger_row, u.morale_start,
        k.water, hours, k.morale_values, k.morale_rows, k.morale_contact,
    )  # fmt: skip
    ledger = (
        k.tally, u.hex, u.arrived, u.gone, u.routed, k.w.fort_strength,
        k.w.blockhouse_strength, k.builders, p[_WORKS] != 0, k.rounds_fired, ledger_row,
        k.ledger_rows, k.works_rows, k.rounds_rows, k.position_rows, k.first_routed,
    )  # fmt: skip
    _, _, _, side_gone, over = close_turn(
        u, k.on_map, k.place_hexes, k.control, k.owner, k.history, place_row, s.changed,
        turn + 1, total_turns, ledger,
    )  # fmt: skip
    return DONE, MORALE, 0, side_gone, over


_play_turn = resolved(play_turn)


@kernel(borrows=True)
def _note_outcomes(k, turn):
    """Each hex assaulted this turn, fought or not (`_SKIPPED` already the attackers' side's, an
    attack that rested, a walk into an empty hex: none of these), as a row of `k.outcomes`:
    (turn, the defending side, the outcome), for the state's record of assaults."""
    for g in range(max(k.found[0], 0)):
        outcome = k.info[g, _OUTCOME]
        if k.entered[g] or outcome in (_SKIPPED, _RESTED):
            continue
        n = k.outcome_count[0]
        if n >= len(k.outcomes):
            raise IndexError("the turns' assault outcomes are full")
        k.outcomes[n, 0] = turn
        k.outcomes[n, 1] = 1 - k.u.side[k.members[g, 0]]
        k.outcomes[n, 2] = outcome
        k.outcome_count[0] = n + 1


@kernel(borrows=True)
def _clear_assault_rows(k):
    """The assaults' rows as a new `_Record` has them, for the turn to come (a game's record
    serves every turn): only the rows the last turn's assaults wrote, the hexes it grouped
    (`found[0]`, -1 when it grouped none), are cleared. The rows past them were never written
    since they were last cleared (or made): the turn's grouping and assaults write rows below
    `found[0]` alone."""
    n = max(k.found[0], 0)
    k.found[0] = -1
    if n == 0:
        return
    k.entered[:n] = 0
    k.info[:n] = 0
    k.members[:n] = 0
    k.defenders[:n] = 0
    k.firing[:n] = 0.0
    k.out[:n] = math.nan
    k.counts[:n] = 0
    k.melee[:n] = 0.0
    k.leaders[:n] = 0
    k.ammunition[:n] = math.nan
    k.routed[:n] = math.nan


@kernel(borrows=True)
def _step_rows(k, rows, s, code, on_map_only):
    """The turn's order rows of kind `code` that a rule step resolves (`s.stepping`, in unit
    order) into `k.step_units`, `k.step_targets`, `k.step_caps` (columns unit, hex, rounds);
    with `on_map_only`, only those of units in the fight (the guns' wrapper's filter); returns
    how many."""
    n = 0
    for j in range(k.progress[_STEPPING]):
        row = s.stepping[j]
        if rows[row, 0] != code:
            continue
        unit = rows[row, 1]
        if on_map_only and not s.on_map[unit]:
            continue
        k.step_units[n] = unit
        k.step_targets[n] = rows[row, 2]
        k.step_caps[n] = rows[row, 3]
        n += 1
    return n


@kernel(borrows=True)
def _moves(k, entries, count, table, grounds, night, hours, turn, reset_postures):
    """movement's `move_rows` in the kernel: room in the dice's table for every draw the moves
    may make (else (`ROOM`, the rows)), one call of `move_phase` (a full store: (`STORE`, its
    ground)), and the rows that note something beside the arrays kept in `k.notes` (a river
    crossed, a unit off the map's edge). `move_phase` counts the zones from nothing: they are
    zero between calls (made so, and taken back out unit by unit after the moves, in as many
    steps as there are units rather than the board's hexes)."""
    if not has_room(table, k.head, turn, count * k.draws_per_move):
        return ROOM, count * k.draws_per_move
    taken, written = move_phase(
        k.u, entries, count, k.slots, k.moved, grounds, k.move_values, k.move_occupied,
        k.move_zoned, k.mined0, k.mined1, k.w, k.control, night, hours, turn, k.keys, table,
        k.head, k.move_steps, k.move_rows, reset_postures,
    )  # fmt: skip
    if taken < 0:
        return STORE, written
    if count > 0:  # the zones back to zero, unit by unit (`move_phase` counted them: it kept
        # them as its units moved, so they are the units' counts where they stand now)
        uncount_all(k.u, k.move_occupied, k.move_zoned, grounds[0].neighbors)
    for j in range(written):
        row = k.move_rows[j]
        kind = row[0]
        if (kind == ROW_CROSSING and row[5] != 0.0) or (kind == ROW_ESCAPED and row[4] != 0.0):
            n = k.note_count[0]
            if n >= len(k.notes):
                raise IndexError("the turns' notes of moves are full")
            for column in range(6):
                k.notes[n, column] = row[column]
            k.notes[n, 6] = turn  # (the kind's last number, which these two kinds leave unused)
            k.note_count[0] = n + 1
    return DONE, 0


@kernel(borrows=True)
def _assaults(k, s, table, grounds, night, hours, turn):
    """assault's `assaults` in the kernel: `assault_phase` from the hex it stopped at
    (`progress[_FIRST]`), the attackers' walk into an empty hex made here (`_moves`, `GO_FREE`),
    a stop for room in the dice's table or a field store returned as `_moves` returns it."""
    n = k.progress[_ASSAULTING]
    if n == 0:
        return DONE, 0
    # the pairs as the wrapper hands them, contiguous rows (unit, target) of `n`: a slice of
    # the scratch's wider rows would be another layout, and the assault's kernels compiled again
    assaulting = k.pairs[: 2 * n].reshape(2, n)
    for j in range(n):
        assaulting[0, j] = s.assaulting[0, j]
        assaulting[1, j] = s.assaulting[1, j]
    first = k.progress[_FIRST]
    while True:
        stop, status, needed = assault_phase(
            k.u, k.w, k.cover, k.water, k.edge, k.passable, k.neighbors, k.q, k.r, k.control,
            s.on_map, assaulting, k.held, night, hours, k.hex_size_m, k.values, k.assault_c0,
            k.assault_c1, k.keys, turn, table, k.head, k.assault_occupied, k.assault_zoned,
            False, k.assault_steps, first, k.found, k.info, k.members, k.defenders, k.firing,
            k.out, k.counts, k.melee, k.leaders, k.ammunition, k.routed, k.cut, k.engaged,
            k.fire_rate,
        )  # fmt: skip
        if status == _DONE:
            return DONE, 0
        if status == _ROOM:
            k.progress[_FIRST] = stop
            return ROOM, needed
        # the hex is empty: the attackers walk in, then the next hex's turn
        attacking = k.info[stop, _ATTACKING]
        for j in range(attacking):
            k.enter[0, j] = k.members[stop, j]
            k.enter[1, j] = GO_FREE
            k.enter[2, j] = k.info[stop, _TARGET]
            k.enter[3, j] = -1
        moved, extra = _moves(k, k.enter, attacking, table, grounds, night, hours, turn, False)
        if moved != DONE:
            k.progress[_FIRST] = stop
            return moved, extra
        k.entered[stop] = 1
        first = stop + 1
        k.progress[_FIRST] = first
