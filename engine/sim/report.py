"""report.html and its PNG plots, rebuilt from a batch's Parquet files alone.

    build_report(OUT) -> OUT/report.html, with OUT/plots/*.png beside it

The page puts the historical record inside the spread of the simulated battles: who wins and how
surely (Wilson intervals), where each historical figure falls among the battles (its percentile,
the share of battles that match it), men per side hour by hour (median and 10-90 % band, the
historical points on top), the what-if variants ranked by how much they move the outcome, sweeps,
and the battles worth replaying with the exact command for each.
"""

from __future__ import annotations

import html
import math
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Patch

from ..atomic import write_atomic
from .results import read_dataset
from .stats import (
    ArmSummary,
    MetricSummary,
    band,
    column_values,
    compare_to_baseline,
    curve_matrix,
    historical_winner,
    notable_battles,
    primary,
    summarize_arms,
)

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
        dark = scenario.get("darkness") or ["19:30", "05:30"]
        self.dark = [int(t[:2]) + int(t[3:]) / 60 for t in dark]

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(hours=float(hours))

    def text(self, hours: float | None) -> str:
        if hours is None or not math.isfinite(hours):
            return "never"
        return self.at(hours).strftime("%d %b %H:%M").lstrip("0")

    def nights(self, total_hours: float) -> list[tuple[float, float]]:
        """Dark spans, in hours from the start, over the game."""
        starts, ends = self.dark
        spans = []
        midnight = self.start.replace(hour=0, minute=0)
        day = -1
        while True:
            base = (midnight + timedelta(days=day) - self.start).total_seconds() / 3600
            if base > total_hours:
                break
            a = base + starts
            b = base + ends + (24 if ends <= starts else 0)
            if b > 0 and a < total_hours:
                spans.append((max(a, 0.0), min(b, total_hours)))
            day += 1
        return spans

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


def _whose_note(history: list[dict[str, Any]]) -> str:
    """Whose figures the scenario sets side by side, from its own history block (the engine
    names no source of its own)."""
    whose = list(dict.fromkeys(str(h.get("whose", "")).strip() for h in history))
    whose = [w for w in whose if w]
    if len(whose) < 2:
        return ""
    return (
        f"; figures from different hands ({'; '.join(whose)}) are set side by side, not reconciled"
    )


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


def e(text: Any) -> str:
    return html.escape(str(text), quote=True)


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


def plot_sweep(arms: list[ArmSummary], name: str, winner: str, path: Path) -> None:
    """The historical winner's share against a swept coefficient: a colour per variant, a line
    style per combination of the computer player's modes (--compare-ai)."""
    swept = [a for a in arms if name in a.sweep]
    series = list(dict.fromkeys(a.series for a in swept))
    variants = list(dict.fromkeys(a.variant for a in swept))
    modes = list(dict.fromkeys(tuple(a.ai_compare.items()) for a in swept))
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    palette = ["#1f4e9c", "#b03a2e", "#15803d", "#7c3aed", "#d97706", "#0891b2"]
    styles = ["-", "--", ":", "-."]
    for line in series:
        members = [a for a in swept if a.series == line]
        points = sorted((a.sweep[name], a.wins[winner]) for a in members)
        x = np.array([p[0] for p in points])
        share = np.array([p[1][1] for p in points])
        low = np.array([p[1][2] for p in points])
        high = np.array([p[1][3] for p in points])
        color = palette[variants.index(members[0].variant) % len(palette)]
        style = styles[modes.index(tuple(members[0].ai_compare.items())) % len(styles)]
        ax.fill_between(x, low, high, color=color, alpha=0.15 / max(1, len(modes)), lw=0)
        ax.plot(x, share, marker="o", ls=style, color=color, lw=2, ms=4, label=line)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"rules.{name}")
    ax.set_ylabel(f"{winner} wins")
    if len(series) > 4:  # beside the plot, where it hides no line
        ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    elif len(series) > 1:
        ax.legend()
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


