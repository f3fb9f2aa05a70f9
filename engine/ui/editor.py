"""The map editor: paint terrain and heights, place units, places, works and rivers, and save
the scenario file back with everything else in it as the author wrote it.

The editor holds a `ScenarioDocument` (the file's text) and, beside it, the last version of that
text that loaded as a valid scenario, which is what the map shows. Each edit goes to the document,
then the ordinary loader checks the new text: if it is valid the map is redrawn from it, if not
the problems are listed with their line and column and saving is refused until they are fixed or
undone. Painting strokes are shown at once and written when the mouse button is let go, as one
step of undo. No rule lives here: the map is drawn from a fresh game state, as the play screen's.
"""

from __future__ import annotations

import html
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UILabel,
    UISelectionList,
    UITextBox,
    UITextEntryLine,
)

from ..core.state import GameState
from ..rules.coefficients import coefficient_names
from ..rules.turn import new_game
from ..scenario import LoadedScenario, ScenarioError
from ..scenario.document import Cell, EditError, FileChangedError, ScenarioDocument
from ..scenario.models import LEVEL_CHARS, Posture, Unit
from . import chrome, drawing, fonts
from .chrome import ACCENT
from .fog import FogMemory
from .mapview import ZOOMS, Highlights, MapView

if TYPE_CHECKING:
    from .app import App

HEADER_H = chrome.HEADER_H
PANEL_W = 350
TEXT = (232, 228, 218)
DIM = (160, 160, 150)
BAD = (240, 110, 90)
GOOD = (140, 220, 130)

TOOLS = (
    ("terrain", "Terrain", pygame.K_t),
    ("height", "Height", pygame.K_e),
    ("units", "Units", pygame.K_u),
    ("places", "Places", pygame.K_p),
    ("works", "Works", pygame.K_o),
    ("river", "River", pygame.K_r),
    ("marks", "Marks", pygame.K_k),
)
SETTLE_SECONDS = 1.0  # after a stroke, the whole terrain layer is drawn again this much later
# What a mark on the map stands for, by the field it sets (the Marks tool).
MARK_LETTERS = {"at": "A", "target": "S", "rear": "R", "objective": "O", "fall_back_to": "F"}
WORK_KINDS = ("minefield", "wire", "fortification", "blockhouse")
# What a work drawn where the scenario has none of its kind starts with: required fields only,
# marked in `source` as the editor's, for the author to replace with the figures of a source.
WORK_DEFAULTS: dict[str, dict[str, str]] = {
    "minefield": {"depth_m": "30", "density_per_m": "1.0"},
    "wire": {"lines": "1"},
    "fortification": {"level": "prepared", "strength": "20"},
    "blockhouse": {"count": "1", "strength": "60"},
}
EDITOR_SOURCE = '"assumption: drawn in the map editor; set the figures from a source"'

HELP = [
    ("T E U P O R K", "tool: terrain, height, units, places, works, river, marks"),
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
    ("Ctrl+S", "save (refused while the scenario has problems)"),
    ("Ctrl+Z, Ctrl+Y", "undo, redo"),
    ("Right drag, arrow keys", "pan the map"),
    ("Wheel, + and -", "zoom"),
    ("Esc", "cancel the selection; then quit (twice if there are unsaved changes)"),
    ("F1", "this help"),
]


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


def _name(name) -> str:
    return f"{name.en} {name.zh}" if getattr(name, "zh", None) else name.en


