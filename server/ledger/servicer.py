"""LedgerService: the books, read."""

from __future__ import annotations

import grpc

from server.ledger import service
from server.rpc.context import current_call
from shared.pms.ledger.v1 import ledger_pb2 as pb
from shared.pms.ledger.v1 import ledger_pb2_grpc


class LedgerServicer(ledger_pb2_grpc.LedgerServiceServicer):
    async def GetPatientLedger(self, request: pb.GetPatientLedgerRequest, context: grpc.aio.ServicerContext
                               ) -> pb.GetPatientLedgerResponse:
        ctx = current_call()
        out = await service.patient_ledger(ctx, request.patient_id)
        ctx.audit.patient_id, ctx.audit.detail = request.patient_id, f"rows={len(out.rows)}"
        return out
