"""Assault: close combat for a hex, in phases — the minefield, the approach under close fire
(longer for every uncut line of wire), the grenades, then rounds of hand-to-hand.

Attacks on one hex from several neighbouring hexes in the same turn are one assault: the defenders'
fire is shared among all the attackers, which is why assaults from three sides are made.
The attack is beaten off when the attackers' losses in it pass their breaking point, and the hex
is taken when the defenders' losses in it pass theirs (or none are left); if neither gives way
within the rounds of hand-to-hand, the attack has failed to carry the position.

Only the men on the frontage actually assaulted fight (`engaged_shares`): one assault frontage
(`assault_frontage_m`) per axis, out of the width of the hex. In 100 m hexes that is everyone, as
before; in 1 km hexes it is about a battalion's worth of each regiment. Men not engaged are neither
hit nor counted toward either side's breaking point; when the engaged defenders give way the whole
hex falls and every defender in it falls back as before (with no way out, the men who gave way are
captured, and those not engaged, trapped, partly surrender and fight on to the end).
"""

from __future__ import annotations

import math

from ..core.events import Assaulted, Event, HexTaken
from ..core.state import POSTURE_INDEX, GameState
from .casualties import apply_casualties, draw_casualties, remove_men
from .fire import firer_factors, spend_rounds
from .movement import enemy_zone, mine_casualty_share
from .protection import product

_ATTACK = POSTURE_INDEX["attack"]
# The coefficients of the phases' formulas an assault records by name (docs/rules.md).
_BASE_TERMS = (
    "close_fire_casualties_per_firepower",
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
        hit = draw_casualties(state.rng, m, expected * m / total_men)
        apply_casualties(state, i, hit, coefficients, events, killed_fraction)
        engaged[i] = m - hit
        lost += hit
    return lost, expected


def resolve_assault(
    state: GameState, target: int, attackers: list[int], coefficients, events: list[Event]
) -> str:
    """Fight for hex `target`; returns the outcome ("taken", "repelled")."""
    u, w, board = state.units, state.works, state.board
    side = int(u.side[attackers[0]])
    enemy = 1 - side
    defenders = [d for d in state.units_at(target, enemy) if u.men.item(d) > 0]
    fighting = [d for d in defenders if not u.routed.item(d)]
    for a in attackers:
        u.posture[a] = _ATTACK
    night = state.is_night()
    axes = len({u.hex.item(a) for a in attackers})
    modifiers: dict[str, float] = {"axes": float(axes)}
    # Only the men on the assaulted frontage fight; the rest of each unit is not touched.
    attack_share, defend_share = engaged_shares(
        coefficients.assault_frontage_m, axes, board.hex_size_m
    )
    if attack_share < 1.0 or defend_share < 1.0:
        modifiers["attackers_engaged_share"] = round(attack_share, 4)
        modifiers["defenders_engaged_share"] = round(defend_share, 4)
    engaged = {a: _engaged(u.men.item(a), attack_share) for a in attackers}
    engaged |= {d: _engaged(u.men.item(d), defend_share) for d in fighting}
    start_men = sum([engaged[a] for a in attackers])
    defenders_at_start = sum([engaged[d] for d in fighting])
    losses = {"mines": 0, "approach": 0, "grenades": 0, "melee": 0}
    defender_losses = {"fire": 0, "melee": 0, "captured": 0}
    # The numbers behind each phase, for the record (the event's explanation).
    means = {"mines": 0.0, "approach": 0.0, "grenades": 0.0, "melee": 0.0}
    defender_means = {"melee": 0.0}
    close_fire: dict[str, dict[str, float]] = {}
    melee: list[dict[str, float]] = []

    # 1. The minefield: laid by the defenders, crossed by every attacker.
    if int(w.owner[target]) == enemy:
        share = mine_casualty_share(state, target, coefficients)
        if share > 0:
            modifiers["mine_share"] = round(share, 4)
            losses["mines"], means["mines"] = _spread(
                state, attackers, engaged, share * start_men, coefficients, events
            )

    # 2. The approach under the defenders' close fire, held up at every uncut line of wire.
    wire = float(w.wire_lines[target])
    wire_factor = 1.0 + wire * coefficients.wire_exposure_per_line
    modifiers["wire_lines"] = round(wire, 3)
    modifiers["wire"] = round(wire_factor, 4)
    expected = 0.0
    for d in fighting:
        factors = firer_factors(state, d, 1, coefficients)
        # As in direct fire: the share of the close fire fired without rounds is weak.
        needed = float(u.firepower[d]) * coefficients.close_fire_rounds_per_firepower * defend_share
        factors.update(spend_rounds(state, d, needed, coefficients))
        close_fire[u.ids[d]] = {"firepower": float(u.firepower[d])} | factors
        expected += (
            coefficients.close_fire_casualties_per_firepower
            * float(u.firepower[d])
            * wire_factor
            * product(factors)
            * defend_share  # the weapons on the assaulted frontage
        )
    expected *= coefficients.vulnerability_attack
    modifiers["close_fire_expected"] = round(expected, 3)
    losses["approach"], means["approach"] = _spread(
        state, attackers, engaged, expected, coefficients, events
    )

    # 3. Grenades at the last few metres, while the defenders have them.
    thrown = 0.0
    for d in fighting:
        throw = min(
            float(u.grenades[d]) * defend_share,  # the grenades of the engaged men
            coefficients.grenades_per_defender * float(engaged[d]),
        )
        u.grenades[d] -= throw
        thrown += throw
    modifiers["grenades_thrown"] = round(thrown, 1)
    losses["grenades"], means["grenades"] = _spread(
        state,
        attackers,
        engaged,
        thrown * coefficients.grenade_casualties_per_throw,
        coefficients,
        events,
    )

    # 4. Hand to hand.
    breaking = coefficients.assault_break_loss * (
        0.5 + sum([u.quality.item(a) * engaged[a] for a in attackers]) / max(start_men, 1)
    )
    giving_way = coefficients.defender_break_loss * (0.5 + _mean_quality(state, fighting))
    modifiers["break_at_loss_share"] = round(breaking, 4)
    modifiers["defenders_give_way_at"] = round(giving_way, 4)
    outcome = "repelled"
    # The engaged attackers left (every man a phase hits comes off `engaged` as well).
    attack_men = start_men - losses["mines"] - losses["approach"] - losses["grenades"]
    lost_share = (start_men - attack_men) / max(start_men, 1)
    if not fighting:
        outcome = "taken"
    elif lost_share < breaking:
        blockhouse = 1.0
        if w.blockhouse_strength_start[target] > 0:
            intact = float(w.blockhouse_strength[target] / w.blockhouse_strength_start[target])
            blockhouse = 1.0 + (coefficients.blockhouse_protection - 1.0) * intact
        modifiers["blockhouse"] = round(blockhouse, 4)
        defend_men = defenders_at_start
        for _ in range(int(coefficients.melee_rounds)):
            if attack_men <= 0 or defend_men <= 0:
                break
            attack_quality = _mean_quality(state, attackers)
            defend_quality = _mean_quality(state, fighting)
            # Only so many attackers reach the defenders at once: the frontage of the position
            # on each side it is attacked from.
            reaching = min(attack_men, coefficients.melee_frontage_per_defender * axes * defend_men)
            melee.append(
                {
                    "defenders": float(defend_men),
                    "reaching": float(reaching),
                    "attackers_quality": attack_quality,
                    "defenders_quality": defend_quality,
                }
            )
            attackers_hit, attackers_mean = _spread(
                state,
                attackers,
                engaged,
                coefficients.melee_rate
                * defend_men
                * (0.5 + defend_quality)
                * coefficients.melee_defender_advantage,
                coefficients,
                events,
            )
            defenders_hit, defenders_mean = _spread(
                state,
                fighting,
                engaged,
                coefficients.melee_rate * reaching * (0.5 + attack_quality) * blockhouse,
                coefficients,
                events,
            )
            losses["melee"] += attackers_hit
            defender_losses["melee"] += defenders_hit
            means["melee"] += attackers_mean
            defender_means["melee"] += defenders_mean
            attack_men -= attackers_hit
            defend_men -= defenders_hit
            lost_share = (start_men - attack_men) / max(start_men, 1)
            defenders_lost = (defenders_at_start - defend_men) / max(defenders_at_start, 1)
            if lost_share >= breaking:
                break
            if defend_men == 0 or defenders_lost >= giving_way:
                outcome = "taken"
                break

    if outcome == "taken":
        _take_hex(
            state, target, attackers, defenders, engaged, defender_losses, coefficients, events
        )
    state.assaults.append((state.turn, enemy, outcome))
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
            modifiers | ({"night": coefficients.night_fire_factor} if night else {}),
            {name: getattr(coefficients, name) for name in _BASE_TERMS},
            close_fire,
            means,  # exact values, not rounded: round() costs more than the rule's arithmetic
            defender_means,
            tuple(melee),
        )
    )
    return outcome


