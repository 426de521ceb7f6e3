"""ERA posting rules, pure: which claim line each service is, what each claim payment posts, what a denial asks.

Nothing here guesses. A service is matched by the line control number we sent (REF*6R), else by its code when
that is unambiguous on the claim (payers drop and reorder modifiers); anything else is an exception for a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from server.x12.writer835 import Adjustment, ClaimPayment, ServicePayment

# CLP02: processed as primary/secondary/tertiary, denied, forwarded (crossover) variants, and the reversal.
PROCESSED = {"1", "2", "3", "19", "20", "21"}
DENIED = "4"
REVERSAL = "22"
KNOWN_STATUS = PROCESSED | {DENIED, REVERSAL, "23", "25"}
# CAS groups that come off the bill (the payer's contract, its own reductions, other adjustments).
OFF_THE_BILL = {"CO", "OA", "PI"}

# What a biller usually does about a denial, by CARC (the first reason that has an answer wins).
SUGGESTED_ACTIONS = {
    **dict.fromkeys(("4", "5", "11", "16", "22", "27", "31", "109", "140", "146", "181", "182", "189"),
                    "correct_and_resubmit"),
    **dict.fromkeys(("15", "50", "56", "57", "151", "197"), "appeal"),
    **dict.fromkeys(("18", "29", "45", "97", "234"), "write_off"),
    **dict.fromkeys(("35", "49", "96", "119", "204"), "bill_patient"),
}


@dataclass(frozen=True)
class BilledLine:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    # What the payer's contract allows for the line (all units), when a contract prices it.
    expected_allowed_cents: int | None = None


@dataclass(frozen=True)
class ServicePlan:
    """What one service posts. ``line_number`` None: claim level (a payer that adjudicated without lines)."""

    line_number: int | None
    charge_cents: int
    paid_cents: int
    contractual_cents: int
    patient_cents: int
    # Denied: nothing paid, nothing to the patient. Nothing posts; the charge stays with the payer.
    denied: bool = False
    reasons: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()
    # Allowed (paid + patient share) below what the contract allows: the payer owes this much more.
    underpaid_cents: int = 0


@dataclass(frozen=True)
class ClaimPlan:
    services: tuple[ServicePlan, ...]
    # CLP04: what the payer paid on the claim (the money line of the entry).
    paid_cents: int
    # Claim-level CAS (with services): they reduce the payment, not the lines.
    claim_contractual_cents: int = 0
    claim_patient_cents: int = 0
    claim_status: str = "paid"
    exception: str = ""
    remarks: tuple[str, ...] = field(default=())

    @property
    def contractual_cents(self) -> int:
        return self.claim_contractual_cents + sum(s.contractual_cents for s in self.services if not s.denied)

    @property
    def patient_cents(self) -> int:
        return self.claim_patient_cents + sum(s.patient_cents for s in self.services if not s.denied)

    @property
    def denied_cents(self) -> int:
        return sum(s.charge_cents for s in self.services if s.denied)

    @property
    def underpaid_cents(self) -> int:
        return sum(s.underpaid_cents for s in self.services)


def exception(message: str) -> ClaimPlan:
    return ClaimPlan((), 0, exception=message)


def split(adjustments: Sequence[Adjustment], *, after_primary: bool = False) -> tuple[int, int]:
    """(off the bill, patient responsibility) in cents. A secondary payer's OA-23 (the impact of the prior
    payer's adjudication) is what the primary already paid and took off: not again."""
    off = sum(a.amount_cents for a in adjustments if a.group in OFF_THE_BILL
              and not (after_primary and a.group == "OA" and a.reason == "23"))
    patient = sum(a.amount_cents for a in adjustments if a.group == "PR")
    return off, patient


def reasons(adjustments: Sequence[Adjustment]) -> tuple[str, ...]:
    return tuple(f"{a.group}-{a.reason}" for a in adjustments)


def suggested_action(reason_codes: Sequence[str]) -> str:
    for r in reason_codes:
        action = SUGGESTED_ACTIONS.get(r.split("-", 1)[-1])
        if action:
            return action
    return "appeal"


def underpaid(line: BilledLine, allowed_cents: int) -> int:
    """How far the payer's allowed amount falls short of its contract's for the line (0 when it does not)."""
    if line.expected_allowed_cents is None:
        return 0
    return max(0, line.expected_allowed_cents - allowed_cents)


