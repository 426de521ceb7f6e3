from __future__ import annotations

from client_tui.grpc_gateway import GrpcGateway
from tests.support import ADMIN_PASSWORD, RunningServer


async def test_admin_logs_in_and_sees_itself(server: RunningServer) -> None:
    bundle = await server.enroll("smoke-1")
    gw = GrpcGateway(bundle)
    try:
        session = await gw.login("admin", ADMIN_PASSWORD)
        assert session.username == "admin"
        assert "it_admin" in session.roles
        who = await gw.who_am_i()
        assert who.workstation_name == "smoke-1"
        users = await gw.list_users()
        assert [u.username for u in users] == ["admin"]
    finally:
        await gw.close()
