"""Patient payments over mutual TLS: applied to chosen lines or oldest first, overpayments kept as credit, credits
applied and refunded, reversals, exactly-once under retry, and the patient ledger with running balances."""

from __future__ import annotations

import asyncio
from datetime import date

import grpc
import pytest

from shared import dates
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.payments.v1 import payments_pb2 as pm
from tests.api.test_encounters import an_encounter, biller, create, line, provider_id, ready
from tests.api.test_patients import logged_in
from tests.api.test_scheduling import Practice, a_patient_id

# The scheduling and encounter tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, RunningServer, fails, status_details

__all__ = ["biller", "provider_id"]


async def self_pay_visit(biller: Client, patient_id: int, provider_id: int, practice: Practice, dos: date,
                         *fees: int) -> int:
    """A billed visit of an uninsured patient: its lines are owed by the patient. Returns the encounter id."""
    made = await create(biller, an_encounter(patient_id, provider_id, practice, dos=dos, lines=tuple(
        line("99213" if i == 0 else "96372", [1], fee) for i, fee in enumerate(fees))))
    await ready(biller, made)
    return made.encounter_id


def cash(patient_id: int, cents: int, **fields: object) -> pm.PatientPayment:
    return pm.PatientPayment(patient_id=patient_id, method=pm.PAYMENT_METHOD_CASH, amount_cents=cents,
                             **fields)  # type: ignore[arg-type]


async def pay(client: Client, key: str, payment: pm.PatientPayment, *applications: pm.Application,
              keep_as_credit: bool = False) -> pm.PostPatientPaymentResponse:
    return await client.payments.PostPatientPayment(pm.PostPatientPaymentRequest(
        idempotency_key=key, payment=payment, applications=list(applications), keep_as_credit=keep_as_credit),
        metadata=client.md)


async def ledger(client: Client, patient_id: int) -> lg.GetPatientLedgerResponse:
    return await client.ledger.GetPatientLedger(lg.GetPatientLedgerRequest(patient_id=patient_id),
                                                metadata=client.md)


async def test_a_payment_goes_to_the_oldest_balance_first_and_the_rest_is_credit(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Oldest")
    newer = await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 4), 10_000)
    older = await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 12_500, 3_500)
    paid = await pay(desk, "oldest-1", cash(pid, 20_000))
    assert [(a.encounter_id, a.line_number, a.amount_cents, a.code) for a in paid.payment.applications] == [
        (older, 1, 12_500, "99213"), (older, 2, 3_500, "96372"), (newer, 1, 4_000, "99213")]
    assert dates.from_pb(paid.payment.applications[0].date_of_service) == date(2026, 3, 2)
    assert paid.payment.unapplied_cents == 0 and paid.payment.posted_by == "sched-desk"
    assert paid.balance == pm.PatientBalance(patient_due_cents=6_000)
    # More than is owed: the rest is kept as the patient's credit.
    over = await pay(desk, "oldest-2", cash(pid, 10_000))
    assert over.payment.unapplied_cents == 4_000 and over.balance.unapplied_credit_cents == 4_000
    assert over.balance.patient_due_cents == 0
    book = await ledger(biller, pid)
    assert [(r.kind, r.patient_cents, r.credit_cents, r.patient_balance_cents) for r in book.rows] == [
        ("charge", 10_000, 0, 10_000), ("charge", 12_500, 0, 22_500), ("charge", 3_500, 0, 26_000),
        ("patient_payment", -20_000, 0, 6_000), ("patient_payment", -6_000, 4_000, 0)]
    assert book.patient_balance_cents == 0 and book.credit_balance_cents == 4_000
    assert book.rows[1].date_of_service == dates.to_pb(date(2026, 3, 2)) and book.rows[1].code == "99213"


