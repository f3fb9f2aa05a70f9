"""A new, valid, nearly empty scenario to start a battle from (`wargame new`), for the map editor
and the author's hand.

It has everything the format requires and nothing of any battle: open ground of the size asked,
four kinds of ground to paint with, two sides with a platoon each, a rifle, an objective in the
middle and a victory condition for each side. Every value that the author must replace says so
in a `# TEMPLATE:` comment and in its `source`; `wargame validate` accepts the file as it is, so
it can be opened in the editor at once.
"""

from __future__ import annotations

import re

from .models import FORMAT_VERSION

MAX_SIDE = 400  # the format's own limit on map width and height

_TEMPLATE = """\
{schema}# A new scenario made by `wargame new`. Each line marked TEMPLATE is a placeholder:
# replace it with what your sources say (cite them in `source`: "seed ¶N" or
# "assumption: <reasoning>").
# Edit the map with `wargame edit {file}`; check the file with `wargame validate {file}`.
format_version: {version}
id: {ident}
title: {{en: {title}}}                 # TEMPLATE: the battle's name (en, and zh beside it)
scale: {scale}
sources:
  - id: template
    title: "TEMPLATE: the source document"
briefing:
  summary: "TEMPLATE: one line for scenario lists"
  situation: "TEMPLATE: what a player reads before the battle"
  aims:
    red: "TEMPLATE: Red's aim"
    blue: "TEMPLATE: Blue's aim"
  historical_note: "TEMPLATE: what happened"
clock:
  start: 1945-05-21T05:00             # TEMPLATE: local time of the first turn
  turn_minutes: {turn_minutes}
  turns: {turns}
  darkness: {{starts: "19:30", ends: "05:30"}}   # TEMPLATE: the hours of darkness
map:
  hex_size_m: {hex_size_m:g}
  width: {width}
  height: {height}
  legend: {{".": open, "h": hill, "w": wood, "~": water}}
  terrain: |
{terrain}
  places:
    - id: objective
      name: {{en: Objective}}           # TEMPLATE: a named place
      hex: [{mid_col}, {mid_row}]
terrain:                              # TEMPLATE: multipliers relative to open ground (1.0)
  open: {{name: {{en: Open ground}}, color: "#c8c07a"}}
  hill: {{name: {{en: Hill}}, color: "#b5a86a", symbol: hill, speed_factor: 0.7, cover: 0.85}}
  wood: {{name: {{en: Wood}}, color: "#4f7a3a", symbol: wood, speed_factor: 0.55, cover: 0.7,
         sight_block_m: 10}}
  water: {{name: {{en: Water}}, color: "#4a78b8", symbol: water, water: true, speed_factor: 0.1,
          cover: 1.5}}
sides:
  - {{id: red, name: {{en: Red}}, color: "#b03030"}}      # TEMPLATE: the sides
  - {{id: blue, name: {{en: Blue}}, color: "#3050b0"}}
weapons:
  rifle:
    name: {{en: Rifle}}
    kind: small_arms
    range_m: 400
    rounds_per_hour: 60
    source: "TEMPLATE: typical figures for a bolt-action rifle; set from your source"
units:
  - id: red_1
    name: {{en: Red platoon}}
    side: red
    type: infantry
    men: 40
    weapons: [{{weapon: rifle, count: 36}}]
    at: [0, {mid_row}]
    source: "TEMPLATE: strength from your source"
  - id: blue_1
    name: {{en: Blue platoon}}
    side: blue
    type: infantry
    men: 30
    weapons: [{{weapon: rifle, count: 28}}]
    at: objective
    posture: prepared
    source: "TEMPLATE: strength from your source"
victory:
  - {{side: blue, kind: hold, place: objective}}
  - {{side: red, kind: capture, place: objective}}
"""


def new_scenario_text(
    ident: str,
    width: int,
    height: int,
    *,
    hex_size_m: float = 100.0,
    turn_minutes: int = 60,
    turns: int = 12,
    schema_path: str | None = None,
    file_label: str = "SCENARIO.yaml",
) -> str:
    """The YAML text of a new scenario; raises ValueError on sizes the format cannot hold."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ident) or len(ident) > 64:
        raise ValueError(
            f"{ident!r} cannot be a scenario id: use lower-case letters, digits and underscores,"
            " starting with a letter (e.g. hill_203)"
        )
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"the map must be 1 to {MAX_SIDE} hexes wide and high")
    if width < 2:
        raise ValueError("the map must be at least 2 hexes wide (one side starts at the left edge)")
    if not 0 < hex_size_m <= 50_000:
        raise ValueError("the hex size must be more than 0 and at most 50,000 m")
    if not 5 <= turn_minutes <= 24 * 60 or not 1 <= turns <= 10_000:
        raise ValueError("turns must last 5 minutes to 24 hours, and number 1 to 10,000")
    title = ident.replace("_", " ").capitalize()
    schema = f"# yaml-language-server: $schema={schema_path}\n" if schema_path else ""
    return _TEMPLATE.format(
        schema=schema,
        file=file_label,
        version=FORMAT_VERSION,
        ident=ident,
        title=title,
        scale="tactical" if hex_size_m < 500 else "operational",
        turn_minutes=turn_minutes,
        turns=turns,
        hex_size_m=hex_size_m,
        width=width,
        height=height,
        terrain="\n".join("    " + "." * width for _ in range(height)),
        mid_col=width // 2,
        mid_row=height // 2,
    )
