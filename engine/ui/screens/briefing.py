"""The briefing: the situation, each side's aims and what happened, then the player's choices of
side, opponent (the computer or a second person) and fog of war."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox

from ...scenario import LoadedScenario
from ..session import Session
from .labels import bilingual, esc

if TYPE_CHECKING:
    from ..app import App


class BriefingScreen:
    def __init__(self, app: App, loaded: LoadedScenario, seed: int = 1) -> None:
        self.app = app
        self.loaded = loaded
        self.seed = seed
        self.side = 0
        self.hot_seat = False
        self.fog = True
        self.buttons: dict = {}

    def text(self) -> str:
        s = self.loaded.scenario
        clock = s.clock
        end = clock.start + timedelta(minutes=clock.turn_minutes * clock.turns)
        parts = [
            f"<font size=5><b>{esc(bilingual(s.title))}</b></font><br>",
            f"<i>{clock.start:%d %B %Y %H:%M} to {end:%d %B %H:%M}: {clock.turns} turns of"
            f" {clock.turn_minutes} minutes; {s.scale}, {s.map.hex_size_m:g} m hexes</i><br><br>",
            f"<b>Situation</b><br>{esc(s.briefing.situation.strip())}<br><br><b>Aims</b><br>",
        ]
        for side in s.sides:
            aim = s.briefing.aims.get(side.id, "")
            parts.append(f"<b>{esc(bilingual(side.name))}</b>: {esc(aim.strip())}<br>")
        parts.append(f"<br><b>What happened</b><br>{esc(s.briefing.historical_note.strip())}")
        return "".join(parts).replace("\n\n", "<br><br>").replace("\n", " ")

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        right = w - 400
        UITextBox(self.text(), pygame.Rect(20, 20, right - 40, h - 40), manager=m)
        self.buttons = {}
        y = 20
        UILabel(pygame.Rect(right, y, 380, 30), "You command", manager=m)
        y += 34
        for number, side in enumerate(self.loaded.scenario.sides):
            chosen = "#chosen" if number == self.side else None
            button = UIButton(
                pygame.Rect(right, y, 380, 40),
                f"{number + 1}. {bilingual(side.name)}",
                manager=m,
                object_id=chosen,
            )
            self.buttons[button] = ("side", number)
            y += 46
        y += 10
        UILabel(pygame.Rect(right, y, 380, 30), "Against", manager=m)
        y += 34
        for key, label, hot in (
            ("C", "the computer", False),
            ("H", "a second player at this machine", True),
        ):
            chosen = "#chosen" if self.hot_seat == hot else None
            button = UIButton(
                pygame.Rect(right, y, 380, 40), f"{key}. {label}", manager=m, object_id=chosen
            )
            self.buttons[button] = ("hot", hot)
            y += 46
        y += 10
        fog = "on: you see only what your units see" if self.fog else "off: every unit is shown"
        button = UIButton(pygame.Rect(right, y, 380, 40), f"F. Fog of war {fog}", manager=m)
        self.buttons[button] = ("fog", not self.fog)
        y += 56
        UILabel(
            pygame.Rect(right, y, 380, 24),
            f"Random seed {self.seed}",
            manager=m,
            object_id="#small",
        )
        start = UIButton(
            pygame.Rect(right, h - 140, 380, 56),
            "Start the battle (Enter)",
            manager=m,
            object_id="#big_button",
        )
        self.buttons[start] = ("start", None)
        back = UIButton(pygame.Rect(right, h - 70, 380, 40), "Back to the list", manager=m)
        self.buttons[back] = ("back", None)

    def set(self, what: str, value) -> None:
        if what == "side":
            self.side = value
        elif what == "hot":
            self.hot_seat = value
        elif what == "fog":
            self.fog = value
        elif what == "start":
            self.start()
            return
        elif what == "back":
            self.app.open("list")
            return
        self.app.manager.clear_and_reset()
        self.build()

    def start(self) -> None:
        humans = (True, True) if self.hot_seat else tuple(s == self.side for s in (0, 1))
        session = Session(self.loaded, seed=self.seed, humans=humans, fog=self.fog)  # type: ignore[arg-type]
        self.app.open("game", session)

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.set(*self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            keys = {
                pygame.K_1: ("side", 0),
                pygame.K_2: ("side", 1),
                pygame.K_c: ("hot", False),
                pygame.K_h: ("hot", True),
                pygame.K_f: ("fog", not self.fog),
                pygame.K_RETURN: ("start", None),
                pygame.K_KP_ENTER: ("start", None),
            }
            if event.key in keys:
                self.set(*keys[event.key])
            elif event.key == pygame.K_ESCAPE:
                self.set("back", None)

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass
