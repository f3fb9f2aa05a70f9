"""The bench's arithmetic, small and exact so the tests can pin it: loss rates, medians and
interquartile ranges, force-ratio bins, the square law, and the battle as the unit of the
engine's figures. Wilson intervals and the interval of a median are the batch's own
(`engine.sim.stats.wilson`, `median_interval`), not written again.

Why the battle is the unit: the seeds of one generic battle are not independent battles. They
share the battle's numbers, ground and works, so their outcomes agree far more than those of two
different battles do (a battle the engine always loses is lost with every seed). Counting every
game as an observation makes intervals as if there were seeds x battles battles, too narrow by
up to the square root of the seeds. So:

- a spread of the engine (median, IQR) is taken over battles, one value per battle (the median
  of its seeds), as the record has one value per battle;
- a success share weighs each battle once (the mean of its seeds' wins), with a Wilson interval
  at the effective number of games n_eff = games / design effect, where the design effect is
  Kish's 1 + (m0 - 1) x ICC and the ICC (intra-battle correlation of a win) is the one-way
  ANOVA estimate, clipped to [0, 1]. Seeds that always agree give ICC 1 and n_eff = battles;
  seeds as independent as different battles give ICC 0 and n_eff = games.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..sim.stats import median_interval, wilson

__all__ = [
    "RATIO_BINS",
    "ClusteredShare",
    "Spread",
    "clustered_success",
    "intra_class_correlation",
    "loss_exchange_ratio",
    "loss_rate_per_day",
    "median_interval",
    "per_battle",
    "ratio_bin",
    "spread",
    "square_law_error",
    "square_law_survivors",
    "success",
    "wilson",
]

# Force-ratio bins (attacker's men per defender's man): lower edges; the last is open above.
RATIO_BINS: tuple[float, ...] = (0.0, 1.0, 1.5, 2.0, 3.0)


def loss_rate_per_day(losses: float, men: float, days: float) -> float:
    """Casualties as a share of the starting strength per day of battle (0.05 = 5 %/day), as
    Helmbold and Dupuy count them."""
    if men <= 0 or days <= 0:
        return math.nan
    return losses / men / days


def loss_exchange_ratio(attacker_losses: float, defender_losses: float) -> float:
    """Attacker's losses per defender's loss (inf when the defender lost no one)."""
    if defender_losses <= 0:
        return math.inf if attacker_losses > 0 else math.nan
    return attacker_losses / defender_losses


def ratio_bin(ratio: float, edges: Sequence[float] = RATIO_BINS) -> str:
    """The label of the force-ratio bin a ratio falls in: '1.5–2' holds 1.5 ≤ r < 2."""
    if not ratio >= edges[0]:
        raise ValueError(f"force ratio {ratio!r} is below the first bin ({edges[0]})")
    for low, high in itertools.pairwise(edges):
        if low <= ratio < high:
            return f"{low:g}–{high:g}"
    return f"≥{edges[-1]:g}"


def bin_labels(edges: Sequence[float] = RATIO_BINS) -> list[str]:
    return [f"{lo:g}–{hi:g}" for lo, hi in itertools.pairwise(edges)] + [f"≥{edges[-1]:g}"]


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of some values, and how many there were."""

    median: float
    q1: float
    q3: float
    n: int

    # a distribution-free 95 % interval of the median (`median_interval`); nan when not asked
    low: float = math.nan
    high: float = math.nan

    def text(self, scale: float = 1.0, digits: int = 2) -> str:
        if self.n == 0:
            return "—"
        m, a, b = (scale * v for v in (self.median, self.q1, self.q3))
        text = f"{m:.{digits}f} ({a:.{digits}f}–{b:.{digits}f}) n={self.n}"
        if math.isfinite(self.low) and math.isfinite(self.high):
            lo, hi = scale * self.low, scale * self.high
            text += f"; median 95% CI {lo:.{digits}f}–{hi:.{digits}f}"
        return text


def spread(values: Iterable[float], interval: bool = False) -> Spread:
    """Median and quartiles (numpy's linear interpolation) of the finite values; with
    `interval`, also the 95 % interval of the median (the batch's `median_interval`), which is
    honest only when the values are independent (one per battle, not one per seed)."""
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if array.size == 0:
        return Spread(math.nan, math.nan, math.nan, 0)
    q1, median, q3 = np.percentile(array, [25, 50, 75])
    low, high = median_interval(array) if interval else (math.nan, math.nan)
    return Spread(float(median), float(q1), float(q3), int(array.size), low, high)


def per_battle(groups: Iterable[Iterable[float]]) -> list[float]:
    """One value per battle: the median of its seeds' finite values (nan when it has none), so
    that a spread over battles counts each battle once, as the record does."""
    values = []
    for group in groups:
        finite = [v for v in group if math.isfinite(v)]
        values.append(float(np.median(finite)) if finite else math.nan)
    return values


