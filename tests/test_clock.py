"""The one rule for darkness (engine/core/clock.py): exact cases, the chart's spans agreeing with
`is_dark` everywhere, and the game asking nowhere else."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from engine import Game
from engine.core.clock import dark_spans, is_dark, night_turns, turn_middle

ROOT = Path(__file__).resolve().parent.parent
START = datetime(1944, 6, 1, 6, 0)


def test_darkness_over_midnight_and_within_a_day() -> None:
    evening, morning = time(19, 30), time(5, 30)
    assert is_dark(time(19, 30), evening, morning)
    assert is_dark(datetime(1944, 6, 1, 2, 0), evening, morning)
    assert not is_dark(time(5, 30), evening, morning)
    assert not is_dark(time(12, 0), evening, morning)
    assert is_dark(time(2, 0), time(1, 0), time(4, 0))
    assert not is_dark(time(5, 0), time(1, 0), time(4, 0))
    assert not is_dark(time(3, 0), time(3, 0), time(3, 0))  # no darkness at all


def test_a_turn_is_judged_at_its_middle() -> None:
    assert turn_middle(START, 120, 0) == datetime(1944, 6, 1, 7, 0)
    assert turn_middle(START, 120, 7) == datetime(1944, 6, 1, 21, 0)
    # turns of two hours from 06:00: the one from 18:00 has its middle at 19:00, still day
    assert night_turns(START, 120, 13, time(19, 30), time(5, 30)) == [False] * 7 + [True] * 5 + [
        False
    ]


def test_dark_spans_exact() -> None:
    spans = dark_spans(START, 48, time(19, 30), time(5, 30))
    assert spans == [(13.5, 23.5), (37.5, 47.5)]
    late = datetime(1944, 6, 1, 23, 0)  # starting in the dark: the night already begun
    assert dark_spans(late, 10, time(19, 30), time(5, 30)) == [(0.0, 6.5)]
    assert dark_spans(START, 48, time(3, 0), time(3, 0)) == []


@given(
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 72 * 60),
)
@example(0, 0, 110, 110)  # found by CI: 1 + 50/60 != 110/60 in floating point
def test_dark_spans_agree_with_is_dark(start_min: int, a_min: int, b_min: int, at: int) -> None:
    start = datetime(1944, 6, 1) + timedelta(minutes=start_min)
    starts, ends = time(a_min // 60, a_min % 60), time(b_min // 60, b_min % 60)
    hours = 72.0
    moment = at / 60
    inside = any(a <= moment < b for a, b in dark_spans(start, hours, starts, ends))
    if moment < hours:
        assert inside == is_dark(start + timedelta(minutes=at), starts, ends)


def test_the_game_and_its_charts_ask_the_one_rule() -> None:
    game = Game.load(ROOT / "scenarios" / "furong_mountain.yaml", seed=1)
    state, clock = game.state, game.scenario.clock
    for turn in range(clock.turns + 3):
        middle = turn_middle(clock.start, clock.turn_minutes, turn)
        assert state.night_of(turn) == is_dark(middle, clock.darkness.starts, clock.darkness.ends)
    # no other module of the engine compares times of day with the darkness's ends
    pattern = re.compile(r"darkness\.(starts|ends)\s*[<>]|[<>]=?\s*darkness\.(starts|ends)")
    for path in (ROOT / "engine").rglob("*.py"):
        if path.name != "clock.py":
            assert not pattern.search(path.read_text(encoding="utf-8")), path