class EditorView:
    """What the map view reads of a game session, for a scenario being edited: its start, seen
    by no one in particular (no fog, no orders)."""

    fog = False

    def __init__(self, loaded: LoadedScenario) -> None:
        self.loaded = loaded
        self.state: GameState = new_game(loaded.scenario, 1)
        self.memory = FogMemory()

    def viewer(self) -> int:
        return 0

    def side_to_order(self) -> int | None:
        return None

    def hidden_places(self) -> frozenset[str]:
        return frozenset()

    def visible_units(self, side: int) -> set[int]:
        return set(range(self.state.units.count))

    def orders_of(self, side: int) -> dict:
        return {}


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
        self.tool = "terrain"
        legend = list(self.loaded.scenario.map.legend)
        self.brush = legend[0]
        self.level = 0
        self.work_kind = WORK_KINDS[0]
        rivers = [r.id for r in self.loaded.scenario.map.rivers]
        self.river = rivers[0] if rivers else None
        self.stroke: dict[Cell, str | int] = {}
        self.selected: tuple[str, str] | None = None  # ("unit" | "place", id)
        self.copying = False  # the next click on the map places a copy of the selected unit
        self._work_hexes: tuple = (None, frozenset())
        self._glyphs: dict[tuple[str, int], pygame.Surface] = {}  # the Height tool's level marks
        self.refs: list[tuple[tuple, str]] = []  # the Marks tool's hex references
        self.ref = -1  # the one chosen
        self.ref_list = None
        self.hover = -1
        self.mouse = (0, 0)
        self.painting = False
        self.pan_from: tuple[int, int] | None = None
        self.panned = False
        self.help = False
        self.quit_armed = False
        self.overwrite_armed = False  # the file changed on disk; the next save writes over it
        self.message = "Editing: pick a tool (F1: keys)."
        self.buttons: dict = {}
        self.swatches: list[tuple[pygame.Rect, tuple[int, int, int]]] = []
        self.info_box = self.problem_box = None
        self.name_en = self.name_zh = None
        self.size_w = self.size_h = None
        self.typed = {"name_en": "", "name_zh": ""}  # what was typed, kept over a rebuild
        self._info_key = None

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
        self.name_en = self.name_zh = self.size_w = self.size_h = None
        self.ref_list = None
        self.unit_fields, self.posture_menu, self.side_menu = {}, None, None
        y = HEADER_H + 4
        per_row = 4
        bw = (width - 3 * (per_row - 1)) // per_row
        for k, (tool, label, _) in enumerate(TOOLS):
            chosen = "#chosen" if tool == self.tool else None
            rect = pygame.Rect(x + (k % per_row) * (bw + 3), y + (k // per_row) * 34, bw, 31)
            self.buttons[UIButton(rect, label, manager=m, object_id=chosen)] = ("tool", tool)
        y += ((len(TOOLS) + per_row - 1) // per_row) * 34 + 4
        y = self._build_options(x, y, width)
        self.info_box = UITextBox("", pygame.Rect(x, y, width, 150), manager=m)
        y += 154
        bottom = h - 40
        self.problem_box = UITextBox("", pygame.Rect(x, y, width, max(60, bottom - y)), manager=m)
        bw = (width - 12) // 5
        actions = ("Save", "Undo", "Redo", "Play", "Quit")
        for k, (label, action) in enumerate((a, a.lower()) for a in actions):
            rect = pygame.Rect(x + k * (bw + 3), bottom + 4, bw, 32)
            self.buttons[UIButton(rect, label, manager=m)] = (action, None)
        self._info_key = None
        self.refresh_panel()

    def _build_options(self, x: int, y: int, width: int) -> int:
        m = self.app.manager
        scenario = self.loaded.scenario

        def note(text: str, height: int = 0) -> None:
            nonlocal y
            lines = len(fonts.wrap(text, 14, width - 20))  # pygame_gui's 12 reads wider
            height = height or 24 + 22 * lines
            UITextBox(_esc(text), pygame.Rect(x, y, width, height), manager=m, object_id="#small")
            y += height + 2

        def pairs(items, height: int = 27, row: int = 30) -> list[pygame.Rect]:
            """Buttons two to a row: (label, action, value, chosen) each; their rectangles."""
            nonlocal y
            bw = (width - 3) // 2
            rects = []
            for k, (label, action, value, chosen) in enumerate(items):
                rect = pygame.Rect(x + (k % 2) * (bw + 3), y + (k // 2) * row, bw, height)
                button = UIButton(rect, label, manager=m, object_id="#chosen" if chosen else None)
                self.buttons[button] = (action, value)
                rects.append(rect)
            y += ((len(items) + 1) // 2) * row
            return rects

        if self.tool == "terrain":
            note("Left drag paints; right click picks up the ground under it.")
            legend = list(scenario.map.legend.items())
            kinds = [scenario.terrain[type_id] for _, type_id in legend]
            rects = pairs(
                [
                    (f"     {char}  {kind.name.en}", "brush", char, char == self.brush)
                    for (char, _), kind in zip(legend, kinds, strict=True)
                ]
            )
            for rect, kind in zip(rects, kinds, strict=True):
                swatch = pygame.Rect(rect.x + 6, rect.y + 6, 16, rect.height - 12)
                self.swatches.append((swatch, drawing.hex_rgb(kind.color)))
            y += 4
            UILabel(pygame.Rect(x, y, 90, 30), "Map size", manager=m)
            self.size_w = UITextEntryLine(pygame.Rect(x + 92, y, 60, 30), manager=m)
            now = self.doc.data().get("map") or {}
            self.size_w.set_text(str(now.get("width", scenario.map.width)))
            UILabel(pygame.Rect(x + 152, y, 20, 30), "x", manager=m)
            self.size_h = UITextEntryLine(pygame.Rect(x + 172, y, 60, 30), manager=m)
            self.size_h.set_text(str(now.get("height", scenario.map.height)))
            resize = UIButton(pygame.Rect(x + 236, y, width - 236, 30), "Resize", manager=m)
            self.buttons[resize] = ("resize", None)
            y += 34
        elif self.tool == "height":
            note("Left drag paints the level; right click picks up the level under it.")
            bw = 60
            self.buttons[UIButton(pygame.Rect(x, y, bw, 30), "-", manager=m)] = ("level", -1)
            self.buttons[UIButton(pygame.Rect(x + width - bw, y, bw, 30), "+", manager=m)] = (
                "level",
                1,
            )
            UILabel(pygame.Rect(x + bw, y, width - 2 * bw, 30), self._level_text(), manager=m)
            y += 34
        elif self.tool in ("units", "places"):
            if self.tool == "units":
                note(
                    "Click a unit to select it, then click the hex where it should start."
                    " Copy, then a hex: a copy of it starts there.",
                )
                pairs([("Copy", "copy", None, False), ("Delete", "delete", None, False)], 30, 34)
                y = self._build_unit_form(x, y, width)
            else:
                note(
                    "Click a place to select it, then a hex to move it; click an empty hex to"
                    " add a place named below (English, then Chinese).",
                )
                self.name_en = UITextEntryLine(
                    pygame.Rect(x, y, width, 30), manager=m, placeholder_text="English name"
                )
                self.name_en.set_text(self._selected_name("en") or self.typed["name_en"])
                y += 32
                self.name_zh = UITextEntryLine(
                    pygame.Rect(x, y, width, 30), manager=m, placeholder_text="Chinese name 中文名"
                )
                self.name_zh.set_text(self._selected_name("zh") or self.typed["name_zh"])
                y += 32
                pairs(
                    [("Rename", "rename", None, False), ("Delete", "delete", None, False)], 30, 34
                )
        elif self.tool == "works":
            note("Click a hex to add it to the chosen kind of work, or to take it out.")
            pairs([(kind, "work", kind, kind == self.work_kind) for kind in WORK_KINDS])
            y += 4
        elif self.tool == "river":
            rivers = scenario.map.rivers
            note(
                "Click a hex to add it to the end of the chosen river's path, or to take it"
                " out. Paint the river's hexes as water with the Terrain tool first."
            )
            pairs([(r.name.en, "river", r.id, r.id == self.river) for r in rivers])
            y += 4
            self.name_en = UITextEntryLine(
                pygame.Rect(x, y, width - 113, 30), manager=m, placeholder_text="new river's name"
            )
            self.name_en.set_text(self.typed["name_en"])
            add = UIButton(pygame.Rect(x + width - 110, y, 110, 30), "New river", manager=m)
            self.buttons[add] = ("new_river", None)
            y += 34
        elif self.tool == "marks":
            note(
                "Choose what to place: an arrival, an air strike's target, a plan's objective,"
                " fall-back point or rear, a victory place; then click its hex."
            )
            self.refs = self.doc.hex_refs()
            labels = [f"{k + 1}. {label}" for k, (_, label) in enumerate(self.refs)]
            self.ref_list = UISelectionList(
                pygame.Rect(x, y, width, 170),
                labels,
                manager=m,
                default_selection=labels[self.ref] if 0 <= self.ref < len(labels) else None,
            )
            y += 174
        return y

    def _build_unit_form(self, x: int, y: int, width: int) -> int:
        """The selected unit's figures, to change: its names, side, men, quality, morale and
        posture (a copy starts with its original's, so this is how a new unit is made)."""
        self.unit_fields = {}
        unit = self._selected_unit()
        if unit is None:
            return y
        m = self.app.manager
        for k, (key, value, hint) in enumerate(
            (("name_en", unit.name.en, "English name"), ("name_zh", unit.name.zh or "", "中文名"))
        ):
            left = x + k * (width // 2)
            entry = UITextEntryLine(
                pygame.Rect(left, y, width // 2 - 3, 30), manager=m, placeholder_text=hint
            )
            entry.set_text(value)
            self.unit_fields[key] = entry
        y += 32
        label_w, field_w = 70, (width - 3) // 2 - 70
        for k, (key, value) in enumerate(
            (("men", unit.men), ("quality", unit.quality), ("morale", unit.morale))
        ):
            column, row = k % 2, k // 2
            left = x + column * (width // 2)
            UILabel(pygame.Rect(left, y + row * 32, label_w, 30), key, manager=m)
            entry = UITextEntryLine(
                pygame.Rect(left + label_w, y + row * 32, field_w, 30), manager=m
            )
            entry.set_text(f"{value:g}" if isinstance(value, float) else str(value))
            self.unit_fields[key] = entry
        half = width - width // 2
        self.posture_menu = UIDropDownMenu(
            [p.value for p in Posture],
            unit.posture.value,
            pygame.Rect(x + width // 2, y + 32, half, 30),
            manager=m,
        )
        y += 64
        sides = [s.id for s in self.loaded.scenario.sides]
        UILabel(pygame.Rect(x, y, 70, 30), "side", manager=m)
        self.side_menu = UIDropDownMenu(
            sides, unit.side, pygame.Rect(x + 70, y, width // 2 - 73, 30), manager=m
        )
        apply = UIButton(pygame.Rect(x + width // 2, y, half, 30), "Set", manager=m)
        self.buttons[apply] = ("unit_values", None)
        return y + 34

    def _selected_unit(self):
        """The selected unit as the file has it now (which may not be valid yet: the map shows
        the last valid version, the form must show the file), with the format's defaults."""
        if not (self.selected and self.selected[0] == "unit"):
            return None
        found = next(
            (
                u
                for u in self.doc.data().get("units") or []
                if isinstance(u, dict) and u.get("id") == self.selected[1]
            ),
            None,
        )
        if found is None:
            return None
        name = found.get("name") if isinstance(found.get("name"), dict) else {}
        defaults = Unit.model_fields
        return SimpleNamespace(
            id=found["id"],
            name=SimpleNamespace(en=str(name.get("en", "")), zh=name.get("zh")),
            side=str(found.get("side", "")),
            men=found.get("men", 0),
            quality=found.get("quality", defaults["quality"].default),
            morale=found.get("morale", defaults["morale"].default),
            posture=SimpleNamespace(value=str(found.get("posture", defaults["posture"].default))),
        )

    @staticmethod
    def _chosen(menu, default: str) -> str:
        chosen = menu.selected_option if menu is not None else default
        return chosen[0] if isinstance(chosen, tuple) else chosen

    def set_unit_values(self) -> None:
        unit = self._selected_unit()
        if unit is None or not self.unit_fields:
            self.message = "Select a unit first."
            return
        fields = self.unit_fields
        try:
            values: dict = {"men": int(fields["men"].get_text())}
            values["quality"] = float(fields["quality"].get_text())
            values["morale"] = float(fields["morale"].get_text())
        except ValueError:
            self.message = "Men is a whole number; quality and morale are numbers from 0 to 1."
            return
        values["posture"] = self._chosen(self.posture_menu, unit.posture.value)
        values["side"] = self._chosen(self.side_menu, unit.side)
        current = {
            "men": unit.men,
            "quality": unit.quality,
            "morale": unit.morale,
            "posture": unit.posture.value,
            "side": unit.side,
        }
        changed = {key: value for key, value in values.items() if current[key] != value}
        name_en = " ".join(fields["name_en"].get_text().split())
        name_zh = " ".join(fields["name_zh"].get_text().split()) or None
        renamed = (name_en, name_zh) != (unit.name.en, unit.name.zh)
        if not changed and not renamed:
            self.message = "Nothing changed."
            return

        def edit() -> bool:
            with self.doc.one_step():
                if changed:
                    self.doc.set_unit_values(unit.id, changed)
                if renamed:
                    self.doc.rename_unit(unit.id, name_en, name_zh)
            return True

        if self.apply("set the figures", edit):
            shown = [f"{k} {v}" for k, v in changed.items()] + (["renamed"] if renamed else [])
            self.message = f"{unit.id}: " + ", ".join(shown)
            self.rebuild()

    def _level_text(self) -> str:
        grid = self.loaded.scenario.map.elevation
        base, step = (grid.base_m, grid.step_m) if grid else (0.0, 10.0)
        return f"level {LEVEL_CHARS[self.level]} = {base + self.level * step:g} m"

    def _selected_name(self, language: str) -> str:
        if self.selected is None or self.selected[0] != "place":
            return ""
        for place in self.loaded.scenario.map.places:
            if place.id == self.selected[1]:
                return getattr(place.name, language) or ""
        return ""

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
            if self.river is None and self.loaded.scenario.map.rivers:
                self.river = self.loaded.scenario.map.rivers[0].id
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
        self.tool = tool
        self.selected = None
        self.copying = False
        self.stroke = {}
        self.message = dict((t, label) for t, label, _ in TOOLS)[tool] + " tool."
        self.rebuild()

    def units_at(self, h: int) -> list[int]:
        return self.state.units_at(h)

    def places_at(self, h: int) -> list[str]:
        cell = self.cell(h)
        return [p.id for p in self.loaded.scenario.map.places if tuple(p.hex) == cell]

    def press(self, h: int, button: int) -> None:
        """A mouse button went down on hex `h` (left 1, right 3)."""
        if h < 0:
            return
        if self.tool in ("terrain", "height"):
            if button == 3:
                self.pick(h)
            else:
                self.painting = True
                self.paint(h)
            return
        if button != 1:
            return
        if self.tool == "units":
            self.click_unit(h, stack=bool(pygame.key.get_mods() & pygame.KMOD_SHIFT))
        elif self.tool == "places":
            self.click_place(h)
        elif self.tool == "works":
            kind = self.work_kind
            fields = {**WORK_DEFAULTS[kind], "source": EDITOR_SOURCE}
            done: list[str] = []
            if self.apply(
                f"change the {kind}",
                lambda: done.append(self.doc.toggle_obstacle(kind, self.cell(h), fields)),
            ):
                linking = "to" if done[0] == "added" else "from"
                self.message = f"{list(self.cell(h))}: {done[0]} {linking} {kind}."
        elif self.tool == "marks":
            self.place_mark(h)
        elif self.tool == "river" and self.river is not None:
            river = self.river
            done = []
            if self.apply(
                "change the river",
                lambda: done.append(self.doc.river_waypoint(river, self.cell(h))),
            ):
                self.message = f"{list(self.cell(h))}: waypoint {done[0]}."

    def place_mark(self, h: int) -> None:
        if not 0 <= self.ref < len(self.refs):
            self.message = "Choose in the panel what to place first."
            return
        path, label = self.refs[self.ref]
        written: list[str] = []
        if self.apply(
            "place the mark", lambda: written.append(self.doc.set_hex_ref(path, self.cell(h)))
        ):
            self.message = f"{label} -> {written[0]}."
            self.rebuild()

    def mark_cells(self) -> list[tuple[int, tuple[int, int]]]:
        """(index in `refs`, cell) of every mark set, read from the document's current text."""
        found = []
        for k, (path, _) in enumerate(self.refs):
            try:
                cell = self.doc.cell_of(self.doc.data_at(path))
            except (KeyError, IndexError, TypeError):  # an optional mark not set yet
                continue
            if cell is not None:
                col, row = cell
                if 0 <= col < self.width and 0 <= row < self.loaded.scenario.map.height:
                    found.append((k, (col, row)))
        return found

    def paint(self, h: int) -> None:
        if h < 0 or not self.painting:
            return
        self.stroke[self.cell(h)] = self.brush if self.tool == "terrain" else self.level

    def finish_stroke(self) -> None:
        self.painting = False
        stroke, self.stroke = self.stroke, {}
        if not stroke:
            return
        hexes = {self.hex_of(cell) for cell in stroke}
        if self.tool == "terrain":
            cells = {cell: str(v) for cell, v in stroke.items()}
            done = self.apply("paint", lambda: self.doc.paint_terrain(cells), hexes)
        else:
            levels = {cell: int(v) for cell, v in stroke.items()}
            done = self.apply("set the height", lambda: self.doc.set_levels(levels), hexes)
        if done:
            self.message = f"Painted {len(stroke)} hex{'es' if len(stroke) != 1 else ''}."
            if self.problems:
                self.message += f" Now {len(self.problems)} problem(s): see the panel."
        elif not self.message.startswith("Cannot"):
            self.message = "Nothing changed: the hexes were like that already."

    def pick(self, h: int) -> None:
        board = self.state.board
        if self.tool == "terrain":
            type_id = board.terrain_ids[int(board.terrain[h])]
            chars = [c for c, t in self.loaded.scenario.map.legend.items() if t == type_id]
            if chars:
                self.brush = chars[0]
        else:
            grid = self.loaded.scenario.map.elevation
            if grid is not None:
                metres = float(board.elevation_m[h])
                self.level = max(0, min(35, round((metres - grid.base_m) / grid.step_m)))
        self.rebuild()

    def step_brush(self, step: int) -> None:
        if self.tool == "height":
            self.level = max(0, min(len(LEVEL_CHARS) - 1, self.level + step))
        elif self.tool == "terrain":
            chars = list(self.loaded.scenario.map.legend)
            self.brush = chars[(chars.index(self.brush) + step) % len(chars)]
        self.rebuild()

    def click_unit(self, h: int, stack: bool = False) -> None:
        """Select a unit, or move the selected one; `stack` (Shift) moves it even onto a hex
        where other units stand, which a plain click would select instead."""
        here = self.units_at(h)
        scenario = self.loaded.scenario
        if stack and self.selected and self.selected[0] == "unit" and not self.copying:
            here = []
        if self.copying and self.selected and self.selected[0] == "unit":
            self.copying = False
            original = self.selected[1]
            made: list[str] = []
            if self.apply(
                "copy the unit",
                lambda: made.append(self.doc.copy_unit(original, self.cell(h))),
            ):
                self.selected = ("unit", made[0])
                self.rebuild()
                self.message = f"{made[0]}, a copy of {original}, starts at {list(self.cell(h))}."
            return
        if self.selected and self.selected[0] == "unit" and not here:
            unit_id = self.selected[1]
            if self.apply("move the unit", lambda: self.doc.move_unit(unit_id, self.cell(h))):
                self.message = f"{unit_id} now starts at {list(self.cell(h))}."
            return
        if not here:
            self.selected = None
            self.message = "No unit there."
            return
        ids = [scenario.units[i].id for i in here]
        if self.selected and self.selected[0] == "unit" and self.selected[1] in ids:
            if len(ids) == 1:  # a click on the selected unit's own hex: nothing to move
                return
            ids = ids[ids.index(self.selected[1]) + 1 :] + ids[: ids.index(self.selected[1]) + 1]
        self.selected = ("unit", ids[0])
        unit = next(u for u in scenario.units if u.id == ids[0])
        self.rebuild()  # its figures in the panel
        self.message = f"{_name(unit.name)} selected: click the hex where it should start."

    def click_place(self, h: int) -> None:
        here = self.places_at(h)
        if self.selected and self.selected[0] == "place" and not here:
            place_id = self.selected[1]
            if self.apply("move the place", lambda: self.doc.move_place(place_id, self.cell(h))):
                self.message = f"{place_id} moved to {list(self.cell(h))}."
            return
        if here:
            self.selected = ("place", here[0])
            self.message = f"{here[0]} selected: click a hex to move it, or rename or delete it."
            self.rebuild()
            return
        name = self.name_en.get_text().strip() if self.name_en else ""
        zh = self.name_zh.get_text().strip() if self.name_zh else ""
        if not name:
            self.message = "Type the new place's English name in the panel first."
            return
        made: list[str] = []
        if self.apply(
            "add the place",
            lambda: made.append(self.doc.add_place(name, self.cell(h), zh or None)),
        ):
            self.selected = ("place", made[0])
            self.message = f"Added place {made[0]} at {list(self.cell(h))}."
            self.rebuild()

    def rename_place(self) -> None:
        if not (self.selected and self.selected[0] == "place" and self.name_en):
            self.message = "Select a place first."
            return
        place_id = self.selected[1]
        en, zh = self.name_en.get_text().strip(), self.name_zh.get_text().strip()
        if self.apply("rename", lambda: self.doc.rename_place(place_id, en, zh or None)):
            self.message = f"Renamed {place_id}."

    def resize(self) -> None:
        try:
            width, height = int(self.size_w.get_text()), int(self.size_h.get_text())
        except (AttributeError, ValueError):
            self.message = "The map size is two whole numbers: hexes across and rows."
            return
        if self.apply("resize the map", lambda: self.doc.resize_map(width, height)):
            self.message = f"The map is now {width} x {height} hexes."
            if self.problems:
                self.message += " Move or undo what is now off the map."
            self.rebuild()

    def new_river(self) -> None:
        name = self.name_en.get_text().strip() if self.name_en else ""
        if not name:
            self.message = "Type the new river's English name beside the button first."
            return
        made: list[str] = []
        if self.apply("add the river", lambda: made.append(self.doc.add_river(name))):
            self.river = made[0]
            self.typed["name_en"] = ""
            self.message = f"Added river {made[0]}: click its hexes, from source to mouth."
            self.rebuild()

    def copy_unit(self) -> None:
        if not (self.selected and self.selected[0] == "unit"):
            self.message = "Select a unit first."
            return
        self.copying = True
        self.message = f"Click the hex where the copy of {self.selected[1]} should start."

    def delete_selected(self) -> None:
        """Delete the selected unit (Units tool) or place (Places tool)."""
        kind = "unit" if self.tool == "units" else "place"
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
        entries = (self.name_en, self.name_zh, self.size_w, self.size_h, *self.unit_fields.values())
        return any(e is not None and e.is_focused for e in entries)

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.button(*self.buttons[event.ui_element])
            return
        if (
            event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION
            and event.ui_element is self.ref_list
        ):
            self.ref = int(str(event.text).split(".", 1)[0]) - 1
            self.message = f"Click the hex for: {self.refs[self.ref][1]}."
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
                if event.ui_element is getattr(self, name):
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
            elif self.painting and event.buttons[0]:
                self.paint(h)
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
            if event.button == 1 and self.painting:
                self.finish_stroke()
            elif event.button in (2, 3):
                was_click = self.pan_from is not None and not self.panned
                self.pan_from = None
                self.panned = False
                if was_click and event.button == 3 and self.view.rect.collidepoint(event.pos):
                    if self.tool in ("terrain", "height"):
                        self.press(self.view.hex_at(event.pos), 3)
                    else:
                        self.selected = None
                        self.message = "Selection cleared."
        elif event.type == pygame.MOUSEWHEEL and self.view.rect.collidepoint(self.mouse):
            self.view.zoom(1 if event.y > 0 else -1, self.mouse)

    def button(self, action: str, value) -> None:
        choices = {"brush": "brush", "work": "work_kind", "river": "river"}
        if action in choices:  # a choice in the panel: remember it, show it chosen
            setattr(self, choices[action], value)
            self.rebuild()
        elif action == "tool":
            self.set_tool(value)
        elif action == "level":
            self.step_brush(value)
        else:
            commands = {
                "rename": self.rename_place,
                "copy": self.copy_unit,
                "new_river": self.new_river,
                "unit_values": self.set_unit_values,
                "resize": self.resize,
                "delete": self.delete_selected,
                "save": self.save,
                "undo": self.undo,
                "redo": self.redo,
                "play": self.play,
                "quit": self.quit,
            }
            commands[action]()

    def key(self, event) -> None:
        k = event.key
        if self.help:
            self.help = False
            return
        ctrl = event.mod & pygame.KMOD_CTRL
        shift = event.mod & pygame.KMOD_SHIFT
        tools = {key: tool for tool, _, key in TOOLS}
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
        elif k == pygame.K_LEFTBRACKET:
            self.step_brush(-1)
        elif k == pygame.K_RIGHTBRACKET:
            self.step_brush(1)
        elif k == pygame.K_DELETE and self.tool in ("places", "units"):
            self.delete_selected()
        elif k == pygame.K_c and self.tool == "units":
            self.copy_unit()
        else:
            self.view.navigate(k)

    def update(self, dt: float) -> None:
        # A second after the last stroke, the whole terrain layer is drawn again: the part
        # redrawn at once can differ by a pixel where its edge cut a symbol (drawing.redraw_region).
        if self._settle is not None and not self.painting:
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
                _esc(f"{p.line}:{p.column}: {p.message}") for p in self.problems[:12]
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
            f"<b>[{col}, {row}]</b>  {_esc(_name(scenario.terrain[type_id].name))}",
            f"height {float(board.elevation_m[h]):g} m",
        ]
        for place in scenario.map.places:
            if tuple(place.hex) == (col, row):
                lines.append(f"place <b>{place.id}</b>: {_esc(_name(place.name))}")
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
        geo = self.view.geo
        if self.tool == "height":
            self._draw_levels(surface)
        if self.tool == "river" and self.river is not None:
            self._draw_river_path(surface)
        if self.tool == "marks":
            self._draw_marks(surface)
        if self.tool == "works":
            for h in sorted(self.work_hexes(self.work_kind)):
                points = [self.view.to_screen(*c) for c in geo.corners(h, 0.86)]
                pygame.draw.polygon(surface, (255, 140, 40), points, 3)
        for cell, value in self.stroke.items():
            h = self.hex_of(cell)
            points = [self.view.to_screen(*c) for c in geo.corners(h, 0.92)]
            if self.tool == "terrain":
                type_id = self.loaded.scenario.map.legend[str(value)]
                rgb = drawing.hex_rgb(self.loaded.scenario.terrain[type_id].color)
                pygame.draw.polygon(surface, rgb, points)
            pygame.draw.polygon(surface, (255, 255, 255), points, 2)
        if self.selected is not None:
            h = self._selected_hex()
            if h is not None:
                points = [self.view.to_screen(*c) for c in geo.corners(h, 0.98)]
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

    def _draw_levels(self, surface) -> None:
        geo, board = self.view.geo, self.state.board
        grid = self.loaded.scenario.map.elevation
        if grid is None or geo.size < 12:
            return
        size = max(10, int(geo.size * 0.55))
        for h in range(board.size):
            x, y = self.view.to_screen(*geo.center(h))
            if not self.view.rect.collidepoint(x, y):
                continue
            level = round((float(board.elevation_m[h]) - grid.base_m) / grid.step_m)
            char = LEVEL_CHARS[max(0, min(35, level))]
            label = self._glyphs.get((char, size))
            if label is None:  # 36 characters at a few sizes: drawn once each
                label = self._glyphs[(char, size)] = fonts.text(char, size, (20, 20, 20), bold=True)
            surface.blit(label, label.get_rect(center=(x, y)))

    def _draw_marks(self, surface) -> None:
        """One badge a hex, with the letters of the kinds of mark on it (A arrival, S air strike,
        O objective, F fall-back point, R rear, V victory place); the chosen mark's hex outlined
        and its label beside it."""
        geo = self.view.geo
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
            h = self.hex_of(cell)
            x, y = self.view.to_screen(*geo.center(h))
            chosen = self.ref in marks
            label = fonts.text("".join(sorted(letters)), size, (20, 20, 20), bold=True)
            box = label.get_rect(center=(x, y - geo.size * 0.45)).inflate(8, 2)
            fill = (255, 220, 60) if chosen else (245, 245, 240)
            pygame.draw.rect(surface, fill, box, border_radius=5)
            pygame.draw.rect(surface, (20, 20, 20), box, 1, border_radius=5)
            surface.blit(label, label.get_rect(center=box.center))
            if chosen:
                points = [self.view.to_screen(*c) for c in geo.corners(h, 0.98)]
                pygame.draw.polygon(surface, (255, 220, 60), points, 3)
                text = fonts.text(self.refs[self.ref][1], 13, (255, 240, 180), bold=True)
                where = text.get_rect(midleft=(box.right + 6, box.centery))
                chrome.backed_label(surface, text, where, 190)

    def _draw_river_path(self, surface) -> None:
        scenario = self.loaded.scenario
        river = next((r for r in scenario.map.rivers if r.id == self.river), None)
        if river is None:
            return
        places = {p.id: tuple(p.hex) for p in scenario.map.places}
        cells = [places.get(ref) if isinstance(ref, str) else tuple(ref) for ref in river.path]
        points = [
            self.view.to_screen(*self.view.geo.center(self.hex_of(c)))  # type: ignore[arg-type]
            for c in cells
            if c is not None
        ]
        if len(points) > 1:
            pygame.draw.lines(surface, (120, 220, 255), False, points, 3)
        for k, point in enumerate(points):
            pygame.draw.circle(surface, (120, 220, 255), point, 5 if k else 7)

    def draw_header(self, surface) -> None:
        chrome.header_bar(surface)
        title = fonts.text("Map editor", 18, ACCENT, bold=True)
        surface.blit(title, (12, (HEADER_H - title.get_height()) // 2))
        name = Path(self.doc.filename).name + (" *" if self.doc.dirty else "")
        label = fonts.text(f"{name}  ·  {_name(self.loaded.scenario.title)}", 16, TEXT)
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
