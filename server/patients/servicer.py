"""PatientService: search, the record, registration, history, merges."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.common.fieldcrypt import FieldCipher
from server.documents import service as documents
from server.insurance import service as insurance
from server.patients import merge, service
from server.rpc.context import current_call
from shared.pms.patients.v1 import patients_pb2 as pb
from shared.pms.patients.v1 import patients_pb2_grpc


class PatientServicer(patients_pb2_grpc.PatientServiceServicer):
    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    async def SearchPatients(self, request: pb.SearchPatientsRequest, context: grpc.aio.ServicerContext
                             ) -> pb.SearchPatientsResponse:
        return await service.search_patients(current_call(), self.cipher, request)

    async def GetPatient(self, request: pb.GetPatientRequest, context: grpc.aio.ServicerContext
                         ) -> pb.GetPatientResponse:
        ctx = current_call()
        row = await service.read(ctx.db, ctx.practice_id, request.patient_id)
        ctx.audit.patient_id = row.id
        ctx.audit.detail = "viewed"
        return pb.GetPatientResponse(
            patient=service.patient_message(row),
            policies=await insurance.list_policies(ctx.db, ctx.practice_id, row.id),
            documents=await documents.list_documents(ctx.db, ctx.practice_id, row.id))

    async def RegisterPatient(self, request: pb.RegisterPatientRequest, context: grpc.aio.ServicerContext
                              ) -> pb.RegisterPatientResponse:
        ctx = current_call()
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request,
                                            pb.RegisterPatientResponse)
        if replayed is not None:
            ctx.audit.patient_id = replayed.patient.patient_id or None
            ctx.audit.detail = "replayed"
            return replayed
        response = await service.register(ctx, self.cipher, request)
        if response.HasField("patient"):
            # Only a registration is remembered: after the duplicates answer the clerk sends the same key again.
            await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def UpdatePatient(self, request: pb.UpdatePatientRequest, context: grpc.aio.ServicerContext
                            ) -> pb.UpdatePatientResponse:
        ctx = current_call()
        row = await service.update_patient(ctx, self.cipher, request)
        await ctx.db.refresh(row)
        return pb.UpdatePatientResponse(patient=service.patient_message(row))

    async def ListPatientChanges(self, request: pb.ListPatientChangesRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.ListPatientChangesResponse:
        return pb.ListPatientChangesResponse(changes=await service.list_changes(current_call(), request.patient_id))

    async def MergePatients(self, request: pb.MergePatientsRequest, context: grpc.aio.ServicerContext
                            ) -> pb.MergePatientsResponse:
        survivor, record = await merge.merge(current_call(), request)
        return pb.MergePatientsResponse(survivor=survivor, merge=record)

    async def ListMerges(self, request: pb.ListMergesRequest, context: grpc.aio.ServicerContext
                         ) -> pb.ListMergesResponse:
        return pb.ListMergesResponse(merges=await merge.list_merges(current_call()))
