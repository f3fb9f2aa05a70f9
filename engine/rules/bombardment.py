"""Bombardment: rounds from an ammunition budget fall on a hex and wear down men and works.

Area fire follows Lanchester's linear law while rounds are sparse: the casualties of a round grow
with the density of men where it lands. Rounds landing at random in a hex of area A, whose lethal
areas add up to L, disable each man there with probability
    1 - exp(-L × exposure / A)
(the chance that at least one lethal area covers him: a Poisson count of covering bursts), so a
unit of n men loses n × (1 - exp(-L × exposure / A)) on average: L × n / A × exposure while
L × exposure is small beside A, and never more men than are there however dense the fire (the
saturation: rounds per hectare beyond the first cover ground already covered). Exposure reflects
works, posture and ground ("shell" vulnerability). The same rounds pin the men as aimed fire does,
by the share of them they are expected to hit; wreck the emplacements they land on; set off the
mines they burst next to; and cut the wire they burst next to. Each is a chance per round landing
at random in the hex, so each scales with the hex's area and needs no figure from a battle
(docs/rules.md, "Bombardment").
"""

from __future__ import annotations

import math
from collections import namedtuple
from itertools import chain
from typing import Any

import numpy as np

from ..core.board import hex_distance
from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import (
    BOMBARD_HIT,
    BOMBARD_LANDED,
    binomial,
    has_room,
    next_occurrence,
    uniform_at,
)
from ..core.events import Bombarded, Event, LeaderKilled
from ..core.orders import RANK_BOMBARD, Bombard, resolves
from ..core.state import INDIRECT_CLASSES, GameState, IndirectWeapon, Units
from ..kernels.jit import compiling, kernel, resolved
from .casualties import draw_disabled, take_casualties
from .engineering import tell_openings
from .protection import (
    FACTOR_NAMES,
    exposure,
    exposure_factors,
    held_suppression,
    pin_unit,
    sides_coefficients,
)

# The weapon classes by number, as the kernels know them (`INDIRECT_CLASSES`' order).
CLASS_INDEX = {name: k for k, name in enumerate(INDIRECT_CLASSES)}
CLASSES = len(INDIRECT_CLASSES)

# The units' groups of tubes (`Units.indirect`, a tuple of `IndirectWeapon`s per unit) as the
# kernels take them: one row per group, the groups of unit i at rows first[i]..first[i + 1].
# The dataclasses stay the record (the state's hash, saves, the window and the planner read
# them); `weapon_arrays` copies their ammunition and carry in before a kernel fires and
# `_weapons_back` copies them out after, the rest is fixed for the game.
WeaponArrays = namedtuple(
    "WeaponArrays",
    (
        "first",  # int64, units + 1: each unit's first row
        "tubes",  # int64
        "rounds_per_hour",  # float64
        "range_m",  # float64
        "min_range_m",  # float64
        "budget",  # int64: index into GameState.budget_rounds, -1 for the group's own rounds
        "weapon_class",  # int64: index into INDIRECT_CLASSES
        "own_rounds",  # float64 (inf: unlimited)
        "carry",  # float64: the part of a round carried to the next turn of fire
    ),
)

# Columns of the rows `bombard_all` returns: one row per order...
FIRED = 0  # 1 when the gun fired (rounds > 0): only then the other columns are filled
TOTAL = 1  # rounds fired
LANDED = 2  # rounds landed in the hex
BASE = 3  # lethal area of the rounds landed, m², before the night
WORKS_DAMAGE = 4  # work points destroyed
LANE = 5  # the minefield lane's progress after the rounds (0..1)
WIRE = 6  # lines of wire left after the rounds
LANE_BEFORE = 7  # the lane's progress before them
WIRE_BEFORE = 8  # the wire before them
CLASS_COUNT = 9  # how many weapon classes fired
CLASS_ORDER = 10  # the classes, in the order they first fired (CLASSES columns)
CLASS_ROUNDS = CLASS_ORDER + CLASSES  # rounds of each of those classes (CLASSES columns)
TOLD = CLASS_ROUNDS + CLASSES  # 1 when a leader fell or a lane or gap opened: always told
ORDER_COLUMNS = TOLD + 1
# ...and one per unit of the struck side in the target hex of each order
MEN = 0  # its men before the rounds
EXPECTED = 1  # its expected casualties
HIT = 2  # its men hit
LEADER = 3  # 1 when its leader fell
FACTORS = 4  # its shell exposure factors: FACTOR_NAMES, then works_falling (NaN: absent)
EXPOSURE_NAMES = (*FACTOR_NAMES, "works_falling")
HIT_COLUMNS = FACTORS + len(EXPOSURE_NAMES)


@kernel(borrows=True)
def expected_shell_casualties(lethal_area_m2, men, hex_area_m2, exposure):
    """Men a unit loses, on average, to rounds whose lethal areas add up to `lethal_area_m2`
    landing at random in a hex of `hex_area_m2` where its `men` stand: each man is disabled when
    at least one burst's (exposure-scaled) lethal area covers him, so the loss is the linear law
    `lethal_area_m2 × men / hex_area_m2 × exposure` while fire is sparse and saturates at all of
    them when it is dense."""
    if men <= 0 or lethal_area_m2 <= 0.0 or exposure <= 0.0:
        return 0.0
    return men * -math.expm1(-lethal_area_m2 * exposure / hex_area_m2)


@resolves(Bombard, RANK_BOMBARD)
def bombard_orders(state: GameState, rows: np.ndarray, coefficients, events: list[Event]):
    """The turn's bombard orders as integer rows (orders.ROW_WIDTH: kind, gun, target, rounds),
    in unit order, after movement and before direct fire: each gun still on the map fires (not
    routed: `bombard_all` checks), all in one call of the kernel."""
    fire = rows[state.active()[rows[:, 1]]]
    if len(fire):
        guns, targets, caps = fire[:, 1:4].T.copy()  # each column contiguous, as numba likes
        _bombard_phase(state, guns, targets, caps, coefficients, events)


def in_range(state: GameState, weapon: IndirectWeapon, here: int, target: int) -> bool:
    """Whether `weapon`'s tubes at hex `here` reach `target` (the planner's and the window's
    question; `fire_tubes` asks the same of the weapon arrays)."""
    metres = state.board.distance(here, target) * state.board.hex_size_m
    return weapon.min_range_m <= metres <= weapon.range_m


def rounds_available(state: GameState, weapon: IndirectWeapon) -> float:
    """The rounds `weapon`'s tubes may still fire: its side's budget, or its own."""
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
    """All of `unit`'s tubes in range fire at `target` for the turn, at most `cap` rounds. Each
    side's `side_rules` act: the firing side's coefficients give what its rounds do (on target,
    lethal areas, night, damage to works, lanes, wire), the target side's how exposed its men
    are, how far they are pinned and their killed share."""
    one = np.array([[unit], [target], [cap]], np.int64)
    _bombard_phase(state, one[0], one[1], one[2], coefficients, events)


def weapon_arrays(units: Units) -> tuple[list[IndirectWeapon], Any]:
    """The groups of tubes of every unit in unit order, and `WeaponArrays` of them, made once
    per record of units (a game's): their ammunition and carry are copied in from the groups
    (`_weapons_in`) for the groups a kernel is to fire, and out after (`_weapons_back`)."""
    kept = units.__dict__.get("_weapons")
    if kept is None or kept[0] is not units.indirect:
        groups = [w for unit_groups in units.indirect for w in unit_groups]
        first = np.zeros(units.count + 1, np.int64)
        first[1:] = np.cumsum([len(g) for g in units.indirect])
        arrays = WeaponArrays(
            first,
            np.array([w.tubes for w in groups], np.int64),
            np.array([w.rounds_per_hour for w in groups], np.float64),
            np.array([w.range_m for w in groups], np.float64),
            np.array([w.min_range_m for w in groups], np.float64),
            np.array([w.budget for w in groups], np.int64),
            np.array([CLASS_INDEX[w.weapon_class] for w in groups], np.int64),
            np.zeros(len(groups)),
            np.zeros(len(groups)),
        )
        kept = units.__dict__["_weapons"] = (units.indirect, groups, arrays)
    return kept[1], kept[2]


def _groups_of(units: Units, guns: np.ndarray) -> list[int]:
    """The rows of the weapon arrays (`weapon_arrays`) holding the groups of tubes of `guns`:
    the only ones a kernel firing them reads or changes (`fire_tubes`). Each unit's rows are
    listed once per game."""
    kept = units.__dict__.get("_weapon_rows")
    if kept is None or kept[0] is not units.indirect:
        first = weapon_arrays(units)[1].first.tolist()
        per_unit = [list(range(first[i], first[i + 1])) for i in range(units.count)]
        kept = units.__dict__["_weapon_rows"] = (units.indirect, per_unit)
    return list(chain.from_iterable(map(kept[1].__getitem__, guns.tolist())))


def _weapons_in(groups: list[IndirectWeapon], arrays, rows: list[int]) -> None:
    """The ammunition and carry of the groups at `rows`, from their records into `arrays`
    (the records stay the state: its hash, saves, the window and the planner read them)."""
    own, carry = arrays.own_rounds, arrays.carry
    for k in rows:
        weapon = groups[k]
        own[k] = weapon.own_rounds
        carry[k] = weapon.carry


