"""The computer player: turns a side's plan (from the scenario) and the situation into Orders.

It follows the plan's phases where they apply (mode `plan`) or picks objectives from the victory
conditions (mode `adaptive`), and adapts to what it sees: a spent unit stops assaulting, a unit
that cannot hold falls back, assaults wait for the hours the phase allows. It never looks at the
historical record and never touches the dice: it only gives orders, and the rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.orders import Assault, Bombard, Hold, Move, Order, Withdraw
from ..core.state import GameState
from ..rules.bombardment import in_range
from ..rules.movement import time_field
from ..rules.turn import coefficients_of
from ..scenario.models import PlanPhase, Task

SPENT_STRENGTH = 0.3  # share of its men below which a unit stops attacking (regroups)
SPENT_MORALE = 0.3  # likewise for morale
FALL_BACK_RATIO = 5.0  # enemies next to a holding unit per own man at which it falls back,
# when its works are gone; intact works triple what it will stand
FALL_BACK_STRENGTH = 0.35  # share of its men below which a holding unit may fall back
COUNTERATTACK_RATIO = 1.0  # own men per enemy man needed to counter-attack a lodgement
# How a gun commander weighs targets around an objective, in works points (see _bombard).
MINEFIELD_TARGET_VALUE = 30.0  # an uncleared minefield
WIRE_TARGET_VALUE = 10.0  # per line of uncut wire
MEN_TARGET_VALUE = 0.2  # per enemy soldier
PLANNED_VALUE_PER_ROUND = 0.3  # value one round a turn already aimed at a hex takes off it


@dataclass(frozen=True)
class _Phase:
    phase: PlanPhase
    start: int  # turn
    end: int  # turn (exclusive)
    units: frozenset[int] | None  # None: every unit of the side
    objective: int | None
    fall_back_to: int | None


def _phases(state: GameState, side: int) -> list[_Phase]:
    cache = state.memo.setdefault("ai_phases", {})
    if side in cache:
        return cache[side]
    board, u = state.board, state.units
    plan = next((p for p in state.scenario.plans if p.side == state.side_ids[side]), None)
    found: list[_Phase] = []
    if plan is not None:
        for phase in plan.phases:
            units = None if phase.units == "all" else frozenset(u.ids.index(x) for x in phase.units)
            found.append(
                _Phase(
                    phase,
                    state.turn_of(phase.start),
                    state.turn_of(phase.end) if phase.end else 10**9,
                    units,
                    board.resolve(phase.objective) if phase.objective is not None else None,
                    board.resolve(phase.fall_back_to) if phase.fall_back_to is not None else None,
                )
            )
    cache[side] = found
    return found


def plan_orders(state: GameState, side: int) -> list[Order]:
    """This turn's orders for every unit of `side` that can take one."""
    u = state.units
    current = _current_phases(state, side)
    routed = u.routed.tolist()
    return [
        _order_for(state, i, current[i])
        for i in _view(state)[0][side]
        if not routed[i]  # routed units flee by the rules, whatever they are told
    ]


def _current_phases(state: GameState, side: int) -> tuple[_Phase | None, ...]:
    """The phase each unit follows this turn (None: no phase for it). It depends only on the
    plan, the turn and the dark, so it is worked out once per turn for every game of the
    scenario (kept on the board, which those games share)."""
    mode = _mode(state, side)
    night = state.is_night()
    key = ("ai_current_phases", side, mode, state.turn, night)
    found = state.board.memo.get(key)
    if found is not None and found[0] is state.scenario:
        return found[1]
    phases = _phases(state, side) if mode == "plan" else _adaptive_phases(state, side)
    turn = state.turn
    table: list[_Phase | None] = []
    for i in range(state.units.count):
        current = None
        for p in phases:
            if p.start <= turn < p.end and (p.units is None or i in p.units):
                allowed = p.phase.only_when == "any" or (p.phase.only_when == "night") == night
                if allowed and (current is None or p.start >= current.start):
                    current = p
        table.append(current)
    state.board.memo[key] = (state.scenario, tuple(table))
    return state.board.memo[key][1]


def _mode(state: GameState, side: int) -> str:
    override = state.ai_modes.get(side)
    if override:
        return override
    found = state.memo.get(("ai_mode", side))
    if found is None:
        plan = next((p for p in state.scenario.plans if p.side == state.side_ids[side]), None)
        found = state.memo[("ai_mode", side)] = plan.mode if plan else "adaptive"
    return found


