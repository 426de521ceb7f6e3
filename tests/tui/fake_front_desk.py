"""The fake gateway's patients, payers, policies and documents (mixed into ``FakeGateway``).

Deterministic demo data and simple answers: search is a substring match, not the server's
ranking; only the checks the screens must react to are here (required names, versions,
duplicates by name and birth date, unreadable files). Switches a test flips:

- ``fail_on["register_patient"] = InvalidInput([...])``: that method's next call raises it;
- ``someone_else_edits(patient_id, change)``: another user saves first (the next save is stale);
- ``search_delay_s["j"] = 0.5``: that search answers late;
- ``requests["reorder_policies"]``: the arguments each call got, to assert on.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from google.type.date_pb2 import Date

from client_tui.gateway import (
    FieldViolation,
    GatewayError,
    InvalidInput,
    LocalFileError,
    NotFound,
    Progress,
    RuleBroken,
    StaleRecord,
)
from shared.pms.common.v1 import contact_pb2
from shared.pms.documents.v1 import documents_pb2
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payers.v1 import payers_pb2

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
ACTIVE = patients_pb2.PATIENT_STATUS_ACTIVE
MOBILE, HOME = contact_pb2.PHONE_TYPE_MOBILE, contact_pb2.PHONE_TYPE_HOME
FEMALE, MALE = contact_pb2.ADMINISTRATIVE_SEX_FEMALE, contact_pb2.ADMINISTRATIVE_SEX_MALE
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF_BYTES = b"%PDF-1.7\n" + b"card scan " * 300


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def day(year: int, month: int, day_of_month: int) -> Date:
    return Date(year=year, month=month, day=day_of_month)


def e164(typed: str) -> str:
    """What the server stores for a US phone typed any common way."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"+1{digits}" if len(digits) == 10 else typed


M = TypeVar("M", bound=Message)


def copy(message: M) -> M:
    duplicate = type(message)()
    duplicate.CopyFrom(message)
    return duplicate


def flat(message: Any) -> dict[str, str]:
    """A message as dotted field paths -> text, to list what a save changed."""
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for number, inner in enumerate(value):
                walk(inner, f"{path}[{number}]")
        else:
            out[path] = str(value)

    walk(MessageToDict(message, preserving_proto_field_name=True), "")
    return out


