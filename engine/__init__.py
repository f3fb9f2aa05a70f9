"""A hex-grid wargame engine for historical scenarios: YAML battles, documented attrition rules,
play in a window, batch simulation, and comparison with what really happened.

    from engine import Game
    game = Game.load("scenarios/furong_mountain.yaml", seed=7)

The public names are loaded when first asked for, so that `import engine.hexgrid` (or the
window's start-up) does not pay for the rules and the scenario loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["Game", "LegalOrders", "OrderError", "Outcome", "__version__"]

if TYPE_CHECKING:
    from .game import Game, LegalOrders, OrderError, Outcome


def __getattr__(name: str) -> Any:
    if name in ("Game", "LegalOrders", "OrderError", "Outcome"):
        from . import game

        return getattr(game, name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
