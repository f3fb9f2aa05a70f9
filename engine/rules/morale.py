"""Morale: losses, a fallen commander and fire wear it down; rest restores it. Below a threshold a
unit routs and flees toward its side's rear; a routed unit that must swim a river loses men in the
water, and one with no way out surrenders.
"""

from __future__ import annotations

import numpy as np

from ..core.events import Escaped, Event, Rallied, Routed, Surrendered
from ..core.state import GameState
from .casualties import remove_men
from .movement import _drown, enemy_zone, move_unit


def morale_phase(
    state: GameState,
    men_before: np.ndarray,
    start_morale: np.ndarray,
    coefficients,
    events: list[Event],
) -> None:
    u = state.units
    hours = state.turn_hours
    on_map = state.active()
    escaped_now = u.escaped - state.ledger[-1][5] if state.ledger else u.escaped * 0
    # Losses this turn (men who slipped away are not losses) wear morale down, less for men in
    # boats, who can only endure; units out of contact recover toward their starting morale.
    before = np.where(on_map, men_before, 0)
    lost = before - u.men - escaped_now
    hit = (before > 0) & (lost > 0)
    if hit.any():
        share = lost[hit] / before[hit]
        loss = coefficients.morale_loss_per_casualty_share * share
        afloat = state.board.water[u.hex[hit]]
        loss[afloat] *= coefficients.water_morale_factor
        u.morale[hit] -= loss
    resting = on_map & ~_in_contact(state, on_map)
    u.morale[resting] = np.minimum(
        start_morale[resting],
        u.morale[resting] + coefficients.morale_recovery_per_hour * hours,
    )
    u.morale[on_map] = np.clip(u.morale[on_map], 0.0, 1.0)
    dead = on_map & (u.men <= 0)
    u.gone[dead] = True
    alive = on_map & ~dead
    routs = alive & ~u.routed & (u.morale < coefficients.rout_threshold)
    rallies = alive & u.routed & (u.morale >= coefficients.rally_threshold)
    for i in np.flatnonzero(routs | rallies).tolist():
        if routs[i]:
            u.routed[i] = True
            events.append(Routed(state.turn, u.ids[i], round(float(u.morale[i]), 3)))
        else:
            u.routed[i] = False
            events.append(Rallied(state.turn, u.ids[i]))
    decay = (1.0 - coefficients.suppression_decay_per_hour) ** hours
    u.suppression *= decay


def _in_contact(state: GameState, on_map: np.ndarray) -> np.ndarray:
    """For each unit, whether an enemy unit on the map stands within two hexes of it."""
    u = state.units
    near = state.unit_distances() <= 2
    enemy = u.side[:, None] != u.side[None, :]
    return (near & enemy & on_map[None, :]).any(axis=1)


def flee(state: GameState, unit: int, rear: int, coefficients, events: list[Event]) -> None:
    """A routed unit runs for the rear; the river takes its toll; trapped men surrender or die."""
    u, board = state.units, state.board
    here = int(u.hex[unit])
    held, zone = enemy_zone(state, int(u.side[unit]))
    free = [n for n in board.neighbors[here] if n not in held and board.passable[n]]
    if not free or (all(n in zone for n in free) and here in zone):
        # Trapped: each turn a share of the men is lost; some surrender, the rest fight on to
        # the end (or take their own lives), and are counted killed.
        # Small parties slip out through the ring, more of them in the dark.
        share = coefficients.trapped_slip_away_share * (
            coefficients.trapped_slip_away_night_factor if state.is_night() else 1.0
        )
        slipped = remove_men(
            state, unit, int(state.rng.binomial(int(u.men[unit]), min(share, 1.0))), "escaped"
        )
        if slipped:
            events.append(Escaped(state.turn, u.ids[unit], slipped))
        lost = max(int(u.men[unit] * coefficients.surrender_share_trapped + 0.5), 1)
        lost = min(lost, int(u.men[unit]))
        captured = int(state.rng.binomial(lost, coefficients.trapped_captured_fraction))
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
