"""The dice (engine/core/dice.py): Philox4x64-10 word for word as numpy's, draws keyed by their
place and nothing else, and binomials by inversion that have the binomial's distribution."""

from __future__ import annotations

import copy as copy_module
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import dice as dice_module
from engine.core.dice import (
    DROWN,
    MASK64,
    Dice,
    binomial,
    has_room,
    next_occurrence,
    normal_quantile,
    philox4x64,
    philox_block,
    philox_rounds,
    u64,
    uniform_at,
    unit_interval,
)
from engine.headless import play
from engine.kernels import jit
from engine.rules import arrivals, assault, bombardment, fire, movement
from engine.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("counter", "key"),
    [
        ((1, 0, 0, 0), (0, 0)),
        ((1, 3, 5, 0), (12345, 0)),
        ((7, (9 << 32) | 4, 11, 2 << 16), (2**63 + 17, 99)),
        ((MASK64, MASK64, MASK64, MASK64), (MASK64, MASK64)),
    ],
)
def test_philox_words_are_numpys(counter, key) -> None:
    """numpy's Philox adds one to its counter before each block: its counter c - 1 gives the
    words of our counter c."""
    c0, c1, c2, c3 = counter
    numpy_counter = np.array([(c0 - 1) & MASK64, c1, c2, c3], dtype=np.uint64)
    if c0 == 0:  # (not used above: the carry would run into c1)
        pytest.skip("carry")
    words = np.random.Philox(key=np.array(key, np.uint64), counter=numpy_counter).random_raw(4)
    assert philox4x64(*counter, *key) == tuple(int(w) for w in words)


def test_unit_interval_is_open() -> None:
    assert unit_interval(0) == 0.5 * 2.0**-53
    assert unit_interval(MASK64) == 1.0 - 0.5 * 2.0**-53


def test_a_draw_depends_only_on_its_place() -> None:
    """Asked in any order, alone or after other draws, a place gives the same number; a second
    draw at the same place in the same turn is a new one; a new turn starts the count again."""
    a, b = Dice(42), Dice(42)
    first = a.at(3, 5, 2).random()
    for site in range(1, 12):  # other draws first, on the second dice
        b.at(3, site, 7).random()
    assert b.at(3, 5, 2).random() == first
    assert a.at(3, 5, 2).random() != first  # the same place again in turn 3: a new draw
    assert a.at(4, 5, 2).random() != first
    a.at(5, 1)  # a new turn
    assert Dice(42).at(3, 5, 2).random() == first
    assert Dice(43).at(3, 5, 2).random() != first


def test_a_stream_goes_on_past_four_draws() -> None:
    stream = Dice(1).at(1, 1)
    values = [stream.random() for _ in range(9)]
    assert len(set(values)) == 9
    assert all(0.0 < v < 1.0 for v in values)


def test_binomial_edges() -> None:
    assert binomial(0, 0.5, 0.3) == 0
    assert binomial(10, 0.0, 0.3) == 0
    assert binomial(10, 1.0, 0.3) == 10
    assert binomial(10, 0.5, 1e-12) == 0
    assert binomial(10, 0.5, 1 - 1e-12) == 10
    # inversion: P(X <= 0) = 0.9^3 = 0.729 for Binomial(3, 0.1)
    assert binomial(3, 0.1, 0.728) == 0
    assert binomial(3, 0.1, 0.730) == 1


def _cdf(n: int, p: float, k: int) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 400),
    p=st.floats(0.001, 0.999),
    u=st.floats(1e-9, 1 - 1e-9),
)
def test_binomial_is_the_inverse_of_the_distribution(n: int, p: float, u: float) -> None:
    """The draw is the least k with P(X <= k) > u (within rounding at the boundary)."""
    k = binomial(n, p, u)
    assert 0 <= k <= n
    tolerance = 1e-9
    assert _cdf(n, p, k) > u - tolerance
    if k > 0:
        assert _cdf(n, p, k - 1) <= u + tolerance


@pytest.mark.parametrize(("n", "p"), [(50, 0.1), (1000, 0.2), (5000, 0.7), (20, 0.9)])
def test_binomial_draws_have_the_binomial_mean_and_spread(n: int, p: float) -> None:
    dice = Dice(7)
    draws = np.array([dice.at(1, 1, k).binomial(n, p) for k in range(4000)])
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    assert abs(draws.mean() - mean) < 4 * sd / math.sqrt(len(draws))
    assert abs(draws.std() / sd - 1) < 0.06


