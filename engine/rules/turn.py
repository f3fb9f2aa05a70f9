"""The turn sequence: arrivals and air strikes, movement, bombardment, direct fire, assaults,
morale and routs, then the clock. Every change is reported as an Event.

    state = new_game(scenario, seed)
    events = end_turn(state, orders)      # orders from both sides for this turn
    outcome = state.winner                # None until the game ends
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..core.board import hex_distance
from ..core.bundles import unit_arrays
from ..core.events import Event, GameEnded, HexTaken, TurnEnded
from ..core.orders import ASSAULT as ASSAULT_ORDER
from ..core.orders import FIRE, ROW_WIDTH, RULE_STEPS, Order, order_hex, orders_to_rows
from ..core.orders import MOVE as MOVE_ORDER
from ..core.orders import WITHDRAW as WITHDRAW_ORDER
from ..core.state import GameState, new_state, record_turn
from ..kernels.jit import kernel, resolved
from .arrivals import air_strikes, arrivals
from .assault import assaults
from .coefficients import Coefficients
from .coefficients import coefficients as make_coefficients
from .fire import direct_fire
from .morale import draw_break_points, morale_phase
from .movement import FLEE, GO, WITHDRAW, move_rows
from .protection import fire_at_turn_start
from .victory import decide_winner

if TYPE_CHECKING:  # rules import only core and hexgrid; a new game starts from the scenario's data
    from ..scenario.models import Scenario


class IllegalOrderError(ValueError):
    """An order a unit cannot carry out (for orders from people; the AI uses the trusted path)."""


def new_game(scenario: Scenario, seed: int, overrides: dict[str, float] | None = None) -> GameState:
    """A game at its first turn, with the scenario's rule overrides (and any more) applied."""
    values = dict(scenario.rules)
    values.update(overrides or {})
    c = make_coefficients(values)
    state = new_state(scenario, seed, c)
    state.coefficients = c
    state.side_coefficients = side_coefficients(scenario, values, overrides, c, state.side_ids)
    draw_break_points(state, scenario, c)
    return state


def side_coefficients(
    scenario: Scenario,
    values: dict[str, float],
    overrides: dict[str, float] | None,
    common: Coefficients,
    side_ids: tuple[str, ...],
) -> tuple[Coefficients, ...]:
    """Each side's coefficients, resolved once for the game: the common ones with the side's
    `side_rules` over them (the very same object where a side has none, so a scenario without
    them costs nothing). A run's own overrides (`overrides`, a sweep) apply to both sides and
    win over the scenario's per-side values."""
    per_side = scenario.side_rules or {}
    return tuple(
        make_coefficients({**values, **per_side[side], **(overrides or {})})
        if per_side.get(side)
        else common
        for side in side_ids
    )


def coefficients_of(state: GameState) -> Coefficients:
    return state.coefficients


def check_order(state: GameState, order: Order) -> None:
    """Raise IllegalOrderError if `order` cannot be given now (the checked path, for people).
    Every order is checked for its unit being on the map, a routed unit only holding or
    withdrawing, the hex it names being on the map; then as its own kind declares
    (`Order.refusal`)."""
    u, board = state.units, state.board
    i = order.unit
    if not (0 <= i < u.count) or not u.arrived[i] or u.gone[i] or u.hex[i] < 0:
        raise IllegalOrderError(f"unit {i} is not on the map")
    if u.routed[i] and not order.routed_may:
        raise IllegalOrderError(f"{u.ids[i]} is routed and can only hold or withdraw")
    target = order_hex(order)
    if target is not None and not (0 <= target < board.size):
        raise IllegalOrderError(f"hex {target} is off the map")
    reason = order.refusal(state)
    if reason:
        raise IllegalOrderError(reason)


def _run_steps(state: GameState, given: np.ndarray, c, events) -> None:
    """The rule steps declared with `resolves` (bombardment, engineers' breaching), by their
    rank, each with the order rows of its kind given this turn (`given`: the rows of every
    step's kind, a unit's last, in unit order; see orders.ROW_WIDTH)."""
    if not len(given):
        return
    codes = given[:, 0]
    given_codes = set(codes.tolist())
    for _, kind, step in RULE_STEPS:
        if kind.code in given_codes:
            step(state, given[codes == kind.code], c, events)


def end_turn(
    state: GameState, orders: Iterable[Order] | np.ndarray, *, fingerprint: bool = True
) -> list[Event]:
    """Resolve one turn with the orders given (units without one hold): Orders, or the same as
    integer rows (engine/core/orders.py `ROW_WIDTH`, what the computer player writes; the turn
    reads rows either way). The game-over event carries the final state's hash;
    `fingerprint=False` leaves it empty, for a game whose events no log keeps (a batch's:
    `state.state_hash()` still gives it on demand)."""
    if state.finished:
        return []
    rows = orders if isinstance(orders, np.ndarray) else orders_to_rows(orders)
    if whole_turn.whole_turn_plays(state):  # a game that reports nothing: one kernel call
        return whole_turn.play_quiet_turn(state, rows, fingerprint)
    c = coefficients_of(state)
    u, board = state.units, state.board
    events: list[Event] = []
    scratch = turn_scratch(state)
    start_turn(state, scratch.men_before, events)

    by_side = state.side_coefficients or (c, c)  # what acts on one side's units reads its own
    # Who moves where, who fires at what, who assaults, whose order a rule step resolves: one
    # kernel call (`sort_orders`), the last order of a unit counting.
    n_moving, n_assaulting, n_stepping = _sort_orders(
        rows, unit_arrays(u), _rears(state), board.q, board.r, _step_codes(), scratch
    )
    # Movement, in unit order (deterministic); routed units flee whatever their orders; units
    # that stood still then take their own posture again (one kernel call: movement.move_rows).
    # (A unit's own flags are read before the moves: moving one unit never changes another's,
    # and nothing before the morale phase routs or rallies anyone.)
    move_rows(state, scratch.moving, n_moving, by_side, events, reset_postures=True)
    on_map = _in_the_fight(u, scratch)  # after the moves: who fires and assaults

    # The steps declared beside their rules (bombardment, engineers at work), then direct fire
    # (simultaneous within the phase; none of them moves anyone).
    stepped = rows[scratch.stepping[:n_stepping]] if n_stepping else _NO_ROWS
    # Everyone fires (and works) at the suppression carried into the turn: the fire taken in it
    # is spread over its hours (protection.fire_at_turn_start).
    with fire_at_turn_start(state):
        _run_steps(state, stepped, c, events)
        direct_fire(state, c, events, aim_hex=scratch.aim_hex, on_map=on_map)
        assaults(state, scratch.assaulting[:, :n_assaulting], on_map, c, events)

    on_map = morale_phase(state, scratch.men_before, u.morale_start, c, events)
    return _close_turn(state, events, on_map, fingerprint)


def start_turn(state: GameState, men_before: np.ndarray, events: list[Event]) -> None:
    """A turn's start, whichever driver plays the rest of it (this module's `end_turn`, the
    compiled turn of engine/rules/whole_turn.py and engine/quiet_game.py): the state's version
    on, each unit's men kept in `men_before` for the morale phase, then the reinforcements due
    and the air strikes that come (told in `events`)."""
    state.state_version += 1
    np.copyto(men_before, state.units.men)
    arrivals(state, events)
    air_strikes(state, state.coefficients, events)


def _rears(state: GameState) -> np.ndarray:
    """Each side's rear (`state.rears`) as the array `sort_orders` reads, made once per game."""
    kept = state.__dict__.get("_rear_array")
    if kept is None:
        kept = state.__dict__["_rear_array"] = np.array(state.rears, np.int64)
    return kept


