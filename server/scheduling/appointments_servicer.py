"""AppointmentService: booking, moving, cancelling, the visit's steps, the day's calendar and free slots."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.rpc.context import current_call
from server.scheduling import booking, calendar
from shared.pms.scheduling.v1 import appointments_pb2 as pb
from shared.pms.scheduling.v1 import appointments_pb2_grpc

Ctx = grpc.aio.ServicerContext


class AppointmentServicer(appointments_pb2_grpc.AppointmentServiceServicer):
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
