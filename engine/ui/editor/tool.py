"""What every tool of the map editor is: a name, a button and a key, its options in the panel,
what a click on a hex does, and what it draws over the map.

A tool changes the scenario only through the editor's `apply` (one step of undo, then the file
is checked and the map redrawn), and reads the scenario shown from `editor.loaded` and
`editor.state`. The editor screen knows nothing of any one tool: it asks the chosen one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame
from pygame_gui.elements import UIButton, UITextBox

from .. import fonts
from ..labels import esc

if TYPE_CHECKING:
    from .screen import EditorScreen


class Panel:
    """The tool's part of the side panel, laid out from the top down: `y` is where the next
    widget goes; the buttons made are registered with the editor (action, value)."""

    def __init__(self, editor: EditorScreen, x: int, y: int, width: int) -> None:
        self.editor = editor
        self.manager = editor.app.manager
        self.x, self.y, self.width = x, y, width

    def note(self, text: str, height: int = 0) -> None:
        lines = len(fonts.wrap(text, 14, self.width - 20))  # pygame_gui's 12 reads wider
        height = height or 24 + 22 * lines
        rect = pygame.Rect(self.x, self.y, self.width, height)
        UITextBox(esc(text), rect, manager=self.manager, object_id="#small")
        self.y += height + 2

    def pairs(self, items, height: int = 27, row: int = 30) -> list[pygame.Rect]:
        """Buttons two to a row: (label, action, value, chosen) each; their rectangles."""
        bw = (self.width - 3) // 2
        rects = []
        for k, (label, action, value, chosen) in enumerate(items):
            rect = pygame.Rect(self.x + (k % 2) * (bw + 3), self.y + (k // 2) * row, bw, height)
            button = UIButton(
                rect, label, manager=self.manager, object_id="#chosen" if chosen else None
            )
            self.editor.buttons[button] = (action, value)
            rects.append(rect)
        self.y += ((len(items) + 1) // 2) * row
        return rects


class Tool:
    """A tool of the editor; subclasses set `name`, `label` and `hotkey` and override what they
    do."""

    name = ""
    label = ""  # its button
    hotkey = 0  # its key (pygame)
    picks = False  # a right click picks up what is under it (the brushes), else clears
    painting = False  # a stroke is being painted (the brushes)

    def __init__(self, editor: EditorScreen) -> None:
        self.editor = editor

    def build(self, panel: Panel) -> None:
        """The tool's options in the panel."""

    def entries(self) -> list:
        """The text fields of the tool's options (keys typed there are text, not commands)."""
        return []

    def press(self, h: int, button: int) -> None:
        """A mouse button went down on hex `h` (left 1, right 3 when the tool `picks`)."""

    def button(self, action: str, value) -> None:
        """One of the tool's buttons in the panel was pressed."""

    def key(self, k: int) -> bool:
        """A key the editor does not use itself; whether the tool used it (else it pans)."""
        return False

    def handle(self, event) -> bool:
        """A pygame_gui event of the tool's widgets; whether it was the tool's."""
        return False

    def drag(self, h: int) -> None:
        """The mouse moved onto hex `h` with the left button held."""

    def release(self) -> None:
        """The left button was let go."""

    def step(self, step: int) -> None:
        """[ and ]: the brush's next level or kind of ground."""

    def scenario_changed(self) -> None:
        """A new valid version of the scenario is shown."""

    def leave(self) -> None:
        """Another tool is chosen."""

    def draw(self, surface: pygame.Surface) -> None:
        """What the tool shows over the map (clipped to it)."""
