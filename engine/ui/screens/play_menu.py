"""The play screen's menu (Esc): resume, save, load, quit, and the list of saved games to load."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame
from pygame_gui.elements import UIButton, UILabel, UIPanel, UITextBox

from ..labels import esc
from ..session import describe_save, list_saves

if TYPE_CHECKING:
    from ..app import App


def build_menu(app: App, menu: str, message: str) -> dict:
    """The menu's widgets ("main" or "load"), and its buttons with the action each stands for:
    "menu:resume", "menu:save", "menu:load", "menu:quit", "menu:main" or ("load", path); the
    "quit" menu asks before quitting ("menu:quit_now", the game autosaved, or "menu:main")."""
    buttons: dict = {}
    m = app.manager
    w, h = app.size
    panel_w, panel_h = (420, 420) if menu != "load" else (min(w - 40, 640), 420)
    panel = UIPanel(
        pygame.Rect((w - panel_w) // 2, (h - panel_h) // 2, panel_w, panel_h), manager=m
    )

    def title(text: str) -> None:
        UILabel(
            pygame.Rect(10, 10, panel_w - 26, 36),
            text,
            manager=m,
            container=panel,
            object_id="#title",
        )

    def action_buttons(top: int, items: list[tuple[str, str]]) -> None:
        """A column of buttons from `top` down, each standing for "menu:<action>"."""
        for k, (label, action) in enumerate(items):
            button = UIButton(
                pygame.Rect(40, top + k * 56, panel_w - 86, 46),
                label,
                manager=m,
                container=panel,
            )
            buttons[button] = f"menu:{action}"

    if menu == "main":
        title("Menu")
        action_buttons(
            60,
            [
                ("Resume (Esc)", "resume"),
                ("Save the game", "save"),
                ("Load a game", "load"),
                ("Quit", "quit"),
            ],
        )
        if message:
            UITextBox(
                esc(message),
                pygame.Rect(10, 290, panel_w - 26, 110),
                manager=m,
                container=panel,
            )
    elif menu == "quit":
        title("Quit the battle?")
        UITextBox(
            esc(
                "The game is saved as the autosave first: the Load menu or"
                " wargame play --load goes on with it."
            ),
            pygame.Rect(10, 56, panel_w - 26, 100),
            manager=m,
            container=panel,
        )
        action_buttons(
            176, [("Save and quit", "quit_now"), ("Cancel: back to the battle", "resume")]
        )
    else:
        title("Load a game")
        saves = list_saves(app.save_dir)[:6]
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
            buttons[button] = ("load", path)
        back = UIButton(
            pygame.Rect(10, panel_h - 60, panel_w - 26, 40), "Back", manager=m, container=panel
        )
        buttons[back] = "menu:main"
    return buttons