def _adaptive_phases(state: GameState, side: int) -> list[_Phase]:
    """Objectives from the victory conditions: take what must be captured, keep what must be
    held, get out where the side must exit."""
    cache = state.memo.setdefault("ai_adaptive", {})
    if side in cache:
        return cache[side]
    board = state.board
    found = []
    for condition in state.scenario.victory:
        if condition.side != state.side_ids[side] or condition.place is None:
            continue
        task = {"capture": Task.assault, "hold": Task.hold, "exit": Task.withdraw}.get(
            condition.kind
        )
        if task is None:
            continue
        phase = PlanPhase(
            id="adaptive",
            name=f"adaptive {condition.kind}",
            start=state.scenario.clock.start,
            task=task,
            objective=condition.place,
            axes=3 if task == Task.assault else 1,
        )
        target = board.resolve(condition.place)
        found.append(_Phase(phase, 0, 10**9, None, target, None))
    cache[side] = found[:1] or []
    return cache[side]


def _order_for(state: GameState, i: int, phase: _Phase | None) -> Order:
    u = state.units
    if phase is None or phase.objective is None:
        return _hold_or_counter(state, i, None)
    task = phase.phase.task
    if u.is_gun[i] and u.indirect[i]:
        if task in (Task.bombard, Task.attack, Task.assault, Task.hold, Task.counterattack):
            order = _bombard(state, i, phase.objective)
            if isinstance(order, Bombard):
                return Bombard(i, order.target, _ration(state, i, phase))
            return order
        return _move_or_withdraw(state, i, phase.objective, task)
    if task == Task.bombard:
        return Hold(i)
    if task in (Task.hold, Task.counterattack):
        return _hold(state, i, phase)
    if task in (Task.attack, Task.assault):
        return _attack(state, i, phase)
    if task == Task.pursue:
        return _pursue(state, i, phase.objective)
    return _move_or_withdraw(state, i, phase.objective, task)


def _strength(state: GameState, i: int) -> float:
    u = state.units
    return float(u.men[i]) / max(float(u.men_start[i]), 1.0)


def _enemy_hexes(state: GameState, side: int) -> dict[int, int]:
    """Enemy-held hex -> enemy men there (the AI's view of the enemy: orders are given before
    anything moves)."""
    return _view(state)[1][side]


def _view(state: GameState) -> tuple[list[list[int]], list[dict[int, int]]]:
    """(each side's units on the map, each side's enemy-held hexes with their men), worked out
    once per turn for both sides."""
    key = state.state_version  # bumped by every turn the rules play
    cached = state.memo.get("ai_view")
    if cached is not None and cached[0] == key:
        return cached[1]
    u = state.units
    hexes, men, sides = u.hex.tolist(), u.men.tolist(), u.side.tolist()
    mine: list[list[int]] = [[], []]
    held: list[dict[int, int]] = [{}, {}]
    for i in state.active().nonzero()[0].tolist():
        side = sides[i]
        mine[side].append(i)
        if men[i] > 0:
            seen_by = held[1 - side]
            seen_by[hexes[i]] = seen_by.get(hexes[i], 0) + men[i]
    view = (mine, held)
    state.memo["ai_view"] = (key, view)
    return view


def _hold(state: GameState, i: int, phase: _Phase) -> Order:
    u, board = state.units, state.board
    here = int(u.hex[i])
    side = int(u.side[i])
    enemies = _enemy_hexes(state, side)
    target = phase.objective
    if target is not None and here != target:
        if target in enemies:
            return _hold_or_counter(state, i, phase)
        return Move(i, target)
    if phase.fall_back_to is None or phase.fall_back_to == here:
        return _hold_or_counter(state, i, phase)
    threat = sum(enemies.get(n, 0) for n in board.neighbors[here])
    if threat > 0:
        outnumbered = threat / max(int(u.men[i]), 1)
        works = _works_intact(state, here)
        if _strength(state, i) < FALL_BACK_STRENGTH or outnumbered >= FALL_BACK_RATIO * (
            1.0 + 2.0 * works
        ):
            return Withdraw(i, phase.fall_back_to)
    return _hold_or_counter(state, i, phase)


def _works_intact(state: GameState, h: int) -> float:
    """Share of a hex's works still standing (0 where there are none)."""
    w = state.works
    start = float(w.fort_strength_start[h] + w.blockhouse_strength_start[h])
    if start <= 0:
        return 0.0
    return float(w.fort_strength[h] + w.blockhouse_strength[h]) / start


