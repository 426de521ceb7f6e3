"""How the simulated payer decides (pure): acknowledge or reject each claim (277CA), then adjudicate the accepted
ones by its contract (835): allowed amount per code or a share of the charge, the member's deductible, coinsurance
and copay, denials with real CARC/RARC codes for uncovered codes and missing authorizations.

Deterministic: the same claim with the same member state gives the same answer, so tests can pin figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from server.payer_sim.read837 import Claim

# E/M visit codes a copay applies to (one copay per claim, on the first of these lines).
COPAY_CODES = frozenset({"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"})


@dataclass
class Member:
    active: bool = True
    plan: str = "Simulated PPO"
    deductible_remaining_cents: int = 0
    # Percent the member pays after the deductible.
    coinsurance_percent: int = 20
    copay_cents: int = 0


@dataclass
class SimConfig:
    # member id -> the member; unknown members get `default_member` unless `reject_unknown_members`.
    members: dict[str, Member] = field(default_factory=dict)
    default_member: Member = field(default_factory=Member)
    reject_unknown_members: bool = False
    # code -> allowed cents per unit; other codes are allowed at `allowed_percent` of the charge.
    fee_schedule: dict[str, int] = field(default_factory=dict)
    allowed_percent: int = 65
    uncovered_codes: frozenset[str] = frozenset({"99406"})
    auth_required_codes: frozenset[str] = frozenset({"20610"})
    # Every n-th paid claim is later reversed and paid again (CLP02 22 then a corrected claim); 0: never.
    reversal_every: int = 0
    # Seconds between the 277CA and the 835.
    remit_delay_seconds: float = 0.0


@dataclass(frozen=True)
class Acknowledgment:
    control_number: str
    accepted: bool
    # STC01 composite (category:status:entity) and its charge; the payer's claim number when accepted.
    status: str
    charge_cents: int
    payer_claim_number: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, PR, OA
    reason: str  # CARC
    amount_cents: int


@dataclass(frozen=True)
class LineDecision:
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    units: int
    allowed_cents: int
    paid_cents: int
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]
    service_date: date | None
    control_number: str


@dataclass(frozen=True)
class ClaimDecision:
    control_number: str
    payer_claim_number: str
    # CLP02: 1 processed as primary, 2 as secondary, 4 denied, 22 reversal.
    status_code: str
    charge_cents: int
    paid_cents: int
    patient_responsibility_cents: int
    lines: tuple[LineDecision, ...]
    claim: Claim


def acknowledge(claim: Claim, config: SimConfig, today: date, payer_claim_number: str) -> Acknowledgment:
    """The clearinghouse/payer front end: what real ones reject before adjudication."""
    if claim.member_id not in config.members and config.reject_unknown_members:
        return Acknowledgment(claim.control_number, False, "A3:33:IL", claim.total_charge_cents,
                              reason="subscriber and subscriber id not found")
    member = config.members.get(claim.member_id, config.default_member)
    if not member.active:
        return Acknowledgment(claim.control_number, False, "A3:52:IL", claim.total_charge_cents,
                              reason="coverage not in effect on the date of service")
    future = [li for li in claim.lines if li.service_date is not None and li.service_date > today]
    if future:
        return Acknowledgment(claim.control_number, False, "A7:187", claim.total_charge_cents,
                              reason="date of service in the future")
    if claim.frequency in ("7", "8") and not claim.original_reference:
        return Acknowledgment(claim.control_number, False, "A7:464", claim.total_charge_cents,
                              reason="replacement without the payer's original claim number")
    return Acknowledgment(claim.control_number, True, "A2:20", claim.total_charge_cents, payer_claim_number)


def _share(cents: int, percent: int) -> int:
    """cents x percent / 100, rounded half up."""
    q, r = divmod(cents * percent, 100)
    return q + (2 * r >= 100)


def adjudicate(claim: Claim, config: SimConfig, payer_claim_number: str, member: Member) -> ClaimDecision:
    """Prices each line, then applies the member's deductible, copay and coinsurance in line order; mutates
    `member`'s remaining deductible, as a payer's accumulators do."""
    lines = []
    copay_taken = False
    for li in claim.lines:
        adjustments: list[Adjustment] = []
        remarks: list[str] = []
        if li.code in config.uncovered_codes:
            adjustments.append(Adjustment("CO", "96", li.charge_cents))
            remarks.append("N130")
            lines.append(LineDecision(li.code, li.modifiers, li.charge_cents, li.units, 0, 0, tuple(adjustments),
                                      tuple(remarks), li.service_date, li.control_number))
            continue
        if li.code in config.auth_required_codes and not claim.prior_authorization:
            adjustments.append(Adjustment("CO", "197", li.charge_cents))
            remarks.append("M62")
            lines.append(LineDecision(li.code, li.modifiers, li.charge_cents, li.units, 0, 0, tuple(adjustments),
                                      tuple(remarks), li.service_date, li.control_number))
            continue
        rate = config.fee_schedule.get(li.code)
        allowed = min(li.charge_cents, rate * li.units if rate is not None
                      else _share(li.charge_cents, config.allowed_percent))
        if li.charge_cents > allowed:
            adjustments.append(Adjustment("CO", "45", li.charge_cents - allowed))
        left = allowed
        deductible = min(left, member.deductible_remaining_cents)
        if deductible:
            adjustments.append(Adjustment("PR", "1", deductible))
            member.deductible_remaining_cents -= deductible
            left -= deductible
        if not copay_taken and member.copay_cents and li.code in COPAY_CODES and left:
            copay = min(left, member.copay_cents)
            adjustments.append(Adjustment("PR", "3", copay))
            left -= copay
            copay_taken = True
        coinsurance = _share(left, member.coinsurance_percent)
        if coinsurance:
            adjustments.append(Adjustment("PR", "2", coinsurance))
            left -= coinsurance
        lines.append(LineDecision(li.code, li.modifiers, li.charge_cents, li.units, allowed, left,
                                  tuple(adjustments), tuple(remarks), li.service_date, li.control_number))
    paid = sum(li.paid_cents for li in lines)
    patient = sum(a.amount_cents for li in lines for a in li.adjustments if a.group == "PR")
    denied = all(li.allowed_cents == 0 for li in lines)
    status = "4" if denied else ("2" if claim.responsibility == "S" else "1")
    return ClaimDecision(claim.control_number, payer_claim_number, status, claim.total_charge_cents, paid, patient,
                         tuple(lines), claim)


def reversal_of(decision: ClaimDecision) -> ClaimDecision:
    """The 835 entry taking a payment back (CLP02 22): every amount negated."""
    return ClaimDecision(
        decision.control_number, decision.payer_claim_number, "22", -decision.charge_cents, -decision.paid_cents,
        -decision.patient_responsibility_cents,
        tuple(LineDecision(li.code, li.modifiers, -li.charge_cents, li.units, -li.allowed_cents, -li.paid_cents,
                           tuple(Adjustment(a.group, a.reason, -a.amount_cents) for a in li.adjustments),
                           li.remarks, li.service_date, li.control_number) for li in decision.lines),
        decision.claim)


def config_from_json(data: dict[str, object]) -> SimConfig:
    """The simulator's configuration file (JSON): members by member id, the contract and denial rules.

    {"members": {"XYZ123": {"active": true, "deductible_remaining_cents": 50000, "coinsurance_percent": 20,
                            "copay_cents": 2500, "plan": "Gold PPO"}},
     "default_member": {...}, "reject_unknown_members": false, "fee_schedule": {"99213": 9500},
     "allowed_percent": 65, "uncovered_codes": ["99406"], "auth_required_codes": ["20610"],
     "reversal_every": 0, "remit_delay_seconds": 60}
    Unknown keys are refused, so a typo does not silently leave a rule at its default."""
    known = set(SimConfig.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown simulator settings: {sorted(unknown)} (known: {sorted(known)})")

    def member(value: object) -> Member:
        if not isinstance(value, dict):
            raise ValueError(f"a member must be an object, got {value!r}")
        return Member(**value)

    out = SimConfig()
    for key, value in data.items():
        if key == "members":
            out.members = {str(k): member(v) for k, v in dict(value).items()}  # type: ignore[call-overload]
        elif key == "default_member":
            out.default_member = member(value)
        elif key in ("uncovered_codes", "auth_required_codes"):
            setattr(out, key, frozenset(str(c) for c in value))  # type: ignore[attr-defined]
        elif key == "fee_schedule":
            out.fee_schedule = {str(k): int(v) for k, v in dict(value).items()}  # type: ignore[call-overload]
        else:
            setattr(out, key, value)
    return out
