"""A report's result: typed columns, rows and totals, the one shape every report, export and custom report has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from shared.pms.reports.v1 import reports_pb2 as pb

Kind = Literal["text", "money", "count", "percent", "decimal", "date"]
_KINDS = {"text": pb.COLUMN_KIND_TEXT, "money": pb.COLUMN_KIND_MONEY, "count": pb.COLUMN_KIND_COUNT,
          "percent": pb.COLUMN_KIND_PERCENT, "decimal": pb.COLUMN_KIND_DECIMAL, "date": pb.COLUMN_KIND_DATE}
Cell = str | int | date | None


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: Kind = "text"
    # PERCENT and DECIMAL values are integers times 10**scale.
    scale: int = 0
    # How the totals row gets this column: summed, or left empty (a name, an average).
    total: Literal["sum", "none"] = "none"


@dataclass
class Table:
    report: str
    title: str
    subtitle: str
    columns: Sequence[Col]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] | None = None
    notes: list[str] = field(default_factory=list)

    def sum_totals(self, label: str = "Total") -> list[Cell]:
        """The totals row from the columns that add up; the first text column says what it is."""
        out: list[Cell] = []
        for i, c in enumerate(self.columns):
            if c.total == "sum":
                out.append(sum(num(r[i]) for r in self.rows))
            else:
                out.append(label if i == 0 else None)
        self.totals = out
        return out

    def to_pb(self) -> pb.ReportTable:
        t = pb.ReportTable(report=self.report, title=self.title, subtitle=self.subtitle, notes=self.notes,
                           columns=[pb.Column(key=c.key, title=c.title, kind=_KINDS[c.kind], scale=c.scale)
                                    for c in self.columns])
        # Filled in place (add(), not constructors): a 10,000-row aging is built in a third of the time.
        add = t.rows.add
        for r in self.rows:
            _fill(add().values, r)
        if self.totals is not None:
            _fill(t.totals.values, self.totals)
        return t


def _fill(values: Any, cells: Sequence[Cell | Decimal]) -> None:
    for v in cells:
        out = values.add()
        if v is None:
            continue
        if isinstance(v, bool):
            raise TypeError("booleans are not report values")
        if isinstance(v, int):
            out.integer = v
        elif isinstance(v, str):
            out.text = v
        elif isinstance(v, Decimal):
            # Sums come back from PostgreSQL as numeric: they are whole cents or counts.
            out.integer = int(v)
        elif isinstance(v, date):
            out.date.year, out.date.month, out.date.day = v.year, v.month, v.day
        else:
            out.text = str(v)


def num(v: Cell) -> int:
    """A numeric cell as an int (an empty one is 0)."""
    return v if isinstance(v, int) else 0


def ratio(numerator: int, denominator: int, scale: int = 2) -> int | None:
    """numerator / denominator as a percentage times 10**scale, rounded half up; None when nothing to divide."""
    if denominator == 0:
        return None
    factor = 100 * 10 ** scale
    n = numerator * factor
    q, r = divmod(abs(n), abs(denominator))
    if 2 * r >= abs(denominator):
        q += 1
    return q if (n >= 0) == (denominator > 0) else -q


def quotient(numerator: int, denominator: int, scale: int = 1) -> int | None:
    """numerator / denominator times 10**scale, rounded half up (averages, days, RVUs)."""
    if denominator == 0:
        return None
    return ratio(numerator, denominator * 100, scale)