class FakeFrontDesk:
    """Needs ``_enter(method, permission)`` from the class it is mixed into."""

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    # -- seed ---------------------------------------------------------------------------
    def _seed_front_desk(self) -> None:
        self.fail_on: dict[str, GatewayError] = {}
        self.requests: dict[str, list[Any]] = {}
        self.patients: dict[int, patients_pb2.Patient] = {}
        self.patient_changes: dict[int, list[patients_pb2.PatientChange]] = {}
        self.payers: dict[int, payers_pb2.Payer] = {}
        self.policies: dict[int, insurance_pb2.Policy] = {}
        self.documents: dict[int, documents_pb2.DocumentInfo] = {}
        self.document_content: dict[int, bytes] = {}
        self.merges: list[patients_pb2.MergeRecord] = []
        self.eligibility_checks: dict[int, insurance_pb2.EligibilityCheck] = {}
        # The policies CheckTomorrowsEligibility asks about (the server takes them from tomorrow's appointments).
        self.tomorrows_policy_ids: list[int] = [1, 4]
        self.eligibility_clock = NOW
        self.acting_user = "fran"
        # Seconds search_patients takes for a query, to test that a slow older answer is dropped.
        self.search_delay_s: dict[str, float] = {}

        for payer_id, name, electronic_id, filing in (
            (1, "Aetna", "60054", "CI"),
            (2, "Medicare Part B Ohio", "15202", "MB"),
            (3, "UnitedHealthcare", "87726", "CI"),
            (4, "Ohio Medicaid", "MCDOH", "MC"),
            (5, "Cigna", "62308", "CI"),
            (6, "Anthem Blue Cross Blue Shield", "00834", "BL"),
        ):
            self.payers[payer_id] = payers_pb2.Payer(
                payer_id=payer_id,
                name=name,
                electronic_payer_id=electronic_id,
                claim_filing_indicator=filing,
                timely_filing_days=90 if filing == "CI" else 365,
                active=True,
                version=1,
            )
        self.payers[7] = payers_pb2.Payer(payer_id=7, name="Old Mutual Health", electronic_payer_id="99999", version=2)

        maria = self._seed_patient(
            1,
            "Johnson",
            "Maria",
            "Luisa",
            day(1985, 4, 12),
            FEMALE,
            "+16145550134",
            preferred="Mari",
            alerts="Collect balance before visit",
        )
        maria.email = "maria.johnson@example.com"
        maria.emergency_contact.CopyFrom(
            patients_pb2.EmergencyContact(
                name="Carlos Johnson", relationship="husband", phone=contact_pb2.Phone(number="+16145550190")
            )
        )
        maria.ssn_masked = "***-**-4321"
        self._seed_patient(2, "Johnson", "Robert", "T", day(1952, 9, 30), MALE, "+16145550177")
        self._seed_patient(3, "Smith", "Jonathan", "Quincy", day(1990, 1, 15), MALE, "+13805550111", preferred="Jack")
        emily = self._seed_patient(4, "Smith", "Emily", "", day(2025, 6, 2), FEMALE, "+13805550111")
        emily.guarantor.CopyFrom(
            patients_pb2.Guarantor(
                is_self=False,
                name=contact_pb2.PersonName(first="Jonathan", last="Smith"),
                relationship="19",
                address=emily.address,
                phone=contact_pb2.Phone(type=MOBILE, number="+13805550111"),
            )
        )
        nguyen = self._seed_patient(5, "Nguyen", "Thanh", "", day(1978, 11, 20), FEMALE, "+16145550155")
        nguyen.status = patients_pb2.PATIENT_STATUS_INACTIVE
        self._seed_patient(6, "Garcia", "Luis", "A", day(1964, 3, 8), MALE, "+16145550122")
        williams = self._seed_patient(7, "Williams", "Harold", "", day(1931, 7, 4), MALE, "+16145550100")
        williams.status = patients_pb2.PATIENT_STATUS_DECEASED
        williams.date_of_death.CopyFrom(day(2025, 2, 14))

        self._seed_policy(1, 1, 1, "Open Access PPO", "W123456789", "GRP-7781", 1, copay_cents=2500)
        self._seed_policy(2, 2, 2, "", "1EG4TE5MK73", "", 1, deductible_cents=25_700)
        self._seed_policy(3, 2, 6, "Medicare Supplement F", "XJH448812", "", 2)
        self._seed_policy(4, 3, 3, "Choice Plus", "913847221", "706991", 1, copay_cents=3000)
        emily_policy = self._seed_policy(5, 4, 3, "Choice Plus", "913847221-02", "706991", 1)
        emily_policy.subscriber_relationship = "19"
        emily_policy.subscriber.CopyFrom(
            insurance_pb2.Subscriber(
                name=contact_pb2.PersonName(first="Jonathan", last="Smith"), date_of_birth=day(1990, 1, 15), sex=MALE
            )
        )
        self._seed_policy(6, 6, 4, "", "OH55512345", "", 1)
        old = self._seed_policy(7, 1, 5, "Open Access", "U998877", "44120", 0)
        old.ended = True
        old.termination_date.CopyFrom(day(2024, 12, 31))

        self._seed_document(
            1, 1, documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_FRONT, "Aetna card, front", "aetna-front.png", PNG_BYTES
        )
        self._seed_document(
            2, 1, documents_pb2.DOCUMENT_TYPE_SIGNED_FORM, "HIPAA acknowledgment", "hipaa-2026.pdf", PDF_BYTES
        )

    def _seed_patient(
        self,
        patient_id: int,
        last: str,
        first: str,
        middle: str,
        born: Date,
        sex: int,
        mobile: str,
        preferred: str = "",
        alerts: str = "",
    ) -> patients_pb2.Patient:
        patient = patients_pb2.Patient(
            patient_id=patient_id,
            mrn=str(100100 + patient_id),
            name=contact_pb2.PersonName(first=first, middle=middle, last=last),
            preferred_name=preferred,
            date_of_birth=born,
            sex=sex,  # type: ignore[arg-type]
            address=contact_pb2.PostalAddress(
                line1=f"{100 + 11 * patient_id} Oak Street", city="Columbus", state="OH", zip="43215-1234"
            ),
            phones=[contact_pb2.Phone(type=MOBILE, number=mobile)],
            preferred_language="English",
            guarantor=patients_pb2.Guarantor(is_self=True),
            alerts=alerts,
            status=ACTIVE,
            version=1,
            created_at=stamp(NOW - timedelta(days=400 - patient_id)),
            updated_at=stamp(NOW - timedelta(days=30 - patient_id)),
        )
        self.patients[patient_id] = patient
        self.patient_changes[patient_id] = [
            patients_pb2.PatientChange(changed_at=patient.created_at, username="fran", action="registered", version=1)
        ]
        return patient

    def _seed_policy(
        self,
        policy_id: int,
        patient_id: int,
        payer_id: int,
        plan: str,
        member_id: str,
        group: str,
        priority: int,
        copay_cents: int = 0,
        deductible_cents: int = 0,
    ) -> insurance_pb2.Policy:
        policy = insurance_pb2.Policy(
            policy_id=policy_id,
            patient_id=patient_id,
            payer_id=payer_id,
            plan_name=plan,
            member_id=member_id,
            group_number=group,
            subscriber_relationship="18",
            effective_date=day(2026, 1, 1) if priority else day(2020, 1, 1),
            priority=priority,
            copay_cents=copay_cents,
            deductible_cents=deductible_cents,
            coinsurance_percent=20,
            accept_assignment=True,
            signature_on_file=True,
            version=1,
        )
        self.policies[policy_id] = policy
        return policy

    def _seed_document(
        self, document_id: int, patient_id: int, kind: int, description: str, file_name: str, content: bytes
    ) -> None:
        self.documents[document_id] = documents_pb2.DocumentInfo(
            document_id=document_id,
            patient_id=patient_id,
            document_type=kind,  # type: ignore[arg-type]
            document_date=day(2026, 1, 5),
            description=description,
            file_name=file_name,
            content_type="image/png" if content.startswith(b"\x89PNG") else "application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_at=stamp(NOW - timedelta(days=300)),
            uploaded_by="fran",
        )
        self.document_content[document_id] = content

    # -- helpers ------------------------------------------------------------------------
    def _front_desk_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    def someone_else_edits(
        self, patient_id: int, change: Callable[[patients_pb2.Patient], None], username: str = "mary"
    ) -> None:
        """Another user saves the patient now: the version a screen holds becomes stale."""
        before = copy(self.patients[patient_id])
        change(self.patients[patient_id])
        self._record_change(before, self.patients[patient_id], username)

    def _record_change(self, before: patients_pb2.Patient, after: patients_pb2.Patient, username: str) -> None:
        after.version = before.version + 1
        after.updated_at.CopyFrom(stamp(NOW + timedelta(minutes=after.version)))
        old, new = flat(before), flat(after)
        ignored = {"version", "updated_at"}
        changes = [
            patients_pb2.FieldChange(field=path, before=old.get(path, ""), after=new.get(path, ""))
            for path in sorted(set(old) | set(new))
            if path not in ignored and old.get(path) != new.get(path)
        ]
        self.patient_changes[after.patient_id].append(
            patients_pb2.PatientChange(
                changed_at=after.updated_at,
                username=username,
                action="updated",
                changes=changes,
                version=after.version,
            )
        )

    def summary(self, patient: patients_pb2.Patient, matched_on: str = "name") -> patients_pb2.PatientSummary:
        primary = next(
            (
                p
                for p in self.policies.values()
                if p.patient_id == patient.patient_id and p.priority == 1 and not p.ended
            ),
            None,
        )
        return patients_pb2.PatientSummary(
            patient_id=patient.patient_id,
            mrn=patient.mrn,
            name=patient.name,
            preferred_name=patient.preferred_name,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            status=patient.status,
            phone=patient.phones[0].number if patient.phones else "",
            primary_payer_name=self.payers[primary.payer_id].name if primary else "",
            matched_on=matched_on,
            score=1.0,
        )

    def _haystack(self, patient: patients_pb2.Patient) -> str:
        born = patient.date_of_birth
        words = [
            patient.name.last,
            patient.name.first,
            patient.name.middle,
            patient.preferred_name,
            patient.mrn,
            f"{born.month:02d}/{born.day:02d}/{born.year}",
            f"{born.month}/{born.day}/{born.year}",
            f"{born.year}-{born.month:02d}-{born.day:02d}",
            f"{born.month:02d}{born.day:02d}{born.year}",
        ]
        for phone in patient.phones:
            digits = phone.number.removeprefix("+1")
            words += [digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"]
        words += [p.member_id for p in self.policies.values() if p.patient_id == patient.patient_id]
        return " | ".join(words).lower()

    def _policy_view(self, policy: insurance_pb2.Policy) -> insurance_pb2.Policy:
        shown = copy(policy)
        payer = self.payers.get(policy.payer_id)
        shown.payer_name = payer.name if payer else ""
        shown.electronic_payer_id = payer.electronic_payer_id if payer else ""
        return shown

    def _policies_of(self, patient_id: int, include_ended: bool = True) -> list[insurance_pb2.Policy]:
        mine = [p for p in self.policies.values() if p.patient_id == patient_id]
        active = sorted((p for p in mine if not p.ended), key=lambda p: p.priority)
        ended = [p for p in mine if p.ended] if include_ended else []
        return [self._policy_view(p) for p in active + ended]

    def _renumber(self, patient_id: int, order: Sequence[int]) -> None:
        for priority, policy_id in enumerate(order, 1):
            self.policies[policy_id].priority = priority

    def _patient(self, patient_id: int) -> patients_pb2.Patient:
        if patient_id not in self.patients:
            raise NotFound("No such patient.")
        return self.patients[patient_id]

    @staticmethod
    def _check_patient(patient: patients_pb2.Patient) -> None:
        violations = [
            FieldViolation(f"patient.name.{part}", "is required")
            for part in ("last", "first")
            if not getattr(patient.name, part).strip()
        ]
        if violations:
            raise InvalidInput(violations)

    @staticmethod
    def _normalised(patient: patients_pb2.Patient) -> None:
        for phone in patient.phones:
            phone.number = e164(phone.number)
        for holder in (patient.emergency_contact.phone, patient.guarantor.phone):
            if holder.number:
                holder.number = e164(holder.number)

    # -- patients -----------------------------------------------------------------------
    async def search_patients(
        self, query: str, include_inactive: bool = False, limit: int = 25
    ) -> patients_pb2.SearchPatientsResponse:
        self._front_desk_call("search_patients", "patients.read", query, include_inactive)
        await asyncio.sleep(self.search_delay_s.get(query, 0))
        tokens = [t for t in query.lower().replace(",", " ").split() if t]
        found = [
            self.summary(p)
            for p in self.patients.values()
            if (include_inactive or p.status == ACTIVE) and all(t in self._haystack(p) for t in tokens)
        ]
        found.sort(key=lambda s: (s.name.last, s.name.first))
        return patients_pb2.SearchPatientsResponse(
            patients=found[:limit], interpreted_as="; ".join(f'"{t}"' for t in tokens)
        )

    async def get_patient(self, patient_id: int) -> patients_pb2.GetPatientResponse:
        self._front_desk_call("get_patient", "patients.read", patient_id)
        patient = self._patient(patient_id)
        documents = sorted(
            (d for d in self.documents.values() if d.patient_id == patient_id), key=lambda d: -d.uploaded_at.seconds
        )
        return patients_pb2.GetPatientResponse(
            patient=copy(patient), policies=self._policies_of(patient_id), documents=documents
        )

    async def register_patient(
        self,
        patient: patients_pb2.Patient,
        ssn: str = "",
        acknowledged_duplicate_ids: Sequence[int] = (),
        idempotency_key: str = "",
    ) -> patients_pb2.RegisterPatientResponse:
        self._front_desk_call(
            "register_patient", "patients.write", copy(patient), ssn, list(acknowledged_duplicate_ids), idempotency_key
        )
        self._check_patient(patient)
        look_alikes = [
            patients_pb2.DuplicateCandidate(patient=self.summary(p), reason="same last name and date of birth")
            for p in self.patients.values()
            if p.name.last.lower() == patient.name.last.strip().lower()
            and p.date_of_birth == patient.date_of_birth
            and p.patient_id not in acknowledged_duplicate_ids
        ]
        if look_alikes:
            return patients_pb2.RegisterPatientResponse(possible_duplicates=look_alikes)
        registered = copy(patient)
        registered.patient_id = max(self.patients) + 1
        registered.mrn = str(100100 + registered.patient_id)
        registered.status = ACTIVE
        registered.version = 1
        registered.created_at.CopyFrom(stamp(NOW))
        registered.updated_at.CopyFrom(stamp(NOW))
        registered.ssn_masked = f"***-**-{ssn[-4:]}" if ssn else ""
        self._normalised(registered)
        self.patients[registered.patient_id] = registered
        self.patient_changes[registered.patient_id] = [
            patients_pb2.PatientChange(
                changed_at=registered.created_at, username=self.acting_user, action="registered", version=1
            )
        ]
        return patients_pb2.RegisterPatientResponse(patient=copy(registered))

    async def update_patient(
        self, patient: patients_pb2.Patient, ssn: str = "", clear_ssn: bool = False
    ) -> patients_pb2.Patient:
        self._front_desk_call("update_patient", "patients.write", copy(patient), ssn, clear_ssn)
        current = self._patient(patient.patient_id)
        if patient.version != current.version:
            raise StaleRecord("Someone else changed this patient first.")
        self._check_patient(patient)
        before = copy(current)
        updated = copy(patient)
        self._normalised(updated)
        updated.mrn, updated.created_at.seconds = current.mrn, current.created_at.seconds
        updated.ssn_masked = "" if clear_ssn else f"***-**-{ssn[-4:]}" if ssn else current.ssn_masked
        self._record_change(before, updated, self.acting_user)
        self.patients[patient.patient_id] = updated
        return copy(updated)

    async def list_patient_changes(self, patient_id: int) -> list[patients_pb2.PatientChange]:
        self._front_desk_call("list_patient_changes", "patients.read", patient_id)
        self._patient(patient_id)
        return list(reversed(self.patient_changes[patient_id]))

    async def merge_patients(
        self,
        survivor_patient_id: int,
        survivor_version: int,
        merged_patient_id: int,
        merged_version: int,
        reason: str,
    ) -> patients_pb2.MergePatientsResponse:
        self._front_desk_call("merge_patients", "patients.merge", survivor_patient_id, merged_patient_id, reason)
        survivor, merged = self._patient(survivor_patient_id), self._patient(merged_patient_id)
        if survivor.version != survivor_version or merged.version != merged_version:
            raise StaleRecord("One of the two patients was changed meanwhile.")
        moved_policies = [p for p in self.policies.values() if p.patient_id == merged_patient_id]
        moved_documents = [d for d in self.documents.values() if d.patient_id == merged_patient_id]
        for policy in moved_policies:
            policy.patient_id = survivor_patient_id
        for document in moved_documents:
            document.patient_id = survivor_patient_id
        merged.status = patients_pb2.PATIENT_STATUS_MERGED
        merged.merged_into_patient_id = survivor_patient_id
        merged.version += 1
        record = patients_pb2.MergeRecord(
            merge_id=len(self.merges) + 1,
            survivor_patient_id=survivor_patient_id,
            merged_patient_id=merged_patient_id,
            survivor_mrn=survivor.mrn,
            merged_mrn=merged.mrn,
            reason=reason,
            merged_by=self.acting_user,
            merged_at=stamp(NOW),
            moved=[f"policies: {len(moved_policies)}", f"documents: {len(moved_documents)}"],
        )
        self.merges.append(record)
        return patients_pb2.MergePatientsResponse(survivor=copy(survivor), merge=record)

    async def list_merges(self) -> list[patients_pb2.MergeRecord]:
        self._front_desk_call("list_merges", "patients.merge")
        return list(self.merges)

    # -- payers -------------------------------------------------------------------------
    async def search_payers(
        self, query: str, include_inactive: bool = False, limit: int = 50
    ) -> list[payers_pb2.Payer]:
        self._front_desk_call("search_payers", "payers.read", query)
        needle = query.strip().lower()
        return [
            p
            for p in self.payers.values()
            if (include_inactive or p.active) and (needle in p.name.lower() or needle in p.electronic_payer_id.lower())
        ][:limit]

    async def create_payer(self, payer: payers_pb2.Payer, idempotency_key: str = "") -> payers_pb2.Payer:
        self._front_desk_call("create_payer", "payers.manage", copy(payer))
        if not payer.name.strip():
            raise InvalidInput([FieldViolation("payer.name", "is required")])
        created = copy(payer)
        created.payer_id, created.version, created.active = max(self.payers) + 1, 1, True
        self.payers[created.payer_id] = created
        return copy(created)

    async def update_payer(self, payer: payers_pb2.Payer) -> payers_pb2.Payer:
        self._front_desk_call("update_payer", "payers.manage", copy(payer))
        current = self.payers.get(payer.payer_id)
        if current is None:
            raise NotFound("No such payer.")
        if current.version != payer.version:
            raise StaleRecord("Someone else changed this payer first.")
        updated = copy(payer)
        updated.version += 1
        self.payers[payer.payer_id] = updated
        return copy(updated)

    # -- insurance ----------------------------------------------------------------------
    async def list_policies(self, patient_id: int, include_ended: bool = True) -> list[insurance_pb2.Policy]:
        self._front_desk_call("list_policies", "patients.read", patient_id)
        return self._policies_of(patient_id, include_ended)

    async def add_policy(
        self, policy: insurance_pb2.Policy, priority: int = 0, idempotency_key: str = ""
    ) -> insurance_pb2.Policy:
        self._front_desk_call("add_policy", "insurance.write", copy(policy), priority, idempotency_key)
        self._patient(policy.patient_id)
        violations = []
        if policy.payer_id not in self.payers:
            violations.append(FieldViolation("policy.payer_id", "choose a payer"))
        if not policy.member_id.strip():
            violations.append(FieldViolation("policy.member_id", "is required"))
        if violations:
            raise InvalidInput(violations)
        order = [p.policy_id for p in self._policies_of(policy.patient_id, include_ended=False)]
        added = copy(policy)
        added.policy_id = max(self.policies) + 1
        added.version, added.ended = 1, False
        self.policies[added.policy_id] = added
        place = priority - 1 if 1 <= priority <= len(order) else len(order)
        order.insert(place, added.policy_id)
        self._renumber(policy.patient_id, order)
        return self._policy_view(added)

    async def update_policy(self, policy: insurance_pb2.Policy) -> insurance_pb2.Policy:
        self._front_desk_call("update_policy", "insurance.write", copy(policy))
        current = self.policies.get(policy.policy_id)
        if current is None:
            raise NotFound("No such policy.")
        if current.version != policy.version:
            raise StaleRecord("Someone else changed this policy first.")
        updated = copy(policy)
        updated.priority, updated.ended, updated.version = current.priority, current.ended, current.version + 1
        self.policies[policy.policy_id] = updated
        return self._policy_view(updated)

    async def end_policy(self, policy_id: int, termination_date: date, version: int) -> insurance_pb2.Policy:
        self._front_desk_call("end_policy", "insurance.write", policy_id, termination_date, version)
        policy = self.policies.get(policy_id)
        if policy is None:
            raise NotFound("No such policy.")
        if policy.version != version:
            raise StaleRecord("Someone else changed this policy first.")
        policy.termination_date.CopyFrom(day(termination_date.year, termination_date.month, termination_date.day))
        policy.ended, policy.priority, policy.version = True, 0, policy.version + 1
        remaining = [p.policy_id for p in self._policies_of(policy.patient_id, include_ended=False)]
        self._renumber(policy.patient_id, remaining)
        return self._policy_view(policy)

    async def reorder_policies(self, patient_id: int, policy_ids: Sequence[int]) -> list[insurance_pb2.Policy]:
        self._front_desk_call("reorder_policies", "insurance.write", patient_id, list(policy_ids))
        active = {p.policy_id for p in self._policies_of(patient_id, include_ended=False)}
        if sorted(policy_ids) != sorted(active):
            raise RuleBroken("Name every active policy of the patient once.", "POLICY_ORDER_INCOMPLETE")
        self._renumber(patient_id, policy_ids)
        return self._policies_of(patient_id, include_ended=False)

    # -- eligibility ----------------------------------------------------------------------
    def _tick(self) -> Timestamp:
        self.eligibility_clock += timedelta(minutes=1)
        return stamp(self.eligibility_clock)

    def _ask(self, policy_ids: Sequence[int], on: date | None) -> list[insurance_pb2.EligibilityCheck]:
        made = []
        for policy_id in policy_ids:
            policy = self.policies.get(policy_id)
            if policy is None:
                raise NotFound("No such policy.")
            if policy.ended:
                raise RuleBroken("The policy has ended.", "POLICY_ENDED")
            served = on or NOW.date()
            check = insurance_pb2.EligibilityCheck(
                check_id=max(self.eligibility_checks, default=0) + 1,
                policy_id=policy_id,
                patient_id=policy.patient_id,
                date_of_service=day(served.year, served.month, served.day),
                status=insurance_pb2.ELIGIBILITY_STATUS_SENT,
                requested_at=self._tick(),
            )
            self.eligibility_checks[check.check_id] = check
            made.append(copy(check))
        return made

    def answer_eligibility(
        self,
        coverage: str = "active",
        plan_name: str = "GOLD PPO",
        summary: str = "",
        copay_cents: int | None = 2500,
        coinsurance_bp: int | None = 2000,
        deductible_cents: int | None = 150_000,
        deductible_remaining_cents: int | None = 50_000,
        check_id: int = 0,
    ) -> None:
        """Plays the clearinghouse and the payer: answers every check still waiting (or only ``check_id``)."""
        for check in self.eligibility_checks.values():
            if check.status == insurance_pb2.ELIGIBILITY_STATUS_ANSWERED or check_id not in (0, check.check_id):
                continue
            check.status = insurance_pb2.ELIGIBILITY_STATUS_ANSWERED
            check.answered_at.CopyFrom(self._tick())
            check.coverage, check.plan_name, check.summary = coverage, plan_name, summary
            for name, value in (
                ("copay_cents", copay_cents),
                ("coinsurance_bp", coinsurance_bp),
                ("deductible_cents", deductible_cents),
                ("deductible_remaining_cents", deductible_remaining_cents),
            ):
                if value is not None and coverage == "active":
                    setattr(check, name, value)

    async def check_eligibility(
        self, policy_ids: Sequence[int], date_of_service: date | None = None
    ) -> list[insurance_pb2.EligibilityCheck]:
        self._front_desk_call("check_eligibility", "insurance.write", list(policy_ids), date_of_service)
        return self._ask(policy_ids, date_of_service)

    async def check_tomorrows_eligibility(self) -> list[insurance_pb2.EligibilityCheck]:
        self._front_desk_call("check_tomorrows_eligibility", "insurance.write")
        return self._ask(self.tomorrows_policy_ids, NOW.date() + timedelta(days=1))

    async def list_eligibility_checks(
        self, patient_id: int, policy_id: int = 0, limit: int = 0
    ) -> list[insurance_pb2.EligibilityCheck]:
        self._front_desk_call("list_eligibility_checks", "patients.read", patient_id, policy_id, limit)
        mine = [
            c for c in self.eligibility_checks.values()
            if c.patient_id == patient_id and policy_id in (0, c.policy_id)
        ]
        mine.sort(key=lambda c: c.check_id, reverse=True)
        return [copy(c) for c in mine[: limit or 20]]

    # -- documents ----------------------------------------------------------------------
    async def list_documents(self, patient_id: int) -> list[documents_pb2.DocumentInfo]:
        self._front_desk_call("list_documents", "documents.read", patient_id)
        return [d for d in self.documents.values() if d.patient_id == patient_id]

    async def upload_document(
        self, header: documents_pb2.UploadDocumentHeader, path: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        self._front_desk_call("upload_document", "documents.write", copy(header), path)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise LocalFileError(f"Cannot read {path}: {error.strerror or error}.") from None
        if not header.document_type:
            raise InvalidInput([FieldViolation("header.document_type", "choose what the document is")])
        if content.startswith(b"%PDF"):
            content_type = "application/pdf"
        elif content.startswith(b"\x89PNG"):
            content_type = "image/png"
        elif content.startswith(b"\xff\xd8"):
            content_type = "image/jpeg"
        else:
            raise InvalidInput([FieldViolation("content", "is not a PDF, PNG or JPEG file")])
        half = len(content) // 2
        for done in (half, len(content)):
            if progress is not None:
                progress(done, len(content))
            await asyncio.sleep(0)
        document_id = max(self.documents, default=0) + 1
        document = documents_pb2.DocumentInfo(
            document_id=document_id,
            patient_id=header.patient_id,
            document_type=header.document_type,
            document_date=header.document_date,
            description=header.description,
            file_name=header.file_name or path.name,
            content_type=content_type,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_at=stamp(NOW + timedelta(minutes=5)),
            uploaded_by=self.acting_user,
        )
        self.documents[document_id] = document
        self.document_content[document_id] = content
        return copy(document)

    async def download_document(
        self, document_id: int, destination: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        self._front_desk_call("download_document", "documents.read", document_id, destination)
        if document_id not in self.documents:
            raise NotFound("No such document.")
        if destination.exists():
            raise LocalFileError(f"{destination} exists already; choose another name.")
        content = self.document_content[document_id]
        if progress is not None:
            progress(len(content), len(content))
        try:
            with open(destination, "xb") as out:
                out.write(content)
        except OSError as error:
            raise LocalFileError(f"Cannot write {destination}: {error.strerror or error}.") from None
        return copy(self.documents[document_id])
