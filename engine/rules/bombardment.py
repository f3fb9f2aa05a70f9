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

from ..core.dice import BOMBARD_HIT, BOMBARD_LANDED, roll
from ..core.events import Bombarded, Event
from ..core.orders import RANK_BOMBARD, Bombard, resolves
from ..core.state import GameState, IndirectWeapon
from .casualties import apply_casualties, draw_casualties
from .engineering import note_openings
from .protection import (
    firing_suppression,
    pin,
    product,
    sides_coefficients,
    vulnerability,
)


def expected_shell_casualties(
    lethal_area_m2: float, men: int, hex_area_m2: float, exposure: float
) -> float:
    """Men a unit loses, on average, to rounds whose lethal areas add up to `lethal_area_m2`
    landing at random in a hex of `hex_area_m2` where its `men` stand: each man is disabled when
    at least one burst's (exposure-scaled) lethal area covers him, so the loss is the linear law
    `lethal_area_m2 × men / hex_area_m2 × exposure` while fire is sparse and saturates at all of
    them when it is dense."""
    if men <= 0 or lethal_area_m2 <= 0.0 or exposure <= 0.0:
        return 0.0
    return men * -math.expm1(-lethal_area_m2 * exposure / hex_area_m2)


@resolves(Bombard, RANK_BOMBARD)
def bombard_orders(state: GameState, orders: list[Bombard], coefficients, events: list[Event]):
    """The turn's bombard orders, in unit order, after movement and before direct fire: each unit
    still on the map fires (not routed: `bombard` checks)."""
    on_map = state.active()
    for order in orders:
        if on_map[order.unit]:
            bombard(state, order.unit, order.target, coefficients, events, order.rounds)


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
    """All of `unit`'s tubes in range fire at `target` for the turn, at most `cap` rounds. Each
    side's `side_rules` act: the firing side's coefficients give what its rounds do (on target,
    lethal areas, night, damage to works, lanes, wire), the target side's how exposed its men
    are, how far they are pinned and their killed share."""
    u = state.units
    # item(): plain numbers, as numpy's scalar access is slow for one element at a time
    if u.men.item(unit) <= 0 or u.routed.item(unit) or u.crossing_hours.item(unit) > 0:
        return
    rounds_by_class = _fire_tubes(state, unit, target, cap)
    total = sum(rounds_by_class.values())
    if total <= 0:
        return
    side = u.side.item(unit)
    by_side = sides_coefficients(state, coefficients)
    coefficients, theirs = by_side[side], by_side[1 - side]  # the firing side's, the target's
    state.rounds_fired[side] = state.rounds_fired.item(side) + total
    landed = roll(state, BOMBARD_LANDED, unit, target).binomial(
        int(total), coefficients.rounds_on_target_fraction
    )
    share = landed / total
    areas: dict[str, float] = {}  # lethal area by weapon class, for the record
    lethal = 0.0
    for cls, rounds in rounds_by_class.items():  # a loop: cheaper than sum() over a generator
        area = areas[cls] = getattr(coefficients, f"lethal_area_{cls}_m2")
        lethal += rounds * share * area
    base = lethal
    modifiers = {"on_target": round(share, 4)}
    if state.is_night():
        lethal *= coefficients.night_fire_factor
        modifiers["night"] = coefficients.night_fire_factor
    explained: tuple[dict, dict, dict] = ({}, {}, {})  # men, exposure, expected, by unit id
    w = state.works
    standing = w.fort_strength_start.item(target) + w.blockhouse_strength_start.item(target)
    damage = 0.0
    if standing > 0.0:
        damage = standing * works_share_destroyed(
            landed,
            state.board.hex_area_m2,
            coefficients.works_hit_radius_m,
            coefficients.works_hits_to_destroy,
        )
    exposures, works_damage = _exposures_while_damaging(state, target, 1 - side, damage, theirs)
    casualties = _hit_men(state, target, 1 - side, lethal, theirs, events, explained, exposures)
    lane_before, wire_before = state.works.lane.item(target), state.works.wire_lines.item(target)
    lane, wire_lines = _breach_obstacles(state, target, landed, coefficients)
    if state.record_events:
        events.append(
            Bombarded(
                state.turn,
                u.ids[unit],
                state.board.label(target),
                int(total),
                casualties,
                modifiers,
                _rounded(works_damage, 3),
                _rounded(lane, 3),
                _rounded(wire_lines, 3),
                landed,
                rounds_by_class,
                areas,
                base,
                state.board.hex_area_m2,
                *explained,
            )
        )
    note_openings(state, target, unit, lane_before, wire_before, events)


