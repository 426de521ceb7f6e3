"""Synthetic patients in a real database: every row as the server's own rules would have stored it.

One installation gets 500 patients in batches of 150 (so the bulk copy runs in its child process, as for a
million); each test reads them back and checks what could go wrong: the server's validation, search keys,
MRNs against the practice counter, policy order, encrypted SSNs, households, determinism, search.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from server.common.contact_rules import ZIP_AREA_STATES
from server.common.fieldcrypt import lookup_hash
from server.errors import FieldErrors
from server.insurance import service as insurance
from server.insurance.models import InsurancePolicy
from server.patients import rules, search, search_query
from server.patients.models import Patient, PatientChange
from server.patients.names import search_keys
from server.patients.service import patient_message, read_ssn
from server.patients.synthetic_load import LoadResult, conninfo, load_population
from server.payers.models import Payer
from server.payers.service import payer_message, payer_values
from server.practice.models import Practice
from server.runtime import Installation
from tests.support import Cluster, make_installation

PATIENTS = 500
SEED = 7
TODAY = date(2026, 11, 30)
E164 = re.compile(r"^\+1[2-9]\d\d[2-9]\d{6}$")


class Loaded:
    def __init__(self, inst: Installation, result: LoadResult) -> None:
        self.inst = inst
        self.result = result
        self.engine = create_engine(inst.urls.app_url)
        with Session(self.engine) as s:
            pid = inst.settings.practice_id
            self.patients = list(s.scalars(select(Patient).where(Patient.practice_id == pid).order_by(Patient.id)))
            self.policies = list(s.scalars(select(InsurancePolicy).where(InsurancePolicy.practice_id == pid)
                                           .order_by(InsurancePolicy.id)))
            self.payers = {p.id: p for p in s.scalars(select(Payer).where(Payer.practice_id == pid))}
            self.changes = list(s.scalars(select(PatientChange).where(PatientChange.practice_id == pid)))
            self.practice = s.get_one(Practice, pid)
            s.expunge_all()
        self.engine.dispose()


@pytest.fixture(scope="module")
async def loaded(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    inst = await make_installation(cluster, tmp_path_factory.mktemp("synthetic"))
    result = load_population(inst, PATIENTS, seed=SEED, today=TODAY, batch_size=150)
    return Loaded(inst, result)


def test_counts_mrns_and_history(loaded: Loaded) -> None:
    r = loaded.result
    assert (r.patients, r.payers) == (PATIENTS, 15)
    assert len(loaded.patients) == PATIENTS and len(loaded.policies) == r.policies > PATIENTS * 0.8
    # A fresh practice: MRNs from the counter's start, in id order, and the counter is past them.
    assert [p.mrn for p in loaded.patients] == [str(n) for n in range(100001, 100001 + PATIENTS)]
    mrns = [int(p.mrn) for p in loaded.patients]
    assert loaded.practice.next_mrn == max(mrns) + 1
    assert (r.first_mrn, r.last_mrn) == (str(min(mrns)), str(max(mrns)))
    assert len({p.id for p in loaded.patients}) == PATIENTS
    # One "imported" history entry per patient, version 1, nobody's user id.
    assert sorted(c.patient_id for c in loaded.changes) == sorted(p.id for p in loaded.patients)
    assert {(c.action, c.version, c.username, c.user_id, tuple(c.changes)) for c in loaded.changes} == {
        ("imported", 1, "demo-data", None, ())}


def test_every_patient_passes_the_servers_own_rules(loaded: Loaded) -> None:
    for row in loaded.patients:
        # What the server would store if a clerk typed this record in: the same values.
        values = rules.patient_values(patient_message(row), TODAY)
        assert {k: getattr(row, k) for k in values} == values, row.mrn
        assert (row.search_last, row.search_first, row.search_names) == search_keys(
            row.first_name, row.middle_name, row.last_name, row.preferred_name)
        for phone in (row.phone_mobile, row.phone_home, row.phone_work, row.emergency_contact.get("phone", ""),
                      row.guarantor.get("phone", "")):
            assert phone == "" or E164.match(phone), phone
        assert row.state in ZIP_AREA_STATES[row.zip[0]].split(), (row.state, row.zip)
        assert row.version == 1 and row.status in ("active", "inactive", "deceased")


def test_minors_have_a_parent_as_guarantor(loaded: Loaded) -> None:
    adults = {(p.first_name, p.last_name, p.address_line1, p.zip) for p in loaded.patients
              if _age(p.date_of_birth) >= 18}
    minors = [p for p in loaded.patients if _age(p.date_of_birth) < 18]
    assert len(minors) > 50
    for kid in minors:
        g = kid.guarantor
        assert g["is_self"] is False and g["relationship"] == "19"  # X12: the patient is the guarantor's child
        assert (g["name"]["first"], g["name"]["last"], g["address"]["line1"], g["address"]["zip"]) in adults
    assert all(p.guarantor == {"is_self": True} for p in loaded.patients if _age(p.date_of_birth) >= 18)


def test_policies_pass_the_servers_own_rules_and_keep_their_order(loaded: Loaded) -> None:
    active: dict[int, list[int]] = defaultdict(list)
    for row in loaded.policies:
        assert row.member_key == search_query.member_key(row.member_id)
        assert (row.subscriber is None) == (row.relationship == "18")
        if row.ended_at is None:
            active[row.patient_id].append(row.priority or 0)
        else:
            assert row.priority is None and row.termination_date is not None
            assert row.effective_date <= row.termination_date <= row.ended_at.date()
    for priorities in active.values():
        assert sorted(priorities) == list(range(1, len(priorities) + 1))
    assert sum(1 for p in active.values() if len(p) == 2) > 10
    assert sum(1 for row in loaded.policies if row.ended_at is not None) > 10


async def test_policies_pass_the_servers_policy_validation(loaded: Loaded) -> None:
    db = loaded.inst.database(pool_size=1, max_overflow=0)
    try:
        async with db.transaction(readonly=True) as session:
            ctx: Any = SimpleNamespace(db=session, practice_id=loaded.inst.settings.practice_id)
            for row in loaded.policies:
                values, _ = await insurance._policy_values(
                    ctx, insurance.policy_message(row, loaded.payers[row.payer_id]), TODAY)
                assert {k: getattr(row, k) for k in values} == values, row.member_id
    finally:
        await db.dispose()


def test_dependants_are_covered_by_a_patient_who_holds_the_policy(loaded: Loaded) -> None:
    people = {p.id: p for p in loaded.patients}
    holders = {(r.payer_id, r.member_id): people[r.patient_id] for r in loaded.policies if r.relationship == "18"}
    dependants = [r for r in loaded.policies if r.relationship != "18"]
    assert {r.relationship for r in dependants} == {"19", "01"}
    for r in dependants:
        holder = holders[(r.payer_id, r.member_id)]
        assert r.subscriber == {
            "name": {"first": holder.first_name, "middle": holder.middle_name, "last": holder.last_name,
                     "suffix": holder.suffix},
            "date_of_birth": holder.date_of_birth.isoformat(), "sex": holder.sex,
            "address": {"line1": holder.address_line1, "line2": holder.address_line2, "city": holder.city,
                        "state": holder.state, "zip": holder.zip}}
        if r.relationship == "19":
            assert people[r.patient_id].date_of_birth > holder.date_of_birth


def test_payers_pass_the_servers_own_rules(loaded: Loaded) -> None:
    for row in loaded.payers.values():
        values = payer_values(payer_message(row))
        assert {k: getattr(row, k) for k in values} == values, row.name
    assert {p.claim_filing_indicator for p in loaded.payers.values()} >= {"MB", "MC", "CI", "BL", "CH", "WC"}


def test_ssns_decrypt_and_match_their_lookup_hash(loaded: Loaded) -> None:
    cipher = loaded.inst.cipher
    with_ssn = [p for p in loaded.patients if p.ssn_enc is not None]
    assert 0.15 * PATIENTS < len(with_ssn) < 0.5 * PATIENTS
    assert all(p.ssn_hash is None and p.ssn_last4 == "" for p in loaded.patients if p.ssn_enc is None)
    seen = set()
    for p in with_ssn:
        digits = read_ssn(p, cipher)  # the row id is bound into the ciphertext: it decrypts only here
        errors = FieldErrors()
        assert rules.ssn_digits(errors, "ssn", digits) == digits and not errors.violations
        assert lookup_hash(cipher, "ssn", digits) == p.ssn_hash and p.ssn_last4 == digits[-4:]
        seen.add(digits)
    assert len(seen) == len(with_ssn)


async def test_the_same_seed_loads_the_same_people(cluster: Cluster, loaded: Loaded, tmp_path: Path) -> None:
    other = await make_installation(cluster, tmp_path / "again")
    load_population(other, 60, seed=SEED, today=TODAY)
    with psycopg.connect(conninfo(other.urls.app_url)) as conn:
        rows = conn.execute("SELECT mrn, first_name, middle_name, last_name, date_of_birth, phone_mobile, zip, "
                            "ssn_last4, search_names FROM patient ORDER BY id").fetchall()
        members = conn.execute("SELECT p.mrn, i.member_id, i.priority FROM insurance_policy i JOIN patient p "
                               "ON p.id = i.patient_id ORDER BY i.id").fetchall()
    first = loaded.patients[:60]
    assert rows == [(p.mrn, p.first_name, p.middle_name, p.last_name, p.date_of_birth, p.phone_mobile, p.zip,
                     p.ssn_last4, p.search_names) for p in first]
    mrn_of = {p.id: p.mrn for p in first}
    assert members == [(mrn_of[r.patient_id], r.member_id, r.priority) for r in loaded.policies
                       if r.patient_id in mrn_of]


async def test_the_front_desk_search_finds_them(loaded: Loaded) -> None:
    db = loaded.inst.database(pool_size=1, max_overflow=0)
    pid = loaded.inst.settings.practice_id
    try:
        async with db.transaction(readonly=True) as session:
            for p in [x for x in loaded.patients if x.status == "active"][:: PATIENTS // 10]:
                for typed in (f"{p.last_name} {p.first_name}", p.date_of_birth.strftime("%m/%d/%Y")):
                    q = search_query.parse(typed, TODAY)
                    hits = await search.find(session, pid, q, statuses=search.ACTIVE, limit=50, ssn_hash=None)
                    assert p.id in {h.row.id for h in hits}, typed
            for policy in [r for r in loaded.policies if r.ended_at is None][::40]:
                q = search_query.parse(policy.member_id.lower(), TODAY)
                hits = await search.find(session, pid, q, statuses=search.ANY_STATUS, limit=50, ssn_hash=None)
                assert policy.patient_id in {h.row.id for h in hits}, policy.member_id
    finally:
        await db.dispose()


def _age(born: date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