def test_a_setup_draw_asked_late_neither_resets_nor_repeats_the_turns_draws() -> None:
    """A draw for turn 0 (a game's setup) asked during turn 5 is counted apart: the turn's
    second draw at a place stays its second, and the setup draw asked again is a new one."""
    dice = Dice(11)
    first = dice.at(5, 7, 1).random()
    setup = dice.at(0, 1, 3).random()
    second = dice.at(5, 7, 1).random()
    assert second != first
    fresh = Dice(11)
    fresh.at(5, 7, 1)
    assert fresh.at(5, 7, 1).random() == second  # as if the setup draw had not come between
    assert Dice(11).at(0, 1, 3).random() == setup
    assert dice.at(0, 1, 3).random() != setup
    with pytest.raises(ValueError):
        dice.at(5, 7, -1)


class DictDice:
    """The dice's bookkeeping as a dict per place, as `Dice` kept it before its table (issue 15,
    stage 4), kept here as the reference the table must equal: the occurrence of each draw and
    the fingerprint."""

    def __init__(self, seed: int) -> None:
        self.seed, self.turn = seed, -1
        self.uses: dict[tuple[int, int, int], int] = {}
        self.earlier: dict[tuple[int, int, int, int], int] = {}

    def draw_place(self, turn: int, site: int, a: int = 0, b: int = 0) -> tuple:
        if a < 0 or b < 0 or turn < 0:
            raise ValueError(f"a draw's place is counted from 0: turn {turn}, a {a}, b {b}")
        if turn >= self.turn:
            if turn > self.turn:
                self.turn = turn
                self.uses = {}
            place = (site, a, b)
            occurrence = self.uses.get(place, 0)
            self.uses[place] = occurrence + 1
        else:
            past = (turn, site, a, b)
            occurrence = self.earlier.get(past, 0)
            self.earlier[past] = occurrence + 1
        return (turn, site, a, b, occurrence)

    def fingerprint(self) -> tuple:
        now = (self.seed, self.turn, tuple(sorted(self.uses.items())))
        return (*now, tuple(sorted(self.earlier.items()))) if self.earlier else now


# a few draws in a row: made by Python (`draw_place`) or by one kernel call (`room` first)
RUNS = st.lists(
    st.tuples(
        st.booleans(),  # by a kernel
        st.sampled_from([0, 3, 4, 5]),  # turn
        st.lists(st.tuples(st.sampled_from([4, 5, 6]), st.integers(0, 3), st.integers(0, 2))),
    ),
    max_size=8,
)


@given(runs=RUNS)
@settings(max_examples=80, deadline=None)
def test_a_kernel_numbers_its_draws_as_the_dice_do(runs) -> None:
    """A kernel numbering its draws in the dice's table (`room`, `next_occurrence`) gives each
    draw the occurrence the dict the dice kept before gave it: after the turn's draws made by
    Python and by other kernels, afresh from the first draw of a later turn; the dice's
    fingerprint is the dict's. A kernel asked to draw on an earlier turn is refused (only
    Python draws there: a game's setup)."""
    reference, dice = DictDice(5), Dice(5)
    dice.draw_place(3, 1)  # the dice are at turn 3
    reference.draw_place(3, 1)
    for by_kernel, turn, places in runs:
        expected = [reference.draw_place(turn, site, a, b)[4] for site, a, b in places]
        if not by_kernel:
            numbered = [dice.draw_place(turn, site, a, b)[4] for site, a, b in places]
        elif turn < dice.turn:
            with pytest.raises(ValueError):
                dice.room(turn, len(places))
            numbered = [dice.draw_place(turn, site, a, b)[4] for site, a, b in places]
        else:
            table, head = dice.room(turn, len(places))
            numbered = [int(next_occurrence(table, head, turn, *place)) for place in places]
        assert numbered == expected
        assert dice.fingerprint() == reference.fingerprint()
        assert dice.uses == reference.uses


