"""A turn's events replayed one by one on the map: moves slide, shots flash, shells burst,
assaults pulse, routs and surrenders float up as words. Each step is one event worth telling (a
bombardment, an air strike, an assault, a rout, a hex taken...), or the moves or the volleys of
the turn together; it carries the hex to look at (the play screen's camera follows it) and its
line in the player's words for the status line. The speed is chosen by the player (`SPEEDS`);
the replay can be skipped, and the last turn replayed (R)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pygame

from ..core.events import (
    AirStrike,
    Arrived,
    Assaulted,
    Bombarded,
    Drowned,
    Escaped,
    Event,
    Fired,
    HexTaken,
    LeaderKilled,
    Moved,
    Rallied,
    Routed,
    Surrendered,
    TurnEnded,
)
from ..narrative import Words, fire_summary, tell
from . import fonts

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # replay speeds the player chooses from ([ and ])
DEFAULT_SPEED = 1  # index into SPEEDS


def parse_label(board, label: str) -> int:
    col, row = (int(x) for x in label.split(","))
    return board.index(col, row)


@dataclass
class Phase:
    """One step of the replay: what is drawn for `duration` seconds (at speed 1), the hex the
    camera should show (-1: none) and the step's line for the status line."""

    duration: float
    moves: dict[int, list[int]] = field(default_factory=dict)  # unit -> path of hexes
    shots: list[tuple[int, int]] = field(default_factory=list)  # (from hex, to hex)
    bursts: list[tuple[int, str]] = field(default_factory=list)  # (hex, caption)
    clashes: list[tuple[int, str, bool]] = field(default_factory=list)  # (hex, caption, taken)
    words: list[tuple[int, str, tuple[int, int, int]]] = field(default_factory=list)
    focus: int = -1
    caption: str = ""


_WORDS = {
    Routed: "routs!",
    Surrendered: "surrenders",
    Drowned: "men drown",
    Escaped: "gets away",
    Rallied: "rallies",
    LeaderKilled: "leader killed",
}


def phases_for(
    state,
    events: list[Event],
    shown=None,
    words: Words | None = None,
    own: frozenset[str] = frozenset(),
) -> list[Phase]:
    """The steps to replay `events` (those `shown(event)` allows, when given), in the order they
    happened: the moves together first (the camera on the first of a unit not in `own`, the
    viewer's units), each event worth a line on its own, the volleys of direct fire together."""
    board, u = state.board, state.units
    words = words or Words.of(state.scenario)
    index = {unit_id: i for i, unit_id in enumerate(u.ids)}
    moves = Phase(1.0)
    fire = Phase(0.8)
    fired: list[Event] = []
    steps: list[Phase] = []
    arrivals = Phase(1.0)
    enemy_moved = False
    for event in events:
        if shown is not None and not shown(event):
            continue
        if isinstance(event, TurnEnded):
            continue
        line = tell(event, words) or ""
        if isinstance(event, Moved) and len(event.path) > 1:
            path = [parse_label(board, p) for p in event.path]
            moves.moves[index[event.unit]] = path
            if moves.focus < 0 or (event.unit not in own and not enemy_moved):
                moves.focus = path[-1]
                enemy_moved = event.unit not in own
        elif isinstance(event, Fired):
            firer = index[event.unit]
            if u.hex[firer] >= 0:
                target = parse_label(board, event.hex)
                fire.shots.append((int(u.hex[firer]), target))
                fired.append(event)
                if fire.focus < 0 or event.killed + event.wounded:
                    fire.focus = target if fire.focus < 0 else fire.focus
        elif isinstance(event, Bombarded):
            h = parse_label(board, event.hex)
            hit = sum(event.casualties.values())
            steps.append(
                Phase(
                    1.3,
                    bursts=[(h, f"{event.rounds} rds, {words.men(hit)} hit")],
                    focus=h,
                    caption=line,
                )
            )
        elif isinstance(event, AirStrike):
            h = parse_label(board, event.hex)
            hit = sum(event.casualties.values())
            steps.append(
                Phase(1.3, bursts=[(h, f"air strike, {words.men(hit)} hit")], focus=h, caption=line)
            )
        elif isinstance(event, Assaulted):
            h = parse_label(board, event.hex)
            taken = event.outcome == "taken"
            lost = sum(event.attacker_losses.values())
            caption = f"assault {event.outcome}, attackers lost {lost}"
            steps.append(Phase(1.8, clashes=[(h, caption, taken)], focus=h, caption=line))
        elif isinstance(event, tuple(_WORDS)):
            i = index.get(event.unit)
            h = int(u.hex[i]) if i is not None and u.hex[i] >= 0 else -1
            if h < 0:
                continue
            color = (120, 230, 140) if isinstance(event, Rallied) else (255, 220, 90)
            steps.append(Phase(1.0, words=[(h, _WORDS[type(event)], color)], focus=h, caption=line))
        elif isinstance(event, HexTaken):
            h = parse_label(board, event.hex)
            text = f"{words.side(event.side)} takes"
            steps.append(Phase(1.2, words=[(h, text, (255, 255, 255))], focus=h, caption=line))
        elif isinstance(event, Arrived):
            h = parse_label(board, event.hex)
            arrivals.words.append((h, "arrives", (200, 230, 255)))
            arrivals.focus = h if arrivals.focus < 0 else arrivals.focus
            arrivals.caption = "; ".join(filter(None, [arrivals.caption, line]))
        elif line and isinstance(getattr(event, "hex", None), str) and "," in event.hex:
            # a kind added beside a rule (a breach, a lane opened, mines struck): its line
            h = parse_label(board, event.hex)
            steps.append(Phase(1.0, words=[(h, "", (255, 255, 255))], focus=h, caption=line))
    if moves.moves:
        moves.caption = f"{len(moves.moves)} unit(s) move"
    if fire.shots:
        fire.caption = fire_summary(fired, words) or f"{len(fire.shots)} volley(s), no one hit"
    return [p for p in (moves, arrivals, *steps, fire) if _has(p)]


