"""The fake gateway's claims (mixed into ``FakeGateway``): the billing identity, a handful of claims in every
bucket of the worklist, the scrubber's setup, and batches.

It answers like the server in shape (CreateClaims per encounter with its refusal, ScrubClaims moving a claim to
draft / scrubbed / queued, CreateBatch taking every queued claim not yet in a file until NOTHING_QUEUED) and checks
only what the screens must show: a field of the billing identity, a stale version, a code pair that is no code.
Which findings a scrub finds is the test's to say (``scrub_findings[claim_id]``); the real rules are the server's
(server/claims/) and tested there (tests/api/test_claims.py).

Switches a test flips: ``fail_on["create_batch"] = ...``; ``batch_limit`` (claims per file);
``deliver_batches()`` plays the clearinghouse job (written files become delivered, their claims sent);
``someone_else_edits_billing_setup()``; ``printed_pdf`` (the bytes PrintClaims answers with).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from client_tui.gateway import (
    FieldViolation,
    GatewayError,
    InvalidInput,
    NotFound,
    PrintedClaims,
    RuleBroken,
    StaleRecord,
)
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payers.v1 import payers_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su

from .fake_schedule import LEE, MAIN, PATEL

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
RULES = [
    ("PATIENT_DEMOGRAPHICS", cl.SEVERITY_ERROR, "The patient's name, birth date, sex and address are complete"),
    ("SUBSCRIBER_ID", cl.SEVERITY_ERROR, "The subscriber's member ID and relationship are given"),
    ("BILLING_NPI", cl.SEVERITY_ERROR, "The billing and rendering NPIs have a correct check digit"),
    ("DX_POINTERS", cl.SEVERITY_ERROR, "Every line points at 1 to 4 listed diagnoses"),
    ("CODE_PAIRS", cl.SEVERITY_ERROR, "No code pair the practice's edits forbid"),
    ("PRIOR_AUTH", cl.SEVERITY_ERROR, "A prior authorization where the payer requires one"),
    ("TIMELY_FILING", cl.SEVERITY_WARNING, "Sent within the payer's timely filing limit"),
    ("DUPLICATE_CLAIM", cl.SEVERITY_ERROR, "No other claim for the same patient, day and codes"),
]
GOOD_SETUP = cl.BillingSetup(
    organization_name="Sunrise Family Practice", npi="1234567893", tax_id="123456789", taxonomy="207Q00000X",
    address_line1="1 Main St", city="Columbus", state="OH", zip="432151234", phone="6145550100",
    contact_name="Billing Office", submitter_id="PMS0001", receiver_name="Test Clearinghouse",
    receiver_id="CLEARHOUSE", production=False, version=2, configured=True)
PRINTED_PDF = b"%PDF-1.4\n% CMS-1500\n" + b"claim form page " * 200 + b"\n%%EOF\n"
# (claim id, patient, payer, provider, day, status, age, total cents, reason)
CLAIMS: list[tuple[int, int, int, int, date, int, int, int, str]] = [
    (1, 2, 2, LEE, date(2026, 10, 20), cl.CLAIM_STATUS_DRAFT, 3, 12_500, ""),
    (2, 1, 1, LEE, date(2026, 10, 22), cl.CLAIM_STATUS_SCRUBBED, 4, 18_000, ""),
    (3, 3, 3, PATEL, date(2026, 10, 12), cl.CLAIM_STATUS_QUEUED, 6, 12_500, ""),
    (4, 1, 1, LEE, date(2026, 10, 8), cl.CLAIM_STATUS_QUEUED, 9, 21_500, ""),
    (5, 6, 4, PATEL, date(2026, 10, 1), cl.CLAIM_STATUS_QUEUED, 12, 9_000, ""),
    (6, 3, 3, PATEL, date(2026, 9, 15), cl.CLAIM_STATUS_SENT, 30, 12_500, ""),
    (7, 2, 2, LEE, date(2026, 9, 2), cl.CLAIM_STATUS_REJECTED, 41, 18_000,
     "277CA A7:562: the subscriber's member ID is not on file with the payer"),
    (8, 1, 1, LEE, date(2026, 8, 20), cl.CLAIM_STATUS_ACCEPTED, 70, 12_500, ""),
]
_CODE = re.compile(r"^[A-Z0-9]{5}$")


def copy(message: Any) -> Any:
    out = type(message)()
    out.CopyFrom(message)
    return out


def stamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


class FakeClaims:
    """Needs ``_enter``, ``_store``, ``requests``, ``fail_on``, ``patients``, ``payers``, ``policies``, ``providers``
    and ``encounters`` from the classes it is mixed with."""

    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    patients: dict[int, patients_pb2.Patient]
    payers: dict[int, payers_pb2.Payer]
    policies: dict[int, insurance_pb2.Policy]
    providers: dict[int, su.Provider]
    encounters: dict[int, en.Encounter]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    def _store(self, encounter: en.Encounter, encounter_id: int, version: int = 1) -> en.Encounter:
        raise NotImplementedError

    def _seed_claims(self) -> None:
        self.billing_setup = copy(GOOD_SETUP)
        self.rules: dict[str, cl.ScrubRule] = {
            code: cl.ScrubRule(code=code, severity=severity, description=text, enabled=True)  # type: ignore[arg-type]
            for code, severity, text in RULES}
        self.code_pairs = [cl.CodePairEdit(column1_code="99213", column2_code="96372", modifier_allowed=True)]
        self.auth_requirements = [cl.AuthRequirement(payer_id=2, payer_name="Medicare Part B Ohio", code="99214")]
        self.claims: dict[int, cl.Claim] = {}
        self.claim_events: dict[int, list[cl.ClaimEvent]] = {}
        self.claim_findings: dict[int, list[cl.Finding]] = {}
        self.claim_provider: dict[int, int] = {}
        self.claim_age: dict[int, int] = {}
        self.claim_batch: dict[int, int] = {}
        self.first_scrub_clean: dict[int, bool] = {2: True, 3: True, 4: True, 5: True, 6: True, 7: False, 8: True}
        # What the next scrub of a claim finds (the test's to say); nothing by default.
        self.scrub_findings: dict[int, list[cl.Finding]] = {}
        self.batches: dict[int, cl.Batch] = {}
        self.batch_limit = 5000
        self.printed_pdf = PRINTED_PDF
        self.next_interchange = 41
        # Two ready encounters to bill: Maria's (Aetna) and Thanh Nguyen's (no policy: NO_COVERAGE).
        for patient_id, provider_id, day, code in ((1, LEE, date(2026, 10, 28), "99213"),
                                                   (5, PATEL, date(2026, 10, 27), "99214")):
            encounter = en.Encounter(
                patient_id=patient_id, rendering_provider_id=provider_id, location_id=MAIN,
                date_of_service=dates.to_pb(day), diagnoses=[en.Diagnosis(code="I10")],
                lines=[en.ServiceLine(code=code, dx_pointers=[1], units=1, fee_cents=12_500)],
                status=en.ENCOUNTER_STATUS_READY)
            self._store(encounter, max(self.encounters) + 1)
        for claim_id, patient_id, payer_id, provider_id, day, status, age, total, reason in CLAIMS:
            # Every seeded claim is of the billed encounter (3): the fake keeps one encounter's superbill to open.
            self._keep_claim(claim_id, 3, patient_id, payer_id, provider_id, day, status, total, age, reason)
        self.claim_findings[1] = [
            cl.Finding(rule="SUBSCRIBER_ID", severity=cl.SEVERITY_ERROR, field="subscriber.member_id",
                       message="Medicare Part B Ohio needs the subscriber's member ID"),
            cl.Finding(rule="DX_POINTERS", severity=cl.SEVERITY_ERROR, field="lines[0].dx_pointers",
                       message="point the line at a listed diagnosis"),
            cl.Finding(rule="TIMELY_FILING", severity=cl.SEVERITY_WARNING, field="date_of_service",
                       message="14 days left of the payer's timely filing limit"),
            cl.Finding(rule="BILLING_NPI", severity=cl.SEVERITY_WARNING, field="billing.taxonomy",
                       message="the taxonomy is not the rendering provider's"),
        ]

    def _keep_claim(self, claim_id: int, encounter_id: int, patient_id: int, payer_id: int, provider_id: int,
                    day: date, status: int, total: int, age: int = 0, reason: str = "") -> cl.Claim:
        patient = self.patients[patient_id]
        policy = next((p for p in self.policies.values() if p.patient_id == patient_id and p.payer_id == payer_id),
                      None)
        encounter = self.encounters.get(encounter_id)
        claim = cl.Claim(
            claim_id=claim_id, encounter_id=encounter_id, patient_id=patient_id,
            patient_name=f"{patient.name.last}, {patient.name.first}",
            policy_id=policy.policy_id if policy is not None else 0, payer_id=payer_id,
            payer_name=self.payers[payer_id].name, responsibility="P", frequency="1",
            status=status, date_of_service=dates.to_pb(day), total_charge_cents=total,  # type: ignore[arg-type]
            version=1, status_reason=reason,
            payer_claim_number="26301E0042" if status in (cl.CLAIM_STATUS_ACCEPTED,) else "")
        lines = list(encounter.lines) if encounter is not None else []
        for number, line in enumerate(lines or [en.ServiceLine(code="99213", units=1, dx_pointers=[1])], 1):
            claim.lines.append(cl.ClaimLine(
                line_number=number, code=line.code, modifiers=line.modifiers, units=line.units or 1,
                dx_pointers=line.dx_pointers, charge_cents=total if number == 1 else 0))
        self.claims[claim_id] = claim
        self.claim_provider[claim_id] = provider_id
        self.claim_age[claim_id] = age
        made = NOW - timedelta(days=age)
        events = [cl.ClaimEvent(to_status=cl.CLAIM_STATUS_DRAFT, at=stamp(made), by="bill")]
        path = [cl.CLAIM_STATUS_DRAFT, cl.CLAIM_STATUS_SCRUBBED, cl.CLAIM_STATUS_QUEUED, cl.CLAIM_STATUS_SENT]
        steps: list[int] = path[: path.index(status) + 1] if status in path else [*path, status]  # type: ignore
        for number, (before, after) in enumerate(itertools.pairwise(steps), 1):
            events.append(cl.ClaimEvent(from_status=before, to_status=after, at=stamp(made + timedelta(hours=number)),
                                        by="bill" if after != status or not reason else "clearinghouse",
                                        reason=reason if after == status else ""))
        self.claim_events[claim_id] = events
        return claim

    # -- helpers ------------------------------------------------------------------------
    def _claims_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    def _move(self, claim: cl.Claim, to: int, reason: str = "", by: str = "bill") -> None:
        self.claim_events[claim.claim_id].append(cl.ClaimEvent(
            from_status=claim.status, to_status=to, reason=reason, at=stamp(NOW), by=by))  # type: ignore[arg-type]
        claim.status = to  # type: ignore[assignment]
        claim.status_reason = reason
        claim.version += 1

    def _scrub_answer(self) -> cl.GetScrubSetupResponse:
        return cl.GetScrubSetupResponse(rules=[copy(r) for r in self.rules.values()],
                                        code_pairs=[copy(p) for p in self.code_pairs],
                                        auth_requirements=[copy(a) for a in self.auth_requirements])

    def someone_else_edits_billing_setup(self) -> None:
        self.billing_setup.contact_name = "Billing Office, 2nd floor"
        self.billing_setup.version += 1

    def deliver_batches(self) -> None:
        """The clearinghouse job: every written file goes out; its claims become sent."""
        for batch in self.batches.values():
            if batch.status == "written":
                batch.status, batch.batch_status = "delivered", cl.BATCH_STATUS_DELIVERED
                batch.delivery_attempts += 1
                batch.delivered_at.CopyFrom(stamp(NOW))
                for claim_id, batch_id in self.claim_batch.items():
                    if batch_id == batch.batch_id:
                        self._move(self.claims[claim_id], cl.CLAIM_STATUS_SENT, "delivered", "clearinghouse")

    # -- the gateway's methods ----------------------------------------------------------
    async def get_billing_setup(self) -> cl.BillingSetup:
        self._claims_call("get_billing_setup", "claims.read")
        return copy(self.billing_setup)

    async def update_billing_setup(self, setup: cl.BillingSetup) -> cl.BillingSetup:
        self._claims_call("update_billing_setup", "claims.setup", copy(setup))
        if setup.version != self.billing_setup.version:
            raise StaleRecord("Someone else changed the billing setup; reload and try again.")
        problems = []
        if not re.fullmatch(r"\d{10}", setup.npi.strip()):
            problems.append(FieldViolation("setup.npi", "is not a valid NPI (10 digits with a correct check digit)"))
        if not re.fullmatch(r"\d{9}", re.sub(r"[\s-]", "", setup.zip)):
            problems.append(FieldViolation("setup.zip", "the billing provider's ZIP must be all 9 digits (ZIP+4)"))
        if not setup.organization_name.strip():
            problems.append(FieldViolation("setup.organization_name", "is required"))
        if problems:
            raise InvalidInput(problems)
        saved = copy(setup)
        saved.zip = re.sub(r"[\s-]", "", setup.zip)
        saved.version, saved.configured = self.billing_setup.version + 1, True
        self.billing_setup = saved
        return copy(saved)

    async def create_claims(self, encounter_ids: Sequence[int]) -> list[cl.ClaimOutcome]:
        self._claims_call("create_claims", "claims.write", list(encounter_ids))
        outcomes = []
        for encounter_id in encounter_ids:
            encounter = self.encounters.get(encounter_id)
            if encounter is None:
                outcomes.append(cl.ClaimOutcome(encounter_id=encounter_id, refusal_reason="ENCOUNTER_NOT_FOUND",
                                                refusal_message="No such encounter."))
                continue
            if encounter.status != en.ENCOUNTER_STATUS_READY:
                outcomes.append(cl.ClaimOutcome(encounter_id=encounter_id, refusal_reason="ENCOUNTER_NOT_READY",
                                                refusal_message="The encounter is not ready to bill."))
                continue
            policy = next((p for p in sorted(self.policies.values(), key=lambda p: p.priority)
                           if p.patient_id == encounter.patient_id and p.priority >= 1 and not p.ended), None)
            if policy is None:
                outcomes.append(cl.ClaimOutcome(
                    encounter_id=encounter_id, refusal_reason="NO_COVERAGE",
                    refusal_message=f"{encounter.patient_name} has no policy in force on the date of service: "
                                    "bill the patient instead."))
                continue
            claim_id = max(self.claims, default=0) + 1
            day = dates.from_pb(encounter.date_of_service)
            assert day is not None
            self._keep_claim(claim_id, encounter_id, encounter.patient_id, policy.payer_id,
                             encounter.rendering_provider_id, day, cl.CLAIM_STATUS_DRAFT, encounter.total_cents)
            encounter.status = en.ENCOUNTER_STATUS_BILLED
            encounter.version += 1
            outcomes.append(cl.ClaimOutcome(encounter_id=encounter_id, claim_id=claim_id))
        return outcomes

    async def get_claim(self, claim_id: int) -> cl.GetClaimResponse:
        self._claims_call("get_claim", "claims.read", claim_id)
        claim = self.claims.get(claim_id)
        if claim is None:
            raise NotFound("No such claim.")
        return cl.GetClaimResponse(claim=copy(claim), events=[copy(e) for e in self.claim_events[claim_id]],
                                   findings=[copy(f) for f in self.claim_findings.get(claim_id, [])])

    async def list_claims(
        self, status: int = 0, payer_id: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        limit: int = 0,
    ) -> cl.ListClaimsResponse:
        self._claims_call("list_claims", "claims.read", status, payer_id, rendering_provider_id, patient_id)
        kept = [c for c in self.claims.values()
                if (not payer_id or c.payer_id == payer_id) and (not patient_id or c.patient_id == patient_id)
                and (not rendering_provider_id or self.claim_provider[c.claim_id] == rendering_provider_id)]
        answer = cl.ListClaimsResponse()
        for c in sorted(kept, key=lambda c: (self.claim_age[c.claim_id], -c.claim_id)):
            if status and c.status != status:
                continue
            provider = self.providers.get(self.claim_provider[c.claim_id])
            answer.claims.append(cl.ClaimSummary(
                claim_id=c.claim_id, patient_id=c.patient_id, patient_name=c.patient_name, payer_name=c.payer_name,
                provider_name=f"{provider.last_name}, {provider.first_name}" if provider is not None else "",
                date_of_service=c.date_of_service, status=c.status, frequency=c.frequency,
                total_charge_cents=c.total_charge_cents, age_days=self.claim_age[c.claim_id],
                status_reason=c.status_reason))
        del answer.claims[limit or 100:]
        for bucket in sorted({c.status for c in kept}):
            answer.counts.append(cl.StatusCount(status=bucket, count=sum(1 for c in kept if c.status == bucket)))
        scrubbed = [self.first_scrub_clean[c.claim_id] for c in kept if c.claim_id in self.first_scrub_clean]
        answer.first_scrubbed, answer.first_scrub_clean = len(scrubbed), sum(scrubbed)
        return answer

    async def scrub_claims(self, claim_ids: Sequence[int], queue: bool = False) -> list[cl.ScrubbedClaim]:
        self._claims_call("scrub_claims", "claims.write", list(claim_ids), queue)
        problems = [FieldViolation(f"claim_ids[{i}]", f"claim {cid}: only draft, scrubbed or rejected claims are "
                                                      "scrubbed")
                    for i, cid in enumerate(claim_ids) if cid not in self.claims or self.claims[cid].status not in (
                        cl.CLAIM_STATUS_DRAFT, cl.CLAIM_STATUS_SCRUBBED, cl.CLAIM_STATUS_REJECTED)]
        if problems:
            raise InvalidInput(problems)
        done = []
        for claim_id in claim_ids:
            claim = self.claims[claim_id]
            found = [copy(f) for f in self.scrub_findings.get(claim_id, [])]
            self.claim_findings[claim_id] = found
            errors = any(f.severity == cl.SEVERITY_ERROR for f in found)
            self.first_scrub_clean.setdefault(claim_id, not errors)
            if errors:
                if claim.status != cl.CLAIM_STATUS_DRAFT:
                    self._move(claim, cl.CLAIM_STATUS_DRAFT, "scrubbed with errors")
            else:
                if claim.status != cl.CLAIM_STATUS_SCRUBBED:
                    self._move(claim, cl.CLAIM_STATUS_SCRUBBED)
                if queue:
                    self._move(claim, cl.CLAIM_STATUS_QUEUED)
            done.append(cl.ScrubbedClaim(claim_id=claim_id, status=claim.status, findings=found))
        return done

    async def get_scrub_setup(self) -> cl.GetScrubSetupResponse:
        self._claims_call("get_scrub_setup", "claims.read")
        return self._scrub_answer()

    async def update_scrub_setup(self, request: cl.UpdateScrubSetupRequest) -> cl.GetScrubSetupResponse:
        self._claims_call("update_scrub_setup", "claims.setup", copy(request))
        problems = []
        for i, pair in enumerate(request.code_pairs):
            for side in ("column1_code", "column2_code"):
                if not _CODE.match(getattr(pair, side).strip().upper()):
                    problems.append(FieldViolation(f"code_pairs[{i}].{side}", "is not a CPT or HCPCS code"))
        for i, need in enumerate(request.auth_requirements):
            if need.payer_id not in self.payers:
                problems.append(FieldViolation(f"auth_requirements[{i}].payer_id", "no such payer"))
            if not _CODE.match(need.code.strip().upper()):
                problems.append(FieldViolation(f"auth_requirements[{i}].code", "is not a CPT or HCPCS code"))
        if problems:
            raise InvalidInput(problems)
        for code in request.disabled_rules:
            self.rules[code].enabled = False
        for code in request.enabled_rules:
            self.rules[code].enabled = True
        self.code_pairs = [cl.CodePairEdit(column1_code=p.column1_code.upper(), column2_code=p.column2_code.upper(),
                                           modifier_allowed=p.modifier_allowed) for p in request.code_pairs]
        self.auth_requirements = [cl.AuthRequirement(payer_id=a.payer_id, payer_name=self.payers[a.payer_id].name,
                                                     code=a.code.upper()) for a in request.auth_requirements]
        return self._scrub_answer()

    async def create_batch(self, claim_ids: Sequence[int] = ()) -> cl.Batch:
        self._claims_call("create_batch", "claims.write", list(claim_ids))
        if not self.billing_setup.configured:
            raise RuleBroken("Enter the practice's billing identity first (Admin, billing setup).",
                             "BILLING_SETUP_MISSING")
        waiting = [c for c in sorted(self.claims.values(), key=lambda c: c.claim_id)
                   if c.status == cl.CLAIM_STATUS_QUEUED and c.claim_id not in self.claim_batch]
        if not waiting:
            raise RuleBroken("No queued claims to send: scrub and queue claims first.", "NOTHING_QUEUED")
        taken = waiting[: self.batch_limit]
        batch_id = max(self.batches, default=0) + 1
        number = self.next_interchange
        self.next_interchange += 1
        batch = cl.Batch(batch_id=batch_id, interchange_control_number=number, claim_count=len(taken),
                         total_charge_cents=sum(c.total_charge_cents for c in taken),
                         file_name=f"837P-{number:09d}.x12", status="written", created_at=stamp(NOW),
                         batch_status=cl.BATCH_STATUS_WRITTEN)
        self.batches[batch_id] = batch
        for claim in taken:
            self.claim_batch[claim.claim_id] = batch_id
        return copy(batch)

    async def get_batch_file(self, batch_id: int) -> cl.GetBatchFileResponse:
        self._claims_call("get_batch_file", "claims.write", batch_id)
        if batch_id not in self.batches:
            raise NotFound("No such batch.")
        return cl.GetBatchFileResponse(batch=copy(self.batches[batch_id]), content="ISA*00*~")

    async def list_batches(self, status: int = 0, limit: int = 0, before_id: int = 0) -> cl.ListBatchesResponse:
        self._claims_call("list_batches", "claims.delivery.read", status, limit, before_id)
        if not 0 <= limit <= 500:
            raise InvalidInput([FieldViolation("limit", "must be between 0 and 500")])
        newest_first = sorted(self.batches.values(), key=lambda b: -b.batch_id)
        shown = [copy(b) for b in newest_first if (not status or b.batch_status == status)
                 and (not before_id or b.batch_id < before_id)]
        counts = {s: sum(1 for b in self.batches.values() if b.batch_status == s)
                  for s in (cl.BATCH_STATUS_WRITTEN, cl.BATCH_STATUS_DELIVERED, cl.BATCH_STATUS_ACCEPTED,
                            cl.BATCH_STATUS_REJECTED)}
        return cl.ListBatchesResponse(batches=shown[: limit or 50], counts=[
            cl.BatchStatusCount(status=s, count=n) for s, n in counts.items() if n])  # type: ignore[arg-type]

    async def print_claims(self, claim_ids: Sequence[int], mode: int) -> PrintedClaims:
        self._claims_call("print_claims", "claims.read", list(claim_ids), mode)
        missing = [claim_id for claim_id in claim_ids if claim_id not in self.claims]
        if missing:
            raise NotFound("No such claim.")
        if mode not in (cl.FORM_MODE_RED_FORM, cl.FORM_MODE_FULL):
            raise InvalidInput([FieldViolation("mode", "choose red form or full")])
        kind = "red" if mode == cl.FORM_MODE_RED_FORM else "full"
        return PrintedClaims(f"claims-{kind}-{len(claim_ids)}.pdf", len(claim_ids), self.printed_pdf)
