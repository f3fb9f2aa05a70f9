"""What the map view reads of a game session, for a scenario being edited."""

from __future__ import annotations

from ...core.state import GameState
from ...rules.turn import new_game
from ...scenario import LoadedScenario
from ..fog import FogMemory


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
