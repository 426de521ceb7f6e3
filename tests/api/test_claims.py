"""Claims over mutual TLS (issue 6, item 1): the billing identity, billing ready encounters to the primary payer,
the worklist, and what reopening a billed encounter does to its claims and its ledger (issue 5: corrections, not
edits)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import grpc
import psycopg
import pytest

from server.claims.clearinghouse import (
    FolderTransport,
    TransportError,
    deliver_status_requests,
    deliver_written,
    receive_answers,
)
from server.payer_sim.adjudicate import Member, SimConfig
from server.payer_sim.simulator import PayerSimulator
from server.x12.validate import pyx12_errors
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.common.v1 import contact_pb2
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.payers.v1 import payers_pb2
from shared.pms.remittances.v1 import remittances_pb2 as rm
from tests.api.test_encounters import an_encounter, charges, create, line, ready

# The encounter and scheduling tests' module fixtures, used here too.
from tests.api.test_encounters import biller as biller
from tests.api.test_encounters import provider_id as provider_id
from tests.api.test_patients import logged_in
from tests.api.test_scheduling import Practice, a_patient_id
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.builders import a_payer, a_policy
from tests.support import Client, Cluster, RunningServer, fails, status_details

# At the test practice's location (1 Main St, 43215): no separate service facility loop on its claims.
GOOD_SETUP = cl.BillingSetup(
    organization_name="Main Street Family Medicine", npi="1234567893", tax_id="12-3456789", taxonomy="207Q00000X",
    address_line1="1 Main St", city="Columbus", state="OH", zip="43215-1234", phone="(614) 555-0100",
    contact_name="Billing Office", submitter_id="PMS0001", receiver_name="Test Clearinghouse",
    receiver_id="CLEARHOUSE")


@pytest.fixture(scope="module")
async def payer_id(manager: Client) -> int:
    made = await manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer("Claims Mutual", "CLM01",
                                                                                        "CI", 365)),
                                            metadata=manager.md)
    return made.payer.payer_id


async def insured_patient(desk: Client, payer_id: int, name: str) -> int:
    pid = await a_patient_id(desk, name)
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(pid, payer_id)), metadata=desk.md)
    return pid


async def ready_encounter(biller: Client, patient_id: int, provider_id: int, practice: Practice) -> en.Encounter:
    made = await create(biller, an_encounter(patient_id, provider_id, practice, lines=(
        line("99214", [1, 2], 18000), line("96372", [1], 3500))))
    return (await ready(biller, made)).encounter


async def bill(client: Client, *encounter_ids: int) -> list[cl.ClaimOutcome]:
    return list((await client.claims.CreateClaims(cl.CreateClaimsRequest(encounter_ids=list(encounter_ids)),
                                                  metadata=client.md)).outcomes)


async def get_claim(client: Client, claim_id: int) -> cl.GetClaimResponse:
    return await client.claims.GetClaim(cl.GetClaimRequest(claim_id=claim_id), metadata=client.md)


async def test_the_billing_identity_is_checked_and_only_a_manager_sets_it(manager: Client, biller: Client) -> None:
    assert not (await biller.claims.GetBillingSetup(cl.GetBillingSetupRequest(), metadata=biller.md)).setup.configured
    bad = cl.BillingSetup()
    bad.CopyFrom(GOOD_SETUP)
    bad.npi, bad.tax_id, bad.taxonomy, bad.zip, bad.submitter_id, bad.state = ("1234567890", "12-345", "207Q",
                                                                               "43215", "a b", "XX")
    err = await fails(manager.claims.UpdateBillingSetup(cl.UpdateBillingSetupRequest(setup=bad), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {
        "setup.npi", "setup.tax_id", "setup.taxonomy", "setup.zip", "setup.submitter_id", "setup.state"}
    err = await fails(biller.claims.UpdateBillingSetup(cl.UpdateBillingSetupRequest(setup=GOOD_SETUP),
                                                       metadata=biller.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    saved = (await manager.claims.UpdateBillingSetup(cl.UpdateBillingSetupRequest(setup=GOOD_SETUP),
                                                     metadata=manager.md)).setup
    assert (saved.configured, saved.version, saved.tax_id, saved.zip, saved.phone, saved.production) == (
        True, 1, "123456789", "432151234", "6145550100", False)
    err = await fails(manager.claims.UpdateBillingSetup(cl.UpdateBillingSetupRequest(setup=GOOD_SETUP),
                                                        metadata=manager.md))
    assert status_details(err)[0] == "STALE_VERSION"


async def test_a_ready_encounter_is_billed_once_to_its_primary_payer(
        biller: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int) -> None:
    enc = await ready_encounter(biller, await insured_patient(desk, payer_id, "Billed"), provider_id, practice)
    uninsured = await ready_encounter(biller, await a_patient_id(desk, "Selfpay"), provider_id, practice)
    still_open = await create(biller, an_encounter(enc.patient_id, provider_id, practice))
    outcomes = await bill(biller, enc.encounter_id, uninsured.encounter_id, still_open.encounter_id, 999_999)
    assert [(o.encounter_id, bool(o.claim_id), o.refusal_reason) for o in outcomes] == [
        (enc.encounter_id, True, ""), (uninsured.encounter_id, False, "NO_COVERAGE"),
        (still_open.encounter_id, False, "ENCOUNTER_NOT_READY"), (999_999, False, "ENCOUNTER_NOT_FOUND")]
    claim = await get_claim(biller, outcomes[0].claim_id)
    c = claim.claim
    assert (c.payer_id, c.payer_name, c.responsibility, c.frequency, c.status, c.total_charge_cents) == (
        payer_id, "Claims Mutual", "P", "1", cl.CLAIM_STATUS_DRAFT, 21500)
    assert [(li.code, li.charge_cents, list(li.dx_pointers)) for li in c.lines] == [
        ("99214", 18000, [1, 2]), ("96372", 3500, [1])]
    assert [(e.to_status, e.by) for e in claim.events] == [(cl.CLAIM_STATUS_DRAFT, "enc-biller")]
    billed = (await biller.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=enc.encounter_id),
                                                   metadata=biller.md)).encounter
    assert billed.status == en.ENCOUNTER_STATUS_BILLED
    again = await bill(biller, enc.encounter_id)
    assert (again[0].claim_id, again[0].refusal_reason) == (0, "ENCOUNTER_NOT_READY")
    listed = await biller.claims.ListClaims(cl.ListClaimsRequest(patient_id=enc.patient_id), metadata=biller.md)
    assert [s.claim_id for s in listed.claims] == [c.claim_id]
    assert [(n.status, n.count) for n in listed.counts] == [(cl.CLAIM_STATUS_DRAFT, 1)]
    err = await fails(biller.claims.CreateClaims(cl.CreateClaimsRequest(encounter_ids=[1, 1]), metadata=biller.md))
    assert status_details(err)[1] == [("encounter_ids", "an encounter is listed twice")]


async def test_reopening_a_billed_encounter_corrects_never_edits(
        biller: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int, server: RunningServer,
        cluster: Cluster) -> None:
    enc = await ready_encounter(biller, await insured_patient(desk, payer_id, "Corrected"), provider_id, practice)
    first = (await bill(biller, enc.encounter_id))[0].claim_id

    async def reopen_and_rebill(reason: str) -> tuple[en.ReopenEncounterResponse, cl.Claim]:
        current = (await biller.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=enc.encounter_id),
                                                        metadata=biller.md)).encounter
        reopened = await biller.encounters.ReopenEncounter(en.ReopenEncounterRequest(
            encounter_id=enc.encounter_id, version=current.version, reason=reason), metadata=biller.md)
        fixed = en.Encounter()
        fixed.CopyFrom(reopened.encounter)
        fixed.lines[0].code, fixed.lines[0].fee_cents = "99213", 12500
        fixed = (await biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=fixed),
                                                         metadata=biller.md)).encounter
        await ready(biller, fixed)
        claim_id = (await bill(biller, enc.encounter_id))[0].claim_id
        return reopened, (await get_claim(biller, claim_id)).claim

    # Never sent: the draft is voided and the next claim is a new original.
    reopened, second = await reopen_and_rebill("wrong level")
    assert list(reopened.voided_claim_ids) == [first] and not reopened.corrected_claim_ids
    assert reopened.reversed_cents == 21500
    assert (second.frequency, second.replaces_claim_id, second.total_charge_cents) == ("1", 0, 16000)
    voided = await get_claim(biller, first)
    assert voided.claim.status == cl.CLAIM_STATUS_VOIDED
    assert voided.events[-1].reason == "encounter reopened: wrong level"

    # The payer has it (sent: the sending path is the batch increment; here the test moves it): the claim is
    # marked corrected and the next one replaces it, quoting it.
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        conn.execute("UPDATE claim SET status = 'sent', payer_claim_number = 'PCN-77' WHERE id = %s",
                     (second.claim_id,))
    reopened, third = await reopen_and_rebill("modifier missing")
    assert list(reopened.corrected_claim_ids) == [second.claim_id] and not reopened.voided_claim_ids
    assert (third.frequency, third.replaces_claim_id, third.status) == ("7", second.claim_id, cl.CLAIM_STATUS_DRAFT)
    assert (await get_claim(biller, second.claim_id)).claim.status == cl.CLAIM_STATUS_CORRECTED
    # The ledger tells the whole story in appended entries: nothing was edited.
    ledger = await charges(biller, enc)
    assert [(e.kind, e.amount_cents) for e in ledger.entries] == [
        (en.LEDGER_ENTRY_KIND_CHARGE, 18000), (en.LEDGER_ENTRY_KIND_CHARGE, 3500),
        (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, -18000), (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, -3500),
        (en.LEDGER_ENTRY_KIND_CHARGE, 12500), (en.LEDGER_ENTRY_KIND_CHARGE, 3500),
        (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, -12500), (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, -3500),
        (en.LEDGER_ENTRY_KIND_CHARGE, 12500), (en.LEDGER_ENTRY_KIND_CHARGE, 3500)]
    assert ledger.balance_cents == 16000
    # Claim events are appended only: the application's role may not rewrite them.
    with psycopg.connect(cluster.app_conninfo(server.inst.urls)) as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE claim_event SET reason = 'x'")


async def configured(manager: Client) -> None:
    now = (await manager.claims.GetBillingSetup(cl.GetBillingSetupRequest(), metadata=manager.md)).setup
    if not now.configured:
        await manager.claims.UpdateBillingSetup(cl.UpdateBillingSetupRequest(setup=GOOD_SETUP), metadata=manager.md)


async def scrub(client: Client, *claim_ids: int, queue: bool = False) -> list[cl.ScrubbedClaim]:
    return list((await client.claims.ScrubClaims(cl.ScrubClaimsRequest(claim_ids=list(claim_ids), queue=queue),
                                                 metadata=client.md)).claims)


async def test_the_scrubber_stops_a_claim_until_it_is_fixed_then_queues_it(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int) -> None:
    await configured(manager)
    pid = await insured_patient(desk, payer_id, "Scrubbed")
    clean_enc = await ready_encounter(biller, pid, provider_id, practice)
    # A second visit the same day billing the same injection: a duplicate, and a code pair the practice forbids.
    other = await create(biller, an_encounter(pid, provider_id, practice, lines=(line("99213", [1], 9000),
                                                                                 line("96372", [1], 3500))))
    other = (await ready(biller, other)).encounter
    first, second = [o.claim_id for o in await bill(biller, clean_enc.encounter_id, other.encounter_id)]

    err = await fails(biller.claims.UpdateScrubSetup(cl.UpdateScrubSetupRequest(disabled_rules=["CODE_PAIRS"]),
                                                     metadata=biller.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(manager.claims.UpdateScrubSetup(cl.UpdateScrubSetupRequest(
        disabled_rules=["NO_SUCH_RULE"], code_pairs=[cl.CodePairEdit(column1_code="99213", column2_code="9637")]),
        metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {"disabled_rules[0]", "code_pairs[0].column2_code"}
    setup = await manager.claims.UpdateScrubSetup(cl.UpdateScrubSetupRequest(code_pairs=[
        cl.CodePairEdit(column1_code="99213", column2_code="96372", modifier_allowed=True)]), metadata=manager.md)
    assert len(setup.rules) == 20 and all(r.enabled for r in setup.rules)

    done = {c.claim_id: c for c in await scrub(biller, first, second)}
    assert done[first].status == cl.CLAIM_STATUS_SCRUBBED
    assert [f.rule for f in done[first].findings if f.severity == cl.SEVERITY_ERROR] == []
    assert done[second].status == cl.CLAIM_STATUS_DRAFT
    stopped = {(f.rule, f.field) for f in done[second].findings}
    assert {("DUPLICATE_CLAIM", "lines"), ("CODE_PAIRS", "lines[1].modifiers")} <= stopped
    detail = await get_claim(biller, second)
    assert {(f.rule, f.field) for f in detail.findings} == stopped

    # The practice switches both rules off (a manager's choice); the next scrub queues the claim.
    await manager.claims.UpdateScrubSetup(cl.UpdateScrubSetupRequest(
        disabled_rules=["DUPLICATE_CLAIM", "CODE_PAIRS"]), metadata=manager.md)
    again = await scrub(biller, second, queue=True)
    assert again[0].status == cl.CLAIM_STATUS_QUEUED
    events = [(e.from_status, e.to_status) for e in (await get_claim(biller, second)).events]
    assert events == [(cl.CLAIM_STATUS_UNSPECIFIED, cl.CLAIM_STATUS_DRAFT),
                      (cl.CLAIM_STATUS_DRAFT, cl.CLAIM_STATUS_SCRUBBED),
                      (cl.CLAIM_STATUS_SCRUBBED, cl.CLAIM_STATUS_QUEUED)]
    err = await fails(biller.claims.ScrubClaims(cl.ScrubClaimsRequest(claim_ids=[second]), metadata=biller.md))
    assert "only draft, scrubbed or rejected" in dict(status_details(err)[1])["claim_ids[0]"]
    # The clean claim rate counts first scrubs: one of these two was clean the first time.
    listed = await biller.claims.ListClaims(cl.ListClaimsRequest(patient_id=pid), metadata=biller.md)
    assert (listed.first_scrubbed, listed.first_scrub_clean) == (2, 1)
    await manager.claims.UpdateScrubSetup(cl.UpdateScrubSetupRequest(
        enabled_rules=["DUPLICATE_CLAIM", "CODE_PAIRS"]), metadata=manager.md)


async def test_queued_claims_go_out_in_an_837p_that_pyx12_accepts(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int) -> None:
    await configured(manager)
    # Clear what earlier tests queued, so this batch holds exactly the claims made here.
    leftover = await biller.claims.ListClaims(cl.ListClaimsRequest(status=cl.CLAIM_STATUS_QUEUED), metadata=biller.md)
    if leftover.claims:
        await biller.claims.CreateBatch(cl.CreateBatchRequest(), metadata=biller.md)
    self_pay = await insured_patient(desk, payer_id, "Batched")
    child = await a_patient_id(desk, "Child")
    parent = ins.Subscriber(name=contact_pb2.PersonName(first="Pat", last="Parent"),
                            date_of_birth=dates.to_pb(__import__("datetime").date(1975, 4, 9)),
                            sex=contact_pb2.ADMINISTRATIVE_SEX_MALE,
                            address=contact_pb2.PostalAddress(line1="9 Oak Ave", city="Dublin", state="OH",
                                                              zip="43017-1234"))
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(
        child, payer_id, "KID998877", subscriber_relationship="19", subscriber=parent, group_number="GRP-1")),
        metadata=desk.md)
    encounters = [await ready_encounter(biller, pid, provider_id, practice) for pid in (self_pay, child)]
    claim_ids = [o.claim_id for o in await bill(biller, *(e.encounter_id for e in encounters))]
    assert all(c.status == cl.CLAIM_STATUS_QUEUED for c in await scrub(biller, *claim_ids, queue=True))

    made = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids), metadata=biller.md)).batch
    assert (made.claim_count, made.total_charge_cents, made.status) == (2, 43000, "written")
    assert made.file_name == f"837P-{made.interchange_control_number:09d}.x12"
    file = await biller.claims.GetBatchFile(cl.GetBatchFileRequest(batch_id=made.batch_id), metadata=biller.md)
    assert pyx12_errors(file.content) == []
    segments = file.content.replace("\n", "").split("~")
    assert f"CLM*C{claim_ids[0]}*215***11:B:1*Y*A*Y*Y" in segments
    assert any(s.startswith("NM1*QC*1*") for s in segments)  # the child is the patient, the parent subscribes
    assert any(s.startswith("PAT*19") for s in segments)
    assert "REF*EI*123456789" in segments
    # Control numbers are never reused, and a claim goes out in one batch only.
    err = await fails(biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids[:1]), metadata=biller.md))
    assert "is not queued (or is already in a batch)" in dict(status_details(err)[1])["claim_ids[0]"]
    err = await fails(biller.claims.CreateBatch(cl.CreateBatchRequest(), metadata=biller.md))
    assert status_details(err)[0] == "NOTHING_QUEUED"


class CrashAfterWriting(FolderTransport):
    """The server dies right after the file lands, before the batch's status is saved."""

    async def deliver(self, name: str, content: bytes) -> bool:
        await super().deliver(name, content)
        raise TransportError("power cut")


