"""Who gets the statement: the guarantor key (decision 0028), pure.

A self-guaranteed patient is their own account: ``p:<patient id>``. Any other guarantor is known by what the front
desk typed on each patient: normalized name, first address line and 5-digit ZIP, ``g:<name>|<line1>|<zip5>``, so
two children naming the same parent share one key even though the parent was typed twice. When a self-guaranteed
patient has that same name and address, the parent is that patient: the key is theirs (``p:<id>``), and their
own visits and their children's are on one statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from server.patients.names import compact

_WORDS = {"street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd", "lane": "ln",
          "court": "ct", "place": "pl", "apartment": "apt", "suite": "ste", "north": "n", "south": "s",
          "east": "e", "west": "w", "highway": "hwy", "parkway": "pkwy", "circle": "cir", "terrace": "ter"}
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")


def norm_name(first: str, last: str) -> str:
    """First and last name folded as patient search folds them (accents, case, punctuation)."""
    return f"{compact(first)} {compact(last)}"


def norm_line(line1: str) -> str:
    words = _NON_ALNUM.sub(" ", line1.lower().replace("#", " apt ")).split()
    return " ".join(_WORDS.get(w, w) for w in words)


def zip5(z: str) -> str:
    return "".join(ch for ch in z if ch.isdigit())[:5]


@dataclass(frozen=True)
class Mailing:
    """Whom the statement is addressed to."""

    name: str
    line1: str
    line2: str
    city: str
    state: str
    zip: str
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "line1": self.line1, "line2": self.line2, "city": self.city,
                "state": self.state, "zip": self.zip, "phone": self.phone}


@dataclass
class Account:
    key: str
    mailing: Mailing
    # The guarantor as a patient of the practice, when they are one.
    self_patient_id: int | None = None
    email: str = ""
    patient_ids: list[int] = field(default_factory=list)

    @property
    def account_patient_id(self) -> int:
        return self.self_patient_id if self.self_patient_id is not None else min(self.patient_ids)


def is_self(guarantor: dict[str, Any] | None) -> bool:
    g = guarantor or {}
    return bool(g.get("is_self", True)) or not g.get("name")


def other_key(guarantor: dict[str, Any]) -> str:
    name = guarantor.get("name") or {}
    addr = guarantor.get("address") or {}
    return f"g:{norm_name(name.get('first', ''), name.get('last', ''))}|{norm_line(addr.get('line1', ''))}|" \
           f"{zip5(addr.get('zip', ''))}"


def self_match_key(row: Any) -> str:
    """The key a guarantor typed on another patient would have if it were this (self-guaranteed) patient."""
    return f"g:{norm_name(row.first_name, row.last_name)}|{norm_line(row.address_line1)}|{zip5(row.zip)}"


def _full(first: str, middle: str, last: str, suffix: str = "") -> str:
    return " ".join(x for x in (first, middle[:1] + "." if middle else "", last, suffix) if x)


def patient_mailing(row: Any) -> Mailing:
    return Mailing(_full(row.first_name, "", row.last_name, row.suffix), row.address_line1, row.address_line2,
                   row.city, row.state, row.zip, row.phone_home or row.phone_mobile)


def guarantor_mailing(g: dict[str, Any]) -> Mailing:
    name, addr = g.get("name") or {}, g.get("address") or {}
    return Mailing(_full(name.get("first", ""), "", name.get("last", ""), name.get("suffix", "")),
                   addr.get("line1", ""), addr.get("line2", ""), addr.get("city", ""), addr.get("state", ""),
                   addr.get("zip", ""), g.get("phone", ""))


def wants_email(row: Any) -> str:
    """The address a self-guaranteed patient chose to get their mail at, or ''."""
    return row.email if row.preferred_contact_method == "email" and row.email else ""


def group(patients: Iterable[Any], self_candidates: dict[str, Any]) -> dict[str, Account]:
    """Accounts by key for these patients (rows of the patient table). ``self_candidates`` maps the match key
    (``self_match_key``) of self-guaranteed patients who might be someone's guarantor to their rows (the lowest id
    when two match)."""
    accounts: dict[str, Account] = {}
    for row in patients:
        if is_self(row.guarantor):
            key, owner = f"p:{row.id}", row
        else:
            key = other_key(row.guarantor)
            owner = self_candidates.get(key)
            if owner is not None:
                key = f"p:{owner.id}"
        acct = accounts.get(key)
        if acct is None:
            if owner is not None:
                acct = Account(key, patient_mailing(owner), owner.id, wants_email(owner))
            else:
                acct = Account(key, guarantor_mailing(row.guarantor))
            accounts[key] = acct
        acct.patient_ids.append(row.id)
    for acct in accounts.values():
        acct.patient_ids.sort()
    return accounts
