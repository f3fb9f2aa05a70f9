"""The Triggers tool: a plan phase's `start_when` and `end_when`, edited in the panel. Choose a
phase in the list; its two triggers show as one line of YAML each (`{taken: lion_mountain}`,
`{after: {phase: day_assault, hours: 7}}`); change them and press Set (one step of undo), or
empty a field to take that trigger out. The loader checks the result as it checks every edit,
so a trigger naming a place or phase that does not exist is listed as a problem with its line.
The places the chosen phase's triggers name are outlined on the map."""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UILabel, UISelectionList, UITextEntryLine

from ...scenario.document import TRIGGER_KEYS
from ...scenario.models import TRIGGER_KINDS
from .. import chrome, fonts
from .tool import Panel, Tool

LABELS = {"start_when": "Starts when", "end_when": "Ends when"}


def named_places(value) -> set[str]:
    """The place ids a trigger (as read from YAML) names with `taken` or `lost`, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("taken", "lost") and isinstance(inner, str):
                found.add(inner)
            else:
                found |= named_places(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= named_places(inner)
    return found


def _marks(start: str, end: str) -> str:
    """What a phase's line in the list says of its triggers."""
    said = [word for word, text in (("start", start), ("end", end)) if text]
    return f"  [{' + '.join(said)} when]" if said else ""


class TriggersTool(Tool):
    name, label, hotkey = "triggers", "Triggers", pygame.K_g

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.phases: list[tuple[tuple, str, str, str]] = []  # the document's plan phases
        self.phase = -1  # the one chosen
        self.phase_list: UISelectionList | None = None
        self.fields: dict[str, UITextEntryLine] = {}

    def entries(self) -> list:
        return list(self.fields.values())

    def build(self, panel: Panel) -> None:
        m, x, width = panel.manager, panel.x, panel.width
        panel.note(
            "Choose a plan phase; edit when it starts and ends as YAML, then Set (empty: no"
            f" trigger). Kinds: {', '.join(TRIGGER_KINDS)}."
        )
        self.phases = self.editor.doc.phase_triggers()
        labels = [
            f"{k + 1}. {label}{_marks(start, end)}"
            for k, (_, label, start, end) in enumerate(self.phases)
        ]
        height = max(90, min(150, self.editor.app.size[1] - panel.y - 330))
        self.phase_list = UISelectionList(
            pygame.Rect(x, panel.y, width, height),
            labels,
            manager=m,
            default_selection=labels[self.phase] if 0 <= self.phase < len(labels) else None,
        )
        panel.y += height + 4
        self.fields = {}
        chosen = self.phases[self.phase] if 0 <= self.phase < len(self.phases) else None
        for k, which in enumerate(TRIGGER_KEYS):
            UILabel(pygame.Rect(x, panel.y, 92, 30), LABELS[which], manager=m)
            field = UITextEntryLine(
                pygame.Rect(x + 94, panel.y, width - 94, 30),
                manager=m,
                placeholder_text="(none)",
            )
            field.set_text(chosen[2 + k] if chosen else "")
            self.fields[which] = field
            panel.y += 32
        panel.pairs([("Set", "set_triggers", None, False)], 30, 34)

    def handle(self, event) -> bool:
        if (
            event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION
            and self.phase_list is not None
            and event.ui_element is self.phase_list
        ):
            self.choose(int(str(event.text).split(".", 1)[0]) - 1)
            return True
        return False

    def choose(self, index: int) -> None:
        """Show phase `index`'s triggers in the fields."""
        self.phase = index
        for k, which in enumerate(TRIGGER_KEYS):
            if which in self.fields:
                self.fields[which].set_text(self.phases[index][2 + k])
        self.editor.message = f"Phase {self.phases[index][1]}: edit its triggers, then Set."

    def button(self, action: str, value) -> None:
        if action == "set_triggers":
            self.set_triggers({which: field.get_text() for which, field in self.fields.items()})

    def set_triggers(self, texts: dict[str, str]) -> None:
        """Write both triggers of the chosen phase as one step of undo."""
        editor = self.editor
        if not 0 <= self.phase < len(self.phases):
            editor.message = "Choose a phase in the panel first."
            return
        path, label = self.phases[self.phase][:2]

        def edit() -> bool:
            changed = False
            with editor.doc.one_step():
                for which, text in texts.items():
                    changed = editor.doc.set_phase_trigger(path, which, text) or changed
            return changed

        if editor.apply("set the trigger", edit):
            editor.message = f"Set the triggers of {label}."
            if editor.problems:
                editor.message += f" Now {len(editor.problems)} problem(s): see the panel."
            editor.rebuild()
        elif not editor.message.startswith("Cannot"):
            editor.message = f"{label}: the triggers were like that already."

    def draw(self, surface: pygame.Surface) -> None:
        """The places the chosen phase's triggers name, outlined and labelled."""
        if not 0 <= self.phase < len(self.phases):
            return
        editor = self.editor
        phase = editor.doc.data_at(self.phases[self.phase][0])
        names = set()
        for which in TRIGGER_KEYS:
            names |= named_places(phase.get(which))
        view, geo = editor.view, editor.view.geo
        for place in editor.loaded.scenario.map.places:
            if place.id not in names:
                continue
            h = editor.hex_of(tuple(place.hex))
            points = [view.to_screen(*c) for c in geo.corners(h, 0.98)]
            pygame.draw.polygon(surface, (120, 220, 255), points, 3)
            x, y = view.to_screen(*geo.center(h))
            text = fonts.text(f"trigger: {place.id}", 13, (200, 240, 255), bold=True)
            chrome.backed_label(surface, text, text.get_rect(midleft=(x + geo.size, y)), 190)
