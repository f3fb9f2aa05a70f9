"""The posterior file a fit writes (`DIR/posterior.json`) and other commands read
(`wargame run|batch|calibrate --posterior FILE`).

The format (docs/fit.md): one JSON object,

```json
{"format": "wargame-posterior", "version": 1,
 "coefficients": ["melee_rate", "break_point_mean"],
 "particles": [[0.0031, 0.21], [0.0027, 0.18]],     # the last generation, one row a particle
 "weights": [0.5, 0.5],                             # their importance weights (sum 1)
 "intervals": {"melee_rate": {"p5": ..., "p50": ..., "p95": ...}},
 "generation": 4, "epsilon": 0.41, "simulations": 1830,
 "fit_set": {"attacker_pct_day": 2.96}, "command": "wargame fit ...", "rules_version": "..."}
```

A battle's coefficients are one particle, drawn with the weights by a generator seeded with
the battle's own seed: the same battle (same seed) always gets the same coefficients, on any
machine, so a row replays with `--set` of the drawn values or with the same `--posterior`.
Reading it needs numpy only (no pyabc), so a batch machine needs no fit extra.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..rules.coefficients import coefficient_problem, defaults
from ..scenario.errors import did_you_mean
from .priors import FitInputError

FORMAT = "wargame-posterior"
VERSION = 1
DRAW_STREAM = 0x706F7374  # "post": keeps the draw's stream apart from the battle's own dice


@dataclass(frozen=True)
class Posterior:
    coefficients: tuple[str, ...]
    particles: np.ndarray  # (n, len(coefficients))
    weights: np.ndarray  # (n,), sums to 1
    meta: dict[str, Any] = field(default_factory=dict)

    def draw(self, seed: int) -> dict[str, float]:
        """The coefficients of the battle with this seed: one particle, chosen by weight."""
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, DRAW_STREAM])
        index = int(rng.choice(len(self.weights), p=self.weights))
        return {n: float(v) for n, v in zip(self.coefficients, self.particles[index], strict=True)}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "coefficients": list(self.coefficients),
            "particles": self.particles.tolist(),
            "weights": self.weights.tolist(),
            **self.meta,
        }

    def write(self, path: Path) -> Path:
        from ..atomic import write_atomic

        write_atomic(path, json.dumps(self.to_json(), indent=1) + "\n")
        return path


def _where(text: str, key: str, display: str) -> str:
    """`file:line:col` of a key's first appearance, or the file alone."""
    index = text.find(f'"{key}"')
    if index < 0:
        return display
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{display}:{line}:{column}"


def parse_posterior(text: str, display: str) -> Posterior:
    """A posterior from its text, every problem located (FitInputError), never a traceback."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FitInputError(
            [f"{display}:{error.lineno}:{error.colno}: not a posterior file: {error.msg}"]
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FitInputError(
            [
                f'{display}:1:1: not a posterior file: expected "format": "{FORMAT}"'
                " (the file `wargame fit` writes as DIR/posterior.json)"
            ]
        )
    if data.get("version") != VERSION:
        raise FitInputError(
            [
                f"{_where(text, 'version', display)}: expected version {VERSION},"
                f" got {data.get('version')!r}"
            ]
        )
    problems: list[str] = []
    names = data.get("coefficients")
    known = defaults()
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.append(f"{_where(text, 'coefficients', display)}: expected a list of names")
        names = []
    for name in names:
        if name not in known:
            problems.append(
                f"{_where(text, name, display)}: unknown rule coefficient '{name}'"
                f"{did_you_mean(name, known)}"
            )
    particles, weights = data.get("particles"), data.get("weights")
    try:
        rows = np.asarray(particles, dtype=float)
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        rows, w = np.zeros((0, 0)), np.zeros(0)
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] != len(names):
        problems.append(
            f"{_where(text, 'particles', display)}: expected a list of particles, each a list of"
            f" {len(names)} numbers (one per coefficient)"
        )
    elif (
        w.ndim != 1
        or len(w) != len(rows)
        or not np.all(np.isfinite(w))
        or np.any(w < 0)
        or (w.sum() <= 0)
    ):
        problems.append(
            f"{_where(text, 'weights', display)}: expected {len(rows)} weights >= 0"
            " (one per particle), not all 0"
        )
    else:
        for name, column in zip(names, rows.T, strict=True):
            if name not in known:
                continue  # already said
            bad = next((v for v in column if coefficient_problem(name, float(v))), None)
            if bad is not None:
                problems.append(
                    f"{_where(text, 'particles', display)}: a particle's {name}:"
                    f" {coefficient_problem(name, float(bad))}"
                )
    if problems:
        raise FitInputError(problems)
    meta = {
        k: v
        for k, v in data.items()
        if k not in ("format", "version", "coefficients", "particles", "weights")
    }
    return Posterior(tuple(names), rows, w / w.sum(), meta)


def read_posterior(path: str | Path) -> Posterior:
    path = Path(path)
    if path.is_dir():
        path = path / "posterior.json"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FitInputError([f"{path}: cannot read the posterior file: {error}"]) from None
    return parse_posterior(text, str(path))


def posterior_text(path: str | Path) -> str:
    """The text of a posterior file, checked (FitInputError otherwise): what a batch hands its
    workers, which parse it again (no shared file system needed)."""
    read_posterior(path)
    path = Path(path)
    return (path / "posterior.json" if path.is_dir() else path).read_text(encoding="utf-8")


def make_posterior(
    names: Sequence[str],
    particles: np.ndarray,
    weights: np.ndarray,
    intervals: Mapping[str, Mapping[str, float]],
    **meta: Any,
) -> Posterior:
    w = np.asarray(weights, dtype=float)
    clean = {k: v for k, v in meta.items() if not (isinstance(v, float) and not math.isfinite(v))}
    return Posterior(
        tuple(names),
        np.asarray(particles, dtype=float),
        w / w.sum(),
        {"intervals": {k: dict(v) for k, v in intervals.items()}, **clean},
    )
