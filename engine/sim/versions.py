"""The rules version of a battle: a short hash of what decides how the rules play it.

It covers every coefficient's effective value (engine/rules/coefficients.yaml, then the scenario's
own `rules:`, then the batch's overrides), the engine's version (`engine.__version__`) and the
source of the packages that play a battle (engine/core, engine/rules, engine/ai), so that an edit
to a rule's code changes it too, even one that forgets to bump the version. Rows record it, and a
batch refuses to resume when it changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

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
        {
            "engine": engine.__version__,
            "code": _code_digest(),
            "coefficients": sorted(effective.items()),
        },
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def engine_version() -> str:
    return engine.__version__


@cache
def _code_digest() -> str:
    """A hash of the source that plays a battle (read once per process)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in ("core", "rules", "ai"):
        for path in sorted((root / package).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