class TurnScratch(NamedTuple):
    """The arrays a turn writes and reads back within itself, made once per game
    (`turn_scratch`) so that a turn allocates none: the kernels fill them each turn."""

    men_before: np.ndarray  # int64 per unit: its men at the turn's start (the morale phase)
    moving: np.ndarray  # int64 (4, units): `sort_orders`' moves (unit, kind, goal, escape)
    aim_hex: np.ndarray  # int64 per unit: the hex it was told to fire at, -1 none
    assaulting: np.ndarray  # int64 (2, units): `sort_orders`' assaults (unit, target)
    stepping: np.ndarray  # int64 per unit: the rows a rule step resolves
    on_map: np.ndarray  # bool per unit: in the fight after the moves (fire and assaults)
    on_board: np.ndarray  # bool per unit: standing on a hex (a step of `on_map`)
    last_order: np.ndarray  # int64 per unit: its last order row, -1 none (`sort_orders`)
    changed: np.ndarray  # int64 per place: the places that changed hands (`close_turn`)


def turn_scratch(state: GameState) -> TurnScratch:
    """The game's `TurnScratch`, made at its first turn (the same bundle every turn after, which
    the kernels' callers tell by identity: `jit.resolved`)."""
    kept = state.__dict__.get("_turn_scratch")
    count = state.units.count
    if kept is None or len(kept.men_before) != count:
        kept = state.__dict__["_turn_scratch"] = TurnScratch(
            men_before=np.zeros(count, np.int64),
            moving=np.zeros((4, count), np.int64),
            aim_hex=np.full(count, -1, np.int64),
            assaulting=np.zeros((2, count), np.int64),
            stepping=np.zeros(count, np.int64),
            on_map=np.zeros(count, np.bool_),
            on_board=np.zeros(count, np.bool_),
            last_order=np.zeros(count, np.int64),
            changed=np.zeros(len(state.board.places), np.int64),
        )
    return kept


def _in_the_fight(u, scratch: TurnScratch) -> np.ndarray:
    """`scratch.on_map` made `GameState.active()` (arrived, not gone, on a hex) in place, with
    no array made: the mask fire and the assaults read after the moves."""
    on_map = scratch.on_map
    np.greater(u.arrived, u.gone, out=on_map)  # arrived and not gone (flags: True > False)
    np.greater_equal(u.hex, 0, out=scratch.on_board)
    np.logical_and(on_map, scratch.on_board, out=on_map)
    return on_map


_NO_ROWS = np.zeros((0, ROW_WIDTH), np.int64)  # no rule step's order this turn


def _step_codes() -> np.ndarray:
    """The codes of the order kinds a rule step resolves (`RULE_STEPS`), as `sort_orders` reads
    them (made again only when a rule module registers a step)."""
    global _STEP_CODES
    if _STEP_CODES is None or len(_STEP_CODES) != len(RULE_STEPS):
        _STEP_CODES = np.array([kind.code for _, kind, _ in RULE_STEPS], np.int64)
    return _STEP_CODES


_STEP_CODES: np.ndarray | None = None


