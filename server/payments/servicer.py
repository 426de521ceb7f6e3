"""PaymentService: patient payments, credits, refunds and reversals, each posted exactly once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from server.common import idempotency
from server.payments import service
from server.rpc.context import CallContext, current_call
from shared.pms.payments.v1 import payments_pb2 as pb
from shared.pms.payments.v1 import payments_pb2_grpc

R = TypeVar("R", bound=Message)


async def _once(request: Message, response_type: type[R], patient_of: Callable[[R], int],
                post: Callable[[CallContext], Awaitable[R]]) -> R:
    """Replays the stored answer for a key already used (refusing other content), or posts and remembers."""
    ctx = current_call()
    replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request, response_type)
    if replayed is not None:
        ctx.audit.patient_id = patient_of(replayed) or None
        ctx.audit.detail = "replayed"
        return replayed
    response = await post(ctx)
    await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
    return response


class PaymentServicer(payments_pb2_grpc.PaymentServiceServicer):
    async def PostPatientPayment(self, request: pb.PostPatientPaymentRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.PostPatientPaymentResponse:
        async def post(ctx: CallContext) -> pb.PostPatientPaymentResponse:
            row = await service.post_payment(ctx, request)
            ctx.audit.patient_id = row.patient_id
            ctx.audit.detail = f"payment_id={row.id} amount_cents={row.amount_cents} method={row.method}"
            return pb.PostPatientPaymentResponse(payment=await service.payment_message(ctx, row),
                                                 balance=await service.balance(ctx, row.patient_id))

        return await _once(request, pb.PostPatientPaymentResponse, lambda r: r.payment.patient_id, post)

    async def ReversePatientPayment(self, request: pb.ReversePatientPaymentRequest,
                                    context: grpc.aio.ServicerContext) -> pb.ReversePatientPaymentResponse:
        async def post(ctx: CallContext) -> pb.ReversePatientPaymentResponse:
            row = await service.reverse_payment(ctx, request)
            ctx.audit.patient_id = row.patient_id
            ctx.audit.detail = f"payment_id={row.id} reversed amount_cents={row.amount_cents}"
            return pb.ReversePatientPaymentResponse(payment=await service.payment_message(ctx, row),
                                                    balance=await service.balance(ctx, row.patient_id))

        return await _once(request, pb.ReversePatientPaymentResponse, lambda r: r.payment.patient_id, post)

    async def ApplyPatientCredit(self, request: pb.ApplyPatientCreditRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.ApplyPatientCreditResponse:
        async def post(ctx: CallContext) -> pb.ApplyPatientCreditResponse:
            shares = await service.apply_credit(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"applied_cents={sum(s.cents for s in shares)} lines={len(shares)}"
            return pb.ApplyPatientCreditResponse(
                applications=await service.applications(ctx, [(s.encounter_id, s.line_number, s.cents)
                                                              for s in shares]),
                balance=await service.balance(ctx, request.patient_id))

        # The request names the patient; the response does not, so the audit of a replay takes it from there.
        return await _once(request, pb.ApplyPatientCreditResponse, lambda _: request.patient_id, post)

    async def RefundPatientCredit(self, request: pb.RefundPatientCreditRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.RefundPatientCreditResponse:
        async def post(ctx: CallContext) -> pb.RefundPatientCreditResponse:
            await service.refund_credit(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"refunded_cents={request.amount_cents}"
            return pb.RefundPatientCreditResponse(balance=await service.balance(ctx, request.patient_id))

        return await _once(request, pb.RefundPatientCreditResponse, lambda _: request.patient_id, post)

    async def ListPatientPayments(self, request: pb.ListPatientPaymentsRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.ListPatientPaymentsResponse:
        ctx = current_call()
        rows = await service.list_payments(ctx, request.patient_id, request.limit)
        ctx.audit.patient_id, ctx.audit.detail = request.patient_id, f"results={len(rows)}"
        return pb.ListPatientPaymentsResponse(payments=[await service.payment_message(ctx, r) for r in rows],
                                              balance=await service.balance(ctx, request.patient_id))

    async def WriteOffPatientBalance(self, request: pb.WriteOffPatientBalanceRequest,
                                     context: grpc.aio.ServicerContext) -> pb.WriteOffPatientBalanceResponse:
        async def post(ctx: CallContext) -> pb.WriteOffPatientBalanceResponse:
            shares = await service.write_off(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"written_off_cents={sum(s.cents for s in shares)} kind={request.kind}"
            return pb.WriteOffPatientBalanceResponse(
                applications=await service.applications(ctx, [(s.encounter_id, s.line_number, s.cents)
                                                              for s in shares]),
                balance=await service.balance(ctx, request.patient_id))

        return await _once(request, pb.WriteOffPatientBalanceResponse, lambda _: request.patient_id, post)

    async def PrintReceipt(self, request: pb.PrintReceiptRequest, context: grpc.aio.ServicerContext
                           ) -> pb.PrintReceiptResponse:
        ctx = current_call()
        patient_id, pdf = await service.receipt(ctx, request.payment_id)
        ctx.audit.patient_id, ctx.audit.detail = patient_id, f"payment_id={request.payment_id}"
        return pb.PrintReceiptResponse(pdf=pdf, file_name=f"receipt-{request.payment_id}.pdf")
