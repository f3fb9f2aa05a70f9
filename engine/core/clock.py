"""The one answer to "is it dark": the hours of darkness of a scenario's clock, and the rule that
a turn is a night turn when its middle falls in them.

The rules, the computer player, the window's fog, night tint and charts, and the batch report's
night bands all ask here (through `GameState.is_night` in a game), so that a change of the rule
(say, judging a turn by its start) is made once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta


def is_dark(moment: datetime | time, starts: time, ends: time) -> bool:
    """Whether `moment` (its time of day) is in the darkness from `starts` to `ends`: over
    midnight when `starts` is later than `ends` (19:30 to 05:30), within the day otherwise; never
    when the two are the same."""
    now = moment.time() if isinstance(moment, datetime) else moment
    if starts > ends:
        return now >= starts or now < ends
    return starts <= now < ends


def turn_middle(start: datetime, turn_minutes: float, turn: int) -> datetime:
    """The middle of turn `turn` (0 is the first) of a clock starting at `start`: the moment that
    decides whether the turn is fought by night."""
    return start + timedelta(minutes=turn_minutes * turn) + timedelta(minutes=turn_minutes / 2)


def night_turns(
    start: datetime, turn_minutes: float, turns: int, starts: time, ends: time
) -> list[bool]:
    """Darkness of each of turns 0 .. turns-1 (a list of bools)."""
    return [
        is_dark(turn_middle(start, turn_minutes, t), starts, ends) for t in range(max(turns, 0))
    ]


def dark_spans(
    start: datetime, hours: float, starts: time, ends: time
) -> list[tuple[float, float]]:
    """The spans of darkness between `start` and `hours` later, in hours from `start` (clipped
    to that window): the same darkness `is_dark` answers for, as bands for a chart."""
    if starts == ends:
        return []
    # Counted in whole seconds and divided once at the end, so that a span's edge is the very
    # float `moment / 60` a caller compares it with (1 + 50/60 is not 110/60 in floating point).
    a_seconds = starts.hour * 3600 + starts.minute * 60 + starts.second
    b_seconds = ends.hour * 3600 + ends.minute * 60 + ends.second
    if b_seconds <= a_seconds:
        b_seconds += 24 * 3600  # over midnight: ends the next morning
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    spans = []
    day = -1  # the darkness that began the evening before the start may still be on
    while True:
        base_seconds = (midnight + timedelta(days=day) - start) // timedelta(seconds=1)
        if base_seconds / 3600 > hours:
            break
        a = (base_seconds + a_seconds) / 3600
        b = (base_seconds + b_seconds) / 3600
        if b > 0 and a < hours:
            spans.append((max(a, 0.0), min(b, hours)))
        day += 1
    return spans
