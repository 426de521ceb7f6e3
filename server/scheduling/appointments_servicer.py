"""AppointmentService: booking, moving, cancelling, the visit's steps, the day's calendar and free slots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import grpc
from sqlalchemy import select

from server.common import contact_rules, idempotency
from server.errors import FieldErrors
from server.rpc.context import current_call
from server.scheduling import booking, calendar
from server.scheduling.live import ScheduleHub, Subscription
from server.scheduling.models import Location
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as pb
from shared.pms.scheduling.v1 import appointments_pb2_grpc

Ctx = grpc.aio.ServicerContext


MAX_WATCHED_DAYS = 14


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
        row = await booking.reschedule(ctx, request)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"appointment_id={row.id}" + (" overbooked" if row.overbooked else "")
        return pb.RescheduleAppointmentResponse(
            appointment=await calendar.get_appointment(ctx.db, ctx.practice_id, row.id))

    async def CancelAppointment(self, request: pb.CancelAppointmentRequest, context: Ctx
                                ) -> pb.CancelAppointmentResponse:
        ctx = current_call()
        row = await booking.cancel(ctx, request)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"appointment_id={row.id} reason={row.cancel_reason}"
        return pb.CancelAppointmentResponse(
            appointment=await calendar.get_appointment(ctx.db, ctx.practice_id, row.id))

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
