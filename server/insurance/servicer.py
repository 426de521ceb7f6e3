"""InsuranceService: a patient's policies in billing order, and their eligibility checks."""

from __future__ import annotations

import grpc
from sqlalchemy import select

from server.common import contact_rules, idempotency
from server.errors import FieldErrors, InvalidArgument
from server.insurance import eligibility, service
from server.insurance.models import EligibilityCheck
from server.patients import service as patients
from server.rpc.context import current_call
from shared import dates
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

    async def CheckEligibility(self, request: pb.CheckEligibilityRequest, context: grpc.aio.ServicerContext
                               ) -> pb.CheckEligibilityResponse:
        ctx = current_call()
        errors = FieldErrors()
        dos = contact_rules.calendar_date(errors, "date_of_service", request.date_of_service, required=False)
        errors.raise_if_any()
        checks = await eligibility.request(ctx, list(request.policy_ids), dos)
        patients_named = {c.patient_id for c in checks}
        ctx.audit.patient_id = next(iter(patients_named)) if len(patients_named) == 1 else None
        ctx.audit.detail = f"checks={[c.id for c in checks][:50]}"
        return pb.CheckEligibilityResponse(checks=[eligibility_message(c) for c in checks])

    async def CheckTomorrowsEligibility(self, request: pb.CheckTomorrowsEligibilityRequest,
                                        context: grpc.aio.ServicerContext) -> pb.CheckTomorrowsEligibilityResponse:
        ctx = current_call()
        checks = await eligibility.request_tomorrow(ctx)
        ctx.audit.detail = f"checks={len(checks)}"
        return pb.CheckTomorrowsEligibilityResponse(checks=[eligibility_message(c) for c in checks])

    async def ListEligibilityChecks(self, request: pb.ListEligibilityChecksRequest,
                                    context: grpc.aio.ServicerContext) -> pb.ListEligibilityChecksResponse:
        ctx = current_call()
        await patients.load(ctx.db, ctx.practice_id, request.patient_id)
        if not 0 <= request.limit <= 200:
            raise InvalidArgument.one("limit", "must be between 0 and 200")
        ctx.audit.patient_id = request.patient_id
        query = select(EligibilityCheck).where(EligibilityCheck.practice_id == ctx.practice_id,
                                               EligibilityCheck.patient_id == request.patient_id)
        if request.policy_id:
            query = query.where(EligibilityCheck.policy_id == request.policy_id)
        rows = (await ctx.db.execute(query.order_by(EligibilityCheck.id.desc()).limit(request.limit or 20))
                ).scalars().all()
        return pb.ListEligibilityChecksResponse(checks=[eligibility_message(c) for c in rows])


STATUS_ENUMS = {"queued": pb.ELIGIBILITY_STATUS_QUEUED, "sent": pb.ELIGIBILITY_STATUS_SENT,
                "answered": pb.ELIGIBILITY_STATUS_ANSWERED}


def eligibility_message(c: EligibilityCheck) -> pb.EligibilityCheck:
    out = pb.EligibilityCheck(
        check_id=c.id, policy_id=c.policy_id, patient_id=c.patient_id, date_of_service=dates.to_pb(c.date_of_service),
        status=STATUS_ENUMS[c.status], coverage=c.coverage, plan_name=c.plan_name,
        plan_begin=dates.to_pb(c.plan_begin) if c.plan_begin else None,
        plan_end=dates.to_pb(c.plan_end) if c.plan_end else None, summary=c.summary)
    for name in ("copay_cents", "coinsurance_bp", "deductible_cents", "deductible_remaining_cents",
                 "out_of_pocket_remaining_cents"):
        value = getattr(c, name)
        if value is not None:
            setattr(out, name, value)
    if c.requested_at is not None:
        out.requested_at.FromDatetime(c.requested_at)
    if c.answered_at is not None:
        out.answered_at.FromDatetime(c.answered_at)
    return out
