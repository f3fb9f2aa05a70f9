"""report.html, its PNG plots and CSV tables, rebuilt from a batch's Parquet files alone.

    build_report(OUT) -> OUT/report.html, with OUT/plots/*.png and OUT/csv/*.csv beside it

The page puts the historical record inside the spread of the simulated battles: who wins and how
surely (Wilson intervals), where each historical figure falls among the battles (its percentile,
the share of battles that match it, the median with its interval), men per side hour by hour
(median and 10-90 % band, the historical points on top), how the estimates settle as battles are
added, the what-if variants ranked by how much they move the outcome (ties shown as ties), sweeps
at full size, and the battles worth replaying with the exact command for each.

Three jobs, three files: stats.py computes, plots.py draws, and templates/report.html.j2 (Jinja2)
lays out the page; this module gathers the numbers into the template's context.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa

from ..atomic import write_atomic
from ..history import ECHO_TEXT
from .plots import (
    STYLE,
    Clock,
    fmt_history,
    fmt_value,
    pct,
    plot_agreement,
    plot_convergence,
    plot_men,
    plot_metric,
    plot_outcomes,
    plot_shifts,
    plot_sweep,
    plot_variants,
)
from .results import read_dataset
from .stats import (
    ArmSummary,
    MetricSummary,
    agrees,
    column_values,
    compare_to_baseline,
    historical_winner,
    notable_battles,
    primary,
    summarize_arms,
)

MAX_ARM_HISTOGRAMS = 40  # arms whose histograms are drawn besides the main one's
CSV_DIR = "csv"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("engine.sim", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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


# ------------------------------------------------------------------------------- the page


# What a yes/no metric's "yes" says on a card.
_BOOL_WORDS = {"position_held": "held", "position_lost": "lost", "attack_repelled": "repelled"}


def _badge(summary: MetricSummary, entry: dict[str, Any]) -> tuple[str, str]:
    """How the historical figure sits in the spread: (css class, words)."""
    share = summary.agree_share
    if entry.get("echo"):
        return "warn", ECHO_TEXT
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


def _rows_of(table: pa.Table, key: str) -> pa.Table:
    return table.filter(np.array(table.column("arm").to_pylist()) == key)


def _slug(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key)


def build_report(out: Path, messages: list[str] | None = None) -> Path:
    """Write OUT/report.html, OUT/plots/*.png and OUT/csv/*.csv from OUT/battles/*.parquet;
    return the page's path. Damaged part files are set aside and skipped, each with a line in
    `messages`."""
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
    main_rows = _rows_of(table, main.key)
    swept = sorted({name for a in arms for name in a.sweep})
    defaults = _sweep_defaults(metadata, swept)
    others = [a for a in arms if a is not main][:MAX_ARM_HISTOGRAMS]

    with plt.rc_context(STYLE):
        plot_outcomes(arms, sides, winner, plots / "outcomes.png")
        metric_values = {}
        for entry in history:
            values = column_values(main_rows, f"metric.{entry['id']}")
            metric_values[entry["id"]] = values
            plot_metric(
                values, entry, main.metrics[entry["id"]], clock, plots / f"metric_{entry['id']}.png"
            )
        for arm in others:
            rows = _rows_of(table, arm.key)
            for entry in history:
                plot_metric(
                    column_values(rows, f"metric.{entry['id']}"), entry,
                    arm.metrics[entry["id"]], clock,
                    plots / f"metric_{entry['id']}__{_slug(arm.key)}.png",
                )  # fmt: skip
        plot_men(table, metadata, main.key, clock, plots / "men_by_turn.png")
        matched = np.zeros(main_rows.num_rows)
        for entry in history:
            matched += agrees(metric_values[entry["id"]], entry)
        tested = sum(not entry.get("echo") for entry in history)  # inputs are no test
        plot_agreement(matched, tested, plots / "agreement.png")
        plot_convergence(
            np.array(main_rows.column("winner").to_pylist(), dtype=object),
            metric_values, history, winner, plots / "convergence.png", clock,
        )  # fmt: skip
        if ranked:
            plot_variants(ranked, winner, plots / "variants.png")
            plot_shifts(ranked, history, plots / "variant_shifts.png")
        plain = main if not main.sweep and main.variant == "baseline" else None
        for name in swept:
            plot_sweep(
                arms, name, winner, plots / f"sweep_{name}.png", history=history,
                default=defaults.get(name), baseline=plain, clock=clock,
            )  # fmt: skip

    notable = notable_battles(main_rows, metadata)
    for arm in [a for a in arms if a is not main][:12]:
        for item in notable_battles(_rows_of(table, arm.key), metadata)[:1]:
            item.title = f"Median battle of {arm.label}"
            notable.append(item)
    csv_files = write_csv(out, table, arms, metadata)
    context = _context(
        dataset, metadata, arms, main, ranked, notable, clock, winner, matched, swept, defaults
    )
    context["others"] = [{"label": a.label, "slug": _slug(a.key), "n": a.n} for a in others]
    context["others_left"] = max(0, len(arms) - 1 - len(others))
    context["csv_files"] = [p.relative_to(out).as_posix() for p in csv_files]
    context["sensitivity"] = _sensitivity(out)
    page = _TEMPLATES.get_template("report.html.j2").render(context)
    path = out / "report.html"
    write_atomic(path, page)
    return path


def _sensitivity(out: Path) -> dict[str, Any] | None:
    """OUT/sensitivity/sensitivity.json (`wargame batch --sensitivity`, docs/sensitivity.md) as
    the section's text: its one-line headlines, the command, and the tornado charts it drew."""
    folder = out / "sensitivity"
    try:
        data = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
        headlines = list(data["headline"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    charts = sorted(p.relative_to(out).as_posix() for p in folder.glob("tornado_*.png"))
    return {
        "headlines": headlines,
        "command": data.get("command", ""),
        "charts": charts,
        "games": data.get("games_per_point", "?"),
        "top": len(data.get("top") or []),
    }


def _sweep_defaults(metadata: dict[str, Any], swept: list[str]) -> dict[str, float]:
    """The default value of each swept coefficient, as the batch recorded it (older batches:
    coefficients.yaml's value now)."""
    found = dict(metadata.get("sweep_defaults") or {})
    missing = [name for name in swept if name not in found]
    if missing:
        from ..rules.coefficients import defaults

        table = defaults()
        found.update({name: table[name].value for name in missing if name in table})
    return found


# ------------------------------------------------------------------------------------ CSV


def write_csv(
    out: Path, table: pa.Table, arms: list[ArmSummary], metadata: dict[str, Any]
) -> list[Path]:
    """OUT/csv/battles.csv (every battle row; list columns as JSON arrays) and OUT/csv/arms.csv
    (one row per arm: win shares with intervals, each metric's median with its interval and
    10-90 % spread), for spreadsheets and tools that do not read Parquet."""
    folder = out / CSV_DIR
    battles = io.StringIO()
    writer = csv.writer(battles, lineterminator="\n")
    names = table.column_names
    writer.writerow(names)
    columns = [table.column(name).to_pylist() for name in names]
    for i in range(table.num_rows):
        writer.writerow([_cell(column[i]) for column in columns])
    sides = [s["id"] for s in metadata["scenario"]["sides"]]
    summary = io.StringIO()
    writer = csv.writer(summary, lineterminator="\n")
    head = ["arm", "label", "variant", "sweep", "battles", "rank", "tied"]
    for side in [*sides, "draw"]:
        head += [f"{side}_share", f"{side}_low", f"{side}_high"]
    for entry in metadata["history"]:
        m = entry["id"]
        head += [f"{m}_median", f"{m}_median_low", f"{m}_median_high", f"{m}_p10", f"{m}_p90"]
        head += [f"{m}_agree_share"]
    writer.writerow(head)
    for arm in arms:
        row: list[Any] = [arm.key, arm.label, arm.variant, json.dumps(arm.sweep), arm.n]
        row += [arm.rank or "", int(arm.tied)]
        for side in [*sides, "draw"]:
            row += [_cell(v) for v in arm.wins[side][1:]]
        for entry in metadata["history"]:
            s = arm.metrics[entry["id"]]
            row += [_cell(v) for v in (s.median, *s.median_ci, s.p10, s.p90, s.agree_share)]
        writer.writerow(row)
    paths = [folder / "battles.csv", folder / "arms.csv"]
    write_atomic(paths[0], battles.getvalue())
    write_atomic(paths[1], summary.getvalue())
    return paths


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return value


# ---------------------------------------------------------------------------- the context


def _context(
    dataset, metadata, arms, main, ranked, notable, clock, winner, matched, swept, defaults
) -> dict[str, Any]:
    """Everything the page shows, as display-ready text: the template only lays it out."""
    scenario = metadata["scenario"]
    history = metadata["history"]
    sides = {s["id"]: s for s in scenario["sides"]}
    total = dataset.rows
    planned = sum(a.planned for a in arms)
    end = clock.start + timedelta(hours=scenario["turns"] * clock.turn_hours)
    _, p, low, high = main.wins[winner]
    cards = []
    for entry in history:
        summary = main.metrics[entry["id"]]
        css, words = _badge(summary, entry)
        kind = entry["kind"]
        median_ci = None
        if kind == "bool":
            word = _BOOL_WORDS.get(entry.get("metric"), "held")
            history_text = word if (entry.get("value") or 0) >= 0.5 else f"not {word}"
            sim = f"{word} in {pct(summary.mean)} of battles"
            spread = ""
        elif kind == "winner":
            history_text = f"{entry.get('value_text')} wins"
            sim = f"{entry.get('value_text')} wins {pct(summary.mean)}"
            spread = ""
        else:
            history_text = fmt_history(entry, clock)
            sim = fmt_value(summary.median, kind, clock)
            spread = (
                f"10–90%: {fmt_value(summary.p10, kind, clock)} –"
                f" {fmt_value(summary.p90, kind, clock)}"
            )
            median_ci = (
                f"{fmt_value(summary.median_ci[0], kind, clock)} –"
                f" {fmt_value(summary.median_ci[1], kind, clock)}"
            )
        cards.append(
            {
                "id": entry["id"],
                "label": entry["label"],
                "history": history_text,
                "whose": entry["whose"],
                "sim": sim,
                "spread": spread,
                "median_ci": median_ci,
                "percentile": _percentile_text(summary) if kind not in ("bool", "winner") else None,
                "never": pct(summary.never / max(summary.n, 1)) if summary.never else None,
                "badge": css,
                "words": words,
                "source": entry["source"],
            }
        )
    wins_rows = [
        {
            "label": arm.label,
            "n": f"{arm.n:,}",
            "cells": [
                f"{pct(arm.wins[s][1])}|({pct(arm.wins[s][2])}–{pct(arm.wins[s][3])})"
                for s in [*sides, "draw"]
            ],
        }
        for arm in arms
    ]
    ranking = []
    for arm in ranked:
        d, lo, hi = arm.delta
        ranking.append(
            {
                "rank": f"={arm.rank}" if arm.tied else str(arm.rank),
                "tied": arm.tied,
                "label": arm.label,
                "description": arm.description,
                "n": f"{arm.n:,}",
                "share": pct(arm.wins[winner][1]),
                "css": "up" if lo > 0 else "down" if hi < 0 else "",
                "change": f"{d:+.1%}",
                "interval": f"{lo:+.1%} to {hi:+.1%}",
                "shift": pct(arm.shift),
                "flips": pct(arm.flips) if arm.flips is not None else "–",
                "moved": ", ".join(f"{m} ({v:+.1f})" for m, v in arm.moved[:3] if abs(v) >= 0.05)
                or "nothing much",
            }
        )
    meta = [
        f"{total:,} simulated battles",
        f"{len(arms)} arm{'s' * (len(arms) != 1)}",
        f"{clock.start:%d %b %Y %H:%M} to {end:%d %b %H:%M}, {scenario['turns']} turns of"
        f" {scenario['turn_minutes']} min",
        f"batch seed {metadata.get('batch_seed')}",
    ]
    if main.ai:
        meta.append("computer player: " + ", ".join(f"{s} {m}" for s, m in main.ai.items()))
    if metadata.get("rules_version"):
        meta.append(f"rules version {metadata['rules_version']}")
    return {
        "css": _TEMPLATES.loader.get_source(_TEMPLATES, "report.css")[0],
        "script": _TEMPLATES.loader.get_source(_TEMPLATES, "report.js")[0],
        "scenario": scenario,
        "meta": meta,
        "total": f"{total:,}",
        "planned": f"{planned:,}",
        "unfinished": planned > total,
        "files": dataset.files,
        "duplicates": dataset.duplicates,
        "winner": winner,
        "winner_color": sides.get(winner, {}).get("color", ""),
        "known_winner": any(h["kind"] == "winner" for h in history),
        "main": {"label": main.label, "n": f"{main.n:,}"},
        "p": pct(p),
        "ci": f"{pct(low)}–{pct(high)}",
        "draws": pct(main.wins["draw"][1]),
        "agreement": f"{main.agreement_mean:.1f}",
        "best": int(matched.max()) if matched.size else 0,
        "history_count": sum(not entry.get("echo") for entry in history),  # inputs: no test
        "sides": list(sides),
        "wins_rows": wins_rows,
        "cards": cards,
        "ranking": ranking,
        "any_ties": any(arm.tied for arm in ranked),
        "sweeps": [
            {
                "name": name,
                "default": repr(defaults[name]) if name in defaults else None,
                "values": sorted({a.sweep[name] for a in arms if name in a.sweep}),
            }
            for name in swept
        ],
        "notable": notable,
        "whose_note": _whose_note(history),
        "generated": f"{datetime.now():%Y-%m-%d %H:%M}",
    }
