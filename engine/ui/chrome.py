"""The parts of a screen that the play screen and the editor draw alike: the header bar, a line
of status over the map's bottom-left corner, a tag in the header, and the help overlay."""

from __future__ import annotations

import pygame

from . import fonts

HEADER_H = 44
HEADER_BG = (24, 26, 30)
ACCENT = (230, 200, 120)
TEXT = (232, 228, 218)


def header_bar(surface: pygame.Surface) -> None:
    w = surface.get_width()
    pygame.draw.rect(surface, HEADER_BG, (0, 0, w, HEADER_H))
    pygame.draw.line(surface, (90, 90, 90), (0, HEADER_H - 1), (w, HEADER_H - 1))


def backed_label(surface: pygame.Surface, label: pygame.Surface, box: pygame.Rect, alpha: int):
    """A label on a translucent dark box, readable over any ground."""
    back = pygame.Surface(box.inflate(12, 6).size, pygame.SRCALPHA)
    back.fill((0, 0, 0, alpha))
    surface.blit(back, box.inflate(12, 6))
    surface.blit(label, box)


def status_line(surface: pygame.Surface, rect: pygame.Rect, text: str) -> None:
    label = fonts.text(text, 15, (250, 250, 240))
    backed_label(surface, label, label.get_rect(bottomleft=(rect.left + 10, rect.bottom - 8)), 170)


def header_tag(surface: pygame.Surface, text: str, fill, *, dark_text: bool = False) -> None:
    """A coloured tag at the header's right end: whose orders, or whether a file is valid."""
    label = fonts.text(text, 16, (20, 20, 20) if dark_text else TEXT, bold=dark_text)
    box = label.get_rect(midright=(surface.get_width() - 12, HEADER_H // 2))
    pygame.draw.rect(surface, fill, box.inflate(14, 8), border_radius=4)
    if not dark_text:
        pygame.draw.rect(surface, (230, 230, 230), box.inflate(14, 8), 1, border_radius=4)
    surface.blit(label, box)


def help_overlay(
    surface: pygame.Surface, title: str, rows: list[tuple[str, str]], *, width: int, key_w: int
) -> None:
    w, h = surface.get_size()
    height = 30 + 24 * len(rows) + 20
    box = pygame.Rect((w - width) // 2, (h - height) // 2, width, height)
    back = pygame.Surface(box.size, pygame.SRCALPHA)
    back.fill((12, 14, 18, 235))
    surface.blit(back, box)
    pygame.draw.rect(surface, ACCENT, box, 2)
    surface.blit(fonts.text(title, 18, ACCENT, bold=True), (box.x + 16, box.y + 10))
    y = box.y + 44
    for left, right in rows:
        surface.blit(fonts.text(left, 15, ACCENT), (box.x + 20, y))
        surface.blit(fonts.text(right, 15, TEXT), (box.x + key_w, y))
        y += 24
