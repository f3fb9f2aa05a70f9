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
from typing import TYPE_CHECKING

import numpy as np

from ..core.dice import SETUP_BREAK_POINT, TRAPPED, Stream, roll
from ..core.events import Escaped, Event, Rallied, Routed, Surrendered
from ..core.state import GameState
from .casualties import remove_men
from .coefficients import share_in_turn
from .movement import _drown, move_unit, trapped

if TYPE_CHECKING:  # rules import only core and hexgrid; the scenario's data comes in as values
    from ..scenario.models import Scenario


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
    hours of assault in hand (`assault_hours_per_day`, its side's).

    Breaking point (share of its starting men lost) = break_point_mean × (0.5 + quality) ×
    resolve factor × a log-normal draw of mean 1 and log-spread break_point_spread, capped at 1.
    Each unit's draw is at its own place of the dice (turn 0, `SETUP_BREAK_POINT`, the unit)."""
    u = state.units
    by_side = state.side_coefficients or (coefficients, coefficients)
    u.grip_hours[:] = [by_side[side].assault_hours_per_day for side in u.side.tolist()]
    sides = {s.id: s.resolve for s in scenario.sides}
    sigma = coefficients.break_point_spread
    normals = [state.dice.at(0, SETUP_BREAK_POINT, i).standard_normal() for i in range(u.count)]
    draws = [math.exp(z * sigma - sigma * sigma / 2.0) for z in normals]
    for i, unit in enumerate(scenario.units):
        setting = unit.resolve if unit.resolve is not None else sides.get(unit.side)
        own = by_side[int(u.side[i])]  # its side's values (`side_rules`), as its surrender reads
        factor, captured = resolve_terms(setting, own)
        u.captured_share[i] = captured
        if math.isinf(factor):
            u.break_share[i] = math.inf
            continue
        mean = own.break_point_mean * (0.5 + float(u.quality[i])) * factor
        u.break_share[i] = min(1.0, mean * draws[i])


def morale_phase(
    state: GameState,
    men_before: np.ndarray,
    start_morale: np.ndarray,
    coefficients,
    events: list[Event],
) -> np.ndarray:
    """Wear morale down by this turn's losses, let units out of contact recover (morale, and the
    losses counted toward their breaking point), rout and rally; returns which units are still
    on the map afterwards (the dead are gone).

    Each unit reads its own side's coefficients (`side_rules`) when `coefficients` are the
    game's own; other coefficients (a what-if) serve both sides."""
    u = state.units
    on_map = state.active()
    escaped_now = u.escaped - state.ledger[-1][5] if state.ledger else u.escaped * 0
    water = state.board.water_list
    # Plain lists: a dozen units, where numpy's per-call cost would outweigh the work.
    men, before, slipped = u.men.tolist(), men_before.tolist(), escaped_now.tolist()
    morale, ceiling, hexes = u.morale.tolist(), start_morale.tolist(), u.hex.tolist()
    routed, sides = u.routed.tolist(), u.side.tolist()
    present = on_map.nonzero()[0].tolist()
    enemy_hexes = _enemy_hexes(hexes, sides, present)
    within_two = state.board.within_two
    hours = state.turn_hours
    own = (
        state.side_coefficients
        if coefficients is state.coefficients and state.side_coefficients
        else (coefficients, coefficients)
    )
    # Per side: (loss per share, water factor, recovery, rally, rout, share of the counted
    # losses kept after the turn's rest out of contact).
    terms = [
        (
            k.morale_loss_per_casualty_share,
            k.water_morale_factor,
            k.morale_recovery_per_hour * hours,
            k.rally_threshold,
            k.rout_threshold,
            (1.0 - k.break_losses_recovery_per_hour) ** hours,
        )
        for k in own
    ]
    breaks = u.break_share.tolist()
    base = u.break_base.tolist()
    lost_now = (u.killed + u.wounded + u.captured + u.drowned).tolist()
    for i in present:
        per_share, water_factor, recovery, rally, rout, kept = terms[sides[i]]
        m = morale[i]
        had = before[i]
        if had > 0:
            share = (had - men[i] - slipped[i]) / had  # men who slipped away are not losses
            if share > 0:
                loss = per_share * share
                if water[hexes[i]]:
                    loss *= water_factor  # men in boats can only endure
                m -= loss
        # Out of contact (no enemy within two hexes) morale recovers, and the losses counted
        # toward the breaking point fade; whether a unit is in contact is asked only when
        # either would change.
        counted = lost_now[i] - base[i]
        changes = m != ceiling[i] or recovery < 0.0 or (counted > 0.0 and kept < 1.0)
        if changes and within_two(hexes[i]).isdisjoint(enemy_hexes[sides[i]]):
            m = min(ceiling[i], m + recovery)
            if counted > 0.0:
                base[i] = lost_now[i] - counted * kept
        m = min(1.0, max(0.0, m))
        morale[i] = m
        if men[i] <= 0:
            u.gone[i] = True
            on_map[i] = False
            continue
        if routed[i]:
            if m >= rally:
                u.routed[i] = False
                base[i] = lost_now[i]  # rallied: a new engagement counts from here
                events.append(Rallied(state.turn, u.ids[i]))
        elif math.isinf(breaks[i]):
            pass  # a unit that fights to the last never routs
        elif m < rout:
            u.routed[i] = True
            events.append(Routed(state.turn, u.ids[i], round(m, 3)))
    u.morale[:] = morale
    u.break_base[:] = base
    # Hours of assault come back by the hour, a day's worth (assault_hours_per_day) a day.
    if own[0] is own[1]:
        cap = own[0].assault_hours_per_day
        np.minimum(cap, u.grip_hours + hours * cap / 24.0, out=u.grip_hours)
    else:
        for side, k in enumerate(own):
            cap, mask = k.assault_hours_per_day, u.side == side
            u.grip_hours[mask] = np.minimum(cap, u.grip_hours[mask] + hours * cap / 24.0)
    if own[0] is own[1]:
        u.suppression *= (1.0 - own[0].suppression_decay_per_hour) ** hours
    else:
        for side, k in enumerate(own):
            mask = u.side == side
            u.suppression[mask] *= (1.0 - k.suppression_decay_per_hour) ** hours
    np.minimum(u.suppression, 1.0, out=u.suppression)  # the turn's fire may pass 1 (protection.pin)
    return on_map


def break_unit(state: GameState, unit: int, coefficients, events: list[Event]) -> None:
    """A unit that has reached its breaking point in an assault routs, its morale down to the
    rout threshold at most, so that it rallies only after rest (rally_threshold)."""
    u = state.units
    if u.routed[unit] or u.men[unit] <= 0:
        return
    u.morale[unit] = min(float(u.morale[unit]), coefficients.rout_threshold)
    u.routed[unit] = True
    events.append(Routed(state.turn, u.ids[unit], round(float(u.morale[unit]), 3)))


def _enemy_hexes(
    hexes: list[int], sides: list[int], present: list[int]
) -> tuple[set[int], set[int]]:
    """For side 0 and side 1, the hexes the other side's units (of those `present`) stand in."""
    enemy: tuple[set[int], set[int]] = (set(), set())
    for i in present:
        enemy[1 - sides[i]].add(hexes[i])
    return enemy


def trapped_lost(rng: Stream, men: int, share_per_hour: float, hours: float) -> int:
    """Men of a trapped unit of `men` lost in a turn of `hours` (they surrender or fight on to
    the end), each man lost independently with the hourly `share_per_hour` compounded over the
    turn: a binomial draw.

    Drawn, not rounded: rounding the expected loss half up, at least one man a turn, took a man
    from a small unit every turn whatever its length (four an hour in 15-minute turns, one in
    1-hour turns) and rounded every turn's loss by up to half a man. The draw's mean,
    `men × share_in_turn`, compounds exactly: two turns of half the hours leave on average what
    one turn leaves, so the expected men lost over a span of hours do not depend on the turns'
    length. A binomial rather than a carried remainder: each man's fate is a chance, as for
    those who slip out of the ring just before (the same generator, one draw a turn)."""
    if men <= 0:
        return 0
    return int(rng.binomial(men, share_in_turn(share_per_hour, hours)))


def flee(state: GameState, unit: int, rear: int, coefficients, events: list[Event]) -> None:
    """A routed unit runs for the rear; the river takes its toll; trapped men surrender or die."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    if trapped(state, unit):
        # Trapped: each hour a share of the men is lost; some surrender, the rest fight on to
        # the end (or take their own lives), and are counted killed.
        # Small parties slip out through the ring, more of them in the dark. Both shares are
        # per hour, compounded over the turn's hours.
        hours = state.turn_hours
        share = coefficients.trapped_slip_away_share * (
            coefficients.trapped_slip_away_night_factor if state.is_night() else 1.0
        )
        share = share_in_turn(min(share, 1.0), hours)
        rng = roll(state, TRAPPED, unit)
        slipped = remove_men(state, unit, rng.binomial(int(u.men[unit]), share), "escaped")
        if slipped:
            events.append(Escaped(state.turn, u.ids[unit], slipped))
        lost = trapped_lost(rng, int(u.men[unit]), coefficients.surrender_share_trapped, hours)
        captured = rng.binomial(lost, float(u.captured_share[unit]))
        taken = remove_men(state, unit, captured, "captured")
        remove_men(state, unit, lost - captured, "killed")
        if taken:
            events.append(Surrendered(state.turn, u.ids[unit], taken))
        if u.men[unit] <= 0:
            u.gone[unit] = True
        return
    was_dry = not board.water[here]
    move_unit(state, unit, rear, coefficients, events, ignore_zoc=True)
    there = int(u.hex[unit])
    if board.water[there] and was_dry and not board.bridge[there]:
        _drown(state, unit, int(board.river[there]), coefficients, events)