def _mean_quality(state: GameState, units: list[int]) -> float:
    """The quality of `units`, weighted by the men each has left (0.5 with none left)."""
    u = state.units
    # item(): plain numbers, as numpy's scalar access is slow in such short loops
    men = sum([u.men.item(i) for i in units])
    if men <= 0:
        return 0.5
    return sum([u.quality.item(i) * u.men.item(i) for i in units]) / men


def _take_hex(
    state, target, attackers, defenders, engaged, defender_losses, coefficients, events
) -> None:
    """The attackers move in and the defenders who are left, engaged or not, fall back to a free
    neighbouring hex: once the men on the assaulted frontage give way the whole hex falls, the
    rest of its defenders being outflanked from inside their own position. With no way out, the
    men who gave way are captured; the men not engaged are trapped, and as a trapped unit does
    (rules/morale.py) a share of them surrender and the rest fight on to the end."""
    u, board = state.units, state.board
    side = int(u.side[attackers[0]])
    held, zone = enemy_zone(state, 1 - side)  # hexes of the attackers' side, and next to them
    for d in defenders:
        if u.men[d] <= 0:
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
            # Routed defenders took no part: they count as having given way with the rest.
            beaten = min(engaged.get(d, int(u.men[d])), int(u.men[d]))
            trapped = int(u.men[d]) - beaten
            if trapped > 0:  # only in hexes wider than the assault's frontage
                taken = int(state.rng.binomial(trapped, coefficients.trapped_captured_fraction))
                defender_losses["captured"] += remove_men(state, d, taken, "captured")
                fought_on = remove_men(state, d, trapped - taken, "killed")
                defender_losses["fought_on"] = defender_losses.get("fought_on", 0) + fought_on
            defender_losses["captured"] += remove_men(state, d, int(u.men[d]), "captured")
            u.gone[d] = True
    for a in attackers:
        if u.men[a] > 0:
            u.hex[a] = target
    state.control[target] = side
    place = next((name for name, h in board.places.items() if h == target), None)
    events.append(HexTaken(state.turn, board.label(target), state.side_ids[side], place))
