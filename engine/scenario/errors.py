"""Problems found in a scenario file, located for people.

Every check in the loader reports a `Problem` instead of raising at once, so that a user sees every
mistake in one run, each as `file:line:col: message` like a compiler, in file order.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

MAX_PROBLEMS = 200  # beyond this a file is so broken that more lines help nobody


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem is about the file as a whole
    column: int  # 1-based
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; `problems` holds every located problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))[:MAX_PROBLEMS]
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a close match among `choices`, or '' when none is close."""
    pool = [str(c) for c in choices]
    matches = difflib.get_close_matches(str(word), pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if str(word).lower() in lowered:
            matches = [lowered[str(word).lower()]]
    return f"; did you mean '{matches[0]}'?" if matches else ""


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    """A short human list of the allowed values, for 'expected one of ...'."""
    items = sorted(str(c) for c in choices)
    shown = ", ".join(f"'{c}'" for c in items[:limit])
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more
