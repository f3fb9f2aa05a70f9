"""The plots of a batch report (matplotlib, Agg): pictures only, from the numbers stats.py
gives and the rows of a batch. Each `plot_*` writes one PNG atomically; report.py decides which
are drawn and the page template (templates/report.html.j2) where they stand.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Patch

from ..core.clock import dark_spans
from .stats import ArmSummary, MetricSummary, band, curve_matrix

INK = "#22252b"
MUTED = "#6b7280"
GRID = "#e6e8ec"
HISTORY = "#d97706"  # amber: every historical mark on every plot
DRAW = "#9ca3af"
DPI = 144

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#c9cdd4",
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


# ------------------------------------------------------------------------------ formatting


class Clock:
    def __init__(self, scenario: dict[str, Any]):
        self.start = datetime.fromisoformat(scenario["clock_start"])
        self.turn_hours = scenario["turn_minutes"] / 60.0
        dark = scenario.get("darkness") or ["19:30", "05:30"]  # results written before it
        self.dark = (time.fromisoformat(dark[0]), time.fromisoformat(dark[1]))

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(hours=float(hours))

    def text(self, hours: float | None) -> str:
        if hours is None or not math.isfinite(hours):
            return "never"
        return self.at(hours).strftime("%d %b %H:%M").lstrip("0")

    def nights(self, total_hours: float) -> list[tuple[float, float]]:
        """Dark spans, in hours from the start, over the game (engine/core/clock.py's darkness)."""
        return dark_spans(self.start, total_hours, *self.dark)

    def ticks(self, ax, last: float, first: float = 0.0, most: int = 9) -> None:
        """Ticks on whole clock hours, a date under the first tick of each day."""
        span = max(last - first, 1.0)
        step = next((h for h in (1, 2, 3, 6, 12, 24, 48) if span / h <= most), 96)
        offset = self.start.hour + self.start.minute / 60  # clock hour at 0
        t = math.ceil((first + offset) / step) * step - offset
        ticks, labels, day = [], [], None
        while t <= last + 1e-9:
            moment = self.at(t)
            ticks.append(t)
            if moment.date() != day:
                labels.append(f"{moment:%H:%M}\n{moment.day} {moment:%b}")
                day = moment.date()
            else:
                labels.append(f"{moment:%H:%M}")
            t += step
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels, fontsize=7.5)


def fmt_value(value: float | None, kind: str, clock: Clock) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "never" if kind == "time" else "–"
    if kind == "time":
        return clock.text(value)
    if kind in ("bool", "winner"):
        return "yes" if value >= 0.5 else "no"
    if kind == "fraction":
        return f"{value:.0%}"
    if abs(value) >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.1f}"


def fmt_history(entry: dict[str, Any], clock: Clock) -> str:
    kind = entry["kind"]
    if kind == "winner":
        return entry.get("value_text") or "–"
    if entry.get("min") is not None:
        low, high = fmt_value(entry["min"], kind, clock), fmt_value(entry["max"], kind, clock)
        return f"{low} – {high}"
    return fmt_value(entry.get("value"), kind, clock)


def pct(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{p:.0%}"


# ------------------------------------------------------------------------------------ plots


def _save(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp.png")
    fig.savefig(temporary, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    os.replace(temporary, path)


def plot_outcomes(arms: list[ArmSummary], sides: list[dict], winner: str, path: Path) -> None:
    colors = {s["id"]: s["color"] for s in sides} | {"draw": DRAW}
    order = [s["id"] for s in sides]
    order = [winner] + [s for s in order if s != winner] + ["draw"]
    order = [order[0], "draw", *order[1:-1]]
    height = 0.9 + 0.42 * len(arms)
    fig, ax = plt.subplots(figsize=(8.6, height))
    labels = [a.label for a in arms]
    y = np.arange(len(arms))[::-1]
    for row, arm in zip(y, arms, strict=True):
        left = 0.0
        for side in order:
            _, p, _, _ = arm.wins[side]
            if p and p > 0:
                ax.barh(row, p, left=left, color=colors[side], height=0.62, edgecolor="white")
                if p >= 0.07:
                    ax.text(
                        left + p / 2, row, f"{p:.0%}", ha="center", va="center",
                        color="white", fontsize=8.5, fontweight="bold",
                    )  # fmt: skip
            left += p if p == p else 0
        _, p, low, high = arm.wins[winner]
        ax.errorbar(
            p, row, xerr=[[p - low], [high - p]], fmt="none", ecolor=INK, elinewidth=1.2, capsize=3
        )
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"share of battles won (whisker: 95% Wilson interval for {winner})")
    handles = [
        Patch(color=colors[s], label=("draw" if s == "draw" else f"{s} wins")) for s in order
    ]
    ax.legend(handles=handles, ncol=len(order), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    _save(fig, path)


def plot_metric(
    values: np.ndarray, entry: dict[str, Any], summary: MetricSummary, clock: Clock, path: Path
) -> None:
    kind = entry["kind"]
    fig, ax = plt.subplots(figsize=(4.3, 2.35))
    ax.grid(axis="x", visible=False)
    n = max(values.size, 1)
    if kind in ("bool", "winner"):
        yes = float(np.nanmean(values == 1.0)) if values.size else 0.0
        shares = [1 - yes, yes]
        if kind == "bool":
            names = ["not held", "held"]
        else:
            names = ["other outcomes", f"{entry.get('value_text')} wins"]
        target = 1 if (entry.get("value") or 0) >= 0.5 else 0
        names[target] += "\n(history)"
        colors = [HISTORY if i == target else "#94a3b8" for i in range(2)]
        bars = ax.bar(names, shares, color=colors, width=0.58)
        for bar, share in zip(bars, shares, strict=True):
            ax.text(
                bar.get_x() + bar.get_width() / 2, share + 0.02, f"{share:.0%}",
                ha="center", va="bottom", fontsize=9.5, color=INK, fontweight="bold",
            )  # fmt: skip
        ax.get_xticklabels()[target].set_color(HISTORY)
        ax.get_xticklabels()[target].set_fontweight("bold")
        ax.set_ylim(0, 1.18)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("battles")
        _save(fig, path)
        return
    known = values[~np.isnan(values)]
    never = values.size - known.size
    low, high = entry.get("min"), entry.get("max")
    point = entry.get("value")
    marks = [v for v in (low, high, point) if v is not None]
    lo = min([*known.tolist(), *marks]) if known.size or marks else 0.0
    hi = max([*known.tolist(), *marks]) if known.size or marks else 1.0
    if hi <= lo:
        hi = lo + 1.0
    span = hi - lo
    integer = kind in ("count", "time") and np.all(np.mod(known, 1) == 0)
    if integer and span <= 60:
        edges = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.5, 1.0)
    else:
        edges = np.linspace(lo - 0.02 * span, hi + 0.02 * span, 36)
    counts, edges = np.histogram(known, bins=edges)
    widths = np.diff(edges)
    gap = 0.12 if integer and span <= 60 else 0.0
    ax.bar(
        edges[:-1] + widths * gap / 2, counts / n, width=widths * (1 - gap), align="edge",
        color="#64748b", alpha=0.9,
    )  # fmt: skip
    if low is not None:
        ax.axvspan(low, high, color=HISTORY, alpha=0.18, lw=0)
        ax.axvline(low, color=HISTORY, lw=1.4)
        ax.axvline(high, color=HISTORY, lw=1.4)
    if point is not None:
        ax.axvline(point, color=HISTORY, lw=2.2)
    if known.size:
        ax.axvline(summary.median, color=INK, lw=1, ls=(0, (3, 2)))
    top = (counts.max() / n) if counts.size and counts.max() else 0.1
    if never:
        # the battles in which it never happened, as a bar past the right end
        x = edges[-1] + 0.06 * (edges[-1] - edges[0])
        w = max(widths.mean() * 1.5, 0.04 * (edges[-1] - edges[0]))
        ax.bar([x], [never / n], width=w, color="#cbd5e1", align="edge")
        ax.text(x + w / 2, never / n, "never", ha="center", va="bottom", fontsize=7.5, color=MUTED)
        top = max(top, never / n)
    if top > 0.8:
        ax.set_ylim(0, 1.1)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    else:
        ax.set_ylim(0, top * 1.2)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    if kind == "time":
        right = edges[-1] + (0.22 * (edges[-1] - edges[0]) if never else 0)
        for a, b in clock.nights(right):
            if b > edges[0]:
                ax.axvspan(max(a, edges[0]), b, color="#1e293b", alpha=0.07, lw=0, zorder=0)
        ax.set_xlim(edges[0], right)
        clock.ticks(ax, edges[-1], first=edges[0], most=5)
    elif kind == "fraction":
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    elif integer:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("battles")
    _save(fig, path)


def plot_men(table, metadata: dict[str, Any], arm_key: str, clock: Clock, path: Path) -> None:
    sides = metadata["scenario"]["sides"]
    history = {h["id"]: h for h in metadata["history"]}
    rows = table.filter(np.array(table.column("arm").to_pylist()) == arm_key)
    curves = metadata.get("curves", [])
    fig, axes = plt.subplots(1, len(sides), figsize=(11.5, 3.6), sharex=True)
    axes = np.atleast_1d(axes)
    total_hours = 0.0
    for ax, side in zip(axes, sides, strict=True):
        column = f"men.{side['id']}"
        if column not in rows.column_names:
            continue
        matrix = curve_matrix(rows.column(column))
        hours = np.arange(matrix.shape[1]) * clock.turn_hours
        total_hours = max(total_hours, hours[-1] if hours.size else 0)
        p10, p50, p90 = band(matrix)
        ax.fill_between(hours, p10, p90, color=side["color"], alpha=0.18, lw=0)
        ax.plot(hours, p50, color=side["color"], lw=2.2, label=f"{side['id']} on the map")
        for group in curves:
            if group.get("side") != side["id"] or group["column"] not in rows.column_names:
                continue
            gm = curve_matrix(rows.column(group["column"]))
            gh = np.arange(gm.shape[1]) * clock.turn_hours
            g10, g50, g90 = band(gm)
            ax.fill_between(gh, g10, g90, color=INK, alpha=0.10, lw=0)
            ax.plot(gh, g50, color=INK, lw=1.4, ls=(0, (4, 2)))
            ax.annotate(
                _group_name(group), (gh[-1], g50[-1]), xytext=(-4, 5), textcoords="offset points",
                ha="right", va="bottom", fontsize=8, color=INK,
            )  # fmt: skip
            for entry_id in group["entries"]:
                entry = history.get(entry_id)
                if not entry or entry.get("at_h") is None:
                    continue
                x = entry["at_h"]
                if entry.get("min") is not None:
                    mid = (entry["min"] + entry["max"]) / 2
                    ax.errorbar(
                        x, mid, yerr=[[mid - entry["min"]], [entry["max"] - mid]], fmt="D",
                        color=HISTORY, ms=5, capsize=4, elinewidth=2, zorder=5,
                    )  # fmt: skip
                elif entry.get("value") is not None:
                    ax.plot([x], [entry["value"]], "D", color=HISTORY, ms=6, zorder=5)
        ax.set_title(side["name"], color=side["color"], loc="left")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("men")
    for ax in axes:
        for a, b in clock.nights(total_hours):
            ax.axvspan(a, b, color="#1e293b", alpha=0.07, lw=0, zorder=0)
        ax.set_xlim(0, total_hours)
        clock.ticks(ax, total_hours)
        ax.tick_params(axis="x", labelsize=8)
    handles = [
        plt.Line2D([], [], color=MUTED, lw=2.2, label="median"),
        Patch(color=MUTED, alpha=0.25, label="10–90% of battles"),
        plt.Line2D(
            [], [], color=INK, lw=1.4, ls=(0, (4, 2)), label="units a history figure counts"
        ),
        plt.Line2D([], [], color=HISTORY, marker="D", lw=0, label="historical figure"),
        Patch(color="#1e293b", alpha=0.12, label="night"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, bbox_to_anchor=(0.5, -0.06))
    fig.tight_layout()
    _save(fig, path)


def _group_name(group: dict[str, Any]) -> str:
    """'garrison (5 units)' from entries garrison_evening_22 and garrison_dawn_23."""
    units, entries = group.get("units") or [], group.get("entries") or []
    if len(units) == 1:
        return units[0]
    prefix = ""
    if len(entries) > 1:
        words = [entry.split("_") for entry in entries]
        common = []
        for parts in zip(*words, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        prefix = "_".join(common)
    if len(prefix) >= 4:
        return f"{prefix} ({len(units)} units)"
    return f"{len(units)} units of {entries[0]}" if units else group.get("label", "")


def plot_variants(ranked: list[ArmSummary], winner: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8.6, 0.9 + 0.45 * len(ranked)))
    y = np.arange(len(ranked))[::-1]
    for row, arm in zip(y, ranked, strict=True):
        d, low, high = arm.delta
        color = "#15803d" if low > 0 else "#b91c1c" if high < 0 else MUTED
        ax.errorbar(
            d, row, xerr=[[d - low], [high - d]], fmt="o", color=color, ms=7, capsize=4, lw=1.6
        )
        ax.text(
            high + 0.012, row, f"{d:+.0%}", va="center", fontsize=8.5, color=color, zorder=4,
            bbox={"fc": "white", "ec": "none", "pad": 1.0},
        )  # fmt: skip
    ax.axvline(0, color=INK, lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([a.label for a in ranked])
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"change in the share of battles {winner} wins, against the baseline (95% CI)")
    ax.grid(axis="y", visible=False)
    lim = max(0.05, *[max(abs(a.delta[1]), abs(a.delta[2])) for a in ranked]) * 1.25
    ax.set_xlim(-lim, lim)
    _save(fig, path)


def plot_shifts(ranked: list[ArmSummary], history: list[dict], path: Path) -> None:
    ids = [h["id"] for h in history]
    matrix = np.array([[dict(a.moved).get(i, 0.0) for i in ids] for a in ranked], dtype=float)
    limit = max(0.5, float(np.nanmax(np.abs(matrix)))) if matrix.size else 1.0
    fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(ids) + 2.5), 0.9 + 0.42 * len(ranked)))
    image = ax.imshow(
        np.clip(matrix, -limit, limit), cmap="RdBu_r",
        norm=TwoSlopeNorm(vmin=-limit, vcenter=0, vmax=limit), aspect="auto",
    )  # fmt: skip
    ax.set_xticks(range(len(ids)))
    ax.set_xticklabels(ids, rotation=50, ha="right", fontsize=7.5)
    ax.set_yticks(range(len(ranked)))
    ax.set_yticklabels([a.label for a in ranked])
    ax.grid(False)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix[i, j]
            if abs(v) >= 0.05:
                ax.text(
                    j, i, f"{v:+.1f}", ha="center", va="center", fontsize=6.5,
                    color="white" if abs(v) > 0.6 * limit else INK,
                )  # fmt: skip
    bar = fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01)
    bar.set_label("shift of the median, in baseline 10–90% spans", fontsize=7.5)
    _save(fig, path)


