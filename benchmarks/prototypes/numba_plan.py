"""Road (b) of issue 15: the computer player's plan mode (`plan_orders(state, side, "plan")`,
engine/ai/planner.py and engine/ai/triggers.py) for one side as a compiled kernel (numba `@njit`).

    python benchmarks/prototypes/numba_plan.py            # profile, faithfulness, timings
    python benchmarks/prototypes/numba_plan.py profile    # cProfile of plan mode over 10 battles
    python benchmarks/prototypes/numba_plan.py check      # kernel against the engine, turn by turn
    python benchmarks/prototypes/numba_plan.py mutants    # the check sees deliberate faults
    python benchmarks/prototypes/numba_plan.py bench      # µs per call: kernel, engine
    python benchmarks/prototypes/numba_plan.py compile    # compile time, cold and warm cache
    python benchmarks/prototypes/numba_plan.py adaptive   # the engine's adaptive mode, timed
    python benchmarks/prototypes/numba_plan.py instructions   # valgrind counts a kernel call
    NUMBA_DISABLE_JIT=1 python benchmarks/prototypes/numba_plan.py bench   # the same source,
                                                          # interpreted

A prototype, not engine code: numba is not a dependency of the project, nothing under `engine/`
changes, and the engine's `plan_orders` is the reference the kernel is checked against.

The side ported is Furong Mountain's attacker, `ija` (its plan is the richer one: 18 phases,
triggers `taken`, `lost`, `after`, `all`, bombardment allotments, fall-back, assaults by axes).
What it reads is flattened once per game (`PlanTables`): the phases and their triggers as
integer tables, the units' weapons, the board's neighbours, and the movement time fields toward
every hex the side's attacks may aim at (its objectives and the hexes within two of them),
computed by the engine's own `time_field` in Python once per scenario (the engine caches these
per board too, `_Ground.fields`, shared by every game of a scenario). Per turn the kernel reads
the state's arrays (`state.units.*`, `state.works.*`, `state.budget_rounds`, the places'
control record `state.place_timeline` as a table) and gives one integer row per order:
(kind, unit, hex, rounds).

The other sides run through the same kernel and are checked the same way (`--scenario`,
`--side`): Furong's `roc` (the standing reflex that keeps its summit manned, `arrived`
triggers, counter-attacks, pursuit), Shigehiro's `roc` and `ija` (`strength_below`, the break
out). What none of these uses is not ported, and the tables refuse a plan that needs it:
engineers sent into an attack (they breach first, `breach_order_for`), `routed` triggers, and
the adaptive mode.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pickle
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.ai import planner  # noqa: E402
from engine.ai.triggers import NEVER  # noqa: E402
from engine.core.orders import Assault, Bombard, Hold, Move, Order, Withdraw  # noqa: E402
from engine.core.state import GameState  # noqa: E402
from engine.game import Game  # noqa: E402
from engine.headless import play  # noqa: E402
from engine.rules.movement import time_field  # noqa: E402
from engine.rules.turn import coefficients_of  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402
from engine.scenario.models import Task, Trigger  # noqa: E402

FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
SHIGEHIRO = ROOT / "scenarios" / "shigehiro_pocket.yaml"
SIDE_ID = "ija"

# ---------------------------------------------------------------------------- codes
# Tasks (engine/scenario/models.py `Task`) as small integers.
TASKS = (
    Task.move,
    Task.attack,
    Task.assault,
    Task.bombard,
    Task.hold,
    Task.counterattack,
    Task.fall_back,
    Task.withdraw,
    Task.pursue,
    Task.break_out,
)
T_MOVE, T_ATTACK, T_ASSAULT, T_BOMBARD, T_HOLD, T_COUNTER, T_FALL_BACK, T_WITHDRAW = range(8)
T_PURSUE, T_BREAK_OUT = 8, 9
# Orders, one row each: (kind, unit, hex, rounds); hex -1 for Hold, rounds -1 but for Bombard.
O_HOLD, O_MOVE, O_ASSAULT, O_BOMBARD, O_WITHDRAW = range(5)
O_NO_FIELD = 8  # the kernel needed a time field the tables do not hold (a difference, counted)
O_OTHER = 9  # an engine order of another kind (a breach), which the kernel does not give
ORDER_NAMES = {0: "hold", 1: "move", 2: "assault", 3: "bombard", 4: "withdraw", 8: "no-field"}
# Trigger nodes (engine/ai/triggers.py): atoms and the two ways of joining them.
N_TAKEN, N_LOST, N_AFTER, N_ANY, N_ALL, N_ARRIVED, N_BELOW = range(7)
# `only_when` of a phase.
W_ANY, W_NIGHT, W_DAY = range(3)
# The ai_* coefficients, in the order of the kernel's `coeff` vector (planner._THRESHOLDS).
C_SPENT_STRENGTH, C_SPENT_MORALE, C_FALL_BACK_RATIO, C_WORKS_HOLD, C_FALL_BACK_STRENGTH = range(5)
C_COUNTER_RATIO, C_ATTACK_RATIO, C_HASTY_RATIO, C_T_MINEFIELD, C_T_WIRE = range(5, 10)
C_T_MAN, C_PLANNED_PER_ROUND = 10, 11


# ---------------------------------------------------------------------------- flat tables
@dataclass
class PlanTables:
    """What the kernel reads that is fixed for a game, as arrays (made once per game; the
    time fields once per scenario), and the plan clock's memory of the game (`memo`, the same
    facts the engine's `PlanClock` keeps: a trigger found to fire stays fired)."""

    side: int
    total_turns: int
    units: tuple  # men_start, gunners, fire_rate, unit_budget, w_min, w_max, w_rate, w_budget
    board: tuple  # q, r, neighbors, dry, water, hex_size_m, owner at the start
    fields: tuple  # field_of (hex -> row, -1 none), fields (rows of hours)
    coeff: np.ndarray
    plan: tuple  # the phases' columns, the trigger nodes
    memo: tuple  # fired, checked (per trigger node), settled start, end (per phase), scratch
    places: list[str]  # the places the triggers read, in the timeline's row order


