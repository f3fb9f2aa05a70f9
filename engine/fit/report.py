"""The fit report: OUT/report.md and OUT/report.html, and their plots in OUT/plots/.

What it holds (docs/fit.md, "The report"):
- each coefficient: its value today, its prior with its 90 % interval, the posterior's median
  and 90 % credible interval (weighted quantiles of the last generation), and how much of the
  prior's width is left;
- the fit set: each statistic's observed value beside the posterior predictive spread (the
  accepted particles' own simulated statistics, as pyabc stored them: no game is played again);
- how the fit converged: per generation epsilon, simulations, acceptance rate and time;
- plots drawn by pyabc's visualization: the marginals and pair plots of the last generation
  (`plot_kde_matrix_highlevel`), the credible intervals over the generations
  (`plot_credible_intervals`), epsilon and acceptance rate by generation;
- the held-out tables when the fit was given `--holdout` scenarios (holdout.py);
- the command that reproduces the fit, and the time it took.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_atomic
from ..rules.coefficients import defaults
from .posterior import Posterior
from .priors import Prior
from .run import generations_of

Table = tuple[list[str], list[list[str]]]


def _number(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


def coefficient_table(priors: Sequence[Prior], posterior: Posterior) -> Table:
    infos = defaults()
    rows = []
    for prior in priors:
        interval = posterior.meta["intervals"][prior.name]
        lo, hi = prior.quantile(0.05), prior.quantile(0.95)
        left = (interval["p95"] - interval["p5"]) / (hi - lo) if hi > lo else math.nan
        rows.append(
            [
                f"`{prior.name}`",
                _number(infos[prior.name].value),
                prior.text(),
                f"{_number(lo)}–{_number(hi)}",
                _number(interval["p50"]),
                f"{_number(interval['p5'])}–{_number(interval['p95'])}",
                f"{left:.0%}" if math.isfinite(left) else "–",
            ]
        )
    header = [
        "coefficient",
        "today",
        "prior",
        "prior 90 %",
        "posterior median",
        "posterior 90 %",
        "width left",
    ]
    return header, rows


def fit_set_table(history, observed: dict[str, float]) -> Table:
    weights, stats = history.get_weighted_sum_stats(t=history.max_t)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    rows = []
    for name, value in observed.items():
        values = np.array([float(s[name]) for s in stats])
        order = np.argsort(values)
        cumulative = np.cumsum(w[order])
        p10, p50, p90 = (
            float(values[order][np.searchsorted(cumulative, q)]) for q in (0.1, 0.5, 0.9)
        )
        rows.append([f"`{name}`", _number(value), _number(p10), _number(p50), _number(p90)])
    return ["statistic", "observed", "p10", "p50", "p90"], rows


def convergence_table(history) -> Table:
    rows = [
        [
            str(g.t),
            _number(g.epsilon),
            str(g.simulations),
            f"{g.acceptance:.1%}",
            "–" if not math.isfinite(g.seconds) else f"{g.seconds:.0f}",
        ]
        for g in generations_of(history)
    ]
    return ["generation", "epsilon", "simulations", "acceptance", "seconds"], rows


def markdown_table(table: Table) -> str:
    header, rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(table: Table) -> str:
    header, rows = table
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c.strip('`'))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>\n{body}</table>"


def plots(history, priors: Sequence[Prior], folder: Path) -> list[tuple[str, str]]:
    """pyabc's plots of the fit, as PNG files; (caption, path relative to the report)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pyabc import visualization as vis

    folder.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, str]] = []
    names = [p.name for p in priors]
    limits = {
        p.name: (p.low, p.high if math.isfinite(p.high) else p.quantile(0.99)) for p in priors
    }
    defaults_ = {n: defaults()[n].value for n in names}

    def save(figure, name: str, caption: str) -> None:
        path = folder / f"{name}.png"
        figure.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(figure)
        made.append((caption, f"plots/{name}.png"))

    if len(names) > 1:
        arr = vis.plot_kde_matrix_highlevel(history, limits=limits, refval=defaults_)
        figure = np.asarray(arr).flat[0].figure
        save(
            figure,
            "pairs",
            "Marginals (diagonal) and pair plots of the posterior, last"
            " generation; orange: today's value",
        )
    else:
        ax = vis.plot_kde_1d_highlevel(
            history,
            names[0],
            xmin=limits[names[0]][0],
            xmax=limits[names[0]][1],
            refval=defaults_,
        )
        save(ax.figure, "pairs", "Marginal of the posterior, last generation")
    arr = vis.plot_credible_intervals(
        history, levels=[0.5, 0.9], refval=defaults_, size=(6, 2.2 * len(names))
    )
    save(
        np.asarray(arr).flat[0].figure,
        "intervals",
        "Median and 50 %/90 % credible intervals by generation (convergence); orange: today",
    )
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    vis.plot_epsilons(history, ax=axes[0])
    vis.plot_acceptance_rates_trajectory(history, ax=axes[1])
    save(figure, "convergence", "Epsilon and acceptance rate by generation")
    return made


def write_report(
    out: Path,
    *,
    history,
    priors: Sequence[Prior],
    posterior: Posterior,
    observed: dict[str, float],
    fit_set: str,
    command: str,
    elapsed: float,
    holdout: Sequence[tuple[str, str]] = (),
) -> Path:
    """OUT/report.md and OUT/report.html (atomically); returns the HTML's path."""
    images = plots(history, priors, out / "plots")
    sections: list[tuple[str, Table | str]] = [
        ("Coefficients", coefficient_table(priors, posterior)),
        ("Fit set: observed against the posterior predictive", fit_set_table(history, observed)),
        ("Convergence", convergence_table(history)),
    ]
    sections += [(f"Held out: {name}", text) for name, text in holdout]
    done = generations_of(history)
    sampling = sum(g.seconds for g in done if math.isfinite(g.seconds))
    summary = (
        f"Fit set: {fit_set}. {len(done)} generations, {posterior.meta.get('simulations')}"
        f" simulations, {sampling:.0f} s of sampling (pyabc's wall time per generation, over"
        f" every run of a resumed fit); the last command took {elapsed:.0f} s. Posterior:"
        f" {len(posterior.weights)} particles (posterior.json)."
    )
    md = [
        f"# Fit of {', '.join(p.name for p in priors)}",
        "",
        summary,
        "",
        f"Reproduce: `{command}`",
        "",
    ]
    body = [
        f"<h1>Fit of {html.escape(', '.join(p.name for p in priors))}</h1>",
        f"<p>{html.escape(summary)}</p>",
        f"<p>Reproduce: <code>{html.escape(command)}</code></p>",
    ]
    for title, content in sections:
        md += [f"## {title}", ""]
        body.append(f"<h2>{html.escape(title)}</h2>")
        if isinstance(content, str):
            md += [content, ""]
            body.append(f"<pre>{html.escape(content)}</pre>")
        else:
            md += [markdown_table(content), ""]
            body.append(_html_table(content))
    md += ["## Plots", ""]
    body.append("<h2>Plots</h2>")
    for caption, path in images:
        md += [f"![{caption}]({path})", ""]
        body.append(
            f"<figure><img src='{html.escape(path)}' alt=''><figcaption>"
            f"{html.escape(caption)}</figcaption></figure>"
        )
    write_atomic(out / "report.md", "\n".join(md))
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Fit</title><style>"
        "body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:3px 8px;"
        "text-align:left}img{max-width:100%}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
    write_atomic(out / "report.html", page)
    return out / "report.html"


def report_data(posterior: Posterior) -> dict[str, Any]:
    """The intervals as plain data (for docs/rules.md and other readers)."""
    return dict(posterior.meta.get("intervals", {}))
