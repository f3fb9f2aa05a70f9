"""Words and sizes the screens and the editor share: a scenario's names in both languages, the
span of a turn, text made safe for pygame_gui's HTML boxes, the side panel's width."""

from __future__ import annotations

import html
from datetime import timedelta

PANEL_W = 350  # the side panel of the play screen and of the editor
DIM = (160, 160, 150)  # text that matters less


def turn_span(state, turn: int) -> str:
    """The clock span of `turn`, e.g. '27 May 1945 06:00–08:00'."""
    start = state.time_at(turn)
    end = start + timedelta(minutes=state.scenario.clock.turn_minutes)
    return f"{start:%d %b %Y %H:%M}–{end:%H:%M}"


def bilingual(name) -> str:
    """A bilingual name as 'English 中文' (English alone when there is no Chinese)."""
    return f"{name.en} {name.zh}" if getattr(name, "zh", None) else name.en


def esc(text: str) -> str:
    """Text for a pygame_gui text box, whose markup is HTML."""
    return html.escape(str(text), quote=False)


# ------------------------------------------------------------------ the result's rows
_COUNTS = {  # metric -> (what is counted, its unit)
    "men_lost": ("men lost", "men"),
    "killed": ("men killed", "men"),
    "wounded": ("men wounded", "men"),
    "captured": ("men captured", "men"),
    "drowned": ("men drowned", "men"),
    "lost_in_water": ("men lost in the water", "men"),
    "escaped": ("men who got away", "men"),
    "got_back_across": ("men back across {place}", "men"),
    "men_remaining": ("men left", "men"),
    "officers_killed": ("officers killed", "officers"),
    "assaults_repelled": ("assaults beaten off", "assaults"),
    "rounds_fired": ("rounds fired", "rounds"),
    "men_surrounded": ("most men cut off from their rear", "men"),
    "fell_back": ("men who fell back from {place} in hand", "men"),
}


def _when(moment) -> str:
    return f"{moment:%d %b %H:%M}"


def _window(entry) -> str:
    """The window a metric is measured over, in words."""
    if entry.since and entry.at:
        same_day = entry.since.date() == entry.at.date()
        end = f"{entry.at:%H:%M}" if same_day else _when(entry.at)
        return f"{_when(entry.since)}–{end}"
    if entry.at:
        return f"by {_when(entry.at)}"
    if entry.since:
        return f"from {_when(entry.since)} to the end"
    return ""


def metric_label(entry, scenario) -> str:
    """What a history row measures, in words: whose, where, over which hours (the metric's id
    says only what the scenario's author called it)."""
    sides = {s.id: s.name.en for s in scenario.sides}
    places = {p.id: p.name.en for p in scenario.map.places}
    places |= {r.id: r.name.en for r in scenario.map.rivers}
    units = {u.id: u.name.en for u in scenario.units}
    side = sides.get(entry.side, entry.side or "both sides")
    place = places.get(entry.place, entry.place or "the places held")
    window = _window(entry)
    at = f" at {_when(entry.at)}" if entry.at else " at the end"
    metric = entry.metric.value
    if metric == "winner":
        return "who won"
    if metric == "position_held":
        return f"{place} held by the {side}{at}"
    if metric == "position_lost":
        return f"{place} lost by the {side} {window or 'by the end'}".rstrip()
    if metric == "attack_repelled":
        where = f" on {place}" if entry.place else ""
        return f"the attack{where} beaten off by the {side} {window}".rstrip()
    if metric == "place_fell_at":
        return f"when the {side} lost {place}"
    if metric == "crossed_by":
        return f"when the {side} crossed {place}"
    if metric == "works_destroyed_fraction":
        return f"the {side}'s works destroyed {window}".rstrip()
    what, _ = _COUNTS[metric]
    what = what.format(place=place)
    if entry.units:
        names = [units.get(u, u) for u in entry.units]
        whose = names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")
    else:
        whose = f"the {side}"
    if metric == "men_remaining":
        return f"{whose}: {what}{at}"
    if metric in ("assaults_repelled", "rounds_fired"):
        return f"{what} by {whose} {window}".rstrip()
    return f"{whose}: {what} {window}".rstrip()


def metric_unit(entry) -> str:
    """The unit a row's figures are in ('men', 'rounds', '%', ...; '' for yes/no and times)."""
    metric = entry.metric.value
    if metric == "works_destroyed_fraction":
        return "%"
    return _COUNTS.get(metric, ("", ""))[1]


def metric_value(entry, value, scenario) -> str:
    """A row's figure in words: a side's name, yes/no, a date and hour, a count with its unit,
    a share as a percentage; "never" when the event did not happen."""
    from ..history import format_value

    if value is None:
        return "never"
    if entry.metric.value == "winner":
        sides = {s.id: s.name.en for s in scenario.sides}
        return "a draw" if value == "draw" else sides.get(value, str(value))
    unit = metric_unit(entry)
    if unit == "%" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.0%}"
    text = format_value(value)
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        if unit == "men" and value == 1:
            unit = "man"
        return f"{text} {unit}"
    return text


def historical_value(entry, scenario) -> str:
    """History's figure for a row, in the same words as the game's."""
    if entry.range is not None:
        low = metric_value(entry, entry.range.min, scenario)
        high = metric_value(entry, entry.range.max, scenario)
        unit = metric_unit(entry)
        if unit and unit != "%":
            low = low.removesuffix(f" {unit}").removesuffix(" man")
        return f"{low}–{high}"
    if entry.time_range is not None:
        return f"{_when(entry.time_range.earliest)} – {_when(entry.time_range.latest)}"
    return metric_value(entry, entry.value, scenario)


# ------------------------------------------------------------------ orders in words
_HEX_FIELDS = ("to", "target")  # order fields that name a hex (by its index on the board)


def hex_words(state, h: int, hidden: frozenset[str] = frozenset()) -> str:
    """A hex for people: the name of its place (not one of the `hidden` places), else
    `col,row`; never the board's index."""
    for place in state.scenario.map.places:
        if place.id not in hidden and state.board.places.get(place.id) == h:
            return place.name.en
    return state.board.label(h)


def order_words(order, state, hidden: frozenset[str] = frozenset()) -> str:
    """An order as a player reads it: '9th Company — fire at Lion Mountain', '1st Company —
    move to 12,7', 'Mortar group — bombard 25,11, 40 rounds' (the text form, with its ids and
    hex indices, is for logs and saves)."""
    from dataclasses import fields

    kind = (order.ui.label if order.ui is not None else order.verb).lower()
    unit_id = state.units.ids[order.unit]
    unit = next((u.name.en for u in state.scenario.units if u.id == unit_id), unit_id)
    said = f"{unit} — {kind}"
    extra = []
    for item in fields(order):
        if item.name == "unit":
            continue
        value = getattr(order, item.name)
        if item.name in _HEX_FIELDS:
            word = {"to": " to", "target": "" if kind == "bombard" else " at"}[item.name]
            if kind in ("assault", "breach"):
                word = ""
            said += f"{word} {hex_words(state, int(value), hidden)}"
        elif item.name == "rounds":
            if value >= 0:
                extra.append(f"{value:,} rounds")
        else:
            extra.append(f"{item.name.replace('_', ' ')} {value}")
    return ", ".join([said, *extra])


def weapon_words(state, weapon_id: str) -> str:
    """A weapon's English name from the scenario (its id only if it has none)."""
    weapon = state.scenario.weapons.get(weapon_id)
    return weapon.name.en if weapon is not None else weapon_id
