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
once per game into integer tables (`ClockTables`: each trigger tree as rows in pre-order, so a
tree is judged bottom-up without recursion), and what the clock has found (a trigger that fired
stays fired, each boundary is judged once) is kept in the same tables' memo arrays, and so is its
answer (`clock_times`: asked once a turn, and never again once final), so that the plan kernel
(engine/ai/plan_kernels.py `plan_side`) asks the clock itself, with no Python between. `PlanClock`
is the wrapper: it builds the tables; `GameRecords` hands the kernels the game's records as
arrays (`ClockRecords`), brought up to date once a turn for both sides' clocks.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..core.state import GameState, PerGame
from ..kernels.jit import kernel
from ..scenario.models import PlanPhase, Trigger

NEVER = 10**9  # a turn no game reaches: a phase whose trigger has not fired

# Trigger nodes: the atoms and the two ways of joining them.
N_TAKEN, N_LOST, N_AFTER, N_ANY, N_ALL, N_ARRIVED, N_BELOW, N_ROUTED = range(8)

# The plan's clock as arrays (one game, one side). Per phase: its fixed start and end turns
# (`fixed_start`, `fixed_end`, NEVER for none), the root node of its `start_when` and
# `end_when` (-1: none), and `order`, the phases each after those its `start_when` waits on.
# Per trigger node (pre-order rows; a node's subtree is the rows from it up to its `node_end`):
# its kind (N_*), `node_arg` (a place's row in the timeline, a phase, a unit, or a group of
# `watched`), `node_offset` (an `after`'s turns). `watched`: groups × units, the units a
# `strength_below` measures or a `routed` watches; `share_start` (their men at the start) and
# `share_below` (the share) per group. The memo, changed by the kernel: per node the boundary
# its root trigger fired at (-1: not yet) and the last it was judged at; per phase its start
# once found and its end by `end_when` once found (-1: not yet). The answer, kept: `times` (phases
# × 2, start and end turns as `phase_times` found them), `asked` (the turn they were found at, -1
# not yet) and `final` (they never change again: every trigger has fired, or there is none).
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
    ),
)

# The game's records the triggers read, as arrays (`GameRecords.arrays`): `timeline` (a row per
# place some clock reads, `GameRecords.row_of`: who held it after each turn, -9 past the
# record's end), `place_start` (who held each at the start), `placed` (boundaries × units: on
# the map; no rows unless an `arrived` trigger reads it), `ledger_men` (boundaries × units: men;
# no rows unless a `strength_below` reads it), `recorded` (the rows of `placed` and of
# `ledger_men` that hold a record: those arrays have room for more, so that the bundle stays
# the same arrays from turn to turn), `first_routed` (the state's own array: the boundary each
# unit first routed at, -1 never).
ClockRecords = namedtuple(
    "ClockRecords",
    ("timeline", "place_start", "placed", "ledger_men", "recorded", "first_routed"),
)


@kernel
def _holds(root, k, side, starts, t, records):
    """Whether the trigger tree at `root` holds at boundary k (0: the start), bottom-up over
    its pre-order rows, from the game's `records` (`ClockRecords`)."""
    end = t.node_end
    value = np.zeros(end[root] - root, np.bool_)
    for n in range(end[root] - 1, root - 1, -1):
        kind = t.node_kind[n]
        arg = t.node_arg[n]
        got = False
        if kind in (N_TAKEN, N_LOST):
            wanted = side if kind == N_TAKEN else 1 - side
            held = records.place_start[arg] if k == 0 else records.timeline[arg, k - 1]
            got = held == wanted
        elif kind == N_AFTER:
            began = starts[arg]
            got = began >= 0 and k >= began + t.node_offset[n]
        elif kind == N_ARRIVED:
            got = k < records.recorded[0] and records.placed[k, arg]
        elif kind == N_BELOW:
            if k < records.recorded[1]:
                total = 0
                for j in range(records.ledger_men.shape[1]):
                    if t.watched[arg, j]:
                        total += records.ledger_men[k, j]
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
                got = got or value[c - root] if kind == N_ANY else got and value[c - root]
                c = end[c]
        value[n - root] = got
    return value[0]


@kernel
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


@kernel
def phase_times(turn, side, t, records):
    """(start turn, end turn) of each phase as the game stands at `turn` (NEVER: not yet), one
    row a phase; and whether these are final (every trigger that starts or ends a phase has
    fired: no later turn changes them).

    One pass in an order where a phase comes after every phase its `after` triggers wait on
    (the validator refuses cycles), so each start is final when it is read, and what was
    looked at is remembered at once (see `_fired`): a turn judges each trigger at its one new
    boundary, not the whole game again. A start or end once found never changes (a phase that
    has begun goes on; an `after` counts from a start that is final): those are kept
    (`t.settled`, `t.ended`) and not looked for again."""
    count = t.fixed_start.shape[0]
    starts = np.full(count, -1, np.int64)
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
    times = np.empty((count, 2), np.int64)
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
    return times, final


