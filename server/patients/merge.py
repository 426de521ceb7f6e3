"""Merging two records of one person: everything of `merged` moves to `survivor`.

References are found from the schema itself (every foreign key to patient), so a table
added by a later feature moves too without anyone remembering to add it here; the
history tables are the deliberate exceptions and stay with the record they describe.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKeyConstraint, Table, select, text, update

from server.common.convert import ts
from server.db.base import Base
from server.errors import FieldErrors, RuleViolation, StaleVersion
from server.insurance.models import InsurancePolicy
from server.patients import service
from server.patients.models import PatientMerge
from server.rpc.context import CallContext
from shared.pms.patients.v1 import patients_pb2 as pb

# They describe one record's own past; moving them would rewrite it. The ledger is money already posted: it is
# never edited, so a record with ledger entries (which every payment has) is not merged (see merge()).
STAYS_WITH_RECORD = {"patient_change", "patient_merge", "patient", "ledger_entry", "ledger_line", "patient_payment"}


def patient_references() -> list[tuple[Table, str]]:
    """(table, column) of every foreign key to patient(practice_id, id), except the history tables."""
    import server.db.models  # noqa: F401  (every domain's tables, so none is missed)

    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in STAYS_WITH_RECORD:
            continue
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint) and constraint.referred_table.name == "patient":
                column = next(c.name for c in constraint.columns if c.name != "practice_id")
                found.append((table, column))
    return found


def merge_message(m: PatientMerge, survivor_mrn: str, merged_mrn: str) -> pb.MergeRecord:
    return pb.MergeRecord(merge_id=m.id, survivor_patient_id=m.survivor_id, merged_patient_id=m.merged_id,
                          survivor_mrn=survivor_mrn, merged_mrn=merged_mrn, reason=m.reason, merged_by=m.username,
                          merged_at=ts(m.merged_at), moved=list(m.moved))


async def merge(ctx: CallContext, request: pb.MergePatientsRequest) -> tuple[pb.Patient, pb.MergeRecord]:
    errors = FieldErrors()
    reason = " ".join(request.reason.split())
    if not reason:
        errors.add("reason", "is required (why these are the same person)")
    if request.survivor_patient_id == request.merged_patient_id:
        errors.add("merged_patient_id", "must be another record than the survivor")
    errors.raise_if_any()
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted((request.survivor_patient_id, request.merged_patient_id))
    locked = {pid: await service.load(ctx.db, ctx.practice_id, pid, for_update=True) for pid in (first, second)}
    survivor, merged = locked[request.survivor_patient_id], locked[request.merged_patient_id]
    ctx.audit.patient_id = survivor.id
    if survivor.version != request.survivor_version or merged.version != request.merged_version:
        raise StaleVersion("patient record")
    if "merged" in (survivor.status, merged.status):
        raise RuleViolation("One of these records was merged already.", "PATIENT_MERGED")
    posted = (await ctx.db.execute(text("SELECT EXISTS (SELECT 1 FROM ledger_entry WHERE practice_id = :p "
                                        "AND patient_id = :id)"), {"p": ctx.practice_id, "id": merged.id})).scalar()
    if posted:
        # Moving money between records needs transfer entries on the ledger (the payments issue), not an UPDATE.
        raise RuleViolation("The record to merge away has charges on its ledger; it cannot be merged yet.",
                            "PATIENT_HAS_LEDGER")

    # The absorbed record's active policies follow the survivor's in billing order.
    active_survivor = (await ctx.db.execute(select(InsurancePolicy.id).where(
        InsurancePolicy.practice_id == ctx.practice_id, InsurancePolicy.patient_id == survivor.id,
        InsurancePolicy.ended_at.is_(None)))).all()
    await ctx.db.execute(update(InsurancePolicy).where(
        InsurancePolicy.practice_id == ctx.practice_id, InsurancePolicy.patient_id == merged.id,
        InsurancePolicy.ended_at.is_(None)).values(priority=InsurancePolicy.priority + len(active_survivor),
                                                   version=InsurancePolicy.version + 1))
    moved = []
    for table, column in patient_references():
        result = await ctx.db.execute(text(
            f"UPDATE {table.name} SET {column} = :survivor WHERE practice_id = :p AND {column} = :merged"),
            {"survivor": survivor.id, "merged": merged.id, "p": ctx.practice_id})
        moved.append(f"{table.name}: {result.rowcount}")  # type: ignore[attr-defined]

    before = service.snapshot(merged)
    now = datetime.now(UTC)
    merged.status, merged.merged_into_id = "merged", survivor.id
    merged.version += 1
    merged.updated_at = now
    survivor.version += 1
    survivor.updated_at = now
    await ctx.db.flush()
    await service.record_change(ctx, merged, "merged_into", service.diff(before, service.snapshot(merged)))
    await service.record_change(ctx, survivor, "absorbed", [
        {"field": "merged_record", "before": "", "after": f"MRN {merged.mrn}"}, *[
            {"field": m.split(":")[0], "before": "", "after": f"moved {m.split(': ')[1]}"} for m in moved]])
    who = ctx.require_session()
    record = PatientMerge(practice_id=ctx.practice_id, survivor_id=survivor.id, merged_id=merged.id, reason=reason,
                          moved=moved, user_id=who.user_id, username=who.username)
    ctx.db.add(record)
    await ctx.db.flush()
    await ctx.db.refresh(record)
    await ctx.db.refresh(survivor)
    ctx.audit.detail = f"merged patient_id={merged.id} into {survivor.id}; " + "; ".join(moved)
    return service.patient_message(survivor), merge_message(record, survivor.mrn, merged.mrn)


async def list_merges(ctx: CallContext) -> list[pb.MergeRecord]:
    rows = (await ctx.db.execute(text("""
        SELECT m.id, m.survivor_id, m.merged_id, m.reason, m.moved, m.username, m.merged_at,
               s.mrn AS survivor_mrn, g.mrn AS merged_mrn
          FROM patient_merge m
          JOIN patient s ON s.practice_id = m.practice_id AND s.id = m.survivor_id
          JOIN patient g ON g.practice_id = m.practice_id AND g.id = m.merged_id
         WHERE m.practice_id = :p ORDER BY m.id DESC LIMIT 500"""), {"p": ctx.practice_id})).all()
    ctx.audit.detail = f"merges={len(rows)}"
    return [pb.MergeRecord(merge_id=r.id, survivor_patient_id=r.survivor_id, merged_patient_id=r.merged_id,
                           survivor_mrn=r.survivor_mrn, merged_mrn=r.merged_mrn, reason=r.reason,
                           merged_by=r.username, merged_at=ts(r.merged_at), moved=list(r.moved)) for r in rows]
