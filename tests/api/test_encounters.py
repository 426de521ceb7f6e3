"""Encounters over mutual TLS: created at check-out or directly, every entry check refused with its field, optimistic
locking, the worklist, and who may do what."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import grpc
import psycopg
import pytest

from server.codes import files, releases
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.patients.v1 import patients_pb2 as pt
from tests.api.test_patients import logged_in
from tests.api.test_scheduling import NY, Practice, _to, a_patient_id, a_provider_with_week, at, book, booking

# The scheduling tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, Cluster, RunningServer, fails, status_details

# What a practice's licensed CPT file would hold; the tests write their own neutral text.
CPT = "code,description\n99213,Office visit (test text)\n99214,Office visit longer (test text)\n" \
      "96372,Injection (test text)\n"


@pytest.fixture(scope="module")
async def biller(server: RunningServer, cluster: Cluster) -> Client:
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        releases.import_release(conn, "cpt", "test CPT", date(2024, 1, 1), "cpt.csv", files.read_cpt_file(CPT))
        conn.commit()
    c = await logged_in(server, "enc-biller", ["biller"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def provider_id(manager: Client, practice: Practice) -> int:
    return await a_provider_with_week(manager, practice, "Coder")


def line(code: str, pointers: list[int], fee: int = 12500, **fields: object) -> en.ServiceLine:
    return en.ServiceLine(code=code, dx_pointers=pointers, units=fields.pop("units", 1),  # type: ignore[arg-type]
                          fee_cents=fee, **fields)  # type: ignore[arg-type]


def an_encounter(patient_id: int, provider_id: int, practice: Practice, *, dos: date = date(2026, 3, 2),
                 diagnoses: tuple[str, ...] = ("E11.9", "I10"), lines: tuple[en.ServiceLine, ...] = ()
                 ) -> en.Encounter:
    return en.Encounter(patient_id=patient_id, rendering_provider_id=provider_id, location_id=practice.location_id,
                        date_of_service=dates.to_pb(dos), diagnoses=[en.Diagnosis(code=d) for d in diagnoses],
                        lines=list(lines) or [line("99213", [1, 2])])


async def create(client: Client, enc: en.Encounter) -> en.Encounter:
    return (await client.encounters.CreateEncounter(en.CreateEncounterRequest(encounter=enc),
                                                    metadata=client.md)).encounter


async def test_create_and_read_back(biller: Client, desk: Client, provider_id: int, practice: Practice) -> None:
    pid = await a_patient_id(desk, "Enc")
    made = await create(biller, an_encounter(pid, provider_id, practice, lines=(
        line("99214", [1, 2], 18000, modifiers=["25"]),
        line("J1100", [1], 900, units=10, ndc="0009-0056-02", ndc_quantity_milli=10_000, ndc_unit="ML"),
        line("96372", [1], 3500))))
    assert made.encounter_id and made.status == en.ENCOUNTER_STATUS_OPEN and made.version == 1
    assert made.place_of_service == "11"  # the location's own
    assert [(d.display_code, d.description) for d in made.diagnoses] == [
        ("E11.9", "Type 2 diabetes mellitus without complications"), ("I10", "Essential (primary) hypertension")]
    assert [(li.code, li.code_system, list(li.modifiers), list(li.dx_pointers)) for li in made.lines] == [
        ("99214", "cpt", ["25"], [1, 2]), ("J1100", "hcpcs", [], [1]), ("96372", "cpt", [], [1])]
    assert made.lines[1].ndc == "00009005602" and made.lines[1].description.startswith("Injection, dexameth")
    assert made.total_cents == 18000 + 900 + 3500
    read = (await biller.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=made.encounter_id),
                                                 metadata=biller.md)).encounter
    assert read == made


async def test_every_entry_check_names_its_field(biller: Client, desk: Client, provider_id: int,
                                                 practice: Practice) -> None:
    pid = await a_patient_id(desk, "Bad")
    bad = an_encounter(pid, provider_id, practice, diagnoses=("E11", "I10", "I10", "E11.99"), lines=(
        line("99213", []),                            # no pointer
        line("99214", [1, 5]),                        # beyond the list
        line("99213", [2], units=0),                  # units
        line("J1100", [2]),                           # a drug without its NDC
        line("99213", [2], modifiers=["ZZ", "25"]),  # an unknown modifier
        line("9921", [1]),                            # not a code
        line("99214", [1, 2]),                        # the same service as line 2
        line("96372", [1], -5),                       # a negative fee
    ))
    bad.referring_provider_npi = "1234567890"
    bad.place_of_service = "00"
    err = await fails(biller.encounters.CreateEncounter(en.CreateEncounterRequest(encounter=bad),
                                                        metadata=biller.md))
    got = dict(status_details(err)[1])
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "header code" in got["diagnoses[0].code"]
    assert "already diagnosis 2" in got["diagnoses[2].code"]
    assert got["diagnoses[3].code"] == "E11.99 is not a known ICD-10-CM code."
    assert "point the line" in got["lines[0].dx_pointers"]
    assert "pointer 5 is beyond the 4 diagnoses" in got["lines[1].dx_pointers"]
    assert "between 1 and" in got["lines[2].units"]
    assert "drug code" in got["lines[3].ndc"]
    assert got["lines[4].modifiers"] == "ZZ is not a known modifier code."
    assert "not a CPT or HCPCS code" in got["lines[5].code"]
    assert "same service as line 2" in got["lines[6]"]
    assert "negative" in got["lines[7].fee_cents"]
    assert "not a valid NPI" in got["referring_provider_npi"] and "required" in got["referring_provider_name"]
    assert "place of service" in got["place_of_service"]
    # Nothing was written.
    listed = await biller.encounters.ListEncounters(en.ListEncountersRequest(patient_id=pid), metadata=biller.md)
    assert list(listed.encounters) == []


async def test_codes_are_judged_on_the_date_of_service(biller: Client, desk: Client, provider_id: int,
                                                       practice: Practice) -> None:
    pid = await a_patient_id(desk, "Old")
    # ICD-10-CM FY2026 starts 10/01/2025 here: an earlier visit has no valid diagnosis codes loaded.
    err = await fails(create(biller, an_encounter(pid, provider_id, practice, dos=date(2025, 9, 30))))
    assert "valid from 10/01/2025" in dict(status_details(err)[1])["diagnoses[0].code"]
    tomorrow = datetime.now(NY).date() + timedelta(days=2)
    err = await fails(create(biller, an_encounter(pid, provider_id, practice, dos=tomorrow)))
    assert "in the future" in dict(status_details(err)[1])["date_of_service"]


async def test_update_replaces_lines_with_optimistic_locking(biller: Client, desk: Client, provider_id: int,
                                                             practice: Practice) -> None:
    made = await create(biller, an_encounter(await a_patient_id(desk, "Upd"), provider_id, practice))
    changed = en.Encounter()
    changed.CopyFrom(made)
    del changed.lines[:]
    changed.lines.extend([line("99214", [2, 1], 18000), line("96372", [1], 3500)])
    changed.diagnoses.append(en.Diagnosis(code="Z00.00"))
    updated = (await biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=changed),
                                                       metadata=biller.md)).encounter
    assert updated.version == 2 and [li.code for li in updated.lines] == ["99214", "96372"]
    assert [d.code for d in updated.diagnoses] == ["E119", "I10", "Z0000"] and updated.total_cents == 21500
    err = await fails(biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=changed),
                                                        metadata=biller.md))
    assert status_details(err)[0] == "STALE_VERSION"
    moved = en.Encounter()
    moved.CopyFrom(updated)
    moved.patient_id = await a_patient_id(desk, "Other")
    err = await fails(biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=moved),
                                                        metadata=biller.md))
    assert "stays with its patient" in dict(status_details(err)[1])["patient_id"]


async def test_check_out_makes_one_encounter_per_seen_appointment(
        biller: Client, desk: Client, manager: Client, provider_id: int, practice: Practice) -> None:
    today = datetime.now(NY).date()
    pid = await a_patient_id(desk, "Out")
    appt = await book(manager, booking(pid, provider_id, practice, at(today, 0, 15), overbook=True))
    err = await fails(desk.encounters.CreateEncounterFromAppointment(
        en.CreateEncounterFromAppointmentRequest(appointment_id=appt.appointment_id), metadata=desk.md))
    assert status_details(err)[0] == "APPOINTMENT_NOT_SEEN"
    appt = await _to(desk, await _to(desk, await _to(desk, appt, "arrived"), "roomed"), "seen")
    first = await desk.encounters.CreateEncounterFromAppointment(
        en.CreateEncounterFromAppointmentRequest(appointment_id=appt.appointment_id), metadata=desk.md)
    assert first.created and first.encounter.appointment_id == appt.appointment_id
    assert (first.encounter.patient_id, first.encounter.rendering_provider_id) == (pid, provider_id)
    assert dates.from_pb(first.encounter.date_of_service) == today and list(first.encounter.lines) == []
    again = await desk.encounters.CreateEncounterFromAppointment(
        en.CreateEncounterFromAppointmentRequest(appointment_id=appt.appointment_id), metadata=desk.md)
    assert not again.created and again.encounter.encounter_id == first.encounter.encounter_id
    # The biller finds it on the worklist and codes it.
    work = await biller.encounters.ListEncounters(en.ListEncountersRequest(
        status=en.ENCOUNTER_STATUS_OPEN, rendering_provider_id=provider_id, from_date=dates.to_pb(today)),
        metadata=biller.md)
    assert [(e.encounter_id, e.line_count, e.total_cents) for e in work.encounters] == [
        (first.encounter.encounter_id, 0, 0)]


async def test_who_may_do_what(server: RunningServer, desk: Client, biller: Client, provider_id: int,
                               practice: Practice) -> None:
    made = await create(biller, an_encounter(await a_patient_id(desk, "Perm"), provider_id, practice))
    # The front desk checks patients out but does not code or read encounters.
    err = await fails(desk.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=made.encounter_id),
                                                   metadata=desk.md))
    assert status_details(err)[0] == "PERMISSION_DENIED"
    doctor = await logged_in(server, "enc-doctor", ["provider"])
    try:
        assert (await doctor.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=made.encounter_id),
                                                     metadata=doctor.md)).encounter.encounter_id
        err = await fails(create(doctor, an_encounter(made.patient_id, provider_id, practice)))
        assert status_details(err)[0] == "PERMISSION_DENIED"
    finally:
        await doctor.close()


async def ready(client: Client, made: en.Encounter) -> en.MarkReadyToBillResponse:
    return await client.encounters.MarkReadyToBill(en.MarkReadyToBillRequest(
        encounter_id=made.encounter_id, version=made.version), metadata=client.md)


async def charges(client: Client, made: en.Encounter) -> en.ListEncounterChargesResponse:
    return await client.encounters.ListEncounterCharges(en.ListEncounterChargesRequest(
        encounter_id=made.encounter_id), metadata=client.md)


async def test_ready_to_bill_posts_each_charge_once_and_reopening_reverses_them(
        biller: Client, desk: Client, manager: Client, provider_id: int, practice: Practice) -> None:
    made = await create(biller, an_encounter(await a_patient_id(desk, "Post"), provider_id, practice, lines=(
        line("99214", [1, 2], 18000), line("96372", [1], 3500))))
    posted = await ready(biller, made)
    assert posted.posted_cents == 21500 and posted.encounter.status == en.ENCOUNTER_STATUS_READY
    first = await charges(biller, made)
    assert [(e.kind, e.line_number, e.code, e.amount_cents) for e in first.entries] == [
        (en.LEDGER_ENTRY_KIND_CHARGE, 1, "99214", 18000), (en.LEDGER_ENTRY_KIND_CHARGE, 2, "96372", 3500)]
    assert first.balance_cents == 21500 and first.entries[0].posted_by == "enc-biller"
    # Posted money is not edited, and not posted twice.
    err = await fails(biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=posted.encounter),
                                                        metadata=biller.md))
    assert status_details(err)[0] == "ENCOUNTER_NOT_OPEN"
    assert status_details(await fails(ready(biller, posted.encounter)))[0] == "ENCOUNTER_NOT_OPEN"
    assert status_details(await fails(ready(biller, made)))[0] == "STALE_VERSION"
    err = await fails(biller.encounters.ReopenEncounter(en.ReopenEncounterRequest(
        encounter_id=made.encounter_id, version=posted.encounter.version, reason=" "), metadata=biller.md))
    assert "say why" in dict(status_details(err)[1])["reason"]
    reopened = await biller.encounters.ReopenEncounter(en.ReopenEncounterRequest(
        encounter_id=made.encounter_id, version=posted.encounter.version, reason="wrong level of visit"),
        metadata=biller.md)
    assert reopened.reversed_cents == 21500 and reopened.encounter.status == en.ENCOUNTER_STATUS_OPEN
    assert (await charges(biller, made)).balance_cents == 0
    # Corrected and posted again: a second posting of the lines as they are now.
    fixed = en.Encounter()
    fixed.CopyFrom(reopened.encounter)
    fixed.lines[0].code, fixed.lines[0].fee_cents = "99213", 12500
    fixed = (await biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=fixed),
                                                     metadata=biller.md)).encounter
    assert (await ready(biller, fixed)).posted_cents == 16000
    final = await charges(biller, made)
    assert [(e.kind, e.code, e.amount_cents) for e in final.entries] == [
        (en.LEDGER_ENTRY_KIND_CHARGE, "99214", 18000), (en.LEDGER_ENTRY_KIND_CHARGE, "96372", 3500),
        (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, "99214", -18000), (en.LEDGER_ENTRY_KIND_CHARGE_REVERSAL, "96372", -3500),
        (en.LEDGER_ENTRY_KIND_CHARGE, "99213", 12500), (en.LEDGER_ENTRY_KIND_CHARGE, "96372", 3500)]
    assert final.balance_cents == 16000 and final.entries[2].note == "wrong level of visit"
    # A record with money on its ledger is not merged away (moving money needs transfers, not edits).
    other = await a_patient_id(desk, "Twin")
    versions = {}
    for pid in (other, made.patient_id):
        versions[pid] = (await desk.patients.GetPatient(pt.GetPatientRequest(patient_id=pid),
                                                        metadata=desk.md)).patient.version
    err = await fails(manager.patients.MergePatients(pt.MergePatientsRequest(
        survivor_patient_id=other, survivor_version=versions[other], merged_patient_id=made.patient_id,
        merged_version=versions[made.patient_id], reason="same person"), metadata=manager.md))
    assert status_details(err)[0] == "PATIENT_HAS_LEDGER"


async def test_ready_to_bill_needs_a_diagnosis_and_a_line(biller: Client, desk: Client, provider_id: int,
                                                         practice: Practice) -> None:
    empty = await create(biller, an_encounter(await a_patient_id(desk, "Empty"), provider_id, practice))
    emptied = en.Encounter()
    emptied.CopyFrom(empty)
    del emptied.lines[:]
    del emptied.diagnoses[:]
    emptied = (await biller.encounters.UpdateEncounter(en.UpdateEncounterRequest(encounter=emptied),
                                                       metadata=biller.md)).encounter
    err = await fails(ready(biller, emptied))
    assert dict(status_details(err)[1]).keys() == {"diagnoses", "lines"}
    assert (await charges(biller, emptied)).entries == []
