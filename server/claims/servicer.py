"""ClaimService: the billing identity, claims from ready encounters, the claims worklist."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from server.claims import batches, claim_status, forms, scrub_setup, scrubbing, service, setup
from server.claims.scrubber import Finding
from server.errors import InvalidArgument
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
        return pb.GetClaimResponse(claim=claim, events=events,
                                   findings=_findings(await scrubbing.findings_of(ctx, row.id)))

    async def ListClaims(self, request: pb.ListClaimsRequest, context: grpc.aio.ServicerContext
                         ) -> pb.ListClaimsResponse:
        ctx = current_call()
        found = await service.worklist(ctx, request)
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"results={len(found.claims)}"
        return found

    async def ScrubClaims(self, request: pb.ScrubClaimsRequest, context: grpc.aio.ServicerContext
                          ) -> pb.ScrubClaimsResponse:
        ctx = current_call()
        done = await scrubbing.scrub_claims(ctx, list(request.claim_ids), queue=request.queue)
        ctx.audit.detail = (f"claims={len(done)} queue={request.queue} "
                            f"clean={sum(1 for c in done if c.status in ('scrubbed', 'queued'))}")
        return pb.ScrubClaimsResponse(claims=[
            pb.ScrubbedClaim(claim_id=c.id, status=service.STATUS_ENUMS[c.status], findings=_findings(c.findings))
            for c in done])

    async def GetScrubSetup(self, request: pb.GetScrubSetupRequest, context: grpc.aio.ServicerContext
                            ) -> pb.GetScrubSetupResponse:
        return await scrub_setup.read(current_call())

    async def UpdateScrubSetup(self, request: pb.UpdateScrubSetupRequest, context: grpc.aio.ServicerContext
                               ) -> pb.UpdateScrubSetupResponse:
        ctx = current_call()
        now = await scrub_setup.update(ctx, request)
        ctx.audit.detail = (f"disabled={list(request.disabled_rules)} enabled={list(request.enabled_rules)} "
                            f"pairs={len(now.code_pairs)} auth={len(now.auth_requirements)}")
        return pb.UpdateScrubSetupResponse(rules=now.rules, code_pairs=now.code_pairs,
                                           auth_requirements=now.auth_requirements)

    async def CreateBatch(self, request: pb.CreateBatchRequest, context: grpc.aio.ServicerContext
                          ) -> pb.CreateBatchResponse:
        ctx = current_call()
        batch = await batches.create_batch(ctx, list(request.claim_ids))
        ctx.audit.detail = (f"batch_id={batch.id} interchange={batch.interchange_control_number} "
                            f"claims={batch.claim_count}")
        return pb.CreateBatchResponse(batch=batches.message(batch))

    async def GetBatchFile(self, request: pb.GetBatchFileRequest, context: grpc.aio.ServicerContext
                           ) -> pb.GetBatchFileResponse:
        ctx = current_call()
        batch = await batches.load(ctx, request.batch_id)
        ctx.audit.detail = f"batch_id={batch.id} claims={batch.claim_count}"
        return pb.GetBatchFileResponse(batch=batches.message(batch), content=batch.content)

    async def ListBatches(self, request: pb.ListBatchesRequest, context: grpc.aio.ServicerContext
                          ) -> pb.ListBatchesResponse:
        ctx = current_call()
        found = await batches.listing(ctx, request)
        ctx.audit.detail = f"status={request.status} before_id={request.before_id} results={len(found.batches)}"
        return found

    async def PrintClaims(self, request: pb.PrintClaimsRequest, context: grpc.aio.ServicerContext
                          ) -> AsyncIterator[pb.PrintClaimsResponse]:
        ctx = current_call()
        if request.mode == pb.FORM_MODE_UNSPECIFIED:
            raise InvalidArgument.one("mode", "choose the red form (data only) or the full form")
        pdf, pages = await forms.print_claims(ctx, list(request.claim_ids),
                                              "red_form" if request.mode == pb.FORM_MODE_RED_FORM else "full")
        ctx.audit.detail = f"claims={list(request.claim_ids)[:50]} pages={pages} mode={request.mode}"
        first = request.claim_ids[0]
        yield pb.PrintClaimsResponse(file_name=f"CMS1500-C{first}{'-more' if len(request.claim_ids) > 1 else ''}"
                                               ".pdf", pages=pages)
        for start in range(0, len(pdf), PRINT_CHUNK):
            yield pb.PrintClaimsResponse(chunk=pdf[start:start + PRINT_CHUNK], pages=pages)

    async def CheckClaimStatus(self, request: pb.CheckClaimStatusRequest, context: grpc.aio.ServicerContext
                               ) -> pb.CheckClaimStatusResponse:
        ctx = current_call()
        written = await claim_status.request(ctx, list(request.claim_ids))
        ctx.audit.detail = f"claims={list(request.claim_ids)[:50]} files={[r.file_name for r in written]}"
        return pb.CheckClaimStatusResponse(file_names=[r.file_name for r in written])


PRINT_CHUNK = 1 << 20


def _findings(found: list[Finding]) -> list[pb.Finding]:
    return [pb.Finding(rule=f.rule, severity=scrub_setup.SEVERITY_ENUMS[f.severity], field=f.field,
                       message=f.message) for f in found]
