"""Reading the CMS physician fee schedule files: the national RVU file (PPRRVU) and the GPCI file (decision 0017).

Pure parsing (no database). Both are the CSV versions CMS ships in the quarterly RVU zip (``RVUyyA.zip``):
``PPRRVUyy_JAN.csv`` (or ``PPRRVU20yy_Jan_nonQPP.csv``) and ``GPCI20yy.csv``. They start with preamble rows
(title, copyright notice) that are skipped; the header row is found by its column names, and columns are read by
header name, never by position (CMS inserts columns between years). Names are compared case-insensitively with
runs of spaces folded, a leading year ("2026 ") and parenthesised notes ("(with 1.0 Floor)", "(MAC)") dropped.
CMS splits the RVU header over two rows ("WORK" above "RVU"); when the row under the header has an empty first
cell, the two rows' cells are joined per column ("WORK RVU").

RVU file, the columns read (every other column, DESCRIPTION included, is ignored: CPT text is AMA-licensed):

    HCPCS            the code (5 letters/digits)
    MOD              the pricing modifier: blank (global), 26, TC, 53...
    STATUS CODE      the CMS status indicator (one letter)
    WORK RVU, NON-FAC PE RVU, FACILITY PE RVU, MP RVU
                     RVUs, at most 2 decimals; a blank cell is 0.00
    CONV FACTOR      (optional) the conversion factor, at most 4 decimals; all rows that give one must agree

GPCI file, the columns read:

    Medicare Administrative Contractor (MAC)   the MAC (carrier) number; fewer than 5 digits are zero-filled
    State                                      (optional) 2 letters
    Locality Number                            1-2 digits, zero-filled to 2
    Locality Name
    2026 PW GPCI (with 1.0 Floor), 2026 PE GPCI, 2026 MP GPCI
                                               GPCIs, at most 3 decimals, above zero (any year prefix)

Rows whose cells are blank apart from the first (CMS footnotes) are skipped. Any other bad row raises
FeeFileError naming its line; a code (with its modifier) or a locality listed twice is an error too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from server.pricing.fees import CF_PLACES, GPCI_PLACES, RVU_PLACES, Gpcis, Rvus, parse_fixed


class FeeFileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class RvuRow:
    code: str
    modifier: str
    status: str
    rvus: Rvus
    line: int


@dataclass(frozen=True)
class RvuFile:
    rows: list[RvuRow]
    # Ten-thousandths of a dollar, when the file has a CONV FACTOR column with a value.
    conversion_factor: int | None


@dataclass(frozen=True)
class LocalityRow:
    contractor: str
    locality: str
    state: str
    name: str
    gpcis: Gpcis
    line: int


# Canonical column -> the header names accepted for it (normalised as the docstring says).
RVU_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("hcpcs", "hcpcs code"),
    "modifier": ("mod", "modifier"),
    "status": ("status code", "status"),
    "work": ("work rvu", "work rvus"),
    "pe_nonfacility": ("non-fac pe rvu", "non-facility pe rvu"),
    "pe_facility": ("facility pe rvu",),
    "mp": ("mp rvu", "mp rvus", "malpractice rvu"),
}
RVU_OPTIONAL: dict[str, tuple[str, ...]] = {"conversion_factor": ("conv factor", "conversion factor")}
GPCI_COLUMNS: dict[str, tuple[str, ...]] = {
    "contractor": ("medicare administrative contractor", "contractor", "carrier", "mac"),
    "locality": ("locality number", "locality"),
    "name": ("locality name",),
    "work": ("pw gpci", "work gpci"),
    "pe": ("pe gpci",),
    "mp": ("mp gpci",),
}
GPCI_OPTIONAL: dict[str, tuple[str, ...]] = {"state": ("state",)}

_CODE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_STATUS = re.compile(r"^[A-Z]$")
_STATE = re.compile(r"^[A-Z]{2}$")


def decode(data: bytes) -> str:
    """The files are ASCII in the columns read; a description in Windows-1252 must not stop the import."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise(header: str) -> str:
    h = re.sub(r"\([^)]*\)", " ", header.lower())
    h = " ".join(h.split())
    return re.sub(r"^(cy ?)?\d{4} ", "", h)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    return [(reader.line_num, row) for row in reader]


