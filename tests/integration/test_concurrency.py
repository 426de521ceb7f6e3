"""Many clients at once, two server processes on one database: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio

import grpc
import psycopg
import pytest

from server.audit.chain import verify
from shared.pms.admin.v1 import admin_pb2
from shared.pms.auth.v1 import auth_pb2
from tests.support import ADMIN_PASSWORD, Client, Cluster, RunningServer, make_installation

pytestmark = pytest.mark.pg_compat


@pytest.fixture(scope="module")
async def two_servers(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two server instances sharing one database and data folder, as two `serve` processes would."""
    inst = await make_installation(cluster, tmp_path_factory.mktemp("shared"))
    a = await RunningServer(inst).start()
    b = await RunningServer(inst).start()
    yield a, b
    await a.stop()
    await b.stop()


async def test_log_in_on_one_server_and_call_the_other(two_servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = two_servers
    bundle = await a.enroll("twin-desk")
    on_a = Client(bundle)
    from tests.support import channel_for

    on_b_channel = channel_for(bundle, f"127.0.0.1:{b.port}")
    try:
        await on_a.login("admin", ADMIN_PASSWORD)
        from shared.pms.auth.v1 import auth_pb2_grpc

        who = await auth_pb2_grpc.AuthServiceStub(on_b_channel).WhoAmI(auth_pb2.WhoAmIRequest(), metadata=on_a.md,
                                                                       timeout=5)
        assert who.session.username == "admin"
        # A logout on B ends the session for A too: the state lives in PostgreSQL.
        await auth_pb2_grpc.AuthServiceStub(on_b_channel).Logout(auth_pb2.LogoutRequest(), metadata=on_a.md,
                                                                 timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await on_a.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=on_a.md, timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await on_a.close()
        await on_b_channel.close()


async def test_revocation_on_one_server_is_enforced_by_the_other(
        two_servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = two_servers
    victim_bundle = await a.enroll("twin-victim")
    admin = Client(await a.enroll("twin-admin"))
    from tests.support import channel_for

    victim_on_b = channel_for(victim_bundle, f"127.0.0.1:{b.port}")
    try:
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        await health_pb2_grpc.HealthStub(victim_on_b).Check(health_pb2.HealthCheckRequest(), timeout=5)
        await admin.login("admin", ADMIN_PASSWORD)
        ws = await admin.admin.ListWorkstations(admin_pb2.ListWorkstationsRequest(), metadata=admin.md, timeout=5)
        vid = next(w.workstation_id for w in ws.workstations if w.name == "twin-victim")
        await admin.admin.RevokeWorkstation(admin_pb2.RevokeWorkstationRequest(workstation_id=vid, reason="lost"),
                                            metadata=admin.md, timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await health_pb2_grpc.HealthStub(victim_on_b).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await admin.close()
        await victim_on_b.close()


async def test_many_clients_at_once_keep_the_audit_chain_whole(
        two_servers: tuple[RunningServer, RunningServer], cluster: Cluster) -> None:
    a, b = two_servers
    clients = []
    for i in range(12):
        bundle = await a.enroll(f"crowd-{i}")
        clients.append(Client(bundle) if i % 2 == 0 else _on(bundle, b.port))
    with psycopg.connect(cluster.owner_conninfo(a.inst.urls)) as conn:
        before = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]

    async def work(c: Client) -> int:
        await c.login("admin", ADMIN_PASSWORD)
        for _ in range(10):
            await c.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=c.md, timeout=10)
        return 11

    try:
        calls = sum(await asyncio.gather(*(work(c) for c in clients)))
    finally:
        for c in clients:
            await c.close()
    with psycopg.connect(cluster.owner_conninfo(a.inst.urls)) as conn:
        after, max_seq = conn.execute("SELECT count(*), max(sequence) FROM audit_event").fetchone()
    assert after - before == calls  # one event per call, none lost, none doubled
    assert max_seq == after  # sequences have no gaps
    db = a.inst.database(pool_size=1, max_overflow=0)
    async with db.transaction(readonly=True) as session:
        result = await verify(session, a.inst.settings.practice_id)
    await db.dispose()
    assert result.ok and result.events_checked == after


async def test_concurrent_retries_with_one_idempotency_key_create_one_user(
        two_servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = two_servers
    c1, c2 = Client(await a.enroll("idem-1")), _on(await a.enroll("idem-2"), b.port)
    try:
        await c1.login("admin", ADMIN_PASSWORD)
        await c2.login("admin", ADMIN_PASSWORD)
        req = admin_pb2.CreateUserRequest(username="henry", display_name="Henry", roles=["biller"],
                                          initial_password="henry-password-1", idempotency_key="same-key")
        results = await asyncio.gather(*(c.admin.CreateUser(req, metadata=c.md, timeout=10)
                                         for c in [c1, c2, c1, c2, c1, c2]))
        assert len({r.user.user_id for r in results}) == 1
        users = await c1.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=c1.md, timeout=5)
        assert [u.username for u in users.users].count("henry") == 1
    finally:
        await c1.close()
        await c2.close()


def _on(bundle, port: int) -> Client:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
