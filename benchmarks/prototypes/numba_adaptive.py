"""Road (b) of issue 15: the computer player's ADAPTIVE mode (`plan_orders(state, side,
"adaptive")`, engine/ai/planner.py) as a compiled kernel (numba `@njit`), its route fields
computed in the kernel: Furong Mountain's `ija` (capture) and `roc` (hold), Shigehiro's `ija`
(exit).

    python benchmarks/prototypes/numba_adaptive.py check --games 20   # kernel against engine
    python benchmarks/prototypes/numba_adaptive.py bench --games 5    # µs a call, fields' cost
    python benchmarks/prototypes/numba_adaptive.py compile            # first call, cold cache
    python benchmarks/prototypes/numba_adaptive.py mutants            # the check sees faults
    python benchmarks/prototypes/numba_adaptive.py coverage           # what the games ask for
    ... check --side roc; check --scenario shigehiro --side ija   # the other ported sides
    NUMBA_DISABLE_JIT=1 python benchmarks/prototypes/numba_adaptive.py bench --games 2 --rounds 1

A prototype, not engine code: numba is not a dependency of the project, nothing under `engine/`
changes, and the engine's `plan_orders(..., "adaptive")` is the reference the kernel is checked
against, turn by turn, in games where the side checked plays adaptive and the other its plan.

What it ports: the adaptive side whose objective is a `capture` victory condition (an assault
with three axes, every unit): `_attack` (adaptive), `_gather`, `_point_of_attack`,
`_odds_to_close`, `_odds_to_assault`, `_lane_coming`, `_lane_by_guns`, `_rounds_to_open`,
`_crossing_under_fire`, `_under_fire`, `_unbreached`, `_way_field`, `_toward`, `_clear_of`
(the rules' `route` twice: round the enemy's hexes and as if he held none), `_approach_hex`
with hexes to avoid, and the guns' `_bombard` (point of attack first, `_opening_lane`, the
plan's ration through numba_plan's clock and `_ration`). Every time field is a Dijkstra over the
board's arrays with a binary heap, in the kernel: toward the objective, toward each waypoint
a route is asked for, and round the unbreached minefields (`_way_field`); a per-game cache of
fields (goal, set of minefields still closed) can be kept between turns or cleared each call
(`keep`), so that both costs are measured. The `hold` objective (`_hold` adaptive, `_man_with`)
and `exit` (`_withdraw` adaptive, `_in_contact`, `_break_out`) run through the same kernel. Not
ported (the tables refuse them): engineers in an attack (`breach_order_for`; Furong has none),
the `destroy` objective (`_destroy`, `_block`: Shigehiro's `roc`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    from numba import njit
except ImportError:
    sys.exit(
        "numba is not installed: this prototype needs it (it is not a dependency of the project)."
        "\n    python -m pip install numba"
    )

sys.path.insert(0, str(Path(__file__).resolve().parent))

from numba_plan import (
    C_ATTACK_RATIO,
    C_HASTY_RATIO,
    C_PLANNED_PER_ROUND,
    C_T_MAN,
    C_T_MINEFIELD,
    C_T_WIRE,
    FURONG,
    O_ASSAULT,
    O_BOMBARD,
    O_HOLD,
    O_MOVE,
    O_WITHDRAW,
    ORDER_NAMES,
    SHIGEHIRO,
    T_ASSAULT,
    PlanTables,
    _distance,
    _ration,
    _spent,
    _works_intact,
    engine_rows,
    make_tables,
    phase_times,
    turn_inputs,
)

from engine.ai import planner
from engine.ai.triggers import NEVER
from engine.core.state import GameState
from engine.game import Game
from engine.rules.movement import hex_hours_at_1kmh, time_field
from engine.rules.turn import coefficients_of
from engine.scenario import load_scenario
from engine.scenario.models import Task

SIDE_ID = "ija"
BOUND_LOOKAHEAD = planner._BOUND_LOOKAHEAD
FIELD_SLOTS = 256  # cached fields per game (goal, minefields still closed); 2 MB on Furong
PLAIN = -1  # the cache key's mask of a plain time field (no minefield avoided)
AIM_CAPTURE, AIM_HOLD, AIM_EXIT = 0, 1, 2  # the adaptive objective: capture, hold, exit


@dataclass
class AdaptiveTables:
    """What the adaptive kernel reads beyond numba_plan's tables: the adaptive phase, the
    board's entry hours, the enemy's minefields, the guns' own rounds, the units' direct-fire
    reach, the lane coefficients, and the per-game field cache."""

    plan: PlanTables
    objective: int
    axes: int
    aim: int  # AIM_CAPTURE, AIM_HOLD or AIM_EXIT: the victory condition the side plays for
    fixed: tuple  # enter, laid, engineers, own_rounds, fire_range_m, lane coefficients
    plan2: tuple  # the plan's phase columns `_ration` reads, the adaptive phase one more row
    cache: tuple  # goal, mask per slot; rows; counters; the cost each slot is settled to
    work: tuple  # per-hex scratch of the kernel, made once per game rather than every call


def make_adaptive(state: GameState, side: int) -> AdaptiveTables:
    """The side's adaptive objective and the game's fixed data as arrays."""
    phases = planner._adaptive_phases(state, side)
    if not phases or phases[0].task not in (Task.assault, Task.hold, Task.withdraw):
        raise NotImplementedError("only the `capture`, `hold` and `exit` objectives are ported")
    engineers = planner.engineer_units(state)
    u, w, board = state.units, state.works, state.board
    attacking = phases[0].task == Task.assault
    if attacking and any(engineers[j] for j in range(u.count) if int(u.side[j]) == side):
        raise NotImplementedError("engineers' breaching (breach_order_for) is not ported")
    c = coefficients_of(state)
    laid = np.flatnonzero((w.mine_density > 0.0) & (w.owner == 1 - side)).astype(np.int64)
    if laid.shape[0] > 62:
        raise NotImplementedError("more minefields than the cache's 62-bit key holds")
    most = max(1, max(len(ws) for ws in u.indirect))
    own_rounds = np.zeros((u.count, most))
    for j, ws in enumerate(u.indirect):
        for k, weapon in enumerate(ws):
            own_rounds[j, k] = weapon.own_rounds
    cells = board.width * board.height
    lane = np.array(
        [
            c.lane_open_mines_left,
            c.lane_width_m,
            math.pi * c.shell_clearing_radius_m**2 * c.rounds_on_target_fraction,
            board.hex_area_m2,
        ]
    )
    fixed = (
        hex_hours_at_1kmh(board, c).astype(np.float64),
        laid,
        np.array(engineers, np.bool_),
        own_rounds,
        u.fire_range_m.astype(np.float64),
        lane,
        w.mine_density.astype(np.float64).copy(),
    )
    cache = (
        np.full((FIELD_SLOTS, 2), -2, np.int64),
        np.zeros((FIELD_SLOTS, cells)),
        np.array([0, 0, 0, 1, 0], np.int64),  # slots used, next, Dijkstras, lazy, way fields
        np.zeros(FIELD_SLOTS),  # the cost each slot's search stopped at (inf: complete)
    )
    tables = make_tables(state, side)
    p = tables.plan
    none = np.zeros(1, np.int64)
    plan2 = (
        *(none,) * 5,
        np.append(p[5], T_ASSAULT),
        np.vstack([p[6], np.ones((1, u.count), np.bool_)]),
        *(none,) * 4,
        np.append(p[11], False),
        np.append(p[12], 0.0),
    )
    aim = {Task.assault: AIM_CAPTURE, Task.hold: AIM_HOLD, Task.withdraw: AIM_EXIT}[phases[0].task]
    work = (
        np.zeros(cells, np.int64),  # enemy men by hex
        np.zeros(cells, np.bool_),  # hexes the enemy stands in
        np.zeros(cells, np.bool_),  # minefields to avoid
        np.zeros(cells, np.int64),  # able men next to each enemy hex
        np.zeros(cells),  # the guns' fire plan
        np.full(cells, -1, np.int8),  # `_lane_by_guns` asked this turn
        np.zeros(cells, np.bool_),  # nobody: no hex held
        np.empty(cells),  # entry hours with the minefields closed
        np.empty(cells),  # a way field
        np.empty(cells),  # another
    )
    return AdaptiveTables(
        tables, phases[0].objective, phases[0].phase.axes, aim, fixed, plan2, cache, work
    )


# ---------------------------------------------------------------------------- fields
@njit(cache=True)
def dijkstra(goal, enter, neighbors, out, until=-1):
    """The time field toward `goal` (movement.py `TimeField`, completed): hours at 1 km/h from
    every hex, entering a hex costing its `enter`. The sums run from the goal outward as the
    engine's do, so the values are the engine's to the last bit (whatever the order of equal
    costs in the queue: each hex's time is the least sum over its ways, the same floats). A
    binary heap in two flat arrays (cost, hex) with stale entries skipped, as the engine's
    heapq; a hex is pushed at most once per neighbour, so 6 × hexes entries bound it.

    `until` >= 0: stop once that hex is settled, as the engine's `TimeField.settled` does; the
    cost it was settled at is returned (inf: the field is complete). Every hex of a time below
    it is then final, the rest hold upper bounds no lower than it."""
    cells = out.shape[0]
    out[:] = np.inf
    out[goal] = 0.0
    keys = np.empty(6 * cells + 1)
    items = np.empty(6 * cells + 1, np.int64)
    keys[0], items[0] = 0.0, goal
    size = 1
    while size > 0:
        cost, h = keys[0], items[0]
        size -= 1
        if size > 0:  # the last entry sifts down from the root
            key, item = keys[size], items[size]
            at = 0
            while True:
                child = 2 * at + 1
                if child >= size:
                    break
                if child + 1 < size and keys[child + 1] < keys[child]:
                    child += 1
                if keys[child] < key:
                    keys[at], items[at] = keys[child], items[child]
                    at = child
                else:
                    break
            keys[at], items[at] = key, item
        if cost > out[h]:
            continue
        if h == until:
            return cost
        total = cost + enter[h]
        if total == np.inf:
            continue
        for m in range(6):
            n = neighbors[h, m]
            if n >= 0 and total < out[n]:
                out[n] = total
                at = size  # sift up
                size += 1
                while at > 0:
                    parent = (at - 1) // 2
                    if keys[parent] > total:
                        keys[at], items[at] = keys[parent], items[parent]
                        at = parent
                    else:
                        break
                keys[at], items[at] = total, n
    return np.inf


@njit(cache=True)
def _field(goal, mask, laid, enter, neighbors, cache, scratch, here):
    """The slot of the cache holding the field toward `goal` round the minefields `mask` names
    (bits over `laid`; PLAIN: none), final at `here` and every hex nearer the goal; made when
    missing (the oldest slot goes when all are full) or settled short of `here`. With
    counters[3] set the search stops once `here` is settled (the engine's lazy `TimeField`)."""
    keys, rows, counters, reach = cache
    s = -1
    for k in range(counters[0]):
        if keys[k, 0] == goal and keys[k, 1] == mask:
            if rows[k, here] <= reach[k]:
                return k  # settled at least as far as `here`
            s = k  # made again, settled farther
            break
    if s < 0:
        s = counters[1]
        counters[1] = (s + 1) % keys.shape[0]
        counters[0] = min(counters[0] + 1, keys.shape[0])
    counters[2] += 1
    counters[4] += mask != PLAIN
    until = here if counters[3] else -1
    if mask == PLAIN:
        reach[s] = dijkstra(goal, enter, neighbors, rows[s], until)
    else:
        scratch[:] = enter
        for b in range(laid.shape[0]):
            if (mask >> b) & 1 and laid[b] != goal:
                scratch[laid[b]] = np.inf
        reach[s] = dijkstra(goal, scratch, neighbors, rows[s], until)
    keys[s, 0], keys[s, 1] = goal, mask
    return s


@njit(cache=True)
def _route_clear(here, goal, field, held, avoid, neighbors, limit):
    """Whether the rules' way from `here` to `goal` down `field` (movement.py `route`,
    `next_step`: never into a `held` hex) enters none of the hexes to `avoid` short of the goal."""
    steps = 1
    while here != goal and steps < limit:
        step, lowest = -1, field[here]
        for m in range(6):
            n = neighbors[here, m]
            if n < 0:
                continue
            t = field[n]
            if (t < lowest or (t == lowest and n < step)) and not held[n]:
                step, lowest = n, t
        if step < 0:
            return True
        here = step
        steps += 1
        if avoid[here] and here != goal:
            return False
    return True


# ---------------------------------------------------------------------------- the choices
@njit(cache=True)
def _rounds_to_open(h, lane, density, c):
    """planner.py `_rounds_to_open`."""
    if lane[h] >= 1.0 or density[h] <= 0.0:
        return 0.0
    needed = 1.0 - c[0] / (density[h] * c[1])
    if lane[h] >= needed:
        return 0.0
    if c[2] <= 0.0:
        return np.inf
    return math.log((1.0 - lane[h]) / (1.0 - needed)) * c[3] / c[2]


@njit(cache=True)
def _lane_by_guns(side, h, ctx):
    """planner.py `_lane_by_guns`: the side's guns in range of `h` have the rounds to open it."""
    (hexes, men, routed, active, unit_side, gunners, w_min, w_max, w_budget, own_rounds) = ctx[:10]
    q, r, hex_size, budget_rounds, lane, density, c = ctx[10:17]
    used = np.zeros(budget_rounds.shape[0], np.bool_)
    rounds = 0.0
    for j in range(hexes.shape[0]):
        if not active[j] or unit_side[j] != side or not gunners[j] or routed[j] or men[j] <= 0:
            continue
        metres = _distance(q, r, hexes[j], h) * hex_size
        for m in range(w_min.shape[1]):
            if w_min[j, m] <= metres <= w_max[j, m]:
                if w_budget[j, m] >= 0:
                    used[w_budget[j, m]] = True
                else:
                    rounds += own_rounds[j, m]
    for b in range(used.shape[0]):
        if used[b]:
            rounds += budget_rounds[b]
    return rounds > 0 and rounds >= _rounds_to_open(h, lane, density, c)


@njit(cache=True)
def _under_fire(side, h, ctx, fire_range):
    """planner.py `_under_fire`: an able enemy unit reaches hex h with its direct fire."""
    hexes, men, routed, active, unit_side = ctx[0], ctx[1], ctx[2], ctx[3], ctx[4]
    q, r, hex_size = ctx[10], ctx[11], ctx[12]
    for j in range(hexes.shape[0]):
        able = active[j] and unit_side[j] != side and men[j] > 0 and not routed[j]
        if able and _distance(q, r, h, hexes[j]) * hex_size <= fire_range[j]:
            return True
    return False


@njit(cache=True)
def _odds_to_assault(side, target, enemy_men, ctx, men_start, morale, coeff, works, neighbors):
    """planner.py `_odds_to_assault`: the able men next to `target` reach the ratio asked."""
    defenders = enemy_men[target]
    if defenders <= 0:
        return True
    hexes, men, routed, active, unit_side = ctx[0], ctx[1], ctx[2], ctx[3], ctx[4]
    fort, fort0, block, block0 = works
    intact = _works_intact(target, fort, fort0, block, block0) > 0
    ratio = coeff[C_ATTACK_RATIO] if intact else coeff[C_HASTY_RATIO]
    ready = 0
    for j in range(hexes.shape[0]):
        if not active[j] or unit_side[j] != side or routed[j]:
            continue
        near = False
        for m in range(6):
            if neighbors[target, m] == hexes[j]:
                near = True
        if near and not _spent(j, men, men_start, morale, coeff):
            ready += men[j]
    return ready >= ratio * defenders


@njit(cache=True)
def _lane_coming(
    side, h, objective, avoid, lane_memo, ctx, engineers, owner_now, obstacle, neighbors
):
    """planner.py `_lane_coming`: wait while the side's guns or engineers can still open a
    lane through the minefield in h (`obstacle`: mine depth and wire lines per hex)."""
    if not avoid[h]:
        return False
    if lane_memo[h] < 0:
        lane_memo[h] = 1 if _lane_by_guns(side, h, ctx) else 0
    if lane_memo[h] == 1:
        return True
    hexes, men, routed, active, unit_side = ctx[0], ctx[1], ctx[2], ctx[3], ctx[4]
    able = False
    for j in range(hexes.shape[0]):
        if active[j] and unit_side[j] == side and engineers[j] and not routed[j] and men[j] > 0:
            able = True
    if not able:
        return False
    # `obstacles_on_axis`: the objective and its neighbours with the enemy's obstacles left
    on_axis = h == objective
    for m in range(6):
        if neighbors[objective, m] == h:
            on_axis = True
    depth, wire = obstacle  # engineering.py `obstacle_left`
    left = (depth[h] > 0 and ctx[14][h] < 1.0) or wire[h] > 0
    return on_axis and owner_now[h] == 1 - side and left


@njit(cache=True)
def _man_with(side, place, enemy_men, ctx, men_start, morale, coeff, works, neighbors):
    """planner.py `_man_with` for the adaptive `hold` (`_manning`, `_needs_manning`): when
    nobody able holds `place` or the enemy next to it has the odds, the nearest free foot unit
    (not routed, spent, a gun, nor next to an enemy); -1: none."""
    hexes, men, routed, active, unit_side, gunners = ctx[0], ctx[1], ctx[2], ctx[3], ctx[4], ctx[5]
    q, r = ctx[10], ctx[11]
    held = 0
    for j in range(hexes.shape[0]):
        there = active[j] and unit_side[j] == side and hexes[j] == place and not routed[j]
        if there and not _spent(j, men, men_start, morale, coeff):
            held += men[j]
    if held > 0:
        fort, fort0, block, block0 = works
        intact = _works_intact(place, fort, fort0, block, block0) > 0
        ratio = coeff[C_ATTACK_RATIO] if intact else coeff[C_HASTY_RATIO]
        threat = 0
        for m in range(6):
            n = neighbors[place, m]
            if n >= 0:
                threat += enemy_men[n]
        if threat < ratio * held:
            return -1
    pick, best = -1, 1 << 60
    for j in range(hexes.shape[0]):
        if not active[j] or unit_side[j] != side or men[j] <= 0 or routed[j] or gunners[j]:
            continue
        if _spent(j, men, men_start, morale, coeff):
            continue
        contact = False
        for m in range(6):
            n = neighbors[hexes[j], m]
            if n >= 0 and enemy_men[n] > 0:
                contact = True
        d = _distance(q, r, place, hexes[j])
        if not contact and d < best:
            pick, best = j, d
    return pick


@njit(cache=True)
def _approach_hex(i, here, target, axes, enemy_men, avoid, neighbors, dry, q, r):
    """planner.py `_approach_hex`: one of the `axes` free hexes round the target (outside the
    hexes to avoid where there are any such), shared out among the units by their number."""
    around = np.empty(6, np.int64)
    k = 0
    for m in range(6):
        n = neighbors[target, m]
        if n >= 0 and enemy_men[n] == 0 and dry[n]:
            around[k] = n
            k += 1
    if k == 0:
        return target
    outside = 0
    for a in range(k):
        if not avoid[around[a]]:
            outside += 1
    if 0 < outside < k:
        kept = 0
        for a in range(k):
            if not avoid[around[a]]:
                around[kept] = around[a]
                kept += 1
        k = kept
    keys = np.empty(k, np.int64)  # sorted on (distance, hex)
    for a in range(k):
        keys[a] = _distance(q, r, here, around[a]) * 1_000_000 + around[a]
    keys.sort()
    chosen = min(max(1, axes), k)
    return keys[i % chosen] % 1_000_000


@njit(cache=True)
def _clear_of(here, goal, held, nobody, avoid, fields, neighbors, cells, laid, enter, cache):
    """planner.py `_clear_of`: the rules' way to `goal` round the enemy's hexes and as if he
    held none enters none of the hexes to avoid short of the goal."""
    s = _field(goal, PLAIN, laid, enter, neighbors, cache, fields, here)
    field = cache[1][s]
    if not _route_clear(here, goal, field, held, avoid, neighbors, 400):
        return False
    return _route_clear(here, goal, field, nobody, avoid, neighbors, cells)


@njit(cache=True)
def _way_field(here, goal, mask, avoid, laid, enter, neighbors, cache, scratch, out):
    """planner.py `_way_field` into `out`: the field round the minefields still closed, the
    minefields (but the goal) marked as no step; False when there is no way round."""
    s = _field(goal, mask, laid, enter, neighbors, cache, scratch, here)
    raw = cache[1][s]
    if raw[here] == np.inf:
        return False
    out[:] = raw
    for b in range(laid.shape[0]):
        if avoid[laid[b]] and laid[b] != goal:
            out[laid[b]] = np.inf
    return True


@njit(cache=True)
def _toward(
    i,
    here,
    goal,
    enemy_men,
    held,
    nobody,
    avoid,
    any_avoid,
    mask,
    laid,
    enter,
    neighbors,
    cache,
    scratch,
    way,
):
    """planner.py `_toward`: straight on where the quickest way is clear of the minefields,
    else to the farthest hex along the way round reached without entering one."""
    cells = enemy_men.shape[0]
    if not any_avoid or here == goal:
        return goal
    if _clear_of(here, goal, held, nobody, avoid, scratch, neighbors, cells, laid, enter, cache):
        return goal
    if not _way_field(here, goal, mask, avoid, laid, enter, neighbors, cache, scratch, way):
        return goal
    steps = np.empty(BOUND_LOOKAHEAD, np.int64)
    k = 0
    at = here
    while at != goal and k < BOUND_LOOKAHEAD:
        best, best_t = -1, np.inf
        for m in range(6):
            n = neighbors[at, m]
            if n < 0 or enemy_men[n] > 0:
                continue
            t = way[n]
            if best < 0 or t < best_t or (t == best_t and n < best):
                best, best_t = n, t
        at = best
        if at < 0 or way[at] == np.inf:
            break
        steps[k] = at
        k += 1
    if k == 0:
        return goal
    waypoint = steps[0]
    for a in range(1, k):
        if not _clear_of(
            here, steps[a], held, nobody, avoid, scratch, neighbors, cells, laid, enter, cache
        ):
            break
        waypoint = steps[a]
    return waypoint


@njit(cache=True)
def _attack_order(
    i,
    side,
    here,
    objective,
    axes,
    night,
    my_men,
    point,
    enemy_men,
    held,
    avoid,
    any_avoid,
    mask,
    nobody,
    scratch,
    way,
    way2,
    ctx,
    lane_memo,
    coeff,
    works,
    owner_now,
    obstacle,
    engineers,
    men_start,
    morale,
    neighbors,
    dry,
    water,
    enter,
    laid,
    fire_range,
    cache,
):
    """planner.py `_attack`, adaptive (with `_gather`, `_odds_to_close`,
    `_crossing_under_fire`): (order kind, hex)."""
    q, r, men = ctx[10], ctx[11], ctx[1]
    hexes, active, unit_side = ctx[0], ctx[3], ctx[4]
    target = objective
    if enemy_men[target] == 0:
        if here == target:
            return O_HOLD, -1
        ours = False
        for j in range(hexes.shape[0]):
            if active[j] and unit_side[j] == side and hexes[j] == target:
                ours = True
        best = -1
        best_key = 1 << 60
        for j in range(hexes.shape[0]):
            h = hexes[j]
            if (
                active[j]
                and unit_side[j] != side
                and men[j] > 0
                and _distance(q, r, target, h) <= 2
            ):
                key = _distance(q, r, here, h) * 1_000_000 + h
                if key < best_key:
                    best, best_key = h, key
        if not ours or best < 0:
            return O_MOVE, target
        target = best
    if _spent(i, men, men_start, morale, coeff):
        return O_HOLD, -1
    distance = _distance(q, r, here, target)
    if distance > 1 and not night:
        # `_odds_to_close`: by day only with the ratio over the defenders in and round it
        defenders = enemy_men[target]
        for m in range(6):
            n = neighbors[target, m]
            if n >= 0:
                defenders += enemy_men[n]
        if my_men < coeff[C_ATTACK_RATIO] * defenders:
            return O_HOLD, -1
    gather = -1
    if distance == 1:
        if not _odds_to_assault(
            side, target, enemy_men, ctx, men_start, morale, coeff, works, neighbors
        ):
            gather = target
        elif _lane_coming(
            side,
            target,
            objective,
            avoid,
            lane_memo,
            ctx,
            engineers,
            owner_now,
            obstacle,
            neighbors,
        ):
            return O_HOLD, -1
        else:
            return O_ASSAULT, target
    if gather < 0:
        hours_to = way
        if not (
            any_avoid
            and _way_field(here, target, mask, avoid, laid, enter, neighbors, cache, scratch, way)
        ):
            hours_to = cache[1][_field(target, PLAIN, laid, enter, neighbors, cache, scratch, here)]
        step, step_t = -1, np.inf
        for m in range(6):
            n = neighbors[here, m]
            if n >= 0 and (
                step < 0 or hours_to[n] < step_t or (hours_to[n] == step_t and n < step)
            ):
                step, step_t = n, hours_to[n]
        if enemy_men[step] > 0 and step != target:
            if not _odds_to_assault(
                side, step, enemy_men, ctx, men_start, morale, coeff, works, neighbors
            ):
                gather = step
            elif _lane_coming(
                side,
                step,
                objective,
                avoid,
                lane_memo,
                ctx,
                engineers,
                owner_now,
                obstacle,
                neighbors,
            ):
                return O_HOLD, -1
            else:
                return O_ASSAULT, step
        if gather < 0:
            if not water[here] and not night:  # `_crossing_under_fire`
                at = here
                for _ in range(12):
                    nxt, nxt_t = -1, np.inf
                    for m in range(6):
                        n = neighbors[at, m]
                        if n >= 0 and (
                            nxt < 0 or hours_to[n] < nxt_t or (hours_to[n] == nxt_t and n < nxt)
                        ):
                            nxt, nxt_t = n, hours_to[n]
                    if hours_to[nxt] >= hours_to[at]:
                        break
                    if water[nxt]:
                        if _under_fire(side, nxt, ctx, fire_range):
                            return O_HOLD, -1
                        break
                    at = nxt
            goal = _approach_hex(i, here, target, axes, enemy_men, avoid, neighbors, dry, q, r)
            return O_MOVE, _toward(
                i,
                here,
                goal,
                enemy_men,
                held,
                nobody,
                avoid,
                any_avoid,
                mask,
                laid,
                enter,
                neighbors,
                cache,
                scratch,
                way2,
            )
    # `_gather`: wait beside `gather` if it is the point of attack, else go to the point
    if point < 0 or point == gather or _distance(q, r, here, point) <= 1:
        return O_HOLD, -1
    goal = _approach_hex(i, here, point, 6, enemy_men, avoid, neighbors, dry, q, r)
    return O_MOVE, _toward(
        i,
        here,
        goal,
        enemy_men,
        held,
        nobody,
        avoid,
        any_avoid,
        mask,
        laid,
        enter,
        neighbors,
        cache,
        scratch,
        way2,
    )


@njit(cache=True)
def adaptive_side(
    aim,
    side,
    state,
    units,
    board,
    coeff,
    plan,
    memo,
    total_turns,
    objective,
    axes,
    fixed,
    plan2,
    cache,
    work,
    keep,
):
    """This turn's orders for every unit of `side` that can take one (planner.py
    `plan_orders(state, side, "adaptive")` for a `capture` objective), one row each:
    (kind, unit, hex, rounds). `keep`: the field cache outlives the call (else cleared)."""
    (
        turn,
        night,
        hexes,
        men,
        morale,
        routed,
        active,
        unit_side,
        fort,
        fort0,
        block,
        block0,
        mine_depth,
        lane,
        wire,
        owner_now,
        budget_rounds,
        timeline,
        place_start,
        placed,
        ledger_men,
    ) = state
    men_start, gunners, fire_rate = units[0], units[1], units[2]
    w_min, w_max, w_budget = units[4], units[5], units[7]
    q, r, neighbors, dry, water, hex_size, owner = board
    enter, laid, engineers, own_rounds, fire_range, lane_c, density = fixed
    if not keep:
        cache[2][0] = 0
        cache[2][1] = 0
    count = hexes.shape[0]
    cells = q.shape[0]

    # The view: the enemy's men by hex (men > 0), the hexes the enemy stands in (any men: the
    # rules' `enemy_zone` held set), the minefields still closed (`_unbreached`).
    enemy_men, held, avoid, ready, planned, lane_memo, nobody, scratch, way, way2 = work
    enemy_men[:] = 0
    held[:] = False
    avoid[:] = False
    ready[:] = 0
    planned[:] = 0.0
    lane_memo[:] = -1
    for j in range(count):
        if active[j] and unit_side[j] != side:
            held[hexes[j]] = True
            if men[j] > 0:
                enemy_men[hexes[j]] += men[j]
    mask = 0
    for b in range(laid.shape[0]):
        if lane[laid[b]] < 1.0:
            avoid[laid[b]] = True
            mask |= 1 << b
    any_avoid = mask != 0
    works4 = (fort, fort0, block, block0)
    obstacle = (mine_depth, wire)
    ctx = (
        *(hexes, men, routed, active, unit_side, gunners, w_min, w_max, w_budget, own_rounds),
        *(q, r, hex_size, budget_rounds, lane, density, lane_c),
    )

    # `_point_of_attack`, once a turn: the enemy hex next to able foot units nearest the odds.
    touched = np.empty(6 * count, np.int64)
    n_touched = 0
    for j in range(count):
        if not active[j] or unit_side[j] != side or routed[j] or gunners[j] or men[j] <= 0:
            continue
        if _spent(j, men, men_start, morale, coeff):
            continue
        for m in range(6):
            n = neighbors[hexes[j], m]
            if n >= 0 and enemy_men[n] > 0:
                ready[n] += men[j]
                touched[n_touched] = n
                n_touched += 1
    point, best_open, best_share = -1, False, -1.0
    touched = np.sort(touched[:n_touched])  # `sorted(ready)`
    for a in range(n_touched):
        h = touched[a]
        if a > 0 and touched[a - 1] == h:
            continue
        intact = _works_intact(h, fort, fort0, block, block0) > 0
        ratio = coeff[C_ATTACK_RATIO] if intact else coeff[C_HASTY_RATIO]
        share = ready[h] / max(ratio * enemy_men[h], 1.0)
        if avoid[h]:
            if lane_memo[h] < 0:
                lane_memo[h] = 1 if _lane_by_guns(side, h, ctx) else 0
            opened = lane_memo[h] == 1
        else:
            opened = True
        if (opened and not best_open) or (opened == best_open and share > best_share):
            point, best_open, best_share = h, opened, share
    my_men = 0
    for j in range(count):
        if active[j] and unit_side[j] == side and not routed[j]:
            my_men += men[j]

    pick = -1
    if aim == AIM_HOLD:
        pick = _man_with(
            side, objective, enemy_men, ctx, men_start, morale, coeff, works4, neighbors
        )

    # The plan's clock and the adaptive phase as one more row, for the guns' ration.
    times = np.empty((0, 2), np.int64)
    clocked = False
    rows = np.empty((count, 4), np.int64)
    n_rows = 0
    candidates = np.empty((8, 3))
    for i in range(count):
        if not active[i] or unit_side[i] != side or routed[i]:
            continue
        here = hexes[i]
        kind, to, rounds = O_HOLD, -1, -1
        if aim == AIM_EXIT:
            # `_withdraw`, adaptive: by day a unit in contact waits for the dark; else
            # `_break_out`: toward the exit, assaulting whatever stands on the first step.
            contact = enemy_men[here] > 0 or _under_fire(side, here, ctx, fire_range)
            for m in range(6):
                n = neighbors[here, m]
                if n >= 0 and enemy_men[n] > 0:
                    contact = True
            if night or not contact:
                hours_to = cache[1][
                    _field(objective, PLAIN, laid, enter, neighbors, cache, scratch, here)
                ]
                step, step_t = -1, np.inf
                for m in range(6):
                    n = neighbors[here, m]
                    if n >= 0 and (step < 0 or hours_to[n] < step_t):
                        step, step_t = n, hours_to[n]
                if enemy_men[step] > 0:
                    kind, to = O_ASSAULT, step
                else:
                    kind, to = O_WITHDRAW, objective
        elif gunners[i]:
            # `_bombard`, adaptive: the point of attack first, then the hexes of the objective.
            n_cand = 0
            for m in range(7):
                h = objective if m == 0 else neighbors[objective, m - 1]
                if h < 0:
                    continue
                o = owner[h]
                if o == side or (o < 0 and enemy_men[h] == 0):
                    continue
                works = 0.0
                if o >= 0:
                    works = fort[h] + block[h]
                    if mine_depth[h] > 0 and lane[h] < 1.0:
                        works += coeff[C_T_MINEFIELD] * (1.0 - lane[h])
                    works += coeff[C_T_WIRE] * wire[h]
                score = works + coeff[C_T_MAN] * enemy_men[h] - planned[h]
                if score > 0:
                    candidates[n_cand + 1, 0] = -score
                    candidates[n_cand + 1, 1] = _distance(q, r, here, h)
                    candidates[n_cand + 1, 2] = h
                    n_cand += 1
            any_candidate = n_cand > 0
            if n_cand == 0:
                best, nearest = 1 << 40, -1
                for j in range(count):
                    if active[j] and unit_side[j] != side and men[j] > 0:
                        h = hexes[j]
                        key = _distance(q, r, objective, h) * cells + h
                        if key < best:
                            best, nearest = key, h
                if nearest >= 0 and _distance(q, r, objective, nearest) <= 3:
                    candidates[1, 0], candidates[1, 1], candidates[1, 2] = 0.0, 0.0, nearest
                    n_cand = 1
                    any_candidate = True
            for a in range(2, n_cand + 1):  # sorted on (-score, distance, hex)
                b = a
                while b > 1 and (
                    candidates[b, 0] < candidates[b - 1, 0]
                    or (
                        candidates[b, 0] == candidates[b - 1, 0]
                        and (
                            candidates[b, 1] < candidates[b - 1, 1]
                            or (
                                candidates[b, 1] == candidates[b - 1, 1]
                                and candidates[b, 2] < candidates[b - 1, 2]
                            )
                        )
                    )
                ):
                    for col in range(3):
                        candidates[b, col], candidates[b - 1, col] = (
                            candidates[b - 1, col],
                            candidates[b, col],
                        )
                    b -= 1
            first = 1
            if point >= 0:
                candidates[0, 2] = point
                first = 0
            fired = False
            for a in range(first, n_cand + 1):
                h = int(candidates[a, 2])
                metres = _distance(q, r, here, h) * hex_size
                reach = False
                for m in range(w_min.shape[1]):
                    if w_min[i, m] <= metres <= w_max[i, m]:
                        reach = True
                if not reach:
                    continue
                planned[h] += fire_rate[i] * coeff[C_PLANNED_PER_ROUND]
                if not clocked:
                    records = (placed, ledger_men, plan[18], plan[19], plan[20])
                    base = phase_times(turn, side, plan, memo, timeline, place_start, records)
                    times = np.empty((base.shape[0] + 1, 2), np.int64)
                    times[:-1] = base
                    times[-1, 0], times[-1, 1] = 0, NEVER
                    clocked = True
                rounds = _ration(
                    i,
                    times.shape[0] - 1,
                    turn,
                    side,
                    times,
                    unit_side,
                    units,
                    plan2,
                    budget_rounds,
                    total_turns,
                )
                if avoid[h] and point == h:
                    if lane_memo[h] < 0:
                        lane_memo[h] = 1 if _lane_by_guns(side, h, ctx) else 0
                    if lane_memo[h] == 1:
                        rounds = -1
                kind, to = O_BOMBARD, h
                fired = True
                break
            if not fired:
                kind, to, rounds = (O_MOVE, objective, -1) if any_candidate else (O_HOLD, -1, -1)
        elif aim == AIM_HOLD:
            # `_hold`, adaptive (no fall-back): the unit picked mans the place; a defender in
            # its works stays; the others go to the place unless the enemy holds it.
            free = owner[here] != side and here != objective and enemy_men[objective] == 0
            if pick == i or free:
                kind, to = O_MOVE, objective
        else:
            kind, to = _attack_order(
                i,
                side,
                here,
                objective,
                axes,
                night,
                my_men,
                point,
                enemy_men,
                held,
                avoid,
                any_avoid,
                mask,
                nobody,
                scratch,
                way,
                way2,
                ctx,
                lane_memo,
                coeff,
                works4,
                owner_now,
                obstacle,
                engineers,
                men_start,
                morale,
                neighbors,
                dry,
                water,
                enter,
                laid,
                fire_range,
                cache,
            )
        rows[n_rows, 0] = kind
        rows[n_rows, 1] = i
        rows[n_rows, 2] = to
        rows[n_rows, 3] = rounds
        n_rows += 1
    return rows[:n_rows]


@njit(cache=True)
def _repeat(
    reps,
    aim,
    side,
    state,
    units,
    board,
    coeff,
    plan,
    memo,
    total_turns,
    objective,
    axes,
    fixed,
    plan2,
    cache,
    work,
    keep,
):
    """adaptive_side `reps` times on one turn from compiled code, as a turn compiled whole would
    call it (no call from Python)."""
    given = 0
    for _ in range(reps):
        given += adaptive_side(
            aim,
            side,
            state,
            units,
            board,
            coeff,
            plan,
            memo,
            total_turns,
            objective,
            axes,
            fixed,
            plan2,
            cache,
            work,
            keep,
        ).shape[0]
    return given


@njit(cache=True)
def _nothing(
    aim,
    side,
    state,
    units,
    board,
    coeff,
    plan,
    memo,
    total_turns,
    objective,
    axes,
    fixed,
    plan2,
    cache,
    work,
    keep,
):
    """adaptive_side's arguments, and no work: the cost of calling a kernel from Python."""
    return side


@njit(cache=True)
def _fields_alone(goals, enter, neighbors, out):
    """One complete Dijkstra toward each of `goals`: the cost of a field, compiled."""
    total = 0.0
    for g in goals:
        dijkstra(g, enter, neighbors, out)
        total += out[0]
    return total


def _arguments(tables: AdaptiveTables, inputs: tuple, memo: tuple, keep: bool) -> tuple:
    t = tables.plan
    return (
        tables.aim,
        t.side,
        inputs,
        t.units,
        t.board,
        t.coeff,
        t.plan,
        memo,
        t.total_turns,
        tables.objective,
        tables.axes,
        tables.fixed,
        tables.plan2,
        tables.cache,
        tables.work,
        keep,
    )


def kernel_orders(state: GameState, tables: AdaptiveTables, keep: bool = True) -> np.ndarray:
    """The kernel's orders for the tables' side in this state."""
    inputs = turn_inputs(state, tables.plan)
    return adaptive_side(*_arguments(tables, inputs, tables.plan.memo, keep))


def _games(seeds: range, path: Path = FURONG, side_id: str = SIDE_ID, mutate=None):
    """Play games of `path`, `side_id` adaptive and the other side its plan; at each turn,
    before the orders, yield (game, tables, engine rows, engine seconds). `mutate`: a fault
    planted in the kernel's tables (`mutants`)."""
    scenario = load_scenario(path)
    for seed in seeds:
        game = Game(scenario, seed, keep_events=False, detail_events=False)
        side = game.state.side_index(side_id)
        tables = make_adaptive(game.state, side)
        if mutate is not None:
            mutate(tables)
        while not game.over:
            for s in (0, 1):
                mode = "adaptive" if s == side else None
                started = time.process_time()
                orders = game.computer_orders(s, mode)
                spent = time.process_time() - started
                if s == side:
                    yield game, tables, engine_rows(list(orders)), spent
                game.apply_orders(s, orders)
            game.end_turn()


def check(games: int, path: Path, side_id: str, mutate=None) -> tuple[int, int]:
    """The kernel's orders against the engine's, turn by turn in real games: (identical turns,
    turns)."""
    turns = same = 0
    differences: Counter[str] = Counter()
    examples: list[str] = []
    kinds: Counter[str] = Counter()
    for game, tables, expected, _ in _games(range(1, games + 1), path, side_id, mutate):
        got = kernel_orders(game.state, tables)
        turns += 1
        kinds.update(ORDER_NAMES.get(row[0], "other") for row in expected.tolist())
        if got.shape == expected.shape and (got == expected).all():
            same += 1
            continue
        if got.shape != expected.shape:
            differences["a different set of units"] += 1
            continue
        for a, b in zip(got.tolist(), expected.tolist(), strict=True):
            if a != b:
                what = f"{ORDER_NAMES.get(b[0], b[0])} -> kernel {ORDER_NAMES.get(a[0], a[0])}"
                if a[0] == b[0]:
                    what += " (same kind, other " + ("rounds" if a[2] == b[2] else "hex") + ")"
                differences[what] += 1
                if len(examples) < 8:
                    examples.append(
                        f"seed {game.seed} turn {game.state.turn}: engine {b} kernel {a}"
                    )
    print(f"{path.stem}, {side_id} adaptive: {games} games")
    if mutate is None:
        print(_fields_against_engine(path))
    print(f"faithfulness: {same}/{turns} turns identical ({100 * same / max(turns, 1):.2f} %)")
    print("  the engine's orders checked, by kind:", dict(kinds.most_common()))
    for what, n in differences.most_common():
        print(f"  {n:5d} orders: {what}")
    for line in examples:
        print("   ", line)
    return same, turns


def _fields_against_engine(path: Path) -> str:
    """The kernel's complete Dijkstra against the engine's `time_field`, value for value, toward
    every 13th hex of the board."""
    state = Game(load_scenario(path), 1, keep_events=False, detail_events=False).state
    board = state.board
    enter = hex_hours_at_1kmh(board, coefficients_of(state)).astype(np.float64)
    neighbors = np.full((board.width * board.height, 6), -1, np.int64)
    for h, around in enumerate(board.neighbors):
        neighbors[h, : len(around)] = around
    out = np.empty(enter.shape[0])
    goals = range(0, enter.shape[0], 13)
    differ = 0
    for goal in goals:
        dijkstra(goal, enter, neighbors, out)
        differ += not np.array_equal(out, np.array(time_field(board, goal, coefficients_of(state))))
    return f"fields: {len(goals) - differ}/{len(goals)} complete fields equal to time_field's"


def _no_minefields(tables: AdaptiveTables) -> None:
    f = tables.fixed
    tables.fixed = (f[0], f[1][:0].copy(), *f[2:])


def _no_direct_fire_reach(tables: AdaptiveTables) -> None:
    tables.fixed[4][:] = 0.0


def _flat_ground(tables: AdaptiveTables) -> None:
    tables.fixed[0][:] = 0.1  # every hex as quick to enter: the fields become hex counts


def _assault_ratios_halved(tables: AdaptiveTables) -> None:
    tables.plan.coeff[C_ATTACK_RATIO] *= 0.5
    tables.plan.coeff[C_HASTY_RATIO] *= 0.5


MUTANTS = (_no_minefields, _no_direct_fire_reach, _flat_ground, _assault_ratios_halved)


def mutants(games: int) -> None:
    """Each planted fault must make some turns differ (the check sees it)."""
    for mutate in MUTANTS:
        same, turns = check(games, FURONG, SIDE_ID, mutate)
        print(f"mutant {mutate.__name__}: {turns - same}/{turns} turns differ\n")


def coverage(games: int) -> None:
    """How often the engine's adaptive choices the port must match are asked for and what they
    answer, over the games `check` plays (the engine's functions wrapped in this process)."""
    names = ("_toward", "_way_field", "_clear_of", "_gather", "_lane_coming", "_point_of_attack")
    names += ("_crossing_under_fire", "_opening_lane", "_odds_to_close", "_odds_to_assault")
    originals = {name: getattr(planner, name) for name in names}
    answers: Counter[tuple[str, str]] = Counter()

    def counting(name: str):
        def count(*args, **kwargs):
            found = originals[name](*args, **kwargs)
            if name == "_toward":
                shown = "waypoint" if found.to != args[3] else "goal"
            elif name == "_way_field":
                shown = "none" if found is None else "field"
            elif name == "_point_of_attack":
                shown = "none" if found < 0 else "hex"
            else:
                shown = type(found).__name__ if not isinstance(found, bool) else str(found)
            answers[(name, shown)] += 1
            return found

        return count

    for name in names:
        setattr(planner, name, counting(name))
    try:
        turns = sum(1 for _ in _games(range(1, games + 1)))
    finally:
        for name in names:
            setattr(planner, name, originals[name])
    print(f"{turns} turns of Furong's ija adaptive; calls (answer):")
    for (name, shown), n in sorted(answers.items()):
        print(f"  {name:22s} {shown:9s} {n:6d}")


def bench(games: int, rounds: int, path: Path, side_id: str) -> None:
    """µs per call (CPU time, best of `rounds`) over the states of real games: the kernel with
    the field cache kept for the game and cleared each call, from Python and from compiled
    code; the engine; a field's Dijkstra alone."""
    jit = os.environ.get("NUMBA_DISABLE_JIT", "0") != "1"
    recorded = []  # (tables, inputs, plan memo before the call)
    engine_s = 0.0
    for game, tables, _, spent in _games(range(1, games + 1), path, side_id):
        memo = tuple(m.copy() for m in tables.plan.memo)
        recorded.append((tables, turn_inputs(game.state, tables.plan), memo))
        kernel_orders(game.state, tables)
        engine_s += spent
    calls = len(recorded)
    label = "compiled" if jit else "interpreted (NUMBA_DISABLE_JIT=1)"
    games_tables = list({id(t): t for t, _, _ in recorded}.values())
    for keep, lazy in ((True, True), (True, False), (False, True), (False, False)):
        best = math.inf
        dijkstras = 0
        for _ in range(rounds):
            for tables in games_tables:  # each game starts with an empty cache
                tables.cache[2][:] = (0, 0, 0, int(lazy), 0)
            memos = [tuple(m.copy() for m in memo) for *_, memo in recorded]
            started = time.process_time()
            for (tables, inputs, _), memo in zip(recorded, memos, strict=True):
                adaptive_side(*_arguments(tables, inputs, memo, keep))
            best = min(best, time.process_time() - started)
            dijkstras = sum(t.cache[2][2] for t in games_tables)
            ways = sum(t.cache[2][4] for t in games_tables)
        what = "fields kept for the game" if keep else "fields made afresh every call"
        what += ", searches stopped at the unit (lazy)" if lazy else ", fields complete"
        print(
            f"kernel {label}, from Python, {what}: {1e6 * best / calls:.2f} µs a call "
            f"(best of {rounds}, {calls} calls; {dijkstras / calls:.2f} Dijkstras a call, "
            f"{ways / calls:.2f} of them round the minefields)"
        )
        if jit and not (keep and not lazy):
            # From compiled code, the same turn `reps` times: with the fields kept, every
            # repeat finds them made (the choices alone); made afresh, each repeat searches.
            reps = 20
            inner = math.inf
            for _ in range(rounds):
                memos = [tuple(m.copy() for m in memo) for *_, memo in recorded]
                started = time.process_time()
                for (tables, inputs, _), memo in zip(recorded, memos, strict=True):
                    _repeat(reps, *_arguments(tables, inputs, memo, keep))
                inner = min(inner, time.process_time() - started)
            alone = " (the choices alone, every field made)" if keep else ""
            print(
                f"  from compiled code ({reps} a turn){alone}: "
                f"{1e6 * inner / calls / reps:.2f} µs a call"
            )
    if jit:
        dispatch = math.inf
        for _ in range(rounds):
            started = time.process_time()
            for tables, inputs, memo in recorded:
                _nothing(*_arguments(tables, inputs, memo, True))
            dispatch = min(dispatch, time.process_time() - started)
        print(
            f"the call from Python alone (same arguments, empty kernel): "
            f"{1e6 * dispatch / calls:.2f} µs"
        )
    for tables in games_tables:
        tables.cache[2][3] = 1
    tables = recorded[0][0]
    enter, neighbors = tables.fixed[0], tables.plan.board[2]
    goals = np.arange(0, enter.shape[0], 7, dtype=np.int64)
    out = np.empty(enter.shape[0])
    best = math.inf
    for _ in range(rounds):
        started = time.process_time()
        _fields_alone(goals, enter, neighbors, out)
        best = min(best, time.process_time() - started)
    print(
        f"one complete field (Dijkstra, binary heap, {enter.shape[0]} hexes), {label}: "
        f"{1e6 * best / goals.shape[0]:.2f} µs"
    )
    if jit:
        print(f"engine plan_orders(adaptive) in play: {1e6 * engine_s / calls:.1f} µs a call")
        engine_best = math.inf
        for _ in range(rounds):
            engine_best = min(
                engine_best, sum(s for *_, s in _games(range(1, games + 1), path, side_id))
            )
        print(
            f"engine plan_orders(adaptive): {1e6 * engine_best / calls:.1f} µs a call "
            f"(best of {rounds} passes over the same games)"
        )


def compile_time() -> None:
    """The first call's time in a fresh process (the compile, or the load from numba's cache)."""
    game = Game(load_scenario(FURONG), 1, keep_events=False, detail_events=False)
    tables = make_adaptive(game.state, game.state.side_index(SIDE_ID))
    started = time.perf_counter()
    kernel_orders(game.state, tables)
    print(f"first call (compile or cache load): {time.perf_counter() - started:.2f} s wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "command", choices=("check", "bench", "compile", "mutants", "coverage"), nargs="?"
    )
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--side", default=SIDE_ID, help="Furong: ija (capture), roc (hold)")
    parser.add_argument("--scenario", choices=("furong", "shigehiro"), default="furong")
    args = parser.parse_args()
    path = SHIGEHIRO if args.scenario == "shigehiro" else FURONG
    if args.command in (None, "check"):
        check(args.games, path, args.side)
    if args.command in (None, "bench"):
        bench(args.games, args.rounds, path, args.side)
    if args.command == "compile":
        compile_time()
    if args.command == "mutants":
        mutants(args.games)
    if args.command == "coverage":
        coverage(args.games)


if __name__ == "__main__":
    main()
