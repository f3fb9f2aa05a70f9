"""Which rule coefficients a battle's result hinges on: Morris screening over every coefficient,
then Sobol indices on the few that matter, with SALib (docs/sensitivity.md).

Why two stages: Sobol indices (first and total order, with confidence intervals) are the answer
people want, but they cost N x (k + 2) model runs for k coefficients, and a run here is a batch of
battles. Morris screening costs r x (k + 1) runs for all 89 coefficients and ranks them well
enough to keep the top ten, on which Sobol is affordable. A one-at-a-time tornado (each of the
top coefficients at the low and the high end of its range, the rest at their values) then says
in the game's own units how far each one moves the result.

The model is the batch machinery itself (engine/sim: `make_plan`, `ChunkTask`, the executors):
a point of the design is one batch arm whose `--set rules.NAME=V` overrides are the point's
coefficient values, and it plays battles 0..games-1 of the batch seed. Every point plays the same
seeds (common random numbers), so two points differ by their coefficients, not by their dice, and
every battle can be replayed with the `wargame run ... --seed S --set ...` its row names. The
SALib samplers and analysers are seeded too: the same command gives the same figures.

Nothing SALib does is written again here: sampling, elementary effects, Sobol estimators and
their bootstrap intervals are SALib's. This module only chooses ranges, runs the battles and
writes the figures down.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_atomic
from ..rules.coefficients import CoefficientInfo, defaults
from ..scenario.errors import did_you_mean
from .priors import FitInputError, Prior, load_priors

INSTALL_HINT = "pip install -e '.[fit]'"
SENSITIVITY_FILE = "sensitivity.json"
FORMAT = 1
DEFAULT_SPREAD = 0.3  # the issue's own example: one coefficient moved by 30 %
TOP = 10  # coefficients kept for Sobol after screening
# The tornado's 1 + 2K points each play this many times --games (battles 0..4N-1, the design's
# N first among them): its figures are read one by one, in the game's units, so they are worth
# the noise a few hundred more battles take out; beside the design's thousands it costs little.
TORNADO_GAMES_FACTOR = 4
# A metric with one and the same value at this share of the screened points or more is reported
# as steady: the few points that differ are more likely dice than a coefficient's effect.
STEADY_SHARE = 0.95


class SensitivityError(ValueError):
    """Bad input for a sensitivity run: the message says what and where, for people."""


class MissingExtra(RuntimeError):
    """SALib is not installed: the optional extra `fit` brings it."""


def need_salib() -> None:
    """Raise MissingExtra with the one line to print when SALib cannot be imported."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise MissingExtra(
            f"wargame sensitivity needs SALib, in the optional extra 'fit': {INSTALL_HINT}"
        ) from None


# ----------------------------------------------------------------------------- ranges


@dataclass(frozen=True)
class Range:
    """The values a coefficient takes in the design: `low`..`high` around `value`."""

    name: str
    value: float  # the battle's own value (the scenario's `rules:`, else coefficients.yaml)
    low: float
    high: float
    whole: bool = False  # a count: each sampled value is rounded before it is played
    # where low..high comes from: "prior" (coefficients.yaml's `prior:`), "spread" (value x
    # (1 ± spread)) or "range" (--range); sensitivity.json and .md say it beside each range
    source: str = "spread"

    def play_value(self, x: float) -> float:
        """The value a battle is played with for the sampled `x` (counts are rounded)."""
        return float(round(x)) if self.whole else float(x)


def _clip(info: CoefficientInfo, low: float, high: float) -> tuple[float, float]:
    """`low`..`high` inside what the coefficient may be (coefficients.yaml's bounds): from 0 up
    to its `max`. (A relative range of a value above 0 never reaches 0, so `above_zero` holds.)"""
    low = max(low, 0.0)
    if info.max is not None:
        high = min(high, info.max)
    return low, high


def prior_range(prior: Prior, value: float) -> tuple[float, float]:
    """The range a declared prior gives: its support for uniform and loguniform, its 5-95 %
    quantiles for a lognormal (whose tail has no end). Why the prior rather than ±spread: it says
    how far the coefficient is uncertain, coefficient by coefficient, with a reason, where a
    spread says the same 30 % for every one. Widened to take in `value` (a scenario's own value
    outside the prior), so the tornado's baseline is inside every range it draws."""
    if prior.distribution == "lognormal":
        low, high = prior.quantile(0.05), prior.quantile(0.95)
    else:
        low, high = prior.low, prior.high
    return min(low, value), max(high, value)