def match_lines(claim_id: int, billed: Sequence[BilledLine], services: Sequence[ServicePayment]
                ) -> list[int] | str:
    """The claim line number of each service, in order, or why they cannot be matched."""
    by_number = {b.line_number: b for b in billed}
    taken: set[int] = set()
    out: list[int] = []
    for i, svc in enumerate(services, 1):
        found: int | None = None
        prefix = f"{claim_id}-"
        if svc.control_number.startswith(prefix) and svc.control_number[len(prefix):].isdigit():
            number = int(svc.control_number[len(prefix):])
            if number in by_number and number not in taken:
                found = number
        if found is None:
            # Without our control number: the code alone when it is on one open line; with its modifiers in any
            # order when the code is on several.
            same_code = [b for b in billed if b.code == svc.procedure_code and b.line_number not in taken]
            if len(same_code) > 1:
                same_code = [b for b in same_code if sorted(b.modifiers) == sorted(svc.modifiers)]
            if len(same_code) == 1:
                found = same_code[0].line_number
        if found is None:
            return f"service {i} ({svc.procedure_code}) matches no single line of claim {claim_id}"
        taken.add(found)
        out.append(found)
    return out


def plan_claim(claim_id: int, billed: Sequence[BilledLine], cp: ClaimPayment, *, after_primary: bool = False
               ) -> ClaimPlan:
    """What a matched claim payment posts, or an exception saying why it cannot. ``after_primary``: the claim is a
    secondary or tertiary one, whose payer's A/R holds only what the payers before it left."""
    if cp.status not in KNOWN_STATUS:
        return exception(f"claim status code {cp.status} is not one this system posts")
    reversal = cp.status == REVERSAL
    sign = -1 if reversal else 1
    # Whether it adds up is judged on everything the payer says; what posts leaves out a secondary's OA-23.
    claim_off_all, claim_patient = split(cp.adjustments)
    claim_off = split(cp.adjustments, after_primary=after_primary)[0]
    services: list[ServicePlan] = []
    if cp.lines:
        matched = match_lines(claim_id, billed, cp.lines)
        if isinstance(matched, str):
            return exception(matched)
        by_number = {b.line_number: b for b in billed}
        for i, (svc, number) in enumerate(zip(cp.lines, matched, strict=True), 1):
            off_all, patient = split(svc.adjustments)
            if svc.charge_cents - svc.paid_cents - off_all - patient != 0:
                return exception(f"service {i} ({svc.procedure_code}) does not add up: charge minus payment and "
                                 "adjustments is not zero")
            if svc.charge_cents != sign * by_number[number].charge_cents:
                return exception(f"service {i} ({svc.procedure_code}) reports a charge of "
                                 f"{svc.charge_cents / 100:,.2f}; line {number} was billed at "
                                 f"{by_number[number].charge_cents / 100:,.2f}")
            off = split(svc.adjustments, after_primary=after_primary)[0]
            denied = svc.paid_cents == 0 and patient == 0 and (off != 0 if after_primary else svc.charge_cents != 0)
            short = 0 if denied or reversal or after_primary else underpaid(by_number[number],
                                                                            svc.paid_cents + patient)
            services.append(ServicePlan(number, svc.charge_cents, svc.paid_cents, off, patient, denied,
                                        reasons(svc.adjustments), svc.remarks, short))
        if sum(s.paid_cents for s in cp.lines) - claim_off_all - claim_patient != cp.paid_cents:
            return exception("the services' payments less the claim's adjustments are not the claim's payment")
    else:
        if cp.charge_cents != sign * sum(b.charge_cents for b in billed):
            return exception(f"the payment reports a charge of {cp.charge_cents / 100:,.2f}; the claim was billed "
                             f"at {sum(b.charge_cents for b in billed) / 100:,.2f}")
        if cp.charge_cents - cp.paid_cents - claim_off_all - claim_patient != 0:
            return exception("the claim payment does not add up: charge minus payment and adjustments is not zero")
        denied = cp.paid_cents == 0 and claim_patient == 0 and (claim_off != 0 if after_primary
                                                                else cp.charge_cents != 0)
        services.append(ServicePlan(None, cp.charge_cents, cp.paid_cents, claim_off, claim_patient, denied,
                                    reasons(cp.adjustments), cp.remarks))
        claim_off = claim_patient = 0
    if reversal:
        status = "accepted"
    elif all(s.denied for s in services):
        status = "denied"
    elif any(s.denied for s in services):
        status = "partially_paid"
    else:
        status = "paid"
    return ClaimPlan(tuple(services), cp.paid_cents, claim_off, claim_patient, status, remarks=cp.remarks)
