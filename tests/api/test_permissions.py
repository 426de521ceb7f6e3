"""Every RPC against every role: allowed or PERMISSION_DENIED exactly as server/security.py says.

The RPC list comes from the services the server registers, so a new RPC is tested here
the moment it exists (and the server refuses to start if it has no access rule).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf import message_factory

from server.app import SERVICES, all_rpc_methods
from server.security import ROLE_PERMISSIONS, RPC_RULES, Role
from tests.support import Client, RunningServer

ROLES = [r.value for r in Role]


def _method_types(full: str) -> tuple[type, type, bool, bool]:
    """Request and response classes, and whether the client / the server streams."""
    _, service_name, method_name = full.split("/")
    for svc in SERVICES:
        if svc.full_name == service_name:
            m = svc.methods_by_name[method_name]
            return (message_factory.GetMessageClass(m.input_type), message_factory.GetMessageClass(m.output_type),
                    m.client_streaming, m.server_streaming)
    raise KeyError(full)


async def _call_empty(client: Client, method: str) -> None:
    """Calls ``method`` with an empty request (one empty message for a client stream)."""
    req_type, resp_type, client_streams, server_streams = _method_types(method)
    kwargs = {"request_serializer": req_type.SerializeToString, "response_deserializer": resp_type.FromString}
    if client_streams:
        upload = client.channel.stream_unary(method, **kwargs)

        async def one() -> AsyncIterator[object]:
            yield req_type()

        await upload(one(), metadata=client.md, timeout=10)
    elif server_streams:
        download = client.channel.unary_stream(method, **kwargs)
        async for _ in download(req_type(), metadata=client.md, timeout=10):
            pass
    else:
        await client.channel.unary_unary(method, **kwargs)(req_type(), metadata=client.md, timeout=10)


def test_every_rpc_has_an_access_rule() -> None:
    assert set(all_rpc_methods()) == set(RPC_RULES)


def test_it_admin_cannot_read_patient_identifiers() -> None:
    from server.security import Permission

    assert Permission.AUDIT_READ_PHI not in ROLE_PERMISSIONS[Role.IT_ADMIN]
    assert Permission.AUDIT_READ_PHI in ROLE_PERMISSIONS[Role.MANAGER]


@pytest.mark.parametrize("role", ROLES)
async def test_each_rpc_is_allowed_or_denied_as_the_table_says(server: RunningServer, role: str) -> None:
    await server.add_user(f"perm-{role.replace('_', '-')}", [role])
    client = Client(await server.enroll(f"perm-{role.replace('_', '-')}"))
    granted = ROLE_PERMISSIONS[Role(role)]
    # Logout ends the session the other calls use, so it goes last.
    methods = sorted(all_rpc_methods(), key=lambda m: m.endswith("/Logout"))
    outcomes: dict[str, str] = {}
    try:
        await client.login(f"perm-{role.replace('_', '-')}", "user-password-123")
        for method in methods:
            try:
                await _call_empty(client, method)
                outcomes[method] = "OK"
            except grpc.aio.AioRpcError as exc:
                outcomes[method] = exc.code().name
    finally:
        await client.close()
    for method in methods:
        rule = RPC_RULES[method]
        expect_allowed = rule.public or rule.permission is None or rule.permission in granted
        if expect_allowed:
            assert outcomes[method] != "PERMISSION_DENIED", f"{role} should reach {method}"
            assert outcomes[method] != "UNAUTHENTICATED" or rule.public, f"{role} {method}: {outcomes[method]}"
        else:
            assert outcomes[method] == "PERMISSION_DENIED", f"{role} must not reach {method}: {outcomes[method]}"
