"""The screens of the window: scenario list, briefing (side, opponent, fog), play, hand-over and
result. Each builds its pygame_gui widgets in `build`, reacts in `handle`, and draws in `draw`."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

import numpy as np
import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UIPanel, UITextBox

from ..core.events import Event, TurnEnded
from ..core.orders import Assault, Bombard, Fire, Hold, Move, Order
from ..core.state import POSTURES
from ..history import compare
from ..narrative import describe, fire_summary
from ..rules.coefficients import coefficient_names
from ..rules.fire import reach_hexes
from ..rules.sight import line_of_sight
from ..rules.turn import IllegalOrderError, coefficients_of
from ..scenario import LoadedScenario, ScenarioError, load_scenario
from . import anim, chrome, drawing, fonts, odds, order_modes
from .app import ACCENT, App, scenario_files
from .mapview import Highlights, MapView
from .session import SaveError, Session, describe_save, list_saves, save_name

HEADER_H = chrome.HEADER_H
PANEL_W = 350
TEXT = (232, 228, 218)
DIM = (160, 160, 150)


HELP = [
    ("Left click", "select your unit; with a unit selected: give it an order"),
    ("", "  on a hex: move there (on itself: hold)"),
    ("", "  on an enemy next to it: assault; in gun range: bombard;"),
    ("", "  in rifle and machine-gun reach: aim its fire there"),
    ("Right click", "cancel the order mode, then the selection"),
    order_modes.help_line(),  # from the order kinds' declarations
    ("H", "hold (stay, defend, fire at what comes in reach)"),
    ("Tab", "next of your units without an order"),
    ("Backspace, Ctrl+Z", "take back the last order (until the turn ends)"),
    ("Enter", "end your turn"),
    ("Drag, arrow keys", "pan the map"),
    ("Wheel, + and -", "zoom"),
    ("C", "centre on the selected unit"),
    ("X", "the log with the numbers behind each fire, bombardment and assault (again: plain)"),
    ("Space", "skip the animations"),
    ("Esc", "menu: resume, save, load, quit"),
    ("F1", "this help"),
    ("", ""),
    ("Units fire by themselves", "at the nearest enemy in sight and reach; F aims them."),
    ("Hover over an enemy", "with a unit selected to see the odds first."),
]


EXPLAINED_TURNS = 6  # turns the log shows with every result's numbers (X)


def _names_only(event: Event, known: tuple[frozenset[str], frozenset[str]] | None) -> bool:
    """Whether every unit the event's fields name (keys and values, at any depth) is among the
    known ones; `known` is (the known ids, every unit id), or None when all are known."""
    if known is None:
        return True
    allowed, units = known
    named: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            if value in units:
                named.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(event.to_dict())
    return named <= allowed


def _when(state, turn: int) -> str:
    start = state.time_at(turn)
    end = start + timedelta(minutes=state.scenario.clock.turn_minutes)
    return f"{start:%d %b %Y %H:%M}–{end:%H:%M}"


def _name(name) -> str:
    return f"{name.en} {name.zh}" if getattr(name, "zh", None) else name.en


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


# ------------------------------------------------------------------------- scenario list


class ScenarioListScreen:
    def __init__(self, app: App, files: list[Path]) -> None:
        self.app = app
        self.files = files
        self.entries: list[tuple[Path, LoadedScenario | None, str]] = []
        for path in files:
            try:
                loaded = load_scenario(path, coefficient_names=_coefficient_names())
                self.entries.append((path, loaded, loaded.scenario.briefing.summary))
            except ScenarioError as error:
                self.entries.append(
                    (path, None, f"{len(error.problems)} problems: {error.problems[0]}")
                )
        self.buttons: dict = {}

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        UILabel(pygame.Rect(40, 24, w - 80, 40), "Choose a battle", manager=m, object_id="#title")
        UILabel(
            pygame.Rect(40, h - 40, w - 80, 24),
            "Click a battle or press its number to play it; Edit map opens it in the editor;"
            " Esc quits.",
            manager=m,
            object_id="#small",
        )
        self.buttons = {}
        y = 90
        for number, (path, loaded, summary) in enumerate(self.entries, start=1):
            title = _name(loaded.scenario.title) if loaded else path.name
            if loaded is not None:
                title += f"  ({loaded.scenario.scale})"
            button = UIButton(
                pygame.Rect(40, y, min(720, w - 80), 44),
                f"{number}. {title}",
                manager=m,
                object_id="#big_button",
            )
            edit = UIButton(
                pygame.Rect(40 + min(720, w - 80) + 8, y, 110, 44), "Edit map", manager=m
            )
            if loaded is None:
                button.disable()
                edit.disable()
            self.buttons[button] = number - 1
            self.buttons[edit] = ("edit", number - 1)
            UITextBox(_esc(summary), pygame.Rect(40, y + 46, w - 80, 40), manager=m)
            y += 100
        if not self.entries:
            UILabel(pygame.Rect(40, y, w - 80, 30), "No scenarios found in ./scenarios", manager=m)
        quit_button = UIButton(pygame.Rect(40, y + 10, 160, 36), "Quit", manager=m)
        self.buttons[quit_button] = -1

    def choose(self, number) -> None:
        if isinstance(number, tuple):  # ("edit", n): the map editor on that file
            from ..scenario.document import ScenarioDocument
            from .editor import EditorScreen

            path = self.entries[number[1]][0]
            try:
                editor = EditorScreen(self.app, ScenarioDocument.open(path))
            except ScenarioError as error:  # changed since the list was made
                problems = error.problems
                self.entries[number[1]] = (path, None, f"{len(problems)} problems: {problems[0]}")
                self.app.show(self)
                return
            self.app.show(editor)
            return
        if number < 0:
            self.app.quit()
            return
        if 0 <= number < len(self.entries) and self.entries[number][1] is not None:
            self.app.show(BriefingScreen(self.app, self.entries[number][1]))

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.choose(self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            if pygame.K_1 <= event.key <= pygame.K_9:
                self.choose(event.key - pygame.K_1)
            elif event.key == pygame.K_ESCAPE:
                self.app.quit()

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass


def _coefficient_names():
    return coefficient_names()


# ------------------------------------------------------------------------------- briefing


class BriefingScreen:
    def __init__(self, app: App, loaded: LoadedScenario, seed: int = 1) -> None:
        self.app = app
        self.loaded = loaded
        self.seed = seed
        self.side = 0
        self.hot_seat = False
        self.fog = True
        self.buttons: dict = {}

    def text(self) -> str:
        s = self.loaded.scenario
        clock = s.clock
        end = clock.start + timedelta(minutes=clock.turn_minutes * clock.turns)
        parts = [
            f"<font size=5><b>{_esc(_name(s.title))}</b></font><br>",
            f"<i>{clock.start:%d %B %Y %H:%M} to {end:%d %B %H:%M}: {clock.turns} turns of"
            f" {clock.turn_minutes} minutes; {s.scale}, {s.map.hex_size_m:g} m hexes</i><br><br>",
            f"<b>Situation</b><br>{_esc(s.briefing.situation.strip())}<br><br><b>Aims</b><br>",
        ]
        for side in s.sides:
            aim = s.briefing.aims.get(side.id, "")
            parts.append(f"<b>{_esc(_name(side.name))}</b>: {_esc(aim.strip())}<br>")
        parts.append(f"<br><b>What happened</b><br>{_esc(s.briefing.historical_note.strip())}")
        return "".join(parts).replace("\n\n", "<br><br>").replace("\n", " ")

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        right = w - 400
        UITextBox(self.text(), pygame.Rect(20, 20, right - 40, h - 40), manager=m)
        self.buttons = {}
        y = 20
        UILabel(pygame.Rect(right, y, 380, 30), "You command", manager=m)
        y += 34
        for number, side in enumerate(self.loaded.scenario.sides):
            chosen = "#chosen" if number == self.side else None
            button = UIButton(
                pygame.Rect(right, y, 380, 40),
                f"{number + 1}. {_name(side.name)}",
                manager=m,
                object_id=chosen,
            )
            self.buttons[button] = ("side", number)
            y += 46
        y += 10
        UILabel(pygame.Rect(right, y, 380, 30), "Against", manager=m)
        y += 34
        for key, label, hot in (
            ("C", "the computer", False),
            ("H", "a second player at this machine", True),
        ):
            chosen = "#chosen" if self.hot_seat == hot else None
            button = UIButton(
                pygame.Rect(right, y, 380, 40), f"{key}. {label}", manager=m, object_id=chosen
            )
            self.buttons[button] = ("hot", hot)
            y += 46
        y += 10
        fog = "on: you see only what your units see" if self.fog else "off: every unit is shown"
        button = UIButton(pygame.Rect(right, y, 380, 40), f"F. Fog of war {fog}", manager=m)
        self.buttons[button] = ("fog", not self.fog)
        y += 56
        UILabel(
            pygame.Rect(right, y, 380, 24),
            f"Random seed {self.seed}",
            manager=m,
            object_id="#small",
        )
        start = UIButton(
            pygame.Rect(right, h - 140, 380, 56),
            "Start the battle (Enter)",
            manager=m,
            object_id="#big_button",
        )
        self.buttons[start] = ("start", None)
        back = UIButton(pygame.Rect(right, h - 70, 380, 40), "Back to the list", manager=m)
        self.buttons[back] = ("back", None)

    def set(self, what: str, value) -> None:
        if what == "side":
            self.side = value
        elif what == "hot":
            self.hot_seat = value
        elif what == "fog":
            self.fog = value
        elif what == "start":
            self.start()
            return
        elif what == "back":
            self.app.show(ScenarioListScreen(self.app, scenario_files(self.app.scenario_dir)))
            return
        self.app.manager.clear_and_reset()
        self.build()

    def start(self) -> None:
        humans = (True, True) if self.hot_seat else tuple(s == self.side for s in (0, 1))
        session = Session(self.loaded, seed=self.seed, humans=humans, fog=self.fog)  # type: ignore[arg-type]
        start_session(self.app, session)

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.set(*self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            keys = {
                pygame.K_1: ("side", 0),
                pygame.K_2: ("side", 1),
                pygame.K_c: ("hot", False),
                pygame.K_h: ("hot", True),
                pygame.K_f: ("fog", not self.fog),
                pygame.K_RETURN: ("start", None),
                pygame.K_KP_ENTER: ("start", None),
            }
            if event.key in keys:
                self.set(*keys[event.key])
            elif event.key == pygame.K_ESCAPE:
                self.set("back", None)

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass


def start_session(app: App, session: Session) -> None:
    """Show a game: the hand-over screen first when two people share the machine."""
    play = PlayScreen(app, session)
    if session.hot_seat and not session.finished and session.side_to_order() is not None:
        app.show(HandoverScreen(app, play, session.side_to_order()))
    else:
        app.show(play)
        play.begin_orders()


# ------------------------------------------------------------------------------ hand-over


class HandoverScreen:
    """Hides the map while the machine passes from one person to the other."""

    def __init__(self, app: App, play: PlayScreen, side: int) -> None:
        self.app = app
        self.play = play
        self.side = side
        self.button = None

    def build(self) -> None:
        w, h = self.app.size
        self.button = UIButton(
            pygame.Rect(w // 2 - 160, h // 2 + 60, 320, 56),
            "I am ready (Enter)",
            manager=self.app.manager,
            object_id="#big_button",
        )

    def go(self) -> None:
        self.app.show(self.play)
        self.play.begin_orders()

    def handle(self, event) -> None:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.button) or (
            event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)
        ):
            self.go()

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        scenario = self.play.session.scenario
        side = scenario.sides[self.side]
        rgb = drawing.hex_rgb(side.color)
        surface.fill(drawing.mix(rgb, (0, 0, 0), 0.55))
        w, h = surface.get_size()
        state = self.play.session.state
        lines = [
            (f"Pass the machine to {side.name.en}", 34, ACCENT),
            (side.name.zh or "", 28, TEXT),
            (f"Turn {state.turn + 1} of {state.total_turns}: {_when(state, state.turn)}", 20, TEXT),
            ("The other side looks away: your orders stay hidden.", 18, DIM),
        ]
        y = h // 2 - 150
        for message, size, color in lines:
            if message:
                label = fonts.text(message, size, color, bold=size > 30)
                surface.blit(label, label.get_rect(midtop=(w // 2, y)))
            y += size + 18


# ------------------------------------------------------------------------------------ play


class PlayScreen:
    def __init__(self, app: App, session: Session) -> None:
        self.app = app
        self.session = session
        w, h = app.size
        self.view = MapView(session, self._map_rect(w, h))
        self.selected: int | None = None
        self.mode: str | None = None
        self.hover = -1
        self.mouse = (0, 0)
        self.drag_from: tuple[int, int] | None = None
        self.dragged = False
        self.help = False
        self.explain_log = False  # the log with each result's numbers (docs/rules.md's terms)
        self.menu: str | None = None  # None, "main" or "load"
        self.message = ""
        self.player = anim.Player([])
        self.seen = [len(session.events)] * 2  # events each side has been shown (a loaded
        # game starts with its past in the log, not replayed as animations)
        self._reach_key = None
        self._reach: dict[int, float] = {}
        self._odds_key = None
        self._odds: list[odds.Odds] = []
        self.buttons: dict = {}
        self.unit_box = self.hex_box = self.log_box = None
        self._hex_text_key = None
        self._unit_text_key = None

    # ------------------------------------------------------------------ layout and widgets
    @staticmethod
    def _map_rect(w: int, h: int) -> pygame.Rect:
        return pygame.Rect(0, HEADER_H, w - PANEL_W, h - HEADER_H)

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        self.view.set_rect(self._map_rect(w, h))
        x = w - PANEL_W + 6
        width = PANEL_W - 12
        self.unit_box = UITextBox("", pygame.Rect(x, HEADER_H + 4, width, 196), manager=m)
        self.hex_box = UITextBox("", pygame.Rect(x, HEADER_H + 204, width, 150), manager=m)
        y = HEADER_H + 358
        self.buttons = {}
        # One button per order mode the order kinds declare, in rows of at most 5 (even rows:
        # six modes make two rows of three, so that no label is cut).
        modes = [(mode.label, mode.verb) for mode in order_modes.order_modes()]
        rows = -(-len(modes) // 5)
        per_row = -(-len(modes) // rows)
        bw = (width - 3 * (per_row - 1)) // per_row
        for k, (label, action) in enumerate(modes):
            chosen = "#chosen" if self.mode == action else None
            at = pygame.Rect(x + (k % per_row) * (bw + 3), y + (k // per_row) * 35, bw, 32)
            self.buttons[UIButton(at, label, manager=m, object_id=chosen)] = action
        y += 35 * rows
        row = [("Hold", "hold"), ("Undo", "undo"), ("End turn", "end")]
        bw = (width - 6) // 3
        for k, (label, action) in enumerate(row):
            button = UIButton(pygame.Rect(x + k * (bw + 3), y, bw, 32), label, manager=m)
            self.buttons[button] = action
        y += 38
        self.log_box = UITextBox("", pygame.Rect(x, y, width, h - y - 6), manager=m)
        if self.menu:
            self._build_menu()
        self._hex_text_key = self._unit_text_key = None
        self.refresh_panel()
        self.rebuild_log()

    def _build_menu(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        panel_w, panel_h = 420, 420
        panel = UIPanel(
            pygame.Rect((w - panel_w) // 2, (h - panel_h) // 2, panel_w, panel_h), manager=m
        )
        if self.menu == "main":
            UILabel(
                pygame.Rect(10, 10, panel_w - 26, 36),
                "Menu",
                manager=m,
                container=panel,
                object_id="#title",
            )
            for k, (label, action) in enumerate(
                [
                    ("Resume (Esc)", "resume"),
                    ("Save the game", "save"),
                    ("Load a game", "load"),
                    ("Quit", "quit"),
                ]
            ):
                button = UIButton(
                    pygame.Rect(40, 60 + k * 56, panel_w - 86, 46),
                    label,
                    manager=m,
                    container=panel,
                )
                self.buttons[button] = f"menu:{action}"
            if self.message:
                UITextBox(
                    _esc(self.message),
                    pygame.Rect(10, 290, panel_w - 26, 110),
                    manager=m,
                    container=panel,
                )
        else:
            UILabel(
                pygame.Rect(10, 10, panel_w - 26, 36),
                "Load a game",
                manager=m,
                container=panel,
                object_id="#title",
            )
            saves = list_saves(self.app.save_dir)[:6]
            if not saves:
                UILabel(
                    pygame.Rect(10, 60, panel_w - 26, 30),
                    "No saved games yet.",
                    manager=m,
                    container=panel,
                )
            for k, path in enumerate(saves):
                button = UIButton(
                    pygame.Rect(10, 56 + k * 50, panel_w - 26, 44),
                    describe_save(path),
                    manager=m,
                    container=panel,
                )
                self.buttons[button] = ("load", path)
            back = UIButton(
                pygame.Rect(10, panel_h - 60, panel_w - 26, 40), "Back", manager=m, container=panel
            )
            self.buttons[back] = "menu:main"

    def rebuild(self) -> None:
        self.app.manager.clear_and_reset()
        self.build()

    # ------------------------------------------------------------------ turn flow
    @property
    def state(self):
        return self.session.state

    def begin_orders(self) -> None:
        """A side looks at the map: play what happened since it last looked."""
        side = self.session.viewer()
        new = self.session.events[self.seen[side] :]
        self.seen[side] = len(self.session.events)
        shown = self.shown_filter(side)
        self.player = anim.Player(anim.phases_for(self.state, new, shown))
        self.selected = None
        self.mode = None
        self.view.invalidate()
        self.rebuild_log()
        self.refresh_panel()
        if self.session.side_to_order() is not None and not self.player.phases:
            self.message = "Your orders: click a unit of yours (F1: keys)."

    def end_turn(self) -> None:
        session = self.session
        if session.finished or session.side_to_order() is None or not self.player.done:
            return
        ready = session.finish_orders()
        self.selected = None
        self.mode = None
        if not ready:
            self.app.show(HandoverScreen(self.app, self, session.side_to_order()))
            return
        session.end_turn()
        self.view.invalidate()
        if session.hot_seat and not session.finished:
            self.app.show(HandoverScreen(self.app, self, session.side_to_order()))
        else:
            self.begin_orders()

    def shown_filter(self, side: int):
        """Which events a side is told of: all without fog; with fog, those about its own units
        or in hexes it sees now."""
        session = self.session
        if not session.fog:
            return lambda event: True
        u, board = self.state.units, self.state.board
        own = {u.ids[i] for i in range(u.count) if int(u.side[i]) == side}
        seen = session.memory.visible_hexes[side]

        def visible(label: str) -> bool:
            return bool(seen is not None and seen[anim.parse_label(board, label)])

        def shown(event: Event) -> bool:
            names = set()
            for name in ("unit", "target"):
                value = getattr(event, name, None)
                if isinstance(value, str):
                    names.add(value)
            names |= set(getattr(event, "attackers", ()) or ()) | set(
                getattr(event, "defenders", ()) or ()
            )
            if names & own:
                return True
            if event.kind == "moved":
                return visible(event.path[-1])
            label = getattr(event, "hex", None)
            return isinstance(label, str) and "," in label and visible(label)

        return shown

    # ------------------------------------------------------------------ orders
    def my_side(self) -> int | None:
        return self.session.side_to_order()

    def can_order(self, i: int | None) -> bool:
        side = self.my_side()
        u = self.state.units
        return (
            i is not None
            and side is not None
            and int(u.side[i]) == side
            and bool(self.state.active()[i])
        )

    def give(self, order: Order) -> None:
        try:
            self.session.give(order)
        except IllegalOrderError as error:
            self.message = str(error)
            return
        self.message = f"Order: {order.text(self.state.units.ids)}"
        self.mode = None
        self._odds_key = None
        self.refresh_panel()
        self.rebuild_buttons()

    def rebuild_buttons(self) -> None:
        for button, action in self.buttons.items():
            chosen = button.object_ids[-1] == "#chosen"
            if action in order_modes.mode_verbs() and ((self.mode == action) != chosen):
                self.rebuild()
                return

    def set_mode(self, mode: str | None) -> None:
        if mode and not self.can_order(self.selected):
            self.message = "Select one of your units first."
            return
        reason = mode and order_modes.kind_of(mode).unable(self.state, self.selected)
        if reason:  # as the order kind declares (Order.unable)
            self.message = f"{reason}."
            return
        self.mode = mode
        if mode:
            self.message = f"{mode.capitalize()}: click the hex."
        self.rebuild_buttons()

    def hold(self) -> None:
        if self.can_order(self.selected):
            self.give(Hold(self.selected))

    def undo(self) -> None:
        taken = self.session.undo()
        self.message = (
            f"Taken back: {taken.text(self.state.units.ids)}" if taken else "Nothing to take back."
        )
        self._odds_key = None
        self.refresh_panel()

    def enemies_seen_at(self, h: int) -> list[int]:
        side = self.session.viewer()
        visible = self.session.visible_units(side)
        u = self.state.units
        return [i for i in self.state.units_at(h) if int(u.side[i]) != side and i in visible]

    def click(self, h: int) -> None:
        """A left click on hex `h`: select a unit of yours, or give the selected unit the order
        the hex suggests (see HELP)."""
        side = self.my_side()
        if h < 0 or side is None:
            return
        u = self.state.units
        selected = self.selected if self.can_order(self.selected) else None
        if selected is not None and self.mode:
            self.order_by_mode(selected, h)
            return
        mine = self.state.units_at(h, side)
        if selected is None:
            self.select(mine[0] if mine else None)
            return
        here = int(u.hex[selected])
        if h == here:
            if len(mine) > 1:
                self.select(mine[(mine.index(selected) + 1) % len(mine)])
            else:
                self.give(Hold(selected))
            return
        if mine:
            self.select(mine[0])
            return
        if self.enemies_seen_at(h):
            if self.state.board.distance(here, h) == 1 and not u.is_gun[selected]:
                self.give(Assault(selected, h))
            elif u.indirect[selected] and h in self.bombard_range(selected):
                self.give(Bombard(selected, h))
            elif h in self.fire_targets(selected):
                self.give(Fire(selected, h))
            else:
                self.message = "Out of reach or sight: move closer to fire or to assault."
            return
        self.give(Move(selected, h))

    def order_by_mode(self, unit: int, h: int) -> None:
        cls = order_modes.kind_of(self.mode)
        if cls is Bombard and h not in self.bombard_range(unit):
            self.message = "Out of range of this unit's guns."
            return
        if cls is Fire and h not in self.fire_targets(unit):
            self.message = "No enemy seen there within this unit's reach."
            return
        self.give(cls(unit, h))

    def select(self, unit: int | None) -> None:
        self.selected = unit
        self.mode = None
        self._odds_key = None
        if unit is not None:
            u = self.state.units
            self.message = f"{u.names[unit]}: click a hex to move, an enemy to attack; H holds."
        self.refresh_panel()

    def next_unit(self) -> None:
        side = self.my_side()
        if side is None:
            return
        u = self.state.units
        mine = np.flatnonzero(self.state.active() & (u.side == side)).tolist()
        if not mine:
            return
        ordered = set(self.session.orders_of(side))
        start = mine.index(self.selected) + 1 if self.selected in mine else 0
        for k in range(len(mine)):
            i = mine[(start + k) % len(mine)]
            if i not in ordered:
                break
        else:
            i = mine[start % len(mine)]
        self.select(i)
        self.view.center_on(int(u.hex[i]))

    # ------------------------------------------------------------------ what to light
    def reach(self) -> dict[int, float]:
        if not self.can_order(self.selected):
            return {}
        key = (self.selected, self.state.turn, id(self.state))
        if key != self._reach_key:
            self._reach = odds.reachable(self.state, self.selected)
            self._reach_key = key
        return self._reach

    def bombard_range(self, unit: int) -> set[int]:
        u, board = self.state.units, self.state.board
        here = int(u.hex[unit])
        if here < 0 or not u.indirect[unit]:
            return set()
        metres = board.distances_from(here) * board.hex_size_m
        inside = np.zeros(board.size, bool)
        for weapon in u.indirect[unit]:
            inside |= (metres >= weapon.min_range_m) & (metres <= weapon.range_m)
        return set(np.flatnonzero(inside).tolist())

    def fire_targets(self, unit: int) -> set[int]:
        """Hexes of enemies this side can see that `unit` could aim its fire at this turn."""
        u, board = self.state.units, self.state.board
        here = int(u.hex[unit])
        if here < 0 or u.firepower[unit] <= 0:
            return set()
        c = coefficients_of(self.state)
        reach = reach_hexes(self.state, unit, c, saving_ammo=False)
        found = set()
        for i in self.session.visible_units(self.session.viewer()):
            there = int(u.hex[i])
            if int(u.side[i]) == int(u.side[unit]) or there < 0 or not self.state.active()[i]:
                continue
            if board.distance(here, there) <= reach and line_of_sight(
                board, here, there, c.sight_clearance_m
            ):
                found.add(there)
        return found

    def highlights(self) -> Highlights:
        lit = Highlights(selected=self.selected, hover=self.hover)
        if not self.can_order(self.selected) or not self.player.done:
            return lit
        u, board = self.state.units, self.state.board
        unit = self.selected
        here = int(u.hex[unit])
        if self.mode in (None, "move", "withdraw"):
            lit.reachable = self.reach()
        enemy_hexes = {
            int(u.hex[i])
            for i in self.session.visible_units(self.session.viewer())
            if int(u.side[i]) != int(u.side[unit]) and self.state.active()[i]
        }
        if not u.is_gun[unit] and self.mode in (None, "assault"):
            lit.assault_targets = {h for h in board.neighbors[here] if h in enemy_hexes}
        if self.mode == "fire":
            lit.fire_targets = self.fire_targets(unit)
        if self.mode:  # the hexes a kind declares it may aim at (breach: obstacles)
            lit.fire_targets |= order_modes.declared_targets(self.state, self.mode, unit)
        if u.indirect[unit] and self.mode in (None, "bombard"):
            area = self.bombard_range(unit)
            lit.bombard_targets = enemy_hexes & area
            if self.mode == "bombard":
                lit.bombard_area = area
        moving = self.mode in (None, "move", "withdraw")
        if moving and self.hover not in (-1, here) and not self.enemies_seen_at(self.hover):
            lit.route = odds.route(self.state, unit, self.hover)
        return lit

    def hover_odds(self) -> list[odds.Odds]:
        if not self.can_order(self.selected) or self.hover < 0 or not self.player.done:
            return []
        key = (self.selected, self.hover, self.mode, self.state.turn, id(self.state))
        if key == self._odds_key:
            return self._odds
        self._odds_key = key
        u, board = self.state.units, self.state.board
        unit, h = self.selected, self.hover
        here = int(u.hex[unit])
        found: list[odds.Odds] = []
        enemies = self.enemies_seen_at(h)
        if self.session.fog and not enemies:
            for i, sighting, _ in self.session.memory.ghosts(self.state, self.session.viewer()):
                if sighting.hex == h:
                    age = self.state.turn - sighting.turn
                    found.append(
                        odds.Odds(
                            f"Last seen: {u.names[i]}",
                            f"{sighting.men} men, {age} turn{'s' if age != 1 else ''} ago",
                            possible=False,
                        )
                    )
        declared = self.mode and order_modes.declared_preview(self.state, self.mode, unit, h)
        if declared:  # the preview the order kind gives of itself
            found.append(declared)
        if h != here:
            if self.mode == "bombard" or (
                enemies and u.indirect[unit] and h in self.bombard_range(unit)
            ):
                known = bool(enemies) or not self.session.fog
                found.append(odds.bombard_odds(self.state, unit, h, seen=known))
            if enemies and not u.is_gun[unit] and board.distance(here, h) == 1:
                found.append(odds.assault_odds(self.state, [unit], h))
            if enemies and u.firepower[unit] > 0:
                target = max(enemies, key=lambda i: int(u.men[i]))
                found.append(odds.fire_odds(self.state, unit, target))
            if not enemies and self.mode in (None, "move", "withdraw"):
                reach = self.reach()
                if h in reach:
                    found.append(odds.Odds("Move", f"gets there this turn ({reach[h]:.1f} h)"))
                else:
                    path = odds.route(self.state, unit, h)
                    found.append(
                        odds.Odds(
                            "Move", f"{len(path) - 1} hexes: more than this turn; keeps going"
                        )
                    )
        self._odds = found
        return found

    # ------------------------------------------------------------------ side panel
    def refresh_panel(self) -> None:
        if self.unit_box is None:
            return
        unit = self.selected
        if unit is None and self.hover >= 0:
            here = [
                i
                for i in self.state.units_at(self.hover)
                if i in self.session.visible_units(self.session.viewer())
            ]
            unit = here[0] if here else None
        key = (
            unit,
            self.state.turn,
            id(self.state),
            len(self.session.pending),
            self.session.viewer(),
        )
        if key != self._unit_text_key:
            self._unit_text_key = key
            self.unit_box.set_text(self.unit_text(unit))
        key = (self.hover, self.state.turn, id(self.state), self.session.viewer())
        if key != self._hex_text_key:
            self._hex_text_key = key
            self.hex_box.set_text(self.hex_text(self.hover))

    def unit_text(self, i: int | None) -> str:
        if i is None:
            side = self.my_side()
            if side is None:
                return "<b>No orders to give.</b>"
            name = self.state.scenario.sides[side].name.en
            given = len(self.session.orders_of(side))
            return (
                f"<b>{_esc(name)}: your orders</b><br>Click one of your units to select it, or"
                f" press Tab.<br>{given} orders given this turn. Units without orders hold and"
                " fire.<br>Enter ends the turn. F1 shows every key."
            )
        state, u = self.state, self.state.units
        spec = state.scenario.units[i]
        side = state.scenario.sides[int(u.side[i])]
        own = int(u.side[i]) == self.session.viewer() or not self.session.fog
        lines = [
            f"<b>{_esc(_name(spec.name))}</b>",
            f"{_esc(side.name.en)} · {spec.type.value.replace('_', ' ')}",
        ]
        lost = int(u.men_start[i] - u.men[i])
        lines.append(f"Men <b>{int(u.men[i])}</b> of {int(u.men_start[i])} ({lost} lost)")
        status = []
        if u.routed[i]:
            status.append("<b>ROUTED</b>")
        if u.suppression[i] > 0.05:
            status.append(f"suppressed {u.suppression[i]:.0%}")
        if u.crossing_hours[i] > 0:
            status.append(f"crossing, {u.crossing_hours[i]:.1f} h to the far bank")
        if status:
            lines.append(" · ".join(status))
        if own:
            lines.append(f"Morale {u.morale[i]:.2f} · quality {u.quality[i]:.2f}")
            lines.append(f"Posture {POSTURES[int(u.posture[i])]}")
            if u.firepower[i] > 0:
                ammo = "unlimited" if not np.isfinite(u.ammo[i]) else f"{u.ammo[i]:,.0f} rounds"
                reach = reach_hexes(state, i, coefficients_of(state))
                hexes = "1 hex" if reach == 1 else f"{reach} hexes"
                lines.append(f"Ammunition {ammo}; fires up to {hexes}")
            for weapon in u.indirect[i]:
                lines.append(f"{weapon.tubes}× {_esc(weapon.weapon)} to {weapon.range_m:,.0f} m")
            if u.leader_names[i]:
                alive = "" if u.leader_alive[i] else " (killed)"
                lines.append(f"Leader {_esc(u.leader_names[i])}{alive}")
            order = self.session.pending.get(i)
            if order is not None and int(u.side[i]) == self.session.viewer():
                lines.append(f"<font color=#80e070>Order: {_esc(order.text(u.ids))}</font>")
        return "<br>".join(lines)

    def hex_text(self, h: int) -> str:
        if h < 0:
            return "Point at a hex to see its ground, works and units."
        state, board, w = self.state, self.state.board, self.state.works
        terrain = state.scenario.terrain[board.terrain_ids[int(board.terrain[h])]]
        hidden = self.session.hidden_places()
        place = next(
            (
                p
                for p in state.scenario.map.places
                if board.index(*p.hex) == h and p.id not in hidden
            ),
            None,
        )
        title = f"<b>{board.label(h)}</b>"
        if place:
            title += f" <b>{_esc(_name(place.name))}</b>"
        lines = [title, f"{_esc(_name(terrain.name))} · {board.elevation_m[h]:.0f} m"]
        lines.append(f"cover ×{board.cover[h]:.2f} · speed ×{board.speed_factor[h]:.2f}")
        if board.river[h] >= 0:
            river = state.scenario.map.rivers[int(board.river[h])]
            bridge = " (bridge)" if board.bridge[h] else ""
            lines.append(f"{_esc(_name(river.name))}{bridge}, {river.crossing.width_m:g} m wide")
        works = []
        if w.mine_depth_m[h] > 0:
            works.append(f"minefield {w.mine_depth_m[h]:g} m deep, lane {w.lane[h]:.0%}")
        if w.wire_lines[h] > 0:
            works.append(f"wire {w.wire_lines[h]:.1f} lines")
        if w.fort_level[h] > 0 and w.fort_strength_start[h] > 0:
            levels = {1: "hasty", 2: "prepared", 3: "fortified"}
            left = w.fort_strength[h] / w.fort_strength_start[h]
            works.append(f"{levels[int(w.fort_level[h])]} works {left:.0%}")
        if w.blockhouse_strength_start[h] > 0:
            works.append(
                f"blockhouses {w.blockhouse_strength[h] / w.blockhouse_strength_start[h]:.0%}"
            )
        if works:
            lines.append("; ".join(works))
        visible = self.session.visible_units(self.session.viewer())
        here = [i for i in state.units_at(h) if i in visible]
        for i in here:
            lines.append(f"{_esc(state.units.names[i])}: {int(state.units.men[i])} men")
        return "<br>".join(lines)

    def _known_unit_ids(self, side: int) -> tuple[frozenset[str], frozenset[str]] | None:
        """The units whose numbers `side` may read in the explained log: all without fog (None),
        else its own and the enemy units it sees now. An event's numbers name every unit it
        touched (a bombardment's targets and their men, an assault's defenders, the firer), so
        under fog an event naming any other unit is told in the plain words only."""
        if not self.session.fog:
            return None
        u = self.state.units
        seen = self.session.visible_units(side)
        known = frozenset(u.ids[i] for i in range(u.count) if int(u.side[i]) == side or i in seen)
        return known, frozenset(u.ids)

    def rebuild_log(self) -> None:
        if self.log_box is None:
            return
        side = self.session.viewer()
        shown = self.shown_filter(side)
        upto = self.seen[side]
        events = [e for e in self.session.events[:upto] if shown(e) or isinstance(e, TurnEnded)]
        by_turn: dict[int, list[Event]] = {}
        for event in events:
            by_turn.setdefault(event.turn, []).append(event)
        parts = []
        explain = self.explain_log
        known = self._known_unit_ids(side) if explain else None
        # Explained, every volley has a line of its own: fewer turns keep the box quick to draw.
        for turn in sorted(by_turn)[-(EXPLAINED_TURNS if explain else 30) :]:
            lines = []
            plain = []  # the events told without their numbers, whose fire is summed up
            for event in by_turn[turn]:
                numbers = explain and _names_only(event, known)
                if line := describe(event, explain=numbers):
                    lines.append(line)
                if not numbers:
                    plain.append(event)
            if summary := fire_summary(plain):
                lines.append(summary)
            if not lines:
                continue
            parts.append(
                f"<b>Turn {turn + 1}</b> <i>{self.state.time_at(turn):%d %b %H:%M}</i><br>"
            )
            for line in lines:
                color = "#f08070" if "ASSAULT" in line or "ROUTS" in line else "#e8e4da"
                parts.append(f"<font color={color}>{_esc(line)}</font><br>")
        if not parts:
            parts = ["<i>The log of the battle appears here as turns end.</i>"]
        self.log_box.set_text("".join(parts))
        bar = self.log_box.scroll_bar
        # In a small window the box can be too short to scroll in: pygame_gui then divides by a
        # scrollable height of 0.
        if bar is not None and bar.scrollable_height > 0:
            bar.set_scroll_from_start_percentage(1.0)

    # ------------------------------------------------------------------ events
    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.button(self.buttons[event.ui_element])
            return
        if event.type == pygame.KEYDOWN:
            self.key(event)
            return
        if self.menu:
            return
        if event.type == pygame.MOUSEMOTION:
            self.mouse = event.pos
            held = self.drag_from is not None and (event.buttons[0] or event.buttons[1])
            if held:
                dx, dy = event.pos[0] - self.drag_from[0], event.pos[1] - self.drag_from[1]
                moved = abs(dx) + abs(dy)
                if self.dragged or moved > 6:
                    self.dragged = True
                    self.view.pan(*event.rel)
            self.set_hover(self.view.hex_at(event.pos))
        elif event.type == pygame.MOUSEBUTTONDOWN and self.view.rect.collidepoint(event.pos):
            if event.button in (1, 2):
                self.drag_from = event.pos
                self.dragged = False
            elif event.button == 3:
                if self.mode:
                    self.set_mode(None)
                    self.message = ""
                else:
                    self.select(None)
        elif event.type == pygame.MOUSEBUTTONUP and event.button in (1, 2):
            was_click = self.drag_from is not None and not self.dragged
            self.drag_from = None
            self.dragged = False
            if event.button == 1 and was_click and self.view.rect.collidepoint(event.pos):
                if not self.player.done:
                    self.player.skip()
                    return
                self.click(self.view.hex_at(event.pos))
        elif event.type == pygame.MOUSEWHEEL and self.view.rect.collidepoint(self.mouse):
            self.view.zoom(1 if event.y > 0 else -1, self.mouse)

    def set_hover(self, h: int) -> None:
        if h != self.hover:
            self.hover = h
            self.refresh_panel()

    def button(self, action) -> None:
        if isinstance(action, tuple) and action[0] == "load":
            self.load(action[1])
            return
        if isinstance(action, str) and action.startswith("menu:"):
            what = action[5:]
            if what == "resume":
                self.menu = None
                self.message = ""
            elif what == "save":
                self.save()
            elif what == "load":
                self.menu = "load"
            elif what == "quit":
                self.app.quit()
                return
            elif what == "main":
                self.menu = "main"
            self.rebuild()
            return
        if action in order_modes.mode_verbs():
            self.set_mode(None if self.mode == action else action)
        elif action == "hold":
            self.hold()
        elif action == "undo":
            self.undo()
        elif action == "end":
            self.end_turn()

    def key(self, event) -> None:
        k = event.key
        if self.help:
            self.help = False
            return
        if k == pygame.K_ESCAPE:
            self.menu = None if self.menu else "main"
            self.message = ""
            self.rebuild()
            return
        if self.menu:
            return
        if not self.player.done:
            self.player.skip()
            return
        ctrl = event.mod & pygame.KMOD_CTRL
        mode = order_modes.mode_for_key(k)  # the keys the order kinds declare
        if k == pygame.K_F1:
            self.help = True
        elif mode:
            self.set_mode(None if self.mode == mode else mode)
        elif k == pygame.K_h:
            self.hold()
        elif k == pygame.K_BACKSPACE or (k == pygame.K_z and ctrl):
            self.undo()
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.end_turn()
        elif k == pygame.K_TAB:
            self.next_unit()
        elif k == pygame.K_x:
            self.explain_log = not self.explain_log
            self.rebuild_log()
            fogged = " where every unit they name is in sight" if self.session.fog else ""
            self.message = (
                f"The log of the last {EXPLAINED_TURNS} turns with the numbers behind each result"
                f"{fogged} (X: plain again)"
                if self.explain_log
                else "The log without the numbers (X: with them)"
            )
        elif (
            k == pygame.K_c
            and self.selected is not None
            and self.state.units.hex[self.selected] >= 0
        ):
            self.view.center_on(int(self.state.units.hex[self.selected]))
        else:
            self.view.navigate(k)

    # ------------------------------------------------------------------ save and load
    def save(self) -> Path | None:
        path = self.app.save_dir / save_name(self.session, self.app.save_dir)
        try:
            self.session.save(path)
        except OSError as error:
            self.message = f"Could not save: {error}"
            return None
        self.message = f"Saved to {path}"
        return path

    def load(self, path: Path) -> None:
        try:
            session = Session.load(path)
        except SaveError as error:
            self.message = str(error)
            self.menu = "main"
            self.rebuild()
            return
        start_session(self.app, session)

    # ------------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        if not self.menu:  # arrow keys held down keep panning (no key repeat: Enter must not)
            pressed = pygame.key.get_pressed()
            speed = 700 * dt
            dx = (pressed[pygame.K_LEFT] - pressed[pygame.K_RIGHT]) * speed
            dy = (pressed[pygame.K_UP] - pressed[pygame.K_DOWN]) * speed
            if dx or dy:
                self.view.pan(dx, dy)
        was = self.player.done
        self.player.update(dt)
        if not was and self.player.done:
            self.view.invalidate()
            if self.session.side_to_order() is not None:
                self.message = "Your orders: click a unit of yours (F1: keys)."
        if self.player.done and self.session.finished and not self.menu:
            self.app.show(ResultScreen(self.app, self))

    def draw(self, surface) -> None:
        moving = self.player.moving(self.view)
        self.view.draw(surface, self.highlights(), moving=moving)
        self.player.draw(surface, self.view)
        self.draw_header(surface)
        self.draw_status(surface)
        if self.menu:
            shade = pygame.Surface(self.view.rect.size, pygame.SRCALPHA)
            shade.fill((0, 0, 0, 120))
            surface.blit(shade, self.view.rect)

    def draw_over(self, surface) -> None:
        if not self.menu:
            self.draw_odds(surface)
        if self.help:
            self.draw_help(surface)

    def draw_header(self, surface) -> None:
        w = surface.get_width()
        state = self.state
        chrome.header_bar(surface)
        title = fonts.text(_name(state.scenario.title), 18, ACCENT, bold=True)
        surface.blit(title, (12, (HEADER_H - title.get_height()) // 2))
        night = "night" if state.is_night() else "day"
        turn = min(state.turn, state.total_turns - 1)
        when = f"{_when(state, turn)}  ·  turn {turn + 1} of {state.total_turns}  ·  {night}"
        label = fonts.text(when, 17, TEXT)
        x = max(title.get_width() + 30, (w - PANEL_W - label.get_width()) // 2 + 60)
        surface.blit(label, (x, (HEADER_H - label.get_height()) // 2))
        side = self.my_side()
        if self.session.finished:
            right = "the battle is over"
            rgb = TEXT
        elif side is not None:
            right = f"orders: {self.state.scenario.sides[side].name.en}"
            rgb = drawing.hex_rgb(self.state.scenario.sides[side].color)
        else:
            right = "resolving"
            rgb = TEXT
        chrome.header_tag(surface, right, rgb)

    def draw_status(self, surface) -> None:
        rect = self.view.rect
        text = self.message or "F1: keys · Esc: menu"
        if not self.player.done:
            text = "The turn plays out… (any key or click skips)"
        chrome.status_line(surface, rect, text)
        legend = fonts.text(
            "dots: reach · red: assault · orange: bombard · yellow: fire, breach",
            13,
            (220, 220, 210),
        )
        if self.selected is not None and self.can_order(self.selected):
            box = legend.get_rect(bottomright=(rect.right - 10, rect.bottom - 8))
            chrome.backed_label(surface, legend, box, 150)

    def draw_odds(self, surface) -> None:
        found = self.hover_odds()
        if not found:
            return
        rows: list[tuple[str, str, int, tuple]] = []
        for item in found:
            rows.append((item.title, "", 15, ACCENT))
            rows.append((item.headline, "", 14, TEXT if item.possible else DIM))
            rows.extend((name, value, 13, DIM) for name, value in item.factors[:10])
        width = 330
        height = sum(size + 5 for *_, size, _ in rows) + 12
        x, y = self.mouse[0] + 22, self.mouse[1] + 16
        x = min(x, self.view.rect.right - width - 4)
        y = min(y, self.view.rect.bottom - height - 4)
        if x < self.mouse[0] < x + width and y < self.mouse[1] < y + height:
            x = self.mouse[0] - width - 22
        back = pygame.Surface((width, height), pygame.SRCALPHA)
        back.fill((16, 18, 22, 225))
        surface.blit(back, (x, y))
        pygame.draw.rect(surface, (120, 120, 110), (x, y, width, height), 1)
        yy = y + 6
        for left, right, size, color in rows:
            label = fonts.text(left, size, color, bold=size == 15)
            surface.blit(label, (x + 8, yy))
            if right:
                value = fonts.text(right, size, TEXT)
                surface.blit(value, (x + width - value.get_width() - 8, yy))
            yy += size + 5

    def draw_help(self, surface) -> None:
        chrome.help_overlay(surface, "Keys and mouse (any key closes)", HELP, width=760, key_w=250)


# ---------------------------------------------------------------------------------- result


class ResultScreen:
    """This game's metrics beside the historical record, and men per side over time."""

    def __init__(self, app: App, play: PlayScreen) -> None:
        self.app = app
        self.play = play
        self.rows = compare(play.session.state)
        self.buttons: dict = {}
        self.message = ""

    def build(self) -> None:
        m = self.app.manager
        w, h = self.app.size
        self.buttons = {}
        for k, (label, action) in enumerate(
            [("Back to the map", "map"), ("Save the game", "save"), ("Quit", "quit")]
        ):
            button = UIButton(
                pygame.Rect(w - 3 * 190 - 20 + k * 190, h - 54, 180, 40), label, manager=m
            )
            self.buttons[button] = action

    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.act(self.buttons[event.ui_element])
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE or event.key == pygame.K_q:
                self.act("quit")
            elif event.key == pygame.K_m:
                self.act("map")
            elif event.key == pygame.K_s:
                self.act("save")

    def act(self, action: str) -> None:
        if action == "quit":
            self.app.quit()
        elif action == "save":
            path = self.play.save()
            self.message = f"Saved to {path}" if path else self.play.message
        elif action == "map":
            self.play.menu = None
            self.app.show(ReviewScreen(self.app, self.play, self))

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        session = self.play.session
        state = session.state
        w, h = surface.get_size()
        winner = state.winner
        names = {side.id: side.name.en for side in state.scenario.sides}
        result = "a draw" if winner in (None, "draw") else f"won by {names.get(winner, winner)}"
        title = fonts.text(f"{_name(state.scenario.title)}: {result}", 24, ACCENT, bold=True)
        surface.blit(title, (24, 16))
        agree = sum(bool(r.inside) for r in self.rows)
        sub = fonts.text(
            f"{agree} of {len(self.rows)} historical figures matched (seed {session.seed})."
            " ✓ inside the historical figure, × outside, ? cannot be judged.",
            15,
            DIM,
        )
        surface.blit(sub, (24, 52))
        table_w = min(760, w - 520)
        self.draw_table(surface, pygame.Rect(24, 84, table_w, h - 150))
        self.draw_chart(surface, pygame.Rect(table_w + 40, 84, w - table_w - 64, min(440, h - 160)))
        if self.message:
            surface.blit(fonts.text(self.message, 14, TEXT), (24, h - 44))

    def draw_table(self, surface, rect: pygame.Rect) -> None:
        names = {side.id: side.name.en for side in self.play.session.scenario.sides}
        columns = [
            ("figure", 0.28),
            ("this game", 0.2),
            ("history", 0.25),
            ("", 0.04),
            ("whose", 0.23),
        ]
        x = rect.x
        for name, share in columns:
            surface.blit(fonts.text(name, 15, ACCENT, bold=True), (x, rect.y))
            x += int(rect.width * share)
        row_h = max(18, min(26, (rect.height - 30) // max(len(self.rows), 1)))
        size = 14 if row_h >= 22 else 12
        y = rect.y + 28
        for row in self.rows:
            mark = {True: "✓", False: "×", None: "?"}[row.inside]
            color = {True: (120, 220, 130), False: (240, 110, 100), None: DIM}[row.inside]
            game, historical = row.game_text, row.historical
            if row.entry.metric.value == "winner":
                game, historical = names.get(game, game), names.get(historical, historical)
            whose = row.entry.whose.replace(" (the seed)", "").replace(
                " (as quoted in the seed)", ""
            )
            cells = [row.entry.id.replace("_", " "), game, historical, mark, whose]
            x = rect.x
            for (name, share), cell in zip(columns, cells, strict=True):
                width = int(rect.width * share) - 8
                label = fonts.text(
                    _fit(cell, size, width), size, color if name in ("", "this game") else TEXT
                )
                surface.blit(label, (x, y))
                x += int(rect.width * share)
            y += row_h
            if y > rect.bottom:
                break

    def draw_chart(self, surface, rect: pygame.Rect) -> None:
        """Men present per side after each turn (reinforcements count from their arrival)."""
        state = self.play.session.state
        pygame.draw.rect(surface, (26, 28, 32), rect)
        pygame.draw.rect(surface, (90, 90, 90), rect, 1)
        surface.blit(
            fonts.text("Men in the fight, per side", 16, ACCENT, bold=True),
            (rect.x + 10, rect.y + 6),
        )
        series = men_per_side(state)
        if not series or len(series[0]) < 2:
            return
        plot = pygame.Rect(rect.x + 56, rect.y + 40, rect.width - 72, rect.height - 100)
        top = max(max(s) for s in series) or 1
        n = len(series[0])
        for k in range(n - 1):  # night bands
            if state.is_night(
                state.time_at(k) + timedelta(minutes=state.scenario.clock.turn_minutes / 2)
            ):
                x0 = plot.x + plot.width * k / (n - 1)
                x1 = plot.x + plot.width * (k + 1) / (n - 1)
                pygame.draw.rect(surface, (38, 42, 62), (x0, plot.y, x1 - x0 + 1, plot.height))
        for frac in (0, 0.5, 1):
            y = plot.bottom - plot.height * frac
            pygame.draw.line(surface, (70, 70, 70), (plot.x, y), (plot.right, y))
            label = fonts.text(f"{top * frac:,.0f}", 12, DIM)
            surface.blit(label, label.get_rect(midright=(plot.x - 6, y)))
        for side, values in enumerate(series):
            rgb = drawing.mix(
                drawing.hex_rgb(state.scenario.sides[side].color), (255, 255, 255), 0.25
            )
            points = [
                (plot.x + plot.width * k / (n - 1), plot.bottom - plot.height * v / top)
                for k, v in enumerate(values)
            ]
            pygame.draw.lines(surface, rgb, False, points, 3)
            label = fonts.text(f"{state.scenario.sides[side].name.en}: {values[-1]:,}", 13, rgb)
            surface.blit(label, (plot.x, plot.bottom + 22 + side * 18))
        for k in (0, n - 1):
            when = fonts.text(f"{state.time_at(k):%d %b %H:%M}", 12, DIM)
            anchor = {"topleft": (plot.x, plot.bottom + 4)} if k == 0 else {}
            anchor = anchor or {"topright": (plot.right, plot.bottom + 4)}
            surface.blit(when, when.get_rect(**anchor))


def _fit(text: str, size: int, width: int) -> str:
    f = fonts.font(size)
    if f.size(text)[0] <= width:
        return text
    while text and f.size(text + "…")[0] > width:
        text = text[:-1]
    return text + "…"


def men_per_side(state) -> list[list[int]]:
    """Men present per side after each turn, from the state's ledger: a reinforcement counts from
    the turn it arrives."""
    u = state.units
    arrive = np.full(u.count, -1)
    index = {unit_id: i for i, unit_id in enumerate(u.ids)}
    for reinforcement in state.scenario.reinforcements:
        turn = state.turn_of(reinforcement.time)
        for unit_id in reinforcement.units:
            if unit_id in index:
                arrive[index[unit_id]] = turn
    series: list[list[int]] = [[], []]
    for k, snapshot in enumerate(state.ledger):
        present = arrive < k
        for side in (0, 1):
            series[side].append(int(snapshot[0][(u.side == side) & present].sum()))
    return series


class ReviewScreen(PlayScreen):
    """The map after the battle (no orders); Esc or R returns to the result."""

    def __init__(self, app: App, play: PlayScreen, result: ResultScreen) -> None:
        self.__dict__.update(play.__dict__)
        self.result = result
        self.message = "The battle is over: R returns to the result."

    def update(self, dt: float) -> None:
        self.player.update(dt)

    def key(self, event) -> None:
        if event.key in (pygame.K_r, pygame.K_ESCAPE):
            self.app.show(self.result)
            return
        super().key(event)
