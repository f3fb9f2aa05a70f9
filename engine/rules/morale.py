"""Morale and breaking: losses, a fallen commander and fire wear morale down; rest restores it.
A unit routs when its morale falls below a threshold, or when in an assault the losses of its
present engagement reach its breaking point, drawn once per unit and game (`draw_break_points`,
rules/assault.py); it then flees toward its side's rear. The losses counted toward the breaking
point start again when a unit rallies, and fade while it rests out of contact
(`break_losses_recovery_per_hour`), as CDB90 and McQuie count losses per engagement. A routed
unit that must swim a river loses men in the water, and one with no way out surrenders, in the
share its resolve (`resolve:` of its side or its own) gives.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from ..core.bundles import unit_arrays
from ..core.dice import SETUP_BREAK_POINT, binomial, normal_quantile, uniform_at
from ..core.events import Event, Rallied, Routed
from ..core.state import LEDGER_ROWS, GameState, PerGame
from ..kernels.jit import kernel, resolved
from .coefficients import share_in_turn

if TYPE_CHECKING:  # rules import only core and hexgrid; the scenario's data comes in as values
    from ..scenario.models import Scenario

# The kinds of `morale_step`'s event rows (kind, unit, morale).
ROUTED_ROW, RALLIED_ROW = 0, 1
_ESCAPED = LEDGER_ROWS.index("escaped")  # the ledger's row of the men who got away
_CACHE = PerGame()  # morale's caches for each game: the sides' coefficients as kernels read them


def resolve_terms(setting: object, coefficients) -> tuple[float, float]:
    """(factor on the breaking point, share of the trapped men lost who surrender) for a
    `resolve:` setting: to_the_last (never breaks on losses, never surrenders), normal,
    surrenders_readily, or a number (the factor; surrender as normal)."""
    if setting is None or setting == "normal":
        return 1.0, coefficients.trapped_captured_fraction
    if setting == "to_the_last":
        return math.inf, 0.0
    if setting == "surrenders_readily":
        return (
            coefficients.resolve_readily_break_factor,
            coefficients.resolve_readily_captured_fraction,
        )
    return float(setting), coefficients.trapped_captured_fraction  # type: ignore[arg-type]


def draw_break_points(state: GameState, scenario: Scenario, coefficients) -> None:
    """Draw each unit's breaking point for this game, and set its share of surrender and its
    hours of assault in hand: the kernel `set_break_points`, handed each unit's `resolve:`
    terms (`resolve_terms`, read from the scenario's words here) and its draw place."""
    factor, captured = break_point_terms(state, scenario, coefficients)
    occurrence = break_point_draws(state.dice, state.units.count)
    set_break_points_of(state, coefficients, factor, captured, occurrence)


def break_point_terms(
    state: GameState, scenario: Scenario, coefficients
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's (break factor, share captured) from its `resolve:` (`resolve_terms`)."""
    u = state.units
    by_side = state.side_coefficients or (coefficients, coefficients)
    sides = {s.id: s.resolve for s in scenario.sides}
    factor, captured = np.empty(len(scenario.units)), np.empty(len(scenario.units))
    for i, unit in enumerate(scenario.units):
        setting = unit.resolve if unit.resolve is not None else sides.get(unit.side)
        # its side's values (`side_rules`), as its surrender reads them
        factor[i], captured[i] = resolve_terms(setting, by_side[int(u.side[i])])
    return factor, captured


def break_point_draws(dice, count: int) -> np.ndarray:
    """The occurrence of each unit's breaking-point draw, the draws counted on `dice`."""
    return np.array(
        [dice.draw_place(0, SETUP_BREAK_POINT, i)[4] for i in range(count)], dtype=np.int64
    )


def set_break_points_of(
    state: GameState,
    coefficients,
    factor: np.ndarray,
    captured: np.ndarray,
    occurrence: np.ndarray,
) -> None:
    """`set_break_points` for the game's units, its dice and coefficients, the units' resolve
    terms and draw places given: `draw_break_points`' draw, which a game started again with
    another seed (engine/restart.py) makes again without working the terms out again."""
    by_side = state.side_coefficients or (coefficients, coefficients)
    _set_break_points(
        unit_arrays(state.units),
        factor,
        captured,
        occurrence,
        coefficients.values(),
        (by_side[0].values(), by_side[1].values()),
        state.dice.key_words,
    )


@kernel(borrows=True)
def set_break_points(u, factor, captured, occurrence, c, by_side, keys):
    """Each unit's breaking point (share of its starting men lost) = break_point_mean × (0.5 +
    quality) × `factor` (its resolve) × a log-normal draw of mean 1 and log-spread
    break_point_spread, capped at 1 (inf where `factor` is: it never breaks); its share of
    surrender, `captured`; its hours of assault in hand, a day's (its side's
    assault_hours_per_day). Each unit's normal is drawn at its own place of the dice (turn 0,
    `SETUP_BREAK_POINT`, the unit, at `occurrence`), from one uniform. `c`: the game's
    coefficients (the spread); `by_side`: each side's (`side_rules`)."""
    for i in range(u.side.size):
        u.grip_hours[i] = by_side[u.side[i]].assault_hours_per_day
    sigma = c.break_point_spread
    for i in range(factor.size):
        z = normal_quantile(uniform_at(keys, (0, SETUP_BREAK_POINT, i, 0, occurrence[i]), 0))
        draw = math.exp(z * sigma - sigma * sigma / 2.0)
        u.captured_share[i] = captured[i]
        if math.isinf(factor[i]):
            u.break_share[i] = math.inf
            continue
        mean = by_side[u.side[i]].break_point_mean * (0.5 + u.quality[i]) * factor[i]
        u.break_share[i] = min(1.0, mean * draw)


_set_break_points = resolved(set_break_points)


def morale_phase(
    state: GameState,
    men_before: np.ndarray,
    start_morale: np.ndarray,
    coefficients,
    events: list[Event],
) -> np.ndarray:
    """Wear morale down by this turn's losses, let units out of contact recover (morale, and the
    losses counted toward their breaking point), rout and rally; returns which units are still
    on the map afterwards (the dead are gone). The rule is the kernel `morale_step`; this hands
    it the units, the ledgers (it reads the men who slipped away this turn off their last row
    itself) and the board's axial coordinates (it finds which units are in contact itself:
    `in_contact`), and tells of routs and rallies.

    Each unit reads its own side's coefficients (`side_rules`) when `coefficients` are the
    game's own; other coefficients (a what-if) serve both sides."""
    u = state.units
    # the kernel writes who is on the map, its rows, and who is in contact
    on_map, rows, contact = _morale_scratch(state)
    own = (
        state.side_coefficients
        if coefficients is state.coefficients and state.side_coefficients
        else (coefficients, coefficients)
    )
    board = state.board
    count = _morale_step(
        unit_arrays(u),
        on_map,
        board.q,
        board.r,
        men_before,
        state.ledger_rows,
        state.ledger_turns,
        start_morale,
        board.water,
        state.turn_hours,
        _values_by_side(state, own),
        rows,
        contact,
    )
    if not (count and state.record_events):  # (a batch's turn: told to nobody)
        return on_map
    for kind, unit, morale in rows[:count].tolist():
        if kind == RALLIED_ROW:
            events.append(Rallied(state.turn, u.ids[int(unit)]))
        else:
            events.append(Routed(state.turn, u.ids[int(unit)], round(morale, 3)))
    return on_map


def _morale_scratch(state: GameState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(who is on the map after the phase, the phase's rows: units x 3, who is in contact as it
    starts) as `morale_step` writes them, made once per game: the phase makes no array a turn.
    The mask `morale_phase` returns is this one, written again next turn (its callers read it
    within the turn)."""
    store = _CACHE.of(state)
    kept = store.get("scratch")
    count = state.units.count
    if kept is None or len(kept[0]) != count:
        kept = store["scratch"] = (
            np.zeros(count, np.bool_),
            np.zeros((count, 3)),
            np.zeros(count, np.bool_),
        )
    return kept


# The coefficients `morale_step` reads, a namedtuple of their own: numba unboxes every field of
# a bundle handed from Python at each call, and two sides' `CoefficientValues` (99 numbers
# each) cost more than the phase's arithmetic.
MORALE_COEFFICIENTS = (
    "morale_recovery_per_hour",
    "break_losses_recovery_per_hour",
    "morale_loss_per_casualty_share",
    "water_morale_factor",
    "rally_threshold",
    "rout_threshold",
    "assault_hours_per_day",
    "suppression_decay_per_hour",
)
MoraleCoefficients = namedtuple("MoraleCoefficients", MORALE_COEFFICIENTS)


def _values_by_side(state: GameState, own: tuple) -> tuple:
    """(each side's `MoraleCoefficients`) for the sides' coefficients `own`, made once a game
    for each pair (by their identity): the same tuple each turn, which the kernel's caller tells
    by identity (`jit.resolved`) rather than element by element."""
    store = _CACHE.of(state)
    key = ("values", id(own[0]), id(own[1]))
    found = store.get(key)
    if found is None:
        by_side = tuple(
            MoraleCoefficients._make(getattr(c.values(), name) for name in MORALE_COEFFICIENTS)
            for c in own
        )
        found = store[key] = (own, by_side)  # `own` held, so that its ids stay its own
    return found[1]


def _in_contact_arrays(hexes, sides, on_map, q, r, contact):
    """`in_contact` where the process interprets: every pair at once. Interpreted, a dozen numpy
    operations on the units x units pairs (a battle's 15 units: 225 pairs) cost about 9 µs a
    turn where the kernel's loop over the pairs costs 55. A unit off the map (hex -1) reads the
    board's last hex, and is masked out by `on_map` on both sides of a pair."""
    n = hexes.size
    hex_q = q[hexes]
    hex_r = r[hexes]
    dq = hex_q.reshape(n, 1) - hex_q
    dr = hex_r.reshape(n, 1) - hex_r
    # |dq| + |dr| + |dq + dr| is twice the hex distance (`axial_length`)
    near = np.abs(dq) + np.abs(dr) + np.abs(dq + dr) <= 4
    pairs = near & (sides.reshape(n, 1) != sides) & on_map
    contact[:] = on_map & (pairs.sum(axis=1) > 0)


@kernel(interpreted=_in_contact_arrays, borrows=True)
def in_contact(hexes, sides, on_map, q, r, contact):
    """Which units `on_map` (their `hexes` and `sides`) have an enemy unit on the map within
    two hexes (`hex_distance` at most 2 on a board whose axial coordinates are `q`, `r`),
    written into `contact`: True or False for each unit, False off the map. On a board's
    rectangle of hexes these are the hexes two steps away through on-map neighbours
    (`Board.within_two`, which the rule read until the turn became kernels;
    tests/test_contact_kernels.py holds the two equal on every shipped board).

    Compiled, a loop over the pairs that stops at a unit's first enemy near enough, into the
    caller's array: the pairs' arrays the interpreted version makes (`_in_contact_arrays`) cost
    a quiet battle more than the arithmetic."""
    n = hexes.size
    for i in range(n):
        near = False
        if on_map[i]:
            qi = q[hexes[i]]
            ri = r[hexes[i]]
            for j in range(n):
                if not on_map[j] or sides[j] == sides[i]:
                    continue
                dq = qi - q[hexes[j]]
                dr = ri - r[hexes[j]]
                # |dq| + |dr| + |dq + dr| is twice the hex distance (`axial_length`)
                if abs(dq) + abs(dr) + abs(dq + dr) <= 4:
                    near = True
                    break
        contact[i] = near


@kernel(borrows=True)
def morale_step(
    u, on_map, q, r, men_before, ledger_rows, ledger_turns, start_morale, water, hours, by_side,
    rows, contact,
):  # fmt: skip
    """The morale phase of the units on the map (arrived, not gone, on a hex: written into
    `on_map`, as `GameState.active` tells them; `by_side`: each side's coefficients): losses
    since `men_before` (less the men who slipped away this turn: escaped since the last of the
    `ledger_turns` rows of the units' ledger, `ledger_rows`) wear morale down, more in the
    water; a unit out of contact (`in_contact`, into `contact`: no enemy on the map within two
    hexes, on a board whose axial coordinates are `q`, `r`) recovers morale up to
    `start_morale`, and the losses it counts toward its breaking point fade (by
    break_losses_recovery_per_hour); a unit
    with no men left is gone (and taken off `on_map`); a routed unit rallies at rally_threshold, and
    one that can break (a finite breaking point) routs below rout_threshold, its counted
    losses starting again when it rallies. Then, for every unit, hours of assault come back by
    the hour (a day's worth a day) and suppression decays (capped at 1: the turn's fire may
    have passed it, protection.pin_unit). Writes a row (kind, unit, morale) into `rows` for
    each rout and rally, in unit order; returns how many."""
    count = 0
    for i in range(on_map.size):  # in the fight as the phase starts (`GameState.active`)
        on_map[i] = u.arrived[i] and not u.gone[i] and u.hex[i] >= 0
    in_contact(u.hex, u.side, on_map, q, r, contact)  # as the phase starts
    # Unit by unit, making no array (the kernel borrows): compiled, the arrays of every unit's
    # losses worked out at once cost more than the arithmetic; interpreted, a battle's dozen
    # units a side read as numpy's scalars cost about what making those arrays did.
    for i in range(on_map.size):
        if not on_map[i]:
            continue
        k = by_side[u.side[i]]
        recovery = k.morale_recovery_per_hour * hours
        kept = (1.0 - k.break_losses_recovery_per_hour) ** hours
        m = float(u.morale[i])
        had = int(men_before[i])
        if had > 0:
            lost_men = men_before[i] - u.men[i]
            if ledger_turns > 0:  # who slipped away is not lost
                lost_men -= u.escaped[i] - ledger_rows[ledger_turns - 1, _ESCAPED, i]
            share = int(lost_men) / had
            if share > 0:
                loss = k.morale_loss_per_casualty_share * share
                if water[u.hex[i]]:
                    loss *= k.water_morale_factor  # men in boats can only endure
                m -= loss
        # Out of contact morale recovers, and the losses counted toward the breaking point
        # fade.
        lost = int(u.killed[i] + u.wounded[i] + u.captured[i] + u.drowned[i])
        counted = float(lost - u.break_base[i])  # the losses counted toward the breaking point
        ceiling = float(start_morale[i])
        changes = m != ceiling or recovery < 0.0 or (counted > 0.0 and kept < 1.0)
        if changes and not contact[i]:
            m = min(ceiling, m + recovery)
            if counted > 0.0:
                u.break_base[i] = lost - counted * kept
        m = min(1.0, max(0.0, m))
        u.morale[i] = m
        if u.men[i] <= 0:
            u.gone[i] = True
            on_map[i] = False
            continue
        if u.routed[i]:
            if m >= k.rally_threshold:
                u.routed[i] = False
                u.break_base[i] = lost  # rallied: a new engagement counts from here
                rows[count, 0], rows[count, 1], rows[count, 2] = RALLIED_ROW, i, m
                count += 1
        elif math.isinf(u.break_share[i]):
            pass  # a unit that fights to the last never routs
        elif m < k.rout_threshold:
            u.routed[i] = True
            rows[count, 0], rows[count, 1], rows[count, 2] = ROUTED_ROW, i, m
            count += 1
    # each side's hours of assault back by the hour (up to a day's worth) and suppression's decay
    cap_0 = by_side[0].assault_hours_per_day
    cap_1 = by_side[1].assault_hours_per_day
    back_0 = hours * cap_0 / 24.0
    back_1 = hours * cap_1 / 24.0
    decay_0 = (1.0 - by_side[0].suppression_decay_per_hour) ** hours
    decay_1 = (1.0 - by_side[1].suppression_decay_per_hour) ** hours
    for i in range(on_map.size):
        side = u.side[i]
        if side == 0:
            cap, back, decay = cap_0, back_0, decay_0
        elif side == 1:
            cap, back, decay = cap_1, back_1, decay_1
        else:
            continue
        # (each `np.minimum` as numpy has it: the second when the first is not smaller, so a
        # NaN passes as it would there)
        grip = u.grip_hours[i] + back
        u.grip_hours[i] = cap if cap < grip else grip
        pinned = u.suppression[i] * decay
        u.suppression[i] = 1.0 if pinned > 1.0 else pinned
    return count


# called from Python once a phase, with the same bundles turn after turn: `resolved` skips
# numba's typing of them at each call
_morale_step = resolved(morale_step)


@kernel(borrows=True)
def rout_broken(u, unit, rout_threshold):
    """Rout `unit`, broken in an assault, its morale down to `rout_threshold` at most, so that
    it rallies only after rest (rally_threshold); whether it routed (not if it had already, or
    has no men left)."""
    if u.routed[unit] or u.men[unit] <= 0:
        return False
    u.morale[unit] = min(u.morale[unit], rout_threshold)
    u.routed[unit] = True
    return True


@kernel(borrows=True)
def trapped_lost(men, share_per_hour, hours, uniform):
    """Men of a trapped unit of `men` lost in a turn of `hours` (they surrender or fight on to
    the end), each man lost independently with the hourly `share_per_hour` compounded over the
    turn: a binomial draw, by inversion of `uniform` (its caller draws none where no men are
    left: then none are lost).

    Drawn, not rounded: rounding the expected loss half up, at least one man a turn, took a man
    from a small unit every turn whatever its length (four an hour in 15-minute turns, one in
    1-hour turns) and rounded every turn's loss by up to half a man. The draw's mean,
    `men × share_in_turn`, compounds exactly: two turns of half the hours leave on average what
    one turn leaves, so the expected men lost over a span of hours do not depend on the turns'
    length. A binomial rather than a carried remainder: each man's fate is a chance, as for
    those who slip out of the ring just before (the same draw place, one draw a turn)."""
    if men <= 0:
        return 0
    return binomial(men, share_in_turn(share_per_hour, hours), uniform)


@kernel(borrows=True)
def _take_men(men, into, unit, count):
    """Move up to `count` of `unit`'s `men` into the count `into` (captured, escaped, killed):
    casualties.remove_men for kernels; how many moved."""
    count = min(count, men[unit])
    if count <= 0:
        return 0
    men[unit] -= count
    into[unit] += count
    return count


@kernel(borrows=True)
def surrender_trapped(u, unit, night, hours, c, keys, place):
    """A trapped routed `unit`'s turn: small parties slip out through the ring (more of them at
    `night`); of the rest each hour a share is lost, some surrendering (the unit's
    `captured_share`), the others fighting on to the end (or taking their own lives), counted
    killed. Both shares are per hour, compounded over the turn's `hours`. Draws from the draw
    place `place`: who slips away, who is lost, who of them surrenders. Returns (men who
    slipped away, men who surrendered)."""
    share = c.trapped_slip_away_share * (c.trapped_slip_away_night_factor if night else 1.0)
    share = share_in_turn(min(share, 1.0), hours)
    away = binomial(int(u.men[unit]), share, uniform_at(keys, place, 0))
    slipped = _take_men(u.men, u.escaped, unit, away)
    k = 1
    men = int(u.men[unit])
    lost = 0
    if men > 0:
        lost = trapped_lost(men, c.surrender_share_trapped, hours, uniform_at(keys, place, k))
        k += 1
    captured = binomial(lost, u.captured_share[unit], uniform_at(keys, place, k))
    taken = _take_men(u.men, u.captured, unit, captured)
    _take_men(u.men, u.killed, unit, lost - captured)
    if u.men[unit] <= 0:
        u.gone[unit] = True
    return slipped, taken


def flee(state: GameState, unit: int, rear: int, coefficients, events: list[Event]) -> None:
    """A routed unit runs for the rear; the river takes its toll; trapped men slip away,
    surrender or die (`surrender_trapped`). Whether it is trapped, and its run, are movement's
    (rules/movement.py: its kernel `move_phase` runs the phase's flights with its moves)."""
    from .movement import FLEE, move_units  # movement calls this module's kernels

    move_units(state, [unit], [FLEE], [rear], [-1], (coefficients, coefficients), events)
