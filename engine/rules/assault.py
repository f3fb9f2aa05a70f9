"""Assault: close combat for a hex at rates per hour — the minefield, the defenders' close fire
(heavier for every uncut line of wire), their grenades, and hand-to-hand — until one side breaks.

An assault lasts the turn's hours, fought in short steps (`assault_steps_per_hour`): each step
costs each side casualties at its hourly rate times the step's length, so the same battle gives
the same losses at 15, 30, 60 or 120-minute turns, and a longer assault costs more. The rates
follow Lanchester's square law: each side's losses are proportional to the other side's
strength, so the force ratio acts smoothly, with no threshold. The hex is taken when the
defenders' losses in their present engagement (since they came into contact or last rallied, as a
share of the men they had then) reach their breaking point, and the attack is beaten off when the
attackers' reach theirs; breaking points are drawn for each unit at the start of the game
(rules/morale.py), and are `cut_off_break_factor` times higher for a unit with no line of retreat.
If neither side breaks within the turn the position holds for now ("repelled"), and the
attackers may go on next turn.

Attacks on one hex from several neighbouring hexes in the same turn are one assault: the
defenders' fire is shared among all the attackers, which is why assaults from three sides are
made.

Only the men on the frontage actually assaulted fight at once (`engaged_shares`): one assault
frontage (`assault_frontage_m`) per axis, out of the width of the hex. In 100 m hexes that is
everyone; in 1 km hexes it is about a battalion's worth of each regiment. A hex wider than the
frontage is fought for frontage after frontage: the men of a unit not yet engaged come up to fill
the places of its engaged men who are hit, so each unit keeps the engaged share of the men it has
left at grips (as a unit of a narrower hex has all of its men left), and a side gives way only
when the losses of ALL its men in the assault reach their breaking point. The hex falls only
when its whole garrison has given way, not when the first frontage does. The attackers' hours at
grips are spent by the men at grips (the engaged share of each unit), so a unit of which half is
engaged can keep up the assault twice as many hours. In 100 m hexes (every man engaged) nothing
comes up and the rule is the same as before; in wider hexes the losses per metre of front, and
the ground won for them, no longer depend on how the front is cut into hexes
(tests/test_assault_hexscale.py).
"""

from __future__ import annotations

import math

from ..core.dice import ASSAULT, roll
from ..core.events import Assaulted, Event, HexTaken
from ..core.state import POSTURE_INDEX, GameState
from .casualties import apply_casualties, draw_casualties, remove_men
from .fire import firer_factors, spend_rounds
from .morale import break_unit
from .movement import enemy_zone, mine_casualty_share
from .protection import product, vulnerability

_ATTACK = POSTURE_INDEX["attack"]
# The coefficients of the phases' formulas an assault records by name (docs/rules.md).
_BASE_TERMS = (
    "close_fire_casualties_per_firepower_hour",
    "vulnerability_attack",
    "grenade_casualties_per_throw",
    "melee_rate",
    "melee_defender_advantage",
)


def engaged_shares(frontage_m: float, axes: int, hex_size_m: float) -> tuple[float, float]:
    """The shares of the attackers' and of the defenders' men that take part in an assault.

    Each axis (a hex the attack comes from) assaults on one frontage of `frontage_m` metres out of
    the `hex_size_m` width of the hexes: the attackers of each axis engage
    min(1, frontage / width) of their men, the defenders min(1, frontage × axes / width) of theirs.
    """
    per_axis = frontage_m / hex_size_m
    return min(1.0, per_axis), min(1.0, per_axis * axes)


def _engaged(men: int, share: float) -> int:
    """The men of a unit on the assaulted frontage (all of them when the share is 1)."""
    return men if share >= 1.0 else int(men * share + 0.5)


