"""The schedule's presentation helpers: typed times and weekdays, the server's instants on the location's clock,
and the grid laid out from a day's answer (no Textual, no gateway)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from client_tui import schedule_values as sv
from client_tui.calendar_layout import Column, column_data, lay_out
from client_tui.typed_values import UnreadableValue
from shared.pms.scheduling.v1 import appointments_pb2 as ap

NY = sv.zone_of("America/New_York")


@pytest.mark.parametrize(("typed", "minute"), [
    ("9", 540), ("9:30", 570), ("0930", 570), ("2pm", 840), ("2:15 PM", 855), ("12am", 0), ("12 pm", 720),
    ("14:00", 840), ("", None), ("24:00", 1440),
])
def test_times_are_read_as_typed_at_a_desk(typed: str, minute: int | None) -> None:
    assert sv.minute_of_day_from_text(typed) == minute


@pytest.mark.parametrize("typed", ["half past nine", "25:00", "9:75", "13pm"])
def test_unreadable_times_say_how_to_type_them(typed: str) -> None:
    with pytest.raises(UnreadableValue, match="HH:MM"):
        sv.minute_of_day_from_text(typed)


def test_weekdays_by_name_range_or_number() -> None:
    assert sv.weekdays_from_text("Mon Wed fri") == [1, 3, 5]
    assert sv.weekdays_from_text("mon-thu") == [1, 2, 3, 4]
    assert sv.weekdays_from_text("fri-mon") == [1, 5, 6, 7]
    assert sv.weekdays_from_text("1, 3,5") == [1, 3, 5]
    assert sv.weekdays_from_text("") == []
    with pytest.raises(UnreadableValue):
        sv.weekdays_from_text("Mon Funday")


def test_a_picked_time_becomes_the_instant_the_server_reads() -> None:
    assert sv.local_instant(date(2026, 11, 3), 11 * 60, NY) == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    # Spring forward: 02:30 does not exist in New York on 03/08/2026; like the server, it moves past the gap.
    assert sv.local_instant(date(2026, 3, 8), 150, NY) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_lost_race_is_read_from_the_error_details() -> None:
    metadata = {
        "conflict_starts_at": "2026-11-03T16:00:00+00:00",
        "conflict_ends_at": "2026-11-03T16:15:00+00:00",
        "next_free": "2026-11-03T16:15:00+00:00,not a time,2026-11-03T16:30:00Z",
    }
    assert sv.conflict_text(metadata, NY) == "11:00 to 11:15"
    assert [sv.slot_text(t, NY) for t in sv.offered_slots(metadata)] == ["Tue 11/03 11:15", "Tue 11/03 11:30"]
    assert sv.offered_slots({}) == [] and sv.conflict_text({}, NY) == ""


def block(provider_id: int, start: str, end: str, kind: str, note: str = "") -> ap.DayBlock:
    def at(clock: str) -> datetime:
        return datetime.fromisoformat(f"2026-11-03T{clock}").replace(tzinfo=NY)

    return ap.DayBlock(provider_id=provider_id, starts_at=sv.timestamp(at(start)), ends_at=sv.timestamp(at(end)),
                       kind=kind, note=note)


def test_the_grid_covers_the_template_hours_and_time_off_does_not_stretch_them() -> None:
    day = date(2026, 11, 3)
    answer = ap.GetDayScheduleResponse(
        time_zone="America/New_York",
        provider_ids=[1],
        blocks=[
            block(1, "08:10", "12:00", "available"),
            block(1, "00:00", "23:59", "exception", "vacation"),
        ],
        appointments=[ap.Appointment(appointment_id=7, provider_id=1, local_start="2026-11-03T12:30",
                                     local_end="2026-11-03T13:00", status=ap.APPOINTMENT_STATUS_SCHEDULED)],
    )
    layout = lay_out([column_data(Column(1, day, "Lee"), answer, NY)], NY)
    assert (layout.minutes[0], layout.minutes[-1]) == (8 * 60, 12 * 60 + 45)  # the block, floored; the appointment
    first = layout.cell(0, 0)
    assert first is not None and (first.kind, first.first_row, first.note) == ("exception", True, "vacation")
    booked = layout.cell(layout.minutes.index(12 * 60 + 30), 0)
    assert booked is not None and booked.kind == "booked" and booked.first_row
    assert layout.find(7) == (layout.minutes.index(12 * 60 + 30), 0)
