"""Assault: close combat for a hex at rates per hour — the minefield, the defenders' close fire
(heavier for every uncut line of wire), their grenades, and hand-to-hand — until one side breaks.

An assault lasts the turn's hours, fought in short steps (`assault_steps_per_hour`): each step
costs each side casualties at its hourly rate times the step's length, so the same battle gives
the same losses at 15, 30, 60 or 120-minute turns, and a longer assault costs more. The rates
follow Lanchester's square law: each side's losses are proportional to the other side's
strength, so the force ratio acts smoothly, with no threshold. The hex is taken when the
defenders' losses in their present engagement (since they came into contact or last rallied, as a
share of the men they had then) reach their breaking point, and the attack is beaten off when the
attackers' reach theirs; breaking points are drawn for each unit at the start of the game
(rules/morale.py), and are `cut_off_break_factor` times higher for a unit with no line of retreat.
If neither side breaks within the turn the position holds for now ("repelled"), and the
attackers may go on next turn.

Attacks on one hex from several neighbouring hexes in the same turn are one assault: the
defenders' fire is shared among all the attackers, which is why assaults from three sides are
made.

Only the men on the frontage actually assaulted fight at once (`engaged_shares`): one assault
frontage (`assault_frontage_m`) per axis, out of the width of the hex. In 100 m hexes that is
everyone; in 1 km hexes it is about a battalion's worth of each regiment. A hex wider than the
frontage is fought for frontage after frontage: the men of a unit not yet engaged come up to fill
the places of its engaged men who are hit, so each unit keeps the engaged share of the men it has
left at grips (as a unit of a narrower hex has all of its men left), and a side gives way only
when the losses of ALL its men in the assault reach their breaking point. The hex falls only
when its whole garrison has given way, not when the first frontage does. The attackers' hours at
grips are spent by the men at grips (the engaged share of each unit), so a unit of which half is
engaged can keep up the assault twice as many hours. In 100 m hexes (every man engaged) nothing
comes up and the rule is the same as before; in wider hexes the losses per metre of front, and
the ground won for them, no longer depend on how the front is cut into hexes
(tests/test_assault_hexscale.py).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.board import hex_distance
from ..core.bundles import unit_arrays, works_arrays
from ..core.dice import ASSAULT, has_room, next_occurrence
from ..core.events import Assaulted, Event, HexTaken, LeaderKilled, Routed
from ..core.state import POSTURE_INDEX, GameState
from ..kernels.jit import kernel, resolved
from .casualties import draw_disabled, take_casualties
from .fire import FIRER_FACTOR_NAMES, firer_factor_values, spend_ammo
from .morale import _take_men, rout_broken
from .movement import GO_FREE, mine_share, move_units, neighbor_rows, occupy_all, zone_counts
from .protection import exposure_factors, held_suppression

_ATTACK = POSTURE_INDEX["attack"]
# The coefficients of the phases' formulas an assault records by name (docs/rules.md).
_BASE_TERMS = (
    "close_fire_casualties_per_firepower_hour",
    "vulnerability_attack",
    "grenade_casualties_per_throw",
    "melee_rate",
    "melee_defender_advantage",
)
# `fight_assault`'s outcomes
REPELLED, TAKEN, RESTED = 0, 1, 2
OUTCOMES = ("repelled", "taken", "rested")
# `fight_assault`'s numbers for the record (its `out`; NaN where a modifier is not recorded)
(
    _AXES,
    _ATTACK_SHARE,
    _DEFEND_SHARE,
    _MINES,
    _WIRE_LINES,
    _WIRE,
    _CLOSE_FIRE,
    _BLOCKHOUSE,
    _POSTURE,
    _ATTACK_BREAKS,
    _DEFEND_BREAKS,
    _IN_HAND,
    _FOUGHT,
    _THROWN,
    _MEAN_MINES,
    _MEAN_APPROACH,
    _MEAN_GRENADES,
    _MEAN_MELEE,
    _MEAN_DEFENDERS_MELEE,
) = range(19)
_OUT_SIZE = 19
# ... and its counts (its `counts`): men lost by phase, men come up, rows written
(
    _LOST_MINES,
    _LOST_APPROACH,
    _LOST_GRENADES,
    _LOST_MELEE,
    _LOST_DEFENDERS_MELEE,
    _CAME_UP_ATTACKERS,
    _CAME_UP_DEFENDERS,
    _STEPS,
    _LEADERS,
    _BROKE,
) = range(10)
_COUNTS_SIZE = 10


@kernel(borrows=True)
def engaged_shares(frontage_m, axes, hex_size_m):
    """The shares of the attackers' and of the defenders' men that take part in an assault.

    Each axis (a hex the attack comes from) assaults on one frontage of `frontage_m` metres out of
    the `hex_size_m` width of the hexes: the attackers of each axis engage
    min(1, frontage / width) of their men, the defenders min(1, frontage × axes / width) of theirs.
    """
    per_axis = frontage_m / hex_size_m
    return min(1.0, per_axis), min(1.0, per_axis * axes)


@kernel(borrows=True)
def _engaged(men, share):
    """The men of a unit on the assaulted frontage (all of them when the share is 1)."""
    return men if share >= 1.0 else int(men * share + 0.5)


@kernel(borrows=True)
def _spread(fight, first, stop, expected, c):
    """Draw `expected` casualties among the engaged men of `units[first:stop]`, in proportion to
    them, reading the losses' coefficients `c`; take them off `engaged` too; return the total
    and the mean of the draw (after saturation). `fight` is the assault's (u, water, units,
    engaged, keys, turn, table, head, leaders, counts), the same at every draw of it. Each unit's
    draw is at its own place of the dice, (turn, ASSAULT, unit, 0), numbered in the dice's table
    (`table`, `head`: `next_occurrence`); a unit whose leader falls is written to `leaders`
    (counted in `counts[_LEADERS]`)."""
    u, water, units, engaged, keys, turn, table, head, leaders, counts = fight
    total_men = 0
    for j in range(first, stop):
        total_men += engaged[j]
    if total_men <= 0 or expected <= 0:
        return 0, 0.0
    # Fire and grenades fall on men already hit as well as on the rest: the expected number
    # hit saturates as n(1 - exp(-E/n)) instead of exceeding the men there.
    expected = total_men * (1.0 - math.exp(-expected / total_men))
    killed_fraction = c.close_combat_killed_fraction
    lost = 0
    for j in range(first, stop):
        i = units[j]
        m = int(engaged[j])
        share = float(expected * m / total_men)
        occurrence = next_occurrence(table, head, turn, ASSAULT, i, 0)
        place = (turn, np.int64(ASSAULT), i, np.int64(0), occurrence)
        hit, k = draw_disabled(m, share, keys, place, 0)
        fell = take_casualties(u, water, i, hit, killed_fraction, c, keys, place, k)[2]
        if fell:
            leaders[counts[_LEADERS]] = i
            counts[_LEADERS] += 1
        engaged[j] = m - hit
        lost += hit
    return lost, expected


@kernel(borrows=True)
def close_fire_factor(u, unit, hex_size_m, suppression, night, c):
    """The product of a defender's firer factors at the next hex (`firer_factor_values` at
    distance 1, `suppression` the level each unit fires at), multiplied in their order, the
    night's only by night: what `protection.product` of `fire.firer_factors` gives."""
    strength, in_range, steady, quality, dark = firer_factor_values(
        u, unit, 1, hex_size_m, suppression[unit], night, c
    )
    factor = 1.0
    factor *= strength
    factor *= in_range
    factor *= steady
    factor *= quality
    if dark == dark:
        factor *= dark
    return factor


