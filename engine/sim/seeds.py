"""Each battle's seed comes from the batch seed and the battle's index alone.

`numpy.random.SeedSequence(batch_seed, spawn_key=(index,))` is the child that
`SeedSequence(batch_seed).spawn(...)` would give for that index, computed directly, so a battle's
seed never depends on chunk size, worker count, the order battles finish in, or on a resume. The
seed is a 63-bit integer, so it fits Parquet's int64 and `wargame run --seed` takes it as is.

Every arm (variant or sweep point) of a batch uses the same seeds for the same indexes: differences
between arms are then due to the change, not to different dice (common random numbers), and the
report can pair battle i of a variant with battle i of the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np


def battle_seed(batch_seed: int, index: int) -> int:
    """The seed of battle `index` of a batch seeded with `batch_seed` (both >= 0)."""
    if batch_seed < 0 or index < 0:
        raise ValueError("batch seed and battle index must be >= 0")
    return keyed_seed(batch_seed, index)


def keyed_seed(base: int, *path: int) -> int:
    """A game's seed from a base seed and the path that names the game (e.g. a battle's number
    and the replicate), as numpy's SeedSequence child at that path: a 63-bit integer.

    Why games that are meant to be independent need seeds of their own: the dice are keyed by
    the seed and the place of each draw (core/dice.py), so two games played with the same seed
    draw the same numbers at the same places. Two generic battles built the same way (the
    reference bench's CDB90 battles, a fit's) would then share their luck, and figures that
    treat them as independent would be far noisier than they say. Common seeds are right only
    where the comparison is paired (a batch's arms, the bench's turn lengths)."""
    if base < 0 or any(k < 0 for k in path):
        raise ValueError("seeds and their path must be >= 0")
    sequence = np.random.SeedSequence(base, spawn_key=tuple(path))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def keyed_seeds(base: int, count: int, *path: int) -> tuple[int, ...]:
    """`count` replicates of the game named by `path`: `keyed_seed(base, *path, k)` for each k
    (one battle's own seeds in the reference bench and in a fit)."""
    return tuple(keyed_seed(base, *path, k) for k in range(count))


# numpy's SeedSequence, as numpy/random/bit_generator.pyx computes it (32-bit words throughout):
# the hash constants of its entropy mixing and of its output, and the pool's size
_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _SHIFT, _POOL = 0xCA01F9DD, 0x4973F715, 16, 4


def battle_seeds(batch_seed: int, indexes: Sequence[int]) -> list[int]:
    """`battle_seed` of each of `indexes`, the same numbers, made together (a chunk's): the
    SeedSequence's mixing of the batch seed is the same for every battle, so it is done once,
    and the battles' own words are mixed in as arrays. Why: numpy makes a SeedSequence object
    a battle, about 10 µs each, a tenth of what a batch worker spends on a battle beside the
    battle itself (tests/test_batch_seeds.py holds the two equal)."""
    if batch_seed < 0 or any(index < 0 for index in indexes):
        raise ValueError("batch seed and battle index must be >= 0")
    if not indexes:
        return []
    pool, constant = _mixed_pool(batch_seed)
    small = np.array([index for index in indexes if index <= _MASK], np.uint32)
    # the battles whose index is one word, mixed in together (numpy wraps uint32 as C does)
    words = [np.full(len(small), word, np.uint32) for word in pool]
    for destination in range(_POOL):
        hashed = small ^ np.uint32(constant)
        constant = constant * _MULT_A & _MASK
        hashed *= np.uint32(constant)
        hashed ^= hashed >> np.uint32(_SHIFT)
        mixed = np.uint32(_MIX_L) * words[destination] - np.uint32(_MIX_R) * hashed
        words[destination] = mixed ^ (mixed >> np.uint32(_SHIFT))
    halves = []
    constant = _INIT_B
    for half in range(2):
        value = words[half] ^ np.uint32(constant)
        constant = constant * _MULT_B & _MASK
        value *= np.uint32(constant)
        halves.append(value ^ (value >> np.uint32(_SHIFT)))
    joined = (halves[0].astype(np.uint64) | halves[1].astype(np.uint64) << np.uint64(32)) >> 1
    made = iter(joined.tolist())
    return [next(made) if index <= _MASK else battle_seed(batch_seed, index) for index in indexes]


@lru_cache(maxsize=16)
def _mixed_pool(base: int) -> tuple[tuple[int, ...], int]:
    """SeedSequence's pool after the words of `base` (padded to the pool's size, as numpy pads
    them when a spawn key follows), and its hash constant then: what every battle shares."""
    run = []
    rest = base
    while True:
        run.append(rest & _MASK)
        rest >>= 32
        if not rest:
            break
    run += [0] * (_POOL - len(run))
    constant = _INIT_A

    def hashed(value: int) -> int:
        nonlocal constant
        value ^= constant
        constant = constant * _MULT_A & _MASK
        value = value * constant & _MASK
        return value ^ (value >> _SHIFT)

    def mix(x: int, y: int) -> int:
        result = (_MIX_L * x - _MIX_R * y) & _MASK
        return result ^ (result >> _SHIFT)

    pool = [hashed(run[i]) for i in range(_POOL)]
    for source in range(_POOL):
        for destination in range(_POOL):
            if source != destination:
                pool[destination] = mix(pool[destination], hashed(pool[source]))
    for word in run[_POOL:]:
        for destination in range(_POOL):
            pool[destination] = mix(pool[destination], hashed(word))
    return tuple(pool), constant
