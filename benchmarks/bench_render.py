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

Then the odds preview (`PlayScreen.hover_odds`, the box under the cursor when a new hex is
hovered): a bombardment by the battalion's mortars, aimed fire at two hexes and an assault on the
next hex, each hovered afresh many times; an assault's tries run a slice per frame, so its first
frame and the time until all its tries are done are given apart. The aim is under 8 ms.
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
    odds_preview(play)
    return 0


def odds_preview(play, repeats: int = 20) -> None:
    """Time the odds box of a freshly hovered hex for each kind of preview (see the docstring).
    Units are put where each preview applies (the benchmark's copy of the game only)."""
    state = play.state
    u, board = state.units, state.board
    target = u.ids.index("ija_2nd_bn")
    there = int(u.hex[target])
    ring1 = [h for h in board.neighbors[there] if not state.units_at(h)]
    ring2 = [
        h for h in range(board.size) if board.distance(h, there) == 2 and not state.units_at(h)
    ]
    u.hex[u.ids.index("roc_1st_company")] = ring1[0]
    u.hex[u.ids.index("roc_2nd_company")] = ring2[0]
    play.view.invalidate()

    cpus: list[float] = []  # the processor's time: the wall's, less the other processes' turns

    def hovered(unit_id: str) -> tuple[list[float], object]:
        play.select(u.ids.index(unit_id))
        play.hover = there
        times, shown = [], None
        for _ in range(repeats):
            play._odds_key = None
            t, cpu = time.perf_counter(), time.thread_time()
            shown = play.hover_odds()
            times.append((time.perf_counter() - t) * 1000)
            cpus.append((time.thread_time() - cpu) * 1000)
        return times, shown

    for unit_id, kind in (
        ("roc_bn_hq", "bombardment"),
        ("roc_2nd_company", "aimed fire"),
        ("roc_1st_company", "assault, first frame"),
    ):
        cpus.clear()
        times, shown = hovered(unit_id)
        headline = shown[-1].headline if shown else "(none)"
        print(
            f"odds preview, {kind}: mean {statistics.mean(times):.2f} ms, median"
            f" {statistics.median(times):.2f} ms, max {max(times):.2f} ms;"
            f" processor time mean {statistics.mean(cpus):.2f} ms ({headline})"
        )
    t = time.perf_counter()
    frames = 1
    while not play.hover_odds()[-1].done:
        frames += 1
    total = (time.perf_counter() - t) * 1000 + statistics.mean(times)
    print(
        f"odds preview, assault complete: {play.hover_odds()[-1].headline}"
        f" in {total:.0f} ms over {frames} frames (aim per frame: under 8 ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
