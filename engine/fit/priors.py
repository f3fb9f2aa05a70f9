"""Priors of the rule coefficients, declared beside each coefficient in coefficients.yaml:

```yaml
melee_rate:
  value: 0.003
  ...
  prior: {distribution: loguniform, low: 0.001, high: 0.01, reason: "a third to three times ..."}
```

Three distributions, each named by what a reader needs to judge it:
- `uniform` (`low`, `high`): every value in the range as likely;
- `loguniform` (`low`, `high`, low > 0): every factor of ten as likely, for rates whose size
  itself is unknown;
- `lognormal` (`median`, `sigma`, the standard deviation of the log): a value known to within a
  factor, only for coefficients without a `max` (its tail has no end).

Every prior is checked against its coefficient's allowed values (`above_zero`, `max`; a whole
number cannot take a continuous prior) and carries its `reason`. A bad one is refused with the
file, line and column. This module needs no pyabc: `run.py` turns a Prior into pyabc's RV.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..rules.coefficients import CoefficientInfo, defaults
from ..scenario.errors import Problem, ScenarioError, did_you_mean
from ..scenario.yaml_source import SourceMap, parse

DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "lognormal": ("median", "sigma"),
}
COEFFICIENTS_FILE = "engine/rules/coefficients.yaml"


class FitInputError(Exception):
    """Bad input to a fit (a prior, a coefficient name, a fit set, a posterior file): one located
    message per problem, printed as they are, never a traceback."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = [str(p) for p in problems]
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Prior:
    name: str
    distribution: str
    a: float  # low (uniform, loguniform) or median (lognormal)
    b: float  # high, or sigma
    reason: str

    @property
    def low(self) -> float:
        """The lowest value the prior gives (0 for a lognormal's open tail)."""
        return self.a if self.distribution != "lognormal" else 0.0

    @property
    def high(self) -> float:
        return self.b if self.distribution != "lognormal" else math.inf

    def quantile(self, q: float) -> float:
        """The prior's q-quantile (for the report's prior intervals), without scipy."""
        if self.distribution == "uniform":
            return self.a + q * (self.b - self.a)
        if self.distribution == "loguniform":
            return math.exp(math.log(self.a) + q * (math.log(self.b) - math.log(self.a)))
        from statistics import NormalDist

        return self.a * math.exp(self.b * NormalDist().inv_cdf(q))

    def text(self) -> str:
        if self.distribution == "lognormal":
            return f"lognormal(median {self.a:g}, sigma {self.b:g})"
        return f"{self.distribution}({self.a:g}, {self.b:g})"


def _check(
    name: str, entry: Any, info: CoefficientInfo, source: SourceMap
) -> tuple[Prior | None, list[Problem]]:
    path: tuple[Any, ...] = (name, "prior")
    if not isinstance(entry, Mapping):
        return None, [source.problem(path, "expected a mapping: distribution, its numbers, reason")]
    problems: list[Problem] = []
    kind = entry.get("distribution")
    if kind not in DISTRIBUTIONS:
        hint = did_you_mean(str(kind), DISTRIBUTIONS) if kind else ""
        problems.append(
            source.problem(
                (*path, "distribution") if kind else path,
                f"expected distribution: one of {', '.join(DISTRIBUTIONS)}, got {kind!r}{hint}",
            )
        )
        return None, problems
    keys = DISTRIBUTIONS[kind]
    allowed = {"distribution", "reason", *keys}
    for key in entry:
        if key not in allowed:
            problems.append(
                source.problem(
                    (*path, key),
                    f"unknown key '{key}' for a {kind} prior{did_you_mean(str(key), allowed)}"
                    f" (expected {', '.join(sorted(allowed))})",
                    key=True,
                )
            )
    numbers = []
    for key in keys:
        value = entry.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(
                source.problem(
                    (*path, key) if key in entry else path,
                    f"expected a finite number for {key}, got {value!r}",
                )
            )
        numbers.append(value)
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(source.problem(path, "expected a reason: why this prior (a sentence)"))
    if problems:
        return None, problems
    a, b = float(numbers[0]), float(numbers[1])
    where = (*path, keys[0])
    if info.whole:
        problems.append(
            source.problem(path, f"{name} is a whole number: a continuous prior cannot fit it")
        )
    elif kind == "lognormal":
        if a <= 0 or b <= 0:
            problems.append(source.problem(where, "expected median > 0 and sigma > 0"))
        if info.max is not None:
            problems.append(
                source.problem(
                    path,
                    f"a lognormal prior has no upper end, but {name} allows at most {info.max:g};"
                    " use uniform or loguniform inside its range",
                )
            )
    else:
        if not a < b:
            problems.append(source.problem(where, f"expected low < high, got {a:g} and {b:g}"))
        lowest = "> 0" if info.above_zero or kind == "loguniform" else ">= 0"
        if a < 0 or (lowest == "> 0" and a == 0):
            problems.append(
                source.problem(where, f"low {a:g} is outside {name}'s range: expected low {lowest}")
            )
        if info.max is not None and b > info.max:
            problems.append(
                source.problem(
                    (*path, keys[1]),
                    f"high {b:g} is outside {name}'s range: it allows at most {info.max:g}",
                )
            )
    if problems:
        return None, problems
    return Prior(name, kind, a, b, reason.strip()), []


def load_priors(text: str | None = None, display: str = COEFFICIENTS_FILE) -> dict[str, Prior]:
    """Every declared prior (coefficients.yaml's, or `text` written like it), checked against its
    coefficient's allowed values; FitInputError with every located problem otherwise."""
    if text is None:
        package = resources.files("engine.rules")
        text = package.joinpath("coefficients.yaml").read_text(encoding="utf-8")
    try:
        data, source = parse(text, display)
    except ScenarioError as error:
        raise FitInputError(error.problems) from None
    infos = defaults()
    priors: dict[str, Prior] = {}
    problems: list[Problem] = []
    for name, entry in (data or {}).items():
        if not isinstance(entry, Mapping) or "prior" not in entry:
            continue
        info = infos.get(name)
        if info is None:
            problems.append(
                source.problem(
                    (name,),
                    f"unknown rule coefficient '{name}'{did_you_mean(str(name), infos)}",
                    key=True,
                )
            )
            continue
        prior, found = _check(name, entry["prior"], info, source)
        problems += found
        if prior is not None:
            priors[name] = prior
    if problems:
        raise FitInputError(problems)
    return priors


def choose(
    names: Iterable[str], priors: Mapping[str, Prior], option: str = "--coefficients"
) -> list[Prior]:
    """The priors of the coefficients a user named, in their order; FitInputError naming an
    unknown coefficient ("did you mean") or one without a prior."""
    known = defaults()
    chosen, problems = [], []
    for name in names:
        if name not in known:
            problems.append(
                f"{option} {name}: unknown rule coefficient '{name}'{did_you_mean(name, known)}"
            )
        elif name not in priors:
            with_prior = ", ".join(sorted(priors)) or "none yet"
            problems.append(
                f"{option} {name}: no prior for '{name}' in {COEFFICIENTS_FILE}; add a `prior:`"
                f" (distribution, its numbers, reason) to fit it (coefficients with one:"
                f" {with_prior})"
            )
        else:
            chosen.append(priors[name])
    if not problems and not chosen:
        problems.append(f"{option}: expected at least one coefficient to fit")
    if len({p.name for p in chosen}) < len(chosen):
        problems.append(f"{option}: a coefficient is named twice")
    if problems:
        raise FitInputError(problems)
    return chosen