def _rounded(value: float, digits: int) -> float:
    """round(value, digits), for the record. Whole numbers (mostly 0: no works, mines or wire
    left in the hex) are what round would return anyway, and checking costs a tenth as much."""
    return value if value.is_integer() else round(value, digits)


def _fire_tubes(state: GameState, unit: int, target: int, cap: int) -> dict[str, float]:
    """Rounds that `unit`'s tubes in range of `target` fire this turn, by weapon class, at most
    `cap` in all (none when `cap` is negative); they are taken from the ammunition. Each group
    of tubes fires the whole rounds its time allows, carrying the part of a round left over
    into its next turn of fire (`tube_rounds`)."""
    u = state.units
    here = u.hex.item(unit)
    crew_share = float(u.men.item(unit)) / max(float(u.men_start.item(unit)), 1.0)
    suppression = 1.0 - firing_suppression(state, unit)
    rounds_by_class: dict[str, float] = {}
    for weapon in u.indirect[unit]:
        if not in_range(state, weapon, here, target):
            continue
        time_for = weapon.tubes * weapon.rounds_per_hour * state.turn_hours * min(1.0, crew_share)
        limit = rounds_available(state, weapon)
        if cap >= 0:
            limit = min(limit, cap - sum(rounds_by_class.values()))
        fired, weapon.carry = tube_rounds(time_for * suppression, weapon.carry, limit)
        if fired <= 0:
            continue
        if weapon.budget >= 0:
            state.budget_rounds[weapon.budget] = state.budget_rounds.item(weapon.budget) - fired
        else:
            weapon.own_rounds -= fired
        rounds_by_class[weapon.weapon_class] = rounds_by_class.get(weapon.weapon_class, 0.0) + fired
    return rounds_by_class


def tube_rounds(time_for: float, carry: float, limit: float) -> tuple[float, float]:
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
    fired = float(math.floor(min(ready, limit)))  # math.floor: a plain int, quicker than numpy's
    return fired, min(ready - fired, 1.0)


def _hit_men(
    state: GameState,
    target: int,
    side: int,
    lethal_area_m2: float,
    coefficients,
    events: list[Event],
    explained: tuple[dict, dict, dict],
    exposures: dict[int, dict[str, float]],
) -> dict[str, int]:
    """The rounds' casualties and suppression among `side`'s men in `target`: returns the men
    each unit lost, by unit id (units that lost none left out), and fills `explained` with each
    unit's men, shell exposure factors and expected casualties, by unit id. `exposures` gives
    each unit's shell exposure factors over the rounds (`_exposures_while_damaging`).

    The rounds pin a unit as aimed fire does (fire.py): by `suppression_per_casualty_share` times
    the share of its men they are expected to hit, here the linear law's L × exposure / area,
    the bursts expected to cover each man (`suppression_pinned`). So suppression follows the
    same lethal areas, protection and hex area as the casualties and needs no rate of its own:
    men in the open under a battalion's mortars are pinned, men in covered works far less."""
    u = state.units
    area = state.board.hex_area_m2
    casualties: dict[str, int] = {}
    men_of, exposure_of, expected_of = explained
    hours = state.turn_hours
    for t in state.units_at(target, side):
        men = u.men.item(t)
        exposure = exposures[t]
        exposed = product(exposure)
        expected = expected_shell_casualties(lethal_area_m2, men, area, exposed)
        unit_id = u.ids[t]
        men_of[unit_id] = men
        exposure_of[unit_id] = exposure  # exact, not rounded: round() costs more than the rule
        expected_of[unit_id] = expected
        rng = roll(state, BOMBARD_HIT, t, target)
        hit = draw_casualties(rng, men, expected)
        if hit:
            apply_casualties(state, t, hit, coefficients, events, rng=rng)
            casualties[unit_id] = hit
        pinned = suppression_pinned(
            lethal_area_m2, exposed, area, coefficients.suppression_per_casualty_share
        )
        pin(state, t, pinned, hours, coefficients)
    return casualties