@kernel(borrows=True)
def assault_steps(hours, steps_per_hour):
    """How many steps an assault of `hours` is fought in, and each step's length in hours: as
    near `steps_per_hour` steps an hour as whole steps allow, at least one."""
    steps = max(1, round(hours * steps_per_hour))
    return steps, hours / steps


def losses_counted(state: GameState, unit: int) -> float:
    """The losses of `unit` that count toward its breaking point (the kernel `counted_losses`)."""
    return float(counted_losses(unit_arrays(state.units), unit))


@kernel(borrows=True)
def counted_losses(u, unit):
    """The losses of `unit` that count toward its breaking point: those of its present
    engagement, i.e. its killed, wounded, captured and drowned since its count was last reset
    (`break_base`, raised by rallying and by rest out of contact, rules/morale.py)."""
    total = u.killed[unit] + u.wounded[unit] + u.captured[unit] + u.drowned[unit]
    return float(total) - u.break_base[unit]


def cut_off(state: GameState, unit: int) -> bool:
    """Whether `unit` has no line of retreat (the kernel `is_cut_off`, against the enemy's
    units counted by movement's `occupy_all`)."""
    board = state.board
    occupied, zoned = zone_counts(board.size)
    u = state.units
    count_zones(unit_arrays(u), occupied, zoned, neighbor_rows(board))
    here = int(u.hex[unit])
    held = occupied[1 - int(u.side[unit])]
    return bool(is_cut_off(here, board.edge, neighbor_rows(board), board.passable, held))


@kernel(borrows=True)
def is_cut_off(here, edge, neighbors, passable, held):
    """Whether a unit in hex `here` has no line of retreat: it is not on an open border of the
    map, and every neighbouring hex is held by the enemy (`held`: the enemy's units counted in
    each hex, `occupy_all`'s) or impassable. (A closed border, a sea, is no way out: such a hex
    is not an open `edge`.)"""
    if here < 0 or edge[here]:
        return False
    for n in neighbors[here]:  # noqa: SIM110 (a loop: numba compiles no generator here)
        if n >= 0 and passable[n] and not held[n]:
            return False
    return True


def _count_zones_lists(u, occupied, zoned, neighbors):
    """`count_zones` where the process interprets (`movement.zone_counts`' lists): emptied by
    slices, then counted by `occupy_all`'s own interpreted twin."""
    for counts in (occupied, zoned):
        for side in range(2):
            counts[side][:] = [0] * len(counts[side])
    occupy_all(u, occupied, zoned, neighbors)


@kernel(interpreted=_count_zones_lists, borrows=True)
def count_zones(u, occupied, zoned, neighbors):
    """Count afresh (side x hex, emptied first) every unit on the map in `occupied` and every
    fighting unit's zone of control in `zoned` (movement's `occupy_all`): the units held and
    the zones as they are now, after the assaults before this one moved and routed units."""
    for side in range(2):
        for h in range(occupied.shape[1]):
            occupied[side, h] = 0
            zoned[side, h] = 0
    occupy_all(u, occupied, zoned, neighbors)


@kernel(borrows=True)
def mark_cut_off(u, units, first, stop, factor, edge, neighbors, passable, occupied, cut):
    """`cut[j]`: whether each of `units[first:stop]` is cut off (`is_cut_off`, against the
    enemy's units counted in `occupied`), where it matters: only when the side's
    `cut_off_break_factor` (`factor`) changes its breaking point (left False otherwise)."""
    if factor == 1.0:
        return
    for j in range(first, stop):
        i = units[j]
        cut[j] = is_cut_off(u.hex[i], edge, neighbors, passable, occupied[1 - u.side[i]])


def _cut_off_units(state: GameState, units: list[int], coefficients) -> list[bool]:
    """`cut_off` for each of `units`, where it matters: only when the side's
    `cut_off_break_factor` changes its breaking point (False otherwise, not worked out)."""
    if coefficients is None or coefficients.cut_off_break_factor == 1.0:
        return [False] * len(units)
    board = state.board
    u = state.units
    occupied, zoned = zone_counts(board.size)
    neighbors = neighbor_rows(board)
    count_zones(unit_arrays(u), occupied, zoned, neighbors)
    cut = np.zeros(len(units), dtype=np.bool_)
    mark_cut_off(
        unit_arrays(u),
        np.array(units, dtype=np.int64),
        0,
        len(units),
        coefficients.cut_off_break_factor,
        board.edge,
        neighbors,
        board.passable,
        occupied,
        cut,
    )
    return cut.tolist()


def break_point(
    state: GameState, units: list[int], coefficients=None
) -> tuple[float, float, float]:
    """`group_break_point` of `units` (whether each is `cut_off` worked out here: the zones of
    control are movement's), with `coefficients`' `cut_off_break_factor` when given."""
    factor = coefficients.cut_off_break_factor if coefficients is not None else 1.0
    lost, start, breaks = group_break_point(
        unit_arrays(state.units),
        np.array(units, dtype=np.int64),
        0,
        len(units),
        np.array(_cut_off_units(state, units, coefficients), dtype=np.bool_),
        factor,
    )
    return float(lost), float(start), float(breaks)


