"""Direct fire: stochastic attrition by aimed fire (Lanchester's square law per firer).

Expected casualties on the target in one turn =
    fire_casualties_per_firepower_hour × firepower × strength share × hours
    × range × night × suppression × quality × ammunition × target exposure,
and the loss is a binomial draw among the target's men. Each event keeps every factor by name.

The rule is the kernel `fire_phase` (engine/kernels: plain Python, or compiled by numba), with
the kernels it calls (`unit_reach`, `nearest_target`, `plan_shot`, `firer_factor_values`,
`ammo_factor`, `spend_ammo`); the Python functions of the same names as before (`direct_fire`,
`firer_factors`, `fire_reaches`, `fire_discipline`, `spend_rounds`) hand them the game's arrays
and name their numbers for the events, `--explain`, assaults and the window's odds.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import DIRECT_FIRE, has_room, next_occurrence
from ..core.events import Event, Fired, LeaderKilled
from ..core.state import GameState, PerGame
from ..hexgrid import axial_length
from ..kernels.jit import kernel, resolved
from .casualties import draw_disabled, take_casualties
from .movement import _occupy, is_trapped, neighbor_rows, occupy_all, zone_counts
from .protection import (
    FACTOR_NAMES,
    exposure,
    exposure_factors,
    firing_suppression,
    held_suppression,
    pin_unit,
    sides_coefficients,
)
from .sight import EYE_HEIGHT_M, sight_clear

# The firer's factors `firer_factor_values` gives, in the order `Fired.modifiers` names them
# (NaN for the night by day, which the dict leaves out).
FIRER_FACTOR_NAMES = ("strength", "range", "suppression", "quality", "night")
# Every factor of a shot, in `Fired.modifiers`' order: the firer's, its fire discipline and its
# ammunition (NaN where they do not apply), then the target's exposure
# (`protection.exposure_factors`).
SHOT_FACTOR_NAMES = (*FIRER_FACTOR_NAMES, "fire_discipline", "ammunition", *FACTOR_NAMES)
# A shot's event row (float64) as `fire_phase` writes it: firer, target, base (men per hour
# before the factors), expected men hit, killed, wounded, whether the target's leader fell,
# then the factors of SHOT_FACTOR_NAMES.
ROW_FIRER, ROW_TARGET, ROW_BASE, ROW_EXPECTED, ROW_KILLED, ROW_WOUNDED, ROW_LEADER = range(7)
ROW_FACTORS = 7
ROW_FIRER_FACTORS_END = ROW_FACTORS + len(FIRER_FACTOR_NAMES) + 2  # the exposure's start
ROW_WIDTH = ROW_FACTORS + len(SHOT_FACTOR_NAMES)


def firer_factors(state: GameState, unit: int, distance: int, coefficients) -> dict[str, float]:
    """Named multipliers on a firer's effect: range, darkness, suppression, quality
    (`firer_factor_values`, named for assaults' close fire and the tests)."""
    values = _firer_factor_values(
        unit_arrays(state.units),
        unit,
        distance,
        state.board.hex_size_m,
        firing_suppression(state, unit),
        state.is_night(),
        coefficients.values(),
    )
    return {name: float(v) for name, v in zip(FIRER_FACTOR_NAMES, values, strict=True) if v == v}


@kernel(borrows=True)
def firer_factor_values(u, unit, distance, hex_size_m, suppression, night, c):
    """(strength, range, suppression, quality, night) multipliers on the fire of `unit` at a
    target `distance` hexes away, the night NaN by day; `suppression` is the level it fires at
    (`protection.firing_suppression`)."""
    hexes = max(1.0, u.fire_range_m[unit] / hex_size_m)
    along = 0.0 if hexes <= 1.0 else (max(distance, 1) - 1) / (hexes - 1.0)
    strength = float(u.men[unit]) / max(float(u.men_start[unit]), 1.0)
    in_range = 1.0 - c.fire_range_falloff * min(along, 1.0)
    quality = (1.0 - c.quality_fire_weight / 2) + c.quality_fire_weight * float(u.quality[unit])
    dark = c.night_fire_factor if night else math.nan
    return strength, in_range, 1.0 - suppression, quality, dark


# called from Python for each defender of an assault: `resolved` skips numba's typing of the
# units' bundle at each call
_firer_factor_values = resolved(firer_factor_values)


def reach_hexes(
    state: GameState,
    unit: int,
    coefficients,
    saving_ammo: bool = True,
) -> int:
    """How many hexes away this unit will fire: weapon range, darkness, fire discipline."""
    full, saving = fire_reaches(state, coefficients)
    return saving[unit] if saving_ammo else full[unit]


def _reaches(state: GameState, coefficients) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`unit_reach` of every unit: (full reach, reach fired at, fire discipline) arrays."""
    u = state.units
    full = np.empty(u.count, np.int64)
    reach = np.empty(u.count, np.int64)
    share = np.empty(u.count, np.float64)
    unit_reaches(
        unit_arrays(u),
        state.board.hex_size_m,
        state.is_night(),
        (state.total_turns - state.turn) * state.turn_hours,
        coefficients.values(),
        full,
        reach,
        share,
    )
    return full, reach, share


def fire_discipline(state: GameState, coefficients) -> list[float]:
    """For every unit: the share of its normal volume of fire it fires this turn (1: no need to
    save rounds), as `unit_reach` works it out."""
    return _reaches(state, coefficients)[2].tolist()


def fire_reaches(state: GameState, coefficients) -> tuple[list[int], list[int]]:
    """For every unit at once: (hexes it can reach, hexes it will fire at) this turn, as
    `unit_reach` works them out."""
    full, reach, _ = _reaches(state, coefficients)
    return full.tolist(), reach.tolist()


@kernel(borrows=True)
def unit_reaches(u, hex_size_m, night, hours_left, c, full, reach, share):
    """`unit_reach` of every unit, into the arrays `full`, `reach` and `share`."""
    for i in range(u.men.shape[0]):
        full[i], reach[i], share[i] = unit_reach(u, i, hex_size_m, night, hours_left, c)


@kernel(borrows=True)
def unit_reach(u, unit, hex_size_m, night, hours_left, c):
    """(hexes `unit` can reach, hexes it will fire at, its fire discipline) this turn, with
    `hours_left` in the battle.

    Fire discipline: the share of its normal volume of fire it fires (1: no need to save
    rounds). A unit fires at its normal rate while its rounds cover what it would fire until
    it can expect more; short of that, it spreads what it has evenly over those hours:

        share = min(1, ammo / (firepower × ammo_rounds_per_firepower_hour
                               × ammo_planned_firing_share × hours))

    with hours = min(hours left in the battle, ammo_resupply_hours). Units with unlimited
    ammunition, or no direct-fire weapons, fire at 1. The share is continuous in the rounds left
    and rises as the end of the battle (or the next resupply) comes nearer.

    Reach: the weapon's range in whole hexes (at least the next hex), at night no farther than
    `night_sight_m`; a unit short of ammunition (share below 1) saves its rounds for nearer
    targets, firing at no more than `full × share` hexes and at least within
    `limited_ammo_fire_hexes`."""
    hours = max(0.0, min(hours_left, c.ammo_resupply_hours))
    need = (
        u.firepower[unit] * c.ammo_rounds_per_firepower_hour * c.ammo_planned_firing_share * hours
    )
    ammo = u.ammo[unit]
    share = 1.0
    if math.isfinite(ammo) and need > 0:
        share = min(1.0, ammo / need)
    metres = u.fire_range_m[unit]
    if night:
        metres = min(metres, c.night_sight_m)
    full = max(int(metres // hex_size_m), 1)
    reach = full
    if share < 1.0:
        close = int(c.limited_ammo_fire_hexes)
        reach = max(1, min(full, max(close, math.floor(full * share))))
    return full, reach, share


def broke_contact(state: GameState) -> set[int]:
    """The routed units that have broken contact: every routed unit on the map that is free to
    run (movement's `is_trapped`, the test `morale.flee` uses), as direct fire finds them (the
    kernel `mark_running`: none while no routed unit on the map has men left). A trapped
    routed unit stays in contact."""
    running = np.zeros(state.units.count, np.bool_)
    _mark(state, state.active(), running)
    return set(running.nonzero()[0].tolist())


def _mark(state: GameState, on_map: np.ndarray, running: np.ndarray) -> None:
    """Mark in `running` the routed units that broke contact (`mark_running`), handing it the
    board's neighbours and, for the enemy's zones it counts, each side's counts of units in a
    hex and of fighting units next to it (movement's `zone_counts`, as `move_units` does)."""
    board = state.board
    occupied, zoned = zone_counts(board.size)
    _mark_running(
        unit_arrays(state.units),
        on_map,
        neighbor_rows(board),
        board.passable,
        occupied,
        zoned,
        running,
    )


@kernel(borrows=True)
def mark_running(u, on_map, neighbors, passable, occupied, zoned, running):
    """Mark in `running` the routed units that have broken contact: every routed unit on the
    map (arrived, not gone, on a hex) that is free to run (movement's `is_trapped`, against the
    enemy's units and zones of control counted into `occupied` and `zoned`, side x hex, zero:
    `occupy_all`). None is marked, and nothing counted, while no routed unit `on_map` has men
    left. A trapped routed unit stays in contact. Returns whether any was marked.

    Why: direct fire reaches at least the next hex whatever the hex size (`fire_reaches`), so
    that two lines in contact across a hex side can fire at each other in hexes wider than
    their weapons' range. A unit routed before this turn has been running for the rear on foot
    since this turn's movement, and at `foot_speed_kmh` 2.5 a man covers a rifle's 400 m in
    ten minutes and a machine gun's 800 m in twenty: beyond the weapon's range it is out of
    aimed fire, though it may need several turns to leave a hex of many kilometres. Without
    this, a routed unit in a 5-20 km hex of the reference bench stayed under full fire for up
    to eight one-hour turns and took 87 % of its side's direct-fire losses there
    (docs/reference.md, issue 16)."""
    if not routed_on_map(u, on_map):
        return False
    occupy_all(u, occupied, zoned, neighbors)
    marked = False
    for i in range(u.hex.shape[0]):
        here = u.hex[i]
        if not (u.routed[i] and u.arrived[i] and not u.gone[i] and here >= 0):
            continue
        enemy = 1 - u.side[i]
        if not is_trapped(here, neighbors, passable, occupied[enemy], zoned[enemy]):
            running[i] = True
            marked = True
    return marked


# called from Python by `broke_contact`: `resolved` skips numba's typing of the units' bundle
_mark_running = resolved(mark_running)


@kernel(borrows=True)
def routed_on_map(u, on_map):
    """Whether a routed unit `on_map` has men left: the units `mark_running` asks about (it
    counts the zones only then)."""
    asked = False
    for i in range(u.hex.shape[0]):
        if u.routed[i] and on_map[i] and u.men[i] > 0:
            asked = True
            break
    return asked


@kernel(borrows=True)
def uncount_all(u, occupied, zoned, neighbors):
    """Take every unit `occupy_all` counted back out of `occupied` and `zoned`, leaving them
    zero again (the units unchanged since): a game's scratch counts (`FireGround`) are zeroed
    in as many steps as there are units, not hexes."""
    for i in range(u.hex.shape[0]):
        if u.arrived[i] and not u.gone[i] and u.hex[i] >= 0:
            _occupy(occupied, zoned, neighbors, u.side[i], u.hex[i], not u.routed[i], -1)


@kernel(borrows=True)
def nearest_target(
    u,
    q,
    r,
    width,
    elevation_m,
    sight_block_m,
    water,
    hex_size_m,
    enemies,
    count,
    firer,
    only_hex,
    full_reach,
    reach,
    clearance_m,
    running,
):
    """(target, distance) for `firer` among the units `enemies[:count]` (in unit order; those
    in hex `only_hex` alone, unless it is -1): the nearest in reach and in sight, the strongest
    first among equals, or (-1, 0). Water hexes (men in boats) are fired on at `full_reach`
    whatever the fire discipline (`reach`). A unit `running` (routed, broken contact:
    `broke_contact`) is no target for a firer whose weapon range falls short of its hex (the
    one-hex minimum reach is for lines in contact). Sight is walked (`sight_clear`, from the
    firer toward the target, `clearance_m`) in that order until one is seen.

    Why `sight_clear` and not `line_of_sight`: that one's cache is a Python dict, which a kernel
    cannot read (about 150 walks a Furong battle, 6 µs each interpreted, well under 1 µs
    compiled). The cache keeps the answer of whichever end asked first; the walk from the
    firer gives the same answer on every pair of hexes of the shipped boards, where sight is
    the same both ways at 0 and 10 m clearance (checked over every pair). Once the cache is an
    array the kernels read (`sight_known`), this reads it instead."""
    here = u.hex[firer]
    here_q = int(q[here])
    here_r = int(r[here])
    range_m = u.fire_range_m[firer]
    # the enemies in reach are tried in the order (distance, fewest men last, unit number):
    # each round finds the first after the one tried last
    last, last_d, last_men = -1, 0, 0
    while True:
        best, best_d, best_men = -1, 0, 0
        for e in range(count):
            t = enemies[e]
            there = u.hex[t]
            if only_hex >= 0 and there != only_hex:
                continue
            d = axial_length(int(q[there]) - here_q, int(r[there]) - here_r)
            if d > (full_reach if water[there] else reach):
                continue
            if running[t] and d * hex_size_m > range_m:
                continue
            men = u.men[t]
            if last >= 0 and (
                d < last_d or (d == last_d and (men > last_men or (men == last_men and t <= last)))
            ):
                continue  # tried already
            if best < 0 or d < best_d or (d == best_d and men > best_men):
                best, best_d, best_men = t, d, men  # (units come in order: the first wins ties)
        if best < 0:
            return -1, 0
        there = u.hex[best]
        if sight_clear(
            q, r, width, elevation_m, sight_block_m, here, there, clearance_m, EYE_HEIGHT_M
        ):
            return best, best_d
        last, last_d, last_men = best, best_d, best_men


@kernel(borrows=True)
def plan_shot(
    u, w, cover, water, hex_size_m, firer, target, distance, suppression, night, share, hours,
    own, theirs, row,
):  # fmt: skip
    """Aim `firer` at `target` `distance` hexes away for `hours`: spend its rounds and write the
    shot's event row `row` (but its losses): base, every factor of SHOT_FACTOR_NAMES (NaN where
    it does not apply) and the expected men hit. `share` is the firer's fire discipline
    (`unit_reach`): below 1 it fires that share of its volume (effect and rounds alike), except
    on men caught in the water; `own` and `theirs` are the firer's and the target's sides'
    coefficients."""
    strength, in_range, steady, quality, dark = firer_factor_values(
        u, firer, distance, hex_size_m, suppression, night, own
    )
    firing_hours = hours * strength
    discipline = math.nan
    if share < 1.0 and not water[u.hex[target]]:
        discipline = share
        firing_hours *= share
    ammunition = ammo_factor(u, firer, firing_hours, own)
    exposed = exposure_factors(u, w, cover, water, target, theirs, False)
    base = own.fire_casualties_per_firepower_hour * u.firepower[firer]
    row[ROW_FIRER] = firer
    row[ROW_TARGET] = target
    row[ROW_BASE] = base
    row[ROW_KILLED] = 0.0
    row[ROW_WOUNDED] = 0.0
    row[ROW_LEADER] = 0.0
    row[ROW_FACTORS] = strength
    row[ROW_FACTORS + 1] = in_range
    row[ROW_FACTORS + 2] = steady
    row[ROW_FACTORS + 3] = quality
    row[ROW_FACTORS + 4] = dark
    row[ROW_FACTORS + 5] = discipline
    row[ROW_FACTORS + 6] = ammunition
    for k in range(4):
        row[ROW_FIRER_FACTORS_END + k] = exposed[k]
    factors = 1.0  # the firer's factors that apply, multiplied in their order
    for k in range(ROW_FACTORS, ROW_FIRER_FACTORS_END):
        if row[k] == row[k]:
            factors *= row[k]
    row[ROW_EXPECTED] = base * hours * factors * exposure(exposed)


# The coefficients `fire_phase` and the kernels it calls read (`unit_reach`,
# `firer_factor_values`, `ammo_factor`, `nearest_target`, `plan_shot`, protection's
# `exposure_factors` and `pin_unit`, casualties' `take_casualties`), as a namedtuple of their
# own (`FireGround.c0`, `c1`): a compiled call unboxes every field of the bundles it is handed,
# about 200 numbers for the two sides' `CoefficientValues`, a third of the phase's call.
FIRE_COEFFICIENTS = (
    "fire_casualties_per_firepower_hour",
    "fire_range_falloff",
    "quality_fire_weight",
    "night_fire_factor",
    "night_sight_m",
    "sight_clearance_m",
    "ammo_resupply_hours",
    "ammo_rounds_per_firepower_hour",
    "ammo_planned_firing_share",
    "limited_ammo_fire_hexes",
    "no_ammo_fire_factor",
    "vulnerability_withdrawal",
    "vulnerability_attack",
    "vulnerability_hasty",
    "vulnerability_prepared",
    "vulnerability_fortified",
    "shell_exposure_open",
    "shell_exposure_hasty",
    "shell_exposure_prepared",
    "shell_exposure_fortified",
    "blockhouse_protection",
    "water_exposure",
    "suppression_per_casualty_share",
    "suppression_decay_per_hour",
    "killed_fraction",
    "officer_loss_factor",
    "leader_hit_per_casualty_share",
    "morale_loss_leader_killed",
)
FireCoefficients = namedtuple("FireCoefficients", FIRE_COEFFICIENTS)


def _fire_values(coefficients) -> FireCoefficients:
    """`coefficients`' values that direct fire's kernels read (`FireCoefficients`)."""
    values = coefficients.values()
    return FireCoefficients._make(getattr(values, name) for name in FIRE_COEFFICIENTS)


# What the direct fire phase reads of a game beyond the state's bundles, made once per game
# (`fire_ground`): the board's arrays it reads, each side's `FireCoefficients`, and its scratch,
# which `fire_phase` fills afresh each turn: each side's units present (`members`, `counts`),
# the routed units that broke contact (`running`), the zone counts `mark_running` makes
# (`occupied`, `zoned`, zero between calls), the shots' event rows (`rows`, a shot a unit at
# most) and the leaders they killed (`fallen[0]`), and an aim for nobody (`no_aim`, -1).
FireGround = namedtuple(
    "FireGround",
    (
        "q",
        "r",
        "width",
        "elevation_m",
        "sight_block_m",
        "cover",
        "water",
        "hex_size_m",
        "neighbors",
        "passable",
        "c0",
        "c1",
        "members",
        "counts",
        "running",
        "occupied",
        "zoned",
        "rows",
        "fallen",
        "no_aim",
    ),
)

_GROUND = PerGame()  # for each game: its `FireGround`, with what it was made for


def fire_ground(state: GameState, coefficients):
    """The game's `FireGround` for fire with `coefficients` (`sides_coefficients`): made once
    per game, and again only when the units' arrays, the board or the coefficients asked with
    are others (a copied state's, a test's or the window's coefficients)."""
    store = _GROUND.of(state)
    kept = store.get("ground")
    u, board = state.units, state.board
    if kept is not None:
        men, made_board, made_for, ground = kept
        if men is u.men and made_board is board and made_for is coefficients:
            return ground
    n = u.count
    by_side = sides_coefficients(state, coefficients)
    occupied, zoned = zone_counts(board.size)
    ground = FireGround(
        board.q,
        board.r,
        board.width,
        board.elevation_m,
        board.sight_block_m,
        board.cover,
        board.water,
        float(board.hex_size_m),
        neighbor_rows(board),
        board.passable,
        _fire_values(by_side[0]),
        _fire_values(by_side[1]),
        np.zeros((2, n), np.int64),
        np.zeros(2, np.int64),
        np.zeros(n, np.bool_),
        occupied,
        zoned,
        np.zeros((n, ROW_WIDTH), np.float64),
        np.zeros(1, np.int64),
        np.full(n, -1, np.int64),
    )
    store["ground"] = (u.men, board, coefficients, ground)
    return ground


@kernel(borrows=True)
def fire_phase(
    u, w, g, on_map, aim_hex, suppression, night, hours, hours_left, keys, turn, table, head
):
    """The direct fire phase: first the routed units that broke contact (`mark_running`, into
    `g.running`), then every unit of `on_map` able to fire picks a target and aims
    (`nearest_target`, first among the enemies in its `aim_hex` where it was told to fire
    there, then among all; `plan_shot`); then each shot, in the firers' order, pins its target
    (`pin_unit`, by `suppression_per_casualty_share` × the share of its men expected hit) and
    its losses are drawn (`draw_disabled`, `take_casualties`), so fire within the phase is
    simultaneous. Each side's coefficients (`g.c0`, `g.c1`) act: the firer's give its rate,
    reach, ammunition and the night's effect; the target's its exposure, how far it is pinned
    and its killed share. `suppression` is the level each unit fires at, `hours_left` the
    battle's; a shot of firer f draws at the place (turn, DIRECT_FIRE, f, 0), numbered in the
    dice's table (`table`, `head`: `next_occurrence`). Everything else it reads and writes is
    the game's `FireGround` `g` (`fire_ground`). Writes one row a shot into `g.rows` (ROW_*)
    and the leaders killed into `g.fallen[0]`, and returns how many shots; or -1, having
    changed nothing, when the dice's table has no room for a shot a unit (`has_room`: the
    wrapper grows it with `Dice.room` and calls again).

    Why one call with a game's ground: the phase's Python each turn is this call (and its
    events), as a compiled turn will call it, and nothing is allocated in it."""
    n = u.men.shape[0]
    if not has_room(table, head, turn, n):  # a shot a unit at most
        return -1
    c0 = g.c0
    c1 = g.c1
    running = g.running
    for i in range(n):
        running[i] = False
    g.fallen[0] = 0
    if routed_on_map(u, on_map):
        mark_running(u, on_map, g.neighbors, g.passable, g.occupied, g.zoned, running)
        uncount_all(u, g.occupied, g.zoned, g.neighbors)
    members = g.members  # each side's units present, in unit order
    counts = g.counts
    counts[0] = 0
    counts[1] = 0
    for i in range(n):
        if on_map[i] and u.men[i] > 0:
            side = u.side[i]
            members[side, counts[side]] = i
            counts[side] += 1
    if counts[0] == 0 or counts[1] == 0:
        return 0  # nobody to shoot at (a side with no enemies has none that could shoot back)
    rows = g.rows
    hex_size_m = g.hex_size_m
    shots = 0
    for i in range(n):
        if not on_map[i] or u.men[i] <= 0:
            continue
        if u.firepower[i] <= 0 or u.routed[i] or u.crossing_hours[i] > 0:
            continue
        side = u.side[i]
        own = c0 if side == 0 else c1
        enemy = 1 - side
        theirs = c1 if side == 0 else c0
        full, reach, share = unit_reach(u, i, hex_size_m, night, hours_left, own)
        target, distance = -1, 0
        for pool in range(2):  # the hex it was told to fire at, if it can, else the nearest
            only_hex = aim_hex[i] if pool == 0 else -1
            if pool == 0 and only_hex < 0:
                continue
            target, distance = nearest_target(
                u, g.q, g.r, g.width, g.elevation_m, g.sight_block_m, g.water, hex_size_m,
                members[enemy], counts[enemy], i, only_hex, full, reach,
                own.sight_clearance_m, running,
            )  # fmt: skip
            if target >= 0:
                break
        if target < 0:
            continue
        plan_shot(
            u, w, g.cover, g.water, hex_size_m, i, target, distance, suppression[i], night,
            share, hours, own, theirs, rows[shots],
        )  # fmt: skip
        shots += 1
    for s in range(shots):
        row = rows[s]
        f = int(row[ROW_FIRER])
        t = int(row[ROW_TARGET])
        expected = row[ROW_EXPECTED]
        theirs = c0 if u.side[t] == 0 else c1
        men = max(int(u.men[t]), 1)
        pin_unit(u, t, theirs.suppression_per_casualty_share * expected / men, hours, theirs)
        occurrence = next_occurrence(table, head, turn, DIRECT_FIRE, f, 0)
        place = (turn, DIRECT_FIRE, f, 0, int(occurrence))
        hit, k = draw_disabled(int(u.men[t]), expected, keys, place, 0)
        killed, wounded, leader_killed, k = take_casualties(
            u, g.water, t, hit, theirs.killed_fraction, theirs, keys, place, k
        )
        row[ROW_KILLED] = killed
        row[ROW_WOUNDED] = wounded
        row[ROW_LEADER] = 1.0 if leader_killed else 0.0
        if leader_killed:
            g.fallen[0] += 1
    return shots


# called from Python once a phase, with the same bundles turn after turn: `resolved` skips
# numba's typing of them at each call
_fire_phase = resolved(fire_phase)


def direct_fire(
    state: GameState,
    coefficients,
    events: list[Event],
    hours: float | None = None,
    aim_hex: np.ndarray | None = None,
    on_map: np.ndarray | None = None,
) -> None:
    """Every unit able to fire picks a target and fires; losses are drawn after all have aimed,
    so fire within the phase is simultaneous (the kernel `fire_phase`, one call, which this
    hands the game's arrays and `fire_ground` and whose rows it tells as `Fired` events, and
    the leaders killed always). A unit short of rounds fires `fire_discipline` of its normal
    volume (effect and rounds spent alike), except on men caught in a river. Each side's
    `side_rules` act: the firer's coefficients give its rate, reach, ammunition and the night's
    effect; the target's its exposure, how far it is pinned and its killed share. `aim_hex`
    gives per unit the hex it was told to fire at (-1: none; None: nobody was told); `on_map`
    is `state.active()` when the caller has it."""
    u = state.units
    ground = fire_ground(state, coefficients)
    turn = state.turn
    dice = state.dice
    units, works = unit_arrays(u), works_arrays(state.works)
    held = held_suppression(state)
    night = state.is_night()
    hours = float(state.turn_hours if hours is None else hours)
    hours_left = (state.total_turns - turn) * state.turn_hours
    aim = ground.no_aim if aim_hex is None else aim_hex
    on_map = state.active() if on_map is None else on_map
    table, head = dice.table, dice.head
    while True:
        shots = _fire_phase(
            units, works, ground, on_map, aim, held, night, hours, hours_left,
            dice.key_words, turn, table, head,
        )  # fmt: skip
        if shots >= 0:
            break
        table, head = dice.room(turn, u.count)  # a shot a unit at most: then there is room
    if not shots or not (state.record_events or ground.fallen[0]):
        return
    ids = u.ids
    board = state.board
    for row in ground.rows[:shots].tolist():
        firer, target = int(row[ROW_FIRER]), int(row[ROW_TARGET])
        if row[ROW_LEADER]:
            events.append(LeaderKilled(turn, ids[target], u.leader_names[target] or "commander"))
        if state.record_events:
            factors = zip(SHOT_FACTOR_NAMES, row[ROW_FACTORS:], strict=True)
            events.append(
                Fired(
                    turn,
                    ids[firer],
                    ids[target],
                    board.label(int(u.hex[target])),
                    round(row[ROW_BASE], 4),
                    {name: round(v, 4) for name, v in factors if v == v},
                    round(row[ROW_EXPECTED], 3),
                    int(row[ROW_KILLED]),
                    int(row[ROW_WOUNDED]),
                )
            )


@kernel(borrows=True)
def ammo_factor(u, unit, firing_hours, c):
    """Spend the ammunition of `unit` for `firing_hours` of fire (`spend_ammo`): the factor on
    its effect, NaN when it had rounds for all of it or has no count of rounds (unlimited)."""
    if not math.isfinite(u.ammo[unit]):
        return math.nan
    needed = u.firepower[unit] * firing_hours * c.ammo_rounds_per_firepower_hour
    return spend_ammo(u, unit, needed, c)


def spend_rounds(state: GameState, unit: int, needed: float, coefficients) -> dict[str, float]:
    """Spend `needed` rounds of a unit's ammunition (direct fire, or close fire in an assault):
    {"ammunition": factor} when it ran short (`spend_ammo`), else {}."""
    factor = spend_ammo(unit_arrays(state.units), unit, float(needed), coefficients.values())
    return {} if factor != factor else {"ammunition": float(factor)}


@kernel(borrows=True)
def spend_ammo(u, unit, needed, c):
    """Spend `needed` rounds of `unit`'s ammunition; the share of that fire for which no rounds
    are left counts at `no_ammo_fire_factor`: the factor on the fire, NaN when nothing was short
    (or nothing needed, or its rounds are unlimited)."""
    have = u.ammo[unit]
    if needed <= 0 or not math.isfinite(have):
        return math.nan
    share = min(1.0, have / needed)
    u.ammo[unit] = max(0.0, have - needed)
    if share >= 1.0:
        return math.nan
    return share + (1.0 - share) * c.no_ammo_fire_factor
