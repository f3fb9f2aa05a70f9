"""Words the screens share: a scenario's names in both languages, the span of a turn, and text
made safe for pygame_gui's HTML boxes."""

from __future__ import annotations

import html
from datetime import timedelta

PANEL_W = 350  # the play screen's side panel (units, ground, buttons, log)
DIM = (160, 160, 150)


def turn_span(state, turn: int) -> str:
    """The clock span of `turn`, e.g. '27 May 1945 06:00–08:00'."""
    start = state.time_at(turn)
    end = start + timedelta(minutes=state.scenario.clock.turn_minutes)
    return f"{start:%d %b %Y %H:%M}–{end:%H:%M}"


def bilingual(name) -> str:
    """A bilingual name as 'English 中文' (English alone when there is no Chinese)."""
    return f"{name.en} {name.zh}" if getattr(name, "zh", None) else name.en


def esc(text: str) -> str:
    """Text for a pygame_gui text box, whose markup is HTML."""
    return html.escape(str(text), quote=False)
