"""How long the map editor takes to show an edit (dummy video driver), on the Furong map or on
any scenario given.

    python benchmarks/bench_editor.py [SCENARIO.yaml] [--edits 40]

An edit in the window is: the document's text change, the loader's full check of the new text
(as `wargame validate`), a fresh game state to draw from, and the terrain layer drawn again at
the current zoom (after a stroke of terrain or heights, only around the stroke). Each part is
timed on its own over alternating edits (paint the middle hex, paint it back), and the whole
round trip as the window does it (`EditorScreen.apply`), with the frame after it, both for an
edit that redraws the whole layer and for a stroke. A frame while painting (the stroke is drawn
over the map; nothing is checked until the button is let go) is timed too."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.rules.coefficients import coefficient_names  # noqa: E402
from engine.rules.turn import new_game  # noqa: E402
from engine.scenario.document import ScenarioDocument  # noqa: E402
from engine.ui import drawing  # noqa: E402
from engine.ui.app import App  # noqa: E402
from engine.ui.editor import EditorScreen  # noqa: E402

FURONG = ROOT / "scenarios" / "furong_mountain.yaml"


def ms(samples: list[float]) -> str:
    return f"{statistics.mean(samples):6.1f} ms (median {statistics.median(samples):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("scenario", nargs="?", default=str(FURONG))
    args = parser.parse_args()
    print(f"python {platform.python_version()}  {platform.machine()}  {os.cpu_count()} cores")
    names = coefficient_names()
    document = ScenarioDocument.open(args.scenario)
    data = document.data()["map"]
    cell = (data["width"] // 2, data["height"] // 2)
    here = data["terrain"].splitlines()[cell[1]][cell[0]]
    other = next(c for c in data["legend"] if c != here)
    cells = [{cell: other}, {cell: here}]  # paint a hex in the middle, then back
    app = App((1280, 720))
    parts: dict[str, list[float]] = {"edit": [], "check": [], "state": [], "terrain": []}
    for k in range(args.edits):
        started = time.perf_counter()
        document.paint_terrain(cells[k % 2])
        parts["edit"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        loaded = document.check(names).loaded
        parts["check"].append((time.perf_counter() - started) * 1000)
        assert loaded is not None
        started = time.perf_counter()
        state = new_game(loaded.scenario, 1)
        parts["state"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        drawing.render_terrain(state, drawing.Geometry(state, 15))
        parts["terrain"].append((time.perf_counter() - started) * 1000)
    for name, samples in parts.items():
        print(f"  {name:8s} {ms(samples)}")

    editor = EditorScreen(app, ScenarioDocument.open(args.scenario))
    app.show(editor)
    app.step()
    rounds, strokes, frames = [], [], []
    hexes = {editor.hex_of(cell) for cell in cells[0]}
    for k in range(args.edits):
        started = time.perf_counter()
        editor.apply("paint", lambda k=k: editor.doc.paint_terrain(cells[k % 2]))
        app.step()
        rounds.append((time.perf_counter() - started) * 1000)
    for k in range(args.edits):  # as a stroke: the terrain layer redrawn around it only
        started = time.perf_counter()
        editor.apply("paint", lambda k=k: editor.doc.paint_terrain(cells[k % 2]), hexes)
        app.step()
        strokes.append((time.perf_counter() - started) * 1000)
    editor.current.painting = True
    for k in range(args.edits * 5):
        editor.current.paint(k % editor.state.board.size)
        started = time.perf_counter()
        app.step()
        frames.append((time.perf_counter() - started) * 1000)
    print(f"an edit shown in the window: {ms(rounds)} (the whole terrain layer drawn again)")
    print(f"a stroke shown in the window: {ms(strokes)} (the layer drawn again around it)")
    stroke = len(editor.current.stroke)
    print(f"a frame while painting:      {ms(frames)} ({stroke} hexes in the stroke)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
