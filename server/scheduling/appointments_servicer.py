"""AppointmentService: booking, moving, cancelling, the visit's steps, the day's calendar and free slots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import grpc
from sqlalchemy import select

from server.common import contact_rules, idempotency
from server.errors import FieldErrors
from server.rpc.context import CallContext, current_call
from server.scheduling import booking, calendar, lists, series
from server.scheduling.live import ScheduleHub, Subscription
from server.scheduling.models import Location
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as pb
from shared.pms.scheduling.v1 import appointments_pb2_grpc

Ctx = grpc.aio.ServicerContext


MAX_WATCHED_DAYS = 14


async def _offers(ctx: CallContext, provider_id: int, location_id: int, starts_at: datetime, ends_at: datetime,
                  patient_id: int) -> list[pb.WaitlistEntry]:
    """Who on the waitlist could take the time just freed (nothing for a time already past)."""
    if starts_at <= datetime.now(UTC):
        return []
    tz = (await ctx.db.execute(select(Location.time_zone).where(Location.practice_id == ctx.practice_id,
                                                                Location.id == location_id))).scalar_one()
    return await lists.offers_for(ctx.db, ctx.practice_id, provider_id=provider_id, location_id=location_id,
                                  starts_at=starts_at, ends_at=ends_at, zone=ZoneInfo(tz), skip_patient=patient_id)


class AppointmentServicer(appointments_pb2_grpc.AppointmentServiceServicer):
    def __init__(self, hub: ScheduleHub) -> None:
        self.hub = hub
    async def BookAppointment(self, request: pb.BookAppointmentRequest, context: Ctx
                              ) -> pb.BookAppointmentResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.patient_id or None
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request,
                                            pb.BookAppointmentResponse)
        if replayed is not None:
            ctx.audit.detail = f"replayed appointment_id={replayed.appointment.appointment_id}"
            return replayed
        row = await booking.book(ctx, request)
        ctx.audit.detail = f"appointment_id={row.id}" + (" overbooked" if row.overbooked else "")
        response = pb.BookAppointmentResponse(appointment=await calendar.get_appointment(ctx.db, ctx.practice_id,
                                                                                         row.id))
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def RescheduleAppointment(self, request: pb.RescheduleAppointmentRequest, context: Ctx
                                    ) -> pb.RescheduleAppointmentResponse:
        ctx = current_call()
        before = await calendar.get_appointment(ctx.db, ctx.practice_id, request.appointment_id)
        row = await booking.reschedule(ctx, request)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"appointment_id={row.id}" + (" overbooked" if row.overbooked else "")
        return pb.RescheduleAppointmentResponse(
            appointment=await calendar.get_appointment(ctx.db, ctx.practice_id, row.id),
            waitlist_offers=await _offers(ctx, before.provider_id, before.location_id,
                                          before.starts_at.ToDatetime(tzinfo=UTC),
                                          before.ends_at.ToDatetime(tzinfo=UTC), row.patient_id))

    async def CancelAppointment(self, request: pb.CancelAppointmentRequest, context: Ctx
                                ) -> pb.CancelAppointmentResponse:
        ctx = current_call()
        row = await booking.cancel(ctx, request)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"appointment_id={row.id} reason={row.cancel_reason}"
        return pb.CancelAppointmentResponse(
            appointment=await calendar.get_appointment(ctx.db, ctx.practice_id, row.id),
            waitlist_offers=await _offers(ctx, row.provider_id, row.location_id, row.starts_at, row.ends_at,
                                          row.patient_id))

    async def ChangeAppointmentStatus(self, request: pb.ChangeAppointmentStatusRequest, context: Ctx
                                      ) -> pb.ChangeAppointmentStatusResponse:
        ctx = current_call()
        row = await booking.change_status(ctx, request)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"appointment_id={row.id} status={row.status}"
        return pb.ChangeAppointmentStatusResponse(
            appointment=await calendar.get_appointment(ctx.db, ctx.practice_id, row.id))

    async def GetAppointment(self, request: pb.GetAppointmentRequest, context: Ctx) -> pb.GetAppointmentResponse:
        ctx = current_call()
        appointment = await calendar.get_appointment(ctx.db, ctx.practice_id, request.appointment_id)
        ctx.audit.patient_id = appointment.patient_id
        ctx.audit.detail = f"appointment_id={appointment.appointment_id}"
        return pb.GetAppointmentResponse(
            appointment=appointment, history=await calendar.history(ctx.db, ctx.practice_id, request.appointment_id))

    async def GetDaySchedule(self, request: pb.GetDayScheduleRequest, context: Ctx) -> pb.GetDayScheduleResponse:
        ctx = current_call()
        response = await calendar.day_schedule(ctx.db, ctx.practice_id, request)
        # Many patients at once: the audit names the day and location, and how many appointments were shown.
        ctx.audit.detail = (f"location_id={request.location_id} date={request.date.year:04}-{request.date.month:02}-"
                            f"{request.date.day:02} appointments={len(response.appointments)}")
        return response

    async def ListPatientAppointments(self, request: pb.ListPatientAppointmentsRequest, context: Ctx
                                      ) -> pb.ListPatientAppointmentsResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.patient_id or None
        found = await calendar.patient_appointments(ctx.db, ctx.practice_id, request)
        ctx.audit.detail = f"results={len(found)}"
        return pb.ListPatientAppointmentsResponse(appointments=found)

    async def FindSlots(self, request: pb.FindSlotsRequest, context: Ctx) -> pb.FindSlotsResponse:
        ctx = current_call()
        found = await calendar.find_slots(ctx.db, ctx.practice_id, request)
        ctx.audit.detail = f"slots={len(found)}"
        return pb.FindSlotsResponse(slots=found)

    async def GetFlowBoard(self, request: pb.GetFlowBoardRequest, context: Ctx) -> pb.GetFlowBoardResponse:
        ctx = current_call()
        response = await calendar.flow_board(ctx.db, ctx.practice_id, request)
        ctx.audit.detail = f"location_id={request.location_id} entries={len(response.entries)}"
        return response

    async def WatchSchedule(self, request: pb.WatchScheduleRequest, context: Ctx  # type: ignore[override]
                            ) -> AsyncIterator[pb.WatchScheduleResponse]:
        """Checked and subscribed inside the call's transaction (see the pipeline's watch streams); the returned
        iterator then streams with no transaction open."""
        ctx = current_call()
        errors = FieldErrors()
        found = (await ctx.db.execute(select(Location.id).where(
            Location.practice_id == ctx.practice_id, Location.id == request.location_id))).first()
        if found is None:
            errors.add("location_id", "is not a location of this practice")
        days: set[date] = set()
        for i, d in enumerate(request.dates):
            day = contact_rules.calendar_date(errors, f"dates[{i}]", d, required=True)
            if day:
                days.add(day)
        if not 1 <= len(request.dates) <= MAX_WATCHED_DAYS:
            errors.add("dates", f"must name 1 to {MAX_WATCHED_DAYS} days")
        errors.raise_if_any()
        ctx.audit.detail = f"location_id={request.location_id} days={len(days)}"
        # Subscribed before the first message: nothing committed after "watching" is missed.
        sub = self.hub.subscribe(ctx.practice_id, request.location_id, frozenset(days))
        return self._stream(sub)

    async def _stream(self, sub: Subscription) -> AsyncIterator[pb.WatchScheduleResponse]:
        try:
            yield pb.WatchScheduleResponse(kind="watching", location_id=sub.location_id)
            while True:
                change = await sub.queue.get()
                yield pb.WatchScheduleResponse(kind=change.kind, appointment_id=change.appointment_id,
                                               location_id=change.location_id or sub.location_id,
                                               date=dates.to_pb(change.day) if change.day != date.min else None)
        finally:
            self.hub.unsubscribe(sub)

    async def PreviewSeries(self, request: pb.PreviewSeriesRequest, context: Ctx) -> pb.PreviewSeriesResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.first.patient_id or None
        occurrences = await series.preview(ctx, request)
        ctx.audit.detail = f"occurrences={len(occurrences)} free={sum(o.free for o in occurrences)}"
        return pb.PreviewSeriesResponse(occurrences=occurrences)

    async def BookSeries(self, request: pb.BookSeriesRequest, context: Ctx) -> pb.BookSeriesResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.first.patient_id or None
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request, pb.BookSeriesResponse)
        if replayed is not None:
            ctx.audit.detail = f"replayed series_id={replayed.series_id}"
            return replayed
        response = await series.book_series(ctx, request)
        ctx.audit.detail = (f"series_id={response.series_id} booked="
                            f"{sum(1 for o in response.occurrences if o.appointment_id)}")
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response


class WaitlistServicer(appointments_pb2_grpc.WaitlistServiceServicer):
    async def AddToWaitlist(self, request: pb.AddToWaitlistRequest, context: Ctx) -> pb.AddToWaitlistResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.entry.patient_id or None
        entry = await lists.add_to_waitlist(ctx.db, ctx.practice_id, ctx.session.user_id if ctx.session else None,
                                            request.entry)
        ctx.audit.detail = f"waitlist_entry_id={entry.waitlist_entry_id}"
        return pb.AddToWaitlistResponse(entry=entry)

    async def ListWaitlist(self, request: pb.ListWaitlistRequest, context: Ctx) -> pb.ListWaitlistResponse:
        ctx = current_call()
        where = "TRUE" if request.include_closed else "w.status = 'waiting'"
        params: dict[str, int] = {}
        if request.provider_id:
            where += " AND (w.provider_id IS NULL OR w.provider_id = :prov)"
            params["prov"] = request.provider_id
        if request.location_id:
            where += " AND (w.location_id IS NULL OR w.location_id = :loc)"
            params["loc"] = request.location_id
        entries = await lists.waitlist_where(ctx.db, ctx.practice_id, where, params)
        ctx.audit.detail = f"entries={len(entries)}"
        return pb.ListWaitlistResponse(entries=entries)

    async def RemoveFromWaitlist(self, request: pb.RemoveFromWaitlistRequest, context: Ctx
                                 ) -> pb.RemoveFromWaitlistResponse:
        ctx = current_call()
        entry = await lists.remove_from_waitlist(ctx.db, ctx.practice_id, request.waitlist_entry_id, request.note)
        ctx.audit.patient_id = entry.patient_id
        ctx.audit.detail = f"waitlist_entry_id={entry.waitlist_entry_id}"
        return pb.RemoveFromWaitlistResponse(entry=entry)


class RecallServicer(appointments_pb2_grpc.RecallServiceServicer):
    async def AddRecall(self, request: pb.AddRecallRequest, context: Ctx) -> pb.AddRecallResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.recall.patient_id or None
        recall = await lists.add_recall(ctx.db, ctx.practice_id, ctx.session.user_id if ctx.session else None,
                                        request.recall)
        ctx.audit.detail = f"recall_id={recall.recall_id}"
        return pb.AddRecallResponse(recall=recall)

    async def ListRecalls(self, request: pb.ListRecallsRequest, context: Ctx) -> pb.ListRecallsResponse:
        ctx = current_call()
        errors = FieldErrors()
        due_by = contact_rules.calendar_date(errors, "due_by", request.due_by, required=False)
        errors.raise_if_any()
        recalls = await lists.list_recalls(ctx.db, ctx.practice_id, due_by, request.provider_id,
                                           request.include_closed)
        ctx.audit.detail = f"recalls={len(recalls)}"
        return pb.ListRecallsResponse(recalls=recalls)

    async def CloseRecall(self, request: pb.CloseRecallRequest, context: Ctx) -> pb.CloseRecallResponse:
        ctx = current_call()
        recall = await lists.close_recall(ctx.db, ctx.practice_id, request.recall_id, request.note)
        ctx.audit.patient_id = recall.patient_id
        ctx.audit.detail = f"recall_id={recall.recall_id}"
        return pb.CloseRecallResponse(recall=recall)
