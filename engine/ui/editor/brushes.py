"""The brushes: Terrain (a kind of ground from the legend; and the map's size) and Height (a
level of the elevation grid). A left drag paints a stroke, shown at once and written to the file
when the button is let go, as one step of undo; a right click picks up what is under it."""

from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton, UILabel, UITextEntryLine

from ...scenario.document import Cell
from ...scenario.models import LEVEL_CHARS
from .. import drawing, fonts
from .tool import Panel, Tool


class Brush(Tool):
    picks = True

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.stroke: dict[Cell, str | int] = {}
        self.painting = False

    def value(self) -> str | int:
        """What the brush paints now."""
        raise NotImplementedError

    def write(self, stroke: dict[Cell, str | int], hexes: set[int]) -> bool:
        """Write a finished stroke to the document (through the editor's `apply`)."""
        raise NotImplementedError

    def pick(self, h: int) -> None:
        """Take up what is under hex `h` as the brush's value."""

    def press(self, h: int, button: int) -> None:
        if button == 3:
            self.pick(h)
            self.editor.rebuild()
        else:
            self.painting = True
            self.paint(h)

    def drag(self, h: int) -> None:
        if self.painting:
            self.paint(h)

    def release(self) -> None:
        if self.painting:
            self.finish_stroke()

    def leave(self) -> None:
        self.stroke = {}

    def paint(self, h: int) -> None:
        if h < 0 or not self.painting:
            return
        self.stroke[self.editor.cell(h)] = self.value()

    def finish_stroke(self) -> None:
        editor = self.editor
        self.painting = False
        stroke, self.stroke = self.stroke, {}
        if not stroke:
            editor.message = ""
            return
        hexes = {editor.hex_of(cell) for cell in stroke}
        if self.write(stroke, hexes):
            editor.message = f"Painted {len(stroke)} hex{'es' if len(stroke) != 1 else ''}."
            if editor.problems:
                editor.message += f" Now {len(editor.problems)} problem(s): see the panel."
        elif not editor.message.startswith("Cannot"):
            editor.message = "Nothing changed: the hexes were like that already."

    def fill(self, value: str | int) -> tuple[int, int, int] | None:
        """The colour a painted hex of the stroke is filled with, if any."""
        return None

    def draw(self, surface: pygame.Surface) -> None:
        view = self.editor.view
        for cell, value in self.stroke.items():
            h = self.editor.hex_of(cell)
            points = [view.to_screen(*c) for c in view.geo.corners(h, 0.92)]
            rgb = self.fill(value)
            if rgb is not None:
                pygame.draw.polygon(surface, rgb, points)
            pygame.draw.polygon(surface, (255, 255, 255), points, 2)


class TerrainTool(Brush):
    name, label, hotkey = "terrain", "Terrain", pygame.K_t

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.brush = next(iter(editor.loaded.scenario.map.legend))
        self.kept: set[Cell] = set()  # road and track hexes the stroke went over and kept
        self.size_w: UITextEntryLine | None = None
        self.size_h: UITextEntryLine | None = None

    def value(self) -> str:
        return self.brush

    def is_route(self, char: str) -> bool:
        """Whether a legend character is a road or a track (a line joining its hexes)."""
        scenario = self.editor.loaded.scenario
        return scenario.terrain[scenario.map.legend[char]].symbol in ("road", "track")

    def paint(self, h: int) -> None:
        """Paint, but keep a road or track under a brush of other ground: painting over a road
        would silently cut it. Shift held paints over it all the same."""
        if h < 0 or not self.painting:
            return
        board = self.editor.state.board
        type_id = board.terrain_ids[int(board.terrain[h])]
        route = self.editor.loaded.scenario.terrain[type_id].symbol in ("road", "track")
        shift = pygame.key.get_mods() & pygame.KMOD_SHIFT
        if route and not self.is_route(self.brush) and not shift:
            self.kept.add(self.editor.cell(h))
            return
        super().paint(h)

    def finish_stroke(self) -> None:
        kept, self.kept = self.kept, set()
        super().finish_stroke()
        if kept:
            n = len(kept)
            self.editor.message += (
                f" Kept the road or track on {n} hex{'es' if n != 1 else ''}"
                " (hold Shift to paint over roads)."
            )

    def write(self, stroke, hexes) -> bool:
        cells = {cell: str(v) for cell, v in stroke.items()}
        return self.editor.apply("paint", lambda: self.editor.doc.paint_terrain(cells), hexes)

    def fill(self, value):
        scenario = self.editor.loaded.scenario
        return drawing.hex_rgb(scenario.terrain[scenario.map.legend[str(value)]].color)

    def pick(self, h: int) -> None:
        board = self.editor.state.board
        type_id = board.terrain_ids[int(board.terrain[h])]
        chars = [c for c, t in self.editor.loaded.scenario.map.legend.items() if t == type_id]
        if chars:
            self.brush = chars[0]

    def step(self, step: int) -> None:
        chars = list(self.editor.loaded.scenario.map.legend)
        self.brush = chars[(chars.index(self.brush) + step) % len(chars)]

    def entries(self) -> list:
        return [self.size_w, self.size_h]

    def build(self, panel: Panel) -> None:
        editor, m, x, width = self.editor, panel.manager, panel.x, panel.width
        scenario = editor.loaded.scenario
        self.size_w = self.size_h = None
        panel.note("Left drag paints; right click picks up the ground under it.")
        legend = list(scenario.map.legend.items())
        kinds = [scenario.terrain[type_id] for _, type_id in legend]
        rects = panel.pairs(
            [
                (f"     {char}  {kind.name.en}", "brush", char, char == self.brush)
                for (char, _), kind in zip(legend, kinds, strict=True)
            ]
        )
        for rect, kind in zip(rects, kinds, strict=True):
            swatch = pygame.Rect(rect.x + 6, rect.y + 6, 16, rect.height - 12)
            editor.swatches.append((swatch, drawing.hex_rgb(kind.color)))
        panel.y += 4
        y = panel.y
        UILabel(pygame.Rect(x, y, 90, 30), "Map size", manager=m)
        self.size_w = UITextEntryLine(pygame.Rect(x + 92, y, 60, 30), manager=m)
        now = editor.doc.data().get("map") or {}
        self.size_w.set_text(str(now.get("width", scenario.map.width)))
        UILabel(pygame.Rect(x + 152, y, 20, 30), "x", manager=m)
        self.size_h = UITextEntryLine(pygame.Rect(x + 172, y, 60, 30), manager=m)
        self.size_h.set_text(str(now.get("height", scenario.map.height)))
        resize = UIButton(pygame.Rect(x + 236, y, width - 236, 30), "Resize", manager=m)
        editor.buttons[resize] = ("resize", None)
        panel.y += 34

    def button(self, action: str, value) -> None:
        if action == "brush":
            self.brush = value
            self.editor.rebuild()
        elif action == "resize":
            self.resize()

    def resize(self) -> None:
        editor = self.editor
        try:
            width, height = int(self.size_w.get_text()), int(self.size_h.get_text())  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            editor.message = "The map size is two whole numbers: hexes across and rows."
            return
        if editor.apply("resize the map", lambda: editor.doc.resize_map(width, height)):
            editor.message = f"The map is now {width} x {height} hexes."
            if editor.problems:
                editor.message += " Move or undo what is now off the map."
            editor.rebuild()


