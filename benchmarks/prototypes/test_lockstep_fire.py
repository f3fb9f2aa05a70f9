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


def test_losses_and_routs_agree_with_the_engine_within_sampling_noise(stressed):
    frozen, tables = stressed
    by_side, (worst, where, compared) = lockstep.compare_with_reference(
        tables, frozen, lockstep.Reference(frozen), 300
    )
    assert compared >= 10  # deaths, routs, leaders and officers vary in this setting
    assert abs(worst) < 4.0, where
    assert all(abs(z) < 4.0 for *_, z in by_side.values())


def test_binomial_draws_have_the_binomial_mean_and_variance():
    keys = lockstep.battle_keys(np.arange(200_000))
    units = np.zeros(len(keys), np.int64)
    for n, p in ((1, 0.3), (12, 0.05), (400, 0.02), (900, 0.6), (5, 0.9)):
        u = lockstep.uniforms(keys, 3, lockstep.SITE_HIT, units, 15)
        draws = lockstep.binomial(u, np.full(len(keys), n), np.full(len(keys), p))
        assert draws.min() >= 0 and draws.max() <= n
        mean, var = n * p, n * p * (1 - p)
        assert abs(draws.mean() - mean) < 5 * np.sqrt(var / len(keys))
        assert abs(draws.var() / var - 1) < 0.03
    ones = np.ones(3)
    assert lockstep.binomial(
        ones * 0.5, np.array([0, 7, 7]), np.array([0.5, 0.0, 1.0])
    ).tolist() == [0, 0, 7]


def test_uniforms_depend_on_the_battle_and_the_draw_not_on_the_batch():
    keys = lockstep.battle_keys(np.arange(10))
    units = np.arange(10)
    whole = lockstep.uniforms(keys, 2, lockstep.SITE_KILLED, units, 15)
    part = lockstep.uniforms(keys[3:5], 2, lockstep.SITE_KILLED, units[3:5], 15)
    assert np.array_equal(whole[3:5], part)
    other_site = lockstep.uniforms(keys, 2, lockstep.SITE_LEADER, units, 15)
    assert not np.array_equal(whole, other_site)
    assert ((whole >= 0) & (whole < 1)).all()
