"""Every RPC against every role: allowed or PERMISSION_DENIED exactly as server/security.py says.

The RPC list comes from the services the server registers, so a new RPC is tested here
the moment it exists (and the server refuses to start if it has no access rule).
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import message_factory

from server.app import SERVICES, all_rpc_methods
from server.security import ROLE_PERMISSIONS, RPC_RULES, Role
from tests.support import Client, RunningServer

ROLES = [r.value for r in Role]


def _method_types(full: str) -> tuple[type, type]:
    _, service_name, method_name = full.split("/")
    for svc in SERVICES:
        if svc.full_name == service_name:
            m = svc.methods_by_name[method_name]
            return (message_factory.GetMessageClass(m.input_type), message_factory.GetMessageClass(m.output_type))
    raise KeyError(full)


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
            req_type, resp_type = _method_types(method)
            call = client.channel.unary_unary(method, request_serializer=req_type.SerializeToString,
                                              response_deserializer=resp_type.FromString)
            try:
                await call(req_type(), metadata=client.md, timeout=10)
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
