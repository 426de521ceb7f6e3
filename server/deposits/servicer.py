"""DepositService: bank deposits and day close, each posted exactly once under its idempotency key."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.deposits import service
from server.rpc.context import current_call
from shared import dates
from shared.pms.deposits.v1 import deposits_pb2 as pb
from shared.pms.deposits.v1 import deposits_pb2_grpc


class DepositServicer(deposits_pb2_grpc.DepositServiceServicer):
    async def ListUndeposited(self, request: pb.ListUndepositedRequest, context: grpc.aio.ServicerContext
                              ) -> pb.ListUndepositedResponse:
        ctx = current_call()
        out = await service.list_undeposited(ctx)
        ctx.audit.detail = f"payments={len(out.payments)} remittances={len(out.remittances)}"
        return out

    async def CreateDeposit(self, request: pb.CreateDepositRequest, context: grpc.aio.ServicerContext
                            ) -> pb.CreateDepositResponse:
        ctx = current_call()

        async def post() -> pb.CreateDepositResponse:
            deposit = await service.get_deposit(ctx, await service.create_deposit(ctx, request))
            ctx.audit.detail = f"deposit_id={deposit.deposit_id} total_cents={deposit.total_cents} " \
                               f"items={deposit.item_count}"
            return pb.CreateDepositResponse(deposit=deposit)

        return await idempotency.once(ctx, request, pb.CreateDepositResponse, post)

    async def ListDeposits(self, request: pb.ListDepositsRequest, context: grpc.aio.ServicerContext
                           ) -> pb.ListDepositsResponse:
        ctx = current_call()
        deposits = await service.list_deposits(ctx, request.limit)
        ctx.audit.detail = f"results={len(deposits)}"
        return pb.ListDepositsResponse(deposits=deposits)

    async def GetDeposit(self, request: pb.GetDepositRequest, context: grpc.aio.ServicerContext
                         ) -> pb.GetDepositResponse:
        ctx = current_call()
        ctx.audit.detail = f"deposit_id={request.deposit_id}"
        return pb.GetDepositResponse(deposit=await service.get_deposit(ctx, request.deposit_id))

    async def GetDaySheet(self, request: pb.GetDaySheetRequest, context: grpc.aio.ServicerContext
                          ) -> pb.GetDaySheetResponse:
        ctx = current_call()
        sheet = await service.day_sheet(ctx, request)
        ctx.audit.detail = f"business_date={dates.from_pb(sheet.business_date)} closed={sheet.closed}"
        return pb.GetDaySheetResponse(sheet=sheet)

    async def CloseDay(self, request: pb.CloseDayRequest, context: grpc.aio.ServicerContext) -> pb.CloseDayResponse:
        ctx = current_call()

        async def post() -> pb.CloseDayResponse:
            sheet = await service.close_day(ctx, request)
            ctx.audit.detail = f"business_date={dates.from_pb(sheet.business_date)}"
            return pb.CloseDayResponse(sheet=sheet)

        return await idempotency.once(ctx, request, pb.CloseDayResponse, post)