def coefficient_ranges(
    scenario_rules: Mapping[str, float] | None = None,
    names: Sequence[str] | None = None,
    *,
    spread: float = DEFAULT_SPREAD,
    explicit: Mapping[str, tuple[float, float]] | None = None,
    priors: Mapping[str, Prior] | None = None,
) -> tuple[list[Range], list[str]]:
    """Each coefficient's range: `explicit`'s when it names one (checked against the bounds
    coefficients.yaml gives it: `above_zero`, `max`), else its prior's when it declares a
    `prior:` in coefficients.yaml (`prior_range`; `priors` defaults to coefficients.yaml's), else
    its value times 1 - spread .. 1 + spread kept inside those bounds. Returns (ranges, names left
    out, each with why): a coefficient whose value is 0 has no relative range, and one whose range
    shrinks to a point (a count rounded) is fixed.
    """
    table = defaults()
    if priors is None:
        try:
            priors = load_priors()
        except FitInputError as error:
            raise SensitivityError(str(error)) from None
    own = dict(scenario_rules or {})
    explicit = dict(explicit or {})
    chosen = list(names) if names is not None else list(table)
    chosen += [name for name in explicit if name not in chosen]  # a --range adds its coefficient
    for name in [*chosen, *explicit]:
        if name not in table:
            raise SensitivityError(f"unknown rule coefficient '{name}'{did_you_mean(name, table)}")
    if not 0 < spread < 1:
        raise SensitivityError(f"--spread {spread:g}: expected a share between 0 and 1, e.g. 0.3")
    ranges: list[Range] = []
    left_out: list[str] = []
    for name in chosen:
        info = table[name]
        value = float(own.get(name, info.value))
        if name in explicit:
            low, high = explicit[name]
            for end in (low, high):
                problem = info.problem(end)
                if problem:
                    raise SensitivityError(f"--range {name}={low:g}:{high:g}: {name} {problem}")
            if not low < high:
                raise SensitivityError(
                    f"--range {name}={low:g}:{high:g}: expected LOW < HIGH, e.g. {name}="
                    f"{value * 0.5:g}:{value * 1.5:g}"
                )
            source = "range"
        elif name in priors:
            low, high = prior_range(priors[name], value)
            source = "prior"
        elif value == 0:
            left_out.append(f"{name} (its value is 0: no range relative to it; give --range)")
            continue
        else:
            low, high = _clip(info, value * (1 - spread), value * (1 + spread))
            source = "spread"
        if info.whole and round(low) == round(high):
            left_out.append(f"{name} (a count: {low:g}..{high:g} rounds to one value)")
            continue
        ranges.append(Range(name, value, float(low), float(high), info.whole, source))
    if not ranges:
        raise SensitivityError("no coefficient left to vary (see --coefficients and --range)")
    return ranges, left_out


def parse_range(text: str) -> tuple[str, tuple[float, float]]:
    """`[rules.]NAME=LOW:HIGH` from the command line."""
    head, sep, body = text.partition("=")
    name = head.strip().removeprefix("rules.")
    low_text, colon, high_text = body.partition(":")
    try:
        if not sep or not colon:
            raise ValueError
        return name, (float(low_text), float(high_text))
    except ValueError:
        raise SensitivityError(
            f"--range {text}: expected NAME=LOW:HIGH, e.g. melee_rate=0.002:0.004"
        ) from None


def problem_of(ranges: Sequence[Range]) -> dict[str, Any]:
    """The SALib problem: one variable per coefficient, uniform over its range."""
    return {
        "num_vars": len(ranges),
        "names": [r.name for r in ranges],
        "bounds": [[r.low, r.high] for r in ranges],
    }


