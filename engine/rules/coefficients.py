"""The rules' coefficients: loaded once from coefficients.yaml, overridden per scenario.

Each coefficient in the file has a value, a unit, a meaning and a source; the rules read the values
as attributes (`c.night_fire_factor`) because attribute access is cheap in the turn loop.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import SimpleNamespace

import yaml

from ..kernels.jit import kernel


@dataclass(frozen=True)
class CoefficientInfo:
    name: str
    value: float
    unit: str
    meaning: str
    source: str
    # What a value may be (coefficients.yaml says which): every coefficient is a finite number
    # from 0 (no rule takes a negative one); `above_zero` where the rules divide by it, `max`
    # where it is a share of men or a morale level, or where more would turn a factor negative.
    above_zero: bool = False
    max: float | None = None
    whole: bool = False  # a count (rounds of hand-to-hand, hexes)

    @property
    def allowed(self) -> str:
        what = "a whole number" if self.whole else "a number"
        low = "> 0" if self.above_zero else ">= 0"
        return f"{what} {low}, <= {self.max:g}" if self.max is not None else f"{what} {low}"

    def problem(self, value: float) -> str | None:
        """Why `value` cannot be this coefficient, or None."""
        wrong = (
            not math.isfinite(value)
            or value < 0
            or (self.above_zero and value == 0)
            or (self.max is not None and value > self.max)
            or (self.whole and value != int(value))
        )
        return f"expected {self.allowed}, got {value:g}" if wrong else None


@cache
def defaults() -> dict[str, CoefficientInfo]:
    text = resources.files(__package__).joinpath("coefficients.yaml").read_text(encoding="utf-8")
    # The engine's own file, so libyaml's C loader where PyYAML has it (3 ms against 43 ms CPU for
    # the pure one, on every command that loads a scenario); both are safe loaders, with the same
    # resolvers, and read this file into equal data.
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {
        name: CoefficientInfo(
            name,
            float(entry["value"]),
            entry["unit"],
            entry["meaning"],
            entry["source"],
            above_zero=bool(entry.get("above_zero", False)),
            max=float(entry["max"]) if "max" in entry else None,
            whole=bool(entry.get("whole", False)),
        )
        for name, entry in raw.items()
    }


def coefficient_problem(name: str, value: float) -> str | None:
    """Why a scenario, a --set or a sweep cannot give coefficient `name` this value, or None
    (the name is known)."""
    return defaults()[name].problem(value)


class CoefficientNames(frozenset):
    """The coefficients' names, able to judge a value too: the scenario loader checks a `rules:`
    block with them, and cannot import this package (the arrows run the other way)."""

    def problem(self, name: str, value: float) -> str | None:
        return coefficient_problem(name, value)


@cache
def coefficient_names() -> CoefficientNames:
    return CoefficientNames(defaults())


class Coefficients(SimpleNamespace):
    """Coefficient values by name, as attributes."""

    def as_dict(self) -> dict[str, float]:
        return dict(vars(self))

    def values(self):
        """These values as the kernels take them: a `CoefficientValues` namedtuple, read by
        name (`c.killed_fraction`) in plain Python and compiled alike. Made once per set of
        coefficients (they are fixed once made: nothing in the engine or its tests sets one
        after), as the rules ask for it many times a turn."""
        kept = _VALUES.get(id(self))
        if kept is None or kept[0] is not self:
            if len(_VALUES) >= 256:  # a sweep makes many; each game asks for its own
                _VALUES.clear()
            kind = _values_type()
            kept = _VALUES[id(self)] = (self, kind._make(map(vars(self).__getitem__, kind._fields)))
        return kept[1]


# Coefficients.values() made so far, by the id of their coefficients (kept with them, so an id
# is not reused while its entry stands)
_VALUES: dict[int, tuple[Coefficients, tuple]] = {}


@cache
def _values_type() -> type:
    """`CoefficientValues`: a namedtuple of every coefficient, in coefficients.yaml's order.
    Made on first use (the file is read then), and found by name at this module's level, where
    numba's on-disk cache and pickle look for it."""
    return namedtuple("CoefficientValues", tuple(defaults()), module=__name__)


def __getattr__(name: str):
    if name == "CoefficientValues":
        return _values_type()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def coefficients(overrides: Mapping[str, float] | None = None) -> Coefficients:
    """The default values with a scenario's (or a sweep's) overrides applied."""
    values = {name: info.value for name, info in defaults().items()}
    for name, value in (overrides or {}).items():
        if name not in values:
            raise KeyError(f"unknown rule coefficient '{name}'")
        problem = coefficient_problem(name, float(value))
        if problem:
            raise ValueError(f"rule coefficient '{name}': {problem}")
        values[name] = float(value)
    return Coefficients(**values)


@kernel(borrows=True)
def share_in_turn(share_per_hour: float, hours: float) -> float:
    """The share of men a per-hour share takes in a turn of `hours`, each hour taking it from
    those the hours before left: 1 - (1 - p) ** hours. Exactly `share_per_hour` in 1-hour turns
    (the subtraction would round it). A kernel: the trapped units' losses (rules/morale.py)
    compound their shares inside one."""
    if hours == 1.0:
        return share_per_hour
    return 1.0 - (1.0 - share_per_hour) ** hours
