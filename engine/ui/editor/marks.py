"""The Marks tool: the hexes the plans, reinforcements, air strikes and victory conditions name
(an arrival, a strike's target, an objective, a fall-back point, a rear, a victory place):
choose one in the panel, then click its hex. A badge on each marked hex gives the letters of its
kinds of mark."""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UISelectionList

from .. import chrome, fonts
from .tool import Panel, Tool

# What a mark on the map stands for, by the field it sets.
MARK_LETTERS = {"at": "A", "target": "S", "rear": "R", "objective": "O", "fall_back_to": "F"}


class MarksTool(Tool):
    name, label, hotkey = "marks", "Marks", pygame.K_k

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.refs: list[tuple[tuple, str]] = []  # the document's hex references
        self.ref = -1  # the one chosen
        self.ref_list: UISelectionList | None = None

    def build(self, panel: Panel) -> None:
        panel.note(
            "Choose what to place: an arrival, an air strike's target, a plan's objective,"
            " fall-back point or rear, a victory place; then click its hex."
        )
        self.refs = self.editor.doc.hex_refs()
        labels = [f"{k + 1}. {label}" for k, (_, label) in enumerate(self.refs)]
        self.ref_list = UISelectionList(
            pygame.Rect(panel.x, panel.y, panel.width, 170),
            labels,
            manager=panel.manager,
            default_selection=labels[self.ref] if 0 <= self.ref < len(labels) else None,
        )
        panel.y += 174

    def handle(self, event) -> bool:
        if (
            event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION
            and self.ref_list is not None
            and event.ui_element is self.ref_list
        ):
            self.ref = int(str(event.text).split(".", 1)[0]) - 1
            self.editor.message = f"Click the hex for: {self.refs[self.ref][1]}."
            return True
        return False

    def press(self, h: int, button: int) -> None:
        if button != 1:
            return
        editor = self.editor
        if not 0 <= self.ref < len(self.refs):
            editor.message = "Choose in the panel what to place first."
            return
        path, label = self.refs[self.ref]
        cell = editor.cell(h)
        written: list[str] = []
        if editor.apply(
            "place the mark", lambda: written.append(editor.doc.set_hex_ref(path, cell))
        ):
            editor.message = f"{label} -> {written[0]}."
            editor.rebuild()

    def mark_cells(self) -> list[tuple[int, tuple[int, int]]]:
        """(index in `refs`, cell) of every mark set, read from the document's current text."""
        doc, scenario = self.editor.doc, self.editor.loaded.scenario
        found = []
        for k, (path, _) in enumerate(self.refs):
            try:
                cell = doc.cell_of(doc.data_at(path))
            except (KeyError, IndexError, TypeError):  # an optional mark not set yet
                continue
            if cell is not None:
                col, row = cell
                if 0 <= col < scenario.map.width and 0 <= row < scenario.map.height:
                    found.append((k, (col, row)))
        return found

    def draw(self, surface: pygame.Surface) -> None:
        """One badge a hex, with the letters of the kinds of mark on it (A arrival, S air strike,
        O objective, F fall-back point, R rear, V victory place); the chosen mark's hex outlined
        and its label beside it."""
        view = self.editor.view
        geo = view.geo
        by_cell: dict[tuple[int, int], list[int]] = {}
        for k, cell in self.mark_cells():
            by_cell.setdefault(cell, []).append(k)
        size = max(11, int(geo.size * 0.55))
        for cell, marks in by_cell.items():
            letters = []
            for k in marks:
                path = self.refs[k][0]
                letter = "V" if path[0] == "victory" else MARK_LETTERS.get(str(path[-1]), "?")
                if letter not in letters:
                    letters.append(letter)
            h = self.editor.hex_of(cell)
            x, y = view.to_screen(*geo.center(h))
            chosen = self.ref in marks
            label = fonts.text("".join(sorted(letters)), size, (20, 20, 20), bold=True)
            box = label.get_rect(center=(x, y - geo.size * 0.45)).inflate(8, 2)
            fill = (255, 220, 60) if chosen else (245, 245, 240)
            pygame.draw.rect(surface, fill, box, border_radius=5)
            pygame.draw.rect(surface, (20, 20, 20), box, 1, border_radius=5)
            surface.blit(label, label.get_rect(center=box.center))
            if chosen:
                points = [view.to_screen(*c) for c in geo.corners(h, 0.98)]
                pygame.draw.polygon(surface, (255, 220, 60), points, 3)
                text = fonts.text(self.refs[self.ref][1], 13, (255, 240, 180), bold=True)
                where = text.get_rect(midleft=(box.right + 6, box.centery))
                chrome.backed_label(surface, text, where, 190)