def test_the_table_grows_and_keeps_its_rows() -> None:
    """The table doubles as room is asked for, keeping the turn's rows (a grown table is a new
    array), numbers a place's draws 0, 1, 2... in the order they come, and empties at the first
    draw of a later turn: asking for room on a later turn counts nothing, so the fingerprint
    still says the turn drawn last; a deep copy has a table of its own."""
    dice = Dice(9)
    first, head = dice.room(2, 10)
    assert len(first) == 64 and head.tolist() == [0, -1]
    for a in range(50):
        dice.draw_place(2, 3, a)
    table, head = dice.room(2, 100)
    assert table is dice.table and table is not first
    assert len(table) == 256  # 64 doubled until 150 rows fit
    for a in range(0, 50, 2):
        assert next_occurrence(table, head, 2, 3, a, 0) == 1
        assert next_occurrence(table, head, 2, 3, a, 0) == 2
    assert head.tolist() == [100, 2]
    assert table[:50, :].tolist() == [[3, a, 0, 0] for a in range(50)]
    assert table[50:54].tolist() == [[3, 0, 0, 1], [3, 0, 0, 2], [3, 2, 0, 1], [3, 2, 0, 2]]
    assert [dice.drawn(2, 3, a) for a in range(4)] == [3, 1, 3, 1]
    copy = copy_module.deepcopy(dice)
    before = dice.fingerprint()
    assert copy.fingerprint() == before
    assert before[:2] == (9, 2) and dict(before[2])[(3, 0, 0)] == 3
    dice.room(3, 5)  # a kernel that draws nothing on turn 3
    assert dice.fingerprint() == before and dice.turn == 2
    dice.draw_place(3, 8, 1)
    assert dice.turn == 3 and dice.head.tolist() == [1, 3] and len(dice.table) == 256
    assert dice.fingerprint() == (9, 3, (((8, 1, 0), 1),))
    assert copy.fingerprint() == before  # the copy's table is its own
    assert copy.draw_place(2, 3, 0)[4] == 3
    with pytest.raises(ValueError):
        next_occurrence(*dice.room(3, 1), 3, DROWN, 4, -1)  # a lake: no river, no place
    table, head = Dice(9).room(1, 64)
    for a in range(64):
        next_occurrence(table, head, 1, 3, a, 0)
    with pytest.raises(IndexError):  # past the room asked for, and the table's end
        next_occurrence(table, head, 1, 3, 64, 0)


def test_a_kernel_is_told_when_the_table_is_full() -> None:
    """`has_room` says whether the table holds the rows without growing, as a drawing kernel
    asks before it draws: counting the turn's rows, none for a later turn (the table empties
    at its first draw), never for an earlier one (`Dice.room` refuses that); after `Dice.room`
    grew it for those rows, there is room."""
    dice = Dice(4)
    assert has_room(dice.table, dice.head, 1, 64) and not has_room(dice.table, dice.head, 1, 65)
    for a in range(60):
        dice.draw_place(1, 3, a)
    assert has_room(dice.table, dice.head, 1, 4) and not has_room(dice.table, dice.head, 1, 5)
    assert has_room(dice.table, dice.head, 2, 64)  # a later turn starts the table empty
    assert not has_room(dice.table, dice.head, 0, 1)  # an earlier turn: refused by `room`
    with pytest.raises(ValueError):
        dice.room(0, 1)
    table, head = dice.room(1, 5)
    assert len(table) == 128 and has_room(table, head, 1, 5)


def test_the_table_counts_a_played_battle_as_the_dict_did() -> None:
    """A Furong battle, every draw of it (the kernels' and Python's) numbered by the table
    and by the dict the dice kept before: the same occurrences, and the same fingerprint at
    every turn's end (the state's hash reads it)."""
    if jit.compiling():
        pytest.skip("follows the kernels' draws by patching them: plain Python only")
    reference = DictDice(0)
    numbered: list[tuple[int, int]] = []

    def following(kernel):
        def numbering(table, head, turn, site, a, b):
            occurrence = kernel(table, head, turn, site, a, b)
            place = reference.draw_place(int(turn), int(site), int(a), int(b))
            numbered.append((int(occurrence), place[4]))
            return occurrence

        return numbering

    drawn_by_python = Dice.draw_place

    def draw_place(self, turn, site, a=0, b=0):
        earlier = turn < self.turn  # counted apart (`earlier`): no kernel numbers it
        place = drawn_by_python(self, turn, site, a, b)
        if earlier:
            numbered.append((place[4], reference.draw_place(turn, site, a, b)[4]))
        return place

    fingerprints = []

    def on_turn(state, events) -> None:
        reference.seed = state.dice.seed
        fingerprints.append((state.dice.fingerprint(), reference.fingerprint()))

    scenario = load_scenario(ROOT / "scenarios" / "furong_mountain.yaml").scenario
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Dice, "draw_place", draw_place)
        for module in (dice_module, fire, assault, arrivals, bombardment, movement):
            patch.setattr(module, "next_occurrence", following(module.next_occurrence))
        play(scenario, 3, keep_events=False, detail_events=False, on_turn=on_turn)
    assert len(numbered) > 300 and len(fingerprints) > 10
    assert [mine for mine, _ in numbered] == [theirs for _, theirs in numbered]
    assert [mine for mine, _ in fingerprints] == [theirs for _, theirs in fingerprints]


