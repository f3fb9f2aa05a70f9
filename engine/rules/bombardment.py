"""Bombardment: rounds from an ammunition budget fall on a hex and wear down men and works.

Area fire follows Lanchester's linear law: the casualties of a round grow with the density of men
where it lands. For each round landing in a hex of area A, a unit of n men there loses on average
    lethal_area × n / A × exposure
men, where exposure reflects works, posture and ground ("shell" vulnerability). The rounds also
damage fortifications and blockhouses, blow a lane through a minefield and cut wire.
"""

from __future__ import annotations

import numpy as np

from ..core.events import Bombarded, Event
from ..core.state import GameState, IndirectWeapon
from .casualties import apply_casualties, draw_casualties
from .protection import product, vulnerability


def expected_shell_casualties(
    lethal_area_m2: float, men: int, hex_area_m2: float, exposure: float
) -> float:
    """Men a unit loses, on average, to rounds whose lethal areas add up to `lethal_area_m2`
    landing at random in a hex of `hex_area_m2` where its `men` stand (the linear law)."""
    return lethal_area_m2 * men / hex_area_m2 * exposure


def in_range(state: GameState, weapon: IndirectWeapon, here: int, target: int) -> bool:
    metres = state.board.distance(here, target) * state.board.hex_size_m
    return weapon.min_range_m <= metres <= weapon.range_m


def rounds_available(state: GameState, weapon: IndirectWeapon) -> float:
    if weapon.budget >= 0:
        return float(state.budget_rounds[weapon.budget])
    return weapon.own_rounds


def bombard(
    state: GameState,
    unit: int,
    target: int,
    coefficients,
    events: list[Event],
    cap: int = -1,
) -> None:
    """All of `unit`'s tubes in range fire at `target` for the turn, at most `cap` rounds."""
    u, w, board = state.units, state.works, state.board
    if u.men[unit] <= 0 or u.routed[unit] or u.crossing_hours[unit] > 0:
        return
    here = int(u.hex[unit])
    crew_share = float(u.men[unit]) / max(float(u.men_start[unit]), 1.0)
    suppression = 1.0 - float(u.suppression[unit])
    rounds_by_class: dict[str, float] = {}
    for weapon in u.indirect[unit]:
        if not in_range(state, weapon, here, target):
            continue
        wanted = weapon.tubes * weapon.rounds_per_hour * state.turn_hours * min(1.0, crew_share)
        wanted *= suppression
        if cap >= 0:
            wanted = min(wanted, cap - sum(rounds_by_class.values()))
        fired = float(np.floor(min(wanted, rounds_available(state, weapon))))
        if fired <= 0:
            continue
        if weapon.budget >= 0:
            state.budget_rounds[weapon.budget] -= fired
        else:
            weapon.own_rounds -= fired
        rounds_by_class[weapon.weapon_class] = rounds_by_class.get(weapon.weapon_class, 0.0) + fired
    total = sum(rounds_by_class.values())
    if total <= 0:
        return
    state.rounds_fired[int(u.side[unit])] += total
    landed = int(state.rng.binomial(int(total), coefficients.rounds_on_target_fraction))
    share = landed / total
    lethal = sum(
        rounds * share * getattr(coefficients, f"lethal_area_{cls}_m2")
        for cls, rounds in rounds_by_class.items()
    )
    modifiers = {"on_target": round(share, 4)}
    if state.is_night():
        lethal *= coefficients.night_fire_factor
        modifiers["night"] = coefficients.night_fire_factor
    casualties: dict[str, int] = {}
    area = board.hex_area_m2
    enemy_side = 1 - int(u.side[unit])
    for t in state.units_at(target, enemy_side):
        men = int(u.men[t])
        exposure = vulnerability(state, t, coefficients, "shell")
        expected = expected_shell_casualties(lethal, men, area, product(exposure))
        hit = draw_casualties(state.rng, men, expected)
        if hit:
            apply_casualties(state, t, hit, coefficients, events)
            casualties[u.ids[t]] = hit
        pinned = landed * coefficients.suppression_per_round_landing
        pinned *= product(vulnerability(state, t, coefficients, "fire"))
        u.suppression[t] = min(1.0, float(u.suppression[t]) + pinned)
    damage = landed * coefficients.works_damage_per_round
    works_damage = _damage_works(state, target, damage)
    if w.mine_depth_m[target] > 0 and w.lane[target] < 1.0:
        needed = coefficients.lane_rounds_per_m_depth * float(w.mine_depth_m[target])
        w.lane[target] = min(1.0, float(w.lane[target]) + landed / needed)
    if w.wire_lines[target] > 0:
        w.wire_lines[target] = max(
            0.0, float(w.wire_lines[target]) - landed / coefficients.wire_rounds_per_line
        )
    events.append(
        Bombarded(
            state.turn,
            u.ids[unit],
            board.label(target),
            int(total),
            casualties,
            modifiers,
            round(works_damage, 3),
            round(float(w.lane[target]), 3),
            round(float(w.wire_lines[target]), 3),
        )
    )


def _damage_works(state: GameState, target: int, damage: float) -> float:
    """Damage goes to the field works first, then to the blockhouses; returns what was done."""
    w = state.works
    done = 0.0
    for strength in (w.fort_strength, w.blockhouse_strength):
        if damage <= 0:
            break
        taken = min(damage, float(strength[target]))
        strength[target] -= taken
        state.works_changed = True
        damage -= taken
        done += taken
    return done
