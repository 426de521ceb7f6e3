"""Registering, changing, reading and finding patients; every change is a versioned history entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import ts
from server.common.fieldcrypt import FieldCipher, lookup_hash
from server.db import raw
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation, StaleVersion
from server.patients import rules, search, search_query
from server.patients.models import Patient, PatientChange
from server.patients.names import search_keys
from server.practice.models import Practice
from server.practice.service import practice_today
from server.rpc.context import CallContext
from shared import dates
from shared.pms.common.v1 import contact_pb2
from shared.pms.patients.v1 import patients_pb2 as pb

MAX_SEARCH_LIMIT = 200
DEFAULT_SEARCH_LIMIT = 25


# -- reading -----------------------------------------------------------------------------------
async def load(db: AsyncSession, practice_id: int, patient_id: int, *, for_update: bool = False) -> Patient:
    stmt = select(Patient).where(Patient.practice_id == practice_id, Patient.id == patient_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await db.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such patient.")
    return row


async def read(db: AsyncSession, practice_id: int, patient_id: int) -> Any:
    """The patient's row for reading only (no ORM object): opening a patient runs this."""
    row = await raw.fetch_one(db, "SELECT * FROM patient WHERE practice_id = :p AND id = :id",
                              {"p": practice_id, "id": patient_id})
    if row is None:
        raise NotFound("No such patient.")
    return row


def patient_message(p: Any) -> pb.Patient:
    phones = [contact_pb2.Phone(type=kind, number=number) for kind, number in (
        (contact_pb2.PHONE_TYPE_MOBILE, p.phone_mobile), (contact_pb2.PHONE_TYPE_HOME, p.phone_home),
        (contact_pb2.PHONE_TYPE_WORK, p.phone_work)) if number]
    ec = p.emergency_contact or {}
    g = p.guarantor or {"is_self": True}
    return pb.Patient(
        patient_id=p.id, mrn=p.mrn,
        name=contact_pb2.PersonName(first=p.first_name, middle=p.middle_name, last=p.last_name, suffix=p.suffix),
        preferred_name=p.preferred_name, date_of_birth=dates.to_pb(p.date_of_birth),
        sex=contact_rules.SEX_ENUMS.get(p.sex, 0),  # type: ignore[arg-type]
        gender_identity=p.gender_identity, pronouns=p.pronouns,
        address=contact_pb2.PostalAddress(line1=p.address_line1, line2=p.address_line2, city=p.city, state=p.state,
                                          zip=p.zip),
        phones=phones, email=p.email,
        preferred_contact_method=_enum_of(rules.CONTACT_NAMES, p.preferred_contact_method),  # type: ignore[arg-type]
        reminder_consent=p.reminder_consent, preferred_language=p.preferred_language,
        marital_status=_enum_of(rules.MARITAL_NAMES, p.marital_status),  # type: ignore[arg-type]
        employment_status=_enum_of(rules.EMPLOYMENT_NAMES, p.employment_status),  # type: ignore[arg-type]
        employer_name=p.employer_name,
        emergency_contact=pb.EmergencyContact(
            name=ec.get("name", ""), relationship=ec.get("relationship", ""),
            phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_MOBILE, number=ec["phone"]) if ec.get("phone")
            else None),
        ssn_masked=rules.mask_ssn(p.ssn_last4),
        guarantor=pb.Guarantor(
            is_self=bool(g.get("is_self")), name=rules.name_message(g.get("name")),
            relationship=g.get("relationship", ""), address=contact_rules.address_message(g.get("address")),
            phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_HOME, number=g["phone"]) if g.get("phone")
            else None),
        alerts=p.alerts, notes=p.notes, status=rules.STATUS_ENUMS[p.status],  # type: ignore[arg-type]
        date_of_death=dates.to_pb(p.date_of_death), version=p.version, created_at=ts(p.created_at),
        updated_at=ts(p.updated_at), merged_into_patient_id=p.merged_into_id or 0,
    )