@kernel(borrows=True)
def sort_orders(rows, u, rear, q, r, step_codes, scratch):
    """The turn's order rows (`orders.ROW_WIDTH`; the last row of a unit counting) sorted out
    for the phases into the game's `TurnScratch`, every list in unit order:
    - `moving` (rows unit, movement kind, goal, escape hex): the units in the fight (arrived,
      not gone, on a hex: `GameState.active()`) that move this turn. A routed unit flees
      to its side's `rear` whatever it was told; a move or withdrawal goes to its hex (a
      withdrawal leaving the map if that hex is on its edge); an assault on a hex not next to
      the unit first goes there; a unit in a river with no order to go on makes
      for the bank it set out from (or holds where it is). A withdrawing or fleeing unit
      reaching its escape hex on the edge leaves the map (-1: none).
    - `aim_hex`: per unit, the hex it was told to fire at (-1: none).
    - `assaulting` (rows unit, target): the units told to assault.
    - `stepping`: the rows of the units whose order a rule step resolves (a code in
      `step_codes`), a unit's last.
    Returns how many of each of the three lists were written."""
    moving, aim_hex, assaulting = scratch.moving, scratch.aim_hex, scratch.assaulting
    stepping, last = scratch.stepping, scratch.last_order
    arrived, gone, hexes = u.arrived, u.gone, u.hex
    count = len(u.men)
    last[:] = -1
    aim_hex[:] = -1
    for k in range(rows.shape[0]):
        last[rows[k, 1]] = k
    n_moving = 0
    n_assaulting = 0
    n_stepping = 0
    for i in range(count):
        k = last[i]
        code = rows[k, 0] if k >= 0 else -1
        there = rows[k, 2] if k >= 0 else -1
        if code == FIRE:
            aim_hex[i] = there
        elif code == ASSAULT_ORDER:
            assaulting[0, n_assaulting] = i
            assaulting[1, n_assaulting] = there
            n_assaulting += 1
        elif code >= 0:
            for known in step_codes:
                if code == known:
                    stepping[n_stepping] = k
                    n_stepping += 1
                    break
        if not arrived[i] or gone[i] or hexes[i] < 0:  # not in the fight (`GameState.active`)
            continue
        start = hexes[i]
        withdrawing = code == WITHDRAW_ORDER
        escape = there if withdrawing else -1
        if u.routed[i]:
            kind, goal = FLEE, rear[u.side[i]]
            if not withdrawing:
                escape = goal
        elif code == MOVE_ORDER or withdrawing:
            kind, goal = (WITHDRAW if withdrawing else GO), there
        elif code == ASSAULT_ORDER and hex_distance(q, r, start, there) > 1:
            kind, goal = GO, there
        elif u.crossing_hours[i] > 0:
            # In a river with no order to go on: make for the bank it set out from.
            came_from = u.crossing_from[i]
            kind, goal = GO, (came_from if came_from >= 0 else start)
        else:
            continue
        moving[0, n_moving] = i
        moving[1, n_moving] = kind
        moving[2, n_moving] = goal
        moving[3, n_moving] = escape
        n_moving += 1
    return n_moving, n_assaulting, n_stepping


# called once a turn with the same bundles: `resolved` skips numba's typing of them
_sort_orders = resolved(sort_orders)


def _close_turn(
    state: GameState, events: list[Event], on_map: np.ndarray, fingerprint: bool
) -> list[Event]:
    """The turn's end, one kernel call (`close_turn`): who holds each named place (a place
    changing hands is reported, unless an assault of the turn has reported its hex already),
    each side's men on the field reported, the clock on, the ledgers kept, and the game over at
    its last turn or when a side has left the field.

    A game whose events explain nothing (`state.record_events` off: a batch's) is told only of
    its end (GameEnded): what the turn's end would report, who holds which place and each
    side's men on the field, is in the state's arrays (`place_history`, the ledgers' rows and
    `position_rows`, as engine/sim/worker.py reads them), so such a turn makes no event."""
    board = state.board
    history = state.room_in_place_history()
    changed = turn_scratch(state).changed
    count, men_0, men_1, side_gone, over = _close_turn_kernel(
        unit_arrays(state.units),
        on_map,
        board.place_hexes,
        state.control,
        state.place_owner,
        history,
        state.place_turns,
        changed,
        state.turn + 1,
        state.total_turns,
        state.record_arguments(),
    )
    state.place_turns += 1
    state.recorded()
    if state.record_events:
        if count:
            taken_now = {e.hex for e in events if isinstance(e, HexTaken)}  # told by an assault
            _tell_taken(state, changed[:count].tolist(), events, skip=taken_now)
        by_side = {state.side_ids[0]: int(men_0), state.side_ids[1]: int(men_1)}
        events.append(TurnEnded(state.turn, _clock_text(state), state.is_night(), by_side))
    return finish_turn(state, events, int(side_gone), bool(over), fingerprint)


