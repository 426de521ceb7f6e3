"""Reading code files: the official CMS releases, the practice's licensed CPT file, and the bundled sets.

Pure parsing (no database): each reader returns the release's codes or raises CodeFileError naming the line.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from server.codes import seeds


@dataclass(frozen=True)
class NewCode:
    code: str
    description: str
    billable: bool = True
    requires_ndc: bool = False


class CodeFileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


_ICD10CM = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS = re.compile(r"^[A-V][0-9]{4}$")
# CMS "order" file: order number, code, header (0) or billable (1), short and long description, fixed width.
_ORDER_LINE = re.compile(r"^(\d{5}) ([A-Z0-9]{3,7}) {0,4} ([01]) (.{60}) (.+)$")


def _unique(codes: Iterable[tuple[int, NewCode]]) -> list[NewCode]:
    seen: dict[str, int] = {}
    out = []
    for line, c in codes:
        if c.code in seen:
            raise CodeFileError(line, f"{c.code} appears twice (first on line {seen[c.code]})")
        seen[c.code] = line
        out.append(c)
    if not out:
        raise CodeFileError(0, "the file holds no codes")
    return out


def read_icd10cm_order_file(text: str) -> list[NewCode]:
    """CMS ``icd10cm_order_YYYY.txt`` (the one with header codes and the billable flag)."""
    def rows() -> Iterable[tuple[int, NewCode]]:
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            m = _ORDER_LINE.match(line)
            if m is None:
                raise CodeFileError(n, "not a line of the CMS ICD-10-CM order file (order number, code, 0/1, "
                                       "short and long description in fixed columns)")
            code = m.group(2)
            if not _ICD10CM.match(code):
                raise CodeFileError(n, f"{code!r} is not an ICD-10-CM code")
            yield n, NewCode(code, m.group(5).strip(), billable=m.group(3) == "1")
    return _unique(rows())


def read_cpt_file(text: str) -> list[NewCode]:
    """The practice's licensed CPT file as CSV (UTF-8) with a header row ``code,description``."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:2]] != ["code", "description"]:
        raise CodeFileError(1, "the first line must be the header: code,description")

    def rows() -> Iterable[tuple[int, NewCode]]:
        for n, row in enumerate(reader, 2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != 2:
                raise CodeFileError(n, "expected two columns: code,description (quote a description with a comma)")
            code, description = row[0].strip().upper(), row[1].strip()
            if not _CPT.match(code):
                raise CodeFileError(n, f"{code!r} is not a CPT code (five digits, or four and F, T or U)")
            if not description:
                raise CodeFileError(n, f"{code} has no description")
            yield n, NewCode(code, description)
    return _unique(rows())


def read_hcpcs_file(text: str) -> list[NewCode]:
    """CMS HCPCS annual file, fixed width (``HCPCYYYY_..._ANWEB.txt``): code in columns 1-5, record type in 11
    (3 a procedure's first line, 4 its continuation; 7 and 8 are modifiers, not read here), long description in
    12-91 continued over lines. J codes (drugs) are billed with an NDC."""
    found: dict[str, tuple[int, list[str]]] = {}
    order: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) < 12:
            raise CodeFileError(n, "too short for the CMS HCPCS record layout")
        kind = line[10]
        if kind in "78":
            continue
        if kind not in "34":
            raise CodeFileError(n, f"record type {kind!r} in column 11 is not 3, 4, 7 or 8")
        code = line[0:5].strip()
        if not _HCPCS.match(code):
            raise CodeFileError(n, f"{code!r} is not a HCPCS Level II code")
        part = line[11:91].strip()
        if kind == "3":
            if code in found:
                raise CodeFileError(n, f"{code} appears twice (first on line {found[code][0]})")
            found[code] = (n, [part])
            order.append(code)
        elif code not in found:
            raise CodeFileError(n, f"a continuation of {code} before its first line")
        else:
            found[code][1].append(part)
    codes = [NewCode(c, " ".join(p for p in found[c][1] if p), requires_ndc=c.startswith("J")) for c in order]
    if not codes:
        raise CodeFileError(0, "the file holds no HCPCS procedure codes")
    return codes


def bundled_icd10cm() -> list[NewCode]:
    """ICD-10-CM from the simple-icd-10-cm package (CMS FY2026 tabular); chapters and blocks are not codes."""
    with warnings.catch_warnings():
        # It reads its data with importlib.resources calls that Python deprecates; nothing we can change.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # parses its XML on import (about 2 s): only when loading

    return [NewCode(code, cm.get_description(code), billable=cm.is_leaf(code))
            for code in cm.get_all_codes(with_dots=False) if not cm.is_chapter_or_block(code)]


def seed_hcpcs() -> list[NewCode]:
    return [NewCode(code, text, requires_ndc=ndc) for code, text, ndc in seeds.HCPCS]


def seed_modifiers() -> list[NewCode]:
    return [NewCode(code, text) for code, text in seeds.MODIFIERS]


def seed_places_of_service() -> list[NewCode]:
    return [NewCode(code, text) for code, text in seeds.PLACES_OF_SERVICE]
