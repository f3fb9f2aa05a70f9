"""The parts of a screen that the play screen and the editor draw alike: the header bar, a line
of status over the map's bottom-left corner (with the legend beside it, never over it), a tag in
the header, the help overlay, and where a tooltip goes beside the hex it describes.

Each returns or takes rectangles so that tests can check that nothing overlaps and nothing runs
out of the window at the smallest size (app.MIN_SIZE)."""

from __future__ import annotations

from functools import lru_cache

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


STATUS_SIZE = 15
STATUS_BAND = 34  # the height of the map's bottom strip the status line (and legend) may use
LEGEND_SIZE = 13


@lru_cache(maxsize=256)
def _fit(text: str, size: int, width: int, bold: bool = False) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels at `size` (a status line is one line),
    measured in the weight it is drawn in."""
    font = fonts.font(size, bold)
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text.rstrip() + "…"


def status_line(
    surface: pygame.Surface, rect: pygame.Rect, text: str, legend: str = ""
) -> tuple[pygame.Rect, pygame.Rect | None]:
    """The status line at the map's bottom-left and, if given, the legend at its bottom-right.
    They never overlap: the legend goes on a row of its own above the status line when both do
    not fit side by side, and a status text too long for the map's width is cut with "…".
    Returns the boxes drawn (status, legend), for tests."""
    inner = rect.width - 20
    legend_box = None
    legend_label = None
    if legend:
        legend_label = fonts.label(_fit(legend, LEGEND_SIZE, inner), LEGEND_SIZE, (220, 220, 210))
    status_w = fonts.font(STATUS_SIZE).size(text)[0]
    side_by_side = legend_label is not None and status_w + 30 + legend_label.get_width() <= inner
    label = fonts.label(_fit(text, STATUS_SIZE, inner), STATUS_SIZE, (250, 250, 240))
    box = label.get_rect(bottomleft=(rect.left + 10, rect.bottom - 8))
    backed_label(surface, label, box, 170)
    if legend_label is not None:
        if side_by_side:
            legend_box = legend_label.get_rect(bottomright=(rect.right - 10, rect.bottom - 8))
        else:  # a row of its own, above the status line
            legend_box = legend_label.get_rect(bottomright=(rect.right - 10, box.top - 10))
        backed_label(surface, legend_label, legend_box, 150)
    return box.inflate(12, 6), (legend_box.inflate(12, 6) if legend_box else None)


def map_bounds(rect: pygame.Rect) -> pygame.Rect:
    """The part of the map a tooltip may cover: all but the bottom band of the status line and
    the legend's row above it."""
    return pygame.Rect(rect.x, rect.y, rect.width, rect.height - 2 * STATUS_BAND)


def tooltip_at(
    size: tuple[int, int],
    hex_box: pygame.Rect,
    bounds: pygame.Rect,
    avoid: list[pygame.Rect] | tuple = (),
    counters: list[pygame.Rect] | tuple = (),
) -> pygame.Rect:
    """Where a tooltip of `size` goes: beside the hex it describes (`hex_box`, on screen), never
    over it, inside `bounds` (the map above the status band), and off the boxes in `avoid` (the
    selected unit) where it can be. Right of the hex if it fits, else left, else below, else
    above; then pushed inside `bounds`, and moved off the hex again if that push put it over
    it. It depends on the hex, not on the cursor: it stays put while the cursor moves in one
    hex. Among the places that fit, the one over the fewest of `counters` (the other counters
    on screen) wins, so that the box does not hide the units around the one it tells of."""
    w, h = size
    gap = 8
    mid_y = hex_box.centery - h // 3
    mid_x = hex_box.centerx - w // 2
    candidates = [
        pygame.Rect(hex_box.right + gap, mid_y, w, h),
        pygame.Rect(hex_box.left - gap - w, mid_y, w, h),
        pygame.Rect(mid_x, hex_box.bottom + gap, w, h),
        pygame.Rect(mid_x, hex_box.top - gap - h, w, h),
    ]

    def clamped(box: pygame.Rect) -> pygame.Rect:
        box = box.copy()
        box.right = min(box.right, bounds.right - 4)
        box.left = max(box.left, bounds.left + 4)
        box.bottom = min(box.bottom, bounds.bottom - 4)
        box.top = max(box.top, bounds.top + 4)
        return box

    fitting = [
        box
        for box in candidates  # fits as it is, beside the hex, off what to avoid
        if bounds.contains(box) and box.collidelist(list(avoid)) < 0
    ]
    if fitting:  # the first (right, left, below, above) of those over the fewest counters
        return min(fitting, key=lambda box: len(box.collidelistall(list(counters))))
    for box in candidates:  # one that fits as it is
        if bounds.contains(box):
            return box
    best = None
    for box in candidates:  # pushed inside: the one that stays off the hex
        moved = clamped(box)
        if not moved.colliderect(hex_box):
            return moved
        if best is None:
            best = moved
    return best  # a tooltip taller than the map: inside it, over the hex


