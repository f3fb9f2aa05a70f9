"""The JSON Schema of the scenario format, generated from the models so it can never drift.

Editors with the YAML language server read it through the `# yaml-language-server: $schema=...`
line at the top of each scenario, and validate and complete as the user types. The repository keeps
a copy in docs/scenario.schema.json; a test fails when that copy is stale.
"""

from __future__ import annotations

import json
from typing import Any

from .models import MOMENT_PATTERN, TIME_PATTERN, Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Scenario times are local wall-clock times without seconds or zone ("1945-05-21T05:00"), which
# JSON Schema's strict `date-time`/`time` formats would reject in an editor; patterns say what the
# loader really accepts (the models check text against the same patterns).
_FORMAT_PATTERNS = {"date-time": MOMENT_PATTERN, "time": TIME_PATTERN}


def _relax_formats(node: Any) -> Any:
    if isinstance(node, dict):
        fmt = node.get("format")
        out = {
            k: _relax_formats(v)
            for k, v in node.items()
            if k != "format" or fmt not in _FORMAT_PATTERNS
        }
        if fmt in _FORMAT_PATTERNS:
            out["pattern"] = _FORMAT_PATTERNS[fmt]
        return out
    if isinstance(node, list):
        return [_relax_formats(item) for item in node]
    return node


def json_schema() -> dict[str, Any]:
    schema = _relax_formats(Scenario.model_json_schema(mode="validation"))
    return {"$schema": SCHEMA_DIALECT, **schema}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
