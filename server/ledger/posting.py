"""Writing to the ledger: every posting in the system goes through ``post``.

Entries are checked to balance here (a clear error for the programmer) and again by the database at commit (the
guarantee). They are written set-based, two statements for any number of entries, because ERA posting writes tens
of thousands at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.ledger.models import ACCOUNTS, KINDS, LedgerEntry, LedgerLine
from server.practice.service import practice_today
from server.rpc.context import CallContext


@dataclass(frozen=True)
class Line:
    account: str
    amount_cents: int
    payer_id: int | None = None
    patient_id: int | None = None
    encounter_id: int | None = None
    line_number: int | None = None


@dataclass(frozen=True)
class Entry:
    kind: str
    idempotency_key: str
    lines: tuple[Line, ...]
    patient_id: int | None = None
    encounter_id: int | None = None
    line_number: int | None = None
    code: str = ""
    note: str = ""
    reverses_entry_id: int | None = None
    business_date: date | None = None
    claim_id: int | None = None


def check_balanced(entry: Entry) -> None:
    if entry.kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {entry.kind!r}")
    if len(entry.lines) < 2:
        raise ValueError(f"ledger entry {entry.idempotency_key} needs two lines at least")
    for li in entry.lines:
        if li.account not in ACCOUNTS:
            raise ValueError(f"unknown ledger account {li.account!r}")
    total = sum(li.amount_cents for li in entry.lines)
    if total != 0:
        raise ValueError(f"ledger entry {entry.idempotency_key} does not balance: {total} cents")


def patient_amounts(entry: Entry) -> dict[str, int]:
    """What the entry changes in its patient's accounts (the columns kept on the entry for the patient ledger)."""
    mine = [li for li in entry.lines if li.patient_id is not None and li.patient_id == entry.patient_id]
    return {"insurance_cents": sum(li.amount_cents for li in mine if li.account == "insurance_ar"),
            "patient_cents": sum(li.amount_cents for li in mine if li.account == "patient_ar"),
            "credit_cents": -sum(li.amount_cents for li in mine if li.account == "unapplied_credit")}


def reversal_lines(lines: Sequence[Line]) -> tuple[Line, ...]:
    """The lines that undo these: same accounts, opposite signs."""
    return tuple(Line(li.account, -li.amount_cents, li.payer_id, li.patient_id, li.encounter_id, li.line_number)
                 for li in lines)


# A closed day's sheet is stored (server/deposits/): what would land on it goes to the day after the latest closed
# day instead. Two small statements per call (a shared lock, then the closed days), whatever the number of entries.
_CLOSED_SQL = text("""
SELECT (SELECT max(business_date) FROM day_close WHERE practice_id = :p) AS latest,
       ARRAY(SELECT business_date FROM day_close WHERE practice_id = :p AND business_date = ANY(:dates)) AS closed""")


def day_close_lock(practice_id: int) -> object:
    """The advisory lock a post holds shared and CloseDay exclusively: a day is never closed under a post."""
    return func.hashtextextended(f"day-close:{practice_id}", 0)


async def open_dates(ctx: CallContext, wanted: set[date]) -> dict[date, date]:
    """Each wanted business date, or the day after the latest closed day when it is closed."""
    # Held until commit: a day close waits for this post, or this post waits for it and then sees it (read
    # committed: the next statement's snapshot is taken after the wait).
    await ctx.db.execute(select(func.pg_advisory_xact_lock_shared(day_close_lock(ctx.practice_id))))
    row = (await ctx.db.execute(_CLOSED_SQL, {"p": ctx.practice_id, "dates": sorted(wanted)})).one()
    closed = set(row.closed or ())
    return {d: (row.latest + timedelta(days=1) if d in closed else d) for d in wanted}


async def post(ctx: CallContext, entries: Sequence[Entry]) -> list[int]:
    """Appends the entries and their lines; returns the entries' ids in the order given."""
    if not entries:
        return []
    for e in entries:
        check_balanced(e)
    who = ctx.require_session()
    today = await practice_today(ctx.db, ctx.practice_id)
    business = await open_dates(ctx, {e.business_date or today for e in entries})
    rows = [{**patient_amounts(e), "practice_id": ctx.practice_id, "patient_id": e.patient_id,
             "encounter_id": e.encounter_id, "claim_id": e.claim_id,
             "line_number": e.line_number, "code": e.code, "kind": e.kind,
             "reverses_entry_id": e.reverses_entry_id, "business_date": business[e.business_date or today],
             "idempotency_key": e.idempotency_key, "posted_by": who.user_id, "posted_by_name": who.username,
             "workstation": ctx.workstation.name, "note": e.note} for e in entries]
    # Core inserts (not the ORM's bulk path): thousands of rows in a few multi-row statements.
    entry_table, line_table = cast(Table, LedgerEntry.__table__), cast(Table, LedgerLine.__table__)
    result = await ctx.db.execute(insert(entry_table).returning(entry_table.c.id, sort_by_parameter_order=True),
                                  rows)
    ids = [r[0] for r in result]
    await ctx.db.execute(insert(line_table), [
        {"practice_id": ctx.practice_id, "entry_id": entry_id, "account": li.account, "payer_id": li.payer_id,
         "patient_id": li.patient_id, "encounter_id": li.encounter_id, "line_number": li.line_number,
         "amount_cents": li.amount_cents}
        for entry_id, e in zip(ids, entries, strict=True) for li in e.lines])
    return ids


async def lines_of(db: AsyncSession, practice_id: int, entry_ids: list[int]) -> dict[int, list[Line]]:
    """The lines of each entry as posted (to show them, or to reverse them)."""
    rows = (await db.execute(select(LedgerLine).where(
        LedgerLine.practice_id == practice_id, LedgerLine.entry_id.in_(entry_ids))
        .order_by(LedgerLine.id))).scalars().all()
    out: dict[int, list[Line]] = {i: [] for i in entry_ids}
    for r in rows:
        out[r.entry_id].append(Line(r.account, r.amount_cents, r.payer_id, r.patient_id, r.encounter_id,
                                    r.line_number))
    return out
