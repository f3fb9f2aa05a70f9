"""The River tool: click a hex to add it to the end of the chosen river's path (from source to
mouth), or to take it out; add a new river by name. Its hexes are painted water with Terrain."""

from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton, UITextEntryLine

from .tool import Panel, Tool


class RiverTool(Tool):
    name, label, hotkey = "river", "River", pygame.K_r

    def __init__(self, editor) -> None:
        super().__init__(editor)
        rivers = [r.id for r in editor.loaded.scenario.map.rivers]
        self.river: str | None = rivers[0] if rivers else None
        self.name_en: UITextEntryLine | None = None

    def entries(self) -> list:
        return [self.name_en]

    def scenario_changed(self) -> None:
        if self.river is None and self.editor.loaded.scenario.map.rivers:
            self.river = self.editor.loaded.scenario.map.rivers[0].id

    def build(self, panel: Panel) -> None:
        m, x, width = panel.manager, panel.x, panel.width
        rivers = self.editor.loaded.scenario.map.rivers
        panel.note(
            "Click a hex to add it to the end of the chosen river's path, or to take it"
            " out. Paint the river's hexes as water with the Terrain tool first."
        )
        panel.pairs([(r.name.en, "river", r.id, r.id == self.river) for r in rivers])
        panel.y += 4
        self.name_en = UITextEntryLine(
            pygame.Rect(x, panel.y, width - 113, 30),
            manager=m,
            placeholder_text="new river's name",
        )
        self.name_en.set_text(self.editor.typed["name_en"])
        add = UIButton(pygame.Rect(x + width - 110, panel.y, 110, 30), "New river", manager=m)
        self.editor.buttons[add] = ("new_river", None)
        panel.y += 34

    def button(self, action: str, value) -> None:
        if action == "river":
            self.river = value
            self.editor.rebuild()
        elif action == "new_river":
            self.new_river()

    def new_river(self) -> None:
        editor = self.editor
        name = self.name_en.get_text().strip() if self.name_en else ""
        if not name:
            editor.message = "Type the new river's English name beside the button first."
            return
        made: list[str] = []
        if editor.apply("add the river", lambda: made.append(editor.doc.add_river(name))):
            self.river = made[0]
            editor.typed["name_en"] = ""
            editor.message = f"Added river {made[0]}: click its hexes, from source to mouth."
            editor.rebuild()

    def press(self, h: int, button: int) -> None:
        if button != 1 or self.river is None:
            return
        editor, river = self.editor, self.river
        cell = editor.cell(h)
        done: list[str] = []
        if editor.apply(
            "change the river", lambda: done.append(editor.doc.river_waypoint(river, cell))
        ):
            editor.message = f"{list(cell)}: waypoint {done[0]}."

    def draw(self, surface: pygame.Surface) -> None:
        if self.river is None:
            return
        editor, view = self.editor, self.editor.view
        scenario = editor.loaded.scenario
        river = next((r for r in scenario.map.rivers if r.id == self.river), None)
        if river is None:
            return
        places = {p.id: tuple(p.hex) for p in scenario.map.places}
        cells = [places.get(ref) if isinstance(ref, str) else tuple(ref) for ref in river.path]
        points = [
            view.to_screen(*view.geo.center(editor.hex_of(c)))  # type: ignore[arg-type]
            for c in cells
            if c is not None
        ]
        if len(points) > 1:
            pygame.draw.lines(surface, (120, 220, 255), False, points, 3)
        for k, point in enumerate(points):
            pygame.draw.circle(surface, (120, 220, 255), point, 5 if k else 7)
