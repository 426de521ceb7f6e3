"""Recurring series (with the conflicts reported before anything is booked), the waitlist offered when time frees
up, and recalls worked until booked."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import grpc

from server.scheduling.series import nth_weekday, occurrence_days
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from tests.api.test_scheduling import (
    NY,
    Practice,
    a_patient_id,
    a_provider_with_week,
    at,
    book,
    booking,
    error_info,
    next_weekday,
)

# The scheduling tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, fails, status_details


def test_occurrence_dates() -> None:
    first = date(2027, 1, 12)  # the 2nd Tuesday of January
    assert occurrence_days(first, ap.FREQUENCY_WEEKLY, 2, 3, None) == [
        date(2027, 1, 12), date(2027, 1, 26), date(2027, 2, 9)]
    assert occurrence_days(first, ap.FREQUENCY_MONTHLY, 1, 0, date(2027, 4, 30)) == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    assert nth_weekday(2027, 2, 0, 5) == date(2027, 2, 22)  # no 5th Monday: the last one


async def test_series_reports_conflicts_before_booking_and_books_the_free_ones(
        desk: Client, manager: Client, practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Series")
    monday = next_weekday(1, date(2027, 6, 1))
    pid = await a_patient_id(desk)
    # The third Monday's 10:00 is taken by someone else.
    taken = await book(desk, booking(await a_patient_id(desk), prov, practice, at(monday + timedelta(weeks=2), 10)))
    first = booking(pid, prov, practice, at(monday, 10), visit_reason="physio")
    weekly = ap.Recurrence(frequency=ap.FREQUENCY_WEEKLY, interval=1, count=4)
    preview = await desk.appointments.PreviewSeries(ap.PreviewSeriesRequest(first=first, recurrence=weekly),
                                                    metadata=desk.md)
    assert [(o.local_start[5:], o.free, o.problem_reason) for o in preview.occurrences] == [
        (f"{monday + timedelta(weeks=k):%m-%d}T10:00", k != 2, "SLOT_TAKEN" if k == 2 else "") for k in range(4)]
    err = await fails(desk.appointments.BookSeries(ap.BookSeriesRequest(first=first, recurrence=weekly),
                                                   metadata=desk.md))
    assert error_info(err).reason == "SERIES_CONFLICTS" and error_info(err).metadata["conflicts"] == "1"
    # Nothing was booked by the refusal.
    listed = await desk.appointments.ListPatientAppointments(ap.ListPatientAppointmentsRequest(patient_id=pid),
                                                             metadata=desk.md)
    assert list(listed.appointments) == []
    made = await desk.appointments.BookSeries(ap.BookSeriesRequest(first=first, recurrence=weekly,
                                                                   skip_conflicts=True), metadata=desk.md)
    booked = [o for o in made.occurrences if o.appointment_id]
    assert len(booked) == 3 and made.series_id > 0
    listed = await desk.appointments.ListPatientAppointments(ap.ListPatientAppointmentsRequest(patient_id=pid),
                                                             metadata=desk.md)
    assert [a.local_start[11:] for a in listed.appointments] == ["10:00"] * 3
    assert taken.appointment_id not in {o.appointment_id for o in made.occurrences}


async def test_series_checks_its_recurrence(desk: Client, practice: Practice) -> None:
    err = await fails(desk.appointments.PreviewSeries(ap.PreviewSeriesRequest(
        first=ap.BookAppointmentRequest(), recurrence=ap.Recurrence(interval=0, count=1, until=dates.to_pb(
            date(2027, 1, 1)))), metadata=desk.md))
    assert {f for f, _ in status_details(err)[1]} == {"recurrence.frequency", "recurrence.interval",
                                                      "recurrence.count"}


async def test_a_cancellation_offers_the_time_to_the_waitlist(desk: Client, manager: Client,
                                                              practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Waiting")
    day = next_weekday(3, date(2027, 7, 1))
    held = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 14)))
    eager_id, picky_id, elsewhere_id = [await a_patient_id(desk, n) for n in ("Eve", "Pia", "Ely")]
    entries = {}
    for who, extra in ((eager_id, {}), (picky_id, {"earliest_minute": 8 * 60, "latest_minute": 11 * 60}),
                       (elsewhere_id, {"provider_id": prov + 999})):
        req = ap.WaitlistEntry(patient_id=who, appointment_type_id=practice.follow_up,
                               earliest_date=dates.to_pb(day - timedelta(days=7)),
                               latest_date=dates.to_pb(day + timedelta(days=7)), **extra)  # type: ignore[arg-type]
        if who == elsewhere_id:
            err = await fails(desk.waitlist.AddToWaitlist(ap.AddToWaitlistRequest(entry=req), metadata=desk.md))
            assert status_details(err)[1] == [("entry.provider_id", "is not a provider of this practice")]
            continue
        entries[who] = (await desk.waitlist.AddToWaitlist(ap.AddToWaitlistRequest(entry=req), metadata=desk.md)
                        ).entry
    cancelled = await desk.appointments.CancelAppointment(ap.CancelAppointmentRequest(
        appointment_id=held.appointment_id, version=held.version, reason=ap.CANCEL_REASON_PATIENT), metadata=desk.md)
    # 14:00 suits the patient who can come any time, not the one who wants a morning.
    assert [o.patient_id for o in cancelled.waitlist_offers] == [eager_id]
    entry = cancelled.waitlist_offers[0]
    made = await book(desk, booking(eager_id, prov, practice, at(day, 14),
                                    waitlist_entry_id=entry.waitlist_entry_id))
    waiting = await desk.waitlist.ListWaitlist(ap.ListWaitlistRequest(include_closed=True), metadata=desk.md)
    mine = {e.waitlist_entry_id: e for e in waiting.entries}
    assert mine[entry.waitlist_entry_id].status == "booked"
    assert mine[entry.waitlist_entry_id].appointment_id == made.appointment_id
    # A booked entry cannot be used twice.
    err = await fails(desk.appointments.BookAppointment(booking(
        eager_id, prov, practice, at(day, 15), waitlist_entry_id=entry.waitlist_entry_id), metadata=desk.md))
    assert status_details(err)[1] == [("waitlist_entry_id", "is booked, not waiting")]
    removed = await desk.waitlist.RemoveFromWaitlist(ap.RemoveFromWaitlistRequest(
        waitlist_entry_id=entries[picky_id].waitlist_entry_id, note="found another clinic"), metadata=desk.md)
    assert removed.entry.status == "removed" and "another clinic" in removed.entry.note


async def test_recalls_are_listed_by_due_date_and_closed_by_booking(desk: Client, manager: Client,
                                                                    practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Recall")
    soon, later = await a_patient_id(desk, "Rae"), await a_patient_id(desk, "Rob")
    due_soon = (await desk.recalls.AddRecall(ap.AddRecallRequest(recall=ap.Recall(
        patient_id=soon, due_date=dates.to_pb(date(2027, 8, 1)), reason="Annual physical")), metadata=desk.md)).recall
    await desk.recalls.AddRecall(ap.AddRecallRequest(recall=ap.Recall(
        patient_id=later, provider_id=prov, due_date=dates.to_pb(date(2027, 12, 1)), reason="6-month follow-up")),
        metadata=desk.md)
    err = await fails(desk.recalls.AddRecall(ap.AddRecallRequest(recall=ap.Recall(patient_id=soon)),
                                             metadata=desk.md))
    assert {f for f, _ in status_details(err)[1]} == {"recall.due_date", "recall.reason"}
    due = await desk.recalls.ListRecalls(ap.ListRecallsRequest(due_by=dates.to_pb(date(2027, 9, 1))),
                                         metadata=desk.md)
    assert [r.patient_id for r in due.recalls if r.patient_id in (soon, later)] == [soon]
    assert due.recalls[[r.recall_id for r in due.recalls].index(due_soon.recall_id)].patient_name.startswith("Sched")
    made = await book(desk, booking(soon, prov, practice, at(next_weekday(1, date(2027, 7, 20)), 9),
                                    recall_id=due_soon.recall_id))
    after = await desk.recalls.ListRecalls(ap.ListRecallsRequest(include_closed=True), metadata=desk.md)
    mine = {r.recall_id: r for r in after.recalls}
    assert (mine[due_soon.recall_id].status, mine[due_soon.recall_id].appointment_id) == ("booked",
                                                                                          made.appointment_id)
    err = await fails(desk.recalls.CloseRecall(ap.CloseRecallRequest(recall_id=due_soon.recall_id, note="done"),
                                               metadata=desk.md))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_no_waitlist_offers_for_time_already_past(desk: Client, manager: Client, practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Past")
    today = datetime.now(NY).date()
    waiting = await a_patient_id(desk, "Wes")
    await desk.waitlist.AddToWaitlist(ap.AddToWaitlistRequest(entry=ap.WaitlistEntry(
        patient_id=waiting, appointment_type_id=practice.follow_up, earliest_date=dates.to_pb(today),
        latest_date=dates.to_pb(today))), metadata=desk.md)
    early = await book(manager, booking(await a_patient_id(desk), prov, practice, at(today, 0, 5), overbook=True))
    gone = await desk.appointments.CancelAppointment(ap.CancelAppointmentRequest(
        appointment_id=early.appointment_id, version=early.version, reason=ap.CANCEL_REASON_PATIENT),
        metadata=desk.md)
    assert gone.appointment.status == ap.APPOINTMENT_STATUS_CANCELLED and list(gone.waitlist_offers) == []


async def test_a_move_offers_the_time_it_left_to_the_waitlist(desk: Client, manager: Client,
                                                              practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Shifter")
    day = next_weekday(2, date(2027, 9, 1))
    held = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 10)))
    morning_id, afternoon_id = [await a_patient_id(desk, n) for n in ("Mo", "Af")]
    entries = {}
    for who, earliest, latest in ((morning_id, 8 * 60, 12 * 60), (afternoon_id, 13 * 60, 17 * 60)):
        entries[who] = (await desk.waitlist.AddToWaitlist(ap.AddToWaitlistRequest(entry=ap.WaitlistEntry(
            patient_id=who, appointment_type_id=practice.follow_up, provider_id=prov,
            earliest_date=dates.to_pb(day), latest_date=dates.to_pb(day), earliest_minute=earliest,
            latest_minute=latest)), metadata=desk.md)).entry
    moved = await desk.appointments.RescheduleAppointment(ap.RescheduleAppointmentRequest(
        appointment_id=held.appointment_id, version=held.version, starts_at=at(day, 15)), metadata=desk.md)
    assert moved.appointment.local_start.endswith("15:00")
    # The 10:00 it left suits the patient who wants a morning; the 15:00 it took is no offer for the other one.
    offered = [o.patient_id for o in moved.waitlist_offers]
    assert morning_id in offered and afternoon_id not in offered
    entry = next(o for o in moved.waitlist_offers if o.patient_id == morning_id)
    assert entry.waitlist_entry_id == entries[morning_id].waitlist_entry_id
    made = await book(desk, booking(morning_id, prov, practice, at(day, 10),
                                    waitlist_entry_id=entry.waitlist_entry_id))
    assert made.local_start.endswith("10:00")
