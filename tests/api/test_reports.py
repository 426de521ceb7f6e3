"""Reports over mutual TLS against a small practice built here, whose right answers are worked out by hand below:
A/R aging by date of service and by date billed, collections with reversals, refunds and credit, the day sheet,
days in A/R, claim reports from a posted ERA (denials, clean claims, lag times, a claim sent late in the evening
in New York), the dashboard, custom reports (and hostile definitions), exports, permissions and the audit trail."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import psycopg
import pytest
from pypdf import PdfReader

from server.x12.writer835 import Adjustment
from shared import dates
from shared.pms.audit.v1 import audit_pb2 as au
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.reports.v1 import reports_pb2 as rp
from tests.api.test_claims import payer_id
from tests.api.test_encounters import biller, provider_id
from tests.api.test_patients import logged_in
from tests.api.test_payments import cash, pay, self_pay_visit
from tests.api.test_remittances import clp, era_file, import_file, post, sent_claims, svc
from tests.api.test_scheduling import Practice, a_patient_id, a_provider_with_week
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, Cluster, RunningServer, fails, status_details

__all__ = ["biller", "payer_id", "provider_id"]

NY = ZoneInfo("America/New_York")


def today() -> date:
    return datetime.now(NY).date()


def span(start: date, end: date, **fields: object) -> rp.ReportFilter:
    return rp.ReportFilter(**{"from": dates.to_pb(start)}, to=dates.to_pb(end), **fields)  # type: ignore[arg-type]


async def run(client: Client, report: str, flt: rp.ReportFilter | None = None) -> rp.ReportTable:
    return (await client.reports.RunReport(rp.RunReportRequest(report=report, filter=flt or rp.ReportFilter()),
                                           metadata=client.md)).table


def values(row: rp.Row) -> list[object]:
    out: list[object] = []
    for v in row.values:
        kind = v.WhichOneof("value")
        out.append(None if kind is None else dates.from_pb(v.date) if kind == "date" else getattr(v, kind))
    return out


def by_first(table: rp.ReportTable) -> dict[object, list[object]]:
    return {values(r)[0]: values(r)[1:] for r in table.rows}


@pytest.fixture(scope="module")
async def viewer(server: RunningServer) -> Client:
    c = await logged_in(server, "rep-provider", ["provider"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def it(server: RunningServer) -> Client:
    c = await logged_in(server, "rep-it", ["it_admin"])
    yield c  # type: ignore[misc]
    await c.close()


async def test_collections_day_sheet_and_aging_follow_the_ledger_to_the_cent(
        biller: Client, desk: Client, manager: Client, practice: Practice) -> None:
    doc = await a_provider_with_week(manager, practice, "Ledger")
    pid = await a_patient_id(desk, "Cashflow")
    t = today()
    before = by_first(await run(manager, "day_sheet", span(t, t)))
    # A visit 45 days ago: $100.00 and $35.00, owed by the (uninsured) patient.
    await self_pay_visit(biller, pid, doc, practice, t - timedelta(days=45), 10_000, 3_500)
    aging = await run(manager, "ar_aging_patient", rp.ReportFilter(provider_ids=[doc]))
    [row] = [values(r) for r in aging.rows]
    assert str(row[1]).endswith(", Cashflow") and row[2:] == [0, 13_500, 0, 0, 0, 13_500]
    # Aged from when it was billed (today) it is current.
    billed = await run(manager, "ar_aging_patient", rp.ReportFilter(
        provider_ids=[doc], aging_basis=rp.AGING_BASIS_DATE_BILLED))
    assert values(billed.rows[0])[2:] == [13_500, 0, 0, 0, 0, 13_500]
    assert values(billed.totals) == ["Total", None, 13_500, 0, 0, 0, 0, 13_500]

    first = await pay(desk, "rep-pay-1", cash(pid, 5_000))
    await biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="rep-rev-1", payment_id=first.payment.payment_id, reason="bounced"), metadata=biller.md)
    await pay(desk, "rep-pay-2", cash(pid, 20_000))          # 135.00 to the visit, 65.00 kept as credit
    await biller.payments.RefundPatientCredit(pm.RefundPatientCreditRequest(
        idempotency_key="rep-refund-1", patient_id=pid, amount_cents=2_000, reason="asked"), metadata=biller.md)

    mine = await run(manager, "collections", span(t, t, provider_ids=[doc]))
    # charges, contractual, insurance, patient (5,000 - 5,000 + 13,500), refunds, write-offs, collected, gross, net
    assert by_first(mine) == {"Ledger, Greg": [13_500, 0, 0, 13_500, 0, 0, 13_500, 10_000, 10_000]}
    everyone = by_first(await run(manager, "collections", span(t, t)))
    # The credit kept and the refund are money on no visit.
    assert everyone["(not on a visit)"][:7] == [0, 0, 0, 6_500, 2_000, 0, 4_500]

    after = by_first(await run(manager, "day_sheet", span(t, t)))
    delta = [a - b for a, b in zip(after[t], before.get(t, [0] * 7), strict=True)]
    # charges, insurance, patient (applied + credit: 20,000), refunds, contractual, write-offs, A/R change
    assert delta == [13_500, 0, 20_000, 2_000, 0, 0, 0]
    assert not (await run(manager, "ar_aging_patient", rp.ReportFilter(provider_ids=[doc]))).rows


async def test_a_small_balance_write_off_and_days_in_ar(
        biller: Client, desk: Client, manager: Client, practice: Practice) -> None:
    doc = await a_provider_with_week(manager, practice, "Days")
    pid = await a_patient_id(desk, "Writeoff")
    t = today()
    await self_pay_visit(biller, pid, doc, practice, t - timedelta(days=3), 30_000)
    await pay(desk, "rep-days-pay", cash(pid, 29_900))
    await biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="rep-wo", patient_id=pid, kind=pm.WRITE_OFF_KIND_SMALL_BALANCE, amount_cents=60,
        reason="under a dollar"), metadata=biller.md)
    got = by_first(await run(manager, "collections", span(t, t, provider_ids=[doc])))
    assert got["Days, Greg"][:7] == [30_000, 0, 0, 29_900, 0, 60, 29_900]
    # 40 cents still owed on 300.00 charged over 10 days: 0.40 / 30.00 a day = 0.0133 days.
    start = t - timedelta(days=9)
    dar = await run(manager, "days_in_ar", span(start, t, provider_ids=[doc]))
    assert by_first(dar) == {"Days, Greg": [40, 30_000, 10, 3_000, 0]}
    # The same figure as of a date before the visit was charged: nothing owed, nothing charged.
    early = await run(manager, "days_in_ar", span(start - timedelta(days=30), start - timedelta(days=1),
                                                 provider_ids=[doc]))
    assert not early.rows


async def test_claim_reports_from_a_posted_era_and_a_claim_sent_at_night_in_new_york(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, cluster: Cluster, tmp_path: Path) -> None:
    full, partial, denied = await sent_claims(3, biller, manager, desk, provider_id, practice, payer_id, server,
                                              tmp_path)
    content = era_file(
        "REP-EFT-1",
        clp(full.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000), control=f"{full.claim_id}-1"),
            svc("96372", 3500, 3500, control=f"{full.claim_id}-2")),
        clp(partial.claim_id, "1",
            svc("96372", 3500, 2800, Adjustment("PR", "2", 700)),
            svc("99214", 18000, 7000, Adjustment("CO", "45", 6000), Adjustment("PR", "1", 4000),
                Adjustment("PR", "2", 1000))),
        clp(denied.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000)),
            svc("96372", 3500, 0, Adjustment("CO", "197", 3500))))
    era = (await import_file(biller, content)).remittances[0]
    await post(biller, era.remittance_id)
    # The ERA is dated 21 Oct 2026 (its BPR16).
    october = span(date(2026, 10, 1), date(2026, 10, 31))
    rates = by_first(await run(manager, "denials_by_payer", october))
    assert rates == {"Claims Mutual": [3, 0, 1, 3_500, 3_333]}
    reasons = await run(manager, "denials_by_reason", october)
    assert [values(r) for r in reasons.rows] == [
        ["CO-197", "Precertification/authorization/notification/pre-treatment absent", 1, 1, 3_500]]
    # Insurance A/R: the denied 35.00 waits with the payer; DOS 2 Mar 2026 is over 120 days old.
    ins = by_first(await run(manager, "ar_aging_insurance", rp.ReportFilter(payer_ids=[payer_id])))
    assert ins == {"Claims Mutual": [0, 0, 0, 0, 3_500, 3_500]}
    ins = by_first(await run(manager, "ar_aging_insurance", rp.ReportFilter(
        payer_ids=[payer_id], aging_basis=rp.AGING_BASIS_DATE_BILLED)))
    assert ins == {"Claims Mutual": [3_500, 0, 0, 0, 0, 3_500]}

    # One claim's first submission moved to 23:30 in New York on 31 Oct (03:30 UTC on 1 Nov): October's.
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True) as owner:
        owner.execute("UPDATE claim_event SET at = '2026-11-01 03:30:00+00' WHERE claim_id = %s AND "
                      "to_status = 'sent'", (full.claim_id,))
    t = today()
    assert by_first(await run(manager, "clean_claim_rate", span(date(2026, 10, 1), date(2026, 10, 31)))) == {
        "Claims Mutual": [1, 1, 0, 0, 10_000]}
    assert not (await run(manager, "clean_claim_rate", span(date(2026, 11, 1), date(2026, 11, 30)))).rows
    now = by_first(await run(manager, "clean_claim_rate", span(t.replace(day=1), t)))
    assert now["Claims Mutual"] == [2, 2, 0, 0, 10_000]
    lag = by_first(await run(manager, "lag_times", span(date(2026, 10, 1), date(2026, 10, 31))))
    # 2 Mar -> 31 Oct is 243 days; paid 21 Oct: 10 days before it was "sent" here, 233 days after service.
    assert lag == {"Claims Mutual": [1, 2_430, 1, -100, 2_330]}


async def test_the_dashboard_agrees_with_the_reports(manager: Client) -> None:
    board = await manager.reports.GetDashboard(rp.GetDashboardRequest(), metadata=manager.md)
    t = today()
    kpi = {k.key: k for k in board.kpis}
    month = await run(manager, "collections", span(t.replace(day=1), t))
    assert kpi["charges"].this_month == values(month.totals)[1]
    assert kpi["collections"].this_month == values(month.totals)[7]
    assert kpi["denial_rate"].has_goal and kpi["denial_rate"].goal == 500 and kpi["denial_rate"].lower_is_better
    assert kpi["days_in_ar"].has_goal and kpi["days_in_ar"].goal == 350
    # No ERA is dated this month: no denial rate to show (not a 0% that meets the goal).
    assert kpi["denial_rate"].this_month_missing and not kpi["denial_rate"].meets_goal
    assert not kpi["charges"].this_month_missing
    assert len(board.trend) == 12 and dates.from_pb(board.trend[-1].month) == t.replace(day=1)
    assert board.trend[-1].charges_cents == kpi["charges"].this_month
    ins = values((await run(manager, "ar_aging_insurance")).totals)
    pat = values((await run(manager, "ar_aging_patient")).totals)
    assert [b.label for b in board.aging] == ["0-30", "31-60", "61-90", "91-120", "120+"]
    assert [b.insurance_cents for b in board.aging] == ins[1:6]
    assert [b.patient_cents for b in board.aging] == pat[2:7]
    assert board.trend[-1].ar_cents == ins[6] + pat[7]


async def test_custom_reports_use_only_the_catalog(manager: Client, viewer: Client) -> None:
    catalog = await manager.reports.GetReportCatalog(rp.GetReportCatalogRequest(), metadata=manager.md)
    assert {"charges", "patient_payments"} <= {m.key for m in catalog.measures}
    assert [d.key for d in catalog.dimensions if d.names_patients] == ["patient"]
    t = today()
    definition = rp.CustomReportDefinition(
        title="Charges by transaction", measures=["charges", "patient_payments"], dimensions=["transaction"],
        sort_by="charges", sort_direction=rp.SORT_DIRECTION_DESCENDING, filter=span(t.replace(day=1), t),
        shared_with_roles=["provider"])
    saved = (await manager.reports.SaveCustomReport(rp.SaveCustomReportRequest(definition=definition),
                                                    metadata=manager.md)).report
    got = (await viewer.reports.RunReport(rp.RunReportRequest(custom_report_id=saved.custom_report_id),
                                          metadata=viewer.md)).table
    rows = by_first(got)
    month = values((await run(manager, "collections", span(t.replace(day=1), t))).totals)
    assert rows["charge"][0] == month[1] and values(got.rows[0])[0] == "charge"
    assert values(got.totals)[1] == month[1]
    assert [c.title for c in got.columns] == ["Transaction type", "Charges", "Patient payments"]
    listed = await viewer.reports.ListCustomReports(rp.ListCustomReportsRequest(), metadata=viewer.md)
    assert [r.definition.title for r in listed.reports] == ["Charges by transaction"]

    hostile = rp.CustomReportDefinition(
        title="x", measures=["charges); DROP TABLE patient; --", "sum(amount_cents)"],
        dimensions=["patient.ssn_enc", "pg_catalog.pg_authid"], sort_by="ssn_enc", row_limit=10_000_000,
        shared_with_roles=["superuser"])
    err = await fails(manager.reports.SaveCustomReport(rp.SaveCustomReportRequest(definition=hostile),
                                                       metadata=manager.md))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(dict(status_details(err)[1])) == {
        "definition.measures[0]", "definition.measures[1]", "definition.dimensions[0]", "definition.dimensions[1]",
        "definition.sort_by", "definition.row_limit", "definition.shared_with_roles[0]"}
    # A definition tampered with in the database is checked again when it runs.
    # The provider (no PHI) may neither save nor run a report by patient.
    by_patient = rp.CustomReportDefinition(title="By patient", measures=["charges"], dimensions=["patient"])
    err = await fails(viewer.reports.SaveCustomReport(rp.SaveCustomReportRequest(definition=by_patient),
                                                      metadata=viewer.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    mine = (await manager.reports.SaveCustomReport(rp.SaveCustomReportRequest(definition=by_patient),
                                                   metadata=manager.md)).report
    assert mine.version == 1
    err = await fails(manager.reports.DeleteCustomReport(rp.DeleteCustomReportRequest(
        custom_report_id=mine.custom_report_id, version=7), metadata=manager.md))
    assert err.code() == grpc.StatusCode.ABORTED
    await manager.reports.DeleteCustomReport(rp.DeleteCustomReportRequest(
        custom_report_id=mine.custom_report_id, version=1), metadata=manager.md)


async def test_a_tampered_definition_is_refused_when_it_runs(manager: Client, server: RunningServer,
                                                             cluster: Cluster) -> None:
    saved = (await manager.reports.SaveCustomReport(rp.SaveCustomReportRequest(definition=rp.CustomReportDefinition(
        title="Tampered", measures=["charges"], dimensions=["month"])), metadata=manager.md)).report
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True) as owner:
        owner.execute("""UPDATE custom_report SET definition = '{"measures": ["charges"], "dimensions":
                         ["(SELECT password_hash FROM app_user LIMIT 1)"]}' WHERE id = %s""",
                      (saved.custom_report_id,))
    err = await fails(manager.reports.RunReport(rp.RunReportRequest(custom_report_id=saved.custom_report_id),
                                                metadata=manager.md))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "definition.dimensions[0]" in dict(status_details(err)[1])


