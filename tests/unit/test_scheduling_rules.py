"""Pure scheduling rules: NPI check digits, the transition table, local time across DST, open time and slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.errors import FieldErrors, RuleViolation
from server.scheduling import rules, slots

NY = ZoneInfo("America/New_York")
LOC = 1
ZONES = {LOC: NY}


def test_npi_check_digit() -> None:
    assert rules.npi_is_valid("1234567893")  # the CMS example
    assert not rules.npi_is_valid("1234567890")
    assert not rules.npi_is_valid("123456789")
    assert not rules.npi_is_valid("12345678a3")
    assert all(rules.npi_is_valid(f"1{n:08d}" + str(rules.npi_check_digit(f"1{n:08d}"))) for n in range(200))


def test_taxonomy_pos_and_time_zone() -> None:
    assert rules.taxonomy_is_valid("207Q00000X") and not rules.taxonomy_is_valid("207Q00000")
    assert rules.place_of_service_is_valid("11") and not rules.place_of_service_is_valid("00")
    errors = FieldErrors()
    rules.time_zone(errors, "tz", "America/Chicago")
    rules.time_zone(errors, "tz2", "Central")
    assert [v.field for v in errors.violations] == ["tz2"]


@pytest.mark.parametrize("current", rules.STATUSES)
@pytest.mark.parametrize("wanted", rules.STATUSES)
def test_transition_table(current: str, wanted: str) -> None:
    if wanted in rules.TRANSITIONS[current]:
        rules.check_transition(current, wanted)
    else:
        with pytest.raises(RuleViolation) as info:
            rules.check_transition(current, wanted)
        assert info.value.reason == "TRANSITION_NOT_ALLOWED"


def test_every_status_is_reachable_from_scheduled() -> None:
    seen, todo = {"scheduled"}, ["scheduled"]
    while todo:
        for nxt in rules.TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(rules.STATUSES)


def test_local_time_across_daylight_saving() -> None:
    # 9:00 stays 9:00 local; the UTC hour moves.
    assert rules.local_datetime(date(2027, 3, 13), 540, NY).astimezone(UTC).hour == 14
    assert rules.local_datetime(date(2027, 3, 15), 540, NY).astimezone(UTC).hour == 13
    # 2:30 does not exist on 14 March 2027: it becomes 3:30 EDT.
    gap = rules.local_datetime(date(2027, 3, 14), 150, NY)
    assert gap.astimezone(NY).strftime("%H:%M") == "03:30"
    # 1:30 happens twice on 7 November 2027: the first (EDT) one.
    twice = rules.local_datetime(date(2027, 11, 7), 90, NY)
    assert twice.astimezone(UTC).hour == 5


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return rules.local_datetime(day, hh * 60 + mm, NY)


MONDAY = date(2027, 1, 4)


def _doctor(**kw: object) -> slots.ProviderDay:
    blocks = [slots.Block(7, LOC, 1, 9 * 60, 12 * 60, "available"),
              slots.Block(7, LOC, 1, 13 * 60, 17 * 60, "available", (5,)),
              slots.Block(7, LOC, 1, 10 * 60, 10 * 60 + 30, "admin")]
    return slots.ProviderDay(7, blocks, **kw)  # type: ignore[arg-type]


def test_open_time_cuts_out_admin_blocks_time_off_and_types() -> None:
    doctor = _doctor(time_off=[(_at(MONDAY, 11), _at(MONDAY, 11, 30))])
    opened = [(o.starts_at.astimezone(NY).strftime("%H:%M"), o.ends_at.astimezone(NY).strftime("%H:%M"))
              for o in slots.open_time(doctor, MONDAY, ZONES, appointment_type_id=9)]
    assert opened == [("09:00", "10:00"), ("10:30", "11:00"), ("11:30", "12:00")]  # the afternoon takes type 5 only
    assert len(slots.open_time(doctor, MONDAY, ZONES, appointment_type_id=5)) == 4
    assert slots.open_time(doctor, MONDAY + timedelta(days=1), ZONES, 9) == []
    assert slots.fits(doctor, MONDAY, ZONES, 9, LOC, _at(MONDAY, 9, 30), _at(MONDAY, 10))
    assert not slots.fits(doctor, MONDAY, ZONES, 9, LOC, _at(MONDAY, 9, 45), _at(MONDAY, 10, 15))
    assert not slots.fits(doctor, MONDAY, ZONES, 9, 2, _at(MONDAY, 9, 30), _at(MONDAY, 10))


def test_find_slots_skips_bookings_half_open_and_keeps_the_grid() -> None:
    doctor = _doctor(booked=[(_at(MONDAY, 9), _at(MONDAY, 9, 20))])
    q = slots.SlotQuery(9, timedelta(minutes=15), MONDAY, MONDAY, limit=50)
    found = [s.starts_at.astimezone(NY).strftime("%H:%M") for s in slots.find_slots(q, [doctor], ZONES)]
    # 9:00 and 9:15 overlap the booking; 9:30 is the next grid point; 9:45 ends exactly at the admin block.
    assert found[:3] == ["09:30", "09:45", "10:30"]
    assert "10:00" not in found and found[-1] == "11:45"


def test_find_slots_orders_across_providers_and_honours_preferences() -> None:
    a = slots.ProviderDay(1, [slots.Block(1, LOC, d, 9 * 60, 10 * 60, "available") for d in range(1, 8)])
    b = slots.ProviderDay(2, [slots.Block(2, LOC, d, 8 * 60, 9 * 60 + 30, "available") for d in range(1, 8)])
    q = slots.SlotQuery(9, timedelta(minutes=30), MONDAY, MONDAY + timedelta(days=6), limit=4,
                        weekdays=frozenset({3}), earliest_minute=9 * 60)
    found = slots.find_slots(q, [a, b], ZONES)
    assert [(s.provider_id, s.starts_at.astimezone(NY).strftime("%a %H:%M")) for s in found] == [
        (1, "Wed 09:00"), (2, "Wed 09:00"), (1, "Wed 09:15"), (1, "Wed 09:30")]


def test_find_slots_needs_every_resource_free() -> None:
    doctor = slots.ProviderDay(1, [slots.Block(1, LOC, 1, 9 * 60, 10 * 60, "available")])
    room_busy = {40: [(_at(MONDAY, 9), _at(MONDAY, 9, 45))]}
    q = slots.SlotQuery(9, timedelta(minutes=15), MONDAY, MONDAY)
    found = slots.find_slots(q, [doctor], ZONES, room_busy, {LOC: (40,)})
    assert [s.starts_at.astimezone(NY).strftime("%H:%M") for s in found] == ["09:45"]


def test_busy_times_sees_a_long_interval_behind_short_ones() -> None:
    busy = slots.BusyTimes([(_at(MONDAY, 8), _at(MONDAY, 12))] +
                           [(_at(MONDAY, 8, m), _at(MONDAY, 8, m + 5)) for m in range(0, 50, 5)])
    assert busy.overlaps(_at(MONDAY, 11), _at(MONDAY, 11, 15))
    assert not busy.overlaps(_at(MONDAY, 12), _at(MONDAY, 12, 15))