def _hold_or_counter(state: GameState, i: int, phase: _Phase | None) -> Order:
    """Hold; but throw back an enemy lodgement in a neighbouring position of ours when strong
    enough (a counter-attack), as a holding force does."""
    u, board = state.units, state.board
    if phase is None or phase.phase.task != Task.counterattack:
        return Hold(i)
    if _strength(state, i) < SPENT_STRENGTH or u.morale[i] < SPENT_MORALE:
        return Hold(i)
    side = int(u.side[i])
    enemies = _enemy_hexes(state, side)
    here = int(u.hex[i])
    owner = state.works.owner
    for n in board.neighbors[here]:
        lodgement = n in enemies and (owner[n] == side or n == phase.objective)
        if lodgement and u.men[i] >= COUNTERATTACK_RATIO * enemies[n]:
            return Assault(i, n)
    return Hold(i)


def _attack(state: GameState, i: int, phase: _Phase) -> Order:
    """Close on the objective (from up to `axes` sides) and assault it; once it is ours, go for
    the nearest enemy-held hex around it."""
    u, board = state.units, state.board
    side = int(u.side[i])
    here = int(u.hex[i])
    enemies = _enemy_hexes(state, side)
    target = phase.objective
    if target not in enemies:
        if here == target:
            return Hold(i)  # the objective is taken: keep it
        ours = state.units_at(target, side)
        near = [h for h in enemies if board.distance(h, target) <= 2]
        if not ours or not near:
            return Move(i, target)  # occupy it first
        target = min(near, key=lambda h: (board.distance(here, h), h))
    if _strength(state, i) < SPENT_STRENGTH or u.morale[i] < SPENT_MORALE:
        return Hold(i)
    if board.distance(here, target) == 1:
        return Assault(i, target)
    c = coefficients_of(state)
    field = time_field(board, target, c)
    step = min(board.neighbors[here], key=lambda n: (field[n], n))
    if step in enemies and step != target:
        return Assault(i, step)  # something in the way
    approach = _approach_hex(state, i, target, phase.phase.axes, enemies)
    return Move(i, approach)


def _approach_hex(state: GameState, i: int, target: int, axes: int, enemies: dict) -> int:
    """One of the `axes` free hexes around the target that the attacking units share out."""
    board, u = state.board, state.units
    around = [
        n
        for n in board.neighbors[target]
        if n not in enemies and board.passable[n] and not board.water[n]
    ]
    if not around:
        return target
    here = int(u.hex[i])
    around.sort(key=lambda n: (board.distance(here, n), n))
    chosen = around[: max(1, axes)]
    return chosen[i % len(chosen)]


def _bombard(state: GameState, i: int, objective: int) -> Order:
    """Fire on the enemy's position at the objective: each turn at the hex around it (the
    objective and its neighbours) with the most left to destroy — works, an uncleared minefield,
    uncut wire, men — less what the side's other guns are already firing at this turn, so the
    fire spreads over the position as a fire plan would. Out of range, move toward it."""
    u, board, w = state.units, state.board, state.works
    here = int(u.hex[i])
    side = int(u.side[i])
    enemies = _enemy_hexes(state, side)
    planned = _fire_plan(state)
    candidates = []
    for h in [objective, *board.neighbors[objective]]:
        if w.owner[h] == side or (h not in enemies and w.owner[h] < 0):
            continue
        score = float(w.fort_strength[h] + w.blockhouse_strength[h])
        if w.mine_depth_m[h] > 0 and w.lane[h] < 1.0:
            score += MINEFIELD_TARGET_VALUE * (1.0 - float(w.lane[h]))
        score += WIRE_TARGET_VALUE * float(w.wire_lines[h])
        score += MEN_TARGET_VALUE * enemies.get(h, 0)
        score -= planned.get(h, 0.0)
        if score > 0:
            candidates.append((-score, board.distance(here, h), h))
    if not candidates:
        near = sorted(enemies, key=lambda h: (board.distance(h, objective), h))[:1]
        candidates = [(0.0, 0, h) for h in near if board.distance(h, objective) <= 3]
    for _, _, target in sorted(candidates):
        if any(in_range(state, weapon, here, target) for weapon in u.indirect[i]):
            rate = sum(wp.tubes * wp.rounds_per_hour for wp in u.indirect[i])
            planned[target] = planned.get(target, 0.0) + rate * PLANNED_VALUE_PER_ROUND
            return Bombard(i, target)
    if candidates:
        return Move(i, objective)
    return Hold(i)


def _fire_plan(state: GameState) -> dict[int, float]:
    """What the side's guns are already firing at this turn (hex -> target value covered)."""
    turn, plan = state.memo.get("ai_fire_plan", (-1, {}))
    if turn != state.turn:
        plan = {}
        state.memo["ai_fire_plan"] = (state.turn, plan)
    return plan


