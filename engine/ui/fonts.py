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


@cache
def _scratch(bold: bool) -> pygame.font.Font:
    """One font object per style whose size is set for each text drawn: the same pixels as a
    font made at that size (tests/test_ui_layout.py), without loading the font file again for
    each new size (about 5 ms each: a zoom step would pay it for the counters' new sizes)."""
    made = pygame.font.Font(font_path(), 12)
    if bold:
        made.set_bold(True)
    return made


def text(message: str, size: int, color, *, bold: bool = False) -> pygame.Surface:
    if not pygame.font.get_init():
        pygame.font.init()
    scratch = _scratch(bold)
    try:
        scratch.point_size = max(6, int(size))
    except (AttributeError, pygame.error):  # pygame's default font, or an older pygame
        return font(size, bold).render(message, True, color)
    return scratch.render(message, True, color)


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
