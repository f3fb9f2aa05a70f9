"""The generated part of docs/rules.md: the table of every rule coefficient with its value,
allowed values, unit, meaning and source, written from coefficients.yaml so that it cannot drift
from the file.

    python -m engine.docs_tools docs/rules.md
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .rules.coefficients import defaults

PUBLISHED_FIT = Path(__file__).resolve().parent.parent / "docs" / "fit" / "posterior.json"


def _fitted() -> dict[str, str]:
    """Each coefficient's posterior median and 90 % interval from the published fit
    (docs/fit/posterior.json, written by `wargame fit`; docs/fit.md), when there is one."""
    if not PUBLISHED_FIT.exists():
        return {}
    from .fit.posterior import read_posterior

    intervals = read_posterior(PUBLISHED_FIT).meta.get("intervals", {})
    return {name: f"{i['p50']:.3g} ({i['p5']:.3g}–{i['p95']:.3g})" for name, i in intervals.items()}


def markdown_table() -> str:
    """The coefficient table of docs/rules.md, generated so that it cannot drift from the file:
    with each coefficient's prior (coefficients.yaml) and, when the published fit fitted it,
    its posterior median and 90 % credible interval."""
    from .fit.priors import load_priors

    priors, fitted = load_priors(), _fitted()
    rows = [
        "| name | value | allowed | unit | meaning | source | prior | fitted: median (90 %) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for info in defaults().values():
        value = f"{info.value:g}"
        prior = priors[info.name].text() if info.name in priors else ""
        cells = (
            f"`{info.name}`",
            value,
            info.allowed,
            info.unit,
            info.meaning,
            info.source,
            prior,
            fitted.get(info.name, ""),
        )
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


TABLE_MARKER = "<!-- generated: python -m engine.docs_tools docs/rules.md -->"
# the marker before the writer left engine/rules (a docs/rules.md written then is still found)
OLD_MARKERS = ("<!-- generated: python -m engine.rules.coefficients docs/rules.md -->",)


def update_rules_doc(path: str) -> None:
    """Rewrite the generated coefficient table at the end of docs/rules.md (after the marker)."""
    text = Path(path).read_text(encoding="utf-8")
    for marker in OLD_MARKERS:
        text = text.replace(marker, TABLE_MARKER)
    head = text.split(TABLE_MARKER)[0]
    write_atomic(path, head + TABLE_MARKER + "\n" + markdown_table())


if __name__ == "__main__":
    import sys

    update_rules_doc(sys.argv[1] if len(sys.argv) > 1 else "docs/rules.md")