def _match(cells: Sequence[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    names = [normalise(c) for c in cells]
    found: dict[str, int] = {}
    for key, aliases in wanted.items():
        at = [i for i, n in enumerate(names) if n in aliases]
        if len(at) == 1:
            found[key] = at[0]
    return found


def _find_header(rows: list[tuple[int, list[str]]], required: dict[str, tuple[str, ...]],
                 optional: dict[str, tuple[str, ...]], what: str) -> tuple[int, dict[str, int]]:
    """The index of the first data row and the column of each wanted name."""
    wanted = {**required, **optional}
    for i, (_, row) in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        candidates = []
        if i + 1 < len(rows):
            below = rows[i + 1][1]
            if below and not below[0].strip() and any(c.strip() for c in below):
                width = max(len(row), len(below))
                joined = [f"{row[k] if k < len(row) else ''} {below[k] if k < len(below) else ''}"
                          for k in range(width)]
                candidates.append((i + 2, joined))
        candidates.append((i + 1, row))
        for start, cells in candidates:
            found = _match(cells, wanted)
            if all(k in found for k in required):
                return start, found
    names = ", ".join(aliases[0].upper() for aliases in required.values())
    raise FeeFileError(0, f"no header row found: a {what} needs the columns {names}")


def _cell(row: list[str], col: int) -> str:
    return row[col].strip() if col < len(row) else ""


def _is_note(row: list[str], cols: dict[str, int], first: str) -> bool:
    return all(not _cell(row, c) for k, c in cols.items() if k != first)


def _number(line: int, column: str, text: str, places: int, *, blank_is_zero: bool = False) -> int:
    if not text and blank_is_zero:
        return 0
    try:
        value = parse_fixed(text, places)
    except ValueError:
        raise FeeFileError(line, f"{column} {text!r} is not a number with at most {places} decimals") from None
    if value < 0:
        raise FeeFileError(line, f"{column} {text!r} is negative")
    return value


def read_rvu_file(text: str) -> RvuFile:
    """CMS PPRRVU CSV: the RVUs of every code (with its modifier) and the conversion factor if the file has one."""
    rows = _rows(text)
    start, cols = _find_header(rows, RVU_COLUMNS, RVU_OPTIONAL, "PPRRVU (RVU) file")
    out: list[RvuRow] = []
    seen: dict[tuple[str, str], int] = {}
    cf: int | None = None
    cf_line = 0
    for line, row in rows[start:]:
        if not any(c.strip() for c in row) or _is_note(row, cols, "code"):
            continue
        code = _cell(row, cols["code"]).upper()
        if not _CODE.match(code):
            raise FeeFileError(line, f"HCPCS {code!r} is not a HCPCS/CPT code (5 letters or digits)")
        modifier = _cell(row, cols["modifier"]).upper()
        if modifier and not _MODIFIER.match(modifier):
            raise FeeFileError(line, f"MOD {modifier!r} is not a modifier (2 letters or digits)")
        status = _cell(row, cols["status"]).upper()
        if not _STATUS.match(status):
            raise FeeFileError(line, f"STATUS CODE {status!r} is not a status indicator (one letter)")
        rvus = Rvus(
            work=_number(line, "WORK RVU", _cell(row, cols["work"]), RVU_PLACES, blank_is_zero=True),
            pe_nonfacility=_number(line, "NON-FAC PE RVU", _cell(row, cols["pe_nonfacility"]), RVU_PLACES,
                                   blank_is_zero=True),
            pe_facility=_number(line, "FACILITY PE RVU", _cell(row, cols["pe_facility"]), RVU_PLACES,
                                blank_is_zero=True),
            mp=_number(line, "MP RVU", _cell(row, cols["mp"]), RVU_PLACES, blank_is_zero=True),
        )
        if "conversion_factor" in cols:
            row_cf = _number(line, "CONV FACTOR", _cell(row, cols["conversion_factor"]), CF_PLACES,
                             blank_is_zero=True)
            if row_cf:
                if cf is None:
                    cf, cf_line = row_cf, line
                elif row_cf != cf:
                    raise FeeFileError(line, f"CONV FACTOR {_cell(row, cols['conversion_factor'])} differs from "
                                             f"the one on line {cf_line}; a release has one conversion factor")
        key = (code, modifier)
        if key in seen:
            shown = f"{code}-{modifier}" if modifier else code
            raise FeeFileError(line, f"{shown} appears twice (first on line {seen[key]})")
        seen[key] = line
        out.append(RvuRow(code, modifier, status, rvus, line))
    if not out:
        raise FeeFileError(0, "the RVU file holds no codes")
    return RvuFile(out, cf)


def read_gpci_file(text: str) -> list[LocalityRow]:
    """CMS GPCI CSV: the work, PE and MP GPCIs of every Medicare payment locality."""
    rows = _rows(text)
    start, cols = _find_header(rows, GPCI_COLUMNS, GPCI_OPTIONAL, "GPCI file")
    out: list[LocalityRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows[start:]:
        if not any(c.strip() for c in row) or _is_note(row, cols, "contractor"):
            continue
        contractor = _cell(row, cols["contractor"])
        if not re.fullmatch(r"\d{1,5}", contractor):
            raise FeeFileError(line, f"Medicare Administrative Contractor {contractor!r} is not a MAC number "
                                     "(up to 5 digits)")
        locality = _cell(row, cols["locality"])
        if not re.fullmatch(r"\d{1,2}", locality):
            raise FeeFileError(line, f"Locality Number {locality!r} is not a locality number (1 or 2 digits)")
        state = _cell(row, cols["state"]).upper() if "state" in cols else ""
        if state and not _STATE.match(state):
            raise FeeFileError(line, f"State {state!r} is not a 2-letter state code")
        name = " ".join(_cell(row, cols["name"]).split())
        if not name:
            raise FeeFileError(line, "Locality Name is blank")
        if len(name) > 120:
            raise FeeFileError(line, "Locality Name is longer than 120 characters")
        values = []
        for part, column in (("work", "PW GPCI"), ("pe", "PE GPCI"), ("mp", "MP GPCI")):
            text_value = _cell(row, cols[part])
            value = _number(line, column, text_value, GPCI_PLACES)
            if value == 0:
                raise FeeFileError(line, f"{column} {text_value!r} must be above zero")
            values.append(value)
        contractor, locality = contractor.zfill(5), locality.zfill(2)
        key = (contractor, locality)
        if key in seen:
            raise FeeFileError(line, f"locality {contractor}/{locality} appears twice (first on line {seen[key]})")
        seen[key] = line
        out.append(LocalityRow(contractor, locality, state, name, Gpcis(*values), line))
    if not out:
        raise FeeFileError(0, "the GPCI file holds no localities")
    return out