def _spread(
    state: GameState,
    units: list[int],
    engaged: dict[int, int],
    expected: float,
    coefficients,
    events,
) -> tuple[int, float]:
    """Draw `expected` casualties among the engaged men of `units`, in proportion to them; take
    them off `engaged` too; return the total and the mean of the draw (after saturation)."""
    men = [engaged[i] for i in units]
    total_men = sum(men)
    if total_men <= 0 or expected <= 0:
        return 0, 0.0
    # Fire and grenades fall on men already hit as well as on the rest: the expected number
    # hit saturates as n(1 - exp(-E/n)) instead of exceeding the men there.
    expected = total_men * (1.0 - math.exp(-expected / total_men))
    killed_fraction = coefficients.close_combat_killed_fraction
    lost = 0
    for k, i in enumerate(units):  # not zip(strict=True), whose keyword alone costs more
        m = men[k]
        rng = roll(state, ASSAULT, i)
        hit = draw_casualties(rng, m, expected * m / total_men)
        apply_casualties(state, i, hit, coefficients, events, killed_fraction, rng=rng)
        engaged[i] = m - hit
        lost += hit
    return lost, expected


def assault_steps(hours: float, steps_per_hour: float) -> tuple[int, float]:
    """How many steps an assault of `hours` is fought in, and each step's length in hours: as
    near `steps_per_hour` steps an hour as whole steps allow, at least one."""
    steps = max(1, round(hours * steps_per_hour))
    return steps, hours / steps


def losses_counted(state: GameState, unit: int) -> float:
    """The losses of `unit` that count toward its breaking point: those of its present
    engagement, i.e. its killed, wounded, captured and drowned since its count was last reset
    (`break_base`, raised by rallying and by rest out of contact, rules/morale.py)."""
    u = state.units
    total = u.killed.item(unit) + u.wounded.item(unit) + u.captured.item(unit)
    return float(total + u.drowned.item(unit)) - u.break_base.item(unit)


def cut_off(state: GameState, unit: int) -> bool:
    """Whether `unit` has no line of retreat: it is not on an open border of the map, and every
    neighbouring hex is held by the enemy (a unit of the other side stands in it) or
    impassable. (A closed border, a sea, is no way out: such a hex is not an open `edge`.)"""
    board = state.board
    here = state.units.hex.item(unit)
    if here < 0 or board.edge[here]:
        return False
    held, _ = enemy_zone(state, state.units.side.item(unit))
    passable = board.passable
    return all(n in held or not passable[n] for n in board.neighbors[here])


def break_point(
    state: GameState, units: list[int], coefficients=None
) -> tuple[float, float, float]:
    """(losses so far, men at the start, breaking point) of a group of units: the losses of
    their present engagement (`losses_counted`: since they came into contact, or last rallied)
    over the men they had when it began (their men now plus those losses: a side gives way on
    the losses of all its men, not of the share of them at grips), and the men-weighted mean of
    their drawn breaking points (inf when one of them fights to the last), each ×
    `cut_off_break_factor` (of `coefficients`, when given) for a unit with no line of retreat
    (`cut_off`)."""
    u = state.units
    lost = start = weighted = 0.0
    factor = coefficients.cut_off_break_factor if coefficients is not None else 1.0
    for i in units:
        counted = losses_counted(state, i)
        men = u.men.item(i) + counted  # the men it had when the engagement began
        lost += counted
        start += men
        breaks = u.break_share.item(i)
        if factor != 1.0 and cut_off(state, i):
            breaks *= factor
        weighted += breaks * men
    if start <= 0:
        return 0.0, 1.0, math.inf
    return lost, start, weighted / start