@kernel(borrows=True)
def group_break_point(u, units, first, stop, cut, factor):
    """(losses so far, men at the start, breaking point) of the units `units[first:stop]`: the
    losses of their present engagement (`counted_losses`: since they came into contact, or last
    rallied) over the men they had when it began (their men now plus those losses: a side gives
    way on the losses of all its men, not of the share of them at grips), and the men-weighted
    mean of their drawn breaking points (inf when one of them fights to the last), each ×
    `factor` (`cut_off_break_factor`) for a unit with no line of retreat (`cut[j]`)."""
    lost = 0.0
    start = 0.0
    weighted = 0.0
    for j in range(first, stop):
        i = units[j]
        counted = counted_losses(u, i)
        men = u.men[i] + counted  # the men it had when the engagement began
        lost += counted
        start += men
        breaks = u.break_share[i]
        if factor != 1.0 and cut[j]:
            breaks *= factor
        weighted += breaks * men
    if start <= 0:
        return 0.0, 1.0, math.inf
    return lost, start, weighted / start


def resolve_assault(
    state: GameState,
    target: int,
    attackers: list[int],
    coefficients,
    events: list[Event],
    hours: float | None = None,
) -> str:
    """Fight for hex `target` for `hours` (the turn's, by default); returns the outcome
    ("taken", "repelled", or "rested": the attackers had no hours of assault in hand, nothing
    was fought and nothing is recorded).

    What acts on one side's units reads that side's coefficients (its `side_rules`): the
    attackers' losses (mines, close fire, grenades, hand to hand) and breaking read the
    attackers', the defenders' losses, ammunition, grenades and giving way the defenders'; the
    assault's steps and frontage the common ones. That holds when `coefficients` are the game's
    own; other coefficients (a what-if) serve both sides.

    The assault is the kernel `resolve_hex` (its defenders, who is cut off, the fight
    `fight_assault`, the attackers broken, the hex taken); this hands it the state's arrays
    and makes its numbers into events (`_Record.tell`): one assault of the turn's phase
    (`assault_phase`), for the tests, the window's odds and the Game API."""
    c = coefficients
    u = state.units
    hours = state.turn_hours if hours is None else hours
    record = _Record(state, c, 1, u.count + len(attackers), hours)
    record.members[0, : len(attackers)] = attackers
    record.info[0, _TARGET] = target
    record.info[0, _ATTACKING] = len(attackers)
    side = int(u.side[attackers[0]])
    c0, c1 = _sides_values(state, c)
    steps = len(record.melee[0])
    # a step draws for each attacker at most four times (mines, close fire, grenades, melee)
    # and for each defender once
    table, head = state.dice.room(state.turn, steps * 4 * (len(attackers) + u.count))
    board = state.board
    _resolve_hex(
        unit_arrays(u),
        works_arrays(state.works),
        board.cover,
        board.water,
        board.edge,
        board.passable,
        neighbor_rows(board),
        state.control,
        held_suppression(state),
        state.is_night(),
        float(hours),
        float(board.hex_size_m),
        c.values(),
        c0 if side == 0 else c1,
        c1 if side == 0 else c0,
        state.dice.key_words,
        state.turn,
        table,
        head,
        record.occupied,
        record.zoned,
        state.record_events,
        0,
        *record.rows(),
    )
    return record.tell(0, events)


def assaults(state: GameState, assaulting: np.ndarray, on_map: np.ndarray, c, events) -> None:
    """The turn's assaults (`assaulting`: rows unit, target of the units told to assault, in
    unit order; `on_map`: the units on the map after the moves): one call of the kernel
    `assault_phase`, which groups the attackers by the hex they assault (all of one hex this
    turn fight together) and fights for each hex in turn (`resolve_hex`). A hex with no enemy
    left in it is entered by a move (movement's `move_units`, `GO_FREE`): the kernel stops
    there, the move is made here, and the kernel goes on from the next hex, so that the moves
    and the assaults act in the order of their hexes, as each reads what those before did.
    Also stops to grow the dice's table when an assault might draw past its end."""
    count = assaulting.shape[1]
    if count == 0:
        return
    assaulting = np.ascontiguousarray(assaulting, dtype=np.int64)
    u, board, turn = state.units, state.board, state.turn
    hours = state.turn_hours
    record = _Record(state, c, count, u.count, hours)
    c0, c1 = _sides_values(state, c)
    steps = len(record.melee[0])
    values = c.values()
    dice = state.dice
    first, rows_needed = 0, 0
    while True:
        # the table as it is, grown only when the kernel stopped for room (`_ROOM`: `has_room`)
        table, head = dice.room(turn, rows_needed) if rows_needed else (dice.table, dice.head)
        stop, status, rows_needed = _assault_phase(
            unit_arrays(u),
            works_arrays(state.works),
            board.cover,
            board.water,
            board.edge,
            board.passable,
            neighbor_rows(board),
            board.q,
            board.r,
            state.control,
            on_map,
            assaulting,
            held_suppression(state),
            state.is_night(),
            float(hours),
            float(board.hex_size_m),
            values,
            c0,
            c1,
            state.dice.key_words,
            turn,
            table,
            head,
            record.occupied,
            record.zoned,
            state.record_events,
            steps,
            first,
            record.found,
            *record.rows(),
        )
        for g in range(first, stop):
            record.tell(g, events)
        if status == _DONE:
            return
        first = stop
        if status == _ENTER:  # the hex is empty: the attackers walk in, the next hex's turn
            attackers = record.members[stop, : record.info[stop, _ATTACKING]].tolist()
            n, target = len(attackers), int(record.info[stop, _TARGET])
            move_units(state, attackers, [GO_FREE] * n, [target] * n, [-1] * n, (c, c), events)
            first = stop + 1
            rows_needed = 0


def _sides_values(state: GameState, c) -> tuple:
    """Each side's coefficients' values (its `side_rules` over `c`) when `c` are the game's
    own; `c`'s for both otherwise (a what-if)."""
    own = state.side_coefficients if c is state.coefficients and state.side_coefficients else None
    return (own[0].values(), own[1].values()) if own else (c.values(), c.values())


# `_Record.info`'s columns: a hex's target, outcome (or `_SKIPPED`), attackers, defenders who
# fight, defenders, defenders captured
_TARGET, _OUTCOME, _ATTACKING, _FIGHTING, _DEFENDERS, _CAPTURED = range(6)
_INFO_SIZE = 6
_SKIPPED = -1  # the hex was already the attackers' side's: nothing done
# `assault_phase`'s stops
_DONE, _ENTER, _ROOM = 0, 1, 2


class _Record:
    """The arrays `resolve_hex` writes an assault's numbers into, a row for each of up to
    `size` hexes assaulted in a phase (`rows`), and what makes them into events (`tell`)."""

    def __init__(self, state: GameState, c, size: int, width: int, hours: float) -> None:
        self.state, self.c, self.hours = state, c, hours
        count = state.units.count
        self.found = np.full(1, -1, np.int64)  # hexes grouped by `assault_phase` (-1: not yet)
        self.info = np.zeros((size, _INFO_SIZE), np.int64)
        self.members = np.zeros((size, width), np.int64)  # attackers, then defenders who fight
        self.defenders = np.zeros((size, count), np.int64)
        self.firing = np.zeros((size, count, len(FIRER_FACTOR_NAMES)))
        self.out = np.full((size, _OUT_SIZE), math.nan)
        self.counts = np.zeros((size, _COUNTS_SIZE), np.int64)
        steps = assault_steps(hours, c.assault_steps_per_hour)[0]
        self.melee = np.zeros((size, steps, 4))
        self.leaders = np.zeros((size, width), np.int64)
        self.ammunition = np.full((size, width), math.nan)
        self.routed = np.full((size, width), math.nan)
        # the fight's scratch, written afresh at each assault (`resolve_hex`, `fight_assault`):
        # who is cut off, each unit's engaged men now and as the fight starts, each defender's
        # close fire an hour
        self.cut = np.zeros(width, np.bool_)
        self.engaged = np.zeros((2, width), np.int64)
        self.fire_rate = np.zeros(width)
        self.occupied, self.zoned = zone_counts(state.board.size)

    def rows(self) -> tuple:
        """The arrays, in `resolve_hex`'s order of its last arguments."""
        return (
            self.info,
            self.members,
            self.defenders,
            self.firing,
            self.out,
            self.counts,
            self.melee,
            self.leaders,
            self.ammunition,
            self.routed,
            self.cut,
            self.engaged,
            self.fire_rate,
        )

    def tell(self, g: int, events: list[Event]) -> str:
        """The events of the assault in row `g` (leaders fallen, attackers routed, the hex
        taken, the assault itself when the game keeps its events), noted in the state's
        assaults; its outcome."""
        info = self.info[g].tolist()
        if info[_OUTCOME] == _SKIPPED:
            return ""
        outcome = OUTCOMES[info[_OUTCOME]]
        if outcome == "rested":
            return outcome
        state = self.state
        u, board, turn = state.units, state.board, state.turn
        target, attacking, fighting = info[_TARGET], info[_ATTACKING], info[_FIGHTING]
        members = self.members[g, : attacking + fighting].tolist()
        attackers = members[:attacking]
        side = int(u.side[attackers[0]])
        counts = self.counts[g]
        for i in self.leaders[g, : counts[_LEADERS]].tolist():
            events.append(LeaderKilled(turn, u.ids[i], u.leader_names[i] or "commander"))
        if counts[_BROKE]:
            for a, morale in zip(attackers, self.routed[g, :attacking].tolist(), strict=True):
                if morale == morale:  # routed now (NaN: had already, or no men left)
                    events.append(Routed(turn, u.ids[a], round(morale, 3)))
        if outcome == "taken":
            place = next((name for name, h in board.places.items() if h == target), None)
            events.append(HexTaken(turn, board.label(target), state.side_ids[side], place))
        state.assaults.append((turn, 1 - side, outcome))
        if state.record_events:
            events.append(self._assaulted(g, info, members, side, outcome))
        return outcome

    def _assaulted(self, g: int, info: list[int], members: list[int], side: int, outcome: str):
        """The `Assaulted` event of the assault in row `g`."""
        state, c, hours = self.state, self.c, self.hours
        u, board, turn = state.units, state.board, state.turn
        attacking, fighting = info[_ATTACKING], info[_FIGHTING]
        attackers, firing = members[:attacking], members[attacking:]
        defenders = self.defenders[g, : info[_DEFENDERS]].tolist()
        out, counts = self.out[g], self.counts[g]
        close_fire: dict[str, dict[str, float]] = {}
        for j, (d, values) in enumerate(
            zip(firing, self.firing[g, :fighting].tolist(), strict=True)
        ):
            factors = {
                name: float(v) for name, v in zip(FIRER_FACTOR_NAMES, values, strict=True) if v == v
            }
            terms = close_fire[u.ids[d]] = {"firepower": float(u.firepower[d])} | factors
            short = float(self.ammunition[g, attacking + j])
            if short == short:
                terms["ammunition"] = round(short, 4)
        defender_losses = {
            "fire": 0,
            "melee": int(counts[_LOST_DEFENDERS_MELEE]),
            "captured": info[_CAPTURED],
        }
        return Assaulted(
            turn,
            tuple([u.ids[a] for a in attackers]),
            tuple([u.ids[d] for d in defenders]),
            board.label(info[_TARGET]),
            state.side_ids[side],
            outcome,
            {
                "mines": int(counts[_LOST_MINES]),
                "approach": int(counts[_LOST_APPROACH]),
                "grenades": int(counts[_LOST_GRENADES]),
                "melee": int(counts[_LOST_MELEE]),
            },
            defender_losses,
            _modifiers(out.tolist(), counts, hours, fighting, c if state.is_night() else None),
            {name: getattr(c, name) for name in _BASE_TERMS},
            close_fire,
            {  # exact values, not rounded: round() costs more than the rule's arithmetic
                "mines": float(out[_MEAN_MINES]),
                "approach": float(out[_MEAN_APPROACH]),
                "grenades": float(out[_MEAN_GRENADES]),
                "melee": float(out[_MEAN_MELEE]),
            },
            {"melee": float(out[_MEAN_DEFENDERS_MELEE])},
            tuple(
                [
                    {
                        "hours": round(fought, 4),
                        "attackers": attack_men,
                        "defenders": defend_men,
                        "reaching": reaching,
                    }
                    for fought, attack_men, defend_men, reaching in self.melee[
                        g, : counts[_STEPS]
                    ].tolist()
                ]
            ),
        )


@kernel(borrows=True)
def assault_phase(
    u,
    w,
    cover,
    water,
    edge,
    passable,
    neighbors,
    q,
    r,
    control,
    on_map,
    assaulting,
    suppression,
    night,
    hours,
    hex_size_m,
    c,
    c0,
    c1,
    keys,
    turn,
    table,
    head,
    occupied,
    zoned,
    record,
    steps,
    first,
    found,
    info,
    members,
    defenders,
    firing,
    out,
    counts,
    melee,
    leaders,
    ammunition,
    routed,
    cut,
    engaged,
    fire_rate,
):
    """The turn's assaults, from the hex in row `first` of `info` on.

    At the first call (`found[0]` -1) the attackers are grouped (`_group_attackers`): the
    units told to assault (`assaulting`: rows unit, target) that are on the map (`on_map`),
    not routed, with men, not guns, not in a river and next to the hex they assault, by that
    hex, in the order the hexes first come (`info[g, _TARGET]`, `found[0]` of them), each
    hex's attackers of the side of its first (`members[g]`).

    Then for each hex: nothing if the attackers' side stands in it already; the assault
    (`resolve_hex`, the attackers and the defenders each reading their side's coefficients,
    `c0` or `c1`) if the enemy does; if nobody does, a stop (`_ENTER`) for the attackers to
    walk in (movement's, in Python); a stop too (`_ROOM`) when the dice's table (`table`,
    `head`) may be too short for the assault's draws (`steps` x 4 a unit). `cut`, `engaged`,
    `fire_rate`: the fight's scratch (`_Record`). Returns (the row stopped at, or the rows
    found; `_DONE`, `_ENTER` or `_ROOM`; the table's rows the next assault needs)."""
    if found[0] < 0:
        found[0] = _group_attackers(u, q, r, on_map, assaulting, info, members)
    count = u.hex.shape[0]
    for g in range(first, found[0]):
        target = info[g, _TARGET]
        attacking = info[g, _ATTACKING]
        side = u.side[members[g, 0]]
        ours = False
        theirs = 0  # the enemy's units in the hex that may fight: a bound of the defenders
        anyone = False
        for i in range(count):
            if u.hex[i] == target and u.arrived[i] and not u.gone[i]:
                if u.side[i] == side:
                    ours = True
                else:
                    anyone = True
                    if u.men[i] > 0 and not u.routed[i]:
                        theirs += 1
        if ours:
            info[g, _OUTCOME] = _SKIPPED  # already ours
            continue
        if not anyone:
            return g, _ENTER, 0
        needed = steps * 4 * (attacking + theirs)
        if not has_room(table, head, turn, needed):
            return g, _ROOM, needed
        if side == 0:
            resolve_hex(
                u, w, cover, water, edge, passable, neighbors, control, suppression, night,
                hours, hex_size_m, c, c0, c1, keys, turn, table, head, occupied, zoned, record,
                g, info, members, defenders, firing, out, counts, melee, leaders, ammunition,
                routed, cut, engaged, fire_rate,
            )  # fmt: skip
        else:
            resolve_hex(
                u, w, cover, water, edge, passable, neighbors, control, suppression, night,
                hours, hex_size_m, c, c1, c0, keys, turn, table, head, occupied, zoned, record,
                g, info, members, defenders, firing, out, counts, melee, leaders, ammunition,
                routed, cut, engaged, fire_rate,
            )  # fmt: skip
    return found[0], _DONE, 0


# called from Python once a turn (again after a move into an empty hex): `resolved` skips
# numba's typing of the bundles at each call
_assault_phase = resolved(assault_phase)


@kernel(borrows=True)
def _group_attackers(u, q, r, on_map, assaulting, info, members):
    """`assault_phase`'s grouping: writes each hex's target and attackers to `info` and
    `members`; returns how many hexes."""
    groups = 0
    for k in range(assaulting.shape[1]):
        i = assaulting[0, k]
        target = assaulting[1, k]
        if not (
            on_map[i]
            and not u.routed[i]
            and u.men[i] > 0
            and not u.is_gun[i]
            and u.crossing_hours[i] <= 0
            and hex_distance(q, r, u.hex[i], target) == 1
        ):
            continue
        g = 0
        while g < groups and info[g, _TARGET] != target:
            g += 1
        if g == groups:
            info[g, _TARGET] = target
            info[g, _ATTACKING] = 0
            groups += 1
        elif u.side[i] != u.side[members[g, 0]]:
            continue  # each hex's attackers are of the side of its first
        members[g, info[g, _ATTACKING]] = i
        info[g, _ATTACKING] += 1
    return groups


