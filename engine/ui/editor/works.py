"""The Works tool: click a hex to add it to, or take it out of, the chosen kind of work
(minefield, wire, fortification, blockhouse). A work drawn where the scenario has none of its
kind starts with its required fields only, marked as the editor's for the author to source."""

from __future__ import annotations

import pygame

from .tool import Panel, Tool

WORK_KINDS = ("minefield", "wire", "fortification", "blockhouse")
WORK_DEFAULTS: dict[str, dict[str, str]] = {
    "minefield": {"depth_m": "30", "density_per_m": "1.0"},
    "wire": {"lines": "1"},
    "fortification": {"level": "prepared", "strength": "20"},
    "blockhouse": {"count": "1", "strength": "60"},
}
EDITOR_SOURCE = '"assumption: drawn in the map editor; set the figures from a source"'


class WorksTool(Tool):
    name, label, hotkey = "works", "Works", pygame.K_o

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.kind = WORK_KINDS[0]

    def build(self, panel: Panel) -> None:
        panel.note("Click a hex to add it to the chosen kind of work, or to take it out.")
        panel.pairs([(kind, "work", kind, kind == self.kind) for kind in WORK_KINDS])
        panel.y += 4

    def button(self, action: str, value) -> None:
        if action == "work":
            self.kind = value
            self.editor.rebuild()

    def press(self, h: int, button: int) -> None:
        if button != 1:
            return
        editor, kind = self.editor, self.kind
        cell = editor.cell(h)
        fields = {**WORK_DEFAULTS[kind], "source": EDITOR_SOURCE}
        done: list[str] = []
        if editor.apply(
            f"change the {kind}",
            lambda: done.append(editor.doc.toggle_obstacle(kind, cell, fields)),
        ):
            linking = "to" if done[0] == "added" else "from"
            editor.message = f"{list(cell)}: {done[0]} {linking} {kind}."

    def draw(self, surface: pygame.Surface) -> None:
        view = self.editor.view
        for h in sorted(self.editor.work_hexes(self.kind)):
            points = [view.to_screen(*c) for c in view.geo.corners(h, 0.86)]
            pygame.draw.polygon(surface, (255, 140, 40), points, 3)