def _flatten_trigger(
    trigger: Trigger,
    nodes: list[list[int]],
    places: list[str],
    by_id: dict[str, int],
    minutes: int,
    unit_ids: list[str],
    shares: list,
) -> int:
    """Append `trigger`'s tree to `nodes` in pre-order (each node's subtree is the rows from it
    to its `end`, so the kernel evaluates a tree bottom-up without recursion)."""
    at = len(nodes)
    row = [0, 0, 0, 0]  # kind, arg, offset, end
    nodes.append(row)
    if trigger.any is not None or trigger.all is not None:
        row[0] = N_ANY if trigger.any is not None else N_ALL
        for child in trigger.any if trigger.any is not None else trigger.all:
            _flatten_trigger(child, nodes, places, by_id, minutes, unit_ids, shares)
    elif trigger.after is not None:
        row[0], row[1] = N_AFTER, by_id[trigger.after.phase]
        row[2] = math.ceil(trigger.after.hours * 60 / minutes - 1e-9)  # triggers.py `_after`
    elif trigger.taken is not None or trigger.lost is not None:
        place = trigger.taken if trigger.taken is not None else trigger.lost
        if place not in places:
            places.append(place)
        row[0] = N_TAKEN if trigger.taken is not None else N_LOST
        row[1] = places.index(place)
    elif trigger.arrived is not None:
        row[0], row[1] = N_ARRIVED, unit_ids.index(trigger.arrived)
    elif trigger.strength_below is not None:
        row[0], row[1] = N_BELOW, len(shares)  # its units and share: `shares`, read by make_tables
        shares.append(trigger.strength_below)
    else:
        raise NotImplementedError(f"trigger not ported: {trigger}")
    row[3] = len(nodes)
    return at


def make_tables(state: GameState, side: int) -> PlanTables:
    """The side's plan and the game's fixed data as arrays (see PlanTables)."""
    board, u = state.board, state.units
    plan = next(p for p in state.scenario.plans if p.side == state.side_ids[side])
    if plan.mode != "plan":
        raise NotImplementedError("only plan mode is ported")
    engineers = planner.engineer_units(state)
    for p in plan.phases:
        named = range(u.count) if p.units == "all" else [u.ids.index(x) for x in p.units]
        if p.task in (Task.attack, Task.assault) and any(engineers[j] for j in named):
            raise NotImplementedError("engineers' breaching (engineers in an attack)")
    phases = list(plan.phases)
    by_id = {p.id: k for k, p in enumerate(phases)}
    count = len(phases)
    minutes = state.scenario.clock.turn_minutes
    nodes: list[list[int]] = []
    places: list[str] = []
    shares: list = []  # the `strength_below` triggers, in the order of their nodes' `arg`
    start_root = np.full(count, -1, np.int64)
    end_root = np.full(count, -1, np.int64)
    for k, p in enumerate(phases):
        if p.start_when is not None:
            start_root[k] = _flatten_trigger(
                p.start_when, nodes, places, by_id, minutes, u.ids, shares
            )
        if p.end_when is not None:
            end_root[k] = _flatten_trigger(p.end_when, nodes, places, by_id, minutes, u.ids, shares)
    from engine.ai.triggers import PlanClock

    clock = PlanClock(state, side, phases)
    # `strength_below`: the units it measures (triggers.py `_share_units`), their men at the
    # start and the share below which it holds.
    share_units = np.zeros((max(1, len(shares)), u.count), np.bool_)
    share_start = np.ones(max(1, len(shares)))
    share_below = np.zeros(max(1, len(shares)))
    for g, share in enumerate(shares):
        if share.units:
            share_units[g, [u.ids.index(x) for x in share.units]] = True
        else:
            measured = state.side_ids.index(share.side) if share.side is not None else 1 - side
            share_units[g] = u.side == measured
        share_start[g] = float(u.men_start[share_units[g]].sum()) or 1.0
        share_below[g] = share.share  # its order of phases: each after those it waits on
    node = np.array(nodes, np.int64).reshape(-1, 4)
    units = np.zeros((count, u.count), np.bool_)
    for k, p in enumerate(phases):
        if p.units == "all":
            units[k, :] = True
        else:
            units[k, [u.ids.index(x) for x in p.units]] = True
    objective = np.array(
        [board.resolve(p.objective) if p.objective is not None else -1 for p in phases], np.int64
    )
    fall_back = np.array(
        [board.resolve(p.fall_back_to) if p.fall_back_to is not None else -1 for p in phases],
        np.int64,
    )
    plan_columns = (
        np.array(clock.fixed_start, np.int64),
        np.array(clock.fixed_end, np.int64),
        start_root,
        end_root,
        np.array(clock._order, np.int64),
        np.array([TASKS.index(p.task) for p in phases], np.int64),
        units,
        objective,
        fall_back,
        np.array([("any", "night", "day").index(p.only_when) for p in phases], np.int64),
        np.array([p.axes for p in phases], np.int64),
        np.array([p.rounds is not None for p in phases], np.bool_),
        np.array([p.rounds if p.rounds is not None else 0.0 for p in phases], np.float64),
        node[:, 0].copy(),
        node[:, 1].copy(),
        node[:, 2].copy(),
        node[:, 3].copy(),
        np.array(planner._places_to_hold(state, side), np.int64),  # for the standing reflex
        share_units,
        share_start,
        share_below,
    )
    # Weapons, padded: a pad never fires (min range infinite) and draws on no budget (-2).
    most = max(1, max(len(ws) for ws in u.indirect))
    w_min = np.full((u.count, most), np.inf)
    w_max = np.zeros((u.count, most))
    w_rate = np.zeros((u.count, most))
    w_budget = np.full((u.count, most), -2, np.int64)
    for j, ws in enumerate(u.indirect):
        for k, weapon in enumerate(ws):
            w_min[j, k], w_max[j, k] = weapon.min_range_m, weapon.range_m
            w_rate[j, k] = weapon.tubes * weapon.rounds_per_hour
            w_budget[j, k] = weapon.budget
    fixed = planner._fixed(state)
    unit_columns = (
        u.men_start.astype(np.int64),
        np.array(fixed.gunners, np.bool_),
        np.array(fixed.fire_rates, np.float64),
        np.array(fixed.budgets, np.int64),
        w_min,
        w_max,
        w_rate,
        w_budget,
    )
    neighbors = np.full((board.width * board.height, 6), -1, np.int64)
    for h, around in enumerate(board.neighbors):
        neighbors[h, : len(around)] = around  # the engine's order: a counter-attack takes the first
    board_columns = (
        board.q.astype(np.int64),
        board.r.astype(np.int64),
        neighbors,
        (board.passable & ~board.water).astype(np.bool_),
        board.water.astype(np.bool_),
        float(board.hex_size_m),
        np.array(fixed.works_owner, np.int64),  # the planner reads the owners of the start
    )
    # Time fields toward every hex an attack may aim at: the objectives and the hexes within two.
    coefficients = coefficients_of(state)
    goals: set[int] = set()
    for h in objective.tolist():
        if h >= 0:
            row = board.distance_row(h)
            goals.update(g for g in range(len(row)) if row[g] <= 2)
    field_of = np.full(board.width * board.height, -1, np.int64)
    fields = np.zeros((len(goals), board.width * board.height))
    for k, g in enumerate(sorted(goals)):
        field_of[g] = k
        fields[k] = time_field(board, g, coefficients)
    coeff = np.array([getattr(fixed, name) for name in planner._THRESHOLDS], np.float64)
    memo = (
        np.full(len(nodes), -1, np.int64),  # fired boundary of a root atom (-1: not yet)
        np.full(len(nodes), -1, np.int64),  # the last boundary it was judged at
        np.full(count, -1, np.int64),  # a phase's start once found
        np.full(count, -1, np.int64),  # a phase's end by `end_when` once found
        # Per-hex scratch of the kernel (the enemy's men, routed enemies, the fire plan), zero
        # between calls: the kernel clears what it wrote rather than allocating afresh.
        np.zeros(board.width * board.height, np.int64),
        np.zeros(board.width * board.height, np.bool_),
        np.zeros(board.width * board.height),
    )
    return PlanTables(
        side,
        state.total_turns,
        unit_columns,
        board_columns,
        (field_of, fields),
        coeff,
        plan_columns,
        memo,
        places,
    )


