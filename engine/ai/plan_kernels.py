"""The computer player's plan mode as kernels (engine/kernels/jit.py): `plan_side` decides every
order of one side in one turn, `ration_rounds` what a gun may fire under the side's fire plan.

Why kernels: the plan mode is the computer player's common case (every shipped scenario's plans,
both sides of the goldens), asked twice a turn, and its decisions are loops over units and hexes
that a compiled turn runs in microseconds (docs/speed.md, stage 5). The wrapper is
`engine/ai/planner.py` (`plan_orders` in mode "plan"): it flattens the side's plan into a
`PlanTables` bundle once for the games of a scenario (the phases as columns, the units' guns,
the board's neighbours, the time fields toward every hex an attack may aim at, computed by
movement's `time_field` in Python), and turns the kernel's order rows (engine/core/orders.py
`ROW_WIDTH`: kind, unit, hex, rounds) into `Order`s (`rows_to_orders`), until the compiled turn
takes the rows themselves (docs/speed.md, stage 4).

`plan_side` asks the plan's clock itself (engine/ai/triggers.py `clock_times`, a kernel, with
the game's records as arrays), finds each unit's phase and who is on the map: one call a side a
turn (`plan_turn`: both sides in one call), engineers' breaching included (engineering's
kernel `breach_choice`). The adaptive mode stays Python (planner.py) and shares `ration_rounds`
and `spread_rounds` with these.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..core.board import hex_distance
from ..core.orders import ASSAULT as O_ASSAULT
from ..core.orders import BOMBARD as O_BOMBARD
from ..core.orders import HOLD as O_HOLD
from ..core.orders import MOVE as O_MOVE
from ..core.orders import NO_NUMBER
from ..core.orders import WITHDRAW as O_WITHDRAW
from ..kernels.jit import kernel
from ..rules.engineering import breach_choice
from .triggers import clock_times

# Tasks (engine/scenario/models.py `Task`) as small integers, in `TASK_CODES`' order (planner.py).
T_MOVE, T_ATTACK, T_ASSAULT, T_BOMBARD, T_HOLD, T_COUNTER, T_FALL_BACK, T_WITHDRAW = range(8)
T_PURSUE, T_BREAK_OUT = 8, 9
# Orders are rows of engine/core/orders.py (`ROW_WIDTH`): (kind, unit, hex, rounds), the kinds
# the built-in codes imported above (O_*; a breach's from engineering's `breach_choice`), hex and
# rounds NO_NUMBER (-1) where the kind has none.
# `only_when` of a phase.
W_ANY, W_NIGHT, W_DAY = range(3)
NEVER = 10**9  # the end of a phase without one (engine/ai/triggers.py)

# A game's bundle for `plan_turn` (planner.py `_plan_turn_bundle`): `numbers` (turn, night 0/1,
# total turns: written by the caller each turn, so that the call hands over the same objects
# turn after turn) and `rows` (units × ROW_WIDTH: the orders, `plan_side`'s output).
PlanTurn = namedtuple("PlanTurn", ("numbers", "rows"))

# What the plan-mode kernel reads that the scenario fixes for one side, shared by the scenario's
# games (planner.py `_plan_tables`), and the game's own scratch.
#   per phase: task (T_*), objective and fall_back (hex, -1 none), only_when (W_*), axes,
#     rounds (the phase's allotment, NaN none); members: phases × units, who follows it
#   places_to_hold: the hexes of the side's `hold` victory conditions (the standing reflex)
#   per unit: gunners (guns or mortars to bombard with), engineers (they breach the obstacles
#     on an attack's axis first: engineering's `breach_choice`), fire_rate (rounds an hour of
#     all its tubes), budget (the ammunition budget its guns draw on, -1 their own rounds); its
#     weapons, padded to the most any unit has: w_min, w_max (metres; a pad has w_min inf),
#     w_rate (tubes × rounds an hour), w_budget (-2 for a pad)
#   per hex: works_owner (who built its works, at the start: what the gun commander's map
#     shows), neighbors (hex × 6, the board's order, -1 pads), dry (passable, not water),
#     water, q and r (axial); hex_size_m
#   field_of (hex -> row of `fields`, -1 none) and fields (hours at 1 km/h to that hex from
#     every hex: movement's `time_field`) for every hex within two of an objective
#   scratch, zero between calls: enemy_men and fleeing per hex, planned (the fire plan)
#   scratch, written before it is read: candidates (7 × 3, `_bombard`'s targets), around (6,
#     `_attack`'s hexes), drawing and weight (per unit, `ration_rounds`), active, current and
#     began (per unit: who is in the fight, `unit_phases`' phases and their starts), man_with
#     (per place to hold, the standing reflex's picks) and order (3: one unit's order): each
#     game's own, so that the kernels that use
#     them make no array and borrow (engine/kernels/jit.py)
PlanTables = namedtuple(
    "PlanTables",
    (
        "task",
        "objective",
        "fall_back",
        "only_when",
        "axes",
        "rounds",
        "members",
        "places_to_hold",
        "gunners",
        "engineers",
        "fire_rate",
        "budget",
        "w_min",
        "w_max",
        "w_rate",
        "w_budget",
        "works_owner",
        "neighbors",
        "dry",
        "water",
        "q",
        "r",
        "hex_size_m",
        "field_of",
        "fields",
        "enemy_men",
        "fleeing",
        "planned",
        "candidates",
        "around",
        "drawing",
        "weight",
        "active",
        "current",
        "began",
        "man_with",
        "order",
    ),
)


@kernel(borrows=True)
def spread_rounds(per_turn, k):
    """The whole rounds of turn `k` (0 the first) of a phase that fires `per_turn` rounds a turn,
    a fraction allowed: floor((k + 1) × per_turn) - floor(k × per_turn), so the rounds of turns
    0 .. n-1 add up to floor(n × per_turn), within one round of the phase's rounds whatever the
    turns' length (it telescopes).

    Rounding each turn's share half up gave 15-minute turns up to half a round a unit a turn
    more (or less) than 2-hour turns over the same hours (issue 16). A remainder carried by the
    clock, not in the state nor drawn from the game's generator: the computer player keeps no
    memory of its own between turns (its orders follow from the state), and it draws nothing,
    since a replay gives the orders and does not ask it again (a draw here would shift every
    later draw of the rules and part the replay from the game). Where `per_turn` changes from
    turn to turn (a phase without an allotment, sharing what the budget holds) each turn still
    gets floor or ceiling of its share, the ceiling about as often as the fraction."""
    k = max(k, 0)
    return int(math.floor((k + 1) * per_turn) - math.floor(k * per_turn))


@kernel(borrows=True)
def ration_rounds(
    i, k, start, end, allotted, sharing, turn, side, times, unit_side, budget_rounds, total, t
):
    """Rounds unit i may fire this turn under its side's fire plan, in its phase: the plan's
    phase k (-1: a phase not in the plan, the adaptive player's) running from turn `start` to
    `end`, with `allotted` rounds (NaN: none), followed by the units of `sharing` (per unit).

    A phase with a `rounds` allotment spends it evenly over its hours; phases without one share
    what the budget holds beyond the allotments still to come, evenly over their hours. Units
    drawing on one budget in one phase split it by how fast their tubes fire. `times`: each
    plan phase's (start, end) turns; `total`: the game's turns."""
    budget = t.budget[i]
    if budget < 0:
        return -1
    count = unit_side.shape[0]
    drawing = t.drawing  # units of the side whose guns draw on the budget
    weight = t.weight
    for j in range(count):
        drawing[j] = False
        weight[j] = 0.0
    for j in range(count):
        if unit_side[j] != side:
            continue
        for m in range(t.w_budget.shape[1]):
            if t.w_budget[j, m] == budget:
                drawing[j] = True
                weight[j] += t.w_rate[j, m]
    # The budget's phases still to run that its units follow, the current one among them (in
    # the plan's order, or after them if it is not one of them).
    left_allotted = 0.0
    open_turns = 0
    counted = False
    for p in range(times.shape[0] + 1):
        if p < times.shape[0]:
            if t.task[p] != T_BOMBARD or times[p, 1] <= turn:
                continue
            used = False
            for j in range(count):
                if drawing[j] and t.members[p, j]:
                    used = True
                    break
            if not used:
                continue
            counted = counted or p == k
            p_start, p_end, p_rounds = times[p, 0], times[p, 1], t.rounds[p]
        else:
            if counted:
                break
            p_start, p_end, p_rounds = start, end, allotted
        span = max(p_end - p_start, 1) if p_end < NEVER else total - p_start
        remaining = max(min(p_end, total) - max(p_start, turn), 0)
        if not np.isnan(p_rounds):
            left_allotted += p_rounds * remaining / max(span, 1)
        else:
            open_turns += remaining
    weights = 0.0  # of the units sharing the budget in this phase (or of unit i alone)
    users = 0
    for j in range(count):
        if drawing[j] and sharing[j]:
            weights += weight[j]
            users += 1
    if users == 0:
        weights = weight[i]
    if weights == 0.0:
        weights = 1.0
    if not np.isnan(allotted):
        per_turn = allotted / max(end - start, 1)
    else:
        per_turn = max(budget_rounds[budget] - left_allotted, 0.0) / max(open_turns, 1)
    return spread_rounds(per_turn * weight[i] / weights, turn - start)


@kernel(borrows=True)
def unit_phases(turn, night, times, t):
    """The phase each unit follows this turn (-1: none), into `t.current`: of the phases
    running now that name it and allow the hour (`only_when`), the latest begun (the plan's
    later one on a tie). One pass over the phases running now."""
    current = t.current
    began = t.began  # the start of each unit's phase so far
    current[:] = -1
    began[:] = -1
    count = current.shape[0]
    for p in range(times.shape[0]):
        start = times[p, 0]
        if not (start <= turn < times[p, 1]):
            continue
        if not (t.only_when[p] == W_ANY or (t.only_when[p] == W_NIGHT) == night):
            continue
        for i in range(count):
            if t.members[p, i] and (current[i] < 0 or start >= began[i]):
                current[i] = p
                began[i] = start


@kernel(borrows=True)
def _spent(i, u, c):
    """Too weak or too shaken to attack."""
    strength = u.men[i] / max(float(u.men_start[i]), 1.0)
    return strength < c.ai_spent_strength or u.morale[i] < c.ai_spent_morale


@kernel(borrows=True)
def _works_intact(h, w):
    """Share of a hex's works still standing (0 where there are none)."""
    start = float(w.fort_strength_start[h] + w.blockhouse_strength_start[h])
    if start <= 0:
        return 0.0
    return float(w.fort_strength[h] + w.blockhouse_strength[h]) / start


@kernel(borrows=True)
def _send_tier(k, place, t):
    """How readily the standing reflex sends a unit on phase k (-1: none) to man `place` (lower
    first; -1: never, its phase says otherwise or is about that very place). Who it may send,
    first choice first: a unit on a standing task (holding a post, counter-attacking from it)
    or on none; failing that, a unit on its way somewhere (a march, an attack, a pursuit). A
    unit falling back, withdrawing or breaking out is not turned round, and guns keep firing."""
    if k < 0:
        return 0
    task = t.task[k]
    standing = task in (T_HOLD, T_COUNTER)
    if standing and place >= 0 and t.objective[k] == place:
        return -1
    if standing:
        return 0
    if task in (T_MOVE, T_ATTACK, T_ASSAULT, T_PURSUE):
        return 1
    return -1


@kernel(borrows=True)
def _needs_manning(i, only_keepers, side, place, active, current, u, w, c, t):
    """Whether the side's place needs a unit sent to it, counting as its garrison the side's
    units there that still fight: not routed and not spent (below `ai_spent_strength` of its
    men or `ai_spent_morale`; a handful of shaken survivors is not a garrison). It does when
    nobody able is there, or the enemy next to it has the odds the adaptive attacker asks to
    assault those who are (`ai_attack_ratio` where works stand, `ai_hasty_attack_ratio` where
    none do). `only_keepers`: of the garrison only those the standing reflex counts for unit i
    (those whose phase keeps them there, and of those who might leave, the ones before i)."""
    held = 0
    for j in range(u.side.shape[0]):
        if not active[j] or u.side[j] != side or u.hex[j] != place or u.routed[j]:
            continue
        if only_keepers and not (j < i or _send_tier(current[j], place, t) < 0):
            continue
        if not _spent(j, u, c):
            held += u.men[j]
    if held <= 0:
        return True
    ratio = c.ai_attack_ratio if _works_intact(place, w) > 0 else c.ai_hasty_attack_ratio
    threat = 0
    for m in range(6):
        n = t.neighbors[place, m]
        if n >= 0:
            threat += t.enemy_men[n]
    return threat >= ratio * held


@kernel(borrows=True)
def _man_with(side, place, active, current, u, w, c, t):
    """The unit the standing reflex sends to man `place` (-1: none, or the place is manned): the
    nearest free foot unit (neither routed, spent nor next to an enemy), lowest tier first. A
    plan's reflex mans a place, it does not retake one: where the enemy stands, the plan's
    phases (a counter-attack, a relief) say what to do."""
    if t.enemy_men[place] > 0:
        return -1
    if not _needs_manning(-1, False, side, place, active, current, u, w, c, t):
        return -1
    best_tier, best_distance, pick = 1 << 30, 1 << 30, -1
    for j in range(u.side.shape[0]):
        if not active[j] or u.side[j] != side:
            continue
        tier = _send_tier(current[j], place, t)
        if tier < 0 or u.men[j] <= 0 or u.routed[j] or t.gunners[j] or _spent(j, u, c):
            continue
        contact = False
        for m in range(6):
            n = t.neighbors[u.hex[j], m]
            if n >= 0 and t.enemy_men[n] > 0:
                contact = True
        if contact:
            continue
        d = hex_distance(t.q, t.r, place, u.hex[j])
        if tier < best_tier or (tier == best_tier and d < best_distance):
            best_tier, best_distance, pick = tier, d, j  # j ascending: the lowest wins ties
    return pick


@kernel(borrows=True)
def _standing_reflex(i, k, side, active, current, man_with, u, w, c, t):
    """The hex unit i (on phase k) is sent to by the plan's standing reflex, overriding its
    phase: its own hex to stay (Hold), a place to man (Move), -1 to follow its phase.

    A written plan posts the garrison; it cannot say who replaces it when it breaks. Every
    commander does, whatever the plan: when no fighting man of the side stands on a place it
    must hold, or the enemy next to it has the odds to assault those who do, the nearest free
    unit goes there, as the adaptive player's does (planner.py `_hold`). A unit standing on the
    place does not march off to follow its phase while the place would need it again without
    it (no oscillation back to an old post, no relief battalion that passes over the summit and
    leaves it empty). A unit whose own phase is about that place keeps to its phase (its written
    hold, or its fall-back from it). `man_with`: per place, the unit picked (-2: not yet asked)."""
    places = t.places_to_hold
    if places.shape[0] == 0 or t.gunners[i] or _send_tier(k, -1, t) < 0:
        return -1  # guns keep firing; a withdrawal goes on
    here = u.hex[i]
    for a in range(places.shape[0]):
        place = places[a]
        if _send_tier(k, place, t) < 0:
            continue  # the phase is about this place: it says what to do
        if here == place:
            if _needs_manning(i, True, side, place, active, current, u, w, c, t):
                return here
            continue
        if man_with[a] == -2:
            man_with[a] = _man_with(side, place, active, current, u, w, c, t)
        if man_with[a] == i:
            return place
    return -1


@kernel(borrows=True)
def _nearest_enemy(here, near_to, within, side, active, u, t):
    """The enemy-held hex nearest `here` (the lowest on a tie) among those at most `within` from
    `near_to` (-1: none)."""
    cells = t.q.shape[0]
    best, pick = 1 << 40, -1
    for j in range(u.side.shape[0]):
        if active[j] and u.side[j] != side and u.men[j] > 0:
            h = u.hex[j]
            if hex_distance(t.q, t.r, near_to, h) <= within:
                key = hex_distance(t.q, t.r, here, h) * cells + h
                if key < best:
                    best, pick = key, h
    return pick


@kernel(borrows=True)
def _downhill(here, target, t):
    """The neighbour of `here` nearest `target` down its time field (the lowest on a tie)."""
    hours = t.fields[t.field_of[target]]
    step = -1
    for m in range(6):
        n = t.neighbors[here, m]
        if n >= 0 and (
            step < 0 or hours[n] < hours[step] or (hours[n] == hours[step] and n < step)
        ):
            step = n
    return step


@kernel(borrows=True)
def _bombard(i, k, side, turn, times, total, budget_rounds, active, u, w, c, t, order):
    """Fire on the enemy's position at the objective: each turn at the hex around it (the
    objective and its neighbours) with the most left to destroy — works, an uncleared
    minefield, uncut wire, men — less what the side's other guns are already firing at this
    turn (`t.planned`), so the fire spreads over the position as a fire plan would; with
    nothing there, the nearest enemy within three hexes of it. Out of range, move toward it.
    Writes (kind, hex, rounds) into `order`."""
    here = u.hex[i]
    target = t.objective[k]
    candidates = t.candidates  # (-score, distance, hex)
    n_cand = 0
    for m in range(7):
        h = target if m == 0 else t.neighbors[target, m - 1]
        if h < 0:
            continue
        owner = t.works_owner[h]
        if owner == side or (owner < 0 and t.enemy_men[h] == 0):
            continue
        works = 0.0  # what a gun commander sees left to destroy in its works: none if nobody
        if owner >= 0:  # built any
            works = w.fort_strength[h] + w.blockhouse_strength[h]
            if w.mine_depth_m[h] > 0 and w.lane[h] < 1.0:
                works += c.ai_target_minefield * (1.0 - w.lane[h])
            works += c.ai_target_wire_line * w.wire_lines[h]
        score = works + c.ai_target_man * t.enemy_men[h] - t.planned[h]
        if score > 0:
            candidates[n_cand, 0] = -score
            candidates[n_cand, 1] = hex_distance(t.q, t.r, here, h)
            candidates[n_cand, 2] = h
            n_cand += 1
    if n_cand == 0:
        nearest = _nearest_enemy(target, target, 1 << 30, side, active, u, t)
        if nearest >= 0 and hex_distance(t.q, t.r, target, nearest) <= 3:
            candidates[0, 0], candidates[0, 1], candidates[0, 2] = 0.0, 0.0, nearest
            n_cand = 1
    # in order of (-score, distance, hex): an insertion sort of a few rows
    for a in range(1, n_cand):
        b = a
        while b > 0:
            x, y = candidates[b], candidates[b - 1]
            if x[0] < y[0] or (x[0] == y[0] and (x[1] < y[1] or (x[1] == y[1] and x[2] < y[2]))):
                for col in range(3):
                    x[col], y[col] = y[col], x[col]
                b -= 1
            else:
                break
    for a in range(n_cand):
        h = int(candidates[a, 2])
        metres = hex_distance(t.q, t.r, here, h) * t.hex_size_m
        for m in range(t.w_min.shape[1]):
            if t.w_min[i, m] <= metres <= t.w_max[i, m]:
                t.planned[h] += t.fire_rate[i] * c.ai_planned_value_per_round
                rounds = ration_rounds(
                    i, k, times[k, 0], times[k, 1], t.rounds[k], t.members[k], turn, side,
                    times, u.side, budget_rounds, total, t,
                )  # fmt: skip
                order[0], order[1], order[2] = O_BOMBARD, h, rounds
                return
    if n_cand > 0:
        order[0], order[1] = O_MOVE, target
    else:
        order[0], order[1] = O_HOLD, -1


@kernel(borrows=True)
def _attack(i, k, side, active, u, c, t, order):
    """Close on the objective (from up to `axes` sides) and assault it; once it is ours, go for
    the nearest enemy-held hex around it. Writes (kind, hex) into `order`."""
    here = u.hex[i]
    target = t.objective[k]
    if t.enemy_men[target] == 0:
        if here == target:
            return  # the objective is taken: keep it
        ours = False
        for j in range(u.side.shape[0]):
            if active[j] and u.side[j] == side and u.hex[j] == target:
                ours = True
        near = _nearest_enemy(here, target, 2, side, active, u, t)
        if not ours or near < 0:
            order[0], order[1] = O_MOVE, target  # occupy it first
            return
        target = near
    if _spent(i, u, c):
        return
    if hex_distance(t.q, t.r, here, target) == 1:
        order[0], order[1] = O_ASSAULT, target
        return
    step = _downhill(here, target, t)
    if t.enemy_men[step] > 0 and step != target:
        order[0], order[1] = O_ASSAULT, step  # something in the way
        return
    # One of the `axes` free dry hexes around the target that the attacking units share out.
    around = t.around
    n_around = 0
    for m in range(6):
        n = t.neighbors[target, m]
        if n >= 0 and t.enemy_men[n] == 0 and t.dry[n]:
            around[n_around] = n
            n_around += 1
    if n_around == 0:
        order[0], order[1] = O_MOVE, target
        return
    for a in range(1, n_around):
        b = a
        while b > 0:
            x, y = around[b], around[b - 1]
            dx, dy = hex_distance(t.q, t.r, here, x), hex_distance(t.q, t.r, here, y)
            if dx < dy or (dx == dy and x < y):
                around[b], around[b - 1] = y, x
                b -= 1
            else:
                break
    chosen = min(max(1, t.axes[k]), n_around)
    order[0], order[1] = O_MOVE, around[i % chosen]


@kernel(borrows=True)
def _hold(i, k, side, u, w, c, t, order):
    """Go to the objective and hold it (fall back where the phase says, when outnumbered beyond
    what the works let it stand, or too weak); on a counter-attack, throw back an enemy
    lodgement in a neighbouring position of ours when strong enough. Writes (kind, hex)."""
    here = u.hex[i]
    target = t.objective[k]
    fall_back = t.fall_back[k]
    if here != target:
        if t.enemy_men[target] == 0:
            order[0], order[1] = O_MOVE, target
            return
    elif fall_back >= 0 and fall_back != here:
        threat = 0  # enemy men next to it
        for m in range(6):
            n = t.neighbors[here, m]
            if n >= 0:
                threat += t.enemy_men[n]
        if threat > 0:
            outnumbered = threat / max(u.men[i], 1)
            works = _works_intact(here, w)
            stands = c.ai_fall_back_ratio * (1.0 + (c.ai_works_hold_factor - 1.0) * works)
            strength = u.men[i] / max(float(u.men_start[i]), 1.0)
            if strength < c.ai_fall_back_strength or outnumbered >= stands:
                order[0], order[1] = O_WITHDRAW, fall_back
                return
    if t.task[k] != T_COUNTER or _spent(i, u, c):
        return
    for m in range(6):
        n = t.neighbors[here, m]
        lodgement = n >= 0 and t.enemy_men[n] > 0 and (w.owner[n] == side or n == target)
        if lodgement and u.men[i] >= c.ai_counterattack_ratio * t.enemy_men[n]:
            order[0], order[1] = O_ASSAULT, n
            return


@kernel(borrows=True)
def _pursue(i, k, side, active, u, t, order):
    """Go after the enemy: broken units first (the nearest), else the nearest enemy; men caught
    in a river are shot at from its bank, not followed into the water. Writes (kind, hex)."""
    here = u.hex[i]
    any_enemy, any_fleeing = False, False
    for j in range(u.side.shape[0]):
        if active[j] and u.side[j] != side and u.men[j] > 0:
            any_enemy = True
            any_fleeing = any_fleeing or u.routed[j]
    if not any_enemy:
        if here != t.objective[k]:
            order[0], order[1] = O_MOVE, t.objective[k]
        return
    cells = t.q.shape[0]
    best, pick = 1 << 40, -1
    for j in range(u.side.shape[0]):
        if active[j] and u.side[j] != side and u.men[j] > 0:
            h = u.hex[j]
            if any_fleeing and not t.fleeing[h]:
                continue
            key = hex_distance(t.q, t.r, here, h) * cells + h
            if key < best:
                best, pick = key, h
    if t.water[pick]:
        best, bank, on_bank = 1 << 40, -1, False
        for m in range(6):
            n = t.neighbors[pick, m]
            if n >= 0 and t.dry[n]:
                on_bank = on_bank or n == here
                key = hex_distance(t.q, t.r, here, n) * cells + n
                if key < best:
                    best, bank = key, n
        if not (on_bank or bank < 0):  # on the bank: the fire phase shoots at the men in the water
            order[0], order[1] = O_MOVE, bank
    elif hex_distance(t.q, t.r, here, pick) == 1:
        order[0], order[1] = O_ASSAULT, pick
    else:
        order[0], order[1] = O_MOVE, pick


@kernel(borrows=True)
def plan_side(side, turn, night, total, budget_rounds, u, w, c, t, clock, records, rows, first):
    """This turn's orders for every unit of `side` that can take one, following the side's plan
    (planner.py `plan_orders` in mode "plan"), as order rows (engine/core/orders.py
    `ROW_WIDTH`: kind, unit, hex, rounds), in unit order, written into `rows` from row `first`;
    returns the row after the last written.

    The phases' times come from the plan's clock (`clock`: the side's `ClockTables`; `records`:
    the game's `ClockRecords`, triggers.py), each unit's phase from them (`unit_phases`), who is
    in the fight (on the map, arrived, not gone) from the units' arrays; engineers whose phase
    is an attack first breach the obstacles on its axis (engineering's `breach_choice`). `u`,
    `w`: the units' and works' bundles; `c`: the coefficients (`ai_*`); `t`: the side's
    `PlanTables` (its scratch the game's own). Routed units get no order (they flee by the
    rules, whatever they are told)."""
    count = u.hex.shape[0]
    clock_times(turn, side, clock, records)
    times = clock.times
    active = t.active
    for j in range(count):  # GameState.active()
        active[j] = u.arrived[j] and not u.gone[j] and u.hex[j] >= 0
    # The view: the enemy's men by hex, the hexes of routed enemies (orders are given before
    # anything moves, so it holds for every unit's orders).
    for j in range(count):
        if active[j] and u.side[j] != side and u.men[j] > 0:
            t.enemy_men[u.hex[j]] += u.men[j]
            if u.routed[j]:
                t.fleeing[u.hex[j]] = True
    unit_phases(turn, night, times, t)
    current = t.current
    man_with = t.man_with
    man_with[:] = -2
    order = t.order  # kind, hex, rounds of one unit's order
    n_rows = first
    for i in range(count):
        if not active[i] or u.side[i] != side or u.routed[i]:
            continue
        k = current[i]
        order[0], order[1], order[2] = O_HOLD, NO_NUMBER, NO_NUMBER
        to = _standing_reflex(i, k, side, active, current, man_with, u, w, c, t)
        if to >= 0:
            if to != u.hex[i]:
                order[0], order[1] = O_MOVE, to
        elif k >= 0 and t.objective[k] >= 0:
            task = t.task[k]
            breach, at = NO_NUMBER, NO_NUMBER
            if t.engineers[i] and task in (T_ATTACK, T_ASSAULT):
                breach, at = breach_choice(
                    u.hex[i], side, t.objective[k], w, t.neighbors, t.dry, t.q, t.r, t.enemy_men
                )
            if breach >= 0:  # engineers named in an attack first breach its obstacles
                order[0], order[1] = breach, at
            elif t.gunners[i] and (
                task in (T_BOMBARD, T_ATTACK, T_ASSAULT, T_HOLD, T_COUNTER)
            ):  # units with guns or mortars fire on the objective rather than close in
                _bombard(i, k, side, turn, times, total, budget_rounds, active, u, w, c, t, order)
            elif task == T_MOVE or (t.gunners[i] and task == T_PURSUE):  # guns do not chase
                if u.hex[i] != t.objective[k]:
                    order[0], order[1] = O_MOVE, t.objective[k]
            elif task in (T_ATTACK, T_ASSAULT):
                _attack(i, k, side, active, u, c, t, order)
            elif task in (T_HOLD, T_COUNTER):
                _hold(i, k, side, u, w, c, t, order)
            elif task in (T_FALL_BACK, T_WITHDRAW):
                order[0], order[1] = O_WITHDRAW, t.objective[k]
            elif task == T_PURSUE:
                _pursue(i, k, side, active, u, t, order)
            elif task == T_BREAK_OUT:  # withdraw, assaulting what blocks the first step
                step = _downhill(u.hex[i], t.objective[k], t)
                if t.enemy_men[step] > 0:
                    order[0], order[1] = O_ASSAULT, step
                else:
                    order[0], order[1] = O_WITHDRAW, t.objective[k]
            # T_BOMBARD for a unit without guns: it stands by (Hold) while the guns fire
        rows[n_rows, 0] = order[0]
        rows[n_rows, 1] = i
        rows[n_rows, 2] = order[1]
        rows[n_rows, 3] = order[2]
        n_rows += 1
    for j in range(count):  # the scratch back to zero
        if u.hex[j] >= 0:
            t.enemy_men[u.hex[j]] = 0
            t.fleeing[u.hex[j]] = False
    for a in range(first, n_rows):
        if rows[a, 0] == O_BOMBARD:
            t.planned[rows[a, 2]] = 0.0
    return n_rows


@kernel(borrows=True)
def plan_turn(p, budget_rounds, u, w, c, t0, t1, clock0, clock1, records):
    """Both sides' orders this turn in plan mode, one kernel call: `plan_side` for side 0, then
    for side 1, into `p.rows` one after the other (the rows two calls of `plan_side` give, in
    the same order). `p`: the game's `PlanTurn` (the turn's numbers, written by the caller, and
    the rows); `t0`, `t1`, `clock0`, `clock1`: each side's `PlanTables` and `ClockTables`.
    Returns (the rows of side 0, of both)."""
    turn, night, total = int(p.numbers[0]), p.numbers[1] != 0, int(p.numbers[2])
    ends = plan_side(0, turn, night, total, budget_rounds, u, w, c, t0, clock0, records, p.rows, 0)
    both = plan_side(
        1, turn, night, total, budget_rounds, u, w, c, t1, clock1, records, p.rows, ends
    )
    return ends, both
