"""Payers, policies in billing order, scanned documents (streamed), and merging two records."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import date

import grpc
import psycopg
import pytest

from shared import dates
from shared.pms.documents.v1 import documents_pb2 as docs
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.patients.v1 import patients_pb2 as pb
from shared.pms.payers.v1 import payers_pb2
from tests.api.test_patients import logged_in, register
from tests.builders import a_patient, a_payer, a_policy, pdf_bytes, png_bytes
from tests.support import Client, Cluster, RunningServer, fails, status_details


@pytest.fixture(scope="module")
async def desk(server: RunningServer) -> Client:
    c = await logged_in(server, "desk2", ["front_desk"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def manager(server: RunningServer) -> Client:
    c = await logged_in(server, "boss", ["manager"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def payers(manager: Client) -> dict[str, int]:
    out = {}
    for name, pid, cfi in (("Medicare Ohio", "15202", "MB"), ("Aetna", "60054", "CI"), ("Anthem BCBS", "00834", "BL")):
        made = await manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer(name, pid, cfi)),
                                                metadata=manager.md)
        out[name] = made.payer.payer_id
    return out


async def add(client: Client, policy: ins.Policy, priority: int = 0) -> ins.Policy:
    return (await client.insurance.AddPolicy(ins.AddPolicyRequest(policy=policy, priority=priority),
                                             metadata=client.md)).policy


async def test_payer_directory_validates_and_searches(manager: Client, payers: dict[str, int]) -> None:
    bad = a_payer("", "6", "XX", 0)
    err = await fails(manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=bad), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {
        "payer.name", "payer.electronic_payer_id", "payer.claim_filing_indicator", "payer.timely_filing_days"}
    found = await manager.payers.SearchPayers(payers_pb2.SearchPayersRequest(query="anthm"), metadata=manager.md)
    assert [p.name for p in found.payers][:1] == ["Anthem BCBS"]
    by_id = await manager.payers.SearchPayers(payers_pb2.SearchPayersRequest(query="60054"), metadata=manager.md)
    assert [p.name for p in by_id.payers] == ["Aetna"]


async def test_policies_keep_billing_order_through_add_reorder_and_end(desk: Client, payers: dict[str, int]) -> None:
    p = (await register(desk, a_patient("Lia", "Park", born=date(1950, 1, 2)))).patient
    medicare = await add(desk, a_policy(p.patient_id, payers["Medicare Ohio"], "1EG4TE5MK72"))
    aetna = await add(desk, a_policy(p.patient_id, payers["Aetna"], "W123456789"))
    assert (medicare.priority, aetna.priority) == (1, 2)
    assert medicare.payer_name == "Medicare Ohio" and medicare.electronic_payer_id == "15202"
    order = await desk.insurance.ReorderPolicies(ins.ReorderPoliciesRequest(
        patient_id=p.patient_id, policy_ids=[aetna.policy_id, medicare.policy_id]), metadata=desk.md)
    assert [(x.payer_name, x.priority) for x in order.policies] == [("Aetna", 1), ("Medicare Ohio", 2)]
    err = await fails(desk.insurance.ReorderPolicies(ins.ReorderPoliciesRequest(
        patient_id=p.patient_id, policy_ids=[aetna.policy_id]), metadata=desk.md))
    assert status_details(err)[1][0][0] == "policy_ids"
    aetna_now = order.policies[0]
    ended = await desk.insurance.EndPolicy(ins.EndPolicyRequest(
        policy_id=aetna.policy_id, termination_date=dates.to_pb(date(2025, 6, 30)), version=aetna_now.version),
        metadata=desk.md)
    assert ended.policy.ended and ended.policy.priority == 0
    listed = (await desk.patients.GetPatient(pb.GetPatientRequest(patient_id=p.patient_id), metadata=desk.md)).policies
    assert [(x.payer_name, x.priority, x.ended) for x in listed] == [("Medicare Ohio", 1, False), ("Aetna", 0, True)]
    # A new policy can go straight to the front.
    bcbs = await add(desk, a_policy(p.patient_id, payers["Anthem BCBS"], "ZGP88811"), priority=1)
    active = await desk.insurance.ListPolicies(ins.ListPoliciesRequest(patient_id=p.patient_id), metadata=desk.md)
    assert [(x.policy_id, x.priority) for x in active.policies if not x.ended] == [
        (bcbs.policy_id, 1), (medicare.policy_id, 2)]


async def test_policy_field_violations(desk: Client, payers: dict[str, int]) -> None:
    p = (await register(desk, a_patient("Max", "Ortiz", born=date(2010, 3, 4)))).patient
    child = a_policy(p.patient_id, payers["Aetna"], "", subscriber_relationship="19",
                     effective_date=dates.to_pb(date(2024, 5, 1)), termination_date=dates.to_pb(date(2024, 4, 1)),
                     coinsurance_percent=120, medicare_secondary_type="12")
    err = await fails(add(desk, child))
    fields = {f for f, _ in status_details(err)[1]}
    assert {"policy.member_id", "policy.subscriber.name.first", "policy.subscriber.name.last",
            "policy.subscriber.date_of_birth", "policy.subscriber.sex", "policy.subscriber.address.line1",
            "policy.subscriber.address.city", "policy.subscriber.address.state", "policy.subscriber.address.zip",
            "policy.termination_date", "policy.coinsurance_percent", "policy.medicare_secondary_type"} == fields
    nothing = await desk.insurance.ListPolicies(ins.ListPoliciesRequest(patient_id=p.patient_id), metadata=desk.md)
    assert list(nothing.policies) == []


async def upload(client: Client, patient_id: int, content: bytes, *, kind: int = docs.DOCUMENT_TYPE_SIGNED_FORM,
                 sha: str | None = None, chunk: int = 1000) -> docs.DocumentInfo:
    header = docs.UploadDocumentHeader(patient_id=patient_id, document_type=kind, file_name="scan.bin",
                                       document_date=dates.to_pb(date(2026, 11, 1)), description="Intake form",
                                       sha256=sha if sha is not None else hashlib.sha256(content).hexdigest())

    async def parts() -> AsyncIterator[docs.UploadDocumentRequest]:
        yield docs.UploadDocumentRequest(header=header)
        for i in range(0, len(content), chunk):
            yield docs.UploadDocumentRequest(chunk=content[i:i + chunk])

    return (await client.documents.UploadDocument(parts(), metadata=client.md, timeout=30)).document


async def test_documents_stream_in_and_out_with_checksums_and_content_checks(
        desk: Client, server: RunningServer, cluster: Cluster) -> None:
    p = (await register(desk, a_patient("Nia", "Reed", born=date(1993, 3, 3)))).patient
    scan = pdf_bytes("consent " * 80_000)  # ~640 KB: several chunks each way
    info = await upload(desk, p.patient_id, scan, chunk=64 * 1024)
    assert (info.content_type, info.size_bytes, info.sha256) == ("application/pdf", len(scan),
                                                                 hashlib.sha256(scan).hexdigest())
    card = await upload(desk, p.patient_id, png_bytes(seed=7), kind=docs.DOCUMENT_TYPE_INSURANCE_CARD_FRONT)
    assert card.content_type == "image/png"
    parts = [m async for m in desk.documents.DownloadDocument(docs.DownloadDocumentRequest(
        document_id=info.document_id), metadata=desk.md)]
    assert parts[0].document.sha256 == info.sha256 and len(parts) > 2
    assert b"".join(m.chunk for m in parts[1:]) == scan

    text_file = b"MEMBER ID W123 - this is a text file named card.png"
    err = await fails(upload(desk, p.patient_id, text_file))
    assert [f for f, _ in status_details(err)[1]] == ["content"]
    truncated = scan[: len(scan) // 2]
    err = await fails(upload(desk, p.patient_id, truncated))
    assert [f for f, _ in status_details(err)[1]] == ["content"]
    err = await fails(upload(desk, p.patient_id, png_bytes(seed=9), sha="0" * 64))
    assert [f for f, _ in status_details(err)[1]] == ["header.sha256"]
    err = await fails(upload(desk, p.patient_id, scan))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert status_details(err)[0] == "DOCUMENT_ALREADY_ATTACHED"
    too_big = b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024) + b"%%EOF"
    err = await fails(upload(desk, p.patient_id, too_big, chunk=1024 * 1024))
    assert [f for f, _ in status_details(err)[1]] == ["content"]

    listed = await desk.documents.ListDocuments(docs.ListDocumentsRequest(patient_id=p.patient_id), metadata=desk.md)
    assert sorted(d.document_id for d in listed.documents) == sorted([info.document_id, card.document_id])
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        download = conn.execute("SELECT patient_id, outcome FROM audit_event WHERE action LIKE '%DownloadDocument' "
                                "ORDER BY sequence DESC LIMIT 1").fetchone()
        stored = conn.execute("SELECT sha256 FROM document WHERE id = %s", (info.document_id,)).fetchone()
    assert download == (p.patient_id, "success")
    assert stored is not None and bytes(stored[0]).hex() == info.sha256
    with psycopg.connect(cluster.app_conninfo(server.inst.urls)) as app, pytest.raises(psycopg.Error):
        app.execute("UPDATE document_content SET content = 'x'")


async def test_merge_moves_every_reference_and_can_be_reviewed(
        desk: Client, manager: Client, payers: dict[str, int]) -> None:
    keep = (await register(desk, a_patient("Omar", "Said", born=date(1966, 6, 6)))).patient
    dupe = (await register(desk, a_patient("Omar", "Sayid", born=date(1966, 6, 6)), ack=[keep.patient_id])).patient
    await add(desk, a_policy(keep.patient_id, payers["Aetna"], "W1"))
    await add(desk, a_policy(dupe.patient_id, payers["Medicare Ohio"], "1EG4TE5MK73"))
    await upload(desk, dupe.patient_id, png_bytes(seed=21))
    request = pb.MergePatientsRequest(survivor_patient_id=keep.patient_id, survivor_version=keep.version,
                                      merged_patient_id=dupe.patient_id, merged_version=dupe.version,
                                      reason="Same person, misspelled at second visit")
    err = await fails(desk.patients.MergePatients(request, metadata=desk.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    merged = await manager.patients.MergePatients(request, metadata=manager.md)
    assert "insurance_policy: 1" in merged.merge.moved and "document: 1" in merged.merge.moved
    chart = await manager.patients.GetPatient(pb.GetPatientRequest(patient_id=keep.patient_id), metadata=manager.md)
    assert [(x.payer_name, x.priority) for x in chart.policies] == [("Aetna", 1), ("Medicare Ohio", 2)]
    assert len(chart.documents) == 1
    old = await manager.patients.GetPatient(pb.GetPatientRequest(patient_id=dupe.patient_id), metadata=manager.md)
    assert old.patient.status == pb.PATIENT_STATUS_MERGED
    assert old.patient.merged_into_patient_id == keep.patient_id and not old.policies and not old.documents
    by_old_mrn = await desk.patients.SearchPatients(pb.SearchPatientsRequest(query=dupe.mrn), metadata=desk.md)
    assert [h.status for h in by_old_mrn.patients] == [pb.PATIENT_STATUS_MERGED]
    again = await fails(manager.patients.MergePatients(request, metadata=manager.md))
    assert again.code() == grpc.StatusCode.ABORTED
    review = await manager.patients.ListMerges(pb.ListMergesRequest(), metadata=manager.md)
    assert review.merges[0].merged_mrn == dupe.mrn and review.merges[0].merged_by == "boss"
    history = await manager.patients.ListPatientChanges(pb.ListPatientChangesRequest(patient_id=keep.patient_id),
                                                        metadata=manager.md)
    assert history.changes[0].action == "absorbed"