@kernel
def clock_times(turn, side, t, records):
    """`phase_times` as the planner reads it: (start, end) of each phase at `turn`, worked out
    at most once a turn and never again once final (kept in `t.times`; the array is the
    tables' own, read it, do not change it). `records`: the game's `ClockRecords`."""
    if t.final[0] or t.asked[0] == turn:
        return t.times
    times, final = phase_times(turn, side, t, records)
    t.times[:, :] = times
    t.asked[0] = turn
    t.final[0] = final
    return t.times


class GameRecords:
    """The game's records that plan triggers read, as the arrays `phase_times` takes
    (`ClockRecords`), kept for one game and shared by both sides' clocks. Brought up to date at
    most once a turn (the records grow at each turn's end), by copying in what was added since
    (`_refresh`, the one place that reads the state's records, its arrays
    `place_history`, `ledger_rows` and `position_rows`)."""

    def __init__(self, state: GameState) -> None:
        self.count = state.units.count
        self.boundaries = state.total_turns + 2  # the records' rows a game of its length makes
        self.places: list[str] = []  # the places some trigger reads, by their row
        self.filled: list[int] = []  # per place: the entries of its timeline copied in
        self.arrivals = False  # whether `placed` is kept (an `arrived` trigger reads it)
        self.men = False  # whether `ledger_men` is kept (a `strength_below` reads it)
        self.turn = -1  # the turn the arrays were brought up to date at
        self.timeline = np.full((1, 0), -9, np.int64)
        self.place_start = np.full(1, -1, np.int64)
        self._kept: dict[str, list] = {}  # per ledger: [its list, rows copied, the array]
        self._recorded = np.zeros(2, np.int64)  # `ClockRecords.recorded`
        self._never_routed = np.full(self.count, -1, np.int64)  # before the first record
        self._arrays: ClockRecords | None = None

    def row_of(self, place: str) -> int:
        """The timeline's row of `place` (given one the first time it is asked)."""
        if place not in self.places:
            self.places.append(place)
            self.filled.append(0)
            self.turn = -1  # copy its record in at the next ask
        return self.places.index(place)

    def want(self, arrivals: bool, men: bool) -> None:
        """Keep also the units on the map at each boundary, their men at each boundary."""
        if (arrivals and not self.arrivals) or (men and not self.men):
            self.arrivals, self.men = self.arrivals or arrivals, self.men or men
            self.turn = -1

    def arrays(self, state: GameState) -> ClockRecords:
        """The records as the kernels read them, up to date for `state.turn`."""
        if self.turn != state.turn or self._arrays is None:
            self._refresh(state)
        return self._arrays  # type: ignore[return-value]

    def _refresh(self, state: GameState) -> None:
        """Copy in what the records gained since the last turn: each place's timeline from the
        entries added and the last one before them (the rules may amend a turn's last entry),
        and the rows the ledgers gained (arrays filled a row a turn). The arrays are kept, and the
        bundle with them, until one needs more room."""
        self.turn = state.turn
        places = self.places
        columns = max(self.boundaries, state.turn + 2)
        table = self.timeline
        if table.shape[0] < max(1, len(places)) or table.shape[1] < columns:
            table = self.timeline = np.full((max(1, len(places)), columns), -9, np.int64)
            self.filled = [0] * len(places)
            self.place_start = np.full(max(1, len(places)), -1, np.int64)
        # the state's arrays themselves (rules/turn.py writes them): a row a turn played
        filled, starts = self.filled, state.place_start
        history, turns, index = state.place_history, state.place_turns, state.board.place_index
        for k, place in enumerate(places):
            column = index.get(place)
            length = turns if column is not None else 0
            start = max(min(filled[k], length) - 1, 0)  # a turn's entry or two (the last amended)
            if length > start:
                table[k, start:length] = history[start:length, column]
            if length < filled[k]:
                table[k, length : filled[k]] = -9
            filled[k] = length
            self.place_start[k] = starts.get(place, -1)
        recorded = self._recorded
        boundaries = state.ledger_turns
        placed = self._rows(
            "placed", self.arrivals, state.position_rows, boundaries, np.bool_, _on_map
        )
        recorded[0] = self._kept["placed"][1]
        ledger_men = self._rows("men", self.men, state.ledger_rows, boundaries, np.int64, _men)
        recorded[1] = self._kept["men"][1]
        first_routed = state.first_routed
        if len(first_routed) != self.count:
            first_routed = self._never_routed
        arrays = self._arrays
        if (
            arrays is None
            or arrays.timeline is not table
            or arrays.place_start is not self.place_start
            or arrays.placed is not placed
            or arrays.ledger_men is not ledger_men
            or arrays.first_routed is not first_routed
        ):
            self._arrays = ClockRecords(
                table, self.place_start, placed, ledger_men, recorded, first_routed
            )

    def _rows(self, name: str, wanted: bool, record: np.ndarray, boundaries: int, dtype, rows_of):
        """A ledger of the state (`record`: its preallocated array, `boundaries` rows filled) as
        a boundaries × units array (`rows_of` turns the ledger's rows into its rows) with room
        to spare, the rows added since the last turn copied in (not the whole game again each
        turn); no rows while no trigger reads it."""
        kept = self._kept.get(name)
        if kept is None or kept[0] is not record or kept[1] > boundaries:
            kept = [record, 0, np.zeros((0, self.count), dtype)]
            self._kept[name] = kept
        if not wanted:
            return kept[2]
        filled, table = kept[1], kept[2]
        if boundaries > filled:
            if boundaries > table.shape[0]:  # room for the game's turns, or twice the record
                rows = max(2 * boundaries + 8, self.boundaries)
                bigger = np.zeros((rows, self.count), dtype)
                if filled:
                    bigger[:filled] = table[:filled]
                table = kept[2] = bigger
            added = record[filled:boundaries]
            table[filled:boundaries] = rows_of(added)
            kept[1] = boundaries
        return table


