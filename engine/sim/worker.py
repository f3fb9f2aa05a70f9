"""Playing a chunk of battles, in whatever process runs it (this one, a pool worker, a Dask
worker). A chunk is a `ChunkTask`: one arm's scenario text and overrides, and a range of battle
indexes. The result is a pyarrow Table of rows that depend on nothing but the task, so the same
task gives the same rows anywhere.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ..core.events import GameEnded
from ..headless import Battles
from ..kernels.jit import kernel, resolved
from ..metric_plan import plan_values
from ..scenario.loader import load_scenario_text
from ..scenario.models import Scenario
from .aimodes import Modes, by_index
from .results import curve_groups, schema_for
from .seeds import battle_seeds
from .versions import rules_version

FAULT_ENV = "WARGAME_SIM_FAULT"  # fault injection for the tests; see docs/batch.md


@dataclass(frozen=True)
class ChunkTask:
    arm: str
    label: str
    variant: str
    variant_file: str
    variant_hash: str
    overrides: tuple[tuple[str, float], ...]
    scenario: str
    scenario_hash: str
    run_scenario: str
    run_scenario_hash: str
    ai: Modes  # each side's computer player mode
    ai_replay: Modes  # the modes that differ from run_scenario's own: --ai for the replay
    rules_version: str  # what the submitting machine expects (the worker computes its own)
    text: str  # the text of run_scenario: what the workers load
    batch_seed: int
    first: int  # battle indexes first..last, both included
    last: int
    posterior: str = ""  # --posterior: the file's text; each battle draws its coefficients

    def battle_overrides(self, seed: int) -> dict[str, float]:
        """The arm's overrides, and with a posterior the battle's own draw from it (by seed)."""
        if not self.posterior:
            return dict(self.overrides)
        return {**dict(self.overrides), **_posterior(self.posterior).draw(seed)}

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def replay_command(self, seed: int) -> str:
        words = ["wargame", "run", self.run_scenario, "--seed", str(seed)]
        return shlex.join(words + self._replay_options(self.battle_overrides(seed)))

    def replay_commands(self, seeds: Sequence[int]) -> list[str]:
        """`replay_command` of each seed. Without a posterior every battle of the arm has the
        same options, so the words around the seed are quoted once (a seed's digits need no
        quoting: the text is the same)."""
        if self.posterior:
            return [self.replay_command(seed) for seed in seeds]
        head = shlex.join(["wargame", "run", self.run_scenario, "--seed"])
        options = self._replay_options(dict(self.overrides))
        tail = " " + shlex.join(options) if options else ""
        return [f"{head} {seed}{tail}" for seed in seeds]

    def _replay_options(self, overrides: dict[str, float]) -> list[str]:
        words = []
        for name, value in sorted(overrides.items()):
            words += ["--set", f"rules.{name}={value!r}"]  # exact: reads back as the same float
        for side, mode in self.ai_replay:
            words += ["--ai", f"{side}={mode}"]
        return words


class BattleFailed(RuntimeError):
    """A battle of a chunk raised: says which one, so the replay offered is that battle's."""

    def __init__(self, index: int, seed: int, message: str):
        super().__init__(index, seed, message)
        self.index, self.seed, self.message = index, seed, message

    def __str__(self) -> str:
        return f"battle {self.index} (seed {self.seed}): {self.message}"


@lru_cache(maxsize=4)
def _posterior(text: str):
    from ..fit.posterior import parse_posterior

    return parse_posterior(text, "--posterior")


@lru_cache(maxsize=8)
def _load(text: str, filename: str) -> Scenario:
    from ..rules.coefficients import coefficient_names

    return load_scenario_text(text, filename, coefficient_names=coefficient_names()).scenario


