"""AuditService: reading and verifying the audit trail."""

from __future__ import annotations

from datetime import UTC

import grpc
from sqlalchemy import select

from server.audit import chain
from server.audit.models import AuditEvent
from server.common.convert import ts
from server.rpc.context import current_call
from server.security import Permission
from shared.pms.audit.v1 import audit_pb2, audit_pb2_grpc

_OUTCOMES = {
    chain.Outcome.SUCCESS: audit_pb2.OUTCOME_SUCCESS,
    chain.Outcome.DENIED: audit_pb2.OUTCOME_DENIED,
    chain.Outcome.FAILED: audit_pb2.OUTCOME_FAILED,
    chain.Outcome.ERROR: audit_pb2.OUTCOME_ERROR,
}
_OUTCOME_NAMES = {v: k for k, v in _OUTCOMES.items()}
MAX_PAGE = 1000


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    async def ListAuditEvents(self, request: audit_pb2.ListAuditEventsRequest,
                              context: grpc.aio.ServicerContext) -> audit_pb2.ListAuditEventsResponse:
        ctx = current_call()
        see_patients = ctx.has(Permission.AUDIT_READ_PHI)
        size = min(request.page_size or 200, MAX_PAGE)
        q = select(AuditEvent).where(AuditEvent.practice_id == ctx.practice_id)
        if request.HasField("since"):
            q = q.where(AuditEvent.occurred_at >= request.since.ToDatetime(tzinfo=UTC))
        if request.HasField("until"):
            q = q.where(AuditEvent.occurred_at < request.until.ToDatetime(tzinfo=UTC))
        if request.username:
            q = q.where(AuditEvent.username == request.username)
        if request.workstation_name:
            q = q.where(AuditEvent.workstation_name == request.workstation_name)
        if request.action_contains:
            q = q.where(AuditEvent.action.icontains(request.action_contains, autoescape=True))
        if request.outcome:
            q = q.where(AuditEvent.outcome == _OUTCOME_NAMES.get(request.outcome, "?"))
        if request.patient_id and see_patients:
            q = q.where(AuditEvent.patient_id == request.patient_id)
        if request.before_sequence:
            q = q.where(AuditEvent.sequence < request.before_sequence)
        rows = list((await ctx.db.execute(q.order_by(AuditEvent.sequence.desc()).limit(size + 1))).scalars())
        more = len(rows) > size
        rows = rows[:size]
        events = [
            audit_pb2.AuditEvent(
                sequence=r.sequence, occurred_at=ts(r.occurred_at), username=r.username,
                workstation_name=r.workstation_name, action=r.action,
                patient_id=(r.patient_id or 0) if see_patients else 0, data_category=r.data_category,
                outcome=_OUTCOMES.get(r.outcome, audit_pb2.OUTCOME_UNSPECIFIED), detail=r.detail,
                patient_hidden=r.patient_id is not None and not see_patients,
            )
            for r in rows
        ]
        return audit_pb2.ListAuditEventsResponse(
            events=events, next_before_sequence=rows[-1].sequence if more and rows else 0)

    async def VerifyAuditChain(self, request: audit_pb2.VerifyAuditChainRequest,
                               context: grpc.aio.ServicerContext) -> audit_pb2.VerifyAuditChainResponse:
        ctx = current_call()
        result = await chain.verify(ctx.db, ctx.practice_id)
        return audit_pb2.VerifyAuditChainResponse(ok=result.ok, events_checked=result.events_checked,
                                                  first_bad_sequence=result.first_bad_sequence,
                                                  problem=result.problem)
