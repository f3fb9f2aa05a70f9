"""The Units tool: select a unit and click the hex where it should start (Shift stacks it on a
hex where others stand), copy it (C), delete it, and change its names, side, men, quality,
morale and posture in the panel (a copy starts with its original's: this is how a new unit is
made)."""

from __future__ import annotations

from types import SimpleNamespace

import pygame
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UITextEntryLine

from ...scenario.models import Posture, Unit
from ..labels import bilingual
from .tool import Panel, Tool


class UnitsTool(Tool):
    name, label, hotkey = "units", "Units", pygame.K_u

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.copying = False  # the next click on the map places a copy of the selected unit
        self.fields: dict[str, UITextEntryLine] = {}
        self.posture_menu: UIDropDownMenu | None = None
        self.side_menu: UIDropDownMenu | None = None

    def leave(self) -> None:
        self.copying = False

    def entries(self) -> list:
        return list(self.fields.values())

    def build(self, panel: Panel) -> None:
        self.fields, self.posture_menu, self.side_menu = {}, None, None
        panel.note(
            "Click a unit to select it, then click the hex where it should start."
            " Copy, then a hex: a copy of it starts there.",
        )
        panel.pairs([("Copy", "copy", None, False), ("Delete", "delete", None, False)], 30, 34)
        panel.y = self.build_form(panel.x, panel.y, panel.width)

    def build_form(self, x: int, y: int, width: int) -> int:
        """The selected unit's figures, to change: its names, side, men, quality, morale and
        posture."""
        unit = self.selected_unit()
        if unit is None:
            return y
        m = self.editor.app.manager
        for k, (key, value, hint) in enumerate(
            (("name_en", unit.name.en, "English name"), ("name_zh", unit.name.zh or "", "中文名"))
        ):
            left = x + k * (width // 2)
            entry = UITextEntryLine(
                pygame.Rect(left, y, width // 2 - 3, 30), manager=m, placeholder_text=hint
            )
            entry.set_text(value)
            self.fields[key] = entry
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
            self.fields[key] = entry
        half = width - width // 2
        self.posture_menu = UIDropDownMenu(
            [p.value for p in Posture],
            unit.posture.value,
            pygame.Rect(x + width // 2, y + 32, half, 30),
            manager=m,
        )
        y += 64
        sides = [s.id for s in self.editor.loaded.scenario.sides]
        UILabel(pygame.Rect(x, y, 70, 30), "side", manager=m)
        self.side_menu = UIDropDownMenu(
            sides, unit.side, pygame.Rect(x + 70, y, width // 2 - 73, 30), manager=m
        )
        apply = UIButton(pygame.Rect(x + width // 2, y, half, 30), "Set", manager=m)
        self.editor.buttons[apply] = ("unit_values", None)
        return y + 34

    def selected_unit(self):
        """The selected unit as the file has it now (which may not be valid yet: the map shows
        the last valid version, the form must show the file), with the format's defaults."""
        selected = self.editor.selected
        if not (selected and selected[0] == "unit"):
            return None
        found = next(
            (
                u
                for u in self.editor.doc.data().get("units") or []
                if isinstance(u, dict) and u.get("id") == selected[1]
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

    def set_values(self) -> None:
        editor = self.editor
        unit = self.selected_unit()
        if unit is None or not self.fields:
            editor.message = "Select a unit first."
            return
        fields = self.fields
        try:
            values: dict = {"men": int(fields["men"].get_text())}
            values["quality"] = float(fields["quality"].get_text())
            values["morale"] = float(fields["morale"].get_text())
        except ValueError:
            editor.message = "Men is a whole number; quality and morale are numbers from 0 to 1."
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
            editor.message = "Nothing changed."
            return

        def edit() -> bool:
            with editor.doc.one_step():
                if changed:
                    editor.doc.set_unit_values(unit.id, changed)
                if renamed:
                    editor.doc.rename_unit(unit.id, name_en, name_zh)
            return True

        if editor.apply("set the figures", edit):
            shown = [f"{k} {v}" for k, v in changed.items()] + (["renamed"] if renamed else [])
            editor.message = f"{unit.id}: " + ", ".join(shown)
            editor.rebuild()

    def press(self, h: int, button: int) -> None:
        if button == 1:
            self.click(h, stack=bool(pygame.key.get_mods() & pygame.KMOD_SHIFT))

    def click(self, h: int, stack: bool = False) -> None:
        """Select a unit, or move the selected one; `stack` (Shift) moves it even onto a hex
        where other units stand, which a plain click would select instead."""
        editor = self.editor
        doc, cell = editor.doc, editor.cell(h)
        here = editor.units_at(h)
        scenario = editor.loaded.scenario
        selected = editor.selected
        if stack and selected and selected[0] == "unit" and not self.copying:
            here = []
        if self.copying and selected and selected[0] == "unit":
            self.copying = False
            original = selected[1]
            made: list[str] = []
            if editor.apply("copy the unit", lambda: made.append(doc.copy_unit(original, cell))):
                editor.selected = ("unit", made[0])
                editor.rebuild()
                editor.message = f"{made[0]}, a copy of {original}, starts at {list(cell)}."
            return
        if selected and selected[0] == "unit" and not here:
            unit_id = selected[1]
            if editor.apply("move the unit", lambda: doc.move_unit(unit_id, cell)):
                editor.message = f"{unit_id} now starts at {list(cell)}."
            return
        if not here:
            editor.selected = None
            editor.message = "No unit there."
            return
        ids = [scenario.units[i].id for i in here]
        if selected and selected[0] == "unit" and selected[1] in ids:
            if len(ids) == 1:  # a click on the selected unit's own hex: nothing to move
                return
            ids = ids[ids.index(selected[1]) + 1 :] + ids[: ids.index(selected[1]) + 1]
        editor.selected = ("unit", ids[0])
        unit = next(u for u in scenario.units if u.id == ids[0])
        editor.rebuild()  # its figures in the panel
        editor.message = f"{bilingual(unit.name)} selected: click the hex where it should start."

    def copy(self) -> None:
        editor = self.editor
        if not (editor.selected and editor.selected[0] == "unit"):
            editor.message = "Select a unit first."
            return
        self.copying = True
        editor.message = f"Click the hex where the copy of {editor.selected[1]} should start."

    def button(self, action: str, value) -> None:
        if action == "copy":
            self.copy()
        elif action == "delete":
            self.editor.delete_selected("unit")
        elif action == "unit_values":
            self.set_values()

    def key(self, k: int) -> bool:
        if k == pygame.K_DELETE:
            self.editor.delete_selected("unit")
        elif k == pygame.K_c:
            self.copy()
        else:
            return False
        return True