def resolve_assault(
    state: GameState,
    target: int,
    attackers: list[int],
    coefficients,
    events: list[Event],
    hours: float | None = None,
) -> str:
    """Fight for hex `target` for `hours` (the turn's, by default); returns the outcome
    ("taken", "repelled", or "rested": the attackers had no hours of assault in hand, nothing
    was fought and nothing is recorded).

    What acts on one side's units reads that side's coefficients (its `side_rules`): the
    attackers' losses (mines, close fire, grenades, hand to hand) and breaking read the
    attackers', the defenders' losses, ammunition, grenades and giving way the defenders'; the
    assault's steps and frontage the common ones. That holds when `coefficients` are the game's
    own; other coefficients (a what-if) serve both sides."""
    c = coefficients
    u, w, board = state.units, state.works, state.board
    hours = state.turn_hours if hours is None else hours
    side = int(u.side[attackers[0]])
    enemy = 1 - side
    own = state.side_coefficients if c is state.coefficients and state.side_coefficients else None
    ca, cd = (own[side], own[enemy]) if own else (c, c)
    defenders = [d for d in state.units_at(target, enemy) if u.men.item(d) > 0]
    fighting = [d for d in defenders if not u.routed.item(d)]
    for a in attackers:
        u.posture[a] = _ATTACK
    night = state.is_night()
    axes = len({u.hex.item(a) for a in attackers})
    steps, step_hours = assault_steps(hours, c.assault_steps_per_hour)
    modifiers: dict[str, float] = {"axes": float(axes), "hours": hours}
    # Only the men on the assaulted frontage fight; the rest of each unit is not touched.
    attack_share, defend_share = engaged_shares(c.assault_frontage_m, axes, board.hex_size_m)
    if attack_share < 1.0 or defend_share < 1.0:
        modifiers["attackers_engaged_share"] = round(attack_share, 4)
        modifiers["defenders_engaged_share"] = round(defend_share, 4)
    engaged = {a: _engaged(u.men.item(a), attack_share) for a in attackers}
    engaged |= {d: _engaged(u.men.item(d), defend_share) for d in fighting}
    at_start = dict(engaged)
    # In a hex wider than the frontage, the men not engaged come up to fill the places of the
    # engaged men hit, keeping the engaged share of each unit's men left on the frontage (never
    # in 100 m hexes, where every man is engaged from the start).
    reserves = attack_share < 1.0 or defend_share < 1.0
    came_up = [0, 0]  # attackers, defenders
    losses = {"mines": 0, "approach": 0, "grenades": 0, "melee": 0}
    defender_losses = {"fire": 0, "melee": 0, "captured": 0}
    # The numbers behind each phase, for the record (the event's explanation).
    means = {"mines": 0.0, "approach": 0.0, "grenades": 0.0, "melee": 0.0}
    defender_means = {"melee": 0.0}
    close_fire: dict[str, dict[str, float]] = {}
    melee: list[dict[str, float]] = []

    # What stays the same for the whole assault.
    mines = 0.0
    if int(w.owner[target]) == enemy:  # laid by the defenders, crossed by the attackers
        mines = mine_casualty_share(state, target, ca) * ca.minefield_crossings_per_hour
        if mines > 0:
            modifiers["mine_share_per_hour"] = round(mines, 4)
    wire = float(w.wire_lines[target])
    wire_factor = 1.0 + wire * ca.wire_exposure_per_line
    modifiers["wire_lines"] = round(wire, 3)
    modifiers["wire"] = round(wire_factor, 4)
    # Each defender's close fire per hour at the strength it starts the assault with.
    fire_rate: dict[int, float] = {}
    for d in fighting:
        factors = firer_factors(state, d, 1, ca)
        close_fire[u.ids[d]] = {"firepower": float(u.firepower[d])} | factors
        fire_rate[d] = (
            ca.close_fire_casualties_per_firepower_hour
            * float(u.firepower[d])
            * wire_factor
            * product(factors)
            * defend_share  # the weapons on the assaulted frontage
            * ca.vulnerability_attack
        )
    modifiers["close_fire_per_hour"] = round(sum(fire_rate.values()), 3)
    blockhouse = 1.0
    if w.blockhouse_strength_start[target] > 0:
        intact = float(w.blockhouse_strength[target] / w.blockhouse_strength_start[target])
        blockhouse = 1.0 + (cd.blockhouse_protection - 1.0) * intact
    modifiers["blockhouse"] = round(blockhouse, 4)
    posture = 1.0
    if fighting:  # the defenders' works shield them at close quarters as from aimed fire
        posture = vulnerability(state, fighting[0], cd).get("posture", 1.0)
    modifiers["defenders_posture"] = round(posture, 4)
    # Each side gives way on the losses of all its men in the assault, engaged or yet to come up.
    attack_lost, attack_men0, attack_breaks = break_point(state, attackers, ca)
    defend_lost, defend_men0, defend_breaks = break_point(state, fighting, cd)
    modifiers["attackers_break_at"] = round(attack_breaks, 4)
    modifiers["defenders_give_way_at"] = round(defend_breaks, 4)
    attack_quality = _mean_quality(state, attackers)
    defend_quality = _mean_quality(state, fighting)
    thrown_total = 0.0
    outcome = "repelled" if fighting else "taken"
    fought = 0.0  # hours

    # Hours at grips: the attackers fight on for as long as they have hours of assault in hand
    # (their men-weighted mean), in whole steps; with none, they re-form and no assault is fought.
    # Only the engaged share of their men is at grips, so an hour fought spends that share of an
    # hour of the units' mean.
    in_hand = _hours_in_hand(state, attackers)
    if in_hand < hours * attack_share:
        modifiers["hours_in_hand"] = round(in_hand, 4)
        steps = min(steps, int(in_hand / (step_hours * attack_share) + 1e-9))
        if steps == 0 and fighting:
            return "rested"
    if attack_lost >= attack_breaks * attack_men0:  # broken before: they will not go in
        steps = 0
        modifiers["attackers_broke"] = 1.0
        for a in attackers:
            break_unit(state, a, ca, events)
    for _ in range(steps if fighting else 0):
        if reserves:
            _come_up(u, attackers, engaged, attack_share, came_up, 0)
            _come_up(u, fighting, engaged, defend_share, came_up, 1)
        attack_men = sum([engaged[a] for a in attackers])
        defend_men = sum([engaged[d] for d in fighting])
        if attack_men <= 0:
            break
        if defend_men <= 0:
            outcome = "taken"
            break
        fought += step_hours
        # 1. The minefield: a fresh crossing by the men coming forward each hour.
        if mines > 0:
            hit, mean = _spread(
                state, attackers, engaged, mines * attack_men * step_hours, ca, events
            )
            losses["mines"] += hit
            means["mines"] += mean
        # 2. The defenders' close fire, for as long as their rounds last.
        expected = 0.0
        for d in fighting:
            if at_start[d] <= 0:
                continue
            strength = engaged[d] / at_start[d]
            needed = (
                (float(u.firepower[d]) * cd.close_fire_rounds_per_firepower_hour * defend_share)
                * strength
                * step_hours
            )
            ammunition = spend_rounds(state, d, needed, cd).get("ammunition", 1.0)
            if ammunition < 1.0:
                close_fire[u.ids[d]]["ammunition"] = round(ammunition, 4)
            expected += fire_rate[d] * strength * ammunition * step_hours
        hit, mean = _spread(state, attackers, engaged, expected, ca, events)
        losses["approach"] += hit
        means["approach"] += mean
        # 3. Grenades, while the defenders have them.
        thrown = 0.0
        for d in fighting:
            throw = min(
                float(u.grenades[d]) * defend_share,  # the grenades of the engaged men
                cd.grenades_per_defender_hour * float(engaged[d]) * step_hours,
            )
            u.grenades[d] -= throw
            thrown += throw
        thrown_total += thrown
        hit, mean = _spread(
            state, attackers, engaged, thrown * ca.grenade_casualties_per_throw, ca, events
        )
        losses["grenades"] += hit
        means["grenades"] += mean
        # 4. Hand to hand: only so many attackers reach the defenders at once, the frontage
        # of the position on each side it is attacked from.
        attack_men = sum([engaged[a] for a in attackers])
        defend_men = sum([engaged[d] for d in fighting])
        reaching = min(attack_men, cd.melee_frontage_per_defender * axes * defend_men)
        on_attackers = (
            ca.melee_rate
            * defend_men
            * (0.5 + defend_quality)
            * ca.melee_defender_advantage
            * step_hours
        )
        on_defenders = (
            cd.melee_rate * reaching * (0.5 + attack_quality) * blockhouse * posture * step_hours
        )
        melee.append(
            {
                "hours": round(fought, 4),
                "attackers": float(attack_men),
                "defenders": float(defend_men),
                "reaching": float(reaching),
            }
        )
        hit, mean = _spread(state, attackers, engaged, on_attackers, ca, events)
        losses["melee"] += hit
        means["melee"] += mean
        hit_d, mean_d = _spread(state, fighting, engaged, on_defenders, cd, events)
        defender_losses["melee"] += hit_d
        defender_means["melee"] += mean_d
        # 5. Does either side give way? (Losses of the present engagement, so that a position
        # worn down over several turns in contact breaks as one worn down in one.)
        attackers_lost = attack_lost + sum(losses.values())
        defenders_lost = defend_lost + defender_losses["melee"]
        if defenders_lost >= defend_breaks * defend_men0 or not any(
            [u.men.item(d) for d in fighting]  # none left, engaged or to come up
        ):
            outcome = "taken"
            break
        if attackers_lost >= attack_breaks * attack_men0:
            modifiers["attackers_broke"] = 1.0
            for a in attackers:  # broken off: they go to ground and fall back
                break_unit(state, a, ca, events)
            break

    for a in attackers:  # the hours at grips are spent, by the engaged share of the men
        u.grip_hours[a] = max(0.0, u.grip_hours.item(a) - fought * attack_share)
    modifiers["hours_fought"] = round(fought, 4)
    if reserves:
        modifiers["attackers_came_up"] = float(came_up[0])
        modifiers["defenders_came_up"] = float(came_up[1])
    modifiers["grenades_thrown"] = round(thrown_total, 1)
    if outcome == "taken":
        _take_hex(state, target, attackers, defenders, defender_losses, events)
    state.assaults.append((state.turn, enemy, outcome))
    if state.record_events:
        events.append(
            Assaulted(
                state.turn,
                tuple([u.ids[a] for a in attackers]),
                tuple([u.ids[d] for d in defenders]),
                board.label(target),
                state.side_ids[side],
                outcome,
                losses,
                defender_losses,
                modifiers | ({"night": c.night_fire_factor} if night else {}),
                {name: getattr(c, name) for name in _BASE_TERMS},
                close_fire,
                means,  # exact values, not rounded: round() costs more than the rule's arithmetic
                defender_means,
                tuple(melee),
            )
        )
    return outcome