async def test_a_batch_reaches_the_clearinghouse_once_even_after_a_crash_mid_send(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, cluster: Cluster, tmp_path: Path) -> None:
    await configured(manager)
    enc = await ready_encounter(biller, await insured_patient(desk, payer_id, "Delivered"), provider_id, practice)
    claim_id = (await bill(biller, enc.encounter_id))[0].claim_id
    await scrub(biller, claim_id, queue=True)
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        # Batches earlier tests wrote go elsewhere first: this outbox gets only the one made here.
        await deliver_written(db, FolderTransport(tmp_path / "earlier", tmp_path / "earlier-in"))
        batch = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=[claim_id]),
                                                 metadata=biller.md)).batch
        outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
        first = await deliver_written(db, CrashAfterWriting(outbox, inbox))
        assert (first.delivered, first.failed) == (0, 1)
        assert (await get_claim(biller, claim_id)).claim.status == cl.CLAIM_STATUS_QUEUED
        landed = (outbox / batch.file_name).read_bytes()
        again = await deliver_written(db, FolderTransport(outbox, inbox))
        assert (again.delivered, again.already_there, again.failed) == (0, 1, 0)
        assert (outbox / batch.file_name).read_bytes() == landed
        assert [p.name for p in outbox.iterdir()] == [batch.file_name]  # once, no partial file left behind
        sent = await get_claim(biller, claim_id)
        assert sent.claim.status == cl.CLAIM_STATUS_SENT and sent.events[-1].by == "clearinghouse"
        assert sent.events[-1].reason == f"delivered in {batch.file_name}"
        assert (await deliver_written(db, FolderTransport(outbox, inbox))).already_there == 0  # nothing left
    finally:
        await db.dispose()
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        row = conn.execute("SELECT status, delivery_attempts, last_error FROM claim_batch WHERE id = %s",
                           (batch.batch_id,)).fetchone()
    assert row == ("delivered", 2, "")


