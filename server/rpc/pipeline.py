"""The one interceptor every call passes: workstation, session, permission, transaction, audit, errors.

grpc.aio interceptors see only the method name and metadata, so this one wraps the
handler itself to reach the peer certificate (``context.auth_context()``). Steps:

1. workstation: the client certificate's serial must name an enrolled, unrevoked, unexpired
   workstation (checked per call, so a revocation also stops connections already open);
2. session: the bearer token must be a live session from that workstation (except Login);
3. authorization: the RPC's permission (server/security.py) must be held by the user's roles;
4. one transaction around the servicer (read only for reads), retried on serialization failure;
5. one audit event per call, refusals and failures included;
6. domain errors become status codes with details; anything else INTERNAL with a correlation id.
"""

from __future__ import annotations

import inspect
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from server import errors
from server.audit.chain import AuditRecord, Outcome, append
from server.auth import sessions
from server.db.database import Database, is_retryable, read_only_statements
from server.rpc import status
from server.rpc.context import (
    CallContext,
    SessionIdentity,
    WorkstationIdentity,
    reset_current_call,
    set_current_call,
)
from server.security import INFRASTRUCTURE_PREFIXES, RPC_RULES, RpcRule
from server.workstations import identity

log = logging.getLogger("pms.rpc")

Behavior = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


def peer_certificate(context: grpc.aio.ServicerContext) -> bytes:
    certs: Any = context.auth_context().get("x509_pem_cert") or []
    if not certs:
        raise errors.Unauthenticated("A workstation certificate is required.", "NO_CERTIFICATE")
    return certs[0]


