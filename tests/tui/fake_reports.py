"""The fake gateway's reports, dashboard and custom reports (mixed into ``FakeGateway``).

Fixed figures, worked out so the totals add up: Collections has three rows (Lee, Patel, money on no visit) and a
totals row; A/R aging by insurance has three payers; the dashboard is November 2026 against October, with days in
A/R 38.4 (goal < 35: missed) and a clean claim rate of 96.10% (goal >= 95%: met). One custom report is saved, mary's
"Charges by payer", shared with billers.

The fake roles carry no report permissions (their snapshots predate the Reports mode); ``grant_report_permissions``
gives each role the server's (server/security.py) for the tests of this mode.

Checks only what the screens must show: dates the wrong way round, a custom report without title or measures, the
Patient dimension without ``reports.read_phi``, someone else's report. The real rules are the server's (tests/api/).
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from client_tui.gateway import (
    FieldViolation,
    GatewayError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Progress,
    ReportTarget,
    StaleRecord,
)
from client_tui.grpc_gateway import write_in_folder
from client_tui.report_values import cell_text
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.reports.v1 import reports_pb2 as rp

from .fake_payments import stamp

REPORT_PERMISSIONS = {
    "biller": ["reports.read", "reports.read_phi"],
    "provider": ["reports.read"],
    "manager": ["reports.read", "reports.read_phi", "reports.customize"],
}
M, C, T, P, D = (rp.COLUMN_KIND_MONEY, rp.COLUMN_KIND_COUNT, rp.COLUMN_KIND_TEXT, rp.COLUMN_KIND_PERCENT,
                 rp.COLUMN_KIND_DECIMAL)
GENERATED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)

REPORTS = [
    rp.ReportInfo(report="ar_aging_insurance", title="A/R aging: insurance", group="Receivables",
                  description="What each payer owes, by age of the balance.",
                  filters=["providers", "locations", "payers", "aging_basis"]),
    rp.ReportInfo(report="days_in_ar", title="Days in A/R", group="Receivables",
                  description="How many days of charges are still owed, per provider.",
                  filters=["dates", "providers", "locations"]),
    rp.ReportInfo(report="collections", title="Collections", group="Money",
                  description="Charges, adjustments and money collected per provider, with the collection ratios.",
                  filters=["dates", "providers", "locations", "payers"]),
    rp.ReportInfo(report="denials_by_payer", title="Denial rate by payer", group="Claims",
                  description="Claims adjudicated and denied (in whole or in part), per payer.",
                  filters=["dates", "providers", "locations", "payers"]),
    rp.ReportInfo(report="no_shows_by_patient", title="No-shows and cancellations by patient", group="Appointments",
                  description="Each patient's appointments booked, kept, cancelled and missed.",
                  filters=["dates", "providers", "locations"], names_patients=True),
]

CATALOG = rp.GetReportCatalogResponse(
    measures=[rp.CatalogEntry(key="charges", title="Charges", description="Fees charged.", kind=M),
              rp.CatalogEntry(key="insurance_payments", title="Insurance payments",
                              description="Money received from payers.", kind=M),
              rp.CatalogEntry(key="visits", title="Visits charged", description="Visits with a charge.", kind=C)],
    dimensions=[rp.CatalogEntry(key="month", title="Month", description="The business month.", kind=T),
                rp.CatalogEntry(key="primary_payer", title="Primary payer", description="The visit's primary payer.",
                                kind=T),
                rp.CatalogEntry(key="patient", title="Patient", description="The patient's name and MRN.", kind=T,
                                names_patients=True)])


def v(value: int | str | date | None) -> rp.Value:
    if value is None:
        return rp.Value()
    if isinstance(value, str):
        return rp.Value(text=value)
    if isinstance(value, date):
        return rp.Value(date=dates.to_pb(value))
    return rp.Value(integer=value)


def table(report: str, title: str, subtitle: str, columns: list[tuple[str, str, int, int]],
          rows: list[list[Any]], totals: list[Any] | None, notes: list[str]) -> rp.ReportTable:
    out = rp.ReportTable(report=report, title=title, subtitle=subtitle, notes=notes,
                         columns=[rp.Column(key=k, title=t, kind=kind, scale=s)  # type: ignore[arg-type]
                                  for k, t, kind, s in columns],
                         rows=[rp.Row(values=[v(x) for x in r]) for r in rows])
    if totals is not None:
        out.totals.CopyFrom(rp.Row(values=[v(x) for x in totals]))
    out.generated_at.CopyFrom(stamp(GENERATED))
    return out


def span_words(flt: rp.ReportFilter) -> str:
    start = dates.from_pb(getattr(flt, "from")) if flt.HasField("from") else date(2026, 11, 1)
    end = dates.from_pb(flt.to) if flt.HasField("to") else date(2026, 11, 30)
    assert start is not None and end is not None
    providers = f"{len(flt.provider_ids)} provider(s)" if flt.provider_ids else "all providers"
    return f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y}, {providers}"


def collections(flt: rp.ReportFilter) -> rp.ReportTable:
    rows = [["Lee, Anna", 485_000, 96_000, 262_500, 41_000, 303_500, 7_861],
            ["Patel, Raj", 312_500, 58_000, 171_000, 22_500, 193_500, 7_603],
            ["(not on a visit)", 0, 0, 0, 6_500, 6_500, None]]
    if flt.provider_ids:
        names = {1: "Lee, Anna", 2: "Patel, Raj"}
        rows = [r for r in rows if r[0] in {names.get(i) for i in flt.provider_ids}]
    totals: list[Any] = ["Total", *(sum(r[i] for r in rows) for i in range(1, 6)), None]
    return table("collections", "Collections", span_words(flt),
                 [("provider", "Provider", T, 0), ("charges", "Charges", M, 0), ("contractual", "Contractual", M, 0),
                  ("insurance_paid", "Insurance paid", M, 0), ("patient_paid", "Patient paid", M, 0),
                  ("collected", "Collected", M, 0), ("net_rate", "Net collection", P, 2)],
                 rows, totals, ["Collected: insurance and patient payments, less refunds.",
                                "Net collection: collected / (charges - contractual)."])


def aging(flt: rp.ReportFilter) -> rp.ReportTable:
    rows = [["Aetna", 120_000, 45_000, 0, 12_500, 0],
            ["Medicare Part B Ohio", 250_000, 80_000, 30_000, 0, 9_500],
            ["UnitedHealthcare", 64_000, 0, 18_000, 0, 41_000]]
    rows = [[*r, sum(r[1:])] for r in rows]
    totals = ["Total", *(sum(r[i] for r in rows) for i in range(1, 7))]
    basis = ", aged from date billed" if flt.aging_basis == rp.AGING_BASIS_DATE_BILLED else ""
    return table("ar_aging_insurance", "A/R aging: insurance", f"as of 3 Nov 2026, all providers{basis}",
                 [("payer", "Payer", T, 0), ("days_0-30", "0-30", M, 0), ("days_31-60", "31-60", M, 0),
                  ("days_61-90", "61-90", M, 0), ("days_91-120", "91-120", M, 0), ("days_120+", "120+", M, 0),
                  ("total", "Total", M, 0)],
                 rows, totals, ["Open balances as they stand now, aged in days to the report date."])


def generic(info: rp.ReportInfo, flt: rp.ReportFilter) -> rp.ReportTable:
    return table(info.report, info.title, span_words(flt),
                 [("name", "Name", T, 0), ("count", "Count", C, 0), ("rate", "Rate", P, 2), ("days", "Days", D, 1)],
                 [["First", 12, 850, 315], ["Second", 3, 1_250, 402]], ["Total", 15, None, None], [])


def dashboard() -> rp.GetDashboardResponse:
    out = rp.GetDashboardResponse()
    for key, title, kind, scale, this, last, goal, lower in (
        ("days_in_ar", "Days in A/R", D, 1, 384, 362, 350, True),
        ("clean_claim_rate", "Clean claim rate", P, 2, 9_610, 9_420, 9_500, False),
        ("denial_rate", "Denial rate", P, 2, 420, 610, 500, True),
        ("no_show_rate", "No-show rate", P, 2, 730, 540, 500, True),
        ("net_collection_rate", "Net collection rate", P, 2, 9_780, 9_650, 9_500, False),
        ("charges", "Charges", M, 0, 797_500, 742_000, None, False),
        ("collections", "Collections", M, 0, 503_500, 488_250, None, False),
        ("visits", "Visits charged", C, 0, 64, 59, None, False),
    ):
        kpi = rp.Kpi(key=key, title=title, kind=kind, scale=scale, this_month=this, last_month=last,  # type: ignore[arg-type]
                     has_goal=goal is not None, goal=goal or 0, lower_is_better=lower)
        if goal is not None:
            kpi.meets_goal = this < goal if lower else this >= goal
        out.kpis.append(kpi)
    for i in range(12):
        month = date(2025 + (i + 11) // 12, (i + 11) % 12 + 1, 1)  # Dec 2025 .. Nov 2026
        out.trend.append(rp.TrendPoint(month=dates.to_pb(month), charges_cents=600_000 + 20_000 * i,
                                       collections_cents=420_000 + 8_000 * i, ar_cents=900_000 + 15_000 * i,
                                       days_in_ar_tenths=330 + 5 * (i % 4)))
    for label, insurance, patient in (("0-30", 434_000, 61_000), ("31-60", 125_000, 38_000),
                                      ("61-90", 48_000, 22_500), ("91-120", 12_500, 9_000),
                                      ("120+", 50_500, 14_000)):
        out.aging.append(rp.AgingBucket(label=label, insurance_cents=insurance, patient_cents=patient))
    out.generated_at.CopyFrom(stamp(GENERATED))
    return out


class FakeReports:
    """Needs ``_enter`` and ``session`` from the class it is mixed with."""

    session: auth_pb2.Session | None
    calls: list[str]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    def _seed_reports(self) -> None:
        self.extra_permissions: dict[str, list[str]] = {}
        self.report_requests: dict[str, list[Any]] = {}
        self.report_fail_on: dict[str, GatewayError] = {}
        # Bytes per streamed chunk of an export, and a pause between chunks (to see the progress bar move).
        self.export_chunk_bytes = 64
        self.export_pause_s = 0.0
        self.export_progress: list[tuple[int, int]] = []
        self.next_custom_id = itertools.count(2)
        self.custom_reports: dict[int, rp.CustomReport] = {1: rp.CustomReport(
            custom_report_id=1, owner="mary", version=1, updated_at=stamp(GENERATED),
            definition=rp.CustomReportDefinition(title="Charges by payer", measures=["charges", "visits"],
                                                 dimensions=["primary_payer"], sort_by="charges",
                                                 sort_direction=rp.SORT_DIRECTION_DESCENDING,
                                                 shared_with_roles=["biller"]))}

    def grant_report_permissions(self) -> None:
        """Every role gets the server's report permissions (from the next login on)."""
        self.extra_permissions = {role: list(perms) for role, perms in REPORT_PERMISSIONS.items()}

    def _report_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.report_requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.report_fail_on:
            raise self.report_fail_on.pop(method)

    def _has(self, permission: str) -> bool:
        return self.session is not None and permission in self.session.permissions

    def _visible(self) -> list[rp.CustomReport]:
        session = self.session
        assert session is not None
        return [c for c in self.custom_reports.values()
                if c.owner == session.username or set(c.definition.shared_with_roles) & set(session.roles)]

    # -- Gateway ----------------------------------------------------------------------------
    async def list_reports(self) -> list[rp.ReportInfo]:
        self._report_call("list_reports", "reports.read")
        return [r for r in REPORTS if self._has("reports.read_phi") or not r.names_patients]

    def _table(self, target: ReportTarget, flt: rp.ReportFilter) -> rp.ReportTable:
        if flt.HasField("from") and flt.HasField("to") and \
                (dates.from_pb(getattr(flt, "from")) or date.min) > (dates.from_pb(flt.to) or date.max):
            raise InvalidInput([FieldViolation("filter.to", "must be on or after the start date")])
        if target.custom_report_id:
            saved = next((c for c in self._visible() if c.custom_report_id == target.custom_report_id), None)
            if saved is None:
                raise NotFound("No such custom report (or it is not shared with you).")
            return table(f"custom_{saved.custom_report_id}", saved.definition.title, span_words(flt),
                         [("primary_payer", "Primary payer", T, 0), ("charges", "Charges", M, 0),
                          ("visits", "Visits charged", C, 0)],
                         [["Aetna", 245_000, 21], ["Self-pay", 38_500, 6]], ["Total", 283_500, None],
                         ["Charges: Fees charged."])
        info = next((r for r in REPORTS if r.report == target.report), None)
        if info is None:
            raise NotFound(f"There is no report called {target.report!r}.")
        if info.names_patients and not self._has("reports.read_phi"):
            raise PermissionDenied(f"The report {info.title!r} names patients; your role may run only reports "
                                   "without patient names.")
        if info.report == "collections":
            return collections(flt)
        if info.report == "ar_aging_insurance":
            return aging(flt)
        return generic(info, flt)

    async def run_report(self, target: ReportTarget, report_filter: rp.ReportFilter) -> rp.ReportTable:
        self._report_call("run_report", "reports.read", target, report_filter)
        return self._table(target, report_filter)

    async def export_report(self, target: ReportTarget, report_filter: rp.ReportFilter, export_format: int,
                            folder: Path, progress: Progress | None = None) -> Path:
        self._report_call("export_report", "reports.read", target, report_filter, export_format, folder)
        shown = self._table(target, report_filter)
        if export_format == rp.EXPORT_FORMAT_PDF:
            content = b"%PDF-1.4\n% fake\n" + shown.title.encode() * 40 + b"\n%%EOF\n"
            name = f"{shown.report}.pdf"
        else:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow([c.title for c in shown.columns])
            for row in (*shown.rows, shown.totals):
                writer.writerow([cell_text(c, x) for c, x in zip(shown.columns, row.values, strict=True)])
            content = out.getvalue().encode()
            name = f"{shown.report}.csv"
        self.export_progress = []
        for start in range(0, len(content), self.export_chunk_bytes):
            done = min(start + self.export_chunk_bytes, len(content))
            self.export_progress.append((done, len(content)))
            if progress is not None:
                progress(done, len(content))
            await asyncio.sleep(self.export_pause_s)
        return await asyncio.to_thread(write_in_folder, folder, name, content)

    async def get_dashboard(self, month: date | None = None) -> rp.GetDashboardResponse:
        self._report_call("get_dashboard", "reports.read", month)
        return dashboard()

    async def get_report_catalog(self) -> rp.GetReportCatalogResponse:
        self._report_call("get_report_catalog", "reports.read")
        return CATALOG

    async def save_custom_report(self, definition: rp.CustomReportDefinition, custom_report_id: int = 0,
                                 version: int = 0) -> rp.CustomReport:
        self._report_call("save_custom_report", "reports.customize", definition, custom_report_id, version)
        session = self.session
        assert session is not None
        bad = []
        if not definition.title.strip():
            bad.append(FieldViolation("definition.title", "is required"))
        if not definition.measures:
            bad.append(FieldViolation("definition.measures", "choose at least one measure"))
        if bad:
            raise InvalidInput(bad)
        if "patient" in definition.dimensions and not self._has("reports.read_phi"):
            raise PermissionDenied("The Patient dimension names patients; your role may not use it.")
        if custom_report_id:
            saved = self.custom_reports.get(custom_report_id)
            if saved is None:
                raise NotFound("No such custom report (or it is not shared with you).")
            if saved.owner != session.username:
                raise PermissionDenied("Only its owner can change a custom report; save a copy instead.")
            if saved.version != version:
                raise StaleRecord("Someone else changed this record; reload and try again.")
            report = rp.CustomReport(custom_report_id=custom_report_id, owner=saved.owner, version=version + 1,
                                     definition=definition, updated_at=stamp(GENERATED))
        else:
            report = rp.CustomReport(custom_report_id=next(self.next_custom_id), owner=session.username, version=1,
                                     definition=definition, updated_at=stamp(GENERATED))
        self.custom_reports[report.custom_report_id] = report
        return report

    async def list_custom_reports(self) -> list[rp.CustomReport]:
        self._report_call("list_custom_reports", "reports.read")
        return sorted(self._visible(), key=lambda c: (c.definition.title, c.custom_report_id))

    async def delete_custom_report(self, custom_report_id: int, version: int) -> None:
        self._report_call("delete_custom_report", "reports.customize", custom_report_id, version)
        saved = self.custom_reports.get(custom_report_id)
        if saved is None:
            raise NotFound("No such custom report (or it is not shared with you).")
        if self.session is None or saved.owner != self.session.username:
            raise PermissionDenied("Only its owner can delete a custom report.")
        if saved.version != version:
            raise StaleRecord("Someone else changed this record; reload and try again.")
        del self.custom_reports[custom_report_id]
