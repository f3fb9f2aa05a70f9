"""The numbers of a batch report, from the battle rows alone (numpy; no plotting here).

- Win shares with Wilson score intervals; differences between arms with Newcombe's interval.
- Where a historical value falls in the simulated spread: its mid-rank percentile (half the ties
  counted below), and the share of battles inside a historical range.
- Agreement with history: for each battle, how many of the scenario's history metrics it matches
  (the same test `wargame run` prints as ✓/✗).
- Arms against the baseline, ranked by how far they move the outcome: the total variation
  distance between their shares of wins and draws and the baseline's (half the sum of the absolute
  differences: the share of battles whose outcome would have to change). Because battle i of every
  arm has the same seed, the share of battles whose winner flips is also counted pair by pair.
- Notable battles: the median battle (the one closest to the median on every metric at once),
  the one closest to history, the most unusual, and each side's most one-sided win.
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from .aimodes import label as ai_label

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Share and its Wilson score interval (95 % by default); (nan, 0, 1) when n is 0."""
    if n <= 0:
        return math.nan, 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """Difference of two shares (first minus second) with Newcombe's hybrid score interval."""
    p1, l1, u1 = wilson(k1, n1, z)
    p2, l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def percentile_of(values: np.ndarray, x: float) -> float:
    """The mid-rank percentile of x among the values (NaNs left out): 0 below all, 100 above."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.nan
    below = np.count_nonzero(values < x)
    equal = np.count_nonzero(values == x)
    return 100.0 * (below + 0.5 * equal) / values.size


def median_interval(values: np.ndarray, z: float = Z95) -> tuple[float, float]:
    """A distribution-free 95 % interval for the median (NaNs left out): the order statistics
    x(j) and x(k) (1-based ranks) with j = n/2 - z*sqrt(n)/2 and k = 1 + n/2 + z*sqrt(n)/2 (the
    normal approximation of the binomial count of values below the median), rounded outwards and
    clipped to the sample: ranks 40 and 61 for n = 100, as the usual tables give. No
    assumption about the shape of the spread, which for battle metrics is often lumpy.
    (nan, nan) for no values."""
    known = np.sort(values[~np.isnan(values)])
    n = known.size
    if n == 0:
        return math.nan, math.nan
    half = z * math.sqrt(n) / 2
    j = max(1, math.floor(n / 2 - half))
    k = min(n, math.ceil(1 + n / 2 + half))
    return float(known[j - 1]), float(known[k - 1])


def running_share(hits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A share estimated from the first 1, 2, ... n battles (in battle order), with its Wilson
    interval at each n: (n, share, low, high) arrays for a convergence plot."""
    hits = np.asarray(hits, bool)
    counts = np.cumsum(hits)
    n = np.arange(1, hits.size + 1)
    rows = [wilson(int(k), int(m)) for k, m in zip(counts, n, strict=True)]
    share = np.array([r[0] for r in rows])
    low = np.array([r[1] for r in rows])
    high = np.array([r[2] for r in rows])
    return n, share, low, high


