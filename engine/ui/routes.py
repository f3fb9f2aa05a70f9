"""Where each screen's name leads: the one place that knows every screen and the editor.

Screens go to one another by name (`app.open("editor", document)`), and `App` looks the name up
here. So the screens and the editor never import each other, and a new screen is one entry.
Every route shows its screen; "game" may show the hand-over first (a hot-seat game).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..scenario import LoadedScenario
from ..scenario.document import ScenarioDocument
from .editor import EditorScreen
from .screens.briefing import BriefingScreen
from .screens.play import PlayScreen, start_session
from .screens.result import ResultScreen
from .screens.review import ReviewScreen
from .screens.scenario_list import ScenarioListScreen

if TYPE_CHECKING:
    from .app import App

Route = Callable[..., None]


def _list(app: App, files: list[Path] | None = None) -> None:
    app.show(ScenarioListScreen(app, app.scenario_files() if files is None else files))


def _briefing(app: App, loaded: LoadedScenario, seed: int = 1) -> None:
    app.show(BriefingScreen(app, loaded, seed=seed))


def _editor(app: App, document: ScenarioDocument) -> None:
    app.show(EditorScreen(app, document))


def _review(app: App, play: PlayScreen, result: ResultScreen) -> None:
    app.show(ReviewScreen(app, play, result))


ROUTES: dict[str, Route] = {
    "list": _list,
    "briefing": _briefing,
    "editor": _editor,
    "game": start_session,
    "review": _review,
}
