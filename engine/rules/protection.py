"""How exposed the men of a unit are where they stand: posture, works, terrain, water.

One function so that direct fire, bombardment, air attack and the window's odds display agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ..core.bundles import unit_arrays, works_arrays
from ..core.state import POSTURE_INDEX, GameState, PerGame
from ..kernels.jit import kernel

_ATTACK = POSTURE_INDEX["attack"]
_WITHDRAWAL = POSTURE_INDEX["withdrawal"]
# Which of `exposure_factors`' four factors a unit has: NaN marks one it does not (a blockhouse
# only where one stands, water only for men in it), as a kernel returns numbers, not names.
FACTOR_NAMES = ("terrain_cover", "posture", "blockhouse", "in_water")


def vulnerability(
    state: GameState, unit: int, coefficients, weapon: str = "fire"
) -> dict[str, float]:
    """Named casualty multipliers for men of `unit` in their hex; their product is the exposure
    (the kernel `exposure_factors`, named for the events, `--explain` and the window's odds).

    `weapon` is "fire" (aimed small arms) or "shell" (bombardment and air attack, whose burst
    finds men in the open and spares men under cover far more than aimed fire does)."""
    board = state.board
    values = exposure_factors(
        unit_arrays(state.units),
        works_arrays(state.works),
        board.cover,
        board.water,
        unit,
        coefficients.values(),
        weapon == "shell",
    )
    return {name: float(v) for name, v in zip(FACTOR_NAMES, values, strict=True) if v == v}


@kernel(borrows=True)
def exposure_factors(u, w, cover, water, unit, c, shell):
    """(terrain cover, posture, blockhouse, in water) multipliers on the casualties of men of
    `unit` in their hex, NaN for the last two where they do not apply; `shell` for bombardment
    and air attack, else aimed fire. Works protect only as far as they still stand: the posture
    factor moves from hasty toward the works' own level in proportion to the strength left."""
    h = u.hex[unit]
    blockhouse = math.nan
    in_water = math.nan
    if u.routed[unit] or u.posture[unit] == _WITHDRAWAL:
        posture = c.shell_exposure_open if shell else c.vulnerability_withdrawal
    elif u.posture[unit] == _ATTACK:
        posture = c.shell_exposure_open if shell else c.vulnerability_attack
    else:
        hasty = c.shell_exposure_hasty if shell else c.vulnerability_hasty
        level = w.fort_level[h]
        if level > 0 and w.fort_strength_start[h] > 0:
            intact = w.fort_strength[h] / w.fort_strength_start[h]
            if level == 1:
                best = hasty
            elif level == 2:
                best = c.shell_exposure_prepared if shell else c.vulnerability_prepared
            else:
                best = c.shell_exposure_fortified if shell else c.vulnerability_fortified
            posture = hasty + (best - hasty) * intact
        else:
            posture = hasty
        if w.blockhouse_strength_start[h] > 0:
            intact = w.blockhouse_strength[h] / w.blockhouse_strength_start[h]
            blockhouse = 1.0 + (c.blockhouse_protection - 1.0) * intact
    if u.crossing_hours[unit] > 0 or water[h]:
        in_water = c.water_exposure
    return cover[h], posture, blockhouse, in_water


@kernel(borrows=True)
def exposure(factors):
    """The product of `exposure_factors`' factors that apply, in their order (as `product`
    multiplies the named ones)."""
    result = 1.0
    for value in factors:
        if value == value:
            result *= value
    return result


def product(factors: dict[str, float]) -> float:
    result = 1.0
    for value in factors.values():
        result *= value
    return result


@kernel(borrows=True)
def suppression_added(amount, hours, c):
    """What a turn's fire adds to a unit's suppression, so that a turn of any length leaves it
    where the same fire spread over those hours would: `amount` is what the turn's rounds (or
    expected hits) would pin at once; suppression wears off continuously at
    λ = −ln(1 − suppression_decay_per_hour) an hour, and the morale step decays it by
    e^(−λ·hours) at the turn's end. Fire at a steady rate R over h hours leaves R·h·(1 −
    e^(−λh)) / (λh) at the end, so the turn adds amount × (e^(λh) − 1) / (λh) before that
    decay. Then a steady fire holds a unit at R / λ whatever the turn length, where adding the
    whole amount at once held it at R·h·e^(−λh) / (1 − e^(−λh)): 1.3 R at 15-minute turns and
    0.7 R at 2-hour ones (issue 16's turn-length check). With no decay, or decay of all of it
    within the hour, the amount as it is."""
    decay = c.suppression_decay_per_hour
    if amount <= 0.0 or hours <= 0.0 or decay <= 0.0 or decay >= 1.0:
        return amount
    x = -math.log1p(-decay) * hours
    return amount * math.expm1(x) / x


def pin(state: GameState, unit: int, amount: float, hours: float, coefficients) -> None:
    """`pin_unit` on the game's units (its docstring says why the ceiling is not 1)."""
    pin_unit(unit_arrays(state.units), unit, amount, hours, coefficients.values())


@kernel(borrows=True)
def pin_unit(u, unit, amount, hours, c):
    """Add what a turn's fire pins (`amount`, before spreading it over the turn's `hours`:
    `suppression_added`) to `unit`'s suppression, at most the level that the morale step's decay
    brings down to 1 by the turn's end, (1 − suppression_decay_per_hour)^(−hours).

    Why not 1: fire that holds a unit pinned (R / λ ≥ 1) keeps it at 1 while it lasts, so it
    should leave 1 at the turn's end. Capping at 1 before the decay left e^(−λh) instead: 0.84
    after a 15-minute turn, 0.5 after an hour, 0.25 after two, so the same fire left long turns'
    targets firing freer next turn (issue 16, the turn-length check). Within the turn the value
    may pass 1; nothing reads it before the decay (the turn's fire reads the level carried in,
    `fire_at_turn_start`), and the morale step clamps what is left at 1."""
    decay = c.suppression_decay_per_hour
    ceiling = 1.0
    if hours > 0.0 and 0.0 < decay < 1.0:
        ceiling = (1.0 - decay) ** -hours
    added = suppression_added(amount, hours, c)
    u.suppression[unit] = min(ceiling, max(u.suppression[unit], 0.0) + added)


# For each game: "array", the suppression its units carried into the turn (one array a game,
# filled each turn), and "held", that array while a turn's fire lasts.
_HELD = PerGame()


@contextmanager
def fire_at_turn_start(state: GameState) -> Iterator[None]:
    """Within the block (a turn's bombardment, engineers' work, direct fire and assaults) every
    unit fires and works at the suppression it carried into the turn (`firing_suppression`),
    while the fire it takes is added to `units.suppression` as it lands.

    Why: the fire a unit takes in a turn is spread over the turn's hours, but was added whole
    before the units that act later in the turn (direct fire after bombardment, guns of higher
    unit numbers after lower) fired the whole turn at it. Under steady fire a unit fires at the
    level `suppression_added` holds it at, R / λ, plus the whole turn's R·(e^(λh) − 1) / λ: 1.2
    × R / λ in 15-minute turns, 2 × in 60-minute ones and 4 × in 2-hour ones (at the 0.5 an hour
    of suppression_decay_per_hour), so long turns silenced the guns that fired second (issue 16,
    the bench's turn-length check). The level a unit carries into the turn is R / λ whatever the
    turn length, the continuous level under steady fire."""
    store = _HELD.of(state)
    held = held_array(state)
    np.copyto(held, state.units.suppression)
    store["held"] = held
    try:
        yield
    finally:
        store.pop("held", None)


def held_array(state: GameState) -> np.ndarray:
    """The game's own array for the suppression its units carry into a turn, filled in place
    each turn (by `fire_at_turn_start`, or by the compiled turn: engine/rules/whole_turn.py)."""
    store = _HELD.of(state)
    suppression = state.units.suppression
    held = store.get("array")
    if held is None or len(held) != len(suppression):
        held = store["array"] = np.empty_like(suppression)
    return held


def firing_suppression(state: GameState, unit: int) -> float:
    """The suppression that cuts `unit`'s fire and work now: the level it carried into the turn
    during a turn's fire (`fire_at_turn_start`), its present level outside one (the window's
    odds, a rule called on its own)."""
    held = _HELD.of(state).get("held")
    if held is not None and unit < len(held):
        return held.item(unit)
    return state.units.suppression.item(unit)


def held_suppression(state: GameState):
    """Every unit's `firing_suppression` at once, as the array a kernel reads: the levels carried
    into the turn during a turn's fire, the present ones outside one."""
    held = _HELD.of(state).get("held")
    suppression = state.units.suppression
    if held is not None and len(held) == len(suppression):
        return held
    return suppression


def sides_coefficients(state: GameState, coefficients) -> tuple:
    """Each side's coefficients for the rules that act between two sides (fire, bombardment):
    the scenario's `side_rules` over the common ones (`state.side_coefficients`, resolved once
    for the game), when `coefficients` are the game's own; a caller's other coefficients (a
    test's, the window's odds with a change) apply to both sides as given."""
    by_side = state.side_coefficients
    if by_side and coefficients is state.coefficients:
        return by_side
    return (coefficients, coefficients)
