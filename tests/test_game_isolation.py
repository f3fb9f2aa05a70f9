"""A game's play depends only on its scenario, orders and seed, not on the games played before it
in the same process. The games of one `Scenario` object share its board's caches (`Board.shared`,
`Board.memo`: what every game of the scenario can reuse), as a batch worker's games do; an entry
keyed on less than what it was made from hands one game's state to the next.

The breach these tests guard against: the adaptive computer player's rations of an ammunition
budget (`engine.ai.planner._ration`) were shared under a key without the turns at which the
side's plan's triggered phases began in this game, though the rations are worked out from the
rounds those phases keep back. A game then fired what the first game to fill the entry could
afford (Furong's batch rows differed between one worker and several, issue of commit 579b6a0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.events import Bombarded
from engine.core.orders import Move
from engine.game import Game
from engine.rules.coefficients import coefficient_names
from engine.scenario.loader import load_scenario_text
from engine.scenario.models import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
# Red's mortars ration a budget while red's plan keeps 120 rounds back for a bombardment that
# begins once the post is taken (see the file's header).
ISOLATION = Path(__file__).parent / "data" / "isolation.yaml"


def load(path: Path) -> Scenario:
    """A fresh Scenario object (a new board, with empty caches) for `path`."""
    text = path.read_text(encoding="utf-8")
    return load_scenario_text(text, str(path), coefficient_names=coefficient_names()).scenario


def play(
    scenario: Scenario, seed: int, *, scout_to_post: bool = False, side_waits: int = 0
) -> Game:
    """A whole game, the computer commanding both sides in the adaptive mode; `scout_to_post`
    sends red's first unit to the place `post` instead (the isolation battle's trigger);
    `side_waits` turns at the start in which the first side is given no orders (the computer is
    first asked for them after)."""
    game = Game(scenario, seed)
    while not game.over:
        for side in (0, 1):
            if side == 0 and game.turn < side_waits:
                game.apply_orders(side, [])
                continue
            orders = game.computer_orders(side, "adaptive")
            if side == 0 and scout_to_post:
                post = game.state.board.resolve("post")
                orders = [o for o in orders if o.unit != 0] + [Move(0, post)]
            game.apply_orders(side, orders)
        game.end_turn()
    return game


def log(game: Game) -> list[dict]:
    return [event.to_dict() for event in game.events]


def rounds_fired(game: Game) -> list[int]:
    return [e.rounds for e in game.events if isinstance(e, Bombarded)]


def test_rations_do_not_carry_over_from_a_game_whose_plan_triggers_fired_otherwise() -> None:
    alone = play(load(ISOLATION), 2)
    shared = load(ISOLATION)
    first = play(shared, 1, scout_to_post=True)  # the post falls at once: 120 rounds kept back
    after = play(shared, 2)
    # the first game did ration otherwise (so the test exercises the shared entries) ...
    assert rounds_fired(first)[:5] == [20, 7, 9, 11, 14]
    assert rounds_fired(alone)[:5] == [20, 20, 20, 20, 20]
    # ... and the game after it plays as the same game played alone, event for event
    assert log(after) == log(alone)


def test_adaptive_objectives_taken_later_in_another_game_are_not_shared() -> None:
    """Shigehiro: the Chinese `destroy` goes after the first named Japanese unit where it stood
    when the computer was first asked; in the first game it is first asked at turn 2, after that
    unit has moved, so its objective differs from the one a game asking at turn 0 has."""
    path = ROOT / "scenarios" / "shigehiro_pocket.yaml"
    alone = play(load(path), 2)
    shared = load(path)
    play(shared, 1, side_waits=2)
    assert log(play(shared, 2)) == log(alone)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_seed_plays_the_same_alone_and_after_another_seed(path: Path) -> None:
    """Every scenario, adaptive on both sides, whole games: seed 2 played on a fresh scenario,
    and on one that has just played seed 1 (and its caches hold seed 1's entries)."""
    alone = play(load(path), 2)
    shared = load(path)
    play(shared, 1)
    assert log(play(shared, 2)) == log(alone)