def intra_class_correlation(groups: Sequence[Sequence[float]]) -> float:
    """The one-way ANOVA estimate of the intra-class correlation of outcomes (0/1 wins) grouped
    by battle, clipped to [0, 1]:

        MSB = sum n_i (p_i - p)^2 / (k - 1),  MSW = sum n_i p_i (1 - p_i) / (N - k)
        n0 = (N - sum n_i^2 / N) / (k - 1),   ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW)

    (for 0/1 outcomes the within sum of squares of battle i is n_i p_i (1 - p_i)). When it
    cannot be estimated (one battle, one seed each, or every game alike) it is 1: the cautious
    choice, which counts each battle once."""
    groups = [list(g) for g in groups if len(g) > 0]
    k = len(groups)
    total = sum(len(g) for g in groups)
    if k < 2 or total <= k:
        return 1.0
    shares = [float(np.mean(g)) for g in groups]
    grand = sum(sum(g) for g in groups) / total
    msb = sum(len(g) * (p - grand) ** 2 for g, p in zip(groups, shares, strict=True)) / (k - 1)
    msw = sum(len(g) * float(np.var(g)) for g in groups) / (total - k)
    n0 = (total - sum(len(g) ** 2 for g in groups) / total) / (k - 1)
    denominator = msb + (n0 - 1) * msw
    if denominator <= 0:
        return 1.0
    return min(1.0, max(0.0, (msb - msw) / denominator))


@dataclass(frozen=True)
class ClusteredShare:
    """A share of wins with the battle as the unit: each battle weighs once, and the interval
    is Wilson's at the effective number of games."""

    share: float
    low: float
    high: float
    battles: int
    games: int
    icc: float
    design_effect: float
    n_eff: float

    def text(self) -> str:
        if self.battles == 0:
            return "—"
        return f"{self.share:.2f} ({self.low:.2f}–{self.high:.2f}) n_eff={self.n_eff:.0f}"


def clustered_success(groups: Sequence[Sequence[int]]) -> ClusteredShare:
    """Attacker success over battles, each a group of its seeds' wins (1 won, 0 not): the mean
    of the battles' shares, and its 95 % Wilson interval at n_eff = games / (1 + (m0 - 1) ICC),
    m0 the (ANOVA) mean seeds per battle, kept between the number of battles and of games."""
    groups = [list(g) for g in groups if len(g) > 0]
    k, total = len(groups), sum(len(g) for g in groups)
    if k == 0:
        return ClusteredShare(math.nan, 0.0, 1.0, 0, 0, math.nan, math.nan, 0.0)
    share = float(np.mean([np.mean(g) for g in groups]))
    icc = intra_class_correlation(groups)
    m0 = (total - sum(len(g) ** 2 for g in groups) / total) / (k - 1) if k > 1 else total
    design = 1.0 + (m0 - 1.0) * icc
    n_eff = min(float(total), max(float(k), total / design))
    # Wilson's score interval at a fractional n (the formula needs only the share and n)
    _, low, high = wilson(share * n_eff, n_eff)  # type: ignore[arg-type]
    return ClusteredShare(share, low, high, k, total, icc, design, n_eff)


def success(wins: int, n: int) -> tuple[float, float, float]:
    """Share of attacker wins with its 95 % Wilson interval (the batch's `wilson`)."""
    return wilson(wins, n)


def outside_beyond_noise(gap: tuple[float, float, float], low: float, high: float) -> bool:
    """Whether a difference (value, 95 % low, 95 % high) fails a band [low, high]: the value
    lies outside the band and so does its whole interval, on the same side. One judge for every
    check that compares shares of a few dozen games (the turn-length win gap, the force-ratio
    steps): a difference whose interval reaches into the band may be noise, so it passes. Pass
    (d, d, d) to judge the value alone."""
    value, value_low, value_high = gap
    return (value > high and value_low > high) or (value < low and value_high < low)


def square_law_survivors(a: float, b: float) -> float:
    """Lanchester's square law with equal effectiveness: the stronger side's survivors when the
    weaker is annihilated, √(A² − B²)."""
    big, small = max(a, b), min(a, b)
    return math.sqrt(big * big - small * small)


def square_law_error(a: float, b: float, survivors: float, law: float | None = None) -> float:
    """How far the winner's survivors are from the square law, as a share of the winner's
    starting strength (so the 1:1 case, where the law says 0, is measured too). `law`: the
    survivors the law gives, √(A² − B²) unless another form of it is judged (the bench's
    stochastic form, `stochastic_square_law_survivors`, or the law run to the loser's break)."""
    if law is None:
        law = square_law_survivors(a, b)
    return abs(survivors - law) / max(a, b)


def stochastic_square_law_survivors(a: int, b: int, runs: int = 2000, seed: int = 0) -> float:
    """The winner's mean survivors in the square law's stochastic form (the Markov pure-jump
    process: each man of a side is hit at a rate proportional to the enemy's men, one casualty
    at a time), by simulation with a fixed seed. Shown beside the deterministic √(A² − B²):
    at 1:1 the deterministic law says both sides are annihilated, but A² − B² wanders as the
    casualties fall one by one (each moves it by about 2n, n the side's men), so the side
    that ends ahead keeps about 23 % of A at 400 against 400 (93 men; p10 41, p90 145). No
    fire fight with chance in it can reach the deterministic 0; at 2:1 and 3:1 the two agree
    within 1 %."""
    import random

    rng = random.Random(seed)
    total = 0
    for _ in range(runs):
        x, y = a, b
        while x > 0 and y > 0:
            if rng.random() * (x + y) < y:  # x loses a man at rate y, y at rate x
                x -= 1
            else:
                y -= 1
        total += max(x, y)
    return total / runs
