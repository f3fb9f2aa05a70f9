"""Direct fire on routed units that have broken contact (engine/rules/fire.py, `broke_contact`),
the cause traced on the reference bench (docs/reference.md, issue 16's third pass): a routed unit
in a hex wider than the firer's weapon range is out of its aimed fire, unless it is trapped; in
hexes no wider than the range nothing changes."""

from __future__ import annotations

from test_rules_exact import BLUE, RED, battle, stubbed, unit
from test_rules_exact import draws as draws  # the fixture: every draw_casualties call

from engine.core.events import Fired
from engine.rules.fire import broke_contact, direct_fire
from engine.rules.turn import coefficients_of


def _fire(state) -> list[Fired]:
    stubbed(state)
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    return [e for e in events if isinstance(e, Fired)]


def _adjacent(hex_size_m: float, **more):
    """Red's 40 riflemen (400 m) next to Blue's 30 on a 7 x 3 board of hexes `hex_size_m` wide."""
    units = [unit("red_1", "red", (1, 1), men=40), unit("blue_1", "blue", (2, 1))]
    return battle(units=units, hex_size_m=hex_size_m, **more)


def test_a_routed_unit_in_a_wide_hex_is_no_target(draws) -> None:
    state = _adjacent(1000)  # 1 km hexes: the rifles reach the next hex only by the minimum
    assert [e.target for e in _fire(state)] == ["blue_1", "red_1"]  # lines in contact
    state.units.routed[BLUE] = True  # Blue routed last turn and runs for its rear
    assert broke_contact(state) == {BLUE}
    fired = _fire(state)
    assert [(e.unit, e.target) for e in fired] == []  # Red has no target; Blue does not fire


def test_in_hexes_within_the_range_a_routed_unit_is_still_shot(draws) -> None:
    state = _adjacent(100)  # 100 m hexes: 400 m rifles reach four hexes
    state.units.routed[BLUE] = True
    assert broke_contact(state) == {BLUE}  # free to run, but still within 400 m
    assert [(e.unit, e.target) for e in _fire(state)] == [("red_1", "blue_1")]


def test_a_trapped_routed_unit_stays_in_contact(draws) -> None:
    """Blue at the map's corner with Red on its only ways out: it cannot run, it is shot."""
    units = [
        unit("red_1", "red", (1, 0), men=40),
        unit("blue_1", "blue", (0, 0)),
        unit("red_2", "red", (0, 1), men=40),
        unit("red_3", "red", (1, 1), men=40),
    ]
    state = battle(units=units, hex_size_m=1000)
    state.units.routed[BLUE] = True
    assert broke_contact(state) == set()
    targets = {e.target for e in _fire(state) if e.unit.startswith("red")}
    assert targets == {"blue_1"}


def test_not_routed_no_change(draws) -> None:
    """Without a routed unit the fire is what it was: same targets, same expectations."""
    wide = _adjacent(1000)
    fired = _fire(wide)
    assert broke_contact(wide) == set()
    assert {(e.unit, e.target) for e in fired} == {("red_1", "blue_1"), ("blue_1", "red_1")}
    assert not wide.units.routed[RED] and not wide.units.routed[BLUE]