@kernel(borrows=True)
def resolve_hex(
    u,
    w,
    cover,
    water,
    edge,
    passable,
    neighbors,
    control,
    suppression,
    night,
    hours,
    hex_size_m,
    c,
    ca,
    cd,
    keys,
    turn,
    table,
    head,
    occupied,
    zoned,
    record,
    g,
    info,
    members,
    defenders,
    firing,
    out,
    counts,
    melee,
    leaders,
    ammunition,
    routed,
    cut,
    engaged,
    fire_rate,
):
    """The assault on hex `info[g, _TARGET]` by the attackers `members[g, :attacking]`
    (`info[g, _ATTACKING]` of them, of one side, reading its coefficients `ca`; the defenders
    read `cd`, both `c`'s steps and frontage), writing row g of the record's arrays:
    - its defenders: the enemy's units in the hex with men (`defenders[g]`), those not routed
      fighting (`members[g]` after the attackers); with `record`, the firer factors of each of
      them as it starts the fight (`firer_factor_values` at the next hex, `firing[g]`);
    - what other rules decide: the minefield's share (movement's `mine_share`, when the
      defenders laid it) and who is cut off (`mark_cut_off`, over the units counted afresh in
      `occupied` and `zoned`, when a side's `cut_off_break_factor` makes it matter);
    - the fight (`fight_assault`: `out[g]`, `counts[g]`, `melee[g]`, `leaders[g]`,
      `ammunition[g]`, the draws numbered in the dice's table);
    - attackers broken rout (morale's `rout_broken`: each one's morale then in `routed[g]`,
      NaN for one not routed now), and a hex taken changes hands (`take_hex`);
    - the outcome (`info[g, _OUTCOME]`) and the defenders captured.
    `cut`, `engaged`, `fire_rate` (the fight's scratch, `_Record`'s width) are written afresh:
    it makes no array, and borrows."""
    attacking = info[g, _ATTACKING]
    units = members[g]
    side = u.side[units[0]]
    enemy = 1 - side
    target = info[g, _TARGET]
    fighting = 0
    found = 0
    for i in range(u.hex.shape[0]):
        here = u.hex[i] == target and u.side[i] == enemy
        if here and u.arrived[i] and not u.gone[i] and u.men[i] > 0:
            defenders[g, found] = i
            found += 1
            if not u.routed[i]:
                units[attacking + fighting] = i
                fighting += 1
    n = attacking + fighting
    info[g, _FIGHTING] = fighting
    info[g, _DEFENDERS] = found
    mines = 0.0
    if w.owner[target] == enemy:  # laid by the defenders, crossed by the attackers
        mines = mine_share(
            w.mine_density[target], w.lane[target], ca.mine_footprint_m, ca.lane_mine_factor
        )
    if record:  # each defender's firer factors, as it starts the fight, for the record
        for j in range(fighting):
            d = units[attacking + j]
            strength, in_range, steady, quality, dark = firer_factor_values(
                u, d, 1, hex_size_m, suppression[d], night, ca
            )
            firing[g, j, 0] = strength
            firing[g, j, 1] = in_range
            firing[g, j, 2] = steady
            firing[g, j, 3] = quality
            firing[g, j, 4] = dark
    for j in range(n):
        cut[j] = False
    if ca.cut_off_break_factor != 1.0 or cd.cut_off_break_factor != 1.0:
        count_zones(u, occupied, zoned, neighbors)
        mark_cut_off(
            u, units, 0, attacking, ca.cut_off_break_factor, edge, neighbors, passable, occupied,
            cut,
        )  # fmt: skip
        mark_cut_off(
            u, units, attacking, n, cd.cut_off_break_factor, edge, neighbors, passable, occupied,
            cut,
        )  # fmt: skip
    outcome = fight_assault(
        u, w, cover, water, target, units[:n], attacking, cut, mines, suppression, night, hours,
        hex_size_m, c, ca, cd, keys, turn, table, head, out[g], counts[g], melee[g], leaders[g],
        ammunition[g], engaged, fire_rate,
    )  # fmt: skip
    info[g, _OUTCOME] = outcome
    if outcome == RESTED:
        return outcome
    if counts[g, _BROKE]:
        for j in range(attacking):  # broken off: they go to ground and fall back
            if rout_broken(u, units[j], ca.rout_threshold):
                routed[g, j] = u.morale[units[j]]
    if outcome == TAKEN:
        count_zones(u, occupied, zoned, neighbors)
        info[g, _CAPTURED] = take_hex(
            u, water, passable, neighbors, control, target, units, attacking, defenders[g],
            found, occupied[side], zoned[side],
        )  # fmt: skip
    return outcome


# called from Python for one assault (`resolve_assault`): `resolved` skips numba's typing of the
# bundles at each call
_resolve_hex = resolved(resolve_hex)


def _modifiers(out: list[float], counts, hours, firing: int, night) -> dict[str, float]:
    """The assault's modifiers by name, for its event, from `fight_assault`'s numbers (`out`,
    `counts`), in the order --explain prints them; `firing`: how many defenders fought;
    `night`: the coefficients, by night."""
    modifiers = {"axes": out[_AXES], "hours": hours}
    attack_share, defend_share = out[_ATTACK_SHARE], out[_DEFEND_SHARE]
    reserves = attack_share < 1.0 or defend_share < 1.0
    if reserves:
        modifiers["attackers_engaged_share"] = round(attack_share, 4)
        modifiers["defenders_engaged_share"] = round(defend_share, 4)
    if out[_MINES] > 0:
        modifiers["mine_share_per_hour"] = round(out[_MINES], 4)
    modifiers["wire_lines"] = round(out[_WIRE_LINES], 3)
    modifiers["wire"] = round(out[_WIRE], 4)
    # (no defender firing: the sum of none, the whole number 0, as the record always had it)
    modifiers["close_fire_per_hour"] = round(out[_CLOSE_FIRE], 3) if firing else 0
    modifiers["blockhouse"] = round(out[_BLOCKHOUSE], 4)
    modifiers["defenders_posture"] = round(out[_POSTURE], 4)
    modifiers["attackers_break_at"] = round(out[_ATTACK_BREAKS], 4)
    modifiers["defenders_give_way_at"] = round(out[_DEFEND_BREAKS], 4)
    if out[_IN_HAND] == out[_IN_HAND]:
        modifiers["hours_in_hand"] = round(out[_IN_HAND], 4)
    if counts[_BROKE]:
        modifiers["attackers_broke"] = 1.0
    modifiers["hours_fought"] = round(out[_FOUGHT], 4)
    if reserves:
        modifiers["attackers_came_up"] = float(counts[_CAME_UP_ATTACKERS])
        modifiers["defenders_came_up"] = float(counts[_CAME_UP_DEFENDERS])
    modifiers["grenades_thrown"] = round(out[_THROWN], 1)
    if night is not None:
        modifiers["night"] = night.night_fire_factor
    return modifiers


