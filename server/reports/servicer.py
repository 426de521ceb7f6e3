"""ReportService: built-in and custom reports, exports and the dashboard (decision 0027)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from server.reports import custom, dashboard, service
from server.rpc.context import current_call
from shared.pms.reports.v1 import reports_pb2 as pb
from shared.pms.reports.v1 import reports_pb2_grpc


def _now() -> Timestamp:
    ts = Timestamp()
    ts.GetCurrentTime()
    return ts


class ReportServicer(reports_pb2_grpc.ReportServiceServicer):
    async def ListReports(self, request: pb.ListReportsRequest, context: grpc.aio.ServicerContext
                          ) -> pb.ListReportsResponse:
        return pb.ListReportsResponse(reports=service.list_reports(current_call()))

    async def RunReport(self, request: pb.RunReportRequest, context: grpc.aio.ServicerContext
                        ) -> pb.RunReportResponse:
        ctx = current_call()
        table = await service.run(ctx, request.WhichOneof("target") or "", request.report,
                                  request.custom_report_id, request.filter)
        ctx.audit.detail += f" rows={len(table.rows)}"
        out = table.to_pb()
        out.generated_at.CopyFrom(_now())
        return pb.RunReportResponse(table=out)

    async def ExportReport(self, request: pb.ExportReportRequest, context: grpc.aio.ServicerContext
                           ) -> AsyncIterator[pb.ExportReportResponse]:
        ctx = current_call()
        table = await service.run(ctx, request.WhichOneof("target") or "", request.report,
                                  request.custom_report_id, request.filter)
        name, content_type, data = await service.export_file(ctx, table, request.format)
        ctx.audit.detail += f" rows={len(table.rows)} export={name} bytes={len(data)}"
        total = len(data)
        for start in range(0, max(total, 1), service.EXPORT_CHUNK):
            chunk = data[start:start + service.EXPORT_CHUNK]
            first = start == 0
            yield pb.ExportReportResponse(file_name=name if first else "", content_type=content_type if first else "",
                                          total_bytes=total, chunk=chunk, sent_bytes=start + len(chunk),
                                          row_count=len(table.rows))

    async def GetDashboard(self, request: pb.GetDashboardRequest, context: grpc.aio.ServicerContext
                           ) -> pb.GetDashboardResponse:
        ctx = current_call()
        out = await dashboard.build(ctx, request)
        out.generated_at.CopyFrom(_now())
        return out

    async def GetReportCatalog(self, request: pb.GetReportCatalogRequest, context: grpc.aio.ServicerContext
                               ) -> pb.GetReportCatalogResponse:
        return custom.catalog_pb()

    async def SaveCustomReport(self, request: pb.SaveCustomReportRequest, context: grpc.aio.ServicerContext
                               ) -> pb.SaveCustomReportResponse:
        ctx = current_call()
        saved = await custom.save(ctx, request)
        ctx.audit.detail = f"custom_report={saved.custom_report_id} version={saved.version}"
        return pb.SaveCustomReportResponse(report=saved)

    async def ListCustomReports(self, request: pb.ListCustomReportsRequest, context: grpc.aio.ServicerContext
                                ) -> pb.ListCustomReportsResponse:
        return pb.ListCustomReportsResponse(reports=await custom.list_visible(current_call()))

    async def DeleteCustomReport(self, request: pb.DeleteCustomReportRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.DeleteCustomReportResponse:
        ctx = current_call()
        await custom.delete(ctx, request.custom_report_id, request.version)
        ctx.audit.detail = f"custom_report={request.custom_report_id}"
        return pb.DeleteCustomReportResponse()
