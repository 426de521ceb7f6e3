"""837P batches: queued claims written into one interchange with control numbers that are never reused.

The billing setup row is locked while a number is taken, so two billers writing at once get consecutive numbers,
and the file is kept with its batch: delivering it (outbox folder, SFTP) and re-delivering after a failure send
the same bytes under the same interchange number, which a clearinghouse drops as a repeat.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from server.claims import setup as billing_setup
from server.claims.models import Claim, ClaimBatch
from server.claims.x12_build import batch_values
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation
from server.rpc.context import CallContext
from server.x12.writer837p import write_837p
from shared.pms.claims.v1 import claims_pb2 as pb

MAX_BATCH = 5000
LAST_INTERCHANGE = 999_999_999
DEFAULT_LIST, MAX_LIST = 50, 500
# The batch's life in order (models.ClaimBatch.status): counts are listed in it.
STATUS_ENUMS = {"written": pb.BATCH_STATUS_WRITTEN, "delivered": pb.BATCH_STATUS_DELIVERED,
                "accepted": pb.BATCH_STATUS_ACCEPTED, "rejected": pb.BATCH_STATUS_REJECTED}
STATUS_NAMES = {v: k for k, v in STATUS_ENUMS.items()}
LISTED = (ClaimBatch.id, ClaimBatch.interchange_control_number, ClaimBatch.claim_count,
          ClaimBatch.total_charge_cents, ClaimBatch.file_name, ClaimBatch.status, ClaimBatch.created_at,
          ClaimBatch.delivered_at, ClaimBatch.delivery_attempts, ClaimBatch.last_error)


async def create_batch(ctx: CallContext, claim_ids: list[int]) -> ClaimBatch:
    """Writes the named queued claims (or, with none named, every queued claim not yet in a batch)."""
    setup = await billing_setup.load(ctx.db, ctx.practice_id, for_update=True)
    if setup is None:
        raise RuleViolation("Enter the practice's billing identity first (Admin, billing setup).",
                            "BILLING_SETUP_MISSING")
    query = select(Claim).where(Claim.practice_id == ctx.practice_id, Claim.status == "queued",
                                Claim.batch_id.is_(None))
    if claim_ids:
        query = query.where(Claim.id.in_(claim_ids))
    # Named: all of them or an error; not named: the oldest 5,000 (the guide's limit per transaction set), the rest
    # wait for the next batch.
    limit = MAX_BATCH + 1 if claim_ids else MAX_BATCH
    claims = (await ctx.db.execute(query.order_by(Claim.id).limit(limit).with_for_update())).scalars().all()
    errors = FieldErrors()
    if claim_ids:
        found = {c.id for c in claims}
        for i, cid in enumerate(claim_ids):
            if cid not in found:
                errors.add(f"claim_ids[{i}]", f"claim {cid} is not queued (or is already in a batch)")
    if len(claims) > MAX_BATCH:
        errors.add("claim_ids", f"at most {MAX_BATCH} claims in one batch")
    errors.raise_if_any()
    if not claims:
        raise RuleViolation("No queued claims to send: scrub and queue claims first.", "NOTHING_QUEUED")
    interchange = setup.next_interchange_number
    setup.next_interchange_number = interchange + 1 if interchange < LAST_INTERCHANGE else 1
    now = datetime.now(UTC)
    values = await batch_values(ctx.db, ctx.practice_id, setup, [c.id for c in claims], interchange, now)
    try:
        content = write_837p(values)
    except ValueError as exc:
        # The scrubber should have stopped it; name the claim rather than fail the whole call obscurely.
        where = re.match(r"claims\[(\d+)\]", str(exc))
        who = f"claim {claims[int(where.group(1))].id}: " if where else ""
        raise RuleViolation(f"The 837P cannot carry {who}{exc}. Fix it, scrub and queue again.",
                            "CLAIM_NOT_WRITABLE") from exc
    batch = ClaimBatch(practice_id=ctx.practice_id, interchange_control_number=interchange,
                       claim_count=len(claims), total_charge_cents=sum(c.total_charge_cents for c in claims),
                       file_name=f"837P-{interchange:09d}.x12", content=content,
                       created_by=ctx.require_session().user_id)
    ctx.db.add(batch)
    await ctx.db.flush()
    for c in claims:
        c.batch_id = batch.id
        c.version += 1
        c.updated_at = now
    await ctx.db.flush()
    return batch


async def load(ctx: CallContext, batch_id: int) -> ClaimBatch:
    row = (await ctx.db.execute(select(ClaimBatch).where(ClaimBatch.practice_id == ctx.practice_id,
                                                         ClaimBatch.id == batch_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("No such batch.", "BATCH_NOT_FOUND")
    return row


async def listing(ctx: CallContext, req: pb.ListBatchesRequest) -> pb.ListBatchesResponse:
    """Newest first (by id: ids follow the order batches were written), with the counts of every status."""
    if not 0 <= req.limit <= MAX_LIST:
        raise InvalidArgument.one("limit", f"must be between 0 and {MAX_LIST}")
    if req.status and req.status not in STATUS_NAMES:
        raise InvalidArgument.one("status", "is not a batch status")
    query = select(ClaimBatch).where(ClaimBatch.practice_id == ctx.practice_id)
    if req.status:
        query = query.where(ClaimBatch.status == STATUS_NAMES[req.status])
    if req.before_id:
        query = query.where(ClaimBatch.id < req.before_id)
    # Not the file: up to 5,000 claims of patient data, which a listing needs neither the size nor the PHI of.
    rows = (await ctx.db.execute(query.options(load_only(*LISTED)).order_by(ClaimBatch.id.desc())
                                 .limit(req.limit or DEFAULT_LIST))).scalars().all()
    counted = await ctx.db.execute(select(ClaimBatch.status, func.count()).where(
        ClaimBatch.practice_id == ctx.practice_id).group_by(ClaimBatch.status))
    counts: dict[str, int] = {name: n for name, n in counted.all()}
    return pb.ListBatchesResponse(
        batches=[message(row) for row in rows],
        counts=[pb.BatchStatusCount(status=STATUS_ENUMS[name], count=counts[name])
                for name in STATUS_ENUMS if counts.get(name)])


def message(row: ClaimBatch) -> pb.Batch:
    out = pb.Batch(batch_id=row.id, interchange_control_number=row.interchange_control_number,
                   claim_count=row.claim_count, total_charge_cents=row.total_charge_cents, file_name=row.file_name,
                   status=row.status, batch_status=STATUS_ENUMS.get(row.status, pb.BATCH_STATUS_UNSPECIFIED),
                   delivery_attempts=row.delivery_attempts, last_error=row.last_error)
    out.created_at.FromDatetime(row.created_at)
    if row.delivered_at is not None:
        out.delivered_at.FromDatetime(row.delivered_at)
    return out