# ------------------------------------------------------------------------------- the page


def _badge(summary: MetricSummary, entry: dict[str, Any]) -> tuple[str, str]:
    """How the historical figure sits in the spread: (css class, words)."""
    share = summary.agree_share
    if entry["kind"] in ("bool", "winner") or (
        entry.get("min") is None and entry["kind"] != "count"
    ):
        if share >= 0.5:
            return "good", f"{pct(share)} of battles agree"
        if share >= 0.1:
            return "warn", f"only {pct(share)} of battles agree"
        return "bad", f"{pct(share)} of battles agree"
    if summary.percentile_range is not None:
        a, b = summary.percentile_range
        if share >= 0.25 or (a <= 50 <= b):
            return "good", f"{pct(share)} of battles inside"
        if b < 10 or a > 90:
            side = "above" if a > 90 else "below"
            return "bad", f"history lies {side} 90% of battles"
        return "warn", f"{pct(share)} of battles inside"
    p = summary.percentile
    if p is None or not math.isfinite(p):
        return "warn", "cannot be placed"
    if 10 <= p <= 90:
        return "good", f"at the {p:.0f}th percentile"
    return ("warn" if 2 <= p <= 98 else "bad"), f"at the {p:.0f}th percentile"


def _percentile_text(summary: MetricSummary) -> str:
    if summary.percentile_range is not None:
        a, b = summary.percentile_range
        return f"{a:.0f}–{b:.0f}"
    if summary.percentile is not None and math.isfinite(summary.percentile):
        return f"{summary.percentile:.0f}"
    return "–"


CSS = """
:root { --ink:#22252b; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#fff;
  --amber:#d97706; --good:#15803d; --warn:#b45309; --bad:#b91c1c; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Noto Sans CJK SC", sans-serif; color: var(--ink); background: var(--bg); }
header { background: linear-gradient(120deg, #1e293b, #334155); color: #f8fafc;
  padding: 34px 0 28px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header h1 { margin: 0; font-size: 30px; letter-spacing: .2px; }
header h1 small { font-weight: 400; color: #cbd5e1; margin-left: 10px; font-size: 22px; }
header p { margin: 8px 0 0; color: #cbd5e1; max-width: 900px; }
header .meta { font-size: 13px; color: #94a3b8; margin-top: 12px; }
header code { color: #e2e8f0; background: rgba(255,255,255,.08); padding: 1px 5px;
  border-radius: 4px; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: -22px 0 8px; }
.kpi { background: var(--card); border-radius: 12px; padding: 16px 18px;
  box-shadow: 0 1px 3px rgba(15,23,42,.08), 0 6px 18px rgba(15,23,42,.05); }
.kpi .big { font-size: 30px; font-weight: 700; line-height: 1.1; }
.kpi .label { color: var(--muted); font-size: 13px; margin-top: 4px; }
.kpi .ci { color: var(--muted); font-size: 13px; }
section { background: var(--card); border-radius: 14px; margin: 22px 0; padding: 22px 26px;
  box-shadow: 0 1px 3px rgba(15,23,42,.06); }
section h2 { margin: 0 0 4px; font-size: 20px; }
section .lede { color: var(--muted); margin: 0 0 16px; max-width: 900px; }
img.plot { max-width: 100%; height: auto; display: block; margin: 6px auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 10px;
  display: flex; flex-direction: column; }
.card h3 { margin: 0; font-size: 14.5px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.card .what { color: var(--muted); font-size: 12.5px; min-height: 19px; }
.card img { width: 100%; height: auto; margin: 6px 0 4px; }
.card .nums { display: grid; grid-template-columns: auto 1fr; gap: 0 10px; font-size: 13px; }
.card .nums dt { color: var(--muted); } .card .nums dd { margin: 0; }
.card .src { color: var(--muted); font-size: 11.5px; margin-top: 6px; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 9px;
  border-radius: 999px; margin-top: 8px; align-self: flex-start; }
.badge.good { background: #dcfce7; color: var(--good); }
.badge.warn { background: #fef3c7; color: var(--warn); }
.badge.bad { background: #fee2e2; color: var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; vertical-align: 0; }
code.cmd { display: block; font: 12.5px/1.45 ui-monospace, Menlo, Consolas, monospace;
  background: #0f172a; color: #e2e8f0; padding: 8px 10px; border-radius: 8px;
  white-space: pre-wrap; word-break: break-all; }
.cmdrow { display: flex; gap: 8px; align-items: flex-start; }
.cmdrow code.cmd { flex: 1; }
button.copy { font-size: 12px; border: 1px solid var(--line); background: #fff;
  border-radius: 6px; padding: 5px 10px; cursor: pointer; }
.two { display: grid; grid-template-columns: 1.6fr 1fr; gap: 20px; align-items: start; }
.note { color: var(--muted); font-size: 13px; }
.up { color: var(--good); font-weight: 600; } .down { color: var(--bad); font-weight: 600; }
footer { color: var(--muted); font-size: 13px; padding: 10px 0 40px; }
@media (max-width: 900px) { .kpis { grid-template-columns: repeat(2, 1fr); }
  .two { grid-template-columns: 1fr; } }
"""

