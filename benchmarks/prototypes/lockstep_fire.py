"""Road (a) of issue 15: many battles advanced in lockstep as numpy arrays (battle first axis).

    python benchmarks/prototypes/lockstep_fire.py [--seed 1] [--battles 1000] [--quick]
        [--profile] [--from-turn N] [--set NAME=VALUE ...]

A prototype, not engine code: it measures whether the rules of direct fire, casualties and
morale, written as array operations over a batch of B battles, run fast enough for issue 15's
2,000 battles a second, and whether they stay faithful to the engine's own functions.

The setting: the real engine plays Furong Mountain, the computer on both sides, up to the first
turn in which both sides fire (`freeze`); the state is copied at the moment that turn's direct
fire begins (after its movement and bombardment). From there both the prototype and the
reference play T turns of only direct fire (`engine/rules/fire.py`), casualties
(`casualties.py`) and the morale phase (`morale.py` without flight: a routed unit stays where
it is), the clock going on. The reference calls the engine's `direct_fire` and `morale_phase`
on a copy of the frozen state, one battle after another.

Each battle draws the engine's own dice (engine/core/dice.py: Philox4x64-10 keyed by the
battle's seed, the counter naming turn, draw site and firer), computed here for the whole batch
at once, and inverts them into binomials as the engine does: so a battle's result does not
depend on the battles beside it (`check_independent`), and battle s of the prototype is the
engine's battle s, count for count (`compare_with_reference`).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import math
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import engine.rules.turn as turn_module  # noqa: E402
from engine.core import dice  # noqa: E402
from engine.core.dice import DIRECT_FIRE, MASK64, Dice  # noqa: E402
from engine.core.events import Fired  # noqa: E402
from engine.core.state import LEDGER_ROWS, GameState  # noqa: E402
from engine.game import Game  # noqa: E402
from engine.rules.fire import direct_fire  # noqa: E402
from engine.rules.morale import morale_phase  # noqa: E402
from engine.rules.protection import fire_at_turn_start, product, vulnerability  # noqa: E402
from engine.rules.sight import line_of_sight  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402

TURNS = 12  # turns the prototype and the reference play from the frozen state
SCENARIO = ROOT / "scenarios" / "furong_mountain.yaml"
NO_TARGET = np.int32(np.iinfo(np.int32).max)

_LOW32 = np.uint64(0xFFFF_FFFF)
_32 = np.uint64(32)
_11 = np.uint64(11)


# ---------------------------------------------------------------------------------- the setting
@dataclass
class Frozen:
    """The engine's state at the moment direct fire began in the first turn of fire both ways,
    and the fire orders given in that turn (units told to fire at a hex)."""

    state: GameState
    aimed_at: dict[int, int]
    seed: int

    @property
    def turn(self) -> int:
        return self.state.turn


def copy_state(state: GameState) -> GameState:
    """A copy of a game's state that shares the board and scenario (never changed in play).
    The ledger rows (men, killed, ...) are views of one array (`Units.with_tally`); a deep copy
    makes them separate arrays, so they are made views of the copied tally again."""
    twin = copy.deepcopy(state, {id(state.board): state.board, id(state.scenario): state.scenario})
    u = twin.units
    twin.units = u.with_tally(np.array([getattr(u, name) for name in LEDGER_ROWS]))
    return twin


def freeze(seed: int = 1, from_turn: int = 0, overrides: dict[str, float] | None = None) -> Frozen:
    """Play Furong with the computer on both sides until a turn (from engine turn `from_turn`
    on) in which both sides fire, and return the state as it stood when that turn's direct fire
    began. `overrides` change coefficients for the whole game (a stress setting).

    The engine is not changed: `rules.turn.direct_fire` is wrapped for the game's length, and
    every turn's state is copied as its fire begins; the copy of the first turn whose events show
    fire from both sides is kept."""
    scenario = load_scenario(SCENARIO).scenario
    game = Game(scenario, seed, overrides=overrides)
    taken: list[tuple[GameState, dict[int, int]]] = []

    def watched(state, coefficients, events, hours=None, aimed_at=None, on_map=None):
        taken.append((copy_state(state), dict(aimed_at or {})))
        direct_fire(state, coefficients, events, hours, aimed_at, on_map)

    turn_module.direct_fire = watched
    try:
        while not game.over:
            for side in (0, 1):
                game.apply_orders(side, game.computer_orders(side))
            events = game.end_turn()
            u = game.state.units
            index = {unit_id: i for i, unit_id in enumerate(u.ids)}
            sides = {int(u.side[index[e.unit]]) for e in events if isinstance(e, Fired)}
            if sides == {0, 1} and game.turn - 1 >= from_turn:
                state, aimed = taken[-1]
                return Frozen(state, aimed, seed)
    finally:
        turn_module.direct_fire = direct_fire
    raise RuntimeError("no turn with fire from both sides")


# ------------------------------------------------------------------------- counter-based draws
# The engine's own dice (engine/core/dice.py), computed for many battles at once: Philox4x64-10
# keyed by each battle's seed, counter (turn, site << 32 | unit, 0, occurrence << 16 | block);
# one counter block gives the four uniforms of a shot (hit, killed, officers, leader). So a
# battle here draws exactly what the engine draws for it, and battle b's draws cannot depend
# on the batch.


def battle_keys(seeds: np.ndarray) -> np.ndarray:
    """Each battle's Philox key (B, 2), as `dice.Dice` makes it from the seed."""
    seeds = [int(s) for s in np.asarray(seeds).tolist()]
    return np.array([(s & MASK64, (s >> 64) & MASK64) for s in seeds], np.uint64).reshape(-1, 2)


