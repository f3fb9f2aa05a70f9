"""Frame time of the play screen on the Furong Mountain map, with the dummy video driver.

    python benchmarks/bench_render.py [--frames 600] [--size 1280x720]

Each frame is a whole `App.step`: events, pygame_gui update, the map (static layer, highlights,
orders, counters), the side panel, the header and the odds under the cursor. A unit is selected
(so its reachable hexes and targets are lit), the cursor moves over the map and the map pans every
frame. The aim is under 8 ms a frame.

Every 70 frames a zoom step (in, in, out, out, out, out, in, in: four sizes new to the game, four
seen before): the frame of the step is timed as "zoom step" (aim: 16 ms, one frame at 60 Hz). A
size not drawn yet is shown scaled from the last whole layer until the zooming stops
(mapview.SETTLE_FRAMES frames); those frames and the two that then draw the new size
are timed apart ("frames while a zoom settles": the scaled frames, the frame that draws the new
size's terrain and the one that draws its works, names, fog and night). None of them is counted
among the frames.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402

from engine.rules.coefficients import coefficient_names  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402
from engine.ui.app import App  # noqa: E402
from engine.ui.screens import PlayScreen  # noqa: E402
from engine.ui.session import Session  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    loaded = load_scenario(
        ROOT / "scenarios" / "furong_mountain.yaml", coefficient_names=coefficient_names()
    )
    app = App((width, height), save_dir=Path("/nonexistent"))
    started = time.perf_counter()
    session = Session(loaded, seed=1, humans=(True, False), fog=True)
    play = PlayScreen(app, session)
    app.show(play)
    play.begin_orders()
    setup = time.perf_counter() - started
    u = session.state.units
    play.select(u.ids.index("roc_1st_company"))
    play.view.center_on(session.state.board.index(14, 13))

    def move(k: int) -> None:
        x = play.view.rect.x + 100 + (k * 7) % (play.view.rect.width - 200)
        y = play.view.rect.y + 100 + (k * 3) % (play.view.rect.height - 200)
        pygame.event.post(
            pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(0, 0), buttons=(0, 0, 0))
        )

    for k in range(30):  # warm-up: layers, counters, fonts
        move(k)
        app.step(1 / 60)

    frames: list[float] = []
    zooms: list[float] = []
    settles: list[float] = []
    steps = [1, 1, -1, -1, -1, -1, 1, 1]
    for k in range(args.frames):
        if k and k % 70 == 0 and k // 70 <= len(steps):
            t = time.perf_counter()
            play.view.zoom(steps[k // 70 - 1])
            app.step(1 / 60)
            zooms.append(time.perf_counter() - t)
            continue
        move(k)
        play.view.pan(2 if (k // 50) % 2 else -2, 1 if (k // 70) % 2 else -1)
        settling = not play.view.settled
        t = time.perf_counter()
        app.step(1 / 60)
        spent = time.perf_counter() - t
        (settles if settling else frames).append(spent)

    ms = sorted(f * 1000 for f in frames)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"bench_render: Furong Mountain {width}x{height}, {len(ms)} frames, dummy driver")
    print(f"frame time: mean {statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms,")
    print(f"            95th percentile {p95:.2f} ms, max {ms[-1]:.2f} ms (aim: under 8 ms)")
    if zooms:
        z = [x * 1000 for x in zooms]
        print(f"zoom step: mean {statistics.mean(z):.1f} ms, max {max(z):.1f} ms (aim: 16 ms)")
    if settles:
        z = [x * 1000 for x in settles]
        print(
            f"frames while a zoom settles ({len(z)}: the scaled picture, then the new size's"
            f" terrain, then its layer): mean {statistics.mean(z):.1f} ms, max {max(z):.1f} ms"
        )
    print(f"new game and first look (fog of war): {setup * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
