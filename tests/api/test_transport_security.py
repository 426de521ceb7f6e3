"""Mutual TLS and workstation identity: who may even talk to the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from server.pki.authority import create_ca, issue_workstation_certificate
from shared.bundle import WorkstationBundle
from shared.pms.admin.v1 import admin_pb2
from shared.pms.auth.v1 import auth_pb2
from tests.support import ADMIN_PASSWORD, Client, RunningServer, channel_for, status_details


def _variant(bundle: WorkstationBundle, key: bytes, cert: bytes) -> WorkstationBundle:
    return WorkstationBundle(bundle.workstation_name, bundle.practice_name, bundle.server_address,
                             bundle.server_name, bundle.ca_cert_pem, cert.decode(), key.decode())


async def _who_am_i(bundle: WorkstationBundle) -> grpc.aio.AioRpcError:
    channel = channel_for(bundle)
    try:
        from shared.pms.auth.v1 import auth_pb2_grpc

        with pytest.raises(grpc.aio.AioRpcError) as info:
            await auth_pb2_grpc.AuthServiceStub(channel).WhoAmI(auth_pb2.WhoAmIRequest(), timeout=5)
        return info.value
    finally:
        await channel.close()


async def test_no_client_certificate_is_refused_at_handshake(server: RunningServer) -> None:
    bundle = await server.enroll("tls-nocert")
    creds = grpc.ssl_channel_credentials(bundle.ca_cert_pem.encode())
    channel = grpc.aio.secure_channel(bundle.server_address, creds,
                                      options=[("grpc.ssl_target_name_override", bundle.server_name)])
    from shared.pms.auth.v1 import auth_pb2_grpc

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await auth_pb2_grpc.AuthServiceStub(channel).Login(auth_pb2.LoginRequest(), timeout=5)
    await channel.close()
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_certificate_from_another_ca_is_refused(server: RunningServer) -> None:
    bundle = await server.enroll("tls-otherca")
    other = create_ca("Some Other Practice")
    stranger = issue_workstation_certificate(other, "tls-otherca", server.inst.settings.practice_id, 30)
    err = await _who_am_i(_variant(bundle, stranger.key_pem, stranger.cert_pem))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


async def test_expired_certificate_is_refused(server: RunningServer) -> None:
    bundle = await server.enroll("tls-expired")
    ca = server.inst.ca_files.load_ca()
    old = issue_workstation_certificate(ca, "tls-expired", server.inst.settings.practice_id, 1,
                                        not_before=datetime.now(UTC) - timedelta(days=10))
    err = await _who_am_i(_variant(bundle, old.key_pem, old.cert_pem))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


async def test_certificate_of_our_ca_but_never_enrolled_is_refused(server: RunningServer) -> None:
    bundle = await server.enroll("tls-known")
    ca = server.inst.ca_files.load_ca()
    rogue = issue_workstation_certificate(ca, "tls-rogue", server.inst.settings.practice_id, 30)
    err = await _who_am_i(_variant(bundle, rogue.key_pem, rogue.cert_pem))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert status_details(err)[0] == "WORKSTATION_UNKNOWN"


async def test_valid_certificate_without_session_is_unauthenticated(server: RunningServer) -> None:
    bundle = await server.enroll("tls-nosession")
    err = await _who_am_i(bundle)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert status_details(err)[0] == "NO_SESSION"


async def test_revocation_stops_a_connection_that_is_already_open(server: RunningServer) -> None:
    desk = Client(await server.enroll("tls-desk"))
    admin = Client(await server.enroll("tls-admin"))
    try:
        await desk.login("admin", ADMIN_PASSWORD)
        await admin.login("admin", ADMIN_PASSWORD)
        me = await desk.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=desk.md, timeout=5)
        assert me.session.workstation_name == "tls-desk"
        listing = await admin.admin.ListWorkstations(admin_pb2.ListWorkstationsRequest(), metadata=admin.md,
                                                     timeout=5)
        desk_id = next(w.workstation_id for w in listing.workstations if w.name == "tls-desk")
        await admin.admin.RevokeWorkstation(admin_pb2.RevokeWorkstationRequest(
            workstation_id=desk_id, reason="stolen"), metadata=admin.md, timeout=5)
        # Same channel, same TLS connection, valid session: refused from now on.
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await desk.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=desk.md, timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert status_details(info.value)[0] == "WORKSTATION_REVOKED"
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await desk.login("admin", ADMIN_PASSWORD)
        assert status_details(info.value)[0] == "WORKSTATION_REVOKED"
    finally:
        await desk.close()
        await admin.close()


async def test_health_and_reflection_need_an_enrolled_workstation(server: RunningServer) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    client = Client(await server.enroll("tls-health"))
    try:
        health = await health_pb2_grpc.HealthStub(client.channel).Check(
            health_pb2.HealthCheckRequest(service="pms.auth.v1.AuthService"), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(client.channel)

        async def one() -> list[str]:
            call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                             timeout=5)
            async for response in call:
                return [s.name for s in response.list_services_response.service]
            return []

        names = await one()
        assert {"pms.auth.v1.AuthService", "pms.admin.v1.AdminService", "pms.audit.v1.AuditService"} <= set(names)
    finally:
        await client.close()
    ca = server.inst.ca_files.load_ca()
    rogue = issue_workstation_certificate(ca, "tls-rogue2", server.inst.settings.practice_id, 30)
    channel = channel_for(_variant(client.bundle, rogue.key_pem, rogue.cert_pem))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    await channel.close()
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
