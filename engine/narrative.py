"""Events told as short lines for people: the CLI's turn log and the window's scrolling log read
the same sentences. `explain` adds the numbers that produced a result."""

from __future__ import annotations

from collections import defaultdict

from .core.events import (
    AirStrike,
    Arrived,
    Assaulted,
    Bombarded,
    Crossing,
    Drowned,
    Escaped,
    Event,
    Fired,
    GameEnded,
    HexTaken,
    LeaderKilled,
    Rallied,
    Routed,
    Surrendered,
)


def _numbers(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in values.items())


def _bombardment_numbers(event: Bombarded) -> str:
    """The linear law's terms: the rounds that landed (the roll), the lethal area they cover
    (the base), the modifiers, then for each unit in the hex its men, its shell exposure factors
    by name, the expected casualties and the men hit."""
    if not event.lethal_area_m2:  # a log written before bombardments recorded their numbers
        return f"  [{_numbers(event.modifiers)}]"
    areas = ", ".join(
        f"{event.rounds_by_class.get(cls, 0):g} {cls} × {area:g} m²"
        for cls, area in event.lethal_area_m2.items()
    )
    line = (
        f"  [landed {event.landed} of {event.rounds}; base {event.base:g} m² lethal area"
        f" ({areas}, × on_target); {_numbers(event.modifiers)}]"
    )
    night = f" × night={event.modifiers['night']:g}" if "night" in event.modifiers else ""
    for unit, men in event.men.items():
        line += (
            f"\n      on {unit}: {event.casualties.get(unit, 0)} hit (expected"
            f" {event.expected[unit]:g} = base{night} × {men} men / {event.hex_area_m2:,.0f} m²"
            f" × {_numbers(event.exposure[unit])})"
        )
    return line


# The base rate of each phase of an assault, by the name of its coefficient (docs/rules.md).
_PHASE_BASE = {
    "approach": "close_fire_casualties_per_firepower",
    "grenades": "grenade_casualties_per_throw",
    "melee": "melee_rate",
}


def _assault_numbers(event: Assaulted) -> str:
    """Each phase's base rate, expected losses (the mean of its draw) and losses, then the close
    fire's terms by defender, the rounds of hand-to-hand and the modifiers."""
    if not event.base:  # a log written before assaults recorded their numbers
        return (
            f"\n      attacker losses {event.attacker_losses}; defender losses"
            f" {event.defender_losses}\n      [{_numbers(event.modifiers)}]"
        )
    phases = []
    for phase, lost in event.attacker_losses.items():
        text = f"{phase} {lost} (expected {event.expected.get(phase, 0.0):g}"
        if (name := _PHASE_BASE.get(phase)) in event.base:
            text += f"; base {name}={event.base[name]:g}"
        phases.append(text + ")")
    defended = []
    for phase, lost in event.defender_losses.items():
        expected = event.defender_expected.get(phase)
        defended.append(f"{phase} {lost}" + (f" (expected {expected:g})" if expected else ""))
    line = (
        f"\n      attackers lost: {', '.join(phases)}\n      defenders lost: {', '.join(defended)}"
    )
    for unit, factors in event.close_fire_factors.items():
        line += f"\n      close fire of {unit}: {_numbers(factors)}"
    for number, fight in enumerate(event.melee, start=1):
        line += f"\n      hand to hand round {number}: {_numbers(fight)}"
    terms = {k: v for k, v in event.base.items() if k not in _PHASE_BASE.values()}
    return line + f"\n      [{_numbers(terms | event.modifiers)}]"


def describe(event: Event, *, explain: bool = False) -> str | None:
    """One line for an event worth telling, or None for routine ones (moves, single volleys)."""
    if isinstance(event, Arrived):
        return f"{event.unit} arrives at {event.hex} with {event.men} men"
    if isinstance(event, Crossing):
        if event.back:
            if event.hours_left <= 0:
                return f"{event.unit} is back on the bank it set out from, off the {event.river}"
            return None
        if event.hours_left <= 0:
            return f"{event.unit} is across the {event.river} at {event.hex}"
        return None
    if isinstance(event, Bombarded):
        hit = sum(event.casualties.values())
        parts = [f"{event.unit} fires {event.rounds} rounds at {event.hex}"]
        if hit:
            parts.append(f"{hit} men hit")
        if event.works_damage:
            parts.append(f"works -{event.works_damage:g}")
        if event.lane:
            parts.append(f"minefield lane {event.lane:.0%}")
        line = "; ".join(parts)
        return line + (_bombardment_numbers(event) if explain else "")
    if isinstance(event, AirStrike):
        hit = sum(event.casualties.values())
        line = f"{event.sorties} {event.side} aircraft strike {event.hex}: {hit} men hit"
        return line + (f"  [exposure {_numbers(event.modifiers)}]" if explain else "")
    if isinstance(event, Assaulted):
        lost = sum(event.attacker_losses.values())
        defended = sum(event.defender_losses.values())
        who = ", ".join(event.attackers)
        line = (
            f"ASSAULT on {event.hex} by {who}: {event.outcome}"
            f" (attackers lost {lost}, defenders {defended})"
        )
        if explain:
            line += _assault_numbers(event)
        return line
    if isinstance(event, Fired):
        if not explain:
            return None
        return (
            f"{event.unit} fires on {event.target} at {event.hex}: {event.killed} killed,"
            f" {event.wounded} wounded (expected {event.expected:g}; base {event.base:g}/h;"
            f" {_numbers(event.modifiers)})"
        )
    if isinstance(event, Routed):
        return f"{event.unit} ROUTS (morale {event.morale:.2f})"
    if isinstance(event, Rallied):
        return f"{event.unit} rallies"
    if isinstance(event, Surrendered):
        return f"{event.men} men of {event.unit} surrender"
    if isinstance(event, Drowned):
        return f"{event.men} men of {event.unit} are lost in the river"
    if isinstance(event, LeaderKilled):
        return f"{event.leader} of {event.unit} is killed"
    if isinstance(event, Escaped):
        return f"{event.men} men of {event.unit} get away off the map"
    if isinstance(event, HexTaken):
        where = f"{event.place} ({event.hex})" if event.place else event.hex
        return f"{event.side} takes {where}"
    if isinstance(event, GameEnded):
        return f"game over: {event.winner} ({event.reason}); state {event.state_hash}"
    return None


def fire_summary(events: list[Event]) -> str | None:
    """Direct fire of a turn in one line: casualties inflicted per side's target units."""
    by_target: dict[str, int] = defaultdict(int)
    for event in events:
        if isinstance(event, Fired):
            by_target[event.target] += event.killed + event.wounded
    hits = {k: v for k, v in by_target.items() if v}
    if not hits:
        return None
    return "fire: " + ", ".join(f"{k} -{v}" for k, v in sorted(hits.items()))
