"""Where the files the engine ships beside its code are: the scenarios and their what-if
overlays, the window's font, the scenario format's JSON Schema.

The repository keeps them at its top level (scenarios/, assets/, docs/), where authors edit them.
A wheel cannot install top-level folders, so the build (setup.py) copies them into the package as
engine/_bundled/ with the same relative layout: the shipped scenarios' modeline
`$schema=../docs/scenario.schema.json` resolves inside the installed package as in the checkout.
This module finds them through importlib.resources: engine/_bundled/ when it exists (an installed
wheel, `pip install .`, pipx), else the folders beside the package (a checkout or an editable
install). Everything that needs one of these files asks here; nothing else builds a path to them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUNDLED = "_bundled"  # the folder inside the package that a wheel's build fills (setup.py)
FONT = Path("assets", "fonts", "NotoSansCJKsc-Subset.otf")
SCHEMA = Path("docs", "scenario.schema.json")


def data_root() -> Path | None:
    """The folder that holds scenarios/, assets/ and docs/: the package's own copy in an installed
    wheel, else the repository around the package; None when neither is on this machine."""
    package = files("engine")
    if not isinstance(package, Path):  # imported from a zip: no folder to hand to pygame or a list
        return None
    bundled = package / BUNDLED
    if bundled.is_dir():
        return bundled
    checkout = package.parent
    if (checkout / "scenarios").is_dir() or (checkout / "assets").is_dir():
        return checkout
    return None


def _shipped(relative: Path) -> Path | None:
    root = data_root()
    if root is None:
        return None
    path = root / relative
    return path if path.exists() else None


def scenarios_folder() -> Path | None:
    """The folder of the shipped scenarios (each *.yaml directly in it is one battle)."""
    return _shipped(Path("scenarios"))


def variants_folder() -> Path | None:
    """The shipped what-if overlays (scenarios/variants/)."""
    return _shipped(Path("scenarios", "variants"))


def font_file() -> Path | None:
    """The window's font (Noto Sans CJK SC, subset: Latin, Chinese and kana), or None if missing."""
    return _shipped(FONT)


def scenario_schema_file() -> Path | None:
    """docs/scenario.schema.json, which a new scenario's modeline points the editor to."""
    return _shipped(SCHEMA)


def scenario_folders(cwd: Path | None = None) -> list[Path]:
    """Where to look for scenarios when none is named: ./scenarios when there is one, then the
    shipped ones; one folder once (in a checkout's root the two are the same)."""
    found: list[Path] = []
    local = (cwd or Path.cwd()) / "scenarios"
    for folder in (local if local.is_dir() else None, scenarios_folder()):
        if folder is not None and all(folder.resolve() != f.resolve() for f in found):
            found.append(folder)
    return found


def locate_scenario(name: str | Path, beside: Path | None = None) -> Path:
    """The scenario file a save or a game log names: `name` itself when it is there, else a file
    of its name beside the log (`beside`), in ./scenarios, then among the shipped scenarios (a
    path relative to where the game was played, or a log moved to another machine); `name`
    unchanged when none has it (the caller's error then names it)."""
    path = Path(name)
    if path.exists():
        return path
    for folder in (beside, Path.cwd() / "scenarios", scenarios_folder()):
        if folder is not None and (folder / path.name).exists():
            return folder / path.name
    return path
