"""The bench's arithmetic, small and exact so the tests can pin it: loss rates, medians and
interquartile ranges, force-ratio bins, the square law. Wilson intervals are the batch's own
(`engine.sim.stats.wilson`), not written again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..sim.stats import wilson

__all__ = [
    "RATIO_BINS",
    "Spread",
    "loss_exchange_ratio",
    "loss_rate_per_day",
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

    def text(self, scale: float = 1.0, digits: int = 2) -> str:
        if self.n == 0:
            return "—"
        m, a, b = (scale * v for v in (self.median, self.q1, self.q3))
        return f"{m:.{digits}f} ({a:.{digits}f}–{b:.{digits}f}) n={self.n}"


def spread(values: Iterable[float]) -> Spread:
    """Median and quartiles (numpy's linear interpolation) of the finite values."""
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if array.size == 0:
        return Spread(math.nan, math.nan, math.nan, 0)
    q1, median, q3 = np.percentile(array, [25, 50, 75])
    return Spread(float(median), float(q1), float(q3), int(array.size))


def success(wins: int, n: int) -> tuple[float, float, float]:
    """Share of attacker wins with its 95 % Wilson interval (the batch's `wilson`)."""
    return wilson(wins, n)


def square_law_survivors(a: float, b: float) -> float:
    """Lanchester's square law with equal effectiveness: the stronger side's survivors when the
    weaker is annihilated, √(A² − B²)."""
    big, small = max(a, b), min(a, b)
    return math.sqrt(big * big - small * small)


def square_law_error(a: float, b: float, survivors: float) -> float:
    """How far the winner's survivors are from the square law, as a share of the winner's
    starting strength (so the 1:1 case, where the law says 0, is measured too)."""
    return abs(survivors - square_law_survivors(a, b)) / max(a, b)