def finish_turn(
    state: GameState, events: list[Event], side_gone: int, over: bool, fingerprint: bool
) -> list[Event]:
    """The clock on, and the game's end where `close_turn` found it over (`end_game`). Both
    drivers of a turn end here (`end_turn`'s, and engine/rules/whole_turn.py's for a quiet game)."""
    state.turn += 1
    if over:
        end_game(state, events, side_gone, fingerprint)
    return events


def end_game(state: GameState, events: list[Event], side_gone: int, fingerprint: bool) -> None:
    """The game over, after its last turn (the clock already on): a side that has left the
    field (`side_gone`, -1 none) hands its places over, the winner is decided and told
    (`GameEnded`, with the final state's hash when `fingerprint`)."""
    state.finished = True
    if side_gone >= 0:
        _hand_over_places(state, side_gone, events if state.record_events else None)
    state.winner, reason = decide_winner(state)
    fingerprint_text = state.state_hash() if fingerprint else ""
    events.append(GameEnded(state.turn, state.winner, reason, fingerprint_text))


@kernel(borrows=True)
def close_turn(
    u, on_map, place_hexes, control, owner, history, row, changed, next_turn, total_turns, ledger
):
    """`update_places` (writing row `row` of the places' `history`, the places that changed
    hands to `changed`), then `turn_tally` for `next_turn`, then `record_turn` with the
    arguments `ledger` (`GameState.record_arguments`): (how many places changed hands, men of
    side 0 on the field, of side 1, the side that has left the field or -1, whether the game is
    over)."""
    count = update_places(u, on_map, place_hexes, control, owner, history, row, changed)
    men_0, men_1, side_gone, over = turn_tally(u, next_turn, total_turns)
    record_turn(*ledger)
    return count, men_0, men_1, side_gone, over


def _tell_taken(state: GameState, places: list[int], events: list[Event], skip=()) -> None:
    """A HexTaken for each place (by number) now held by a side, but those in hexes `skip`."""
    board = state.board
    names = list(board.places)
    owners = state.place_owner.tolist()
    for p in places:
        h, now = int(board.place_hexes[p]), owners[p]
        if board.label(h) not in skip and now >= 0:
            events.append(HexTaken(state.turn, board.label(h), state.side_ids[now], names[p]))


def _update_places_arrays(u, on_map, place_hexes, control, owner, history, row, changed) -> int:
    """`update_places` where the process interprets: who stands in each hex gathered once into
    an array the board's size, quicker there than the kernel's loop over places and units (a
    Python loop of a battle's 15 x 15 pairs cost 39 µs a turn against 15). The same answer."""
    holder = np.full(len(control), -2, np.int64)  # per hex: the side in it, -1 both, -2 none
    hexes, sides = u.hex, u.side
    for i in np.flatnonzero(on_map):
        h = hexes[i]
        if holder[h] == -2:
            holder[h] = sides[i]
        elif holder[h] != sides[i]:
            holder[h] = -1
    count = 0
    for p in range(len(place_hexes)):
        h = place_hexes[p]
        now = holder[h]
        if now >= 0:
            control[h] = now
        else:  # nobody there, or both sides: it stays whose it was
            now = control[h]
        if now != owner[p]:
            owner[p] = now
            changed[count] = p
            count += 1
    history[row, :] = owner
    return count


@kernel(interpreted=_update_places_arrays, borrows=True)
def update_places(u, on_map, place_hexes, control, owner, history, row, changed) -> int:
    """Who holds each named place after the turn: a place with one side's units in it (`on_map`
    the units in the fight) is that side's (and so is its hex in `control`); an empty one, or one
    both sides stand in, stays whose it was. Writes `owner`, the record's row `row` of
    `history`; the numbers of the places that changed hands go to `changed`, in place order;
    returns how many.

    Each place asks the units in the fight whether they stand in its hex (a few places, a few
    dozen units): no array the board's size is made and filled a turn, and the kernel
    borrows."""
    hexes, sides = u.hex, u.side
    count = 0
    for p in range(len(place_hexes)):
        h = place_hexes[p]
        now = -2  # the side in the hex, -1 both, -2 none
        for i in range(len(hexes)):
            if on_map[i] and hexes[i] == h:
                if now == -2:
                    now = sides[i]
                elif now != sides[i]:
                    now = -1
        if now >= 0:
            control[h] = now
        else:  # nobody there, or both sides: it stays whose it was
            now = control[h]
        if now != owner[p]:
            owner[p] = now
            changed[count] = p
            count += 1
    for p in range(len(owner)):
        history[row, p] = owner[p]
    return count


