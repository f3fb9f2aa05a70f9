"""Playing a chunk of battles, in whatever process runs it (this one, a pool worker, a Dask
worker). A chunk is a `ChunkTask`: one arm's scenario text and overrides, and a range of battle
indexes. The result is a pyarrow Table of rows that depend on nothing but the task, so the same
task gives the same rows anywhere.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ..core.events import GameEnded
from ..headless import play
from ..history import metric_values
from ..scenario.loader import load_scenario_text
from ..scenario.models import Scenario
from .aimodes import Modes, by_index
from .results import curve_groups, schema_for
from .seeds import battle_seed
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
        for name, value in sorted(self.battle_overrides(seed).items()):
            words += ["--set", f"rules.{name}={value!r}"]  # exact: reads back as the same float
        for side, mode in self.ai_replay:
            words += ["--ai", f"{side}={mode}"]
        return shlex.join(words)


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


def _maybe_fail(task: ChunkTask, done_in_chunk: int, index: int) -> None:
    fault = os.environ.get(FAULT_ENV, "")
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


def run_chunk(task: ChunkTask) -> pa.Table:
    """Play battles task.first..task.last of the task's arm; one row each."""
    scenario = _load(task.text, task.run_scenario)
    schema = schema_for(scenario)
    overrides = dict(task.overrides)
    overrides_text = json.dumps(overrides, sort_keys=True)
    history_ids = [entry.id for entry in scenario.history]
    sides = [side.id for side in scenario.sides]
    groups = curve_groups(scenario)
    arriving = {unit for r in scenario.reinforcements for unit in r.units}
    ai_modes = by_index(task.ai, scenario)
    modes = dict(task.ai)
    version = rules_version(scenario.rules, overrides)  # of this worker's engine
    columns: dict[str, list] = {field.name: [] for field in schema}
    for n, index in enumerate(range(task.first, task.last + 1)):
        seed = battle_seed(task.batch_seed, index)
        battle = _Battle()
        if task.posterior:  # this battle's coefficients: the arm's and its draw (the rules
            # version stays the arm's: the engine that plays them, checked against the plan)
            overrides = task.battle_overrides(seed)
            overrides_text = json.dumps(overrides, sort_keys=True)
        try:
            _maybe_fail(task, n, index)
            record = play(
                scenario,
                seed,
                overrides=overrides or None,
                ai_modes=ai_modes or None,
                keep_events=False,
                detail_events=False,  # the rows read each turn's end and the game's, no more
                on_turn=battle,
            )
        except Exception as error:  # a bug in the rules: name the battle, not the chunk
            raise BattleFailed(index, seed, f"{type(error).__name__}: {error}") from error
        state = record.state
        values = metric_values(state)
        ids = np.array(state.units.ids)
        start_men = state.ledger[0][0]
        on_map_at_start = ~np.isin(ids, list(arriving)) if arriving else np.ones(len(ids), bool)
        row = {
            "arm": task.arm,
            "label": task.label,
            "variant": task.variant,
            "variant_file": task.variant_file,
            "variant_hash": task.variant_hash,
            "overrides": overrides_text,
            "rules_version": version,
            "scenario": task.scenario,
            "scenario_hash": task.scenario_hash,
            "run_scenario": task.run_scenario,
            "run_scenario_hash": task.run_scenario_hash,
            "batch_seed": task.batch_seed,
            "index": index,
            "seed": seed,
            "turns": int(state.turn),
            "winner": state.winner,
            "ended": "time up" if state.turn >= scenario.clock.turns else "one side gone",
            "end_reason": battle.ended.reason if battle.ended else "",
            "replay": task.replay_command(seed),
        }
        for entry_id in history_ids:
            row[f"metric.{entry_id}"] = values.get(entry_id)
        for side_id in sides:
            row[f"ai.{side_id}"] = modes.get(side_id, "")
        by_turn = men_on_the_field(state).tolist()
        for s, side_id in enumerate(sides):
            first = float(start_men[(state.units.side == s) & on_map_at_start].sum())
            row[f"men.{side_id}"] = [first, *map(float, by_turn[s])]
        for group in groups:
            if group["units"]:
                mask = np.isin(ids, group["units"])
            else:
                mask = state.units.side == state.side_index(group["side"])
            row[group["column"]] = [float(snapshot[0][mask].sum()) for snapshot in state.ledger]
        for name, column in columns.items():
            column.append(row[name])
    return pa.Table.from_pydict(columns, schema=schema)
