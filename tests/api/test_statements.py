"""Patient statements over mutual TLS: one statement per guarantor for all the patients they pay for, figures to
the cent on the PDF, insurance-pending visits shown and never due, the threshold and the cycle, a run made once
under its key, reprints that are the bytes first sent, the print file, the vendor CSV, email through a real SMTP
server, the statement workflow, and who may do what."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import grpc
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from server.demo import free_port
from server.reminders.transports import SmtpSender
from server.x12.writer835 import Adjustment
from shared import dates
from shared.pms.common.v1 import contact_pb2
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.patients.v1 import patients_pb2 as pt
from shared.pms.statements.v1 import statements_pb2 as st
from tests.api.test_claims import configured, payer_id
from tests.api.test_encounters import an_encounter, biller, create, line, provider_id, ready
from tests.api.test_patients import logged_in, register
from tests.api.test_payments import cash, pay, self_pay_visit
from tests.api.test_remittances import clp, era_file, import_file, post, sent_claims, svc
from tests.api.test_scheduling import Practice
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.builders import a_patient, a_policy
from tests.support import Client, RunningServer, fails, status_details

__all__ = ["biller", "payer_id", "provider_id"]

_n = iter(range(1, 10_000))


def letters(n: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in f"{n:03d}")


async def a_person(desk: Client, first: str, *, guarantor: pt.Guarantor | None = None, **fields: Any) -> int:
    n = next(_n)
    made = await register(desk, a_patient(first, "Stmt" + letters(n), date(1960, 1, 1) + timedelta(days=n * 41),
                                          guarantor=guarantor, **fields))
    assert made.patient.patient_id, "registration stopped at possible duplicates"
    return made.patient.patient_id


async def name_of(desk: Client, pid: int) -> tuple[str, str]:
    p = (await desk.patients.GetPatient(pt.GetPatientRequest(patient_id=pid), metadata=desk.md)).patient
    return p.name.first, p.name.last


def parent_guarantor(first: str, last: str, line1: str = "12 Elm Street", zip_code: str = "43215-0001"
                     ) -> pt.Guarantor:
    return pt.Guarantor(is_self=False, name=contact_pb2.PersonName(first=first, last=last), relationship="19",
                        address=contact_pb2.PostalAddress(line1=line1, city="Columbus", state="OH", zip=zip_code),
                        phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_HOME, number="(614) 555-0100"))


async def set_guarantor(desk: Client, pid: int, guarantor: pt.Guarantor) -> None:
    p = (await desk.patients.GetPatient(pt.GetPatientRequest(patient_id=pid), metadata=desk.md)).patient
    p.guarantor.CopyFrom(guarantor)
    await desk.patients.UpdatePatient(pt.UpdatePatientRequest(patient=p), metadata=desk.md)


async def today(client: Client) -> date:
    got = dates.from_pb((await client.statements.PreviewStatementRun(st.PreviewStatementRunRequest(),
                                                                     metadata=client.md)).statement_date)
    assert got is not None
    return got


async def run(client: Client, key: str) -> st.StatementRun:
    return (await client.statements.RunStatements(st.RunStatementsRequest(idempotency_key=key),
                                                  metadata=client.md)).run


async def of_patient(client: Client, pid: int) -> list[st.Statement]:
    return list((await client.statements.ListStatements(st.ListStatementsRequest(patient_id=pid),
                                                        metadata=client.md)).statements)


async def of_run(client: Client, run_id: int) -> list[st.Statement]:
    return list((await client.statements.ListStatements(st.ListStatementsRequest(run_id=run_id),
                                                        metadata=client.md)).statements)


async def download(client: Client, statement_id: int) -> tuple[str, bytes]:
    name, data = "", b""
    async for part in client.statements.DownloadStatement(st.DownloadStatementRequest(statement_id=statement_id),
                                                          metadata=client.md):
        if part.WhichOneof("part") == "file_name":
            name = part.file_name
        else:
            data += part.chunk
    return name, data


async def export(client: Client, run_id: int, fmt: int) -> tuple[str, bytes, int]:
    name, data, count = "", b"", 0
    async for part in client.statements.ExportStatementRun(st.ExportStatementRunRequest(run_id=run_id, format=fmt),
                                                           metadata=client.md):
        count = part.statement_count
        if part.WhichOneof("part") == "file_name":
            name = part.file_name
        else:
            data += part.chunk
    return name, data, count


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_one_statement_for_a_parent_and_her_children_to_the_cent(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    await configured(manager)
    day = await today(biller)
    # Dana is a patient (her own guarantor); her two children name her as guarantor, typed a little differently.
    dana = await a_person(desk, "Dana")
    first, last = await name_of(desk, dana)
    kim = await a_person(desk, "Kim", guarantor=parent_guarantor(first, last))
    lee = await a_person(desk, "Lee", guarantor=parent_guarantor(first.upper(), last, "12 elm st.", "43215"))
    # Dana's visits: $135.00 ten days ago (she paid $35.00), $50.00 forty-five days ago.
    await self_pay_visit(biller, dana, provider_id, practice, day - timedelta(days=10), 10_000, 3_500)
    await pay(desk, "stmt-dana-pay", cash(dana, 3_500))
    await self_pay_visit(biller, dana, provider_id, practice, day - timedelta(days=45), 5_000)
    # Kim's insured visit: the payer paid $155.00, took $40.00 off and left $20.00 to her (a deductible).
    [sent] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    await set_guarantor(desk, sent.patient_id, parent_guarantor(first, last, "12 Elm St", "43215"))
    era = (await import_file(biller, era_file("STMT-EFT-1", clp(
        sent.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 4000), Adjustment("PR", "1", 2000),
                                control=f"{sent.claim_id}-1"),
        svc("96372", 3500, 3500, control=f"{sent.claim_id}-2"))))).remittances[0]
    await post(biller, era.remittance_id)
    kim_era = sent.patient_id
    # Lee's visit is still with insurance: $215.00 pending, never due.
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(lee, payer_id)), metadata=desk.md)
    pending = await create(biller, an_encounter(lee, provider_id, practice, dos=day - timedelta(days=75), lines=(
        line("99214", [1, 2], 18000), line("96372", [1], 3500))))
    await ready(biller, pending)

    made = await run(biller, "stmt-run-1")
    mine = [s for s in await of_run(biller, made.run_id) if dana in s.patient_ids]
    assert len(mine) == 1
    s = mine[0]
    # Kim (another child) owes nothing: she is not on it.
    assert sorted(s.patient_ids) == sorted([dana, lee, kim_era])
    assert await of_patient(biller, kim) == []
    assert s.guarantor_name == f"{first} {last}" and s.delivery == st.DELIVERY_MAIL
    assert (s.amount_due_cents, s.balance_cents, s.credit_cents, s.pending_insurance_cents) == (
        17_000, 17_000, 0, 21_500)
    assert (s.aging.current_cents, s.aging.days_31_60_cents, s.aging.days_61_90_cents, s.aging.days_91_120_cents,
            s.aging.over_120_cents) == (10_000, 5_000, 0, 0, 2_000)
    assert s.dunning_level == 1 and s.status == st.STATEMENT_STATUS_GENERATED
    assert dates.from_pb(s.due_date) == day + timedelta(days=21)
    # The children's own statements do not exist: one statement covers them all.
    for pid in (lee, kim_era):
        assert [x.statement_id for x in await of_patient(desk, pid)] == [s.statement_id]

    name, pdf = await download(desk, s.statement_id)
    assert name.endswith(".pdf") and s.account_number in name
    text = pdf_text(pdf)
    for want in (f"{first} {last}", "Main Street Family Medicine", "REMIT TO", "1 Main St", s.account_number,
                 f"{dates.from_pb(s.due_date):%m/%d/%Y}", "$170.00",  # amount due
                 "$135.00", "$35.00", "$100.00",  # Dana's first visit: charges, she paid, her share
                 "$215.00", "$155.00", "$40.00", "$20.00",  # Kim's ERA visit
                 "Pending $215.00", "Pending insurance (not due)", "$50.00", "Thank you for choosing our practice"):
        assert want in text, want
    # The amount due never counts what is with insurance.
    assert "$385.00" not in text
    # A reprint is the bytes first sent, whatever happened since.
    await pay(desk, "stmt-dana-pay-2", cash(dana, 1_000))
    assert (await download(biller, s.statement_id))[1] == pdf

    # Within the cycle: a second run today leaves Dana out; a retried run is the same run.
    again = await run(biller, "stmt-run-2")
    assert dana not in [p for x in await of_run(biller, again.run_id) for p in x.patient_ids]
    assert (await run(biller, "stmt-run-1")) == made
    runs = (await biller.statements.ListStatementRuns(st.ListStatementRunsRequest(), metadata=biller.md)).runs
    assert [r.run_id for r in runs][:2] == [again.run_id, made.run_id]


async def test_the_threshold_and_the_cycle_choose_who_gets_a_statement(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, server: RunningServer
        ) -> None:
    day = await today(biller)
    small = await a_person(desk, "Small")
    await self_pay_visit(biller, small, provider_id, practice, day - timedelta(days=3), 400)
    big = await a_person(desk, "Big")
    await self_pay_visit(biller, big, provider_id, practice, day - timedelta(days=3), 900)
    before = await biller.statements.PreviewStatementRun(st.PreviewStatementRunRequest(), metadata=biller.md)
    assert before.statement_count >= 1 and before.below_threshold_count >= 1
    made = await run(biller, "stmt-threshold-1")
    assert made.statement_count == before.statement_count and made.amount_due_cents == before.amount_due_cents
    assert await of_patient(biller, small) == [] and len(await of_patient(biller, big)) == 1
    # The manager lowers the threshold: the small balance goes on the next run; the big one waits for its cycle.
    now = (await manager.statements.GetStatementSettings(st.GetStatementSettingsRequest(),
                                                         metadata=manager.md)).settings
    assert (now.threshold_cents, now.cycle_days, now.due_days, len(now.level_messages), now.version) == (
        500, 30, 21, 4, 0)
    now.threshold_cents = 300
    saved = (await manager.statements.UpdateStatementSettings(st.UpdateStatementSettingsRequest(settings=now),
                                                              metadata=manager.md)).settings
    assert saved.version == 1 and saved.threshold_cents == 300
    err = await fails(manager.statements.UpdateStatementSettings(st.UpdateStatementSettingsRequest(settings=now),
                                                                 metadata=manager.md))
    assert err.code() == grpc.StatusCode.ABORTED
    preview = await biller.statements.PreviewStatementRun(st.PreviewStatementRunRequest(), metadata=biller.md)
    assert preview.within_cycle_count >= 1
    second = await run(biller, "stmt-threshold-2")
    assert [s.run_id for s in await of_patient(biller, small)] == [second.run_id]
    assert [s.run_id for s in await of_patient(biller, big)] == [made.run_id]
    # Once the cycle has passed (the statement is 30 days old), the big balance gets its second statement.
    import psycopg

    from server.db.raw import conninfo

    with psycopg.connect(conninfo(server.inst.urls.owner_url or server.inst.urls.app_url), autocommit=True) as conn:
        conn.execute("UPDATE statement SET statement_date = statement_date - 30 WHERE %s = ANY(patient_ids)", (big,))
    third = await run(biller, "stmt-threshold-3")
    got = await of_patient(biller, big)
    assert [s.run_id for s in got] == [made.run_id, third.run_id] and got[1].dunning_level == 2
    assert "Reminder: your account is past due" in pdf_text((await download(biller, got[1].statement_id))[1])


async def test_settings_and_runs_name_each_bad_field(manager: Client, biller: Client) -> None:
    bad = st.StatementSettings(threshold_cents=-1, cycle_days=3, due_days=99, level_messages=["ok", " "])
    err = await fails(manager.statements.UpdateStatementSettings(st.UpdateStatementSettingsRequest(settings=bad),
                                                                 metadata=manager.md))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(dict(status_details(err)[1])) == {"settings.threshold_cents", "settings.cycle_days",
                                                 "settings.due_days", "settings.level_messages[1]"}
    err = await fails(run(biller, ""))
    assert set(dict(status_details(err)[1])) == {"idempotency_key"}
    err = await fails(export(biller, 999_999, st.EXPORT_FORMAT_PDF))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    err = await fails(export(biller, 999_999, 0))
    assert set(dict(status_details(err)[1])) == {"format"}
    err = await fails(biller.statements.ListStatements(st.ListStatementsRequest(), metadata=biller.md))
    assert set(dict(status_details(err)[1])) == {"run_id"}
    # Billers run statements; the dunning policy is the manager's.
    err = await fails(biller.statements.UpdateStatementSettings(st.UpdateStatementSettingsRequest(settings=bad),
                                                                metadata=biller.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def attachment(raw: bytes) -> tuple[Message, bytes]:
    msg = message_from_bytes(raw)
    for part in msg.walk():
        if part.get_content_type() == "application/pdf":
            return msg, part.get_payload(decode=True)  # type: ignore[return-value]
    raise AssertionError("no PDF attached")


async def test_mail_email_and_the_vendor_file_each_move_statements_through_the_workflow(
        biller: Client, desk: Client, provider_id: int, practice: Practice, server: RunningServer,
        smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    day = await today(biller)
    by_mail = await a_person(desk, "Post")
    by_email = await a_person(desk, "Mail", email="mail.stmt@example.com",
                              preferred_contact_method=pt.CONTACT_METHOD_EMAIL)
    bounced = await a_person(desk, "Bounce", email="bounce.stmt@example.com",
                             preferred_contact_method=pt.CONTACT_METHOD_EMAIL)
    for pid in (by_mail, by_email, bounced):
        await self_pay_visit(biller, pid, provider_id, practice, day - timedelta(days=5), 6_000)
    made = await run(biller, "stmt-delivery-1")
    statements = {pid: (await of_patient(biller, pid))[0] for pid in (by_mail, by_email, bounced)}
    assert statements[by_email].delivery == st.DELIVERY_EMAIL
    assert statements[by_email].email_to == "mail.stmt@example.com"
    assert statements[by_mail].delivery == st.DELIVERY_MAIL
    first_print = {pid: (await download(biller, s.statement_id))[1] for pid, s in statements.items()}

    # No SMTP server set up: said plainly.
    server.server.statements.email = None
    err = await fails(biller.statements.SendStatementEmails(st.SendStatementEmailsRequest(
        idempotency_key="stmt-mail-0", run_id=made.run_id), metadata=biller.md))
    assert status_details(err)[0] == "EMAIL_NOT_CONFIGURED"
    # One address is refused by the mail server: that statement goes with the paper mail instead.
    server.server.statements.email = SmtpSender("127.0.0.1", port, "Billing <billing@clinic.test>",
                                                starttls=False)
    refuse = Inbox.handle_DATA

    async def picky(self: Inbox, srv: Any, session: Any, envelope: Any) -> str:
        if "bounce.stmt@example.com" in envelope.rcpt_tos:
            return "550 no such user"
        return await refuse(self, srv, session, envelope)

    Inbox.handle_DATA = picky  # type: ignore[method-assign]
    try:
        sent = await biller.statements.SendStatementEmails(st.SendStatementEmailsRequest(
            idempotency_key="stmt-mail-1", run_id=made.run_id), metadata=biller.md)
    finally:
        Inbox.handle_DATA = refuse  # type: ignore[method-assign]
        server.server.statements.email = None
    assert sent.failed_count == 1 and sent.sent_count >= 1
    got = [raw for to, raw in inbox.messages if to == ["mail.stmt@example.com"]]
    assert len(got) == 1
    msg, pdf = attachment(got[0])
    assert pdf == first_print[by_email] and "Your statement from" in str(msg["Subject"])
    # A retry sends nothing again.
    again = await biller.statements.SendStatementEmails(st.SendStatementEmailsRequest(
        idempotency_key="stmt-mail-1", run_id=made.run_id), metadata=biller.md)
    assert again == sent and len([1 for to, _ in inbox.messages if to == ["mail.stmt@example.com"]]) == 1
    now = {pid: (await of_patient(biller, pid))[0] for pid in statements}
    assert now[by_email].status == st.STATEMENT_STATUS_EMAILED and now[by_email].HasField("emailed_at")
    assert now[bounced].status == st.STATEMENT_STATUS_GENERATED and now[bounced].email_error.startswith("SMTP")

    # The print file holds the mail and the bounced email; they become printed; nothing is left to print.
    name, data, count = await export(biller, made.run_id, st.EXPORT_FORMAT_PDF)
    assert name.endswith(".pdf") and count == len(PdfReader(io.BytesIO(data)).pages) >= 2
    now = {pid: (await of_patient(biller, pid))[0] for pid in statements}
    assert now[by_mail].status == now[bounced].status == st.STATEMENT_STATUS_PRINTED
    assert now[by_email].status == st.STATEMENT_STATUS_EMAILED
    err = await fails(export(biller, made.run_id, st.EXPORT_FORMAT_VENDOR_CSV))
    assert status_details(err)[0] == "NOTHING_TO_EXPORT"
    # Voided: it no longer counts; a voided statement stays voided.
    voided = (await biller.statements.VoidStatement(st.VoidStatementRequest(
        statement_id=now[by_mail].statement_id, reason="wrong address"), metadata=biller.md)).statement
    assert voided.status == st.STATEMENT_STATUS_VOIDED and voided.void_reason == "wrong address"
    err = await fails(biller.statements.VoidStatement(st.VoidStatementRequest(
        statement_id=now[by_mail].statement_id, reason="again"), metadata=biller.md))
    assert status_details(err)[0] == "TRANSITION_NOT_ALLOWED"
    err = await fails(biller.statements.VoidStatement(st.VoidStatementRequest(
        statement_id=now[by_mail].statement_id), metadata=biller.md))
    assert set(dict(status_details(err)[1])) == {"reason"}
    # Each statement is still the bytes first sent.
    for pid, s in statements.items():
        assert (await download(biller, s.statement_id))[1] == first_print[pid]

    # The voided statement does not count: the next run makes a new one, which goes to the print vendor.
    redo = await run(biller, "stmt-delivery-2")
    [fresh] = [s for s in await of_run(biller, redo.run_id) if by_mail in s.patient_ids]
    assert fresh.status == st.STATEMENT_STATUS_GENERATED and fresh.dunning_level == 1
    fresh_pdf = (await download(biller, fresh.statement_id))[1]
    name, data, count = await export(biller, redo.run_id, st.EXPORT_FORMAT_VENDOR_CSV)
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert name.endswith(".csv") and rows[0][:2] == ["H", "PMS-STATEMENTS-1"] and int(rows[0][4]) == count
    [srow] = [r for r in rows if r[0] == "S" and r[1] == str(fresh.statement_id)]
    assert srow[2] == fresh.account_number and srow[11] == "60.00"
    assert [r[6] for r in rows if r[0] == "V" and r[1] == str(fresh.statement_id)] == ["60.00"]
    [fresh] = [s for s in await of_patient(biller, by_mail) if s.statement_id == fresh.statement_id]
    assert fresh.status == st.STATEMENT_STATUS_EXPORTED and fresh.HasField("exported_at")
    assert (await download(biller, fresh.statement_id))[1] == fresh_pdf
    # A generated statement can be voided too.
    gen = await a_person(desk, "Gen")
    await self_pay_visit(biller, gen, provider_id, practice, day - timedelta(days=5), 6_000)
    await run(biller, "stmt-delivery-3")
    [g] = await of_patient(biller, gen)
    assert (await biller.statements.VoidStatement(st.VoidStatementRequest(
        statement_id=g.statement_id, reason="test"), metadata=biller.md)).statement.status == \
        st.STATEMENT_STATUS_VOIDED


@pytest.fixture(scope="module")
async def it_admin(server: RunningServer) -> Client:
    c = await logged_in(server, "stmt-it", ["it_admin"])
    yield c  # type: ignore[misc]
    await c.close()


async def test_it_reads_no_statements_and_the_front_desk_reads_but_does_not_run(
        it_admin: Client, desk: Client, biller: Client) -> None:
    runs = (await biller.statements.ListStatementRuns(st.ListStatementRunsRequest(), metadata=biller.md)).runs
    assert runs
    statements = await of_run(biller, runs[-1].run_id)
    assert statements
    for call in (it_admin.statements.ListStatements(st.ListStatementsRequest(run_id=runs[-1].run_id),
                                                    metadata=it_admin.md),
                 download(it_admin, statements[0].statement_id),
                 run(it_admin, "stmt-it-1"),
                 it_admin.statements.ListCollectionAccounts(st.ListCollectionAccountsRequest(), metadata=it_admin.md),
                 it_admin.statements.PreviewStatementRun(st.PreviewStatementRunRequest(), metadata=it_admin.md)):
        assert (await fails(call)).code() == grpc.StatusCode.PERMISSION_DENIED
    assert (await download(desk, statements[0].statement_id))[1]
    err = await fails(run(desk, "stmt-desk-1"))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
