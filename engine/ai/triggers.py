"""When a plan's triggered phases begin and end, read from what the game has recorded.

A plan phase may begin (`start_when`) or end (`end_when`) on a trigger rather than at a fixed
time: a place taken or lost, a unit arrived, an enemy unit routed, a side's strength below a share,
some hours after another phase began, or any/all of these. A trigger is judged at turn boundaries
(boundary k: the end of turn k-1, where turn k's orders are given) from the game's own records —
who held each place after each turn, where each unit stood, each unit's men — so that it gives the
same answer whenever it is asked, also after a saved game is replayed without the computer player.
`routed` reads the boundary at which each unit was first recorded routed (`first_routed`, kept by
`GameState.record` at the end of every turn), so a rout during a turn is seen at that turn's end
even if nobody asked for orders then, and a unit that routed and fled off the map still counts.

A trigger fires at the first boundary at which it holds, and the phase it starts has begun for
good: a phase that began because a place was taken goes on if the place is lost again. `any`
holds when one of its parts holds, `all` when every part holds at the same boundary (`after`
holds from its hour on). This module never reads the historical record.

The clock is a kernel (`phase_times`, engine/kernels/jit.py): the plan's triggers are flattened
into integer tables (`ClockTables`: each trigger tree as rows in pre-order, so a
tree is judged bottom-up without recursion), and what the clock has found (a trigger that fired
stays fired, each boundary is judged once) is kept in the same tables' memo arrays, and so is its
answer (`clock_times`: asked once a turn, and never again once final), so that the plan kernel
(engine/ai/plan_kernels.py `plan_side`) asks the clock itself, with no Python between. `PlanClock`
is the wrapper: the part of its tables that the scenario fixes (the phases' fixed times, the
trigger trees) is made once for the games of a scenario and shared by them, the memo is the
game's own; `GameRecords` hands the kernels the game's records as they stand in the state
(`ClockRecords`: the state's own arrays, read in place, never copied), for both sides' clocks.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..core.state import LEDGER_ROWS, GameState, PerGame
from ..kernels.jit import kernel
from ..scenario.models import PlanPhase, Trigger

NEVER = 10**9  # a turn no game reaches: a phase whose trigger has not fired

# Trigger nodes: the atoms and the two ways of joining them.
N_TAKEN, N_LOST, N_AFTER, N_ANY, N_ALL, N_ARRIVED, N_BELOW, N_ROUTED = range(8)
# The row of the units' ledger (`GameState.ledger_rows`: turn x LEDGER_ROWS x units) that
# holds their men, which a `strength_below` sums.
MEN_ROW = LEDGER_ROWS.index("men")
# Who held a place at a boundary the places' record has not reached (no side: nothing fires).
UNRECORDED = -9

# The plan's clock as arrays (one side; the memo is one game's, the rest the scenario's, shared
# by its games: `ClockPlan`). Per phase: its fixed start and end turns (`fixed_start`,
# `fixed_end`, NEVER for none), the root node of its `start_when` and `end_when` (-1: none),
# and `order`, the phases each after those its `start_when` waits on.
# Per trigger node (pre-order rows; a node's subtree is the rows from it up to its `node_end`):
# its kind (N_*), `node_arg` (a place's column in the state's record of places, -1 for a place
# the board does not name; a phase, a unit, or a group of `watched`), `node_offset` (an
# `after`'s turns). `watched`: groups × units, the units a `strength_below` measures or a
# `routed` watches; `share_start` (their men at the start) and `share_below` (the share) per
# group. The memo, changed by the kernel: per node the boundary
# its root trigger fired at (-1: not yet) and the last it was judged at; per phase its start
# once found and its end by `end_when` once found (-1: not yet). The answer, kept: `times` (phases
# × 2, start and end turns as `phase_times` found them), `asked` (the turn they were found at, -1
# not yet) and `final` (they never change again: every trigger has fired, or there is none).
# Scratch, the game's own, written before it is read: `starts` (per phase, `phase_times`' starts
# so far) and `value` (per node, `_holds`' values), so that the clock's kernels make no array
# and borrow (engine/kernels/jit.py).
ClockTables = namedtuple(
    "ClockTables",
    (
        "fixed_start",
        "fixed_end",
        "start_root",
        "end_root",
        "order",
        "node_kind",
        "node_arg",
        "node_offset",
        "node_end",
        "watched",
        "share_start",
        "share_below",
        "fired",
        "checked",
        "settled",
        "ended",
        "times",
        "asked",
        "final",
        "starts",
        "value",
    ),
)

# The game's records the triggers read (`GameRecords.arrays`), the state's own arrays read in
# place: `history` (`GameState.place_history`, turns × the board's places: who held each after
# each turn), `place_start` (who held each at the start, by the same columns), `positions`
# (`position_rows`, boundaries × units: each unit's hex, -1 off the map), `ledger`
# (`ledger_rows`, boundaries × LEDGER_ROWS × units: the men in row MEN_ROW), `recorded` (the rows
# of `history`, then of `positions` and `ledger`, that hold a record: the state's arrays have
# room for the whole game, so that the bundle stays the same arrays from turn to turn), and
# `first_routed` (the boundary each unit first routed at, -1 never).
ClockRecords = namedtuple(
    "ClockRecords",
    ("history", "place_start", "positions", "ledger", "recorded", "first_routed"),
)


@kernel(borrows=True)
def _holds(root, k, side, starts, t, records):
    """Whether the trigger tree at `root` holds at boundary k (0: the start), bottom-up over
    its pre-order rows, from the game's `records` (`ClockRecords`); each node's value in the
    scratch `t.value`, written (children first) before it is read."""
    end = t.node_end
    value = t.value
    for n in range(end[root] - 1, root - 1, -1):
        kind = t.node_kind[n]
        arg = t.node_arg[n]
        got = False
        if kind in (N_TAKEN, N_LOST):
            wanted = side if kind == N_TAKEN else 1 - side
            held = UNRECORDED  # a place the board does not name: never held
            if arg >= 0:
                if k == 0:
                    held = records.place_start[arg]
                elif k - 1 < records.recorded[0]:
                    held = records.history[k - 1, arg]
            got = held == wanted
        elif kind == N_AFTER:
            began = starts[arg]
            got = began >= 0 and k >= began + t.node_offset[n]
        elif kind == N_ARRIVED:
            got = k < records.recorded[1] and records.positions[k, arg] >= 0
        elif kind == N_BELOW:
            if k < records.recorded[1]:
                total = 0
                for j in range(t.watched.shape[1]):
                    if t.watched[arg, j]:
                        total += records.ledger[k, MEN_ROW, j]
                got = float(total) / t.share_start[arg] < t.share_below[arg]
        elif kind == N_ROUTED:
            first_routed = records.first_routed
            for j in range(first_routed.shape[0]):
                if t.watched[arg, j] and first_routed[j] >= 0 and first_routed[j] <= k:
                    got = True
                    break
        else:  # any / all over the direct children
            got = kind == N_ALL
            c = n + 1
            while c < end[n]:
                got = got or value[c] if kind == N_ANY else got and value[c]
                c = end[c]
        value[n] = got
    return value[root]


@kernel(borrows=True)
def _fired(root, since, turn, side, starts, t, records):
    """The first boundary from `since` at which the trigger at `root` held (-1: none yet). A
    trigger of `after` alone may name a boundary still to come. What was looked at is
    remembered (`t.fired`, `t.checked`), so that each boundary is judged once, when it is the
    present one."""
    if t.node_kind[root] == N_AFTER:
        began = starts[t.node_arg[root]]
        return -1 if began < 0 else began + t.node_offset[root]
    if t.fired[root] >= 0:
        return t.fired[root]
    found = -1
    for k in range(max(t.checked[root] + 1, since), turn + 1):
        if _holds(root, k, side, starts, t, records):
            found = k
            break
    t.fired[root] = found
    t.checked[root] = turn
    return found


@kernel(borrows=True)
def phase_times(turn, side, t, records):
    """(start turn, end turn) of each phase as the game stands at `turn` (NEVER: not yet), one
    row a phase, written into `t.times`; returns whether these are final (every trigger that
    starts or ends a phase has fired: no later turn changes them).

    One pass in an order where a phase comes after every phase its `after` triggers wait on
    (the validator refuses cycles), so each start is final when it is read, and what was
    looked at is remembered at once (see `_fired`): a turn judges each trigger at its one new
    boundary, not the whole game again. A start or end once found never changes (a phase that
    has begun goes on; an `after` counts from a start that is final): those are kept
    (`t.settled`, `t.ended`) and not looked for again."""
    count = t.fixed_start.shape[0]
    starts = t.starts
    starts[:] = -1
    for idx in range(count):
        k = t.order[idx]
        start = t.settled[k]
        if start < 0:
            start = t.fixed_start[k]
            root = t.start_root[k]
            if root >= 0:
                fired = _fired(root, 0, turn, side, starts, t, records)
                start = -1 if fired < 0 else max(start, fired)
            if start >= 0:
                t.settled[k] = start
        starts[k] = start
    times = t.times
    final = True  # every start and end found: the times never change again
    for k in range(count):
        start = NEVER if starts[k] < 0 else starts[k]
        finish = t.ended[k]
        if finish < 0:
            finish = t.fixed_end[k]
            root = t.end_root[k]
            if root >= 0 and start < NEVER:
                fired = _fired(root, start, turn, side, starts, t, records)
                if fired >= 0:
                    finish = min(finish, fired)
                    t.ended[k] = finish
        if (t.start_root[k] >= 0 and t.settled[k] < 0) or (t.end_root[k] >= 0 and t.ended[k] < 0):
            final = False
        times[k, 0] = start
        times[k, 1] = finish
    return final


@kernel(borrows=True)
def clock_times(turn, side, t, records):
    """`phase_times` as the planner reads it: (start, end) of each phase at `turn` in
    `t.times`, worked out at most once a turn and never again once final (the array is the
    tables' own: read it, do not change it). `records`: the game's `ClockRecords`."""
    if t.final[0] or t.asked[0] == turn:
        return
    t.final[0] = phase_times(turn, side, t, records)
    t.asked[0] = turn


class GameRecords:
    """The game's records that plan triggers read, as the bundle `phase_times` takes
    (`ClockRecords`), kept for one game and shared by both sides' clocks. The bundle holds the
    state's own arrays (`place_history`, `position_rows`, `ledger_rows`, `first_routed`: written
    by the rules a row a turn, only read here), so nothing is copied from turn to turn: each ask
    sets how many rows hold a record (`recorded`), and makes the bundle again only when the
    state has put an array of its own in place of one (grown past the game's length, or a
    record started afresh)."""

    def __init__(self, state: GameState) -> None:
        self.count = state.units.count
        self._recorded = np.zeros(2, np.int64)  # `ClockRecords.recorded`
        self._never_routed = np.full(self.count, -1, np.int64)  # before the first record
        self._starts: dict[str, int] | None = None  # the `place_start` read into `_place_start`
        self._place_start = np.full(0, -1, np.int64)
        self._arrays: ClockRecords | None = None

    def arrays(self, state: GameState) -> ClockRecords:
        """The records as the kernels read them, as the state stands now."""
        recorded = self._recorded
        recorded[0] = state.place_turns
        recorded[1] = state.ledger_turns
        first_routed = state.first_routed
        if len(first_routed) != self.count:
            first_routed = self._never_routed
        if state.place_start is not self._starts:
            self._starts = state.place_start
            self._place_start = self._place_starts(state)
        arrays = self._arrays
        if (
            arrays is None
            or arrays.history is not state.place_history
            or arrays.place_start is not self._place_start
            or arrays.positions is not state.position_rows
            or arrays.ledger is not state.ledger_rows
            or arrays.first_routed is not first_routed
        ):
            arrays = self._arrays = ClockRecords(
                state.place_history,
                self._place_start,
                state.position_rows,
                state.ledger_rows,
                recorded,
                first_routed,
            )
        return arrays

    @staticmethod
    def _place_starts(state: GameState) -> np.ndarray:
        """Who held each of the board's places at the start (-1 nobody), by its column in the
        places' record (`board.place_index`)."""
        index = state.board.place_index
        starts = np.full(max(1, len(index)), -1, np.int64)
        for place, column in index.items():
            starts[column] = state.place_start.get(place, -1)
        return starts