PALETTE = ["#1f4e9c", "#b03a2e", "#15803d", "#7c3aed", "#d97706", "#0891b2"]
LINE_STYLES = ["-", "--", ":", "-."]


def _sweep_panel(ax, swept, name, estimate, series, variants, modes, x_of) -> None:
    """One panel of a sweep: an estimate (value, low, high) per arm against the swept value,
    a line per series (colour per variant, style per --compare-ai combination)."""
    for line in series:
        members = [a for a in swept if a.series == line]
        points = sorted((x_of(a), *estimate(a)) for a in members)
        x = np.array([p[0] for p in points], float)
        y, low, high = (np.array([p[i] for p in points], float) for i in (1, 2, 3))
        color = PALETTE[variants.index(members[0].variant) % len(PALETTE)]
        style = LINE_STYLES[modes.index(tuple(members[0].ai_compare.items())) % len(LINE_STYLES)]
        ax.fill_between(x, low, high, color=color, alpha=0.15 / max(1, len(modes)), lw=0)
        ax.plot(x, y, marker="o", ls=style, color=color, lw=2, ms=4.5, label=line)


def plot_sweep(
    arms: list[ArmSummary],
    name: str,
    winner: str,
    path: Path,
    *,
    history: list[dict[str, Any]] | None = None,
    default: float | None = None,
    baseline: ArmSummary | None = None,
    clock: Clock | None = None,
) -> None:
    """A sweep at full size: the historical winner's share (95 % Wilson band) and the median of
    each history metric (95 % order-statistic band; the share for yes/no metrics) against the
    swept coefficient. A colour per variant, a line style per combination of the computer
    player's modes; the default value is a vertical line, the baseline at that value a black
    diamond, the historical figure an amber line or band."""
    swept = [a for a in arms if name in a.sweep]
    series = list(dict.fromkeys(a.series for a in swept))
    variants = list(dict.fromkeys(a.variant for a in swept))
    modes = list(dict.fromkeys(tuple(a.ai_compare.items()) for a in swept))
    if default is not None:
        # each line passes through its arm played at the default value, when there is one
        others = {k for a in swept for k in a.sweep if k != name}
        swept += [
            a for a in arms
            if name not in a.sweep and a.series in series and set(a.sweep) == others
            and all(a.sweep[k] == b.sweep[k] for b in swept for k in others if b.series == a.series)
        ]  # fmt: skip

    def x_of(arm: ArmSummary) -> float:
        return arm.sweep.get(name, default)

    entries = [h for h in (history or []) if h["kind"] != "winner"]
    panels = 1 + len(entries)
    columns = 2 if panels > 1 else 1
    rows = math.ceil(panels / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11.5, 3.4 * rows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[panels:]:
        ax.set_visible(False)

    def win(arm: ArmSummary) -> tuple[float, float, float]:
        return arm.wins[winner][1:]

    def mark(ax, value_of) -> None:
        if default is not None:
            ax.axvline(default, color=INK, lw=1, ls=(0, (2, 2)), zorder=1)
        if baseline is not None:
            y, low, high = value_of(baseline)
            if default is not None and math.isfinite(y):
                ax.errorbar(
                    default, y, yerr=[[max(y - low, 0)], [max(high - y, 0)]], fmt="D",
                    color=INK, ms=6, capsize=3, zorder=5,
                )  # fmt: skip

    ax = flat[0]
    _sweep_panel(ax, swept, name, win, series, variants, modes, x_of)
    mark(ax, win)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_title(f"{winner} wins (share of battles)", loc="left")
    for ax, entry in zip(flat[1:], entries, strict=False):
        kind = entry["kind"]

        def value(arm: ArmSummary, key: str = entry["id"], kind: str = kind):
            summary = arm.metrics.get(key)
            if summary is None:
                return math.nan, math.nan, math.nan
            if kind == "bool":
                share = summary.mean
                n = max(summary.n, 1)
                return share, *_wilson_band(share, n)
            return summary.median, *summary.median_ci

        _sweep_panel(ax, swept, name, value, series, variants, modes, x_of)
        mark(ax, value)
        low, high = entry.get("min"), entry.get("max")
        if low is not None:
            ax.axhspan(low, high, color=HISTORY, alpha=0.15, lw=0)
        elif entry.get("value") is not None:
            ax.axhline(entry["value"], color=HISTORY, lw=2)
        what = "share held" if kind == "bool" else "median"
        ax.set_title(f"{entry['id']} ({what})", loc="left")
        if kind in ("bool", "fraction"):
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        elif kind == "time" and clock is not None:
            ax.yaxis.set_major_formatter(
                matplotlib.ticker.FuncFormatter(lambda v, _: clock.text(v))
            )
    for ax in flat[:panels]:
        ax.set_xlabel(f"rules.{name}")
    handles = [
        plt.Line2D([], [], color=PALETTE[variants.index(a.variant) % len(PALETTE)],
                   ls=LINE_STYLES[modes.index(tuple(a.ai_compare.items())) % len(LINE_STYLES)],
                   marker="o", label=line)
        for line in series
        for a in [next(a for a in swept if a.series == line)]
    ]  # fmt: skip
    if default is not None:
        handles.append(plt.Line2D([], [], color=INK, ls=(0, (2, 2)), label="default value"))
    if baseline is not None and default is not None:
        handles.append(plt.Line2D([], [], color=INK, marker="D", lw=0, label="baseline (default)"))
    handles.append(Patch(color=HISTORY, alpha=0.4, label="history"))
    top = 1 - 0.5 / (3.4 * rows)  # room for the legend above the panels
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(handles)),
               bbox_to_anchor=(0.5, top), fontsize=8.5)  # fmt: skip
    _save(fig, path)