def turn_inputs(state: GameState, tables: PlanTables) -> tuple:
    """This turn's state as the kernel reads it: arrays the engine's state holds (the control
    record of the trigger places as a table, -9 past its end)."""
    u, w = state.units, state.works
    timeline = np.full((max(1, len(tables.places)), tables.total_turns + 2), -9, np.int64)
    place_start = np.full(max(1, len(tables.places)), -1, np.int64)
    for k, place in enumerate(tables.places):
        record = state.place_timeline.get(place, [])
        timeline[k, : len(record)] = record
        place_start[k] = state.place_start.get(place, -1)
    # Which units stood on the map at each boundary (`position_ledger`, for `arrived`).
    placed = np.zeros((tables.total_turns + 2, state.units.count), np.bool_)
    for k, where in enumerate(state.position_ledger):
        placed[k] = where >= 0
    # The men of each unit at each boundary (`ledger`, for `strength_below`); -1 past its end.
    ledger_men = np.full((tables.total_turns + 2, state.units.count), -1, np.int64)
    for k, entry in enumerate(state.ledger):
        ledger_men[k] = entry[0]
    return (
        state.turn,
        state.is_night(),
        u.hex.astype(np.int64),
        u.men.astype(np.int64),
        u.morale.astype(np.float64),
        u.routed.astype(np.bool_),
        state.active(),
        u.side.astype(np.int64),
        w.fort_strength,
        w.fort_strength_start,
        w.blockhouse_strength,
        w.blockhouse_strength_start,
        w.mine_depth_m,
        w.lane,
        w.wire_lines,
        w.owner.astype(np.int64),
        state.budget_rounds.astype(np.float64),
        timeline,
        place_start,
        placed,
        ledger_men,
    )


# ---------------------------------------------------------------------------- the clock
@njit(cache=True)
def _holds(root, k, side, starts, kind, arg, offset, end, timeline, place_start, records):
    """Whether the trigger tree at `root` holds at boundary k (triggers.py `_holds`), bottom-up
    over its pre-order rows."""
    size = end[root] - root
    value = np.zeros(size, np.bool_)
    for n in range(end[root] - 1, root - 1, -1):
        kd = kind[n]
        if kd in (N_TAKEN, N_LOST):
            wanted = side if kd == N_TAKEN else 1 - side
            # boundary 0: the start; k: after turn k - 1 (-9 past the record's end)
            held = place_start[arg[n]] if k == 0 else timeline[arg[n], k - 1]
            got = held == wanted
        elif kd == N_AFTER:
            began = starts[arg[n]]
            got = began >= 0 and k >= began + offset[n]
        elif kd == N_ARRIVED:
            got = records[0][k, arg[n]]  # stood on the map at boundary k
        elif kd == N_BELOW:
            ledger_men, share_units, share_start, share_below = (
                records[1],
                records[2],
                records[3],
                records[4],
            )
            got = False
            if ledger_men[k, 0] >= 0:  # a boundary the ledger has reached
                total = 0
                for j in range(share_units.shape[1]):
                    if share_units[arg[n], j]:
                        total += ledger_men[k, j]
                got = total / share_start[arg[n]] < share_below[arg[n]]
        else:
            got = kd == N_ALL
            c = n + 1
            while c < end[n]:
                got = got or value[c - root] if kd == N_ANY else got and value[c - root]
                c = end[c]
        value[n - root] = got
    return value[0]


@njit(cache=True)
def _fired(
    root,
    since,
    turn,
    side,
    starts,
    kind,
    arg,
    offset,
    end,
    fired,
    checked,
    timeline,
    place_start,
    records,
):
    """The first boundary from `since` at which the trigger at `root` held (-1: none yet), as
    triggers.py `_fired`: an `after` names its boundary, an atom is judged once per boundary.
    (Arrays, not the tables' tuples: a tuple of arrays handed to a function costs a reference
    count update per array, and these run for every phase every turn.)"""
    if kind[root] == N_AFTER:
        began = starts[arg[root]]
        return -1 if began < 0 else began + offset[root]
    if fired[root] >= 0:
        return fired[root]
    found = -1
    for k in range(max(checked[root] + 1, since), turn + 1):
        if _holds(root, k, side, starts, kind, arg, offset, end, timeline, place_start, records):
            found = k
            break
    fired[root] = found
    checked[root] = turn
    return found


@njit(cache=True)
def phase_times(turn, side, plan, memo, timeline, place_start, records):
    """(start, end) turn of each phase this turn (triggers.py `PlanClock.times`)."""
    fixed_start, fixed_end, start_root, end_root, order = (
        plan[0],
        plan[1],
        plan[2],
        plan[3],
        plan[4],
    )
    settled, ended = memo[2], memo[3]
    kind, arg, offset, end, fired_at, checked = (
        plan[13],
        plan[14],
        plan[15],
        plan[16],
        memo[0],
        memo[1],
    )
    count = fixed_start.shape[0]
    starts = np.full(count, -1, np.int64)
    for idx in range(count):
        k = order[idx]
        start = settled[k]
        if start < 0:
            start = fixed_start[k]
            if start_root[k] >= 0:
                fired = _fired(
                    start_root[k],
                    0,
                    turn,
                    side,
                    starts,
                    kind,
                    arg,
                    offset,
                    end,
                    fired_at,
                    checked,
                    timeline,
                    place_start,
                    records,
                )
                start = -1 if fired < 0 else max(start, fired)
            if start >= 0:
                settled[k] = start
        starts[k] = start
    times = np.empty((count, 2), np.int64)
    for k in range(count):
        start = NEVER if starts[k] < 0 else starts[k]
        finish = ended[k]
        if finish < 0:
            finish = fixed_end[k]
            if end_root[k] >= 0 and start < NEVER:
                fired = _fired(
                    end_root[k],
                    start,
                    turn,
                    side,
                    starts,
                    kind,
                    arg,
                    offset,
                    end,
                    fired_at,
                    checked,
                    timeline,
                    place_start,
                    records,
                )
                if fired >= 0:
                    finish = min(finish, fired)
                    ended[k] = finish
        times[k, 0] = start
        times[k, 1] = finish
    return times


# ---------------------------------------------------------------------------- the orders
@njit(cache=True, inline="always")
def _distance(q, r, a, b):
    dq = q[a] - q[b]
    dr = r[a] - r[b]
    return (abs(dq) + abs(dr) + abs(dq + dr)) // 2


