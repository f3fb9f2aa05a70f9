"""Where history falls in the spread of simulated battles: the calibration table.

For each metric of a scenario's `history` block, over N seeded games: the 10th, 50th and 90th
percentiles of the simulated values, the historical value's percentile rank in that spread (for a
range, its midpoint's), the share of games that agree with history, and whether the central 80 %
of games covers it. A metric marked `echo` (it only repeats an input) is shown as "input, not a
test": its agreement is never claimed, nor counted in the mean share of games agreeing.
`wargame calibrate SCENARIO --games 1000` prints it as Markdown for
docs/calibration.md. The percentiles and ranks are the batch report's own (`engine.sim.stats`),
so the two never disagree on a figure; the games are played through the one game loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .headless import Battles
from .history import ECHO_TEXT, as_number, historical_text, inside, measure
from .scenario.models import HistoryEntry, Scenario
from .sim.stats import percentile_of, summarize_metric


@dataclass(frozen=True)
class MetricSpread:
    entry: HistoryEntry
    values: np.ndarray  # one per game; NaN where the event never happened
    agree: float  # share of games agreeing with history
    historical: float | None  # the value (or midpoint) on the same scale, None if not numeric
    start: datetime  # the scenario's start: times are hours from it

    def percentiles(self) -> tuple[float, float, float]:
        """p10, p50, p90 of the games where the event happened (NaN when it never did)."""
        summary = summarize_metric(self.values, {"id": self.entry.id, "kind": ""})
        return summary.p10, summary.median, summary.p90

    def rank(self, value: float | None = None) -> float | None:
        """Percentile rank of history (or `value`) among the games (ties count half)."""
        value = self.historical if value is None else value
        if value is None:
            return None
        rank = percentile_of(self.values, value)
        return None if np.isnan(rank) else rank

    def rank_text(self) -> str:
        """The historical value's percentile, or for a range the percentiles of its two ends."""
        entry = self.entry
        ends: tuple[float, float] | None = None
        if entry.range is not None:
            ends = (entry.range.min, entry.range.max)
        elif entry.time_range is not None:
            ends = (
                _hours(entry.time_range.earliest, self.start),
                _hours(entry.time_range.latest, self.start),
            )
        if ends is not None:
            low, high = self.rank(ends[0]), self.rank(ends[1])
            return "–" if low is None or high is None else f"{low:.0f}–{high:.0f}"
        rank = self.rank()
        return "–" if rank is None else f"{rank:.0f}"

    def covered(self) -> bool | None:
        """Whether the central 80 % of games (p10..p90) covers the historical value or range."""
        p10, _, p90 = self.percentiles()
        if not np.isfinite(p10):
            return None
        entry = self.entry
        if entry.range is not None:
            return p10 <= entry.range.max and p90 >= entry.range.min
        if entry.time_range is not None:
            earliest = _hours(entry.time_range.earliest, self.start)
            latest = _hours(entry.time_range.latest, self.start)
            return p10 <= latest and p90 >= earliest
        if self.historical is None:
            return None
        return p10 <= self.historical <= p90


def _hours(moment: datetime, scenario: Scenario | datetime) -> float:
    start = scenario if isinstance(scenario, datetime) else scenario.clock.start
    return (moment - start).total_seconds() / 3600.0


def _historical(entry: HistoryEntry, scenario: Scenario) -> float | None:
    if entry.range is not None:
        return (entry.range.min + entry.range.max) / 2
    if entry.time_range is not None:
        earliest = _hours(entry.time_range.earliest, scenario)
        return (earliest + _hours(entry.time_range.latest, scenario)) / 2
    if isinstance(entry.value, bool | int | float):
        return float(entry.value)
    return None


def spreads(
    scenario: Scenario,
    games: int,
    *,
    first_seed: int = 0,
    overrides: dict[str, float] | None = None,
    draw: Callable[[int], dict[str, float]] | None = None,
) -> tuple[list[MetricSpread], Counter[str]]:
    """Play `games` seeded battles and gather every history metric's spread. `draw(seed)`, when
    given (a posterior's, `--posterior`), adds each battle's own coefficients to `overrides`."""
    values: dict[str, list[float]] = {e.id: [] for e in scenario.history}
    agree: dict[str, int] = {e.id: 0 for e in scenario.history}
    winners: Counter[str] = Counter()
    battles = Battles()  # (each battle's game the one before it started again, where it can)
    for seed in range(first_seed, first_seed + games):
        chosen = {**(overrides or {}), **draw(seed)} if draw else overrides
        state = battles.play(scenario, seed, overrides=chosen).state
        winners[state.winner or "none"] += 1
        for entry in scenario.history:
            value = measure(state, entry)
            number = as_number(entry, value, scenario.clock.start)
            values[entry.id].append(float("nan") if number is None else number)
            agree[entry.id] += bool(inside(entry, value)) and not entry.echo
    result = []
    for entry in scenario.history:
        historical = 1.0 if entry.metric.value == "winner" else _historical(entry, scenario)
        result.append(
            MetricSpread(
                entry,
                np.array(values[entry.id]),
                agree[entry.id] / games,
                historical,
                scenario.clock.start,
            )
        )
    return result, winners


def markdown(scenario: Scenario, games: int, rows: list[MetricSpread], winners: Counter) -> str:
    """The calibration table as Markdown."""
    times = {"crossed_by", "place_fell_at"}
    lines = [
        f"Games: {games}. Wins: "
        + ", ".join(f"{side} {count / games:.0%}" for side, count in winners.most_common())
        + ".",
        "",
        "| metric | history | p10 | p50 | p90 | history's percentile | games agreeing |"
        " 80 % band covers history |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        p10, p50, p90 = row.percentiles()
        unit = " h" if row.entry.metric.value in times else ""
        covered = {True: "yes", False: "**no**", None: "–"}[row.covered()]
        agreeing = f"{row.agree:.0%}"
        if row.entry.echo:  # the game repeats an input here: no agreement to claim
            covered, agreeing = "–", ECHO_TEXT
        never = int(np.isnan(row.values).sum())
        note = f" ({never} never)" if never else ""
        history = historical_text(row.entry)
        if unit and row.entry.time_range is not None:
            earliest = _hours(row.entry.time_range.earliest, scenario)
            latest = _hours(row.entry.time_range.latest, scenario)
            history += f" ({earliest:g}–{latest:g} h)"
        lines.append(
            f"| `{row.entry.id}` | {history} | {p10:.1f}{unit} |"
            f" {p50:.1f}{unit} | {p90:.1f}{unit}{note} |"
            f" {row.rank_text()} | {agreeing} | {covered} |"
        )
    tested = [row for row in rows if not row.entry.echo]
    if tested:
        share = sum(row.agree for row in tested) / len(tested)
        lines += [
            "",
            f"Mean share of games agreeing, over the {len(tested)} metrics that test the game:"
            f" {share:.0%}"
            + (
                f" ({len(rows) - len(tested)} metric(s) that only repeat an input left out)."
                if len(tested) < len(rows)
                else "."
            ),
        ]
    return "\n".join(lines) + "\n"
