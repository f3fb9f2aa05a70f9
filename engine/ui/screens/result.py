"""The result: this game's metrics beside the historical record, and men per side over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from ...history import agreement, compare
from .. import drawing, fonts
from ..chrome import ACCENT, TEXT
from ..labels import DIM, bilingual, historical_value, metric_label, metric_value

if TYPE_CHECKING:
    from ..app import App
    from .play import PlayScreen


class ResultScreen:
    """This game's metrics beside the historical record, and men per side over time."""

    def __init__(self, app: App, play: PlayScreen) -> None:
        self.app = app
        self.play = play
        self.rows = compare(play.session.state)
        self.buttons: dict = {}
        self.message = ""
        self.scroll = 0  # the first row of the table shown

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        self.buttons = {}
        for k, (label, action) in enumerate(
            [("Back to the map", "map"), ("Save the game", "save"), ("Quit", "quit")]
        ):
            button = UIButton(
                pygame.Rect(w - 3 * 190 - 20 + k * 190, h - 54, 180, 40), label, manager=m
            )
            self.buttons[button] = action

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.act(self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE or event.key == pygame.K_q:
                self.act("quit")
            elif event.key == pygame.K_m:
                self.act("map")
            elif event.key == pygame.K_s:
                self.act("save")
            elif event.key in (pygame.K_DOWN, pygame.K_UP, pygame.K_PAGEDOWN, pygame.K_PAGEUP):
                down = event.key in (pygame.K_DOWN, pygame.K_PAGEDOWN)
                self.scroll_rows(1 if down else -1)
        elif event.type == pygame.MOUSEWHEEL:
            self.scroll_rows(-event.y)

    def scroll_rows(self, step: int) -> None:
        """Scroll the table by `step` rows (it holds more rows than a small window shows)."""
        self.scroll = min(max(self.scroll + step, 0), max(len(self.rows) - 1, 0))

    def act(self, action: str) -> None:
        if action == "quit":
            self.app.quit()
        elif action == "save":
            path = self.play.save()
            self.message = f"Saved to {path}" if path else self.play.message
        elif action == "map":
            self.play.menu = None
            self.app.open("review", self.play, self)

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        session = self.play.session
        state = session.state
        w, h = surface.get_size()
        winner = state.winner
        names = {side.id: side.name.en for side in state.scenario.sides}
        result = "a draw" if winner in (None, "draw") else f"won by {names.get(winner, winner)}"
        title = fonts.text(f"{bilingual(state.scenario.title)}: {result}", 24, ACCENT, bold=True)
        surface.blit(title, (24, 16))
        agree, tested, echoes = agreement(self.rows)
        sub = fonts.text(
            f"{agree} of {tested} historical figures matched (seed {session.seed})."
            " ✓ inside the historical figure, × outside, ? cannot be judged"
            + (", = repeats an input, not a test." if echoes else "."),
            15,
            DIM,
        )
        surface.blit(sub, (24, 52))
        table_w = min(900, int(w * 0.62))
        self.draw_table(surface, pygame.Rect(24, 84, table_w, h - 150))
        self.draw_chart(surface, pygame.Rect(table_w + 40, 84, w - table_w - 64, min(440, h - 160)))
        if self.message:
            surface.blit(fonts.text(self.message, 14, TEXT), (24, h - 44))

    def draw_table(self, surface, rect: pygame.Rect) -> None:
        """One row per historical figure: what it measures in words, this game's figure and
        history's with their units, the mark and whose figure it is; a cell too long for its
        column wraps onto a second line (the last ends in … only if even that is too short)."""
        scenario = self.play.session.scenario
        columns = [
            ("what is measured", 0.42),
            ("this game", 0.17),
            ("history", 0.2),
            ("", 0.04),
            ("whose", 0.17),
        ]
        x = rect.x
        for name, share in columns:
            surface.blit(fonts.text(name, 15, ACCENT, bold=True), (x, rect.y))
            x += int(rect.width * share)
        size = 14 if rect.height > 30 + 44 * len(self.rows) else 13
        line_h = fonts.font(size).get_linesize()
        y = rect.y + 28
        for number, row in enumerate(self.rows):
            if number < self.scroll:
                continue
            if y + 3 * line_h > rect.bottom - line_h:  # keep a line for the hint
                hint = f"{len(self.rows) - number} more below (wheel or ↓ scrolls)"
                surface.blit(fonts.text(hint, 13, DIM), (rect.x, y))
                break
            mark = "=" if row.echo else {True: "✓", False: "×", None: "?"}[row.inside]
            color = (
                DIM
                if row.echo
                else {True: (120, 220, 130), False: (240, 110, 100), None: DIM}[row.inside]
            )
            whose = row.entry.whose.replace(" (the seed)", "").replace(
                " (as quoted in the seed)", ""
            )
            cells = [
                metric_label(row.entry, scenario),
                metric_value(row.entry, row.game, scenario),
                historical_value(row.entry, scenario),
                mark,
                whose,
            ]
            x = rect.x
            tallest = 1
            for (name, share), cell in zip(columns, cells, strict=True):
                width = int(rect.width * share) - 8
                rgb = color if name in ("", "this game") else TEXT
                lines = _wrap(cell, size, width, 3 if name == "what is measured" else 2)
                for k, text in enumerate(lines):
                    surface.blit(fonts.text(text, size, rgb), (x, y + k * line_h))
                tallest = max(tallest, len(lines))
                x += int(rect.width * share)
            y += tallest * line_h + 6
            if y > rect.bottom:
                break

    def draw_chart(self, surface, rect: pygame.Rect) -> None:
        """Men present per side after each turn (reinforcements count from their arrival)."""
        state = self.play.session.state
        pygame.draw.rect(surface, (26, 28, 32), rect)
        pygame.draw.rect(surface, (90, 90, 90), rect, 1)
        surface.blit(
            fonts.text("Men in the fight, per side", 16, ACCENT, bold=True),
            (rect.x + 10, rect.y + 6),
        )
        series = men_per_side(state)
        if not series or len(series[0]) < 2:
            return
        plot = pygame.Rect(rect.x + 56, rect.y + 40, rect.width - 72, rect.height - 100)
        top = max(max(s) for s in series) or 1
        n = len(series[0])
        for k in range(n - 1):  # night bands
            if state.night_of(k):
                x0 = plot.x + plot.width * k / (n - 1)
                x1 = plot.x + plot.width * (k + 1) / (n - 1)
                pygame.draw.rect(surface, (38, 42, 62), (x0, plot.y, x1 - x0 + 1, plot.height))
        for frac in (0, 0.5, 1):
            y = plot.bottom - plot.height * frac
            pygame.draw.line(surface, (70, 70, 70), (plot.x, y), (plot.right, y))
            label = fonts.text(f"{top * frac:,.0f}", 12, DIM)
            surface.blit(label, label.get_rect(midright=(plot.x - 6, y)))
        for side, values in enumerate(series):
            rgb = drawing.mix(
                drawing.hex_rgb(state.scenario.sides[side].color), (255, 255, 255), 0.25
            )
            points = [
                (plot.x + plot.width * k / (n - 1), plot.bottom - plot.height * v / top)
                for k, v in enumerate(values)
            ]
            pygame.draw.lines(surface, rgb, False, points, 3)
            label = fonts.text(f"{state.scenario.sides[side].name.en}: {values[-1]:,}", 13, rgb)
            surface.blit(label, (plot.x, plot.bottom + 22 + side * 18))
        for k in (0, n - 1):
            when = fonts.text(f"{state.time_at(k):%d %b %H:%M}", 12, DIM)
            anchor = {"topleft": (plot.x, plot.bottom + 4)} if k == 0 else {}
            anchor = anchor or {"topright": (plot.right, plot.bottom + 4)}
            surface.blit(when, when.get_rect(**anchor))


def _wrap(text: str, size: int, width: int, most: int = 2) -> list[str]:
    """`text` in lines of at most `width` pixels, broken between words, at most `most` lines
    (the last cut with … if the text is longer still). A range that does not fit on one line
    breaks at its dash ("21 May 19:30 –" over "22 May 02:00"), never inside a date."""
    f = fonts.font(size)
    first, dash, second = text.partition(" – ")
    if dash and most >= 2 and f.size(text)[0] > width:
        parts = [first + " –", second]
        if all(f.size(part)[0] <= width for part in parts):
            return parts
    lines: list[str] = []
    words = text.split(" ")
    while words and len(lines) < most:
        line = words.pop(0)
        while words and f.size(f"{line} {words[0]}")[0] <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines[-1] = lines[-1] + " " + " ".join(words)
    lines[-1] = _fit(lines[-1], size, width)
    return [_fit(line, size, width) for line in lines]


def _fit(text: str, size: int, width: int) -> str:
    f = fonts.font(size)
    if f.size(text)[0] <= width:
        return text
    while text and f.size(text + "…")[0] > width:
        text = text[:-1]
    return text + "…"


def men_per_side(state) -> list[list[int]]:
    """Men present per side after each turn, from the state's ledger: a reinforcement counts from
    the turn it arrives."""
    u = state.units
    arrive = np.full(u.count, -1)
    index = {unit_id: i for i, unit_id in enumerate(u.ids)}
    for reinforcement in state.scenario.reinforcements:
        turn = state.turn_of(reinforcement.time)
        for unit_id in reinforcement.units:
            if unit_id in index:
                arrive[index[unit_id]] = turn
    series: list[list[int]] = [[], []]
    for k, snapshot in enumerate(state.ledger):
        present = arrive < k
        for side in (0, 1):
            series[side].append(int(snapshot[0][(u.side == side) & present].sum()))
    return series