def _has(phase: Phase) -> bool:
    return bool(phase.moves or phase.shots or phase.bursts or phase.clashes or phase.words)


class Player:
    """Plays phases one after another at `speed` (seconds of replay per second of the clock)."""

    def __init__(self, phases: list[Phase], speed: float = 1.0) -> None:
        self.phases = phases
        self.index = 0
        self.t = 0.0
        self.speed = speed
        self.focus_taken = -1  # the step whose hex the camera was last sent to

    @property
    def phase(self) -> Phase | None:
        return None if self.done else self.phases[self.index]

    def new_focus(self) -> int:
        """The hex to show, once per step (-1 when there is none new): the camera follows it."""
        if self.done or self.focus_taken == self.index:
            return -1
        self.focus_taken = self.index
        return self.phases[self.index].focus

    @property
    def done(self) -> bool:
        return self.index >= len(self.phases)

    def skip(self) -> None:
        self.index = len(self.phases)

    def update(self, dt: float) -> None:
        if self.done:
            return
        self.t += dt * self.speed
        if self.t >= self.phases[self.index].duration:
            self.t = 0.0
            self.index += 1

    def moving(self, view) -> dict[int, tuple[float, float]]:
        """Where units that are sliding along their path are drawn now (map pixels)."""
        if self.done:
            return {}
        phase = self.phases[self.index]
        if not phase.moves:
            return {}
        progress = min(1.0, self.t / phase.duration)
        geo = view.geo
        found = {}
        for unit, path in phase.moves.items():
            steps = len(path) - 1
            at = progress * steps
            k = min(int(at), steps - 1)
            f = at - k
            ax, ay = geo.center(path[k])
            bx, by = geo.center(path[k + 1])
            found[unit] = (ax + (bx - ax) * f, ay + (by - ay) * f)
        return found

    def draw(self, surface: pygame.Surface, view) -> None:
        if self.done:
            return
        phase = self.phases[self.index]
        progress = min(1.0, self.t / phase.duration)
        size = view.size
        clip = surface.get_clip()
        surface.set_clip(view.rect)
        for a, b in phase.shots:
            pa, pb = view.hex_center_on_screen(a), view.hex_center_on_screen(b)
            if progress < 0.7:
                t = progress / 0.7
                tip = (pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t)
                pygame.draw.line(surface, (255, 240, 150), pa, tip, 2)
            else:
                pygame.draw.circle(surface, (255, 200, 80), pb, size * 0.3, 2)
        for h, caption in phase.bursts:
            x, y = view.hex_center_on_screen(h)
            for k in range(3):
                r = size * (0.25 + progress * 0.9) * (1 - k * 0.25)
                color = (255, 140 + 40 * k, 40)
                pygame.draw.circle(surface, color, (x, y), max(2, r), 3)
            _caption(surface, caption, (x, y - size * 1.2), (255, 220, 160))
        for h, caption, taken in phase.clashes:
            x, y = view.hex_center_on_screen(h)
            pulse = 0.7 + 0.3 * math.sin(progress * math.pi * 4)
            color = (240, 60, 40) if not taken else (255, 240, 90)
            pygame.draw.circle(surface, color, (x, y), size * 0.9 * pulse, 4)
            _caption(surface, caption, (x, y - size * 1.3), color)
        for h, text, color in phase.words:
            x, y = view.hex_center_on_screen(h)
            if not text:  # a step told in the status line alone: a ring on its hex
                pygame.draw.circle(surface, color, (x, y), size * (0.6 + 0.3 * progress), 3)
                continue
            _caption(surface, text, (x, y - size * (0.8 + progress)), color)
        surface.set_clip(clip)


def _caption(surface, text: str, center, color) -> None:
    label = fonts.text(text, 15, color, bold=True)
    box = label.get_rect(center=(int(center[0]), int(center[1])))
    back = pygame.Surface(box.inflate(8, 2).size, pygame.SRCALPHA)
    back.fill((0, 0, 0, 160))
    surface.blit(back, box.inflate(8, 2))
    surface.blit(label, box)
