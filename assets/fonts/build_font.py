"""Rebuild assets/fonts/NotoSansCJKsc-Subset.otf from the full Noto Sans CJK font.

    apt-get install -y fonts-noto-cjk      # Debian/Ubuntu: the full font (about 20 MB)
    python assets/fonts/build_font.py      # writes the subset (about 2 MB) beside this file

The subset keeps ASCII and Latin-1, general and CJK punctuation, fullwidth forms, kana, the 3,755
hanzi of GB 2312 level 1 (the most common characters, as fixed by that standard) and every
character that any scenario under scenarios/ uses, so a new scenario's names only need a rerun.
The font is licensed under the SIL Open Font License 1.1 (OFL.txt beside it).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
OUTPUT = HERE / "NotoSansCJKsc-Subset.otf"


def gb2312_level1() -> set[str]:
    """The 3,755 first-level hanzi of GB 2312: rows 16-55 of the standard."""
    found = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                found.add(bytes([row, cell]).decode("gb2312"))
    return found


def characters() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x180)}
    for start, end in (
        (0x2000, 0x206F),  # general punctuation (dashes, quotes, ellipsis)
        (0x2190, 0x21FF),  # arrows
        (0x2500, 0x257F),  # box drawing
        (0x25A0, 0x25FF),  # geometric shapes
        (0x2713, 0x2718),  # check and cross marks
        (0x3000, 0x303F),  # CJK punctuation
        (0x3040, 0x30FF),  # hiragana, katakana
        (0xFF00, 0xFFEF),  # fullwidth forms
    ):
        chars |= {chr(c) for c in range(start, end + 1)}
    chars |= gb2312_level1()
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        chars |= set(path.read_text(encoding="utf-8"))
    return {c for c in chars if c.isprintable() or c == " "}


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} not found: apt-get install -y fonts-noto-cjk", file=sys.stderr)
        return 1
    collection = TTCollection(str(SOURCE))
    number = next(i for i, f in enumerate(collection.fonts) if f["name"].getDebugName(4) == FACE)
    font = collection.fonts[number]
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["kern", "liga", "vert", "locl"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    wanted = characters()
    subsetter.populate(unicodes=[ord(c) for c in wanted])
    subsetter.subset(font)
    font.save(str(OUTPUT))
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(wanted)} characters, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