@kernel(borrows=True)
def fight_assault(
    u,
    w,
    cover,
    water,
    target,
    units,
    attacking,
    cut,
    mine_share,
    suppression,
    night,
    hours,
    hex_size_m,
    c,
    ca,
    cd,
    keys,
    turn,
    table,
    head,
    out,
    counts,
    melee,
    leaders,
    ammunition,
    men_rows,
    fire_rate,
):
    """The assault on hex `target` by `units[:attacking]` on the defenders that fight,
    `units[attacking:]`, for `hours`: its steps until one side breaks or the hours run out.
    Returns REPELLED, TAKEN or RESTED (no hours of assault in hand: nothing fought).

    Handed by `resolve_assault`: the minefield's share of men hit crossing it (`mine_share`, 0
    where the defenders laid none), the suppression each unit fires at (`suppression`:
    `protection.held_suppression`) and whether it is `night`, for the defenders' firer factors
    (`close_fire_factor`),
    whether each unit is cut off (`cut`), the coefficients: common (`c`: steps, frontage), the
    attackers' (`ca`) and the defenders' (`cd`); the dice's table (`table`, `head`), where
    its draws at ASSAULT (unit, 0) are numbered. Writes the numbers for the record into `out` and
    `counts` (indices `_AXES`..., `_LOST_MINES`...; NaN where a modifier is not recorded), a
    row (hours fought, attackers, defenders, attackers reaching) a step into `melee`, the
    units whose leader fell into `leaders`, and each defender's ammunition factor the last time
    its rounds ran short into `ammunition`. `men_rows` (each unit's engaged men now, then as
    the fight starts) and `fire_rate` are its scratch, written afresh (it makes no array)."""
    n = len(units)
    enemy = 1 - u.side[units[0]]
    for j in range(attacking):
        u.posture[units[j]] = _ATTACK
    axes = 0
    for j in range(attacking):
        seen = False
        for k in range(j):
            if u.hex[units[k]] == u.hex[units[j]]:
                seen = True
                break
        if not seen:
            axes += 1
    out[_AXES] = axes
    steps, step_hours = assault_steps(hours, c.assault_steps_per_hour)
    # Only the men on the assaulted frontage fight; the rest of each unit is not touched.
    attack_share, defend_share = engaged_shares(c.assault_frontage_m, axes, hex_size_m)
    out[_ATTACK_SHARE] = attack_share
    out[_DEFEND_SHARE] = defend_share
    engaged = men_rows[0]
    at_start = men_rows[1]
    for j in range(n):
        engaged[j] = _engaged(int(u.men[units[j]]), attack_share if j < attacking else defend_share)
        at_start[j] = engaged[j]
    # In a hex wider than the frontage, the men not engaged come up to fill the places of the
    # engaged men hit, keeping the engaged share of each unit's men left on the frontage (never
    # in 100 m hexes, where every man is engaged from the start).
    reserves = attack_share < 1.0 or defend_share < 1.0

    # What stays the same for the whole assault.
    mines = 0.0
    if w.owner[target] == enemy:  # laid by the defenders, crossed by the attackers
        mines = mine_share * ca.minefield_crossings_per_hour
    out[_MINES] = mines
    wire = w.wire_lines[target]
    wire_factor = 1.0 + wire * ca.wire_exposure_per_line
    out[_WIRE_LINES] = wire
    out[_WIRE] = wire_factor
    # Each defender's close fire per hour at the strength it starts the assault with.
    for j in range(n):
        fire_rate[j] = 0.0
    close_fire = 0.0
    for j in range(attacking, n):
        fire_rate[j] = (
            ca.close_fire_casualties_per_firepower_hour
            * u.firepower[units[j]]
            * wire_factor
            * close_fire_factor(u, units[j], hex_size_m, suppression, night, ca)
            * defend_share  # the weapons on the assaulted frontage
            * ca.vulnerability_attack
        )
        close_fire += fire_rate[j]
    out[_CLOSE_FIRE] = close_fire
    blockhouse = 1.0
    if w.blockhouse_strength_start[target] > 0:
        intact = w.blockhouse_strength[target] / w.blockhouse_strength_start[target]
        blockhouse = 1.0 + (cd.blockhouse_protection - 1.0) * intact
    out[_BLOCKHOUSE] = blockhouse
    posture = 1.0
    if attacking < n:  # the defenders' works shield them at close quarters as from aimed fire
        posture = exposure_factors(u, w, cover, water, units[attacking], cd, False)[1]
    out[_POSTURE] = posture
    # Each side gives way on the losses of all its men in the assault, engaged or yet to come up.
    attack_lost, attack_men0, attack_breaks = group_break_point(
        u, units, 0, attacking, cut, ca.cut_off_break_factor
    )
    defend_lost, defend_men0, defend_breaks = group_break_point(
        u, units, attacking, n, cut, cd.cut_off_break_factor
    )
    out[_ATTACK_BREAKS] = attack_breaks
    out[_DEFEND_BREAKS] = defend_breaks
    attack_quality = _men_weighted(u.men, u.quality, units, 0, attacking, 0.5)
    defend_quality = _men_weighted(u.men, u.quality, units, attacking, n, 0.5)
    thrown_total = 0.0
    outcome = REPELLED if attacking < n else TAKEN
    fought = 0.0  # hours
    lost_mines = lost_approach = lost_grenades = lost_melee = lost_defenders = 0
    mean_mines = mean_approach = mean_grenades = mean_melee = mean_defenders = 0.0
    came_up_attackers = came_up_defenders = 0
    rows = 0
    fight = (u, water, units, engaged, keys, turn, table, head, leaders, counts)  # for `_spread`

    # Hours at grips: the attackers fight on for as long as they have hours of assault in hand
    # (their men-weighted mean), in whole steps; with none, they re-form and no assault is fought.
    # Only the engaged share of their men is at grips, so an hour fought spends that share of an
    # hour of the units' mean.
    in_hand = _men_weighted(u.men, u.grip_hours, units, 0, attacking, 0.0)
    if in_hand < hours * attack_share:
        out[_IN_HAND] = in_hand
        steps = min(steps, int(in_hand / (step_hours * attack_share) + 1e-9))
        if steps == 0 and attacking < n:
            return RESTED
    if attack_lost >= attack_breaks * attack_men0:  # broken before: they will not go in
        steps = 0
        counts[_BROKE] = 1
    for _ in range(steps if attacking < n else 0):
        if reserves:
            came_up_attackers += _come_up(u.men, units, engaged, 0, attacking, attack_share)
            came_up_defenders += _come_up(u.men, units, engaged, attacking, n, defend_share)
        attack_men = _total(engaged, 0, attacking)
        defend_men = _total(engaged, attacking, n)
        if attack_men <= 0:
            break
        if defend_men <= 0:
            outcome = TAKEN
            break
        fought += step_hours
        # 1. The minefield: a fresh crossing by the men coming forward each hour.
        if mines > 0:
            hit, mean = _spread(fight, 0, attacking, mines * attack_men * step_hours, ca)
            lost_mines += hit
            mean_mines += mean
        # 2. The defenders' close fire, for as long as their rounds last.
        expected = 0.0
        for j in range(attacking, n):
            d = units[j]
            if at_start[j] <= 0:
                continue
            strength = engaged[j] / at_start[j]
            needed = (
                (u.firepower[d] * cd.close_fire_rounds_per_firepower_hour * defend_share)
                * strength
                * step_hours
            )
            ammunition_factor = spend_ammo(u, d, needed, cd)
            if ammunition_factor != ammunition_factor:  # NaN: rounds enough
                ammunition_factor = 1.0
            if ammunition_factor < 1.0:
                ammunition[j] = ammunition_factor
            expected += fire_rate[j] * strength * ammunition_factor * step_hours
        hit, mean = _spread(fight, 0, attacking, expected, ca)
        lost_approach += hit
        mean_approach += mean
        # 3. Grenades, while the defenders have them.
        thrown = 0.0
        for j in range(attacking, n):
            d = units[j]
            throw = min(
                u.grenades[d] * defend_share,  # the grenades of the engaged men
                cd.grenades_per_defender_hour * float(engaged[j]) * step_hours,
            )
            u.grenades[d] -= throw
            thrown += throw
        thrown_total += thrown
        hit, mean = _spread(fight, 0, attacking, thrown * ca.grenade_casualties_per_throw, ca)
        lost_grenades += hit
        mean_grenades += mean
        # 4. Hand to hand: only so many attackers reach the defenders at once, the frontage
        # of the position on each side it is attacked from.
        attack_men = _total(engaged, 0, attacking)
        defend_men = _total(engaged, attacking, n)
        reaching = min(float(attack_men), cd.melee_frontage_per_defender * axes * defend_men)
        on_attackers = (
            ca.melee_rate
            * defend_men
            * (0.5 + defend_quality)
            * ca.melee_defender_advantage
            * step_hours
        )
        on_defenders = (
            cd.melee_rate * reaching * (0.5 + attack_quality) * blockhouse * posture * step_hours
        )
        melee[rows, 0] = fought
        melee[rows, 1] = attack_men
        melee[rows, 2] = defend_men
        melee[rows, 3] = reaching
        rows += 1
        hit, mean = _spread(fight, 0, attacking, on_attackers, ca)
        lost_melee += hit
        mean_melee += mean
        hit, mean = _spread(fight, attacking, n, on_defenders, cd)
        lost_defenders += hit
        mean_defenders += mean
        # 5. Does either side give way? (Losses of the present engagement, so that a position
        # worn down over several turns in contact breaks as one worn down in one.)
        attackers_lost = attack_lost + (lost_mines + lost_approach + lost_grenades + lost_melee)
        defenders_lost = defend_lost + lost_defenders
        if defenders_lost >= defend_breaks * defend_men0 or not _any_men(
            u.men, units, attacking, n
        ):
            outcome = TAKEN  # given way, or none left, engaged or to come up
            break
        if attackers_lost >= attack_breaks * attack_men0:
            counts[_BROKE] = 1  # broken off: they go to ground and fall back
            break

    for j in range(attacking):  # the hours at grips are spent, by the engaged share of the men
        a = units[j]
        u.grip_hours[a] = max(0.0, u.grip_hours[a] - fought * attack_share)
    out[_FOUGHT] = fought
    out[_THROWN] = thrown_total
    out[_MEAN_MINES] = mean_mines
    out[_MEAN_APPROACH] = mean_approach
    out[_MEAN_GRENADES] = mean_grenades
    out[_MEAN_MELEE] = mean_melee
    out[_MEAN_DEFENDERS_MELEE] = mean_defenders
    counts[_LOST_MINES] = lost_mines
    counts[_LOST_APPROACH] = lost_approach
    counts[_LOST_GRENADES] = lost_grenades
    counts[_LOST_MELEE] = lost_melee
    counts[_LOST_DEFENDERS_MELEE] = lost_defenders
    counts[_CAME_UP_ATTACKERS] = came_up_attackers
    counts[_CAME_UP_DEFENDERS] = came_up_defenders
    counts[_STEPS] = rows
    return outcome