async def test_exports_match_the_table_and_runs_are_audited(manager: Client) -> None:
    t = today()
    flt = span(t.replace(day=1), t)
    table = await run(manager, "collections", flt)
    chunks = [c async for c in manager.reports.ExportReport(rp.ExportReportRequest(
        report="collections", filter=flt, format=rp.EXPORT_FORMAT_CSV), metadata=manager.md)]
    assert chunks[0].file_name == "collections.csv" and chunks[-1].sent_bytes == chunks[0].total_bytes
    lines = list(csv.reader(io.StringIO(b"".join(c.chunk for c in chunks).decode())))
    assert lines[0] == [c.title for c in table.columns]
    assert len(lines) == len(table.rows) + 2
    total = values(table.totals)[1]
    assert lines[-1][0] == "Total" and lines[-1][1] == f"{total // 100}.{total % 100:02d}"
    pdf = b"".join([c.chunk async for c in manager.reports.ExportReport(rp.ExportReportRequest(
        report="collections", filter=flt, format=rp.EXPORT_FORMAT_PDF), metadata=manager.md)])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Collections" in text and f"${total // 100:,}.{total % 100:02d}" in text
    err = await fails(manager.reports.ExportReport(rp.ExportReportRequest(report="collections"),
                                                   metadata=manager.md).read())
    assert "format" in dict(status_details(err)[1])
    events = await manager.audit.ListAuditEvents(au.ListAuditEventsRequest(
        action_contains="ReportService/ExportReport"), metadata=manager.md)
    assert any("report=collections" in e.detail and "export=collections.pdf" in e.detail
               and e.outcome == au.OUTCOME_SUCCESS for e in events.events)


async def test_reports_naming_patients_need_the_phi_permission(viewer: Client, it: Client) -> None:
    listed = await viewer.reports.ListReports(rp.ListReportsRequest(), metadata=viewer.md)
    keys = {r.report for r in listed.reports}
    assert "collections" in keys and "ar_aging_patient" not in keys and "underpayments" not in keys
    assert (await run(viewer, "ar_aging_insurance")).title == "A/R aging: insurance"
    err = await fails(run(viewer, "ar_aging_patient"))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED and status_details(err)[0] == "PHI_REPORT_DENIED"
    err = await fails(run(it, "collections"))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(it.reports.GetDashboard(rp.GetDashboardRequest(), metadata=it.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_bad_filters_name_their_field(manager: Client) -> None:
    err = await fails(run(manager, "collections", span(date(2026, 5, 2), date(2026, 5, 1), provider_ids=[-4])))
    assert set(dict(status_details(err)[1])) == {"filter.to", "filter.provider_ids"}
    err = await fails(run(manager, "collections", span(date(2020, 1, 1), date(2026, 5, 1))))
    assert "three years" in dict(status_details(err)[1])["filter.to"]
    err = await fails(run(manager, "no_such_report"))
    assert err.code() == grpc.StatusCode.NOT_FOUND


def _post(conn: psycopg.Connection, practice: int, patient: int, encounter: int, kind: str, day: date, key: str,
          *lines: tuple[str, int | None, int]) -> None:
    """One balanced entry written straight to the ledger on a chosen business day (the checks at commit apply)."""
    ins = sum(c for a, _, c in lines if a == "insurance_ar")
    pat = sum(c for a, _, c in lines if a == "patient_ar")
    row = conn.execute(
        "INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, kind, idempotency_key, posted_by_name, "
        "insurance_cents, patient_cents, business_date) VALUES (%s, %s, %s, %s, %s, 'test', %s, %s, %s) RETURNING id",
        (practice, patient, encounter, kind, key, ins, pat, day)).fetchone()
    assert row is not None
    for account, payer, cents in lines:
        conn.execute("INSERT INTO ledger_line (practice_id, entry_id, account, payer_id, patient_id, encounter_id, "
                     "amount_cents) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                     (practice, row[0], account, payer, patient, encounter, cents))


def _bucket(age: int) -> int:
    return next(i for i, high in enumerate((30, 60, 90, 120)) if age <= high) if age <= 120 else 4


async def test_month_boundaries_a_secondary_payment_and_the_payer_filter(
        biller: Client, desk: Client, manager: Client, practice: Practice, payer_id: int, server: RunningServer,
        cluster: Cluster) -> None:
    from shared.pms.payers.v1 import payers_pb2
    from tests.builders import a_payer
    second = (await manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer("Second Mutual", "SEC02")),
                                               metadata=manager.md)).payer.payer_id
    doc = await a_provider_with_week(manager, practice, "Boundary")
    pid = await a_patient_id(desk, "Twopayers")
    dos = date(2026, 10, 20)
    enc = await self_pay_visit(biller, pid, doc, practice, dos, 10_000)
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as owner:
        practice_id = owner.execute("SELECT practice_id FROM encounter WHERE id = %s", (enc,)).fetchone()[0]
        # Billed to the primary after all; it pays on 31 Oct and passes 20.00 to the secondary, which pays 15.00
        # on 1 Nov and leaves 5.00 to the patient.
        _post(owner, practice_id, pid, enc, "transfer", date(2026, 10, 25), "rep-b-1",
              ("patient_ar", None, -10_000), ("insurance_ar", payer_id, 10_000))
        _post(owner, practice_id, pid, enc, "insurance_payment", date(2026, 10, 31), "rep-b-2",
              ("undeposited_funds", None, 6_000), ("contractual", payer_id, 2_000),
              ("insurance_ar", payer_id, -10_000), ("insurance_ar", second, 2_000))
        _post(owner, practice_id, pid, enc, "insurance_payment", date(2026, 11, 1), "rep-b-3",
              ("undeposited_funds", None, 1_500), ("insurance_ar", second, -2_000), ("patient_ar", None, 500))
        owner.commit()
    october, november = span(date(2026, 10, 1), date(2026, 10, 31)), span(date(2026, 11, 1), date(2026, 11, 30))
    october.provider_ids[:] = november.provider_ids[:] = [doc]
    # charges, contractual, insurance, patient, refunds, write-offs, collected, gross %, net %
    assert by_first(await run(manager, "collections", october)) == {
        "Boundary, Greg": [0, 2_000, 6_000, 0, 0, 0, 6_000, None, None]}
    assert by_first(await run(manager, "collections", november)) == {
        "Boundary, Greg": [0, 0, 1_500, 0, 0, 0, 1_500, None, None]}
    october.payer_ids[:] = [second]
    assert not (await run(manager, "collections", october)).rows
    november.payer_ids[:] = [second]
    assert by_first(await run(manager, "collections", november))["Boundary, Greg"][2] == 1_500
    days = by_first(await run(manager, "day_sheet", span(date(2026, 10, 25), date(2026, 11, 1),
                                                         provider_ids=[doc])))
    # charges, insurance, patient, refunds, contractual, write-offs, change in A/R
    assert days == {date(2026, 10, 25): [0, 0, 0, 0, 0, 0, 0],
                    date(2026, 10, 31): [0, 6_000, 0, 0, 2_000, 0, -8_000],
                    date(2026, 11, 1): [0, 1_500, 0, 0, 0, 0, -1_500]}
    # 5.00 left with the patient: by date of service from 20 Oct, by date billed from 1 Nov.
    t = today()
    for basis, since in ((rp.AGING_BASIS_DATE_OF_SERVICE, dos), (rp.AGING_BASIS_DATE_BILLED, date(2026, 11, 1))):
        [row] = [values(r) for r in (await run(manager, "ar_aging_patient", rp.ReportFilter(
            provider_ids=[doc], aging_basis=basis))).rows]
        expected = [0] * 5
        expected[_bucket((t - since).days)] = 500
        assert row[2:] == [*expected, 500]
    assert not (await run(manager, "ar_aging_insurance", rp.ReportFilter(provider_ids=[doc]))).rows