def _enum_of(names: dict[int, str], value: str) -> int:
    for number, name in names.items():
        if name == value:
            return number
    return 0


def summary_message(row: Any, matched_on: str = "", score: float = 0.0) -> pb.PatientSummary:
    return pb.PatientSummary(
        patient_id=row.id, mrn=row.mrn,
        name=contact_pb2.PersonName(first=row.first_name, middle=row.middle_name, last=row.last_name,
                                    suffix=row.suffix),
        preferred_name=row.preferred_name, date_of_birth=dates.to_pb(row.date_of_birth),
        sex=contact_rules.SEX_ENUMS.get(row.sex, 0),  # type: ignore[arg-type]
        status=rules.STATUS_ENUMS[row.status],  # type: ignore[arg-type]
        phone=row.phone or "", primary_payer_name=row.primary_payer or "", matched_on=matched_on, score=score,
    )


async def search_patients(ctx: CallContext, cipher: FieldCipher, request: pb.SearchPatientsRequest
                          ) -> pb.SearchPatientsResponse:
    if request.limit < 0 or request.limit > MAX_SEARCH_LIMIT:
        errors = FieldErrors()
        errors.add("limit", f"must be between 0 and {MAX_SEARCH_LIMIT}")
        errors.raise_if_any()
    limit = request.limit or DEFAULT_SEARCH_LIMIT
    today = await practice_today(ctx.db, ctx.practice_id)
    q = search_query.parse(request.query, today)
    kinds = q.describe()
    ctx.audit.detail = f"search kinds=[{kinds.split(':')[0] if kinds else 'none'}]"
    if q.empty:
        return pb.SearchPatientsResponse(interpreted_as="")
    ssn_hash = lookup_hash(cipher, "ssn", q.ssn) if q.ssn else None
    hits = await search.find(ctx.db, ctx.practice_id, q, statuses=search.statuses(request.include_inactive),
                             limit=limit, ssn_hash=ssn_hash)
    ctx.audit.detail = f"search kinds=[{_kinds(q)}] results={len(hits)}"
    return pb.SearchPatientsResponse(patients=[summary_message(h.row, h.matched_on, h.score) for h in hits],
                                     interpreted_as=kinds)


def _kinds(q: search_query.PatientQuery) -> str:
    # The audit says what kind of search it was, never what was typed (that is PHI).
    return ",".join(k for k, present in (("name", q.names), ("dob", q.birth_dates), ("phone", q.phone),
                                         ("mrn", q.mrns), ("member_id", q.member_keys), ("ssn", q.ssn)) if present)


