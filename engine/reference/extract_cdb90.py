"""Extract the reference subset of CDB90 from the upstream CSV files (jrnold/CDB90, `data/`).

Run once, by hand, when the subset is to be rebuilt::

    git clone https://github.com/jrnold/CDB90 /tmp/CDB90
    python -m engine.reference.extract_cdb90 /tmp/CDB90/data engine/reference/data/cdb90_20c.csv

It keeps the battles from 1900 on that have everything a generic battle is built from: both sides'
initial strengths and casualties, the battle's duration, the defender's primary posture (hasty,
prepared, fortified, delay), the terrain and the defender's front width. One row per battle, the
columns documented in `engine/reference/data/README.md`. The upstream files are read with the
standard library only; nothing of upstream's code is used.

Why these choices:
- duration: `duration2` (days of active combat, from upstream's active periods) where given, else
  `duration1` (first start to last end); casualty rates per day divide by it, as Helmbold does.
- strength: `intst` (initial strength), else `str` (total strength) when `intst` is blank.
- front: the defender's width of front (`wofd`, km) of the battle's first front row; the
  attacker's (`wofa`) when the defender's is blank.
- battles whose casualties exceed a side's initial strength (reinforced during the battle) are
  left out: their loss rate of the initial strength means nothing.
- winner: upstream's `wina` (1 attacker won, -1 attacker lost, 0 draw).
- the attacker's relative advantages as HERO coded them (`cea` combat effectiveness, `leada`
  leadership, `trnga` training, `morala` morale, `surpa` surprise, `inita` initiative; each
  -4 very strongly favours the defender .. 4 very strongly favours the attacker, upstream's
  `enum_cea.csv`): blank where upstream is blank (unknown), never guessed. They do not decide
  whether a battle is kept. Why: CDB90's outnumbered attackers are the better armies (the 39
  battles below 1:1 have a mean `cea` of 0.94 against 0.2-0.3 above 1.5:1), and the generic
  battle carries `cea` into the units' quality (builder.py) so that a battle is not played as
  between equal troops when the record says it was not.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from .data import CODES  # the advantage codes of battles.csv, -4..4

POSTURES = {"HD": "hasty", "PD": "prepared", "FD": "fortified", "DL": "delay"}
ROUGHNESS = {"F": "flat", "R": "rolling", "G": "rugged"}
COVER = {"B": "bare", "M": "mixed", "D": "desert", "W": "wooded"}
COLUMNS = (
    "isqno",
    "name",
    "war",
    "year",
    "posture",
    "roughness",
    "cover",
    "front_km",
    "duration_days",
    "attacker_men",
    "attacker_losses",
    "defender_men",
    "defender_losses",
    "attacker_won",
    *CODES,
)


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "", "NA") else None
    except ValueError:
        return None


def _code(text: str | None) -> int | str:
    """An advantage code -4..4 as a whole number, or "" when upstream leaves it blank (or
    out of range): unknown is kept as unknown, the builder reads it as 0 (favours neither)."""
    value = _number(text)
    if value is None or value != int(value) or not -4 <= value <= 4:
        return ""
    return int(value)


def extract(folder: Path) -> list[dict[str, object]]:
    """The subset's rows, in upstream's battle order."""
    battles = _read(folder, "battles.csv")
    sides: dict[str, dict[bool, dict[str, str]]] = {}
    for row in _read(folder, "belligerents.csv"):
        is_attacker = row["attacker"].strip().upper() in ("1", "TRUE", "T")
        sides.setdefault(row["isqno"], {})[is_attacker] = row
    fronts: dict[str, dict[str, str]] = {}
    for row in _read(folder, "front_widths.csv"):
        fronts.setdefault(row["isqno"], row)  # the first front row of each battle
    durations = {row["isqno"]: row for row in _read(folder, "battle_durations.csv")}
    terrain = {row["isqno"]: row for row in _read(folder, "terrain.csv")}
    out: list[dict[str, object]] = []
    for battle in battles:
        key = battle["isqno"]
        when = durations.get(key, {})
        start = when.get("datetime_min") or when.get("datetime") or ""
        if not start[:4].isdigit() or int(start[:4]) < 1900:
            continue
        posture = POSTURES.get((battle.get("post1") or "").strip())
        ground = terrain.get(key, {})
        roughness = ROUGHNESS.get((ground.get("terra1") or "").strip())
        cover = COVER.get((ground.get("terra2") or "").strip())
        front = fronts.get(key, {})
        front_km = _number(front.get("wofd")) or _number(front.get("wofa"))
        days = _number(when.get("duration2")) or _number(when.get("duration1"))
        pair = sides.get(key, {})
        if True not in pair or False not in pair:
            continue
        att, dfn = pair[True], pair[False]
        a_men = _number(att.get("intst")) or _number(att.get("str"))
        d_men = _number(dfn.get("intst")) or _number(dfn.get("str"))
        a_cas, d_cas = _number(att.get("cas")), _number(dfn.get("cas"))
        won = (battle.get("wina") or "").strip()
        codes = {k: _code(battle.get(k)) for k in CODES}
        values = (posture, roughness, cover, front_km, days, a_men, d_men, a_cas, d_cas)
        if any(v is None for v in values) or won not in ("1", "0", "-1"):
            continue
        if not (front_km > 0 and days > 0 and a_men > 0 and d_men > 0):
            continue
        if a_cas > a_men or d_cas > d_men:  # reinforced during the battle: no rate of the start
            continue
        out.append(
            {
                "isqno": int(key),
                "name": battle["name"].strip().title(),
                "war": (battle.get("war") or "").strip().title(),
                "year": int(start[:4]),
                "posture": posture,
                "roughness": roughness,
                "cover": cover,
                "front_km": round(front_km, 3),
                "duration_days": round(days, 4),
                "attacker_men": int(a_men),
                "attacker_losses": int(a_cas),
                "defender_men": int(d_men),
                "defender_losses": int(d_cas),
                "attacker_won": int(won),
            }
            | codes
        )
    return out


def write(rows: list[dict[str, object]], path: Path) -> None:
    """The subset as CSV, written atomically (a temp file renamed over the old one)."""
    import io

    from ..atomic import write_atomic

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m engine.reference.extract_cdb90 UPSTREAM_DATA_DIR OUT.csv")
        return 2
    rows = extract(Path(args[0]))
    write(rows, Path(args[1]))
    print(f"wrote {args[1]}: {len(rows)} battles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