def _come_up(u, units: list[int], engaged: dict[int, int], share: float, came_up, k: int) -> None:
    """Fill the places of the engaged men of `units` who were hit with men of the same unit not
    yet engaged, so that each unit has the engaged `share` of the men it has left on the
    frontage (as a unit of a narrower hex, all engaged, has all its men left); count the men who
    came up in `came_up[k]`."""
    for i in units:
        fill = _engaged(u.men.item(i), share) - engaged[i]
        if fill > 0:
            engaged[i] += fill
            came_up[k] += fill


def _men_weighted(state: GameState, units: list[int], values, empty: float) -> float:
    """The mean of a unit array's `values` over `units`, weighted by the men each has left
    (`empty` with none left)."""
    u = state.units
    # item(): plain numbers, as numpy's scalar access is slow in such short loops
    men = sum([u.men.item(i) for i in units])
    if men <= 0:
        return empty
    return sum([values.item(i) * u.men.item(i) for i in units]) / men


def _hours_in_hand(state: GameState, units: list[int]) -> float:
    """The hours of assault `units` have in hand, weighted by their men (inf: unlimited)."""
    return _men_weighted(state, units, state.units.grip_hours, 0.0)


def _mean_quality(state: GameState, units: list[int]) -> float:
    """The quality of `units`, weighted by the men each has left (0.5 with none left)."""
    return _men_weighted(state, units, state.units.quality, 0.5)