async def listed_batches(client: Client, **request: int) -> cl.ListBatchesResponse:
    return await client.claims.ListBatches(cl.ListBatchesRequest(**request), metadata=client.md)  # type: ignore[arg-type]


async def test_batches_are_listed_newest_first_with_their_delivery_for_billers_and_it(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    await configured(manager)
    claim_ids = []
    for name in ("Listed", "Listedtoo"):
        enc = await ready_encounter(biller, await insured_patient(desk, payer_id, name), provider_id, practice)
        claim_ids.append((await bill(biller, enc.encounter_id))[0].claim_id)
    await scrub(biller, *claim_ids, queue=True)
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        # Batches earlier tests wrote go elsewhere first, so the failing delivery below is this test's own.
        await deliver_written(db, FolderTransport(tmp_path / "earlier", tmp_path / "earlier-in"))
        older = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids[:1]),
                                                 metadata=biller.md)).batch
        newer = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids[1:]),
                                                 metadata=biller.md)).batch
        assert (older.batch_status, older.delivery_attempts, older.HasField("delivered_at")) == (
            cl.BATCH_STATUS_WRITTEN, 0, False)
        failed = await deliver_written(db, CrashAfterWriting(tmp_path / "outbox", tmp_path / "inbox"))
        assert failed.failed == 1

        shown = await listed_batches(biller, limit=2)
        assert [b.batch_id for b in shown.batches] == [newer.batch_id, older.batch_id]
        stuck = shown.batches[1]
        assert (stuck.status, stuck.batch_status, stuck.delivery_attempts, stuck.last_error) == (
            "written", cl.BATCH_STATUS_WRITTEN, 1, "power cut")
        assert (stuck.interchange_control_number, stuck.claim_count, stuck.total_charge_cents, stuck.file_name) == (
            older.interchange_control_number, 1, 21500, older.file_name)
        assert not stuck.HasField("delivered_at")
        counts = {c.status: c.count for c in shown.counts}
        assert counts[cl.BATCH_STATUS_WRITTEN] == 2

        # Delivered on the next tick: the filter moves it, the counts follow.
        await deliver_written(db, FolderTransport(tmp_path / "outbox", tmp_path / "inbox"))
        delivered = await listed_batches(biller, status=cl.BATCH_STATUS_DELIVERED)
        mine = {b.batch_id: b for b in delivered.batches}
        assert {older.batch_id, newer.batch_id} <= mine.keys()
        assert all(b.batch_status == cl.BATCH_STATUS_DELIVERED for b in delivered.batches)
        assert (mine[older.batch_id].delivery_attempts, mine[older.batch_id].last_error) == (2, "")
        assert mine[older.batch_id].HasField("delivered_at")
        assert {c.status: c.count for c in delivered.counts}.get(cl.BATCH_STATUS_WRITTEN, 0) == 0
        assert (await listed_batches(biller, status=cl.BATCH_STATUS_WRITTEN)).batches == []
        # Paging: older than the newer one.
        page = await listed_batches(biller, before_id=newer.batch_id, limit=1)
        assert [b.batch_id for b in page.batches] == [older.batch_id]
    finally:
        await db.dispose()

    # No patient data in it: IT follows deliveries too, and still reads no claim.
    admin = await logged_in(server, "batches-it", ["it_admin"])
    try:
        assert newer.batch_id in [b.batch_id for b in (await listed_batches(admin)).batches]
        err = await fails(admin.claims.GetBatchFile(cl.GetBatchFileRequest(batch_id=newer.batch_id),
                                                    metadata=admin.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await admin.close()
    err = await fails(listed_batches(desk))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(listed_batches(biller, limit=501))
    assert dict(status_details(err)[1]).keys() == {"limit"}


async def test_a_file_name_holding_other_bytes_is_never_overwritten(tmp_path: Path) -> None:
    box = FolderTransport(tmp_path / "out", tmp_path / "in")
    assert await box.deliver("837P-000000001.x12", b"ISA*first")
    assert not await box.deliver("837P-000000001.x12", b"ISA*first")
    with pytest.raises(TransportError, match="exists with other content"):
        await box.deliver("837P-000000001.x12", b"ISA*second")
    assert (tmp_path / "out" / "837P-000000001.x12").read_bytes() == b"ISA*first"


def an_interchange(icn: int, functional_id: str, set_id: str, guide: str, body: list[str],
                   sender: str = "CLEARHOUSE", receiver: str = "PMS0001") -> bytes:
    """A clearinghouse's answer with a correct envelope around `body` (the segments inside ST/SE)."""
    isa = (f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*261202*1200*^*00501*{icn:09d}*0*T*:")
    segments = [isa, f"GS*{functional_id}*{sender}*{receiver}*20261202*1200*{icn}*X*{guide}",
                f"ST*{set_id}*0001*{guide}", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{icn}", f"IEA*1*{icn:09d}"]
    return ("~\n".join(segments) + "~\n").encode()


def a_999(icn: int, batch_icn: int, verdict: str) -> bytes:
    body = [f"AK1*HC*{batch_icn}*005010X222A1", "AK2*837*0001*005010X222A1"]
    if verdict == "R":
        body += ["IK3*NM1*14*2010BA*8", "IK4*9**7*1X", "IK5*R*5"]
    else:
        body += ["IK5*A"]
    body += [f"AK9*{verdict}*1*1*{0 if verdict == 'R' else 1}"]
    return an_interchange(icn, "FA", "999", "005010X231A1", body)


def a_277ca(icn: int, claims: list[tuple[int, str, str]]) -> bytes:
    """(claim id, STC01 composite, payer claim number) per claim."""
    body = ["BHT*0085*08*R1*20261202*1200*TH", "HL*1**20*1", "NM1*PR*2*CLAIMS MUTUAL*****PI*CLM01", "TRN*1*R1",
            "DTP*050*D8*20261202", "DTP*009*D8*20261202", "HL*2*1*21*1", "NM1*41*2*MAIN STREET*****46*PMS0001",
            "TRN*2*R1", "HL*3*2*19*1", "NM1*85*2*MAIN STREET FAMILY MEDICINE*****XX*1234567893", "TRN*1*R1"]
    hl = 3
    for claim_id, stc, payer_number in claims:
        hl += 1
        body += [f"HL*{hl}*3*PT", "NM1*QC*1*DOE*JANE****MI*XYZ123456", f"TRN*2*C{claim_id}",
                 f"STC*{stc}*20261202*{'WQ' if stc.startswith(('A1', 'A2')) else 'U'}*215"]
        if payer_number:
            body.append(f"REF*1K*{payer_number}")
        body.append("DTP*472*D8*20260302")
    return an_interchange(icn, "HN", "277", "005010X214", body)


async def test_the_clearinghouses_answers_move_batches_and_claims(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    await configured(manager)
    pids = [await insured_patient(desk, payer_id, name) for name in ("Acked", "Bounced", "Refused")]
    encounters = [await ready_encounter(biller, pid, provider_id, practice) for pid in pids]
    claim_ids = [o.claim_id for o in await bill(biller, *(e.encounter_id for e in encounters))]
    await scrub(biller, *claim_ids, queue=True)
    db = server.inst.database(pool_size=1, max_overflow=0)
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    try:
        await deliver_written(db, FolderTransport(tmp_path / "earlier", tmp_path / "earlier-in"))
        good = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids[:2]),
                                                metadata=biller.md)).batch
        bad = (await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids[2:]),
                                               metadata=biller.md)).batch
        box = FolderTransport(outbox, inbox)
        assert (await deliver_written(db, box)).delivered == 2
        inbox.mkdir()
        (inbox / "a-999-good.x12").write_bytes(a_999(901, good.interchange_control_number, "A"))
        (inbox / "b-999-bad.x12").write_bytes(a_999(902, bad.interchange_control_number, "R"))
        (inbox / "c-277ca.x12").write_bytes(a_277ca(903, [(claim_ids[0], "A2:20", "PAYER-0001"),
                                                          (claim_ids[1], "A7:562:85", "")]))
        (inbox / "d-garbage.x12").write_bytes(b"this is not X12")
        (inbox / "e-someone-else.x12").write_bytes(a_999(904, good.interchange_control_number, "A",
                                                         ) .replace(b"PMS0001        ", b"OTHERPRACTICE  "))
        result = await receive_answers(db, box)
        assert (result.answers_applied, result.answers_refused) == (3, 2)
        assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a-999-good.x12", "b-999-bad.x12",
                                                                           "c-277ca.x12"]
        assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["d-garbage.x12", "e-someone-else.x12"]
        # The same answer again changes nothing.
        (inbox / "c-277ca-again.x12").write_bytes(a_277ca(905, [(claim_ids[0], "A2:20", "PAYER-0001")]))
        assert (await receive_answers(db, box)).answers_applied == 1
    finally:
        await db.dispose()
    accepted, payer_rejected, batch_rejected = [(await get_claim(biller, c)).claim for c in claim_ids]
    assert (accepted.status, accepted.payer_claim_number) == (cl.CLAIM_STATUS_ACCEPTED, "PAYER-0001")
    assert payer_rejected.status == cl.CLAIM_STATUS_REJECTED
    assert payer_rejected.status_reason.startswith("277CA: ")
    assert batch_rejected.status == cl.CLAIM_STATUS_REJECTED
    assert batch_rejected.status_reason.startswith("999 from the clearinghouse: Rejected")
    # Rejections land in the worklist with the reason, ready to fix and send again.
    listed = await biller.claims.ListClaims(cl.ListClaimsRequest(status=cl.CLAIM_STATUS_REJECTED),
                                            metadata=biller.md)
    reasons = {c.claim_id: c.status_reason for c in listed.claims}
    assert reasons[payer_rejected.claim_id] == payer_rejected.status_reason
    events = (await get_claim(biller, claim_ids[0])).events
    assert [(e.to_status, e.by) for e in events][-2:] == [(cl.CLAIM_STATUS_SENT, "clearinghouse"),
                                                          (cl.CLAIM_STATUS_ACCEPTED, "clearinghouse")]