def bearer_token(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value[7:]
    return ""


class BufferedStream:
    """A client stream read into memory, replayed to the servicer as an async iterator."""

    # Above any single streamed request the API accepts (documents: 20 MiB plus framing).
    MAX_BYTES = 21 * 1024 * 1024

    def __init__(self, messages: list[Any], overflow: bool) -> None:
        self.messages = messages
        # True when the client sent more than MAX_BYTES; the rest was not read.
        self.overflow = overflow

    @classmethod
    async def read(cls, request_iterator: Any) -> BufferedStream:
        messages: list[Any] = []
        total = 0
        async for message in request_iterator:
            total += message.ByteSize()
            if total > cls.MAX_BYTES:
                return cls(messages, True)
            messages.append(message)
        return cls(messages, False)

    def __aiter__(self) -> Any:
        return self._iterate()

    async def _iterate(self) -> Any:
        for message in self.messages:
            yield message


class _Outcome(Exception):
    """Carries an error out of a transaction that must still commit (keep_changes)."""

    def __init__(self, error: errors.DomainError) -> None:
        self.error = error


class CallPipeline(grpc.aio.ServerInterceptor):
    def __init__(self, db: Database) -> None:
        self.db = db
        # grpc.aio asks for the handler on every call; the wrapped one per method is built once.
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = handler_call_details.method
        wrapped = self._wrapped.get(method)
        if wrapped is not None:
            return wrapped
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = wrapped
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if method.startswith(INFRASTRUCTURE_PREFIXES):
            return self._wrap_infrastructure(handler)
        rule = RPC_RULES.get(method)
        if handler.unary_unary is not None:
            behavior: Behavior = handler.unary_unary  # type: ignore[assignment]

            async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
                return await self._call(method, rule, behavior, request, context)

            return grpc.unary_unary_rpc_method_handler(
                run, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            return self._wrap_upload(method, rule, handler)
        if handler.unary_stream is not None:
            if rule is not None and rule.watch:
                return self._wrap_watch(method, rule, handler)
            return self._wrap_download(method, rule, handler)
        return _refuse_handler(handler, f"{method}: bidirectional streams have no access rule")

    # -- streams: buffered, so each is still one transaction with one audit event ------------
    def _wrap_upload(self, method: str, rule: RpcRule | None, handler: grpc.RpcMethodHandler
                     ) -> grpc.RpcMethodHandler:
        """Client streams are read in full before the transaction starts (no connection waits on a slow
        upload); a stream over the limit stops being read and the servicer reports it."""
        inner: Any = handler.stream_unary

        async def behavior(buffered: BufferedStream, context: grpc.aio.ServicerContext) -> Any:
            return await inner(buffered, context)

        async def run(request_iterator: Any, context: grpc.aio.ServicerContext) -> Any:
            buffered = await BufferedStream.read(request_iterator)
            return await self._call(method, rule, behavior, buffered, context)

        return grpc.stream_unary_rpc_method_handler(run, request_deserializer=handler.request_deserializer,
                                                    response_serializer=handler.response_serializer)

    def _wrap_download(self, method: str, rule: RpcRule | None, handler: grpc.RpcMethodHandler
                       ) -> grpc.RpcMethodHandler:
        """Server streams are produced inside the transaction and sent after it commits."""
        inner: Any = handler.unary_stream

        async def behavior(request: Any, context: grpc.aio.ServicerContext) -> list[Any]:
            return [item async for item in inner(request, context)]

        async def run(request: Any, context: grpc.aio.ServicerContext) -> None:
            for item in await self._call(method, rule, behavior, request, context):
                await context.write(item)

        return grpc.unary_stream_rpc_method_handler(run, request_deserializer=handler.request_deserializer,
                                                    response_serializer=handler.response_serializer)

    def _wrap_watch(self, method: str, rule: RpcRule, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        """Long-lived streams: the servicer checks the request and subscribes inside the transaction (with the
        caller's checks and one audit event) and returns an iterator, which streams after the commit."""
        inner: Any = handler.unary_stream

        async def behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
            return await inner(request, context)

        async def run(request: Any, context: grpc.aio.ServicerContext) -> None:
            stream = await self._call(method, rule, behavior, request, context)
            try:
                async for item in stream:
                    await context.write(item)
            finally:
                await stream.aclose()

        return grpc.unary_stream_rpc_method_handler(run, request_deserializer=handler.request_deserializer,
                                                    response_serializer=handler.response_serializer)

    # -- the unary path ---------------------------------------------------------------
    async def _call(self, method: str, rule: RpcRule | None, behavior: Behavior, request: Any,
                    context: grpc.aio.ServicerContext) -> Any:
        corr = uuid.uuid4().hex[:12]
        started = time.perf_counter()
        ws: WorkstationIdentity | None = None
        who: SessionIdentity | None = None
        note_user: tuple[int | None, str] = (None, "")
        patient_id: int | None = None
        try:
            if rule is None:
                # Default deny: an RPC nobody wrote a rule for is callable by nobody.
                raise errors.PermissionDenied("This action is not permitted.", "NO_ACCESS_RULE")
            cert = peer_certificate(context)
            token = bearer_token(context)
            attempts = 3
            for attempt in range(1, attempts + 1):
                try:
                    # Reads and their audit event share one transaction (one commit per call); the
                    # servicer of a read still cannot write: see read_only_statements.
                    async with self.db.transaction() as db:
                        checked = None
                        if rule.public:
                            ws, ws_seen = await identity.identify(db, cert)
                        else:
                            ws, ws_seen, checked = await sessions.identify_and_authenticate(db, cert, token)
                            who = checked.identity
                            if rule.permission is not None and rule.permission not in who.permissions:
                                raise errors.PermissionDenied(
                                    "Your role does not allow this action.", "PERMISSION_DENIED")
                            if rule.permission is not None and checked.must_change_password:
                                raise errors.RuleViolation(
                                    "Change your temporary password before you continue.",
                                    "PASSWORD_CHANGE_REQUIRED")
                        ctx = CallContext(method, corr, ws, db, who)
                        token_var = set_current_call(ctx)
                        kept: errors.DomainError | None = None
                        try:
                            with read_only_statements(rule.readonly):
                                response = await behavior(request, context)
                        except errors.DomainError as exc:
                            if not exc.keep_changes:
                                raise
                            # Commit what the servicer recorded (e.g. a failed login) with its audit event.
                            kept = exc
                            note_user = (ctx.audit.user_id, ctx.audit.username)
                            await self._audit(db, rule, method, ws, who, ctx, Outcome.FAILED, exc.reason)
                        finally:
                            reset_current_call(token_var)
                        patient_id = ctx.audit.patient_id
                        if kept is None:
                            await self._after_success(db, rule, method, ws, ws_seen, who, checked, ctx)
                    if kept is not None:
                        raise _Outcome(kept)
                    self._log(method, "OK", started, corr, ws, who, ctx.audit.user_id)
                    return response
                except DBAPIError as exc:
                    if attempt == attempts or not is_retryable(exc, readonly=rule.readonly):
                        raise
        except _Outcome as out:
            self._log(method, out.error.reason, started, corr, ws, who, note_user[0])
            await self._abort(context, status.status_for(out.error))
        except errors.DomainError as exc:
            outcome = Outcome.DENIED if isinstance(exc, errors.Unauthenticated | errors.PermissionDenied) \
                else Outcome.FAILED
            ws = ws or getattr(exc, "workstation", None)
            await self._audit_alone(rule, method, ws, who, outcome, exc.reason, patient_id)
            self._log(method, exc.reason, started, corr, ws, who)
            await self._abort(context, status.status_for(exc))
        except grpc.aio.AbortError:
            raise
        except (OperationalError, InterfaceError, OSError) as exc:
            # The database is unreachable (restarting, network): nothing was written, the caller may retry.
            log.warning("database unavailable", extra={"method": method, "correlation_id": corr,
                                                       "error": type(exc).__name__})
            await self._abort(context, status.unavailable(corr))
        except Exception:
            log.exception("rpc failed", extra={"method": method, "correlation_id": corr})
            await self._audit_alone(rule, method, ws, who, Outcome.ERROR, f"INTERNAL {corr}", patient_id)
            await self._abort(context, status.internal(corr))
        raise AssertionError("unreachable")

    async def _after_success(self, db: Any, rule: RpcRule, method: str, ws: WorkstationIdentity,
                             ws_seen: Any, who: SessionIdentity | None, checked: Any, ctx: CallContext) -> None:
        await identity.touch(db, ws, ws_seen)
        if checked is not None:
            await sessions.touch(db, ws.practice_id, checked)
        await self._audit(db, rule, method, ws, who, ctx, Outcome.SUCCESS, ctx.audit.detail)

    async def _audit(self, db: Any, rule: RpcRule, method: str, ws: WorkstationIdentity,
                     who: SessionIdentity | None, ctx: CallContext, outcome: str, detail: str) -> None:
        user = (who.user_id, who.username) if who else (ctx.audit.user_id, ctx.audit.username)
        await append(db, ws.practice_id, _record(rule, method, ws, user, outcome, detail, ctx.audit.patient_id))

    async def _audit_alone(self, rule: RpcRule | None, method: str, ws: WorkstationIdentity | None,
                           who: SessionIdentity | None, outcome: str, detail: str,
                           patient_id: int | None) -> None:
        """Refusals and failures: their own transaction, since the call's was rolled back."""
        if ws is None:
            return  # no practice to file it under (certificate unknown); the log has it
        user = (who.user_id, who.username) if who else (None, "")
        try:
            async with self.db.transaction() as db:
                await append(db, ws.practice_id, _record(rule, method, ws, user, outcome, detail, patient_id))
        except Exception:
            log.exception("audit write failed", extra={"method": method})

    @staticmethod
    def _log(method: str, code: str, started: float, corr: str, ws: WorkstationIdentity | None,
             who: SessionIdentity | None, user_id: int | None = None) -> None:
        log.info("rpc", extra={
            "method": method, "code": code, "ms": round((time.perf_counter() - started) * 1000, 2),
            "correlation_id": corr, "practice_id": ws.practice_id if ws else None,
            "workstation": ws.name if ws else None, "user_id": who.user_id if who else user_id,
        })

    @staticmethod
    async def _abort(context: grpc.aio.ServicerContext, st: grpc.Status) -> None:
        await context.abort(st.code, st.details, st.trailing_metadata)

    # -- health and reflection --------------------------------------------------------
    def _wrap_infrastructure(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        async def check(context: grpc.aio.ServicerContext) -> None:
            try:
                cert = peer_certificate(context)
                async with self.db.transaction(readonly=True) as db:
                    await identity.identify(db, cert)
            except errors.DomainError as exc:
                await self._abort(context, status.status_for(exc))

        if handler.unary_unary is not None:
            inner_uu = handler.unary_unary

            async def uu(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await check(context)
                return await inner_uu(request, context)  # type: ignore[arg-type]

            return grpc.unary_unary_rpc_method_handler(uu, handler.request_deserializer,
                                                       handler.response_serializer)
        if handler.unary_stream is not None:
            inner_us = handler.unary_stream

            async def us(request: Any, context: grpc.aio.ServicerContext) -> None:
                await check(context)
                await _drain(inner_us(request, context), context)  # type: ignore[arg-type]

            return grpc.unary_stream_rpc_method_handler(us, handler.request_deserializer,
                                                        handler.response_serializer)
        if handler.stream_stream is not None:
            inner_ss = handler.stream_stream

            async def ss(request_iterator: Any, context: grpc.aio.ServicerContext) -> None:
                await check(context)
                await _drain(inner_ss(request_iterator, context), context)  # type: ignore[arg-type]

            return grpc.stream_stream_rpc_method_handler(ss, handler.request_deserializer,
                                                         handler.response_serializer)
        return _refuse_handler(handler, "unsupported infrastructure handler")


def _record(rule: RpcRule | None, method: str, ws: WorkstationIdentity, user: tuple[int | None, str],
            outcome: str, detail: str, patient_id: int | None) -> AuditRecord:
    """The audit event of one call; workstation id 0 means a certificate with no enrolled workstation."""
    return AuditRecord(
        action=method.lstrip("/"), data_category=rule.category if rule else "unknown", outcome=outcome,
        user_id=user[0], username=user[1], workstation_name=ws.name, workstation_id=ws.workstation_id or None,
        patient_id=patient_id, detail=detail,
    )


async def _drain(result: Any, context: grpc.aio.ServicerContext) -> None:
    """Streaming behaviours are either async generators or coroutines that call context.write."""
    if inspect.isasyncgen(result):
        async for item in result:
            await context.write(item)
    else:
        await result


def _refuse_handler(handler: grpc.RpcMethodHandler, why: str) -> grpc.RpcMethodHandler:
    async def refuse(request: Any, context: grpc.aio.ServicerContext) -> Any:
        log.error("refused call", extra={"why": why})
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "This action is not permitted.")

    return grpc.unary_unary_rpc_method_handler(refuse, handler.request_deserializer, handler.response_serializer)
