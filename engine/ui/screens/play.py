"""The play screen: the map, the side panel (unit, hex, order buttons, log), the header and the
status line; a battle's turns are played here. Its jobs each have a module of their own: the
order input (`orders`), the map's highlights and the odds box (`previews`), the side panel's
texts (`side_panel`), the log and what fog lets a side be told (`battle_log`) and the menu
(`play_menu`). This module holds the layout, the turn flow, and the dispatch of keys, clicks and
buttons to those parts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextBox

from .. import anim, chrome, drawing, odds, order_modes
from ..chrome import TEXT
from ..labels import PANEL_W, bilingual, turn_span
from ..mapview import MapView
from ..session import SaveError, Session, save_name
from .battle_log import EXPLAINED_TURNS, log_html, words_for
from .handover import HandoverScreen
from .orders import MODE_BY_KEY, MODES, ORDER_MODES, OrderInput
from .play_menu import build_menu
from .previews import Previews
from .result import ResultScreen
from .side_panel import SidePanel, link_unit

if TYPE_CHECKING:
    from ..app import App

HEADER_H = chrome.HEADER_H

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
    ("Space, click;  [ ]  R", "skip the turn's replay;  slower, faster;  replay the last turn"),
    ("G;  End", "end turns until something happens to your units;  to the battle's end"),
    ("Esc", "menu: resume, save, load, quit (asks first; the game is autosaved)"),
    ("F1", "this help"),
    ("", ""),
    ("Units fire by themselves", "at the nearest enemy in sight and reach; F aims them."),
    ("Hover over an enemy", "with a unit selected to see the odds first."),
]


def start_session(app: App, session: Session) -> None:
    """Show a game: the hand-over screen first when two people share the machine."""
    play = PlayScreen(app, session)
    if session.hot_seat and not session.finished and session.side_to_order() is not None:
        app.show(HandoverScreen(app, play, session.side_to_order()))
    else:
        app.show(play)
        play.begin_orders()


class PlayScreen(OrderInput, Previews):
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
        self.speed = anim.DEFAULT_SPEED  # index into anim.SPEEDS, kept from turn to turn
        self.fast: str | None = None  # fast-forward: "event" (until something happens), "end"
        self.glide: tuple[float, float] | None = None  # where the camera is going (replay)
        self._autosave_failed = False
        self.seen = [len(session.events)] * 2  # events each side has been shown (a loaded
        # game starts with its past in the log, not replayed as animations)
        self._reach_key = None
        self._reach: dict[int, float] = {}
        self._odds_key = None
        self._odds: list[odds.Odds] = []
        self.buttons: dict = {}
        self.panel = SidePanel(session)
        self.log_box: UITextBox | None = None

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
        y = self.panel.build(m, x, width, h)
        self.buttons = {}
        # One button per order mode the order kinds declare, in rows of at most 5 (even rows:
        # six modes make two rows of three, so that no label is cut).
        rows = -(-len(MODES) // 5)
        per_row = -(-len(MODES) // rows)
        bw = (width - 3 * (per_row - 1)) // per_row
        for k, mode in enumerate(MODES):
            chosen = "#chosen" if self.mode == mode.name else None
            at = pygame.Rect(x + (k % per_row) * (bw + 3), y + (k // per_row) * 35, bw, 32)
            self.buttons[UIButton(at, mode.label, manager=m, object_id=chosen)] = mode.name
        y += 35 * rows
        row = [("Hold", "hold"), ("Undo", "undo"), ("End turn", "end")]
        bw = (width - 6) // 3
        for k, (label, action) in enumerate(row):
            button = UIButton(pygame.Rect(x + k * (bw + 3), y, bw, 32), label, manager=m)
            self.buttons[button] = action
        y += 38
        self.log_box = UITextBox("", pygame.Rect(x, y, width, h - y - 6), manager=m)
        if self.menu:
            self.buttons.update(build_menu(self.app, self.menu, self.message))
        self.refresh_panel()
        self.rebuild_log()

    def rebuild(self) -> None:
        self.app.manager.clear_and_reset()
        self.build()

    # ------------------------------------------------------------------ turn flow
    @property
    def state(self):
        return self.session.state

    def begin_orders(self) -> None:
        """A side looks at the map: replay what happened since it last looked."""
        side = self.session.viewer()
        first = self.seen[side]
        self.seen[side] = len(self.session.events)
        self.replay(first, self.seen[side])
        self.selected = None
        self.mode = None
        self.view.invalidate()
        self.rebuild_log()
        self.refresh_panel()
        if self.session.side_to_order() is not None and not self.player.phases:
            self.message = "Your orders: click a unit of yours (F1: keys)."

    def replay(self, first: int, last: int) -> None:
        """Replay events `first`..`last` as the viewer was told them, step by step."""
        side = self.session.viewer()
        told = self.session.told[side]
        events = [self.session.events[k] for k in range(first, last) if k in told]
        words = words_for(self.session, side)
        u = self.state.units
        own = frozenset(u.ids[i] for i in range(u.count) if int(u.side[i]) == side)
        phases = anim.phases_for(self.state, events, words=words, own=own)
        self.player = anim.Player(phases, anim.SPEEDS[self.speed])

    def replay_last_turn(self) -> None:
        """R: the last turn's events again, as the viewer was told them."""
        events = self.session.events
        if not events:
            self.message = "No turn has been played yet."
            return
        last = events[-1].turn
        first = next(k for k, e in enumerate(events) if e.turn == last)
        self.replay(first, len(events))
        if not self.player.phases:
            self.message = f"Nothing seen happened in turn {last + 1}."

    def change_speed(self, step: int) -> None:
        self.speed = min(max(self.speed + step, 0), len(anim.SPEEDS) - 1)
        self.player.speed = anim.SPEEDS[self.speed]
        self.message = f"Replay speed {anim.SPEEDS[self.speed]:g}× ([ slower, ] faster)"

    # ------------------------------------------------------------------ fast-forward
    def fast_forward(self, how: str) -> None:
        """G ("event"): end turns, your units keeping their orders, until something happens to
        them; End ("end"): to the end of the battle. Not in a hot-seat game, whose other side
        is a person."""
        if self.session.finished or self.session.side_to_order() is None:
            return
        if self.session.hot_seat:
            self.message = "Fast-forward plays the computer's side: not in a hot-seat game."
            return
        self.fast = how
        self.selected = None
        self.mode = None
        self.message = (
            "Playing on until something happens to your units (any key stops)"
            if how == "event"
            else "Playing on to the end of the battle (any key stops)"
        )

    def fast_step(self) -> None:
        """One turn of fast-forward, without its replay; stops (and replays that turn) when the
        viewer's units were touched, or an enemy came in sight."""
        session = self.session
        side = session.viewer()
        before = len(session.events)
        seen_before = session.visible_units(side) - self._own_units(side)
        session.finish_orders()
        session.end_turn()
        self.seen[side] = len(session.events)
        self.view.invalidate()
        newly_seen = (session.visible_units(side) - self._own_units(side)) - seen_before
        touched = self._touched(side, before) or bool(newly_seen)
        if session.finished or (self.fast == "event" and touched):
            self.fast = None
            self.autosave_quietly()
            self.seen[side] = before
            self.begin_orders()
            if touched and not session.finished:
                what = "an enemy came in sight" if newly_seen else "your units were in action"
                self.message = f"Stopped: {what} in turn {self.state.turn} (R replays it)."
        else:
            self.autosave_quietly()  # fast-forwarded turns are kept as well
            self.rebuild_log()

    def _own_units(self, side: int) -> set[int]:
        u = self.state.units
        return {i for i in range(u.count) if int(u.side[i]) == side}

    def _touched(self, side: int, first: int) -> bool:
        """Whether an event from index `first` on that `side` was told names one of its units
        (other than its own moves and river crossings), or a hex changed hands."""
        u = self.state.units
        own = {u.ids[i] for i in range(u.count) if int(u.side[i]) == side}
        told = self.session.told[side]
        for k in range(first, len(self.session.events)):
            event = self.session.events[k]
            if k not in told or event.kind in ("moved", "crossing", "turn_ended"):
                continue
            if event.kind == "hex_taken":
                return True
            if event.kind == "fired" and not (event.killed + event.wounded):
                continue
            names = {getattr(event, n, None) for n in ("unit", "target", "by")}
            names |= set(getattr(event, "attackers", ()) or ())
            names |= set(getattr(event, "defenders", ()) or ())
            names |= set(getattr(event, "casualties", {}) or {})
            if names & own:
                return True
        return False

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
        self.autosave_quietly()
        self.view.invalidate()
        if session.hot_seat and not session.finished:
            self.app.show(HandoverScreen(self.app, self, session.side_to_order()))
        else:
            self.begin_orders()

    # ------------------------------------------------------------------ side panel and log
    def refresh_panel(self) -> None:
        self.panel.refresh(self.selected, self.hover)

    def rebuild_log(self) -> None:
        if self.log_box is None:
            return
        side = self.session.viewer()
        self.log_box.set_text(log_html(self.session, side, self.seen[side], self.explain_log))

    # ------------------------------------------------------------------ events
    def handle(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.button(self.buttons[event.ui_element])
            return
        if event.type == pygame_gui.UI_TEXT_BOX_LINK_CLICKED:  # a unit of a stack, in the panel
            unit = link_unit(event.link_target)
            if unit is not None and self.can_order(unit):
                self.select(unit)
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
                if self.session.finished:
                    self.app.quit()
                    return
                self.menu = "quit"  # asks first
            elif what == "quit_now":
                self.quit_saving()
                return
            elif what == "main":
                self.menu = "main"
            self.rebuild()
            return
        if action in ORDER_MODES:
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
        if self.fast:
            self.fast = None
            self.message = "Fast-forward stopped."
            return
        if k == pygame.K_ESCAPE:
            self.menu = None if self.menu else "main"
            self.message = ""
            self.rebuild()
            return
        if self.menu:
            return
        if k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            self.change_speed(-1 if k == pygame.K_LEFTBRACKET else 1)
            return
        if k == pygame.K_r:
            self.replay_last_turn()
            return
        if not self.player.done:
            if not self.view.navigate(k):  # arrows and zoom work while it plays
                self.player.skip()
            return
        ctrl = event.mod & pygame.KMOD_CTRL
        if k == pygame.K_g:
            self.fast_forward("event")
            return
        if k == pygame.K_END:
            self.fast_forward("end")
            return
        modes = MODE_BY_KEY
        if k == pygame.K_F1:
            self.help = True
        elif k in modes:
            self.set_mode(None if self.mode == modes[k] else modes[k])
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

    def quit_saving(self) -> None:
        """Quit, the game first saved as the scenario's autosave (what `wargame play --load`
        and the Load menu offer); if it cannot be saved, say so and stay."""
        try:
            if not self.session.finished:
                self.session.autosave(self.app.save_dir)
        except OSError as error:
            self.message = f"Could not save the autosave ({error}); not quitting."
            self.menu = "main"
            self.rebuild()
            return
        self.app.quit()

    def autosave_quietly(self) -> None:
        """After each turn: the autosave, so that not even a crash loses more than a turn (a
        folder that cannot be written is said in the status line, once). A finished battle is
        saved too: the autosave of a turn before the end would offer to go on with a battle
        that is over."""
        try:
            self.session.autosave(self.app.save_dir)
        except OSError as error:
            if not self._autosave_failed:
                self._autosave_failed = True
                self.message = f"Could not write the autosave: {error}"

    def may_close(self) -> bool:
        """The window is being closed: autosave the game first (closing never loses it)."""
        if not self.session.finished:
            with contextlib.suppress(OSError):  # nowhere to write it: the window closes anyway
                self.session.autosave(self.app.save_dir)
        return True

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
        if self.fast and self.player.done and not self.menu:
            self.fast_step()
        focus = self.player.new_focus()
        if focus >= 0:
            self.follow(focus)
        if self.glide is not None:
            self._glide_step(dt)
        if self.view.rect.collidepoint(self.mouse):  # the map moved under a still cursor
            self.set_hover(self.view.hex_at(self.mouse))  # (Tab, C, keys): hover follows it
        was = self.player.done
        self.player.update(dt)
        if not was and self.player.done:
            self.view.invalidate()
            if self.session.side_to_order() is not None:
                self.message = "Your orders: click a unit of yours (F1: keys)."
        if self.player.done and self.session.finished and not self.menu:
            self.app.show(ResultScreen(self.app, self))

    def follow(self, h: int) -> None:
        """Send the camera to hex `h` if it is not well inside the map's view (the replay)."""
        inner = self.view.rect.inflate(-self.view.rect.width // 5, -self.view.rect.height // 5)
        if inner.collidepoint(self.view.hex_center_on_screen(h)):
            return
        x, y = self.view.geo.center(h)
        self.glide = (x - self.view.rect.width / 2, y - self.view.rect.height / 2)

    def _glide_step(self, dt: float) -> None:
        tx, ty = self.glide
        cx, cy = self.view.cam
        f = min(1.0, dt * 8)
        self.view.cam = [cx + (tx - cx) * f, cy + (ty - cy) * f]
        self.view.clamp()
        if abs(tx - cx) < 2 and abs(ty - cy) < 2:
            self.glide = None

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
        state = self.state
        chrome.header_bar(surface)
        night = "night" if state.is_night() else "day"
        turn = min(state.turn, state.total_turns - 1)
        when = f"{turn_span(state, turn)}  ·  turn {turn + 1} of {state.total_turns}  ·  {night}"
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
        tag = chrome.header_tag(surface, right, rgb)  # first: the texts keep left of it
        title = bilingual(state.scenario.title)
        start = state.time_at(turn)  # the short form, for a small window: no year, "turn 1/61"
        span = turn_span(state, turn).replace(f" {start:%Y}", "", 1)
        short = f"{span} · turn {turn + 1}/{state.total_turns} · {night}"
        chrome.header_texts(
            surface, title, when, tag.left, center_w=surface.get_width() - PANEL_W, short=short
        )

    def draw_status(self, surface) -> None:
        rect = self.view.rect
        text = self.message or "F1: keys · Esc: menu · G: on until something happens"
        if not self.player.done:
            step = self.player.phase
            speed = anim.SPEEDS[self.speed]
            text = (
                f"Replay {self.player.index + 1}/{len(self.player.phases)}, {speed:g}×"
                f" ([ ] speed, Space skips): {step.caption}"
            )
        elif self.fast:
            text = self.message
        legend = ""
        if self.selected is not None and self.can_order(self.selected):
            legend = "dots: reach · red: assault · orange: bombard · yellow: fire, breach"
        chrome.status_line(surface, rect, text, legend)  # side by side, or the legend above

    def draw_help(self, surface) -> None:
        chrome.help_overlay(surface, "Keys and mouse (any key closes)", HELP, width=760, key_w=250)


# ---------------------------------------------------------------------------------- result
