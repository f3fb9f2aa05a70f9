"""Golden playthroughs: the whole course of a seeded battle, pinned as text.

Any change to the rules, the computer player or a scenario that changes what happens shows up
here as a diff. When the change is meant, regenerate and review the diff before committing:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import Game
from engine.narrative import describe

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("furong_mountain", 7),
    ("shigehiro_pocket", 2),
    ("lion_mountain", 1),
    ("division_47_relief", 1),
]


def playthrough(name: str, seed: int, path: Path | None = None) -> str:
    """The golden text of scenario `name` (or of the file `path`) played by the computer."""
    game = Game.load(path or ROOT / "scenarios" / f"{name}.yaml", seed=seed)
    while not game.over:
        for side in game.sides_to_order():
            game.apply_orders(side, game.computer_orders(side))
        game.end_turn()
    lines = [f"# {name}, seed {seed}"]
    for event in game.events:
        text = describe(event, explain=True)
        if text:
            lines.append(f"{event.turn:3d} {text}")
    lines.append(f"final state {game.state.state_hash()} winner {game.state.winner}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_playthrough_matches_golden(name: str, seed: int) -> None:
    path = GOLDEN / f"{name}.seed{seed}.txt"
    text = playthrough(name, seed)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} seed {seed} plays differently: if that is meant, regenerate with"
        " UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py and review the diff"
    )
