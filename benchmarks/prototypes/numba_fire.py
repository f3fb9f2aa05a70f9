"""Road (b) of issue 15: the turn's direct fire, casualties and morale as a compiled per-battle
loop (numba `@njit`), a `prange` driver over battles, counter-based random draws.

    python benchmarks/prototypes/numba_fire.py            # checks, faithfulness, timings
    python benchmarks/prototypes/numba_fire.py check      # the checks and faithfulness only
    python benchmarks/prototypes/numba_fire.py bench      # the timings only
    python benchmarks/prototypes/numba_fire.py start      # cold and warm first results, each
                                                          # in a new process (`first` is one)
    python benchmarks/prototypes/numba_fire.py instructions   # valgrind counts a battle
    python benchmarks/prototypes/numba_fire.py aot        # ahead-of-time build (numba.pycc)

A prototype, not engine code: numba is not a dependency of the project (this script says so and
stops when it is missing), nothing under `engine/` changes, and the engine's own functions are
the reference it is checked against.

The setting: Furong Mountain played by the engine, the computer on both sides, up to the first
turn in which both sides fire on each other (turn 0, the first: `find_setting`). The state is
frozen just before that turn's direct fire (positions, postures, the turn's fire orders), and
then T turns of only direct fire (rules/fire.py), casualties (rules/casualties.py) and the morale
phase (rules/morale.py, no flight: a routed unit stays where it is) are played, by the compiled
loop and, as the reference, by the engine's `direct_fire` and `morale_phase`.

Random draws are keyed by (battle seed, turn, draw site, unit) through Philox4x64-10 (numpy's
`Philox` algorithm, written here for numba): a battle's draws are the same alone, in a batch of
any size and on any number of threads.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROCESS_START = time.perf_counter()  # first thing: for the "process start to first result" figure

import numpy as np  # noqa: E402

_numba_started = time.perf_counter()
try:
    import numba
    from numba import njit, prange
except ImportError:
    sys.exit(
        "numba is not installed: this prototype needs it (it is not a dependency of the project)."
        "\n    python -m pip install numba"
    )
NUMBA_IMPORT_S = time.perf_counter() - _numba_started

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.core.dice import Dice  # noqa: E402
from engine.core.events import Fired, LeaderKilled, Rallied, Routed  # noqa: E402
from engine.core.state import POSTURE_INDEX, GameState  # noqa: E402
from engine.game import Game  # noqa: E402
from engine.rules import fire as fire_module  # noqa: E402
from engine.rules import turn as turn_module  # noqa: E402
from engine.rules.coefficients import coefficients as make_coefficients  # noqa: E402
from engine.rules.fire import direct_fire  # noqa: E402
from engine.rules.morale import morale_phase  # noqa: E402
from engine.rules.movement import trapped  # noqa: E402
from engine.rules.protection import fire_at_turn_start  # noqa: E402
from engine.rules.sight import line_of_sight  # noqa: E402
from engine.rules.turn import side_coefficients  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "furong_mountain.yaml"
TURNS = 12  # turns played after the freeze
SETTING_SEED = 1  # the engine game that leads up to the frozen turn

# ---------------------------------------------------------------------------- flat layout
# The coefficients the three steps read, one row per side (`side_rules` differ between sides).
COEFFICIENT_NAMES = (
    "fire_casualties_per_firepower_hour",
    "fire_range_falloff",
    "quality_fire_weight",
    "night_fire_factor",
    "limited_ammo_fire_hexes",
    "ammo_rounds_per_firepower_hour",
    "ammo_planned_firing_share",
    "ammo_resupply_hours",
    "no_ammo_fire_factor",
    "vulnerability_attack",
    "vulnerability_withdrawal",
    "vulnerability_hasty",
    "vulnerability_prepared",
    "vulnerability_fortified",
    "blockhouse_protection",
    "water_exposure",
    "suppression_per_casualty_share",
    "suppression_decay_per_hour",
    "killed_fraction",
    "officer_loss_factor",
    "leader_hit_per_casualty_share",
    "morale_loss_leader_killed",
    "morale_loss_per_casualty_share",
    "water_morale_factor",
    "morale_recovery_per_hour",
    "rally_threshold",
    "rout_threshold",
    "break_losses_recovery_per_hour",
)
(
    C_FIRE_RATE,
    C_RANGE_FALLOFF,
    C_QUALITY_WEIGHT,
    C_NIGHT_FIRE,
    C_CLOSE_HEXES,
    C_ROUNDS_PER_FPH,
    C_PLANNED_SHARE,
    C_RESUPPLY_HOURS,
    C_NO_AMMO,
    C_VULN_ATTACK,
    C_VULN_WITHDRAWAL,
    C_VULN_HASTY,
    C_VULN_PREPARED,
    C_VULN_FORTIFIED,
    C_BLOCKHOUSE,
    C_WATER_EXPOSURE,
    C_SUPPRESSION_PER_SHARE,
    C_SUPPRESSION_DECAY,
    C_KILLED_FRACTION,
    C_OFFICER_LOSS,
    C_LEADER_HIT,
    C_MORALE_LEADER,
    C_MORALE_PER_SHARE,
    C_WATER_MORALE,
    C_RECOVERY,
    C_RALLY,
    C_ROUT,
    C_BREAK_RECOVERY,
) = range(len(COEFFICIENT_NAMES))

# Per unit, never changed by these three steps (columns of `fixed_f` / `fixed_i`).
F_MEN_START, F_FIREPOWER, F_RANGE_M, F_QUALITY, F_COVER, F_FORT_INTACT = range(6)
F_BLOCKHOUSE_INTACT, F_MORALE_CEILING, F_BREAK_SHARE = 6, 7, 8
N_FIXED_F = 9
(
    I_SIDE,
    I_POSTURE,
    I_FORT_LEVEL,
    I_HAS_BLOCKHOUSE,
    I_IN_WATER,
    I_WATER_HEX,
    I_CROSSING,
    I_ON_MAP,
    I_TRAPPED,
    I_REACH_DAY,
    I_REACH_NIGHT,
    I_AIM_HEX,
    I_HEX,
    I_OFFICERS,
) = range(14)
N_FIXED_I = 14
# Per unit, changed by them (columns of `live_f` / `live_i`), one copy per battle.
L_MORALE, L_SUPPRESSION, L_AMMO, L_BREAK_BASE = range(4)
N_LIVE_F = 4
L_MEN, L_KILLED, L_WOUNDED, L_OFFICERS_KILLED, L_HIT_IN_WATER = range(5)
L_ROUTED, L_GONE, L_LEADER_ALIVE, L_CAPTURED, L_DROWNED = 5, 6, 7, 8, 9
N_LIVE_I = 10

# Event rows (turn, kind, unit, other, value, killed, wounded), written when a buffer is given.
EVENT_FIRED, EVENT_LEADER_KILLED, EVENT_ROUTED, EVENT_RALLIED = 0, 1, 2, 3
EVENT_WIDTH = 7
SITE_FIRE = 1  # draw site of a shot: its four uniforms are hit, killed share, officers, leader

_ATTACK = POSTURE_INDEX["attack"]
_WITHDRAWAL = POSTURE_INDEX["withdrawal"]


@dataclass
class Setting:
    """The frozen turn: the engine's state just before its direct fire, and its flat copy."""

    state: GameState
    aimed_at: dict[int, int]
    first_turn: int
    fire_units: tuple[str, ...]  # who fired in that turn of the engine game
    fixed_f: np.ndarray
    fixed_i: np.ndarray
    live_f: np.ndarray
    live_i: np.ndarray
    distance: np.ndarray  # hexes between units' hexes
    sight: np.ndarray  # firer sees target (with the firer's side's clearance)
    within_two: np.ndarray  # target's hex within two steps of the unit's hex
    coefficients: np.ndarray  # side x COEFFICIENT_NAMES
    night: np.ndarray  # per turn of the scenario (and one past)
    turn_hours: float
    total_turns: int
    hex_size_m: float


