"""The CDB90 subset the reference bench plays: loading it, with a located error for a bad row.

The file is `engine/reference/data/cdb90_20c.csv` (made by `extract_cdb90.py`; licence and
attribution in `data/README.md`). A row that does not parse is refused as
`file:line:column: what was expected, got what`, never with a traceback, because the file is
meant to be extended by hand (a battle from another source, in the same columns).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..scenario.errors import did_you_mean

DATA = Path(__file__).with_name("data")
CDB90_FILE = DATA / "cdb90_20c.csv"
POSTURES = ("hasty", "prepared", "fortified", "delay")
ROUGHNESS = ("flat", "rolling", "rugged")
COVER = ("bare", "mixed", "desert", "wooded")


class DataError(ValueError):
    """A row of the reference data that cannot be read; the message is located."""


@dataclass(frozen=True)
class Battle:
    """One recorded battle: the fields a generic battle is built from, and its record."""

    isqno: int
    name: str
    war: str
    year: int
    posture: str  # the defender's: hasty, prepared, fortified or delay
    roughness: str  # flat, rolling, rugged
    cover: str  # bare, mixed, desert, wooded
    front_km: float  # the defender's width of front
    duration_days: float
    attacker_men: int
    attacker_losses: int
    defender_men: int
    defender_losses: int
    attacker_won: int  # 1 won, 0 draw, -1 lost
    # The attacker's relative advantages as HERO coded them, -4 (very strongly favours the
    # defender) .. 4 (very strongly favours the attacker); 0 also where the record is blank.
    # Optional columns: a file without them (a battle from another source) reads as 0.
    cea: int = 0  # combat effectiveness: the builder carries it into the units' quality
    leada: int = 0  # leadership (kept for the report; not played)
    trnga: int = 0  # training (kept for the report; not played)
    morala: int = 0  # morale (kept for the report; not played)
    surpa: int = 0  # surprise (kept for the report; the engine has no surprise to play it)
    inita: int = 0  # initiative (kept for the report; not played)

    @property
    def force_ratio(self) -> float:
        """Attacker's men per defender's man at the start."""
        return self.attacker_men / self.defender_men

    @property
    def slug(self) -> str:
        """A scenario id for the battle: `cdb90_<isqno>_<name>` (`check_<name>` for the checks'
        hand-made rows, numbered 0)."""
        name = "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")
        while "__" in name:
            name = name.replace("__", "_")
        if self.isqno <= 0:  # a hand-made row of the checks (fire fight, turn length, ratio)
            return f"check_{name}"[:64].rstrip("_")
        return f"cdb90_{self.isqno}_{name}"[:64].rstrip("_")


_INTS = ("isqno", "year", "attacker_men", "attacker_losses", "defender_men", "defender_losses")
_FLOATS = ("front_km", "duration_days")
CODES = ("cea", "leada", "trnga", "morala", "surpa", "inita")  # optional, -4..4, blank = 0
_CHOICES = {"posture": POSTURES, "roughness": ROUGHNESS, "cover": COVER}


def _field(name: str, text: str, where: str) -> object:
    text = text.strip()
    if name in _INTS:
        try:
            value = int(text)
        except ValueError:
            raise DataError(f"{where}: expected a whole number, got {text!r}") from None
        if value < 0 or (name.endswith("_men") and value == 0):
            raise DataError(f"{where}: expected a positive number, got {value}")
        return value
    if name in _FLOATS:
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"{where}: expected a number, got {text!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise DataError(f"{where}: expected a number above 0, got {text!r}")
        return value
    if name in CODES:
        if not text:
            return 0  # unknown: favours neither side
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not -4 <= value <= 4:
            raise DataError(f"{where}: expected a whole number from -4 to 4 or blank, got {text!r}")
        return value
    if name == "attacker_won":
        if text not in ("1", "0", "-1"):
            raise DataError(f"{where}: expected 1 (won), 0 (draw) or -1 (lost), got {text!r}")
        return int(text)
    if name in _CHOICES:
        if text not in _CHOICES[name]:
            hint = did_you_mean(text, _CHOICES[name])
            options = ", ".join(_CHOICES[name])
            raise DataError(f"{where}: expected one of {options}, got {text!r}{hint}")
        return text
    if not text and name == "name":
        raise DataError(f"{where}: the battle needs a name")
    return text


def load_battles(path: str | Path = CDB90_FILE) -> list[Battle]:
    """Every battle of a reference file; raises DataError (`file:line:column: ...`)."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    names = [f for f in Battle.__dataclass_fields__]
    battles: list[Battle] = []
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}:1: empty; expected a header line: {','.join(names)}")
        missing = [n for n in names if n not in header and n not in CODES]
        if missing:
            raise DataError(f"{path}:1: the header lacks column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DataError(f"{path}:{line}: expected {len(header)} columns, got {len(row)}")
            cells = dict(zip(header, row, strict=True))
            values = {n: _field(n, cells[n], f"{path}:{line}:{n}") for n in names if n in cells}
            battle = Battle(**values)  # type: ignore[arg-type]
            for side in ("attacker", "defender"):
                if getattr(battle, f"{side}_losses") > getattr(battle, f"{side}_men"):
                    raise DataError(
                        f"{path}:{line}:{side}_losses: more losses than men"
                        f" ({getattr(battle, f'{side}_losses')} > {getattr(battle, f'{side}_men')})"
                    )
            battles.append(battle)
    return battles


def find_battle(battles: list[Battle], name: str) -> Battle:
    """A battle by its name, slug or isqno; raises DataError with "did you mean"."""
    wanted = name.strip().lower()
    for battle in battles:
        if wanted in (battle.name.lower(), battle.slug, str(battle.isqno)):
            return battle
    hint = did_you_mean(name, [b.name for b in battles])
    raise DataError(f"no battle named {name!r} in the reference data{hint}")
