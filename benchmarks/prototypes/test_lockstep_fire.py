"""Checks of the road (a) prototype (not collected by the engine's suite, whose testpaths are
tests/; run them with
    python -m pytest -q -n 0 -p no:cacheprovider benchmarks/prototypes/test_lockstep_fire.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lockstep_fire as lockstep

from engine.core import dice


@pytest.fixture(scope="module")
def setting():
    frozen = lockstep.freeze(1)
    return frozen, lockstep.build_tables(frozen, lockstep.TURNS)


@pytest.fixture(scope="module")
def stressed():
    """A later, bloodier setting (fire twenty times as deadly) where units die and rout."""
    frozen = lockstep.freeze(1, 23, {"fire_casualties_per_firepower_hour": 0.1})
    return frozen, lockstep.build_tables(frozen, lockstep.TURNS)


def test_a_battle_alone_is_the_same_battle_in_a_batch_of_1000(stressed):
    frozen, tables = stressed
    checked = lockstep.check_independent(tables, frozen, 1000)
    assert checked == [0, 1, 500, 999]


def test_the_first_turns_shots_are_the_engines(setting, stressed):
    for frozen, tables in (setting, stressed):
        assert lockstep.check_first_turn(tables, frozen, lockstep.Reference(frozen)) >= 4


def test_every_battle_is_the_engines_battle_of_the_same_seed(setting, stressed):
    for frozen, tables in (setting, stressed):
        found = lockstep.compare_with_reference(tables, frozen, lockstep.Reference(frozen), 200)
        assert found.identical == 200, found.first_difference
        assert found.float_difference < 1e-9
    # and the stressed setting does exercise deaths, routs and leaders
    batch = lockstep.play_batch(tables, frozen, np.arange(200))
    assert batch.gone.any() and batch.routed.any()
    assert (~batch.leader_alive & frozen.state.units.leader_alive).any()


def test_philox_words_are_the_engines():
    rng = np.random.default_rng(5)
    seeds = rng.integers(0, 2**63, 100)
    units = rng.integers(0, 15, 100)
    words = lockstep.philox_block(lockstep.battle_keys(seeds), 7, dice.DIRECT_FIRE, units)
    uniforms = lockstep.unit_interval(words)
    for i in range(100):
        stream = dice.Dice(int(seeds[i])).at(7, dice.DIRECT_FIRE, int(units[i]))
        assert [stream.random() for _ in range(4)] == uniforms[i].tolist()


def test_binomial_draws_are_the_engines():
    rng = np.random.default_rng(6)
    for n in (1, 3, 10, 50, 120, 400, 900):
        for p in (0.001, 0.02, 0.1, 0.3, 0.5, 0.6, 0.9, 0.999):
            u = rng.random(300)
            mine = lockstep.binomial(u, np.full(300, n), np.full(300, p))
            assert mine.tolist() == [dice.binomial(n, p, x) for x in u], (n, p)
    half = np.full(3, 0.5)
    assert lockstep.binomial(half, np.array([0, 7, 7]), np.array([0.5, 0.0, 1.0])).tolist() == [
        0,
        0,
        7,
    ]