@given(
    seed=st.integers(0, 2**128 - 1),
    turn=st.integers(0, 500),
    site=st.integers(1, 11),
    a=st.integers(0, 5000),
    b=st.integers(0, 5000),
    repeats=st.integers(1, 3),
)
@settings(max_examples=60, deadline=None)
def test_the_kernels_uniforms_are_the_streams(seed, turn, site, a, b, repeats) -> None:
    """`uniform_at` (what a kernel draws) gives a place's uniforms in the order `Stream.random`
    does, at every occurrence and across blocks; `philox_block` is `philox_rounds`."""
    dice, kernel_dice = Dice(seed), Dice(seed)
    for _ in range(repeats):
        stream = dice.at(turn, site, a, b)
        place = kernel_dice.draw_place(turn, site, a, b)
        assert place == stream.place
        drawn = [stream.random() for _ in range(9)]
        assert drawn == [uniform_at(dice.key_words, place, k) for k in range(9)]
    assert dice.fingerprint() == kernel_dice.fingerprint()
    counter = (turn, site << 32 | a, b, 7)
    expected = philox_rounds(*counter, dice.key)
    words = philox_block(dice.key_words, *map(u64, counter))  # (uint64 words when compiled)
    assert tuple(map(int, words)) == expected
    if not jit.compiling():  # the kernel's own source (what compiles, and is checked compiled
        # above when the process compiles), run as plain Python on Python's integers
        source = next(f for f in jit.KERNELS if f.__name__ == "philox_block")
        assert source(np.array(dice.key, dtype=object), *counter) == expected


@pytest.mark.parametrize("drawn_first", [0, 1, 3, 4, 5, 8])
@pytest.mark.parametrize("skipped", [0, 1, 2, 3, 4, 7])
def test_a_stream_skips_what_a_kernel_drew(drawn_first: int, skipped: int) -> None:
    whole = Dice(5).at(2, 3, 1)
    expected = [whole.random() for _ in range(drawn_first + skipped + 6)]
    stream = Dice(5).at(2, 3, 1)
    assert [stream.random() for _ in range(drawn_first)] == expected[:drawn_first]
    stream.skip(skipped)
    assert stream.taken == drawn_first + skipped
    assert [stream.random() for _ in range(6)] == expected[drawn_first + skipped :]


def test_drawn_is_the_occurrence_the_next_draw_at_a_place_gets() -> None:
    """`Dice.drawn` tells where a place's draws have got to without counting one: the
    occurrence `draw_place` then gives, in the turn being played, a later one (counted
    afresh) and an earlier one (counted apart)."""
    dice = Dice(5)
    for a, b in ((1, 0), (1, 0), (2, 1)):
        dice.draw_place(3, 7, a, b)
    before = dice.fingerprint()
    assert [dice.drawn(3, 7, a) for a in range(4)] == [0, 2, 0, 0]
    assert dice.drawn(3, 7, 2, 1) == 1
    assert dice.fingerprint() == before  # nothing counted
    assert [dice.draw_place(3, 7, a)[4] for a in range(4)] == [0, 2, 0, 0]
    assert [dice.drawn(3, 7, a) for a in range(2)] == [1, 3]
    assert dice.drawn(4, 7, 0) == 0
    dice.draw_place(4, 7, 0)
    dice.draw_place(0, 7, 1)
    assert [dice.drawn(0, 7, a) for a in range(2)] == [0, 1]
    assert [dice.drawn(4, 7, a) for a in range(2)] == [1, 0]


def quantile_uniforms() -> list[float]:
    """Uniforms the dice can give, for the normal's inverse: a seeded sample of words, the
    smallest and the largest words (the far tails, AS241's third branch), and the edges of its
    central branch (|u - 0.5| = 0.425)."""
    rng = np.random.default_rng(241)
    words = rng.integers(0, 2**64 - 1, 200_000, dtype=np.uint64, endpoint=True).tolist()
    words += list(range(3000)) + [2**64 - 2049 - k * 2048 for k in range(3000)]
    uniforms = [unit_interval(w) for w in words]
    for edge in (0.075, 0.925):
        uniforms += [edge, math.nextafter(edge, 0.0), math.nextafter(edge, 1.0)]
    # (the top 2048 words give 1.0, not under it: k + 0.5 rounds to even above 2**52, so
    # unit_interval's half step is lost there; no inverse at 1, NormalDist's nor AS241's)
    return [x for x in uniforms if x < 1.0]


def test_normal_quantile_is_normaldist_inv_cdf() -> None:
    """The kernel's inverse normal is the very float NormalDist().inv_cdf gives (CPython's C
    `_normal_dist_inv_cdf`), so the breaking points drawn with it are those drawn before."""
    inv_cdf = NormalDist().inv_cdf
    uniforms = quantile_uniforms()
    assert len(uniforms) > 200_000
    assert [normal_quantile(x) for x in uniforms] == [inv_cdf(x) for x in uniforms]
