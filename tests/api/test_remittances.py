"""ERAs over mutual TLS, on 835s written for claims this module sends: matched by what we sent, previewed, posted
once (re-imports and retries post nothing), refused whole when they do not balance, held when a trace repeats with
other content; denials land in their worklist and unmatched claims in the exceptions. Amounts to the cent."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import grpc
import pytest

from server.claims.clearinghouse import FolderTransport, deliver_written
from server.x12.validate import pyx12_errors
from server.x12.writer835 import Adjustment, ClaimPayment, ProviderAdjustment, ServicePayment, write_835
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.payers.v1 import payers_pb2
from shared.pms.pricing.v1 import pricing_pb2 as pr
from shared.pms.remittances.v1 import remittances_pb2 as rm
from tests.api.test_claims import bill, configured, get_claim, insured_patient, payer_id, ready_encounter, scrub
from tests.api.test_encounters import biller, provider_id
from tests.api.test_scheduling import Practice
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.builders import a_payer, a_policy
from tests.support import Client, RunningServer, fails, status_details
from tests.unit.test_x12_writers import PATIENT, PAYER, remittance

__all__ = ["biller", "payer_id", "provider_id"]

DOS = date(2026, 3, 2)
# The payer of test_claims' payer_id fixture, as its ERAs name it.
CLAIMS_MUTUAL = dataclasses.replace(PAYER, name="Claims Mutual", payer_id="CLM01")


@dataclasses.dataclass
class Sent:
    claim_id: int
    patient_id: int


async def sent_claims(n: int, biller: Client, manager: Client, desk: Client, provider_id: int,
                      practice: Practice, payer_id: int, server: RunningServer, folder: Path) -> list[Sent]:
    """n claims at the payer, each 99214 ($180.00) and 96372 ($35.00) for a new insured patient."""
    await configured(manager)
    pids = [await insured_patient(desk, payer_id, f"Era{chr(ord('a') + i)}") for i in range(n)]
    encounters = [await ready_encounter(biller, pid, provider_id, practice) for pid in pids]
    ids = [o.claim_id for o in await bill(biller, *(e.encounter_id for e in encounters))]
    await scrub(biller, *ids, queue=True)
    await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=ids), metadata=biller.md)
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        await deliver_written(db, FolderTransport(folder / "out", folder / "in"))
    finally:
        await db.dispose()
    statuses = [(await get_claim(biller, i)).claim.status for i in ids]
    assert statuses == [cl.CLAIM_STATUS_SENT] * n
    return [Sent(i, p) for i, p in zip(ids, pids, strict=True)]


def svc(code: str, charge: int, paid: int, *adjustments: Adjustment, control: str = "",
        modifiers: tuple[str, ...] = ()) -> ServicePayment:
    return ServicePayment(code, charge, paid, DOS, adjustments=adjustments, control_number=control,
                          modifiers=modifiers)


def clp(claim_id: int | str, status: str, *lines: ServicePayment, number: str = "") -> ClaimPayment:
    control = claim_id if isinstance(claim_id, str) else f"C{claim_id}"
    return ClaimPayment(control, status, sum(x.charge_cents for x in lines), sum(x.paid_cents for x in lines), "12",
                        number or f"PAYER{control}", PATIENT, lines=lines, statement_from=DOS, statement_to=DOS)


def era_file(trace: str, *claims: ClaimPayment, plb: tuple[ProviderAdjustment, ...] = ()) -> bytes:
    return write_835(remittance(*claims, payer=CLAIMS_MUTUAL, trace_number=trace,
                                provider_adjustments=plb)).encode()


async def import_file(client: Client, content: bytes, name: str = "era.835") -> rm.ImportRemittanceFileResponse:
    return await client.remittances.ImportRemittanceFile(rm.ImportRemittanceFileRequest(
        file_name=name, content=content), metadata=client.md)


async def preview(client: Client, remittance_id: int) -> rm.GetRemittanceResponse:
    return await client.remittances.GetRemittance(rm.GetRemittanceRequest(remittance_id=remittance_id),
                                                  metadata=client.md)


async def post(client: Client, remittance_id: int) -> rm.PostRemittanceResponse:
    return await client.remittances.PostRemittance(rm.PostRemittanceRequest(remittance_id=remittance_id),
                                                   metadata=client.md)


async def balances(client: Client, patient_id: int) -> tuple[int, int]:
    """(still with insurance, owed by the patient)."""
    book = await client.ledger.GetPatientLedger(lg.GetPatientLedgerRequest(patient_id=patient_id),
                                                metadata=client.md)
    return book.insurance_balance_cents, book.patient_balance_cents


async def test_an_era_posts_payments_adjustments_and_patient_shares_exactly_once(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    full, partial, denied = await sent_claims(3, biller, manager, desk, provider_id, practice, payer_id, server,
                                              tmp_path)
    content = era_file(
        "EFT-0001",
        clp(full.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000), control=f"{full.claim_id}-1"),
            svc("96372", 3500, 3500, control=f"{full.claim_id}-2")),
        # No line control numbers, lines in another order: matched by their codes.
        clp(partial.claim_id, "1",
            svc("96372", 3500, 2800, Adjustment("PR", "2", 700)),
            svc("99214", 18000, 7000, Adjustment("CO", "45", 6000), Adjustment("PR", "1", 4000),
                Adjustment("PR", "2", 1000))),
        clp(denied.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000)),
            svc("96372", 3500, 0, Adjustment("CO", "197", 3500))),
        plb=(ProviderAdjustment("WO", 1000, "OVERPAID123"), ProviderAdjustment("L6", -150)))
    imported = await import_file(biller, content)
    assert list(imported.already_known) == [False]
    era = imported.remittances[0]
    assert (era.trace_number, era.payment_cents, era.claim_count, era.status) == (
        "EFT-0001", 36450, 3, rm.REMITTANCE_STATUS_IMPORTED)
    assert (era.paid_cents, era.contractual_cents, era.patient_cents, era.denied_cents, era.exception_count,
            era.provider_adjustment_cents) == (37300, 18000, 5700, 3500, 0, 850)
    # The preview posts nothing.
    assert await balances(biller, partial.patient_id) == (21500, 0)
    shown = await preview(biller, era.remittance_id)
    assert [(c.claim_id, c.outcome, c.paid_cents, c.patient_cents) for c in shown.claims] == [
        (full.claim_id, rm.CLAIM_PAYMENT_OUTCOME_READY, 15500, 0),
        (partial.claim_id, rm.CLAIM_PAYMENT_OUTCOME_READY, 9800, 5700),
        (denied.claim_id, rm.CLAIM_PAYMENT_OUTCOME_READY, 12000, 0)]
    assert shown.claims[0].patient_name.endswith(", Eraa")

    done = await post(biller, era.remittance_id)
    assert done.posted_claims == 3 and done.remittance.status == rm.REMITTANCE_STATUS_POSTED
    assert done.remittance.posted_by == "enc-biller"
    assert await balances(biller, full.patient_id) == (0, 0)
    assert await balances(biller, partial.patient_id) == (0, 5700)
    # The denied service stays with the payer and waits in the denial worklist.
    assert await balances(biller, denied.patient_id) == (3500, 0)
    statuses = [(await get_claim(biller, s.claim_id)).claim.status for s in (full, partial, denied)]
    assert statuses == [cl.CLAIM_STATUS_PAID, cl.CLAIM_STATUS_PAID, cl.CLAIM_STATUS_PARTIALLY_PAID]
    listed = await biller.remittances.ListDenials(rm.ListDenialsRequest(), metadata=biller.md)
    [denial] = [d for d in listed.denials if d.claim_id == denied.claim_id]
    assert (denial.line_number, denial.code, denial.charge_cents, denial.suggested_action) == (
        2, "96372", 3500, "appeal")
    assert denial.reasons[0].startswith("CO-197 Precertification/authorization")
    # Worked: the patient signed a waiver, so it is billed to them; the denial leaves the worklist.
    err = await fails(biller.remittances.WorkDenial(rm.WorkDenialRequest(
        idempotency_key="deny-0", denial_id=denial.denial_id, action=rm.DENIAL_ACTION_WRITE_OFF), metadata=biller.md))
    assert "write_off_kind" in dict(status_details(err)[1])
    worked = await biller.remittances.WorkDenial(rm.WorkDenialRequest(
        idempotency_key="deny-1", denial_id=denial.denial_id, action=rm.DENIAL_ACTION_BILL_PATIENT,
        note="waiver on file"), metadata=biller.md)
    assert worked.moved_cents == 3500
    assert await balances(biller, denied.patient_id) == (0, 3500)
    listed = await biller.remittances.ListDenials(rm.ListDenialsRequest(), metadata=biller.md)
    assert denial.denial_id not in [d.denial_id for d in listed.denials]
    err = await fails(biller.remittances.WorkDenial(rm.WorkDenialRequest(
        idempotency_key="deny-2", denial_id=denial.denial_id, action=rm.DENIAL_ACTION_APPEALED), metadata=biller.md))
    assert status_details(err)[0] == "DENIAL_WORKED"

    # The same file again (a re-download, a second biller): nothing new, nothing posted twice.
    again = await import_file(biller, content, "era-copy.835")
    assert list(again.already_known) == [True] and again.remittances[0].remittance_id == era.remittance_id
    assert (await post(biller, era.remittance_id)).posted_claims == 0
    assert await balances(biller, partial.patient_id) == (0, 5700)
    # The same trace with other content goes to a person, never to posting.
    other = await import_file(biller, era_file("EFT-0001", clp(full.claim_id, "1", svc(
        "99214", 18000, 18000, control=f"{full.claim_id}-1"), svc("96372", 3500, 3500, control=f"{full.claim_id}-2"))))
    held = other.remittances[0]
    assert held.status == rm.REMITTANCE_STATUS_REVIEW and "with other content" in held.review_reason
    err = await fails(post(biller, held.remittance_id))
    assert status_details(err)[0] == "ERA_HELD_FOR_REVIEW"
    assert await balances(biller, full.patient_id) == (0, 0)


async def test_an_era_that_does_not_balance_is_refused_whole(biller: Client) -> None:
    good = remittance(clp("C1", "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000))),
                      payer=CLAIMS_MUTUAL, trace_number="EFT-BAD")
    # Our writer will not write it; a payer's can: BPR02 says one cent more than the claims paid.
    text = write_835(good)
    bpr = next(seg for seg in text.split("~") if seg.strip().startswith("BPR*"))
    elements = bpr.split("*")
    assert elements[2] == "120"
    content = text.replace(bpr, "*".join([*elements[:2], "120.01", *elements[3:]])).encode()
    before = await biller.remittances.ListRemittances(rm.ListRemittancesRequest(), metadata=biller.md)
    err = await fails(import_file(biller, content))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and status_details(err)[0] == "ERA_UNBALANCED"
    after = await biller.remittances.ListRemittances(rm.ListRemittancesRequest(), metadata=biller.md)
    assert len(after.remittances) == len(before.remittances)
    err = await fails(import_file(biller, b"ISA*00*broken~"))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid 835" in dict(status_details(err)[1])["content"]


async def test_what_cannot_be_matched_waits_as_an_exception_and_the_rest_posts(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    clean, odd, lost = await sent_claims(3, biller, manager, desk, provider_id, practice, payer_id, server,
                                         tmp_path)
    imported = await import_file(biller, era_file(
        "EFT-0002",
        clp(clean.claim_id, "1", svc("99214", 18000, 18000), svc("96372", 3500, 3500)),
        clp(odd.claim_id, "1", svc("99215", 18000, 18000), svc("96372", 3500, 3500)),
        clp("X-NOT-OURS", "1", svc("99213", 9000, 9000)),
        # Our claim, under a control number the payer mangled.
        clp("C-0000", "1", svc("99214", 18000, 18000), svc("96372", 3500, 3500))))
    era = imported.remittances[0]
    assert era.exception_count == 3
    shown = await preview(biller, era.remittance_id)
    assert [c.outcome for c in shown.claims] == [rm.CLAIM_PAYMENT_OUTCOME_READY] + [
        rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION] * 3
    assert shown.claims[1].exception == f"service 1 (99215) matches no single line of claim {odd.claim_id}"
    assert shown.claims[2].exception == "no claim matches patient control number 'X-NOT-OURS'"
    assert (await post(biller, era.remittance_id)).posted_claims == 1
    assert await balances(biller, clean.patient_id) == (0, 0)
    assert await balances(biller, odd.patient_id) == (21500, 0)  # nothing posted to a guess
    assert (await get_claim(biller, odd.claim_id)).claim.status == cl.CLAIM_STATUS_SENT
    # The biller works the exceptions one by one: the mangled one is the lost claim and posts alone; the odd one
    # still cannot post against its claim, and says why.
    resolved = await biller.remittances.ResolveRemittanceException(rm.ResolveRemittanceExceptionRequest(
        remittance_id=era.remittance_id, position=4, claim_id=lost.claim_id), metadata=biller.md)
    assert resolved.posted_claims == 1 and resolved.claim.outcome == rm.CLAIM_PAYMENT_OUTCOME_POSTED
    assert resolved.remittance.exception_count == 2
    assert await balances(biller, lost.patient_id) == (0, 0)
    err = await fails(biller.remittances.ResolveRemittanceException(rm.ResolveRemittanceExceptionRequest(
        remittance_id=era.remittance_id, position=2, claim_id=odd.claim_id), metadata=biller.md))
    assert status_details(err)[0] == "STILL_AN_EXCEPTION" and "99215" in err.details()
    err = await fails(biller.remittances.ResolveRemittanceException(rm.ResolveRemittanceExceptionRequest(
        remittance_id=era.remittance_id, position=1, claim_id=clean.claim_id), metadata=biller.md))
    assert status_details(err)[0] == "NOT_AN_EXCEPTION"


async def test_a_reversal_takes_the_payment_back_and_the_new_adjudication_posts(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    [s] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    first = clp(s.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000)),
                svc("96372", 3500, 3500))
    era = (await import_file(biller, era_file("CHK-0003", first))).remittances[0]
    await post(biller, era.remittance_id)
    assert await balances(biller, s.patient_id) == (0, 0)
    # The payer takes it back (22, negative amounts) and pays it again with a deductible.
    taken_back = clp(s.claim_id, "22", svc("99214", -18000, -12000, Adjustment("CO", "45", -6000)),
                     svc("96372", -3500, -3500))
    again = clp(s.claim_id, "1", svc("99214", 18000, 7000, Adjustment("CO", "45", 6000), Adjustment("PR", "1", 5000)),
                svc("96372", 3500, 3500))
    # Net, the payer owes 50.00 back: it carries that forward (PLB FB) instead of a negative payment.
    second = (await import_file(biller, era_file("CHK-0004", taken_back, again, plb=(
        ProviderAdjustment("FB", -5000, "CHK-0003"),)))).remittances[0]
    assert (second.payment_cents, second.provider_adjustment_cents, second.exception_count) == (0, -5000, 0)
    assert (await post(biller, second.remittance_id)).posted_claims == 2
    assert await balances(biller, s.patient_id) == (0, 5000)
    claim = await get_claim(biller, s.claim_id)
    assert claim.claim.status == cl.CLAIM_STATUS_PAID
    assert [e.to_status for e in claim.events][-3:] == [cl.CLAIM_STATUS_PAID, cl.CLAIM_STATUS_ACCEPTED,
                                                        cl.CLAIM_STATUS_PAID]


@pytest.fixture(scope="module")
async def front(server: RunningServer) -> Client:
    from tests.api.test_patients import logged_in

    c = await logged_in(server, "era-desk", ["front_desk"])
    yield c  # type: ignore[misc]
    await c.close()


async def test_the_front_desk_does_not_post_eras(front: Client) -> None:
    err = await fails(import_file(front, b"x"))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_service_allowed_below_the_contract_is_flagged_as_underpaid(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    await manager.pricing.CreateContract(pr.CreateContractRequest(contract=pr.Contract(
        payer_id=payer_id, name="2026 commercial", effective_from=dates.to_pb(date(2026, 1, 1)),
        rates=[pr.ContractRate(code="99214", allowed_cents=12000), pr.ContractRate(code="96372", allowed_cents=3500)])),
        metadata=manager.md)
    [s] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    # Allowed 90.00 + 20.00 = 110.00 where the contract says 120.00; the injection is allowed in full.
    era = (await import_file(biller, era_file("EFT-0005", clp(
        s.claim_id, "1", svc("99214", 18000, 9000, Adjustment("CO", "45", 7000), Adjustment("PR", "1", 2000)),
        svc("96372", 3500, 3500))))).remittances[0]
    assert era.underpaid_cents == 1000
    assert (await preview(biller, era.remittance_id)).claims[0].underpaid_cents == 1000
    await post(biller, era.remittance_id)
    listed = await biller.remittances.ListUnderpayments(rm.ListUnderpaymentsRequest(), metadata=biller.md)
    [short] = [u for u in listed.underpayments if u.claim_id == s.claim_id]
    assert (short.line_number, short.code, short.expected_allowed_cents, short.allowed_cents, short.short_cents,
            short.payer_name) == (1, "99214", 12000, 11000, 1000, "Claims Mutual")
    assert listed.total_short_cents >= 1000


async def test_the_patients_share_goes_to_the_secondary_payer_on_a_claim_pyx12_accepts(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    second = (await manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(
        payer=a_payer("Second Mutual", "SM002", "CI", 365)), metadata=manager.md)).payer.payer_id
    [s] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(s.patient_id, second, "SEC445566")),
                                   metadata=desk.md)
    primary = clp(s.claim_id, "1",
                  svc("99214", 18000, 9000, Adjustment("CO", "45", 5000), Adjustment("PR", "1", 4000),
                      control=f"{s.claim_id}-1"),
                  svc("96372", 3500, 2800, Adjustment("PR", "2", 700), control=f"{s.claim_id}-2"))
    era = (await import_file(biller, era_file("EFT-0006", primary))).remittances[0]
    await post(biller, era.remittance_id)
    # The 47.00 the primary left is the secondary payer's to pay first, not the patient's.
    assert await balances(biller, s.patient_id) == (4700, 0)
    listed = await biller.claims.ListClaims(cl.ListClaimsRequest(status=cl.CLAIM_STATUS_DRAFT), metadata=biller.md)
    [secondary] = [c for c in listed.claims if c.patient_id == s.patient_id]
    assert secondary.payer_name == "Second Mutual"
    scrubbed = await scrub(biller, secondary.claim_id, queue=True)
    assert scrubbed[0].status == cl.CLAIM_STATUS_QUEUED, scrubbed[0]
    made = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=[secondary.claim_id]),
                                            metadata=biller.md)).batch
    file = await biller.claims.GetBatchFile(cl.GetBatchFileRequest(batch_id=made.batch_id), metadata=biller.md)
    assert pyx12_errors(file.content) == []
    segments = file.content.replace("\n", "").split("~")
    assert any(x.startswith("SBR*S*18*") for x in segments)
    assert "AMT*D*118" in segments  # what the primary paid (2320)
    assert "CAS*PR*1*40" in segments and "SVD*CLM01*90*HC:99214**1" in segments  # its answer per line (2430)
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        await deliver_written(db, FolderTransport(tmp_path / "out2", tmp_path / "in2"))
    finally:
        await db.dispose()
    # The secondary pays the coinsurance but 8.00; OA-23 is what the primary already settled.
    paid = dataclasses.replace(clp(
        secondary.claim_id, "2",
        svc("99214", 18000, 3200, Adjustment("OA", "23", 14000), Adjustment("PR", "2", 800)),
        svc("96372", 3500, 700, Adjustment("OA", "23", 2800))), claim_filing_indicator="12")
    second_era = write_835(remittance(paid, payer=dataclasses.replace(CLAIMS_MUTUAL, name="Second Mutual",
                                                                      payer_id="SM002"),
                                      trace_number="EFT-0007")).encode()
    era2 = (await import_file(biller, second_era)).remittances[0]
    assert era2.exception_count == 0, (await preview(biller, era2.remittance_id)).claims
    assert (era2.paid_cents, era2.contractual_cents, era2.patient_cents) == (3900, 0, 800)
    await post(biller, era2.remittance_id)
    assert await balances(biller, s.patient_id) == (0, 800)
    assert (await get_claim(biller, secondary.claim_id)).claim.status == cl.CLAIM_STATUS_PAID


def paper_line(line_number: int, paid: int, *adjustments: tuple[str, str, int]) -> rm.PaperServicePayment:
    return rm.PaperServicePayment(line_number=line_number, paid_cents=paid, adjustments=[
        rm.PaperAdjustment(group=g, reason=r, amount_cents=a) for g, r, a in adjustments])


async def test_a_paper_eob_posts_by_the_same_rules_and_never_twice(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    [s] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)

    def check(amount: int, *lines: rm.PaperServicePayment, key: str = "paper-1") -> rm.PostPaperRemittanceRequest:
        return rm.PostPaperRemittanceRequest(
            idempotency_key=key, payer_id=payer_id, check_number="100234", check_date=dates.to_pb(date(2026, 4, 1)),
            payment_cents=amount, claims=[rm.PaperClaimPayment(claim_id=s.claim_id, services=list(lines))])

    err = await fails(biller.remittances.PostPaperRemittance(check(
        15000, paper_line(1, 12000, ("CO", "45", 5000)), paper_line(7, 0), paper_line(2, 3000, ("XX", "1", 500))),
        metadata=biller.md))
    fields = dict(status_details(err)[1])
    assert "add up to the line's charge of 180.00" in fields["claims[0].services[0]"]
    assert fields["claims[0].services[1].line_number"] == f"claim {s.claim_id} has no line 7"
    assert fields["claims[0].services[2].adjustments[0].group"] == "must be CO, OA, PI or PR"
    err = await fails(biller.remittances.PostPaperRemittance(check(
        99, paper_line(1, 12000, ("CO", "45", 6000)), paper_line(2, 3000, ("PR", "3", 500))), metadata=biller.md))
    assert "the check is 0.99 but the claims' payments add up to 150.00" in dict(
        status_details(err)[1])["payment_cents"]
    assert await balances(biller, s.patient_id) == (21500, 0)  # nothing half posted

    good = check(15000, paper_line(1, 12000, ("CO", "45", 6000)), paper_line(2, 3000, ("PR", "3", 500)))
    done = await biller.remittances.PostPaperRemittance(good, metadata=biller.md)
    assert done.remittance.status == rm.REMITTANCE_STATUS_POSTED and done.remittance.trace_number == "100234"
    assert [(c.outcome, c.paid_cents, c.patient_cents) for c in done.claims] == [
        (rm.CLAIM_PAYMENT_OUTCOME_POSTED, 15000, 500)]
    assert await balances(biller, s.patient_id) == (0, 500)
    # A retry replays; the same check under another key is refused; its ERA arriving later waits for a person.
    again = await biller.remittances.PostPaperRemittance(good, metadata=biller.md)
    assert again.remittance.remittance_id == done.remittance.remittance_id
    other_key = rm.PostPaperRemittanceRequest()
    other_key.CopyFrom(good)
    other_key.idempotency_key = "paper-2"
    err = await fails(biller.remittances.PostPaperRemittance(other_key, metadata=biller.md))
    assert "already posted" in dict(status_details(err)[1])["check_number"]
    its_era = (await import_file(biller, era_file("100234", clp(
        s.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000)),
        svc("96372", 3500, 3000, Adjustment("PR", "3", 500)))))).remittances[0]
    assert its_era.status == rm.REMITTANCE_STATUS_REVIEW and "from its paper EOB" in its_era.review_reason
    assert await balances(biller, s.patient_id) == (0, 500)


SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "835"


async def test_real_payers_eras_import_but_post_nothing_to_a_guess(biller: Client) -> None:
    """The public sample ERAs (tests/fixtures/x12/SOURCES.md) are other practices' claims: every claim payment is an
    exception, and posting them moves no money."""
    for name in ("e835_emedny_sample.835", "e835_united_healthcare_legacy_sample.835", "her_835_outpatient_retro.835",
                 "pyx12_835_mult_loops.835"):
        imported = await import_file(biller, (SAMPLES / name).read_bytes(), name)
        for era in imported.remittances:
            assert era.claim_count > 0 and era.exception_count == era.claim_count, (name, era)
            done = await post(biller, era.remittance_id)
            assert done.posted_claims == 0, name
    book = await biller.remittances.ListRemittances(rm.ListRemittancesRequest(), metadata=biller.md)
    assert {r.file_name for r in book.remittances} >= {"e835_emedny_sample.835", "pyx12_835_mult_loops.835"}


async def test_a_crossover_era_pays_the_secondary_the_primary_forwarded_it_to(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    listed = await manager.payers.SearchPayers(payers_pb2.SearchPayersRequest(query="Crossover"), metadata=manager.md)
    second = (listed.payers[0].payer_id if listed.payers else (await manager.payers.CreatePayer(
        payers_pb2.CreatePayerRequest(payer=a_payer("Crossover Medigap", "XOV01", "CI", 365)),
        metadata=manager.md)).payer.payer_id)
    [s] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(s.patient_id, second, "MG7788")),
                                   metadata=desk.md)
    # CLP02 19: processed as primary and forwarded to the Medigap plan by the payer itself.
    primary = clp(s.claim_id, "19", svc("99214", 18000, 12000, Adjustment("CO", "45", 4000),
                                        Adjustment("PR", "2", 2000)),
                  svc("96372", 3500, 3500))
    await post(biller, (await import_file(biller, era_file("EFT-0019", primary))).remittances[0].remittance_id)
    assert await balances(biller, s.patient_id) == (2000, 0)
    sent_on = await biller.claims.ListClaims(cl.ListClaimsRequest(status=cl.CLAIM_STATUS_SENT), metadata=biller.md)
    [crossed] = [c for c in sent_on.claims if c.patient_id == s.patient_id]
    assert crossed.payer_name == "Crossover Medigap"
    # The Medigap plan's ERA quotes the primary's control number; it pays the coinsurance.
    medigap = dataclasses.replace(clp(
        s.claim_id, "2", svc("99214", 18000, 2000, Adjustment("OA", "23", 16000)),
        svc("96372", 3500, 0, Adjustment("OA", "23", 3500))), claim_filing_indicator="12")
    content = write_835(remittance(medigap, payer=dataclasses.replace(CLAIMS_MUTUAL, name="Crossover Medigap",
                                                                      payer_id="XOV01"),
                                   trace_number="EFT-0020")).encode()
    era = (await import_file(biller, content)).remittances[0]
    shown = await preview(biller, era.remittance_id)
    assert [(c.claim_id, c.outcome) for c in shown.claims] == [(crossed.claim_id, rm.CLAIM_PAYMENT_OUTCOME_READY)]
    await post(biller, era.remittance_id)
    assert await balances(biller, s.patient_id) == (0, 0)