def header_tag(
    surface: pygame.Surface, text: str, fill, *, dark_text: bool | None = None
) -> pygame.Rect:
    """A coloured tag at the header's right end: whose orders, or whether a file is valid. The
    text is dark on a light fill and light on a dark one (unless `dark_text` says), so that no
    fill can hide it. Returns the tag's box."""
    if dark_text is None:
        r, g, b = fill[:3]
        dark_text = 0.299 * r + 0.587 * g + 0.114 * b > 150
    label = fonts.label(text, 16, (20, 20, 20) if dark_text else TEXT, bold=dark_text)
    box = label.get_rect(midright=(surface.get_width() - 12, HEADER_H // 2))
    pygame.draw.rect(surface, fill, box.inflate(14, 8), border_radius=4)
    if not dark_text:
        pygame.draw.rect(surface, (230, 230, 230), box.inflate(14, 8), 1, border_radius=4)
    surface.blit(label, box)
    return box.inflate(14, 8)


def header_texts(
    surface: pygame.Surface,
    title: str,
    middle: str,
    right_edge: int,
    *,
    center_w: int = 0,
    short: str = "",
) -> tuple[pygame.Rect, pygame.Rect]:
    """The header's title (left) and its middle text (centred on the first `center_w` pixels,
    the map, when there is room), both kept left of `right_edge` (the tag): the middle text
    moves left, then takes its `short` form if the title would be cut beside it, then the
    title and the middle are cut with "…", so that nothing overlaps (the middle's
    end, day or night, is not cut away in a small window). Returns the two boxes drawn."""
    room = right_edge - 12 - 12
    title_font, middle_font = fonts.font(18, True), fonts.font(17)
    middle_w = middle_font.size(middle)[0]
    if short and middle_w > room - 30 - title_font.size(title)[0]:  # the title would be cut
        middle, middle_w = short, middle_font.size(short)[0]
    title_fit = _fit(
        title, 18, max(80, min(title_font.size(title)[0], room - middle_w - 30)), bold=True
    )
    title_label = fonts.label(title_fit, 18, ACCENT, bold=True)
    title_box = title_label.get_rect(midleft=(12, HEADER_H // 2))
    surface.blit(title_label, title_box)
    left = title_box.right + 24
    middle_label = fonts.label(_fit(middle, 17, max(40, right_edge - 12 - left)), 17, TEXT)
    x = max(left, ((center_w or surface.get_width()) - middle_label.get_width()) // 2 + 60)
    x = min(x, right_edge - 12 - middle_label.get_width())
    middle_box = middle_label.get_rect(midleft=(max(left, x), HEADER_H // 2))
    surface.blit(middle_label, middle_box)
    return title_box, middle_box


HELP_SIZE = 15


def help_overlay(
    surface: pygame.Surface, title: str, rows: list[tuple[str, str]], *, width: int, key_w: int
) -> pygame.Rect:
    """The keys, in a box that holds them: as wide as asked but no wider than the window, the
    right column wrapped to the box, the row height shrunk (down to 11 points) until every row
    fits the window's height. Returns the box, for tests."""
    w, h = surface.get_size()
    width = min(width, w - 20)
    key_w = min(key_w, width // 3)
    right_w = width - key_w - 16
    size = HELP_SIZE
    while True:
        line_h = size + 7
        lines: list[tuple[str, str]] = []
        for left, right in rows:
            wrapped = fonts.wrap(right, size, right_w) if right else [""]
            lines.append((left, wrapped[0]))
            lines.extend(("", f"  {more}") for more in wrapped[1:])
        height = 44 + line_h * len(lines) + 14
        if height <= h - 20 or size <= 11:
            break
        size -= 1
    box = pygame.Rect((w - width) // 2, max(10, (h - height) // 2), width, min(height, h - 20))
    back = pygame.Surface(box.size, pygame.SRCALPHA)
    back.fill((12, 14, 18, 235))
    surface.blit(back, box)
    pygame.draw.rect(surface, ACCENT, box, 2)
    clip = surface.get_clip()
    surface.set_clip(box)
    surface.blit(fonts.label(title, 18, ACCENT, bold=True), (box.x + 16, box.y + 10))
    y = box.y + 44
    for left, right in lines:
        surface.blit(fonts.label(_fit(left, size, key_w - 24), size, ACCENT), (box.x + 20, y))
        surface.blit(fonts.label(right, size, TEXT), (box.x + key_w, y))
        y += line_h
    surface.set_clip(clip)
    return box