def _weapons_back(groups: list[IndirectWeapon], arrays, rows: list[int]) -> None:
    """The ammunition and carry a kernel left in `arrays` at `rows`, back into the groups'
    records (as Python floats, which the state's hash reads as it did)."""
    own, carry = arrays.own_rounds.tolist(), arrays.carry.tolist()
    for k in rows:
        weapon = groups[k]
        weapon.own_rounds = own[k]
        weapon.carry = carry[k]


def _bombard_phase(
    state: GameState,
    guns: np.ndarray,
    targets: np.ndarray,
    caps: np.ndarray,
    coefficients,
    events: list[Event],
) -> None:
    """Bombard orders (int64 columns: gun, target hex, cap on rounds), in their order: the
    kernel `bombard_all` fires them (counting its draws in the dice's table), then this copies
    the guns' ammunition back and tells what happened (`Bombarded`, a leader's fall, a lane or
    gap opened)."""
    u, board, w = state.units, state.board, state.works
    by_side = sides_coefficients(state, coefficients)
    groups, weapons = weapon_arrays(u)
    fired_groups = _groups_of(u, guns)
    _weapons_in(groups, weapons, fired_groups)
    orders, bound = len(guns), len(guns) * u.count  # the struck units: at most every unit
    rows = np.zeros((orders, ORDER_COLUMNS))
    hits = np.zeros((bound, HIT_COLUMNS))
    target_first = np.zeros(orders + 1, np.int64)
    target_units = np.zeros(bound, np.int64)
    order, by_class, shells = bombard_scratch(u.count)
    dice = state.dice
    table, head = dice.table, dice.head
    while True:
        works_changed = _bombard_all(
            unit_arrays(u),
            works_arrays(w),
            weapons,
            state.budget_rounds,
            state.rounds_fired,
            board.cover,
            board.water,
            board.q,
            board.r,
            held_suppression(state),
            _column(guns),
            _column(targets),
            _column(caps),
            target_first,
            target_units,
            by_side[0].values(),
            by_side[1].values(),
            state.is_night(),
            state.turn_hours,
            board.hex_area_m2,
            board.hex_size_m,
            state.dice.key_words,
            state.turn,
            table,
            head,
            rows,
            hits,
            order,
            by_class,
            shells,
        )
        if works_changed >= 0:
            break
        # the kernel said the table is full (nothing done): grow it for every draw it may make
        table, head = dice.room(state.turn, orders + bound)
    _weapons_back(groups, weapons, fired_groups)
    if works_changed:
        state.works_changed = True
    # the orders fired, when the turn's events are kept; else those with a leader's fall or an
    # opening to tell
    told = np.flatnonzero(rows[:, FIRED if state.record_events else TOLD]).tolist()
    for k in told:
        row = rows[k].tolist()
        gun, target = int(guns[k]), int(targets[k])
        first, last = int(target_first[k]), int(target_first[k + 1])
        struck_here = target_units[first:last].tolist()
        here_hits = hits[first:last].tolist()
        for t, numbers in zip(struck_here, here_hits, strict=True):
            if numbers[LEADER]:
                events.append(LeaderKilled(state.turn, u.ids[t], u.leader_names[t] or "commander"))
        if state.record_events:
            events.append(_bombarded(state, gun, target, row, struck_here, here_hits, by_side))
        # each order's own opening, from the works as it left them (a later order on the same
        # hex may have changed them since)
        tell_openings(
            state, target, gun, row[LANE_BEFORE], row[WIRE_BEFORE], row[LANE], row[WIRE], events
        )


def _column(values: np.ndarray) -> Any:
    """A kernel's input column: the numpy array where the process compiles (numba takes
    arrays), its list where it interprets (its items are Python numbers, quicker to compute
    with than numpy's scalars, as the `.item()` of the rules' Python was)."""
    return values if compiling() else values.tolist()


