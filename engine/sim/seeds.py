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
