"""EncounterService: encounters and their service lines, checked at entry."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.encounters import billing, service
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

    async def MarkReadyToBill(self, request: pb.MarkReadyToBillRequest, context: grpc.aio.ServicerContext
                              ) -> pb.MarkReadyToBillResponse:
        ctx = current_call()
        row, posted = await billing.mark_ready(ctx, request.encounter_id, request.version)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"encounter_id={row.id} posted_cents={posted}"
        return pb.MarkReadyToBillResponse(encounter=await service.message(ctx.db, ctx.practice_id, row),
                                          posted_cents=posted)

    async def ReopenEncounter(self, request: pb.ReopenEncounterRequest, context: grpc.aio.ServicerContext
                              ) -> pb.ReopenEncounterResponse:
        ctx = current_call()
        row, reversed_cents, claims = await billing.reopen(ctx, request.encounter_id, request.version,
                                                           request.reason)
        ctx.audit.patient_id = row.patient_id
        ctx.audit.detail = f"encounter_id={row.id} reversed_cents={reversed_cents} claims={claims}"
        return pb.ReopenEncounterResponse(
            encounter=await service.message(ctx.db, ctx.practice_id, row), reversed_cents=reversed_cents,
            voided_claim_ids=[c for c, to in claims if to == "voided"],
            corrected_claim_ids=[c for c, to in claims if to == "corrected"])

    async def ListEncounterCharges(self, request: pb.ListEncounterChargesRequest,
                                   context: grpc.aio.ServicerContext) -> pb.ListEncounterChargesResponse:
        ctx = current_call()
        patient_id, entries = await billing.charges(ctx, request.encounter_id)
        ctx.audit.patient_id, ctx.audit.detail = patient_id, f"encounter_id={request.encounter_id}"
        return pb.ListEncounterChargesResponse(entries=entries, balance_cents=sum(e.amount_cents for e in entries))