def _mulhilo(a: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) 64-bit words of a × m for uint64 `a` and a 64-bit constant m, from 32-bit
    halves (numpy has no 128-bit product); uint64 array arithmetic wraps, as it must."""
    m_lo, m_hi = np.uint64(m & 0xFFFF_FFFF), np.uint64(m >> 32)
    a_lo, a_hi = a & _LOW32, a >> _32
    lo_lo, hi_lo, lo_hi = a_lo * m_lo, a_hi * m_lo, a_lo * m_hi
    cross = (lo_lo >> _32) + (hi_lo & _LOW32) + (lo_hi & _LOW32)
    high = a_hi * m_hi + (hi_lo >> _32) + (lo_hi >> _32) + (cross >> _32)
    return high, a * np.uint64(m)


SCALAR_PHILOX = 24  # fewer shots than this: the engine's own scalar philox4x64, shot by shot


def philox_block(keys: np.ndarray, turn: int, site: int, unit: np.ndarray) -> np.ndarray:
    """`dice.philox4x64` for the first block of the draw (turn, site, unit), occurrence 0, for
    every element of `keys` (N, 2) and `unit` (N,): its four words, (N, 4) uint64.

    Ten rounds of two 64-bit products, each from four 32-bit ones, are about 300 numpy calls
    whatever N is: 0.3 ms, where the engine's scalar function takes some 15 µs a shot. Below
    SCALAR_PHILOX shots (a battle or a few alone: the window, `wargame run`) the words are the
    scalar function's, one shot after another; the numbers are the same either way."""
    count = len(unit)
    if count < SCALAR_PHILOX:
        counter = (site << 32) & MASK64
        return np.array(
            [
                dice.philox4x64(turn, counter | a, 0, 0, k0, k1)
                for (k0, k1), a in zip(keys.tolist(), unit.tolist(), strict=True)
            ],
            np.uint64,
        ).reshape(count, 4)
    c0 = np.full(count, turn, np.uint64)
    c1 = (np.uint64(site) << _32) | unit.astype(np.uint64)
    c2 = np.zeros(count, np.uint64)
    c3 = np.zeros(count, np.uint64)
    k0, k1 = keys[:, 0].copy(), keys[:, 1].copy()
    w0, w1 = np.uint64(dice._W0), np.uint64(dice._W1)
    for _ in range(10):
        high0, low0 = _mulhilo(c0, dice._M0)
        high1, low1 = _mulhilo(c2, dice._M1)
        c0, c1, c2, c3 = high1 ^ c1 ^ k0, low1, high0 ^ c3 ^ k1, low0
        k0 += w0
        k1 += w1
    return np.stack([c0, c1, c2, c3], axis=1)


def unit_interval(words: np.ndarray) -> np.ndarray:
    """`dice.unit_interval`: the top 53 bits plus half a step, in (0, 1)."""
    return ((words >> _11).astype(np.float64) + 0.5) * (2.0**-53)


SMALL_TABLE = 24  # draws whose table fits this width are made together, the rest apart


