"""What `wargame run` prints: the battle turn by turn, then this game beside history."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .core.events import Event, TurnEnded
from .core.state import GameState
from .headless import play
from .history import ECHO_TEXT, agreement, compare
from .narrative import Words, describe, fire_summary, tell
from .scenario import LoadedScenario


def print_game(
    loaded: LoadedScenario,
    seed: int,
    *,
    overrides: dict[str, float] | None = None,
    explain: bool = False,
    events_path: Path | None = None,
    quiet: bool = False,
    ai_modes: dict[int, str] | None = None,
    ids: bool = False,
) -> int:
    """Play the battle, telling each turn as it goes, then print this game beside history.

    The turns are told in the player's words (unit, side and place names, "1 man"), as the
    window's log tells them; `ids` keeps the ids and hex labels, which scripts grep for."""
    words = None if ids else Words.of(loaded.scenario)
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 160)  # logs and pipes: do not squeeze the table

    def on_turn(state: GameState, events: list[Event]) -> None:
        if quiet:
            return
        if words is None:
            lines = [line for e in events if (line := describe(e, explain=explain))]
        else:
            lines = [line for e in events if (line := tell(e, words, explain=explain))]
        if not explain and (summary := fire_summary(events, words)):
            lines.append(summary)
        end = next((e for e in events if isinstance(e, TurnEnded)), None)
        if end is None or not lines:
            return
        night = " night" if end.night else ""
        name = (lambda side: side) if words is None else words.side
        men = ", ".join(f"{name(side)} {count}" for side, count in end.men.items())
        console.print(f"[bold]turn {end.turn + 1:>3}[/] {end.time}{night}  ({men})")
        for line in lines:
            console.print(f"    {line}", markup=False)

    record = play(loaded, seed, overrides=overrides, on_turn=on_turn, ai_modes=ai_modes)
    state, game = record.state, record.game
    assert game is not None
    if events_path is not None:
        modes = {game.side_ids[side]: mode for side, mode in (ai_modes or {}).items()}
        game.save(events_path, {"ai_modes": modes})
    table = Table(title=f"{loaded.scenario.title.en}: seed {seed}, winner {state.winner}")
    for column in ("metric", "this game", "history", ""):
        table.add_column(column, no_wrap=True)
    table.add_column("whose figure", max_width=40)
    table.add_column("source", max_width=60, overflow="ellipsis", no_wrap=True)
    rows = compare(state)
    for row in rows:
        table.add_row(
            row.entry.id, row.game_text, row.historical, row.mark, row.entry.whose, row.entry.source
        )
    console.print(table)
    agree, tested, echoes = agreement(rows)
    inputs = f"; {echoes} more shown as {ECHO_TEXT}" if echoes else ""
    console.print(f"{agree} of {tested} historical metrics matched{inputs}")
    if events_path is not None:
        print(f"event log written to {events_path}", file=sys.stderr)
    return 0
