"""The generated part of docs/rules.md: the table of every rule coefficient with its value,
allowed values, unit, meaning and source, written from coefficients.yaml so that it cannot drift
from the file.

    python -m engine.docs_tools docs/rules.md
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .rules.coefficients import defaults


def markdown_table() -> str:
    """The coefficient table of docs/rules.md, generated so that it cannot drift from the file."""
    rows = [
        "| name | value | allowed | unit | meaning | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for info in defaults().values():
        value = f"{info.value:g}"
        cells = (f"`{info.name}`", value, info.allowed, info.unit, info.meaning, info.source)
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
