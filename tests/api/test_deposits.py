"""Deposits and day close over mutual TLS: cash, checks and an ERA go to the bank in one balanced entry, an item
never in two deposits, retries post once; the day sheet adds up by kind, method and user to the cent; a closed day
keeps its sheet and what is posted afterwards lands on the next day."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import grpc

from server.x12.writer835 import Adjustment
from shared import dates
from shared.pms.deposits.v1 import deposits_pb2 as dp
from shared.pms.payments.v1 import payments_pb2 as pm
from tests.api.test_claims import payer_id
from tests.api.test_encounters import biller, provider_id
from tests.api.test_payments import cash, pay, self_pay_visit
from tests.api.test_remittances import clp, era_file, import_file, post, sent_claims, svc
from tests.api.test_scheduling import Practice, a_patient_id

# The scheduling tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, RunningServer, fails, status_details

__all__ = ["biller", "payer_id", "provider_id"]

DOS = date(2026, 3, 2)


def check(patient_id: int, cents: int, number: str) -> pm.PatientPayment:
    return pm.PatientPayment(patient_id=patient_id, method=pm.PAYMENT_METHOD_CHECK, amount_cents=cents,
                             check_number=number)


def card(patient_id: int, cents: int, reference: str) -> pm.PatientPayment:
    return pm.PatientPayment(patient_id=patient_id, method=pm.PAYMENT_METHOD_CARD, amount_cents=cents,
                             card_reference=reference)


async def deposit(client: Client, key: str, payments: list[int], remittances: list[int] = [],  # noqa: B006
                  **fields: object) -> dp.Deposit:
    return (await client.deposits.CreateDeposit(dp.CreateDepositRequest(
        idempotency_key=key, payment_ids=payments, remittance_ids=remittances, **fields),  # type: ignore[arg-type]
        metadata=client.md)).deposit


async def sheet(client: Client, day: date | None = None) -> dp.DaySheet:
    return (await client.deposits.GetDaySheet(dp.GetDaySheetRequest(business_date=dates.to_pb(day)),
                                              metadata=client.md)).sheet


async def close(client: Client, key: str, day: date) -> dp.DaySheet:
    return (await client.deposits.CloseDay(dp.CloseDayRequest(idempotency_key=key, business_date=dates.to_pb(day)),
                                           metadata=client.md)).sheet


def figures(totals: dp.DayTotals) -> dict[str, int]:
    return {f.name: getattr(totals, f.name) for f in dp.DayTotals.DESCRIPTOR.fields}


def delta(after: dp.DayTotals, before: dp.DayTotals) -> dict[str, int]:
    """What changed, without the zeros and the entry count."""
    a, b = figures(after), figures(before)
    return {k: a[k] - b[k] for k in a if a[k] != b[k] and k != "entry_count"}


def of_user(s: dp.DaySheet, user: str) -> dp.DayTotals:
    return next((u.totals for u in s.by_user if u.user == user), dp.DayTotals())


async def test_cash_a_check_and_an_era_go_to_the_bank_in_one_deposit_once(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    pid = await a_patient_id(desk, "Deposit")
    await self_pay_visit(biller, pid, provider_id, practice, DOS, 10_000)
    paid_cash = (await pay(desk, "dep-cash", cash(pid, 2_500))).payment
    paid_check = (await pay(desk, "dep-check", check(pid, 4_000, "2001"))).payment
    paid_card = (await pay(desk, "dep-card", card(pid, 1_000, "AUTH-1"))).payment
    [sent] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    era = (await import_file(biller, era_file("EFT-DEP-1", clp(
        sent.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000), control=f"{sent.claim_id}-1"),
        svc("96372", 3500, 3500, control=f"{sent.claim_id}-2"))))).remittances[0]
    await post(biller, era.remittance_id)

    waiting = await biller.deposits.ListUndeposited(dp.ListUndepositedRequest(), metadata=biller.md)
    assert [(p.payment_id, p.method, p.amount_cents, p.check_number, p.card_reference) for p in waiting.payments] == [
        (paid_card.payment_id, pm.PAYMENT_METHOD_CARD, 1_000, "", "AUTH-1"),
        (paid_cash.payment_id, pm.PAYMENT_METHOD_CASH, 2_500, "", ""),
        (paid_check.payment_id, pm.PAYMENT_METHOD_CHECK, 4_000, "2001", "")]
    assert all(", " in p.patient_name for p in waiting.payments)  # "Last, First" for the deposit slip
    assert [(r.remittance_id, r.trace_number, r.payment_cents, r.amount_cents) for r in waiting.remittances] == [
        (era.remittance_id, "EFT-DEP-1", 15_500, 15_500)]
    assert (waiting.cash_cents, waiting.check_cents, waiting.card_cents, waiting.remittance_cents,
            waiting.total_cents) == (2_500, 4_000, 1_000, 15_500, 23_000)

    made = await deposit(biller, "dep-1", [paid_cash.payment_id, paid_check.payment_id], [era.remittance_id],
                         bank_reference="SLIP-77")
    assert (made.total_cents, made.cash_cents, made.check_cents, made.card_cents, made.remittance_cents,
            made.item_count, made.bank_reference, made.created_by) == (
        22_000, 2_500, 4_000, 0, 15_500, 3, "SLIP-77", "enc-biller")
    assert [(i.kind, i.item_id, i.amount_cents, i.reference) for i in made.items] == [
        (dp.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT, paid_cash.payment_id, 2_500, ""),
        (dp.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT, paid_check.payment_id, 4_000, "2001"),
        (dp.DEPOSIT_ITEM_KIND_REMITTANCE, era.remittance_id, 15_500, "EFT-DEP-1")]
    # A retry (a lost answer) returns the same deposit; the same key with other content is refused.
    again = await deposit(biller, "dep-1", [paid_cash.payment_id, paid_check.payment_id], [era.remittance_id],
                          bank_reference="SLIP-77")
    assert again == made
    err = await fails(deposit(biller, "dep-1", [paid_cash.payment_id], bank_reference="SLIP-77"))
    assert status_details(err)[0] == "IDEMPOTENCY_KEY_REUSED"
    # An item goes to the bank once.
    err = await fails(deposit(biller, "dep-2", [paid_card.payment_id, paid_check.payment_id]))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and status_details(err)[0] == "ALREADY_DEPOSITED"
    err = await fails(deposit(biller, "dep-3", [], [era.remittance_id]))
    assert status_details(err)[0] == "ALREADY_DEPOSITED"
    left = await biller.deposits.ListUndeposited(dp.ListUndepositedRequest(), metadata=biller.md)
    assert [p.payment_id for p in left.payments] == [paid_card.payment_id] and not left.remittances
    assert left.total_cents == 1_000

    # A reversed payment has no money left to deposit.
    bounced = (await pay(desk, "dep-bounce", check(pid, 700, "2002"), keep_as_credit=True)).payment
    await biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="dep-bounce-rev", payment_id=bounced.payment_id, reason="bounced"), metadata=biller.md)
    err = await fails(deposit(biller, "dep-4", [bounced.payment_id]))
    assert status_details(err)[0] == "PAYMENT_REVERSED"
    err = await fails(deposit(biller, "dep-5", [], deposit_date=dates.to_pb(date(2099, 1, 1))))
    assert set(dict(status_details(err)[1])) == {"payment_ids", "deposit_date"}
    err = await fails(deposit(biller, "", [paid_card.payment_id]))
    assert "idempotency_key" in dict(status_details(err)[1])

    got = (await biller.deposits.GetDeposit(dp.GetDepositRequest(deposit_id=made.deposit_id),
                                            metadata=biller.md)).deposit
    assert got == made
    listed = await biller.deposits.ListDeposits(dp.ListDepositsRequest(), metadata=biller.md)
    assert [(d.deposit_id, d.total_cents, d.item_count, len(d.items)) for d in listed.deposits] == [
        (made.deposit_id, 22_000, 3, 0)]
    # The front desk takes money; the bank is the back office's.
    err = await fails(desk.deposits.ListUndeposited(dp.ListUndepositedRequest(), metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    assert (await sheet(manager)).totals.deposits_cents == 22_000


async def test_two_billers_depositing_one_check_at_once_deposit_it_once(biller: Client, manager: Client,
                                                                       desk: Client) -> None:
    pid = await a_patient_id(desk, "Race")
    paid = (await pay(desk, "race-check", check(pid, 900, "4001"), keep_as_credit=True)).payment
    outcomes = await asyncio.gather(deposit(biller, "race-1", [paid.payment_id]),
                                    deposit(manager, "race-2", [paid.payment_id]), return_exceptions=True)
    made = [o for o in outcomes if isinstance(o, dp.Deposit)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(made) == 1 and made[0].total_cents == 900
    assert len(refused) == 1 and status_details(refused[0])[0] == "ALREADY_DEPOSITED"


async def test_the_day_sheet_adds_up_by_kind_method_and_user(
        biller: Client, desk: Client, manager: Client, provider_id: int, practice: Practice) -> None:
    before = await sheet(biller)
    pid = await a_patient_id(desk, "Sheet")
    await self_pay_visit(biller, pid, provider_id, practice, DOS, 10_000, 3_500)
    await pay(desk, "sheet-cash", cash(pid, 2_000))
    wrong = (await pay(desk, "sheet-check", check(pid, 3_000, "3001"))).payment
    await pay(biller, "sheet-card", card(pid, 1_500, "AUTH-9"))
    await pay(desk, "sheet-cash-2", cash(pid, 500), keep_as_credit=True)
    await biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="sheet-rev", payment_id=wrong.payment_id, reason="wrong patient"), metadata=biller.md)
    await biller.payments.RefundPatientCredit(pm.RefundPatientCreditRequest(
        idempotency_key="sheet-refund", patient_id=pid, amount_cents=200, reason="overpaid"), metadata=biller.md)
    after = await sheet(manager)
    assert dates.from_pb(after.business_date) == dates.from_pb(before.business_date) and not after.closed
    assert delta(after.totals, before.totals) == {
        "charges_cents": 13_500, "cash_cents": 2_500, "check_cents": 3_000, "card_cents": 1_500,
        "payment_reversals_cents": 3_000, "refunds_cents": 200}
    assert after.totals.entry_count - before.totals.entry_count == 8
    assert delta(of_user(after, "enc-biller"), of_user(before, "enc-biller")) == {
        "charges_cents": 13_500, "card_cents": 1_500, "payment_reversals_cents": 3_000, "refunds_cents": 200}
    assert delta(of_user(after, "sched-desk"), of_user(before, "sched-desk")) == {
        "cash_cents": 2_500, "check_cents": 3_000}
    # The users' figures add up to the day's.
    for name, total in figures(after.totals).items():
        assert sum(getattr(u.totals, name) for u in after.by_user) == total
    err = await fails(sheet(desk))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_closed_day_keeps_its_sheet_and_later_postings_land_on_the_next_day(
        biller: Client, desk: Client, manager: Client) -> None:
    """Last in this module: it closes today."""
    today = dates.from_pb((await sheet(biller)).business_date)
    assert today is not None
    tomorrow = today + timedelta(days=1)
    err = await fails(close(biller, "close-future", tomorrow))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and status_details(err)[0] == "DAY_IN_FUTURE"
    open_sheet = await sheet(biller, today)
    closed = await close(biller, "close-today", today)
    assert closed.closed and closed.closed_by == "enc-biller"
    assert closed.totals == open_sheet.totals and list(closed.by_user) == list(open_sheet.by_user)
    assert await close(biller, "close-today", today) == closed  # a retry
    err = await fails(close(manager, "close-today-again", today))
    assert status_details(err)[0] == "DAY_ALREADY_CLOSED"
    # Any earlier open day may close too, in any order, once.
    assert (await close(manager, "close-yesterday", today - timedelta(days=1))).totals == dp.DayTotals()

    pid = await a_patient_id(desk, "Late")
    late = (await pay(desk, "late-cash", cash(pid, 1_234), keep_as_credit=True)).payment
    late_deposit = await deposit(biller, "late-deposit", [late.payment_id], deposit_date=dates.to_pb(today))
    assert late_deposit.total_cents == 1_234
    assert await sheet(biller, today) == closed
    next_day = await sheet(manager, tomorrow)
    assert not next_day.closed
    assert delta(next_day.totals, dp.DayTotals()) == {"cash_cents": 1_234, "deposits_cents": 1_234}
    assert [u.user for u in next_day.by_user] == ["enc-biller", "sched-desk"]