async def test_a_payment_applied_to_chosen_lines_is_checked_line_by_line(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Chosen")
    enc = await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 12_500, 3_500)
    err = await fails(pay(desk, "chosen-bad", cash(pid, 5_000),
                          pm.Application(encounter_id=enc, line_number=2, amount_cents=4_000),
                          pm.Application(encounter_id=enc, line_number=7, amount_cents=100)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = dict(status_details(err)[1])
    assert "more than the 35.00 the patient owes" in fields["applications[0].amount_cents"]
    assert "owes nothing on this line" in fields["applications[1]"]
    # Nothing was half-written: the refused payment left no trace.
    assert (await ledger(biller, pid)).patient_balance_cents == 16_000
    paid = await pay(desk, "chosen-ok", cash(pid, 5_000),
                     pm.Application(encounter_id=enc, line_number=2, amount_cents=3_500))
    assert [(a.line_number, a.amount_cents) for a in paid.payment.applications] == [(2, 3_500)]
    assert paid.payment.unapplied_cents == 1_500 and paid.balance.patient_due_cents == 12_500


async def test_every_payment_field_is_checked_by_name(desk: Client) -> None:
    pid = await a_patient_id(desk, "Fields")
    err = await fails(desk.payments.PostPatientPayment(pm.PostPatientPaymentRequest(payment=pm.PatientPayment(
        patient_id=pid, method=pm.PAYMENT_METHOD_CHECK, amount_cents=0,
        received_on=dates.to_pb(date(2099, 1, 1)))), metadata=desk.md))
    fields = dict(status_details(err)[1])
    assert set(fields) == {"idempotency_key", "payment.check_number", "payment.amount_cents",
                           "payment.received_on"}
    assert "check number" in fields["payment.check_number"]
    err = await fails(pay(desk, "fields-card", pm.PatientPayment(patient_id=pid, method=pm.PAYMENT_METHOD_CARD,
                                                                amount_cents=100)))
    assert "processor" in dict(status_details(err)[1])["payment.card_reference"]
    err = await fails(pay(desk, "fields-nomethod", pm.PatientPayment(patient_id=pid, amount_cents=100)))
    assert "cash, check or card" in dict(status_details(err)[1])["payment.method"]
    err = await fails(pay(desk, "fields-nobody", cash(999_999, 100)))
    assert err.code() == grpc.StatusCode.NOT_FOUND


async def test_a_retried_payment_posts_once_and_a_reused_key_is_refused(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Retry")
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 12_500)
    payment = pm.PatientPayment(patient_id=pid, method=pm.PAYMENT_METHOD_CHECK, amount_cents=2_500,
                                check_number="1042")
    # The same call three times at once (a workstation retrying over a flaky network).
    answers = await asyncio.gather(*(pay(desk, "retry-1", payment) for _ in range(3)))
    assert len({a.payment.payment_id for a in answers}) == 1
    listed = await desk.payments.ListPatientPayments(pm.ListPatientPaymentsRequest(patient_id=pid),
                                                     metadata=desk.md)
    assert [(p.amount_cents, p.check_number) for p in listed.payments] == [(2_500, "1042")]
    assert listed.balance.patient_due_cents == 10_000
    other = pm.PatientPayment()
    other.CopyFrom(payment)
    other.amount_cents = 2_600
    err = await fails(pay(desk, "retry-1", other))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert status_details(err)[0] == "IDEMPOTENCY_KEY_REUSED"
    assert (await ledger(biller, pid)).patient_balance_cents == 10_000


async def test_a_copay_at_check_in_is_held_as_credit_then_applied(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Copay")
    held = await pay(desk, "copay-1", cash(pid, 2_500, note="copay"), keep_as_credit=True)
    assert held.balance == pm.PatientBalance(unapplied_credit_cents=2_500)
    err = await fails(desk.payments.ApplyPatientCredit(pm.ApplyPatientCreditRequest(
        idempotency_key="copay-apply-0", patient_id=pid), metadata=desk.md))
    assert status_details(err)[0] == "NOTHING_OWED"
    enc = await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 10_000)
    applied = await desk.payments.ApplyPatientCredit(pm.ApplyPatientCreditRequest(
        idempotency_key="copay-apply-1", patient_id=pid), metadata=desk.md)
    assert [(a.encounter_id, a.amount_cents) for a in applied.applications] == [(enc, 2_500)]
    assert applied.balance == pm.PatientBalance(patient_due_cents=7_500)
    assert [r.kind for r in (await ledger(biller, pid)).rows][-1] == "credit_application"


async def test_refunds_and_reversals_take_money_back_by_new_entries(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Refund")
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 10_000)
    over = await pay(desk, "refund-pay", cash(pid, 13_000))
    assert over.balance == pm.PatientBalance(unapplied_credit_cents=3_000)
    # The front desk takes money; taking it back is the back office's.
    err = await fails(desk.payments.RefundPatientCredit(pm.RefundPatientCreditRequest(
        idempotency_key="refund-desk", patient_id=pid, amount_cents=3_000, reason="overpaid"), metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(biller.payments.RefundPatientCredit(pm.RefundPatientCreditRequest(
        idempotency_key="refund-too-much", patient_id=pid, amount_cents=3_001, reason="overpaid"),
        metadata=biller.md))
    assert "unapplied credit of 30.00" in dict(status_details(err)[1])["amount_cents"]
    refunded = await biller.payments.RefundPatientCredit(pm.RefundPatientCreditRequest(
        idempotency_key="refund-1", patient_id=pid, amount_cents=1_000, reason="overpaid"), metadata=biller.md)
    assert refunded.balance.unapplied_credit_cents == 2_000
    # The payment's credit was partly refunded: it cannot be reversed until the refund is.
    err = await fails(biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="reverse-1", payment_id=over.payment.payment_id, reason="check bounced"),
        metadata=biller.md))
    assert status_details(err)[0] == "PAYMENT_CREDIT_USED"
    small = await pay(desk, "refund-small", cash(pid, 500), keep_as_credit=True)
    back = await biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="reverse-2", payment_id=small.payment.payment_id, reason="keyed to the wrong patient"),
        metadata=biller.md)
    assert back.payment.reversed and back.payment.reversal_reason == "keyed to the wrong patient"
    assert back.balance.unapplied_credit_cents == 2_000
    err = await fails(biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="reverse-3", payment_id=small.payment.payment_id, reason="again"), metadata=biller.md))
    assert status_details(err)[0] == "PAYMENT_ALREADY_REVERSED"
    kinds = [(r.kind, r.credit_cents) for r in (await ledger(biller, pid)).rows]
    assert kinds[-3:] == [("refund", -1_000), ("patient_payment", 500), ("payment_reversal", -500)]


