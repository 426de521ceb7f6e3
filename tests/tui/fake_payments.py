"""The fake gateway's money (mixed into ``FakeGateway``): patients' ledgers, patient payments and ERAs.

It answers like the server in shape (a payment applied oldest-first or kept as credit, the balance after it; an 835
imported once by its content, previewed, posted once) and checks only what the screens must show: the payment's
fields by name ("payment.check_number"), a reused idempotency key, a file that is no 835. The real rules are the
server's (server/payments/, server/remittances/) and tested there (tests/api/).

Seeded: Maria Johnson (1) owes $20.00 of an office visit Aetna paid and has a lab line still with Aetna; Thanh Nguyen
(5, no policy) owes a whole visit; one ERA from Aetna is posted already. ``ERA_FILE`` is the content whose import
makes a second ERA (two ready claim payments and one exception); other content starting with "ISA" imports as is.

Switches a test flips: ``fail_on["post_patient_payment"] = ...``; ``requests["post_patient_payment"]`` holds the
arguments each call got.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from client_tui.gateway import FieldViolation, GatewayError, InvalidInput, LocalFileError, NotFound, RuleBroken
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.remittances.v1 import remittances_pb2 as rm

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 3)
ERA_FILE = b"ISA*00*          *00*          *ZZ*60054          *ZZ*PMS0001        *261102*0800*^*00501*000000912*0*P*:~"


def stamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


@dataclass
class OpenLine:
    """An encounter line with what the patient still owes on it."""

    encounter_id: int
    line_number: int
    code: str
    date_of_service: date
    patient_due: int


class FakePayments:
    """Needs ``_enter``, ``requests`` and ``fail_on`` from the classes it is mixed with."""

    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    session: auth_pb2.Session | None
    # Kept by the deposits fake (fake_deposits.py): what waits for the bank.
    _payment_taken: Callable[[pm.PatientPayment], None]
    _payment_reversed: Callable[[int], None]
    _era_posted: Callable[[rm.Remittance], None]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    # -- seed ---------------------------------------------------------------------------
    def _seed_payments(self) -> None:
        self.ledgers: dict[int, list[lg.PatientLedgerRow]] = {}
        self.open_lines: dict[int, list[OpenLine]] = {}
        self.patient_payments: dict[int, list[pm.PatientPayment]] = {}
        self.payment_keys: dict[str, tuple[bytes, pm.PostPatientPaymentResponse]] = {}
        self.next_entry = itertools.count(101)
        self.next_payment = itertools.count(501)
        # Maria: a visit and a lab on 10/08; Aetna paid the visit, wrote off the contract and left $20.00 to her.
        visit, lab = date(2026, 10, 8), date(2026, 10, 8)
        self._row(1, "charge", date(2026, 10, 9), "bill", 3, 1, "99213", visit, insurance=12_500)
        self._row(1, "charge", date(2026, 10, 9), "bill", 3, 2, "36415", lab, insurance=2_500)
        self._row(1, "insurance_payment", date(2026, 10, 20), "bill", 3, 1, "99213", visit, insurance=-8_000,
                  note="Aetna ERA EFT20261020A")
        self._row(1, "write_off", date(2026, 10, 20), "bill", 3, 1, "99213", visit, insurance=-2_500,
                  note="CO-45 contractual")
        self._row(1, "transfer", date(2026, 10, 20), "bill", 3, 1, "99213", visit, insurance=-2_000, patient=2_000,
                  note="PR-2 coinsurance")
        self.open_lines[1] = [OpenLine(3, 1, "99213", visit, 2_000)]
        # Thanh Nguyen pays herself: a new-patient visit on 10/27.
        self._row(5, "charge", date(2026, 10, 27), "bill", 5, 1, "99214", date(2026, 10, 27), patient=18_000)
        self.open_lines[5] = [OpenLine(5, 1, "99214", date(2026, 10, 27), 18_000)]
        self._seed_remittances()
        self._seed_worklists()

    def _row(self, patient_id: int, kind: str, business_date: date, by: str, encounter_id: int = 0,
             line_number: int = 0, code: str = "", dos: date | None = None, *, insurance: int = 0, patient: int = 0,
             credit: int = 0, note: str = "") -> lg.PatientLedgerRow:
        rows = self.ledgers.setdefault(patient_id, [])
        last = rows[-1] if rows else lg.PatientLedgerRow()
        row = lg.PatientLedgerRow(
            entry_id=next(self.next_entry), kind=kind, business_date=dates.to_pb(business_date),
            posted_at=stamp(NOW), posted_by=by, encounter_id=encounter_id, line_number=line_number, code=code,
            date_of_service=dates.to_pb(dos) if dos else None, insurance_cents=insurance, patient_cents=patient,
            credit_cents=credit, insurance_balance_cents=last.insurance_balance_cents + insurance,
            patient_balance_cents=last.patient_balance_cents + patient,
            credit_balance_cents=last.credit_balance_cents + credit, note=note)
        rows.append(row)
        return row

    def _balance(self, patient_id: int) -> pm.PatientBalance:
        rows = self.ledgers.get(patient_id, [])
        last = rows[-1] if rows else lg.PatientLedgerRow()
        return pm.PatientBalance(patient_due_cents=last.patient_balance_cents,
                                 insurance_due_cents=last.insurance_balance_cents,
                                 unapplied_credit_cents=last.credit_balance_cents)

    def _money_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    # -- ledger and payments --------------------------------------------------------------
    async def get_patient_ledger(self, patient_id: int) -> lg.GetPatientLedgerResponse:
        self._money_call("get_patient_ledger", "ledger.read", patient_id)
        balance = self._balance(patient_id)
        return lg.GetPatientLedgerResponse(
            rows=[lg.PatientLedgerRow.FromString(r.SerializeToString()) for r in self.ledgers.get(patient_id, [])],
            insurance_balance_cents=balance.insurance_due_cents, patient_balance_cents=balance.patient_due_cents,
            credit_balance_cents=balance.unapplied_credit_cents)

    async def post_patient_payment(
        self, payment: pm.PatientPayment, applications: Sequence[pm.Application] = (),
        keep_as_credit: bool = False, idempotency_key: str = "",
    ) -> pm.PostPatientPaymentResponse:
        self._money_call("post_patient_payment", "payments.post", payment, list(applications), keep_as_credit,
                         idempotency_key)
        content = pm.PostPatientPaymentRequest(payment=payment, applications=applications,
                                               keep_as_credit=keep_as_credit).SerializeToString(deterministic=True)
        if idempotency_key in self.payment_keys:
            earlier, answer = self.payment_keys[idempotency_key]
            if earlier != content:
                raise RuleBroken("This idempotency key was used for another payment.", "IDEMPOTENCY_KEY_REUSED")
            return answer
        violations = []
        if payment.method == pm.PAYMENT_METHOD_UNSPECIFIED:
            violations.append(FieldViolation("payment.method", "say how the patient paid: cash, check or card"))
        if payment.method == pm.PAYMENT_METHOD_CHECK and not payment.check_number.strip():
            violations.append(FieldViolation("payment.check_number",
                                             "is required for a check payment: the number on the check"))
        if payment.method == pm.PAYMENT_METHOD_CARD and not payment.card_reference.strip():
            violations.append(FieldViolation("payment.card_reference",
                                             "is required for a card payment: the card processor's reference"))
        if payment.amount_cents <= 0:
            violations.append(FieldViolation("payment.amount_cents", "must be more than $0.00"))
        if violations:
            raise InvalidInput(violations)
        left, applied = payment.amount_cents, list[pm.Application]()
        if not keep_as_credit:
            for line in sorted(self.open_lines.get(payment.patient_id, []), key=lambda li: li.date_of_service):
                share = min(left, line.patient_due)
                if share > 0:
                    line.patient_due -= share
                    left -= share
                    applied.append(pm.Application(encounter_id=line.encounter_id, line_number=line.line_number,
                                                  amount_cents=share, code=line.code,
                                                  date_of_service=dates.to_pb(line.date_of_service)))
        posted = pm.PatientPayment()
        posted.CopyFrom(payment)
        posted.payment_id = next(self.next_payment)
        if not posted.HasField("received_on"):
            posted.received_on.CopyFrom(dates.to_pb(TODAY))
        posted.applications.extend(applied)
        posted.unapplied_cents = left
        posted.posted_by = self.session.username if self.session else ""
        posted.posted_at.CopyFrom(stamp(NOW))
        self._row(payment.patient_id, "patient_payment", TODAY, posted.posted_by,
                  patient=-(payment.amount_cents - left), credit=left, note=payment.note)
        self.patient_payments.setdefault(payment.patient_id, []).insert(0, posted)
        self._payment_taken(posted)
        answer = pm.PostPatientPaymentResponse(payment=posted, balance=self._balance(payment.patient_id))
        self.payment_keys[idempotency_key] = (content, answer)
        return answer

    async def reverse_patient_payment(
        self, payment_id: int, reason: str, idempotency_key: str = ""
    ) -> pm.ReversePatientPaymentResponse:
        self._money_call("reverse_patient_payment", "payments.correct", payment_id, reason, idempotency_key)
        for patient_id, payments in self.patient_payments.items():
            for payment in payments:
                if payment.payment_id == payment_id:
                    if payment.reversed:
                        raise RuleBroken("This payment was already reversed.", "PAYMENT_ALREADY_REVERSED")
                    payment.reversed, payment.reversal_reason = True, reason
                    self._payment_reversed(payment_id)
                    applied = payment.amount_cents - payment.unapplied_cents
                    self._row(patient_id, "payment_reversal", TODAY, payment.posted_by, patient=applied,
                              credit=-payment.unapplied_cents, note=reason)
                    return pm.ReversePatientPaymentResponse(payment=payment, balance=self._balance(patient_id))
        raise NotFound("No such payment.")

    async def apply_patient_credit(self, patient_id: int, idempotency_key: str = "") -> pm.ApplyPatientCreditResponse:
        self._money_call("apply_patient_credit", "payments.post", patient_id, idempotency_key)
        balance = self._balance(patient_id)
        if not balance.unapplied_credit_cents:
            raise RuleBroken("The patient has no unapplied credit.", "NO_CREDIT")
        if not balance.patient_due_cents:
            raise RuleBroken("The patient owes nothing to apply the credit to.", "NOTHING_OWED")
        amount = min(balance.unapplied_credit_cents, balance.patient_due_cents)
        self._row(patient_id, "credit_application", TODAY, "fran", patient=-amount, credit=-amount)
        return pm.ApplyPatientCreditResponse(balance=self._balance(patient_id))

    async def refund_patient_credit(
        self, patient_id: int, amount_cents: int, reason: str, idempotency_key: str = ""
    ) -> pm.RefundPatientCreditResponse:
        self._money_call("refund_patient_credit", "payments.correct", patient_id, amount_cents, reason,
                         idempotency_key)
        if amount_cents > self._balance(patient_id).unapplied_credit_cents:
            raise RuleBroken("The patient has no unapplied credit.", "NO_CREDIT")
        self._row(patient_id, "refund", TODAY, "bill", credit=-amount_cents, note=reason)
        return pm.RefundPatientCreditResponse(balance=self._balance(patient_id))

    async def list_patient_payments(self, patient_id: int, limit: int = 0) -> pm.ListPatientPaymentsResponse:
        self._money_call("list_patient_payments", "ledger.read", patient_id, limit)
        return pm.ListPatientPaymentsResponse(payments=self.patient_payments.get(patient_id, [])[: limit or 100],
                                              balance=self._balance(patient_id))

    # -- ERAs ---------------------------------------------------------------------------
    def _seed_remittances(self) -> None:
        self.remittances: dict[int, rm.Remittance] = {}
        self.remittance_claims: dict[int, list[rm.ClaimPayment]] = {}
        self.remittance_content: dict[bytes, int] = {}
        posted = rm.Remittance(
            remittance_id=1, payer_name="Aetna", trace_number="EFT20261020A", payer_identifier="1060054000",
            payment_cents=8_000, payment_method="ACH", payment_date=dates.to_pb(date(2026, 10, 20)),
            status=rm.REMITTANCE_STATUS_POSTED, file_name="aetna_1020.835", claim_count=1, paid_cents=8_000,
            contractual_cents=2_500, patient_cents=2_000, imported_at=stamp(datetime(2026, 10, 20, 14, tzinfo=UTC)),
            posted_at=stamp(datetime(2026, 10, 20, 14, 5, tzinfo=UTC)), posted_by="bill")
        self.remittances[1] = posted
        self.remittance_claims[1] = [rm.ClaimPayment(
            position=1, control_number="PMS-CL8", status_code="1", payer_claim_number="AET2610200001", claim_id=8,
            patient_id=1, patient_name="Johnson, Maria", date_of_service=dates.to_pb(date(2026, 8, 20)),
            charge_cents=12_500, paid_cents=8_000, contractual_cents=2_500, patient_cents=2_000,
            outcome=rm.CLAIM_PAYMENT_OUTCOME_POSTED)]

    def _new_era(self, file_name: str) -> rm.Remittance:
        remittance_id = max(self.remittances) + 1
        claims = [
            rm.ClaimPayment(position=1, control_number="PMS-CL4", status_code="1", payer_claim_number="AET2611020007",
                            claim_id=4, patient_id=1, patient_name="Johnson, Maria",
                            date_of_service=dates.to_pb(date(2026, 10, 8)), charge_cents=21_500, paid_cents=15_000,
                            contractual_cents=4_500, patient_cents=2_000, outcome=rm.CLAIM_PAYMENT_OUTCOME_READY),
            rm.ClaimPayment(position=2, control_number="PMS-CL3", status_code="4", payer_claim_number="AET2611020008",
                            claim_id=3, patient_id=3, patient_name="Smith, Jonathan",
                            date_of_service=dates.to_pb(date(2026, 10, 12)), charge_cents=12_500, paid_cents=0,
                            contractual_cents=0, patient_cents=0, denied_cents=12_500,
                            outcome=rm.CLAIM_PAYMENT_OUTCOME_READY),
            rm.ClaimPayment(position=3, control_number="PMS-CL999", status_code="1", payer_claim_number="AET2611020009",
                            patient_name="Doe, Jane", date_of_service=dates.to_pb(date(2026, 10, 2)),
                            charge_cents=9_000, paid_cents=6_000, contractual_cents=3_000,
                            outcome=rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION,
                            exception="No claim we sent has the control number PMS-CL999."),
        ]
        counted = [c for c in claims if c.outcome != rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION]
        era = rm.Remittance(
            remittance_id=remittance_id, payer_name="Aetna", trace_number="EFT20261102B",
            payer_identifier="1060054000", payment_cents=15_000, payment_method="ACH",
            payment_date=dates.to_pb(date(2026, 11, 2)), status=rm.REMITTANCE_STATUS_IMPORTED, file_name=file_name,
            claim_count=len(claims), exception_count=len(claims) - len(counted),
            paid_cents=sum(c.paid_cents for c in counted), contractual_cents=sum(c.contractual_cents for c in counted),
            patient_cents=sum(c.patient_cents for c in counted), denied_cents=sum(c.denied_cents for c in counted),
            imported_at=stamp(NOW))
        self.remittances[remittance_id] = era
        self.remittance_claims[remittance_id] = claims
        return era

    async def import_remittance_file(self, path: Path) -> rm.ImportRemittanceFileResponse:
        self._money_call("import_remittance_file", "remittances.post", path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise LocalFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        if not content:
            raise InvalidInput([FieldViolation("content", "the file is empty")])
        if not content.startswith(b"ISA"):
            raise InvalidInput([FieldViolation("content", "this is not a valid 835: it does not start with ISA")])
        if content in self.remittance_content:
            known = self.remittances[self.remittance_content[content]]
            return rm.ImportRemittanceFileResponse(remittances=[known], already_known=[True])
        era = self._new_era(path.name)
        self.remittance_content[content] = era.remittance_id
        return rm.ImportRemittanceFileResponse(remittances=[era], already_known=[False])

    async def list_remittances(self, status: int = 0, limit: int = 0) -> list[rm.Remittance]:
        self._money_call("list_remittances", "remittances.post", status, limit)
        newest = sorted(self.remittances.values(), key=lambda r: -r.remittance_id)
        return [r for r in newest if not status or r.status == status][: limit or 100]

    async def get_remittance(self, remittance_id: int) -> rm.GetRemittanceResponse:
        self._money_call("get_remittance", "remittances.post", remittance_id)
        if remittance_id not in self.remittances:
            raise NotFound("No such ERA.")
        return rm.GetRemittanceResponse(remittance=self.remittances[remittance_id],
                                        claims=self.remittance_claims[remittance_id])

    async def resolve_remittance_exception(self, remittance_id: int, position: int, claim_id: int
                                           ) -> rm.ResolveRemittanceExceptionResponse:
        self._money_call("resolve_remittance_exception", "remittances.post", remittance_id, position, claim_id)
        era = self.remittances[remittance_id]
        claim = next(c for c in self.remittance_claims[remittance_id] if c.position == position)
        if claim.outcome != rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION:
            raise RuleBroken("This claim payment is not an exception.", "NOT_AN_EXCEPTION")
        if claim_id != 9:  # the fake's only claim that fits PMS-CL999's services
            raise RuleBroken(f"It still cannot post: service 1 (99213) matches no single line of claim {claim_id}.",
                             "STILL_AN_EXCEPTION")
        claim.claim_id, claim.exception = claim_id, ""
        posted = era.status == rm.REMITTANCE_STATUS_POSTED
        claim.outcome = rm.CLAIM_PAYMENT_OUTCOME_POSTED if posted else rm.CLAIM_PAYMENT_OUTCOME_READY
        era.exception_count -= 1
        return rm.ResolveRemittanceExceptionResponse(remittance=era, claim=claim, posted_claims=int(posted))

    async def post_remittance(self, remittance_id: int) -> rm.PostRemittanceResponse:
        self._money_call("post_remittance", "remittances.post", remittance_id)
        era = self.remittances.get(remittance_id)
        if era is None:
            raise NotFound("No such ERA.")
        if era.status == rm.REMITTANCE_STATUS_REVIEW:
            raise RuleBroken("This ERA repeats a trace number already imported with other content; it is held for "
                             "review and never posts automatically.", "ERA_HELD_FOR_REVIEW")
        count = 0
        for claim in self.remittance_claims[remittance_id]:
            if claim.outcome == rm.CLAIM_PAYMENT_OUTCOME_READY:
                claim.outcome = rm.CLAIM_PAYMENT_OUTCOME_POSTED
                count += 1
        era.status = rm.REMITTANCE_STATUS_POSTED
        era.posted_at.CopyFrom(stamp(NOW))
        era.posted_by = self.session.username if self.session else ""
        self._era_posted(era)
        return rm.PostRemittanceResponse(remittance=era, posted_claims=count)

    # -- worklists: denials and underpayments ---------------------------------------------
    def _seed_worklists(self) -> None:
        self.denials = [
            rm.Denial(denial_id=1, claim_id=3, patient_id=3, patient_name="Smith, Jonathan", line_number=1,
                      code="99213", date_of_service=dates.to_pb(date(2026, 10, 12)), charge_cents=12_500,
                      reasons=["CO-50 These are non-covered services because this is not deemed a medical necessity "
                               "by the payer."],
                      remarks=["N115 This decision was based on a Local Coverage Determination (LCD)."],
                      suggested_action="appeal", payer_name="Aetna", remittance_id=1),
            rm.Denial(denial_id=2, claim_id=4, patient_id=1, patient_name="Johnson, Maria", line_number=2,
                      code="36415", date_of_service=dates.to_pb(date(2026, 10, 8)), charge_cents=2_500,
                      reasons=["CO-16 Claim/service lacks information or has submission/billing error(s)."],
                      remarks=["M51 Missing/incomplete/invalid procedure code(s)."],
                      suggested_action="correct_and_resubmit", payer_name="Blue Cross", remittance_id=1),
        ]
        # Short = expected allowed - allowed; the total is their sum ($17.50).
        self.underpayments = [
            rm.Underpayment(underpayment_id=1, claim_id=8, patient_id=1, patient_name="Johnson, Maria",
                            line_number=1, code="99213", date_of_service=dates.to_pb(date(2026, 8, 20)),
                            charge_cents=12_500, expected_allowed_cents=11_000, allowed_cents=10_000,
                            short_cents=1_000, payer_name="Aetna", remittance_id=1),
            rm.Underpayment(underpayment_id=2, claim_id=6, patient_id=3, patient_name="Smith, Jonathan",
                            line_number=1, code="99214", date_of_service=dates.to_pb(date(2026, 9, 15)),
                            charge_cents=18_000, expected_allowed_cents=14_500, allowed_cents=13_750,
                            short_cents=750, payer_name="UnitedHealthcare", remittance_id=1),
        ]

    async def list_denials(self, limit: int = 0) -> list[rm.Denial]:
        self._money_call("list_denials", "remittances.post", limit)
        return list(self.denials[: limit or 200])

    async def list_underpayments(self, limit: int = 0) -> rm.ListUnderpaymentsResponse:
        self._money_call("list_underpayments", "remittances.post", limit)
        shown = self.underpayments[: limit or 200]
        return rm.ListUnderpaymentsResponse(underpayments=shown, total_short_cents=sum(u.short_cents for u in shown))

    async def post_paper_remittance(self, request: rm.PostPaperRemittanceRequest) -> rm.PostPaperRemittanceResponse:
        """Checks what the screen must show: the check's fields, a line that does not add up to its charge, the
        check's total; known claims are 4 (lines 1-2) and 8 (line 1)."""
        self._money_call("post_paper_remittance", "remittances.post", request)
        charges = {(4, 1): 12_500, (4, 2): 9_000, (8, 1): 12_500}
        violations = []
        if not request.payer_id:
            violations.append(FieldViolation("payer_id", "is required: the payer who sent the check"))
        if not request.check_number.strip():
            violations.append(FieldViolation("check_number", "is required: the number on the check"))
        paid = 0
        for ci, claim in enumerate(request.claims):
            for si, service in enumerate(claim.services):
                charge = charges.get((claim.claim_id, service.line_number))
                where = f"claims[{ci}].services[{si}]"
                if charge is None:
                    violations.append(FieldViolation(f"{where}.line_number",
                                                      f"claim {claim.claim_id} has no line {service.line_number}"))
                    continue
                adjusted = sum(a.amount_cents for a in service.adjustments)
                if service.paid_cents + adjusted != charge:
                    violations.append(FieldViolation(
                        f"{where}.paid_cents", f"paid plus adjustments make {service.paid_cents + adjusted} cents; "
                        f"the line's charge is {charge}"))
                paid += service.paid_cents
        if not violations and paid != request.payment_cents:
            violations.append(FieldViolation("payment_cents", f"the claims' payments add up to {paid} cents"))
        if violations:
            raise InvalidInput(violations)
        payer = {1: "Aetna", 3: "UnitedHealthcare"}.get(request.payer_id, f"Payer {request.payer_id}")
        claims = []
        for n, claim in enumerate(request.claims, 1):
            adjustments = [a for s in claim.services for a in s.adjustments]
            claims.append(rm.ClaimPayment(
                position=n, control_number=f"PMS-CL{claim.claim_id}", claim_id=claim.claim_id,
                charge_cents=sum(charges[(claim.claim_id, s.line_number)] for s in claim.services),
                paid_cents=sum(s.paid_cents for s in claim.services),
                contractual_cents=sum(a.amount_cents for a in adjustments if a.group != "PR"),
                patient_cents=sum(a.amount_cents for a in adjustments if a.group == "PR"),
                outcome=rm.CLAIM_PAYMENT_OUTCOME_POSTED))
        era = rm.Remittance(
            remittance_id=max(self.remittances) + 1, payer_name=payer, trace_number=request.check_number,
            payment_cents=request.payment_cents, payment_method="CHK", payment_date=request.check_date,
            status=rm.REMITTANCE_STATUS_POSTED, file_name="", claim_count=len(claims),
            paid_cents=sum(c.paid_cents for c in claims), contractual_cents=sum(c.contractual_cents for c in claims),
            patient_cents=sum(c.patient_cents for c in claims), imported_at=stamp(NOW), posted_at=stamp(NOW),
            posted_by=self.session.username if self.session else "")
        self.remittances[era.remittance_id] = era
        self.remittance_claims[era.remittance_id] = claims
        self._era_posted(era)
        return rm.PostPaperRemittanceResponse(remittance=era, claims=claims)
