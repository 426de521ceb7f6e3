"""Reading a received 837P the way a clearinghouse front end does: the envelope strictly (server/x12/reader.py),
then the claims, their subscriber, payer and lines. What it cannot follow is an X12ReadError naming the segment,
which the simulator answers with a rejecting 999."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from server.x12.reader import Envelope, Segment, X12ReadError, parse_cents, parse_date, transactions_of

GUIDES = frozenset({"005010X222A1"})


@dataclass
class Line:
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    units: int
    service_date: date | None = None
    control_number: str = ""


@dataclass
class Claim:
    control_number: str
    total_charge_cents: int
    place_of_service: str
    frequency: str
    payer_id: str
    payer_name: str
    member_id: str
    subscriber_last: str
    subscriber_first: str
    patient_last: str
    patient_first: str
    claim_filing_indicator: str
    responsibility: str
    original_reference: str = ""
    prior_authorization: str = ""
    diagnoses: tuple[str, ...] = ()
    lines: list[Line] = field(default_factory=list)
    # The segment it starts at, for error reports.
    ordinal: int = 0


@dataclass
class Received:
    envelope: Envelope
    billing_npi: str
    claims: list[Claim]
    billing_name: str = ""


def _units(segment: Segment, position: int) -> int:
    value = segment.element(position) or "1"
    try:
        amount = float(value)
    except ValueError:
        raise segment.error(f"SV104 units {value!r} is not a number") from None
    return max(1, round(amount))


def read_837p(data: bytes | str) -> list[Received]:
    out = []
    for envelope, transaction in transactions_of(data, functional_id="HC", set_id="837", guides=GUIDES,
                                                 name="837P"):
        billing_npi, billing_name, claims = "", "", []
        subscriber: dict[str, str] = {}
        patient: dict[str, str] = {}
        claim: Claim | None = None
        line: Line | None = None
        other_payer = False  # inside loop 2320/2330 (another payer's data), skipped
        for seg in transaction.body:
            sid, q = seg.id, seg.element(1)
            if sid == "HL":
                level = seg.element(3)
                claim, line, other_payer = None, None, False
                if level == "22":
                    subscriber, patient = {}, {}
                elif level == "23":
                    patient = {}
            elif sid == "NM1" and q == "85":
                billing_npi, billing_name = seg.element(9), seg.element(3)
            elif sid == "SBR":
                if claim is not None:
                    other_payer = True
                else:
                    subscriber.update(responsibility=q, cfi=seg.element(9))
            elif other_payer and sid != "LX":
                continue
            elif sid == "NM1" and q == "IL":
                subscriber.update(last=seg.element(3), first=seg.element(4), member=seg.element(9))
            elif sid == "NM1" and q == "PR":
                subscriber.update(payer_name=seg.element(3), payer_id=seg.element(9))
            elif sid == "NM1" and q == "QC":
                patient.update(last=seg.element(3), first=seg.element(4))
            elif sid == "CLM":
                if not subscriber.get("member") or not subscriber.get("payer_id"):
                    raise seg.error("CLM before its subscriber (NM1*IL) and payer (NM1*PR)")
                facility = seg.components(5)
                claim = Claim(
                    control_number=seg.required(1, "patient control number"),
                    total_charge_cents=parse_cents(seg, 2),
                    place_of_service=facility[0] if facility else "",
                    frequency=facility[2] if len(facility) > 2 else "1",
                    payer_id=subscriber["payer_id"], payer_name=subscriber.get("payer_name", ""),
                    member_id=subscriber["member"], subscriber_last=subscriber.get("last", ""),
                    subscriber_first=subscriber.get("first", ""),
                    patient_last=patient.get("last", subscriber.get("last", "")),
                    patient_first=patient.get("first", subscriber.get("first", "")),
                    claim_filing_indicator=subscriber.get("cfi", ""),
                    responsibility=subscriber.get("responsibility", "P"), ordinal=seg.ordinal)
                claims.append(claim)
                line = None
            elif claim is None:
                continue
            elif sid == "REF" and q == "F8" and line is None:
                claim.original_reference = seg.element(2)
            elif sid == "REF" and q == "G1" and line is None:
                claim.prior_authorization = seg.element(2)
            elif sid == "HI":
                claim.diagnoses += tuple(seg.component(i, 2) for i in range(1, 13) if seg.element(i))
            elif sid == "LX":
                other_payer = False
                line = None
            elif sid == "SV1":
                procedure = seg.components(1)
                if len(procedure) < 2 or procedure[0] != "HC":
                    raise seg.error(f"SV101 {seg.element(1)!r} is not an HC procedure code")
                line = Line(procedure[1], tuple(m for m in procedure[2:6] if m), parse_cents(seg, 2),
                            _units(seg, 4))
                claim.lines.append(line)
            elif sid == "DTP" and q == "472" and line is not None:
                line.service_date = parse_date(seg, 3) if seg.element(2) == "D8" else None
            elif sid == "REF" and q == "6R" and line is not None:
                line.control_number = seg.element(2)
        for c in claims:
            if not c.lines:
                raise X12ReadError(f"claim {c.control_number} has no service line", ordinal=c.ordinal, line=0,
                                   segment_id="CLM")
            if sum(li.charge_cents for li in c.lines) != c.total_charge_cents:
                raise X12ReadError(f"claim {c.control_number}: CLM02 is not the sum of its lines' SV102",
                                   ordinal=c.ordinal, line=0, segment_id="CLM")
        out.append(Received(envelope, billing_npi, claims, billing_name))
    return out
