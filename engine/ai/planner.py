"""The computer player: turns a side's plan (from the scenario) and the situation into Orders.

It follows the plan's phases where they apply (mode `plan`) or picks objectives from the victory
conditions (mode `adaptive`), and adapts to what it sees: a spent unit stops assaulting, a unit
that cannot hold falls back, assaults wait for the hours the phase allows. It never looks at the
historical record and never touches the dice: it only gives orders, and the rules decide.

The plan mode is a kernel (engine/ai/plan_kernels.py, `plan_side`, one call a side a turn, or
`plan_turn`, one call for both sides where both play their plan: `plan_turn_rows`):
`plan_rows` hands it the plan flattened into tables once for the games of a scenario
(`_plan_tables`: each game with scratch arrays of its own), the plan's clock (engine/ai/
triggers.py, whose kernel `plan_side` asks itself) with the game's records (the state's own
arrays); it returns the side's orders as integer rows (engine/core/orders.py), which
`plan_orders` turns into Orders (`rows_to_orders`). The adaptive mode is the Python below; it
shares the fire plan's ration (`ration_rounds`) with the kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, partial
from itertools import repeat
from typing import TypeVar

import numpy as np

from ..core.board import Board
from ..core.bundles import unit_arrays, works_arrays
from ..core.orders import (
    ROW_WIDTH,
    Assault,
    Bombard,
    Hold,
    Move,
    Order,
    Withdraw,
    orders_to_rows,
    rows_to_orders,
)
from ..core.state import GameState, PerGame
from ..kernels.jit import resolved
from ..rules.bombardment import in_range
from ..rules.engineering import breach_order_for, engineer_units, obstacles_on_axis
from ..rules.movement import INF, TimeField, hex_hours_at_1kmh, route, time_field
from ..rules.turn import coefficients_of
from ..scenario.models import PlanPhase, Task
from .plan_kernels import PlanTables, PlanTurn, plan_side, plan_turn, ration_rounds, spread_rounds
from .triggers import PlanClock

__all__ = ["default_mode", "plan_orders", "plan_rows", "plan_turn_rows", "spread_rounds"]

# The thresholds the computer player decides by are rule coefficients (`ai_*` in
# engine/rules/coefficients.yaml, with their units and sources; docs/rules.md): when a unit is
# spent, when a holding unit falls back, the odds for a counter-attack and for an adaptive assault.
# How a gun commander weighs targets around an objective, in works points (see _bombard), is
# given by the `ai_target_*` and `ai_planned_value_per_round` coefficients.

# Tasks for which units with guns or mortars fire on the objective rather than close in.
_GUNS_FIRE_FOR = (Task.bombard, Task.attack, Task.assault, Task.hold, Task.counterattack)
# Read off the Task class once: in Python 3.11 reading a member off an Enum class goes through
# EnumType.__getattr__, a slow path for a test made for every holding unit every turn.
_COUNTERATTACK = Task.counterattack
# How far down the enemy's way out (hexes) the adaptive `destroy` side looks for a hex to bar
# it (`_block`); not sourced, like the crossing check's 12 steps.
_BLOCK_LOOKAHEAD = 12
# How far along its way round the enemy's minefields (hexes) the adaptive attacker looks for the
# farthest hex it reaches without entering one (`_toward`); not sourced, like the 12 above: a
# turn's march or more on the shipped maps' 100 m to 1 km hexes.
_BOUND_LOOKAHEAD = 12
_NOBODY: frozenset[int] = frozenset()  # no hex held by the enemy (`_clear_of`)
# Tasks in which engineers breach the obstacles on the way to the objective before they close in.
_BREACH_FOR = (Task.attack, Task.assault)
# The computer player's own caches for each game (phases, its view of the field, fixed lists).
_CACHE = PerGame()


@dataclass(frozen=True)
class _Phase:
    phase: PlanPhase
    start: int  # turn
    end: int  # turn (exclusive)
    units: frozenset[int] | None  # None: every unit of the side
    objective: int | None
    fall_back_to: int | None
    mode: str = "plan"  # "adaptive" for a phase made from the victory conditions
    # Copies of the plan phase's fields read for every unit every turn (reading a field of the
    # scenario's pydantic model goes through its __getattr__ hook, several times slower).
    id: str = field(init=False)
    task: Task = field(init=False)
    axes: int = field(init=False)

    def __post_init__(self) -> None:
        for name in ("id", "task", "axes"):
            object.__setattr__(self, name, getattr(self.phase, name))  # the dataclass is frozen


def _phases(state: GameState, side: int) -> list[_Phase]:
    """The side's plan phases with the turns they begin and end in this game: fixed for a plan
    of times alone, and worked out afresh each turn where phases wait on triggers."""
    cache = _CACHE.of(state).setdefault("ai_phases", {})
    entry = cache.get(side)
    if entry is None:
        entry = cache[side] = _plan_phases(state, side)
    clock, base, last = entry
    if clock is None:
        return base
    times = clock.times(state)
    if last is not None and last[0] == times:
        return last[1]
    found = [
        p if (p.start, p.end) == t else replace(p, start=t[0], end=t[1])
        for p, t in zip(base, times, strict=True)
    ]
    cache[side] = (clock, base, (times, found))
    return found


def _plan_phases(
    state: GameState, side: int
) -> tuple[PlanClock | None, list[_Phase], tuple[list[tuple[int, int]], list[_Phase]] | None]:
    """(the plan's clock if it has triggers, its phases at their fixed times, None)."""
    board, u = state.board, state.units
    plan = _plan_of(state, side)
    found: list[_Phase] = []
    if plan is None:
        return None, found, None
    clock = _clock(state, side)
    for phase, (start, end) in zip(plan.phases, clock.times(state), strict=True):
        units = None if phase.units == "all" else frozenset(u.ids.index(x) for x in phase.units)
        found.append(
            _Phase(
                phase,
                start,
                end,
                units,
                board.resolve(phase.objective) if phase.objective is not None else None,
                board.resolve(phase.fall_back_to) if phase.fall_back_to is not None else None,
            )
        )
    return (clock if clock.triggered else None), found, None


def _plan_of(state: GameState, side: int):
    """The scenario's plan for `side` (None: it has none)."""
    return next((p for p in state.scenario.plans if p.side == state.side_ids[side]), None)


def _clock(state: GameState, side: int) -> PlanClock:
    """The side's plan clock, made once per game (one of no phases for a side with no plan)."""
    cache = _CACHE.of(state)
    found = cache.get(("ai_clock", side))
    if found is None:
        plan = _plan_of(state, side)
        phases = list(plan.phases) if plan is not None else []
        found = cache[("ai_clock", side)] = PlanClock(state, side, phases)
    return found


def plan_orders(state: GameState, side: int, mode: str | None = None) -> list[Order]:
    """This turn's orders for every unit of `side` that can take one, following the side's plan
    (`mode="plan"`) or the victory conditions (`"adaptive"`); None: the mode the scenario's plan
    names. The mode is the caller's choice, not part of the game's state."""
    mode = mode or default_mode(state, side)
    if mode == "plan":
        return _plan_mode_orders(state, side)
    view = _view(state)
    current = _current_phases(state, side)
    _CACHE.of(state)["ai_fire_plan"] = {}  # each call plans afresh: asking twice gives the same
    return [
        _order_for(state, view, i, current[i])
        for i in view.mine[side]
        if not view.routed[i]  # routed units flee by the rules, whatever they are told
    ]


def plan_order_rows(state: GameState, side: int, mode: str | None = None) -> np.ndarray:
    """`plan_orders` as integer rows (engine/core/orders.py `ROW_WIDTH`), what the turn reads:
    the plan mode's rows as its kernel writes them, with no Order record made."""
    mode = mode or default_mode(state, side)
    if mode == "plan":
        return plan_rows(state, side)
    return orders_to_rows(plan_orders(state, side, mode))


# The scenario's tasks as the plan kernel's codes (engine/ai/plan_kernels.py, T_*).
TASK_CODES = (
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


def _plan_mode_orders(state: GameState, side: int) -> list[Order]:
    """The plan mode's orders: `plan_rows` as Orders (until the compiled turn takes rows)."""
    return rows_to_orders(plan_rows(state, side))


# `plan_side` called without numba's typing of its bundles at every call (jit.resolved): the
# call is what the plan mode costs from Python, its typing most of that.
_plan_side = resolved(plan_side)


def plan_rows(state: GameState, side: int) -> np.ndarray:
    """The plan mode's orders for `side` this turn as integer rows (engine/core/orders.py
    `ROW_WIDTH`), in unit order: the kernel `plan_side` decides every unit's order (a standing
    reflex keeps the side's places to hold manned whatever the written phases say, see
    `plan_kernels._standing_reflex`); this wrapper hands it the plan's tables and clock, the
    game's records (the engineers' breaching is the kernel's too: engineering's `breach_choice`)."""
    tables, clock = _plan_tables(state, side)
    rows = _plan_turn_bundle(state).rows
    end = _plan_side(
        side, state.turn, state.is_night(), state.total_turns, state.budget_rounds,
        unit_arrays(state.units), works_arrays(state.works), coefficients_of(state).values(),
        tables, clock.tables, clock.records.arrays(state), rows, 0,
    )  # fmt: skip
    return rows[:end].copy()  # the game's scratch: the next call writes it again


# `plan_turn` called as `_plan_side` is (jit.resolved)
_plan_turn = resolved(plan_turn)


def plan_turn_rows(state: GameState) -> tuple[np.ndarray, int]:
    """Both sides' plan-mode orders this turn, in one kernel call (`plan_turn`): the rows of
    `plan_rows` for side 0 followed by those for side 1, as one array, and where side 1's
    begin. The turn's numbers go into the game's `PlanTurn` rather than the call, so that the
    call hands over the same objects every turn."""
    arguments = plan_turn_arguments(state)
    numbers = arguments[0].numbers
    numbers[0] = state.turn
    numbers[1] = state.is_night()
    numbers[2] = state.total_turns
    ends, both = _plan_turn(*arguments)
    return arguments[0].rows[:both].copy(), ends


def plan_turn_arguments(state: GameState) -> tuple:
    """What `plan_turn` takes for this game, as the state stands now: its `PlanTurn` (whose
    numbers the caller sets to the turn), then the state's and both sides' plan tables and
    clocks, and the game's records (their rows filled set to the state's)."""
    found = _CACHE.of(state).get("ai_plan_turn_sides")
    if found is None:
        (t0, clock0), (t1, clock1) = _plan_tables(state, 0), _plan_tables(state, 1)
        found = (t0, t1, clock0.tables, clock1.tables, clock0.records)
        _CACHE.of(state)["ai_plan_turn_sides"] = found
    t0, t1, clock0, clock1, records = found
    return (
        _plan_turn_bundle(state), state.budget_rounds, unit_arrays(state.units),
        works_arrays(state.works), coefficients_of(state).values(), t0, t1, clock0, clock1,
        records.arrays(state),
    )  # fmt: skip


def _plan_turn_bundle(state: GameState) -> PlanTurn:
    """The game's `PlanTurn`: the plan kernels' turn numbers and order rows, made once."""
    cache = _CACHE.of(state)
    found = cache.get("ai_plan_turn")
    if found is None:
        numbers = np.array([state.turn, 0, state.total_turns], np.int64)
        rows = np.zeros((state.units.count, ROW_WIDTH), np.int64)
        found = cache["ai_plan_turn"] = PlanTurn(numbers, rows)
    return found


def _plan_tables(state: GameState, side: int) -> tuple[PlanTables, PlanClock]:
    """The side's plan flattened for the kernel (`PlanTables`) and its clock, for this game:
    the tables the scenario fixes, made once for its games (`_shared_plan_tables`), with this
    game's own scratch arrays (the kernel zeroes them after each call, but a game's are its own,
    so that no two games ever write the same ones), and the game's clock."""
    cache = _CACHE.of(state)
    found = cache.get(("ai_plan_tables", side))
    if found is None:
        shared = _shared_plan_tables(state, side)
        cells = state.board.width * state.board.height
        tables = shared._replace(**_scratch(cells, state.units.count, len(shared.places_to_hold)))
        found = cache[("ai_plan_tables", side)] = (tables, _clock(state, side))
    return found


def _shared_plan_tables(state: GameState, side: int) -> PlanTables:
    """The side's `PlanTables` as the scenario fixes them, shared by the games of the scenario
    (kept on the board). What they read is the scenario's alone (its plan, victory conditions,
    units and their weapons, works and board: the starting units and works do not depend on
    the coefficients where the tables read them, `core.state._start`), but for the time fields
    toward the attacks' hexes, which the crossing coefficients change (`_attack_fields`): those
    coefficients are part of the key, so a sweep or a side's rules over them get their own
    tables."""
    key = ("ai_plan_tables", side, _field_coefficients(coefficients_of(state)))
    return state.board.shared(key, partial(_make_plan_tables, state, side))


def _field_coefficients(c) -> tuple[float, float]:
    """The coefficients movement's `time_field` reads, which the plan's time fields depend on."""
    return c.river_crossing_hours_per_100m, c.ford_crossing_hours_per_100m


def _make_plan_tables(state: GameState, side: int) -> PlanTables:
    board, u = state.board, state.units
    phases = _phases(state, side)
    count = len(phases)
    members = np.zeros((count, u.count), np.bool_)
    for k, p in enumerate(phases):
        if p.units is None:
            members[k, :] = True
        else:
            members[k, sorted(p.units)] = True
    fixed = _fixed(state)
    most = max(1, max(len(ws) for ws in u.indirect))
    w_min = np.full((u.count, most), np.inf)  # a pad never reaches
    w_max = np.zeros((u.count, most))
    w_rate = np.zeros((u.count, most))
    w_budget = np.full((u.count, most), -2, np.int64)  # a pad draws on no budget
    for j, weapons in enumerate(u.indirect):
        for m, weapon in enumerate(weapons):
            w_min[j, m], w_max[j, m] = weapon.min_range_m, weapon.range_m
            w_rate[j, m] = weapon.tubes * weapon.rounds_per_hour
            w_budget[j, m] = weapon.budget
    objective = np.array([-1 if p.objective is None else p.objective for p in phases], np.int64)
    field_of, fields = _attack_fields(state, objective)
    cells = board.width * board.height
    tables = PlanTables(
        task=np.array([TASK_CODES.index(p.task) for p in phases], np.int64),
        objective=objective,
        fall_back=np.array(
            [-1 if p.fall_back_to is None else p.fall_back_to for p in phases], np.int64
        ),
        only_when=np.array(
            [("any", "night", "day").index(p.phase.only_when) for p in phases], np.int64
        ),
        axes=np.array([p.axes for p in phases], np.int64),
        rounds=np.array([np.nan if p.phase.rounds is None else p.phase.rounds for p in phases]),
        members=members,
        places_to_hold=np.array(_places_to_hold(state, side), np.int64),
        gunners=np.array(fixed.gunners, np.bool_),
        engineers=np.array(fixed.engineers, np.bool_),
        fire_rate=np.array(fixed.fire_rates, np.float64),
        budget=np.array(fixed.budgets, np.int64),
        w_min=w_min,
        w_max=w_max,
        w_rate=w_rate,
        w_budget=w_budget,
        works_owner=np.array(fixed.works_owner, np.int64),
        neighbors=_neighbor_table(board),
        dry=board.passable & ~board.water,
        water=board.water,
        q=board.q.astype(np.int64),
        r=board.r.astype(np.int64),
        hex_size_m=float(board.hex_size_m),
        field_of=field_of,
        fields=fields,
        **_scratch(cells, u.count, len(_places_to_hold(state, side))),  # each game's own
    )
    return tables


def _scratch(cells: int, units: int, places: int) -> dict[str, np.ndarray]:
    """The plan kernels' scratch arrays (`PlanTables`' last fields), fresh for one game."""
    return {
        "enemy_men": np.zeros(cells, np.int64),
        "fleeing": np.zeros(cells, np.bool_),
        "planned": np.zeros(cells),
        "candidates": np.zeros((7, 3)),
        "around": np.zeros(6, np.int64),
        "drawing": np.zeros(units, np.bool_),
        "weight": np.zeros(units),
        "active": np.zeros(units, np.bool_),
        "current": np.zeros(units, np.int64),
        "began": np.zeros(units, np.int64),
        "man_with": np.zeros(places, np.int64),
        "order": np.zeros(3, np.int64),
    }


def _neighbor_table(board: Board) -> np.ndarray:
    """The board's neighbours as a hex × 6 array in the board's order (a counter-attack takes
    the first lodgement it finds), -1 where a hex has fewer (shared by the games)."""

    def make() -> np.ndarray:
        table = np.full((board.width * board.height, 6), -1, np.int64)
        for h, around in enumerate(board.neighbors):
            table[h, : len(around)] = around
        return table

    return board.shared("ai_neighbor_table", make)


def _attack_fields(state: GameState, objective: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hex -> row, rows of hours at 1 km/h) of movement's time fields toward every hex within
    two of an objective, where the plan's attacks and break-outs may aim (an attack on a taken
    objective goes for an enemy within two of it). Shared by the games of the scenario (the
    fields depend on the board and the crossing coefficients alone, as movement's own cache)."""
    board = state.board
    c = coefficients_of(state)
    key = ("ai_attack_fields", tuple(sorted(set(objective.tolist()))), *_field_coefficients(c))

    def make() -> tuple[np.ndarray, np.ndarray]:
        goals: set[int] = set()
        for h in objective.tolist():
            if h >= 0:
                row = board.distance_row(h)
                goals.update(g for g in range(len(row)) if row[g] <= 2)
        cells = board.width * board.height
        field_of = np.full(cells, -1, np.int64)
        fields = np.zeros((max(1, len(goals)), cells))
        for k, g in enumerate(sorted(goals)):
            field_of[g] = k
            fields[k] = time_field(board, g, c)
        return field_of, fields

    return board.shared(key, make)


def _places_to_hold(state: GameState, side: int) -> tuple[int, ...]:
    """The hexes of the side's `hold` victory conditions: what it must still hold at the end."""
    cache = _CACHE.of(state)
    found = cache.get(("ai_places_to_hold", side))
    if found is None:
        found = cache[("ai_places_to_hold", side)] = tuple(
            state.board.resolve(c.place)
            for c in state.scenario.victory
            if c.side == state.side_ids[side] and c.kind == "hold" and c.place is not None
        )
    return found


def _current_phases(state: GameState, side: int) -> tuple[_Phase | None, ...]:
    """The phase each unit of the adaptive player follows this turn (None: no phase for it).
    It depends only on this game's adaptive objectives, the turn and the dark, so it is worked
    out once per turn for every game of the scenario (kept on the board, which those games
    share, under a key naming all of these)."""
    night = state.is_night()
    # The adaptive phases are this game's (a `destroy` goes where the enemy stood when the
    # computer was first asked): their tasks and objectives are part of the key.
    made_from = tuple((p.task, p.objective) for p in _adaptive_phases(state, side))
    key = ("ai_current_phases", side, "adaptive", state.turn, night, made_from)
    # partial, not a closure: this runs twice a turn, and a closure costs a function and its cells
    return state.board.shared(key, partial(_phase_table, state, side, night))


def _phase_table(state: GameState, side: int, night: bool) -> tuple[_Phase | None, ...]:
    phases = _adaptive_phases(state, side)
    turn = state.turn
    found: list[_Phase | None] = []
    for i in range(state.units.count):
        current = None
        for p in phases:
            if p.start <= turn < p.end and (p.units is None or i in p.units):
                allowed = p.phase.only_when == "any" or (p.phase.only_when == "night") == night
                if allowed and (current is None or p.start >= current.start):
                    current = p
        found.append(current)
    return tuple(found)


def default_mode(state: GameState, side: int) -> str:
    """The mode the scenario's plan of `side` asks for (`adaptive` for a side with no plan)."""
    cache = _CACHE.of(state)
    found = cache.get(("ai_mode", side))
    if found is None:
        plan = next((p for p in state.scenario.plans if p.side == state.side_ids[side]), None)
        found = cache[("ai_mode", side)] = plan.mode if plan else "adaptive"
    return found


def _adaptive_phases(state: GameState, side: int) -> list[_Phase]:
    """Objectives from the victory conditions: take what must be captured, keep what must be
    held, get out where the side must exit."""
    cache = _CACHE.of(state).setdefault("ai_adaptive", {})
    if side in cache:
        return cache[side]
    board = state.board
    found = []
    for condition in state.scenario.victory:
        if condition.side != state.side_ids[side]:
            continue
        if condition.kind == "destroy" and condition.place is None:
            # Destroy the enemy (or the listed units): go after them where they stood at the
            # start; `pursue` then chases the nearest (routed first) and assaults it.
            u = state.units
            named = condition.units or [x for j, x in enumerate(u.ids) if int(u.side[j]) != side]
            target = int(u.hex[u.ids.index(named[0])]) if named else -1
            if target >= 0:
                phase = PlanPhase(
                    id="adaptive",
                    name="adaptive destroy",
                    start=state.scenario.clock.start,
                    task=Task.pursue,
                    objective=(target % board.width, target // board.width),
                )
                found.append(_Phase(phase, 0, 10**9, None, target, None, "adaptive"))
            continue
        if condition.place is None:
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
        found.append(_Phase(phase, 0, 10**9, None, target, None, "adaptive"))
    cache[side] = found[:1] or []
    return cache[side]


_AnyOrder = TypeVar("_AnyOrder", bound=Order)


@cache
def _order(kind: type[_AnyOrder], *fields: int) -> _AnyOrder:
    """The order `kind(*fields)`. Orders are frozen records, so one serves every turn and every
    game; making one runs a frozen dataclass's __init__, several times dearer than this look-up."""
    return kind(*fields)


def _order_for(state: GameState, view: _View, i: int, phase: _Phase | None) -> Order:
    if phase is None or phase.objective is None:
        return _order(Hold, i)
    if view.fixed.engineers[i] and phase.task in _BREACH_FOR:
        # Engineers named in an attack first breach the enemy's obstacles on its axis.
        breach = breach_order_for(state, i, phase.objective, view.enemies[view.sides[i]])
        if breach is not None:
            return breach
    orders = _GUN_ORDERS if view.fixed.gunners[i] else _INFANTRY_ORDERS
    return orders[phase.task](state, view, i, phase)


@dataclass(slots=True)
class _View:
    """The AI's picture of the field this turn, as plain lists (orders are given before anything
    moves, so it holds for both sides' orders; numpy's per-item access would be slow here)."""

    mine: tuple[list[int], list[int]]  # each side's units on the map
    enemies: tuple[dict[int, int], dict[int, int]]  # per side: enemy-held hex -> enemy men there
    fleeing: tuple[set[int], set[int]]  # per side: hexes where routed enemy units are
    hexes: list[int]
    sides: list[int]
    men: list[int]
    morale: list[float]
    routed: list[bool]
    fixed: _Fixed

    def spent(self, i: int) -> bool:
        """Too weak or too shaken to attack."""
        fixed = self.fixed
        return self.strength(i) < fixed.spent_strength or self.morale[i] < fixed.spent_morale

    def strength(self, i: int) -> float:
        """The share of its men a unit still has."""
        return self.men[i] / max(float(self.fixed.men_start[i]), 1.0)


def _view(state: GameState) -> _View:
    """The view of this turn, worked out once for both sides (and again whenever what it reads
    changes, so a change made outside the turn's rules is seen too)."""
    u = state.units
    arrays = (u.hex, u.men, u.morale, u.routed, u.gone, u.arrived)
    return _CACHE.kept_while(state, "ai_view", arrays, partial(_make_view, state))


@dataclass(frozen=True, slots=True)
class _Fixed:
    """What the computer player reads that never changes in a game, as plain lists."""

    sides: list[int]
    men_start: list[int]
    gunners: list[bool]  # units with guns or mortars to bombard with
    fire_rates: list[float]  # rounds an hour all of a unit's tubes fire
    budgets: list[int]  # the ammunition budget a unit's guns draw on (-1: their own rounds)
    works_owner: list[int]  # per hex: the side that built its works, -1 where nobody did
    engineers: list[bool]  # units of engineers (they breach obstacles in an attack)
    # the ai_* coefficients of this game (see the top of this module)
    spent_strength: float = 0.3
    spent_morale: float = 0.3
    fall_back_ratio: float = 6.0
    works_hold_factor: float = 3.0
    fall_back_strength: float = 0.35
    counterattack_ratio: float = 1.0
    attack_ratio: float = 3.0
    hasty_attack_ratio: float = 2.5
    target_minefield: float = 30.0
    target_wire_line: float = 10.0
    target_man: float = 0.2
    planned_value_per_round: float = 0.3


_THRESHOLDS = (
    "spent_strength",
    "spent_morale",
    "fall_back_ratio",
    "works_hold_factor",
    "fall_back_strength",
    "counterattack_ratio",
    "attack_ratio",
    "hasty_attack_ratio",
    "target_minefield",
    "target_wire_line",
    "target_man",
    "planned_value_per_round",
)


def _fixed(state: GameState) -> _Fixed:
    cache = _CACHE.of(state)
    found = cache.get("ai_fixed")
    if found is None:
        u = state.units
        found = cache["ai_fixed"] = _Fixed(
            sides=u.side.tolist(),
            men_start=u.men_start.tolist(),
            gunners=[bool(gun and g) for gun, g in zip(u.is_gun.tolist(), u.indirect, strict=True)],
            fire_rates=[sum(w.tubes * w.rounds_per_hour for w in ws) for ws in u.indirect],
            budgets=[min((w.budget for w in ws if w.budget >= 0), default=-1) for ws in u.indirect],
            works_owner=state.works.owner.tolist(),
            engineers=engineer_units(state),
            **{name: getattr(coefficients_of(state), "ai_" + name) for name in _THRESHOLDS},
        )
    return found


def _make_view(state: GameState, _previous: _View | None = None) -> _View:
    u = state.units
    fixed = _fixed(state)
    hexes, men, sides = u.hex.tolist(), u.men.tolist(), fixed.sides
    routed = u.routed.tolist()
    mine: tuple[list[int], list[int]] = ([], [])
    held: tuple[dict[int, int], dict[int, int]] = ({}, {})
    fleeing: tuple[set[int], set[int]] = (set(), set())
    for i in state.active().nonzero()[0].tolist():
        side = sides[i]
        mine[side].append(i)
        there = men[i]
        if there > 0:
            h = hexes[i]
            seen_by = held[1 - side]
            seen_by[h] = seen_by.get(h, 0) + there
            if routed[i]:
                fleeing[1 - side].add(h)
    return _View(
        mine=mine,
        enemies=held,
        fleeing=fleeing,
        hexes=hexes,
        sides=sides,
        men=men,
        morale=u.morale.tolist(),
        routed=routed,
        fixed=fixed,
    )


def _hold(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    here = view.hexes[i]
    enemies = view.enemies[view.sides[i]]
    target = phase.objective
    if target is not None and _manning(state, view, i, target):
        return _order(Move, i, target)  # the place to hold is empty: the nearest free unit goes
    if view.fixed.works_owner[here] == view.sides[i]:
        return _hold_or_counter(state, view, i, phase)  # a defender does not leave its works
    if target is not None and here != target:
        if target in enemies:
            return _hold_or_counter(state, view, i, phase)
        return _order(Move, i, target)
    if phase.fall_back_to is None or phase.fall_back_to == here:
        return _hold_or_counter(state, view, i, phase)
    threat = sum(map(enemies.get, state.board.neighbors[here], repeat(0)))  # enemy men next to it
    if threat > 0:
        outnumbered = threat / max(view.men[i], 1)
        works = _works_intact(state, here)
        fixed = view.fixed
        stands = fixed.fall_back_ratio * (1.0 + (fixed.works_hold_factor - 1.0) * works)
        if view.strength(i) < fixed.fall_back_strength or outnumbered >= stands:
            return _order(Withdraw, i, phase.fall_back_to)
    return _hold_or_counter(state, view, i, phase)


def _manning(state: GameState, view: _View, i: int, target: int) -> bool:
    """Whether unit i is the one the adaptive player sends to the place it must hold, because
    none of its side's men stand there able to fight (its garrison broke or was never there),
    or the enemy next to it has the odds to assault those who do: the nearest foot unit of the
    side that is neither routed, spent nor next to an enemy. A commander keeps the key to his
    position manned; outposts in contact stay where they are."""
    return _man_with(state, view, view.sides[i], target) == i


def _man_with(state: GameState, view: _View, side: int, target: int) -> int:
    """The unit `_manning` picks for `target` (-1: none, or the place is manned): the nearest
    able foot unit not in contact. Kept for the view: asked for every unit of the side in a
    turn. (The plan's standing reflex has its own pick, `plan_kernels._man_with`, which also
    weighs each unit's phase and leaves a place the enemy holds to the plan's phases.)"""
    key = ("ai_man_with", side, target)
    cache = _CACHE.of(state)
    found = cache.get(key)
    if found is not None and found[0] is view:
        return found[1]
    pick = -1
    if _needs_manning(state, view, side, target):
        enemies = view.enemies[side]
        neighbors = state.board.neighbors
        to_target = state.board.distance_row(target)
        free = []
        for j in view.mine[side]:
            if (
                view.men[j] > 0
                and not view.routed[j]
                and not view.fixed.gunners[j]
                and not view.spent(j)
                and not any(n in enemies for n in neighbors[view.hexes[j]])
            ):
                free.append((to_target[view.hexes[j]], j))
        pick = min(free, default=(0, -1))[1]
    cache[key] = (view, pick)
    return pick


def _needs_manning(
    state: GameState, view: _View, side: int, target: int, garrison: list[int] | None = None
) -> bool:
    """Whether the side's place `target` needs a unit sent to it, counting as its garrison the
    side's units there (or only those of `garrison`) that still fight: not routed and not
    spent (below `ai_spent_strength` of its men or `ai_spent_morale`; a handful of shaken
    survivors is not a garrison). It does when nobody able is there, or the enemy next to it
    has the odds the adaptive attacker asks to assault those who are (`_odds_to_assault`:
    `ai_attack_ratio` where works stand, `ai_hasty_attack_ratio` where none do)."""
    if garrison is None:
        garrison = [j for j in view.mine[side] if view.hexes[j] == target]
    held = sum(view.men[j] for j in garrison if not view.routed[j] and not view.spent(j))
    if held <= 0:
        return True
    enemies = view.enemies[side]
    fixed = view.fixed
    ratio = fixed.attack_ratio if _works_intact(state, target) > 0 else fixed.hasty_attack_ratio
    return sum(enemies.get(n, 0) for n in state.board.neighbors[target]) >= ratio * held


def _works_intact(state: GameState, h: int) -> float:
    """Share of a hex's works still standing (0 where there are none)."""
    w = state.works
    start = float(w.fort_strength_start[h] + w.blockhouse_strength_start[h])
    if start <= 0:
        return 0.0
    return float(w.fort_strength[h] + w.blockhouse_strength[h]) / start


def _hold_or_counter(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Hold; but throw back an enemy lodgement in a neighbouring position of ours when strong
    enough (a counter-attack), as a holding force does."""
    if phase.task is not _COUNTERATTACK or view.spent(i):
        return _order(Hold, i)
    side = view.sides[i]
    enemies = view.enemies[side]
    owner = state.works.owner
    for n in state.board.neighbors[view.hexes[i]]:
        lodgement = n in enemies and (owner[n] == side or n == phase.objective)
        if lodgement and view.men[i] >= view.fixed.counterattack_ratio * enemies[n]:
            return _order(Assault, i, n)
    return _order(Hold, i)


def _attack(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Close on the objective (from up to `axes` sides) and assault it; once it is ours, go for
    the nearest enemy-held hex around it."""
    board = state.board
    side = view.sides[i]
    here = view.hexes[i]
    enemies = view.enemies[side]
    target = phase.objective
    from_here = board.distance_row(here)
    if target not in enemies:
        if here == target:
            return _order(Hold, i)  # the objective is taken: keep it
        ours = any(view.hexes[j] == target for j in view.mine[side])
        to_target = board.distance_row(target)
        near = [h for h in enemies if to_target[h] <= 2]
        if not ours or not near:
            return _order(Move, i, target)  # occupy it first
        target = min(near, key=lambda h: (from_here[h], h))
    if view.spent(i):
        return _order(Hold, i)
    if from_here[target] > 1 and not _odds_to_close(state, view, side, target):
        return _order(Hold, i)  # by day, wait for the odds or for the dark
    if from_here[target] == 1:
        if not _odds_to_assault(state, view, side, target):
            return _gather(state, view, i, target, from_here)  # not piecemeal: mass first
        if _lane_coming(state, view, side, target, phase):
            return _order(Hold, i)  # not across the minefield before its lane is open
        return _order(Assault, i, target)
    # The adaptive attacker's way goes round the enemy's minefields where it can (`_way_field`).
    hours_to = _way_field(state, side, here, target)
    if hours_to is None:
        hours_to = time_field(board, target, coefficients_of(state))
    step = min(board.neighbors[here], key=lambda n: (hours_to[n], n))
    if step in enemies and step != target:
        if not _odds_to_assault(state, view, side, step):
            return _gather(state, view, i, step, from_here)
        if _lane_coming(state, view, side, step, phase):
            return _order(Hold, i)
        return _order(Assault, i, step)  # something in the way
    if _crossing_under_fire(state, view, side, here, hours_to):
        return _order(Hold, i)  # wait for the dark rather than cross a river by day under fire
    avoid = _unbreached(state, side)
    goal = _approach_hex(board, i, from_here, target, phase.axes, enemies, avoid)
    return _toward(state, view, i, goal)


def _gather(state: GameState, view: _View, i: int, target: int, from_here: list[int]) -> Order:
    """Where the odds at `target` are too short: wait beside it if it is the side's point of
    attack (or there is none), else go to the point of attack, the enemy-held hex in contact
    where the side's able men next to it come nearest the odds it asks, so that the units mass
    on one hex rather than stand before several."""
    side = view.sides[i]
    point = _point_of_attack(state, view, side)
    if point < 0 or point == target or from_here[point] <= 1:
        return _order(Hold, i)
    enemies = view.enemies[side]
    avoid = _unbreached(state, side)
    goal = _approach_hex(state.board, i, from_here, point, 6, enemies, avoid)
    return _toward(state, view, i, goal)


def _point_of_attack(state: GameState, view: _View, side: int) -> int:
    """The side's point of attack this turn (-1: none): of the enemy-held hexes next to its
    able foot units, the one where their men come nearest the odds `_odds_to_assault` asks."""
    key = ("ai_point_of_attack", side)
    cache = _CACHE.of(state)
    found = cache.get(key)
    # Kept for the turn's view (the view may outlast a turn in which only works and lanes
    # changed, which the choice reads).
    if found is not None and found[0] is view and found[2] == state.turn:
        return found[1]
    enemies = view.enemies[side]
    neighbors = state.board.neighbors
    fixed = view.fixed
    ready: dict[int, int] = {}
    for j in view.mine[side]:
        if view.routed[j] or fixed.gunners[j] or view.spent(j) or view.men[j] <= 0:
            continue
        for n in neighbors[view.hexes[j]]:
            if n in enemies:
                ready[n] = ready.get(n, 0) + view.men[j]
    # A hex behind a minefield the side's guns cannot open a lane through (`_lane_by_guns`)
    # comes last: the side goes round it, or in there only where it has nowhere else to go.
    mined = _unbreached(state, side)
    best, point = (False, -1.0), -1
    for h in sorted(ready):
        ratio = fixed.attack_ratio if _works_intact(state, h) > 0 else fixed.hasty_attack_ratio
        share = ready[h] / max(ratio * enemies[h], 1.0)
        rank = (h not in mined or _lane_by_guns(state, view, side, h), share)
        if rank > best:
            best, point = rank, h
    cache[key] = (view, point, state.turn)
    return point


def _odds_to_close(state: GameState, view: _View, side: int, target: int) -> bool:
    """Whether the adaptive player closes on a defended hex now: by night always; by day only
    with `ai_attack_ratio` of its men on the map per defender in and around the target (a
    commander does not send men over open ground or across a river by day against a position
    he cannot swamp)."""
    if state.is_night():
        return True
    enemies = view.enemies[side]
    defenders = enemies.get(target, 0) + sum(
        enemies.get(n, 0) for n in state.board.neighbors[target]
    )
    mine = sum(view.men[j] for j in view.mine[side] if not view.routed[j])
    return mine >= view.fixed.attack_ratio * defenders


def _odds_to_assault(state: GameState, view: _View, side: int, target: int) -> bool:
    """Whether the adaptive player's units next to `target` go in now: only when the men next to
    it who can attack (not routed, not spent) reach `ai_attack_ratio` per defender in it where
    the defenders have works standing, `ai_hasty_attack_ratio` where they have none. By night
    too: the dark lets an attacker close unseen, but battalions sent in one at a time as they
    arrive were beaten off one after another (the adaptive player's piecemeal night assaults at
    Furong and in the 47th Division's relief, docs/calibration.md)."""
    defenders = view.enemies[side].get(target, 0)
    if defenders <= 0:
        return True
    fixed = view.fixed
    ratio = fixed.attack_ratio if _works_intact(state, target) > 0 else fixed.hasty_attack_ratio
    near = state.board.neighbors[target]
    ready = sum(
        view.men[j]
        for j in view.mine[side]
        if view.hexes[j] in near and not view.routed[j] and not view.spent(j)
    )
    return ready >= ratio * defenders


def _crossing_under_fire(
    state: GameState, view: _View, side: int, here: int, hours_to: list[float]
) -> bool:
    """Whether the unit's way to its objective (down the time field, a turn's march or so) takes
    it from dry ground into a river by day within reach of the enemy's fire (the adaptive player
    then waits for the dark, as the 217th Regiment did after the failed day crossing, seed
    ¶10)."""
    board = state.board
    water = board.water_list
    if water[here] or state.is_night():
        return False
    at = here
    for _ in range(12):
        nxt = min(board.neighbors[at], key=lambda n: (hours_to[n], n))
        if hours_to[nxt] >= hours_to[at]:
            return False  # arrived
        if water[nxt]:
            return _under_fire(state, view, side, nxt)
        at = nxt
    return False


def _unbreached(state: GameState, side: int) -> frozenset[int]:
    """The hexes of the enemy's minefields with no lane open through them, as `side` knows them:
    the minefields are laid before play and drawn on the map both sides play from, and a lane
    is opened only by the side's own guns and engineers, whose work it sees reported. (An open
    lane is one the rules count open: `lane` 1, see engine/rules/bombardment.py,
    `lane_is_open`.) Empty for a battle without minefields, where the adaptive player plays as
    it did before it knew of them."""
    cache = _CACHE.of(state)
    laid = cache.get(("ai_minefields", side))
    if laid is None:
        w = state.works
        found = ((w.mine_density > 0.0) & (w.owner == 1 - side)).nonzero()[0].tolist()
        laid = cache[("ai_minefields", side)] = tuple(found)
    if not laid:
        return frozenset()
    lane = state.works.lane
    return frozenset(h for h in laid if lane.item(h) < 1.0)


def _way_field(state: GameState, side: int, here: int, goal: int) -> list[float] | None:
    """The time field (hours at 1 km/h from each hex to `goal`) of the adaptive attacker's way
    there round the enemy's unbreached minefields (`_unbreached`; the goal itself may be one),
    or None when there are none or no way round from `here`: the plain time field is then the
    way. A commander does not send men across a minefield he can go round, however long the
    way round (a judgement, marked so: the manuals of the period prefer the envelopment to the
    frontal attack on an organised front, but no table weighs hours of march against a
    minefield's losses), and one with a lane open through it is no longer in the way."""
    avoid = _unbreached(state, side)
    if not avoid:
        return None
    c = coefficients_of(state)
    key = (
        "ai_way_field",
        goal,
        tuple(sorted(avoid)),
        c.river_crossing_hours_per_100m,
        c.ford_crossing_hours_per_100m,
    )

    def make() -> TimeField:
        board = state.board
        enter = hex_hours_at_1kmh(board, c).copy()
        for h in avoid:
            if h != goal:
                enter[h] = INF
        return TimeField(goal, enter, board)

    # The field is shared by the games of the scenario; its copy marks the minefields
    # themselves, whose own times (out of them) are finite, as no step to take.
    times = list(state.board.shared(key, make).settled(here))
    if times[here] == INF:
        return None
    for h in avoid:
        if h != goal:
            times[h] = INF
    return times


def _toward(state: GameState, view: _View, i: int, goal: int) -> Order:
    """The adaptive player's move toward `goal`. The rules march a unit down the quickest way
    (engine/rules/movement.py), minefields or not; where that way would take it into one of the
    enemy's unbreached minefields and there is a way round (`_way_field`), the unit is sent to
    the farthest hex along the way round that it reaches without entering one, a turn or so at
    a time, as a commander gives his march by bounds."""
    avoid = _unbreached(state, view.sides[i])
    here = view.hexes[i]
    if not avoid or here == goal:
        return _order(Move, i, goal)
    if _clear_of(state, i, goal, avoid):
        return _order(Move, i, goal)  # the quickest way is clear of mines
    field = _way_field(state, view.sides[i], here, goal)
    if field is None:
        return _order(Move, i, goal)  # no way round: straight on
    enemies = view.enemies[view.sides[i]]
    neighbors = state.board.neighbors
    way, at = [], here
    while at != goal and len(way) < _BOUND_LOOKAHEAD:
        at = min(
            (n for n in neighbors[at] if n not in enemies),
            key=lambda n: (field[n], n),
            default=-1,
        )
        if at < 0 or field[at] == INF:
            break
        way.append(at)
    waypoint = way[0] if way else goal
    for h in way[1:]:
        if not _clear_of(state, i, h, avoid):
            break
        waypoint = h
    return _order(Move, i, waypoint)


def _clear_of(state: GameState, i: int, goal: int, avoid: frozenset[int]) -> bool:
    """Whether unit i's march to `goal` (the rules' way, `route`) enters none of the hexes to
    `avoid` short of the goal, whether the enemy stays in the hexes he holds or leaves them
    while the unit marches (the sides move in the same turn): the way round the hexes he holds
    now, and the quickest way over the ground as if he held none."""
    board = state.board
    ways = (route(state, i, goal), route(state, i, goal, board.width * board.height, _NOBODY))
    return not any(h in avoid and h != goal for way in ways for h in way[1:])


def _lane_coming(state: GameState, view: _View, side: int, h: int, phase: _Phase) -> bool:
    """Whether the adaptive attacker waits before assaulting hex `h`: it holds one of the
    enemy's minefields with no lane open yet (`_unbreached`), and the side can still open one,
    by its guns (`_lane_by_guns`) or by its engineers, who breach the obstacles on the axis of
    an attack (engine/rules/engineering.py, `obstacles_on_axis`). The threshold is the rules'
    own open lane: a file of men walking it meets none with chance about
    exp(-`lane_open_mines_left`), 90 %;
    short of it an assault crosses most of the field's mines (`mine_casualty_share`). A side
    that cannot open a lane does not wait for one: it goes round (`_way_field`) or, with no way
    round, goes in."""
    if h not in _unbreached(state, side):
        return False
    if _lane_by_guns(state, view, side, h):
        return True
    if phase.task not in _BREACH_FOR or phase.objective is None:
        return False
    engineers = view.fixed.engineers
    able = any(engineers[j] and not view.routed[j] and view.men[j] > 0 for j in view.mine[side])
    return able and h in obstacles_on_axis(state, side, phase.objective)


def _lane_by_guns(state: GameState, view: _View, side: int, h: int) -> bool:
    """Whether the side's guns and mortars within range of hex `h` (not routed, with men) have
    the rounds left to open a lane through its minefield (`_rounds_to_open`): their budgets'
    rounds (each budget counted once) and their own."""
    # Kept for the turn's view: the view alone may outlast a turn in which rounds were fired
    # and nobody moved or was hit.
    key = ("ai_lane_by_guns", side, h)
    cache = _CACHE.of(state)
    found = cache.get(key)
    if found is not None and found[0] is view and found[2] == state.turn:
        return found[1]
    weapons = state.units.indirect
    budgets: set[int] = set()
    rounds = 0.0
    for j in view.mine[side]:
        if not view.fixed.gunners[j] or view.routed[j] or view.men[j] <= 0:
            continue
        for weapon in weapons[j]:
            if in_range(state, weapon, view.hexes[j], h):
                if weapon.budget >= 0:
                    budgets.add(weapon.budget)
                else:
                    rounds += weapon.own_rounds
    rounds += sum(state.budget_rounds.item(b) for b in budgets)
    enough = rounds > 0 and rounds >= _rounds_to_open(state, h)
    cache[key] = (view, enough, state.turn)
    return enough


def _rounds_to_open(state: GameState, h: int) -> float:
    """Rounds to fire at hex `h` to open a lane through its minefield, by the rules'
    bombardment (engine/rules/bombardment.py): a lane is open once the mines left on it,
    density × `lane_width_m` × (1 - lane), are at most `lane_open_mines_left`, so at the
    progress L* = 1 - `lane_open_mines_left` / (density × `lane_width_m`); `lane_after` takes
    the progress from L to 1 - (1 - L) exp(-n π r² / area) with n rounds landed (r:
    `shell_clearing_radius_m`), so n = ln((1 - L) / (1 - L*)) × area / (π r²) rounds must land,
    of which `rounds_on_target_fraction` of those fired do. Infinite where shells clear no
    mines; 0 where the lane is open or opens with the next round."""
    c = coefficients_of(state)
    w = state.works
    lane = w.lane.item(h)
    density = w.mine_density.item(h)
    if lane >= 1.0 or density <= 0.0:
        return 0.0
    needed = 1.0 - c.lane_open_mines_left / (density * c.lane_width_m)
    if lane >= needed:
        return 0.0
    area = math.pi * c.shell_clearing_radius_m**2 * c.rounds_on_target_fraction
    if area <= 0.0:
        return INF
    return math.log((1.0 - lane) / (1.0 - needed)) * state.board.hex_area_m2 / area


def _approach_hex(
    board: Board,
    i: int,
    from_here: list[int],
    target: int,
    axes: int,
    enemies: dict[int, int],
    avoid: frozenset[int] = frozenset(),
) -> int:
    """One of the `axes` free hexes around the target that the attacking units share out
    (`from_here`: the distance row of the unit's hex), outside the hexes to `avoid` (the
    enemy's unbreached minefields, for the adaptive player) where there are any such."""
    dry = _dry_ground(board)
    around = [n for n in board.neighbors[target] if n not in enemies and dry[n]]
    if not around:
        return target
    around = [n for n in around if n not in avoid] or around
    around.sort(key=lambda n: (from_here[n], n))
    chosen = around[: max(1, axes)]
    return chosen[i % len(chosen)]


def _dry_ground(board: Board) -> list[bool]:
    """Per hex: passable and not water, where a unit can stand (a list, shared by the games)."""
    return board.shared("ai_dry_ground", lambda: (board.passable & ~board.water).tolist())


def _bombard(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Fire on the enemy's position at the objective: each turn at the hex around it (the
    objective and its neighbours) with the most left to destroy — works, an uncleared minefield,
    uncut wire, men — less what the side's other guns are already firing at this turn, so the
    fire spreads over the position as a fire plan would; an adaptive side's guns fire on its
    point of attack before all these. Out of range, move toward it."""
    board = state.board
    objective = phase.objective
    here = view.hexes[i]
    side = view.sides[i]
    enemies = view.enemies[side]
    planned = _fire_plan(state)  # set up by plan_orders
    from_here = board.distance_row(here)
    fixed = view.fixed
    owners = fixed.works_owner
    candidates = []
    for h in [objective, *board.neighbors[objective]]:
        owner = owners[h]
        if owner == side or (owner < 0 and h not in enemies):
            continue
        works = _works_value(state, h, fixed) if owner >= 0 else 0.0  # none if nobody built any
        score = works + fixed.target_man * enemies.get(h, 0)
        score -= planned.get(h, 0.0)
        if score > 0:
            candidates.append((-score, from_here[h], h))
    if not candidates:
        to_objective = board.distance_row(objective)
        nearest = min(enemies, key=lambda h: (to_objective[h], h), default=None)
        if nearest is not None and to_objective[nearest] <= 3:
            candidates = [(0.0, 0, nearest)]
    targets = [target for _, _, target in sorted(candidates)]
    # The guns support the main effort: where the side's infantry masses to assault (its point
    # of attack), they fire on that hex first, so that its defenders are pinned and its wire and
    # mines worked on when the assault goes in, not on another part of the position (FM 100-5,
    # Field Service Regulations: Operations, 1941, ch. 5: the bulk of the artillery supports
    # the main attack; not checked at the source).
    point = _point_of_attack(state, view, side)
    if point >= 0:
        targets.insert(0, point)
    weapons = state.units.indirect[i]
    for target in targets:
        if any(in_range(state, weapon, here, target) for weapon in weapons):
            rate = fixed.fire_rates[i]
            planned[target] = planned.get(target, 0.0) + rate * fixed.planned_value_per_round
            rounds = _ration(state, i, phase)
            if _opening_lane(state, view, side, target):
                rounds = -1  # a lane is blown as fast as the tubes fire, the assault waiting
            return _order(Bombard, i, target, rounds)
    if candidates:
        return _order(Move, i, objective)
    return _order(Hold, i)


def _opening_lane(state: GameState, view: _View, side: int, target: int) -> bool:
    """Whether fire on `target` opens the lane the adaptive side's assault waits for: it is the
    side's point of attack, one of the enemy's minefields without a lane, and the side's guns
    have the rounds to open one (`_lane_by_guns`). Such fire is not rationed over the battle:
    a lane is blown by a concentration while the infantry waits beside the field, not a few
    dozen rounds an hour for days (a judgement, marked so, docs/rules.md)."""
    return (
        target in _unbreached(state, side)
        and _point_of_attack(state, view, side) == target
        and _lane_by_guns(state, view, side, target)
    )


def _works_value(state: GameState, h: int, fixed: _Fixed) -> float:
    """What a gun commander sees left to destroy in a hex's works: their work points, an
    uncleared minefield, uncut wire (read with `item`: plain floats, not numpy scalars)."""
    w = state.works
    value = w.fort_strength.item(h) + w.blockhouse_strength.item(h)
    if w.mine_depth_m.item(h) > 0:
        lane = w.lane.item(h)
        if lane < 1.0:
            value += fixed.target_minefield * (1.0 - lane)
    return value + fixed.target_wire_line * w.wire_lines.item(h)


def _fire_plan(state: GameState) -> dict[int, float]:
    """What the side's guns are already firing at this turn (hex -> target value covered), as
    far as `plan_orders` has planned them."""
    return _CACHE.of(state).setdefault("ai_fire_plan", {})


def _ration(state: GameState, i: int, current: _Phase) -> int:
    """Rounds this unit may fire this turn under its side's fire plan (`ration_rounds`, the
    kernel the plan mode calls for its guns), in the phase `current`: one of the plan's phases
    or the adaptive player's own. The plan's bombardment phases and their times are read
    whatever the mode the unit follows."""
    side = int(state.units.side[i])
    tables, clock = _plan_tables(state, side)
    times = clock.times_array(state)
    phases = _phases(state, side)
    k = next((n for n, p in enumerate(phases) if p == current), -1)
    if k >= 0:
        sharing = tables.members[k]
    else:
        sharing = np.zeros(state.units.count, np.bool_)
        sharing[
            list(range(state.units.count)) if current.units is None else list(current.units)
        ] = True
    allotted = np.nan if current.phase.rounds is None else float(current.phase.rounds)
    return ration_rounds(
        i, k, current.start, current.end, allotted, sharing, state.turn, side, times,
        state.units.side, state.budget_rounds, state.total_turns, tables,
    )  # fmt: skip


def _pursue(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """The adaptive `destroy`: go where the enemy stood while none is left, else `_destroy`.
    (The plan's pursuit, the broken first, is `plan_kernels._pursue`.)"""
    board = state.board
    objective = phase.objective
    here = view.hexes[i]
    side = view.sides[i]
    enemies = view.enemies[side]
    if not enemies:
        return _order(Move, i, objective) if here != objective else _order(Hold, i)
    return _destroy(state, view, i, phase, board.distance_row(here))


def _destroy(state: GameState, view: _View, i: int, phase: _Phase, from_here: list[int]) -> Order:
    """The adaptive player's `destroy`: each unit goes for the nearest enemy-held hex (a broken
    enemy first only where it is as near), and closes and assaults it as an adaptive attack
    does (`_attack`: at the odds, massed on the side's point of attack, not across a river by
    day under fire). Not the plan's pursuit, which sends every unit after the broken wherever
    they run: a whole army that chases a routed battalion off the map leaves the enemy's main
    body alone and the ring open (Shigehiro, docs/calibration.md)."""
    side = view.sides[i]
    block, blockers = _block(state, view, side)
    if i in blockers:
        return _order(Hold, i) if view.hexes[i] == block else _order(Move, i, block)
    fleeing = view.fleeing[side]
    target = min(view.enemies[side], key=lambda h: (from_here[h], h not in fleeing, h))
    board = state.board
    if board.water_list[target]:
        dry = _dry_ground(board)
        banks = [n for n in board.neighbors[target] if dry[n]]
        if view.hexes[i] in banks or not banks:
            return _order(Hold, i)  # on the bank: the fire phase shoots at the men in the water
        return _order(Move, i, min(banks, key=lambda n: (from_here[n], n)))
    return _attack(state, view, i, replace(phase, objective=target))


def _block(state: GameState, view: _View, side: int) -> tuple[int, frozenset[int]]:
    """Where the adaptive `destroy` side bars the enemy's way out, and with which units (-1 and
    none: the enemy has no way out to make, or is already on it beyond reach).

    An enemy whose aim is to get out (its `exit` victory condition, as public as the briefing's
    aims) is destroyed only if it is kept in: the first hex it does not hold on its quickest
    way from its unit nearest the exit toward the exit is held by the side's able foot units
    nearest that hex, enough of them that the enemy's men who must get out (those the
    condition names, not routed) lack `ai_hasty_attack_ratio` to one to assault through it (the
    planning ratio the adaptive attacker itself asks, FM 101-5 App. C). The rest attack."""
    key = ("ai_block", side)
    cache = _CACHE.of(state)
    found = cache.get(key)
    if found is not None and found[0] is view:
        return found[1]
    found = (view, _make_block(state, view, side))
    cache[key] = found
    return found[1]


def _make_block(state: GameState, view: _View, side: int) -> tuple[int, frozenset[int]]:
    none: tuple[int, frozenset[int]] = (-1, frozenset())
    enemy_id = state.side_ids[1 - side]
    exit_ = next(
        (c for c in state.scenario.victory if c.side == enemy_id and c.kind == "exit" and c.place),
        None,
    )
    if exit_ is None:
        return none
    board = state.board
    ids = state.units.ids
    named = None if not exit_.units else {ids.index(x) for x in exit_.units}
    leaving = [
        j
        for j in view.mine[1 - side]
        if (named is None or j in named) and not view.routed[j] and view.men[j] > 0
    ]
    if not leaving:
        return none
    hours_to = time_field(board, board.resolve(exit_.place), coefficients_of(state))
    at = view.hexes[min(leaving, key=lambda j: (hours_to[view.hexes[j]], j))]
    enemies = view.enemies[side]
    dry = _dry_ground(board)
    able = [
        j
        for j in view.mine[side]
        if view.men[j] > 0
        and not view.routed[j]
        and not view.fixed.gunners[j]
        and not view.spent(j)
    ]
    # Down the enemy's way out, the first hex it does not hold that the side's nearest able
    # unit reaches no later than the enemy does (in hexes): a block behind the enemy's back or
    # one it passes before anybody gets there bars nothing.
    block = -1
    for steps in range(1, _BLOCK_LOOKAHEAD + 1):
        step = min(board.neighbors[at], key=lambda n: (hours_to[n], n))
        if hours_to[step] >= hours_to[at]:
            return none  # at its way out
        at = step
        if at in enemies or not dry[at]:
            continue
        to_here = board.distance_row(at)
        if any(to_here[view.hexes[j]] <= steps for j in able):
            block = at
            break
    if block < 0:
        return none
    need = sum(view.men[j] for j in leaving) / view.fixed.hasty_attack_ratio
    to_block = board.distance_row(block)
    chosen: list[int] = []
    men = 0
    for _, j in sorted((to_block[view.hexes[j]], j) for j in able):
        if men >= need:
            break
        chosen.append(j)
        men += view.men[j]
    return block, frozenset(chosen)


def _move(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Go to the objective and stay there."""
    if view.hexes[i] == phase.objective:
        return _order(Hold, i)
    return _order(Move, i, phase.objective)


def _withdraw(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Fall back toward the objective, away from the enemy (the rules choose the way). The
    adaptive player (a side that must get out, `exit`) does not break contact by day: a unit
    within reach of the enemy's fire waits for the dark and then breaks out, assaulting what
    blocks its way (FM 100-5, 1941, ch. 11: a withdrawal from close contact in daylight is
    costly and is made at night where it can be; the Shigehiro Detachment, engaged when the
    division pulled back, could not get away in time, seed ¶19)."""
    if not state.is_night() and _in_contact(state, view, view.sides[i], view.hexes[i]):
        return _order(Hold, i)
    return _break_out(state, view, i, phase)


def _in_contact(state: GameState, view: _View, side: int, h: int) -> bool:
    """Whether hex h is next to an enemy-held hex or within reach of the enemy's fire (on
    operational hexes of a kilometre a rifle does not reach the next hex, but men there are
    in contact)."""
    enemies = view.enemies[side]
    if any(n in enemies for n in state.board.neighbors[h]) or h in enemies:
        return True
    return _under_fire(state, view, side, h)


def _under_fire(state: GameState, view: _View, side: int, h: int) -> bool:
    """Whether hex h is within the direct-fire range of an enemy unit able to fire (not
    routed, with men)."""
    reach = state.board.distance_row(h)
    ranges = state.units.fire_range_m
    size = state.board.hex_size_m
    return any(
        reach[view.hexes[j]] * size <= ranges[j] and not view.routed[j]
        for j in view.mine[1 - side]
        if view.men[j] > 0
    )


def _break_out(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Withdraw toward the objective, assaulting whatever blocks the first step of the way."""
    board = state.board
    hours_to = time_field(board, phase.objective, coefficients_of(state))
    step = min(board.neighbors[view.hexes[i]], key=lambda n: (hours_to[n], n))
    if step in view.enemies[view.sides[i]]:
        return _order(Assault, i, step)
    return _order(Withdraw, i, phase.objective)


def _stand_by(state: GameState, view: _View, i: int, phase: _Phase) -> Order:
    """Hold (foot soldiers wait while the guns bombard)."""
    return _order(Hold, i)


# How a unit carries out each task: a table rather than a chain of tests, which would read Task
# members off the Enum class for every unit every turn (slow, see _COUNTERATTACK).
_OrderMaker = Callable[[GameState, _View, int, _Phase], Order]
_INFANTRY_ORDERS: dict[Task, _OrderMaker] = {
    Task.move: _move,
    Task.attack: _attack,
    Task.assault: _attack,
    Task.bombard: _stand_by,
    Task.hold: _hold,
    Task.counterattack: _hold,
    Task.fall_back: _withdraw,
    Task.withdraw: _withdraw,
    Task.pursue: _pursue,
    Task.break_out: _break_out,
}
_GUN_ORDERS: dict[Task, _OrderMaker] = {  # units with guns or mortars fire rather than close in
    **_INFANTRY_ORDERS,
    **dict.fromkeys(_GUNS_FIRE_FOR, _bombard),
    Task.pursue: _move,  # guns follow up; they do not chase
}
