"""The held-out table: how well rules fitted elsewhere predict a battle they never saw.

For each history metric of a scenario that is held out (`use: holdout`, the default; a metric
that only echoes an input is left out, as in calibration), over N games whose coefficients are
drawn from the posterior (each battle's from its own seed, so the spread holds what we do not
know about the rules as well as the dice): the posterior predictive p10, p50 and p90, history's
percentile among the games, and the share of games agreeing with history. The arithmetic is
the calibration table's (engine/calibration.py); only the rows and the draw differ.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..calibration import MetricSpread, _hours, spreads
from ..history import historical_text
from ..scenario.models import Scenario
from .posterior import Posterior


@dataclass(frozen=True)
class HoldoutTable:
    scenario: Scenario
    games: int
    rows: list[MetricSpread]
    winners: Counter

    @property
    def coverage(self) -> float | None:
        """Share of held-out metrics whose p10-p90 band covers history."""
        judged = [r.covered() for r in self.rows if r.covered() is not None]
        return sum(judged) / len(judged) if judged else None

    @property
    def mean_agreeing(self) -> float | None:
        return sum(r.agree for r in self.rows) / len(self.rows) if self.rows else None

    def markdown(self) -> str:
        s = self.scenario
        lines = [
            f"{s.title.en}: {self.games} games, coefficients drawn from the posterior. Wins: "
            + ", ".join(f"{side} {n / self.games:.0%}" for side, n in self.winners.most_common())
            + ".",
            "",
            "| held-out metric | history | p10 | p50 | p90 | history's percentile |"
            " games agreeing | p10–p90 covers history |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in self.rows:
            p10, p50, p90 = row.percentiles()
            covered = {True: "yes", False: "**no**", None: "–"}[row.covered()]
            history, unit = historical_text(row.entry), ""
            if row.entry.time_range is not None:  # times are hours from the start, as calibrate
                unit = " h"
                window = row.entry.time_range
                history += f" ({_hours(window.earliest, s):g}–{_hours(window.latest, s):g} h)"
            lines.append(
                f"| `{row.entry.id}` | {history} | {p10:.1f}{unit} | {p50:.1f}{unit} |"
                f" {p90:.1f}{unit} | {row.rank_text()} | {row.agree:.0%} | {covered} |"
            )
        if not self.rows:
            lines.append("| (no held-out metric) | | | | | | | |")
        coverage, agreeing = self.coverage, self.mean_agreeing
        lines += [
            "",
            f"Held-out coverage: {'–' if coverage is None else f'{coverage:.0%}'} of metrics"
            f" inside p10–p90; mean share of games agreeing:"
            f" {'–' if agreeing is None else f'{agreeing:.0%}'}.",
        ]
        return "\n".join(lines) + "\n"


def holdout_table(
    scenario: Scenario,
    games: int,
    posterior: Posterior | None,
    *,
    first_seed: int = 0,
    overrides: dict[str, float] | None = None,
) -> HoldoutTable:
    """Play `games` battles (coefficients from `posterior`, or today's without one) and keep
    the held-out metrics."""
    rows, winners = spreads(
        scenario,
        games,
        first_seed=first_seed,
        overrides=overrides,
        draw=posterior.draw if posterior else None,
    )
    kept = [r for r in rows if r.entry.use == "holdout" and not r.entry.echo]
    return HoldoutTable(scenario, games, kept, winners)
