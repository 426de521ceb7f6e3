"""StatementService: statement runs and their delivery, collections and payment plans (decision 0028)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from server.common import idempotency
from server.errors import InvalidArgument
from server.reminders.transports import SmtpSender
from server.rpc.context import current_call
from server.statements import service
from shared.pms.statements.v1 import statements_pb2 as pb
from shared.pms.statements.v1 import statements_pb2_grpc

CHUNK = 1 << 20


class StatementServicer(statements_pb2_grpc.StatementServiceServicer):
    def __init__(self, email: object | None = None) -> None:
        # The reminders' SMTP server (server.json "reminders" "smtp"); None: statements go by mail only.
        self.email: SmtpSender | None = email if isinstance(email, SmtpSender) else None

    async def GetStatementSettings(self, request: pb.GetStatementSettingsRequest,
                                   context: grpc.aio.ServicerContext) -> pb.GetStatementSettingsResponse:
        s = await service.settings(current_call())
        return pb.GetStatementSettingsResponse(settings=service.settings_message(s))

    async def UpdateStatementSettings(self, request: pb.UpdateStatementSettingsRequest,
                                      context: grpc.aio.ServicerContext) -> pb.UpdateStatementSettingsResponse:
        ctx = current_call()
        s = await service.update_settings(ctx, request)
        ctx.audit.detail = f"threshold_cents={s.threshold_cents} cycle_days={s.cycle_days} levels={s.levels}"
        return pb.UpdateStatementSettingsResponse(settings=service.settings_message(s))

    async def PreviewStatementRun(self, request: pb.PreviewStatementRunRequest,
                                  context: grpc.aio.ServicerContext) -> pb.PreviewStatementRunResponse:
        ctx = current_call()
        out = await service.preview(ctx)
        ctx.audit.detail = f"statements={out.statement_count} collections={out.collections_count}"
        return out

    async def RunStatements(self, request: pb.RunStatementsRequest, context: grpc.aio.ServicerContext
                            ) -> pb.RunStatementsResponse:
        ctx = current_call()
        if not request.idempotency_key:
            raise InvalidArgument.one("idempotency_key", "is required: a run must never make statements twice")

        async def post() -> pb.RunStatementsResponse:
            row = await service.run(ctx)
            ctx.audit.detail = f"run_id={row.id} statements={row.statement_count} " \
                               f"collections={row.collections_count}"
            return pb.RunStatementsResponse(run=service.run_message(row))

        return await idempotency.once(ctx, request, pb.RunStatementsResponse, post)

    async def ListStatementRuns(self, request: pb.ListStatementRunsRequest, context: grpc.aio.ServicerContext
                                ) -> pb.ListStatementRunsResponse:
        ctx = current_call()
        rows = await service.list_runs(ctx, request.limit)
        ctx.audit.detail = f"results={len(rows)}"
        return pb.ListStatementRunsResponse(runs=[service.run_message(r) for r in rows])

    async def ListStatements(self, request: pb.ListStatementsRequest, context: grpc.aio.ServicerContext
                             ) -> pb.ListStatementsResponse:
        ctx = current_call()
        out = await service.list_statements(ctx, request.run_id, request.patient_id)
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"run_id={request.run_id} results={len(out)}"
        return pb.ListStatementsResponse(statements=out)

    async def DownloadStatement(self, request: pb.DownloadStatementRequest, context: grpc.aio.ServicerContext
                                ) -> AsyncIterator[pb.DownloadStatementResponse]:
        ctx = current_call()
        row = await service.load_statement(ctx, request.statement_id)
        ctx.audit.patient_id, ctx.audit.detail = row.account_patient_id, f"statement_id={row.id}"
        yield pb.DownloadStatementResponse(file_name=service.file_name(row))
        for start in range(0, len(row.pdf), CHUNK):
            yield pb.DownloadStatementResponse(chunk=row.pdf[start:start + CHUNK])

    async def ExportStatementRun(self, request: pb.ExportStatementRunRequest, context: grpc.aio.ServicerContext
                                 ) -> AsyncIterator[pb.ExportStatementRunResponse]:
        ctx = current_call()
        name, data, count = await service.export_run(ctx, request.run_id, request.format)
        ctx.audit.detail = f"run_id={request.run_id} format={request.format} statements={count}"
        yield pb.ExportStatementRunResponse(file_name=name, statement_count=count)
        for start in range(0, len(data), CHUNK):
            yield pb.ExportStatementRunResponse(chunk=data[start:start + CHUNK], statement_count=count)

    async def SendStatementEmails(self, request: pb.SendStatementEmailsRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.SendStatementEmailsResponse:
        ctx = current_call()
        if not request.idempotency_key:
            raise InvalidArgument.one("idempotency_key", "is required: a statement must never be emailed twice")

        async def post() -> pb.SendStatementEmailsResponse:
            done = await service.send_emails(ctx, request.run_id, self.email)
            ctx.audit.detail = f"run_id={request.run_id} sent={done.sent} failed={done.failed}"
            return pb.SendStatementEmailsResponse(sent_count=done.sent, failed_count=done.failed)

        return await idempotency.once(ctx, request, pb.SendStatementEmailsResponse, post)

    async def VoidStatement(self, request: pb.VoidStatementRequest, context: grpc.aio.ServicerContext
                            ) -> pb.VoidStatementResponse:
        ctx = current_call()
        row = await service.void(ctx, request.statement_id, request.reason)
        ctx.audit.patient_id, ctx.audit.detail = row.account_patient_id, f"statement_id={row.id} voided"
        return pb.VoidStatementResponse(statement=service.statement_message(row))

    async def ListCollectionAccounts(self, request: pb.ListCollectionAccountsRequest,
                                     context: grpc.aio.ServicerContext) -> pb.ListCollectionAccountsResponse:
        ctx = current_call()
        out = await service.list_collections(ctx, request.status)
        ctx.audit.detail = f"results={len(out)}"
        return pb.ListCollectionAccountsResponse(accounts=out)

    async def ExportCollections(self, request: pb.ExportCollectionsRequest, context: grpc.aio.ServicerContext
                                ) -> pb.ExportCollectionsResponse:
        ctx = current_call()
        if not request.idempotency_key:
            raise InvalidArgument.one("idempotency_key", "is required: an account goes to the agency once")

        async def post() -> pb.ExportCollectionsResponse:
            out = await service.export_collections(ctx)
            ctx.audit.detail = f"accounts={out.account_count} total_cents={out.total_cents}"
            return out

        return await idempotency.once(ctx, request, pb.ExportCollectionsResponse, post)

    async def CreatePaymentPlan(self, request: pb.CreatePaymentPlanRequest, context: grpc.aio.ServicerContext
                                ) -> pb.CreatePaymentPlanResponse:
        ctx = current_call()
        row = await service.create_plan(ctx, request)
        ctx.audit.patient_id = request.patient_id
        ctx.audit.detail = f"payment_plan_id={row.id} total_cents={row.total_cents}"
        today = await service.practice_today(ctx.db, ctx.practice_id)
        return pb.CreatePaymentPlanResponse(plan=await service.plan_message(ctx, row, today))

    async def ListPaymentPlans(self, request: pb.ListPaymentPlansRequest, context: grpc.aio.ServicerContext
                               ) -> pb.ListPaymentPlansResponse:
        ctx = current_call()
        plans = await service.list_plans(ctx, request.patient_id, request.include_cancelled)
        ctx.audit.patient_id = request.patient_id or None
        ctx.audit.detail = f"results={len(plans)}"
        return pb.ListPaymentPlansResponse(plans=plans)

    async def CancelPaymentPlan(self, request: pb.CancelPaymentPlanRequest, context: grpc.aio.ServicerContext
                                ) -> pb.CancelPaymentPlanResponse:
        ctx = current_call()
        row = await service.cancel_plan(ctx, request)
        ctx.audit.patient_id, ctx.audit.detail = row.patient_id, f"payment_plan_id={row.id} cancelled"
        today = await service.practice_today(ctx.db, ctx.practice_id)
        return pb.CancelPaymentPlanResponse(plan=await service.plan_message(ctx, row, today))
