"""The metrics of a finished game, and their comparison with the scenario's historical record.

Each `history` entry of a scenario names a metric, what it measures (side, units, place, window)
and the historical value; `measure` computes the same metric from a game, so the two can be set
side by side in the CLI, the window and the batch report. An entry marked `echo` only repeats an
input (a plan's allotment of rounds): it is shown as "input, not a test" and never counted as
agreement. tests/test_history_metrics.py builds, for every metric, a small battle where the event
happens and one where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np

from .core.state import LEDGER_ROWS, GameState
from .kernels.jit import kernel, resolved
from .scenario.models import HistoryEntry, Metric

_ROW = {name: i for i, name in enumerate(LEDGER_ROWS)}
_MEN = _ROW["men"]  # a constant the kernels read
_LOSS_ROWS = [_ROW[n] for n in ("killed", "wounded", "captured", "drowned")]
_WATER_ROWS = [_ROW[n] for n in ("drowned", "hit_in_water")]

Value = float | bool | str | datetime | None


@dataclass(frozen=True)
class Comparison:
    entry: HistoryEntry
    game: Value
    historical: str
    inside: bool | None  # None when it cannot be judged (e.g. the event never happened)

    @property
    def game_text(self) -> str:
        return format_value(self.game)

    @property
    def echo(self) -> bool:
        """The metric only repeats an input: shown, never counted as agreement."""
        return self.entry.echo

    @property
    def counts(self) -> bool:
        """Whether this comparison counts towards the agreement with history."""
        return not self.entry.echo

    @property
    def mark(self) -> str:
        """✓ agrees, ✗ does not, ? cannot be judged, 'input' for a metric that repeats one."""
        if self.entry.echo:
            return "input"
        return {True: "✓", False: "✗", None: "?"}[self.inside]


def agreement(rows: list[Comparison]) -> tuple[int, int, int]:
    """(metrics agreeing, metrics that count, metrics that only repeat an input)."""
    tested = [r for r in rows if r.counts]
    return sum(bool(r.inside) for r in tested), len(tested), len(rows) - len(tested)


ECHO_TEXT = "input, not a test"


def format_value(value: Value) -> str:
    if value is None:
        return "never"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%d %b %H:%M")
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 and value != int(value) else f"{value:,.0f}"
    return str(value)


def _snapshot_index(state: GameState, moment: datetime | None) -> int:
    last = state.ledger_turns - 1
    if moment is None:
        return last
    return int(min(max(state.turn_of(moment), 0), last))


def _mask(state: GameState, entry: HistoryEntry) -> np.ndarray:
    """The units an entry measures. Read only: the mask of named units is kept per scenario."""
    u = state.units
    if entry.units:
        return _named_units(u.ids, tuple(entry.units))
    return u.side == state.side_index(entry.side) if entry.side else np.ones(u.count, bool)


@lru_cache(maxsize=256)
def _named_units(ids: tuple[str, ...], named: tuple[str, ...]) -> np.ndarray:
    """Which of the units `ids` are `named`, kept: every game of a scenario has the same units
    in the same order, and a batch measures each of its games (`np.isin` of the names, made
    anew, was a tenth of a Furong battle's metrics). Read only, as it is shared."""
    mask = np.isin(np.array(ids), named)
    mask.setflags(write=False)
    return mask


def measure(state: GameState, entry: HistoryEntry) -> Value:
    """The value of one history metric in this game."""
    metric = entry.metric
    if metric == Metric.winner:
        return state.winner
    end = _snapshot_index(state, entry.at)
    begin = _snapshot_index(state, entry.since) if entry.since else 0
    side = state.side_index(entry.side) if entry.side else None
    if metric == Metric.position_held:
        return _holder(state, entry.place, end) == side
    if metric == Metric.position_lost:
        # lost: the side held the place when the window opened and does not at its end (a place
        # the side never held was not lost; one lost and retaken within the window was not)
        return (
            _holder(state, entry.place, begin) == side and _holder(state, entry.place, end) != side
        )
    if metric == Metric.attack_repelled:
        return _attack_repelled(state, entry, side, begin, end)
    if metric == Metric.place_fell_at:
        for turn, holder in enumerate(state.place_timeline.get(entry.place, [])):
            if holder != side:
                return state.time_at(turn + 1)
        return None
    if metric == Metric.crossed_by:
        river = state.board.river_ids.index(entry.place)
        turn = state.crossed_turn.get((side, river))
        return state.time_at(turn + 1) if turn is not None else None
    if metric == Metric.assaults_repelled:
        first = begin
        return float(
            sum(
                1
                for turn, defender, outcome in state.assaults
                if defender == side and outcome == "repelled" and first <= turn < end
            )
        )
    if metric == Metric.rounds_fired:
        return float(state.rounds_rows[end][side] - state.rounds_rows[begin][side])
    if metric == Metric.works_destroyed_fraction:
        start = state.works_rows[0][side]
        return float(1.0 - state.works_rows[end][side] / start) if start > 0 else 0.0
    mask = _mask(state, entry)
    now, before = state.ledger_rows[end], state.ledger_rows[begin]
    if metric == Metric.men_remaining:
        return float(now[_ROW["men"]][mask].sum())
    if metric == Metric.men_lost:
        return float((now[_LOSS_ROWS] - before[_LOSS_ROWS])[:, mask].sum())
    if metric == Metric.got_back_across:
        return _got_back_across(state, entry, mask, begin, end)
    if metric == Metric.men_surrounded:
        return _men_surrounded(state, mask, begin if entry.since else end, end)
    if metric == Metric.fell_back:
        return _fell_back(state, entry, mask, end)
    if metric == Metric.lost_in_water:  # drowned, or killed or wounded while in the water
        return float((now[_WATER_ROWS] - before[_WATER_ROWS])[:, mask].sum())
    row = {
        Metric.killed: "killed",
        Metric.wounded: "wounded",
        Metric.captured: "captured",
        Metric.drowned: "drowned",
        Metric.escaped: "escaped",
        Metric.officers_killed: "officers_killed",
    }[metric]
    return float((now[_ROW[row]] - before[_ROW[row]])[mask].sum())


def _holder(state: GameState, place: str | None, snapshot: int) -> int | None:
    """The side holding `place` at snapshot `snapshot` (0: the start; k: after turn k): read in
    the places' record itself (`place_timeline` makes a place's whole record a call)."""
    column = state.board.place_index.get(place) if place else None
    turns = state.place_turns
    if snapshot >= 1 and turns and column is not None:
        return int(state.place_history[min(snapshot, turns) - 1, column])
    return state.place_start.get(place) if place else None


def _attack_repelled(
    state: GameState, entry: HistoryEntry, side: int | None, begin: int, end: int
) -> bool:
    """Whether the side beat off the attack of the window (turns `since`..`at`): it was
    assaulted at least once, no assault on it took a hex, and it lost none of the places it held
    when the window opened, not even for a turn (with `place`: that place alone). An attack
    repelled once that then takes the position, by a second assault or by walking into a hex
    its broken defenders left, was not repelled: counting repulses alone would call it so."""
    outcomes = [
        o for turn, defender, o in state.assaults if defender == side and begin <= turn < end
    ]
    if not outcomes or "taken" in outcomes:
        return False
    places = [entry.place] if entry.place else list(state.board.places)
    for place in places:
        if _holder(state, place, begin) != side:
            continue
        if any(_holder(state, place, k) != side for k in range(begin + 1, end + 1)):
            return False
    return True


def _got_back_across(
    state: GameState, entry: HistoryEntry, mask: np.ndarray, begin: int, end: int
) -> float:
    """Men of the measured units who got back across river `place` in the window: those of a
    unit that stood away from its side's rear, across the river, at `since` and stands on the
    rear's bank at `at` (in the fight both times, on dry ground: a unit in the water at either
    moment does not count), plus the men of those units counted escaped in the window (who left
    the map, or slipped out of a ring). The seed's "escaped" of a beaten force is men who got
    back across the river it had crossed to attack; a rear on the map keeps them on it."""
    bank = state.board.banks(state.board.river_ids.index(entry.place))
    home = bank[np.array(state.rears)[state.units.side]]  # each unit's side's rear bank
    then, now = state.position_rows[begin], state.position_rows[end]
    units = np.flatnonzero(mask & (then >= 0) & (now >= 0) & (home >= 0))
    bank_then, bank_now = bank[then[units]], bank[now[units]]
    back = units[(bank_then >= 0) & (bank_then != home[units]) & (bank_now == home[units])]
    men, escaped = state.ledger_rows[end][_ROW["men"]], _ROW["escaped"]
    counted_escaped = state.ledger_rows[end][escaped] - state.ledger_rows[begin][escaped]
    return float(men[back].sum() + counted_escaped[mask].sum())


def _men_surrounded(state: GameState, mask: np.ndarray, begin: int, end: int) -> float:
    """The most men of the measured units cut off at any turn end from `begin` to `end`: a unit
    is cut off when no way leads from its hex to its side's rear except through hexes held by
    the enemy or next to them (the enemy's zone: where men moving out would be stopped). Only
    the enemy's units in the fight with men count; impassable hexes block. Counting men still
    alive alone (`men_remaining`) says nothing of a ring."""
    board = state.board
    cells = board.width * board.height
    return men_cut_off_arrays(
        board.neighbor_table,
        board.passable,
        np.array(state.rears, np.int64),
        state.units.side,
        mask,
        state.position_rows,
        state.ledger_rows,
        begin,
        end,
        np.empty(cells, np.bool_),
        np.empty(cells, np.bool_),
        np.empty(cells, np.int64),
    )


@kernel(borrows=True)
def reachable_from(neighbor_table, start, blocked, seen, stack):
    """Marks in `seen` (all False on entry) the hexes reachable from `start` through hexes not
    `blocked` (none if it is blocked itself), `stack` room for every hex; returns how many.
    A kernel: the batch asks it for every turn end a `men_surrounded` metric spans, a walk over
    the whole board each time (about 1 ms a battle of Furong in Python)."""
    if blocked[start]:
        return 0
    seen[start] = True
    stack[0] = start
    top = 1
    count = 1
    while top > 0:
        top -= 1
        h = stack[top]
        for m in range(neighbor_table.shape[1]):
            n = neighbor_table[h, m]
            if n >= 0 and not seen[n] and not blocked[n]:
                seen[n] = True
                stack[top] = n
                top += 1
                count += 1
    return count


_reachable = resolved(reachable_from)


def men_cut_off_arrays(
    neighbor_table: np.ndarray,
    passable: np.ndarray,
    rears: np.ndarray,
    sides: np.ndarray,
    mask: np.ndarray,
    positions: np.ndarray,
    ledger: np.ndarray,
    begin: int,
    end: int,
    blocked: np.ndarray,
    seen: np.ndarray,
    stack: np.ndarray,
) -> float:
    """`_men_surrounded` on the game's arrays (each side's rear hex in `rears`, the units' hexes
    and ledgers turn by turn in `positions` and `ledger`; `blocked`, `seen` and `stack` room for
    every hex, their contents overwritten), with numpy: what `measure` reads, and what the
    kernel `most_men_cut_off` stands for where the process does not compile."""
    best = 0.0
    for k in range(begin, end + 1):
        where = positions[k]
        men = ledger[k][_MEN]
        present = (where >= 0) & (men > 0)
        total = 0.0
        for side in (0, 1):
            measured = np.flatnonzero(mask & present & (sides == side))
            if not len(measured) or side >= len(rears) or rears[side] < 0:
                continue
            # the enemy's hexes and their neighbours (the table's -1: no neighbour there)
            enemy = where[present & (sides != side)]
            around = neighbor_table[enemy].ravel()
            blocked[:] = ~passable
            blocked[enemy] = True
            blocked[around[around >= 0]] = True
            seen[:] = False
            _reachable(neighbor_table, rears[side], blocked, seen, stack)
            # out through a free neighbour (a unit's own hex may lie in the enemy's zone)
            hexes = where[measured]
            next_to = neighbor_table[hexes]
            free = seen[hexes] | (seen[next_to] & (next_to >= 0)).any(axis=1)
            for i in measured[~free].tolist():
                total += float(men[i])
        best = max(best, total)
    return best


@kernel(interpreted=men_cut_off_arrays, borrows=True)
def most_men_cut_off(
    neighbor_table,
    passable,
    rears,
    sides,
    mask,
    positions,
    ledger,
    begin,
    end,
    blocked,
    seen,
    stack,
):
    """`men_cut_off_arrays` compiled: the men of the units of `mask` cut off from their side's
    rear, the most at any turn end `begin`..`end`. Why a kernel: the batch measures it for every
    battle (Furong's `second_bn_surrounded`), a walk over the board each turn and side, and the
    numpy calls around each walk were a quarter of a battle's metrics and rows."""
    units = sides.shape[0]
    cells = passable.shape[0]
    ways = neighbor_table.shape[1]
    best = 0.0
    for k in range(begin, end + 1):
        total = 0.0
        for side in range(2):
            if side >= rears.shape[0] or rears[side] < 0:
                continue
            measured = False
            for i in range(units):
                if mask[i] and sides[i] == side and positions[k, i] >= 0 and ledger[k, _MEN, i] > 0:
                    measured = True
                    break
            if not measured:
                continue
            for h in range(cells):
                blocked[h] = not passable[h]
                seen[h] = False
            for i in range(units):  # the enemy's hexes and their neighbours
                h = positions[k, i]
                if sides[i] != side and h >= 0 and ledger[k, _MEN, i] > 0:
                    blocked[h] = True
                    for m in range(ways):
                        n = neighbor_table[h, m]
                        if n >= 0:
                            blocked[n] = True
            reachable_from(neighbor_table, rears[side], blocked, seen, stack)
            for i in range(units):
                h = positions[k, i]
                if not (mask[i] and sides[i] == side and h >= 0 and ledger[k, _MEN, i] > 0):
                    continue
                free = seen[h]
                for m in range(ways):
                    n = neighbor_table[h, m]
                    if n >= 0 and seen[n]:
                        free = True
                if not free:
                    total += float(ledger[k, _MEN, i])
        if total > best:
            best = total
    return best


def _fell_back(state: GameState, entry: HistoryEntry, mask: np.ndarray, end: int) -> float:
    """Men of the measured units that stood at `place` at some turn end before `at` and at `at`
    stand in the fight elsewhere without ever having routed: men who left the position alive
    and in hand. Men who broke and fled, were killed or captured there, or are still in it do
    not count (`men_remaining` counted all of these but the dead)."""
    place = state.board.resolve(entry.place)
    positions = state.position_rows[: end + 1]  # turn ends x units
    was_there = (positions == place).any(axis=0)
    now = positions[end]
    first = state.first_routed
    never_routed = (first < 0) | (first > end) if len(first) else np.ones(len(now), bool)
    away = (now >= 0) & (now != place)
    men = state.ledger_rows[end][_ROW["men"]]
    return float(men[mask & was_there & away & never_routed].sum())


def historical_text(entry: HistoryEntry) -> str:
    if entry.range is not None:
        return f"{format_value(entry.range.min)}–{format_value(entry.range.max)}"
    if entry.time_range is not None:
        return f"{format_value(entry.time_range.earliest)}–{format_value(entry.time_range.latest)}"
    return format_value(entry.value)


def inside(entry: HistoryEntry, value: Value) -> bool | None:
    """Whether the game's value agrees with the historical one."""
    if entry.time_range is not None:
        if value is None or not isinstance(value, datetime):
            return False
        return entry.time_range.earliest <= value <= entry.time_range.latest
    if entry.range is not None:
        if value is None:
            return None
        return entry.range.min <= float(value) <= entry.range.max
    if isinstance(entry.value, bool) or isinstance(value, bool):
        return bool(value) == bool(entry.value)
    if isinstance(entry.value, str):
        return value == entry.value
    if entry.value is None or value is None:
        return None
    return float(value) == float(entry.value)


def compare(state: GameState) -> list[Comparison]:
    return [
        Comparison(
            entry, value := measure(state, entry), historical_text(entry), inside(entry, value)
        )
        for entry in state.scenario.history
    ]


def as_number(entry: HistoryEntry, value: Value, start: datetime) -> float | None:
    """A metric's value as a number: times as hours from `start`, yes/no as 1/0, a side as 1
    when it is history's; None when the event never happened."""
    if isinstance(value, datetime):
        return (value - start).total_seconds() / 3600.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return float(value == entry.value) if isinstance(entry.value, str) else None
    return None if value is None else float(value)


def metric_values(state: GameState) -> dict[str, float | None]:
    """Every history metric as a number (times as hours from the start), for batch rows."""
    start = state.scenario.clock.start
    return {
        entry.id: as_number(entry, measure(state, entry), start) for entry in state.scenario.history
    }
