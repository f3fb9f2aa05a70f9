"""The hand-over: in a hot-seat game, the map is hidden while the machine passes from one person
to the other; Enter (or the button) shows the play screen to the side whose turn it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from .. import drawing, fonts
from ..chrome import ACCENT, TEXT
from .labels import DIM, turn_span

if TYPE_CHECKING:
    from ..app import App
    from .play import PlayScreen


class HandoverScreen:
    """Hides the map while the machine passes from one person to the other."""

    def __init__(self, app: App, play: PlayScreen, side: int) -> None:
        self.app = app
        self.play = play
        self.side = side
        self.button = None

    def build(self) -> None:
        w, h = self.app.size
        self.button = UIButton(
            pygame.Rect(w // 2 - 160, h // 2 + 60, 320, 56),
            "I am ready (Enter)",
            manager=self.app.manager,
            object_id="#big_button",
        )

    def go(self) -> None:
        self.app.show(self.play)
        self.play.begin_orders()

    def handle(self, event) -> None:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.button) or (
            event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)
        ):
            self.go()

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        scenario = self.play.session.scenario
        side = scenario.sides[self.side]
        rgb = drawing.hex_rgb(side.color)
        surface.fill(drawing.mix(rgb, (0, 0, 0), 0.55))
        w, h = surface.get_size()
        state = self.play.session.state
        turn = f"Turn {state.turn + 1} of {state.total_turns}: {turn_span(state, state.turn)}"
        lines = [
            (f"Pass the machine to {side.name.en}", 34, ACCENT),
            (side.name.zh or "", 28, TEXT),
            (turn, 20, TEXT),
            ("The other side looks away: your orders stay hidden.", 18, DIM),
        ]
        y = h // 2 - 150
        for message, size, color in lines:
            if message:
                label = fonts.text(message, size, color, bold=size > 30)
                surface.blit(label, label.get_rect(midtop=(w // 2, y)))
            y += size + 18