# ----------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Metric:
    """A figure of a batch of battles that a design point yields.

    `win.SIDE`: the share of battles SIDE won. `win`: the same for history's winner (the
    scenario's `winner` metric), or for the first side when history names none. Any other name
    is a history metric's id: its mean over the battles where it has a value (times in hours from
    the start, yes/no as 1/0)."""

    name: str
    column: str  # "winner" or "metric.ID"
    side: str | None = None

    @property
    def label(self) -> str:
        return f"share of battles {self.side} wins" if self.side else f"mean of {self.name}"

    def value(self, table) -> float:
        """This metric over a point's rows (a pyarrow Table of batch rows)."""
        column = table.column(self.column).to_pylist()
        if self.side is not None:
            return sum(winner == self.side for winner in column) / max(1, len(column))
        numbers = [float(v) for v in column if v is not None and not math.isnan(float(v))]
        return float(np.mean(numbers)) if numbers else float("nan")


def parse_metrics(text: str, scenario) -> list[Metric]:
    """`--metric win,win.ija,furong_held` against the scenario: unknown names get the list of
    those it has and a "did you mean"."""
    sides = [side.id for side in scenario.sides]
    history = {entry.id: entry for entry in scenario.history}
    winner = next(
        (str(e.value) for e in scenario.history if e.metric.value == "winner" and e.value),
        sides[0],
    )
    allowed = ["win", *(f"win.{s}" for s in sides), *history]
    metrics: list[Metric] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        if name == "win":
            metrics.append(Metric(f"win.{winner}", "winner", winner))
        elif name.startswith("win.") and name[4:] in sides:
            metrics.append(Metric(name, "winner", name[4:]))
        elif name in history:
            metrics.append(Metric(name, f"metric.{name}"))
        else:
            raise SensitivityError(
                f"--metric {text}: unknown metric '{name}'{did_you_mean(name, allowed)}"
                f" (this scenario has: {', '.join(allowed)})"
            )
    if not metrics:
        raise SensitivityError(f"--metric {text!r}: expected at least one name, e.g. win")
    unique = list({m.name: m for m in metrics}.values())
    return unique


# ----------------------------------------------------------------------------- the analyses

Model = Callable[[np.ndarray], np.ndarray]  # points (n, k) -> outputs (n, m)


@dataclass
class MorrisResult:
    names: list[str]
    mu_star: np.ndarray  # (m, k): mean absolute elementary effect, per output and coefficient
    mu_star_conf: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    points: np.ndarray
    outputs: np.ndarray
    skipped: list[str] = field(default_factory=list)  # outputs with NaN points: not analysed

    def ranking(self) -> list[str]:
        """Coefficients by influence: each output's μ* divided by its largest (so outputs on
        different scales count alike), the largest share over the outputs, highest first."""
        found = np.nan_to_num(self.mu_star, nan=0.0)
        peak = found.max(axis=1, keepdims=True)
        score = (found / np.where(peak > 0, peak, 1.0)).max(axis=0)
        order = np.argsort(-score, kind="stable")
        return [self.names[i] for i in order]


def morris_screen(
    model: Model,
    problem: dict[str, Any],
    *,
    trajectories: int = 4,
    levels: int = 4,
    seed: int = 0,
) -> MorrisResult:
    """Morris elementary effects (SALib): `trajectories` x (k + 1) points."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    points = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    outputs = np.atleast_2d(np.asarray(model(points), dtype=float).T).T
    k, m = problem["num_vars"], outputs.shape[1]
    shape = (m, k)
    mu_star, conf, mu, sigma = (np.full(shape, np.nan) for _ in range(4))
    skipped = []
    for j in range(m):
        y = outputs[:, j]
        if not np.all(np.isfinite(y)):
            skipped.append(j)
            continue
        found = analyze.analyze(
            problem, points, y, num_levels=levels, seed=seed, print_to_console=False
        )
        mu_star[j] = np.asarray(found["mu_star"], dtype=float)
        conf[j] = np.asarray(found["mu_star_conf"], dtype=float)
        mu[j] = np.asarray(found["mu"], dtype=float)
        sigma[j] = np.asarray(found["sigma"], dtype=float)
    return MorrisResult(
        list(problem["names"]), mu_star, conf, mu, sigma, points, outputs, [str(j) for j in skipped]
    )


@dataclass
class SobolResult:
    names: list[str]
    S1: np.ndarray  # (m, k) first order
    S1_conf: np.ndarray  # half-width of the confidence interval (95 %)
    ST: np.ndarray  # total order
    ST_conf: np.ndarray
    points: np.ndarray
    outputs: np.ndarray


def sobol_indices(
    model: Model, problem: dict[str, Any], *, base: int = 32, seed: int = 0
) -> SobolResult:
    """First and total order Sobol indices (SALib's Saltelli/Jansen estimators, bootstrap 95 %
    intervals) from `base` x (k + 2) points; `base` is rounded up to a power of two, as the
    Sobol sequence needs."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    base = 1 << max(1, math.ceil(math.log2(max(2, base))))
    points = sample.sample(problem, base, calc_second_order=False, seed=seed)
    outputs = np.atleast_2d(np.asarray(model(points), dtype=float).T).T
    k, m = problem["num_vars"], outputs.shape[1]
    s1, s1c, st, stc = (np.full((m, k), np.nan) for _ in range(4))
    for j in range(m):
        y = outputs[:, j]
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue  # an output that never moves has no variance to share out
        # a Generator, not the int: SALib's sobol.analyze tests `if seed:`, so a seed of 0 would
        # leave its bootstrap on numpy's global, unseeded generator (intervals differing per run)
        found = analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            seed=np.random.default_rng(seed),
            print_to_console=False,
        )
        s1[j], s1c[j] = found["S1"], found["S1_conf"]
        st[j], stc[j] = found["ST"], found["ST_conf"]
    return SobolResult(list(problem["names"]), s1, s1c, st, stc, points, outputs)