def running_median(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The median of the first 1, 2, ... n values (NaNs left out of each), for a convergence
    plot: (n, median) arrays. The values np.median gives for each head (the middle value, or
    the mean of the two middle ones), kept in two heaps as the values come: the lower half in a
    max-heap, the upper half in a min-heap. Why: the median of every head afresh is quadratic,
    and took minutes on a batch of 100,000 battles."""
    values = np.asarray(values, float)
    out = np.full(values.size, np.nan)
    lower: list[float] = []  # the lower half, negated (heapq keeps a min-heap)
    upper: list[float] = []  # the upper half; len(lower) is len(upper) or one more
    median = math.nan
    for i, value in enumerate(values.tolist()):
        if value == value:  # (not NaN)
            if lower and value > -lower[0]:
                heapq.heappush(upper, value)
            else:
                heapq.heappush(lower, -value)
            if len(lower) > len(upper) + 1:
                heapq.heappush(upper, -heapq.heappop(lower))
            elif len(upper) > len(lower):
                heapq.heappush(lower, -heapq.heappop(upper))
            odd = len(lower) > len(upper)
            median = -lower[0] if odd else (-lower[0] + upper[0]) / 2
        out[i] = median
    return np.arange(1, values.size + 1), out


def agrees(values: np.ndarray, history: dict[str, Any]) -> np.ndarray:
    """Per battle, whether its value matches the historical one (NaN never matches). A metric
    that only repeats an input (`echo`) never agrees: it is no test of the game."""
    if history.get("echo"):
        return np.zeros(values.shape, bool)
    with np.errstate(invalid="ignore"):
        if history.get("min") is not None:
            return (values >= history["min"]) & (values <= history["max"])
        if history.get("value") is not None:
            return values == history["value"]
    return np.zeros(values.shape, bool)


@dataclass
class MetricSummary:
    id: str
    kind: str
    n: int
    never: int  # battles in which the event never happened (NaN)
    median: float
    p10: float
    p90: float
    mean: float
    agree_share: float  # share of battles matching history
    agree_ci: tuple[float, float]
    percentile: float | None  # of a single historical value
    percentile_range: tuple[float, float] | None  # of a historical range's ends
    median_ci: tuple[float, float] = (math.nan, math.nan)  # 95 % order-statistic interval


def summarize_metric(values: np.ndarray, history: dict[str, Any]) -> MetricSummary:
    known = values[~np.isnan(values)]
    q = np.percentile(known, [10, 50, 90]) if known.size else [math.nan] * 3
    hits = int(np.count_nonzero(agrees(values, history)))
    share, low, high = wilson(hits, values.size)
    percentile = percentile_range = None
    if history.get("min") is not None:
        percentile_range = (
            percentile_of(values, history["min"]),
            percentile_of(values, history["max"]),
        )
    elif history.get("value") is not None:
        percentile = percentile_of(values, history["value"])
    return MetricSummary(
        id=history["id"],
        kind=history["kind"],
        n=int(values.size),
        never=int(values.size - known.size),
        median=float(q[1]),
        median_ci=median_interval(known),
        p10=float(q[0]),
        p90=float(q[2]),
        mean=float(known.mean()) if known.size else math.nan,
        agree_share=share,
        agree_ci=(low, high),
        percentile=percentile,
        percentile_range=percentile_range,
    )


def curve_matrix(column: pa.ChunkedArray | list, length: int | None = None) -> np.ndarray:
    """A list column (one list per battle, by turn) as a battles x turns array; a battle that
    ended early keeps its last value to the end."""
    if isinstance(column, pa.ChunkedArray):
        return _curve_matrix_arrow(column, length)
    lists = list(column)
    if not lists:
        return np.zeros((0, 0))
    width = length or max(len(x) for x in lists)
    out = np.full((len(lists), width), np.nan)
    for i, values in enumerate(lists):
        if values:
            out[i, : len(values)] = values[:width]
            out[i, len(values) :] = values[-1]
    return out


def _curve_matrix_arrow(column: pa.ChunkedArray, length: int | None) -> np.ndarray:
    """`curve_matrix` of a Parquet list column, read from its offsets and values at once (a
    100,000-battle report spent 16 s making Python lists of it): each row's value at turn j is
    its j-th, or its last past its end; NaN for an empty or missing list."""
    if column.num_chunks == 0 or len(column) == 0:
        return np.zeros((0, 0))
    lists = column.combine_chunks()
    offsets = lists.offsets.to_numpy().astype(np.int64)
    values = lists.values.to_numpy(zero_copy_only=False).astype(float)
    lengths = np.diff(offsets)
    lengths[lists.is_null().to_numpy(zero_copy_only=False)] = 0
    width = length or int(lengths.max())
    if width == 0:
        return np.full((len(lengths), 0), np.nan)
    turn = np.minimum(np.arange(width)[None, :], np.maximum(lengths, 1)[:, None] - 1)
    if len(values) == 0:
        return np.full((len(lengths), width), np.nan)
    # (an empty list's index clipped into the values: its row is NaN below)
    out = values[np.minimum(offsets[:-1, None] + turn, len(values) - 1)]
    out[lengths == 0] = np.nan
    return out


def band(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """10th, 50th and 90th percentiles per turn."""
    if matrix.size == 0:
        empty = np.zeros(0)
        return empty, empty, empty
    p10, p50, p90 = np.nanpercentile(matrix, [10, 50, 90], axis=0)
    return p10, p50, p90


# ------------------------------------------------------------------------------ arms


@dataclass
class ArmSummary:
    key: str
    label: str
    variant: str
    description: str
    overrides: dict[str, float]
    sweep: dict[str, float]
    planned: int
    n: int
    wins: dict[str, tuple[int, float, float, float]]  # side or "draw" -> (count, p, low, high)
    metrics: dict[str, MetricSummary]
    agreement_mean: float  # history metrics matched per battle, on average
    indexes: np.ndarray = field(repr=False)
    winners: np.ndarray = field(repr=False)
    # against the baseline
    delta: tuple[float, float, float] | None = None  # historical winner's share, with interval
    shift: float = 0.0  # total variation distance between the outcome shares and the baseline's
    flips: float | None = None  # share of paired battles whose winner differs
    paired: int = 0
    moved: list[tuple[str, float]] = field(default_factory=list)  # metrics most moved
    ai: dict[str, str] = field(default_factory=dict)  # each side's computer player mode
    ai_compare: dict[str, str] = field(default_factory=dict)  # modes --compare-ai changed
    rank: int = 0  # in the ranking against the baseline, from 1; equal ranks are ties
    tied: bool = False  # shares its rank: its interval overlaps the rank's first arm's

    @property
    def series(self) -> str:
        """The arm's label without its sweep point: a line of a sweep plot."""
        if not self.ai_compare:
            return self.variant
        return f"{self.variant} · {ai_label(tuple(self.ai_compare.items()), len(self.ai))}"


def column_values(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return np.array(
        [math.nan if v is None else float(v) for v in table.column(name).to_pylist()], float
    )


def summarize_arms(table: pa.Table, metadata: dict[str, Any]) -> list[ArmSummary]:
    sides = [s["id"] for s in metadata["scenario"]["sides"]]
    history = metadata["history"]
    arms_info = metadata.get("arms", {})
    keys = table.column("arm").to_pylist()
    present = set(keys)
    order = [key for key in arms_info if key in present]  # as the batch listed them
    order += sorted(present - set(order))
    summaries = []
    all_keys = np.array(keys)
    for key in order:
        rows = table.filter(pa.array(all_keys == key))
        info = arms_info.get(key, {})
        n = rows.num_rows
        winners = np.array(rows.column("winner").to_pylist(), dtype=object)
        wins = {}
        for side in [*sides, "draw"]:
            k = int(np.count_nonzero(winners == side))
            wins[side] = (k, *wilson(k, n))
        metrics = {}
        matched = np.zeros(n)
        for entry in history:
            values = column_values(rows, f"metric.{entry['id']}")
            metrics[entry["id"]] = summarize_metric(values, entry)
            matched += agrees(values, entry)
        summaries.append(
            ArmSummary(
                key=key,
                label=info.get("label", rows.column("label")[0].as_py()),
                variant=info.get("variant", rows.column("variant")[0].as_py()),
                description=info.get("description", ""),
                overrides=info.get("overrides") or json.loads(rows.column("overrides")[0].as_py()),
                sweep=info.get("sweep", {}),
                planned=int(info.get("games", n)),
                n=n,
                wins=wins,
                metrics=metrics,
                agreement_mean=float(matched.mean()) if n else math.nan,
                indexes=np.array(rows.column("index").to_pylist()),
                winners=winners,
                ai=dict(info.get("ai") or {}),
                ai_compare=dict(info.get("ai_compare") or {}),
            )
        )
    return summaries


def historical_winner(metadata: dict[str, Any]) -> str:
    for entry in metadata["history"]:
        if entry["kind"] == "winner" and entry.get("value_text"):
            return entry["value_text"]
    return metadata["scenario"]["sides"][0]["id"]


def primary(arms: list[ArmSummary]) -> ArmSummary:
    """The arm the report centres on: the plain baseline if there is one."""
    for arm in arms:
        if arm.variant == "baseline" and not arm.sweep and not arm.ai_compare:
            return arm
    for arm in arms:
        if arm.variant == "baseline" and not arm.ai_compare:
            return arm
    return next((arm for arm in arms if not arm.ai_compare), arms[0])


def compare_to_baseline(
    arms: list[ArmSummary], table: pa.Table, metadata: dict[str, Any]
) -> list[ArmSummary]:
    """Fill each arm's change against the baseline (the same sweep point of the baseline when
    there is one, with the batch's computer player modes), and return the arms other than the
    baseline ranked by how far they move the historical winner's share of wins."""
    winner = historical_winner(metadata)
    base_default = primary(arms)
    by_label = {(a.variant, tuple(sorted(a.sweep.items()))): a for a in arms if not a.ai_compare}
    ranked = []
    for arm in arms:
        base = by_label.get(("baseline", tuple(sorted(arm.sweep.items()))), base_default)
        if arm is base and arm is not base_default and not base_default.sweep:
            base = base_default  # a sweep point of the baseline, against the default value
        if arm is base:
            continue
        k1, n1 = arm.wins[winner][0], arm.n
        k0, n0 = base.wins[winner][0], base.n
        arm.delta = newcombe(k1, n1, k0, n0)
        arm.shift = 0.5 * sum(abs(arm.wins[o][1] - base.wins[o][1]) for o in arm.wins)
        common, i1, i0 = np.intersect1d(arm.indexes, base.indexes, return_indices=True)
        arm.paired = int(common.size)
        if common.size:
            arm.flips = float(np.mean(arm.winners[i1] != base.winners[i0]))
        moved = []
        for metric_id, summary in arm.metrics.items():
            reference = base.metrics.get(metric_id)
            if reference is None:
                continue
            spread = reference.p90 - reference.p10
            if not math.isfinite(spread) or spread <= 0:
                spread = max(abs(reference.median), 1.0) if summary.kind != "bool" else 1.0
            if summary.kind in ("bool", "winner"):
                shift = summary.mean - reference.mean
                spread = 1.0
            else:
                shift = summary.median - reference.median
            if math.isfinite(shift):
                moved.append((metric_id, shift / spread))
        moved.sort(key=lambda item: -abs(item[1]))
        arm.moved = moved
        ranked.append(arm)
    ranked.sort(key=lambda a: (-round(a.shift, 9), -sum(abs(v) for _, v in a.moved)))
    assign_ranks(ranked)
    return ranked


def assign_ranks(ranked: list[ArmSummary]) -> None:
    """Ranks from 1 in the order given, with ties: an arm whose 95 % interval of the change in
    the historical winner's share overlaps that of the first arm of the current rank shares
    that rank (the batch cannot tell them apart); the next arm that does not starts a new one."""
    leader: ArmSummary | None = None
    for position, arm in enumerate(ranked, start=1):
        if leader is not None and _overlap(arm.delta, leader.delta):
            arm.rank, arm.tied, leader.tied = leader.rank, True, True
        else:
            arm.rank, arm.tied, leader = position, False, arm


def _overlap(a: tuple[float, float, float] | None, b: tuple[float, float, float] | None) -> bool:
    return a is not None and b is not None and a[1] <= b[2] and b[1] <= a[2]


# ------------------------------------------------------------------------ notable battles


@dataclass
class Notable:
    title: str
    why: str
    arm: str
    index: int
    seed: int
    winner: str
    turns: int
    replay: str


def notable_battles(rows: pa.Table, metadata: dict[str, Any]) -> list[Notable]:
    """Battles worth replaying, from one arm's rows."""
    if rows.num_rows == 0:
        return []
    history = metadata["history"]
    sides = [s["id"] for s in metadata["scenario"]["sides"]]
    n = rows.num_rows
    columns, matched = [], np.zeros(n)
    for entry in history:
        values = column_values(rows, f"metric.{entry['id']}")
        matched += agrees(values, entry)
        filled = np.where(np.isnan(values), np.inf, values)
        if np.unique(filled).size > 1:
            ranks = _midranks(filled) / n
            columns.append(ranks)
    distance = np.mean(np.abs(np.array(columns) - 0.5), axis=0) if columns else np.zeros(n)
    get = {name: rows.column(name).to_pylist() for name in ("index", "seed", "winner", "turns")}
    replay = rows.column("replay").to_pylist()
    label = rows.column("label")[0].as_py()

    def pick(i: int, title: str, why: str) -> Notable:
        return Notable(
            title, why, label, get["index"][i], get["seed"][i], get["winner"][i],
            get["turns"][i], replay[i],
        )  # fmt: skip

    out = [
        pick(
            int(np.argmin(distance)),
            "Median battle",
            "closest to the median on every history metric at once",
        ),
        pick(
            int(np.lexsort((distance, -matched))[0]),
            "Closest to history",
            f"matches {int(matched.max())} of {len(history)} history metrics",
        ),
        pick(
            int(np.argmax(distance)),
            "Most unusual",
            "furthest from the median over all history metrics",
        ),
    ]
    winners = np.array(get["winner"], dtype=object)
    for s, side in enumerate(sides):
        men = f"men.{side}"
        other = f"men.{sides[1 - s]}" if len(sides) == 2 else None
        if men not in rows.column_names or other is None:
            continue
        mine = curve_matrix(rows.column(men))
        theirs = curve_matrix(rows.column(other))
        kept = mine[:, -1] / np.maximum(mine.max(axis=1), 1.0)
        lost = 1 - theirs[:, -1] / np.maximum(theirs.max(axis=1), 1.0)
        margin = np.where(winners == side, kept + lost, -np.inf)
        if np.isfinite(margin).any():
            i = int(np.argmax(margin))
            out.append(
                pick(
                    i,
                    f"Most one-sided {side} win",
                    f"{side} kept {kept[i]:.0%} of its men; the enemy lost {lost[i]:.0%}",
                )
            )
    return out


def _midranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    i = 0
    while i < values.size:
        j = i
        while j + 1 < values.size and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 0.5
        i = j + 1
    return ranks
