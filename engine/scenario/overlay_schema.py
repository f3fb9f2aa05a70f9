"""The JSON Schema of what-if overlays, generated from a model of the overlay file.

overlay.py reads overlays by hand (to locate every problem at file:line:col); this model states
the same format for editors: `wargame schema --overlay` prints it, docs/overlay.schema.json keeps a
copy (a test fails when it is stale, and when the model's keys and overlay.py's differ), and every
shipped overlay names it in a `# yaml-language-server: $schema=...` first line, so a misspelt
`descripton:` or `sett:` is flagged as the user types.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .schema import SCHEMA_DIALECT

PATH_HELP = (
    "A path into the scenario as written: dotted keys with list selectors, e.g."
    " units[id=roc_1st_company].men. [3] is an index (from 0), [id=x] or [x] the items whose id"
    ' is x, [kind=wire] every item whose kind is wire, [*] every item, ["odd key"] a key that is'
    " not a plain name."
)
_DURATION_PATTERN = r"^\s*[-+]?\d+(\.\d+)?\s*(d|h|min|m)\s*$"

Path = Annotated[str, Field(min_length=1, description=PATH_HELP)]


class OverlayFile(BaseModel):
    """A what-if overlay: small changes to a scenario, played beside it by `wargame batch
    --variant` (and `wargame run/play --variant`). Operations apply in the order set, scale,
    shift, add, remove, each path read against the scenario as written."""

    model_config = ConfigDict(extra="forbid", title="What-if overlay")

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="The variant's id (no unit): lower-case letters, digits and _, starting with"
        " a letter, at most 64 characters, e.g. no_minefield. Names the arm in the report and the"
        " scenario copy written for replays.",
    )
    description: str = Field(
        default="",
        description="What the variant changes and why (plain text, no unit), with the source of"
        " the what-if when there is one; shown in the report.",
    )
    scenario: str = Field(
        default=None,
        description="The id (no unit) of the scenario this overlay is written for, e.g."
        " furong_mountain; optional, and checked against the scenario it is applied to.",
    )
    set: dict[Path, Any] = Field(
        default=None,
        description="Values to replace or add, path: value. The value is in the unit of the"
        " field it replaces (men, metres, rounds, a time as YYYY-MM-DDTHH:MM, ...), as in the"
        " scenario format.",
    )
    scale: dict[Path, float] = Field(
        default=None,
        description="Numbers to multiply, path: factor (a plain ratio, no unit: 2 doubles, 0.5"
        " halves). Whole numbers stay whole (rounded).",
    )
    shift: dict[Path, float | Annotated[str, Field(pattern=_DURATION_PATTERN)]] = Field(
        default=None,
        description="Date-times to move, path: duration, with the unit written: 12h (hours),"
        " 90min or 90m (minutes), 1d (days), negative to move earlier; or, for a number, an"
        " amount to add in that field's own unit.",
    )
    add: dict[Path, Any] = Field(
        default=None,
        description="Items to append to a list (path: [items]) or keys to add to a mapping"
        " (path: {key: value}); the items are written as in the scenario format, in its units.",
    )
    remove: list[Path] | Path = Field(
        default=None,
        description="Paths of list items or keys to delete (no unit), e.g."
        " obstacles[kind=minefield]; one path or a list of them.",
    )


def overlay_json_schema() -> dict[str, Any]:
    schema = OverlayFile.model_json_schema(mode="validation")
    schema["description"] = " ".join(schema["description"].split())  # the docstring's lines
    return {"$schema": SCHEMA_DIALECT, **schema}


def overlay_json_schema_text() -> str:
    return json.dumps(overlay_json_schema(), indent=2, ensure_ascii=False) + "\n"
