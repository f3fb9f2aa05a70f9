"""The bench's report: a table on the terminal (rich) and reference.html with its plots
(matplotlib, PNG files in `plots/` beside the page). Every figure shows its spread and the number
of battles and games behind it; the verdict column names the band it misses and by how much.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from ..atomic import write_atomic
from ..sim.report import STYLE
from .bench import Figure, Results
from .coefficients import describe
from .data import POSTURES

ENGINE = "#2563eb"
RECORD = "#d97706"  # amber, as the batch report marks history
DPI = 120


def verdict(figure: Figure) -> str:
    if figure.ok is None:
        return "—"
    return "pass" if figure.ok else f"FAIL {figure.off}".rstrip()


def print_table(results: Results, console: Any = None) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 160)
    title = "wargame reference: engine against reference"
    if results.overrides:  # a fit on the bench: say what was changed, above every figure
        title += f"\ncoefficients changed: {describe(results.overrides)}"
    table = Table(title=title, show_lines=False)
    for name in ("check", "figure", "engine", "reference", "behind it", "verdict"):
        table.add_column(name, overflow="fold")
    for f in results.figures:
        style = "red" if f.ok is False else ("green" if f.ok else "dim")
        table.add_row(f.check, f.name, f.engine, f.reference, f.n, verdict(f), style=style)
    console.print(table)


def markdown_table(results: Results) -> str:
    """The figures as a Markdown table (OUT/figures.md), so that a page quoting today's figures
    (docs/reference.md) is pasted from the bench's own output rather than copied by hand."""
    rows = ["| check | figure | engine | reference | behind it | verdict |", "|---" * 6 + "|"]
    for f in results.figures:
        cells = (f.check, f.name, f.engine, f.reference, f.n, verdict(f))
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    failures, judged = len(results.failures), sum(f.ok is not None for f in results.figures)
    rows.append("")
    rows.append(f"{failures} of {judged} judged figures outside their band.")
    if results.overrides:
        rows.append(f"Coefficients changed: {describe(results.overrides)}.")
    return "\n".join(rows) + "\n"


