"""The map editor: paint terrain and heights, place units, places, works and rivers, and save
the scenario file back with everything else in it as the author wrote it.

The editor holds a `ScenarioDocument` (the file's text) and, beside it, the last version of that
text that loaded as a valid scenario, which is what the map shows. Each edit goes to the document,
then the ordinary loader checks the new text: if it is valid the map is redrawn from it, if not
the problems are listed with their line and column and saving is refused until they are fixed or
undone. No rule lives here: the map is drawn from a fresh game state, as the play screen's.

Each tool is a class of its own (`brushes`, `units`, `places`, `works`, `river`, `marks`, all
`tool.Tool`): its options in the panel, what a click on a hex does, what it draws over the map.
This screen holds the document, the layout, the selection, the info and problem boxes, and
hands keys, clicks and buttons to the chosen tool.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextBox

from ...core.state import GameState
from ...rules.coefficients import coefficient_names
from ...scenario import LoadedScenario, ScenarioError
from ...scenario.document import Cell, EditError, FileChangedError, ScenarioDocument
from .. import chrome, fonts
from ..chrome import ACCENT, TEXT
from ..labels import PANEL_W, bilingual, esc
from ..mapview import ZOOMS, Highlights, MapView
from .brushes import HeightTool, TerrainTool
from .marks import MarksTool
from .places import PlacesTool
from .river import RiverTool
from .tool import Panel, Tool
from .triggers import TriggersTool
from .units import UnitsTool
from .view import EditorView
from .works import WORK_KINDS, WorksTool

if TYPE_CHECKING:
    from ..app import App

HEADER_H = chrome.HEADER_H
BAD = (240, 110, 90)
GOOD = (140, 220, 130)

# The tools in the order of their buttons.
TOOL_CLASSES: tuple[type[Tool], ...] = (
    TerrainTool,
    HeightTool,
    UnitsTool,
    PlacesTool,
    WorksTool,
    RiverTool,
    MarksTool,
    TriggersTool,
)
SETTLE_SECONDS = 1.0  # after a stroke, the whole terrain layer is drawn again this much later

HELP = [
    ("T E U P O R K G", "tool: terrain, height, units, places, works, river, marks, triggers"),
    ("Terrain, Height", "left drag paints the brush; right click picks up what is under it"),
    ("", "  [ and ]: the brush's level (Height) or the next terrain"),
    ("Units, Places", "click one to select it, then click the hex it should start on"),
    ("", "  Units: Shift+click stacks it on a hex where others stand;"),
    ("", "  C copies the selected unit to the next hex clicked"),
    ("", "  Delete removes the selected unit or place"),
    ("", "  Places: click an empty hex to add a place named in the panel"),
    ("Works", "click a hex to add it to, or take it out of, the chosen kind"),
    ("River", "click a hex to add it to the end of the river's path, or take it out"),
    ("Marks (K)", "choose an arrival, air-strike target, objective, rear or victory place;"),
    ("", "  then click its hex (a named place there is written by its id)"),
    ("Triggers (G)", "choose a plan phase; type when it starts and ends (YAML), then Set"),
    ("Ctrl+S", "save (refused while the scenario has problems)"),
    ("Ctrl+Z, Ctrl+Y", "undo, redo"),
    ("Right drag, arrow keys", "pan the map"),
    ("Wheel, + and -", "zoom"),
    ("Esc", "cancel the selection; then quit (twice if there are unsaved changes)"),
    ("F1", "this help"),
]


class EditorScreen:
    def __init__(self, app: App, document: ScenarioDocument) -> None:
        self.app = app
        self.doc = document
        self.names = coefficient_names()
        result = document.check(self.names)
        if not result.ok:
            raise ScenarioError(list(result.problems))
        self.problems: tuple = ()
        self.loaded: LoadedScenario = result.loaded  # type: ignore[assignment]
        self._shown_text = document.text  # the text the map now shows
        self._settle: float | None = None  # seconds until the whole layer is drawn again
        w, h = app.size
        self.view = MapView(EditorView(self.loaded), self._map_rect(w, h))  # type: ignore[arg-type]
        # An editor wants the whole map in view: the largest zoom at which it fits, though
        # not so small that hexes cannot be aimed at (index 2 = 15 px).
        map_spec = self.loaded.scenario.map
        for index in range(len(ZOOMS) - 1, 1, -1):
            self.view.zoom_index = index
            geo = self.view.geo
            if geo.width <= self.view.rect.width and geo.height <= self.view.rect.height:
                break
        self.view.center_on(map_spec.width * (map_spec.height // 2) + map_spec.width // 2)
        self.tools: dict[str, Tool] = {cls.name: cls(self) for cls in TOOL_CLASSES}
        self.tool = "terrain"
        self.selected: tuple[str, str] | None = None  # ("unit" | "place", id)
        self._work_hexes: tuple = (None, frozenset())
        self.hover = -1
        self.mouse = (0, 0)
        self.pan_from: tuple[int, int] | None = None
        self.panned = False
        self.help = False
        self.quit_armed = False
        self.overwrite_armed = False  # the file changed on disk; the next save writes over it
        self.message = "Editing: pick a tool (F1: keys)."
        self.buttons: dict = {}
        self.swatches: list[tuple[pygame.Rect, tuple[int, int, int]]] = []
        self.info_box = self.problem_box = None
        self.typed = {"name_en": "", "name_zh": ""}  # what was typed, kept over a rebuild
        self._info_key = None

    @property
    def current(self) -> Tool:
        """The chosen tool."""
        return self.tools[self.tool]

    # ------------------------------------------------------------------ layout
    @staticmethod
    def _map_rect(w: int, h: int) -> pygame.Rect:
        return pygame.Rect(0, HEADER_H, w - PANEL_W, h - HEADER_H)

    @property
    def state(self) -> GameState:
        return self.view.session.state

    @property
    def width(self) -> int:
        return self.loaded.scenario.map.width

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        self.view.set_rect(self._map_rect(w, h))
        x, width = w - PANEL_W + 6, PANEL_W - 12
        self.buttons, self.swatches = {}, []
        y = HEADER_H + 4
        per_row = 4
        bw = (width - 3 * (per_row - 1)) // per_row
        for k, tool in enumerate(self.tools.values()):
            chosen = "#chosen" if tool.name == self.tool else None
            rect = pygame.Rect(x + (k % per_row) * (bw + 3), y + (k // per_row) * 34, bw, 31)
            self.buttons[UIButton(rect, tool.label, manager=m, object_id=chosen)] = (
                "tool",
                tool.name,
            )
        y += ((len(self.tools) + per_row - 1) // per_row) * 34 + 4
        panel = Panel(self, x, y, width)
        self.current.build(panel)
        y = panel.y
        bottom = h - 40
        # the hex box gives way to the problem box in a short window (down to 1024 x 640)
        info_h = max(64, min(150, bottom - y - 4 - 64))
        self.info_box = UITextBox("", pygame.Rect(x, y, width, info_h), manager=m)
        y += info_h + 4
        self.problem_box = UITextBox("", pygame.Rect(x, y, width, max(60, bottom - y)), manager=m)
        bw = (width - 12) // 5
        actions = ("Save", "Undo", "Redo", "Play", "Quit")
        for k, (label, action) in enumerate((a, a.lower()) for a in actions):
            rect = pygame.Rect(x + k * (bw + 3), bottom + 4, bw, 32)
            self.buttons[UIButton(rect, label, manager=m)] = (action, None)
        self._info_key = None
        self.refresh_panel()

    def rebuild(self) -> None:
        self.app.manager.clear_and_reset()
        self.build()

    # ------------------------------------------------------------------ the document
    def cell(self, h: int) -> Cell:
        return h % self.width, h // self.width

    def hex_of(self, cell: Cell) -> int:
        return cell[1] * self.width + cell[0]

    def apply(self, what: str, edit, hexes: set[int] | None = None) -> bool:
        """Run one edit on the document; then check the new text and redraw from it (only
        around `hexes`, when the edit changed nothing else: a stroke of terrain or heights)."""
        before = self.doc.text
        try:
            changed = edit()
        except EditError as error:
            self.message = f"Cannot {what}: {error}"
            return False
        self.quit_armed = False
        if changed is False:
            return False
        self.refresh(hexes if before == self._shown_text else None)
        return True

    def refresh(self, hexes: set[int] | None = None) -> None:
        """Check the document and, if it is a valid scenario, show it."""
        result = self.doc.check(self.names)
        self.problems = result.problems
        if result.ok:
            old = self.state.board
            self.loaded = result.loaded  # type: ignore[assignment]
            self.view.session = EditorView(self.loaded)  # type: ignore[assignment]
            new = self.state.board
            local = (
                hexes
                and (old.width, old.height) == (new.width, new.height)
                and float(old.elevation_m.min()) == float(new.elevation_m.min())
                and float(old.elevation_m.max()) == float(new.elevation_m.max())
            )  # shading and contours are scaled by the map's whole relief
            self.view.scenario_changed(hexes if local else None)
            self._settle = SETTLE_SECONDS if local else None
            self._shown_text = self.doc.text
            for tool in self.tools.values():
                tool.scenario_changed()
        self._info_key = None
        self.refresh_panel()

    def save(self) -> Path | None:
        try:
            path = self.doc.save(
                coefficient_names=self.names, overwrite_changes=self.overwrite_armed
            )
        except FileChangedError as error:
            self.overwrite_armed = True
            self.message = f"Not saved: {error}. Save again to write over it."
            return None
        except ScenarioError as error:
            self.message = f"Not saved: {len(error.problems)} problem(s) to fix first."
            return None
        except (OSError, EditError) as error:
            self.message = f"Not saved: {getattr(error, 'strerror', None) or error}"
            return None
        self.overwrite_armed = False
        self.message = f"Saved {path.name}."
        self.refresh_panel()  # "Saved." at once, not when the mouse next moves
        return path

    def undo(self) -> None:
        if self.doc.undo():
            self.selected = None
            self.refresh()
            self.rebuild()  # the panel showed what was selected
            self.message = "Undone."
        else:
            self.message = "Nothing to undo."

    def redo(self) -> None:
        if self.doc.redo():
            self.refresh()
            self.message = "Redone."
        else:
            self.message = "Nothing to redo."

    # ------------------------------------------------------------------ tools
    def set_tool(self, tool: str) -> None:
        self.current.leave()
        self.tool = tool
        self.selected = None
        self.message = self.current.label + " tool."
        self.rebuild()

    def units_at(self, h: int) -> list[int]:
        return self.state.units_at(h)

    def press(self, h: int, button: int) -> None:
        """A mouse button went down on hex `h` (left 1, right 3): the chosen tool's to answer."""
        if h >= 0:
            self.current.press(h, button)

    def delete_selected(self, kind: str) -> None:
        """Delete the selected unit or place (`kind`), if one of that kind is selected."""
        if not (self.selected and self.selected[0] == kind):
            self.message = f"Select a {kind} first."
            return
        ident = self.selected[1]
        remove = self.doc.remove_unit if kind == "unit" else self.doc.remove_place
        if self.apply(f"delete the {kind}", lambda: remove(ident)):
            self.selected = None
            self.message = f"Deleted {ident}."
            self.rebuild()

    def play(self) -> None:
        if self.problems:
            self.message = "Fix the problems first: the scenario cannot be played as it is."
            return
        if self.doc.dirty:
            self.message = "Save first (Ctrl+S), then play the saved scenario."
            return
        self.app.open("briefing", self.loaded)

    def quit(self) -> None:
        if self.may_close():
            self.app.quit()

    def may_close(self) -> bool:
        """Whether the window may close now: with unsaved changes, only when asked twice."""
        if self.doc.dirty and not self.quit_armed:
            self.quit_armed = True
            self.message = "Unsaved changes: Ctrl+S saves; close or quit again to leave unsaved."
            return False
        return True

    # ------------------------------------------------------------------ events
    def typing(self) -> bool:
        return any(e is not None and e.is_focused for e in self.current.entries())

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.button(*self.buttons[event.ui_element])
            return
        if self.current.handle(event):
            return
        if event.type == pygame.KEYDOWN:
            on_file = event.mod & pygame.KMOD_CTRL and event.key in (
                pygame.K_s,
                pygame.K_z,
                pygame.K_y,
            )
            if on_file or not self.typing():  # Ctrl+S, Z and Y act on the file while typing
                self.key(event)
            return
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED:
            for name in ("name_en", "name_zh"):
                if event.ui_element is getattr(self.current, name, None):
                    self.typed[name] = event.text
            return
        if event.type == pygame.MOUSEMOTION:
            self.mouse = event.pos
            h = self.view.hex_at(event.pos)
            if self.pan_from is not None and (event.buttons[1] or event.buttons[2]):
                moved = abs(event.pos[0] - self.pan_from[0]) + abs(event.pos[1] - self.pan_from[1])
                if self.panned or moved > 6:
                    self.panned = True
                    self.view.pan(*event.rel)
            elif event.buttons[0]:
                self.current.drag(h)
            if h != self.hover:
                self.hover = h
                self.refresh_panel()
        elif event.type == pygame.MOUSEBUTTONDOWN and self.view.rect.collidepoint(event.pos):
            if event.button in (2, 3):
                self.pan_from = event.pos
                self.panned = False
            if event.button == 1:
                self.press(self.view.hex_at(event.pos), 1)
        elif event.type == pygame.MOUSEBUTTONUP:
            if event.button == 1:
                self.current.release()
            elif event.button in (2, 3):
                was_click = self.pan_from is not None and not self.panned
                self.pan_from = None
                self.panned = False
                if was_click and event.button == 3 and self.view.rect.collidepoint(event.pos):
                    if self.current.picks:
                        self.press(self.view.hex_at(event.pos), 3)
                    else:
                        self.selected = None
                        self.message = "Selection cleared."
        elif event.type == pygame.MOUSEWHEEL and self.view.rect.collidepoint(self.mouse):
            self.view.zoom(1 if event.y > 0 else -1, self.mouse)

    def button(self, action: str, value) -> None:
        commands = {
            "save": self.save,
            "undo": self.undo,
            "redo": self.redo,
            "play": self.play,
            "quit": self.quit,
        }
        if action == "tool":
            self.set_tool(value)
        elif action in commands:
            commands[action]()
        else:  # one of the chosen tool's options
            self.current.button(action, value)

    def key(self, event) -> None:
        k = event.key
        if self.help:
            self.help = False
            return
        ctrl = event.mod & pygame.KMOD_CTRL
        shift = event.mod & pygame.KMOD_SHIFT
        tools = {tool.hotkey: name for name, tool in self.tools.items()}
        if k == pygame.K_F1:
            self.help = True
        elif ctrl and k == pygame.K_s:
            self.save()
        elif ctrl and (k == pygame.K_y or (k == pygame.K_z and shift)):
            self.redo()
        elif ctrl and k == pygame.K_z:
            self.undo()
        elif k == pygame.K_ESCAPE:
            if self.selected is not None:
                self.selected = None
                self.message = "Selection cleared."
            else:
                self.quit()
        elif k in tools and not ctrl:
            self.set_tool(tools[k])
        elif k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            self.current.step(-1 if k == pygame.K_LEFTBRACKET else 1)
            self.rebuild()
        elif not self.current.key(k):
            self.view.navigate(k)

    def update(self, dt: float) -> None:
        # A second after the last stroke, the whole terrain layer is drawn again: the part
        # redrawn at once can differ by a pixel where its edge cut a symbol (drawing.redraw_region).
        if self._settle is not None and not self.current.painting:
            self._settle -= dt
            if self._settle <= 0:
                self._settle = None
                self.view.scenario_changed()

    # ------------------------------------------------------------------ the panel
    def refresh_panel(self) -> None:
        if self.info_box is None or self.problem_box is None:
            return
        key = (self.hover, id(self.loaded), self.selected)
        if key != self._info_key:
            self._info_key = key
            self.info_box.set_text(self.hex_text(self.hover))
        if self.problems:
            shown = "<br>".join(
                esc(f"{p.line}:{p.column}: {p.message}") for p in self.problems[:12]
            )
            more = len(self.problems) - 12
            tail = f"<br>… and {more} more" if more > 0 else ""
            text = (
                f"<font color='#f07060'><b>{len(self.problems)} problem(s)</b></font>"
                " (the map shows the last valid version; undo, or fix the file):"
                f"<br>{shown}{tail}"
            )
        else:
            text = "<font color='#8cdc82'><b>Valid scenario.</b></font> "
            text += "Unsaved changes." if self.doc.dirty else "Saved."
        self.problem_box.set_text(text)

    def hex_text(self, h: int) -> str:
        if h < 0:
            return "Point at a hex."
        state, scenario = self.state, self.loaded.scenario
        board = state.board
        col, row = self.cell(h)
        type_id = board.terrain_ids[int(board.terrain[h])]
        lines = [
            f"<b>[{col}, {row}]</b>  {esc(bilingual(scenario.terrain[type_id].name))}",
            f"height {float(board.elevation_m[h]):g} m",
        ]
        for place in scenario.map.places:
            if tuple(place.hex) == (col, row):
                lines.append(f"place <b>{place.id}</b>: {esc(bilingual(place.name))}")
        for i in self.units_at(h):
            unit = scenario.units[i]
            lines.append(f"unit <b>{unit.id}</b> ({unit.side}, {unit.men} men)")
        kinds = {kind for kind in WORK_KINDS if h in self.work_hexes(kind)}
        if kinds:
            lines.append("works: " + ", ".join(sorted(kinds)))
        if self.selected:
            lines.append(f"selected: {self.selected[0]} <b>{self.selected[1]}</b>")
        return "<br>".join(lines)

    def work_hexes(self, kind: str) -> frozenset[int]:
        """The hexes a kind of work covers in the scenario shown, worked out once for it (the
        Works tool outlines them every frame)."""
        key = (id(self.loaded), kind)
        if self._work_hexes[0] != key:
            board = self.state.board
            found = {
                board.resolve(ref)
                for obstacle in self.loaded.scenario.obstacles
                if obstacle.kind == kind
                for ref in obstacle.hexes
            }
            self._work_hexes = (key, frozenset(found))
        return self._work_hexes[1]

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        lit = Highlights(hover=self.hover)
        self.view.draw(surface, lit)
        clip = surface.get_clip()
        surface.set_clip(self.view.rect)
        self.current.draw(surface)
        if self.selected is not None:
            h = self._selected_hex()
            if h is not None:
                points = [self.view.to_screen(*c) for c in self.view.geo.corners(h, 0.98)]
                pygame.draw.polygon(surface, (255, 230, 60), points, 3)
        surface.set_clip(clip)
        self.draw_header(surface)
        self.draw_status(surface)

    def _selected_hex(self) -> int | None:
        kind, ident = self.selected  # type: ignore[misc]
        scenario = self.loaded.scenario
        if kind == "place":
            for place in scenario.map.places:
                if place.id == ident:
                    return self.hex_of(tuple(place.hex))  # type: ignore[arg-type]
            return None
        for i, unit in enumerate(scenario.units):
            if unit.id == ident and self.state.units.hex[i] >= 0:
                return int(self.state.units.hex[i])
        return None

    def draw_header(self, surface) -> None:
        chrome.header_bar(surface)
        title = fonts.text("Map editor", 18, ACCENT, bold=True)
        surface.blit(title, (12, (HEADER_H - title.get_height()) // 2))
        name = Path(self.doc.filename).name + (" *" if self.doc.dirty else "")
        label = fonts.text(f"{name}  ·  {bilingual(self.loaded.scenario.title)}", 16, TEXT)
        surface.blit(label, (title.get_width() + 30, (HEADER_H - label.get_height()) // 2))
        if self.problems:
            chrome.header_tag(surface, "problems", BAD, dark_text=True)
        else:
            chrome.header_tag(surface, "valid", GOOD, dark_text=True)

    def draw_status(self, surface) -> None:
        chrome.status_line(surface, self.view.rect, self.message or "F1: keys")

    def draw_over(self, surface) -> None:
        for rect, rgb in self.swatches:
            pygame.draw.rect(surface, rgb, rect)
            pygame.draw.rect(surface, (20, 20, 20), rect, 1)
        if self.help:
            chrome.help_overlay(
                surface,
                "Map editor: keys and mouse (any key closes)",
                HELP,
                width=820,
                key_w=240,
            )
