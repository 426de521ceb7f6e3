"""ClaimService: the billing identity, claims from ready encounters, the claims worklist."""

from __future__ import annotations

import grpc

from server.claims import service, setup
from server.rpc.context import current_call
from shared.pms.claims.v1 import claims_pb2 as pb
from shared.pms.claims.v1 import claims_pb2_grpc


class ClaimServicer(claims_pb2_grpc.ClaimServiceServicer):
    async def GetBillingSetup(self, request: pb.GetBillingSetupRequest, context: grpc.aio.ServicerContext
                              ) -> pb.GetBillingSetupResponse:
        ctx = current_call()
        return pb.GetBillingSetupResponse(setup=setup.message(await setup.load(ctx.db, ctx.practice_id)))

    async def UpdateBillingSetup(self, request: pb.UpdateBillingSetupRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.UpdateBillingSetupResponse:
        ctx = current_call()
        row = await setup.update(ctx.db, ctx.practice_id, request.setup)
        ctx.audit.detail = f"version={row.version} npi={row.npi}"
        return pb.UpdateBillingSetupResponse(setup=setup.message(row))

    async def CreateClaims(self, request: pb.CreateClaimsRequest, context: grpc.aio.ServicerContext
                           ) -> pb.CreateClaimsResponse:
        ctx = current_call()
        outcomes = await service.create_claims(ctx, list(request.encounter_ids))
        made = [o.claim_id for o in outcomes if o.claim_id]
        ctx.audit.detail = f"encounters={len(outcomes)} claims={made[:50]}"
        return pb.CreateClaimsResponse(outcomes=outcomes)

    async def GetClaim(self, request: pb.GetClaimRequest, context: grpc.aio.ServicerContext) -> pb.GetClaimResponse:
        ctx = current_call()
        row = await service.load(ctx, request.claim_id)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"claim_id={row.id}"
        claim, events = await service.message(ctx, row)
        return pb.GetClaimResponse(claim=claim, events=events)

    async def ListClaims(self, request: pb.ListClaimsRequest, context: grpc.aio.ServicerContext
                         ) -> pb.ListClaimsResponse:
        ctx = current_call()
        found = await service.worklist(ctx, request)
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"results={len(found.claims)}"
        return found