def _ration(state: GameState, i: int, current: _Phase) -> int:
    """Rounds this unit may fire this turn under its side's fire plan.

    A phase with a `rounds` allotment spends it evenly over its hours; phases without one share
    what the budget holds beyond the allotments still to come, evenly over their hours. Units
    drawing on one budget in one phase split it by how fast their tubes fire.
    """
    u = state.units
    budgets = {w.budget for w in u.indirect[i] if w.budget >= 0}
    if not budgets:
        return -1
    budget = min(budgets)
    # Everything but the rounds left depends only on the plan and the turn: shared by every game
    # of the scenario (kept on the board, which those games share).
    key = ("ai_ration", i, budget, state.turn, current.phase.id, current.start, current.end)
    found = state.board.memo.get(key)
    if found is None or found[0] is not state.scenario:
        found = state.board.memo[key] = (state.scenario, _ration_plan(state, i, current, budget))
    fixed_per_turn, left_allotted, open_turns, weight, total = found[1]
    if fixed_per_turn is None:
        available = float(state.budget_rounds[budget])
        per_turn = max(available - left_allotted, 0.0) / max(open_turns, 1)
    else:
        per_turn = fixed_per_turn
    return int(per_turn * weight / total + 0.5)


def _ration_plan(
    state: GameState, i: int, current: _Phase, budget: int
) -> tuple[float | None, float, int, float, float]:
    """(rounds a turn if the phase has an allotment, rounds allotted to later phases, turns of
    phases without an allotment, this unit's rate of fire, the rate of all units sharing it)."""
    u = state.units
    side = int(u.side[i])
    turn = state.turn
    phases = [p for p in _phases(state, side) if p.phase.task == Task.bombard and p.end > turn]

    drawing = _budget_users(state, side, budget)

    def users(p: _Phase) -> list[int]:
        return [j for j in drawing if p.units is None or j in p.units]

    def weight(j: int) -> float:
        return sum(w.tubes * w.rounds_per_hour for w in u.indirect[j] if w.budget == budget)

    mine = [p for p in phases if users(p)]
    if current not in mine:
        mine.append(current)
    left_allotted = 0.0
    open_turns = 0
    for p in mine:
        span = max(p.end - p.start, 1) if p.end < 10**9 else state.total_turns - p.start
        remaining = max(min(p.end, state.total_turns) - max(p.start, turn), 0)
        if p.phase.rounds is not None:
            left_allotted += p.phase.rounds * remaining / max(span, 1)
        else:
            open_turns += remaining
    fixed_per_turn = None
    if current.phase.rounds is not None:
        fixed_per_turn = current.phase.rounds / max(current.end - current.start, 1)
    sharing = users(current) or [i]
    total = sum(weight(j) for j in sharing) or 1.0
    return fixed_per_turn, left_allotted, open_turns, weight(i), total


def _budget_users(state: GameState, side: int, budget: int) -> list[int]:
    """Units of `side` whose guns draw on ammunition budget `budget` (fixed for a game)."""
    cache = state.memo.setdefault("ai_budget_users", {})
    found = cache.get((side, budget))
    if found is None:
        u = state.units
        found = [
            j
            for j in range(u.count)
            if u.side[j] == side and any(w.budget == budget for w in u.indirect[j])
        ]
        cache[(side, budget)] = found
    return found


def _pursue(state: GameState, i: int, objective: int) -> Order:
    u, board = state.units, state.board
    side = int(u.side[i])
    here = int(u.hex[i])
    enemies = _enemy_hexes(state, side)
    if not enemies:
        return Move(i, objective) if here != objective else Hold(i)
    target = min(enemies, key=lambda h: (board.distance(here, h), h))
    if board.distance(here, target) == 1:
        return Assault(i, target)
    return Move(i, target)


def _move_or_withdraw(state: GameState, i: int, objective: int, task: Task) -> Order:
    u = state.units
    if task in (Task.withdraw, Task.fall_back):
        return Withdraw(i, objective)
    if task == Task.break_out:
        side = int(u.side[i])
        enemies = _enemy_hexes(state, side)
        board = state.board
        here = int(u.hex[i])
        field = time_field(board, objective, coefficients_of(state))
        step = min(board.neighbors[here], key=lambda n: (field[n], n))
        if step in enemies:
            return Assault(i, step)
        return Withdraw(i, objective)
    if int(u.hex[i]) == objective:
        return Hold(i)
    return Move(i, objective)
