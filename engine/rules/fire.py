"""Direct fire: stochastic attrition by aimed fire (Lanchester's square law per firer).

Expected casualties on the target in one turn =
    fire_casualties_per_firepower_hour × firepower × strength share × hours
    × range × night × suppression × quality × ammunition × target exposure,
and the loss is a binomial draw among the target's men. Each event keeps every factor by name.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.dice import DIRECT_FIRE, roll
from ..core.events import Event, Fired
from ..core.state import GameState, PerGame
from .casualties import apply_casualties, draw_casualties
from .protection import (
    firing_suppression,
    pin,
    product,
    sides_coefficients,
    vulnerability,
)
from .sight import line_of_sight

_CACHE = PerGame()  # fire's caches for each game: each unit's reach by day and by night


def firer_factors(state: GameState, unit: int, distance: int, coefficients) -> dict[str, float]:
    """Named multipliers on a firer's effect: range, darkness, suppression, quality."""
    u = state.units
    hexes = max(1.0, float(u.fire_range_m[unit]) / state.board.hex_size_m)
    reach = 0.0 if hexes <= 1.0 else (max(distance, 1) - 1) / (hexes - 1.0)
    factors = {
        "strength": float(u.men[unit]) / max(float(u.men_start[unit]), 1.0),
        "range": 1.0 - coefficients.fire_range_falloff * min(reach, 1.0),
        "suppression": 1.0 - firing_suppression(state, unit),
        "quality": (1.0 - coefficients.quality_fire_weight / 2)
        + coefficients.quality_fire_weight * float(u.quality[unit]),
    }
    if state.is_night():
        factors["night"] = coefficients.night_fire_factor
    return factors


def reach_hexes(
    state: GameState,
    unit: int,
    coefficients,
    saving_ammo: bool = True,
) -> int:
    """How many hexes away this unit will fire: weapon range, darkness, fire discipline."""
    full, saving = fire_reaches(state, coefficients)
    return saving[unit] if saving_ammo else full[unit]


def fire_discipline(state: GameState, coefficients) -> list[float]:
    """For every unit: the share of its normal volume of fire it fires this turn (1: no need to
    save rounds). A unit fires at its normal rate while its rounds cover what it would fire until
    it can expect more; short of that, it spreads what it has evenly over those hours:

        share = min(1, ammo / (firepower × ammo_rounds_per_firepower_hour
                               × ammo_planned_firing_share × hours))

    with hours = min(hours left in the battle, ammo_resupply_hours). Units with unlimited
    ammunition, or no direct-fire weapons, fire at 1. The share is continuous in the rounds left
    and rises as the end of the battle (or the next resupply) comes nearer."""
    u = state.units
    left = (state.total_turns - state.turn) * state.turn_hours
    hours = max(0.0, min(left, coefficients.ammo_resupply_hours))
    need = (
        u.firepower
        * coefficients.ammo_rounds_per_firepower_hour
        * coefficients.ammo_planned_firing_share
        * hours
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.isfinite(u.ammo) & (need > 0), np.minimum(1.0, u.ammo / need), 1.0)
    return share.tolist()


