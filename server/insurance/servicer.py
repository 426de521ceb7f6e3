"""InsuranceService: a patient's policies in billing order."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.insurance import service
from server.patients import service as patients
from server.rpc.context import current_call
from shared.pms.insurance.v1 import insurance_pb2 as pb
from shared.pms.insurance.v1 import insurance_pb2_grpc


class InsuranceServicer(insurance_pb2_grpc.InsuranceServiceServicer):
    async def ListPolicies(self, request: pb.ListPoliciesRequest, context: grpc.aio.ServicerContext
                           ) -> pb.ListPoliciesResponse:
        ctx = current_call()
        await patients.load(ctx.db, ctx.practice_id, request.patient_id)
        ctx.audit.patient_id = request.patient_id
        return pb.ListPoliciesResponse(policies=await service.list_policies(
            ctx.db, ctx.practice_id, request.patient_id, include_ended=request.include_ended))

    async def AddPolicy(self, request: pb.AddPolicyRequest, context: grpc.aio.ServicerContext
                        ) -> pb.AddPolicyResponse:
        ctx = current_call()
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request, pb.AddPolicyResponse)
        if replayed is not None:
            ctx.audit.patient_id = replayed.policy.patient_id
            ctx.audit.detail = "replayed"
            return replayed
        response = pb.AddPolicyResponse(policy=await service.add_policy(ctx, request))
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def UpdatePolicy(self, request: pb.UpdatePolicyRequest, context: grpc.aio.ServicerContext
                           ) -> pb.UpdatePolicyResponse:
        return pb.UpdatePolicyResponse(policy=await service.update_policy(current_call(), request))

    async def EndPolicy(self, request: pb.EndPolicyRequest, context: grpc.aio.ServicerContext
                        ) -> pb.EndPolicyResponse:
        return pb.EndPolicyResponse(policy=await service.end_policy(current_call(), request))

    async def ReorderPolicies(self, request: pb.ReorderPoliciesRequest, context: grpc.aio.ServicerContext
                              ) -> pb.ReorderPoliciesResponse:
        return pb.ReorderPoliciesResponse(policies=await service.reorder(current_call(), request))