_RECORDS = PerGame()


def game_records(state: GameState) -> GameRecords:
    """The game's `GameRecords` (one per game, shared by both sides' clocks)."""
    store = _RECORDS.of(state)
    found = store.get("records")
    if found is None:
        found = store["records"] = GameRecords(state)
    return found


class ClockPlan:
    """What one side's plan clock reads that the scenario fixes, as the arrays of `ClockTables`
    (all but the memo): the phases' fixed times, their trigger trees flattened, the units each
    trigger watches. Made once for the games of a scenario (`PlanClock`, kept on the board),
    since it reads the scenario alone: the plan, the clock, the board's places, the units' ids,
    sides and men at the start."""

    def __init__(self, state: GameState, side: int, phases: list[PlanPhase]) -> None:
        self.side = side
        self.phases = tuple(phases)  # kept: they name the plan this is made from (`PlanClock`)
        self.by_id = {p.id: k for k, p in enumerate(phases)}
        self.triggered = any(p.start_when or p.end_when for p in phases)
        fixed_start = [state.turn_of(p.start) if p.start else 0 for p in phases]
        fixed_end = [state.turn_of(p.end) if p.end else NEVER for p in phases]
        self._groups: list[np.ndarray] = []  # per group of `watched`: its units
        self._shares: list[float] = []  # per group: the share a `strength_below` holds below
        nodes: list[list[int]] = []
        start_root = [-1] * len(phases)
        end_root = [-1] * len(phases)
        for k, p in enumerate(phases):
            if p.start_when is not None:
                start_root[k] = self._flatten(state, p.start_when, nodes)
            if p.end_when is not None:
                end_root[k] = self._flatten(state, p.end_when, nodes)
        table = np.array(nodes, np.int64).reshape(-1, 4)
        u = state.units
        watched = np.zeros((max(1, len(self._groups)), u.count), np.bool_)
        share_start = np.ones(max(1, len(self._groups)))
        share_below = np.zeros(max(1, len(self._groups)))
        for g, units in enumerate(self._groups):
            watched[g, units] = True
            share_start[g] = float(u.men_start[units].sum()) or 1.0
            share_below[g] = self._shares[g]
        self.nodes = len(nodes)
        # `ClockTables`' fields up to the memo, in their order
        self.fixed = (
            np.array(fixed_start, np.int64),
            np.array(fixed_end, np.int64),
            np.array(start_root, np.int64),
            np.array(end_root, np.int64),
            np.array(self._start_order(), np.int64),
            table[:, 0].copy(),
            table[:, 1].copy(),
            table[:, 2].copy(),
            table[:, 3].copy(),
            watched,
            share_start,
            share_below,
        )
        # the answer before any trigger is judged: the fixed times (a game's `times` starts
        # as a copy, which the kernel writes)
        self.fixed_times = np.array(
            list(zip(fixed_start, fixed_end, strict=True)), np.int64
        ).reshape(len(phases), 2)

    def memo(self) -> tuple[np.ndarray, ...]:
        """A game's own memo and answer (`ClockTables` from `fired` on), as nothing has been
        judged yet."""
        count = len(self.phases)
        return (
            np.full(self.nodes, -1, np.int64),
            np.full(self.nodes, -1, np.int64),
            np.full(count, -1, np.int64),
            np.full(count, -1, np.int64),
            self.fixed_times.copy(),
            np.full(1, -1, np.int64),
            np.full(1, not self.triggered, np.bool_),
            np.full(count, -1, np.int64),
            np.zeros(max(1, self.nodes), np.bool_),
        )

    def _flatten(self, state: GameState, trigger: Trigger, nodes: list[list[int]]) -> int:
        """Append `trigger`'s tree to `nodes` in pre-order; its root's row number."""
        at = len(nodes)
        row = [0, 0, 0, 0]  # kind, arg, offset, end
        nodes.append(row)
        u = state.units
        if trigger.any is not None or trigger.all is not None:
            row[0] = N_ANY if trigger.any is not None else N_ALL
            for child in trigger.any if trigger.any is not None else trigger.all:  # type: ignore[union-attr]
                self._flatten(state, child, nodes)
        elif trigger.after is not None:
            row[0], row[1] = N_AFTER, self.by_id[trigger.after.phase]
            minutes = state.scenario.clock.turn_minutes
            row[2] = math.ceil(trigger.after.hours * 60 / minutes - 1e-9)
        elif trigger.taken is not None or trigger.lost is not None:
            place = trigger.taken if trigger.taken is not None else trigger.lost
            row[0] = N_TAKEN if trigger.taken is not None else N_LOST
            row[1] = state.board.place_index.get(place, -1)
        elif trigger.arrived is not None:
            row[0], row[1] = N_ARRIVED, u.ids.index(trigger.arrived)
        elif trigger.routed is not None:
            if trigger.routed == "enemy":
                watched = np.flatnonzero(u.side != self.side)
            else:
                watched = np.array([u.ids.index(trigger.routed)], dtype=np.intp)
            row[0], row[1] = N_ROUTED, len(self._groups)
            self._groups.append(watched)
            self._shares.append(0.0)
        else:
            share = trigger.strength_below
            assert share is not None, "a trigger sets exactly one field (the validator checks it)"
            if share.units:
                units = np.array([u.ids.index(x) for x in share.units], dtype=np.intp)
            else:
                measured = (
                    state.side_ids.index(share.side) if share.side is not None else 1 - self.side
                )
                units = np.flatnonzero(u.side == measured)
            row[0], row[1] = N_BELOW, len(self._groups)
            self._groups.append(units)
            self._shares.append(share.share)
        row[3] = len(nodes)
        return at

    def _start_order(self) -> list[int]:
        """The phases' indices, each after the phases its `start_when` waits on through `after`
        (depth first; a cycle, which the validator refuses, is broken where it closes)."""
        waits: list[list[int]] = []
        for phase in self.phases:
            found: list[int] = []
            stack = [phase.start_when] if phase.start_when is not None else []
            while stack:
                t = stack.pop()
                if t.after is not None and t.after.phase in self.by_id:
                    found.append(self.by_id[t.after.phase])
                stack += [*(t.any or []), *(t.all or [])]
            waits.append(found)
        order: list[int] = []
        state = [0] * len(self.phases)  # 0 new, 1 on the path, 2 placed

        def visit(k: int) -> None:
            if state[k]:
                return
            state[k] = 1
            for j in waits[k]:
                visit(j)
            state[k] = 2
            order.append(k)

        for k in range(len(self.phases)):
            visit(k)
        return order


