"""The rules version of a battle: a short hash of what decides how the rules play it.

It covers every coefficient's effective value (engine/rules/coefficients.yaml, then the scenario's
own `rules:`, then the batch's overrides) and the engine's version (`engine.__version__`). Rows
record it, and a batch refuses to resume when it changed. It cannot see a change to the rules' code
that keeps the version number: bump the version when the rules change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import engine

from ..rules.coefficients import coefficients


def rules_version(
    scenario_rules: Mapping[str, float] | None = None,
    overrides: Mapping[str, float] | None = None,
) -> str:
    """12 hex digits over the engine version and the effective coefficient values."""
    values = dict(scenario_rules or {})
    values.update(overrides or {})
    effective = coefficients(values).as_dict()
    text = json.dumps(
        {"engine": engine.__version__, "coefficients": sorted(effective.items())},
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def engine_version() -> str:
    return engine.__version__
