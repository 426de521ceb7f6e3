"""Reading a fee schedule or a contract's rates from a CSV file, percentages as typed, and the words the Fees
screens and the superbill show.

Only the shape is read here (three columns, dollars that can be read as cents); whether a code exists, a fee is
too large or a code is listed twice is the server's to say, and it names the row (``fees[3].code``), which
``csv_line_problem`` turns back into the file's line number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from client_tui.gateway import FieldViolation
from client_tui.typed_values import UnreadableValue, cents_from_dollars
from shared.pms.pricing.v1 import pricing_pb2 as pr

# A fee schedule is a few thousand rows; a file far larger is not one.
MAX_CSV_BYTES = 2 * 1024 * 1024
# "fees[3].code", "rates[12]"
ROW_PATH = re.compile(r"^(fees|rates)\[(\d+)\](?:\.(\w+))?$")
FIELD_WORDS = {"code": "code", "modifier": "modifier", "fee_cents": "fee", "allowed_cents": "allowed amount"}


@dataclass(frozen=True)
class CsvRow:
    line_number: int
    code: str
    modifier: str
    cents: int


class CsvProblem(ValueError):
    """The file cannot be read as code,modifier,amount rows; ``str()`` names the line."""


def rows_from_csv_text(text: str, amount_word: str = "fee") -> list[CsvRow]:
    """Rows ``code,modifier,amount`` (amount in dollars: 125 or 125.00); a first line that is not one (a header) is
    skipped, blank lines too. Raises ``CsvProblem`` at the first line that cannot be read."""
    rows: list[CsvRow] = []
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        number = reader.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(cells) != 3:
            if number == 1 and not any(ch.isdigit() for ch in cells[0]) and not _amount_like(cells[-1]):
                continue  # a header with other columns' names
            raise CsvProblem(f"line {number}: expected 3 columns (code,modifier,{amount_word}), found {len(cells)}")
        code, modifier, amount = cells
        if not amount:
            raise CsvProblem(f"line {number}: no {amount_word} for {code or 'the code'} (0.00 for a free service)")
        try:
            cents = cents_from_dollars(amount)
        except UnreadableValue:
            if number == 1 and not any(ch.isdigit() for ch in code):
                continue  # the header (code,modifier,fee): every code has a digit
            raise CsvProblem(f"line {number}: \"{amount}\" is not dollars and cents (e.g. 125.00)") from None
        rows.append(CsvRow(number, code.upper(), modifier.upper(), cents))
    if not rows:
        raise CsvProblem(f"the file has no rows of code,modifier,{amount_word}")
    return rows


def _amount_like(text: str) -> bool:
    try:
        cents_from_dollars(text)
    except UnreadableValue:
        return False
    return bool(text.strip())


def read_csv_file(path_text: str, amount_word: str = "fee") -> list[CsvRow]:
    """The rows of the CSV file at ``path_text`` on this workstation; ``CsvProblem`` says what is wrong."""
    cleaned = path_text.strip()
    if not cleaned:
        raise CsvProblem("type the path of the CSV file")
    path = Path(cleaned).expanduser()
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise CsvProblem(f"{path.name} is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB: not a fee file")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvProblem(f"no file at {path}") from None
    except UnicodeDecodeError:
        raise CsvProblem(f"{path.name} is not a text (CSV) file") from None
    except OSError as error:
        raise CsvProblem(f"cannot read {path}: {error.strerror or error}") from None
    return rows_from_csv_text(text, amount_word)


def fees_from_rows(rows: list[CsvRow]) -> list[pr.Fee]:
    return [pr.Fee(code=r.code, modifier=r.modifier, fee_cents=r.cents) for r in rows]


def rates_from_rows(rows: list[CsvRow]) -> list[pr.ContractRate]:
    return [pr.ContractRate(code=r.code, modifier=r.modifier, allowed_cents=r.cents) for r in rows]


def csv_line_problem(violation: FieldViolation, rows: list[CsvRow]) -> str | None:
    """"line 4 (99213): code: ..." for a violation naming a row the file gave; None for any other field."""
    match = ROW_PATH.match(violation.field)
    if match is None or int(match[2]) >= len(rows):
        return None
    row = rows[int(match[2])]
    what = f"{row.code} {row.modifier}".strip()
    field = FIELD_WORDS.get(match[3] or "", match[3] or "")
    return f"line {row.line_number} ({what}): {field + ': ' if field else ''}{violation.description}"


def percent_from_text(text: str) -> int:
    """A percentage as typed ("115", "115.5%", "115.00") in hundredths (11500); blank is 0."""
    cleaned = text.strip().removesuffix("%").strip()
    if cleaned.startswith("$"):
        raise UnreadableValue("type a percentage, e.g. 115.00")
    try:
        return cents_from_dollars(cleaned)
    except UnreadableValue:
        raise UnreadableValue("type a percentage, e.g. 115.00") from None


def percent_text(hundredths: int) -> str:
    """11500 -> "115.00" (for editing); blank for none."""
    if not hundredths:
        return ""
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}"


def percent_words(hundredths: int) -> str:
    """11500 -> "115%", 11550 -> "115.5%"; "—" for none."""
    if not hundredths:
        return "—"
    return f"{hundredths / 100:.2f}".rstrip("0").rstrip(".") + "%"


def contract_short_name(payer_name: str, contract_name: str) -> str:
    """"Aetna 2024 fee schedule" under Aetna is "2024 fee schedule"; other names as they are."""
    if payer_name and contract_name.lower().startswith(payer_name.lower()) and len(contract_name) > len(payer_name):
        return contract_name[len(payer_name):].lstrip(" -·:,")
    return contract_name


def payer_contract_words(payer_name: str, contract_name: str) -> str:
    """What prices a superbill's lines: "Aetna · 2026 commercial", "Aetna · no contract", "no coverage"."""
    if not payer_name:
        return "no coverage on file"
    if not contract_name:
        return f"{payer_name} · no contract"
    return f"{payer_name} · {contract_short_name(payer_name, contract_name)}"