# -- writing -----------------------------------------------------------------------------------
def _apply(row: Patient, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(row, key, value)
    row.search_last, row.search_first, row.search_names = search_keys(
        row.first_name, row.middle_name, row.last_name, row.preferred_name)


def _set_ssn(row: Patient, cipher: FieldCipher, digits: str | None) -> None:
    if digits is None:
        return
    if digits == "":
        row.ssn_enc = row.ssn_hash = None
        row.ssn_last4 = ""
        return
    row.ssn_enc = cipher.encrypt(digits.encode(), table="patient", column="ssn_enc", row=str(row.id))
    row.ssn_hash = lookup_hash(cipher, "ssn", digits)
    row.ssn_last4 = digits[-4:]


def _checked_values(errors: FieldErrors, patient: pb.Patient, today: date) -> dict[str, Any]:
    """The record's values; its violations join the SSN's, so one answer names every bad field."""
    try:
        return rules.patient_values(patient, today)
    except InvalidArgument as exc:
        errors.violations.extend(exc.violations)
        return {}


def _ssn_from_request(errors: FieldErrors, ssn: str, clear: bool = False) -> str | None:
    """None: keep what is on file; "": remove it; digits: the new SSN."""
    if clear:
        if ssn.strip():
            errors.add("ssn", "give a new SSN or clear it, not both")
        return ""
    if not ssn.strip():
        return None
    return rules.ssn_digits(errors, "ssn", ssn) or None


def read_ssn(row: Patient, cipher: FieldCipher) -> str:
    """The full SSN (claims need it for some payers); never sent to workstations."""
    if row.ssn_enc is None:
        return ""
    return cipher.decrypt(row.ssn_enc, table="patient", column="ssn_enc", row=str(row.id)).decode()


HISTORY_FIELDS = (
    "first_name", "middle_name", "last_name", "suffix", "preferred_name", "date_of_birth", "sex", "gender_identity",
    "pronouns", "address_line1", "address_line2", "city", "state", "zip", "phone_mobile", "phone_home",
    "phone_work", "email", "preferred_contact_method", "reminder_consent", "preferred_language", "marital_status",
    "employment_status", "employer_name", "emergency_contact", "guarantor", "ssn_last4", "alerts", "notes",
    "status", "date_of_death", "merged_into_id",
)


def snapshot(row: Patient) -> dict[str, str]:
    out = {}
    for name in HISTORY_FIELDS:
        value = getattr(row, name)
        if name == "ssn_last4":
            out["ssn"] = rules.mask_ssn(value)
        elif isinstance(value, dict):
            out[name] = ", ".join(f"{k}={v}" for k, v in sorted(_flatten(value).items()) if v not in ("", None))
        else:
            out[name] = "" if value is None else str(value)
    return out


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def diff(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": k, "before": before.get(k, ""), "after": after[k]} for k in after
            if before.get(k, "") != after[k]]


async def record_change(ctx: CallContext, row: Patient, action: str, changes: list[dict[str, str]]) -> None:
    who = ctx.session
    ctx.db.add(PatientChange(practice_id=row.practice_id, patient_id=row.id, version=row.version, action=action,
                             changes=changes, user_id=who.user_id if who else None,
                             username=who.username if who else "system"))


async def _next_mrn(db: AsyncSession, practice_id: int) -> str:
    # The practice row lock serialises MRN assignment; it is held only until this call commits.
    number = (await db.execute(update(Practice).where(Practice.id == practice_id)
                               .values(next_mrn=Practice.next_mrn + 1).returning(Practice.next_mrn - 1))).scalar_one()
    return str(number)


async def register(ctx: CallContext, cipher: FieldCipher, request: pb.RegisterPatientRequest
                   ) -> pb.RegisterPatientResponse:
    today = await practice_today(ctx.db, ctx.practice_id)
    errors = FieldErrors()
    values = _checked_values(errors, request.patient, today)
    ssn = _ssn_from_request(errors, request.ssn)
    errors.raise_if_any()
    ssn_hash = lookup_hash(cipher, "ssn", ssn) if ssn else None
    candidates = await duplicates(ctx.db, ctx.practice_id, values, ssn_hash)
    unacknowledged = [c for c in candidates if c.patient.patient_id not in set(request.acknowledged_duplicate_ids)]
    if unacknowledged:
        ctx.audit.detail = f"possible duplicates={len(candidates)}; nothing registered"
        return pb.RegisterPatientResponse(possible_duplicates=candidates)
    row = Patient(practice_id=ctx.practice_id, mrn=await _next_mrn(ctx.db, ctx.practice_id), version=1)
    _apply(row, values)
    ctx.db.add(row)
    await ctx.db.flush()
    _set_ssn(row, cipher, ssn)
    await ctx.db.flush()
    await ctx.db.refresh(row)
    await record_change(ctx, row, "registered", diff({}, snapshot(row)))
    ctx.audit.patient_id = row.id
    ctx.audit.detail = "registered" + (f"; acknowledged duplicates={len(candidates)}" if candidates else "")
    return pb.RegisterPatientResponse(patient=patient_message(row))


async def update_patient(ctx: CallContext, cipher: FieldCipher, request: pb.UpdatePatientRequest) -> Patient:
    row = await load(ctx.db, ctx.practice_id, request.patient.patient_id, for_update=True)
    ctx.audit.patient_id = row.id
    if row.status == "merged":
        raise RuleViolation("This record was merged into another one and cannot change.", "PATIENT_MERGED")
    if request.patient.version != row.version:
        raise StaleVersion("patient record")
    today = await practice_today(ctx.db, ctx.practice_id)
    errors = FieldErrors()
    values = _checked_values(errors, request.patient, today)
    ssn = _ssn_from_request(errors, request.ssn, request.clear_ssn)
    errors.raise_if_any()
    before = snapshot(row)
    _apply(row, values)
    _set_ssn(row, cipher, ssn)
    changes = diff(before, snapshot(row))
    if not changes:
        ctx.audit.detail = "no change"
        return row
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await ctx.db.flush()
    await record_change(ctx, row, "updated", changes)
    ctx.audit.detail = "changed: " + ",".join(c["field"] for c in changes)
    return row


async def list_changes(ctx: CallContext, patient_id: int) -> list[pb.PatientChange]:
    await load(ctx.db, ctx.practice_id, patient_id)
    ctx.audit.patient_id = patient_id
    rows = (await ctx.db.execute(select(PatientChange).where(
        PatientChange.practice_id == ctx.practice_id, PatientChange.patient_id == patient_id)
        .order_by(PatientChange.id.desc()))).scalars().all()
    return [pb.PatientChange(changed_at=ts(r.changed_at), username=r.username, action=r.action, version=r.version,
                             changes=[pb.FieldChange(**c) for c in r.changes]) for r in rows]


# -- duplicates --------------------------------------------------------------------------------
DUPLICATE_SQL = text("""
SELECT id, search_last, search_first, date_of_birth, ssn_hash, phone_mobile, phone_home, phone_work,
       similarity(search_names, :names) AS name_similarity
  FROM patient
 WHERE practice_id = :p AND status <> 'merged'
   AND (date_of_birth = :dob
        OR (ssn_hash = :ssn AND ssn_hash IS NOT NULL)
        OR (phone_mobile = ANY(:phones) AND phone_mobile <> '')
        OR (phone_home = ANY(:phones) AND phone_home <> '')
        OR (phone_work = ANY(:phones) AND phone_work <> ''))
 LIMIT 200
""")


def duplicate_reason(new: dict[str, Any], row: Any) -> str:
    """Why an existing record looks like the person being registered; '' when it does not."""
    if new["ssn_hash"] is not None and row.ssn_hash == new["ssn_hash"]:
        return "same SSN"
    same_name = row.search_last == new["last"] and row.search_first == new["first"]
    similar_name = same_name or row.name_similarity >= 0.5 or (
        row.search_last == new["last"] and row.search_first[:1] == new["first"][:1])
    same_dob = row.date_of_birth == new["dob"]
    shared_phone = bool({row.phone_mobile, row.phone_home, row.phone_work} - {""} & set(new["phones"]))
    if same_name and same_dob:
        return "same name and date of birth"
    if similar_name and same_dob:
        return "similar name, same date of birth"
    if similar_name and shared_phone:
        return "similar name, same phone"
    return ""


async def duplicates(db: AsyncSession, practice_id: int, values: dict[str, Any], ssn_hash: bytes | None
                     ) -> list[pb.DuplicateCandidate]:
    last, first, names = search_keys(values["first_name"], values["middle_name"], values["last_name"],
                                     values["preferred_name"])
    phones = [values[k] for k in ("phone_mobile", "phone_home", "phone_work") if values[k]]
    new = {"last": last, "first": first, "dob": values["date_of_birth"], "phones": phones, "ssn_hash": ssn_hash}
    rows = (await db.execute(DUPLICATE_SQL, {"p": practice_id, "names": names, "dob": values["date_of_birth"],
                                             "ssn": ssn_hash, "phones": phones or [""]})).all()
    found = [(row.id, reason) for row in rows if (reason := duplicate_reason(new, row))]
    if not found:
        return []
    summaries = await search.summaries(db, practice_id, [pid for pid, _ in found])
    return [pb.DuplicateCandidate(patient=summary_message(summaries[pid]), reason=reason) for pid, reason in found]
