"""Reading fee and rate CSV files and percentages as typed; the words the superbill shows for who prices it."""

from __future__ import annotations

import pytest

from client_tui.gateway import FieldViolation
from client_tui.pricing_values import (
    CsvProblem,
    CsvRow,
    csv_line_problem,
    payer_contract_words,
    percent_from_text,
    percent_words,
    rows_from_csv_text,
)
from client_tui.typed_values import UnreadableValue


def test_rows_keep_their_line_numbers_skip_a_header_and_blank_lines() -> None:
    text = "code,modifier,fee\n99213,,125.00\n\n99214, 25 ,\"$1,180\"\nj1100,,0.5\n"
    assert rows_from_csv_text(text) == [CsvRow(2, "99213", "", 12_500), CsvRow(4, "99214", "25", 118_000),
                                        CsvRow(5, "J1100", "", 50)]
    assert rows_from_csv_text("99213,,125") == [CsvRow(1, "99213", "", 12_500)]


@pytest.mark.parametrize(("text", "said"), [
    ("99213,,125.00\n99214,125.00\n", "line 2: expected 3 columns"),
    ("99213,,12x\n", "line 1: \"12x\" is not dollars"),
    ("code,modifier,fee\n99213,,\n", "line 2: no fee for 99213"),
    ("code,modifier,fee\n", "no rows"),
    ("99213,,125\n99214,,abc\n", "line 2: \"abc\""),
])
def test_what_cannot_be_read_names_its_line(text: str, said: str) -> None:
    with pytest.raises(CsvProblem) as problem:
        rows_from_csv_text(text)
    assert said in str(problem.value)


def test_a_server_row_violation_is_told_by_the_files_line() -> None:
    rows = [CsvRow(2, "99213", "", 1), CsvRow(5, "99999", "25", 1)]
    assert csv_line_problem(FieldViolation("fees[1].code", "is unknown"), rows) == \
        "line 5 (99999 25): code: is unknown"
    assert csv_line_problem(FieldViolation("rates[0]", "is listed twice"), rows) == "line 2 (99213): is listed twice"
    assert csv_line_problem(FieldViolation("effective_from", "is required"), rows) is None


def test_percentages_in_hundredths() -> None:
    assert [percent_from_text(t) for t in ("115", "115.5%", "115.00", "")] == [11_500, 11_550, 11_500, 0]
    with pytest.raises(UnreadableValue):
        percent_from_text("lots")
    assert [percent_words(p) for p in (11_500, 11_550, 0)] == ["115%", "115.5%", "—"]


def test_who_prices_the_lines() -> None:
    assert payer_contract_words("Aetna", "2026 commercial") == "Aetna · 2026 commercial"
    assert payer_contract_words("Aetna", "Aetna 2024 fee schedule") == "Aetna · 2024 fee schedule"
    assert payer_contract_words("Aetna", "") == "Aetna · no contract"
    assert payer_contract_words("", "") == "no coverage on file"