def one_at_a_time(
    model: Model, ranges: Sequence[Range], names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tornado's figures: the outputs with every coefficient at its value (baseline), then
    with each of `names` at its low end and at its high end alone. Returns (baseline (m,),
    low (m, len(names)), high (m, len(names)))."""
    index = {r.name: i for i, r in enumerate(ranges)}
    centre = np.array([r.value for r in ranges])
    rows = [centre]
    for name in names:
        for end in ("low", "high"):
            point = centre.copy()
            point[index[name]] = getattr(ranges[index[name]], end)
            rows.append(point)
    outputs = np.atleast_2d(np.asarray(model(np.array(rows)), dtype=float).T).T
    return outputs[0], outputs[1::2].T, outputs[2::2].T


# ----------------------------------------------------------------------------- the battles


class BattleModel:
    """A design point as a batch arm: its coefficient values as rule overrides, battles
    0..games-1 of the batch seed (the same seeds at every point), played by the batch's
    executor. Calling it with points (n, k) gives the metrics (n, m)."""

    def __init__(
        self,
        scenario_path: str,
        ranges: Sequence[Range],
        metrics: Sequence[Metric],
        *,
        games: int,
        batch_seed: int = 0,
        executor=None,
        out: Path | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        sets: Sequence[str] = (),
        ai: Sequence[str] = (),
    ) -> None:
        from ..sim.executors import Executor
        from ..sim.plan import make_plan

        # a batch's own --set and --ai apply at every point, as they do to its arms
        self.plan = make_plan(
            scenario_path, Path(out or "."), games=games, batch_seed=batch_seed, sets=sets, ai=ai
        )
        self.arm = self.plan.arms[0]
        self.base_task = self.plan.task(self.arm, 0, games - 1)
        self.ranges = list(ranges)
        self.metrics = list(metrics)
        self.games = games
        self.executor = executor or Executor()
        self.on_progress = on_progress
        self.battles = 0  # played so far
        self.points = 0
        self.seconds = 0.0

    def overrides(self, point: Iterable[float]) -> tuple[tuple[str, float], ...]:
        values = dict(self.arm.overrides)
        for r, x in zip(self.ranges, point, strict=True):
            values[r.name] = r.play_value(float(x))
        return tuple(sorted(values.items()))

    def tasks(self, points: np.ndarray) -> list:
        from ..sim.versions import rules_version

        rules = self.plan.scenario.rules
        tasks = []
        for i, point in enumerate(points):
            overrides = self.overrides(point)
            tasks.append(
                replace(
                    self.base_task,
                    arm=f"point-{self.points + i}",
                    label=f"sensitivity point {self.points + i}",
                    overrides=overrides,
                    rules_version=rules_version(rules, dict(overrides)),
                )
            )
        return tasks

    def __call__(self, points: np.ndarray) -> np.ndarray:
        points = np.atleast_2d(points)
        tasks = self.tasks(points)
        order = {task.arm: i for i, task in enumerate(tasks)}
        outputs = np.full((len(points), len(self.metrics)), np.nan)
        total = len(points) * self.games
        done = 0
        started = time.perf_counter()
        for task, table in self.executor.run(tasks):
            row = order[task.arm]
            outputs[row] = [metric.value(table) for metric in self.metrics]
            done += table.num_rows
            if self.on_progress is not None:
                self.on_progress(done, total)
        self.seconds += time.perf_counter() - started
        self.battles += done
        self.points += len(points)
        return outputs

    def replay_command(self, point: Iterable[float], index: int = 0) -> str:
        """The command that replays battle `index` of a point."""
        from ..sim.seeds import battle_seed

        task = replace(self.base_task, overrides=self.overrides(point))
        return task.replay_command(battle_seed(self.plan.batch_seed, index))


# ----------------------------------------------------------------------------- a whole run


@dataclass
class SensitivityRun:
    """Everything a run found, as written to sensitivity.json (docs/sensitivity.md)."""

    scenario: str
    metrics: list[Metric]
    ranges: list[Range]
    left_out: list[str]
    games: int
    seed: int
    morris: MorrisResult
    sobol: SobolResult | None
    top: list[str]
    baseline: np.ndarray
    low: np.ndarray
    high: np.ndarray
    battles: int
    seconds: float
    command: str = ""
    rules_version: str = ""
    replay: str = ""  # the command replaying battle 0 of the baseline point; others alike
    stages: dict[str, float] = field(default_factory=dict)

    def range_of(self, name: str) -> Range:
        return next(r for r in self.ranges if r.name == name)

    def hinges_on(self, metric: int = 0, count: int = 3) -> list[dict[str, Any]]:
        """The coefficients the result hinges on most, for one metric: by Sobol's total index
        when Sobol ran, else by Morris μ*; with the low/high outcomes of the tornado."""
        rows = []
        for j, name in enumerate(self.top):
            r = self.range_of(name)
            item = {
                "name": name,
                "low": r.low,
                "high": r.high,
                "value": r.value,
                "at_low": _num(self.low[metric, j]),
                "at_high": _num(self.high[metric, j]),
                "mu_star": _num(self.morris.mu_star[metric, self.morris.names.index(name)]),
            }
            if self.sobol is not None:
                k = self.sobol.names.index(name)
                item |= {
                    "S1": _num(self.sobol.S1[metric, k]),
                    "S1_conf": _num(self.sobol.S1_conf[metric, k]),
                    "ST": _num(self.sobol.ST[metric, k]),
                    "ST_conf": _num(self.sobol.ST_conf[metric, k]),
                }
            rows.append(item)
        key = "ST" if self.sobol is not None else "mu_star"
        rows.sort(key=lambda item: -(item.get(key) or 0.0))
        return rows[:count]

    def headline(self, metric: int = 0) -> str:
        """One sentence for a report: what the metric hinges on, with the figures."""
        x = self.metrics[metric]
        seen = self.morris.outputs[:, metric]
        if np.all(np.isfinite(seen)) and np.ptp(seen) == 0:
            return (
                f"The {x.label} was {_fmt(seen[0])} at every one of the {len(seen)} points"
                " screened: within these ranges it hinges on no coefficient."
            )
        parts = []
        for item in self.hinges_on(metric):
            if not (item.get("ST") or item.get("mu_star")):
                continue  # no effect found: not something the result hinges on
            index = (
                f"total Sobol index {item['ST']:.2f} ± {item['ST_conf']:.2f}"
                if item.get("ST") is not None
                else f"Morris μ* {item['mu_star'] or 0:.3g}"
            )
            parts.append(
                f"{item['name']} ({index}; {_fmt(item['at_low'])} at {item['low']:.3g},"
                f" {_fmt(item['at_high'])} at {item['high']:.3g})"
            )
        if not parts:
            return f"No coefficient was found to move the {x.label}."
        values, counts = np.unique(seen[np.isfinite(seen)], return_counts=True)
        if counts.size and counts.max() >= STEADY_SHARE * len(seen):
            # moved at a few points only: those few say more about the dice than the rules
            return (
                f"The {x.label} was {_fmt(values[counts.argmax()])} at {counts.max()} of the"
                f" {len(seen)} points screened: within these ranges it hardly hinges on any"
                f" coefficient (what moved it at all: {'; '.join(parts)})."
            )
        return (
            f"The {x.label} ({_fmt(self.baseline[metric])} with every coefficient at its value)"
            f" hinges most on {'; then '.join(parts)}."
        )

    def as_dict(self) -> dict[str, Any]:
        m = self.morris
        data: dict[str, Any] = {
            "format": FORMAT,
            "scenario": self.scenario,
            "command": self.command,
            "rules_version": self.rules_version,
            "replay": self.replay,
            "games_per_point": self.games,
            "tornado_games_per_point": self.games * TORNADO_GAMES_FACTOR,
            "seed": self.seed,
            "battles": self.battles,
            "seconds": round(self.seconds, 1),
            "stages": {k: round(v, 1) for k, v in self.stages.items()},
            "metrics": [{"name": x.name, "label": x.label} for x in self.metrics],
            "ranges": [
                {
                    "name": r.name,
                    "value": r.value,
                    "low": r.low,
                    "high": r.high,
                    "whole": r.whole,
                    "source": r.source,
                }
                for r in self.ranges
            ],
            "left_out": self.left_out,
            "morris": {
                "points": len(m.points),
                "by_metric": {
                    x.name: [
                        {
                            "name": name,
                            "mu_star": _num(m.mu_star[j, i]),
                            "mu_star_conf": _num(m.mu_star_conf[j, i]),
                            "mu": _num(m.mu[j, i]),
                            "sigma": _num(m.sigma[j, i]),
                        }
                        for i, name in sorted(
                            enumerate(m.names), key=lambda p: -np.nan_to_num(m.mu_star[j, p[0]])
                        )
                    ]
                    for j, x in enumerate(self.metrics)
                },
            },
            "top": self.top,
            "tornado": {
                x.name: {
                    "baseline": _num(self.baseline[j]),
                    "coefficients": [
                        {
                            "name": name,
                            "low": self.range_of(name).low,
                            "high": self.range_of(name).high,
                            "at_low": _num(self.low[j, i]),
                            "at_high": _num(self.high[j, i]),
                        }
                        for i, name in enumerate(self.top)
                    ],
                }
                for j, x in enumerate(self.metrics)
            },
            "hinges_on": {x.name: self.hinges_on(j) for j, x in enumerate(self.metrics)},
            "headline": {x.name: self.headline(j) for j, x in enumerate(self.metrics)},
        }
        if self.sobol is not None:
            s = self.sobol
            data["sobol"] = {
                "points": len(s.points),
                "by_metric": {
                    x.name: [
                        {
                            "name": name,
                            "S1": _num(s.S1[j, i]),
                            "S1_conf": _num(s.S1_conf[j, i]),
                            "ST": _num(s.ST[j, i]),
                            "ST_conf": _num(s.ST_conf[j, i]),
                        }
                        for i, name in enumerate(s.names)
                    ]
                    for j, x in enumerate(self.metrics)
                },
            }
        return data


def _num(value: float) -> float | None:
    """A float for JSON: NaN (not computable) as null."""
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def run_sensitivity(
    scenario_path: str,
    metrics_text: str = "win",
    *,
    games: int = 8,
    seed: int = 0,
    coefficients: Sequence[str] | None = None,
    spread: float = DEFAULT_SPREAD,
    explicit: Mapping[str, tuple[float, float]] | None = None,
    trajectories: int = 4,
    sobol_base: int = 32,
    top: int = TOP,
    executor=None,
    out: Path | None = None,
    on_stage: Callable[[str, int], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
    sets: Sequence[str] = (),
    ai: Sequence[str] = (),
) -> SensitivityRun | None:
    """Morris over `coefficients` (all by default), Sobol on the `top` (0: no Sobol), then the
    tornado. Raises SensitivityError, ScenarioError or PlanError for bad input before any battle
    is played; `dry_run` stops there (None), for a command to check its input before it starts
    its workers. `sets` and `ai` are a batch's `--set` and `--ai`: every point plays with them,
    and a coefficient they set is varied around the value they give it."""
    need_salib()
    if games < 1 or trajectories < 2:
        raise SensitivityError("--games must be >= 1 and --trajectories >= 2")
    model = BattleModel(
        scenario_path,
        [],
        [],
        games=games,
        batch_seed=seed,
        executor=executor,
        out=out,
        on_progress=on_progress,
        sets=sets,
        ai=ai,
    )
    scenario = model.plan.scenario
    metrics = parse_metrics(metrics_text, scenario)
    ranges, left_out = coefficient_ranges(
        {**scenario.rules, **dict(model.arm.overrides)},
        coefficients,
        spread=spread,
        explicit=explicit,
    )
    model.ranges, model.metrics = ranges, metrics
    if dry_run:
        return None
    stages: dict[str, float] = {}
    started = time.perf_counter()
    problem = problem_of(ranges)
    if on_stage:
        on_stage("morris", trajectories * (len(ranges) + 1))
    morris = morris_screen(model, problem, trajectories=trajectories, seed=seed)
    stages["morris"] = time.perf_counter() - started
    chosen = morris.ranking()[: max(1, min(top, len(ranges)))] if top else morris.ranking()[:TOP]
    sobol = None
    if top and len(chosen) >= 2:
        mark = time.perf_counter()
        kept = [r for r in ranges if r.name in chosen]
        kept.sort(key=lambda r: chosen.index(r.name))
        sub = SubModel(model, ranges, kept)
        if on_stage:
            base = 1 << max(1, math.ceil(math.log2(max(2, sobol_base))))
            on_stage("sobol", base * (len(kept) + 2))
        sobol = sobol_indices(sub, problem_of(kept), base=sobol_base, seed=seed)
        stages["sobol"] = time.perf_counter() - mark
    mark = time.perf_counter()
    if on_stage:
        on_stage("tornado", 1 + 2 * len(chosen))
    wide = BattleModel(
        scenario_path,
        ranges,
        metrics,
        games=games * TORNADO_GAMES_FACTOR,
        batch_seed=seed,
        executor=executor,
        out=out,
        on_progress=on_progress,
        sets=sets,
        ai=ai,
    )
    baseline, low, high = one_at_a_time(wide, ranges, chosen)
    stages["tornado"] = time.perf_counter() - mark
    if out is not None:
        # the copy of the scenario the replay commands name, as a batch writes it
        write_atomic(model.arm.run_scenario, model.arm.text)
    return SensitivityRun(
        scenario=scenario_path,
        metrics=metrics,
        ranges=ranges,
        left_out=left_out,
        games=games,
        seed=seed,
        morris=morris,
        sobol=sobol,
        top=chosen,
        baseline=baseline,
        low=low,
        high=high,
        battles=model.battles + wide.battles,
        seconds=time.perf_counter() - started,
        stages=stages,
        replay=model.replay_command([r.value for r in ranges], 0),
    )


class SubModel:
    """The model over a few of the coefficients, the others at their values."""

    def __init__(self, model: Model, ranges: Sequence[Range], kept: Sequence[Range]) -> None:
        self.model = model
        self.centre = np.array([r.value for r in ranges])
        where = {r.name: i for i, r in enumerate(ranges)}
        self.columns = [where[r.name] for r in kept]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        full = np.tile(self.centre, (len(points), 1))
        full[:, self.columns] = points
        return self.model(full)


# ----------------------------------------------------------------------------- writing it down


def markdown(run: SensitivityRun) -> str:
    """The tables of docs/sensitivity.md: per metric, the top coefficients with Sobol S1 and ST
    (95 % intervals), Morris μ*, and the tornado's outcomes at the range's ends."""
    lines: list[str] = []
    for j, metric in enumerate(run.metrics):
        lines += [
            f"**{metric.name}** ({metric.label}): {_fmt(run.baseline[j])} with every"
            " coefficient at its value.",
            "",
            "| coefficient | range | S1 (95 % CI) | ST (95 % CI) | Morris μ* | at low | at high |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        order = list(range(len(run.top)))
        if run.sobol is not None:
            order.sort(key=lambda i: -np.nan_to_num(run.sobol.ST[j, i]))
        for i in order:
            name = run.top[i]
            r = run.range_of(name)
            s1 = st = "–"
            if run.sobol is not None:
                s1 = _ci(run.sobol.S1[j, i], run.sobol.S1_conf[j, i])
                st = _ci(run.sobol.ST[j, i], run.sobol.ST_conf[j, i])
            mu = run.morris.mu_star[j, run.morris.names.index(name)]
            lines.append(
                f"| `{name}` | {r.low:.4g}–{r.high:.4g} (value {r.value:g}{_SOURCE[r.source]})"
                f" | {s1} | {st} |"
                f" {_fmt(mu)} | {_fmt(run.low[j, i])} | {_fmt(run.high[j, i])} |"
            )
        lines.append("")
    lines += [
        "Ranges marked *prior* are the coefficient's prior in coefficients.yaml (its low–high;"
        " a lognormal's 5–95 % quantiles); *--range* ones were given by hand; the others are the"
        " value × (1 ± --spread), inside the coefficient's bounds.",
        "",
    ]
    return "\n".join(lines)


# how sensitivity.md marks a range's source (a spread's, the default, goes unmarked but for the
# note under the tables)
_SOURCE = {"prior": "; *prior*", "range": "; *--range*", "spread": ""}


def _fmt(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.3g}"


def _ci(value: float, half: float) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:.2f} ± {half:.2f}"


def points_csv(names: Sequence[str], points: np.ndarray, metrics, outputs: np.ndarray) -> str:
    """A stage's design: one row per point, its coefficient values and its metrics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*names, *(m.name for m in metrics)])
    for point, output in zip(points, outputs, strict=True):
        writer.writerow([*(f"{x!r}" for x in point.tolist()), *output.tolist()])
    return buffer.getvalue()


def write_run(run: SensitivityRun, out: Path) -> list[Path]:
    """sensitivity.json, sensitivity.md, the points of each stage as CSV and the tornado chart
    (one per metric), each written atomically. Returns the paths."""
    out = Path(out)
    paths = [out / SENSITIVITY_FILE, out / "sensitivity.md"]
    write_atomic(paths[0], json.dumps(run.as_dict(), indent=1, ensure_ascii=False) + "\n")
    write_atomic(paths[1], markdown(run))
    names = [r.name for r in run.ranges]
    paths.append(out / "morris_points.csv")
    write_atomic(paths[-1], points_csv(names, run.morris.points, run.metrics, run.morris.outputs))
    if run.sobol is not None:
        paths.append(out / "sobol_points.csv")
        write_atomic(
            paths[-1], points_csv(run.sobol.names, run.sobol.points, run.metrics, run.sobol.outputs)
        )
    for j, metric in enumerate(run.metrics):
        path = out / f"tornado_{metric.name}.png"
        write_atomic(path, tornado_png(run, j))
        paths.append(path)
    return paths


def tornado_png(run: SensitivityRun, metric: int) -> bytes:
    """A tornado chart: for each top coefficient (the furthest reach from the baseline at the
    top), a bar from the baseline to the metric with it at the low end of its range and one to
    the metric at the high end, the rest at their values; the vertical line is the baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = float(run.baseline[metric])
    lows, highs = run.low[metric], run.high[metric]
    reach = np.nan_to_num(np.maximum(np.abs(lows - base), np.abs(highs - base)))
    order = np.argsort(reach, kind="stable")  # smallest first: drawn from the bottom
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(order) + 1.4), dpi=110)
    for y, i in enumerate(order):
        for value, colour, label, shift in (
            (lows[i], "#4477aa", "at the low end", 0.18),
            (highs[i], "#cc6677", "at the high end", -0.18),
        ):
            if np.isfinite(value):
                ax.barh(y + shift, value - base, left=base, color=colour, height=0.34,
                        label=label if y == 0 else None)  # fmt: skip
    ax.axvline(base, color="black", linewidth=1)
    ends = [run.range_of(run.top[i]) for i in order]
    labels = [f"{r.name}\n{r.low:.3g}–{r.high:.3g}" for r in ends]
    ax.set_yticks(range(len(order)), labels, fontsize=7)
    name = run.metrics[metric]
    ax.set_xlabel(f"{name.label} (baseline {base:.3g})")
    ax.set_title(f"{Path(run.scenario).stem}: one coefficient at a time", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
