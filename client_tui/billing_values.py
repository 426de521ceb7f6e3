"""Reading what a biller types on the superbill into wire values, and the words the Billing screens show.

Only the shape is read here ("12" as pointers 1 and 2, "25 59" as two modifiers, "2.5" as 2500 thousandths);
whether a pointer points at a diagnosis, a modifier exists or a code needs an NDC is the server's to say.
"""

from __future__ import annotations

import re

from client_tui.typed_values import UnreadableValue
from shared.pms.codes.v1 import codes_pb2
from shared.pms.encounters.v1 import encounters_pb2 as en

STATUS_WORDS: dict[int, str] = {
    en.ENCOUNTER_STATUS_OPEN: "open",
    en.ENCOUNTER_STATUS_READY: "ready to bill",
    en.ENCOUNTER_STATUS_BILLED: "billed",
}
# The worklist's switch, in the order the key cycles through it.
WORKLIST_STATUSES: tuple[int, ...] = (en.ENCOUNTER_STATUS_OPEN, en.ENCOUNTER_STATUS_READY, en.ENCOUNTER_STATUS_BILLED)
MAX_DIAGNOSES = 12
# "lines[2].ndc", "lines[2]", "diagnoses[0].code"
ROW_FIELD = re.compile(r"^(diagnoses|lines)\[(\d+)\](?:\.(\w+))?$")
NDC_UNITS = ("UN", "ML", "GR", "F2", "ME")
LINE_SYSTEMS = (codes_pb2.CODE_SYSTEM_CPT, codes_pb2.CODE_SYSTEM_HCPCS)


def pointers_from_text(text: str) -> list[int]:
    """Digits typed in a row: "12" is diagnoses 1 and 2. Diagnoses 10-12 are typed with separators ("1 10", "1,12")
    or as the letters A-L of the paper form's boxes ("AJ" is 1 and 10)."""
    cleaned = text.strip().upper()
    if not cleaned:
        return []
    if re.fullmatch(r"[A-L]+", cleaned):
        return [ord(letter) - ord("A") + 1 for letter in cleaned]
    if re.fullmatch(r"\d+", cleaned):
        return [int(digit) for digit in cleaned]
    parts = [p for p in re.split(r"[\s,;/+-]+", cleaned) if p]
    if not all(p.isdigit() for p in parts):
        raise UnreadableValue("type the diagnosis numbers, e.g. 12 for 1 and 2, or 1,10")
    return [int(p) for p in parts]


def pointers_text(pointers: list[int]) -> str:
    """The way a biller types them: "12", or "1,10" once one is above 9."""
    if all(p <= 9 for p in pointers):
        return "".join(str(p) for p in pointers)
    return ",".join(str(p) for p in pointers)


def modifiers_from_text(text: str) -> list[str]:
    return [m for m in re.split(r"[\s,;]+", text.strip().upper()) if m]


def units_from_text(text: str) -> int:
    """Blank is one unit (the usual); anything but a whole number is unreadable."""
    cleaned = text.strip()
    if not cleaned:
        return 1
    if not re.fullmatch(r"-?\d+", cleaned):
        raise UnreadableValue("type a whole number of units")
    return int(cleaned)


def milli_from_text(text: str) -> int:
    """A quantity as typed ("2.5") in thousandths (2500), without floats; blank is 0."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    match = re.fullmatch(r"(\d*)(?:\.(\d{1,3}))?", cleaned)
    if match is None or not (match[1] or match[2]):
        raise UnreadableValue("type the quantity, e.g. 2.5")
    return int(match[1] or 0) * 1000 + int((match[2] or "0").ljust(3, "0"))


def milli_text(milli: int) -> str:
    if not milli:
        return ""
    whole, part = divmod(milli, 1000)
    return f"{whole}.{part:03d}".rstrip("0").rstrip(".")


def row_field(path: str) -> tuple[str, int, str] | None:
    """("lines", 2, "ndc") for "lines[2].ndc"; ("lines", 2, "") for the row as a whole; None for a header field."""
    match = ROW_FIELD.match(path)
    if match is None:
        return None
    return match[1], int(match[2]), match[3] or ""


def looks_like_code(text: str) -> bool:
    """A letter or digit then digits (and an optional dot): typed as a code, not as words."""
    return bool(re.fullmatch(r"[A-Za-z0-9]\d[0-9A-Za-z.]*", text.strip()))