def _take_hex(state, target, attackers, defenders, defender_losses, events) -> None:
    """The attackers move in and the defenders who are left fall back, routed, to a free
    neighbouring hex; with none free, they are captured. The hex falls only once its whole
    garrison has given way (a wider hex's men not yet engaged came up and fought in turn), so
    every defender left has given way with the rest."""
    u, board = state.units, state.board
    side = int(u.side[attackers[0]])
    held, zone = enemy_zone(state, 1 - side)  # hexes of the attackers' side, and next to them
    for d in defenders:
        if u.men[d] <= 0:  # none left of it: gone now, not left in the hex the attackers take
            u.gone[d] = True
            continue
        exits = [
            n
            for n in board.neighbors[target]
            if n not in held and board.passable[n] and not board.water[n]
        ]
        safe = [n for n in exits if n not in zone] or exits
        if safe:
            u.hex[d] = min(safe, key=lambda n: (n in zone, n))
            u.routed[d] = True
        else:
            defender_losses["captured"] += remove_men(state, d, int(u.men[d]), "captured")
            u.gone[d] = True
    for a in attackers:
        if u.men[a] > 0:
            u.hex[a] = target
    state.control[target] = side
    place = next((name for name, h in board.places.items() if h == target), None)
    events.append(HexTaken(state.turn, board.label(target), state.side_ids[side], place))