def find_setting(
    path: Path = SCENARIO,
    seed: int = SETTING_SEED,
    min_shots: int = 1,
    overrides: dict[str, float] | None = None,
) -> Setting:
    """Play the engine game (computer on both sides) until the first turn whose direct fire is
    exchanged both ways (by at least `min_shots` firers: 1 is the first exchange), and keep a
    copy of the state as it stood just before that fire. `overrides` are a what-if's
    coefficients, as `wargame run --set` gives them.

    The copy is taken inside `end_turn` by wrapping `rules.turn.direct_fire` for this process:
    after movement (so the postures are the turn's), with the turn's fire orders (`aimed_at`)."""
    scenario = load_scenario(path).scenario
    game = Game(scenario, seed=seed, overrides=overrides)
    seen: dict[int, tuple[GameState, dict[int, int]]] = {}
    original = turn_module.direct_fire

    def keeping_a_copy(state, coefficients, events, hours=None, aimed_at=None, on_map=None):
        shared = {id(state.board): state.board, id(state.scenario): state.scenario}
        for c in (state.coefficients, *state.side_coefficients):
            shared[id(c)] = c
        seen[state.turn] = (copy.deepcopy(state, shared), dict(aimed_at or {}))
        return original(state, coefficients, events, hours, aimed_at, on_map)

    turn_module.direct_fire = keeping_a_copy
    try:
        while not game.over:
            for side in (0, 1):
                game.apply_orders(side, game.computer_orders(side))
            played = game.turn
            events = game.end_turn()
            ids = game.state.units.ids
            firers = [e.unit for e in events if isinstance(e, Fired)]
            sides = {int(game.state.units.side[ids.index(f)]) for f in firers}
            if sides == {0, 1} and len(firers) >= min_shots:
                frozen, aimed = seen[played]
                return flatten(frozen, aimed, played, tuple(firers))
            seen.clear()
    finally:
        turn_module.direct_fire = original
    raise RuntimeError("no turn with fire both ways")


