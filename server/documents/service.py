"""Attaching, listing and reading patients' scanned documents."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import ts
from server.db import raw
from server.documents import rules
from server.documents.models import Document, DocumentContent
from server.errors import FieldErrors, NotFound, RuleViolation
from server.patients import service as patients
from server.rpc.context import CallContext
from shared import dates
from shared.pms.documents.v1 import documents_pb2 as pb

TYPE_NAMES = {v.number: v.name.removeprefix("DOCUMENT_TYPE_").lower()
              for v in pb.DocumentType.DESCRIPTOR.values if v.number != 0}
TYPE_ENUMS = {v: k for k, v in TYPE_NAMES.items()}
DOWNLOAD_CHUNK = 256 * 1024


def document_message(d: Any) -> pb.DocumentInfo:
    """``d``: a document as ORM object or Core row."""
    return pb.DocumentInfo(
        document_id=d.id, patient_id=d.patient_id, document_type=TYPE_ENUMS.get(d.document_type, 0),  # type: ignore[arg-type]
        document_date=dates.to_pb(d.document_date), description=d.description, file_name=d.file_name,
        content_type=d.content_type, size_bytes=d.size_bytes, sha256=d.sha256.hex(), uploaded_at=ts(d.uploaded_at),
        uploaded_by=d.uploaded_by)


async def list_documents(db: AsyncSession, practice_id: int, patient_id: int) -> list[pb.DocumentInfo]:
    rows = await raw.fetch_all(db, """
        SELECT id, patient_id, document_type, document_date, description, file_name, content_type, size_bytes,
               sha256, uploaded_at, uploaded_by
          FROM document WHERE practice_id = :p AND patient_id = :patient
         ORDER BY document_date DESC, id DESC""", {"p": practice_id, "patient": patient_id})
    return [document_message(d) for d in rows]


def split_upload(messages: list[Any], overflow: bool) -> tuple[pb.UploadDocumentHeader, bytes]:
    errors = FieldErrors()
    if not messages or not messages[0].HasField("header"):
        errors.add("header", "must be the first message of the upload")
        errors.raise_if_any()
    header = messages[0].header
    chunks = []
    for i, message in enumerate(messages[1:], start=1):
        if message.HasField("header"):
            errors.add("header", "must be sent once")
            break
        if len(message.chunk) > rules.MAX_CHUNK_BYTES:
            errors.add(f"chunk[{i}]", "is larger than 1 MiB")
            break
        chunks.append(message.chunk)
    content = b"".join(chunks)
    if overflow or len(content) > rules.MAX_BYTES:
        errors.add("content", f"is larger than the {rules.MAX_BYTES // (1024 * 1024)} MiB limit")
    errors.raise_if_any()
    return header, content


async def attach(ctx: CallContext, header: pb.UploadDocumentHeader, content: bytes) -> pb.DocumentInfo:
    errors = FieldErrors()
    kind = TYPE_NAMES.get(header.document_type)  # type: ignore[call-overload]
    if kind is None:
        errors.add("header.document_type", "is required")
    day = contact_rules.calendar_date(errors, "header.document_date", header.document_date, required=True)
    description = contact_rules.text(errors, "header.description", header.description, max_len=200)
    file_name = header.file_name.strip().replace("/", "_").replace("\\", "_")[-255:]
    digest = hashlib.sha256(content).digest()
    if not content:
        errors.add("content", "is empty")
    elif (detected := rules.content_type(content)) is None:
        errors.add("content", "is not a complete PDF, PNG or JPEG file")
    if content and header.sha256.lower() != digest.hex():
        errors.add("header.sha256", "does not match the content received (the upload was damaged); send it again")
    if header.patient_id <= 0:
        errors.add("header.patient_id", "is required")
    errors.raise_if_any()
    patient = await patients.load(ctx.db, ctx.practice_id, header.patient_id, for_update=True)
    ctx.audit.patient_id = patient.id
    if patient.status == "merged":
        raise RuleViolation("This record was merged into another one; attach to the surviving record.",
                            "PATIENT_MERGED")
    existing = (await ctx.db.execute(select(Document.id).where(
        Document.practice_id == ctx.practice_id, Document.patient_id == patient.id,
        Document.sha256 == digest))).scalar_one_or_none()
    if existing is not None:
        raise RuleViolation(f"This file is attached to the patient already (document {existing}).",
                            "DOCUMENT_ALREADY_ATTACHED")
    who = ctx.require_session()
    row = Document(practice_id=ctx.practice_id, patient_id=patient.id, document_type=kind, document_date=day,
                   description=description, file_name=file_name, content_type=detected, size_bytes=len(content),
                   sha256=digest, uploaded_by_id=who.user_id, uploaded_by=who.username)
    ctx.db.add(row)
    await ctx.db.flush()
    ctx.db.add(DocumentContent(practice_id=ctx.practice_id, document_id=row.id, content=content))
    await ctx.db.flush()
    await ctx.db.refresh(row)
    ctx.audit.detail = f"document_id={row.id} type={kind} bytes={len(content)}"
    return document_message(row)


async def read(ctx: CallContext, document_id: int) -> tuple[pb.DocumentInfo, bytes]:
    row = (await ctx.db.execute(select(Document, DocumentContent.content).join(
        DocumentContent, (DocumentContent.practice_id == Document.practice_id)
        & (DocumentContent.document_id == Document.id)).where(
        Document.practice_id == ctx.practice_id, Document.id == document_id))).one_or_none()
    if row is None:
        raise NotFound("No such document.")
    doc, content = row
    ctx.audit.patient_id = doc.patient_id
    ctx.audit.detail = f"document_id={doc.id}"
    if hashlib.sha256(content).digest() != doc.sha256:
        # Stored bytes no longer match their checksum: refuse rather than hand out a damaged file.
        raise RuleViolation("The stored document is damaged; restore it from a backup.", "DOCUMENT_DAMAGED")
    return document_message(doc), content
