"""Overlays moved to engine/scenario/overlay.py (shared by `wargame run --variant`, `wargame play
--variant` and batch); this name stays for code written against engine.sim.overlay."""

from ..scenario.overlay import *  # noqa: F403
from ..scenario.overlay import __all__  # noqa: F401
