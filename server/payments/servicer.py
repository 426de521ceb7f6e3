"""PaymentService: patient payments, credits, refunds and reversals, each posted exactly once."""

from __future__ import annotations

import grpc

from server.common import idempotency
from server.payments import service
from server.rpc.context import current_call
from shared.pms.payments.v1 import payments_pb2 as pb
from shared.pms.payments.v1 import payments_pb2_grpc


class PaymentServicer(payments_pb2_grpc.PaymentServiceServicer):
    async def PostPatientPayment(self, request: pb.PostPatientPaymentRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.PostPatientPaymentResponse:
        ctx = current_call()

        async def post() -> pb.PostPatientPaymentResponse:
            row = await service.post_payment(ctx, request)
            ctx.audit.patient_id = row.patient_id
            ctx.audit.detail = f"payment_id={row.id} amount_cents={row.amount_cents} method={row.method}"
            return pb.PostPatientPaymentResponse(payment=await service.payment_message(ctx, row),
                                                 balance=await service.balance(ctx, row.patient_id))

        return await idempotency.once(ctx, request, pb.PostPatientPaymentResponse, post,
                                      lambda r: r.payment.patient_id)

    async def ReversePatientPayment(self, request: pb.ReversePatientPaymentRequest,
                                    context: grpc.aio.ServicerContext) -> pb.ReversePatientPaymentResponse:
        ctx = current_call()

        async def post() -> pb.ReversePatientPaymentResponse:
            row = await service.reverse_payment(ctx, request)
            ctx.audit.patient_id = row.patient_id
            ctx.audit.detail = f"payment_id={row.id} reversed amount_cents={row.amount_cents}"
            return pb.ReversePatientPaymentResponse(payment=await service.payment_message(ctx, row),
                                                    balance=await service.balance(ctx, row.patient_id))

        return await idempotency.once(ctx, request, pb.ReversePatientPaymentResponse, post,
                                      lambda r: r.payment.patient_id)

    async def ApplyPatientCredit(self, request: pb.ApplyPatientCreditRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.ApplyPatientCreditResponse:
        ctx = current_call()

        async def post() -> pb.ApplyPatientCreditResponse:
            shares = await service.apply_credit(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"applied_cents={sum(s.cents for s in shares)} lines={len(shares)}"
            return pb.ApplyPatientCreditResponse(
                applications=await service.applications(ctx, [(s.encounter_id, s.line_number, s.cents)
                                                              for s in shares]),
                balance=await service.balance(ctx, request.patient_id))

        # The request names the patient; the response does not, so the audit of a replay takes it from there.
        return await idempotency.once(ctx, request, pb.ApplyPatientCreditResponse, post,
                                      lambda _: request.patient_id)

    async def RefundPatientCredit(self, request: pb.RefundPatientCreditRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.RefundPatientCreditResponse:
        ctx = current_call()

        async def post() -> pb.RefundPatientCreditResponse:
            await service.refund_credit(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"refunded_cents={request.amount_cents}"
            return pb.RefundPatientCreditResponse(balance=await service.balance(ctx, request.patient_id))

        return await idempotency.once(ctx, request, pb.RefundPatientCreditResponse, post,
                                      lambda _: request.patient_id)

    async def ListPatientPayments(self, request: pb.ListPatientPaymentsRequest, context: grpc.aio.ServicerContext
                                  ) -> pb.ListPatientPaymentsResponse:
        ctx = current_call()
        rows = await service.list_payments(ctx, request.patient_id, request.limit)
        ctx.audit.patient_id, ctx.audit.detail = request.patient_id, f"results={len(rows)}"
        return pb.ListPatientPaymentsResponse(payments=[await service.payment_message(ctx, r) for r in rows],
                                              balance=await service.balance(ctx, request.patient_id))

    async def WriteOffPatientBalance(self, request: pb.WriteOffPatientBalanceRequest,
                                     context: grpc.aio.ServicerContext) -> pb.WriteOffPatientBalanceResponse:
        ctx = current_call()

        async def post() -> pb.WriteOffPatientBalanceResponse:
            shares = await service.write_off(ctx, request)
            ctx.audit.patient_id = request.patient_id
            ctx.audit.detail = f"written_off_cents={sum(s.cents for s in shares)} kind={request.kind}"
            return pb.WriteOffPatientBalanceResponse(
                applications=await service.applications(ctx, [(s.encounter_id, s.line_number, s.cents)
                                                              for s in shares]),
                balance=await service.balance(ctx, request.patient_id))

        return await idempotency.once(ctx, request, pb.WriteOffPatientBalanceResponse, post,
                                      lambda _: request.patient_id)

    async def PrintReceipt(self, request: pb.PrintReceiptRequest, context: grpc.aio.ServicerContext
                           ) -> pb.PrintReceiptResponse:
        ctx = current_call()
        patient_id, pdf = await service.receipt(ctx, request.payment_id)
        ctx.audit.patient_id, ctx.audit.detail = patient_id, f"payment_id={request.payment_id}"
        return pb.PrintReceiptResponse(pdf=pdf, file_name=f"receipt-{request.payment_id}.pdf")
