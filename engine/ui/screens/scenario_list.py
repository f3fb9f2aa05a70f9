"""The first screen: the bundled battles, each to play (its briefing) or to edit (the editor),
and the game quit last to go on with (its autosave)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox

from ...rules.coefficients import coefficient_names
from ...scenario import LoadedScenario, ScenarioError, load_scenario
from ...scenario.document import ScenarioDocument
from .. import fonts
from ..labels import bilingual, esc
from ..session import SaveError, Session, describe_save, latest_autosave

if TYPE_CHECKING:
    from ..app import App


class ScenarioListScreen:
    def __init__(self, app: App, files: list[Path]) -> None:
        self.app = app
        self.files = files
        self.entries: list[tuple[Path, LoadedScenario | None, str]] = []
        for path in files:
            try:
                loaded = load_scenario(path, coefficient_names=coefficient_names())
                self.entries.append((path, loaded, loaded.scenario.briefing.summary))
            except ScenarioError as error:
                self.entries.append(
                    (path, None, f"{len(error.problems)} problems: {error.problems[0]}")
                )
        self.buttons: dict = {}
        self.message = ""

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        UILabel(pygame.Rect(40, 24, w - 80, 40), "Choose a battle", manager=m, object_id="#title")
        UILabel(
            pygame.Rect(40, h - 40, w - 80, 24),
            "Click a battle or press its number to play it; Edit map opens it in the editor;"
            " Esc quits.",
            manager=m,
            object_id="#small",
        )
        self.buttons = {}
        y = 90
        for number, (path, loaded, summary) in enumerate(self.entries, start=1):
            title = bilingual(loaded.scenario.title) if loaded else path.name
            if loaded is not None:
                title += f"  ({loaded.scenario.scale})"
            button = UIButton(
                pygame.Rect(40, y, min(720, w - 80), 44),
                f"{number}. {title}",
                manager=m,
                object_id="#big_button",
            )
            edit = UIButton(
                pygame.Rect(40 + min(720, w - 80) + 8, y, 110, 44), "Edit map", manager=m
            )
            if loaded is None:
                button.disable()
                edit.disable()
            self.buttons[button] = number - 1
            self.buttons[edit] = ("edit", number - 1)
            # as tall as its wrapped summary (two lines at 1024 px wide), not a scrolled strip
            lines = min(3, len(fonts.wrap(summary, 14, w - 80 - 30)))
            box_h = 14 + 26 * lines
            UITextBox(esc(summary), pygame.Rect(40, y + 47, w - 80, box_h), manager=m)
            y += 47 + box_h + 6
        if not self.entries:
            UILabel(pygame.Rect(40, y, w - 80, 30), "No scenarios found in ./scenarios", manager=m)
        quit_button = UIButton(pygame.Rect(40, y + 6, 160, 34), "Quit", manager=m)
        self.buttons[quit_button] = -1
        autosave = latest_autosave(self.app.save_dir)
        if autosave is not None:  # the game quit last: go on with it
            label = f"Continue: {describe_save(autosave).removeprefix('Autosave: ')}"
            button = UIButton(pygame.Rect(210, y + 10, min(720, w - 250), 36), label, manager=m)
            self.buttons[button] = ("continue", autosave)
        if self.message:
            UITextBox(esc(self.message), pygame.Rect(40, y + 52, w - 80, 60), manager=m)

    def choose(self, number) -> None:
        if isinstance(number, tuple) and number[0] == "continue":  # the newest autosave
            try:
                session = Session.load(number[1])
            except SaveError as error:
                self.message = str(error)
                self.app.show(self)
                return
            self.app.open("game", session)
            return
        if isinstance(number, tuple):  # ("edit", n): the map editor on that file
            path = self.entries[number[1]][0]
            try:
                self.app.open("editor", ScenarioDocument.open(path))
            except ScenarioError as error:  # changed since the list was made
                problems = error.problems
                self.entries[number[1]] = (path, None, f"{len(problems)} problems: {problems[0]}")
                self.app.show(self)
            return
        if number < 0:
            self.app.quit()
            return
        if 0 <= number < len(self.entries) and self.entries[number][1] is not None:
            self.app.open("briefing", self.entries[number][1])

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.choose(self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            if pygame.K_1 <= event.key <= pygame.K_9:
                self.choose(event.key - pygame.K_1)
            elif event.key == pygame.K_ESCAPE:
                self.app.quit()

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass
