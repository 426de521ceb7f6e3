"""CodeService: code lookup and checks for a date of service; the releases loaded."""

from __future__ import annotations

from datetime import date
from typing import Any

import grpc

from server.codes import lookup, rules
from server.errors import FieldErrors
from server.practice.service import practice_today
from server.rpc.context import CallContext, current_call
from shared import dates
from shared.pms.codes.v1 import codes_pb2 as pb
from shared.pms.codes.v1 import codes_pb2_grpc

SYSTEMS = {pb.CODE_SYSTEM_ICD10CM: "icd10cm", pb.CODE_SYSTEM_CPT: "cpt", pb.CODE_SYSTEM_HCPCS: "hcpcs",
           pb.CODE_SYSTEM_MODIFIER: "modifier", pb.CODE_SYSTEM_POS: "pos"}
ENUMS = {name: value for value, name in SYSTEMS.items()}
DEFAULT_LIMIT, MAX_LIMIT = 25, 100


def code_message(row: Any) -> pb.Code:
    return pb.Code(system=ENUMS[row.system], code=row.code, display_code=lookup.display(row.system, row.code),
                   description=row.description, billable=row.billable, requires_ndc=row.requires_ndc,
                   valid_from=dates.to_pb(row.valid_from), valid_to=dates.to_pb(row.valid_to))


async def _system_and_date(ctx: CallContext, errors: FieldErrors, system: int, dos: Any) -> tuple[str, date]:
    name = SYSTEMS.get(system, "")  # type: ignore[call-overload]
    if not name:
        errors.add("system", "choose a code system")
    when: date | None = None
    try:
        when = dates.from_pb(dos) if dates.is_set(dos) else None
    except ValueError:
        errors.add("date_of_service", "is not a real date")
    return name, when or await practice_today(ctx.db, ctx.practice_id)


class CodeServicer(codes_pb2_grpc.CodeServiceServicer):
    async def SearchCodes(self, request: pb.SearchCodesRequest, context: grpc.aio.ServicerContext
                          ) -> pb.SearchCodesResponse:
        ctx = current_call()
        errors = FieldErrors()
        system, dos = await _system_and_date(ctx, errors, request.system, request.date_of_service)
        if not 0 <= request.limit <= MAX_LIMIT:
            errors.add("limit", f"must be between 0 and {MAX_LIMIT}")
        errors.raise_if_any()
        rows = await lookup.search(ctx.db, system, lookup.parse(request.query), dos, request.billable_only,
                                   request.limit or DEFAULT_LIMIT)
        ctx.audit.detail = f"system={system} results={len(rows)}"
        return pb.SearchCodesResponse(codes=[code_message(r) for r in rows])

    async def CheckCode(self, request: pb.CheckCodeRequest, context: grpc.aio.ServicerContext
                        ) -> pb.CheckCodeResponse:
        ctx = current_call()
        errors = FieldErrors()
        system, dos = await _system_and_date(ctx, errors, request.system, request.date_of_service)
        code = request.code.strip().replace(".", "").upper()
        if not code:
            errors.add("code", "is required")
        elif len(code) > 12:
            errors.add("code", "is longer than any code")
        errors.raise_if_any()
        verdict = rules.check(system, lookup.display(system, code), await lookup.versions(ctx.db, system, code), dos)
        ctx.audit.detail = f"system={system} code={code} valid={verdict.valid}"
        return pb.CheckCodeResponse(code=code_message(verdict.row) if verdict.row is not None else None,
                                    valid=verdict.valid, reason=verdict.reason, problem=verdict.problem)

    async def ListCodeReleases(self, request: pb.ListCodeReleasesRequest, context: grpc.aio.ServicerContext
                               ) -> pb.ListCodeReleasesResponse:
        rows = await lookup.releases(current_call().db)
        return pb.ListCodeReleasesResponse(releases=[
            pb.CodeRelease(system=ENUMS[r.system], label=r.label, effective_date=dates.to_pb(r.effective_date),
                           source=r.source, added=r.added, changed=r.changed, retired=r.retired) for r in rows])
