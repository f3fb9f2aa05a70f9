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
    active = np.flatnonzero(on_map)
    contact = _in_contact(state, on_map)
    water = state.board.water_list
    escaped_now = u.escaped - state.ledger[-1][5] if state.ledger else u.escaped * 0
    for i in active.tolist():
        before = int(men_before[i])
        if before > 0:
            share = (before - int(u.men[i]) - int(escaped_now[i])) / before
            if share > 0:
                loss = coefficients.morale_loss_per_casualty_share * share
                if water[int(u.hex[i])]:
                    loss *= coefficients.water_morale_factor  # men in boats can only endure
                u.morale[i] -= loss
        if not contact[i]:
            u.morale[i] = min(
                float(start_morale[i]),
                float(u.morale[i]) + coefficients.morale_recovery_per_hour * hours,
            )
        u.morale[i] = min(1.0, max(0.0, float(u.morale[i])))
        if u.men[i] <= 0:
            u.gone[i] = True
            continue
        if not u.routed[i] and u.morale[i] < coefficients.rout_threshold:
            u.routed[i] = True
            events.append(Routed(state.turn, u.ids[i], round(float(u.morale[i]), 3)))
        elif u.routed[i] and u.morale[i] >= coefficients.rally_threshold:
            u.routed[i] = False
            events.append(Rallied(state.turn, u.ids[i]))
    decay = (1.0 - coefficients.suppression_decay_per_hour) ** hours
    u.suppression *= decay


def _in_contact(state: GameState, on_map: np.ndarray) -> list[bool]:
    """For each unit, whether an enemy unit on the map stands within two hexes of it."""
    u = state.units
    near = state.unit_distances() <= 2
    enemy = u.side[:, None] != u.side[None, :]
    return (near & enemy & on_map[None, :]).any(axis=1).tolist()


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