def suppression_pinned(
    lethal_area_m2: float, exposure: float, hex_area_m2: float, per_casualty_share: float
) -> float:
    """Suppression a turn's rounds add (before spreading it over the turn's hours):
    `per_casualty_share` × the share of the men they are expected to hit, taken at the linear
    law, `lethal_area_m2` × `exposure` / `hex_area_m2`: the bursts expected to cover each man
    (near misses on a man already hit pin his neighbours all the same). Linear in the rounds,
    so a turn of n rounds pins as two of n/2 (the saturating share, 1 - exp(-x), would have
    short turns pin more than long ones with the same rounds); `protection.pin` caps it."""
    if lethal_area_m2 <= 0.0 or exposure <= 0.0 or hex_area_m2 <= 0.0:
        return 0.0
    return per_casualty_share * lethal_area_m2 * exposure / hex_area_m2


def _exposures_while_damaging(
    state: GameState, target: int, side: int, damage: float, coefficients
) -> tuple[dict[int, dict[str, float]], float]:
    """Each of `side`'s units in `target`: its shell exposure factors over the turn's rounds,
    while those rounds knock the works down; and the damage done (works first, then
    blockhouses: `_damage_works`, which this applies).

    The works protect as far as they still stand (protection.vulnerability: the posture factor
    moves from hasty to the works' level in proportion to the strength left), and the rounds
    landing wreck them (`works_share_destroyed`). So the exposure rises, round by round, while
    the rounds fall: the turn's casualties follow the mean exposure over its rounds, not the
    exposure before the first. Charging a whole turn at the first round's exposure made a
    2-hour turn spare dug-in men the protection its own first rounds had already destroyed, and
    15-minute turns kill a third more than 2-hour ones (the turn-length check, issue 16).

    Exact, not a sub-step: damage goes to one kind of works at a time, and each factor is linear
    in that kind's strength left, so the product of the factors is linear in the damage within
    each stretch (field works, then blockhouses, then none), and the trapezoid rule integrates
    it exactly. The mean over a turn of n rounds equals that of two turns of n/2."""
    units = state.units_at(target, side)
    w = state.works
    stretches = []
    left = damage
    for strength in (w.fort_strength, w.blockhouse_strength):
        standing = strength.item(target)
        if left > 0 and standing > 0:
            stretches.append(min(left, standing))
            left -= stretches[-1]
    if not units or not stretches:  # nothing to shelter behind, or nothing landed: no change
        exposures = {t: vulnerability(state, t, coefficients, "shell") for t in units}
        return exposures, _damage_works(state, target, damage)
    start = {t: vulnerability(state, t, coefficients, "shell") for t in units}
    shell = {t: product(start[t]) for t in units}
    mean_shell = dict.fromkeys(units, 0.0)
    done = 0.0
    for stretch in stretches:
        done += _damage_works(state, target, stretch)
        weight = stretch / damage / 2.0
        for t in units:
            after_shell = product(vulnerability(state, t, coefficients, "shell"))
            mean_shell[t] += weight * (shell[t] + after_shell)
            shell[t] = after_shell
    rest = (damage - done) / damage  # rounds that fell after every work was down
    exposures = {}
    for t in units:
        mean = mean_shell[t] + rest * shell[t]
        first = product(start[t])
        factors = dict(start[t])
        if first > 0 and mean != first:  # the record says how much the falling works added
            factors["works_falling"] = mean / first
        exposures[t] = factors
    return exposures, done