class HeightTool(Brush):
    name, label, hotkey = "height", "Height", pygame.K_e

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.level = 0
        self._glyphs: dict[tuple[str, int], pygame.Surface] = {}  # the levels' marks

    def value(self) -> int:
        return self.level

    def write(self, stroke, hexes) -> bool:
        levels = {cell: int(v) for cell, v in stroke.items()}
        return self.editor.apply(
            "set the height", lambda: self.editor.doc.set_levels(levels), hexes
        )

    def pick(self, h: int) -> None:
        grid = self.editor.loaded.scenario.map.elevation
        if grid is not None:
            metres = float(self.editor.state.board.elevation_m[h])
            self.level = max(0, min(35, round((metres - grid.base_m) / grid.step_m)))

    def step(self, step: int) -> None:
        self.level = max(0, min(len(LEVEL_CHARS) - 1, self.level + step))

    def level_text(self) -> str:
        grid = self.editor.loaded.scenario.map.elevation
        base, step = (grid.base_m, grid.step_m) if grid else (0.0, 10.0)
        return f"level {LEVEL_CHARS[self.level]} = {base + self.level * step:g} m"

    def build(self, panel: Panel) -> None:
        m, x, y, width = panel.manager, panel.x, panel.y, panel.width
        panel.note("Left drag paints the level; right click picks up the level under it.")
        y = panel.y
        bw = 60
        buttons = self.editor.buttons
        buttons[UIButton(pygame.Rect(x, y, bw, 30), "-", manager=m)] = ("level", -1)
        buttons[UIButton(pygame.Rect(x + width - bw, y, bw, 30), "+", manager=m)] = ("level", 1)
        UILabel(pygame.Rect(x + bw, y, width - 2 * bw, 30), self.level_text(), manager=m)
        panel.y += 34

    def button(self, action: str, value) -> None:
        if action == "level":
            self.step(value)
            self.editor.rebuild()

    def draw(self, surface: pygame.Surface) -> None:
        self.draw_levels(surface)
        super().draw(surface)

    def draw_levels(self, surface: pygame.Surface) -> None:
        view, board = self.editor.view, self.editor.state.board
        geo = view.geo
        grid = self.editor.loaded.scenario.map.elevation
        if grid is None or geo.size < 12:
            return
        size = max(10, int(geo.size * 0.55))
        for h in range(board.size):
            x, y = view.to_screen(*geo.center(h))
            if not view.rect.collidepoint(x, y):
                continue
            level = round((float(board.elevation_m[h]) - grid.base_m) / grid.step_m)
            char = LEVEL_CHARS[max(0, min(35, level))]
            label = self._glyphs.get((char, size))
            if label is None:  # 36 characters at a few sizes: drawn once each
                label = self._glyphs[(char, size)] = fonts.text(char, size, (20, 20, 20), bold=True)
            surface.blit(label, label.get_rect(center=(x, y)))
