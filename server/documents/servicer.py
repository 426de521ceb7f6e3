"""DocumentService: scanned files in and out, in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from server.common import idempotency
from server.documents import service
from server.patients import service as patients
from server.rpc.context import current_call
from server.rpc.pipeline import BufferedStream
from shared.pms.documents.v1 import documents_pb2 as pb
from shared.pms.documents.v1 import documents_pb2_grpc


class DocumentServicer(documents_pb2_grpc.DocumentServiceServicer):
    async def ListDocuments(self, request: pb.ListDocumentsRequest, context: grpc.aio.ServicerContext
                            ) -> pb.ListDocumentsResponse:
        ctx = current_call()
        await patients.load(ctx.db, ctx.practice_id, request.patient_id)
        ctx.audit.patient_id = request.patient_id
        return pb.ListDocumentsResponse(documents=await service.list_documents(ctx.db, ctx.practice_id,
                                                                              request.patient_id))

    async def UploadDocument(self, request_iterator: Any, context: grpc.aio.ServicerContext
                             ) -> pb.UploadDocumentResponse:
        ctx = current_call()
        assert isinstance(request_iterator, BufferedStream)  # the pipeline buffers every client stream
        header, content = service.split_upload(request_iterator.messages, request_iterator.overflow)
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, header, pb.UploadDocumentResponse)
        if replayed is not None:
            ctx.audit.patient_id = replayed.document.patient_id
            ctx.audit.detail = "replayed"
            return replayed
        response = pb.UploadDocumentResponse(document=await service.attach(ctx, header, content))
        # The header carries the content's SHA-256, so its hash stands for the whole upload.
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, header, response)
        return response

    async def DownloadDocument(self, request: pb.DownloadDocumentRequest, context: grpc.aio.ServicerContext
                               ) -> AsyncIterator[pb.DownloadDocumentResponse]:
        info, content = await service.read(current_call(), request.document_id)
        yield pb.DownloadDocumentResponse(document=info)
        for start in range(0, len(content), service.DOWNLOAD_CHUNK):
            yield pb.DownloadDocumentResponse(chunk=content[start:start + service.DOWNLOAD_CHUNK])