@pytest.fixture(scope="module")
async def it_admin(server: RunningServer) -> Client:
    c = await logged_in(server, "pay-it", ["it_admin"])
    yield c  # type: ignore[misc]
    await c.close()


async def test_it_reads_no_patient_accounts(it_admin: Client, desk: Client) -> None:
    pid = await a_patient_id(desk, "Private")
    err = await fails(ledger(it_admin, pid))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(pay(it_admin, "it-1", cash(pid, 100)))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_balance_is_written_off_by_kind_oldest_first(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Writeoff")
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 4), 10_000)
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 4_000)
    err = await fails(biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="wo-0", patient_id=pid, amount_cents=50), metadata=biller.md))
    assert {f for f, _ in status_details(err)[1]} == {"kind", "reason"}
    err = await fails(desk.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="wo-desk", patient_id=pid, kind=pm.WRITE_OFF_KIND_COURTESY, reason="regular"),
        metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    small = await biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="wo-1", patient_id=pid, kind=pm.WRITE_OFF_KIND_COURTESY, amount_cents=5_000,
        reason="hardship"), metadata=biller.md)
    assert [(a.amount_cents, dates.from_pb(a.date_of_service)) for a in small.applications] == [
        (4_000, date(2026, 3, 2)), (1_000, date(2026, 3, 4))]
    assert small.balance.patient_due_cents == 9_000
    rest = await biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="wo-2", patient_id=pid, kind=pm.WRITE_OFF_KIND_BAD_DEBT, reason="moved away"),
        metadata=biller.md)
    assert rest.balance.patient_due_cents == 0
    err = await fails(biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="wo-3", patient_id=pid, kind=pm.WRITE_OFF_KIND_BAD_DEBT, reason="again"),
        metadata=biller.md))
    assert status_details(err)[0] == "NOTHING_OWED"
    assert [r.kind for r in (await ledger(biller, pid)).rows][-2:] == ["write_off", "write_off"]


async def test_a_receipt_prints_what_was_paid_and_where_it_went(
        biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    pid = await a_patient_id(desk, "Receipt")
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 12_500)
    paid = await pay(desk, "receipt-1", pm.PatientPayment(patient_id=pid, method=pm.PAYMENT_METHOD_CHECK,
                                                          amount_cents=15_000, check_number="2210"))
    printed = await desk.payments.PrintReceipt(pm.PrintReceiptRequest(payment_id=paid.payment.payment_id),
                                               metadata=desk.md)
    assert printed.file_name == f"receipt-{paid.payment.payment_id}.pdf"
    text = PdfReader(BytesIO(printed.pdf)).pages[0].extract_text()
    for expected in ("RECEIPT", f"No. {paid.payment.payment_id}", "Check 2210", "$150.00", "03/02/2026", "99213",
                     "$125.00", "Kept as credit on the account", "$25.00", "you owe $0.00; credit $25.00",
                     "sched-desk"):
        assert expected in text, (expected, text)
    err = await fails(desk.payments.PrintReceipt(pm.PrintReceiptRequest(payment_id=999_999), metadata=desk.md))
    assert err.code() == grpc.StatusCode.NOT_FOUND
