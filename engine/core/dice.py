"""A battle's random draws from counter-based streams: each draw is a pure function of the
battle's seed and of where it is drawn: (turn, draw site, unit, ...).

Why counter-based: a battle's dice must not depend on which other battles ran beside it, in
what order, in which process or how many at once, nor on how many draws some other rule step
made before this one. A sequential generator (one stream per battle, drawn in turn order)
already gives the first; keying every draw by its place gives the rest, and it is what a
batch that advances many battles together, or a compiled loop, can compute directly: the
draw for (seed, turn, site, unit) is the same number wherever and whenever it is asked for.

The generator is Philox4x64-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC 2011), the one numpy ships as `numpy.random.Philox`: the battle's seed is its 128-bit key,
and the 256-bit counter is (turn, site << 32 | a, b, occurrence << 16 | block). One counter
gives four 64-bit words, four uniforms; a stream that needs more goes on to the next block.
`tests/test_dice.py` checks the words against numpy's Philox.

Occurrence: a draw at the same (turn, site, a, b) a second time in the turn (an assault's
second step on the same unit, a preview's second try) gets the next occurrence, so it is a new
draw and not the same one again.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from ..kernels.jit import compiling, kernel

# The dice's name in replay logs and saves: a log made with other dice replays as another battle,
# so it is refused by name rather than found to differ at some turn.
DICE = "philox4x64-10-keyed-1"
MASK64 = 0xFFFF_FFFF_FFFF_FFFF
# Philox4x64's round multipliers and Weyl key increments (Salmon et al. 2011, table 2; numpy's
# philox.h).
_M0 = 0xD2E7_470E_E14C_6C93
_M1 = 0xCA5A_8263_9512_1157
_W0 = 0x9E37_79B9_7F4A_7C15
_W1 = 0xBB67_AE85_84CA_A73B
_TO_UNIT = 2.0**-53
_NORMAL = NormalDist()

# Draw sites: the places in the rules that draw. Their numbers are part of every battle's
# dice: renumbering one changes every game (and the goldens).
SETUP_BREAK_POINT = 1  # a unit's breaking point, once per game (turn 0)
SETUP_ARRIVAL_WINDOW = 2  # when in its window a reinforcement comes (turn 0)
DIRECT_FIRE = 3  # a firer's shot: hit, then killed/wounded, officers, leader of its target
BOMBARD_LANDED = 4  # a gun unit's rounds on target
BOMBARD_HIT = 5  # a gun unit's rounds on one unit in the target hex
AIR_STRIKE = 6  # one sortie group on one unit
ASSAULT = 7  # one unit's losses in one step of an assault
MOVE_STEP = 8  # whether a unit short of the time to enter a hex gets in this turn
MINES = 9  # a unit entering a minefield hex
DROWN = 10  # a unit's men lost in the water
TRAPPED = 11  # a trapped routed unit: men slipping away, lost, surrendering


KeySchedule = tuple[tuple[int, int], ...]


def key_schedule(k0: int, k1: int) -> KeySchedule:
    """The key of each of Philox's ten rounds (the key bumped by the Weyl constants each round):
    worked out once per battle rather than in every draw."""
    return tuple(((k0 + r * _W0) & MASK64, (k1 + r * _W1) & MASK64) for r in range(10))


def philox_rounds(c0: int, c1: int, c2: int, c3: int, keys: KeySchedule) -> tuple[int, ...]:
    """Philox4x64-10's ten rounds on counter (c0..c3) with the round keys `keys`. Pure integer
    arithmetic, so it runs as it is in the interpreter and can be compiled."""
    for k0, k1 in keys:
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (p1 >> 64) ^ c1 ^ k0, p1 & MASK64, (p0 >> 64) ^ c3 ^ k1, p0 & MASK64
    return c0, c1, c2, c3


def philox4x64(c0: int, c1: int, c2: int, c3: int, k0: int, k1: int) -> tuple[int, ...]:
    """The four 64-bit words Philox4x64-10 gives for counter (c0..c3) and key (k0, k1)."""
    return philox_rounds(c0, c1, c2, c3, key_schedule(k0, k1))


# The kernels' 64-bit words: numpy's uint64 where the process compiles (numba types a bare
# literal above 2**63 as a float, and mixing signed with unsigned 64-bit integers gives floats
# too), Python's int where it interprets (a bigint is five times quicker than numpy's scalars).
# One source serves both: only what `u64` and the constants below are differs.
u64 = np.uint64 if compiling() else int
_LOW32 = u64(0xFFFF_FFFF)
_SHIFT11, _SHIFT16, _SHIFT32 = u64(11), u64(16), u64(32)
_M0_WORD, _M1_WORD = u64(_M0), u64(_M1)


@kernel(borrows=True)
def mulhilo(a, b):
    """(high, low) 64-bit words of the 128-bit product a * b, from 32-bit halves: no
    intermediate sum passes 64 bits, so it is exact in uint64 arithmetic and in Python's."""
    a_lo, a_hi = a & _LOW32, a >> _SHIFT32
    b_lo, b_hi = b & _LOW32, b >> _SHIFT32
    ll, lh, hl = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo
    mid = (ll >> _SHIFT32) + (lh & _LOW32) + (hl & _LOW32)
    high = a_hi * b_hi + (lh >> _SHIFT32) + (hl >> _SHIFT32) + (mid >> _SHIFT32)
    return high, (ll & _LOW32) | ((mid & _LOW32) << _SHIFT32)


