"""The Places tool: select a named place and click a hex to move it; click an empty hex to add a
place named in the panel (English, then Chinese); rename or delete the selected one."""

from __future__ import annotations

import pygame
from pygame_gui.elements import UITextEntryLine

from .tool import Panel, Tool


class PlacesTool(Tool):
    name, label, hotkey = "places", "Places", pygame.K_p

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.name_en: UITextEntryLine | None = None
        self.name_zh: UITextEntryLine | None = None

    def entries(self) -> list:
        return [self.name_en, self.name_zh]

    def selected_name(self, language: str) -> str:
        selected = self.editor.selected
        if selected is None or selected[0] != "place":
            return ""
        for place in self.editor.loaded.scenario.map.places:
            if place.id == selected[1]:
                return getattr(place.name, language) or ""
        return ""

    def build(self, panel: Panel) -> None:
        m, x, width, typed = panel.manager, panel.x, panel.width, self.editor.typed
        panel.note(
            "Click a place to select it, then a hex to move it; click an empty hex to"
            " add a place named below (English, then Chinese).",
        )
        self.name_en = UITextEntryLine(
            pygame.Rect(x, panel.y, width, 30), manager=m, placeholder_text="English name"
        )
        self.name_en.set_text(self.selected_name("en") or typed["name_en"])
        panel.y += 32
        self.name_zh = UITextEntryLine(
            pygame.Rect(x, panel.y, width, 30), manager=m, placeholder_text="Chinese name 中文名"
        )
        self.name_zh.set_text(self.selected_name("zh") or typed["name_zh"])
        panel.y += 32
        panel.pairs([("Rename", "rename", None, False), ("Delete", "delete", None, False)], 30, 34)

    def places_at(self, h: int) -> list[str]:
        cell = self.editor.cell(h)
        return [p.id for p in self.editor.loaded.scenario.map.places if tuple(p.hex) == cell]

    def press(self, h: int, button: int) -> None:
        if button != 1:
            return
        editor = self.editor
        doc, cell = editor.doc, editor.cell(h)
        here = self.places_at(h)
        if editor.selected and editor.selected[0] == "place" and not here:
            place_id = editor.selected[1]
            if editor.apply("move the place", lambda: doc.move_place(place_id, cell)):
                editor.message = f"{place_id} moved to {list(cell)}."
            return
        if here:
            editor.selected = ("place", here[0])
            editor.message = f"{here[0]} selected: click a hex to move it, or rename or delete it."
            editor.rebuild()
            return
        name = self.name_en.get_text().strip() if self.name_en else ""
        zh = self.name_zh.get_text().strip() if self.name_zh else ""
        if not name:
            editor.message = "Type the new place's English name in the panel first."
            return
        made: list[str] = []
        add = lambda: made.append(doc.add_place(name, cell, zh or None))  # noqa: E731
        if editor.apply("add the place", add):
            editor.selected = ("place", made[0])
            editor.message = f"Added place {made[0]} at {list(cell)}."
            editor.rebuild()

    def rename(self) -> None:
        editor = self.editor
        if not (editor.selected and editor.selected[0] == "place" and self.name_en):
            editor.message = "Select a place first."
            return
        place_id = editor.selected[1]
        en, zh = self.name_en.get_text().strip(), self.name_zh.get_text().strip()  # type: ignore[union-attr]
        if editor.apply("rename", lambda: editor.doc.rename_place(place_id, en, zh or None)):
            editor.message = f"Renamed {place_id}."

    def button(self, action: str, value) -> None:
        if action == "rename":
            self.rename()
        elif action == "delete":
            self.editor.delete_selected("place")

    def key(self, k: int) -> bool:
        if k == pygame.K_DELETE:
            self.editor.delete_selected("place")
            return True
        return False