SCRIPT = """
document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    navigator.clipboard.writeText(b.dataset.cmd).then(function () {
      b.textContent = 'copied'; setTimeout(function () { b.textContent = 'copy'; }, 1200);
    });
  });
});
"""


def build_report(out: Path, messages: list[str] | None = None) -> Path:
    """Write OUT/report.html and OUT/plots/*.png from OUT/battles/*.parquet; return the path.
    Damaged part files are set aside and skipped, each with a line in `messages`."""
    out = Path(out)
    dataset = read_dataset(out, messages)
    table, metadata = dataset.table, dataset.metadata
    scenario = metadata["scenario"]
    history = metadata["history"]
    sides = scenario["sides"]
    clock = Clock(scenario)
    winner = historical_winner(metadata)
    arms = summarize_arms(table, metadata)
    main = primary(arms)
    ranked = compare_to_baseline(arms, table, metadata)
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    for old in plots.glob("*.png"):
        old.unlink()
    main_rows = table.filter(np.array(table.column("arm").to_pylist()) == main.key)

    with plt.rc_context(STYLE):
        plot_outcomes(arms, sides, winner, plots / "outcomes.png")
        for entry in history:
            values = column_values(main_rows, f"metric.{entry['id']}")
            plot_metric(
                values, entry, main.metrics[entry["id"]], clock, plots / f"metric_{entry['id']}.png"
            )
        plot_men(table, metadata, main.key, clock, plots / "men_by_turn.png")
        matched = np.zeros(main_rows.num_rows)
        from .stats import agrees

        for entry in history:
            matched += agrees(column_values(main_rows, f"metric.{entry['id']}"), entry)
        plot_agreement(matched, len(history), plots / "agreement.png")
        if ranked:
            plot_variants(ranked, winner, plots / "variants.png")
            plot_shifts(ranked, history, plots / "variant_shifts.png")
        swept = sorted({name for a in arms for name in a.sweep})
        for name in swept:
            plot_sweep(arms, name, winner, plots / f"sweep_{name}.png")

    notable = notable_battles(main_rows, metadata)
    for arm in [a for a in arms if a is not main][:12]:
        rows = table.filter(np.array(table.column("arm").to_pylist()) == arm.key)
        for item in notable_battles(rows, metadata)[:1]:
            item.title = f"Median battle of {arm.label}"
            notable.append(item)
    page = _page(dataset, metadata, arms, main, ranked, notable, clock, winner, matched, swept)
    path = out / "report.html"
    write_atomic(path, page)
    return path


