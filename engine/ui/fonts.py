"""The window's one font: a subset of Noto Sans CJK SC bundled under assets/fonts (Latin, Chinese
and kana), falling back to pygame's default font if the file is missing."""

from __future__ import annotations

from functools import cache

import pygame

from .. import resources

FONT_PATH = resources.font_file()  # the checkout's assets/fonts, or an installed wheel's copy


def font_path() -> str | None:
    return str(FONT_PATH) if FONT_PATH is not None else None


@cache
def font(size: int, bold: bool = False) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    made = pygame.font.Font(font_path(), max(6, int(size)))
    if bold:
        made.set_bold(True)
    return made


def text(message: str, size: int, color, *, bold: bool = False) -> pygame.Surface:
    return font(size, bold).render(message, True, color)


_LABELS: dict[tuple, pygame.Surface] = {}


def label(message: str, size: int, color, *, bold: bool = False) -> pygame.Surface:
    """`text`, kept: for the header, status line and help, drawn every frame with the same
    words. The surface is shared: blit it, never change it (use `text` for one to change)."""
    key = (message, size, tuple(color), bold)
    found = _LABELS.get(key)
    if found is None:
        if len(_LABELS) > 512:
            _LABELS.clear()
        found = _LABELS[key] = text(message, size, color, bold=bold)
    return found


def wrap(message: str, size: int, width: int) -> list[str]:
    """Lines of `message` that fit in `width` pixels (words for Latin text, characters for
    Chinese)."""
    f = font(size)
    lines: list[str] = []
    for paragraph in message.split("\n"):
        line = ""
        for word in _tokens(paragraph):
            trial = line + word
            if line and f.size(trial.rstrip())[0] > width:
                lines.append(line.rstrip())
                line = word.lstrip()
            else:
                line = trial
        lines.append(line.rstrip())
    return lines


def _tokens(paragraph: str) -> list[str]:
    tokens: list[str] = []
    word = ""
    for ch in paragraph:
        if ord(ch) > 0x2E80:  # CJK: a line may break before any character
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens
