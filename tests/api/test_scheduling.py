"""Scheduling over mutual TLS: set-up validation, booking, the template, overbooking, lost races, moves, cancels,
the visit's transition table, the day view, find-slot and daylight-saving time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from server.scheduling import rules
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2 as su
from tests.api.test_patients import logged_in, register
from tests.builders import a_location, a_patient, a_provider, an_appointment_type, weekday_blocks
from tests.support import Client, RunningServer, fails, status_details

NY = ZoneInfo("America/New_York")
_serials = itertools.count(100)


def at(day: date, hh: int, mm: int = 0, zone: ZoneInfo = NY) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone).astimezone(UTC))
    return out


def error_info(err: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    st = rpc_status.from_call(err)  # type: ignore[arg-type]
    assert st is not None
    for d in st.details:
        if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            d.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo")


def next_weekday(iso: int, after: date = date(2027, 1, 1)) -> date:
    return after + timedelta(days=(iso - after.isoweekday()) % 7)


@pytest.fixture(scope="module")
async def manager(server: RunningServer) -> Client:
    c = await logged_in(server, "sched-boss", ["manager"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def desk(server: RunningServer) -> Client:
    c = await logged_in(server, "sched-desk", ["front_desk"])
    yield c  # type: ignore[misc]
    await c.close()


@dataclass
class Practice:
    location_id: int
    follow_up: int
    new_patient: int
    procedure: int
    room_id: int


@pytest.fixture(scope="module")
async def practice(manager: Client) -> Practice:
    loc = (await manager.setup.SaveLocation(su.SaveLocationRequest(location=a_location()),
                                            metadata=manager.md)).location
    room = (await manager.setup.SaveResource(su.SaveResourceRequest(resource=su.Resource(
        location_id=loc.location_id, name="Procedure room", kind=su.RESOURCE_KIND_ROOM, active=True)),
        metadata=manager.md)).resource
    types = {}
    for t in (an_appointment_type("Follow-up", 15), an_appointment_type(
            "New patient", 30, "green", eligibility=su.PATIENT_ELIGIBILITY_NEW),
            an_appointment_type("Procedure", 30, "orange", resource_ids=[room.resource_id])):
        types[t.name] = (await manager.setup.SaveAppointmentType(su.SaveAppointmentTypeRequest(appointment_type=t),
                                                                 metadata=manager.md)).appointment_type
    return Practice(loc.location_id, types["Follow-up"].appointment_type_id,
                    types["New patient"].appointment_type_id, types["Procedure"].appointment_type_id,
                    room.resource_id)


async def a_provider_with_week(manager: Client, practice: Practice, last: str = "House",
                               **block_fields: object) -> int:
    made = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider(
        "Greg", last, serial=next(_serials))), metadata=manager.md)).provider
    await manager.setup.SetTemplate(su.SetTemplateRequest(
        provider_id=made.provider_id, template_version=made.template_version,
        blocks=weekday_blocks(practice.location_id, days=range(1, 8), **block_fields)), metadata=manager.md)
    return made.provider_id


async def a_patient_id(desk: Client, first: str = "Pat") -> int:
    n = next(_serials)
    last = "Sched" + "".join(chr(ord("a") + int(d)) for d in str(n))  # names are letters only
    born = date(1950, 1, 1) + timedelta(days=n * 37)
    made = await register(desk, a_patient(first, last, born))
    assert made.patient.patient_id, "registration stopped at possible duplicates"
    return made.patient.patient_id


def booking(patient_id: int, provider_id: int, practice: Practice, when: Timestamp, **fields: object
            ) -> ap.BookAppointmentRequest:
    return ap.BookAppointmentRequest(patient_id=patient_id, provider_id=provider_id,
                                     location_id=practice.location_id,
                                     appointment_type_id=fields.pop("appointment_type_id", practice.follow_up),
                                     starts_at=when, **fields)  # type: ignore[arg-type]


async def book(client: Client, req: ap.BookAppointmentRequest) -> ap.Appointment:
    return (await client.appointments.BookAppointment(req, metadata=client.md, timeout=10)).appointment


# -- set-up -------------------------------------------------------------------------------------------
async def test_setup_names_every_bad_field(manager: Client, practice: Practice) -> None:
    bad = a_provider("", "Who", serial=5)
    bad.npi, bad.taxonomy_code = "1234567890", "family"
    err = await fails(manager.setup.SaveProvider(su.SaveProviderRequest(provider=bad), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {"provider.first_name", "provider.npi",
                                                       "provider.taxonomy_code"}
    err = await fails(manager.setup.SaveLocation(su.SaveLocationRequest(location=a_location(
        "Annex", "Mars/Olympus", place_of_service="1")), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {"location.time_zone", "location.place_of_service"}
    err = await fails(manager.setup.SaveAppointmentType(su.SaveAppointmentTypeRequest(
        appointment_type=an_appointment_type("Odd", 7, "plaid", resource_ids=[999999])), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {"appointment_type.default_minutes", "appointment_type.color",
                                                       "appointment_type.resource_ids"}
    # The same NPI twice is refused on the field.
    first = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider(serial=77)),
                                              metadata=manager.md)).provider
    err = await fails(manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider("Other", serial=77)),
                                                 metadata=manager.md))
    assert status_details(err)[1] == [("provider.npi", "another provider has this NPI")]
    # Stale edit.
    first.credentials = "DO"
    await manager.setup.SaveProvider(su.SaveProviderRequest(provider=first), metadata=manager.md)
    err = await fails(manager.setup.SaveProvider(su.SaveProviderRequest(provider=first), metadata=manager.md))
    assert err.code() == grpc.StatusCode.ABORTED


async def test_template_refuses_overlapping_available_blocks(manager: Client, practice: Practice) -> None:
    made = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider(serial=next(_serials))),
                                             metadata=manager.md)).provider
    blocks = weekday_blocks(practice.location_id, days=range(1, 2)) + weekday_blocks(
        practice.location_id, days=range(1, 2), start=16 * 60, end=18 * 60, lunch=None)
    err = await fails(manager.setup.SetTemplate(su.SetTemplateRequest(
        provider_id=made.provider_id, blocks=blocks, template_version=made.template_version), metadata=manager.md))
    assert status_details(err)[1] == [("blocks[2]", "overlaps blocks[0]: a provider is in one place at a time")]
    # A later effective period may overlap in time of day: the dates do not.
    blocks[2].effective_from.CopyFrom(dates.to_pb(date(2027, 6, 1)))
    blocks[0].effective_until.CopyFrom(dates.to_pb(date(2027, 5, 31)))
    saved = await manager.setup.SetTemplate(su.SetTemplateRequest(
        provider_id=made.provider_id, blocks=blocks, template_version=made.template_version), metadata=manager.md)
    assert saved.template_version == made.template_version + 1 and len(saved.blocks) == 3
    err = await fails(manager.setup.SetTemplate(su.SetTemplateRequest(
        provider_id=made.provider_id, blocks=blocks, template_version=made.template_version), metadata=manager.md))
    assert err.code() == grpc.StatusCode.ABORTED


async def test_front_desk_reads_setup_but_cannot_change_it(desk: Client, practice: Practice) -> None:
    types = await desk.setup.ListAppointmentTypes(su.ListAppointmentTypesRequest(), metadata=desk.md)
    assert {t.name for t in types.appointment_types} >= {"Follow-up", "New patient", "Procedure"}
    procedure = next(t for t in types.appointment_types if t.name == "Procedure")
    assert list(procedure.resource_ids) == [practice.room_id]
    err = await fails(desk.setup.SaveLocation(su.SaveLocationRequest(location=a_location("Nope")), metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


# -- booking ---------------------------------------------------------------------------------------------
async def test_book_fits_the_template_and_lost_race_names_the_conflict(
        desk: Client, manager: Client, practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice)
    monday = next_weekday(1)
    ann, bob = await a_patient_id(desk, "Ann"), await a_patient_id(desk, "Bob")
    made = await book(desk, booking(ann, prov, practice, at(monday, 9), visit_reason="cough"))
    assert (made.local_start, made.local_end) == (f"{monday}T09:00", f"{monday}T09:15")
    assert made.status == ap.APPOINTMENT_STATUS_SCHEDULED and made.appointment_type_name == "Follow-up"
    # The same provider at an overlapping time: SLOT_TAKEN with the conflict's times and the next free slots.
    err = await fails(desk.appointments.BookAppointment(booking(bob, prov, practice, at(monday, 9, 10),
                                                                duration_minutes=15), metadata=desk.md))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    info = error_info(err)
    assert info.reason == "SLOT_TAKEN"
    assert datetime.fromisoformat(info.metadata["conflict_starts_at"]) == datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    assert info.metadata["conflict_kind"] == "provider"
    offered = [datetime.fromisoformat(s).astimezone(NY) for s in info.metadata["next_free"].split(",")]
    # The nearest free times from the one asked for on: 9:15 is free, 9:00 is taken.
    assert offered == [datetime(monday.year, monday.month, monday.day, 9, m, tzinfo=NY) for m in (15, 30, 45)]
    # Back to back is fine: ranges are half-open.
    nxt = await book(desk, booking(bob, prov, practice, at(monday, 9, 15)))
    assert nxt.local_start.endswith("09:15")
    # Lunch, evenings and off-grid starts are refused.
    err = await fails(desk.appointments.BookAppointment(booking(bob, prov, practice, at(monday, 12, 15)),
                                                        metadata=desk.md))
    assert error_info(err).reason == "OUTSIDE_TEMPLATE"
    err = await fails(desk.appointments.BookAppointment(booking(bob, prov, practice, at(monday, 10, 7)),
                                                        metadata=desk.md))
    assert status_details(err)[1] == [("starts_at", "must be on the 5-minute grid")]


async def test_overbooking_needs_the_permission_and_is_recorded(desk: Client, manager: Client,
                                                                practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Overbook")
    day = next_weekday(2)
    first = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 10)))
    squeeze = booking(await a_patient_id(desk), prov, practice, at(day, 10), overbook=True)
    err = await fails(desk.appointments.BookAppointment(squeeze, metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    over = await book(manager, squeeze)
    assert over.overbooked and over.local_start == first.local_start
    got = await manager.appointments.GetAppointment(ap.GetAppointmentRequest(appointment_id=over.appointment_id),
                                                    metadata=manager.md)
    assert [(h.kind, h.username) for h in got.history] == [("booked", "sched-boss")]


async def test_field_violations_for_a_bad_booking(desk: Client, practice: Practice) -> None:
    err = await fails(desk.appointments.BookAppointment(ap.BookAppointmentRequest(
        patient_id=999999, provider_id=999999, location_id=practice.location_id, appointment_type_id=999999),
        metadata=desk.md))
    assert {f for f, _ in status_details(err)[1]} == {"patient_id", "appointment_type_id", "provider_id",
                                                      "starts_at"}


async def test_resources_cannot_be_held_twice(desk: Client, manager: Client, practice: Practice) -> None:
    a = await a_provider_with_week(manager, practice, "RoomA")
    b = await a_provider_with_week(manager, practice, "RoomB")
    day = next_weekday(3)
    held = await book(desk, booking(await a_patient_id(desk), a, practice, at(day, 14),
                                    appointment_type_id=practice.procedure))
    assert list(held.resource_ids) == [practice.room_id]
    err = await fails(desk.appointments.BookAppointment(booking(
        await a_patient_id(desk), b, practice, at(day, 14, 15), appointment_type_id=practice.procedure),
        metadata=desk.md))
    info = error_info(err)
    assert info.reason == "SLOT_TAKEN" and "room" in err.details()
    # Find-slot for the procedure skips the room's busy half hour for every provider.
    slots = await desk.appointments.FindSlots(ap.FindSlotsRequest(
        appointment_type_id=practice.procedure, provider_ids=[b], from_date=dates.to_pb(day),
        to_date=dates.to_pb(day), earliest_minute=13 * 60, latest_minute=15 * 60), metadata=desk.md)
    starts = [s.local_start[-5:] for s in slots.slots]
    assert "14:00" not in starts and "14:15" not in starts and "13:30" in starts and "14:30" in starts


async def test_new_patient_type_refused_for_a_patient_seen_recently(desk: Client, manager: Client,
                                                                    practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "NewPt")
    patient = await a_patient_id(desk)
    today = datetime.now(NY).date()
    # A visit today (any time), walked through to "seen".
    visit = await book(manager, booking(patient, prov, practice, at(today, 0), overbook=True))
    for step in (ap.APPOINTMENT_STATUS_ARRIVED, ap.APPOINTMENT_STATUS_ROOMED, ap.APPOINTMENT_STATUS_SEEN):
        visit = (await desk.appointments.ChangeAppointmentStatus(ap.ChangeAppointmentStatusRequest(
            appointment_id=visit.appointment_id, version=visit.version, status=step), metadata=desk.md)).appointment
    err = await fails(desk.appointments.BookAppointment(booking(
        patient, prov, practice, at(next_weekday(4, today + timedelta(days=1)), 9),
        appointment_type_id=practice.new_patient), metadata=desk.md))
    assert error_info(err).reason == "NOT_A_NEW_PATIENT"


# -- moves, cancels, the transition table -----------------------------------------------------------------
async def test_reschedule_keeps_history_and_cancel_frees_the_slot(desk: Client, manager: Client,
                                                                  practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Mover")
    day = next_weekday(5)
    pid = await a_patient_id(desk)
    a = await book(desk, booking(pid, prov, practice, at(day, 10)))
    moved = (await desk.appointments.RescheduleAppointment(ap.RescheduleAppointmentRequest(
        appointment_id=a.appointment_id, version=a.version, starts_at=at(day, 11)), metadata=desk.md)).appointment
    assert moved.local_start.endswith("11:00") and moved.version == a.version + 1
    err = await fails(desk.appointments.RescheduleAppointment(ap.RescheduleAppointmentRequest(
        appointment_id=a.appointment_id, version=a.version, starts_at=at(day, 14)), metadata=desk.md))
    assert err.code() == grpc.StatusCode.ABORTED
    # The old time is free again.
    other = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 10)))
    err = await fails(desk.appointments.CancelAppointment(ap.CancelAppointmentRequest(
        appointment_id=moved.appointment_id, version=moved.version, reason=ap.CANCEL_REASON_OTHER),
        metadata=desk.md))
    assert status_details(err)[1] == [("note", "is required when the reason is other")]
    cancelled = (await desk.appointments.CancelAppointment(ap.CancelAppointmentRequest(
        appointment_id=moved.appointment_id, version=moved.version, reason=ap.CANCEL_REASON_WEATHER),
        metadata=desk.md)).appointment
    assert cancelled.status == ap.APPOINTMENT_STATUS_CANCELLED and cancelled.cancel_reason == ap.CANCEL_REASON_WEATHER
    again = await book(desk, booking(pid, prov, practice, at(day, 11)))
    assert again.local_start.endswith("11:00")
    history = (await desk.appointments.GetAppointment(ap.GetAppointmentRequest(
        appointment_id=a.appointment_id), metadata=desk.md)).history
    assert [h.kind for h in history] == ["booked", "moved", "cancelled"]
    assert history[1].previous_starts_at == at(day, 10)
    day_view = await desk.appointments.GetDaySchedule(ap.GetDayScheduleRequest(
        location_id=practice.location_id, date=dates.to_pb(day), provider_ids=[prov]), metadata=desk.md)
    assert [x.appointment_id for x in day_view.appointments] == [other.appointment_id, again.appointment_id]
    assert {b.kind for b in day_view.blocks} == {"available", "lunch"}


# Every status the table allows from each status, walked through the API; every other one refused.
PATH = ["scheduled", "confirmed", "arrived", "roomed", "seen", "checked_out"]
ENUM = {"confirmed": ap.APPOINTMENT_STATUS_CONFIRMED, "arrived": ap.APPOINTMENT_STATUS_ARRIVED,
        "roomed": ap.APPOINTMENT_STATUS_ROOMED, "seen": ap.APPOINTMENT_STATUS_SEEN,
        "checked_out": ap.APPOINTMENT_STATUS_CHECKED_OUT, "no_show": ap.APPOINTMENT_STATUS_NO_SHOW,
        "cancelled": ap.APPOINTMENT_STATUS_CANCELLED}


async def _to(client: Client, appt: ap.Appointment, status: str) -> ap.Appointment:
    if status == "cancelled":
        return (await client.appointments.CancelAppointment(ap.CancelAppointmentRequest(
            appointment_id=appt.appointment_id, version=appt.version, reason=ap.CANCEL_REASON_PATIENT),
            metadata=client.md)).appointment
    return (await client.appointments.ChangeAppointmentStatus(ap.ChangeAppointmentStatusRequest(
        appointment_id=appt.appointment_id, version=appt.version, status=ENUM[status]), metadata=client.md)
    ).appointment


async def test_every_transition_allowed_works_and_every_other_is_refused(desk: Client, manager: Client,
                                                                         practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Steps")
    pid = await a_patient_id(desk)
    # Today, already begun (so no-show is possible): overbooked at midnight to stay clear of the template.
    today = datetime.now(NY).date()
    slots = itertools.count(0, 15)

    async def at_status(status: str) -> ap.Appointment:
        appt = await book(manager, booking(pid, prov, practice, at(today, 0, 0), overbook=True,
                                           duration_minutes=5 + next(slots) % 60))
        for s in PATH[1:PATH.index(status) + 1] if status in PATH else ():
            appt = await _to(desk, appt, s)
        if status in ("cancelled", "no_show"):
            appt = await _to(desk, appt, status)
        return appt

    for current in rules.STATUSES:
        for wanted in ENUM:
            appt = await at_status(current)
            if wanted in rules.TRANSITIONS[current]:
                done = await _to(desk, appt, wanted)
                assert rules.STATUSES[done.status - 1] == wanted, (current, wanted)
            else:
                err = await fails(_to(desk, appt, wanted))
                assert error_info(err).reason == "TRANSITION_NOT_ALLOWED", (current, wanted)
                assert err.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_check_in_only_on_the_day_and_no_show_only_after_the_start(desk: Client, manager: Client,
                                                                         practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Future")
    future = await book(desk, booking(await a_patient_id(desk), prov, practice, at(next_weekday(1), 9)))
    err = await fails(_to(desk, future, "arrived"))
    assert error_info(err).reason == "NOT_TODAY"
    err = await fails(_to(desk, future, "no_show"))
    assert error_info(err).reason == "NOT_YET"


# -- find-slot and time -----------------------------------------------------------------------------------
async def test_find_slots_respects_template_exceptions_and_bookings(desk: Client, manager: Client,
                                                                    practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Finder")
    monday = next_weekday(1, date(2027, 2, 1))
    await book(desk, booking(await a_patient_id(desk), prov, practice, at(monday, 8)))
    await manager.setup.AddException(su.AddExceptionRequest(exception=su.ScheduleException(
        provider_id=prov, kind=su.EXCEPTION_KIND_HALF_DAY, first_date=dates.to_pb(monday),
        last_date=dates.to_pb(monday), start_minute=13 * 60, end_minute=17 * 60)), metadata=manager.md)
    await manager.setup.AddException(su.AddExceptionRequest(exception=su.ScheduleException(
        kind=su.EXCEPTION_KIND_HOLIDAY, first_date=dates.to_pb(monday + timedelta(days=1)),
        last_date=dates.to_pb(monday + timedelta(days=1)), note="Practice closed")), metadata=manager.md)
    found = await desk.appointments.FindSlots(ap.FindSlotsRequest(
        appointment_type_id=practice.follow_up, provider_ids=[prov], from_date=dates.to_pb(monday),
        to_date=dates.to_pb(monday + timedelta(days=2)), limit=200), metadata=desk.md)
    by_day: dict[str, list[str]] = {}
    for s in found.slots:
        by_day.setdefault(s.local_start[:10], []).append(s.local_start[11:])
    mon = by_day[str(monday)]
    assert mon[0] == "08:15" and mon[-1] == "11:45" and len(mon) == 15  # 8:00 taken, afternoon off, lunch 12-13
    assert str(monday + timedelta(days=1)) not in by_day  # holiday
    wed = by_day[str(monday + timedelta(days=2))]
    assert wed[0] == "08:00" and "12:00" not in wed and wed[-1] == "16:45" and len(wed) == 32
    # Weekday and time-of-day preferences.
    late = await desk.appointments.FindSlots(ap.FindSlotsRequest(
        appointment_type_id=practice.follow_up, provider_ids=[prov], from_date=dates.to_pb(monday),
        to_date=dates.to_pb(monday + timedelta(days=13)), weekdays=[5], earliest_minute=15 * 60,
        latest_minute=16 * 60, limit=3), metadata=desk.md)
    assert [s.local_start[11:] for s in late.slots] == ["15:00", "15:15", "15:30"]
    assert {date.fromisoformat(s.local_start[:10]).isoweekday() for s in late.slots} == {5}


async def test_a_nine_oclock_appointment_stays_nine_oclock_across_daylight_saving(
        desk: Client, manager: Client, practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Dst")
    pid = await a_patient_id(desk)
    before, after = date(2027, 3, 8), date(2027, 3, 15)  # US clocks spring forward on 14 March 2027
    a = await book(desk, booking(pid, prov, practice, at(before, 9)))
    b = await book(desk, booking(pid, prov, practice, at(after, 9)))
    assert (a.local_start[11:], b.local_start[11:]) == ("09:00", "09:00")
    assert (a.starts_at.ToDatetime().hour, b.starts_at.ToDatetime().hour) == (14, 13)  # UTC moves, local does not
    sunday = await desk.appointments.FindSlots(ap.FindSlotsRequest(
        appointment_type_id=practice.follow_up, provider_ids=[prov], from_date=dates.to_pb(date(2027, 3, 14)),
        to_date=dates.to_pb(date(2027, 3, 14)), limit=1), metadata=desk.md)
    assert sunday.slots[0].local_start == "2027-03-14T08:00"


async def test_biller_reads_the_schedule_but_cannot_book(server: RunningServer, desk: Client,
                                                         practice: Practice) -> None:
    biller = await logged_in(server, "sched-biller", ["biller"])
    it = await logged_in(server, "sched-it", ["it_admin"])
    try:
        day = await biller.appointments.GetDaySchedule(ap.GetDayScheduleRequest(
            location_id=practice.location_id, date=dates.to_pb(next_weekday(1))), metadata=biller.md)
        assert day.time_zone == "America/New_York"
        err = await fails(biller.appointments.BookAppointment(ap.BookAppointmentRequest(), metadata=biller.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        err = await fails(it.appointments.GetDaySchedule(ap.GetDayScheduleRequest(), metadata=it.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await biller.close()
        await it.close()


async def test_flow_board_shows_todays_patients_with_their_steps(desk: Client, manager: Client,
                                                                 practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Flow")
    today = datetime.now(NY).date()
    waiting = await book(manager, booking(await a_patient_id(desk, "Wen"), prov, practice, at(today, 0, 30),
                                          overbook=True))
    gone = await book(manager, booking(await a_patient_id(desk, "Gus"), prov, practice, at(today, 0, 45),
                                       overbook=True))
    waiting = await _to(desk, await _to(desk, waiting, "arrived"), "roomed")
    await _to(desk, gone, "cancelled")
    board = await desk.appointments.GetFlowBoard(ap.GetFlowBoardRequest(location_id=practice.location_id),
                                                 metadata=desk.md)
    mine = {e.appointment.appointment_id: e for e in board.entries}
    assert gone.appointment_id not in mine  # cancelled visits leave the board
    entry = mine[waiting.appointment_id]
    assert entry.appointment.status == ap.APPOINTMENT_STATUS_ROOMED
    assert entry.HasField("arrived_at") and entry.HasField("roomed_at") and not entry.HasField("seen_at")
    assert entry.waiting_room_minutes == 0 and entry.minutes_in_status >= 0 and entry.visit_minutes == 0
