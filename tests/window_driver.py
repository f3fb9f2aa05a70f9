"""Driving the window in tests: frames, keys, clicks and pygame_gui buttons, posted as events
to the dummy video driver (the tests set SDL_VIDEODRIVER=dummy before pygame is imported)."""

from __future__ import annotations

import pygame

from engine.ui.app import App


def step(app: App, frames: int = 1) -> None:
    for _ in range(frames):
        app.step(1 / 30)


def key(app: App, code: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode="", scancode=0))
    step(app)


def click(app: App, pos, button: int = 1) -> None:
    pos = (int(pos[0]), int(pos[1]))
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    )
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
    step(app, 2)


def press(app: App, text: str) -> None:
    """Click the pygame_gui button whose label starts with `text`."""
    buttons = [
        e
        for e in app.manager.get_root_container().elements
        if isinstance(e, pygame_gui_button()) and e.text.startswith(text)
    ]
    buttons += [
        e
        for panel in app.manager.get_root_container().elements
        if hasattr(panel, "get_container")
        for e in panel.get_container().elements
        if isinstance(e, pygame_gui_button()) and e.text.startswith(text)
    ]
    assert buttons, f"no button {text!r}"
    click(app, buttons[0].rect.center)


def pygame_gui_button():
    from pygame_gui.elements import UIButton

    return UIButton


def near(surface: pygame.Surface, center, color, radius: int = 2, tolerance: int = 12) -> bool:
    """Whether some pixel within `radius` of `center` has `color`."""
    x0, y0 = int(center[0]), int(center[1])
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            pixel = surface.get_at((x0 + dx, y0 + dy))
            if all(abs(pixel[k] - color[k]) <= tolerance for k in range(3)):
                return True
    return False


def show_result(app: App, session, play) -> None:
    """Play the battle of `session` to its end, the computer ordering every side, and show its
    result screen after the play screen `play`."""
    from engine.ui.screens import ResultScreen

    while not session.finished:
        session.finish_orders()
        session.end_turn()
    play.begin_orders()
    play.player.skip()
    app.show(ResultScreen(app, play))
