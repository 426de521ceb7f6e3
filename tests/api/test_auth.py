"""Login, lockout, sessions (idle, absolute, workstation-bound), TOTP, passwords, validation, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import psycopg
import pyotp
import pytest

from shared.pms.admin.v1 import admin_pb2
from shared.pms.auth.v1 import auth_pb2
from tests.support import ADMIN_PASSWORD, Client, Cluster, RunningServer, fails, status_details


def _owner(cluster: Cluster, server: RunningServer) -> psycopg.Connection:
    return psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True)


@pytest.fixture
async def client(server: RunningServer, unique: str) -> Client:
    c = Client(await server.enroll(f"auth-{unique}"))
    yield c  # type: ignore[misc]
    await c.close()


async def test_login_returns_session_with_roles_and_permissions(server: RunningServer, client: Client) -> None:
    session = await client.login("admin", ADMIN_PASSWORD)
    assert session.roles == ["it_admin"]  # type: ignore[attr-defined]
    assert "workstations.manage" in session.permissions  # type: ignore[attr-defined]
    assert "audit.read_phi" not in session.permissions  # type: ignore[attr-defined]
    assert session.idle_timeout_minutes == 15  # type: ignore[attr-defined]


async def test_wrong_password_and_unknown_user_look_the_same(server: RunningServer, client: Client) -> None:
    await server.add_user("alice", ["front_desk"])
    a = await fails(client.login("alice", "not-her-password"))
    b = await fails(client.login("nobody", "not-her-password"))
    assert a.code() == b.code() == grpc.StatusCode.UNAUTHENTICATED
    assert a.details() == b.details() == "Wrong username or password."


async def test_five_failures_lock_the_account_for_fifteen_minutes(
        server: RunningServer, client: Client, cluster: Cluster) -> None:
    await server.add_user("bob", ["biller"], "bob-password-123")
    for _ in range(4):
        err = await fails(client.login("bob", "wrong-password!"))
        assert status_details(err)[0] == "BAD_CREDENTIALS"
    err = await fails(client.login("bob", "wrong-password!"))
    assert status_details(err)[0] == "ACCOUNT_LOCKED"
    # The right password does not help while locked.
    err = await fails(client.login("bob", "bob-password-123"))
    assert status_details(err)[0] == "ACCOUNT_LOCKED"
    with _owner(cluster, server) as conn:
        until = conn.execute("SELECT locked_until - now() FROM app_user WHERE username = 'bob'").fetchone()[0]
        assert 14 * 60 < until.total_seconds() <= 15 * 60
        conn.execute("UPDATE app_user SET locked_until = now() - interval '1 second' WHERE username = 'bob'")
    await client.login("bob", "bob-password-123")


async def test_session_ends_after_idle_timeout(server: RunningServer, client: Client, cluster: Cluster) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5)
    with _owner(cluster, server) as conn:
        conn.execute("UPDATE user_session SET last_seen_at = now() - interval '16 minutes' "
                     "WHERE workstation_id = (SELECT id FROM workstation WHERE name = %s)",
                     (client.bundle.workstation_name,))
    err = await fails(client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert status_details(err)[0] == "SESSION_IDLE"


async def test_idle_timeout_is_a_practice_setting(server: RunningServer, client: Client, cluster: Cluster) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    current = (await client.admin.GetPracticeSettings(admin_pb2.GetPracticeSettingsRequest(), metadata=client.md,
                                                      timeout=5)).settings
    current.idle_timeout_minutes = 5
    await client.admin.UpdatePracticeSettings(admin_pb2.UpdatePracticeSettingsRequest(settings=current),
                                              metadata=client.md, timeout=5)
    try:
        with _owner(cluster, server) as conn:
            conn.execute("UPDATE user_session SET last_seen_at = now() - interval '6 minutes' "
                         "WHERE workstation_id = (SELECT id FROM workstation WHERE name = %s)",
                         (client.bundle.workstation_name,))
        err = await fails(client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5))
        assert status_details(err)[0] == "SESSION_IDLE"
    finally:
        with _owner(cluster, server) as conn:
            conn.execute("UPDATE practice SET idle_timeout_minutes = 15")


async def test_session_ends_after_twelve_hours_even_when_busy(
        server: RunningServer, client: Client, cluster: Cluster) -> None:
    session = await client.login("admin", ADMIN_PASSWORD)
    lifetime = session.expires_at.ToDatetime(tzinfo=UTC) - datetime.now(UTC)  # type: ignore[attr-defined]
    assert 11.9 * 3600 < lifetime.total_seconds() <= 12 * 3600
    with _owner(cluster, server) as conn:
        conn.execute("UPDATE user_session SET expires_at = now() - interval '1 second' "
                     "WHERE workstation_id = (SELECT id FROM workstation WHERE name = %s)",
                     (client.bundle.workstation_name,))
    err = await fails(client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5))
    assert status_details(err)[0] == "SESSION_EXPIRED"


async def test_session_token_works_only_from_its_workstation(server: RunningServer, client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    other = Client(await server.enroll("auth-thief"))
    try:
        err = await fails(other.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5))
        assert status_details(err)[0] == "SESSION_WRONG_WORKSTATION"
    finally:
        await other.close()


async def test_logout_ends_the_session(client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    await client.auth.Logout(auth_pb2.LogoutRequest(), metadata=client.md, timeout=5)
    err = await fails(client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5))
    assert status_details(err)[0] == "SESSION_ENDED"


async def test_totp_enrolment_and_login(server: RunningServer, client: Client) -> None:
    await server.add_user("carol", ["manager"], "carol-password-1")
    await client.login("carol", "carol-password-1")
    err = await fails(client.auth.EnrollTotp(auth_pb2.EnrollTotpRequest(current_password="wrong"),
                                              metadata=client.md, timeout=5))
    assert status_details(err)[1] == [("current_password", "is not your current password")]
    enrol = await client.auth.EnrollTotp(auth_pb2.EnrollTotpRequest(current_password="carol-password-1"),
                                         metadata=client.md, timeout=5)
    assert enrol.provisioning_uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrol.secret_base32)
    err = await fails(client.auth.ConfirmTotp(auth_pb2.ConfirmTotpRequest(totp_code="000000"),
                                               metadata=client.md, timeout=5))
    assert status_details(err)[1][0][0] == "totp_code"
    # Confirm with the previous step's code, so the login below can use the current one.
    import time

    await client.auth.ConfirmTotp(auth_pb2.ConfirmTotpRequest(totp_code=totp.at(time.time() - 30)),
                                  metadata=client.md, timeout=5)
    err = await fails(client.login("carol", "carol-password-1"))
    assert status_details(err)[0] == "TOTP_REQUIRED"
    err = await fails(client.login("carol", "carol-password-1", "123456" if totp.now() != "123456" else "654321"))
    assert status_details(err)[0] == "TOTP_INVALID"
    code = totp.now()
    session = await client.login("carol", "carol-password-1", code)
    assert session.totp_enabled  # type: ignore[attr-defined]
    # The same code cannot be replayed (the same string: a fresh now() may cross into the next step).
    err = await fails(client.login("carol", "carol-password-1", code))
    assert status_details(err)[0] == "TOTP_INVALID"


async def test_change_password_checks_current_and_policy(server: RunningServer, client: Client) -> None:
    await server.add_user("dave", ["provider"], "dave-password-1")
    await client.login("dave", "dave-password-1")
    err = await fails(client.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password="nope", new_password="x"), metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert status_details(err)[1] == [("current_password", "is not your current password")]
    err = await fails(client.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password="dave-password-1", new_password="short"), metadata=client.md, timeout=5))
    assert status_details(err)[1] == [("new_password", "must be at least 12 characters")]
    await client.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password="dave-password-1", new_password="dave-password-2"), metadata=client.md, timeout=5)
    err = await fails(client.login("dave", "dave-password-1"))
    assert status_details(err)[0] == "BAD_CREDENTIALS"
    await client.login("dave", "dave-password-2")


async def test_create_user_reports_every_bad_field(client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    err = await fails(client.admin.CreateUser(admin_pb2.CreateUserRequest(
        username="9 bad", display_name="", roles=["janitor"], initial_password="short"),
        metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [f for f, _ in status_details(err)[1]]
    assert fields == ["username", "display_name", "roles", "initial_password"]


async def test_create_user_is_idempotent_per_key(client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    req = admin_pb2.CreateUserRequest(username="erin", display_name="Erin", roles=["biller"],
                                      initial_password="erin-password-1", idempotency_key="k-erin-1")
    first = await client.admin.CreateUser(req, metadata=client.md, timeout=5)
    again = await client.admin.CreateUser(req, metadata=client.md, timeout=5)
    assert first == again
    users = await client.admin.ListUsers(admin_pb2.ListUsersRequest(include_disabled=True), metadata=client.md,
                                         timeout=5)
    assert [u.username for u in users.users].count("erin") == 1
    req.display_name = "Erin Someone Else"
    err = await fails(client.admin.CreateUser(req, metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert status_details(err)[0] == "IDEMPOTENCY_KEY_REUSED"


async def test_stale_version_is_aborted(server: RunningServer, client: Client) -> None:
    uid = await server.add_user("frank", ["biller"])
    await client.login("admin", ADMIN_PASSWORD)
    users = await client.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=client.md, timeout=5)
    frank = next(u for u in users.users if u.user_id == uid)
    await client.admin.SetUserRoles(admin_pb2.SetUserRolesRequest(user_id=uid, roles=["biller", "manager"],
                                                                  version=frank.version), metadata=client.md,
                                    timeout=5)
    err = await fails(client.admin.SetUserRoles(admin_pb2.SetUserRolesRequest(
        user_id=uid, roles=["front_desk"], version=frank.version), metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.ABORTED


async def test_disabling_a_user_ends_their_sessions(server: RunningServer, client: Client) -> None:
    uid = await server.add_user("gina", ["front_desk"], "gina-password-1")
    gina = Client(await server.enroll("auth-gina"))
    try:
        await gina.login("gina", "gina-password-1")
        await client.login("admin", ADMIN_PASSWORD)
        users = await client.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=client.md, timeout=5)
        version = next(u.version for u in users.users if u.user_id == uid)
        await client.admin.DisableUser(admin_pb2.DisableUserRequest(user_id=uid, version=version),
                                       metadata=client.md, timeout=5)
        err = await fails(gina.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=gina.md, timeout=5))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        err = await fails(gina.login("gina", "gina-password-1"))
        assert status_details(err)[0] == "ACCOUNT_DISABLED"
    finally:
        await gina.close()


async def test_the_last_it_admin_cannot_be_disabled_or_demoted(server: RunningServer, client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    users = await client.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=client.md, timeout=5)
    admin = next(u for u in users.users if u.username == "admin")
    err = await fails(client.admin.SetUserRoles(admin_pb2.SetUserRolesRequest(
        user_id=admin.user_id, roles=["manager"], version=admin.version), metadata=client.md, timeout=5))
    assert status_details(err)[0] == "LAST_IT_ADMIN"
    err = await fails(client.admin.DisableUser(admin_pb2.DisableUserRequest(
        user_id=admin.user_id, version=admin.version), metadata=client.md, timeout=5))
    assert status_details(err)[0] == "CANNOT_DISABLE_SELF"


async def test_a_temporary_password_must_be_changed_before_anything_else(client: Client) -> None:
    await client.login("admin", ADMIN_PASSWORD)
    created = await client.admin.CreateUser(admin_pb2.CreateUserRequest(
        username="ivy", display_name="Ivy", roles=["manager"], initial_password="temporary-pass-1"),
        metadata=client.md, timeout=5)
    assert created.user.must_change_password
    await client.login("ivy", "temporary-pass-1")
    err = await fails(client.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=client.md, timeout=5))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert status_details(err)[0] == "PASSWORD_CHANGE_REQUIRED"
    who = await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5)
    assert who.session.must_change_password
    await client.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password="temporary-pass-1", new_password="ivys-own-password"), metadata=client.md, timeout=5)
    users = await client.admin.ListUsers(admin_pb2.ListUsersRequest(), metadata=client.md, timeout=5)
    assert "ivy" in [u.username for u in users.users]
