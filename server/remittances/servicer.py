"""RemittanceService: ERA import, preview, posting and the denial worklist."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.remittances import paper, service, views
from server.rpc.context import current_call
from shared.pms.remittances.v1 import remittances_pb2 as pb
from shared.pms.remittances.v1 import remittances_pb2_grpc


class RemittanceServicer(remittances_pb2_grpc.RemittanceServiceServicer):
    async def ImportRemittanceFile(self, request: pb.ImportRemittanceFileRequest, context: grpc.aio.ServicerContext
                                   ) -> pb.ImportRemittanceFileResponse:
        ctx = current_call()
        imported = await service.import_file(ctx, request.file_name, request.content)
        ctx.audit.detail = (f"file={request.file_name!r} eras={len(imported)} "
                            f"new={sum(1 for _, known in imported if not known)}")
        return pb.ImportRemittanceFileResponse(
            remittances=[await views.remittance_message(ctx, row) for row, _ in imported],
            already_known=[known for _, known in imported])

    async def ListRemittances(self, request: pb.ListRemittancesRequest, context: grpc.aio.ServicerContext
                              ) -> pb.ListRemittancesResponse:
        ctx = current_call()
        rows = await views.list_remittances(ctx, request.status, request.limit)
        ctx.audit.detail = f"results={len(rows)}"
        return pb.ListRemittancesResponse(remittances=rows)

    async def GetRemittance(self, request: pb.GetRemittanceRequest, context: grpc.aio.ServicerContext
                            ) -> pb.GetRemittanceResponse:
        ctx = current_call()
        row = await service.load(ctx, request.remittance_id)
        claims = await views.claim_payments(ctx, row.id)
        ctx.audit.detail = f"remittance_id={row.id} claims={len(claims)}"
        return pb.GetRemittanceResponse(remittance=await views.remittance_message(ctx, row), claims=claims)

    async def PostRemittance(self, request: pb.PostRemittanceRequest, context: grpc.aio.ServicerContext
                             ) -> pb.PostRemittanceResponse:
        ctx = current_call()
        row, count = await service.post(ctx, request.remittance_id)
        ctx.audit.detail = f"remittance_id={row.id} posted_claims={count}"
        return pb.PostRemittanceResponse(remittance=await views.remittance_message(ctx, row), posted_claims=count)

    async def ResolveRemittanceException(self, request: pb.ResolveRemittanceExceptionRequest,
                                         context: grpc.aio.ServicerContext) -> pb.ResolveRemittanceExceptionResponse:
        ctx = current_call()
        row, count = await service.resolve(ctx, request.remittance_id, request.position, request.claim_id)
        ctx.audit.detail = (f"remittance_id={row.id} position={request.position} claim_id={request.claim_id} "
                            f"posted={count}")
        claims = await views.claim_payments(ctx, row.id)
        return pb.ResolveRemittanceExceptionResponse(
            remittance=await views.remittance_message(ctx, row), posted_claims=count,
            claim=next(c for c in claims if c.position == request.position))

    async def WorkDenial(self, request: pb.WorkDenialRequest, context: grpc.aio.ServicerContext
                         ) -> pb.WorkDenialResponse:
        ctx = current_call()

        async def post() -> pb.WorkDenialResponse:
            moved = await service.work_denial(ctx, request)
            ctx.audit.detail = f"denial_id={request.denial_id} action={request.action} moved_cents={moved}"
            return pb.WorkDenialResponse(moved_cents=moved)

        return await idempotency.once(ctx, request, pb.WorkDenialResponse, post)

    async def ListDenials(self, request: pb.ListDenialsRequest, context: grpc.aio.ServicerContext
                          ) -> pb.ListDenialsResponse:
        ctx = current_call()
        denials = await views.open_denials(ctx, request.limit)
        ctx.audit.detail = f"results={len(denials)}"
        return pb.ListDenialsResponse(denials=denials)

    async def ListUnderpayments(self, request: pb.ListUnderpaymentsRequest, context: grpc.aio.ServicerContext
                                ) -> pb.ListUnderpaymentsResponse:
        ctx = current_call()
        out = await views.open_underpayments(ctx, request.limit)
        ctx.audit.detail = f"results={len(out.underpayments)}"
        return out

    async def PostPaperRemittance(self, request: pb.PostPaperRemittanceRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.PostPaperRemittanceResponse:
        ctx = current_call()

        async def post() -> pb.PostPaperRemittanceResponse:
            row, count = await paper.post_paper(ctx, request)
            ctx.audit.detail = f"remittance_id={row.id} check={request.check_number!r} posted_claims={count}"
            return pb.PostPaperRemittanceResponse(remittance=await views.remittance_message(ctx, row),
                                                  claims=await views.claim_payments(ctx, row.id))

        return await idempotency.once(ctx, request, pb.PostPaperRemittanceResponse, post)