def _wilson_band(share: float, n: int) -> tuple[float, float]:
    from .stats import wilson

    if not math.isfinite(share):
        return math.nan, math.nan
    _, low, high = wilson(round(share * n), n)
    return low, high


def plot_convergence(
    winners: np.ndarray,
    metrics: dict[str, np.ndarray],
    history: list[dict[str, Any]],
    winner: str,
    path: Path,
    clock: Clock | None = None,
) -> None:
    """Each estimate against the number of battles it is made from (battles in index order):
    the historical winner's share with its Wilson band, and the running median of each history
    metric (the share of yes for yes/no ones). A flat end says more battles would not move it."""
    from .stats import running_median, running_share

    entries = [h for h in history if h["kind"] != "winner" and h["id"] in metrics]
    panels = 1 + len(entries)
    columns = 3 if panels > 2 else panels
    rows = math.ceil(panels / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11.5, 2.7 * rows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[panels:]:
        ax.set_visible(False)
    n, share, low, high = running_share(winners == winner)
    ax = flat[0]
    ax.fill_between(n, low, high, color="#1f4e9c", alpha=0.15, lw=0)
    ax.plot(n, share, color="#1f4e9c", lw=1.6)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_title(f"{winner} wins", loc="left")
    for ax, entry in zip(flat[1:], entries, strict=False):
        values = metrics[entry["id"]]
        if entry["kind"] == "bool":
            k, s, lo, hi = running_share(values == 1.0)
            ax.fill_between(k, lo, hi, color="#1f4e9c", alpha=0.15, lw=0)
            ax.plot(k, s, color="#1f4e9c", lw=1.6)
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
            ax.set_title(f"{entry['id']} (share held)", loc="left")
        else:
            k, med = running_median(values)
            ax.plot(k, med, color="#1f4e9c", lw=1.6)
            ax.set_title(f"{entry['id']} (median)", loc="left")
            if entry["kind"] == "fraction":
                ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
            elif entry["kind"] == "time" and clock is not None:
                ax.yaxis.set_major_formatter(
                    matplotlib.ticker.FuncFormatter(lambda v, _: clock.text(v))
                )
    for ax in flat[:panels]:
        ax.set_xlabel("battles", fontsize=8)
        ax.tick_params(labelsize=7.5)
    fig.tight_layout()
    _save(fig, path)


def plot_agreement(counts: np.ndarray, total: int, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(4.3, 2.35))
    bins = np.arange(-0.5, total + 1.5, 1)
    hist, _ = np.histogram(counts, bins=bins)
    ax.bar(np.arange(total + 1), hist / max(counts.size, 1), color=HISTORY, alpha=0.85)
    ax.set_xlabel(f"history metrics matched (of {total})")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("battles")
    ax.grid(axis="x", visible=False)
    _save(fig, path)