def _on_map(positions: np.ndarray) -> np.ndarray:
    """Rows of `position_rows` as who stood on the map."""
    return positions >= 0


def _men(entries: np.ndarray) -> np.ndarray:
    """Rows of `ledger_rows` as each unit's men (its first row a boundary)."""
    return entries[:, 0]


_RECORDS = PerGame()


def game_records(state: GameState) -> GameRecords:
    """The game's `GameRecords` (one per game, shared by both sides' clocks)."""
    store = _RECORDS.of(state)
    found = store.get("records")
    if found is None:
        found = store["records"] = GameRecords(state)
    return found


class PlanClock:
    """The start and end turn of every phase of one side's plan in one game: the wrapper of
    `clock_times`, holding the game's `ClockTables` (the kernel's memo of what it found)."""

    def __init__(self, state: GameState, side: int, phases: list[PlanPhase]) -> None:
        self.side = side
        self.phases = phases
        self.by_id = {p.id: k for k, p in enumerate(phases)}
        self.triggered = any(p.start_when or p.end_when for p in phases)
        self.records = game_records(state)
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
        kinds = {row[0] for row in nodes}
        self.records.want(arrivals=N_ARRIVED in kinds, men=N_BELOW in kinds)
        table = np.array(nodes, np.int64).reshape(-1, 4)
        u = state.units
        watched = np.zeros((max(1, len(self._groups)), u.count), np.bool_)
        share_start = np.ones(max(1, len(self._groups)))
        share_below = np.zeros(max(1, len(self._groups)))
        for g, units in enumerate(self._groups):
            watched[g, units] = True
            share_start[g] = float(u.men_start[units].sum()) or 1.0
            share_below[g] = self._shares[g]
        count = len(phases)
        fixed = np.array(list(zip(fixed_start, fixed_end, strict=True)), np.int64)
        self.tables = ClockTables(
            fixed_start=np.array(fixed_start, np.int64),
            fixed_end=np.array(fixed_end, np.int64),
            start_root=np.array(start_root, np.int64),
            end_root=np.array(end_root, np.int64),
            order=np.array(self._start_order(), np.int64),
            node_kind=table[:, 0].copy(),
            node_arg=table[:, 1].copy(),
            node_offset=table[:, 2].copy(),
            node_end=table[:, 3].copy(),
            watched=watched,
            share_start=share_start,
            share_below=share_below,
            fired=np.full(len(nodes), -1, np.int64),
            checked=np.full(len(nodes), -1, np.int64),
            settled=np.full(count, -1, np.int64),
            ended=np.full(count, -1, np.int64),
            times=fixed.reshape(count, 2),
            asked=np.full(1, -1, np.int64),
            final=np.full(1, not self.triggered, np.bool_),
        )
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
        if t.final[0] or t.asked[0] == state.turn:
            return t.times
        return clock_times(state.turn, self.side, t, self.records.arrays(state))

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
            row[1] = self.records.row_of(place)
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
