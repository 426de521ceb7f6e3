"""Patients over mutual TLS: registration, validation, duplicates, locking, permissions and audit."""

from __future__ import annotations

from datetime import date, timedelta

import grpc
import psycopg
import pytest

from shared.pms.common.v1 import contact_pb2
from shared.pms.patients.v1 import patients_pb2 as pb
from tests.builders import a_patient
from tests.support import Client, Cluster, RunningServer, fails, status_details


async def logged_in(server: RunningServer, username: str, roles: list[str]) -> Client:
    await server.add_user(username, roles)
    client = Client(await server.enroll(f"ws-{username}"))
    await client.login(username, "user-password-123")
    return client


@pytest.fixture(scope="module")
async def desk(server: RunningServer) -> Client:
    c = await logged_in(server, "desk", ["front_desk"])
    yield c  # type: ignore[misc]
    await c.close()


async def register(client: Client, patient: pb.Patient, ssn: str = "", ack: list[int] | None = None
                   ) -> pb.RegisterPatientResponse:
    return await client.patients.RegisterPatient(pb.RegisterPatientRequest(
        patient=patient, ssn=ssn, acknowledged_duplicate_ids=ack or []), metadata=client.md, timeout=10)


async def test_register_assigns_an_mrn_normalises_and_masks(desk: Client) -> None:
    resp = await register(desk, a_patient("Ana", "Quintero", mobile="(614) 555-0134", email="ana@example.com"),
                          ssn="123-45-6789")
    p = resp.patient
    assert p.mrn.isdigit() and p.patient_id > 0 and p.version == 1
    assert [ph.number for ph in p.phones] == ["+16145550134"]
    assert p.ssn_masked == "***-**-6789"
    assert p.status == pb.PATIENT_STATUS_ACTIVE
    got = await desk.patients.GetPatient(pb.GetPatientRequest(patient_id=p.patient_id), metadata=desk.md)
    assert got.patient.name.last == "Quintero" and got.patient.mrn == p.mrn
    second = await register(desk, a_patient("Ben", "Quintero", born=date(1990, 5, 6)))
    assert int(second.patient.mrn) == int(p.mrn) + 1


async def test_every_invalid_field_is_named_at_once(desk: Client) -> None:
    bad = a_patient("", "L0pez", born=date.today() + timedelta(days=3), email="not-an-email")
    bad.address.state = "ZZ"
    bad.address.zip = "4321"
    bad.phones.append(contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_HOME, number="555-0134"))
    err = await fails(register(desk, bad, ssn="12-345"))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {f for f, _ in status_details(err)[1]}
    assert fields == {"patient.name.first", "patient.name.last", "patient.date_of_birth", "patient.email",
                      "patient.address.state", "patient.address.zip", "patient.phones[0].number", "ssn"}


async def test_impossible_dates_and_zip_outside_the_state_are_refused(desk: Client) -> None:
    bad = a_patient("Carl", "Moss")
    bad.date_of_birth.year, bad.date_of_birth.month, bad.date_of_birth.day = 1990, 2, 30
    bad.address.zip = "90210"  # California, not Ohio
    err = await fails(register(desk, bad))
    violations = dict(status_details(err)[1])
    assert "not a real date" in violations["patient.date_of_birth"]
    assert "not a ZIP code in OH" in violations["patient.address.zip"]


async def test_guarantor_and_emergency_contact_need_their_essentials(desk: Client) -> None:
    p = a_patient("Dina", "Ruiz")
    p.guarantor.name.first = "Rosa"
    p.emergency_contact.name = "Rosa Ruiz"
    err = await fails(register(desk, p))
    fields = {f for f, _ in status_details(err)[1]}
    assert {"patient.guarantor.name.last", "patient.guarantor.address.line1",
            "patient.emergency_contact.phone.number"} <= fields


async def test_a_probable_duplicate_returns_candidates_and_writes_nothing(desk: Client) -> None:
    first = (await register(desk, a_patient("Elena", "Marsh", born=date(1975, 7, 8), mobile="6145550101"))).patient
    again = await register(desk, a_patient("Elena", "Marsh", born=date(1975, 7, 8)))
    assert not again.HasField("patient")
    assert [(c.patient.patient_id, c.reason) for c in again.possible_duplicates] == [
        (first.patient_id, "same name and date of birth")]
    typo = await register(desk, a_patient("Elena", "Marhs", born=date(1975, 7, 8)))
    assert [c.reason for c in typo.possible_duplicates] == ["similar name, same date of birth"]
    same_phone = await register(desk, a_patient("Elena", "Marsh", born=date(1976, 7, 8), mobile="614-555-0101"))
    assert [c.reason for c in same_phone.possible_duplicates] == ["similar name, same phone"]
    unrelated = await register(desk, a_patient("Oscar", "Marsh", born=date(1975, 7, 8)))
    assert unrelated.HasField("patient") and not unrelated.possible_duplicates
    chosen = await register(desk, a_patient("Elena", "Marsh", born=date(1975, 7, 8)), ack=[first.patient_id])
    assert chosen.HasField("patient") and chosen.patient.patient_id != first.patient_id