def _maybe_fail(task: ChunkTask, done_in_chunk: int, index: int, fault: str) -> None:
    """Inject the fault `fault` (the chunk's `FAULT_ENV`) if it names this battle."""
    if fault == f"worker-exit-at:{index}":
        os._exit(3)  # a battle that kills its worker every time
    if fault == f"raise-at:{index}":
        raise RuntimeError("injected fault")
    if fault.startswith("worker-exit-times:") and done_in_chunk == 1:
        times, folder = fault.split(":", 2)[1:]
        for k in range(int(times)):  # the first N chunks to get here each lose their worker
            try:
                fd = os.open(os.path.join(folder, f"death-{k}"), os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                continue
            os.close(fd)
            os._exit(3)
    if fault.startswith("worker-exit-once:") and done_in_chunk == 1:
        marker = fault.split(":", 1)[1]
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(3)  # a worker dying mid-chunk, as a crash or the OOM killer would


class _Battle:
    """Keeps how `play` ended (the GameEnded event, the one event a batch's game reports)."""

    __slots__ = ("ended",)

    def __init__(self):
        self.ended: GameEnded | None = None

    def __call__(self, state, events) -> None:
        for event in events:
            if isinstance(event, GameEnded):
                self.ended = event


def men_on_the_field(state) -> np.ndarray:
    """Each side's men on the field at the end of every turn played (sides x turns), read off
    the ledgers: the men of the units in the fight, those with a hex in `position_rows` (arrived,
    not gone, on the map; a unit arrived and not gone always stands on a hex, as the scenario
    checks place every unit that does not arrive later). The figures the turn's end tells in
    TurnEnded (`rules.turn.turn_tally`), which a batch's game does not build."""
    turns = state.ledger_turns
    men = state.ledger_rows[1:turns, 0]  # after each turn played (row 0: the start)
    in_fight = state.position_rows[1:turns] >= 0
    sides = state.units.side
    return np.array(
        [np.where(in_fight & (sides == s), men, 0).sum(axis=1) for s in range(len(state.side_ids))]
    )


class _Layout:
    """What the rows of a scenario's battles need that is the same in every battle: the columns,
    the history's metrics, the sides, the men-by-turn curves, and which units each of these
    counts (every game of a scenario has the same units in the same order). Made once per
    scenario and process, not once a battle."""

    def __init__(self, scenario: Scenario):
        self.schema = schema_for(scenario)
        # each metric column's entry: its place in the history (`plan_values`' order), the last
        # of its id as a dict by id kept it
        where = {entry.id: number for number, entry in enumerate(scenario.history)}
        self.history_ids = list(where)
        self.history_places = list(where.values())
        self.sides = [side.id for side in scenario.sides]
        self.groups = curve_groups(scenario)
        self.arriving = sorted({unit for r in scenario.reinforcements for unit in r.units})
        self.turns = scenario.clock.turns
        self._masks: tuple[tuple, list[np.ndarray | None], np.ndarray] | None = None
        self._weights: tuple[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def masks(self, state) -> tuple[list[np.ndarray], np.ndarray]:
        """(each curve group's units, the units on the map at the start) of this game."""
        ids = state.units.ids
        if self._masks is None or self._masks[0] != ids:
            named = np.array(ids)
            groups = [np.isin(named, g["units"]) if g["units"] else None for g in self.groups]
            at_start = ~np.isin(named, self.arriving) if self.arriving else np.ones(len(ids), bool)
            self._masks = (ids, groups, at_start)
        _, groups, at_start = self._masks
        sides = state.units.side
        return [
            mask if mask is not None else sides == state.side_index(group["side"])
            for mask, group in zip(groups, self.groups, strict=True)
        ], at_start

    def counted(self, state) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What `men_by_turn` reads of the units: (each one's side, whether it is on the map at
        the start, each curve group's units as rows), kept while the units are the same."""
        key = (state.units.ids, state.units.side.tobytes(), state.side_ids)
        if self._weights is None or self._weights[0] != key:
            group_masks, at_start = self.masks(state)
            groups = np.zeros((len(self.groups), state.units.count), np.bool_)
            for row, mask in enumerate(group_masks):
                groups[row] = mask
            self._weights = (key, (state.units.side.copy(), at_start.astype(np.bool_), groups))
        return self._weights[1]


def _men_by_turn_arrays(ledger, positions, turns, sides, at_start, groups, out, row):
    """`men_by_turn` with numpy, where the process does not compile: the sums
    `men_on_the_field` makes, and each curve group's men at the start and each turn's end."""
    side_count = out.shape[1] - groups.shape[0]
    men = ledger[:turns, 0]
    in_fight = positions[1:turns] >= 0
    for s in range(side_count):
        out[row, s] = men[0][(sides == s) & at_start].sum()
        out[row + 1 : row + turns, s] = np.where(in_fight & (sides == s), men[1:], 0).sum(axis=1)
    for g in range(groups.shape[0]):
        out[row : row + turns, side_count + g] = men[:, groups[g]].sum(axis=1)


@kernel(interpreted=_men_by_turn_arrays, borrows=True)
def men_by_turn(ledger, positions, turns, sides, at_start, groups, out, row):
    """A battle's rows of the men columns, into `out` from row `row` (one a snapshot: the start,
    then each turn's end; `turns` of them): first each side's men (at the start those on the
    map, then those in the fight, as `men_on_the_field` counts them), then each curve group's
    (all its units' men). The ledgers' men are row 0. Sums of int64, as numpy's. Why a kernel:
    the batch makes these after every battle, when the battle has left the caches cold and each
    numpy call costs several times what it does in a loop of them."""
    side_count = out.shape[1] - groups.shape[0]
    for t in range(turns):
        r = row + t
        for c in range(out.shape[1]):
            out[r, c] = 0
        for u in range(sides.shape[0]):
            men = ledger[t, 0, u]
            s = sides[u]
            counted = at_start[u] if t == 0 else positions[t, u] >= 0
            if counted and s < side_count:
                out[r, s] += men
            for g in range(groups.shape[0]):
                if groups[g, u]:
                    out[r, side_count + g] += men


_men_rows = resolved(men_by_turn)


def battle_men_rows(state) -> np.ndarray:
    """One battle's rows of the men columns (`men_by_turn`), as `run_chunk` writes them: for
    `wargame warm`, which compiles the kernel with the batch's arguments."""
    layout = _Layout(state.scenario)
    columns = len(layout.sides) + len(layout.groups)
    rows = np.empty((state.ledger_turns, columns), np.int64)
    counted = layout.counted(state)
    _men_rows(state.ledger_rows, state.position_rows, state.ledger_turns, *counted, rows, 0)
    return rows


@lru_cache(maxsize=8)
def _layout(text: str, filename: str) -> _Layout:
    return _Layout(_load(text, filename))


# The columns are made from numpy buffers, not by `pa.array`: its first call imports pandas (to
# ask whether the values are a pandas object), 0.14 s of CPU in every worker process, for nothing.


def _buffer(values: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.ascontiguousarray(values))


def _validity(present: np.ndarray) -> pa.Buffer | None:
    """Arrow's validity bitmap (a bit a value, least significant first), None when all are."""
    return None if present.all() else _buffer(np.packbits(present, bitorder="little"))


_NUMPY_TYPES = {pa.int32(): np.int32, pa.int64(): np.int64, pa.float64(): np.float64}


def _numbers(values: list, kind: pa.DataType) -> pa.Array:
    """A column of numbers (None: a null), as `pa.array(values, kind)` makes it."""
    present = np.array([value is not None for value in values], bool)
    data = np.array([0 if value is None else value for value in values], _NUMPY_TYPES[kind])
    return pa.Array.from_buffers(kind, len(values), [_validity(present), _buffer(data)])


def _texts(values: list) -> pa.Array:
    """A column of strings (None: a null), as `pa.array(values, pa.string())` makes it."""
    if values and values[0] is not None and values.count(values[0]) == len(values):
        return _same_texts(values[0], len(values))
    present = np.array([value is not None for value in values], bool)
    encoded = [b"" if value is None else value.encode("utf-8") for value in values]
    offsets = np.zeros(len(values) + 1, np.int32)
    np.cumsum([len(text) for text in encoded], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(),
        len(values),
        [_validity(present), _buffer(offsets), pa.py_buffer(b"".join(encoded))],
    )


def _same_texts(text: str, count: int) -> pa.Array:
    """`_texts` of `count` times `text` (most of a chunk's columns: its arm's, scenario's...),
    without encoding it `count` times."""
    encoded = text.encode("utf-8")
    offsets = np.arange(count + 1, dtype=np.int32) * np.int32(len(encoded))
    return pa.Array.from_buffers(
        pa.string(), count, [None, _buffer(offsets), pa.py_buffer(encoded * count)]
    )


def _float_lists(rows: list[np.ndarray], kind: pa.DataType) -> pa.Array:
    """A list column from one array of numbers a row: the numbers as Python floats made them
    (float64, then the column's float32), offsets counted, no Python list a row."""
    offsets = np.zeros(len(rows) + 1, np.int32)
    np.cumsum([len(row) for row in rows], out=offsets[1:])
    return _float_list_column(np.concatenate(rows), offsets, kind)


def _float_list_column(numbers: np.ndarray, offsets: np.ndarray, kind: pa.DataType) -> pa.Array:
    """A list column of `numbers`, row i being numbers[offsets[i]:offsets[i + 1]] (`offsets`
    int32, one more than the rows), as `_float_lists` makes it."""
    values = numbers.astype(np.float64).astype(np.float32)
    items = pa.Array.from_buffers(kind.value_type, len(values), [None, _buffer(values)])
    return pa.ListArray.from_arrays(
        pa.Array.from_buffers(pa.int32(), len(offsets), [None, _buffer(offsets)]),
        items,
        type=kind,
    )


def _column(values: list, kind: pa.DataType) -> pa.Array:
    if pa.types.is_string(kind):
        return _texts(values)
    return _numbers(values, kind)


def run_chunk(task: ChunkTask) -> pa.Table:
    """Play battles task.first..task.last of the task's arm; one row each. The rows are kept
    column by column; what every row of the chunk shares is written once at the end."""
    scenario = _load(task.text, task.run_scenario)
    layout = _layout(task.text, task.run_scenario)
    overrides = dict(task.overrides)
    overrides_text = json.dumps(overrides, sort_keys=True)
    ai_modes = by_index(task.ai, scenario)
    modes = dict(task.ai)
    version = rules_version(scenario.rules, overrides)  # of this worker's engine
    count = task.count
    indexes = list(range(task.first, task.last + 1))
    seeds = battle_seeds(task.batch_seed, indexes)  # battle_seed's, made together
    fault = os.environ.get(FAULT_ENV, "")  # the tests' injected faults, read once a chunk
    each_overrides: list[str] = []
    turns: list[int] = []
    winners: list[str | None] = []
    ended: list[str] = []
    end_reasons: list[str] = []
    metric_rows: list[list[float | None]] = []
    # every battle's men by turn (the start, then each turn's end), one after another: a column
    # each side (`men.<side>`), then each curve group; room for every snapshot of the scenario
    men_table = np.empty(
        (count * (layout.turns + 1), len(layout.sides) + len(layout.groups)), np.int64
    )
    lengths: list[int] = []
    row = 0  # the next battle's first row in men_table
    battles = Battles()  # each battle's game the one before it started again, where it can
    for n, (index, seed) in enumerate(zip(indexes, seeds, strict=True)):
        battle = _Battle()
        if task.posterior:  # this battle's coefficients: the arm's and its draw (the rules
            # version stays the arm's: the engine that plays them, checked against the plan)
            overrides = task.battle_overrides(seed)
            overrides_text = json.dumps(overrides, sort_keys=True)
        try:
            if fault:
                _maybe_fail(task, n, index, fault)
            # (played quietly: the rows read each turn's end and the game's, no more)
            record = battles.play(
                scenario,
                seed,
                overrides=overrides or None,
                ai_modes=ai_modes or None,
                on_turn=battle,
            )
        except Exception as error:  # a bug in the rules: name the battle, not the chunk
            raise BattleFailed(index, seed, f"{type(error).__name__}: {error}") from error
        state = record.state
        each_overrides.append(overrides_text)
        turns.append(int(state.turn))
        winners.append(state.winner)
        ended.append("time up" if state.turn >= layout.turns else "one side gone")
        end_reasons.append(battle.ended.reason if battle.ended else "")
        metric_rows.append(plan_values(state))
        recorded = state.ledger_turns
        if row + recorded > len(men_table):  # a game past the scenario's turns
            men_table = np.concatenate((men_table, np.empty_like(men_table)))
        _men_rows(
            state.ledger_rows, state.position_rows, recorded, *layout.counted(state), men_table, row
        )
        lengths.append(recorded)
        row += recorded
    fixed = {
        "arm": [task.arm] * count,
        "label": [task.label] * count,
        "variant": [task.variant] * count,
        "variant_file": [task.variant_file] * count,
        "variant_hash": [task.variant_hash] * count,
        "overrides": each_overrides,
        "rules_version": [version] * count,
        "scenario": [task.scenario] * count,
        "scenario_hash": [task.scenario_hash] * count,
        "run_scenario": [task.run_scenario] * count,
        "run_scenario_hash": [task.run_scenario_hash] * count,
        "batch_seed": [task.batch_seed] * count,
        "index": indexes,
        "seed": seeds,
        "turns": turns,
        "winner": winners,
        "ended": ended,
        "end_reason": end_reasons,
        "replay": task.replay_commands(seeds),
    }
    for side_id in layout.sides:
        fixed[f"ai.{side_id}"] = [modes.get(side_id, "")] * count
    for entry_id, place in zip(layout.history_ids, layout.history_places, strict=True):
        fixed[f"metric.{entry_id}"] = [row[place] for row in metric_rows]
    # the men by turn, a column of numbers each, cut into rows
    offsets = np.zeros(count + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    lists = {
        f"men.{side_id}": men_table[: offsets[-1], s] for s, side_id in enumerate(layout.sides)
    }
    for g, group in enumerate(layout.groups):
        lists[group["column"]] = men_table[: offsets[-1], len(layout.sides) + g]
    schema = layout.schema
    arrays = [
        _float_list_column(lists[field.name], offsets, field.type)
        if field.name in lists
        else _column(fixed[field.name], field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
