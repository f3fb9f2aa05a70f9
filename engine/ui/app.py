"""The window: one pygame display, one pygame_gui manager, and the screen shown in it.

Each screen (scenario list, briefing, play, hand-over, result, editor) builds its widgets when
shown, handles events, and draws; `App.show` switches between them, and `App.open` goes to a
screen by name through `routes.ROUTES` (the tcod tutorial's "input handler returns the next
handler", as a method call), so that no screen imports another's module. `App.step` runs one
frame, so tests can drive the window with posted events and the dummy video driver.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pygame
import pygame_gui

from .. import resources
from . import fonts
from .chrome import ACCENT
from .routes import ROUTES, Route

__all__ = ["ACCENT", "App", "scenario_files"]

DEFAULT_SIZE = (1280, 720)
MIN_SIZE = (1024, 640)  # every screen's layout holds from here up (tests/test_ui_layout.py)
BACKGROUND = (34, 36, 40)


def default_save_dir() -> Path:
    """Where games are saved: $WARGAME_SAVE_DIR, else the XDG data folder."""
    if os.environ.get("WARGAME_SAVE_DIR"):
        return Path(os.environ["WARGAME_SAVE_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wargame" / "saves"


def theme() -> dict:
    path = fonts.font_path()
    font: dict = {"name": "cjk", "size": "14"}
    if path:
        font |= {"regular_path": path, "bold_path": path, "italic_path": path}
        font["bold_italic_path"] = path
    colours = {
        "normal_bg": "#2b2f36",
        "hovered_bg": "#3a4150",
        "selected_bg": "#5a4a20",
        "active_bg": "#5a4a20",
        "dark_bg": "#1e2126",
        "normal_text": "#e8e4da",
        "normal_border": "#5b6270",
    }
    base = {"font": font, "colours": colours}
    found = {
        name: base
        for name in (
            "button",
            "text_box",
            "label",
            "panel",
            "window",
            "selection_list",
            "text_entry_line",  # the editor's place names are typed in Chinese too
        )
    }
    found["#title"] = {"font": {**font, "size": "24"}, "colours": {"normal_text": "#f0d890"}}
    found["#big_button"] = {"font": {**font, "size": "18"}}
    found["#chosen"] = {"colours": {**colours, "normal_bg": "#6a5622", "normal_border": "#f0d890"}}
    found["#small"] = {"font": {**font, "size": "12"}}
    return found


class App:
    def __init__(
        self,
        size: tuple[int, int] = DEFAULT_SIZE,
        *,
        save_dir: Path | None = None,
        scenario_dir: Path | None = None,
        routes: dict[str, Route] | None = None,
    ) -> None:
        pygame.display.init()
        pygame.font.init()
        self.window = pygame.display.set_mode(at_least_min(size), pygame.RESIZABLE)
        pygame.display.set_caption("wargame")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                window = pygame.Window.from_display_module()
            window.minimum_size = MIN_SIZE
        except (AttributeError, pygame.error):
            pass
        self.save_dir = save_dir or default_save_dir()
        self.scenario_dir = scenario_dir
        self.routes = dict(ROUTES if routes is None else routes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.manager = pygame_gui.UIManager(self.window.get_size(), theme())
            self.manager.preload_fonts(
                [
                    {"name": "cjk", "point_size": s, "style": style}
                    for s in (12, 14, 18, 24)
                    for style in ("regular", "bold", "italic")
                ]
            )
        self.screen = None
        self.running = True
        self.frames = 0

    @property
    def size(self) -> tuple[int, int]:
        return self.window.get_size()

    def show(self, screen) -> None:
        self.manager.clear_and_reset()
        self.screen = screen
        screen.build()

    def open(self, name: str, *args, **kwargs) -> None:
        """Go to the screen called `name` ("list", "briefing", "editor", "game", "review"), made
        from `args`: the screens name the next screen instead of importing its module."""
        self.routes[name](self, *args, **kwargs)

    def scenario_files(self) -> list[Path]:
        """The scenarios the list offers: those in the app's scenario folder."""
        return scenario_files(self.scenario_dir)

    def step(self, dt: float = 1 / 60) -> None:
        """One frame: events, update, draw."""
        for event in pygame.event.get():
            self.handle(event)
        if not self.running:
            return
        self.manager.update(dt)
        if self.screen is not None:
            self.screen.update(dt)
        self.draw()
        self.frames += 1

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            # a screen with unsaved work (the editor) may ask once more before the window goes
            if self.screen is None or getattr(self.screen, "may_close", lambda: True)():
                self.running = False
            return
        if event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            # Without a window manager the minimum size set above is not enforced: a window
            # made smaller is set back to the minimum here, so no layout is ever cut off.
            asked = (event.w, event.h) if event.type == pygame.VIDEORESIZE else self.size
            size = at_least_min(asked)
            if pygame.display.get_surface().get_size() != size:
                self.window = pygame.display.set_mode(size, pygame.RESIZABLE)
            self.resized()
            return
        self.manager.process_events(event)
        if self.screen is not None:
            self.screen.handle(event)

    def resized(self) -> None:
        self.window = pygame.display.get_surface()
        self.manager.set_window_resolution(self.window.get_size())
        if self.screen is not None:
            self.manager.clear_and_reset()
            self.screen.build()

    def draw(self) -> None:
        self.window.fill(BACKGROUND)
        if self.screen is not None:
            self.screen.draw(self.window)
        self.manager.draw_ui(self.window)
        if self.screen is not None and hasattr(self.screen, "draw_over"):
            self.screen.draw_over(self.window)
        pygame.display.flip()

    def run(self) -> int:
        clock = pygame.time.Clock()
        while self.running:
            dt = clock.tick(60) / 1000.0
            self.step(dt)
        pygame.quit()
        return 0

    def quit(self) -> None:
        self.running = False


def at_least_min(size: tuple[int, int]) -> tuple[int, int]:
    """`size`, made no smaller than MIN_SIZE in either direction."""
    return max(int(size[0]), MIN_SIZE[0]), max(int(size[1]), MIN_SIZE[1])


def scenario_files(folder: Path | None = None) -> list[Path]:
    """The bundled scenarios: ./scenarios if there is one, else the shipped ones."""
    candidates: list[Path | None] = [folder] if folder else [Path.cwd() / "scenarios"]
    candidates.append(resources.scenarios_folder())  # the checkout's, or an installed wheel's
    for candidate in candidates:
        if candidate and candidate.is_dir():
            found = sorted(candidate.glob("*.yaml"))
            if found:
                return found
    return []