async def test_the_whole_cycle_runs_against_the_payer_simulator(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    """encounter -> claim -> scrub -> batch -> outbox -> simulator -> 999/277CA -> statuses -> 835 written."""
    await configured(manager)
    pids = [await insured_patient(desk, payer_id, name) for name in ("Cycle", "Loop")]
    encounters = [await ready_encounter(biller, pid, provider_id, practice) for pid in pids]
    claim_ids = [o.claim_id for o in await bill(biller, *(e.encounter_id for e in encounters))]
    assert all(c.status == cl.CLAIM_STATUS_QUEUED for c in await scrub(biller, *claim_ids, queue=True))
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    box = FolderTransport(outbox, inbox)
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        await deliver_written(db, FolderTransport(tmp_path / "earlier", tmp_path / "earlier-in"))
        await biller.claims.CreateBatch(cl.CreateBatchRequest(claim_ids=claim_ids), metadata=biller.md)
        assert (await deliver_written(db, box)).delivered == 1
        sim = PayerSimulator(outbox, inbox, tmp_path / "sim-state.json", SimConfig(
            default_member=Member(deductible_remaining_cents=5_000, coinsurance_percent=20)))
        first = sim.tick()
        assert (first.received, first.claims_accepted, first.claims_rejected, first.remittances) == (1, 2, 0, 1)
        answers = sorted(p.name for p in inbox.iterdir())
        assert [a.split("-")[0] for a in answers] == ["277CA", "835", "999"]
        for name in answers:  # what the simulator writes passes the same validator as what we write
            assert pyx12_errors((inbox / name).read_text()) == [], name
        era = next((inbox / a).read_text() for a in answers if a.startswith("835"))
        result = await receive_answers(db, box)
        assert (result.answers_applied, result.remittances) == (2, 1)
        assert (inbox / "remittances" / next(a for a in answers if a.startswith("835"))).exists()
        # Sent again after a lost acknowledgment: the simulator drops the repeat, and nothing new is answered.
        received = next((outbox / "received").iterdir())
        (outbox / received.name).write_bytes(received.read_bytes())
        again = sim.tick()
        assert (again.received, again.repeats, again.remittances) == (0, 1, 0)
    finally:
        await db.dispose()
    for claim_id in claim_ids:
        claim = (await get_claim(biller, claim_id)).claim
        assert claim.status == cl.CLAIM_STATUS_ACCEPTED and claim.payer_claim_number.startswith("SIM")
        # The payer paid it: 215.00 charged, 65% allowed (139.75), a $50 deductible met by the first claim.
        assert f"CLP*C{claim_id}*1*215*" in era.replace("\n", "")
    assert "CAS*PR*1*50" in era.replace("\n", "")

    # Claim status (276/277): the payer says what it did with each claim; the answer goes on the claim.
    asked = await biller.claims.CheckClaimStatus(cl.CheckClaimStatusRequest(claim_ids=claim_ids), metadata=biller.md)
    assert len(asked.file_names) == 1 and asked.file_names[0].startswith("276-")
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        assert (await deliver_status_requests(db, box)).delivered == 1
        assert sim.tick().status_answers == 2
        assert (await receive_answers(db, box)).answers_applied == 1
    finally:
        await db.dispose()
    answered = await get_claim(biller, claim_ids[0])
    assert answered.claim.status == cl.CLAIM_STATUS_ACCEPTED
    assert answered.claim.status_reason.startswith("277 claim status: ") and "65" in answered.claim.status_reason
    assert answered.events[-1].by == "clearinghouse"
    err = await fails(biller.claims.CheckClaimStatus(cl.CheckClaimStatusRequest(claim_ids=[claim_ids[0], 0]),
                                                     metadata=biller.md))
    assert {f for f, _ in status_details(err)[1]} == {"claim_ids[1]"}

    # The 835 was imported when it arrived; the biller posts it: 139.75 allowed of 215.00 each (65%), the first
    # claim meets the $50 deductible, 20% coinsurance after it.
    listed = await biller.remittances.ListRemittances(rm.ListRemittancesRequest(), metadata=biller.md)
    [era] = [r for r in listed.remittances if r.trace_number and r.claim_count == 2]
    assert (era.status, era.paid_cents, era.contractual_cents, era.patient_cents) == (
        rm.REMITTANCE_STATUS_IMPORTED, 7180 + 11180, 2 * 7525, 6795 + 2795)
    posted = await biller.remittances.PostRemittance(rm.PostRemittanceRequest(remittance_id=era.remittance_id),
                                                     metadata=biller.md)
    assert posted.posted_claims == 2
    owed = []
    for pid in pids:
        book = await biller.ledger.GetPatientLedger(lg.GetPatientLedgerRequest(patient_id=pid), metadata=biller.md)
        assert book.insurance_balance_cents == 0
        owed.append(book.patient_balance_cents)
    assert sorted(owed) == [2795, 6795]
    assert {(await get_claim(biller, c)).claim.status for c in claim_ids} == {cl.CLAIM_STATUS_PAID}


async def test_claims_print_on_the_cms1500(biller: Client, manager: Client, desk: Client, provider_id: int,
                                           practice: Practice, payer_id: int) -> None:
    import io

    from pypdf import PdfReader

    await configured(manager)
    pid = await insured_patient(desk, payer_id, "Printed")
    encounter = await ready_encounter(biller, pid, provider_id, practice)
    claim_id = (await bill(biller, encounter.encounter_id))[0].claim_id
    parts = [p async for p in biller.claims.PrintClaims(cl.PrintClaimsRequest(
        claim_ids=[claim_id], mode=cl.FORM_MODE_FULL), metadata=biller.md)]
    assert parts[0].file_name == f"CMS1500-C{claim_id}.pdf" and parts[0].pages == 1
    pdf = b"".join(p.chunk for p in parts[1:])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "XYZ123456" in text and "99214" in text and "1234567893" in text  # member, code, billing NPI
    err = await fails(consume(biller.claims.PrintClaims(cl.PrintClaimsRequest(claim_ids=[claim_id]),
                                                        metadata=biller.md)))
    assert status_details(err)[1] == [("mode", "choose the red form (data only) or the full form")]
    err = await fails(consume(desk.claims.PrintClaims(cl.PrintClaimsRequest(
        claim_ids=[claim_id], mode=cl.FORM_MODE_RED_FORM), metadata=desk.md)))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def consume(stream: object) -> list[object]:
    return [item async for item in stream]  # type: ignore[attr-defined]


async def test_eligibility_inquiries_go_out_as_270s_one_per_payer(
        manager: Client, desk: Client, payer_id: int, server: RunningServer, tmp_path: Path) -> None:
    from server.claims.clearinghouse import deliver_eligibility
    from shared.pms.insurance.v1 import insurance_pb2 as insp
    from tests.unit.test_x12_eligibility import LEVELS_270
    from tests.unit.x12_structure import check_structure

    await configured(manager)
    pid = await insured_patient(desk, payer_id, "Eligible")
    listed_policies = await desk.insurance.ListPolicies(insp.ListPoliciesRequest(patient_id=pid), metadata=desk.md)
    policy = listed_policies.policies[0]
    far = dates.to_pb(date.today() + timedelta(days=400))
    err = await fails(desk.insurance.CheckEligibility(insp.CheckEligibilityRequest(
        policy_ids=[policy.policy_id, 999_999], date_of_service=far), metadata=desk.md))
    assert {f for f, _ in status_details(err)[1]} == {"policy_ids[1]", "date_of_service"}
    made = (await desk.insurance.CheckEligibility(insp.CheckEligibilityRequest(policy_ids=[policy.policy_id]),
                                                  metadata=desk.md)).checks
    assert [(c.policy_id, c.status, c.coverage) for c in made] == [
        (policy.policy_id, insp.ELIGIBILITY_STATUS_QUEUED, "")]
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        box = FolderTransport(tmp_path / "outbox", tmp_path / "inbox")
        assert (await deliver_eligibility(db, box)).delivered == 1
    finally:
        await db.dispose()
    sent = next((tmp_path / "outbox").iterdir())
    text = sent.read_text()
    check_structure(text, "HS", "270", "005010X279A1", LEVELS_270)
    assert f"TRN*1*E{made[0].check_id}*" in text and "NM1*IL*1*" in text and "*MI*XYZ123456" in text
    listed = (await desk.insurance.ListEligibilityChecks(insp.ListEligibilityChecksRequest(patient_id=pid),
                                                         metadata=desk.md)).checks
    assert [c.status for c in listed] == [insp.ELIGIBILITY_STATUS_SENT]
    # The payer (simulator) answers from its member list; the server keeps the answer with the check.
    sim = PayerSimulator(tmp_path / "outbox", tmp_path / "inbox", tmp_path / "sim.json", SimConfig(members={
        "XYZ123456": Member(plan="Gold PPO", deductible_remaining_cents=50_000, coinsurance_percent=20,
                            copay_cents=2_500)}))
    assert sim.tick().eligibility_answers == 1
    db = server.inst.database(pool_size=1, max_overflow=0)
    try:
        assert (await receive_answers(db, box)).answers_applied == 1
    finally:
        await db.dispose()
    answered = (await desk.insurance.ListEligibilityChecks(insp.ListEligibilityChecksRequest(patient_id=pid),
                                                           metadata=desk.md)).checks[0]
    assert (answered.status, answered.coverage, answered.plan_name) == (
        insp.ELIGIBILITY_STATUS_ANSWERED, "active", "GOLD PPO")  # X12 text is upper case
    assert (answered.copay_cents, answered.coinsurance_bp, answered.deductible_remaining_cents) == (
        2_500, 2_000, 50_000)
    assert answered.summary
