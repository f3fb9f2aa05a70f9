"""Every history metric of a scenario's games, worked out once per scenario and read per game.

`history.measure` says what each metric means, one entry and one game at a time: it parses the
entry's side, works out its snapshots from its times, builds its mask of units, looks up its place
and river, then reads the game. A batch measures thousands of games of one scenario, and all of
that but the reading is the same in each (the units, sides, board, clock and history are the
scenario's): for Furong's 19 metrics it was most of the 0.3 ms a battle the worker spent on them,
as much again as the rows and the file. `MetricPlan` does it once, made from a scenario's first
game, and then reads each game's arrays directly: the metrics that sum the units' ledgers all at
once, as a few array operations; the cut-off men by a kernel (`history.most_men_cut_off`).

The numbers are `history.metric_values`' exactly (tests/test_metric_plan.py holds them equal for
every metric of every scenario and variant, over several seeds and at every turn of a game). An
entry the plan has no quicker reading for, or a game it was not made for, is measured by
`measure` itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import numpy as np

from .core.state import GameState
from .history import (
    _LOSS_ROWS,
    _ROW,
    _WATER_ROWS,
    _mask,
    as_number,
    measure,
    most_men_cut_off,
)
from .kernels.jit import compiling, kernel, resolved
from .scenario.models import HistoryEntry, Metric

Number = float | None
# a metric's reading of a game: (the game, its last snapshot) -> the metric as `as_number` gives it
Reader = Callable[[GameState, int], Number]

# The metrics that are a sum of ledger rows over the entry's units: the rows each sums, and whether
# it is the change over the window (`since`..`at`) or the value at `at`.
_LEDGER_SUMS: dict[Metric, tuple[list[int], bool]] = {
    Metric.men_remaining: ([_ROW["men"]], False),
    Metric.men_lost: (_LOSS_ROWS, True),
    Metric.lost_in_water: (_WATER_ROWS, True),
    Metric.killed: ([_ROW["killed"]], True),
    Metric.wounded: ([_ROW["wounded"]], True),
    Metric.captured: ([_ROW["captured"]], True),
    Metric.drowned: ([_ROW["drowned"]], True),
    Metric.escaped: ([_ROW["escaped"]], True),
    Metric.officers_killed: ([_ROW["officers_killed"]], True),
}
_ALL_TURNS = np.iinfo(np.int64).max  # an `at` of "the end": clipped to the game's last snapshot
_SUMMED = "summed"  # an entry's reading that is one of the ledger sums (`MetricPlan._sums`)

_cut_off = resolved(most_men_cut_off)

# The kernel `read_metrics` reads a program, a row an entry: what it measures (KIND), for which
# side, at which snapshots (AT, SINCE, before they are clipped to a game's last), and a number
# that depends on the kind (AUX: a place's column or hex, a river's banks' row), the ledger rows
# a sum adds (ROWS, a bit a row), whether a sum is taken over the window (OVER) and whether a
# cut-off count runs from SINCE (WINDOWED). Kind 0: not the kernel's (read in Python).
KIND, SIDE, AT, SINCE, WINDOWED, AUX, ROWS, OVER = range(8)
SUM, GOT_BACK, SURROUNDED, FELL_AT, HELD, LOST, PLACES_KEPT, ROUNDS, WORKS, FELL_BACK = range(1, 11)
# what the kernel tells of each value: a number, no value (None), or a turn to be told in hours
VALUE, NO_VALUE, TURN = 0, 1, 2
_MEN, _ESCAPED = _ROW["men"], _ROW["escaped"]


def metric_plan(state: GameState) -> MetricPlan:
    """The plan of `state`'s scenario, made on the first call for it and kept with its board
    (one board serves one scenario object: `Board.shared`)."""
    plan = state.board.shared("metric_plan", lambda: MetricPlan(state))
    if not plan.fits(state):  # a game whose units differ from its scenario's (a test's own)
        return MetricPlan(state)
    return plan


def plan_values(state: GameState) -> list[Number]:
    """Every history metric of the game as a number, in the order of the scenario's `history`:
    what `history.metric_values` gives, as a list."""
    return metric_plan(state).values(state)


class MetricPlan:
    """What measuring a scenario's history metrics needs that is the same in every game of it,
    and a reading of each metric made from it. Read only once made, so threads may share it (a
    Dask worker's): each reading makes its own working arrays."""

    def __init__(self, state: GameState) -> None:
        scenario = state.scenario
        self.scenario = scenario
        self.board = state.board
        self.ids = state.units.ids
        self.side_ids = state.side_ids
        self.rears = state.rears
        self._side_bytes = state.units.side.tobytes()
        self.history = list(scenario.history)
        self._start = scenario.clock.start
        self._hours: dict[int, float] = {}
        # the ledger sums: term t is weight[t] x (ledger[snapshot[t], row[t]] . units[t]),
        # summed into its entry
        self._sum_entries: list[int] = []
        snapshots: list[int] = []
        rows: list[int] = []
        weights: list[int] = []
        masks: list[np.ndarray] = []
        owners: list[int] = []
        self._readers: list[Reader | str | None] = []
        for number, entry in enumerate(self.history):
            reader = None
            try:
                if entry.side and entry.metric != Metric.winner:
                    state.side_index(entry.side)  # as `measure` asks it of every such entry
                sums = _LEDGER_SUMS.get(entry.metric)
                if sums is not None:
                    mask = _mask(state, entry).astype(np.int64)
                    summed, over_window = sums
                    ends = [(self._snapshot(state, entry.at), 1)]
                    if over_window:
                        ends.append((self._since(state, entry), -1))
                    for snapshot, weight in ends:
                        for row in summed:
                            snapshots.append(snapshot)
                            rows.append(row)
                            weights.append(weight)
                            masks.append(mask)
                            owners.append(len(self._sum_entries))
                    self._sum_entries.append(number)
                    reader = _SUMMED
                else:
                    reader = self._reader(state, entry)
            except (ValueError, KeyError, IndexError, TypeError):
                reader = None  # measured by `measure`, which says what is wrong with it
            self._readers.append(reader)
        self._snapshots = np.array(snapshots, np.int64)
        self._rows = np.array(rows, np.intp)
        self._masks = np.array(masks, np.int64).reshape(len(masks), len(self.ids))
        # terms into entries, with their signs: (terms x entries) @ ... sums each entry's terms
        self._signs = np.zeros((len(masks), len(self._sum_entries)), np.int64)
        self._signs[np.arange(len(masks)), owners] = weights
        self._place_start = dict(state.place_start)
        self._units = len(self.ids)
        self._kit: tuple | None = self._program(state) if compiling() else None
        self._scratch = threading.local()  # each thread's working arrays for the kernel

    def fits(self, state: GameState) -> bool:
        """Whether `state` is a game of the scenario this plan was made for, with its units."""
        return (
            state.scenario is self.scenario
            and state.board is self.board
            and state.units.ids == self.ids
            and state.side_ids == self.side_ids
            and state.rears == self.rears
            and state.units.side.tobytes() == self._side_bytes
            and state.place_start == self._place_start
        )

    def values(self, state: GameState) -> list[Number]:
        """Every metric of the game, in the order of the history (`metric_values`' numbers)."""
        last = state.ledger_turns - 1
        if last < 0:  # nothing recorded yet: `measure` says what that gives
            return [self._measured(state, entry) for entry in self.history]
        routed = len(state.first_routed)
        if self._kit is not None and (routed == 0 or routed == self._units):
            return self._compiled_values(state, last)
        sums = self._sums(state, last) if self._sum_entries else {}
        values: list[Number] = []
        for number, reader in enumerate(self._readers):
            if reader is None:
                values.append(self._measured(state, self.history[number]))
            elif reader is _SUMMED:
                values.append(sums[number])
            else:
                values.append(reader(state, last))
        return values

    def _compiled_values(self, state: GameState, last: int) -> list[Number]:
        """`values` by one call of the kernel `read_metrics`, and Python for the rest (the
        winner, what reads the game's lists and dicts, and what `measure` alone reads)."""
        scratch = self._scratch
        try:
            work = scratch.work
        except AttributeError:  # one tuple a thread: its caller tells it by identity
            cells = self.board.width * self.board.height
            count = len(self.history)
            work = scratch.work = (
                np.empty(cells, np.bool_),
                np.empty(cells, np.bool_),
                np.empty(cells, np.int64),
                np.zeros(count, np.float64),
                np.zeros(count, np.int8),
            )
        _read(
            self._kit,
            state.ledger_rows,
            state.position_rows,
            state.place_history,
            state.rounds_rows,
            state.works_rows,
            state.first_routed,
            last,
            state.place_turns,
            work,
        )
        values: list[Number] = work[3].tolist()
        if self._telling:  # the entries the kernel may tell no value or a turn of
            told = work[4].tolist()
            for number in self._telling:
                if told[number] == NO_VALUE:
                    values[number] = None
                elif told[number] == TURN:
                    values[number] = self._hours_after(state, int(values[number]))  # type: ignore[arg-type]
        for number, finish in self._finishing:
            values[number] = finish(state, last, values[number])  # type: ignore[arg-type]
        return values

    def _program(self, state: GameState) -> tuple:
        """`read_metrics`' program and what it reads of the scenario (a tuple kept whole, so the
        kernel's caller tells it by identity), and `_finish`: for each entry, None when the
        kernel's value is the metric, else what makes it in Python (given that value)."""
        board, units = state.board, state.units
        count = len(self.history)
        program = np.zeros((count, 8), np.int64)
        masks = np.zeros((count, units.count), np.bool_)
        banks: list[np.ndarray] = [np.full(board.size, -1, np.int32)]
        homes = np.full((count, units.count), -1, np.int64)
        self._finish: list[Callable[[GameState, int, float], Number] | None] = []
        for number, entry in enumerate(self.history):
            finish = None
            try:
                code = self._code(state, entry, program[number], masks[number])
                if code == GOT_BACK:
                    bank = board.banks(board.river_ids.index(entry.place))
                    homes[number] = bank[np.array(state.rears)[units.side]]
                    program[number, AUX] = len(banks)
                    banks.append(bank.astype(np.int32))
                elif code == PLACES_KEPT:
                    finish = self._attack_outcomes(program[number])
            except (ValueError, KeyError, IndexError, TypeError):
                code = 0
            program[number, KIND] = code
            if code == 0:
                finish = self._python(number)
            self._finish.append(finish)
        self._finishing = [(n, finish) for n, finish in enumerate(self._finish) if finish]
        self._telling = [n for n in range(count) if program[n, KIND] == FELL_AT]
        place_start = np.array(
            [self._place_start.get(place, -2) for place in board.places], np.int64
        )
        return (
            program,
            masks,
            np.stack(banks),
            homes,
            place_start,
            board.neighbor_table,
            board.passable,
            np.array(state.rears, np.int64),
            units.side.copy(),
        )

    def _code(
        self, state: GameState, entry: HistoryEntry, row: np.ndarray, mask: np.ndarray
    ) -> int:
        """Write the entry's row of the program (and its units in `mask`); its kind, 0 when
        the kernel does not read it."""
        metric = entry.metric
        if metric == Metric.winner or (entry.side is None and metric not in _LEDGER_SUMS):
            return 0
        row[AT], row[SINCE] = self._snapshot(state, entry.at), self._since(state, entry)
        row[WINDOWED] = bool(entry.since)
        sums = _LEDGER_SUMS.get(metric)
        if sums is not None:
            mask[:] = _mask(state, entry)
            row[ROWS] = sum(1 << r for r in sums[0])
            row[OVER] = sums[1]
            return SUM
        row[SIDE] = state.side_index(entry.side)
        index = state.board.place_index
        if metric in (Metric.position_held, Metric.position_lost, Metric.place_fell_at):
            if entry.place not in index:
                return 0
            row[AUX] = index[entry.place]
            return {
                Metric.position_held: HELD,
                Metric.position_lost: LOST,
                Metric.place_fell_at: FELL_AT,
            }[metric]
        if metric == Metric.attack_repelled:
            if entry.place and entry.place not in index:
                return 0
            row[AUX] = index[entry.place] if entry.place else -1
            return PLACES_KEPT
        if metric == Metric.rounds_fired:
            return ROUNDS
        if metric == Metric.works_destroyed_fraction:
            return WORKS
        if metric in (Metric.men_surrounded, Metric.got_back_across, Metric.fell_back):
            mask[:] = _mask(state, entry)
            if metric == Metric.fell_back:
                row[AUX] = state.board.resolve(entry.place)
                return FELL_BACK
            return SURROUNDED if metric == Metric.men_surrounded else GOT_BACK
        return 0  # crossed_by, assaults_repelled: Python reads the game's dict and list

    def _python(self, number: int) -> Callable[[GameState, int, float], Number]:
        """The entry's value made in Python: its reader, or `measure`."""
        reader = self._readers[number]
        if reader is None or reader is _SUMMED:
            entry = self.history[number]
            return lambda state, last, _: self._measured(state, entry)
        return lambda state, last, _: reader(state, last)  # type: ignore[operator]

    def _attack_outcomes(self, row: np.ndarray) -> Callable[[GameState, int, float], Number]:
        """`attack_repelled` from the assaults on the side in the window (the game's list) and
        the kernel's word on whether the side kept its places throughout (`kept`, 1 or 0)."""
        side, at, since = int(row[SIDE]), int(row[AT]), int(row[SINCE])

        def repelled(state: GameState, last: int, kept: float) -> float:
            begin, end = min(since, last), min(at, last)
            outcomes = [
                o
                for turn, defender, o in state.assaults
                if defender == side and begin <= turn < end
            ]
            if not outcomes or "taken" in outcomes:
                return 0.0
            return kept

        return repelled

    # -------------------------------------------------------------------- what is made once

    @staticmethod
    def _snapshot(state: GameState, moment: datetime | None) -> int:
        """The snapshot of `moment` before it is clipped to a game's last (`_snapshot_index`)."""
        return _ALL_TURNS if moment is None else max(state.turn_of(moment), 0)

    def _since(self, state: GameState, entry: HistoryEntry) -> int:
        return self._snapshot(state, entry.since) if entry.since else 0

    def _measured(self, state: GameState, entry: HistoryEntry) -> Number:
        return as_number(entry, measure(state, entry), self._start)

    def _sums(self, state: GameState, last: int) -> dict[int, float]:
        """The ledger sums of every entry that is one, by entry number: the ledgers' rows at the
        terms' snapshots, each summed over its units, added into its entry with its sign (int64
        throughout, so exactly the sums `measure` makes)."""
        snapshots = np.minimum(self._snapshots, last)
        read = state.ledger_rows[snapshots, self._rows]  # terms x units
        per_term = (read * self._masks).sum(axis=1)
        totals = (per_term @ self._signs).tolist()
        return {
            number: float(total) for number, total in zip(self._sum_entries, totals, strict=True)
        }

    def _reader(self, state: GameState, entry: HistoryEntry) -> Reader | None:
        """The reading of one metric that is not a ledger sum, None for `measure`'s."""
        metric = entry.metric
        if metric == Metric.winner:
            return self._winner(entry)
        if entry.side is None:
            return None
        side = state.side_index(entry.side)
        at, since = self._snapshot(state, entry.at), self._since(state, entry)
        board = state.board
        if metric in (Metric.position_held, Metric.position_lost):
            return self._position(entry, side, since, at, metric == Metric.position_lost)
        if metric == Metric.place_fell_at:
            return self._fell_at(entry, side)
        if metric == Metric.crossed_by:
            key = (side, board.river_ids.index(entry.place))
            hours = self._hours_after
            return lambda game, last: (
                None if (turn := game.crossed_turn.get(key)) is None else hours(game, turn + 1)
            )
        if metric == Metric.assaults_repelled:
            return self._assaults_repelled(side, since, at)
        if metric == Metric.attack_repelled:
            return self._attack_repelled(entry, side, since, at)
        if metric == Metric.rounds_fired:
            return lambda game, last: float(
                game.rounds_rows[min(at, last)][side] - game.rounds_rows[min(since, last)][side]
            )
        if metric == Metric.works_destroyed_fraction:

            def fraction(game: GameState, last: int) -> float:
                works = game.works_rows
                start = works[0][side]
                return float(1.0 - works[min(at, last)][side] / start) if start > 0 else 0.0

            return fraction
        if metric == Metric.men_surrounded:
            return self._surrounded(state, entry, since, at)
        if metric == Metric.got_back_across:
            return self._got_back_across(state, entry, since, at)
        return None  # fell_back (one scenario, once a battle): `measure`'s own

    def _hours_after(self, state: GameState, turn: int) -> float:
        """`state.time_at(turn)` as hours from the start, as `as_number` makes them, kept by
        turn (the clock is the scenario's)."""
        hours = self._hours.get(turn)
        if hours is None:
            hours = self._hours[turn] = (state.time_at(turn) - self._start).total_seconds() / 3600.0
        return hours

    def _winner(self, entry: HistoryEntry) -> Reader:
        start = self._start
        return lambda game, last: as_number(entry, game.winner, start)

    def _position(
        self, entry: HistoryEntry, side: int, since: int, at: int, lost: bool
    ) -> Reader | None:
        place = entry.place
        column = self.board.place_index.get(place) if place else None
        if column is None:
            return None

        def holder(game: GameState, snapshot: int) -> int | None:
            turns = game.place_turns
            if snapshot >= 1 and turns:
                return int(game.place_history[min(snapshot, turns) - 1, column])
            return game.place_start.get(place)

        if lost:
            return lambda game, last: float(
                holder(game, min(since, last)) == side and holder(game, min(at, last)) != side
            )
        return lambda game, last: float(holder(game, min(at, last)) == side)

    def _fell_at(self, entry: HistoryEntry, side: int) -> Reader | None:
        column = self.board.place_index.get(entry.place) if entry.place else None
        if column is None:
            return None
        hours = self._hours_after

        def fell_at(game: GameState, last: int) -> Number:
            turns = game.place_turns
            if not turns:
                return None
            lost = np.flatnonzero(game.place_history[:turns, column] != side)
            return hours(game, int(lost[0]) + 1) if len(lost) else None

        return fell_at

    @staticmethod
    def _assaults_repelled(side: int, since: int, at: int) -> Reader:
        def repelled(game: GameState, last: int) -> float:
            first, end = min(since, last), min(at, last)
            return float(
                sum(
                    1
                    for turn, defender, outcome in game.assaults
                    if defender == side and outcome == "repelled" and first <= turn < end
                )
            )

        return repelled

    def _attack_repelled(self, entry: HistoryEntry, side: int, since: int, at: int) -> Reader:
        """`history._attack_repelled`, the places' holders read for all snapshots at once."""
        places = [entry.place] if entry.place else list(self.board.places)
        columns = np.array([self.board.place_index[p] for p in places], np.intp)

        def repelled(game: GameState, last: int) -> float:
            begin, end = min(since, last), min(at, last)
            outcomes = [
                o for turn, defender, o in game.assaults if defender == side and begin <= turn < end
            ]
            if not outcomes or "taken" in outcomes:
                return 0.0
            turns = game.place_turns
            start = np.array([game.place_start.get(p, -2) for p in places])
            history = game.place_history
            held = history[min(begin, turns) - 1, columns] if begin >= 1 and turns else start
            if end <= begin:
                return 1.0
            if not turns:  # no record: every snapshot reads the start
                later = np.broadcast_to(start, (end - begin, len(places)))
            else:
                snapshots = np.minimum(np.arange(begin + 1, end + 1), turns) - 1
                later = history[snapshots][:, columns]
            kept = held == side
            return 0.0 if (later[:, kept] != side).any() else 1.0

        return repelled

    def _surrounded(self, state: GameState, entry: HistoryEntry, since: int, at: int) -> Reader:
        mask = _mask(state, entry)
        board = state.board
        table, passable = board.neighbor_table, board.passable
        rears = np.array(state.rears, np.int64)
        sides = state.units.side
        cells = board.width * board.height
        windowed = bool(entry.since)

        def surrounded(game: GameState, last: int) -> float:
            end = min(at, last)
            begin = min(since, last) if windowed else end
            return _cut_off(
                table,
                passable,
                rears,
                sides,
                mask,
                game.position_rows,
                game.ledger_rows,
                begin,
                end,
                np.empty(cells, np.bool_),
                np.empty(cells, np.bool_),
                np.empty(cells, np.int64),
            )

        return surrounded

    def _got_back_across(
        self, state: GameState, entry: HistoryEntry, since: int, at: int
    ) -> Reader:
        """`history._got_back_across` with the river's banks, each unit's home bank and the
        units that can count found once."""
        bank = state.board.banks(state.board.river_ids.index(entry.place))
        home = bank[np.array(state.rears)[state.units.side]]
        mask = _mask(state, entry)
        candidates = np.flatnonzero(mask & (home >= 0))
        their_home = home[candidates]
        men_row, escaped = _ROW["men"], _ROW["escaped"]

        def got_back(game: GameState, last: int) -> float:
            begin, end = min(since, last), min(at, last)
            then = game.position_rows[begin, candidates]
            now = game.position_rows[end, candidates]
            placed = (then >= 0) & (now >= 0)
            bank_then, bank_now = bank[then], bank[now]
            back = placed & (bank_then >= 0) & (bank_then != their_home) & (bank_now == their_home)
            ledger = game.ledger_rows
            men = ledger[end, men_row, candidates[back]]
            counted_escaped = ledger[end, escaped] - ledger[begin, escaped]
            return float(men.sum() + counted_escaped[mask].sum())

        return got_back


@kernel(borrows=True)
def place_holder(places, start, turns, snapshot, column):
    """Who held place `column` at `snapshot`, as `history._holder` reads it: the places' record
    after turn min(snapshot, turns), or the start's holder (`start`) at snapshot 0 or before any
    turn is recorded."""
    if snapshot >= 1 and turns > 0:
        return np.int64(places[min(snapshot, turns) - 1, column])
    return start[column]


@kernel(borrows=True)
def read_metrics(
    kit,
    ledger,
    positions,
    places,
    rounds,
    works,
    first_routed,
    last,
    place_turns,
    work,
):
    """Every metric of a game that the program in `kit` has a row for, each as `measure` makes
    it (see its functions for what each means), into `work`'s `out` and `told` (VALUE, NO_VALUE,
    TURN; its other arrays room for every hex); `last` the game's last snapshot. Sums are int64,
    as numpy's are; the float arithmetic is numpy's own, step for step. Why a kernel: a batch
    worker reads these after each battle, when the battle's own work has left the caches cold
    and a numpy call costs several times what it does in a loop of them (measured: Furong's
    metrics by numpy 0.16 ms a battle that way, 0.06 back to back)."""
    program, masks, banks, homes, start, neighbor_table, passable, rears, sides = kit
    blocked, seen, stack, out, told = work
    units = sides.shape[0]
    for e in range(program.shape[0]):
        kind = program[e, KIND]
        told[e] = VALUE
        out[e] = 0.0
        if kind == 0:
            continue
        side = program[e, SIDE]
        end = min(program[e, AT], last)
        begin = min(program[e, SINCE], last)
        aux = program[e, AUX]
        if kind == SUM:
            rows, over = program[e, ROWS], program[e, OVER]
            total = 0
            for r in range(ledger.shape[1]):
                if (rows >> r) & 1:
                    for u in range(units):
                        if masks[e, u]:
                            total += ledger[end, r, u]
                            if over:
                                total -= ledger[begin, r, u]
            out[e] = float(total)
        elif kind == GOT_BACK:
            bank = banks[aux]
            total = 0
            for u in range(units):
                if not masks[e, u]:
                    continue
                total += ledger[end, _ESCAPED, u] - ledger[begin, _ESCAPED, u]
                home = homes[e, u]
                then, now = positions[begin, u], positions[end, u]
                if home < 0 or then < 0 or now < 0:
                    continue
                if bank[then] >= 0 and bank[then] != home and bank[now] == home:
                    total += ledger[end, _MEN, u]
            out[e] = float(total)
        elif kind == SURROUNDED:
            first = begin if program[e, WINDOWED] else end
            out[e] = most_men_cut_off(
                neighbor_table,
                passable,
                rears,
                sides,
                masks[e],
                positions,
                ledger,
                first,
                end,
                blocked,
                seen,
                stack,
            )
        elif kind == FELL_AT:
            told[e] = NO_VALUE
            for t in range(place_turns):
                if places[t, aux] != side:
                    out[e] = t + 1
                    told[e] = TURN
                    break
        elif kind == HELD:
            held = place_holder(places, start, place_turns, end, aux) == side
            out[e] = 1.0 if held else 0.0
        elif kind == LOST:
            lost = (
                place_holder(places, start, place_turns, begin, aux) == side
                and place_holder(places, start, place_turns, end, aux) != side
            )
            out[e] = 1.0 if lost else 0.0
        elif kind == PLACES_KEPT:
            kept = True
            low, high = (aux, aux + 1) if aux >= 0 else (0, start.shape[0])
            for c in range(low, high):
                if place_holder(places, start, place_turns, begin, c) != side:
                    continue
                for k in range(begin + 1, end + 1):
                    if place_holder(places, start, place_turns, k, c) != side:
                        kept = False
                        break
            out[e] = 1.0 if kept else 0.0
        elif kind == ROUNDS:
            out[e] = rounds[end, side] - rounds[begin, side]
        elif kind == WORKS:
            first_works = works[0, side]
            out[e] = 1.0 - works[end, side] / first_works if first_works > 0 else 0.0
        elif kind == FELL_BACK:
            total = 0
            for u in range(units):
                now = positions[end, u]
                if not masks[e, u] or now < 0 or now == aux:
                    continue
                if first_routed.shape[0] > 0 and 0 <= first_routed[u] <= end:
                    continue  # routed by then
                for k in range(end + 1):
                    if positions[k, u] == aux:
                        total += ledger[end, _MEN, u]
                        break
            out[e] = float(total)


_read = resolved(read_metrics)