def binomial(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """`dice.binomial` for a batch of draws: Binomial(n, p) by inversion of one uniform, the
    least k with P(X <= k) > u; p > 0.5 counts the failures with 1 − u; p >= 1 gives n; n <= 0
    or p <= 0 gives 0. Draws of mean under 30 walk up from 0 with the engine's own recurrence
    (f₀ = qⁿ, f *= p/q·(n−k)/(k+1)) as a cumulative product and sum, the same floating-point
    operations in the same order, so the same k; wider ones are made from log-space terms
    (`_inverted`), which agree with the engine's walk from the mode up to rounding. Each
    draw's table reaches 10 standard deviations past its mean; the draws that need at most
    SMALL_TABLE terms (most: a few men hit a turn) are made in one table of that width, the
    others in one as wide as the widest of them needs."""
    n = n.astype(np.int64)
    out = np.where(p >= 1.0, n, 0)
    live = (n > 0) & (p > 0.0) & (p < 1.0)
    if not live.any():
        return out
    nl, pl, ul = n[live], p[live], u[live]
    flip = pl > 0.5
    pl = np.where(flip, 1.0 - pl, pl)
    ul = np.where(flip, 1.0 - ul, ul)
    mean = nl * pl
    need = np.minimum(nl, np.ceil(mean + 10.0 * np.sqrt(mean * (1.0 - pl)) + 10.0))
    walk = mean < 30.0
    small = walk & (need <= SMALL_TABLE)
    if small.all():
        drawn = _walked(ul, nl, pl, int(need.max()))
    else:
        drawn = np.empty(len(nl), np.int64)
        for group, draw in ((small, _walked), (walk & ~small, _walked), (~walk, _inverted)):
            if group.any():
                width = SMALL_TABLE if draw is _walked and group is small else None
                width = int(need[group].max()) if width is None else width
                drawn[group] = draw(ul[group], nl[group], pl[group], width)
    out[live] = np.where(flip, nl - drawn, drawn)
    return out


def _walked(u: np.ndarray, n: np.ndarray, p: np.ndarray, width: int) -> np.ndarray:
    """`dice._walk_up` from 0 over `width` terms, for p <= 0.5: the count of the cumulative
    sums at or below u (the walk's `while u >= cdf`), at most n."""
    q = 1.0 - p
    ratio = p / q
    k = np.arange(width, dtype=np.float64)
    terms = np.empty((len(n), width + 1))
    terms[:, 0] = q ** n.astype(np.float64)
    terms[:, 1:] = ratio[:, None] * (n[:, None] - k) / (k + 1.0)
    cdf = np.cumsum(np.cumprod(terms, axis=1), axis=1)
    return np.minimum((cdf <= u[:, None]).sum(axis=1), n)


def _inverted(u: np.ndarray, n: np.ndarray, p: np.ndarray, width: int) -> np.ndarray:
    """Binomial draws by inversion over a table of `width` + 1 terms made from log-space
    ratios, pmf(k+1)/pmf(k) = (n-k)/(k+1) · p/(1-p), so a large n does not underflow at
    k = 0 (the engine starts such draws at the mode instead)."""
    k = np.arange(width, dtype=np.float64)
    # Past k = n the table holds tiny made-up terms, not zeros; a draw that reaches them is
    # n anyway (the clamp below), and no log of zero or less is taken.
    ratio = (
        np.log(np.maximum(n[:, None] - k, 1e-300))
        - np.log(k + 1.0)
        + (np.log(p) - np.log1p(-p))[:, None]
    )
    logpmf = np.empty((len(n), width + 1))
    logpmf[:, 0] = n * np.log1p(-p)
    np.cumsum(ratio, axis=1, out=logpmf[:, 1:])
    logpmf[:, 1:] += logpmf[:, :1]
    cdf = np.cumsum(np.exp(logpmf), axis=1)
    return np.minimum((cdf <= u[:, None]).sum(axis=1), n)


# ------------------------------------------------------------------ what never changes in a battle
@dataclass
class Tables:
    """Everything the rules read that no battle changes: positions are frozen, so distances,
    sight lines, reaches and the exposure of each unit (standing or routed) are worked out once
    for every battle. Arrays of one row per unit (U) or per pair of units (U, U: firer, target);
    coefficient arrays hold each unit's own side's value (`side_rules`)."""

    units: int
    turn: int
    turn_hours: float
    total_turns: int
    night: np.ndarray  # per turn played from the frozen one
    # units
    side: np.ndarray
    on_map: np.ndarray  # arrived, not gone, on a hex at the freeze
    water: np.ndarray  # the unit's hex is water (a river or lake; men in boats)
    men_start: np.ndarray
    officers: np.ndarray
    morale_start: np.ndarray
    fights_to_last: np.ndarray  # break_share infinite: never routs
    base: np.ndarray  # fire_casualties_per_firepower_hour × firepower
    quality_factor: np.ndarray
    night_factor: np.ndarray
    ammo_need_per_hour: np.ndarray  # firepower × rounds/fp-h × planned share (fire discipline)
    ammo_per_hour: np.ndarray  # firepower × rounds/fp-h (spend)
    resupply_hours: np.ndarray
    no_ammo_factor: np.ndarray
    close_hexes: np.ndarray
    full_reach: np.ndarray  # (2, U): by day, by night
    exposure_standing: np.ndarray
    exposure_routed: np.ndarray
    pin_per_share: np.ndarray  # suppression_per_casualty_share
    pin_expm1: np.ndarray  # suppression_added: amount × expm1(x) / x (1, 1 where it adds all)
    pin_x: np.ndarray
    pin_ceiling: np.ndarray
    killed_fraction: np.ndarray
    officer_loss_factor: np.ndarray
    leader_hit: np.ndarray
    leader_morale_loss: np.ndarray
    morale_per_share: np.ndarray
    water_morale: np.ndarray
    recovery: np.ndarray
    rally: np.ndarray
    rout: np.ndarray
    kept: np.ndarray
    grip_cap: np.ndarray
    suppression_decay: np.ndarray
    # pairs (firer, target)
    range_factor: np.ndarray
    any_aimed: bool
    firers: np.ndarray  # units that may ever fire at someone here (F,)
    targets: np.ndarray  # units that someone here may ever fire at (G,)
    # pairs (F firers, G targets): for the target choice
    pair_distance: np.ndarray
    pair_may_target: np.ndarray  # enemy, both on the map, in sight (the firer side's clearance)
    pair_beyond_weapon: np.ndarray  # distance × hex size past the firer's weapon range
    pair_aimed: np.ndarray  # the firer was told to fire at the target's hex
    pair_in_full_reach: np.ndarray  # (2, F, G): by day, by night
    pair_key: np.ndarray  # int32: distance × (most men + 1) × units, the key's leading part
    water_target: np.ndarray  # (G,)
    most_men: int  # more than any unit's men
    # Sets of units as bits of one int64 (unit j is bit j; `unit_sets`), so "is any unit of
    # this set on the map" is one AND per battle, with no (B, U, U) array and no BLAS call.
    unit_bits: np.ndarray  # (U,) 2**j
    near_enemy: np.ndarray  # (U,) the enemies within two hexes of unit i (morale's contact)
    # broke_contact: a routed unit's neighbour hexes (U, 6) and who stands in / next to them
    neighbour_ok: np.ndarray  # (U, 6) a neighbour hex that exists and is passable
    enemy_in_neighbour: np.ndarray  # (U, 6) the enemies standing in neighbour k of unit i
    enemy_next_to_neighbour: np.ndarray  # (U, 6) the enemies next to neighbour k of unit i
    enemy_next_to_here: np.ndarray  # (U,) the enemies next to unit i's hex


def build_tables(frozen: Frozen, turns: int) -> Tables:
    """The tables of `Tables` from the frozen state, with the engine's own functions where one
    gives the figure (exposure: `protection.vulnerability`; sight: `sight.line_of_sight`)."""
    state = copy_state(frozen.state)
    u, board = state.units, state.board
    count = u.count
    by_side = state.side_coefficients or (state.coefficients, state.coefficients)
    own = [by_side[s] for s in u.side.tolist()]

    def each(name: str) -> np.ndarray:
        return np.array([getattr(k, name) for k in own], dtype=np.float64)

    hexes = u.hex.astype(np.int64)
    on_map = u.arrived & ~u.gone & (hexes >= 0)
    size = board.hex_size_m
    distance = np.zeros((count, count), np.int64)
    sight = np.zeros((count, count), bool)
    for f in range(count):
        for t in range(count):
            if on_map[f] and on_map[t]:
                distance[f, t] = board.distance(int(hexes[f]), int(hexes[t]))
                clearance = own[f].sight_clearance_m
                sight[f, t] = line_of_sight(board, int(hexes[f]), int(hexes[t]), clearance)
    enemy = u.side[:, None] != u.side[None, :]
    pair_on_map = on_map[:, None] & on_map[None, :]
    weapon_hexes = np.maximum(1.0, u.fire_range_m / size)
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(
            weapon_hexes[:, None] <= 1.0,
            0.0,
            (np.maximum(distance, 1) - 1) / (weapon_hexes[:, None] - 1.0),
        )
    range_factor = 1.0 - each("fire_range_falloff")[:, None] * np.minimum(reach, 1.0)
    full_reach = np.array(
        [
            np.maximum((u.fire_range_m // size).astype(np.int64), 1),
            np.maximum(
                (np.minimum(u.fire_range_m, each("night_sight_m")) // size).astype(np.int64), 1
            ),
        ]
    )
    # Exposure standing and routed, by the engine's own function (works are not damaged by
    # direct fire, so both stay as they are for the battle).
    standing, routed = np.ones(count), np.ones(count)
    was = u.routed.copy()
    for i in np.flatnonzero(on_map).tolist():
        u.routed[i] = False
        standing[i] = product(vulnerability(state, i, own[i], "fire"))
        u.routed[i] = True
        routed[i] = product(vulnerability(state, i, own[i], "fire"))
    u.routed[:] = was
    # protection.pin and suppression_added: the spread over the turn and the ceiling.
    hours = state.turn_hours

    # (with Python's math, as protection.py, so that the figures are the engine's to the bit)
    def pin_terms(k) -> tuple[float, float, float]:
        """(x, expm1(x), ceiling) of protection.suppression_added and pin for one side."""
        d = k.suppression_decay_per_hour
        if not (hours > 0.0 and 0.0 < d < 1.0):
            return 1.0, 1.0, 1.0
        x = -math.log1p(-d) * hours
        return x, math.expm1(x), (1.0 - d) ** -hours

    x, expm1, ceiling = np.array([pin_terms(k) for k in own]).T
    decayed = np.array([(1.0 - k.suppression_decay_per_hour) ** hours for k in own])
    kept = np.array([(1.0 - k.break_losses_recovery_per_hour) ** hours for k in own])
    aimed = np.zeros((count, count), bool)
    for f, there in frozen.aimed_at.items():
        aimed[f] = hexes == there
    # Neighbour tables for movement.trapped (fire.broke_contact).
    neighbours = np.full((count, 6), -1, np.int64)
    for i in np.flatnonzero(on_map).tolist():
        row = list(board.neighbors[int(hexes[i])])
        neighbours[i, : len(row)] = row
    exists = neighbours >= 0
    passable = np.where(exists, board.passable[np.maximum(neighbours, 0)], False)
    enemy_on = enemy & on_map[None, :]
    in_neighbour = (neighbours[:, :, None] == hexes[None, None, :]) & enemy_on[:, None, :]
    next_to = np.zeros((count, 6, count), bool)
    for i in range(count):
        for k in range(6):
            if exists[i, k]:
                for j in np.flatnonzero(enemy_on[i]).tolist():
                    next_to[i, k, j] = board.distance(int(neighbours[i, k]), int(hexes[j])) == 1
    here_next = (distance == 1) & enemy_on & on_map[:, None]
    cap = each("assault_hours_per_day")
    if count > 62:
        raise ValueError("sets of units as int64 bits: at most 62 units")
    bits = np.int64(1) << np.arange(count, dtype=np.int64)

    def as_sets(members: np.ndarray) -> np.ndarray:
        """(..., U) booleans over units as (...,) int64 sets."""
        return (members * bits).sum(axis=-1)

    may_target = enemy & pair_on_map & sight
    firers = np.flatnonzero((u.firepower > 0) & (u.crossing_hours <= 0) & may_target.any(1))
    targets = np.flatnonzero(may_target.any(0))
    pairs = np.ix_(firers, targets)
    most_men = int(u.men_start.max()) + 1
    water = np.where(on_map, board.water[np.maximum(hexes, 0)], False)
    key_top = distance[pairs].astype(np.int64) * most_men * count
    if key_top.max(initial=0) + most_men * count >= np.iinfo(np.int32).max:
        raise ValueError("target keys past int32: too many men or too long a range")
    return Tables(
        units=count,
        turn=frozen.turn,
        turn_hours=hours,
        total_turns=state.total_turns,
        night=np.array([state.night_of(frozen.turn + k) for k in range(turns)]),
        side=u.side.astype(np.int64),
        on_map=on_map,
        water=water,
        men_start=u.men_start.astype(np.float64),
        officers=u.officers.astype(np.int64),
        morale_start=u.morale_start.copy(),
        fights_to_last=np.isinf(u.break_share),
        base=each("fire_casualties_per_firepower_hour") * u.firepower,
        quality_factor=(1.0 - each("quality_fire_weight") / 2)
        + each("quality_fire_weight") * u.quality,
        night_factor=each("night_fire_factor"),
        ammo_need_per_hour=u.firepower
        * each("ammo_rounds_per_firepower_hour")
        * each("ammo_planned_firing_share"),
        ammo_per_hour=u.firepower * each("ammo_rounds_per_firepower_hour"),
        resupply_hours=each("ammo_resupply_hours"),
        no_ammo_factor=each("no_ammo_fire_factor"),
        close_hexes=each("limited_ammo_fire_hexes").astype(np.int64),
        full_reach=full_reach,
        exposure_standing=standing,
        exposure_routed=routed,
        pin_per_share=each("suppression_per_casualty_share"),
        pin_expm1=expm1,
        pin_x=x,
        pin_ceiling=ceiling,
        killed_fraction=each("killed_fraction"),
        officer_loss_factor=each("officer_loss_factor"),
        leader_hit=each("leader_hit_per_casualty_share"),
        leader_morale_loss=each("morale_loss_leader_killed"),
        morale_per_share=each("morale_loss_per_casualty_share"),
        water_morale=each("water_morale_factor"),
        recovery=each("morale_recovery_per_hour") * hours,
        rally=each("rally_threshold"),
        rout=each("rout_threshold"),
        kept=kept,
        grip_cap=cap,
        suppression_decay=decayed,
        range_factor=range_factor,
        any_aimed=bool(frozen.aimed_at),
        firers=firers,
        targets=targets,
        pair_distance=distance[pairs],
        pair_may_target=may_target[pairs],
        pair_beyond_weapon=(distance * size > u.fire_range_m[:, None])[pairs],
        pair_aimed=aimed[pairs],
        pair_in_full_reach=np.array([distance[pairs] <= r[firers, None] for r in full_reach]),
        pair_key=key_top.astype(np.int32),
        water_target=water[targets],
        most_men=most_men,
        unit_bits=bits,
        near_enemy=as_sets((distance <= 2) & enemy & pair_on_map),
        neighbour_ok=exists & passable,
        enemy_in_neighbour=as_sets(in_neighbour),
        enemy_next_to_neighbour=as_sets(next_to),
        enemy_next_to_here=as_sets(here_next),
    )


# ----------------------------------------------------------------------------- the batch state
@dataclass
class Batch:
    """The state that changes, one row per battle (B, U)."""

    keys: np.ndarray  # (B, 2) uint64: each battle's Philox key (its seed)
    men: np.ndarray
    killed: np.ndarray
    wounded: np.ndarray
    captured: np.ndarray
    drowned: np.ndarray
    hit_in_water: np.ndarray
    officers_killed: np.ndarray
    leader_alive: np.ndarray
    morale: np.ndarray
    suppression: np.ndarray
    ammo: np.ndarray
    routed: np.ndarray
    gone: np.ndarray
    break_base: np.ndarray
    grip_hours: np.ndarray

    def nbytes_per_battle(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self)) // len(self.keys)


def new_batch(frozen: Frozen, seeds: np.ndarray) -> Batch:
    """Every battle of `seeds` starts from the frozen state."""
    u = frozen.state.units
    rows = len(seeds)

    def tile(values: np.ndarray) -> np.ndarray:
        return np.tile(values, (rows, 1))

    return Batch(
        keys=battle_keys(seeds),
        men=tile(u.men.astype(np.int64)),
        killed=tile(u.killed.astype(np.int64)),
        wounded=tile(u.wounded.astype(np.int64)),
        captured=tile(u.captured.astype(np.int64)),
        drowned=tile(u.drowned.astype(np.int64)),
        hit_in_water=tile(u.hit_in_water.astype(np.int64)),
        officers_killed=tile(u.officers_killed.astype(np.int64)),
        leader_alive=tile(u.leader_alive),
        morale=tile(u.morale),
        suppression=tile(u.suppression),
        ammo=tile(u.ammo),
        routed=tile(u.routed),
        gone=tile(u.gone),
        break_base=tile(u.break_base),
        grip_hours=tile(u.grip_hours),
    )


# ------------------------------------------------------------------------------- the rule steps
def fire_discipline(t: Tables, b: Batch, turn: int) -> np.ndarray:
    """fire.fire_discipline for every battle and unit: the share of normal fire a unit fires
    when its rounds do not cover the hours until it can expect more."""
    left = (t.total_turns - turn) * t.turn_hours
    hours = np.maximum(0.0, np.minimum(left, t.resupply_hours))
    need = t.ammo_need_per_hour * hours
    # need is a row per unit; a unit with none fires at 1 (inf / 1 is inf, never read)
    return np.where(
        np.isfinite(b.ammo) & (need > 0),
        np.minimum(1.0, b.ammo / np.where(need > 0, need, 1.0)),
        1.0,
    )


def unit_sets(t: Tables, mask: np.ndarray) -> np.ndarray:
    """Each battle's units of `mask` (B, U) as the bits of one int64 (B,)."""
    return (mask * t.unit_bits).sum(axis=1)


def running(t: Tables, b: Batch, on_map: np.ndarray) -> np.ndarray:
    """fire.broke_contact for every battle: routed units on the map not `movement.trapped`.
    A unit is trapped when no neighbour hex is passable and free of enemy, or every free one
    and its own hex lie in the zone of enemy units that still fight."""
    standing = unit_sets(t, on_map)[:, None, None]
    fighting = unit_sets(t, on_map & ~b.routed)[:, None, None]
    held = (standing & t.enemy_in_neighbour[None]) != 0
    zone = (fighting & t.enemy_next_to_neighbour[None]) != 0
    here_zone = (fighting[:, :, 0] & t.enemy_next_to_here[None]) != 0
    free = t.neighbour_ok[None] & ~held
    trapped = ~free.any(axis=2) | ((~free | zone).all(axis=2) & here_zone)
    return b.routed & on_map & ~trapped


def choose_targets(
    t: Tables, b: Batch, present: np.ndarray, reach: np.ndarray, night: bool, on_map
) -> tuple[np.ndarray, np.ndarray]:
    """fire._nearest_target for every battle and firer at once: (target (B, U), fires (B, U)).
    The nearest enemy in reach and sight, the strongest first among equals, then the lowest
    unit number; a firer told to fire at a hex picks there first. Ranking by one integer key
    (distance, then fewer men, then unit number in the lowest digits) and taking the least
    valid one is the engine's sort followed by its first target in sight, since sight here is a
    fixed table; the key's lowest digits name the target. Only the pairs of units that may ever
    fire at each other here are looked at (F firers × G targets)."""
    f, g = t.firers, t.targets
    within = t.pair_distance[None] <= reach[:, f, None]
    if t.water_target.any():  # men in boats are fired on at full reach
        within |= t.water_target[None, None, :] & t.pair_in_full_reach[int(night)][None]
    valid = within & t.pair_may_target[None] & present[:, None, g]
    if b.routed.any():
        valid &= ~(running(t, b, on_map)[:, None, g] & t.pair_beyond_weapon[None])
    men_key = ((t.most_men - b.men[:, g]) * t.units + g).astype(np.int32)
    key = np.where(valid, t.pair_key[None] + men_key[:, None, :], NO_TARGET)
    best = key.min(axis=2)
    if t.any_aimed:
        aimed_best = np.where(t.pair_aimed[None], key, NO_TARGET).min(axis=2)
        best = np.where(aimed_best < NO_TARGET, aimed_best, best)
    target = np.zeros(present.shape, np.int64)
    target[:, f] = best % t.units
    fires = np.zeros(present.shape, bool)
    fires[:, f] = best < NO_TARGET
    fires &= present & ~b.routed
    return target, fires


def plan_fire(t: Tables, b: Batch, turn_index: int) -> tuple[np.ndarray, ...]:
    """fire.direct_fire's aiming for every battle: (target, fires, expected casualties), each
    (B, U) by firer, planned before any shot lands (the fire is simultaneous); spends the
    rounds fired (`fire._ammo_factor`)."""
    night = bool(t.night[turn_index])
    hours = t.turn_hours
    on_map = t.on_map[None] & ~b.gone
    present = on_map & (b.men > 0)
    share = fire_discipline(t, b, t.turn + turn_index)
    full = t.full_reach[int(night)][None, :]
    reach = np.where(
        share >= 1.0,
        full,
        np.maximum(1, np.minimum(full, np.maximum(t.close_hexes, np.floor(full * share)))),
    ).astype(np.int64)
    target, fires = choose_targets(t, b, present, reach, night, on_map)
    if not fires.any():
        return target, fires, np.zeros(fires.shape)
    units = np.arange(t.units)
    strength = b.men / np.maximum(t.men_start, 1.0)
    factors = (
        strength
        * t.range_factor[units, target]
        * (1.0 - b.suppression)  # the level carried into the turn: nothing has landed yet
        * t.quality_factor
    )
    if night:
        factors *= t.night_factor
    discipline = np.where((share < 1.0) & ~t.water[target], share, 1.0)
    factors *= discipline
    needed = t.ammo_per_hour * hours * strength * discipline
    spends = fires & np.isfinite(b.ammo) & (needed > 0)
    have_share = np.where(spends, np.minimum(1.0, b.ammo / np.where(spends, needed, 1.0)), 1.0)
    b.ammo = np.where(spends, np.maximum(0.0, b.ammo - needed), b.ammo)
    factors *= np.where(have_share < 1.0, have_share + (1.0 - have_share) * t.no_ammo_factor, 1.0)
    exposure = np.where(
        np.take_along_axis(b.routed, target, axis=1),
        t.exposure_routed[target],
        t.exposure_standing[target],
    )
    return target, fires, t.base * hours * factors * exposure


def fire_phase(t: Tables, b: Batch, turn_index: int) -> None:
    """fire.direct_fire for every battle: all aim, then the shots land in firer order. A shot
    changes only its target (men, suppression, leader, morale), so the shots on different
    targets land together: first every target's first shot (by firer number) in every battle,
    then every second shot, and so on; each target takes its shots in the engine's order."""
    target, fires, expected = plan_fire(t, b, turn_index)
    if not fires.any():
        return
    firers = t.firers
    on_same = (target[:, firers, None] == target[:, None, firers]) & fires[:, None, firers]
    earlier = on_same & (firers[None, :] < firers[:, None])[None]  # [b, f, f']: f' before f
    order = np.full(fires.shape, -1)
    order[:, firers] = np.where(fires[:, firers], earlier.sum(axis=2), -1)
    for rank in range(int(order.max()) + 1):
        rows, shooters = np.nonzero(order == rank)
        aim = target[rows, shooters]
        land(t, b, rows, shooters, aim, expected[rows, shooters], t.turn + turn_index)


def land(
    t: Tables,
    b: Batch,
    rows: np.ndarray,
    firers: np.ndarray,
    aim: np.ndarray,
    expected: np.ndarray,
    turn: int,
) -> None:
    """Shots of `firers` in battles `rows` land on their targets `aim` (no target twice in one
    battle): protection.pin, casualties.draw_casualties and apply_casualties, each battle with
    its own draws. The engine's stream for a shot (`roll(state, DIRECT_FIRE, firer)`) gives
    its uniforms in turn to the draws that happen: the hit (unless no draw is needed), the
    killed share (when men were hit), the officers (when officers are left and men killed),
    the leader (while he lives); `drawn` counts how far each shot's stream has gone."""
    uniform = unit_interval(philox_block(b.keys[rows], turn, DIRECT_FIRE, firers))
    shot = np.arange(len(rows))
    men = b.men[rows, aim]
    amount = t.pin_per_share[aim] * expected / np.maximum(men, 1)
    added = np.where(amount > 0.0, amount * t.pin_expm1[aim] / t.pin_x[aim], amount)
    held = b.suppression[rows, aim]
    b.suppression[rows, aim] = np.minimum(t.pin_ceiling[aim], np.maximum(held, 0.0) + added)
    p = np.where((men > 0) & (expected > 0.0), expected / np.maximum(men, 1), 0.0)
    hit = binomial(uniform[:, 0], men, p)
    drawn = ((men > 0) & (expected > 0.0) & (p < 1.0)).astype(np.int64)
    disabled = np.minimum(hit, men)
    if not disabled.any():
        return
    killed = binomial(uniform[shot, drawn], disabled, t.killed_fraction[aim])
    drawn += disabled > 0
    share = disabled / np.maximum(men, 1)
    b.men[rows, aim] = men - disabled
    b.killed[rows, aim] += killed
    b.wounded[rows, aim] += disabled - killed
    b.hit_in_water[rows, aim] += disabled * t.water[aim]
    officers_left = t.officers[aim] - b.officers_killed[rows, aim]
    officers_drawn = (officers_left > 0) & (killed > 0)
    p_officer = np.where(
        officers_drawn,
        np.minimum(1.0, share * t.officer_loss_factor[aim] * killed / np.maximum(disabled, 1)),
        0.0,
    )
    b.officers_killed[rows, aim] += binomial(uniform[shot, drawn], officers_left, p_officer)
    drawn += officers_drawn
    leader_hit = (
        b.leader_alive[rows, aim]
        & (disabled > 0)
        & (uniform[shot, np.minimum(drawn, 3)] < np.minimum(1.0, share * t.leader_hit[aim]))
    )
    if leader_hit.any():
        hit_rows, hit_units = rows[leader_hit], aim[leader_hit]
        b.leader_alive[hit_rows, hit_units] = False
        b.morale[hit_rows, hit_units] = np.maximum(
            0.0, b.morale[hit_rows, hit_units] - t.leader_morale_loss[hit_units]
        )


def morale_step(t: Tables, b: Batch, men_before: np.ndarray) -> None:
    """morale.morale_phase for every battle, without flight: losses wear morale down, units out
    of contact recover (morale and the losses counted toward breaking), the dead are gone,
    routed units rally above rally_threshold, others rout below rout_threshold; hours of assault
    come back and suppression decays. (The engine asks about contact only when recovery would
    change something; asking always gives the same result.)"""
    on_map = t.on_map[None] & ~b.gone
    lost_now = (b.killed + b.wounded + b.captured + b.drowned).astype(np.float64)
    share = np.where(men_before > 0, (men_before - b.men) / np.maximum(men_before, 1), 0.0)
    loss = np.where(
        share > 0, t.morale_per_share * share * np.where(t.water, t.water_morale, 1.0), 0
    )
    morale = b.morale - loss
    contact = (unit_sets(t, on_map)[:, None] & t.near_enemy[None]) != 0
    rest = on_map & ~contact
    morale = np.where(rest, np.minimum(t.morale_start, morale + t.recovery), morale)
    counted = lost_now - b.break_base
    base = np.where(rest & (counted > 0), lost_now - counted * t.kept, b.break_base)
    morale = np.minimum(1.0, np.maximum(0.0, morale))
    b.morale = np.where(on_map, morale, b.morale)
    dead = on_map & (b.men <= 0)
    b.gone |= dead
    alive = on_map & ~dead
    rally = alive & b.routed & (morale >= t.rally)
    rout = alive & ~b.routed & ~t.fights_to_last & (morale < t.rout)
    b.routed = (b.routed & ~rally) | rout
    b.break_base = np.where(rally, lost_now, np.where(on_map, base, b.break_base))
    b.grip_hours = np.minimum(t.grip_cap, b.grip_hours + t.turn_hours * t.grip_cap / 24.0)
    b.suppression = np.minimum(b.suppression * t.suppression_decay, 1.0)


def play_batch(t: Tables, frozen: Frozen, seeds: np.ndarray, turns: int = TURNS) -> Batch:
    """`turns` turns of direct fire and morale for every battle of `seeds`, in lockstep."""
    b = new_batch(frozen, seeds)
    for k in range(turns):
        men_before = b.men.copy()
        fire_phase(t, b, k)
        morale_step(t, b, men_before)
    return b


def play_chunked(
    t: Tables, frozen: Frozen, seeds: np.ndarray, chunk: int = 1000, turns: int = TURNS
) -> Batch:
    """`play_batch` over slices of `chunk` battles, one after another, joined: the same
    result (battles are independent), with temporaries small enough to stay in the cache and
    in the allocator's reused memory (arrays past glibc's 128 KiB are mapped afresh and fault
    in page by page each time)."""
    parts = [
        play_batch(t, frozen, seeds[k : k + chunk], turns) for k in range(0, len(seeds), chunk)
    ]
    return Batch(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Batch)}
    )


# -------------------------------------------------------------------------------- the reference
class Reference:
    """The same turns played by the engine's own functions, one battle after another, on a
    working copy of the frozen state that is reset in place before each battle."""

    def __init__(self, frozen: Frozen) -> None:
        self.frozen = frozen
        self.state = copy_state(frozen.state)

    def reset(self, seed: int) -> GameState:
        """The working state back to the frozen one, with the battle's own dice."""
        state, was = self.state, self.frozen.state
        for part, source in ((state.units, was.units), (state.works, was.works)):
            for f in fields(part):
                value = getattr(part, f.name)
                if isinstance(value, np.ndarray) and f.name not in LEDGER_ROWS:
                    np.copyto(value, getattr(source, f.name))
        state.turn = was.turn
        state.ledger = list(was.ledger)
        state.seed = seed
        state.dice = Dice(seed)
        return state

    def play(self, seed: int, turns: int = TURNS, events: list | None = None) -> GameState:
        """Battle `seed` from the frozen state. The rules build their detailed events (Fired,
        LeaderKilled, ...) only when `events` is given to collect them, as a batch plays
        (`Game(detail_events=False)`); the turn's outcome is the same either way."""
        state = self.reset(seed)
        state.record_events = events is not None
        u, c = state.units, state.coefficients
        events = [] if events is None else events
        for _ in range(turns):
            men_before = u.men.copy()
            with fire_at_turn_start(state):
                direct_fire(state, c, events, aimed_at=self.frozen.aimed_at)
            morale_phase(state, men_before, u.morale_start, c, events)
            state.turn += 1
            state.ledger.append(u.tally.copy())
        return state


# ---------------------------------------------------------------------------------- the checks
def losses_by_side(killed: np.ndarray, wounded: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Killed plus wounded of each side: (battles, 2)."""
    hit = (killed + wounded).reshape(-1, len(side))
    return np.stack([hit[:, side == s].sum(axis=1) for s in (0, 1)], axis=1)


def check_first_turn(t: Tables, frozen: Frozen, reference: Reference) -> int:
    """The first turn's shots, before any draw can make battles differ: every (firer, target,
    expected casualties) of the prototype against the engine's Fired events. Returns how many
    shots agree (raises on any difference)."""
    events: list = []
    reference.play(0, turns=1, events=events)
    ids = frozen.state.units.ids
    engine_shots = sorted(
        (ids.index(e.unit), ids.index(e.target), e.expected) for e in events if isinstance(e, Fired)
    )
    b = new_batch(frozen, np.array([0]))
    target, fires, expected = plan_fire(t, b, 0)
    seen = [
        (f, int(target[0, f]), round(float(expected[0, f]), 3))
        for f in np.flatnonzero(fires[0]).tolist()
    ]
    mine = sorted(seen)
    if [(f, g) for f, g, _ in mine] != [(f, g) for f, g, _ in engine_shots] or any(
        abs(x - y) > 1e-3 for (_, _, x), (_, _, y) in zip(mine, engine_shots, strict=True)
    ):
        raise AssertionError(f"first turn differs:\nprototype {mine}\nengine    {engine_shots}")
    return len(mine)


def check_independent(t: Tables, frozen: Frozen, battles: int = 1000) -> list[int]:
    """A battle's result alone (B = 1) equals its row in a batch of `battles`; returns the
    seeds checked. Every array of the state is compared exactly, and the batch played in
    slices (`play_chunked`) is the batch played whole."""
    seeds = np.arange(battles)
    together = play_batch(t, frozen, seeds)
    sliced = play_chunked(t, frozen, seeds, chunk=300)
    for f in fields(Batch):
        if not np.array_equal(getattr(sliced, f.name), getattr(together, f.name)):
            raise AssertionError(f"{f.name} differs played whole and in slices")
    checked = [0, 1, battles // 2, battles - 1]
    for seed in checked:
        alone = play_batch(t, frozen, np.array([seed]))
        for f in fields(Batch):
            mine, theirs = getattr(alone, f.name)[0], getattr(together, f.name)[seed]
            if not np.array_equal(mine, theirs):
                raise AssertionError(f"battle {seed}: {f.name} differs alone and in a batch")
    return checked


EXACT = (
    "men",
    "killed",
    "wounded",
    "officers_killed",
    "hit_in_water",
    "leader_alive",
    "routed",
    "gone",
)
CLOSE = ("morale", "suppression", "ammo", "break_base", "grip_hours")


@dataclass
class Comparison:
    """The prototype's battles beside the engine's, seed for seed."""

    battles: int
    identical: int  # battles whose every count and flag (EXACT) is the engine's
    first_difference: str  # the first battle and field that differ, or ""
    float_difference: float  # the largest difference of CLOSE's figures (rounding)
    by_side: dict[str, tuple[float, float, float, float]]  # mean, sd: prototype, engine


def compare_with_reference(
    t: Tables, frozen: Frozen, reference: Reference, battles: int
) -> Comparison:
    """Battles 0 .. `battles` − 1 played by the prototype (in one batch) and by the engine's
    functions (one by one), compared seed for seed: counts and flags exactly, the floats to
    rounding. Also the killed + wounded of each side during the turns played, and the units
    routed at the end: mean and standard deviation over the battles, for both."""
    u0 = frozen.state.units
    start = (u0.killed + u0.wounded).astype(np.int64)
    mine = play_batch(t, frozen, np.arange(battles))
    identical, first, worst = 0, "", 0.0
    lost_mine, lost_theirs, routed_mine, routed_theirs = [], [], [], []
    for seed in range(battles):
        u = reference.play(seed).units
        differ = [n for n in EXACT if not np.array_equal(getattr(mine, n)[seed], getattr(u, n))]
        identical += not differ
        if differ and not first:
            first = f"battle {seed}: {', '.join(differ)}"
        for name in CLOSE:
            a, r = getattr(mine, name)[seed], getattr(u, name)
            finite = np.isfinite(r)
            if not np.array_equal(np.isfinite(a), finite):
                first = first or f"battle {seed}: {name} finite here, not there"
                continue
            if finite.any():
                worst = max(worst, float(np.abs(a[finite] - r[finite]).max()))
        lost_mine.append(mine.killed[seed] + mine.wounded[seed] - start)
        lost_theirs.append(u.killed + u.wounded - start)
        routed_mine.append(mine.routed[seed])
        routed_theirs.append(u.routed.copy())
    by_side = {}
    for name, ours, theirs in (
        ("killed+wounded", lost_mine, lost_theirs),
        ("routed", routed_mine, routed_theirs),
    ):
        ours_a, theirs_a = np.array(ours), np.array(theirs)
        for s, side in enumerate(frozen.state.side_ids):
            a = ours_a[:, t.side == s].sum(axis=1).astype(float)
            r = theirs_a[:, t.side == s].sum(axis=1).astype(float)
            by_side[f"{name} {side}"] = (a.mean(), a.std(ddof=1), r.mean(), r.std(ddof=1))
    return Comparison(battles, identical, first, worst, by_side)


# ------------------------------------------------------------------------ counting numpy calls
class _Counted(np.ndarray):
    """An array that counts the numpy operations done on it (ufunc calls and reductions,
    array functions such as np.where, indexing), and hands the same kind to their results, so a
    turn played on such arrays counts its numpy calls. Only for `numpy_calls_per_turn`."""

    counts: ClassVar[dict[str, int]] = {"ufunc": 0, "function": 0, "index": 0}

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _Counted.counts["ufunc"] += 1
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        return _counted(getattr(ufunc, method)(*_plain(inputs), **kwargs))

    def __array_function__(self, func, types, args, kwargs):
        _Counted.counts["function"] += 1
        return _counted(func._implementation(*_plain(args), **_plain(kwargs)))

    def __getitem__(self, key):
        _Counted.counts["index"] += 1
        return _counted(self.view(np.ndarray)[_plain(key)])

    def __setitem__(self, key, value) -> None:
        _Counted.counts["index"] += 1
        self.view(np.ndarray)[_plain(key)] = _plain(value)


def _plain(value):
    if isinstance(value, _Counted):
        return value.view(np.ndarray)
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _counted(value):
    if isinstance(value, np.ndarray) and not isinstance(value, _Counted):
        return value.view(_Counted)
    if isinstance(value, tuple):
        return tuple(_counted(v) for v in value)
    return value


def numpy_calls_per_turn(t: Tables, frozen: Frozen, size: int = 1) -> dict[str, float]:
    """Numpy operations per turn of a batch of `size`, by kind (the count hardly depends on
    the batch's size: only on how many rounds of shots land, `fire_phase`)."""
    counted = replace(
        t, **{f.name: _counted(getattr(t, f.name)) for f in fields(t) if _is_array(t, f.name)}
    )
    b = new_batch(frozen, np.arange(size))
    for f in fields(b):
        setattr(b, f.name, _counted(getattr(b, f.name)))
    for kind in _Counted.counts:
        _Counted.counts[kind] = 0
    for k in range(TURNS):
        men_before = b.men.copy()
        fire_phase(counted, b, k)
        morale_step(counted, b, men_before)
    return {kind: n / TURNS for kind, n in _Counted.counts.items()}


def _is_array(item: object, name: str) -> bool:
    return isinstance(getattr(item, name), np.ndarray)


# ---------------------------------------------------------------------------------- the timings
def cpu_best(run: Callable[[], object], rounds: int = 3) -> float:
    """Best CPU seconds (time.process_time) of `rounds` runs."""
    best = math.inf
    for _ in range(rounds):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def measure(
    t: Tables, frozen: Frozen, reference: Reference, sizes: list[int], reference_cap: int
) -> list[tuple]:
    """(B, prototype ms per battle, prototype battles/s, reference ms per battle, reference
    battles/s) for each batch size, CPU time, best of 3. B = 1 is timed as 100 batches of one
    battle, for a steadier figure; the reference plays min(B, reference_cap) battles (its cost
    per battle does not depend on B)."""
    rows = []
    for size in sizes:
        if size == 1:
            proto = cpu_best(lambda: [play_batch(t, frozen, np.array([s])) for s in range(100)])
            proto_per = proto / 100
        else:
            proto = cpu_best(lambda size=size: play_batch(t, frozen, np.arange(size)))
            proto_per = proto / size
        played = max(min(size, reference_cap), 20)
        ref = cpu_best(lambda played=played: [reference.play(s) for s in range(played)])
        ref_per = ref / played
        rows.append((f"{size}", proto_per * 1e3, 1 / proto_per, ref_per * 1e3, 1 / ref_per))
        if size > 1000:
            chunked = cpu_best(lambda size=size: play_chunked(t, frozen, np.arange(size))) / size
            rows.append(
                (f"{size} in 1000s", chunked * 1e3, 1 / chunked, ref_per * 1e3, 1 / ref_per)
            )
    return rows


def memory_per_battle(t: Tables, frozen: Frozen, size: int) -> tuple[int, float]:
    """(bytes of the state per battle, peak bytes numpy allocated per battle while playing)."""
    tracemalloc.start()
    b = play_batch(t, frozen, np.arange(size))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return b.nbytes_per_battle(), peak / size


def profile(t: Tables, frozen: Frozen, size: int, repeat: int) -> str:
    """Where the time goes: cProfile of `repeat` batches of `size`, by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(repeat):
        play_batch(t, frozen, np.arange(size) + k * size)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
    text = out.getvalue()
    return text[text.index("ncalls") :].rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="the game played up to contact")
    parser.add_argument(
        "--from-turn",
        type=int,
        default=0,
        help="freeze at the first turn of fire both ways from this engine turn on (a later"
        " setting: more units in contact, night, routs)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a coefficient for the whole game, engine and prototype alike (a stress setting:"
        " fire_casualties_per_firepower_hour=0.1 makes units die and rout)",
    )
    parser.add_argument("--battles", type=int, default=1000, help="for the faithfulness check")
    parser.add_argument("--quick", action="store_true", help="B up to 1,000 only, 200 battles")
    parser.add_argument("--profile", action="store_true", help="cProfile of B=1 and B=1000")
    args = parser.parse_args()
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    frozen = freeze(args.seed, args.from_turn, overrides or None)
    u = frozen.state.units
    t = build_tables(frozen, TURNS)
    reference = Reference(frozen)
    fighting = np.flatnonzero(t.on_map).tolist()
    print(
        f"Furong, seed {args.seed}{overrides or ''}: both sides fire first from engine turn"
        f" {args.from_turn} on in turn {frozen.turn + 1}"
        f" (engine turn {frozen.turn}, {frozen.state.now:%d %b %H:%M}); frozen as its direct fire"
        f" began: {len(fighting)} of {u.count} units on the map, fire orders"
        f" {frozen.aimed_at or 'none'}; {TURNS} turns played, night in"
        f" {int(t.night.sum())} of them"
    )
    shots = check_first_turn(t, frozen, reference)
    print(f"first turn's shots identical to the engine's Fired events: {shots}")
    print(f"alone == inside a batch of 1000, seeds {check_independent(t, frozen)}: exact")
    battles = 200 if args.quick else args.battles
    found = compare_with_reference(t, frozen, reference, battles)
    print(
        f"\nthe engine's functions and the prototype, seeds 0-{battles - 1}: {found.identical}"
        f" of {battles} battles identical in every count and flag"
        f" ({found.first_difference or 'no difference'}); floats within"
        f" {found.float_difference:.1e}"
    )
    for name, (pm, ps, rm, rs) in found.by_side.items():
        print(f"  {name:22s} prototype {pm:8.2f} ± {ps:6.2f}   engine {rm:8.2f} ± {rs:6.2f}")
    sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10_000]
    print("\nCPU time (time.process_time), best of 3, one core:")
    print("               B   prototype ms/battle  battles/s   engine ms/battle  battles/s")
    for size, pm, pr, rm, rr in measure(t, frozen, reference, sizes, 1000):
        print(f"  {size:>14s}   {pm:18.3f}  {pr:9.0f}   {rm:16.3f}  {rr:9.0f}")
    state_bytes, peak = memory_per_battle(t, frozen, 10_000 if not args.quick else 1000)
    print(f"\nmemory per battle: state {state_bytes} bytes; peak while playing {peak:,.0f} bytes")
    for size in (1, 1000):
        calls = numpy_calls_per_turn(t, frozen, size)
        print(
            f"numpy calls per turn at B={size}: {sum(calls.values()):.0f}"
            f" ({', '.join(f'{n:.0f} {kind}' for kind, n in calls.items())})"
        )
    if args.profile:
        for size, repeat in ((1, 50), (1000, 1)):
            print(f"\n-- cProfile, B={size} x {repeat}, by own time --")
            print(profile(t, frozen, size, repeat))


if __name__ == "__main__":
    main()
