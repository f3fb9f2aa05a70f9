"""The window's screens, one module each: the scenario list, the briefing, the play screen (with
its parts: order input, previews, side panel, log, menu), the hand-over, the result and the review
of the map after the battle.

A screen builds its pygame_gui widgets in `build`, reacts in `handle`, and draws in `draw`. It
goes to another screen by name, `app.open("briefing", loaded)`, which the app resolves through
`engine/ui/routes.py`: so no screen module imports the editor, and the editor imports none of
these (the tcod tutorial's "a handler returns the next handler", without an import cycle).
"""

from .briefing import BriefingScreen
from .handover import HandoverScreen
from .play import PlayScreen, start_session
from .result import ResultScreen, men_per_side
from .review import ReviewScreen
from .scenario_list import ScenarioListScreen

__all__ = [
    "BriefingScreen",
    "HandoverScreen",
    "PlayScreen",
    "ResultScreen",
    "ReviewScreen",
    "ScenarioListScreen",
    "men_per_side",
    "start_session",
]
