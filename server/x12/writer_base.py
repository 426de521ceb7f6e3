"""What the 999, 277CA and 835 writers share: the envelope they are sent in, a segment list that opens and closes
it, and the input checks that name the bad field.

The 837P writer (`server.x12.writer837p`) predates this module and keeps its own copies of the checks; the three
writers the payer/clearinghouse simulator needs use these. Every check raises `ValueError` whose message starts
with the field's path (`claims[2].lines[0].charge_cents: ...`), as the 837P writer does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from server.scheduling.rules import npi_is_valid
from server.x12.claim837 import Address
from server.x12.segments import (
    COMPONENT_SEPARATOR,
    REPETITION_SEPARATOR,
    clean,
    digits,
    fixed,
    isa_segment,
    join_segments,
    segment,
    x12_date,
    x12_short_date,
    x12_time,
)

ID_QUALIFIERS = frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})
_STATE = re.compile(r"[A-Z]{2}")
_CONTROL_NUMBER_RANGE = (1, 999_999_999)


@dataclass(frozen=True)
class Envelope:
    """ISA/GS/ST of one outgoing interchange holding one functional group with one transaction set.

    `sender_id` is whoever writes the file (the payer or clearinghouse for a 999, 277CA or 835), `receiver_id`
    whoever gets it (the practice's submitter id, or the payee).
    """

    sender_id: str
    receiver_id: str
    created_at: datetime
    interchange_control_number: int = 1
    group_control_number: int = 1
    transaction_control_number: int = 1
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    # ISA15: P production, T test.
    usage: str = "P"


class SegmentList:
    """Segments of one interchange: `open` writes ISA/GS/ST, `add` the body, `close` SE/GE/IEA and the text."""

    def __init__(self) -> None:
        self.segments: list[str] = []
        self._st_at = 0
        self._envelope: Envelope | None = None

    def add(self, segment_id: str, *elements: str) -> None:
        self.segments.append(segment(segment_id, *elements))

    def open(self, envelope: Envelope, functional_id: str, set_id: str, guide: str, st03: bool = True) -> None:
        """ISA, GS (GS08 = `guide`) and ST; ST03 repeats the guide unless `st03` is false (the 835 guide marks
        ST03 not used)."""
        e = envelope
        for name in ("interchange_control_number", "group_control_number", "transaction_control_number"):
            number = getattr(e, name)
            low, high = _CONTROL_NUMBER_RANGE
            if not low <= number <= high:
                raise ValueError(f"envelope.{name}: {number} must be {low}-{high}")
        usage = code(e.usage, "envelope.usage", {"P", "T"})
        sender_qualifier = code(e.sender_qualifier, "envelope.sender_qualifier", ID_QUALIFIERS)
        receiver_qualifier = code(e.receiver_qualifier, "envelope.receiver_qualifier", ID_QUALIFIERS)
        sender = required(e.sender_id, "envelope.sender_id", 15, 2)
        receiver = required(e.receiver_id, "envelope.receiver_id", 15, 2)
        created = e.created_at
        self._envelope = e
        self.segments.append(isa_segment(
            "00", " " * 10, "00", " " * 10, sender_qualifier, fixed(sender, 15, "envelope.sender_id"),
            receiver_qualifier, fixed(receiver, 15, "envelope.receiver_id"), x12_short_date(created),
            x12_time(created), REPETITION_SEPARATOR, "00501", f"{e.interchange_control_number:09d}", "0", usage,
            COMPONENT_SEPARATOR))
        self.add("GS", functional_id, sender, receiver, x12_date(created), x12_time(created),
                 str(e.group_control_number), "X", guide)
        self._st_at = len(self.segments)
        self.add("ST", set_id, f"{e.transaction_control_number:04d}", guide if st03 else "")

    def close(self) -> str:
        e = self._envelope
        if e is None:
            raise RuntimeError("close() before open()")
        st02 = f"{e.transaction_control_number:04d}"
        self.add("SE", str(len(self.segments) - self._st_at + 1), st02)
        self.add("GE", "1", str(e.group_control_number))
        self.add("IEA", "1", f"{e.interchange_control_number:09d}")
        return join_segments(self.segments)


# ---------------------------------------------------------------------------------------------------------------
# input checks


def required(value: str, field: str, max_length: int, min_length: int = 1) -> str:
    """Free text, cleaned; at least `min_length` characters must survive the cleaning."""
    text = clean(value, max_length)
    if len(text) < min_length:
        raise ValueError(f"{field}: required ({min_length}-{max_length} characters after cleaning), got {value!r}")
    return text


def identifier(value: str, field: str, max_length: int, min_length: int = 1) -> str:
    """An identifier that must arrive unchanged (control numbers, member ids): cleaning may change its case only."""
    text = clean(value, max_length)
    if len(text) < min_length or text != value.strip().upper():
        raise ValueError(f"{field}: {value!r} must be {min_length}-{max_length} X12 characters (letters, digits, "
                         "spaces, - . / and the like; no * : ^ ~)")
    return text


def code(value: str, field: str, allowed: Iterable[str]) -> str:
    text = value.strip().upper()
    if text not in allowed:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(sorted(allowed))}")
    return text


def pattern(value: str, field: str, regex: re.Pattern[str], what: str) -> str:
    text = value.strip().upper()
    if not regex.fullmatch(text):
        raise ValueError(f"{field}: {value!r} is not {what}")
    return text


def npi(value: str, field: str) -> str:
    if not npi_is_valid(value):
        raise ValueError(f"{field}: {value!r} is not a valid NPI (10 digits with the check digit)")
    return value


def phone(value: str, field: str) -> str:
    number = digits(value)
    if len(number) != 10:
        raise ValueError(f"{field}: {value!r} is not a 10-digit phone number")
    return number


def ein(value: str, field: str) -> str:
    number = digits(value)
    if len(number) != 9 or number != value.replace("-", "").strip():
        raise ValueError(f"{field}: {value!r} is not a 9-digit EIN")
    return number


def required_date(value: date | None, field: str) -> str:
    if value is None:
        raise ValueError(f"{field}: required")
    return x12_date(value)


def positive_count(value: int, field: str) -> int:
    if value <= 0:
        raise ValueError(f"{field}: {value} must be positive")
    return value


def address_elements(address: Address, field: str) -> tuple[tuple[str, str], tuple[str, str, str]]:
    """(N301, N302) and (N401, N402, N403) for an address."""
    state = address.state.strip().upper()
    if not _STATE.fullmatch(state):
        raise ValueError(f"{field}.state: {address.state!r} is not a 2-letter state code")
    zip_code = digits(address.zip)
    if len(zip_code) not in (5, 9):
        raise ValueError(f"{field}.zip: {address.zip!r} must be 5 or 9 digits (ZIP+4 without the dash)")
    return ((required(address.line1, f"{field}.line1", 55), clean(address.line2, 55)),
            (required(address.city, f"{field}.city", 30, 2), state, zip_code))
