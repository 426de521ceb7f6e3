"""Is a code usable on a claim for a date of service? And NDC formats. Pure logic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

SYSTEM_NAMES = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS", "modifier": "modifier",
                "pos": "place of service"}


@dataclass(frozen=True)
class CodeCheck:
    row: Any  # the version that applies (or the nearest one), None when unknown
    valid: bool
    reason: str = ""
    problem: str = ""


def check(system: str, shown: str, versions: list[Any], dos: date) -> CodeCheck:
    """``versions`` are the code's rows in valid_from order; ``shown`` is how the biller reads the code."""
    name = SYSTEM_NAMES[system]
    if not versions:
        return CodeCheck(None, False, "UNKNOWN_CODE", f"{shown} is not a known {name} code.")
    for row in versions:
        if row.valid_from <= dos and (row.valid_to is None or dos < row.valid_to):
            if system == "icd10cm" and not row.billable:
                return CodeCheck(row, False, "NOT_BILLABLE",
                                 f"{shown} is a header code: choose a more specific code under it.")
            return CodeCheck(row, True)
    first, last = versions[0], versions[-1]
    if dos < first.valid_from:
        return CodeCheck(first, False, "NOT_YET_VALID",
                         f"{shown} is valid from {first.valid_from:%m/%d/%Y}, after the date of service "
                         f"{dos:%m/%d/%Y}.")
    ended = next((r for r in reversed(versions) if r.valid_to is not None and r.valid_to <= dos), last)
    return CodeCheck(ended, False, "NO_LONGER_VALID",
                     f"{shown} was retired on {ended.valid_to:%m/%d/%Y}, before the date of service "
                     f"{dos:%m/%d/%Y}.")


_NDC_DIGITS = re.compile(r"^\d{11}$")
_NDC_DASHED = re.compile(r"^(\d{4,5})-(\d{3,4})-(\d{1,2})$")


def ndc_11(value: str) -> str | None:
    """An NDC as the 11 digits (5-4-2) claims carry; None when it is not an NDC.

    Labels print 10 digits in 4-4-2, 5-3-2 or 5-4-1 with dashes; each gets a leading zero in its short part.
    Without dashes only the 11-digit form is unambiguous.
    """
    text = value.strip()
    if _NDC_DIGITS.match(text):
        return text
    m = _NDC_DASHED.match(text)
    if m is None:
        return None
    labeler, product, package = m.groups()
    shape = (len(labeler), len(product), len(package))
    if shape not in ((4, 4, 2), (5, 3, 2), (5, 4, 1), (5, 4, 2)):
        return None
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)
