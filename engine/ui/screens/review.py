"""The map after the battle: the play screen as it ended, with no orders to give."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from .play import PlayScreen

if TYPE_CHECKING:
    from ..app import App
    from .result import ResultScreen


class ReviewScreen(PlayScreen):
    """The map after the battle (no orders); Esc or R returns to the result."""

    def __init__(self, app: App, play: PlayScreen, result: ResultScreen) -> None:
        self.__dict__.update(play.__dict__)
        self.result = result
        self.message = "The battle is over: R returns to the result."

    def update(self, dt: float) -> None:
        self.player.update(dt)

    def key(self, event) -> None:
        if event.key in (pygame.K_r, pygame.K_ESCAPE):
            self.app.show(self.result)
            return
        super().key(event)
