"""Dunning and collections over mutual TLS: each cycle's statement of an unpaid account says more, paying what was
asked starts over, a current payment plan holds the level, an account past the last level is flagged (no more
statements) and goes to the agency's file once; payment plans know the installments missed from the payments
posted. "A cycle later" is the account's last statement dated a cycle back."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import grpc
import psycopg
import pytest

from server.db.raw import conninfo
from server.statements.rules import first_due
from shared import dates
from shared.pms.statements.v1 import statements_pb2 as st
from tests.api.test_encounters import biller, provider_id
from tests.api.test_patients import logged_in
from tests.api.test_payments import cash, pay, self_pay_visit
from tests.api.test_scheduling import Practice
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.api.test_statements import a_person, download, of_patient, pdf_text, run, today
from tests.support import Client, RunningServer, fails, status_details

__all__ = ["biller", "provider_id"]

LEVELS = ["First notice.", "Second notice.", "Final notice: collections next."]


def a_cycle_later(server: RunningServer, *patient_ids: int) -> None:
    """Dates these patients' statements a cycle (30 days) earlier, as if the cycle had passed since."""
    with psycopg.connect(conninfo(server.inst.urls.owner_url or server.inst.urls.app_url), autocommit=True) as conn:
        conn.execute("UPDATE statement SET statement_date = statement_date - 30 WHERE patient_ids && %s::bigint[]",
                     (list(patient_ids),))


@pytest.fixture(scope="module")
async def three_levels(manager: Client) -> None:
    now = (await manager.statements.GetStatementSettings(st.GetStatementSettingsRequest(),
                                                         metadata=manager.md)).settings
    await manager.statements.UpdateStatementSettings(st.UpdateStatementSettingsRequest(settings=st.StatementSettings(
        threshold_cents=1_000, cycle_days=30, due_days=14, level_messages=LEVELS, version=now.version)),
        metadata=manager.md)


async def levels_of(biller: Client, pid: int) -> list[int]:
    return [s.dunning_level for s in await of_patient(biller, pid) if s.status != st.STATEMENT_STATUS_VOIDED]


async def plan(client: Client, pid: int, **fields: object) -> st.PaymentPlan:
    return (await client.statements.CreatePaymentPlan(st.CreatePaymentPlanRequest(
        patient_id=pid, **fields), metadata=client.md)).plan  # type: ignore[arg-type]


async def test_unpaid_accounts_escalate_to_collections_paid_ones_start_over_plans_hold(
        three_levels: None, biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice,
        server: RunningServer) -> None:
    day = await today(biller)
    unpaid = await a_person(desk, "Unpaid")
    payer = await a_person(desk, "Payer")
    planned = await a_person(desk, "Planned")
    for pid, fee in ((unpaid, 20_000), (payer, 10_000), (planned, 30_000)):
        await self_pay_visit(biller, pid, provider_id, practice, day - timedelta(days=5), fee)
    everyone = (unpaid, payer, planned)

    await run(biller, "dun-1")
    assert [await levels_of(biller, p) for p in everyone] == [[1], [1], [1]]
    first = (await of_patient(biller, unpaid))[0]
    assert "First notice." in pdf_text((await download(biller, first.statement_id))[1])
    # Payer pays what was asked, then has a new visit; Planned agrees to a plan (current: nothing due yet).
    await pay(desk, "dun-payer-pay", cash(payer, 10_000))
    await self_pay_visit(biller, payer, provider_id, practice, day - timedelta(days=1), 4_000)
    made = await plan(manager, planned, installment_cents=5_000, due_day=28,
                      start_date=dates.to_pb(day))
    assert made.current and made.total_cents == 30_000 and made.installments_due == 0
    err = await fails(plan(manager, planned, installment_cents=5_000, due_day=28))
    assert status_details(err)[0] == "PLAN_ALREADY_ACTIVE"

    a_cycle_later(server, *everyone)
    await run(biller, "dun-2")
    assert [await levels_of(biller, p) for p in everyone] == [[1, 2], [1, 1], [1, 1]]
    held = (await of_patient(biller, planned))[-1]
    assert held.plan_installment_cents == 5_000
    assert "Payment plan installment" in pdf_text((await download(biller, held.statement_id))[1])

    a_cycle_later(server, *everyone)
    await run(biller, "dun-3")
    assert await levels_of(biller, unpaid) == [1, 2, 3]
    final = (await of_patient(biller, unpaid))[-1]
    assert "Final notice: collections next." in pdf_text((await download(biller, final.statement_id))[1])

    # A cycle after the final notice: no statement; the account is flagged for collections.
    a_cycle_later(server, *everyone)
    preview = await biller.statements.PreviewStatementRun(st.PreviewStatementRunRequest(), metadata=biller.md)
    assert preview.collections_count == 1 and preview.collections_cents == 20_000
    fourth = await run(biller, "dun-4")
    assert fourth.collections_count == 1
    assert await levels_of(biller, unpaid) == [1, 2, 3]
    flagged = (await biller.statements.ListCollectionAccounts(st.ListCollectionAccountsRequest(
        status=st.COLLECTION_STATUS_FLAGGED), metadata=biller.md)).accounts
    assert [(a.patient_ids, a.balance_cents, a.last_statement_id, a.status) for a in flagged] == [
        ([unpaid], 20_000, final.statement_id, st.COLLECTION_STATUS_FLAGGED)]
    assert dates.from_pb(flagged[0].flagged_on) == day

    # The agency's file: one row, then the account is sent; a retry is the same file; nothing is left after.
    sent = await biller.statements.ExportCollections(st.ExportCollectionsRequest(idempotency_key="coll-1"),
                                                     metadata=biller.md)
    rows = list(csv.DictReader(io.StringIO(sent.csv.decode())))
    assert sent.account_count == 1 and sent.total_cents == 20_000 and sent.file_name.endswith(".csv")
    assert [(r["account_number"], r["balance"], r["city"], r["oldest_service_date"], r["patient_count"])
            for r in rows] == [(flagged[0].account_number, "200.00", "Columbus",
                                (day - timedelta(days=5)).isoformat(), "1")]
    again = await biller.statements.ExportCollections(st.ExportCollectionsRequest(idempotency_key="coll-1"),
                                                      metadata=biller.md)
    assert again == sent
    err = await fails(biller.statements.ExportCollections(st.ExportCollectionsRequest(idempotency_key="coll-2"),
                                                          metadata=biller.md))
    assert status_details(err)[0] == "NOTHING_TO_EXPORT"
    [now] = (await biller.statements.ListCollectionAccounts(st.ListCollectionAccountsRequest(),
                                                            metadata=biller.md)).accounts
    assert now.status == st.COLLECTION_STATUS_SENT and dates.from_pb(now.sent_on) == day
    # In collections, the account gets no more statements.
    a_cycle_later(server, *everyone)
    await run(biller, "dun-5")
    assert await levels_of(biller, unpaid) == [1, 2, 3]


