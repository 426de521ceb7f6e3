"""Failure for real: the database restarts under a running server; the server is killed mid-work."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import psycopg
import pytest

from server.audit.chain import verify
from shared.pms.auth.v1 import auth_pb2
from tests.support import ADMIN_PASSWORD, Client, Cluster, RunningServer, make_installation, tmpdir

pytestmark = pytest.mark.pg_compat


async def test_database_restart_gives_a_clear_unavailable_then_the_server_recovers(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # A cluster of its own: this test stops it.
    root = tmpdir("pms-restart-")
    cluster = Cluster(root)
    try:
        inst = await make_installation(cluster, tmp_path_factory.mktemp("restart-db"))
        server = await RunningServer(inst).start()
        client = Client(await server.enroll("db-restart"))
        try:
            await client.login("admin", ADMIN_PASSWORD)
            cluster.pg.stop("fast")
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=10)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "database" in (info.value.details() or "")
            cluster.pg.start()
            # Pooled connections died with the database; pre-ping replaces them, the session is still valid.
            who = await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=10)
            assert who.session.username == "admin"
        finally:
            await client.close()
            await server.stop()
    finally:
        cluster.stop()
        # Half a gigabyte a run: left behind, thirty runs filled the disk.
        shutil.rmtree(root, ignore_errors=True)


async def test_server_killed_mid_work_leaves_nothing_half_written(cluster: Cluster, tmp_path: Path) -> None:
    """SIGKILL while many calls are in flight: every audit event that exists is whole and the chain verifies."""
    from server.demo import free_port
    from server.runtime import open_installation

    inst = await make_installation(cluster, tmp_path / "data")
    env_urls = {"DATABASE_URL": inst.urls.app_url, "PMS_OWNER_DATABASE_URL": inst.urls.owner_url or ""}
    port = free_port()
    runner = RunningServer(inst)
    runner.address.address = f"127.0.0.1:{port}"
    bundle = await runner.enroll("killed-mid-work")

    def serve() -> subprocess.Popen[bytes]:
        import os

        return subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data", str(inst.data.root),
                                 "--listen", f"127.0.0.1:{port}"], env={**os.environ, **env_urls},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    served = [0]

    async def logged_in_clients() -> list[Client]:
        clients = [Client(bundle) for _ in range(4)]
        for c in clients:
            await c.login("admin", ADMIN_PASSWORD)
        return clients

    async def hammer(clients: list[Client], seconds: float) -> None:
        deadline = time.monotonic() + seconds

        async def loop(c: Client) -> None:
            while time.monotonic() < deadline:
                try:
                    await c.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=c.md, timeout=5)
                    served[0] += 1
                except grpc.aio.AioRpcError:
                    await asyncio.sleep(0.05)

        try:
            await asyncio.gather(*(loop(c) for c in clients))
        finally:
            for c in clients:
                await c.close()

    proc = serve()
    try:
        await asyncio.to_thread(_wait_serving, bundle, port)
        clients = await logged_in_clients()
        task = asyncio.create_task(hammer(clients, 6.0))
        # Kill once calls are flowing, so some are surely in flight.
        for _ in range(200):
            if served[0] >= 20:
                break
            await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        killed_at = served[0]
        await task
        assert killed_at >= 20
    finally:
        proc.kill()
        proc.wait()
    proc = serve()
    try:
        await asyncio.to_thread(_wait_serving, bundle, port)
        before = served[0]
        await hammer(await logged_in_clients(), 0.5)
        assert served[0] > before  # the restarted server answers again
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    installation = open_installation(inst.data, inst.urls)

    async def check() -> tuple[bool, int]:
        db = installation.database(pool_size=1, max_overflow=0)
        async with db.transaction(readonly=True) as session:
            result = await verify(session, inst.settings.practice_id)
        await db.dispose()
        return result.ok, result.events_checked

    ok, checked = await check()
    assert ok and checked > 0
    with psycopg.connect(cluster.owner_conninfo(inst.urls)) as conn:
        head = conn.execute("SELECT last_sequence FROM audit_chain_head").fetchone()[0]
        assert head == checked == conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]


def _wait_serving(bundle: object, port: int) -> None:
    from dataclasses import replace

    from server.demo import wait_until_serving

    wait_until_serving(replace(bundle, server_address=f"127.0.0.1:{port}"), timeout=30).close()  # type: ignore[type-var]