@kernel(borrows=True)
def turn_tally(u, next_turn, total_turns):
    """(men of side 0 on the field, of side 1, the side that has left the field or -1, whether
    the game is over). A side has left the field when none of its units is still to arrive or
    in the fight with men (side 0 first, should both have); the game is over then, or when
    `next_turn` reaches `total_turns`."""
    arrived, gone, men, side = u.arrived, u.gone, u.men, u.side
    men_0 = 0
    men_1 = 0
    fighting_0 = False  # anyone left to fight, or still to arrive
    fighting_1 = False
    for i in range(len(men)):
        if arrived[i] and not gone[i]:
            if side[i] == 0:
                men_0 += men[i]
            else:
                men_1 += men[i]
        if not arrived[i] or (not gone[i] and men[i] > 0):
            if side[i] == 0:
                fighting_0 = True
            else:
                fighting_1 = True
    side_gone = 0 if not fighting_0 else 1 if not fighting_1 else -1
    return men_0, men_1, side_gone, next_turn >= total_turns or side_gone >= 0


# called from Python once a turn with the same bundles: `resolved` skips numba's typing of them
_close_turn_kernel = resolved(close_turn)


def _clock_text(state: GameState) -> str:
    """The turn's start time as text, worked out once per turn for every game of the scenario."""
    return state.board.shared(
        ("clock_text", state.turn), lambda: state.now.isoformat(timespec="minutes")
    )


def _hand_over_places(state: GameState, gone: int, events: list[Event] | None) -> None:
    """A side that has left the field, dead, captured or off the map, leaves its places to the
    other side, whose men walk into them unopposed (the kernel `hand_over_places`), each told
    in `events` (None: told to nobody)."""
    board = state.board
    changed = turn_scratch(state).changed
    count = hand_over_places(
        unit_arrays(state.units),
        gone,
        board.place_hexes,
        state.control,
        state.place_owner,
        state.place_history,
        state.place_turns,
        changed,
    )
    if events is not None:
        _tell_taken(state, changed[:count].tolist(), events)


@kernel(borrows=True)
def hand_over_places(u, gone, place_hexes, control, owner, history, turns, changed) -> int:
    """Every named place side `gone` holds goes to the other side, if it has men on the map: in
    `owner`, in `control` and in the last row of the record (`turns` rows filled). The numbers
    of the places handed over go to `changed`, in place order; returns how many."""
    other = 1 - gone
    men = 0
    for i in range(len(u.men)):
        if u.side[i] == other and u.arrived[i] and not u.gone[i]:
            men += u.men[i]
    if men == 0:
        return 0
    count = 0
    for p in range(len(place_hexes)):
        if owner[p] == gone:
            control[place_hexes[p]] = other
            owner[p] = other
            if turns > 0:
                history[turns - 1, p] = other
            changed[count] = p
            count += 1
    return count


def _import_rule_modules() -> None:
    """Import every module of engine/rules, so that a rule module declaring its own order kind
    (`register_order`, `resolves` in engine/core/orders.py) is in play without a line here
    naming it."""
    import importlib
    import pkgutil
    from pathlib import Path

    package = __name__.rpartition(".")[0]
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        importlib.import_module(f"{package}.{info.name}")


_import_rule_modules()

# (imported last, as a module: it orders this module's kernels and every rule module's, and
# may be the module imported first)
from . import whole_turn  # noqa: E402
