"""Report values: percentages and averages rounded half up in integers, totals of the columns that add up, and
exports that show money as people read it and never let a name run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

from server.reports.export import show, to_csv
from server.reports.table import Col, Table, quotient, ratio


def test_ratios_round_half_up_and_refuse_nothing_over_nothing() -> None:
    assert ratio(1, 3) == 3333
    assert ratio(2, 3) == 6667
    assert ratio(1, 8, 1) == 125          # 12.5%
    assert ratio(1, 16, 1) == 63          # 6.25% -> 6.3
    assert ratio(-1, 16, 1) == -63
    assert ratio(0, 5) == 0 and ratio(5, 0) is None
    assert quotient(45, 4, 1) == 113      # 11.25 -> 11.3
    assert quotient(7, 0) is None


def test_totals_add_the_summed_columns_only() -> None:
    t = Table("x", "X", "", (Col("who", "Who"), Col("n", "N", "count", total="sum"),
                             Col("cents", "Cents", "money", total="sum"), Col("rate", "Rate", "percent", 2)),
              [["a", 2, 150, 5000], ["b", None, -50, 2500]])
    assert t.sum_totals() == ["Total", 2, 100, None]


def test_values_show_as_people_read_them() -> None:
    money, pct, days = Col("m", "M", "money"), Col("p", "P", "percent", 2), Col("d", "D", "decimal", 1)
    assert show(money, 123456) == "$1,234.56" and show(money, -5) == "-$0.05"
    assert show(money, 123456, csv_style=True) == "1234.56"
    assert show(pct, 9525) == "95.25%" and show(pct, 7, csv_style=True) == "0.07"
    assert show(days, 350) == "35.0" and show(Col("n", "N", "count"), 12345) == "12,345"
    assert show(money, None) == ""


def test_csv_keeps_formulas_out_of_names() -> None:
    t = Table("x", "X", "", (Col("who", "Who"), Col("cents", "Cents", "money", total="sum")),
              [["=HYPERLINK(\"http://evil\")", 100], ["-2+3", -250], ["@SUM(A1)", 0]])
    t.sum_totals()
    rows = list(csv.reader(io.StringIO(to_csv(t).decode())))
    assert rows == [["Who", "Cents"], ["'=HYPERLINK(\"http://evil\")", "1.00"], ["'-2+3", "-2.50"],
                    ["'@SUM(A1)", "0.00"], ["Total", "-1.50"]]
