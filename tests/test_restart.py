"""A game started again with another seed (engine/restart.py `GameStart`, the batch worker's
`headless.Battles`) plays the battle a new game of that seed plays.

A started-again game reuses the last battle's arrays, kits and caches, put back as they were at
its first turn. What could go wrong is something left over from the battle before: so every
test here plays battles one after another in one game and compares each with a new game of its
seed (its final state's hash, which reads every field that changes in play, and its history
metrics). Starting again only happens where the kernels are compiled (a quiet game is played
out in kernel calls only there); interpreted, `Battles` makes new games, which is checked too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.game import Game
from engine.headless import Battles, play
from engine.history import metric_values
from engine.kernels import jit
from engine.restart import GameStart
from engine.rules import whole_turn
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BATTLES = [
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml")),
    "tests/data/engineers.yaml",  # engineers breach
    "tests/data/metrics.yaml",  # an arrival window drawn from the seed
    "tests/data/triggers.yaml",  # plan phases started by triggers
]
SEEDS = (5, 1, 2, 17, 5)  # (5 again last: the same seed twice gives the same battle)

compiled_only = pytest.mark.skipif(
    not jit.compiling(), reason="a game is started again only where the kernels are compiled"
)


def _fresh(scenario, seed: int, overrides=None):
    return play(scenario, seed, overrides=overrides, keep_events=False, detail_events=False)


def _same_battle(record, fresh) -> None:
    assert record.state.state_hash() == fresh.state.state_hash()
    assert metric_values(record.state) == metric_values(fresh.state)
    assert record.state.winner == fresh.state.winner


@pytest.mark.parametrize("path", BATTLES)
def test_battles_one_after_another_are_new_games(path: str) -> None:
    """Every shipped battle (and test battles with engineers, drawn arrivals, triggers): each
    seed's battle played in the game of the battle before is the new game's of that seed."""
    scenario = load_scenario(ROOT / path).scenario
    battles = Battles()
    games = []  # (kept alive: their ids are theirs)
    for seed in SEEDS:
        record = battles.play(scenario, seed)
        games.append(record.game)
        _same_battle(record, _fresh(scenario, seed))
    distinct = len({id(game) for game in games})
    if jit.compiling():
        assert distinct == 1, "each battle should have been the first game started again"
    else:
        assert distinct == len(SEEDS)


@compiled_only
def test_other_overrides_or_scenario_make_a_new_game() -> None:
    """A change of the coefficients' overrides or of the scenario is a new game, and the
    battles are still those of new games."""
    furong = load_scenario(ROOT / "scenarios/furong_mountain.yaml").scenario
    lion = load_scenario(ROOT / "scenarios/lion_mountain.yaml").scenario
    battles = Battles()
    first = battles.play(furong, 3)
    again = battles.play(furong, 4)
    assert again.game is first.game
    stronger = {"fire_casualties_per_firepower_hour": 0.008}
    swept = battles.play(furong, 4, overrides=stronger)
    assert swept.game is not first.game
    _same_battle(swept, _fresh(furong, 4, stronger))
    swept_again = battles.play(furong, 5, overrides=dict(stronger))
    assert swept_again.game is swept.game
    _same_battle(swept_again, _fresh(furong, 5, stronger))
    other = battles.play(lion, 5)
    assert other.game is not swept.game
    _same_battle(other, _fresh(lion, 5))


@compiled_only
def test_an_adaptive_side_is_played_turn_by_turn_in_new_games() -> None:
    """A side played adaptively is not a plan played out at once: new games, turn by turn."""
    scenario = load_scenario(ROOT / "scenarios/lion_mountain.yaml").scenario
    battles = Battles()
    modes = {0: "adaptive"}
    first = battles.play(scenario, 1, ai_modes=modes)
    second = battles.play(scenario, 2, ai_modes=modes)
    assert first.game is not second.game
    fresh = play(scenario, 2, ai_modes=modes, keep_events=False, detail_events=False)
    _same_battle(second, fresh)


@compiled_only
def test_only_a_quiet_new_game_is_kept() -> None:
    scenario = load_scenario(ROOT / "scenarios/furong_mountain.yaml").scenario
    told = Game(scenario, 1, keep_events=True)
    assert not GameStart(told).usable
    begun = Game(scenario, 1, keep_events=False, detail_events=False)
    begun.give_all_computer_orders()
    begun.end_turn()
    assert not GameStart(begun).usable
    with pytest.raises(ValueError, match="cannot be started again"):
        GameStart(told).again(2)


@compiled_only
def test_what_play_added_is_gone_and_the_boards_share_is_left() -> None:
    """What a battle cached on its objects is dropped at the start again, and what the board
    shares between games (its fields of movement) is not put back."""
    scenario = load_scenario(ROOT / "scenarios/furong_mountain.yaml").scenario
    game = Game(scenario, 1, keep_events=False, detail_events=False)
    start = GameStart(game)
    assert start.usable
    store = whole_turn.turn_kit(game.state).moves.grounds[0].store
    fields_before = int(store.used[0])
    game.play_out_quietly()
    state = game.state
    state.__dict__["_left_behind"] = object()
    fields = int(store.used[0])
    assert fields > fields_before  # (the battle asked for fields toward goals of its own)
    times = store.times.copy()
    start.again(2)
    assert "_left_behind" not in state.__dict__
    assert state.turn == 0 and not state.finished and state.winner is None
    assert state.seed == 2 and state.dice.seed == 2
    assert int(store.used[0]) == fields and np.array_equal(store.times, times)
