"""`battle_seeds` (a chunk's seeds made together) gives `battle_seed`'s numbers, numpy's
SeedSequence children, for batch seeds and battle indexes of every size."""

from __future__ import annotations

import random

import pytest

from engine.sim.seeds import battle_seed, battle_seeds

RANDOM = random.Random(7)
BASES = [0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 + 5, 2**127, 2**128 + 3, 2**200 - 1]
BASES += [RANDOM.getrandbits(RANDOM.choice([8, 31, 32, 33, 64, 100, 129])) for _ in range(40)]


@pytest.mark.parametrize("base", BASES)
def test_a_chunks_seeds_are_each_battles_own(base: int) -> None:
    indexes = [*range(40), 2**31, 2**32 - 1, 2**32, 2**40 + 3, 7]
    indexes += [RANDOM.getrandbits(RANDOM.choice([10, 20, 32, 33, 64])) for _ in range(40)]
    assert battle_seeds(base, indexes) == [battle_seed(base, index) for index in indexes]


def test_no_battles_no_seeds_and_negative_numbers_refused() -> None:
    assert battle_seeds(5, []) == []
    with pytest.raises(ValueError):
        battle_seeds(-1, [0])
    with pytest.raises(ValueError):
        battle_seeds(0, [3, -1])
