"""PricingService: the fee schedule, payer contracts, Medicare fees, and superbill pricing."""

from __future__ import annotations

import grpc

from server.pricing import service
from server.rpc.context import current_call
from shared.pms.pricing.v1 import pricing_pb2 as pb
from shared.pms.pricing.v1 import pricing_pb2_grpc


class PricingServicer(pricing_pb2_grpc.PricingServiceServicer):
    async def ListFees(self, request: pb.ListFeesRequest, context: grpc.aio.ServicerContext) -> pb.ListFeesResponse:
        ctx = current_call()
        fees = await service.list_fees(ctx, request)
        ctx.audit.detail = f"prefix={request.code_prefix!r} results={len(fees)}"
        return pb.ListFeesResponse(fees=fees)

    async def SetFees(self, request: pb.SetFeesRequest, context: grpc.aio.ServicerContext) -> pb.SetFeesResponse:
        ctx = current_call()
        count = await service.set_fees(ctx, request)
        ctx.audit.detail = (f"effective_from={request.effective_from.year:04}-{request.effective_from.month:02}-"
                            f"{request.effective_from.day:02} fees={count}")
        return pb.SetFeesResponse(set=count)

    async def ListContracts(self, request: pb.ListContractsRequest, context: grpc.aio.ServicerContext
                            ) -> pb.ListContractsResponse:
        ctx = current_call()
        found = await service.list_contracts(ctx, request.payer_id)
        ctx.audit.detail = f"payer_id={request.payer_id} results={len(found)}"
        return pb.ListContractsResponse(contracts=found)

    async def GetContract(self, request: pb.GetContractRequest, context: grpc.aio.ServicerContext
                          ) -> pb.GetContractResponse:
        ctx = current_call()
        row = await service.load_contract(ctx, request.contract_id)
        ctx.audit.detail = f"contract_id={row.id}"
        return pb.GetContractResponse(contract=await service.contract_message(ctx, row))

    async def CreateContract(self, request: pb.CreateContractRequest, context: grpc.aio.ServicerContext
                             ) -> pb.CreateContractResponse:
        ctx = current_call()
        row = await service.create_contract(ctx, request.contract)
        ctx.audit.detail = f"contract_id={row.id} payer_id={row.payer_id} rates={len(request.contract.rates)}"
        return pb.CreateContractResponse(contract=await service.contract_message(ctx, row))

    async def UpdateContract(self, request: pb.UpdateContractRequest, context: grpc.aio.ServicerContext
                             ) -> pb.UpdateContractResponse:
        ctx = current_call()
        row = await service.update_contract(ctx, request.contract)
        ctx.audit.detail = f"contract_id={row.id} version={row.version} rates={len(request.contract.rates)}"
        return pb.UpdateContractResponse(contract=await service.contract_message(ctx, row))

    async def GetMedicareFee(self, request: pb.GetMedicareFeeRequest, context: grpc.aio.ServicerContext
                             ) -> pb.GetMedicareFeeResponse:
        ctx = current_call()
        ctx.audit.detail = f"code={request.code} locality={request.medicare_contractor}/{request.medicare_locality}"
        return await service.medicare_fee(ctx, request)

    async def PriceLines(self, request: pb.PriceLinesRequest, context: grpc.aio.ServicerContext
                         ) -> pb.PriceLinesResponse:
        ctx = current_call()
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"lines={len(request.lines)}"
        return await service.price_draft(ctx, request)
