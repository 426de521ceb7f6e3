"""PayerService: the practice's payer directory."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.payers import service
from server.rpc.context import current_call
from shared.pms.payers.v1 import payers_pb2 as pb
from shared.pms.payers.v1 import payers_pb2_grpc


class PayerServicer(payers_pb2_grpc.PayerServiceServicer):
    async def SearchPayers(self, request: pb.SearchPayersRequest, context: grpc.aio.ServicerContext
                           ) -> pb.SearchPayersResponse:
        ctx = current_call()
        rows = await service.search(ctx.db, ctx.practice_id, request.query, request.include_inactive, request.limit)
        ctx.audit.detail = f"results={len(rows)}"
        return pb.SearchPayersResponse(payers=[service.payer_message(r) for r in rows])

    async def GetPayer(self, request: pb.GetPayerRequest, context: grpc.aio.ServicerContext) -> pb.GetPayerResponse:
        ctx = current_call()
        ctx.audit.detail = f"payer_id={request.payer_id}"
        return pb.GetPayerResponse(payer=service.payer_message(
            await service.load(ctx.db, ctx.practice_id, request.payer_id)))

    async def CreatePayer(self, request: pb.CreatePayerRequest, context: grpc.aio.ServicerContext
                          ) -> pb.CreatePayerResponse:
        ctx = current_call()
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request, pb.CreatePayerResponse)
        if replayed is not None:
            ctx.audit.detail = "replayed"
            return replayed
        row = await service.create(ctx.db, ctx.practice_id, request.payer)
        ctx.audit.detail = f"payer_id={row.id}"
        response = pb.CreatePayerResponse(payer=service.payer_message(row))
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def UpdatePayer(self, request: pb.UpdatePayerRequest, context: grpc.aio.ServicerContext
                          ) -> pb.UpdatePayerResponse:
        ctx = current_call()
        row = await service.update(ctx.db, ctx.practice_id, request.payer)
        ctx.audit.detail = f"payer_id={row.id}"
        return pb.UpdatePayerResponse(payer=service.payer_message(row))
