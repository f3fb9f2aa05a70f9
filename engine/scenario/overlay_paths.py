"""The path language of overlays and of `--set PATH=VALUE`: `units[id=x].weapons[0].count`.

A path is dotted keys with list selectors: `[3]` (an index, from 0), `[id=x]` or just `[x]` (the
items whose id is x), `[kind=wire]` (every item whose `kind` is wire), `[*]` (every item), and
`["odd key"]` for a mapping key that is not a plain name. Parsing only: resolving a path against
a scenario's data is overlay.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Step:
    kind: str  # "key", "index", "all" or "match"
    key: str | None = None  # the mapping key, or the field a "match" compares
    value: Any = None  # the index, or the value a "match" looks for
    offset: int = 0  # where the step starts in the path text (for the column of an error)


class PathSyntaxError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def parse_path(text: str) -> tuple[Step, ...]:
    """`units[id=x].weapons[0].count` as steps; PathSyntaxError says where it went wrong."""
    steps: list[Step] = []
    i, need_name = 0, True
    if not text.strip():
        raise PathSyntaxError("empty path", 0)
    while i < len(text):
        char = text[i]
        if char == "[":
            if not steps:
                raise PathSyntaxError("a path starts with a key, e.g. units[0]", i)
            end = _closing_bracket(text, i)
            steps.append(_bracket(text[i + 1 : end], i))
            i, need_name = end + 1, False
        elif char == ".":
            if need_name:
                raise PathSyntaxError("expected a key before '.'", i)
            i, need_name = i + 1, True
            if i == len(text):
                raise PathSyntaxError("expected a key after '.'", i)
        else:
            if not need_name:
                raise PathSyntaxError(f"expected '.' or '[' before '{char}'", i)
            match = _NAME.match(text, i)
            if match is None:
                raise PathSyntaxError(
                    f"unexpected '{char}'; keys are names like units or density_per_m (quote odd"
                    ' keys as ["key"])',
                    i,
                )
            steps.append(Step("key", key=match.group(), offset=i))
            i, need_name = match.end(), False
    return tuple(steps)


def _closing_bracket(text: str, start: int) -> int:
    quote = ""
    for j in range(start + 1, len(text)):
        char = text[j]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "]":
            return j
    raise PathSyntaxError("'[' is never closed with ']'", start)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _bracket(inner: str, offset: int) -> Step:
    stripped = inner.strip()
    if stripped == "*":
        return Step("all", offset=offset)
    if re.fullmatch(r"-?\d+", stripped):
        return Step("index", value=int(stripped), offset=offset)
    if stripped[:1] in ("'", '"'):
        return Step("key", key=_unquote(stripped), offset=offset)
    if "=" in stripped:
        key, _, value = stripped.partition("=")
        if not _NAME.fullmatch(key.strip()) or not value.strip():
            raise PathSyntaxError(f"expected [field=value], got [{inner}]", offset)
        return Step("match", key=key.strip(), value=_unquote(value), offset=offset)
    if _NAME.fullmatch(stripped):
        return Step("match", key="id", value=stripped, offset=offset)
    raise PathSyntaxError(
        f'expected [index], [id], [field=value], [*] or ["key"], got [{inner}]', offset
    )


def path_text(path: Path_) -> str:
    """A concrete data path written the way overlays write paths."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