def flatten(
    state: GameState, aimed_at: dict[int, int], first_turn: int, fire_units: tuple[str, ...]
) -> Setting:
    """The frozen state as flat arrays; what never changes in these steps is worked out once:
    each unit's reach by day and night, distances, sight and contact between occupied hexes."""
    u, w, board = state.units, state.works, state.board
    n = u.count
    by_side = state.side_coefficients or (state.coefficients, state.coefficients)
    coefficients = np.array([[getattr(c, name) for name in COEFFICIENT_NAMES] for c in by_side])
    fixed_f = np.zeros((n, N_FIXED_F))
    fixed_i = np.zeros((n, N_FIXED_I), np.int64)
    on_map = state.active()
    for i in range(n):
        h = int(u.hex[i])
        side = int(u.side[i])
        c = by_side[side]
        fixed_f[i, F_MEN_START] = u.men_start[i]
        fixed_f[i, F_FIREPOWER] = u.firepower[i]
        fixed_f[i, F_RANGE_M] = u.fire_range_m[i]
        fixed_f[i, F_QUALITY] = u.quality[i]
        fixed_f[i, F_MORALE_CEILING] = u.morale_start[i]
        fixed_f[i, F_BREAK_SHARE] = u.break_share[i]
        fixed_i[i, I_SIDE] = side
        fixed_i[i, I_POSTURE] = u.posture[i]
        fixed_i[i, I_ON_MAP] = on_map[i]
        fixed_i[i, I_HEX] = h
        fixed_i[i, I_OFFICERS] = u.officers[i]
        fixed_i[i, I_CROSSING] = u.crossing_hours[i] > 0
        fixed_i[i, I_AIM_HEX] = aimed_at.get(i, -1)
        day = max(int(u.fire_range_m[i] // board.hex_size_m), 1)
        dark = max(int(min(u.fire_range_m[i], c.night_sight_m) // board.hex_size_m), 1)
        fixed_i[i, I_REACH_DAY], fixed_i[i, I_REACH_NIGHT] = day, dark
        if h < 0:
            continue
        fixed_f[i, F_COVER] = board.cover[h]
        fixed_i[i, I_FORT_LEVEL] = w.fort_level[h] if w.fort_strength_start[h] > 0 else 0
        if w.fort_strength_start[h] > 0:
            fixed_f[i, F_FORT_INTACT] = w.fort_strength[h] / w.fort_strength_start[h]
        fixed_i[i, I_HAS_BLOCKHOUSE] = w.blockhouse_strength_start[h] > 0
        if w.blockhouse_strength_start[h] > 0:
            fixed_f[i, F_BLOCKHOUSE_INTACT] = (
                w.blockhouse_strength[h] / w.blockhouse_strength_start[h]
            )
        fixed_i[i, I_WATER_HEX] = board.water[h]
        fixed_i[i, I_IN_WATER] = u.crossing_hours[i] > 0 or board.water[h]
        # Frozen positions: whether a routed unit could run (fire.broke_contact) is asked once.
        fixed_i[i, I_TRAPPED] = trapped(state, i)
    distance = np.zeros((n, n), np.int64)
    sight = np.zeros((n, n), np.bool_)
    within_two = np.zeros((n, n), np.bool_)
    for i in range(n):
        a = int(u.hex[i])
        if a < 0:
            continue
        clearance = by_side[int(u.side[i])].sight_clearance_m
        near = board.within_two(a)
        for j in range(n):
            b = int(u.hex[j])
            if b < 0:
                continue
            distance[i, j] = board.distance(a, b)
            sight[i, j] = line_of_sight(board, a, b, clearance)
            within_two[i, j] = b in near
    live_f = np.zeros((n, N_LIVE_F))
    live_f[:, L_MORALE] = u.morale
    live_f[:, L_SUPPRESSION] = u.suppression
    live_f[:, L_AMMO] = u.ammo
    live_f[:, L_BREAK_BASE] = u.break_base
    live_i = np.zeros((n, N_LIVE_I), np.int64)
    live_i[:, L_MEN] = u.men
    live_i[:, L_KILLED] = u.killed
    live_i[:, L_WOUNDED] = u.wounded
    live_i[:, L_OFFICERS_KILLED] = u.officers_killed
    live_i[:, L_HIT_IN_WATER] = u.hit_in_water
    live_i[:, L_ROUTED] = u.routed
    live_i[:, L_GONE] = u.gone
    live_i[:, L_LEADER_ALIVE] = u.leader_alive
    live_i[:, L_CAPTURED] = u.captured
    live_i[:, L_DROWNED] = u.drowned
    # darkness of every turn the prototype may play: past the scenario's end too (a frozen turn
    # late in the game plays its TURNS turns on), as the engine's clock answers for any turn
    last = max(state.total_turns, first_turn + TURNS)
    night = np.array([state.night_of(t) for t in range(last + 1)], np.bool_)
    return Setting(
        state,
        aimed_at,
        first_turn,
        fire_units,
        fixed_f,
        fixed_i,
        live_f,
        live_i,
        distance,
        sight,
        within_two,
        coefficients,
        night,
        state.turn_hours,
        state.total_turns,
        board.hex_size_m,
    )


# ---------------------------------------------------------------------------- random draws
# Philox4x64-10 (Salmon et al. 2011, Random123), the algorithm of numpy.random.Philox.
PHILOX_M0 = np.uint64(0xD2E7470EE14C6C93)
PHILOX_M1 = np.uint64(0xCA5A826395121157)
PHILOX_W0 = np.uint64(0x9E3779B97F4A7C15)
PHILOX_W1 = np.uint64(0xBB67AE8584CAA73B)
LOW32 = np.uint64(0xFFFFFFFF)
U32 = np.uint64(32)
U11 = np.uint64(11)
TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


@njit(cache=True)
def mulhilo(a, b):
    """The high and low 64 bits of the 128-bit product a × b (uint64 halves, no 128-bit type)."""
    a_lo, a_hi = a & LOW32, a >> U32
    b_lo, b_hi = b & LOW32, b >> U32
    p0, p1, p2, p3 = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    middle = (p0 >> U32) + (p1 & LOW32) + (p2 & LOW32)
    high = p3 + (p1 >> U32) + (p2 >> U32) + (middle >> U32)
    return high, a * b


@njit(cache=True)
def philox4x64(c0, c1, c2, c3, k0, k1):
    """Philox4x64 with 10 rounds of counter (c0..c3) under key (k0, k1): four uint64."""
    for step in range(10):
        if step > 0:
            k0 += PHILOX_W0
            k1 += PHILOX_W1
        hi0, lo0 = mulhilo(PHILOX_M0, c0)
        hi1, lo1 = mulhilo(PHILOX_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


@njit(cache=True)
def uniform(x):
    """[0, 1) from the top 53 bits, as numpy's `next_double`."""
    return float(x >> U11) * TWO_TO_MINUS_53


@njit(cache=True)
def draw_four(seed, turn, site, unit):
    """Four uniforms keyed by (battle seed, turn, draw site, unit): no state, no order."""
    a, b, c, d = philox4x64(
        np.uint64(turn), np.uint64(site), np.uint64(unit), np.uint64(0), np.uint64(seed), LOW32
    )
    return uniform(a), uniform(b), uniform(c), uniform(d)


@njit(cache=True)
def binomial(n, p, u):
    """A Binomial(n, p) draw by inversion of the one uniform `u`: the least k with CDF(k) > u
    (exact in distribution; p > 1/2 is drawn as n minus its mirror). Small means walk up from
    0; large ones start at the mode, whose CDF is summed downward, and walk from there."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(n, 1.0 - p, 1.0 - u if u > 0.0 else 0.9999999999999999)
    ratio = p / (1.0 - p)
    if n * p < 30.0:
        mass = math.exp(n * math.log1p(-p))
        total = mass
        k = 0
        while u >= total and k < n:
            mass *= (n - k) / (k + 1.0) * ratio
            k += 1
            total += mass
        return k
    mode = int((n + 1) * p)
    at_mode = math.exp(
        math.lgamma(n + 1.0)
        - math.lgamma(mode + 1.0)
        - math.lgamma(n - mode + 1.0)
        + mode * math.log(p)
        + (n - mode) * math.log1p(-p)
    )
    below = at_mode  # CDF(mode)
    mass = at_mode
    k = mode
    while k > 0 and mass > 1e-18 * below:
        mass *= k / ((n - k + 1.0) * ratio)
        k -= 1
        below += mass
    if u < below:  # walk down from the mode: the least k with CDF(k) > u
        k, total, mass = mode, below, at_mode
        while k > 0 and u < total - mass:
            total -= mass
            mass *= k / ((n - k + 1.0) * ratio)
            k -= 1
        return k
    k, total, mass = mode, below, at_mode
    while u >= total and k < n:
        mass *= (n - k) / (k + 1.0) * ratio
        k += 1
        total += mass
    return k


# ---------------------------------------------------------------------------- the rules
@njit(cache=True)
def vulnerability(i, fixed_f, fixed_i, routed, c):
    """protection.vulnerability for direct fire: the product of its named factors."""
    posture = fixed_i[i, I_POSTURE]
    if routed or posture == _WITHDRAWAL:
        factor = c[C_VULN_WITHDRAWAL]
    elif posture == _ATTACK:
        factor = c[C_VULN_ATTACK]
    else:
        hasty = c[C_VULN_HASTY]
        level = fixed_i[i, I_FORT_LEVEL]
        factor = hasty
        if level > 0:
            best = (
                c[C_VULN_PREPARED]
                if level == 2
                else (c[C_VULN_FORTIFIED] if level == 3 else c[C_VULN_HASTY])
            )
            factor = hasty + (best - hasty) * fixed_f[i, F_FORT_INTACT]
        if fixed_i[i, I_HAS_BLOCKHOUSE]:
            factor *= 1.0 + (c[C_BLOCKHOUSE] - 1.0) * fixed_f[i, F_BLOCKHOUSE_INTACT]
    factor *= fixed_f[i, F_COVER]
    if fixed_i[i, I_IN_WATER]:
        factor *= c[C_WATER_EXPOSURE]
    return factor


@njit(cache=True)
def pin(i, amount, hours, c, live_f):
    """protection.pin: add a turn's pinning, spread over its hours, capped where decay leaves 1."""
    decay = c[C_SUPPRESSION_DECAY]
    ceiling = 1.0
    added = amount
    if hours > 0.0 and 0.0 < decay < 1.0:
        ceiling = (1.0 - decay) ** -hours
        if amount > 0.0:
            x = -math.log1p(-decay) * hours
            added = amount * math.expm1(x) / x
    live_f[i, L_SUPPRESSION] = min(ceiling, max(live_f[i, L_SUPPRESSION], 0.0) + added)


@njit(cache=True)
def record(events, count, turn, kind, unit, other, value, killed, wounded):
    """Write an event row if there is room; the count goes on either way."""
    if count < events.shape[0]:
        row = events[count]
        row[0], row[1], row[2], row[3] = turn, kind, unit, other
        row[4], row[5], row[6] = value, killed, wounded
    return count + 1


@njit(cache=True)
def fire_phase(seed, turn, hours, night, setting_args, live_f, live_i, events, count):
    """rules/fire.py `direct_fire`: every unit able to fire picks its target (the nearest in reach
    and sight, the strongest first among equals; its fire order's hex first), all aim before
    any loss is drawn, then each shot pins and draws its losses (rules/casualties.py)."""
    fixed_f, fixed_i, distance, sight, _, coefficients, total_turns, hex_size = setting_args
    n = fixed_f.shape[0]
    present = np.zeros(n, np.bool_)
    has_enemy = np.zeros(2, np.bool_)
    for i in range(n):
        present[i] = fixed_i[i, I_ON_MAP] and not live_i[i, L_GONE] and live_i[i, L_MEN] > 0
        if present[i]:
            has_enemy[1 - fixed_i[i, I_SIDE]] = True
    if not (has_enemy[0] and has_enemy[1]):
        return count
    # fire_reaches and fire_discipline, each unit by its own side's coefficients
    reach_full = np.empty(n, np.int64)
    reach = np.empty(n, np.int64)
    discipline = np.ones(n)
    left = (total_turns - turn) * hours
    for i in range(n):
        c = coefficients[fixed_i[i, I_SIDE]]
        full = fixed_i[i, I_REACH_NIGHT] if night else fixed_i[i, I_REACH_DAY]
        reach_full[i] = full
        reach[i] = full
        need = (
            fixed_f[i, F_FIREPOWER]
            * c[C_ROUNDS_PER_FPH]
            * c[C_PLANNED_SHARE]
            * max(0.0, min(left, c[C_RESUPPLY_HOURS]))
        )
        ammo = live_f[i, L_AMMO]
        if math.isfinite(ammo) and need > 0.0:
            discipline[i] = min(1.0, ammo / need)
        if discipline[i] < 1.0:
            close = int(c[C_CLOSE_HEXES])
            reach[i] = max(1, min(full, max(close, math.floor(full * discipline[i]))))
    running = np.zeros(n, np.bool_)
    for i in range(n):
        running[i] = present[i] and live_i[i, L_ROUTED] and not fixed_i[i, I_TRAPPED]
    targets = np.full(n, -1, np.int64)
    expected = np.zeros(n)
    for f in range(n):
        if not present[f] or fixed_f[f, F_FIREPOWER] <= 0 or live_i[f, L_ROUTED]:
            continue
        if fixed_i[f, I_CROSSING]:
            continue
        side = fixed_i[f, I_SIDE]
        for pool in range(2):  # the hex it was told to fire at first, then any
            aim = fixed_i[f, I_AIM_HEX]
            if pool == 0 and aim < 0:
                continue
            best, best_d, best_men = -1, 0, 0
            for t in range(n):
                if not present[t] or fixed_i[t, I_SIDE] == side:
                    continue
                if pool == 0 and fixed_i[t, I_HEX] != aim:
                    continue
                d = distance[f, t]
                limit = reach_full[f] if fixed_i[t, I_WATER_HEX] else reach[f]
                if d > limit or (running[t] and d * hex_size > fixed_f[f, F_RANGE_M]):
                    continue
                if not sight[f, t]:
                    continue
                men = live_i[t, L_MEN]
                if best < 0 or d < best_d or (d == best_d and men > best_men):
                    best, best_d, best_men = t, d, men
            if best >= 0:
                targets[f] = best
                break
        target = targets[f]
        if target < 0:
            continue
        own = coefficients[side]
        hexes_reach = max(1.0, fixed_f[f, F_RANGE_M] / hex_size)
        along = 0.0 if hexes_reach <= 1.0 else (max(best_d, 1) - 1) / (hexes_reach - 1.0)
        strength = live_i[f, L_MEN] / max(fixed_f[f, F_MEN_START], 1.0)
        weight = own[C_QUALITY_WEIGHT]
        factor = (
            strength
            * (1.0 - own[C_RANGE_FALLOFF] * min(along, 1.0))
            * (1.0 - live_f[f, L_SUPPRESSION])  # the level carried into the turn
            * ((1.0 - weight / 2) + weight * fixed_f[f, F_QUALITY])
        )
        if night:
            factor *= own[C_NIGHT_FIRE]
        firing_hours = hours * strength
        if discipline[f] < 1.0 and not fixed_i[target, I_WATER_HEX]:
            factor *= discipline[f]
            firing_hours *= discipline[f]
        have = live_f[f, L_AMMO]
        if math.isfinite(have):  # fire._ammo_factor and spend_rounds
            needed = fixed_f[f, F_FIREPOWER] * firing_hours * own[C_ROUNDS_PER_FPH]
            if needed > 0.0:
                share = min(1.0, have / needed)
                live_f[f, L_AMMO] = max(0.0, have - needed)
                if share < 1.0:
                    factor *= share + (1.0 - share) * own[C_NO_AMMO]
        theirs = coefficients[fixed_i[target, I_SIDE]]
        exposure = vulnerability(target, fixed_f, fixed_i, live_i[target, L_ROUTED], theirs)
        expected[f] = own[C_FIRE_RATE] * fixed_f[f, F_FIREPOWER] * hours * factor * exposure
    for f in range(n):
        t = targets[f]
        if t < 0:
            continue
        theirs = coefficients[fixed_i[t, I_SIDE]]
        men = live_i[t, L_MEN]
        share_pinned = theirs[C_SUPPRESSION_PER_SHARE] * expected[f] / max(men, 1)
        pin(t, share_pinned, hours, theirs, live_f)
        u_hit, u_killed, u_officers, u_leader = draw_four(seed, turn, SITE_FIRE, f)
        hit = 0
        if men > 0 and expected[f] > 0.0:
            hit = binomial(men, min(expected[f] / men, 1.0), u_hit)
        killed, wounded = 0, 0
        if hit > 0:  # casualties.apply_casualties
            killed = binomial(hit, theirs[C_KILLED_FRACTION], u_killed)
            wounded = hit - killed
            share = hit / max(men, 1)
            live_i[t, L_MEN] -= hit
            live_i[t, L_KILLED] += killed
            live_i[t, L_WOUNDED] += wounded
            if fixed_i[t, I_WATER_HEX]:
                live_i[t, L_HIT_IN_WATER] += hit
            officers_left = fixed_i[t, I_OFFICERS] - live_i[t, L_OFFICERS_KILLED]
            if officers_left > 0 and killed > 0:
                p = min(1.0, share * theirs[C_OFFICER_LOSS] * killed / hit)
                live_i[t, L_OFFICERS_KILLED] += binomial(officers_left, p, u_officers)
            if live_i[t, L_LEADER_ALIVE] and u_leader < min(1.0, share * theirs[C_LEADER_HIT]):
                live_i[t, L_LEADER_ALIVE] = 0
                live_f[t, L_MORALE] = max(0.0, live_f[t, L_MORALE] - theirs[C_MORALE_LEADER])
                count = record(events, count, turn, EVENT_LEADER_KILLED, t, -1, 0.0, 0, 0)
        count = record(events, count, turn, EVENT_FIRED, f, t, expected[f], killed, wounded)
    return count


@njit(cache=True)
def morale_step(turn, hours, setting_args, men_before, live_f, live_i, events, count):
    """rules/morale.py `morale_phase` without flight: losses wear morale down, units out of
    contact (no enemy within two hexes) recover, units rout and rally; suppression decays."""
    fixed_f, fixed_i, _, _, within_two, coefficients, _, _ = setting_args
    n = fixed_f.shape[0]
    present = np.zeros(n, np.bool_)
    for i in range(n):
        present[i] = fixed_i[i, I_ON_MAP] and not live_i[i, L_GONE]
    for i in range(n):
        if not present[i]:
            continue
        k = coefficients[fixed_i[i, I_SIDE]]
        recovery = k[C_RECOVERY] * hours
        kept = (1.0 - k[C_BREAK_RECOVERY]) ** hours
        m = live_f[i, L_MORALE]
        had = men_before[i]
        if had > 0:
            share = (had - live_i[i, L_MEN]) / had
            if share > 0:
                loss = k[C_MORALE_PER_SHARE] * share
                if fixed_i[i, I_WATER_HEX]:
                    loss *= k[C_WATER_MORALE]
                m -= loss
        lost_now = (
            live_i[i, L_KILLED]
            + live_i[i, L_WOUNDED]
            + live_i[i, L_CAPTURED]
            + live_i[i, L_DROWNED]
        )
        counted = lost_now - live_f[i, L_BREAK_BASE]
        ceiling = fixed_f[i, F_MORALE_CEILING]
        changes = m != ceiling or recovery < 0.0 or (counted > 0.0 and kept < 1.0)
        if changes:
            in_contact = False
            for j in range(n):  # the enemies present when the phase began
                if present[j] and fixed_i[j, I_SIDE] != fixed_i[i, I_SIDE] and within_two[i, j]:
                    in_contact = True
                    break
            if not in_contact:
                m = min(ceiling, m + recovery)
                if counted > 0.0:
                    live_f[i, L_BREAK_BASE] = lost_now - counted * kept
        m = min(1.0, max(0.0, m))
        live_f[i, L_MORALE] = m
        if live_i[i, L_MEN] <= 0:
            live_i[i, L_GONE] = 1
            continue
        if live_i[i, L_ROUTED]:
            if m >= k[C_RALLY]:
                live_i[i, L_ROUTED] = 0
                live_f[i, L_BREAK_BASE] = lost_now
                count = record(events, count, turn, EVENT_RALLIED, i, -1, 0.0, 0, 0)
        elif math.isinf(fixed_f[i, F_BREAK_SHARE]):
            pass
        elif m < k[C_ROUT]:
            live_i[i, L_ROUTED] = 1
            count = record(events, count, turn, EVENT_ROUTED, i, -1, m, 0, 0)
    for i in range(n):
        k = coefficients[fixed_i[i, I_SIDE]]
        decayed = live_f[i, L_SUPPRESSION] * (1.0 - k[C_SUPPRESSION_DECAY]) ** hours
        live_f[i, L_SUPPRESSION] = min(decayed, 1.0)
    return count


@njit(cache=True)
def play_battle(seed, first_turn, turns, hours, night, setting_args, live_f, live_i, events):
    """One battle's `turns` turns of fire and morale on its own arrays; returns the events
    written (the buffer may hold fewer: a batch passes an empty one)."""
    n = live_f.shape[0]
    men_before = np.empty(n, np.int64)
    count = 0
    for step in range(turns):
        turn = first_turn + step
        for i in range(n):
            men_before[i] = live_i[i, L_MEN]
        count = fire_phase(
            seed, turn, hours, night[turn], setting_args, live_f, live_i, events, count
        )
        count = morale_step(turn, hours, setting_args, men_before, live_f, live_i, events, count)
    return count


SUMMARY_NAMES = (
    "killed+wounded",
    "units routed",
    "leaders killed",
    "officers killed",
    "morale (sum)",
    "rounds fired",
)
N_SUMMARY = len(SUMMARY_NAMES)


@njit(cache=True)
def summarize(fixed_i, live_f0, live_i0, live_f, live_i, out):
    """What a battle's turns did, per side (out: side x SUMMARY_NAMES), for the comparison."""
    for i in range(live_f.shape[0]):
        side = fixed_i[i, I_SIDE]
        out[side, 0] += (
            live_i[i, L_KILLED]
            - live_i0[i, L_KILLED]
            + live_i[i, L_WOUNDED]
            - live_i0[i, L_WOUNDED]
        )
        out[side, 1] += live_i[i, L_ROUTED]
        out[side, 2] += live_i0[i, L_LEADER_ALIVE] - live_i[i, L_LEADER_ALIVE]
        out[side, 3] += live_i[i, L_OFFICERS_KILLED] - live_i0[i, L_OFFICERS_KILLED]
        out[side, 4] += live_f[i, L_MORALE]
        if math.isfinite(live_f0[i, L_AMMO]):
            out[side, 5] += live_f0[i, L_AMMO] - live_f[i, L_AMMO]


@njit(cache=True, parallel=True)
def play_batch(seeds, first_turn, turns, hours, night, setting_args, live_f0, live_i0):
    """Battles in parallel (`prange`), each from its own copy of the frozen state; returns
    what each battle's turns did to each side (battles x side x SUMMARY_NAMES)."""
    fixed_i = setting_args[1]
    summary = np.zeros((seeds.shape[0], 2, N_SUMMARY))
    for b in prange(seeds.shape[0]):
        live_f = live_f0.copy()
        live_i = live_i0.copy()
        no_events = np.zeros((0, EVENT_WIDTH))
        play_battle(
            seeds[b], first_turn, turns, hours, night, setting_args, live_f, live_i, no_events
        )
        summarize(fixed_i, live_f0, live_i0, live_f, live_i, summary[b])
    return summary


def setting_args(setting: Setting) -> tuple:
    """The fixed arrays and figures the kernels read, as the one tuple they take."""
    return (
        setting.fixed_f,
        setting.fixed_i,
        setting.distance,
        setting.sight,
        setting.within_two,
        setting.coefficients,
        setting.total_turns,
        setting.hex_size_m,
    )


def run_batch(setting: Setting, seeds: np.ndarray, turns: int = TURNS) -> np.ndarray:
    """What each battle's turns did to each side (battles x side x SUMMARY_NAMES)."""
    return play_batch(
        seeds,
        setting.first_turn,
        turns,
        setting.turn_hours,
        setting.night,
        setting_args(setting),
        setting.live_f,
        setting.live_i,
    )


def run_alone(
    setting: Setting, seed: int, turns: int = TURNS, events_room: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One battle by itself: its final live arrays and its event rows."""
    live_f, live_i = setting.live_f.copy(), setting.live_i.copy()
    events = np.zeros((events_room, EVENT_WIDTH))
    count = play_battle(
        seed,
        setting.first_turn,
        turns,
        setting.turn_hours,
        setting.night,
        setting_args(setting),
        live_f,
        live_i,
        events,
    )
    return live_f, live_i, events[: min(count, events_room)]


# ---------------------------------------------------------------------------- the reference
def reference_battle(
    setting: Setting,
    seed: int,
    turns: int = TURNS,
    draws: KeyedDraws | None = None,
    events_out: list | None = None,
) -> np.ndarray:
    """The same turns played by the engine's own `direct_fire` and `morale_phase` on a copy of
    the frozen state (the engine's dice keyed by `seed`): side x SUMMARY_NAMES, as `summarize`."""
    frozen = setting.state
    shared = {id(frozen.board): frozen.board, id(frozen.scenario): frozen.scenario}
    for c in (frozen.coefficients, *frozen.side_coefficients):
        shared[id(c)] = c
    state = copy.deepcopy(frozen, shared)
    # the engine's own dice keyed by this battle's seed, or the prototype's draws in their place
    state.dice = Dice(seed) if draws is None else draws
    state.record_events = True  # KeyedDraws tells the shots apart by the Fired events
    u = state.units
    start = copy.deepcopy(u)
    for step in range(turns):
        state.turn = setting.first_turn + step
        men_before = u.men.copy()
        events: list = []
        if draws is not None:
            draws.start_turn(state.turn, events)
        with fire_at_turn_start(state):
            direct_fire(
                state, state.coefficients, events, aimed_at=setting.aimed_at, on_map=state.active()
            )
        morale_phase(state, men_before, u.morale_start, state.coefficients, events)
        if events_out is not None:
            events_out.extend(events)
    finite = np.isfinite(start.ammo)
    columns = (
        u.killed + u.wounded - start.killed - start.wounded,
        u.routed,
        start.leader_alive.astype(int) - u.leader_alive,
        u.officers_killed - start.officers_killed,
        u.morale,
        np.where(finite, start.ammo, 0.0) - np.where(finite, u.ammo, 0.0),
    )
    return np.array([[float(c[u.side == side].sum()) for c in columns] for side in (0, 1)])


# ---------------------------------------------------------------------------- checks
def check_philox() -> None:
    """Our Philox4x64-10 gives numpy's `Philox` output. numpy bumps the counter before each
    block of four, so its first block for counter c is the function at c + 1."""
    keys = [(0, 0), (1, 0), (12345, 0xFFFFFFFF), (2**64 - 1, 2**63 + 7)]
    counters = [(0, 0, 0, 0), (5, 1, 3, 0), (2**63, 17, 2**64 - 1, 99), (41, 0, 0, 2**40)]
    for k0, k1 in keys:
        for c0, c1, c2, c3 in counters:
            numpy_words = np.random.Philox(
                key=k0 + (k1 << 64), counter=c0 + (c1 << 64) + (c2 << 128) + (c3 << 192)
            ).random_raw(8)
            for block in range(2):
                ours = philox4x64(
                    np.uint64((c0 + 1 + block) % 2**64),
                    np.uint64(c1),
                    np.uint64(c2),
                    np.uint64(c3),
                    np.uint64(k0),
                    np.uint64(k1),
                )
                expected = numpy_words[4 * block : 4 * block + 4].tolist()
                assert [int(x) for x in ours] == expected, (k0, k1, c0, c1, c2, c3, block)
    print(f"Philox4x64-10 = numpy.random.Philox on {len(keys) * len(counters) * 2} blocks: ok")


def check_binomial() -> None:
    """Inversion is exact: k is the least value with CDF(k) > u (checked against exact sums of
    math.comb), and its moments over many uniforms are numpy's within sampling noise."""
    rng = np.random.default_rng(7)
    for n, p in [(1, 0.3), (10, 0.05), (120, 0.01), (400, 0.2), (400, 0.93), (2000, 0.5)]:
        pmf = [
            math.exp(
                math.lgamma(n + 1)
                - math.lgamma(k + 1)
                - math.lgamma(n - k + 1)
                + k * math.log(p)
                + (n - k) * math.log1p(-p)
            )
            for k in range(n + 1)
        ]
        cdf = np.cumsum(pmf)
        for u in rng.random(200):
            k = binomial(n, p, u)
            exact = int(np.searchsorted(cdf, u, side="right"))
            assert abs(k - exact) <= (1 if abs(cdf[min(exact, n)] - u) < 1e-9 else 0), (n, p, u)
        draws = np.array([binomial(n, p, u) for u in rng.random(20000)])
        numpy_draws = rng.binomial(n, p, 20000)
        z = (draws.mean() - numpy_draws.mean()) / math.sqrt(2 * n * p * (1 - p) / 20000)
        assert abs(z) < 4.5, (n, p, z)
        assert abs(draws.var() / (n * p * (1 - p)) - 1) < 0.1, (n, p, draws.var())
    print("binomial by inversion: exact against the CDF, moments as numpy's: ok")


def check_independence(setting: Setting) -> None:
    """A battle's result depends on its seed alone: alone, in a batch of 1 and of 1,000, on one
    thread and on two."""
    seeds = np.arange(1000, dtype=np.int64) * 7919 + 11
    results = []
    for threads in (1, 2):
        numba.set_num_threads(threads)
        results.append(run_batch(setting, seeds))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(results[0], results[1]), "1 thread and 2 threads differ"
    for b in (0, 1, 500, 999):
        alone = run_batch(setting, seeds[b : b + 1])[0]
        assert np.array_equal(alone, results[0][b]), b
        _, live_i, _ = run_alone(setting, int(seeds[b]))
        lost = (
            live_i[:, L_KILLED]
            + live_i[:, L_WOUNDED]
            - (setting.live_i[:, L_KILLED] + setting.live_i[:, L_WOUNDED])
        )
        sides = setting.fixed_i[:, I_SIDE]
        assert [int(lost[sides == s].sum()) for s in (0, 1)] == results[0][b, :, 0].tolist(), b
    varied = len({tuple(row) for row in results[0][:, :, 0].tolist()})
    assert varied > 10, "every battle alike: the seed does not reach the draws"
    print(
        f"battle alone == batch of 1 == inside a batch of 1,000, 1 thread == 2 threads: ok"
        f" ({varied} different results)"
    )


class KeyedDraws:
    """Stands in for the engine's dice (`state.dice`, and the stream `at` gives, which
    `apply_casualties` draws from) so that its own `direct_fire` draws
    what the prototype draws: each shot's four uniforms keyed by (seed, turn, SITE_FIRE,
    firer), spent on the same binomials by the same inversion. The firer of each shot is
    learnt from `firer_factors` (called once per shot while aiming, in the order the shots are
    resolved), the shot under way from the `Fired` events written so far in the turn. Within a
    shot, `apply_casualties` draws the killed share, then the officers (binomials), then the
    leader (`random`); the hit itself is drawn in `draw_casualties`, replaced for this."""

    def __init__(self, seed: int) -> None:
        self.seed, self.turn = seed, 0
        self.firers: list[int] = []
        self.events: list = []
        self._shot, self._binomials = -1, 0

    def start_turn(self, turn: int, events: list) -> None:
        self.turn, self.events, self.firers = turn, events, []
        self._shot, self._binomials = -1, 0

    def uniforms(self) -> tuple[float, float, float, float]:
        shot = sum(isinstance(e, Fired) for e in self.events)
        if shot != self._shot:
            self._shot, self._binomials = shot, 0
        return draw_four(self.seed, self.turn, SITE_FIRE, self.firers[shot])

    def hit(self, men: int, p: float) -> int:
        return binomial(men, p, self.uniforms()[0])

    def binomial(self, n: int, p: float) -> int:
        u = self.uniforms()[1 + self._binomials]
        self._binomials += 1
        return binomial(n, p, u)

    def random(self) -> float:
        return self.uniforms()[3]

    def at(self, turn: int, site: int, a: int = 0, b: int = 0) -> KeyedDraws:
        """The engine's dice ask for a shot's stream here; the shot's uniforms are this
        object's (the firer is known from `firer_factors`)."""
        return self


def reference_same_draws(
    setting: Setting, seed: int, turns: int = TURNS, events_out: list | None = None
) -> np.ndarray:
    """`reference_battle` with the prototype's own draws (`KeyedDraws`): the engine's functions
    must then give the prototype's result battle by battle."""
    draws = KeyedDraws(seed)
    original_factors, original_draw = fire_module.firer_factors, fire_module.draw_casualties

    def noting_the_firer(state, unit, distance, coefficients):
        draws.firers.append(unit)
        return original_factors(state, unit, distance, coefficients)

    def keyed_hit(rng, men, expected):
        if men <= 0 or expected <= 0.0:
            return 0
        return men if expected / men >= 1.0 else draws.hit(men, expected / men)

    fire_module.firer_factors, fire_module.draw_casualties = noting_the_firer, keyed_hit
    try:
        return reference_battle(setting, seed, turns, draws, events_out)
    finally:
        fire_module.firer_factors, fire_module.draw_casualties = original_factors, original_draw


def check_same_draws(setting: Setting, battles: int = 300) -> None:
    """Battle by battle, with the same keyed draws: the engine's functions and the prototype
    agree on every figure of `summarize` (float sums to 1e-9)."""
    seeds = np.arange(battles, dtype=np.int64) + 1
    ours = run_batch(setting, seeds)
    theirs = np.array([reference_same_draws(setting, int(s)) for s in seeds])
    differ = ~np.isclose(ours, theirs, rtol=1e-9, atol=1e-9).all(axis=(1, 2))
    assert not differ.any(), (
        f"{int(differ.sum())} of {battles} battles differ, first seed {int(seeds[differ][0])}:"
        f" prototype {ours[differ][0].tolist()} engine {theirs[differ][0].tolist()}"
    )
    room = 4 * TURNS * setting.fixed_f.shape[0]
    for seed in seeds[:50].tolist():
        engine_events: list = []
        reference_same_draws(setting, seed, events_out=engine_events)
        _, _, rows = run_alone(setting, seed, events_room=room)
        assert _event_keys(events_of(setting, rows)) == _event_keys(engine_events), seed
    print(
        f"same draws, engine functions == prototype in all {battles} battles; the same events"
        " (kind, turn, units, expected, killed, wounded) in the first 50: ok"
    )


def _event_keys(events: list) -> list[tuple]:
    """What the kernel's events carry, to compare them with the engine's."""
    keys = []
    for e in events:
        if isinstance(e, Fired):
            keys.append(("fired", e.turn, e.unit, e.target, e.hex, e.expected, e.killed, e.wounded))
        elif isinstance(e, Routed):
            keys.append(("routed", e.turn, e.unit, e.morale))
        else:
            keys.append((e.kind, e.turn, e.unit))
    return keys


def check_faithfulness(setting: Setting, battles: int = 1000) -> None:
    """What the turns did to each side (losses, routs, leaders, officers, morale, rounds), the
    prototype against the engine's functions, each over `battles` battles of their own draws:
    the means must agree within sampling noise (|z| < 4) and the spreads within 15 %."""
    seeds = np.arange(battles, dtype=np.int64) + 1
    ours = run_batch(setting, seeds)
    started = time.process_time()
    theirs = np.array([reference_battle(setting, int(s) + 10**6) for s in seeds])
    reference_cpu = time.process_time() - started
    print(f"  {'':22s} {'prototype':>18s} {'engine':>18s}      z")
    for side, name in enumerate(setting.state.side_ids):
        for k, what in enumerate(SUMMARY_NAMES):
            a, b = ours[:, side, k], theirs[:, side, k]
            spread = math.sqrt(a.var(ddof=1) / battles + b.var(ddof=1) / battles)
            if spread == 0.0:  # the same every battle (a side that never routs): equal
                assert np.allclose(a, b), (name, what)
                z = 0.0
            else:
                z = (a.mean() - b.mean()) / spread
            print(
                f"  {name} {what:18s} {a.mean():9.3f} ± {a.std(ddof=1):6.3f}"
                f" {b.mean():9.3f} ± {b.std(ddof=1):6.3f}  {z:+5.2f}"
            )
            assert abs(z) < 4.0, f"{name} {what}: the prototype's mean is off (z = {z:.2f})"
            if b.std(ddof=1) > 0.05 * max(abs(b.mean()), 1e-9):
                ratio = a.std(ddof=1) / b.std(ddof=1)
                assert 0.85 < ratio < 1.15, f"{name} {what}: spread differs ({ratio:.2f})"
    print(
        f"faithfulness over {battles} battles each: ok (engine reference:"
        f" {1000 * reference_cpu / battles:.2f} ms CPU a battle of {TURNS} turns, copy included)"
    )


# ---------------------------------------------------------------------------- timings
def best_of(rounds: int, work) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) of `rounds` runs of `work()`."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def bench_compiled(setting: Setting) -> None:
    """Battles a second and ms a battle, compiled, at several batch sizes and thread counts."""
    run_batch(setting, np.arange(4, dtype=np.int64))  # compiled (or loaded) before timing
    print(f"compiled, {TURNS} turns of fire + casualties + morale, best of 3 (wall | CPU):")
    print("  threads  battles   wall s    CPU s   battles/s (wall)  µs/battle (wall)  (CPU)")
    for threads in (1, 2):
        numba.set_num_threads(threads)
        for battles in (1, 100, 1000, 10000):
            seeds = np.arange(battles, dtype=np.int64)
            wall, cpu = best_of(3, lambda seeds=seeds: run_batch(setting, seeds))
            print(
                f"  {threads:7d} {battles:8d} {wall:8.4f} {cpu:8.4f} {battles / wall:18,.0f}"
                f" {1e6 * wall / battles:17.1f} {1e6 * cpu / battles:6.1f}"
            )
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    # The window's use: one battle, one turn, from Python, with its events.
    events_room = 3 * setting.fixed_f.shape[0]
    args = setting_args(setting)
    live_f, live_i = setting.live_f.copy(), setting.live_i.copy()
    events = np.zeros((events_room, EVENT_WIDTH))
    calls = 2000

    def step_turns() -> None:
        for k in range(calls):
            play_battle(
                k,
                setting.first_turn,
                1,
                setting.turn_hours,
                setting.night,
                args,
                live_f,
                live_i,
                events,
            )

    wall, cpu = best_of(3, step_turns)
    print(
        f"one battle one turn from Python (play_battle, events into a buffer): "
        f"{1e6 * wall / calls:.1f} µs wall, {1e6 * cpu / calls:.1f} µs CPU a call"
    )
    _, _, rows = run_alone(setting, 1, turns=1, events_room=events_room)
    wall, cpu = best_of(3, lambda: [events_of(setting, rows) for _ in range(calls)])
    print(
        f"  and its {len(rows)} event rows made into engine events (Fired, LeaderKilled, ...):"
        f" {1e6 * cpu / calls:.1f} µs CPU a turn"
    )


def events_of(setting: Setting, rows: np.ndarray) -> list:
    """The engine's events from a kernel's event rows, as the window's log and replays need
    them. What the rows do not carry is made up here from the fixed arrays: the fired-at hex's
    label and the base rate; the named factors (`modifiers`, for `--explain`) are not written by
    the kernel (they would be a dozen more columns a shot)."""
    state = setting.state
    ids, board = state.units.ids, state.board
    rate = setting.coefficients[:, C_FIRE_RATE]
    made: list = []
    for turn, kind, unit, other, value, killed, wounded in rows.tolist():
        u = int(unit)
        if kind == EVENT_FIRED:
            t = int(other)
            base = rate[setting.fixed_i[u, I_SIDE]] * setting.fixed_f[u, F_FIREPOWER]
            label = board.label(int(setting.fixed_i[t, I_HEX]))
            made.append(
                Fired(
                    int(turn),
                    ids[u],
                    ids[t],
                    label,
                    round(float(base), 4),
                    {},
                    round(value, 3),
                    int(killed),
                    int(wounded),
                )
            )
        elif kind == EVENT_LEADER_KILLED:
            made.append(LeaderKilled(int(turn), ids[u], state.units.leader_names[u] or "commander"))
        elif kind == EVENT_ROUTED:
            made.append(Routed(int(turn), ids[u], round(value, 3)))
        elif kind == EVENT_RALLIED:
            made.append(Rallied(int(turn), ids[u]))
    return made


def bench_python(setting: Setting) -> None:
    """The same functions interpreted (run with NUMBA_DISABLE_JIT=1: every @njit function is
    its plain Python self, `.py_func` all the way down)."""
    print(f"plain Python (NUMBA_DISABLE_JIT={os.environ.get('NUMBA_DISABLE_JIT')}), best of 3:")
    with np.errstate(over="ignore"):  # uint64 products wrap, as they do compiled
        for battles in (1, 10, 100):
            seeds = np.arange(battles, dtype=np.int64)
            wall, cpu = best_of(3, lambda seeds=seeds: run_batch(setting, seeds))
            print(
                f"  {battles:5d} battles: {wall:7.3f} s wall {cpu:7.3f} s CPU,"
                f" {1000 * cpu / battles:8.2f} ms CPU a battle"
            )


def first_result() -> None:
    """One battle in a new process: where the time to the first result goes. The per-battle
    loop (`play_battle`, one thread) is called first, then the `prange` batch, so that each
    one's compilation (or loading from the cache) is timed apart."""
    started = time.perf_counter()
    setting = find_setting()
    setting_s = time.perf_counter() - started
    started = time.perf_counter()
    _, live_i, _ = run_alone(setting, 1)
    alone_s = time.perf_counter() - started
    first_s = time.perf_counter() - PROCESS_START
    started = time.perf_counter()
    result = run_batch(setting, np.array([1], np.int64))
    batch_s = time.perf_counter() - started
    assert live_i[:, L_KILLED].sum() - setting.live_i[:, L_KILLED].sum() >= 0
    print(
        f"numba import {NUMBA_IMPORT_S:.2f} s; engine game to the frozen turn {setting_s:.2f} s;"
        f" first play_battle call {alone_s:.2f} s (process start to that result"
        f" {first_s:.2f} s); first play_batch (prange) call {batch_s:.2f} s; from process"
        f" start {time.perf_counter() - PROCESS_START:.2f} s; losses"
        f" {result[0, :, 0].tolist()}"
    )


def bench_start() -> None:
    """Cold (empty cache) and warm (cache filled) first results, each in a new process."""
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold, empty cache", "warm, cache filled", "warm again"):
            started = time.perf_counter()
            before = os.times()
            done = subprocess.run(
                [sys.executable, script, "first"], env=env, capture_output=True, text=True
            )
            after = os.times()
            wall = time.perf_counter() - started
            cpu = (after.children_user - before.children_user) + (
                after.children_system - before.children_system
            )
            print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU: {done.stdout.strip()}")
            if done.returncode:
                print(done.stderr)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numba"], check=True)
    print(f"  python -c 'import numba' alone: {time.perf_counter() - started:.2f} s wall")


def work(kind: str, battles: int) -> None:
    """Play `battles` battles of the first-exchange setting after a warm-up: `compiled` (the
    batch, one thread) or `engine` (the reference, the engine's functions). For counting."""
    setting = find_setting()
    if kind == "compiled":
        run_batch(setting, np.arange(4, dtype=np.int64))
        run_batch(setting, np.arange(battles, dtype=np.int64))
    else:
        reference_battle(setting, 0)
        for seed in range(battles):
            reference_battle(setting, seed)


def count_instructions() -> None:
    """Machine instructions per battle by valgrind's callgrind (the load on the machine cannot
    move them): two runs with different numbers of battles, the difference per battle, so
    imports, the engine game to the frozen turn and loading the compiled code drop out. The
    compiled code is made for a generic x86-64 CPU and cached by a native run first: under
    valgrind numba sees another CPU, and would otherwise compile again there."""
    script = str(Path(__file__).resolve())
    cache = tempfile.mkdtemp(prefix="numba-cache-")
    env = {
        **os.environ,
        "NUMBA_NUM_THREADS": "1",
        "NUMBA_CPU_NAME": "generic",
        "NUMBA_CPU_FEATURES": "",
        "NUMBA_CACHE_DIR": cache,
    }
    try:
        subprocess.run([sys.executable, script, "work", "compiled", "1"], env=env, check=True)
        for kind, few, many in (("compiled", 1000, 11000), ("engine", 20, 120)):
            per_battle = _count_difference(script, env, kind, few, many)
            print(
                f"  {kind}: {per_battle:,.0f} instructions a battle of {TURNS} turns"
                f" ({per_battle / TURNS:,.0f} a turn)"
            )
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _count_difference(script: str, env: dict, kind: str, few: int, many: int) -> float:
    """Instructions per battle: callgrind's totals for `many` and `few` battles, differenced."""
    counts = []
    for battles in (few, many):
        done = subprocess.run(
            [
                *("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"),
                *(sys.executable, script, "work", kind, str(battles)),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        assert found, done.stderr[-2000:]
        counts.append(int(found.group(1)))
    return (counts[1] - counts[0]) / (many - few)


AOT_SIGNATURE = (
    "i8(i8, i8, i8, f8, b1[:], Tuple((f8[:,:], i8[:,:], i8[:,:], b1[:,:], b1[:,:], f8[:,:],"
    " i8, f8)), f8[:,:], i8[:,:], f8[:,:])"
)
AOT_CHECK = """
import sys, time
started = time.perf_counter()
import numpy
numpy_s = time.perf_counter() - started
sys.path.insert(0, {folder!r})
import fire_aot
print(f"{{numpy_s:.3f}} {{time.perf_counter() - started - numpy_s:.3f}}", "numba" in sys.modules)
"""


def bench_aot() -> None:
    """Ahead-of-time compilation of the per-battle loop (`numba.pycc`, pending deprecation since
    numba 0.57 but present in 0.68): an extension module built once (as a platform wheel's build
    would), imported without numba. Checked equal to the JIT loop battle by battle."""
    import warnings

    from numba.pycc import CC

    warnings.simplefilter("ignore", numba.NumbaPendingDeprecationWarning)
    with tempfile.TemporaryDirectory() as folder:
        cc = CC("fire_aot")
        cc.output_dir = folder
        cc.export("play_battle", AOT_SIGNATURE)(play_battle.py_func)
        wall, cpu = time.perf_counter(), time.process_time()
        cc.compile()
        print(
            f"  AOT build of play_battle: {time.perf_counter() - wall:.1f} s wall,"
            f" {time.process_time() - cpu:.1f} s CPU (compiler processes not counted)"
        )
        done = subprocess.run(
            [sys.executable, "-c", AOT_CHECK.format(folder=folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        numpy_s, module_s, numba_loaded = done.stdout.split()
        print(
            f"  in a new process: import numpy {float(numpy_s):.3f} s, then the built module"
            f" {float(module_s):.3f} s (numba imported: {numba_loaded})"
        )
        sys.path.insert(0, folder)
        import fire_aot  # the module just built

        setting = with_overrides(find_setting(min_shots=BUSY_SHOTS), DEADLY, leaders=True)
        args = tuple(
            np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a
            for a in setting_args(setting)
        )
        room = 4 * TURNS * setting.fixed_f.shape[0]
        for seed in range(200):
            live_f, live_i = setting.live_f.copy(), setting.live_i.copy()
            events = np.zeros((room, EVENT_WIDTH))
            count = fire_aot.play_battle(
                seed,
                setting.first_turn,
                TURNS,
                setting.turn_hours,
                setting.night,
                args,
                live_f,
                live_i,
                events,
            )
            jit_f, jit_i, jit_rows = run_alone(setting, seed, events_room=room)
            assert np.array_equal(live_i, jit_i) and np.array_equal(live_f, jit_f), seed
            assert np.array_equal(events[:count], jit_rows), seed
        print(
            "  AOT == JIT in 200 battles of the fire x10, leaders x40 setting (state, events): ok"
        )
        for name, kernel in (("AOT", fire_aot.play_battle), ("JIT", play_battle)):
            no_events = np.zeros((0, EVENT_WIDTH))

            def battles(kernel=kernel, no_events=no_events) -> None:
                for seed in range(2000):
                    kernel(
                        seed,
                        setting.first_turn,
                        TURNS,
                        setting.turn_hours,
                        setting.night,
                        args,
                        setting.live_f.copy(),
                        setting.live_i.copy(),
                        no_events,
                    )

            _, cpu = best_of(3, battles)
            print(f"  {name}: {1e6 * cpu / 2000:.1f} µs CPU a battle called one by one from Python")


BUSY_SHOTS = 8  # the second setting: the first turn in which at least this many units fire
# The third: the busy turn under a what-if of ten times deadlier aimed fire, every unit with a
# living commander and commanders forty times likelier to fall, so that units rout and rally,
# leaders fall and large binomial draws are made (none of which the two real settings do in 12
# turns: the one living commander there is never under fire); a check of code paths, not of
# the battle.
DEADLY = {"fire_casualties_per_firepower_hour": 0.05, "leader_hit_per_casualty_share": 20.0}


def settings() -> list[tuple[str, Setting]]:
    """The brief's setting (the first exchange of fire), a busier one later in the game, and
    that one under deadlier fire with every commander alive and exposed (`DEADLY`)."""
    busy = find_setting(min_shots=BUSY_SHOTS)
    return [
        ("first exchange", find_setting()),
        ("busy turn", busy),
        (
            "busy turn, fire x10, every unit led, leaders x40 from the freeze on (what-if)",
            with_overrides(busy, DEADLY, leaders=True),
        ),
    ]


def with_overrides(setting: Setting, overrides: dict[str, float], leaders: bool = False) -> Setting:
    """The same frozen turn with a what-if's coefficients from then on (both sides, over the
    scenario's `side_rules`, as `new_game` resolves them); `leaders`: every unit's commander
    alive at the freeze."""
    frozen = setting.state
    state = copy.deepcopy(
        frozen, {id(frozen.board): frozen.board, id(frozen.scenario): frozen.scenario}
    )
    values = {**frozen.scenario.rules, **overrides}
    common = make_coefficients(values)
    state.coefficients = common
    state.side_coefficients = side_coefficients(
        frozen.scenario, values, overrides, common, state.side_ids
    )
    if leaders:
        state.units.leader_alive[:] = True
    return flatten(state, setting.aimed_at, setting.first_turn, setting.fire_units)


def describe(label: str, setting: Setting) -> None:
    u = setting.state.units
    first = setting.first_turn
    nights = int(setting.night[first : first + TURNS].sum())
    print(
        f"\n== {label}: {SCENARIO.name}, engine game seed {SETTING_SEED}, fire both ways in turn"
        f" {first} ({len(setting.fire_units)} firers: {', '.join(setting.fire_units)});"
        f" {u.count} units, {int(setting.fixed_i[:, I_ON_MAP].sum())} on the map; frozen before"
        f" that turn's direct fire, then {TURNS} turns ({first} to {first + TURNS - 1},"
        f" {nights} by night)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=(
            "all",
            "check",
            "bench",
            "first",
            "python",
            "start",
            "instructions",
            "work",
            "aot",
        ),
    )
    parser.add_argument("rest", nargs="*", help="for `work`: compiled|engine and a count")
    arguments = parser.parse_args()
    what = arguments.what
    if what == "work":
        work(arguments.rest[0], int(arguments.rest[1]))
        return
    if what == "instructions":
        count_instructions()
        return
    if what == "aot":
        bench_aot()
        return
    if what == "first":
        first_result()
        return
    if what == "start":
        bench_start()
        return
    if what == "python":
        if os.environ.get("NUMBA_DISABLE_JIT") != "1":
            sys.exit("run with NUMBA_DISABLE_JIT=1 (the `bench` step does)")
        for label, setting in settings():
            print(f"== {label}")
            bench_python(setting)
        return
    print(f"numba {numba.__version__}, import {NUMBA_IMPORT_S:.3f} s in this process")
    if what in ("all", "check"):
        check_philox()
        check_binomial()
    for label, setting in settings():
        describe(label, setting)
        if what in ("all", "check"):
            check_independence(setting)
            check_same_draws(setting)
            check_faithfulness(setting)
        if what in ("all", "bench"):
            bench_compiled(setting)
    if what in ("all", "bench"):
        print()
        env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
        done = subprocess.run(
            [sys.executable, __file__, "python"], env=env, capture_output=True, text=True
        )
        print(done.stdout.strip() or done.stderr)
        print("\nfirst result in a new process (includes interpreter, numba and engine imports):")
        bench_start()


if __name__ == "__main__":
    main()
