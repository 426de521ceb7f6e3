"""The fake gateway's billing (mixed into ``FakeGateway``): a handful of codes and three encounters.

Code lookups answer like the server in shape (a code prefix with or without the dot, or words each a prefix of a
description word; billable only; the date of service ignored). Saves answer like the server only in the cases the
superbill must show: a dx pointer beyond the diagnoses listed, a drug code without its NDC, a referring NPI
without its check digit or name, a supervising provider or place of service the practice does not have, a stale
version; a place of service left blank is the location's own, as the server stores it. The
real entry checks are the server's (server/encounters/rules.py) and tested there (tests/api/test_encounters.py).

Switches a test flips: ``fail_on["update_encounter"] = ...``; ``someone_else_codes(encounter_id)`` makes the
version a screen holds stale; ``requests["create_encounter"]`` holds what was sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from client_tui.gateway import FieldViolation, GatewayError, InvalidInput, NotFound, RuleBroken, StaleRecord
from shared import dates
from shared.pms.codes.v1 import codes_pb2 as cd
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.patients.v1 import patients_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su

from .fake_schedule import LEE, MAIN, PATEL
from .fake_schedule_setup import npi_is_valid

# (system, code as stored, description, billable, requires_ndc)
CODES: list[tuple[int, str, str, bool, bool]] = [
    (cd.CODE_SYSTEM_ICD10CM, "E11", "Type 2 diabetes mellitus", False, False),
    (cd.CODE_SYSTEM_ICD10CM, "E1165", "Type 2 diabetes mellitus with hyperglycemia", True, False),
    (cd.CODE_SYSTEM_ICD10CM, "E119", "Type 2 diabetes mellitus without complications", True, False),
    (cd.CODE_SYSTEM_ICD10CM, "E1122", "Type 2 diabetes mellitus with diabetic chronic kidney disease", True, False),
    (cd.CODE_SYSTEM_ICD10CM, "I10", "Essential (primary) hypertension", True, False),
    (cd.CODE_SYSTEM_ICD10CM, "J069", "Acute upper respiratory infection, unspecified", True, False),
    (cd.CODE_SYSTEM_ICD10CM, "Z0000", "Encounter for general adult medical examination without abnormal findings",
     True, False),
    (cd.CODE_SYSTEM_CPT, "99213", "Office visit, established patient, low complexity", True, False),
    (cd.CODE_SYSTEM_CPT, "99214", "Office visit, established patient, moderate complexity", True, False),
    (cd.CODE_SYSTEM_CPT, "96372", "Therapeutic injection, subcutaneous or intramuscular", True, False),
    (cd.CODE_SYSTEM_HCPCS, "J1100", "Injection, dexamethasone sodium phosphate, 1 mg", True, True),
    (cd.CODE_SYSTEM_HCPCS, "G0008", "Administration of influenza virus vaccine", True, False),
    (cd.CODE_SYSTEM_MODIFIER, "25", "Significant, separately identifiable E/M service", True, False),
]
SYSTEM_WORDS = {cd.CODE_SYSTEM_CPT: "cpt", cd.CODE_SYSTEM_HCPCS: "hcpcs"}
# A few places of service (the server has CMS's whole table).
PLACES_OF_SERVICE = ("02", "10", "11", "12", "19", "21", "22", "23", "24", "31", "32")


def display_code(system: int, code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if system == cd.CODE_SYSTEM_ICD10CM and len(code) > 3 else code


def code_entry(system: int, code: str, description: str, billable: bool, requires_ndc: bool) -> cd.Code:
    return cd.Code(system=system, code=code, display_code=display_code(system, code),  # type: ignore[arg-type]
                   description=description, billable=billable, requires_ndc=requires_ndc,
                   valid_from=dates.to_pb(date(2025, 10, 1)))


def copy(message: Any) -> Any:
    out = type(message)()
    out.CopyFrom(message)
    return out


class FakeBilling:
    """Needs ``_enter``, ``requests``, ``fail_on``, ``patients`` and ``providers`` from the classes it is mixed with."""

    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    patients: dict[int, patients_pb2.Patient]
    providers: dict[int, su.Provider]
    locations: dict[int, su.Location]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    def _seed_billing(self) -> None:
        self.codes = [code_entry(*row) for row in CODES]
        self.encounters: dict[int, en.Encounter] = {}
        for patient_id, provider_id, day, diagnoses, lines, status in (
            (1, LEE, date(2026, 11, 2), ["E119", "I10"], [("99214", [1, 2], 18000)], en.ENCOUNTER_STATUS_OPEN),
            (3, PATEL, date(2026, 10, 30), ["J069"], [("99213", [1], 12500)], en.ENCOUNTER_STATUS_OPEN),
            (2, LEE, date(2026, 10, 20), ["I10"], [("99213", [1], 12500)], en.ENCOUNTER_STATUS_BILLED),
        ):
            encounter = en.Encounter(
                patient_id=patient_id, rendering_provider_id=provider_id, location_id=MAIN,
                date_of_service=dates.to_pb(day), diagnoses=[en.Diagnosis(code=d) for d in diagnoses],
                lines=[en.ServiceLine(code=c, dx_pointers=p, units=1, fee_cents=f) for c, p, f in lines],
                status=status,  # type: ignore[arg-type]
            )
            self._store(encounter, len(self.encounters) + 1)

    # -- helpers ------------------------------------------------------------------------
    def _billing_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    def _code(self, code: str, systems: tuple[int, ...]) -> cd.Code | None:
        wanted = code.replace(".", "").strip().upper()
        return next((c for c in self.codes if c.system in systems and c.code == wanted), None)

    def _patient_name(self, patient_id: int) -> str:
        patient = self.patients.get(patient_id)
        return f"{patient.name.last}, {patient.name.first}" if patient is not None else ""

    def _store(self, encounter: en.Encounter, encounter_id: int, version: int = 1) -> en.Encounter:
        """Fills the read-only fields as the server does and keeps a copy."""
        stored = copy(encounter)
        stored.encounter_id = encounter_id
        stored.version = version
        stored.status = stored.status or en.ENCOUNTER_STATUS_OPEN
        stored.patient_name = self._patient_name(stored.patient_id)
        location = self.locations.get(stored.location_id)
        stored.place_of_service = stored.place_of_service or (location.place_of_service if location else "")
        for diagnosis in stored.diagnoses:
            found = self._code(diagnosis.code, (cd.CODE_SYSTEM_ICD10CM,))
            diagnosis.code = diagnosis.code.replace(".", "").upper()
            if found is not None:
                diagnosis.display_code, diagnosis.description = found.display_code, found.description
        for line in stored.lines:
            found = self._code(line.code, (cd.CODE_SYSTEM_CPT, cd.CODE_SYSTEM_HCPCS))
            if found is not None:
                line.code_system, line.description = SYSTEM_WORDS[found.system], found.description
        price_saved = getattr(self, "price_saved", None)  # FakePricing's, when mixed in
        if price_saved is not None:
            price_saved(stored)
        stored.total_cents = sum(line.fee_cents for line in stored.lines)
        self.encounters[encounter_id] = stored
        return copy(stored)

    def _violations(self, encounter: en.Encounter) -> None:
        """The checks the superbill's tests need; the server has them all."""
        problems: list[FieldViolation] = []
        if encounter.referring_provider_npi and not npi_is_valid(encounter.referring_provider_npi):
            problems.append(FieldViolation("referring_provider_npi",
                                           "is not a valid NPI (10 digits with a check digit)"))
        if encounter.referring_provider_npi and not encounter.referring_provider_name.strip():
            problems.append(FieldViolation("referring_provider_name", "is required with a referring NPI"))
        if encounter.supervising_provider_id and encounter.supervising_provider_id not in self.providers:
            problems.append(FieldViolation("supervising_provider_id", "no such provider"))
        if encounter.place_of_service and encounter.place_of_service not in PLACES_OF_SERVICE:
            problems.append(FieldViolation("place_of_service",
                                           f"{encounter.place_of_service} is not a place of service code"))
        for i, line in enumerate(encounter.lines):
            beyond = [p for p in line.dx_pointers if not 1 <= p <= len(encounter.diagnoses)]
            if not line.dx_pointers:
                problems.append(FieldViolation(f"lines[{i}].dx_pointers",
                                               "point the line at the diagnosis (1 to 4 of them) that justifies it"))
            elif beyond:
                problems.append(FieldViolation(
                    f"lines[{i}].dx_pointers",
                    f"pointer {beyond[0]} is beyond the {len(encounter.diagnoses)} diagnoses listed"))
            found = self._code(line.code, (cd.CODE_SYSTEM_HCPCS,))
            if found is not None and found.requires_ndc and not line.ndc:
                problems.append(FieldViolation(f"lines[{i}].ndc",
                                               f"{line.code} is a drug code: give the NDC of what was given"))
        if problems:
            raise InvalidInput(problems)

    def someone_else_codes(self, encounter_id: int) -> None:
        """Another biller saves the encounter: the version a screen holds becomes stale."""
        stored = self.encounters[encounter_id]
        stored.prior_authorization = "PA-7731"
        stored.version += 1

    # -- the gateway's methods ----------------------------------------------------------
    async def search_codes(
        self, system: int, query: str, billable_only: bool = False, date_of_service: date | None = None,
        limit: int = 0,
    ) -> list[cd.Code]:
        self._billing_call("search_codes", "codes.read", system, query, billable_only, date_of_service)
        text = query.strip().upper().replace(".", "")
        words = query.lower().split()
        found = []
        for code in self.codes:
            if code.system != system or (billable_only and not code.billable):
                continue
            if code.code.startswith(text) or all(
                any(w.startswith(word) for w in code.description.lower().replace(",", " ").split()) for word in words
            ):
                found.append(copy(code))
        return found[: limit or 25]

    async def list_encounters(
        self, status: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        from_date: date | None = None, to_date: date | None = None, limit: int = 0,
    ) -> list[en.EncounterSummary]:
        self._billing_call("list_encounters", "encounters.read", status, rendering_provider_id, patient_id,
                           from_date, to_date)
        out = []
        for stored in self.encounters.values():
            day = dates.from_pb(stored.date_of_service)
            assert day is not None
            if (status and stored.status != status) or (rendering_provider_id and
                                                         stored.rendering_provider_id != rendering_provider_id):
                continue
            if (patient_id and stored.patient_id != patient_id) or (from_date and day < from_date) or (
                    to_date and day > to_date):
                continue
            provider = self.providers.get(stored.rendering_provider_id)
            out.append(en.EncounterSummary(
                encounter_id=stored.encounter_id, patient_id=stored.patient_id, patient_name=stored.patient_name,
                provider_name=f"{provider.last_name}, {provider.first_name[:1]}" if provider else "",
                date_of_service=stored.date_of_service, status=stored.status, line_count=len(stored.lines),
                total_cents=stored.total_cents))
        out.sort(key=lambda s: (s.date_of_service.year, s.date_of_service.month, s.date_of_service.day,
                                s.encounter_id), reverse=True)
        return out[: limit or 100]

    async def get_encounter(self, encounter_id: int) -> en.Encounter:
        self._billing_call("get_encounter", "encounters.read", encounter_id)
        if encounter_id not in self.encounters:
            raise NotFound("No such encounter.")
        return copy(self.encounters[encounter_id])

    async def create_encounter(self, encounter: en.Encounter, idempotency_key: str = "") -> en.Encounter:
        self._billing_call("create_encounter", "encounters.write", copy(encounter))
        self._violations(encounter)
        return self._store(encounter, max(self.encounters, default=0) + 1)

    async def update_encounter(self, encounter: en.Encounter) -> en.Encounter:
        self._billing_call("update_encounter", "encounters.write", copy(encounter))
        stored = self.encounters.get(encounter.encounter_id)
        if stored is None:
            raise NotFound("No such encounter.")
        if stored.status != en.ENCOUNTER_STATUS_OPEN:
            raise RuleBroken("Only an open encounter can be changed.", "ENCOUNTER_NOT_OPEN")
        if stored.version != encounter.version:
            raise StaleRecord("Someone else changed this encounter; reload and try again.")
        self._violations(encounter)
        changed = copy(encounter)
        changed.status = stored.status
        return self._store(changed, encounter.encounter_id, stored.version + 1)

    async def mark_ready_to_bill(self, encounter_id: int, version: int) -> en.MarkReadyToBillResponse:
        self._billing_call("mark_ready_to_bill", "encounters.write", encounter_id, version)
        stored = self.encounters.get(encounter_id)
        if stored is None:
            raise NotFound("No such encounter.")
        if stored.version != version:
            raise StaleRecord("Someone else changed this encounter; reload and try again.")
        if stored.status != en.ENCOUNTER_STATUS_OPEN:
            raise RuleBroken("This encounter is already ready to bill.", "ENCOUNTER_NOT_OPEN")
        problems = []
        if not stored.diagnoses:
            problems.append(FieldViolation("diagnoses", "a claim needs at least one diagnosis"))
        if not stored.lines:
            problems.append(FieldViolation("lines", "there is nothing to bill: add a service line"))
        if problems:
            raise InvalidInput(problems)
        ready = copy(stored)
        ready.status = en.ENCOUNTER_STATUS_READY
        ready = self._store(ready, encounter_id, version + 1)
        return en.MarkReadyToBillResponse(encounter=ready, posted_cents=ready.total_cents)

    async def create_encounter_from_appointment(self, appointment_id: int) -> en.CreateEncounterFromAppointmentResponse:
        self._billing_call("create_encounter_from_appointment", "encounters.checkout", appointment_id)
        appointments: dict[int, Any] = getattr(self, "appointments", {})
        appointment = appointments.get(appointment_id)
        if appointment is None:
            raise NotFound("No such appointment.")
        made = next((e for e in self.encounters.values() if e.appointment_id == appointment_id), None)
        if made is not None:
            return en.CreateEncounterFromAppointmentResponse(encounter=copy(made), created=False)
        if appointment.status not in (5, 6):  # seen, checked out
            raise RuleBroken("The appointment is not seen yet.", "APPOINTMENT_NOT_SEEN")
        encounter = en.Encounter(
            patient_id=appointment.patient_id, appointment_id=appointment_id,
            rendering_provider_id=appointment.provider_id, location_id=appointment.location_id,
            date_of_service=dates.to_pb(date.fromisoformat(appointment.local_start[:10])))
        stored = self._store(encounter, max(self.encounters, default=0) + 1)
        return en.CreateEncounterFromAppointmentResponse(encounter=stored, created=True)
