"""The dashboard: this month's KPIs against last month and the goals, a year of monthly trends and the aging
buckets (server/reports/kpis.py computes them from the ledger's summaries)."""

from __future__ import annotations

from datetime import date

from server.reports import filters, kpis
from server.reports.financial import BUCKETS
from server.rpc.context import CallContext
from shared import dates
from shared.pms.reports.v1 import reports_pb2 as pb

TREND_MONTHS = 12
# (key, title, kind, scale, goal, lower is better): goals from the field (BRIEF glossary) and the issue.
KPIS = (
    ("days_in_ar", "Days in A/R", pb.COLUMN_KIND_DECIMAL, 1, 350, True),
    ("clean_claim_rate", "Clean claim rate", pb.COLUMN_KIND_PERCENT, 2, 9500, False),
    ("denial_rate", "Denial rate", pb.COLUMN_KIND_PERCENT, 2, 500, True),
    ("no_show_rate", "No-show rate", pb.COLUMN_KIND_PERCENT, 2, 500, True),
    ("net_collection_rate", "Net collection rate", pb.COLUMN_KIND_PERCENT, 2, 9500, False),
    ("charges", "Charges", pb.COLUMN_KIND_MONEY, 0, None, False),
    ("collections", "Collections", pb.COLUMN_KIND_MONEY, 0, None, False),
    ("visits", "Visits charged", pb.COLUMN_KIND_COUNT, 0, None, False),
)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


async def build(ctx: CallContext, request: pb.GetDashboardRequest) -> pb.GetDashboardResponse:
    today, zone = await filters.practice_calendar(ctx)
    try:
        chosen = dates.from_pb(request.month) if request.HasField("month") else None
    except ValueError:
        from server.errors import InvalidArgument
        raise InvalidArgument.one("month", "is not a calendar date") from None
    anchor = filters.month_start(min(chosen or today, today))
    months = await kpis.monthly(ctx, filters.month_end(anchor))
    this = await kpis.month_kpis(ctx, anchor, today, zone, months)
    last = await kpis.month_kpis(ctx, add_months(anchor, -1), today, zone, months)
    out = pb.GetDashboardResponse()
    for key, title, kind, scale, goal, lower in KPIS:
        now_v, then_v = this.get(key), last.get(key)
        k = pb.Kpi(key=key, title=title, kind=kind, scale=scale, this_month=now_v or 0, last_month=then_v or 0,
                   has_goal=goal is not None, goal=goal or 0, lower_is_better=lower,
                   this_month_missing=now_v is None, last_month_missing=then_v is None)
        if goal is not None and now_v is not None:
            k.meets_goal = now_v < goal if lower else now_v >= goal
        out.kpis.append(k)
    for i in range(TREND_MONTHS - 1, -1, -1):
        m = add_months(anchor, -i)
        charges, collections, _, _ = months.get(m, (0, 0, 0, 0))
        ar = kpis.ar_on(months, m)
        dar = await kpis.days_in_ar(ctx, ar, min(filters.month_end(m), today))
        out.trend.append(pb.TrendPoint(month=dates.to_pb(m), charges_cents=charges, collections_cents=collections,
                                       ar_cents=ar, days_in_ar_tenths=dar or 0))
    for (label, _, _), (ins, pat) in zip(BUCKETS, await kpis.aging_buckets(ctx, today), strict=True):
        out.aging.append(pb.AgingBucket(label=label, insurance_cents=ins, patient_cents=pat))
    return out
