"""The 277CA writer (005010X214, health care claim acknowledgment): what the payer/clearinghouse simulator sends
back about each claim of a received 837. Pure Python: a `ClaimAcknowledgment` in, the interchange text out.

Levels (HL), as the guide has them:

* 2000A information source: the clearinghouse (NM1*AY) or payer (NM1*PR) that writes the file, its trace number
  (TRN*1), the date it received the 837 (DTP*050) and the date it processed it (DTP*009);
* 2000B information receiver: the submitter (NM1*41 with its ETIN), the submitter's trace of the batch (TRN*2,
  usually the 837's BHT03), one status for the batch (STC, entity 41 by default), the counts and totals of the
  claims accepted (QTY*90, AMT*YU) and rejected (QTY*AA, AMT*YY);
* 2000C billing provider: NM1*85 with its NPI, a trace (TRN*1, "0" when the source has none), one status (STC,
  no date at this level; entity 85 by default), counts and totals as above (QTY*QA/QC, AMT*YU/YY);
* 2000D patient, one per claim: NM1*QC with the member id, then the claim (2200D): TRN*2 with the patient control
  number the provider sent in CLM01, one STC with up to three statuses (category:status:entity) dated
  `processed_on`, the action code (WQ accepted, U rejected) and the claim's total charge, REF*1K (the payer's claim
  control number, for an accepted claim), REF*D9 (a clearinghouse trace number), DTP*472 (service date, D8 or
  RD8 range) and optional service lines (2220D: SVC with the procedure and charge, STC, REF*FJ with the line item
  control number the provider sent in REF*6R, DTP*472).

A claim is *rejected* when one of its status categories is A3, A4, A6, A7 or A8 (the same rule the 277CA reader
applies, `server.x12.ack277ca`), otherwise accepted; STC03 follows (U or WQ), and a rejected claim must not carry a
payer claim control number. The guide allows only U in a service line's STC03 (line statuses report line
rejections), so a line's statuses must include a rejecting category. Batch and provider verdicts are derived: WQ
when at least one of their claims is accepted, else U, with the totals of all their claims.

pyx12 4.0 has a map for 005010X214, and every file this writer produces is held to it in the tests. Bad input
raises `ValueError` naming the field (`providers[0].claims[2].control_number: ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from server.x12.segments import clean, composite, money, quantity, x12_date, x12_time
from server.x12.writer_base import (
    Envelope,
    SegmentList,
    code,
    identifier,
    npi,
    pattern,
    positive_count,
    required,
)

IMPLEMENTATION_GUIDE = "005010X214"
ACCEPTING_CATEGORIES = frozenset({"A1", "A2", "A5"})
REJECTING_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
# Entity identifier codes each level's STC01-3 (and STC10-3, STC11-3) allows (pyx12's map of the guide).
RECEIVER_ENTITIES = frozenset({"36", "40", "41", "AY", "PR"})
PROVIDER_ENTITIES = frozenset({"36", "40", "41", "77", "82", "85", "87", "AY", "PR"})
CLAIM_ENTITIES = frozenset({"03", "1P", "1Z", "40", "41", "71", "72", "73", "77", "82", "85", "87", "DK", "DN", "DQ",
                            "FA", "GB", "HK", "IL", "LI", "MSC", "PR", "PRP", "QB", "QC", "QD", "SEP", "TL", "TTP",
                            "TU"})
SOURCE_ENTITIES = frozenset({"AY", "PR"})
SOURCE_ID_QUALIFIERS = frozenset({"46", "FI", "PI", "XV"})
PROCEDURE_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "NU", "WK"})
MAX_STATUSES = 3  # STC01, STC10, STC11

_CATEGORY = re.compile(r"[A-Z][0-9A-Z]")
_STATUS_CODE = re.compile(r"[0-9A-Z]{1,30}")
_PROCEDURE = re.compile(r"[A-Z0-9]{1,48}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")


@dataclass(frozen=True)
class Status:
    """One status composite (C043): category (code source 507), status code (508), entity (98)."""

    category: str
    code: str
    entity: str = ""


@dataclass(frozen=True)
class InformationSource:
    """2100A: whoever writes the acknowledgment."""

    name: str
    identifier: str
    entity: str = "AY"  # AY clearinghouse, PR payer
    id_qualifier: str = "46"  # 46 ETIN, FI tax id, PI payer id, XV CMS plan id


@dataclass(frozen=True)
class Patient:
    """2100D: the patient as the payer knows them (NM1*QC)."""

    last: str
    first: str
    member_id: str
    middle: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class LineStatus:
    """2220D: a service line the payer rejected."""

    procedure_code: str
    charge_cents: int
    statuses: tuple[Status, ...]
    service_date: date
    service_end: date | None = None
    modifiers: tuple[str, ...] = ()
    code_qualifier: str = "HC"
    units_milli: int = 1000
    control_number: str = ""  # REF*FJ: the line item control number the provider sent (837 REF*6R)


@dataclass(frozen=True)
class ClaimStatus:
    """2000D/2200D: one acknowledged claim."""

    patient: Patient
    control_number: str  # CLM01, the patient control number
    total_charge_cents: int
    statuses: tuple[Status, ...]  # one STC: 1-3 composites
    service_from: date
    service_to: date | None = None
    payer_claim_number: str = ""  # REF*1K, accepted claims only
    clearinghouse_trace: str = ""  # REF*D9
    free_text: str = ""  # STC12
    lines: tuple[LineStatus, ...] = ()

    @property
    def rejected(self) -> bool:
        return any(s.category.strip().upper() in REJECTING_CATEGORIES for s in self.statuses)


@dataclass(frozen=True)
class ProviderStatus:
    """2000C: the billing provider and the claims it billed."""

    name: str  # organization name, or the last name when `first` is given
    npi: str
    claims: tuple[ClaimStatus, ...]
    first: str = ""
    trace: str = "0"  # TRN*1 at this level
    # STC01 at this level; None: A1:19:85 ("received", "entity acknowledges receipt", billing provider).
    status: Status | None = None


@dataclass(frozen=True)
class ClaimAcknowledgment:
    """One 277CA transaction."""

    envelope: Envelope
    reference: str  # BHT03: this acknowledgment's reference
    source: InformationSource
    source_trace: str  # TRN*1 in 2200A
    receiver_name: str  # 2100B: the submitter
    receiver_etin: str  # 2100B NM109 (qualifier 46)
    receiver_trace: str  # TRN*2 in 2200B: the submitter's batch trace (the 837's BHT03)
    received_on: date  # DTP*050
    processed_on: date  # DTP*009, and the date of every STC
    providers: tuple[ProviderStatus, ...]
    # STC01 at the receiver level; None: A1:19:41 ("received", "entity acknowledges receipt", submitter).
    receiver_status: Status | None = None


def write_277ca(ack: ClaimAcknowledgment) -> str:
    """The acknowledgment as 005010X214 text (segments end with `~` and a newline); `ValueError` names a bad
    field."""
    return _Writer(ack).write()


def _status(status: Status, field: str, entities: frozenset[str]) -> str:
    category = pattern(status.category, f"{field}.category", _CATEGORY, "a claim status category code")
    status_code = pattern(status.code, f"{field}.code", _STATUS_CODE, "a claim status code")
    entity = code(status.entity, f"{field}.entity", entities) if status.entity.strip() else ""
    return composite(category, status_code, entity)


def _statuses(statuses: tuple[Status, ...], field: str, entities: frozenset[str]) -> list[str]:
    if not 1 <= len(statuses) <= MAX_STATUSES:
        raise ValueError(f"{field}: {len(statuses)} statuses, need 1-{MAX_STATUSES}")
    return [_status(s, f"{field}[{i}]", entities) for i, s in enumerate(statuses)]


def _stc_tail(composites: list[str]) -> list[str]:
    """STC05-STC11 after STC01-STC04: the second and third composites go to STC10 and STC11."""
    rest = [*composites[1:], "", ""]
    return ["", "", "", "", "", rest[0], rest[1]]


def _dates(start: date, end: date | None, field: str) -> tuple[str, str]:
    if end is None or end == start:
        return "D8", x12_date(start)
    if end < start:
        raise ValueError(f"{field}: the service ends ({end}) before it starts ({start})")
    return "RD8", f"{x12_date(start)}-{x12_date(end)}"


class _Writer:
    def __init__(self, ack: ClaimAcknowledgment) -> None:
        self.ack = ack
        self.out = SegmentList()
        self.hl = 0

    def add(self, segment_id: str, *elements: str) -> None:
        self.out.add(segment_id, *elements)

    def write(self) -> str:
        a = self.ack
        if not a.providers:
            raise ValueError("providers: an acknowledgment needs at least one billing provider")
        claims = [c for p in a.providers for c in p.claims]
        if a.processed_on < a.received_on:
            raise ValueError(f"processed_on: {a.processed_on} is before received_on {a.received_on}")
        processed = x12_date(a.processed_on)
        created = a.envelope.created_at
        self.out.open(a.envelope, "HN", "277", IMPLEMENTATION_GUIDE)
        self.add("BHT", "0085", "08", identifier(a.reference, "reference", 50), x12_date(created),
                 x12_time(created), "TH")

        # 2000A information source
        s = a.source
        self.hl = 1
        self.add("HL", "1", "", "20", "1")
        self.add("NM1", code(s.entity, "source.entity", SOURCE_ENTITIES), "2", required(s.name, "source.name", 60),
                 "", "", "", "", code(s.id_qualifier, "source.id_qualifier", SOURCE_ID_QUALIFIERS),
                 identifier(s.identifier, "source.identifier", 80, 2))
        self.add("TRN", "1", identifier(a.source_trace, "source_trace", 50))
        self.add("DTP", "050", "D8", x12_date(a.received_on))
        self.add("DTP", "009", "D8", processed)

        # 2000B information receiver
        self.hl = 2
        self.add("HL", "2", "1", "21", "1")
        self.add("NM1", "41", "2", required(a.receiver_name, "receiver_name", 60), "", "", "", "", "46",
                 identifier(a.receiver_etin, "receiver_etin", 80, 2))
        self.add("TRN", "2", identifier(a.receiver_trace, "receiver_trace", 50))
        status = a.receiver_status or Status("A1", "19", "41")
        self._summary("2200B", _status(status, "receiver_status", RECEIVER_ENTITIES), processed, claims,
                      ("90", "AA"))

        for i, provider in enumerate(a.providers):
            self._provider(provider, f"providers[{i}]")
        return self.out.close()

    def _summary(self, level: str, status: str, status_date: str, claims: list[ClaimStatus],
                 quantity_codes: tuple[str, str]) -> None:
        """STC, QTY and AMT of the receiver (2200B) or provider (2200C) level."""
        accepted = [c for c in claims if not c.rejected]
        rejected = [c for c in claims if c.rejected]
        total = sum(c.total_charge_cents for c in claims)
        self.add("STC", status, status_date if level == "2200B" else "", "WQ" if accepted else "U", money(total))
        if accepted:
            self.add("QTY", quantity_codes[0], str(len(accepted)))
        if rejected:
            self.add("QTY", quantity_codes[1], str(len(rejected)))
        if accepted:
            self.add("AMT", "YU", money(sum(c.total_charge_cents for c in accepted)))
        if rejected:
            self.add("AMT", "YY", money(sum(c.total_charge_cents for c in rejected)))

    def _provider(self, provider: ProviderStatus, field: str) -> None:
        if not provider.claims:
            raise ValueError(f"{field}.claims: a billing provider level needs at least one claim")
        # The claims are checked before the level's totals are written from them.
        for i, claim in enumerate(provider.claims):
            self._check_claim(claim, f"{field}.claims[{i}]")
        self.hl += 1
        provider_hl = self.hl
        self.add("HL", str(provider_hl), "2", "19", "1")
        first = clean(provider.first, 35)
        self.add("NM1", "85", "1" if first else "2", required(provider.name, f"{field}.name", 60), first, "", "", "",
                 "XX", npi(provider.npi, f"{field}.npi"))
        self.add("TRN", "1", identifier(provider.trace, f"{field}.trace", 50))
        status = provider.status or Status("A1", "19", "85")
        self._summary("2200C", _status(status, f"{field}.status", PROVIDER_ENTITIES), "", list(provider.claims),
                      ("QA", "QC"))
        for i, claim in enumerate(provider.claims):
            self._claim(claim, provider_hl, f"{field}.claims[{i}]")

    def _check_claim(self, claim: ClaimStatus, field: str) -> None:
        if not claim.control_number.strip():
            raise ValueError(f"{field}.control_number: required (the patient control number sent in CLM01)")
        identifier(claim.control_number, f"{field}.control_number", 50)
        if claim.total_charge_cents < 0:
            raise ValueError(f"{field}.total_charge_cents: {claim.total_charge_cents} is negative")
        _statuses(claim.statuses, f"{field}.statuses", CLAIM_ENTITIES)
        if claim.rejected and claim.payer_claim_number:
            raise ValueError(f"{field}.payer_claim_number: a rejected claim has no payer claim control number")
        if not claim.rejected and not any(s.category.strip().upper() in ACCEPTING_CATEGORIES
                                          for s in claim.statuses):
            raise ValueError(f"{field}.statuses: neither accepted (A1, A2, A5) nor rejected (A3, A4, A6, A7, A8)")

    def _claim(self, claim: ClaimStatus, parent: int, field: str) -> None:
        a = self.ack
        p = claim.patient
        self.hl += 1
        self.add("HL", str(self.hl), str(parent), "PT")
        self.add("NM1", "QC", "1", required(p.last, f"{field}.patient.last", 60), clean(p.first, 35),
                 clean(p.middle, 25), "", clean(p.suffix, 10), "MI",
                 identifier(p.member_id, f"{field}.patient.member_id", 80, 2))
        self.add("TRN", "2", identifier(claim.control_number, f"{field}.control_number", 50))
        composites = _statuses(claim.statuses, f"{field}.statuses", CLAIM_ENTITIES)
        self.add("STC", composites[0], x12_date(a.processed_on), "U" if claim.rejected else "WQ",
                 money(claim.total_charge_cents), *_stc_tail(composites), clean(claim.free_text, 264))
        if claim.payer_claim_number:
            self.add("REF", "1K", identifier(claim.payer_claim_number, f"{field}.payer_claim_number", 50))
        if claim.clearinghouse_trace:
            self.add("REF", "D9", identifier(claim.clearinghouse_trace, f"{field}.clearinghouse_trace", 50))
        self.add("DTP", "472", *_dates(claim.service_from, claim.service_to, f"{field}.service_to"))
        for i, line in enumerate(claim.lines):
            self._line(line, f"{field}.lines[{i}]")

    def _line(self, line: LineStatus, field: str) -> None:
        qualifier = code(line.code_qualifier, f"{field}.code_qualifier", PROCEDURE_QUALIFIERS)
        procedure = pattern(line.procedure_code, f"{field}.procedure_code", _PROCEDURE, "a procedure code")
        modifiers = [pattern(m, f"{field}.modifiers[{i}]", _MODIFIER, "a 2-character modifier")
                     for i, m in enumerate(line.modifiers)]
        if len(modifiers) > 4:
            raise ValueError(f"{field}.modifiers: {len(modifiers)} modifiers, at most 4")
        if line.charge_cents < 0:
            raise ValueError(f"{field}.charge_cents: {line.charge_cents} is negative")
        composites = _statuses(line.statuses, f"{field}.statuses", CLAIM_ENTITIES)
        if not any(s.category.strip().upper() in REJECTING_CATEGORIES for s in line.statuses):
            raise ValueError(f"{field}.statuses: a service line status reports a rejection (the guide allows only "
                             "STC03 U here); include A3, A4, A6, A7 or A8")
        units = positive_count(line.units_milli, f"{field}.units_milli")
        self.add("SVC", composite(qualifier, procedure, *modifiers), money(line.charge_cents), "", "", "", "",
                 quantity(units))
        self.add("STC", composites[0], x12_date(self.ack.processed_on), "U", "", *_stc_tail(composites))
        if line.control_number:
            self.add("REF", "FJ", identifier(line.control_number, f"{field}.control_number", 50))
        self.add("DTP", "472", *_dates(line.service_date, line.service_end, f"{field}.service_end"))
