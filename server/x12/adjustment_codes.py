"""A small table of the claim adjustment reason codes (CARC) and remittance advice remark codes (RARC) the
payer simulator and the 835 tests use, with a short description each.

Source: the X12 external code lists "Claim Adjustment Reason Codes" (code source 139) and "Remittance Advice
Remark Codes" (code source 411), published at x12.org (https://x12.org/codes). The descriptions here are short
paraphrases for display, not the official wording; the lists change three times a year, so a full, dated copy
belongs in a seed table imported from the official files (BRIEF 6: no package ships them).

CAS group codes (the adjustment's "who pays"): CO contractual obligation (the provider writes it off), PR patient
responsibility, OA other adjustment, PI payer-initiated reduction.
"""

from __future__ import annotations

GROUP_CODES = {
    "CO": "Contractual obligation (provider write-off)",
    "OA": "Other adjustment",
    "PI": "Payer initiated reduction",
    "PR": "Patient responsibility",
}

CARC = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "Procedure code inconsistent with the modifier used, or a required modifier is missing",
    "16": "Claim/service lacks information or has submission/billing errors",
    "18": "Exact duplicate claim/service",
    "22": "Care may be covered by another payer per coordination of benefits",
    "23": "Impact of prior payer(s) adjudication, including payments and adjustments",
    "29": "Time limit for filing has expired",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted fee arrangement",
    "50": "Non-covered service: not deemed a medical necessity by the payer",
    "96": "Non-covered charge(s)",
    "97": "Payment included in the allowance for another service/procedure already adjudicated",
    "109": "Claim/service not covered by this payer/contractor; send to the correct payer",
    "119": "Benefit maximum for this time period or occurrence has been reached",
    "197": "Precertification/authorization/notification/pre-treatment absent",
    "204": "Service/equipment/drug not covered under the patient's current benefit plan",
    "242": "Services not provided by network/primary care providers",
    "253": "Sequestration: reduction in federal payment",
}

RARC = {
    "M15": "Separately billed services/tests have been bundled: they are considered components of the same "
           "procedure",
    "M62": "Missing/incomplete/invalid treatment authorization code",
    "M80": "Not covered when performed during the same session/date as a previously processed service",
    "MA04": "Secondary payment cannot be considered without the identity of, or payment information from, the "
            "primary payer",
    "MA130": "Claim contains incomplete and/or invalid information; no appeal rights: submit a new claim",
    "N4": "Missing/incomplete/invalid prior insurance carrier EOB",
    "N20": "Service not payable with other service rendered on the same date",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for this service",
    "N290": "Missing/incomplete/invalid rendering provider primary identifier",
    "N432": "Adjustment based on a recovery audit",
    "N54": "Claim information is inconsistent with pre-certified/authorized services",
}


def carc_text(code: str) -> str:
    """The short description of a claim adjustment reason code, or "reason code <code>" when not in the table."""
    return CARC.get(code, f"reason code {code}")


def rarc_text(code: str) -> str:
    """The short description of a remark code, or "remark code <code>" when not in the table."""
    return RARC.get(code, f"remark code {code}")
