"""The turn sequence: arrivals and air strikes, movement, bombardment, direct fire, assaults,
morale and routs, then the clock. Every change is reported as an Event.

    state = new_game(scenario, seed)
    events = end_turn(state, orders)      # orders from both sides for this turn
    outcome = state.winner                # None until the game ends
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from ..core.events import Event, GameEnded, HexTaken, TurnEnded
from ..core.orders import RULE_STEPS, Assault, Fire, Move, Order, Withdraw, order_hex
from ..core.state import GameState, new_state
from .arrivals import air_strikes, arrivals
from .assault import resolve_assault
from .coefficients import Coefficients
from .coefficients import coefficients as make_coefficients
from .fire import direct_fire
from .morale import draw_break_points, morale_phase
from .movement import FLEE, GO, GO_FREE, WITHDRAW, move_units
from .protection import fire_at_turn_start
from .victory import decide_winner

if TYPE_CHECKING:  # rules import only core and hexgrid; a new game starts from the scenario's data
    from ..scenario.models import Scenario

_UNIT = attrgetter("unit")  # an order's unit, read in C for a turn's thirty orders
_MOVING = (Move, Withdraw)  # orders that move a unit where it is told


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


def _run_steps(state: GameState, given: dict[type[Order], list[Order]], c, events) -> None:
    """The rule steps declared with `resolves` (bombardment, engineers' breaching), each with the
    orders of its kind given this turn (`given`: by kind, in unit order), by their rank."""
    for _, kind, step in RULE_STEPS:
        if given[kind]:
            step(state, given[kind], c, events)


def end_turn(state: GameState, orders: Iterable[Order], *, fingerprint: bool = True) -> list[Event]:
    """Resolve one turn with the orders given (units without one hold). The game-over event
    carries the final state's hash; `fingerprint=False` leaves it empty, for a game whose events
    no log keeps (a batch's: `state.state_hash()` still gives it on demand)."""
    if state.finished:
        return []
    c = coefficients_of(state)
    u, board = state.units, state.board
    state.state_version += 1
    events: list[Event] = []
    men_before = u.men.copy()
    arrivals(state, events)
    air_strikes(state, c, events)

    orders = orders if isinstance(orders, list | tuple) else list(orders)
    # by unit, the last order of a unit counting
    by_unit: dict[int, Order] = dict(zip(map(_UNIT, orders), orders, strict=True))
    active = state.active()
    rear = state.rears  # where routed units run
    by_side = state.side_coefficients or (c, c)  # what acts on one side's units reads its own

    # Movement, in unit order (deterministic); routed units flee whatever their orders; units
    # that stood still then take their own posture again (one kernel call: movement.move_units).
    # (A unit's own flags are read before the moves: moving one unit never changes another's,
    # and nothing before the morale phase routs or rallies anyone.)
    routed, in_water = u.routed.tolist(), (u.crossing_hours > 0).tolist()
    hexes, sides, came_from = u.hex.tolist(), u.side.tolist(), u.crossing_from.tolist()
    movers: list[int] = []
    kinds: list[int] = []
    goals: list[int] = []
    escapes: list[int] = []  # a withdrawing or fleeing unit reaching this hex at the edge leaves
    for i in active.nonzero()[0].tolist():
        order = by_unit.get(i)
        start = hexes[i]
        withdrawing = isinstance(order, Withdraw)
        if routed[i]:
            kind, goal = FLEE, rear[sides[i]]
        elif isinstance(order, _MOVING):
            kind, goal = (WITHDRAW if withdrawing else GO), order.to
        elif isinstance(order, Assault) and board.distance(start, order.target) > 1:
            kind, goal = GO, order.target
        elif in_water[i]:
            # In a river with no order to go on: make for the bank it set out from.
            kind, goal = GO, came_from[i] if came_from[i] >= 0 else start
        else:
            continue
        movers.append(i)
        kinds.append(kind)
        goals.append(goal)
        escapes.append(order.to if withdrawing else rear[sides[i]] if routed[i] else -1)
    move_units(state, movers, kinds, goals, escapes, by_side, events, reset_postures=True)
    on_map = state.active()

    # The steps declared beside their rules (bombardment, engineers at work), then direct fire
    # (simultaneous within the phase; none of them moves anyone).
    aimed_at, assault_orders = {}, []
    stepped = {kind: [] for _, kind, _ in RULE_STEPS}  # orders of the kinds a step resolves
    for i in sorted(by_unit):
        order = by_unit[i]
        if isinstance(order, Fire):
            aimed_at[i] = order.target
        elif isinstance(order, Assault):
            assault_orders.append(order)
        elif type(order) in stepped:
            stepped[type(order)].append(order)
    # Everyone fires (and works) at the suppression carried into the turn: the fire taken in it
    # is spread over its hours (protection.fire_at_turn_start).
    with fire_at_turn_start(state):
        _run_steps(state, stepped, c, events)
        direct_fire(state, c, events, aimed_at=aimed_at, on_map=on_map)
        _assaults(state, assault_orders, on_map, c, events)

    on_map = morale_phase(state, men_before, u.morale_start, c, events)
    _update_places(state, events, on_map)
    return _finish_turn(state, events, fingerprint)


def _assaults(state: GameState, assault_orders: list[Assault], on_map, c, events) -> None:
    """Assaults: all attackers of one hex this turn fight together."""
    u, board = state.units, state.board
    assaults: dict[int, list[int]] = {}
    for order in assault_orders:
        i = order.unit
        if (
            on_map[i]
            and not u.routed[i]
            and u.men[i] > 0
            and not u.is_gun[i]
            and u.crossing_hours[i] <= 0
            and board.distance(int(u.hex[i]), order.target) == 1
        ):
            assaults.setdefault(order.target, []).append(i)
    for target, attackers in assaults.items():
        side = int(u.side[attackers[0]])
        attackers = [a for a in attackers if int(u.side[a]) == side]
        if state.units_at(target, side):
            continue  # already ours
        if not state.units_at(target, 1 - side):
            n = len(attackers)
            move_units(state, attackers, [GO_FREE] * n, [target] * n, [-1] * n, (c, c), events)
            continue
        resolve_assault(state, target, attackers, c, events)


def _update_places(state: GameState, events: list[Event], on_map: np.ndarray) -> None:
    """A place with one side's units in it is that side's; an empty one keeps its last owner."""
    board, u = state.board, state.units
    places = board.shared("place_list", lambda: list(board.places.items()))
    place_hexes = board.shared("place_hexes", lambda: frozenset(board.places.values()))
    holder: dict[int, int] = {}  # place hex -> the side in it, or -1 when both are
    hexes, sides = u.hex.tolist(), u.side.tolist()
    for i in on_map.nonzero()[0].tolist():
        h, side = hexes[i], sides[i]
        if h in place_hexes:
            holder[h] = side if holder.get(h, side) == side else -1
    control, timeline, place_control = state.control, state.place_timeline, state.place_control
    taken_now: set[str] | None = None
    for name, h in places:
        now = holder.get(h, -1)
        if now >= 0:
            control[h] = now
        else:  # nobody there, or both sides: it stays whose it was
            now = int(control[h])
        if now != place_control.get(name, -1):
            place_control[name] = now
            if taken_now is None:  # hexes whose taking an assault has already reported
                taken_now = {e.hex for e in events if isinstance(e, HexTaken)}
            if board.label(h) not in taken_now and now >= 0:
                events.append(HexTaken(state.turn, board.label(h), state.side_ids[now], name))
        timeline.setdefault(name, []).append(now)


def _finish_turn(state: GameState, events: list[Event], fingerprint: bool) -> list[Event]:
    u = state.units
    # Plain lists: a dozen units, where numpy's per-call cost would outweigh the work.
    sides, men_now = u.side.tolist(), u.men.tolist()
    gone, arrived = u.gone.tolist(), u.arrived.tolist()
    men = [0, 0]
    fighting = [False, False]  # anyone left to fight, or still to arrive
    for i, side in enumerate(sides):
        if arrived[i] and not gone[i]:
            men[side] += men_now[i]
        if not arrived[i] or (not gone[i] and men_now[i] > 0):
            fighting[side] = True
    by_side = {state.side_ids[0]: men[0], state.side_ids[1]: men[1]}
    events.append(TurnEnded(state.turn, _clock_text(state), state.is_night(), by_side))
    state.turn += 1
    state.record()
    side_gone = 0 if not fighting[0] else 1 if not fighting[1] else None
    if state.turn >= state.total_turns or side_gone is not None:
        state.finished = True
        if side_gone is not None:
            _hand_over_places(state, side_gone, events)
        state.winner, reason = decide_winner(state)
        fingerprint_text = state.state_hash() if fingerprint else ""
        events.append(GameEnded(state.turn, state.winner, reason, fingerprint_text))
    return events


def _clock_text(state: GameState) -> str:
    """The turn's start time as text, worked out once per turn for every game of the scenario."""
    return state.board.shared(
        ("clock_text", state.turn), lambda: state.now.isoformat(timespec="minutes")
    )


def _hand_over_places(state: GameState, gone: int, events: list[Event]) -> None:
    """A side that has left the field, dead, captured or off the map, leaves its places to the
    other side, whose men walk into them unopposed."""
    other = 1 - gone
    if not state.men_on_map(other):
        return
    board = state.board
    for name, h in board.places.items():
        if state.place_control.get(name) == gone:
            state.control[h] = other
            state.place_control[name] = other
            if state.place_timeline.get(name):
                state.place_timeline[name][-1] = other
            events.append(HexTaken(state.turn, board.label(h), state.side_ids[other], name))


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