def _bombarded(state: GameState, gun: int, target: int, row, struck, numbers, by_side):
    """The `Bombarded` event of one order from the kernel's rows."""
    u = state.units
    side = int(u.side[gun])
    coefficients = by_side[side]
    total, landed = row[TOTAL], int(row[LANDED])
    modifiers = {"on_target": round(landed / total, 4)}
    if state.is_night():
        modifiers["night"] = coefficients.night_fire_factor
    rounds_by_class: dict[str, float] = {}
    areas: dict[str, float] = {}  # lethal area by weapon class, for the record
    for j in range(int(row[CLASS_COUNT])):
        cls = INDIRECT_CLASSES[int(row[CLASS_ORDER + j])]
        rounds_by_class[cls] = row[CLASS_ROUNDS + j]
        areas[cls] = getattr(coefficients, f"lethal_area_{cls}_m2")
    casualties: dict[str, int] = {}
    men_of: dict[str, int] = {}
    exposure_of: dict[str, dict[str, float]] = {}
    expected_of: dict[str, float] = {}
    for t, unit_row in zip(struck, numbers, strict=True):
        unit_id = u.ids[t]
        men_of[unit_id] = int(unit_row[MEN])
        exposure_of[unit_id] = {
            name: v for name, v in zip(EXPOSURE_NAMES, unit_row[FACTORS:], strict=True) if v == v
        }
        expected_of[unit_id] = unit_row[EXPECTED]
        if unit_row[HIT]:
            casualties[unit_id] = int(unit_row[HIT])
    return Bombarded(
        state.turn,
        u.ids[gun],
        state.board.label(target),
        int(total),
        casualties,
        modifiers,
        _rounded(row[WORKS_DAMAGE], 3),
        _rounded(row[LANE], 3),
        _rounded(row[WIRE], 3),
        landed,
        rounds_by_class,
        areas,
        row[BASE],
        state.board.hex_area_m2,
        men_of,
        exposure_of,
        expected_of,
    )