def _philox_block_interpreted(keys, c0, c1, c2, c3):
    """`philox_block` where the process interprets: Python's big integers, `keys` the key
    schedule itself (`Dice.key_words`)."""
    return philox_rounds(c0, c1, c2, c3, keys)


@kernel(interpreted=_philox_block_interpreted, borrows=True)
def philox_block(keys, c0, c1, c2, c3):
    """`philox_rounds` as a kernel: the four words of counter (c0..c3) under the round keys
    `keys` (`Dice.key_words`: ten rows of two words). The words must be `u64` (compiled, an
    int64 would mix signed and unsigned arithmetic and give other words)."""
    for r in range(10):
        high0, low0 = mulhilo(_M0_WORD, c0)
        high1, low1 = mulhilo(_M1_WORD, c2)
        c0, c1, c2, c3 = high1 ^ c1 ^ keys[r, 0], low1, high0 ^ c3 ^ keys[r, 1], low0
    return c0, c1, c2, c3


@kernel(borrows=True)
def uniform_at(keys, place, k):
    """The k-th uniform (from 0) of the draw place `place` = (turn, site, a, b, occurrence):
    what the k-th `Stream.random()` of `Dice.at(turn, site, a, b)` at that occurrence gives. A
    kernel that draws counts its own k, in the order the Python it replaces drew."""
    turn, site, a, b, occurrence = place
    words = philox_block(
        keys,
        u64(turn),
        (u64(site) << _SHIFT32) | u64(a),
        u64(b),
        (u64(occurrence) << _SHIFT16) | u64(k // 4),
    )
    return ((words[k % 4] >> _SHIFT11) + 0.5) * _TO_UNIT


# The dice's table of the turn's draws (`Dice.table`): a row per draw, (site, a, b, occurrence),
# in the order they were drawn; `Dice.head` says how many rows are filled and of which turn.
FILLED = 0  # head[FILLED]: the rows of the table filled
TABLE_TURN = 1  # head[TABLE_TURN]: the turn they were drawn on (-1 before any draw)
TABLE_ROWS = 64  # a new table's rows (a Furong turn draws 12 times on average, 68 at most seen)


@kernel(borrows=True)
def times_drawn(table, filled, site, a, b):
    """How many times the place (site, a, b) is drawn in the first `filled` rows of `table`
    (rows (site, a, b, occurrence)): one more than its last row's occurrence, 0 for a place not
    drawn. A scan back from the last row: a turn draws a few dozen times, and the places a
    kernel draws twice (an assault's steps) were drawn last."""
    for r in range(filled - 1, -1, -1):
        if table[r, 0] == site and table[r, 1] == a and table[r, 2] == b:
            return table[r, 3] + 1
    return 0


@kernel(borrows=True)
def next_occurrence(table, head, turn, site, a, b):
    """Note a draw on `turn` at (site, a, b) in the dice's table (`Dice.room`: `table` and
    `head`) and return its occurrence: the times the place was drawn this turn before. The
    first draw of a later turn than the table's empties the table first (the earlier turn's
    draws cannot be asked again). The caller made room (`Dice.room`) for the row, and `turn`
    is not before the table's (`Dice.room` checks it). A place is whole numbers from 0 (words
    of the counter): a negative one is refused, as `Dice.draw_place` refuses it (movement
    draws a lake's drowning at `LAKE`, not at its river -1); so is a draw past the table's end
    (compiled code would write past it unseen)."""
    if a < 0 or b < 0:
        raise ValueError("a draw's place is counted from 0")
    if turn > head[TABLE_TURN]:
        head[FILLED] = 0
        head[TABLE_TURN] = turn
    filled = head[FILLED]
    if filled >= len(table):
        raise IndexError("the dice's table is full: its wrapper asked `Dice.room` for too few rows")
    occurrence = times_drawn(table, filled, site, a, b)
    table[filled, 0] = site
    table[filled, 1] = a
    table[filled, 2] = b
    table[filled, 3] = occurrence
    head[FILLED] = filled + 1
    return occurrence


@kernel(borrows=True)
def has_room(table, head, turn, rows):
    """Whether the dice's table (`table`, `head`) holds `rows` more draws on `turn` without
    growing: what a kernel that draws asks before it changes anything, returning its "table
    full" status when not, so that its wrapper grows the table (`Dice.room`) and calls it again
    (nothing drawn yet: the retry draws the same). A turn later than the table's starts it
    empty (`next_occurrence`); one before it is never room (`Dice.room` refuses it).

    Why: the wrappers asked `Dice.room` before every call, a Python call each phase of each
    turn; the table grows a few times a game, so the kernel asks and Python acts only then."""
    if turn < head[TABLE_TURN]:
        return False
    filled = head[FILLED] if turn == head[TABLE_TURN] else 0
    return filled + rows <= table.shape[0]


def unit_interval(word: int) -> float:
    """A 64-bit word as a uniform in the open interval (0, 1): its top 53 bits, plus half a step,
    so that neither 0 nor 1 comes out (a normal's inverse and `1 - u` stay finite)."""
    return ((word >> 11) + 0.5) * _TO_UNIT


@kernel(borrows=True)
def binomial(n: int, p: float, u: float) -> int:
    """Binomial(n, p) by inversion of one uniform `u`: the least k with P(X <= k) > u. One
    uniform per draw (not a variable number, as numpy's BTPE takes) keeps every draw at its
    own counter. Exact up to floating-point rounding of the probabilities. A kernel
    (engine/kernels): plain Python, or compiled with `WARGAME_JIT=1`, the same numbers."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:  # count the failures: the walk stays short
        return n - _binomial_to_half(n, 1.0 - p, 1.0 - u)
    return _binomial_to_half(n, p, u)


@kernel(borrows=True)
def _binomial_to_half(n: int, p: float, u: float) -> int:
    """`binomial` for 0 < p <= 0.5."""
    q = 1.0 - p
    mean = n * p
    if mean < 30.0:
        return _walk_up(n, p, q, u, 0, q**n, 0.0)
    # Far from 0: start at the mode, where the probability is largest, and walk from there.
    m = int((n + 1) * p)
    at_mode = math.exp(
        math.lgamma(n + 1.0)
        - math.lgamma(m + 1.0)
        - math.lgamma(n - m + 1.0)
        + m * math.log(p)
        + (n - m) * math.log(q)
    )
    below = 0.0  # P(X < m), summed downward from the mode until the terms vanish
    f, k = at_mode, m
    while k > 0:
        f *= k * q / ((n - k + 1) * p)
        k -= 1
        below += f
        if f < 1e-17 * below:
            break
    if u < below:  # walk down from the mode
        cdf, f, k = below, at_mode, m
        while k > 0:
            f *= k * q / ((n - k + 1) * p)
            k -= 1
            cdf -= f
            if u >= cdf:
                return k
        return 0
    return _walk_up(n, p, q, u, m, at_mode, below)


@kernel(borrows=True)
def _walk_up(n: int, p: float, q: float, u: float, k: int, f: float, below: float) -> int:
    """From k, whose probability is f and P(X < k) = below, up to the k where the
    distribution passes u. Stops where the remaining tail cannot matter (rounding can leave
    the summed distribution a hair under 1)."""
    cdf = below + f
    ratio = p / q
    mean = n * p
    while u >= cdf and k < n:
        f *= ratio * (n - k) / (k + 1)
        k += 1
        cdf += f
        if k > mean and f < 1e-300:
            break
    return k


@kernel(borrows=True)
def normal_quantile(u):
    """The standard normal's inverse distribution at `u` in (0, 1): a normal from one uniform,
    for kernels. Wichura's AS241 (Applied Statistics 37 (3), 1988: 477-484) written as Python's
    `statistics.NormalDist().inv_cdf` computes it (CPython's `_normal_dist_inv_cdf`, mean 0 and
    spread 1), operation for operation, so it gives the very floats `normal` gives
    (tests/test_dice.py holds it to NormalDist over a million uniforms, tests/test_kernels.py
    compiled to interpreted). Why not NormalDist itself: a compiled kernel cannot call it."""
    q = u - 0.5
    if math.fabs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (((((((2.5090809287301226727e3 * r +
                     3.3430575583588128105e4) * r +
                     6.7265770927008700853e4) * r +
                     4.5921953931549871457e4) * r +
                     1.3731693765509461125e4) * r +
                     1.9715909503065514427e3) * r +
                     1.3314166789178437745e2) * r +
                     3.3871328727963666080e0) * q  # fmt: skip
        den = (((((((5.2264952788528545610e3 * r +
                     2.8729085735721942674e4) * r +
                     3.9307895800092710610e4) * r +
                     2.1213794301586595867e4) * r +
                     5.3941960214247511077e3) * r +
                     6.8718700749205790830e2) * r +
                     4.2313330701600911252e1) * r +
                     1.0)  # fmt: skip
        return 0.0 + (num / den) * 1.0  # mu + x * sigma, as NormalDist adds them
    r = u if q <= 0.0 else 1.0 - u
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        num = (((((((7.7454501427834140764e-4 * r +
                     2.2723844989269184583e-2) * r +
                     2.4178072517745061177e-1) * r +
                     1.2704582524523683826e0) * r +
                     3.6478483247632046050e0) * r +
                     5.7694972214606914055e0) * r +
                     4.6303378461565452959e0) * r +
                     1.4234371107496835773e0)  # fmt: skip
        den = (((((((1.0507500716444168432e-9 * r +
                     5.4759380849953449460e-4) * r +
                     1.5198666563616457197e-2) * r +
                     1.4810397642748007459e-1) * r +
                     6.8976733498510000455e-1) * r +
                     1.6763848301838038494e0) * r +
                     2.0531916266377588219e0) * r +
                     1.0)  # fmt: skip
    else:
        r = r - 5.0
        num = (((((((2.0103343992922881327e-7 * r +
                     2.7115555687434875782e-5) * r +
                     1.2426609473880784386e-3) * r +
                     2.6532189526576123093e-2) * r +
                     2.9656057182850489123e-1) * r +
                     1.7848265399172913358e0) * r +
                     5.4637849111641143699e0) * r +
                     6.6579046435011037772e0)  # fmt: skip
        den = (((((((2.0442631033899397856e-15 * r +
                     1.4215117583164458887e-7) * r +
                     1.8463183175100546818e-5) * r +
                     7.8686913114561329059e-4) * r +
                     1.4875361290850614852e-2) * r +
                     1.3692988092273580531e-1) * r +
                     5.9983220655588793769e-1) * r +
                     1.0)  # fmt: skip
    x = num / den
    if q < 0.0:
        x = -x
    return 0.0 + x * 1.0


def normal(u: float) -> float:
    """A standard normal from one uniform (inverse of the normal distribution)."""
    return _NORMAL.inv_cdf(u)


class Stream:
    """The uniforms of one draw place: four from each block of the counter, as many blocks as
    the draw needs. Computed when first read. A kernel handed the stream part-way (`place`,
    `taken`) draws the next uniforms itself (`uniform_at`) and says how many it took (`skip`)."""

    __slots__ = ("_block", "_counter", "_key", "_words", "place")

    def __init__(self, key: KeySchedule, place: tuple[int, int, int, int, int]) -> None:
        turn, site, a, b, occurrence = place
        self._key = key
        self.place = place  # (turn, site, a, b, occurrence): `uniform_at`'s place
        self._counter = (
            turn & MASK64,
            (site << 32 | a) & MASK64,
            b & MASK64,
            (occurrence << 16) & MASK64,
        )
        self._block = 0
        self._words: list[int] = []

    @property
    def taken(self) -> int:
        """How many uniforms have been drawn from this stream."""
        return 4 * self._block - len(self._words)

    def skip(self, count: int) -> None:
        """Pass over `count` uniforms (drawn by a kernel from `place`), so the next `random()`
        is the one after them."""
        k = self.taken + count
        self._block, self._words = k // 4, []
        if k % 4:
            self.random_block()
            del self._words[len(self._words) - k % 4 :]

    def random_block(self) -> None:
        c0, c1, c2, c3 = self._counter
        self._words = list(philox_rounds(c0, c1, c2, c3 + self._block, self._key))
        self._words.reverse()
        self._block += 1

    def random(self) -> float:
        """The next uniform in (0, 1)."""
        if not self._words:
            self.random_block()
        return unit_interval(self._words.pop())

    def binomial(self, n: int, p: float) -> int:
        return binomial(int(n), float(p), self.random())

    def integers(self, low: int, high: int) -> int:
        """A whole number in [low, high), each equally likely."""
        return low + min(int(self.random() * (high - low)), high - low - 1)

    def standard_normal(self) -> float:
        return normal(self.random())


class Dice:
    """A battle's dice: the seed's key and how many times each draw place has been drawn (the
    occurrence in the counter). It is part of the game's state (copied with it, hashed with it).

    The draws of the turn being played are rows (site, a, b, occurrence) of an int64 table
    (`table`, `head`), which the kernels that draw write themselves (`next_occurrence`), as
    Python does (`draw_place`): one record of the turn's draws, in arrays a compiled turn can
    hold, not a dict each wrapper updates after its kernel. They are dropped at the first draw
    of a later turn (they cannot be asked again). A draw for an earlier turn (a game's setup,
    at turn 0, asked once the game has begun: once per game, or in a preview) is counted apart
    in the dict `earlier`, so it neither resets nor repeats the present turn's draws; no kernel
    draws there."""

    __slots__ = ("_key_words", "earlier", "head", "key", "seed", "table")

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.key = key_schedule(self.seed & MASK64, (self.seed >> 64) & MASK64)
        self._key_words = None
        # The table's bookkeeping as an array rather than attributes, so that a kernel advances
        # it in place, in every kernel it calls, without handing a count back through each
        # return: `head[FILLED]` rows filled, of turn `head[TABLE_TURN]`.
        self.table = np.zeros((TABLE_ROWS, 4), np.int64)
        self.head = np.array([0, -1], np.int64)
        self.earlier: dict[tuple[int, int, int, int], int] = {}

    @property
    def turn(self) -> int:
        """The turn of the table's draws: the latest turn drawn on (-1 before any draw)."""
        return int(self.head[TABLE_TURN])

    @property
    def uses(self) -> dict[tuple[int, int, int], int]:
        """How many times each place (site, a, b) has been drawn on `turn`: the table's rows
        counted by place (a view made for the state's hash and for tests, not kept)."""
        uses: dict[tuple[int, int, int], int] = {}
        for site, a, b in self.table[: self.head[FILLED], :3].tolist():
            place = (site, a, b)
            uses[place] = uses.get(place, 0) + 1
        return uses

    @property
    def key_words(self) -> np.ndarray:
        """The round keys as the kernels take them (`philox_block`, `uniform_at`): ten rows of
        two uint64 words where the process compiles; the key schedule itself, Python's
        integers, where it interprets."""
        if not compiling():
            return self.key
        words = self._key_words
        if words is None:
            words = self._key_words = np.array(self.key, dtype=np.uint64)
        return words

    def room(self, turn: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """The table and its head, with room for `rows` more draws on `turn`: what a kernel
        that draws is handed, to number its draws in it (`next_occurrence`). The wrapper knows
        a bound of the draws its call can make; the table grows, doubling, to hold them (a
        grown table is a new array: ask again before each call)."""
        if turn < self.turn:
            raise ValueError(f"the kernels draw on the turn being played ({self.turn}), not {turn}")
        needed = int(self.head[FILLED]) + rows
        size = len(self.table)
        if needed > size:
            while size < needed:
                size *= 2
            table = np.zeros((size, 4), np.int64)
            table[: len(self.table)] = self.table
            self.table = table
        return self.table, self.head

    def at(self, turn: int, site: int, a: int = 0, b: int = 0) -> Stream:
        """The stream for a draw at `site` on turn `turn`, about `a` and `b` (units, hexes,
        weapon groups: whatever names the draw's place at that site; whole numbers >= 0, as
        they are words of the counter)."""
        return Stream(self.key, self.draw_place(turn, site, a, b))

    def draw_place(
        self, turn: int, site: int, a: int = 0, b: int = 0
    ) -> tuple[int, int, int, int, int]:
        """The place (turn, site, a, b, occurrence) of a draw at `site` on turn `turn`, counted
        as drawn: what `at` streams from, and what a kernel that draws there is handed."""
        if a < 0 or b < 0 or turn < 0:
            raise ValueError(f"a draw's place is counted from 0: turn {turn}, a {a}, b {b}")
        if turn >= self.turn:
            table, head = self.room(turn, 1)
            occurrence = int(next_occurrence(table, head, turn, site, a, b))
        else:
            past = (turn, site, a, b)
            occurrence = self.earlier.get(past, 0)
            self.earlier[past] = occurrence + 1
        return (turn, site, a, b, occurrence)

    def drawn(self, turn: int, site: int, a: int = 0, b: int = 0) -> int:
        """How many times the place (turn, site, a, b) has been drawn: the occurrence its next
        draw gets (`draw_place`), without counting one."""
        if turn > self.turn:
            return 0
        if turn == self.turn:
            return int(times_drawn(self.table, self.head[FILLED], site, a, b))
        return self.earlier.get((turn, site, a, b), 0)

    def __deepcopy__(self, memo: dict) -> Dice:
        copy = Dice.__new__(Dice)
        copy.seed, copy.key = self.seed, self.key
        copy._key_words = self._key_words
        copy.table, copy.head = self.table.copy(), self.head.copy()
        copy.earlier = dict(self.earlier)
        return copy

    def fingerprint(self) -> tuple:
        """What the state hash reads: the seed, and where the draws have got to (the counts of
        earlier turns only when there are any, so that the hash of a game without them is what
        it was before they were counted apart). The counts per place are what they were when a
        dict kept them: the hash is the same as before the table."""
        now = (self.seed, self.turn, tuple(sorted(self.uses.items())))
        return (*now, tuple(sorted(self.earlier.items()))) if self.earlier else now


def roll(state, site: int, a: int = 0, b: int = 0) -> Stream:
    """The stream for a draw at `site` this turn of the game `state` (a GameState; not typed
    here, as the state module holds the dice)."""
    return state.dice.at(state.turn, site, a, b)
