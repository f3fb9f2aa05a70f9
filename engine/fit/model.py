"""The fit set and the model: what a fit compares, and the games that give the simulated side.

The fit set (docs/fit.md, "The fit set") is a mapping of summary statistics to observed values:
- by default the reference bench's CDB90 figures on an evenly spread sample of its battles
  (the same battles, builder and loss counting as `wargame reference`): by defender posture
  (hasty, prepared, fortified; a posture with fewer than MIN_BATTLES battles in the sample is
  left out) the median over battles of the attacker's and the defender's casualties per day
  (% of starting men) and of the loss-exchange ratio, and the attackers' share of wins below
  and from a force ratio of 1.5;
- plus every history metric of a `--scenario` file marked `use: fit` (a number: the mean over
  the games against history's value or midpoint; anything else: the share of games agreeing,
  against 1). Metrics are `use: holdout` unless the file says otherwise, and a held-out metric
  is refused, with its place in the file.

The model plays those battles with a particle's coefficients as overrides (`with_overrides`,
the one place a fit changes the rules) and returns the same statistics. Each particle plays
`seeds` seeds per battle starting at a seed derived from its coefficients, so one particle's
games are replayable from its values alone, and two particles do not share their dice.
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..reference.data import CDB90_FILE, Battle, load_battles
from ..reference.stats import loss_exchange_ratio, loss_rate_per_day
from ..scenario.errors import did_you_mean
from ..scenario.models import HistoryEntry, Scenario
from ..sim.seeds import keyed_seeds
from .priors import FitInputError

POSTURES = ("hasty", "prepared", "fortified")  # delay plays as hasty today (docs/reference.md)
MIN_BATTLES = 3
RATIO_SPLIT = 1.5
# The first part of a fit target scenario's seed path (`keyed_seed(particle, SCENARIO_SEEDS,
# number, replicate)`): three parts long, so never a CDB90 battle's (isqno, replicate).
SCENARIO_SEEDS = 0


@dataclass(frozen=True)
class ScenarioTarget:
    """A scenario's metrics marked `use: fit`, with the scenario's text for the workers."""

    path: str
    text: str
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class FitSet:
    battles: tuple[Battle, ...] = ()
    scenarios: tuple[ScenarioTarget, ...] = ()
    seeds: int = 1
    observed: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        parts = []
        if self.battles:
            parts.append(f"{len(self.battles)} CDB90 battles x {self.seeds} seed(s)")
        for target in self.scenarios:
            parts.append(f"{Path(target.path).name}: {', '.join(target.metrics)}")
        return "; ".join(parts)


def with_overrides(
    base: Mapping[str, float] | None, values: Mapping[str, float]
) -> dict[str, float]:
    """The coefficient overrides a game of a fit plays with: the run's own (`--set`) and the
    particle's, the particle's winning. The engine checks each against its allowed range when the
    game starts (engine.rules.coefficients), so a particle outside it fails loudly, never
    silently."""
    return {**(base or {}), **{name: float(value) for name, value in values.items()}}


def _spread_sample(battles: Sequence[Battle], count: int | None) -> list[Battle]:
    from ..reference.bench import sample

    return sample(battles, count)


def _reference_stats(
    battles: Sequence[Battle], losses: Mapping[int, Sequence[tuple[float, float, float]]]
) -> dict[str, float]:
    """The reference statistics of `battles` given each battle's (attacker losses, defender
    losses, attacker won) per game; the record passes one tuple per battle."""
    stats: dict[str, float] = {}
    for posture in POSTURES:
        group = [b for b in battles if b.posture == posture]
        if len(group) < MIN_BATTLES:
            continue
        att, dfd, ler = [], [], []
        for b in group:
            games = losses[b.isqno]
            att.append(
                np.median(
                    [loss_rate_per_day(a, b.attacker_men, b.duration_days) for a, _, _ in games]
                )
            )
            dfd.append(
                np.median(
                    [loss_rate_per_day(d, b.defender_men, b.duration_days) for _, d, _ in games]
                )
            )
            ler.append(np.median([min(loss_exchange_ratio(a, d), 10.0) for a, d, _ in games]))
        stats[f"attacker_pct_day.{posture}"] = 100 * float(np.median(att))
        stats[f"defender_pct_day.{posture}"] = 100 * float(np.median(dfd))
        stats[f"exchange_ratio.{posture}"] = float(np.median(ler))
    for name, keep in (
        (f"attacker_wins.below_{RATIO_SPLIT:g}", lambda b: b.force_ratio < RATIO_SPLIT),
        (f"attacker_wins.from_{RATIO_SPLIT:g}", lambda b: b.force_ratio >= RATIO_SPLIT),
    ):
        group = [b for b in battles if keep(b)]
        if group:
            stats[name] = float(
                np.mean([np.mean([w for _, _, w in losses[b.isqno]]) for b in group])
            )
    return stats


def record_stats(battles: Sequence[Battle]) -> dict[str, float]:
    """The observed side: the record of the same battles (a win is CDB90's `wina` = 1)."""
    return _reference_stats(
        battles,
        {
            b.isqno: [(b.attacker_losses, b.defender_losses, float(b.attacker_won == 1))]
            for b in battles
        },
    )


def _historical(entry: HistoryEntry, scenario: Scenario) -> float | None:
    from ..calibration import _historical as value

    return None if entry.metric.value == "winner" else value(entry, scenario)


def scenario_targets(
    paths: Sequence[str], metrics: Sequence[str] = ()
) -> tuple[list[ScenarioTarget], dict[str, float]]:
    """Each scenario's metrics to fit (those marked `use: fit`, or the ones named in `metrics`,
    which must be marked so) and their observed values. FitInputError, located, for a held-out
    metric named, a name no scenario has, or a scenario with nothing to fit."""
    from ..rules.coefficients import coefficient_names
    from ..scenario.errors import ScenarioError
    from ..scenario.loader import load_scenario

    targets, observed, problems = [], {}, []
    named = set(metrics)
    seen: set[str] = set()
    for path in paths:
        try:
            loaded = load_scenario(path, coefficient_names=coefficient_names())
        except ScenarioError as error:
            raise FitInputError(error.problems) from None
        scenario = loaded.scenario
        chosen = []
        for index, entry in enumerate(scenario.history):
            wanted = entry.id in named if named else entry.use == "fit"
            seen.add(entry.id)
            if not wanted:
                continue
            if entry.use != "fit":
                problems.append(
                    str(
                        loaded.source.problem(
                            ("history", index, "id"),
                            f"history metric '{entry.id}' is held out (use: holdout, the default):"
                            " wargame fit does not fit it; mark it `use: fit` to put it in the fit"
                            " set, and it no longer tests the fitted rules",
                        )
                    )
                )
                continue
            chosen.append(entry.id)
            historical = _historical(entry, scenario)
            observed[f"{scenario.id}.{entry.id}"] = 1.0 if historical is None else historical
        if not chosen and not named:
            problems.append(
                f"{path}: no history metric is marked `use: fit` (every metric is held out"
                " unless the file says `use: fit`)"
            )
        if chosen:
            text = Path(path).read_text(encoding="utf-8")
            targets.append(ScenarioTarget(str(path), text, tuple(chosen)))
    for name in named - seen:
        problems.append(
            f"--metric {name}: no scenario given has this history metric{did_you_mean(name, seen)}"
        )
    if problems:
        raise FitInputError(problems)
    return targets, observed


def build_fit_set(
    *,
    reference: bool = True,
    battles: int | None = 24,
    seeds: int = 1,
    scenarios: Sequence[str] = (),
    metrics: Sequence[str] = (),
    data: Path | None = None,
) -> FitSet:
    """The fit set a `wargame fit` run compares against; FitInputError when it is empty."""
    chosen: list[Battle] = []
    observed: dict[str, float] = {}
    if reference:
        chosen = _spread_sample(load_battles(data or CDB90_FILE), battles)
        observed |= record_stats(chosen)
    targets, scenario_observed = scenario_targets(scenarios, metrics) if scenarios else ([], {})
    if metrics and not scenarios:
        raise FitInputError(["--metric: name the scenario that holds it with --scenario FILE"])
    observed |= scenario_observed
    if not observed:
        raise FitInputError(
            [
                "the fit set has no metrics: keep the reference battles (drop --no-reference), or"
                " give --scenario FILE with history metrics marked `use: fit`"
            ]
        )
    return FitSet(tuple(chosen), tuple(targets), seeds, observed)


# ------------------------------------------------------------------------------------ the model


@lru_cache(maxsize=512)
def _scenario(text: str, name: str) -> Scenario:
    from ..rules.coefficients import coefficient_names
    from ..scenario.loader import load_scenario_text

    return load_scenario_text(text, name, coefficient_names=coefficient_names()).scenario


@lru_cache(maxsize=512)
def _battle_text(battle: Battle) -> str:
    from ..reference.builder import scenario_text

    return scenario_text(battle)


def particle_seed(values: Mapping[str, float]) -> int:
    """The first seed of a particle's games: a hash of its coefficients (sorted by name), so the
    same values always play the same games."""
    digest = hashlib.sha256()
    for name in sorted(values):
        digest.update(name.encode() + struct.pack("<d", float(values[name])))
    return int.from_bytes(digest.digest()[:4], "little")


def simulate(
    fit_set: FitSet, values: Mapping[str, float], base: Mapping[str, float] | None = None
) -> dict[str, float]:
    """The fit set's statistics from games played with these coefficients."""
    from ..headless import Battles
    from ..history import as_number, inside, measure

    battles = Battles()  # (each battle's game the one before it started again, where it can)

    overrides = with_overrides(base, values)
    first = particle_seed(values)
    losses: dict[int, list[tuple[float, float, float]]] = {}
    for battle in fit_set.battles:
        scenario = _scenario(_battle_text(battle), f"<cdb90:{battle.isqno}>")
        games = []
        # each battle its own seeds (keyed_seed): battles must not share their dice
        for seed in keyed_seeds(first, fit_set.seeds, battle.isqno):
            state = battles.play(scenario, seed, overrides=overrides).state
            u = state.units
            lost = u.killed + u.wounded + u.captured + u.drowned
            games.append(
                (
                    float(lost[u.side == 0].sum()),
                    float(lost[u.side == 1].sum()),
                    float(state.winner == "attacker"),
                )
            )
        losses[battle.isqno] = games
    stats = _reference_stats(fit_set.battles, losses) if fit_set.battles else {}
    for number, target in enumerate(fit_set.scenarios):
        scenario = _scenario(target.text, target.path)
        seeds = keyed_seeds(first, fit_set.seeds, SCENARIO_SEEDS, number)
        entries = [e for e in scenario.history if e.id in target.metrics]
        numbers: dict[str, list[float]] = {e.id: [] for e in entries}
        for seed in seeds:
            state = battles.play(scenario, seed, overrides=overrides).state
            for entry in entries:
                value = measure(state, entry)
                if _historical(entry, scenario) is None:
                    numbers[entry.id].append(float(bool(inside(entry, value))))
                else:
                    number = as_number(entry, value, scenario.clock.start)
                    numbers[entry.id].append(math.nan if number is None else number)
        for entry in entries:
            finite = [v for v in numbers[entry.id] if math.isfinite(v)]
            stats[f"{scenario.id}.{entry.id}"] = float(np.mean(finite)) if finite else math.nan
    return stats


class Model:
    """The callable pyabc evaluates: coefficients in, statistics out. A plain class (not a
    closure) so the multicore and Dask samplers can pickle it."""

    def __init__(self, fit_set: FitSet, base: Mapping[str, float] | None = None) -> None:
        self.fit_set = fit_set
        self.base = dict(base or {})
        self.owner = os.getpid()  # the command's process; pyabc's workers are others
        # Parse every scenario once here: pyabc's multicore sampler forks fresh workers each
        # generation, and a fork inherits these caches instead of parsing them again.
        for battle in fit_set.battles:
            _scenario(_battle_text(battle), f"<cdb90:{battle.isqno}>")
        for target in fit_set.scenarios:
            _scenario(target.text, target.path)

    def __call__(self, parameters: Mapping[str, Any]) -> dict[str, float]:
        values = {name: float(parameters[name]) for name in parameters}
        try:
            stats = simulate(self.fit_set, values, self.base)
        except KeyboardInterrupt:
            if os.getpid() == self.owner:
                raise  # the command says where the finished generations are
            os._exit(130)  # Ctrl-C reaches pyabc's workers too: leave quietly, no traceback
        # a statistic the games could not give (no game reached a time metric): far off, not NaN
        return {k: (v if math.isfinite(v) else 1e6) for k, v in stats.items()}