def _page(dataset, metadata, arms, main, ranked, notable, clock, winner, matched, swept) -> str:
    scenario = metadata["scenario"]
    history = metadata["history"]
    sides = {s["id"]: s for s in scenario["sides"]}
    total = dataset.rows
    planned = sum(a.planned for a in arms)
    end = clock.start + timedelta(hours=scenario["turns"] * clock.turn_hours)
    parts: list[str] = []
    add = parts.append
    title_zh = f"<small>{e(scenario['title_zh'])}</small>" if scenario.get("title_zh") else ""
    add("<!doctype html><html lang='en'><head><meta charset='utf-8'>")
    add("<meta name='viewport' content='width=device-width, initial-scale=1'>")
    add(f"<title>{e(scenario['title'])}: {total:,} simulated battles</title>")
    add(f"<style>{CSS}</style></head><body>")
    add("<header><div class='wrap'>")
    add(f"<h1>{e(scenario['title'])}{title_zh}</h1>")
    add(f"<p>{e(scenario.get('summary', ''))}</p>")
    add(
        f"<div class='meta'>{total:,} simulated battles"
        f" · {len(arms)} arm{'s' * (len(arms) != 1)}"
        f" · {clock.start:%d %b %Y %H:%M} to {end:%d %b %H:%M}, {scenario['turns']} turns of"
        f" {scenario['turn_minutes']} min · batch seed {metadata.get('batch_seed')}"
        f" · <code>{e(scenario['path'])}</code> (hash {e(scenario['hash'])})"
        + (
            " · computer player: "
            + ", ".join(f"{e(side)} {e(mode)}" for side, mode in main.ai.items())
            if main.ai
            else ""
        )
        + (
            f" · rules version {e(metadata['rules_version'])}"
            if metadata.get("rules_version")
            else ""
        )
        + "</div>"
    )
    add("</div></header><main class='wrap'>")

    # --- key numbers
    known_winner = any(h["kind"] == "winner" for h in history)
    _, p, low, high = main.wins[winner]
    draws = main.wins["draw"][1]
    coverage = f"{total:,}" + (
        f" <span class='ci'>of {planned:,}</span>" if planned > total else ""
    )
    add("<div class='kpis'>")
    add(
        f"<div class='kpi'><div class='big' style='color:{sides.get(winner, {}).get('color', '')}'>"
        f"{pct(p)}</div><div class='ci'>95% CI {pct(low)}–{pct(high)}</div>"
        f"<div class='label'>battles won by <b>{e(winner)}</b>"
        + (", the historical winner" if known_winner else "")
        + f" ({e(main.label)})</div></div>"
    )
    add(
        f"<div class='kpi'><div class='big'>{pct(draws)}</div><div class='ci'>&nbsp;</div>"
        f"<div class='label'>draws: no side met its victory condition alone</div></div>"
    )
    add(
        f"<div class='kpi'><div class='big'>{main.agreement_mean:.1f}"
        f"<span class='ci'> / {len(history)}</span></div><div class='ci'>best battle:"
        f" {int(matched.max()) if matched.size else 0}</div>"
        f"<div class='label'>history metrics matched by the average battle</div></div>"
    )
    add(
        f"<div class='kpi'><div class='big'>{coverage}</div><div class='ci'>"
        f"{dataset.files} Parquet file{'s' * (dataset.files != 1)}</div>"
        f"<div class='label'>battles this report covers"
        + (" (the batch is unfinished: run it again to resume)" if planned > total else "")
        + "</div></div>"
    )
    add("</div>")

    # --- outcomes
    add("<section><h2>Who wins</h2>")
    add(
        "<p class='lede'>Share of battles each side won, per arm. The whisker is the 95% Wilson"
        f" interval of {e(winner)}'s share: how sure the estimate is with this many battles.</p>"
    )
    add("<img class='plot' src='plots/outcomes.png' alt='share of battles won by each side'>")
    add("<table><tr><th>arm</th><th class='num'>battles</th>")
    for side in [*sides, "draw"]:
        add(f"<th class='num'>{e(side)}</th>")
    add("</tr>")
    for arm in arms:
        add(f"<tr><td>{e(arm.label)}</td><td class='num'>{arm.n:,}</td>")
        for side in [*sides, "draw"]:
            _, share, lo, hi = arm.wins[side]
            add(
                f"<td class='num'>{pct(share)} <span class='note'>({pct(lo)}–{pct(hi)})</span></td>"
            )
        add("</tr>")
    add("</table></section>")

    # --- metrics
    add("<section><h2>History inside the spread</h2>")
    add(
        f"<p class='lede'>Each history figure of the scenario beside the distribution of the same"
        f" measure over the {main.n:,} battles of <b>{e(main.label)}</b>. Amber marks the"
        " historical value or range; the dashed line is the simulated median. The percentile"
        " says where the historical figure falls among the battles (50 = the middle).</p>"
    )
    add("<div class='grid'>")
    for entry in history:
        summary = main.metrics[entry["id"]]
        css, words = _badge(summary, entry)
        kind = entry["kind"]
        if kind == "bool":
            shown = "held" if (entry.get("value") or 0) >= 0.5 else "not held"
            history_text = shown
            sim = f"held in {pct(summary.mean)} of battles"
        elif kind == "winner":
            history_text = f"{entry.get('value_text')} wins"
            sim = f"{entry.get('value_text')} wins {pct(summary.mean)}"
        else:
            history_text = fmt_history(entry, clock)
        sim = (
            sim
            if kind in ("bool", "winner")
            else f"{fmt_value(summary.median, kind, clock)}"
            f" <span class='note'>({fmt_value(summary.p10, kind, clock)} –"
            f" {fmt_value(summary.p90, kind, clock)})</span>"
        )
        never = (
            f"<dt>never</dt><dd>{pct(summary.never / max(summary.n, 1))} of battles</dd>"
            if summary.never
            else ""
        )
        add(
            f"<div class='card'><h3>{e(entry['id'])}</h3>"
            f"<div class='what'>{e(entry['label'])}</div>"
            f"<img src='plots/metric_{e(entry['id'])}.png' alt='{e(entry['id'])}' loading='lazy'>"
            f"<dl class='nums'><dt>history</dt><dd><b style='color:var(--amber)'>"
            f"{e(history_text)}</b>"
            f" <span class='note'>({e(entry['whose'])})</span></dd>"
            f"<dt>simulated</dt><dd>{sim}</dd>"
            + (
                f"<dt>percentile</dt><dd>{_percentile_text(summary)}</dd>"
                if kind not in ("bool", "winner")
                else ""
            )
            + f"{never}</dl><span class='badge {css}'>{e(words)}</span>"
            f"<div class='src'>{e(entry['source'])}</div></div>"
        )
    add(
        "<div class='card'><h3>all of them</h3><div class='what'>how many history figures one"
        " battle matches</div><img src='plots/agreement.png' alt='metrics matched per battle'>"
        f"<div class='note'>The average battle matches {main.agreement_mean:.1f} of"
        f" {len(history)}.</div></div>"
    )
    add("</div></section>")

    # --- men by turn
    add("<section><h2>The battle hour by hour</h2>")
    add(
        "<p class='lede'>Men of each side on the map, turn by turn: the median battle and the"
        " band that holds 80% of battles. The dashed curve counts the units a historical"
        " strength figure refers to; the amber diamonds are those figures, with their ranges."
        " Shaded: night.</p>"
    )
    add("<img class='plot' src='plots/men_by_turn.png' alt='men per side by turn'></section>")

    # --- variants
    if ranked:
        add("<section><h2>What-ifs, ranked by how much they move the outcome</h2>")
        add(
            "<p class='lede'>Each arm against the baseline, ranked by the <i>outcome shift</i>:"
            " the share of battles whose result (a win for either side, or a draw) would have"
            " to change to turn the baseline's shares into the arm's. <i>Change</i> is the"
            f" difference in {e(winner)}'s share of wins, with its 95% interval. Battle <i>i</i>"
            " of every arm uses the same seed; <i>flipped</i> counts the pairs with a different"
            " winner (any change sends the dice down another path, so it is rarely 0).</p>"
        )
        add("<img class='plot' src='plots/variants.png' alt='change in outcome per variant'>")
        add(
            "<table><tr><th>#</th><th>arm</th><th class='num'>battles</th>"
            f"<th class='num'>{e(winner)} wins</th><th class='num'>change</th>"
            "<th class='num'>outcome shift</th><th class='num'>flipped</th>"
            "<th>moves most</th></tr>"
        )
        for rank, arm in enumerate(ranked, start=1):
            d, lo, hi = arm.delta
            css = "up" if lo > 0 else "down" if hi < 0 else ""
            moved = ", ".join(f"{e(m)} ({v:+.1f})" for m, v in arm.moved[:3] if abs(v) >= 0.05)
            add(
                f"<tr><td>{rank}</td><td><b>{e(arm.label)}</b><div class='note'>"
                f"{e(arm.description)}</div></td><td class='num'>{arm.n:,}</td>"
                f"<td class='num'>{pct(arm.wins[winner][1])}</td>"
                f"<td class='num'><span class='{css}'>{d:+.1%}</span><div class='note'>"
                f"{lo:+.1%} to {hi:+.1%}</div></td>"
                f"<td class='num'><b>{pct(arm.shift)}</b></td>"
                f"<td class='num'>{pct(arm.flips) if arm.flips is not None else '–'}</td>"
                f"<td class='note'>{moved or 'nothing much'}</td></tr>"
            )
        add("</table>")
        add(
            "<p class='note'>Moves most: the metrics whose median moved furthest, in units of the"
            " baseline's 10–90% spread (for yes/no metrics: the change in the share of yes).</p>"
        )
        add("<img class='plot' src='plots/variant_shifts.png' alt='metric shifts per variant'>")
        add("</section>")

    if swept:
        add("<section><h2>Sweeps</h2>")
        add(
            f"<p class='lede'>{e(winner)}'s share of wins as a rule coefficient varies (band: 95%"
            " Wilson interval).</p><div class='grid'>"
        )
        for name in swept:
            add(f"<div class='card'><h3>rules.{e(name)}</h3><img src='plots/sweep_{e(name)}.png'"
                f" alt='sweep of {e(name)}'></div>")  # fmt: skip
        add("</div></section>")

    # --- replays
    add("<section><h2>Battles worth replaying</h2>")
    add(
        f"<p class='lede'>From <b>{e(main.label)}</b>, then the median battle of every other"
        " arm. Each command replays the battle exactly,"
        " turn by turn, from the scenario file (for a variant, the scenario file the batch"
        " wrote with the overlay applied) and the battle's seed.</p>"
    )
    add(
        "<table><tr><th>battle</th><th class='num'>index</th><th>winner</th>"
        "<th class='num'>turns</th><th>command</th></tr>"
    )
    for item in notable:
        add(
            f"<tr><td><b>{e(item.title)}</b><div class='note'>{e(item.why)}</div></td>"
            f"<td class='num'>{item.index}</td><td>{e(item.winner)}</td>"
            f"<td class='num'>{item.turns}</td><td style='width:58%'><div class='cmdrow'>"
            f"<code class='cmd'>{e(item.replay)}</code>"
            f"<button class='copy' data-cmd='{e(item.replay)}'>copy</button></div></td></tr>"
        )
    add("</table></section>")

    add(
        "<footer>Built by <code>wargame report</code> from the Parquet files in"
        f" <code>battles/</code> alone ({dataset.files} files, {total:,} rows"
        + (f", {dataset.duplicates} duplicate rows dropped" if dataset.duplicates else "")
        + "). One row per battle: see docs/batch.md for the columns. Figures say whose they"
        f" are{_whose_note(metadata['history'])}. Generated {datetime.now():%Y-%m-%d %H:%M}."
        "</footer>"
    )
    add(f"</main><script>{SCRIPT}</script></body></html>")
    return "\n".join(parts)
