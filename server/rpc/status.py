"""Domain errors to gRPC status with rich details (BRIEF §2.3)."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from server import errors

DOMAIN = "pms"


def _status(code: int, message: str, details: list[Message]) -> grpc.Status:
    st = status_pb2.Status(code=code, message=message)
    for d in details:
        st.details.add().Pack(d)
    return rpc_status.to_status(st)


def status_for(exc: errors.DomainError) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason=exc.reason, domain=DOMAIN, metadata=exc.metadata)
    if isinstance(exc, errors.InvalidArgument):
        bad = error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in exc.violations
        ])
        return _status(code_pb2.INVALID_ARGUMENT, exc.message, [bad])
    code = {
        errors.RuleViolation: code_pb2.FAILED_PRECONDITION,
        errors.StaleVersion: code_pb2.ABORTED,
        errors.NotFound: code_pb2.NOT_FOUND,
        errors.PermissionDenied: code_pb2.PERMISSION_DENIED,
        errors.Unauthenticated: code_pb2.UNAUTHENTICATED,
    }
    for cls, c in code.items():
        if isinstance(exc, cls):
            return _status(c, exc.message, [info])
    return _status(code_pb2.INTERNAL, "internal error", [])


def unavailable(correlation_id: str) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason="DATABASE_UNAVAILABLE", domain=DOMAIN,
                                       metadata={"correlation_id": correlation_id})
    return _status(code_pb2.UNAVAILABLE, "The server cannot reach its database right now; try again shortly.",
                   [info])


def internal(correlation_id: str) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason="INTERNAL", domain=DOMAIN, metadata={"correlation_id": correlation_id})
    return _status(code_pb2.INTERNAL, f"The server hit an error (reference {correlation_id}).", [info])
