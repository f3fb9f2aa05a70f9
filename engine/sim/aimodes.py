"""The computer player's modes in a batch: `--ai SIDE=MODE`, and the arms of `--compare-ai`.

Each side's computer player has a mode: `plan` (follows the scenario's phased plan) or `adaptive`
(picks objectives from the victory conditions). A scenario's default is its plan's `mode`, or
`adaptive` for a side without a plan (as engine/ai/planner.py decides). `--ai` changes it for every
arm; `--compare-ai` adds, beside each arm, one arm per other combination of modes.

Modes travel as tuples of (side id, mode) in the scenario's order of sides; `engine.headless.play`
takes them by side index.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..scenario.errors import did_you_mean

if TYPE_CHECKING:
    from ..scenario.models import Scenario

MODES = ("plan", "adaptive")
MEANING = {
    "plan": "follows the scenario's phased plan",
    "adaptive": "picks objectives from the victory conditions",
}

Modes = tuple[tuple[str, str], ...]


class AiModeError(ValueError):
    """A bad `--ai` value; the message is one line, for people."""


def side_ids(scenario: Scenario) -> list[str]:
    return [side.id for side in scenario.sides]


def default_modes(scenario: Scenario) -> Modes:
    """Each side's mode when nothing overrides it: its plan's mode, `adaptive` without a plan."""
    plans = {plan.side: plan.mode for plan in scenario.plans}
    return tuple((side, plans.get(side, "adaptive")) for side in side_ids(scenario))


def parse_ai(specs: Sequence[str], sides: Sequence[str]) -> dict[str, str]:
    """`--ai SIDE=MODE` (repeatable), or `--ai MODE` for every side, as {side id: mode}.
    Raises AiModeError with a one-line message, "did you mean" where a name is close."""
    chosen: dict[str, str] = {}
    for spec in specs:
        side, sep, mode = (part.strip() for part in spec.partition("="))
        if not sep:
            side, mode = "", side
        if not sep and mode in sides:
            raise AiModeError(f"--ai {spec}: expected SIDE=MODE, e.g. {mode}=adaptive")
        if sep and side not in sides:
            raise AiModeError(
                f"--ai {spec}: unknown side '{side}'{did_you_mean(side, sides)}"
                f" (the sides are {', '.join(sides)})"
            )
        if mode not in MODES:
            raise AiModeError(
                f"--ai {spec}: unknown mode '{mode}'{did_you_mean(mode, MODES)}"
                f" (expected plan or adaptive, as SIDE=MODE, e.g. {sides[-1]}=adaptive)"
            )
        targets = list(sides) if not sep else [side]
        for target in targets:
            if chosen.get(target, mode) != mode:
                raise AiModeError(f"--ai {spec}: {target} is already given mode '{chosen[target]}'")
            chosen[target] = mode
    return chosen


def with_choices(defaults: Modes, chosen: dict[str, str]) -> Modes:
    return tuple((side, chosen.get(side, mode)) for side, mode in defaults)


def alternatives(modes: Modes) -> list[Modes]:
    """Every other combination of modes, fewest changed sides first, then in the sides' order."""
    sides = [side for side, _ in modes]
    found = [
        tuple(zip(sides, combo, strict=True))
        for combo in itertools.product(MODES, repeat=len(sides))
        if tuple(combo) != tuple(mode for _, mode in modes)
    ]

    def order(candidate: Modes) -> tuple:
        changed = [i for i, (a, b) in enumerate(zip(candidate, modes, strict=True)) if a != b]
        return (len(changed), changed, [MODES.index(m) for _, m in candidate])

    return sorted(found, key=order)


def changed(modes: Modes, reference: Modes) -> Modes:
    """The sides whose mode differs from `reference`'s."""
    return tuple(pair for pair, old in zip(modes, reference, strict=True) if pair != old)


def label(change: Modes, sides: int) -> str:
    """`ai: ija=adaptive`, `ai: roc=adaptive, ija=plan`, `ai: both adaptive`."""
    modes = {mode for _, mode in change}
    if len(change) == sides and sides > 1 and len(modes) == 1:
        return f"ai: {'both' if sides == 2 else 'all'} {modes.pop()}"
    return "ai: " + ", ".join(f"{side}={mode}" for side, mode in change)


def describe(change: Modes, reference: Modes) -> str:
    """A sentence for the report: what the computer player does differently in this arm."""
    before = dict(reference)
    parts = [f"{side} {mode} ({MEANING[mode]}) instead of {before[side]}" for side, mode in change]
    return "The computer player: " + "; ".join(parts) + "."


def text(modes: Modes) -> str:
    """`roc=plan, ija=adaptive`."""
    return ", ".join(f"{side}={mode}" for side, mode in modes)


def by_index(modes: Modes, scenario: Scenario) -> dict[int, str]:
    """The modes as `engine.headless.play` takes them: by the side's index in the scenario."""
    index = {side: i for i, side in enumerate(side_ids(scenario))}
    return {index[side]: mode for side, mode in modes if side in index}