def fire_reaches(state: GameState, coefficients) -> tuple[list[int], list[int]]:
    """For every unit at once: (hexes it can reach, hexes it will fire at) this turn, the second
    shortened by fire discipline when its ammunition is short (`fire_discipline` below 1): such a
    unit saves its rounds for nearer targets, firing at no more than `full × share` hexes and at
    least within `limited_ammo_fire_hexes`. Weapon ranges never change in a game, so the full
    reach is worked out once per darkness."""
    night = state.is_night()
    cache = _CACHE.of(state)
    full = cache.get(("fire_reaches", night, coefficients.night_sight_m))
    if full is None:
        u = state.units
        metres = u.fire_range_m
        if night:
            metres = np.minimum(metres, coefficients.night_sight_m)
        full = np.maximum((metres // state.board.hex_size_m).astype(np.int64), 1).tolist()
        cache[("fire_reaches", night, coefficients.night_sight_m)] = full
    close = int(coefficients.limited_ammo_fire_hexes)
    reach = [
        r if share >= 1.0 else max(1, min(r, max(close, math.floor(r * share))))
        for r, share in zip(full, fire_discipline(state, coefficients), strict=True)
    ]
    return full, reach


def broke_contact(state: GameState) -> set[int]:
    """The routed units that have broken contact: every routed unit on the map that is free to
    run (`movement.trapped`, the test `morale.flee` uses). A trapped routed unit stays in
    contact.

    Why: direct fire reaches at least the next hex whatever the hex size (`fire_reaches`), so
    that two lines in contact across a hex side can fire at each other in hexes wider than
    their weapons' range. A unit routed before this turn has been running for the rear on foot
    since this turn's movement, and at `foot_speed_kmh` 2.5 a man covers a rifle's 400 m in
    ten minutes and a machine gun's 800 m in twenty: beyond the weapon's range it is out of
    aimed fire, though it may need several turns to leave a hex of many kilometres. Without
    this, a routed unit in a 5-20 km hex of the reference bench stayed under full fire for up
    to eight one-hour turns and took 87 % of its side's direct-fire losses there
    (docs/reference.md, issue 16)."""
    from .movement import trapped  # movement imports nothing of fire

    u = state.units
    routed = (u.routed & u.arrived & ~u.gone & (u.hex >= 0)).nonzero()[0].tolist()
    return {i for i in routed if not trapped(state, i)}


def _nearest_target(
    board,
    here: int,
    enemies: list[tuple[int, int, int]],
    distances: list[int],
    full_reach: int,
    reach: int,
    clearance: float,
    running: set[int] | frozenset[int] = frozenset(),
    range_m: float = math.inf,
) -> tuple[int, int]:
    """(target, distance) among (unit, hex, men) enemies: the nearest in sight, the strongest
    first among equals, or (-1, 0). `distances` is the firer's hex's `Board.distance_row`;
    water hexes (men in boats) are fired on at full reach whatever the fire discipline. A unit
    of `running` (routed, broken contact: `broke_contact`) is no target for a firer whose
    weapon range, `range_m`, falls short of its hex (the one-hex minimum reach is for lines in
    contact)."""
    water = board.water_list
    size = board.hex_size_m
    ranked = [
        (d, -men, t, there)
        for t, there, men in enemies
        if (d := distances[there]) <= (full_reach if water[there] else reach)
        and not (t in running and d * size > range_m)
    ]
    if not ranked:
        return -1, 0
    ranked.sort()
    for d, _, t, there in ranked:
        if line_of_sight(board, here, there, clearance):
            return t, d
    return -1, 0


def direct_fire(
    state: GameState,
    coefficients,
    events: list[Event],
    hours: float | None = None,
    aimed_at: dict[int, int] | None = None,
    on_map: np.ndarray | None = None,
) -> None:
    """Every unit able to fire picks a target and fires; losses are drawn after all have aimed,
    so fire within the phase is simultaneous. A unit short of rounds fires `fire_discipline` of
    its normal volume (effect and rounds spent alike), except on men caught in a river.
    Each side's `side_rules` act: the firer's coefficients give its rate, reach, ammunition and
    the night's effect; the target's its exposure, how far it is pinned and its killed share.
    `aimed_at` maps units given a fire order to the hex they were told to fire at; `on_map`
    is `state.active()` when the caller has it."""
    u = state.units
    hours = state.turn_hours if hours is None else hours
    if on_map is None:
        on_map = state.active()
    # Plain lists: a dozen units, where numpy's per-call cost would outweigh the work.
    hexes, men, sides = u.hex.tolist(), u.men.tolist(), u.side.tolist()
    present = [i for i in on_map.nonzero()[0].tolist() if men[i] > 0]
    enemies_of: list[list[tuple[int, int, int]]] = [[], []]
    for t in present:
        enemies_of[1 - sides[t]].append((t, hexes[t], men[t]))
    if not (enemies_of[0] and enemies_of[1]):
        return  # nobody to shoot at (a side with no enemies has none that could shoot back)
    routed, firepower = u.routed.tolist(), u.firepower.tolist()
    in_water = u.crossing_hours.tolist()
    firers = [f for f in present if firepower[f] > 0 and not routed[f] and in_water[f] <= 0]
    by_side = sides_coefficients(state, coefficients)
    if by_side[0] is by_side[1]:
        full_reach, reach = fire_reaches(state, coefficients)
        discipline = fire_discipline(state, coefficients)
    else:  # each unit's from its own side's coefficients
        reaches = [fire_reaches(state, c) for c in by_side]
        disciplines = [fire_discipline(state, c) for c in by_side]
        full_reach = [reaches[s][0][i] for i, s in enumerate(sides)]
        reach = [reaches[s][1][i] for i, s in enumerate(sides)]
        discipline = [disciplines[s][i] for i, s in enumerate(sides)]
    board = state.board
    water = board.water_list
    running = broke_contact(state) if any(routed[t] for t in present) else set()
    ranges = u.fire_range_m.tolist()
    shots = []
    for f in firers:
        enemies = enemies_of[sides[f]]
        if not enemies:
            continue
        # A unit told to fire at a hex fires there if it can, else at the nearest it sees.
        pools = [enemies]
        if aimed_at and f in aimed_at:
            pools.insert(0, [e for e in enemies if e[1] == aimed_at[f]])
        row = board.distance_row(hexes[f])
        clearance = by_side[sides[f]].sight_clearance_m
        for pool in pools:
            target, distance = _nearest_target(
                board, hexes[f], pool, row, full_reach[f], reach[f], clearance, running, ranges[f]
            )
            if target >= 0:
                shots.append((f, target, distance))
                break
    planned = []
    for f, target, distance in shots:
        own, theirs = by_side[sides[f]], by_side[sides[target]]
        factors = firer_factors(state, f, distance, own)
        firing_hours = hours * factors["strength"]
        if discipline[f] < 1.0 and not water[hexes[target]]:
            factors["fire_discipline"] = discipline[f]
            firing_hours *= discipline[f]
        factors.update(_ammo_factor(state, f, firing_hours, own))
        exposure = vulnerability(state, target, theirs, "fire")
        base = own.fire_casualties_per_firepower_hour * float(u.firepower[f])
        expected = base * hours * product(factors) * product(exposure)
        planned.append((f, target, base, {**factors, **exposure}, expected))
    for f, target, base, factors, expected in planned:
        theirs = by_side[sides[target]]
        men = max(int(u.men[target]), 1)
        pin(state, target, theirs.suppression_per_casualty_share * expected / men, hours, theirs)
        rng = roll(state, DIRECT_FIRE, f)
        hit = draw_casualties(rng, int(u.men[target]), expected)
        killed, wounded = apply_casualties(state, target, hit, theirs, events, rng=rng)
        if state.record_events:
            events.append(
                Fired(
                    state.turn,
                    u.ids[f],
                    u.ids[target],
                    state.board.label(int(u.hex[target])),
                    round(base, 4),
                    {k: round(v, 4) for k, v in factors.items()},
                    round(expected, 3),
                    killed,
                    wounded,
                )
            )


def _ammo_factor(
    state: GameState, unit: int, firing_hours: float, coefficients
) -> dict[str, float]:
    """Spend ammunition for `firing_hours`; the share of the time fired without any is weak."""
    u = state.units
    if not math.isfinite(u.ammo[unit]):
        return {}
    needed = float(u.firepower[unit]) * firing_hours * coefficients.ammo_rounds_per_firepower_hour
    return spend_rounds(state, unit, needed, coefficients)


def spend_rounds(state: GameState, unit: int, needed: float, coefficients) -> dict[str, float]:
    """Spend `needed` rounds of a unit's ammunition (direct fire, or close fire in an assault);
    the share of that fire for which no rounds are left counts at `no_ammo_fire_factor`."""
    u = state.units
    if needed <= 0 or not math.isfinite(u.ammo[unit]):
        return {}
    have = float(u.ammo[unit])
    share = min(1.0, have / needed)
    u.ammo[unit] = max(0.0, have - needed)
    if share >= 1.0:
        return {}
    return {"ammunition": share + (1.0 - share) * coefficients.no_ammo_fire_factor}