def bombard_scratch(count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`bombard_all`'s scratch for a game of `count` units: (the weapon classes in the order
    they fired, the rounds of each class, the struck units' shell exposures: 2 x `count`)."""
    return np.zeros(CLASSES, np.int64), np.zeros(CLASSES), np.zeros((2, count))


@kernel(borrows=True)
def bombard_all(
    u,
    w,
    weapons,
    budget_rounds,
    rounds_fired,
    cover,
    water,
    q,
    r,
    held,
    guns,
    targets,
    caps,
    target_first,
    target_units,
    c0,
    c1,
    night,
    turn_hours,
    hex_area_m2,
    hex_size_m,
    keys,
    turn,
    table,
    head,
    rows,
    hits,
    order,
    by_class,
    shells,
):
    """Each order k in turn: gun `guns[k]`'s tubes fire at hex `targets[k]` (at most
    `caps[k]` rounds, none when negative) and its landed rounds wreck works, hit and pin the
    struck side's units there and breach the obstacles. The struck units of order k are those
    in the fight in its hex, of the side its gun is not, as the phase begins: this writes them
    to `target_units[target_first[k]:target_first[k + 1]]` (`struck_units`). `q`, `r`: the
    board's axial coordinates (the gun's distance to its target). c0, c1: each side's
    `CoefficientValues` (the firing side's say what its rounds do, the struck side's how
    exposed its men are); `held`: the suppression each unit fires at (`held_suppression`).
    Draws at BOMBARD_LANDED (gun, target) and BOMBARD_HIT (unit, target), numbered in the
    dice's table (`table`, `head`: `next_occurrence`). Fills `rows` (ORDER_COLUMNS a order)
    and `hits` (HIT_COLUMNS a struck unit, at the unit's place in `target_units`); returns 1
    when any works were damaged, else 0; or -1, having changed nothing, when the dice's table
    has no room for a draw an order and one a unit an order (`has_room`: the wrapper grows it
    with `Dice.room` and calls again). `order`, `by_class`, `shells`: its scratch
    (`bombard_scratch`), written afresh: it makes no array, and borrows."""
    if not has_room(table, head, turn, len(guns) * (1 + u.men.shape[0])):
        return -1
    struck_units(u, guns, targets, target_first, target_units)
    works_changed = False
    for k in range(len(guns)):
        gun, target = guns[k], targets[k]
        if u.men[gun] <= 0 or u.routed[gun] or u.crossing_hours[gun] > 0:
            continue
        here = u.hex[gun]
        metres = hex_distance(q, r, here, target) * hex_size_m if here >= 0 else math.nan
        classes = fire_tubes(
            u,
            weapons,
            budget_rounds,
            gun,
            metres,
            turn_hours,
            held[gun],
            caps[k],
            order,
            by_class,
        )
        total = 0.0
        for j in range(classes):
            total += by_class[order[j]]
        if total <= 0:
            continue
        side = u.side[gun]
        c = c0 if side == 0 else c1  # the firing side's
        theirs = c1 if side == 0 else c0  # the struck side's
        rounds_fired[side] += total
        occurrence = next_occurrence(table, head, turn, BOMBARD_LANDED, gun, target)
        place = (turn, BOMBARD_LANDED, gun, target, occurrence)
        landed = binomial(int(total), c.rounds_on_target_fraction, uniform_at(keys, place, 0))
        share = landed / total
        lethal = 0.0
        for j in range(classes):
            lethal += by_class[order[j]] * share * lethal_area(c, order[j])
        base = lethal
        if night:
            lethal *= c.night_fire_factor
        standing = w.fort_strength_start[target] + w.blockhouse_strength_start[target]
        damage = 0.0
        if standing > 0.0:
            damage = standing * works_share_destroyed(
                landed, hex_area_m2, c.works_hit_radius_m, c.works_hits_to_destroy
            )
        first, last = target_first[k], target_first[k + 1]
        struck = target_units[first:last]
        told = False
        done, changed = exposures_while_damaging(
            u, w, cover, water, target, struck, damage, theirs, hits[first:last, FACTORS:], shells
        )
        works_changed = works_changed or changed
        for i in range(last - first):
            t = struck[i]
            men = u.men[t]
            exposed = exposure(hits[first + i, FACTORS:])
            expected = expected_shell_casualties(lethal, men, hex_area_m2, exposed)
            occurrence = next_occurrence(table, head, turn, BOMBARD_HIT, t, target)
            place = (turn, BOMBARD_HIT, t, target, occurrence)
            hit, taken = draw_disabled(men, expected, keys, place, 0)
            leader_killed = False
            if hit:
                _, _, leader_killed, taken = take_casualties(
                    u, water, t, hit, theirs.killed_fraction, theirs, keys, place, taken
                )
            pinned = suppression_pinned(
                lethal, exposed, hex_area_m2, theirs.suppression_per_casualty_share
            )
            pin_unit(u, t, pinned, turn_hours, theirs)
            hits[first + i, MEN] = men
            hits[first + i, EXPECTED] = expected
            hits[first + i, HIT] = hit
            hits[first + i, LEADER] = 1.0 if leader_killed else 0.0
            told = told or leader_killed
        lane_before, wire_before = w.lane[target], w.wire_lines[target]
        lane, wire_lines = breach_obstacles(w, target, landed, hex_area_m2, hex_size_m, c)
        rows[k, FIRED] = 1.0
        rows[k, TOTAL] = total
        rows[k, LANDED] = landed
        rows[k, BASE] = base
        rows[k, WORKS_DAMAGE] = done
        rows[k, LANE] = lane
        rows[k, WIRE] = wire_lines
        rows[k, LANE_BEFORE] = lane_before
        rows[k, WIRE_BEFORE] = wire_before
        rows[k, CLASS_COUNT] = classes
        opened = lane_before < 1.0 <= lane and w.mine_depth_m[target] > 0
        gapped = wire_before > 0.0 and wire_lines <= 0.0
        rows[k, TOLD] = 1.0 if told or opened or gapped else 0.0
        for j in range(classes):
            rows[k, CLASS_ORDER + j] = order[j]
            rows[k, CLASS_ROUNDS + j] = by_class[order[j]]
    return 1 if works_changed else 0


@kernel(borrows=True)
def struck_units(u, guns, targets, target_first, target_units):
    """For each bombard order k (gun `guns[k]` at hex `targets[k]`): the units in the fight in
    the hex, of the side the gun is not, in unit order, written to
    `target_units[target_first[k]:target_first[k + 1]]`; returns how many in all."""
    count = 0
    target_first[0] = 0
    for k in range(len(guns)):
        target, side = targets[k], u.side[guns[k]]
        for i in range(len(u.men)):
            if u.hex[i] == target and u.side[i] != side and u.arrived[i] and not u.gone[i]:
                target_units[count] = i
                count += 1
        target_first[k + 1] = count
    return count


# called from Python once a phase, with the same bundles turn after turn: `resolved` skips
# numba's typing of them at each call
_bombard_all = resolved(bombard_all)


@kernel(borrows=True)
def lethal_area(c, weapon_class):
    """The firing side's lethal area of a round of `weapon_class` (index into
    INDIRECT_CLASSES), m²."""
    if weapon_class == 0:
        return c.lethal_area_mortar_m2
    if weapon_class == 1:
        return c.lethal_area_infantry_gun_m2
    if weapon_class == 2:
        return c.lethal_area_mountain_gun_m2
    if weapon_class == 3:
        return c.lethal_area_field_gun_m2
    return c.lethal_area_howitzer_m2


def _rounded(value: float, digits: int) -> float:
    """round(value, digits), for the record. Whole numbers (mostly 0: no works, mines or wire
    left in the hex) are what round would return anyway, and checking costs a tenth as much."""
    return value if value.is_integer() else round(value, digits)


def _fire_tubes(state: GameState, unit: int, target: int, cap: int) -> dict[str, float]:
    """`fire_tubes` for one unit on the game's arrays: its rounds by weapon class name (the
    tests' view of the tubes' rule)."""
    u = state.units
    groups, weapons = weapon_arrays(u)
    fired_groups = _groups_of(u, np.array([unit], np.int64))
    _weapons_in(groups, weapons, fired_groups)
    here = u.hex.item(unit)
    order = np.zeros(CLASSES, np.int64)
    by_class = np.zeros(CLASSES)
    classes = fire_tubes(
        unit_arrays(u),
        weapons,
        state.budget_rounds,
        unit,
        state.board.distance(here, target) * state.board.hex_size_m,
        state.turn_hours,
        held_suppression(state)[unit],
        cap,
        order,
        by_class,
    )
    _weapons_back(groups, weapons, fired_groups)
    return {INDIRECT_CLASSES[c]: float(by_class[c]) for c in order[:classes].tolist()}


@kernel(borrows=True)
def fire_tubes(
    u, weapons, budget_rounds, unit, metres, turn_hours, suppression, cap, order, by_class
):
    """Rounds that `unit`'s tubes in range of a target `metres` away fire this turn, at most
    `cap` in all (none when `cap` is negative); they are taken from the ammunition. Each group
    of tubes fires the whole rounds its time allows, carrying the part of a round left over
    into its next turn of fire (`tube_rounds`); `suppression` is what the unit fires at. Writes
    the rounds of each weapon class into `by_class` (by class index) and the classes in the
    order they first fired into `order`; returns how many classes fired."""
    crew_share = float(u.men[unit]) / max(float(u.men_start[unit]), 1.0)
    unsuppressed = 1.0 - suppression
    classes = 0
    fired_so_far = 0.0
    by_class[:] = 0.0
    for k in range(weapons.first[unit], weapons.first[unit + 1]):
        if not weapons.min_range_m[k] <= metres <= weapons.range_m[k]:
            continue
        time_for = weapons.tubes[k] * weapons.rounds_per_hour[k] * turn_hours * min(1.0, crew_share)
        budget = weapons.budget[k]
        limit = budget_rounds[budget] if budget >= 0 else weapons.own_rounds[k]
        if cap >= 0:
            limit = min(limit, cap - fired_so_far)
        fired, carry = tube_rounds(time_for * unsuppressed, weapons.carry[k], limit)
        weapons.carry[k] = carry
        if fired <= 0:
            continue
        if budget >= 0:
            budget_rounds[budget] -= fired
        else:
            weapons.own_rounds[k] -= fired
        cls = weapons.weapon_class[k]
        seen = False
        for j in range(classes):
            seen = seen or order[j] == cls
        if not seen:
            order[classes] = cls
            classes += 1
        by_class[cls] += fired
        fired_so_far += fired
    return classes


@kernel(borrows=True)
def tube_rounds(time_for, carry, limit):
    """(whole rounds fired, part of a round carried on) for tubes that have time this turn for
    `time_for` rounds (a fraction allowed), carried `carry` from their last turn of fire, and
    may fire at most `limit` (the ammunition, the order's allotment).

    Rounds are whole, but a turn's time is not: flooring each turn's rounds made a mortar with
    time for 0.8 rounds a 15-minute turn never fire, and 15-minute turns fire less than 2-hour
    ones over the same hours (issue 16). The part of a round left over is carried instead: over
    any run of turns the tubes fire the whole rounds of their summed time, to within one round,
    whatever the turns' length (the carries telescope). A carry rather than a random rounding:
    it is exact over every run, not only on average, draws nothing from the game's generator
    (so it adds no spread to the on-target and casualty draws), and each group of tubes already
    keeps its own ammunition in the state beside it.

    The carry is at most one round: tubes held back by the allotment or the ammunition keep one
    round ready, not the fire of every turn they waited (turns of holding back bank nothing);
    while their rate sets the rounds the carry is the fraction left, below one."""
    ready = time_for + carry
    fired = float(math.floor(min(ready, limit)))
    return fired, min(ready - fired, 1.0)


@kernel(borrows=True)
def suppression_pinned(lethal_area_m2, exposure, hex_area_m2, per_casualty_share):
    """Suppression a turn's rounds add (before spreading it over the turn's hours):
    `per_casualty_share` × the share of the men they are expected to hit, taken at the linear
    law, `lethal_area_m2` × `exposure` / `hex_area_m2`: the bursts expected to cover each man
    (near misses on a man already hit pin his neighbours all the same). Linear in the rounds,
    so a turn of n rounds pins as two of n/2 (the saturating share, 1 - exp(-x), would have
    short turns pin more than long ones with the same rounds); `protection.pin_unit` caps it.

    The rounds pin a unit as aimed fire does (fire.py): so suppression follows the same lethal
    areas, protection and hex area as the casualties and needs no rate of its own: men in the
    open under a battalion's mortars are pinned, men in covered works far less."""
    if lethal_area_m2 <= 0.0 or exposure <= 0.0 or hex_area_m2 <= 0.0:
        return 0.0
    return per_casualty_share * lethal_area_m2 * exposure / hex_area_m2


def _exposures_while_damaging(
    state: GameState, target: int, side: int, damage: float, coefficients
) -> tuple[dict[int, dict[str, float]], float]:
    """`exposures_while_damaging` on the game's arrays for `side`'s units in `target`: each
    one's shell exposure factors by name, by unit, and the damage done."""
    units = state.units_at(target, side)
    factors = np.zeros((len(units), len(EXPOSURE_NAMES)))
    done, changed = exposures_while_damaging(
        unit_arrays(state.units),
        works_arrays(state.works),
        state.board.cover,
        state.board.water,
        target,
        np.array(units, np.int64),
        damage,
        coefficients.values(),
        factors,
        np.zeros((2, len(units))),
    )
    if changed:
        state.works_changed = True
    exposures = {
        t: {name: v for name, v in zip(EXPOSURE_NAMES, row, strict=True) if v == v}
        for t, row in zip(units, factors.tolist(), strict=True)
    }
    return exposures, float(done)


@kernel(borrows=True)
def exposures_while_damaging(u, w, cover, water, target, units, damage, c, factors, shells):
    """Each of `units` (in hex `target`): its shell exposure factors over the turn's rounds,
    while those rounds knock the works down, into its row of `factors` (`exposure_factors`'
    four, then works_falling, NaN where absent); returns the damage done (works first, then
    blockhouses: `damage_works`, which this applies) and whether any was.

    The works protect as far as they still stand (protection.exposure_factors: the posture
    factor moves from hasty to the works' level in proportion to the strength left), and the
    rounds landing wreck them (`works_share_destroyed`). So the exposure rises, round by round,
    while the rounds fall: the turn's casualties follow the mean exposure over its rounds, not
    the exposure before the first. Charging a whole turn at the first round's exposure made a
    2-hour turn spare dug-in men the protection its own first rounds had already destroyed, and
    15-minute turns kill a third more than 2-hour ones (the turn-length check, issue 16).

    Exact, not a sub-step: damage goes to one kind of works at a time, and each factor is linear
    in that kind's strength left, so the product of the factors is linear in the damage within
    each stretch (field works, then blockhouses, then none), and the trapezoid rule integrates
    it exactly. The mean over a turn of n rounds equals that of two turns of n/2.

    `shells` (2 x at least `len(units)`) is its scratch, written afresh: it makes no array, and
    borrows."""
    n = len(units)
    stretch_0 = 0.0  # the damage to each kind of works in turn: the stretches, `count` of them
    stretch_1 = 0.0
    count = 0
    left = damage
    for kind in range(2):
        standing = w.fort_strength[target] if kind == 0 else w.blockhouse_strength[target]
        if left > 0 and standing > 0:
            stretch = min(left, standing)
            if count == 0:
                stretch_0 = stretch
            else:
                stretch_1 = stretch
            left -= stretch
            count += 1
    for i in range(n):
        start = exposure_factors(u, w, cover, water, units[i], c, True)
        for j in range(4):
            factors[i, j] = start[j]
        factors[i, 4] = math.nan
    if n == 0 or count == 0:  # nothing to shelter behind, or nothing landed: no change
        return damage_works(w, target, damage)
    shell = shells[0]
    mean_shell = shells[1]
    for i in range(n):
        shell[i] = exposure(factors[i, :4])
        mean_shell[i] = 0.0
    done = 0.0
    changed = False
    for s in range(count):
        stretch = stretch_0 if s == 0 else stretch_1
        taken, any_taken = damage_works(w, target, stretch)
        done += taken
        changed = changed or any_taken
        weight = stretch / damage / 2.0
        for i in range(n):
            after_shell = exposure(exposure_factors(u, w, cover, water, units[i], c, True))
            mean_shell[i] += weight * (shell[i] + after_shell)
            shell[i] = after_shell
    rest = (damage - done) / damage  # rounds that fell after every work was down
    for i in range(n):
        mean = mean_shell[i] + rest * shell[i]
        first = exposure(factors[i, :4])
        if first > 0 and mean != first:  # the record says how much the falling works added
            factors[i, 4] = mean / first
    return done, changed


@kernel(borrows=True)
def damage_works(w, target, damage):
    """Damage goes to the field works first, then to the blockhouses; returns what was done and
    whether any was. Works already gone take nothing, and are not reported changed (which would
    have the turn's record sum the works of the whole map again for nothing)."""
    done = 0.0
    changed = False
    for kind in range(2):
        if damage <= 0:
            break
        strength = w.fort_strength if kind == 0 else w.blockhouse_strength
        left = strength[target]
        if left <= 0:
            continue
        taken = min(damage, left)
        strength[target] = left - taken
        changed = True
        damage -= taken
        done += taken
    return done, changed


@kernel(borrows=True)
def works_share_destroyed(landed, hex_area_m2, hit_radius_m, hits_to_destroy):
    """Share of a hex's works (as built) that `landed` rounds wreck, landing at random in its
    `hex_area_m2`. The works are emplacements (weapon pits, covered trench bays, dugouts,
    blockhouses) spread over the hex; a round counts as a hit on one when it bursts within
    `hit_radius_m` of its centre, so each round hits a given emplacement with chance
    π r² / area, and an emplacement is wrecked by `hits_to_destroy` hits. Each round then wrecks
    on average π r² / (area × hits) of them, whatever their number: linear in the rounds (the
    same after one turn of n rounds or two of n/2) and a hundred times slower in a 1 km hex
    than in a 100 m one. Linear, not the Poisson tail: rounds landing on an emplacement already
    wrecked still count, so the last works go a little early; the exposure rule's trapezoid
    (`exposures_while_damaging`) stays exact."""
    if landed <= 0 or hex_area_m2 <= 0.0:
        return 0.0
    return landed * math.pi * hit_radius_m**2 / (hex_area_m2 * hits_to_destroy)


@kernel(borrows=True)
def lane_after(lane, landed, hex_area_m2, clearing_radius_m):
    """A minefield's lane progress after `landed` rounds land at random in a hex of
    `hex_area_m2`: the share of the mines on the lane that are gone. A mine is set off or
    wrecked when a burst lands within `clearing_radius_m` of it, so each round takes a given
    mine with chance π r² / area and the mines still there are a share exp(-landed π r² /
    area) of those before: the progress moves to 1 - (1 - lane) × that. The same after one
    turn of n rounds or two of n/2, and never past 1."""
    if landed <= 0 or lane >= 1.0:
        return lane
    return 1.0 - (1.0 - lane) * math.exp(-landed * math.pi * clearing_radius_m**2 / hex_area_m2)


@kernel(borrows=True)
def lane_is_open(lane, density_per_m, lane_width_m, mines_left):
    """A lane counts as open when the mines expected still on it, the field's `density_per_m`
    (mines per metre of front, every row of its depth) × `lane_width_m` × (1 - lane), are at
    most `mines_left`: then a file of men walking it meets none with chance about
    exp(-mines_left). A sparse field's footpath may hold fewer than that from the start: it
    opens with the first rounds."""
    return density_per_m * lane_width_m * (1.0 - lane) <= mines_left


@kernel(borrows=True)
def wire_left_after(lines, landed, rounds_per_line, hex_size_m):
    """Lines of wire still without a gap after `landed` rounds fall at random in a hex of
    `hex_size_m`. A burst cuts a line where it lands close to it, so each round gaps a given
    line with a small chance 1 / R, R = `rounds_per_line` × hex_size_m / 100 (the line runs
    across the hex, whose area grows as its square); each line keeps its wire with probability
    exp(-landed / R), so the expected lines left are `lines × exp(-landed / R)`: never below
    zero, and the same after one turn of n rounds or two of n/2."""
    if lines <= 0.0 or landed <= 0:
        return lines
    return lines * math.exp(-landed / (rounds_per_line * hex_size_m / 100.0))


def _breach_obstacles(
    state: GameState, target: int, landed: int, coefficients
) -> tuple[float, float]:
    """`breach_obstacles` on the game's works."""
    lane, wire_lines = breach_obstacles(
        works_arrays(state.works),
        target,
        landed,
        state.board.hex_area_m2,
        state.board.hex_size_m,
        coefficients.values(),
    )
    return float(lane), float(wire_lines)


@kernel(borrows=True)
def breach_obstacles(w, target, landed, hex_area_m2, hex_size_m, c):
    """The rounds landed clear mines on a lane through the minefield (`lane_after`, open at
    `lane_is_open`) and cut the wire of `target`: returns the lane's progress (0..1) and the
    lines of wire left (`wire_left_after`)."""
    lane = w.lane[target]
    if landed > 0 and w.mine_depth_m[target] > 0 and lane < 1.0:
        lane = lane_after(lane, landed, hex_area_m2, c.shell_clearing_radius_m)
        if lane_is_open(lane, w.mine_density[target], c.lane_width_m, c.lane_open_mines_left):
            lane = 1.0
        w.lane[target] = lane
    wire_lines = w.wire_lines[target]
    if wire_lines > 0:
        wire_lines = wire_left_after(wire_lines, landed, c.wire_rounds_per_line, hex_size_m)
        if wire_lines < 1e-3:  # a thousandth of a line: every line gapped
            wire_lines = 0.0
        w.wire_lines[target] = wire_lines
    return lane, wire_lines