@kernel(borrows=True)
def _total(engaged, first, stop):
    """The men of `engaged[first:stop]`."""
    total = 0
    for j in range(first, stop):
        total += engaged[j]
    return total


@kernel(borrows=True)
def _any_men(men, units, first, stop):
    """Whether any of `units[first:stop]` has men left."""
    for j in range(first, stop):  # noqa: SIM110 (a loop: numba compiles no generator here)
        if men[units[j]] != 0:
            return True
    return False


@kernel(borrows=True)
def _come_up(men, units, engaged, first, stop, share):
    """Fill the places of the engaged men (`engaged[j]`) of `units[first:stop]` who were hit
    with men of the same unit not yet engaged, so that each unit has the engaged `share` of the
    men it has left on the frontage (as a unit of a narrower hex, all engaged, has all its men
    left); return how many came up."""
    came_up = 0
    for j in range(first, stop):
        fill = _engaged(int(men[units[j]]), share) - engaged[j]
        if fill > 0:
            engaged[j] += fill
            came_up += fill
    return came_up


@kernel(borrows=True)
def _men_weighted(men, values, units, first, stop, empty):
    """The mean of a unit array's `values` over `units[first:stop]`, weighted by the men each
    has left (`empty` with none left): the attackers' hours of assault in hand (inf:
    unlimited), each side's quality."""
    total_men = 0
    for j in range(first, stop):
        total_men += men[units[j]]
    if total_men <= 0:
        return empty
    total = 0.0
    for j in range(first, stop):
        total += values[units[j]] * men[units[j]]
    return total / total_men


@kernel(borrows=True)
def take_hex(
    u, water, passable, neighbors, control, target, units, attacking, defenders, found, held, zone
):
    """The attackers (`units[:attacking]`) move into hex `target` and its side holds it; its
    defenders who are left (of `defenders[:found]`) fall back, routed, to a neighbouring hex
    the attackers' side does not stand in (`held`: its units counted in each hex), passable and
    dry, outside that side's zone of control (`zone`) if one is, the lowest such hex; with none,
    they are captured. The hex falls only once its whole garrison has given way (a wider hex's
    men not yet engaged came up and fought in turn), so every defender left has given way with
    the rest. Returns how many men were captured."""
    captured = 0
    for j in range(found):
        d = defenders[j]
        if u.men[d] <= 0:  # none left of it: gone now, not left in the hex the attackers take
            u.gone[d] = True
            continue
        best = -1
        best_zoned = False
        for n in neighbors[target]:
            if n < 0 or held[n] or not passable[n] or water[n]:
                continue
            zoned = zone[n] > 0
            if best < 0 or (not zoned and best_zoned) or (zoned == best_zoned and n < best):
                best = n
                best_zoned = zoned
        if best >= 0:
            u.hex[d] = best
            u.routed[d] = True
        else:
            captured += _take_men(u.men, u.captured, d, u.men[d])
            u.gone[d] = True
    side = u.side[units[0]]
    for j in range(attacking):
        if u.men[units[j]] > 0:
            u.hex[units[j]] = target
    control[target] = side
    return captured
