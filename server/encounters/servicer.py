"""EncounterService: encounters and their service lines, checked at entry."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.encounters import service
from server.rpc.context import current_call
from shared.pms.encounters.v1 import encounters_pb2 as pb
from shared.pms.encounters.v1 import encounters_pb2_grpc


class EncounterServicer(encounters_pb2_grpc.EncounterServiceServicer):
    async def CreateEncounter(self, request: pb.CreateEncounterRequest, context: grpc.aio.ServicerContext
                              ) -> pb.CreateEncounterResponse:
        ctx = current_call()
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request, pb.CreateEncounterResponse)
        if replayed is not None:
            ctx.audit.patient_id = replayed.encounter.patient_id or None
            ctx.audit.detail = "replayed"
            return replayed
        row = await service.create(ctx, request.encounter)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"encounter_id={row.id}"
        response = pb.CreateEncounterResponse(encounter=await service.message(ctx.db, ctx.practice_id, row))
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def CreateEncounterFromAppointment(self, request: pb.CreateEncounterFromAppointmentRequest,
                                             context: grpc.aio.ServicerContext
                                             ) -> pb.CreateEncounterFromAppointmentResponse:
        ctx = current_call()
        row, created = await service.from_appointment(ctx, request.appointment_id)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"encounter_id={row.id} appointment_id={request.appointment_id} created={created}"
        return pb.CreateEncounterFromAppointmentResponse(
            encounter=await service.message(ctx.db, ctx.practice_id, row), created=created)

    async def GetEncounter(self, request: pb.GetEncounterRequest, context: grpc.aio.ServicerContext
                           ) -> pb.GetEncounterResponse:
        ctx = current_call()
        row = await service.load(ctx.db, ctx.practice_id, request.encounter_id)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"encounter_id={row.id}"
        return pb.GetEncounterResponse(encounter=await service.message(ctx.db, ctx.practice_id, row))

    async def UpdateEncounter(self, request: pb.UpdateEncounterRequest, context: grpc.aio.ServicerContext
                              ) -> pb.UpdateEncounterResponse:
        ctx = current_call()
        row = await service.update(ctx, request.encounter)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"encounter_id={row.id} version={row.version}"
        return pb.UpdateEncounterResponse(encounter=await service.message(ctx.db, ctx.practice_id, row))

    async def ListEncounters(self, request: pb.ListEncountersRequest, context: grpc.aio.ServicerContext
                             ) -> pb.ListEncountersResponse:
        ctx = current_call()
        found = await service.worklist(ctx, request)
        # A worklist names many patients; the audit records the filter, not each of them.
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"results={len(found)}"
        return pb.ListEncountersResponse(encounters=found)