def _damage_works(state: GameState, target: int, damage: float) -> float:
    """Damage goes to the field works first, then to the blockhouses; returns what was done.
    Works already gone take nothing, and are not reported changed (which would have the turn's
    record sum the works of the whole map again for nothing)."""
    w = state.works
    done = 0.0
    for strength in (w.fort_strength, w.blockhouse_strength):
        if damage <= 0:
            break
        left = strength.item(target)
        if left <= 0:
            continue
        taken = min(damage, left)
        strength[target] = left - taken
        state.works_changed = True
        damage -= taken
        done += taken
    return done


def works_share_destroyed(
    landed: float, hex_area_m2: float, hit_radius_m: float, hits_to_destroy: float
) -> float:
    """Share of a hex's works (as built) that `landed` rounds wreck, landing at random in its
    `hex_area_m2`. The works are emplacements (weapon pits, covered trench bays, dugouts,
    blockhouses) spread over the hex; a round counts as a hit on one when it bursts within
    `hit_radius_m` of its centre, so each round hits a given emplacement with chance
    π r² / area, and an emplacement is wrecked by `hits_to_destroy` hits. Each round then wrecks
    on average π r² / (area × hits) of them, whatever their number: linear in the rounds (the
    same after one turn of n rounds or two of n/2) and a hundred times slower in a 1 km hex
    than in a 100 m one. Linear, not the Poisson tail: rounds landing on an emplacement already
    wrecked still count, so the last works go a little early; the exposure rule's trapezoid
    (`_exposures_while_damaging`) stays exact."""
    if landed <= 0 or hex_area_m2 <= 0.0:
        return 0.0
    return landed * math.pi * hit_radius_m**2 / (hex_area_m2 * hits_to_destroy)


def lane_after(lane: float, landed: float, hex_area_m2: float, clearing_radius_m: float) -> float:
    """A minefield's lane progress after `landed` rounds land at random in a hex of
    `hex_area_m2`: the share of the mines on the lane that are gone. A mine is set off or
    wrecked when a burst lands within `clearing_radius_m` of it, so each round takes a given
    mine with chance π r² / area and the mines still there are a share exp(-landed π r² /
    area) of those before: the progress moves to 1 - (1 - lane) × that. The same after one
    turn of n rounds or two of n/2, and never past 1."""
    if landed <= 0 or lane >= 1.0:
        return lane
    return 1.0 - (1.0 - lane) * math.exp(-landed * math.pi * clearing_radius_m**2 / hex_area_m2)


def lane_is_open(lane: float, density_per_m: float, lane_width_m: float, mines_left: float) -> bool:
    """A lane counts as open when the mines expected still on it, the field's `density_per_m`
    (mines per metre of front, every row of its depth) × `lane_width_m` × (1 - lane), are at
    most `mines_left`: then a file of men walking it meets none with chance about
    exp(-mines_left). A sparse field's footpath may hold fewer than that from the start: it
    opens with the first rounds."""
    return density_per_m * lane_width_m * (1.0 - lane) <= mines_left


def wire_left_after(
    lines: float, landed: float, rounds_per_line: float, hex_size_m: float
) -> float:
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
    """The rounds landed clear mines on a lane through the minefield (`lane_after`, open at
    `lane_is_open`) and cut the wire of `target`: returns the lane's progress (0..1) and the
    lines of wire left (`wire_left_after`)."""
    w = state.works
    lane = w.lane.item(target)
    if landed > 0 and w.mine_depth_m.item(target) > 0 and lane < 1.0:
        lane = lane_after(
            lane, landed, state.board.hex_area_m2, coefficients.shell_clearing_radius_m
        )
        if lane_is_open(
            lane,
            w.mine_density.item(target),
            coefficients.lane_width_m,
            coefficients.lane_open_mines_left,
        ):
            lane = 1.0
        w.lane[target] = lane
    wire_lines = w.wire_lines.item(target)
    if wire_lines > 0:
        wire_lines = wire_left_after(
            wire_lines, landed, coefficients.wire_rounds_per_line, state.board.hex_size_m
        )
        if wire_lines < 1e-3:  # a thousandth of a line: every line gapped
            wire_lines = 0.0
        w.wire_lines[target] = wire_lines
    return lane, wire_lines
