"""Running reports: which ones a user may run, the run itself, and exporting the result."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import InvalidArgument, NotFound, PermissionDenied
from server.practice.models import Practice
from server.reports import custom, export, filters
from server.reports.registry import ReportSpec, load
from server.reports.table import Table
from server.rpc.context import CallContext
from server.security import Permission
from shared.pms.reports.v1 import reports_pb2 as pb

EXPORT_CHUNK = 256 * 1024


def visible(ctx: CallContext) -> list[ReportSpec]:
    phi = ctx.has(Permission.REPORTS_READ_PHI)
    return [s for s in load().values() if phi or not s.names_patients]


def list_reports(ctx: CallContext) -> list[pb.ReportInfo]:
    return [pb.ReportInfo(report=s.key, title=s.title, description=s.description, filters=s.filters,
                          names_patients=s.names_patients, group=s.group) for s in visible(ctx)]


def require_phi(ctx: CallContext, what: str) -> None:
    if not ctx.has(Permission.REPORTS_READ_PHI):
        raise PermissionDenied(f"{what} names patients; your role may run only reports without patient names.",
                               "PHI_REPORT_DENIED")


async def run(ctx: CallContext, which: str, report: str, custom_id: int, flt: pb.ReportFilter) -> Table:
    """Runs a built-in report (by key) or a saved custom report; `which` is the request's oneof."""
    if which == "report":
        spec = load().get(report)
        if spec is None:
            raise NotFound(f"There is no report called {report!r}.")
        if spec.names_patients:
            require_phi(ctx, f"The report {spec.title!r}")
        ctx.audit.detail = f"report={spec.key}"
        return await spec.run(ctx, await filters.from_request(ctx, flt))
    if which == "custom_report_id":
        ctx.audit.detail = f"custom_report={custom_id}"
        return await custom.run_saved(ctx, custom_id, flt)
    raise InvalidArgument.one("report", "name a report or a custom report")


async def export_file(ctx: CallContext, table: Table, fmt: int) -> tuple[str, str, bytes]:
    if fmt == pb.EXPORT_FORMAT_CSV:
        return f"{table.report}.csv", "text/csv", export.to_csv(table)
    if fmt == pb.EXPORT_FORMAT_PDF:
        name = (await ctx.db.execute(select(Practice.name).where(Practice.id == ctx.practice_id))).scalar_one()
        return f"{table.report}.pdf", "application/pdf", export.to_pdf(table, name)
    raise InvalidArgument.one("format", "choose CSV or PDF")