def _save(fig: Any, folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp.png")
    fig.savefig(temporary, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    os.replace(temporary, path)
    return f"plots/{path.name}"


def _box(ax: Any, pairs: list[tuple[list[float], list[float]]], labels: list[str], log: bool):
    """Engine and record side by side for each label: boxes of the 25-75 % range, whiskers
    10-90 %, the median line; the count under each."""
    for k, (engine, record) in enumerate(pairs):
        for offset, values, colour in ((-0.18, engine, ENGINE), (0.18, record, RECORD)):
            values = [v for v in values if np.isfinite(v) and (v > 0 or not log)]
            if not values:
                continue
            ax.boxplot(
                [values],
                positions=[k + offset],
                widths=0.3,
                whis=(10, 90),
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": colour, "alpha": 0.45, "edgecolor": colour},
                medianprops={"color": colour},
                whiskerprops={"color": colour},
                capprops={"color": colour},
            )
            ax.annotate(
                f"n={len(values)}",
                (k + offset, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=6,
            )
    ax.set_xticks(range(len(labels)), labels)
    if log:
        ax.set_yscale("log")
    ax.plot([], [], color=ENGINE, lw=6, alpha=0.45, label="engine")
    ax.plot([], [], color=RECORD, lw=6, alpha=0.45, label="CDB90 record")
    ax.legend(frameon=False, fontsize=7)


def plots(results: Results, folder: Path) -> list[tuple[str, str]]:
    """(caption, relative path) of each plot written."""
    out: list[tuple[str, str]] = []
    with plt.rc_context(STYLE):
        data = results.plots.get("cdb90") or {}
        if data.get("rates"):
            fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
            for ax, side in zip(axes, ("attacker", "defender"), strict=True):
                pairs = [data["rates"].get((p, side), ([], [])) for p in POSTURES]
                scaled = [([100 * v for v in e], [100 * v for v in r]) for e, r in pairs]
                _box(ax, scaled, list(POSTURES), log=True)
                ax.set_title(f"{side} casualties, % of strength per day")
            out.append(
                (
                    "Casualty rates per day by defender posture (box 25–75 %, whiskers"
                    " 10–90 %; n = battles: the engine's value of a battle is the median of its"
                    " seeds)",
                    _save(fig, folder, "cdb90_rates"),
                )
            )
        if data.get("ler"):
            fig, ax = plt.subplots(figsize=(6, 3.6))
            _box(ax, [data["ler"][p] for p in POSTURES], list(POSTURES), log=True)
            ax.set_title("loss-exchange ratio (attacker's losses per defender's)")
            out.append(("Loss-exchange ratio by defender posture", _save(fig, folder, "cdb90_ler")))
        if data.get("success"):
            fig, ax = plt.subplots(figsize=(6, 3.6))
            labels = list(data["success"])
            for offset, index, colour, name in (
                (-0.1, 0, ENGINE, "engine"),
                (0.1, 1, RECORD, "CDB90 record"),
            ):
                xs, ys, lo, hi = [], [], [], []
                for k, label in enumerate(labels):
                    share = data["success"][label][index]
                    if np.isnan(share[0]):
                        continue
                    xs.append(k + offset)
                    ys.append(share[0])
                    lo.append(share[0] - share[1])
                    hi.append(share[2] - share[0])
                ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", color=colour, capsize=3, label=name)
            ax.set_xticks(
                range(len(labels)), [f"{lab}\n{data['success'][lab][2]} b." for lab in labels]
            )
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel("force ratio (attacker / defender men); b. = battles")
            ax.set_title("attacker success, 95 % Wilson (engine: effective n)", fontsize=10)
            ax.legend(frameon=False, fontsize=7)
            out.append(("Attacker success by force ratio", _save(fig, folder, "cdb90_success")))
        lan = results.plots.get("lanchester") or {}
        if lan:
            fig, ax = plt.subplots(figsize=(5, 3.4))
            rs = sorted(lan)
            ax.bar(
                [r - 0.15 for r in rs],
                [lan[r][0] for r in rs],
                0.3,
                color=ENGINE,
                label="engine survivors",
            )
            ax.bar(
                [r + 0.15 for r in rs],
                [lan[r][1] for r in rs],
                0.3,
                color=RECORD,
                label="square law (the form bands.yaml judges)",
            )
            ax.scatter(
                [r + 0.15 for r in rs],
                [lan[r][6] for r in rs],
                marker="_",
                s=300,
                color="#111827",
                zorder=3,
                label="law to the loser's break",
            )
            ax.set_xticks(rs, [f"{r:g}:1\n{lan[r][4]}/{lan[r][5]} to the end" for r in rs])
            ax.set_ylabel("winner's men left")
            ax.set_title("Lanchester fire fight")
            ax.legend(frameon=False, fontsize=7)
            out.append(
                (
                    "Pure fire fight against the square law (mean of the games)",
                    _save(fig, folder, "lanchester"),
                )
            )
        turn = results.plots.get("turn_length") or {}
        if turn:
            fig, ax = plt.subplots(figsize=(5, 3.4))
            ms = sorted(turn)
            for k, marker, colour, name in (
                (0, "o-", ENGINE, "attacker losses"),
                (1, "s-", "#7c3aed", "defender losses"),
            ):
                ax.errorbar(
                    ms,
                    [turn[m][k] for m in ms],
                    yerr=[turn[m][5][k] for m in ms],
                    fmt=marker,
                    color=colour,
                    capsize=3,
                    label=f"{name} (±95 %)",
                )
            top = max(turn[m][k] + turn[m][5][k] for m in ms for k in (0, 1))
            ax.set_ylim(0, 1.3 * top)  # from zero: a 5 % difference looks like 5 %
            ax.set_xscale("log", base=2)
            ax.set_xticks(ms, [str(m) for m in ms])
            ax.set_xlabel(f"turn minutes ({turn[ms[0]][3]} games each)")
            ax.set_ylabel("mean men lost")
            twin = ax.twinx()
            twin.plot(ms, [turn[m][2] for m in ms], "d--", color=RECORD, label="attacker wins")
            twin.set_ylim(-0.02, 1.02)
            twin.set_ylabel("attacker win share")
            ax.legend(frameon=False, fontsize=7, loc="upper left")
            twin.legend(frameon=False, fontsize=7, loc="lower right")
            ax.set_title("one battle at four turn lengths")
            out.append(("Turn length", _save(fig, folder, "turn_length")))
            out.append(
                (
                    "Turn length: mean losses by cause (fire, bombardment, assault, other:"
                    " surrender on rout and the like)",
                    _save(_causes_figure(turn), folder, "turn_length_causes"),
                )
            )
        ratio = results.plots.get("force_ratio") or {}
        if ratio:
            fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
            # distinct markers and dashes: two postures may give the same curve (hasty, delay)
            styles = dict(
                zip(POSTURES, (("o", "-"), ("s", "--"), ("^", "-."), ("x", ":")), strict=True)
            )
            for posture, (xs, wins, lers, n, intervals) in ratio.items():
                marker, dash = styles.get(posture, ("o", "-"))
                style = {"marker": marker, "ls": dash, "ms": 4}
                line = axes[0].plot(xs, wins, **style, label=f"{posture} ({n} games/pt)")
                axes[0].fill_between(
                    xs,
                    [i[1] for i in intervals],
                    [i[2] for i in intervals],
                    color=line[0].get_color(),
                    alpha=0.07,
                    lw=0,
                )
                axes[1].plot(xs, lers, **style, label=posture)
            axes[0].set_title("attacker success (shade: 95 % Wilson)")
            axes[0].set_ylim(-0.02, 1.02)
            axes[1].set_title("loss-exchange ratio (att/def)")
            axes[1].set_yscale("log")
            for ax in axes:
                ax.set_xlabel("force ratio")
                ax.legend(frameon=False, fontsize=7)
            out.append(
                ("Force-ratio curves by defender posture", _save(fig, folder, "force_ratio"))
            )
    return out


CAUSE_COLOURS = {
    "fire": "#2563eb",
    "bombardment": "#d97706",
    "assault": "#b91c1c",
    "other": "#9ca3af",
}


def _causes_figure(turn: dict[int, Any]) -> Any:
    """Stacked bars of each side's mean losses by cause at each turn length."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    ms = sorted(turn)
    for ax, (k, side) in zip(axes, (("a", "attacker"), ("d", "defender")), strict=True):
        bottom = np.zeros(len(ms))
        for cause, colour in CAUSE_COLOURS.items():
            heights = np.array([turn[m][4][k][cause] for m in ms])
            ax.bar([str(m) for m in ms], heights, 0.6, bottom=bottom, color=colour, label=cause)
            bottom += heights
        ax.set_title(f"{side}'s losses by cause")
        ax.set_xlabel(f"turn minutes ({turn[ms[0]][3]} games each)")
    axes[0].set_ylabel("mean men lost")
    axes[1].legend(frameon=False, fontsize=7)
    return fig


def write_html(results: Results, folder: Path, *, title: str, command: str, elapsed: float) -> Path:
    """reference.html in `folder`, with its plots, written atomically."""
    figures = plots(results, folder / "plots")
    rows = "\n".join(
        ("<tr class='{}'>" + "<td>{}</td>" * 6 + "</tr>").format(
            {True: "pass", False: "fail", None: "none"}[f.ok],
            *(html.escape(x) for x in (f.check, f.name, f.engine, f.reference, f.n, verdict(f))),
        )
        for f in results.figures
    )
    images = "\n".join(
        f"<figure><img src='{html.escape(path)}' alt='{html.escape(caption)}'>"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for caption, path in figures
    )
    failed = len(results.failures)
    judged = sum(f.ok is not None for f in results.figures)
    changed = (
        f"<p><strong>Rule coefficients changed for this run:</strong>"
        f" <code>{html.escape(describe(results.overrides))}</code></p>"
        if results.overrides
        else "<p>Rule coefficients: the defaults (<code>engine/rules/coefficients.yaml</code>).</p>"
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; color: #22252b; max-width: 1100px; margin: 2em auto;
  padding: 0 1em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12px; }}
td, th {{ border-bottom: 1px solid #e6e8ec; padding: 3px 6px; text-align: left;
  vertical-align: top; }}
tr.fail td:last-child {{ color: #b91c1c; }} tr.pass td:last-child {{ color: #15803d; }}
figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; }} code {{ background: #f3f4f6; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Command: <code>{html.escape(command)}</code>; {elapsed:.1f} s. {failed} of {judged} judged
figures fall outside their band (bands and their sources:
<code>engine/reference/data/bands.yaml</code>; method: <code>docs/reference.md</code>).
Data: CAA Database of Battles 1990 (CDB90), tidy version jrnold/CDB90, ODC-BY.</p>
{changed}
<table><tr><th>check</th><th>figure</th><th>engine</th><th>reference</th><th>behind it</th>
<th>verdict</th></tr>
{rows}
</table>
{images}
</body></html>
"""
    path = folder / "reference.html"
    write_atomic(path, page)
    return path