async def test_a_stale_version_is_aborted_and_changes_nothing(desk: Client) -> None:
    p = (await register(desk, a_patient("Fay", "Stone", born=date(1961, 1, 1)))).patient
    mine, theirs = pb.Patient(), pb.Patient()
    mine.CopyFrom(p)
    theirs.CopyFrom(p)
    theirs.alerts = "Collect balance"
    saved = await desk.patients.UpdatePatient(pb.UpdatePatientRequest(patient=theirs), metadata=desk.md)
    assert saved.patient.version == 2
    mine.email = "fay@example.com"
    err = await fails(desk.patients.UpdatePatient(pb.UpdatePatientRequest(patient=mine), metadata=desk.md))
    assert err.code() == grpc.StatusCode.ABORTED
    now = (await desk.patients.GetPatient(pb.GetPatientRequest(patient_id=p.patient_id), metadata=desk.md)).patient
    assert now.alerts == "Collect balance" and now.email == "" and now.version == 2


async def test_history_records_who_changed_what(desk: Client) -> None:
    p = (await register(desk, a_patient("Gus", "Hale", born=date(1950, 3, 3)), ssn="123-45-0001")).patient
    p.address.line1 = "99 Oak Ave"
    await desk.patients.UpdatePatient(pb.UpdatePatientRequest(patient=p, ssn="123-45-0002"), metadata=desk.md)
    changes = (await desk.patients.ListPatientChanges(pb.ListPatientChangesRequest(patient_id=p.patient_id),
                                                      metadata=desk.md)).changes
    assert [c.action for c in changes] == ["updated", "registered"]
    assert changes[0].username == "desk" and changes[0].version == 2
    fields = {c.field: (c.before, c.after) for c in changes[0].changes}
    assert fields == {"address_line1": ("12 Elm St", "99 Oak Ave"), "ssn": ("***-**-0001", "***-**-0002")}


async def test_ssn_is_encrypted_at_rest_and_found_by_exact_lookup(desk: Client, server: RunningServer,
                                                                   cluster: Cluster) -> None:
    p = (await register(desk, a_patient("Hana", "Ito", born=date(1999, 9, 9)), ssn="219-09-9999")).patient
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        row = conn.execute("SELECT ssn_enc, ssn_hash, ssn_last4, to_jsonb(patient)::text FROM patient WHERE id = %s",
                           (p.patient_id,)).fetchone()
    assert row is not None and row[2] == "9999"
    assert b"219099999" not in row[0] and b"219-09-9999" not in row[0]
    assert "219099999" not in row[3] and "219-09" not in row[3]
    found = await desk.patients.SearchPatients(pb.SearchPatientsRequest(query="219-09-9999"), metadata=desk.md)
    assert [(h.patient_id, h.matched_on) for h in found.patients] == [(p.patient_id, "ssn")]


async def test_biller_reads_but_cannot_register_and_it_admin_sees_no_patients(server: RunningServer,
                                                                               desk: Client) -> None:
    p = (await register(desk, a_patient("Ivy", "Lam", born=date(1970, 4, 4)))).patient
    biller = await logged_in(server, "biller1", ["biller"])
    admin = await logged_in(server, "itadmin1", ["it_admin"])
    try:
        got = await biller.patients.GetPatient(pb.GetPatientRequest(patient_id=p.patient_id), metadata=biller.md)
        assert got.patient.mrn == p.mrn
        err = await fails(register(biller, a_patient("Jon", "Lam")))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        err = await fails(admin.patients.SearchPatients(pb.SearchPatientsRequest(query="lam"), metadata=admin.md))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await biller.close()
        await admin.close()


async def test_search_view_and_change_are_audited_without_the_query_text(desk: Client, server: RunningServer,
                                                                          cluster: Cluster) -> None:
    p = (await register(desk, a_patient("Kai", "Brandt", born=date(1988, 8, 8)))).patient
    await desk.patients.SearchPatients(pb.SearchPatientsRequest(query="brandt kai"), metadata=desk.md)
    await desk.patients.GetPatient(pb.GetPatientRequest(patient_id=p.patient_id), metadata=desk.md)
    p.notes = "prefers mornings"
    await desk.patients.UpdatePatient(pb.UpdatePatientRequest(patient=p), metadata=desk.md)
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        rows = conn.execute("SELECT action, patient_id, data_category, detail, username FROM audit_event "
                            "WHERE username = 'desk' ORDER BY sequence DESC LIMIT 3").fetchall()
    actions = [(r[0].split("/")[-1], r[1], r[2]) for r in rows]
    assert actions == [("UpdatePatient", p.patient_id, "demographics"), ("GetPatient", p.patient_id, "demographics"),
                       ("SearchPatients", None, "demographics")]
    assert "results=" in rows[2][3] and "brandt" not in rows[2][3].lower()
    assert "notes" in rows[0][3]