class PlanClock:
    """The start and end turn of every phase of one side's plan in one game: the wrapper of
    `clock_times`, holding the game's `ClockTables`: the scenario's `ClockPlan` (shared by its
    games) with the game's own memo of what the kernel found."""

    def __init__(self, state: GameState, side: int, phases: list[PlanPhase]) -> None:
        # Kept on the board under the phases' identities: the plan's `ClockPlan` holds them, so
        # no other plan's phases can take their ids while the entry stands.
        plan = state.board.shared(
            ("ai_clock_plan", side, tuple(map(id, phases))),
            lambda: ClockPlan(state, side, phases),
        )
        self.side = side
        self.phases = phases
        self.by_id = plan.by_id
        self.triggered = plan.triggered
        self.records = game_records(state)
        self.tables = ClockTables(*plan.fixed, *plan.memo())
        self._listed: tuple[int, list[tuple[int, int]]] | None = None  # `times` as a list

    def times(self, state: GameState) -> list[tuple[int, int]]:
        """(start turn, end turn) of each phase as the game stands now (NEVER: not yet)."""
        array = self.times_array(state)
        listed = self._listed
        if listed is None or listed[0] != self.tables.asked[0]:
            listed = self._listed = (int(self.tables.asked[0]), list(map(tuple, array.tolist())))
        return listed[1]

    def times_array(self, state: GameState) -> np.ndarray:
        """`times` as a phases × 2 array (start, end), as the planner's kernel reads it (the
        tables' own: read it, do not change it)."""
        t = self.tables
        if not (t.final[0] or t.asked[0] == state.turn):
            clock_times(state.turn, self.side, t, self.records.arrays(state))
        return t.times
