"""The words the Claims screens show for the server's claim values, and where a scrubber finding sends the biller.

Which rule fires, and whether a claim may queue, is the server's to say; here the finding's field
("lines[1].modifiers", "patient.date_of_birth", "billing.npi") is only read to know which screen fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.pms.claims.v1 import claims_pb2 as cl

STATUS_WORDS: dict[int, str] = {
    cl.CLAIM_STATUS_DRAFT: "Draft",
    cl.CLAIM_STATUS_SCRUBBED: "Scrubbed",
    cl.CLAIM_STATUS_QUEUED: "Queued",
    cl.CLAIM_STATUS_SENT: "Sent",
    cl.CLAIM_STATUS_ACCEPTED: "Accepted",
    cl.CLAIM_STATUS_REJECTED: "Rejected",
    cl.CLAIM_STATUS_PAID: "Paid",
    cl.CLAIM_STATUS_PARTIALLY_PAID: "Part paid",
    cl.CLAIM_STATUS_DENIED: "Denied",
    cl.CLAIM_STATUS_CLOSED: "Closed",
    cl.CLAIM_STATUS_CORRECTED: "Corrected",
    cl.CLAIM_STATUS_VOIDED: "Voided",
}
# The worklist's status filter: 0 is every status; the digit keys pick the ones a biller works most.
STATUS_KEYS: dict[str, int] = {
    "0": 0,
    "1": cl.CLAIM_STATUS_DRAFT,
    "2": cl.CLAIM_STATUS_SCRUBBED,
    "3": cl.CLAIM_STATUS_QUEUED,
    "4": cl.CLAIM_STATUS_SENT,
    "5": cl.CLAIM_STATUS_REJECTED,
    "6": cl.CLAIM_STATUS_ACCEPTED,
    "7": cl.CLAIM_STATUS_DENIED,
    "8": cl.CLAIM_STATUS_PAID,
}
KEY_OF_STATUS = {status: key for key, status in STATUS_KEYS.items()}
# Statuses a scrub takes (the server refuses the others with the claim named).
SCRUBBABLE = frozenset({cl.CLAIM_STATUS_DRAFT, cl.CLAIM_STATUS_SCRUBBED, cl.CLAIM_STATUS_REJECTED})
# Statuses whose reason is the point of the row (a clearinghouse's or payer's words).
REASON_STATUSES = frozenset({cl.CLAIM_STATUS_REJECTED, cl.CLAIM_STATUS_DENIED})
RESPONSIBILITY_WORDS = {"P": "primary", "S": "secondary", "T": "tertiary"}
FREQUENCY_WORDS = {"1": "original", "7": "replacement", "8": "void"}
SEVERITY_WORDS = {cl.SEVERITY_ERROR: "Error", cl.SEVERITY_WARNING: "Warning"}
# The encounter's own fields: fixed on the superbill.
ENCOUNTER_FIELDS = frozenset({"diagnoses", "lines", "place_of_service", "prior_authorization",
                              "referring_provider_npi", "referring_provider_name", "rendering_provider_id",
                              "supervising_provider_id", "location_id", "date_of_service"})
FIELD_WORDS = {
    "diagnoses": "diagnoses",
    "lines": "lines",
    "place_of_service": "place of service",
    "prior_authorization": "prior authorization",
    "referring_provider_npi": "referring provider's NPI",
    "referring_provider_name": "referring provider",
    "rendering_provider_id": "rendering provider",
    "supervising_provider_id": "supervising provider",
    "location_id": "location",
    "date_of_service": "date of service",
    "dx_pointers": "pointers",
    "code": "code",
    "modifiers": "modifiers",
    "units": "units",
    "fee_cents": "charge",
    "charge_cents": "charge",
    "ndc": "NDC",
}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?$")


@dataclass(frozen=True)
class FixPlace:
    """Where a finding is fixed: "superbill", "patient", "insurance", "billing_setup" or "" (nowhere to go)."""

    screen: str
    # The claim line (1-based) or diagnosis (1-based) the finding is about; 0 for the claim as a whole.
    line: int = 0
    diagnosis: int = 0


def fix_place(field: str) -> FixPlace:
    head = field.split(".", 1)[0]
    match = _INDEXED.match(field)
    if match is not None:
        head = match[1]
        index = int(match[2]) + 1
        if head == "lines":
            return FixPlace("superbill", line=index)
        if head == "diagnoses":
            return FixPlace("superbill", diagnosis=index)
    if head in ENCOUNTER_FIELDS or head.split("[", 1)[0] in ENCOUNTER_FIELDS:
        return FixPlace("superbill")
    if head == "patient":
        return FixPlace("patient")
    if head == "subscriber":
        return FixPlace("insurance")
    if head == "billing":
        return FixPlace("billing_setup")
    return FixPlace("")


def field_words(field: str) -> str:
    """"lines[1].modifiers" -> "line 2 modifiers"; "patient.date_of_birth" -> "patient date of birth"."""
    if not field:
        return "claim"
    match = _INDEXED.match(field)
    if match is not None:
        what = {"lines": "line", "diagnoses": "diagnosis"}.get(match[1], match[1].replace("_", " "))
        tail = f" {FIELD_WORDS.get(match[3], match[3].replace('_', ' '))}" if match[3] else ""
        return f"{what} {int(match[2]) + 1}{tail}"
    head, _, rest = field.partition(".")
    if not rest:
        return FIELD_WORDS.get(head, head.replace("_", " "))
    return f"{head} {rest.replace('.', ' ').replace('_', ' ')}"


def clean_rate_short(first_scrubbed: int, first_clean: int) -> str:
    """For the worklist's count line: "Clean claim rate 86% (6/7)"."""
    if not first_scrubbed:
        return "Clean claim rate: none scrubbed yet"
    return f"Clean claim rate {round(100 * first_clean / first_scrubbed)}% ({first_clean:,}/{first_scrubbed:,})"


def frequency_words(claim: cl.Claim) -> str:
    words = FREQUENCY_WORDS.get(claim.frequency, claim.frequency)
    if claim.replaces_claim_id:
        words += f" of claim {claim.replaces_claim_id}"
    return words
