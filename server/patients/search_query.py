"""Reading the one search box: what did the clerk type?

Pure logic (no database): the query becomes name fragments, dates of birth, a phone, an
MRN, member IDs or an SSN, each searched the way its index allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from server.common.contact_rules import normalise_phone
from server.patients.names import compact

_PHONE_CHARS = re.compile(r"^[\d\s().+\-]+$")
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_DATE_SLASH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MEMBER = re.compile(r"^[A-Za-z0-9\-]+$")
MAX_NAME_TOKENS = 4


@dataclass
class PatientQuery:
    names: list[str] = field(default_factory=list)
    birth_dates: list[date] = field(default_factory=list)
    phone: str = ""
    mrns: list[str] = field(default_factory=list)
    member_keys: list[str] = field(default_factory=list)
    ssn: str = ""

    @property
    def empty(self) -> bool:
        return not (self.names or self.birth_dates or self.phone or self.mrns or self.member_keys or self.ssn)

    def describe(self) -> str:
        parts = []
        if self.names:
            parts.append("name: " + ", ".join(self.names))
        if self.birth_dates:
            parts.append("date of birth: " + ", ".join(d.strftime("%m/%d/%Y") for d in self.birth_dates))
        if self.phone:
            parts.append("phone")
        if self.mrns:
            parts.append("MRN")
        if self.member_keys:
            parts.append("member ID")
        if self.ssn:
            parts.append("SSN")
        return "; ".join(parts)


def member_key(value: str) -> str:
    """Member IDs match on letters and digits only, case-insensitively."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def parse_date(token: str, today: date) -> date | None:
    """MM/DD/YYYY, M/D/YY, MM-DD-YYYY, YYYY-MM-DD or MMDDYYYY; None if it is not a plausible birth date."""
    y = m = d = 0
    if (iso := _DATE_ISO.match(token)) is not None:
        y, m, d = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    elif (us := _DATE_SLASH.match(token)) is not None:
        m, d, y = int(us.group(1)), int(us.group(2)), int(us.group(3))
        if len(us.group(3)) == 2:
            # Two-digit years: the most recent past year with those digits.
            y += 2000 if 2000 + y <= today.year else 1900
    elif len(token) == 8 and token.isdigit():
        m, d, y = int(token[:2]), int(token[2:4]), int(token[4:])
    else:
        return None
    try:
        found = date(y, m, d)
    except ValueError:
        return None
    return found if date(1900, 1, 1) <= found <= today else None


def parse(text: str, today: date) -> PatientQuery:
    q = PatientQuery()
    text = text.strip()
    if not text:
        return q
    # A phone is often typed with spaces: "(614) 555 0134" is one thing, not three.
    if _PHONE_CHARS.match(text) and len(re.sub(r"\D", "", text)) in (10, 11):
        phone = normalise_phone(text)
        if phone is not None and " " in text.strip():
            q.phone = phone
            return q
    for token in re.split(r"[\s,;]+", text):
        if not token:
            continue
        if _SSN.match(token):
            q.ssn = token.replace("-", "")
            continue
        born = parse_date(token, today)
        if born is not None:
            q.birth_dates.append(born)
            if token.isdigit():
                q.mrns.append(token)  # 8 digits: a date or an MRN; both are exact lookups
            continue
        digits_only = re.sub(r"[()\-.+]", "", token)
        if digits_only.isdigit():
            phone = normalise_phone(token) if len(digits_only) in (10, 11) else None
            if phone is not None:
                q.phone = phone
            if len(digits_only) <= 10:
                q.mrns.append(digits_only)
            if len(digits_only) >= 6:
                q.member_keys.append(digits_only)
            continue
        if any(c.isdigit() for c in token) and _MEMBER.match(token):
            q.member_keys.append(member_key(token))
            continue
        name = compact(token)
        if name and len(q.names) < MAX_NAME_TOKENS and name not in q.names:
            q.names.append(name)
    return q
