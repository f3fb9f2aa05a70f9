"""Engineers: a breaching party clears a lane through a minefield and cuts a gap in the wire by
hand, working next to (or in) the obstacle's hex, under the defenders' fire.

Everything about the rule is declared here, in one place: the order (`breach UNIT HEX`, its text
form, its check and how the window offers it), the event it reports (its log line and explained
form), the step of the turn that resolves it, and what the computer player asks to use it. The
coefficients are in coefficients.yaml (`engineer_*`), the formula in docs/rules.md ("Engineers").

Work is counted in hours, so the result does not depend on the length of a turn: a party of
`engineer_party_men` (or the share of one the unit still has) working `h` hours, its work slowed
by its suppression, opens `engineer_lane_m_per_hour × h` metres of the minefield's lane, then,
with the hours left once the lane is open, cuts `engineer_wire_lines_per_hour` lines of wire an
hour. The lane is the same one shelling blows (`Works.lane`), so an assault through it meets
`lane_mine_factor` of the field's mines whoever opened it. Working, the engineers are as exposed as
men in the attack (their posture is `attack` for the turn): the fire phase that follows, and the
bombardment, treat them as any other unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..core.bundles import unit_arrays, works_arrays
from ..core.events import Event, register_event
from ..core.orders import MOVE, RANK_WORK, Move, Order, OrderUI, register_order, resolves
from ..core.state import POSTURE_INDEX, GameState, UnitType
from ..hexgrid import axial_length
from ..kernels.jit import kernel, resolved
from .protection import firing_suppression, held_suppression

_ATTACK = POSTURE_INDEX["attack"]
_EXPLAINED_TERMS = {
    "turn_hours",
    "party_share",
    "suppression",
    "lane_m_per_hour",
    "depth_m",
    "wire_lines_per_hour",
}
_DONE = 1e-9  # lines of wire below which the gap is through


def engineer_units(state: GameState) -> list[bool]:
    """Per unit: is it engineers (the scenario's `type: engineers`). Found once for every game of
    the scenario (kept on the board, which those games share)."""
    return state.board.shared(
        "engineer_units", lambda: [u.type == UnitType.engineers for u in state.scenario.units]
    )


def wire_rates(state: GameState, c) -> list[float]:
    """Per unit: lines of wire an hour its breaching party gets through, by hand
    (`engineer_wire_lines_per_hour`) or, for engineers with `bangalores`, by torpedo
    (`bangalore_wire_lines_per_hour`)."""
    flags = state.board.shared(
        "bangalores", lambda: [bool(u.bangalores) for u in state.scenario.units]
    )
    return [c.bangalore_wire_lines_per_hour if f else c.engineer_wire_lines_per_hour for f in flags]


def obstacle_left(state: GameState, h: int) -> bool:
    """Is there anything left to breach in hex `h`: a minefield without an open lane, or wire."""
    return bool(works_left(works_arrays(state.works), h))


@kernel(borrows=True)
def works_left(w, h):
    """`obstacle_left` on the works' arrays."""
    return (w.mine_depth_m[h] > 0 and w.lane[h] < 1.0) or w.wire_lines[h] > 0


@register_order
@dataclass(frozen=True, slots=True)
class Breach(Order):
    """Engineers clear a lane through the minefield and cut the wire of hex `target`, which they
    are in or next to."""

    target: int
    verb: ClassVar[str] = "breach"
    numbers: ClassVar[tuple[str, ...]] = ("target",)
    ui: ClassVar[OrderUI | None] = OrderUI(
        "e", "Breach", "declared", "declared", "breach (engineers)", (230, 230, 120)
    )

    @classmethod
    def unable(cls, state: Any, unit: int) -> str | None:
        if not engineer_units(state)[unit]:
            return f"{state.units.ids[unit]} is not engineers and cannot breach"
        return None

    @classmethod
    def targets(cls, state: Any, unit: int) -> set[int] | None:
        """The hexes in or next to the engineers with a lane to open or wire to cut."""
        if not engineer_units(state)[unit]:
            return set()
        here = int(state.units.hex[unit])
        return {h for h in (here, *state.board.neighbors[here]) if obstacle_left(state, h)}

    def forecast(self, state: Any) -> tuple[str, str, list[tuple[str, str]]] | None:
        """A turn of this work if no one shot at the engineers: exact (the rule has no dice)."""
        w, c = state.works, state.coefficients
        h = self.target
        share, suppression, hours = _work_hours(state, self.unit, c)
        depth = w.mine_depth_m.item(h)
        lane, wire = breach_work(
            hours,
            w.lane.item(h),
            depth,
            w.wire_lines.item(h),
            c.engineer_lane_m_per_hour,
            wire_rates(state, c)[self.unit],
        )
        parts = []
        if depth > 0:
            parts.append(f"lane {w.lane.item(h):.0%} → {lane:.0%}")
        if w.wire_lines.item(h) > 0:
            parts.append(f"wire {w.wire_lines.item(h):g} → {wire:g} lines")
        factors = [
            ("party_share", f"{share:g}"),
            ("suppression", f"{suppression:g}"),
            ("engineer_lane_m_per_hour", f"{c.engineer_lane_m_per_hour:g}"),
            ("depth_m", f"{depth:g}"),
            ("wire_lines_per_hour", f"{wire_rates(state, c)[self.unit]:g}"),
        ]
        title = f"Breach {state.board.label(h)}"
        return title, f"{hours:.1f} h of work: " + ", ".join(parts), factors

    def refusal(self, state: Any) -> str | None:
        u = state.units
        name = u.ids[self.unit]
        if reason := self.unable(state, self.unit):
            return reason
        if state.board.distance(int(u.hex[self.unit]), self.target) > 1:
            return f"hex {self.target} is not next to {name}"
        if not obstacle_left(state, self.target):
            return f"hex {self.target} has no minefield or wire left to breach"
        return None


_BREACH = Breach.code  # a breach order's kind in order rows (`breach_choice`)


@register_event
@dataclass(frozen=True, slots=True)
class Breached(Event):
    """Engineers worked on the obstacles of a hex: the lane's progress (0..1) and the lines of wire
    left after the work, with the numbers behind it."""

    unit: str
    hex: str
    hours: float  # hours of work done: turn hours × party share × (1 - suppression)
    lane: float
    wire_lines_left: float
    modifiers: dict[str, float]  # turn_hours, party_share, suppression, depth_m, the rates
    kind: ClassVar[str] = "breached"

    def line(self) -> str | None:
        parts = [f"{self.unit} breaches at {self.hex}"]
        if self.modifiers.get("depth_m", 0.0) > 0:
            parts.append(f"minefield lane {self.lane:.0%}")
        if self.wire_lines_left or self.modifiers.get("wire_cut", 0.0):
            parts.append(f"wire {self.wire_lines_left:g} lines left")
        return "; ".join(parts)

    def explained(self) -> str | None:
        m = self.modifiers
        if not m.keys() >= _EXPLAINED_TERMS:  # a hand-written or older log: the terms as given
            return f"{self.line()}  [" + ", ".join(f"{k}={v:g}" for k, v in m.items()) + "]"
        return (
            f"{self.line()}  [work {self.hours:g} h = {m['turn_hours']:g} h"
            f" × party_share={m['party_share']:g} × (1 - suppression={m['suppression']:g});"
            f" engineer_lane_m_per_hour={m['lane_m_per_hour']:g},"
            f" depth_m={m['depth_m']:g}, wire_lines_per_hour={m['wire_lines_per_hour']:g}]"
        )


@register_event
@dataclass(frozen=True, slots=True)
class LaneOpened(Event):
    """A way through an obstacle is open: a lane through a minefield (its progress reached 1), or
    a gap through every line of a hex's wire; `by` is the unit whose fire or work finished it."""

    hex: str
    obstacle: str  # "minefield" or "wire"
    by: str
    kind: ClassVar[str] = "lane_opened"

    def line(self) -> str | None:
        mines = self.obstacle == "minefield"
        what = "a lane through the minefield" if mines else "gaps in the wire"
        return f"{self.by} has opened {what} at {self.hex}"


@register_event
@dataclass(frozen=True, slots=True)
class MineStruck(Event):
    """Men of a unit set off mines entering a minefield outside an assault (an assault's mine
    losses are in its own event)."""

    unit: str
    hex: str
    share: float  # chance a man is hit (mine_casualty_share)
    killed: int
    wounded: int
    kind: ClassVar[str] = "mine_struck"

    def line(self) -> str | None:
        hit = self.killed + self.wounded
        return f"{self.unit} walks into the minefield at {self.hex}: {hit} men hit" if hit else None


def note_openings(
    state: GameState,
    h: int,
    by: int,
    lane_before: float,
    wire_before: float,
    events: list[Event],
) -> None:
    """Report a lane or a gap that the fire or work just finished in hex `h` (`LaneOpened`), as
    the works of `h` stand now."""
    w = state.works
    lane, wire = w.lane.item(h), w.wire_lines.item(h)
    tell_openings(state, h, by, lane_before, wire_before, lane, wire, events)


def tell_openings(
    state: GameState,
    h: int,
    by: int,
    lane_before: float,
    wire_before: float,
    lane: float,
    wire: float,
    events: list[Event],
) -> None:
    """Report a lane or a gap that the fire or work of unit `by` just finished in hex `h`
    (`LaneOpened`): the lane's progress and the wire went from `lane_before`, `wire_before` to
    `lane`, `wire`."""
    label, unit = state.board.label(h), state.units.ids[by]
    if lane_before < 1.0 <= lane and state.works.mine_depth_m.item(h) > 0:
        events.append(LaneOpened(state.turn, label, "minefield", unit))
    if wire_before > 0.0 and wire <= 0.0:
        events.append(LaneOpened(state.turn, label, "wire", unit))


@kernel(borrows=True)
def breach_work(hours, lane, depth_m, wire_lines, lane_m_per_hour, wire_lines_per_hour):
    """The lane's progress and the lines of wire left after `hours` of work: the lane first
    (`lane_m_per_hour` metres of `depth_m` an hour), then the wire with the hours left."""
    if depth_m > 0 and lane < 1.0:
        needed = (1.0 - lane) * depth_m / lane_m_per_hour
        spent = min(hours, needed)
        lane = 1.0 if spent >= needed else lane + spent * lane_m_per_hour / depth_m
        hours -= spent
    if wire_lines > 0 and hours > 0:
        wire_lines -= hours * wire_lines_per_hour
        if wire_lines < _DONE:  # cut through (not a rounding residue of the hours' split)
            wire_lines = 0.0
    return lane, wire_lines


def _work_hours(state: GameState, unit: int, c) -> tuple[float, float, float]:
    """The party's share, its suppression and the hours of work it does this turn."""
    return work_hours(
        state.units.men.item(unit), firing_suppression(state, unit), state.turn_hours, c.values()
    )


@kernel(borrows=True)
def work_hours(men, suppression, turn_hours, c):
    """(party share, suppression, hours of work) of a breaching party of `men` this turn."""
    share = min(1.0, men / c.engineer_party_men)
    return share, suppression, turn_hours * share * (1.0 - suppression)


# The columns of `breach_step`'s rows, one row a breach done
BREACH_COLUMNS = (
    "unit",
    "hex",
    "hours",
    "lane",
    "wire",
    "share",
    "suppression",
    "depth_m",
    "wire_lines_per_hour",
    "lane_before",
    "wire_before",
)


@resolves(Breach, RANK_WORK)
def breach(state: GameState, rows: np.ndarray, c, events: list[Event]) -> None:
    """Resolve this turn's breach orders, given as integer rows (orders.ROW_WIDTH: kind, unit,
    hex), after movement and before any fire (the kernel `breach_step`; this reports its
    work)."""
    u, board = state.units, state.board
    units, targets = rows[:, 1:3].T.copy()  # each column contiguous, as numba likes
    engineers, wire_rate = _breach_columns(state, c)
    done_rows = np.empty((len(units), len(BREACH_COLUMNS)))
    done = _breach_step(
        unit_arrays(u),
        works_arrays(state.works),
        board.q,
        board.r,
        engineers,
        wire_rate,
        held_suppression(state),
        units,
        targets,
        state.turn_hours,
        c.values(),
        done_rows,
    )
    for row in done_rows[:done].tolist():
        i, h = int(row[0]), int(row[1])
        hours, lane, wire, share, suppression, depth, rate, lane_before, wire_before = row[2:]
        note_openings(state, h, i, lane_before, wire_before, events)
        if state.record_events:
            events.append(
                Breached(
                    state.turn,
                    u.ids[i],
                    board.label(h),
                    round(hours, 4),
                    round(lane, 4),
                    round(wire, 4),
                    {
                        "turn_hours": state.turn_hours,
                        "party_share": round(share, 4),
                        "suppression": round(suppression, 4),
                        "depth_m": depth,
                        "lane_m_per_hour": c.engineer_lane_m_per_hour,
                        "wire_lines_per_hour": rate,
                        "wire_cut": round(wire_before - wire, 4),
                    },
                )
            )


def _breach_columns(state: GameState, c) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, as `breach_step` reads them: is it engineers, and the lines of wire an hour its
    party cuts under coefficients `c` (`wire_rates`). Fixed for a game: made at its first
    breach and kept on the state (again only for other coefficients, a test's)."""
    kept = state.__dict__.get("_breach_columns")
    if kept is None or kept[0] is not c:
        engineers = np.array(engineer_units(state), dtype=np.bool_)
        kept = (c, engineers, np.array(wire_rates(state, c), dtype=np.float64))
        state.__dict__["_breach_columns"] = kept
    return kept[1], kept[2]


@kernel(borrows=True)
def breach_step(u, w, q, r, engineers, wire_rate, suppression, units, targets, turn_hours, c, rows):
    """The breach orders (`units[k]` at hex `targets[k]`, in unit order): each able party of
    engineers in or next to a hex with obstacles left works this turn's hours on it, the lane
    first, then the wire, in the open (posture `attack`). One row of `BREACH_COLUMNS` a breach
    done; returns how many."""
    done = 0
    for k in range(len(units)):
        i, h = units[k], targets[k]
        here = u.hex[i]
        if (
            here < 0
            or u.gone[i]
            or not u.arrived[i]
            or u.routed[i]
            or u.men[i] <= 0
            or u.crossing_hours[i] > 0
            or not engineers[i]
            or axial_length(q[h] - q[here], r[h] - r[here]) > 1
            or not works_left(w, h)
        ):
            continue
        u.posture[i] = _ATTACK  # at work in the open, as exposed as men in the attack
        share, held, hours = work_hours(u.men[i], suppression[i], turn_hours, c)
        wire_before = w.wire_lines[h]
        lane_before = w.lane[h]
        depth = w.mine_depth_m[h]
        lane, wire = breach_work(
            hours, lane_before, depth, wire_before, c.engineer_lane_m_per_hour, wire_rate[i]
        )
        w.lane[h] = lane
        w.wire_lines[h] = wire
        row = rows[done]
        row[0], row[1], row[2], row[3], row[4] = i, h, hours, lane, wire
        row[5], row[6], row[7], row[8] = share, held, depth, wire_rate[i]
        row[9], row[10] = lane_before, wire_before
        done += 1
    return done


# called from Python with a game's bundles: `resolved` skips numba's typing of them
_breach_step = resolved(breach_step)


def obstacles_on_axis(state: GameState, side: int, objective: int) -> list[int]:
    """Hexes of the enemy's obstacles an attack on `objective` must cross: the objective and its
    neighbours with a minefield the enemy laid and no open lane, or wire (`on_axis`)."""
    w = works_arrays(state.works)
    enemy = 1 - side
    return [h for h in (objective, *state.board.neighbors[objective]) if on_axis(h, enemy, w)]


@kernel(borrows=True)
def on_axis(h, enemy, w):
    """Whether hex `h` holds obstacles of side `enemy` an attack must breach: a minefield it
    laid with no open lane, or wire (`works_left`)."""
    return w.owner[h] == enemy and works_left(w, h)


def breach_order_for(
    state: GameState, unit: int, objective: int, enemies: dict[int, int]
) -> Order | None:
    """What the computer player has engineers do in an attack on `objective` (the kernel
    `breach_choice`, which the plan mode calls itself): a Breach, a Move next to the obstacle,
    or None when no obstacle is left (they then attack with the others). `enemies`: enemy men
    by hex."""
    board = state.board
    enemy_men = np.zeros(len(board.q), np.int64)
    for h, men in enemies.items():
        enemy_men[h] = men
    kind, to = _breach_choice(
        state.units.hex.item(unit),
        state.units.side.item(unit),
        objective,
        works_arrays(state.works),
        board.neighbor_table,
        board.shared("dry_ground_array", lambda: board.passable & ~board.water),
        board.q,
        board.r,
        enemy_men,
    )
    if kind < 0:
        return None
    return Breach(unit, to) if kind == _BREACH else Move(unit, to)


@kernel(borrows=True)
def breach_choice(here, side, objective, w, neighbors, dry, q, r, enemy_men):
    """(order kind, hex) of engineers at `here` in an attack on `objective`: breach the nearest
    obstacle on the assault axis (`on_axis`; the lowest hex on a tie) when in or next to it, or
    go to the nearest free hex next to it (dry, no enemy men: `enemy_men` per hex); (-1, -1)
    when no obstacle is left or no hex next to it is free. `neighbors`: hex × 6, -1 pads;
    `dry`: passable and not water."""
    enemy = 1 - side
    target = -1
    nearest = 0
    for a in range(-1, neighbors.shape[1]):
        h = objective if a < 0 else neighbors[objective, a]
        if h < 0 or not on_axis(h, enemy, w):
            continue
        d = axial_length(q[h] - q[here], r[h] - r[here])
        if target < 0 or d < nearest or (d == nearest and h < target):
            target, nearest = h, d
    if target < 0:
        return -1, -1
    if nearest <= 1:
        return _BREACH, target
    pick = -1
    nearest = 0
    for a in range(neighbors.shape[1]):
        n = neighbors[target, a]
        if n < 0 or enemy_men[n] > 0 or not dry[n]:
            continue
        d = axial_length(q[n] - q[here], r[n] - r[here])
        if pick < 0 or d < nearest or (d == nearest and n < pick):
            pick, nearest = n, d
    if pick < 0:
        return -1, -1
    return MOVE, pick


# called from Python (the adaptive mode) with a game's bundles: `resolved` skips their typing
_breach_choice = resolved(breach_choice)