def due_days_before(start: date, due_day: int, today: date, count: int) -> int:
    """Installment due days from the start that are before today (independent of the server's arithmetic)."""
    d, n = first_due(start, due_day), 0
    while d < today and n < count:
        n += 1
        d = date(d.year + d.month // 12, d.month % 12 + 1, due_day)
    return n


async def test_a_plan_knows_the_installments_missed_and_a_behind_plan_does_not_hold_the_level(
        three_levels: None, biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice,
        server: RunningServer) -> None:
    day = await today(biller)
    pid = await a_person(desk, "Behind")
    await self_pay_visit(biller, pid, provider_id, practice, day - timedelta(days=100), 12_000)
    start = (day.replace(day=1) - timedelta(days=70)).replace(day=1)
    made = await plan(manager, pid, total_cents=10_000, installment_cents=2_500, due_day=1,
                      start_date=dates.to_pb(start), note="agreed by phone")
    due = due_days_before(start, 1, day, 4)
    assert due >= 2
    assert (made.installments_due, made.expected_cents, made.paid_cents, made.missed_installments, made.current) \
        == (due, due * 2_500, 0, due, False)
    # One installment paid (at the window, posted to the ledger): one fewer missed.
    await pay(desk, "plan-pay-1", cash(pid, 2_500))
    [listed] = (await desk.statements.ListPaymentPlans(st.ListPaymentPlansRequest(patient_id=pid),
                                                       metadata=desk.md)).plans
    assert (listed.paid_cents, listed.missed_installments, listed.current, listed.note) == (
        2_500, due - 1, False, "agreed by phone")
    # Behind on the plan: the account escalates like any unpaid one.
    await run(biller, "plan-run-1")
    a_cycle_later(server, pid)
    await run(biller, "plan-run-2")
    assert await levels_of(biller, pid) == [1, 2]
    # Cancelled with its version and a reason; the list keeps it when asked.
    err = await fails(manager.statements.CancelPaymentPlan(st.CancelPaymentPlanRequest(
        payment_plan_id=listed.payment_plan_id, version=listed.version), metadata=manager.md))
    assert set(dict(status_details(err)[1])) == {"reason"}
    err = await fails(manager.statements.CancelPaymentPlan(st.CancelPaymentPlanRequest(
        payment_plan_id=listed.payment_plan_id, version=listed.version + 5, reason="x"), metadata=manager.md))
    assert err.code() == grpc.StatusCode.ABORTED
    gone = (await manager.statements.CancelPaymentPlan(st.CancelPaymentPlanRequest(
        payment_plan_id=listed.payment_plan_id, version=listed.version, reason="moved away"),
        metadata=manager.md)).plan
    assert gone.status == st.PAYMENT_PLAN_STATUS_CANCELLED and not gone.current
    assert (await desk.statements.ListPaymentPlans(st.ListPaymentPlansRequest(patient_id=pid),
                                                   metadata=desk.md)).plans == []
    assert len((await desk.statements.ListPaymentPlans(st.ListPaymentPlansRequest(
        patient_id=pid, include_cancelled=True), metadata=desk.md)).plans) == 1


async def test_plan_fields_are_checked_by_name_and_only_the_back_office_makes_plans(
        biller: Client, desk: Client, server: RunningServer) -> None:
    pid = await a_person(desk, "Fields")
    err = await fails(plan(biller, pid, total_cents=-1, installment_cents=0, due_day=31,
                           start_date=dates.to_pb(date(2000, 1, 1))))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(dict(status_details(err)[1])) == {"total_cents", "installment_cents", "due_day", "start_date"}
    err = await fails(plan(biller, pid, installment_cents=1_000, due_day=5))
    assert status_details(err)[0] == "NOTHING_OWED"
    err = await fails(plan(desk, pid, installment_cents=1_000, due_day=5))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    it = await logged_in(server, "coll-it", ["it_admin"])
    try:
        err = await fails(it.statements.ExportCollections(st.ExportCollectionsRequest(idempotency_key="it-1"),
                                                          metadata=it.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        err = await fails(it.statements.ListPaymentPlans(st.ListPaymentPlansRequest(), metadata=it.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await it.close()
