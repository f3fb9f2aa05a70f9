"""The rules' coefficients: loaded once from coefficients.yaml, overridden per scenario.

Each coefficient in the file has a value, a unit, a meaning and a source; the rules read the values
as attributes (`c.night_fire_factor`) because attribute access is cheap in the turn loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import SimpleNamespace

import yaml


@dataclass(frozen=True)
class CoefficientInfo:
    name: str
    value: float
    unit: str
    meaning: str
    source: str


@cache
def defaults() -> dict[str, CoefficientInfo]:
    text = resources.files(__package__).joinpath("coefficients.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {
        name: CoefficientInfo(
            name, float(entry["value"]), entry["unit"], entry["meaning"], entry["source"]
        )
        for name, entry in raw.items()
    }


def coefficient_names() -> frozenset[str]:
    return frozenset(defaults())


class Coefficients(SimpleNamespace):
    """Coefficient values by name, as attributes."""

    def as_dict(self) -> dict[str, float]:
        return dict(vars(self))


def coefficients(overrides: Mapping[str, float] | None = None) -> Coefficients:
    """The default values with a scenario's (or a sweep's) overrides applied."""
    values = {name: info.value for name, info in defaults().items()}
    for name, value in (overrides or {}).items():
        if name not in values:
            raise KeyError(f"unknown rule coefficient '{name}'")
        values[name] = float(value)
    return Coefficients(**values)


def share_in_turn(share_per_hour: float, hours: float) -> float:
    """The share of men a per-hour share takes in a turn of `hours`, each hour taking it from
    those the hours before left: 1 - (1 - p) ** hours. Exactly `share_per_hour` in 1-hour turns
    (the subtraction would round it)."""
    if hours == 1.0:
        return share_per_hour
    return 1.0 - (1.0 - share_per_hour) ** hours


def markdown_table() -> str:
    """The coefficient table of docs/rules.md, generated so that it cannot drift from the file."""
    rows = ["| name | value | unit | meaning | source |", "| --- | --- | --- | --- | --- |"]
    for info in defaults().values():
        value = f"{info.value:g}"
        cells = (f"`{info.name}`", value, info.unit, info.meaning, info.source)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


TABLE_MARKER = "<!-- generated: python -m engine.rules.coefficients docs/rules.md -->"


def update_rules_doc(path: str) -> None:
    """Rewrite the generated coefficient table at the end of docs/rules.md (after the marker)."""
    from pathlib import Path

    from ..atomic import write_atomic

    text = Path(path).read_text(encoding="utf-8")
    head = text.split(TABLE_MARKER)[0]
    write_atomic(path, head + TABLE_MARKER + "\n" + markdown_table())


if __name__ == "__main__":
    import sys

    update_rules_doc(sys.argv[1] if len(sys.argv) > 1 else "docs/rules.md")