@njit(cache=True, inline="always")
def _spent(i, men, men_start, morale, coeff):
    strength = men[i] / max(float(men_start[i]), 1.0)
    return strength < coeff[C_SPENT_STRENGTH] or morale[i] < coeff[C_SPENT_MORALE]


@njit(cache=True, inline="always")
def _works_intact(h, fort, fort0, block, block0):
    start = float(fort0[h] + block0[h])
    if start <= 0:
        return 0.0
    return float(fort[h] + block[h]) / start


@njit(cache=True, inline="always")
def _send_tier(k, place, task, objective):
    """How readily the standing reflex sends a unit on phase k to man `place` (lower first;
    -1: never), planner.py `_send_tier`."""
    if k < 0:
        return 0
    t = task[k]
    if objective[k] == place and (t in (T_HOLD, T_COUNTER)):
        return -1
    if t in (T_HOLD, T_COUNTER):
        return 0
    if t in (T_MOVE, T_ATTACK, T_ASSAULT, T_PURSUE):
        return 1
    return -1


@njit(cache=True)
def _needs_manning(
    i,
    only_keepers,
    side,
    place,
    hexes,
    men,
    men_start,
    morale,
    routed,
    active,
    unit_side,
    current,
    task,
    objective,
    enemy_men,
    neighbors,
    fort,
    fort0,
    block,
    block0,
    coeff,
):
    """planner.py `_needs_manning`: nobody able holds `place`, or the enemy next to it has the
    odds to assault those who do. The garrison: the side's units there (`only_keepers`: of
    those, the ones the reflex counts for unit i, `_standing_reflex`'s `keep`)."""
    held = 0
    for j in range(unit_side.shape[0]):
        if not active[j] or unit_side[j] != side or hexes[j] != place:
            continue
        if only_keepers and (
            routed[j] or not (j < i or _send_tier(current[j], place, task, objective) < 0)
        ):
            continue
        if not routed[j] and not _spent(j, men, men_start, morale, coeff):
            held += men[j]
    if held <= 0:
        return True
    intact = _works_intact(place, fort, fort0, block, block0) > 0
    ratio = coeff[C_ATTACK_RATIO] if intact else coeff[C_HASTY_RATIO]
    threat = 0
    for m in range(6):
        n = neighbors[place, m]
        if n >= 0:
            threat += enemy_men[n]
    return threat >= ratio * held


@njit(cache=True)
def _man_with(
    side,
    place,
    hexes,
    men,
    men_start,
    morale,
    routed,
    active,
    unit_side,
    gunners,
    current,
    task,
    objective,
    enemy_men,
    neighbors,
    fort,
    fort0,
    block,
    block0,
    coeff,
    q,
    r,
):
    """planner.py `_man_with` for the plan's reflex: the unit sent to man `place` (-1: none, or
    it is manned, or the enemy stands on it): the nearest free foot unit, lowest tier first."""
    if enemy_men[place] > 0:
        return -1
    if not _needs_manning(
        -1,
        False,
        side,
        place,
        hexes,
        men,
        men_start,
        morale,
        routed,
        active,
        unit_side,
        current,
        task,
        objective,
        enemy_men,
        neighbors,
        fort,
        fort0,
        block,
        block0,
        coeff,
    ):
        return -1
    best_tier, best_distance, pick = 1 << 30, 1 << 30, -1
    for j in range(unit_side.shape[0]):
        if not active[j] or unit_side[j] != side:
            continue
        tier = _send_tier(current[j], place, task, objective)
        if tier < 0 or men[j] <= 0 or routed[j] or gunners[j]:
            continue
        if _spent(j, men, men_start, morale, coeff):
            continue
        contact = False
        for m in range(6):
            n = neighbors[hexes[j], m]
            if n >= 0 and enemy_men[n] > 0:
                contact = True
        if contact:
            continue
        d = _distance(q, r, place, hexes[j])
        if tier < best_tier or (tier == best_tier and d < best_distance):
            best_tier, best_distance, pick = tier, d, j  # j ascending: the lowest wins ties
    return pick


@njit(cache=True)
def _ration(i, k, turn, side, times, unit_side, units, plan, budget_rounds, total_turns):
    """Rounds unit i may fire this turn in phase k (planner.py `_ration`, `_ration_plan`)."""
    budget = units[3][i]
    if budget < 0:
        return -1
    w_rate, w_budget = units[6], units[7]
    task, members, has_rounds, rounds = plan[5], plan[6], plan[11], plan[12]
    count = unit_side.shape[0]
    drawing = np.zeros(count, np.bool_)  # units of the side whose guns draw on the budget
    weight = np.zeros(count)
    for j in range(count):
        if unit_side[j] != side:
            continue
        for m in range(w_budget.shape[1]):
            if w_budget[j, m] == budget:
                drawing[j] = True
                weight[j] += w_rate[j, m]
    left_allotted = 0.0
    open_turns = 0
    current_counted = False
    for p in range(times.shape[0] + 1):
        if p < times.shape[0]:
            if task[p] != T_BOMBARD or times[p, 1] <= turn:
                continue
            used = False
            for j in range(count):
                if drawing[j] and members[p, j]:
                    used = True
                    break
            if not used:
                continue
            if p == k:
                current_counted = True
        else:
            if current_counted:
                break
            p = k  # the current phase counts whatever its task (planner: `mine.append(current)`)
        start, end = times[p, 0], times[p, 1]
        span = max(end - start, 1) if end < NEVER else total_turns - start
        remaining = max(min(end, total_turns) - max(start, turn), 0)
        if has_rounds[p]:
            left_allotted += rounds[p] * remaining / max(span, 1)
        else:
            open_turns += remaining
    # `sharing = users(current) or [i]`; `total = sum(weights) or 1.0`
    total = 0.0
    sharing = 0
    for j in range(count):
        if drawing[j] and members[k, j]:
            total += weight[j]
            sharing += 1
    if sharing == 0:
        total = weight[i]
    if total == 0.0:
        total = 1.0
    if has_rounds[k]:
        per_turn = rounds[k] / max(times[k, 1] - times[k, 0], 1)
    else:
        per_turn = max(budget_rounds[budget] - left_allotted, 0.0) / max(open_turns, 1)
    share = per_turn * weight[i] / total
    step = max(turn - times[k, 0], 0)
    return int(math.floor((step + 1) * share) - math.floor(step * share))


