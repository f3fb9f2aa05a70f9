"""A turn's events as short animations: moves slide, shots flash, shells burst, assaults pulse,
routs and surrenders float up as words. Events are grouped into the phases of the turn and each
phase plays for a fraction of a second; any key or click skips to the end."""

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
)
from . import fonts


def parse_label(board, label: str) -> int:
    col, row = (int(x) for x in label.split(","))
    return board.index(col, row)


@dataclass
class Phase:
    duration: float
    moves: dict[int, list[int]] = field(default_factory=dict)  # unit -> path of hexes
    shots: list[tuple[int, int]] = field(default_factory=list)  # (from hex, to hex)
    bursts: list[tuple[int, str]] = field(default_factory=list)  # (hex, caption)
    clashes: list[tuple[int, str, bool]] = field(default_factory=list)  # (hex, caption, taken)
    words: list[tuple[int, str, tuple[int, int, int]]] = field(default_factory=list)


def phases_for(state, events: list[Event], shown) -> list[Phase]:
    """The phases to play for `events`, keeping only those `shown(event)` allows (fog)."""
    board, u = state.board, state.units
    index = {unit_id: i for i, unit_id in enumerate(u.ids)}
    moves = Phase(0.7)
    fire = Phase(0.45)
    shells = Phase(0.6)
    clashes = Phase(0.8)
    words = Phase(0.9)
    for event in events:
        if not shown(event):
            continue
        if isinstance(event, Moved) and len(event.path) > 1:
            moves.moves[index[event.unit]] = [parse_label(board, p) for p in event.path]
        elif isinstance(event, Fired):
            firer = index[event.unit]
            if u.hex[firer] >= 0:
                fire.shots.append((int(u.hex[firer]), parse_label(board, event.hex)))
        elif isinstance(event, Bombarded):
            hit = sum(event.casualties.values())
            shells.bursts.append((parse_label(board, event.hex), f"{event.rounds} rds, {hit} hit"))
        elif isinstance(event, AirStrike):
            hit = sum(event.casualties.values())
            shells.bursts.append((parse_label(board, event.hex), f"air strike, {hit} hit"))
        elif isinstance(event, Assaulted):
            taken = event.outcome == "taken"
            clashes.clashes.append(
                (parse_label(board, event.hex), f"assault {event.outcome}", taken)
            )
        elif isinstance(event, Routed | Surrendered | Drowned | Escaped | Rallied | LeaderKilled):
            i = index.get(event.unit)
            h = int(u.hex[i]) if i is not None and u.hex[i] >= 0 else -1
            if h < 0:
                continue
            text = {
                Routed: "routs!",
                Surrendered: "surrenders",
                Drowned: "men drown",
                Escaped: "gets away",
                Rallied: "rallies",
                LeaderKilled: "leader killed",
            }[type(event)]
            color = (120, 230, 140) if isinstance(event, Rallied) else (255, 220, 90)
            words.words.append((h, text, color))
        elif isinstance(event, HexTaken):
            words.words.append(
                (parse_label(board, event.hex), f"{event.side} takes", (255, 255, 255))
            )
        elif isinstance(event, Arrived):
            words.words.append((parse_label(board, event.hex), "arrives", (200, 230, 255)))
    return [p for p in (moves, shells, fire, clashes, words) if _has(p)]


def _has(phase: Phase) -> bool:
    return bool(phase.moves or phase.shots or phase.bursts or phase.clashes or phase.words)


class Player:
    """Plays phases one after another."""

    def __init__(self, phases: list[Phase]) -> None:
        self.phases = phases
        self.index = 0
        self.t = 0.0

    @property
    def done(self) -> bool:
        return self.index >= len(self.phases)

    def skip(self) -> None:
        self.index = len(self.phases)

    def update(self, dt: float) -> None:
        if self.done:
            return
        self.t += dt
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
            _caption(surface, text, (x, y - size * (0.8 + progress)), color)
        surface.set_clip(clip)


def _caption(surface, text: str, center, color) -> None:
    label = fonts.text(text, 15, color, bold=True)
    box = label.get_rect(center=(int(center[0]), int(center[1])))
    back = pygame.Surface(box.inflate(8, 2).size, pygame.SRCALPHA)
    back.fill((0, 0, 0, 160))
    surface.blit(back, box.inflate(8, 2))
    surface.blit(label, box)