@njit(cache=True)
def plan_side(side, state, units, board, fields, coeff, plan, memo, total_turns):
    """This turn's orders for every unit of `side` that can take one (planner.py
    `plan_orders(state, side, "plan")`), one row each: (kind, unit, hex, rounds)."""
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
    w_min, w_max = units[4], units[5]
    q, r, neighbors, dry, water, hex_size, owner = board
    field_of, field_rows = fields
    task, members, objective, fall_back = plan[5], plan[6], plan[7], plan[8]
    only_when, axes = plan[9], plan[10]
    count = hexes.shape[0]
    cells = q.shape[0]

    records = (placed, ledger_men, plan[18], plan[19], plan[20])
    times = phase_times(turn, side, plan, memo, timeline, place_start, records)

    # The view (planner.py `_make_view`): the enemy's men by hex, the hexes of routed enemies.
    enemy_men, fleeing, planned = memo[4], memo[5], memo[6]
    for j in range(count):
        if active[j] and unit_side[j] != side and men[j] > 0:
            enemy_men[hexes[j]] += men[j]
            if routed[j]:
                fleeing[hexes[j]] = True
    # `planned`: the side's fire plan this turn (`_fire_plan`)
    rows = np.empty((count, 4), np.int64)
    n_rows = 0
    candidates = np.empty((7, 3))  # (-score, distance, hex) of a gun's targets
    around = np.empty(6, np.int64)

    # Each unit's phase (`_phase_table`): the latest begun among those that apply now.
    current = np.full(count, -1, np.int64)
    for i in range(count):
        k = -1
        for p in range(times.shape[0]):
            if times[p, 0] <= turn < times[p, 1] and members[p, i]:
                allowed = only_when[p] == W_ANY or (only_when[p] == W_NIGHT) == night
                if allowed and (k < 0 or times[p, 0] >= times[k, 0]):
                    k = p
        current[i] = k
    # The standing reflex's pick for each place to hold (`_man_with`), worked out when first asked.
    places = plan[17]
    man_with = np.full(places.shape[0], -2, np.int64)

    for i in range(count):
        if not active[i] or unit_side[i] != side or routed[i]:
            continue
        k = current[i]
        here = hexes[i]
        kind, to, rounds = O_HOLD, -1, -1
        reflex = False
        if places.shape[0] > 0 and not gunners[i] and _send_tier(k, -1, task, objective) >= 0:
            # `_standing_reflex`: keep the side's places to hold manned, whatever the phase.
            for a in range(places.shape[0]):
                place = places[a]
                if _send_tier(k, place, task, objective) < 0:
                    continue  # the phase is about this place: it says what to do
                if here == place:
                    # stays unless the place is held without it
                    if _needs_manning(
                        i,
                        True,
                        side,
                        place,
                        hexes,
                        men,
                        men_start,
                        morale,
                        routed,
                        active,
                        unit_side,
                        current,
                        task,
                        objective,
                        enemy_men,
                        neighbors,
                        fort,
                        fort0,
                        block,
                        block0,
                        coeff,
                    ):
                        reflex = True
                        break
                    continue
                if man_with[a] == -2:
                    man_with[a] = _man_with(
                        side,
                        place,
                        hexes,
                        men,
                        men_start,
                        morale,
                        routed,
                        active,
                        unit_side,
                        gunners,
                        current,
                        task,
                        objective,
                        enemy_men,
                        neighbors,
                        fort,
                        fort0,
                        block,
                        block0,
                        coeff,
                        q,
                        r,
                    )
                if man_with[a] == i:
                    kind, to = O_MOVE, place
                    reflex = True
                    break
        if reflex or k < 0 or objective[k] < 0:
            pass
        else:
            t = task[k]
            target = objective[k]
            gun_fires = gunners[i] and (t in (T_BOMBARD, T_ATTACK, T_ASSAULT, T_HOLD, T_COUNTER))
            if gun_fires:
                # `_bombard`: the hex around the objective with the most left to destroy.
                n_cand = 0
                for m in range(7):
                    h = target if m == 0 else neighbors[target, m - 1]
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
                        candidates[n_cand, 0] = -score
                        candidates[n_cand, 1] = _distance(q, r, here, h)
                        candidates[n_cand, 2] = h
                        n_cand += 1
                any_candidate = n_cand > 0
                if n_cand == 0:
                    best, nearest = 1 << 40, -1
                    for j in range(count):
                        if active[j] and unit_side[j] != side and men[j] > 0:
                            h = hexes[j]
                            key = _distance(q, r, target, h) * cells + h
                            if key < best:
                                best, nearest = key, h
                    if nearest >= 0 and _distance(q, r, target, nearest) <= 3:
                        candidates[0, 0], candidates[0, 1], candidates[0, 2] = 0.0, 0.0, nearest
                        n_cand = 1
                        any_candidate = True
                # sorted(candidates): a few rows, an insertion sort on (-score, distance, hex)
                for a in range(1, n_cand):
                    b = a
                    while b > 0 and (
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
                        for c in range(3):
                            candidates[b, c], candidates[b - 1, c] = (
                                candidates[b - 1, c],
                                candidates[b, c],
                            )
                        b -= 1
                fired = False
                for a in range(n_cand):
                    h = int(candidates[a, 2])
                    metres = _distance(q, r, here, h) * hex_size
                    reach = False
                    for m in range(w_min.shape[1]):
                        if w_min[i, m] <= metres <= w_max[i, m]:
                            reach = True
                    if reach:
                        planned[h] += fire_rate[i] * coeff[C_PLANNED_PER_ROUND]
                        kind, to = O_BOMBARD, h
                        rounds = _ration(
                            i,
                            k,
                            turn,
                            side,
                            times,
                            unit_side,
                            units,
                            plan,
                            budget_rounds,
                            total_turns,
                        )
                        fired = True
                        break
                if not fired:
                    kind, to = (O_MOVE, target) if any_candidate else (O_HOLD, -1)
            elif t == T_MOVE or (gunners[i] and t == T_PURSUE):
                if here != target:
                    kind, to = O_MOVE, target
            elif t in (T_ATTACK, T_ASSAULT):
                # `_attack`, plan mode: close on the objective and assault it.
                decided = False
                if enemy_men[target] == 0:
                    if here == target:
                        decided = True  # taken: keep it
                    else:
                        ours = False
                        for j in range(count):
                            if active[j] and unit_side[j] == side and hexes[j] == target:
                                ours = True
                        best, pick = 1 << 40, -1
                        for j in range(count):
                            if active[j] and unit_side[j] != side and men[j] > 0:
                                h = hexes[j]
                                if _distance(q, r, target, h) <= 2:
                                    key = _distance(q, r, here, h) * cells + h
                                    if key < best:
                                        best, pick = key, h
                        if not ours or pick < 0:
                            kind, to = O_MOVE, target
                            decided = True
                        else:
                            target = pick
                if not decided and not _spent(i, men, men_start, morale, coeff):
                    if _distance(q, r, here, target) == 1:
                        kind, to = O_ASSAULT, target
                    elif field_of[target] < 0:
                        kind, to = O_NO_FIELD, target
                    else:
                        hours = field_rows[field_of[target]]
                        step = -1
                        for m in range(6):
                            n = neighbors[here, m]
                            if n >= 0 and (
                                step < 0
                                or hours[n] < hours[step]
                                or (hours[n] == hours[step] and n < step)
                            ):
                                step = n
                        if enemy_men[step] > 0 and step != target:
                            kind, to = O_ASSAULT, step
                        else:
                            # `_approach_hex`: one of `axes` free dry hexes round the target.
                            n_around = 0
                            for m in range(6):
                                n = neighbors[target, m]
                                if n >= 0 and enemy_men[n] == 0 and dry[n]:
                                    around[n_around] = n
                                    n_around += 1
                            if n_around == 0:
                                kind, to = O_MOVE, target
                            else:
                                for a in range(1, n_around):
                                    b = a
                                    while b > 0:
                                        x, y = around[b], around[b - 1]
                                        dx, dy = _distance(q, r, here, x), _distance(q, r, here, y)
                                        if dx < dy or (dx == dy and x < y):
                                            around[b], around[b - 1] = y, x
                                            b -= 1
                                        else:
                                            break
                                chosen = min(max(1, axes[k]), n_around)
                                kind, to = O_MOVE, around[i % chosen]
            elif t in (T_HOLD, T_COUNTER):
                # `_hold`, plan mode, and `_hold_or_counter`.
                stand = True
                if here != target:
                    if enemy_men[target] == 0:
                        kind, to = O_MOVE, target
                        stand = False
                elif fall_back[k] >= 0 and fall_back[k] != here:
                    threat = 0
                    for m in range(6):
                        n = neighbors[here, m]
                        if n >= 0:
                            threat += enemy_men[n]
                    if threat > 0:
                        outnumbered = threat / max(men[i], 1)
                        works = _works_intact(here, fort, fort0, block, block0)
                        stands = coeff[C_FALL_BACK_RATIO] * (
                            1.0 + (coeff[C_WORKS_HOLD] - 1.0) * works
                        )
                        strength = men[i] / max(float(men_start[i]), 1.0)
                        if strength < coeff[C_FALL_BACK_STRENGTH] or outnumbered >= stands:
                            kind, to = O_WITHDRAW, fall_back[k]
                            stand = False
                if stand and t == T_COUNTER and not _spent(i, men, men_start, morale, coeff):
                    for m in range(6):
                        n = neighbors[here, m]
                        lodgement = n >= 0 and enemy_men[n] > 0
                        lodgement = lodgement and (owner_now[n] == side or n == target)
                        if lodgement and men[i] >= coeff[C_COUNTER_RATIO] * enemy_men[n]:
                            kind, to = O_ASSAULT, n
                            break
            elif t in (T_FALL_BACK, T_WITHDRAW):
                kind, to = O_WITHDRAW, target
            elif t == T_PURSUE:
                # `_pursue`, plan mode: the nearest broken enemy, else the nearest enemy.
                any_enemy, any_fleeing = False, False
                for j in range(count):
                    if active[j] and unit_side[j] != side and men[j] > 0:
                        any_enemy = True
                        any_fleeing = any_fleeing or routed[j]
                if not any_enemy:
                    if here != target:
                        kind, to = O_MOVE, target
                else:
                    best, pick = 1 << 40, -1
                    for j in range(count):
                        if active[j] and unit_side[j] != side and men[j] > 0:
                            h = hexes[j]
                            if any_fleeing and not fleeing[h]:
                                continue
                            key = _distance(q, r, here, h) * cells + h
                            if key < best:
                                best, pick = key, h
                    if water[pick]:
                        best, bank, on_bank = 1 << 40, -1, False
                        for m in range(6):
                            n = neighbors[pick, m]
                            if n >= 0 and dry[n]:
                                on_bank = on_bank or n == here
                                key = _distance(q, r, here, n) * cells + n
                                if key < best:
                                    best, bank = key, n
                        if not (on_bank or bank < 0):
                            kind, to = O_MOVE, bank
                    elif _distance(q, r, here, pick) == 1:
                        kind, to = O_ASSAULT, pick
                    else:
                        kind, to = O_MOVE, pick
            elif t == T_BREAK_OUT:
                if field_of[target] < 0:
                    kind, to = O_NO_FIELD, target
                else:
                    hours = field_rows[field_of[target]]
                    step = -1
                    for m in range(6):
                        n = neighbors[here, m]
                        if n >= 0 and (
                            step < 0
                            or hours[n] < hours[step]
                            or (hours[n] == hours[step] and n < step)
                        ):
                            step = n
                    kind, to = (O_ASSAULT, step) if enemy_men[step] > 0 else (O_WITHDRAW, target)
            # T_BOMBARD for a unit without guns: it stands by (Hold).
        rows[n_rows, 0] = kind
        rows[n_rows, 1] = i
        rows[n_rows, 2] = to
        rows[n_rows, 3] = rounds
        n_rows += 1
    for j in range(count):  # the scratch back to zero
        if hexes[j] >= 0:
            enemy_men[hexes[j]] = 0
            fleeing[hexes[j]] = False
    for a in range(n_rows):
        if rows[a, 0] == O_BOMBARD:
            planned[rows[a, 2]] = 0.0
    return rows[:n_rows]


@njit(cache=True)
def _nothing(side, state, units, board, fields, coeff, plan, memo, total_turns):
    """plan_side's arguments, and no work: the cost of calling a kernel from Python."""
    return side


@njit(cache=True)
def _repeat(reps, side, state, units, board, fields, coeff, plan, memo, total_turns):
    """plan_side `reps` times on one turn from compiled code, as a turn compiled whole would
    call it (no call from Python; the clock's memory is that of the turn after the first)."""
    given = 0
    for _ in range(reps):
        given += plan_side(side, state, units, board, fields, coeff, plan, memo, total_turns).shape[
            0
        ]
    return given


def kernel_orders(state: GameState, tables: PlanTables) -> np.ndarray:
    """The kernel's orders for the tables' side in this state."""
    return plan_side(
        tables.side,
        turn_inputs(state, tables),
        tables.units,
        tables.board,
        tables.fields,
        tables.coeff,
        tables.plan,
        tables.memo,
        tables.total_turns,
    )


def engine_rows(orders: list[Order]) -> np.ndarray:
    """The engine's orders as the kernel's rows."""
    rows = []
    for o in orders:
        if isinstance(o, Hold):
            rows.append((O_HOLD, o.unit, -1, -1))
        elif isinstance(o, Move):
            rows.append((O_MOVE, o.unit, o.to, -1))
        elif isinstance(o, Assault):
            rows.append((O_ASSAULT, o.unit, o.target, -1))
        elif isinstance(o, Bombard):
            rows.append((O_BOMBARD, o.unit, o.target, o.rounds))
        elif isinstance(o, Withdraw):
            rows.append((O_WITHDRAW, o.unit, o.to, -1))
        else:
            rows.append((O_OTHER, o.unit, -1, -1))
    return np.array(rows, np.int64).reshape(-1, 4)


# ---------------------------------------------------------------------------- commands
def profile(games: int = 10) -> None:
    """cProfile of plan mode in whole battles: the planner's functions and their share."""
    for path in (FURONG, SHIGEHIRO):
        scenario = load_scenario(path)
        play(scenario, 0, keep_events=False, detail_events=False)  # the scenario's shared caches
        profiler = cProfile.Profile()
        profiler.enable()
        for seed in range(1, games + 1):
            play(scenario, seed, keep_events=False, detail_events=False)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = stats.total_tt
        rows = []
        for (file, _line, name), (_, calls, _, cumulative, _) in stats.stats.items():
            if file.endswith(("ai/planner.py", "ai/triggers.py")):
                rows.append((cumulative, calls, f"{Path(file).name}:{name}"))
        rows.sort(reverse=True)
        print(f"\n{path.stem}: {games} battles, {total:.3f} s under the profiler")
        for cumulative, calls, name in rows[:24]:
            print(f"  {100 * cumulative / total:5.1f} %  {calls:6d} calls  {name}")


def _games(seeds: range, path: Path = FURONG, side_id: str = SIDE_ID):
    """Play games of `path`; at each turn, before the orders, yield (game, tables, engine rows,
    engine seconds): the engine's own plan_orders for the side, timed as the game asks for it."""
    scenario = load_scenario(path)
    for seed in seeds:
        game = Game(scenario, seed, keep_events=False, detail_events=False)
        side = game.state.side_index(side_id)
        tables = make_tables(game.state, side)
        while not game.over:
            for s in (0, 1):
                started = time.process_time()
                orders = game.computer_orders(s, "plan")
                spent = time.process_time() - started
                if s == side:
                    yield game, tables, engine_rows(list(orders)), spent
                game.apply_orders(s, orders)
            game.end_turn()


def check(games: int, path: Path, side_id: str) -> None:
    """The kernel's orders against the engine's, turn by turn in real games."""
    turns = same = 0
    differences: Counter[str] = Counter()
    examples: list[str] = []
    kinds: Counter[str] = Counter()  # the engine's orders by kind: what the check covers
    for game, tables, expected, _ in _games(range(1, games + 1), path, side_id):
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
    print(f"{path.stem}, {side_id}: {games} games")
    print(f"faithfulness: {same}/{turns} turns identical ({100 * same / max(turns, 1):.2f} %)")
    print("  the engine's orders checked, by kind:", dict(kinds.most_common()))
    for what, n in differences.most_common():
        print(f"  {n:5d} orders: {what}")
    for line in examples:
        print("   ", line)


def _doubled_allotments(tables: PlanTables) -> None:
    tables.plan[12][:] *= 2


def _no_after_offsets(tables: PlanTables) -> None:
    tables.plan[15][:] = 0


def _heavy_men(tables: PlanTables) -> None:
    tables.coeff[C_T_MAN] *= 100


def _no_places_to_hold(tables: PlanTables) -> None:
    tables.plan = (*tables.plan[:17], np.zeros(0, np.int64), *tables.plan[18:])


def _never_below(tables: PlanTables) -> None:
    tables.plan[20][:] = 0.0


# Deliberate faults in the tables, and the setting each shows in: the check must see them.
MUTANTS = (
    ("allotments doubled", _doubled_allotments, FURONG, "ija"),
    ("`after` offsets zeroed", _no_after_offsets, FURONG, "ija"),
    ("ai_target_man x100", _heavy_men, FURONG, "ija"),
    ("no standing reflex", _no_places_to_hold, FURONG, "roc"),
    ("strength_below never holds", _never_below, SHIGEHIRO, "ija"),
)


def mutants(games: int) -> None:
    """The check against deliberately broken tables: each must change some turns' orders
    (exit status 1 if one does not, the check being blind to it)."""
    blind = []
    for name, spoil, path, side_id in MUTANTS:
        turns = differ = 0
        for game, tables, expected, _ in _games(range(1, games + 1), path, side_id):
            if game.state.turn == 0:
                spoil(tables)
            got = kernel_orders(game.state, tables)
            turns += 1
            differ += not (got.shape == expected.shape and (got == expected).all())
        print(f"mutant {name} ({path.stem} {side_id}): {differ}/{turns} turns differ")
        if differ == 0:
            blind.append(name)
    if blind:
        sys.exit(f"the check does not see: {', '.join(blind)}")


def bench(games: int, rounds: int, path: Path, side_id: str) -> None:
    """µs per call (CPU time, best of `rounds`) over the states of real games: the kernel
    (compiled, or interpreted under NUMBA_DISABLE_JIT=1) and, when compiled, the engine."""
    jit = os.environ.get("NUMBA_DISABLE_JIT", "0") != "1"
    calls = []  # (tables, inputs, memo as it stood before the call)
    engine_s = 0.0
    for game, tables, _, spent in _games(range(1, games + 1), path, side_id):
        memo = tuple(m.copy() for m in tables.memo)
        calls.append((tables, turn_inputs(game.state, tables), memo))
        kernel_orders(game.state, tables)  # keeps the memo moving as the game goes
        engine_s += spent
    best = math.inf
    for _ in range(rounds):
        memos = [tuple(m.copy() for m in memo) for _, _, memo in calls]
        started = time.process_time()
        for (tables, inputs, _), memo in zip(calls, memos, strict=True):
            plan_side(
                tables.side,
                inputs,
                tables.units,
                tables.board,
                tables.fields,
                tables.coeff,
                tables.plan,
                memo,
                tables.total_turns,
            )
        best = min(best, time.process_time() - started)
    label = "kernel compiled" if jit else "kernel interpreted (NUMBA_DISABLE_JIT=1)"
    print(
        f"{label}: {1e6 * best / len(calls):.2f} µs a call (best of {rounds}, {len(calls)} calls)"
    )
    if jit:
        # What a call from Python costs before the kernel runs (numba unboxes some 40 arrays
        # from the argument tuples): the same arguments to a kernel that does nothing. A turn
        # compiled whole calls the planner from compiled code and pays none of it.
        dispatch = math.inf
        for _ in range(rounds):
            started = time.process_time()
            for (tables, inputs, _), memo in zip(calls, memos, strict=True):
                _nothing(
                    tables.side,
                    inputs,
                    tables.units,
                    tables.board,
                    tables.fields,
                    tables.coeff,
                    tables.plan,
                    memo,
                    tables.total_turns,
                )
            dispatch = min(dispatch, time.process_time() - started)
        print(
            f"  of which the call from Python (same arguments, empty kernel): "
            f"{1e6 * dispatch / len(calls):.2f} µs; the kernel's own work: "
            f"{1e6 * (best - dispatch) / len(calls):.2f} µs"
        )
        inner = math.inf
        reps = 100
        for _ in range(rounds):
            memos = [tuple(m.copy() for m in memo) for _, _, memo in calls]
            started = time.process_time()
            for (tables, inputs, _), memo in zip(calls, memos, strict=True):
                _repeat(
                    reps,
                    tables.side,
                    inputs,
                    tables.units,
                    tables.board,
                    tables.fields,
                    tables.coeff,
                    tables.plan,
                    memo,
                    tables.total_turns,
                )
            inner = min(inner, time.process_time() - started)
        print(
            f"  called from compiled code ({reps} times a turn): "
            f"{1e6 * inner / len(calls) / reps:.2f} µs a call"
        )
    if jit:
        print(f"engine plan_orders in play: {1e6 * engine_s / len(calls):.1f} µs a call (one pass)")
        engine_best = math.inf
        for _ in range(rounds):
            spent = sum(s for *_, s in _games(range(1, games + 1), path, side_id))
            engine_best = min(engine_best, spent)
        print(
            f"engine plan_orders in play: {1e6 * engine_best / len(calls):.1f} µs a call "
            f"(best of {rounds} passes over the same games)"
        )


def adaptive(games: int) -> None:
    """The engine's adaptive mode (not ported), for the estimate: CPU µs a call of
    plan_orders(state, side, "adaptive") in games where both sides play it, and (in a second
    pass, the functions wrapped to count) how often a turn asks for what a kernel would find
    dearest: a route, a way field round the minefields, the point of attack, the guns' lanes."""
    import engine.ai.planner as module

    def games_of(path: Path, spent: list[float]) -> int:
        scenario = load_scenario(path)
        turns = 0
        for seed in range(1, games + 1):
            game = Game(scenario, seed, keep_events=False, detail_events=False)
            while not game.over:
                for s in (0, 1):
                    started = time.process_time()
                    orders = game.computer_orders(s, "adaptive")
                    spent[s] += time.process_time() - started
                    game.apply_orders(s, orders)
                turns += 1
                game.end_turn()
        return turns

    names = ("route", "_way_field", "_point_of_attack", "_lane_by_guns", "obstacles_on_axis")
    originals = {name: getattr(module, name) for name in names}
    counted: Counter[str] = Counter()

    def counting(name: str):
        def count(*args, **kwargs):
            counted[name] += 1
            return originals[name](*args, **kwargs)

        return count

    for path in (FURONG, SHIGEHIRO):
        spent = [0.0, 0.0]
        turns = games_of(path, spent)
        counted.clear()
        for name in names:
            setattr(module, name, counting(name))
        try:
            games_of(path, [0.0, 0.0])
        finally:
            for name in names:
                setattr(module, name, originals[name])
        print(
            f"{path.stem} adaptive, engine: "
            + ", ".join(f"side {s} {1e6 * spent[s] / turns:.0f} µs a call" for s in (0, 1))
            + f" ({turns} turns); calls a turn: "
            + ", ".join(f"{name} {n / turns:.1f}" for name, n in counted.most_common())
        )


def _work(path: str, reps: int) -> None:
    """Run the kernel `reps` times on each recorded turn of `path` (a pickle of
    `instructions`), from compiled code: what callgrind counts."""
    with open(path, "rb") as file:
        calls = pickle.load(file)
    for tables, inputs, memo in calls:
        _repeat(
            reps,
            tables.side,
            inputs,
            tables.units,
            tables.board,
            tables.fields,
            tables.coeff,
            tables.plan,
            memo,
            tables.total_turns,
        )


def count_instructions(games: int) -> None:
    """Machine instructions a kernel call (Furong `ija`, called from compiled code) by
    valgrind's callgrind, which the machine's load cannot move: two runs over the same
    recorded turns with 1 and 11 calls a turn, differenced, so that imports and loading drop
    out. The code is compiled for a generic x86-64 CPU and cached by a native run first (under
    valgrind numba sees another CPU and would compile again)."""
    folder = tempfile.mkdtemp(prefix="numba-plan-")
    env = {
        **os.environ,
        "NUMBA_CPU_NAME": "generic",
        "NUMBA_CPU_FEATURES": "",
        "NUMBA_CACHE_DIR": folder,
    }
    try:
        recorded = os.path.join(folder, "calls.pickle")
        calls = []
        for game, tables, _, _ in _games(range(1, games + 1)):
            calls.append(
                (tables, turn_inputs(game.state, tables), tuple(m.copy() for m in tables.memo))
            )
            kernel_orders(game.state, tables)
        with open(recorded, "wb") as file:
            pickle.dump(calls, file)
        script = str(Path(__file__).resolve())
        subprocess.run([sys.executable, script, "work", recorded, "1"], env=env, check=True)
        counts = []
        for reps in (1, 11):
            done = subprocess.run(
                [
                    *("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"),
                    *(sys.executable, script, "work", recorded, str(reps)),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            found = re.search(r"Collected : (\d+)", done.stderr)
            assert found, done.stderr[-2000:]
            counts.append(int(found.group(1)))
        per_call = (counts[1] - counts[0]) / (10 * len(calls))
        print(
            f"kernel from compiled code: {per_call:,.0f} instructions a call ({len(calls)} turns)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def first_call() -> None:
    """Time of the first kernel call in a fresh process (compile or cache load)."""
    game = Game(load_scenario(FURONG), 1, keep_events=False, detail_events=False)
    tables = make_tables(game.state, game.state.side_index(SIDE_ID))
    started = time.perf_counter()
    kernel_orders(game.state, tables)
    print(f"{time.perf_counter() - started:.3f}")


def compile_times() -> None:
    """First-call time with an empty numba cache (cold) and with it filled (warm)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        command = [sys.executable, __file__, "first"]
        for label in ("cold", "warm", "warm"):
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            print(f"first call, {label} cache: {out.stdout.strip()} s (wall)")
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=(
            *("all", "profile", "check", "mutants", "bench", "compile", "first", "adaptive"),
            *("instructions", "work"),
        ),
    )
    parser.add_argument("work_args", nargs="*", help=argparse.SUPPRESS)  # `work`: pickle, reps
    parser.add_argument("--games", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--scenario",
        choices=("furong", "shigehiro", "lion_mountain", "division_47_relief"),
        default="furong",
    )
    parser.add_argument("--side", default=None, help="side id (ija for Furong, roc for Shigehiro)")
    args = parser.parse_args()
    path = {"furong": FURONG, "shigehiro": SHIGEHIRO}.get(
        args.scenario, ROOT / "scenarios" / f"{args.scenario}.yaml"
    )
    side_id = args.side or (SIDE_ID if args.scenario == "furong" else "roc")
    if args.what in ("all", "profile"):
        profile()
    if args.what in ("all", "check"):
        check(args.games, path, side_id)
    if args.what in ("all", "mutants"):
        mutants(min(args.games, 5))
    if args.what in ("all", "bench"):
        bench(min(args.games, 10), args.rounds, path, side_id)
    if args.what in ("all", "compile"):
        compile_times()
    if args.what in ("all", "adaptive"):
        adaptive(min(args.games, 10))
    if args.what == "instructions":
        count_instructions(min(args.games, 10))
    if args.what == "work":
        _work(args.work_args[0], int(args.work_args[1]))
    if args.what == "first":
        first_call()


if __name__ == "__main__":
    main()
