"""`pms-server init`: a new installation from an empty data folder."""

from __future__ import annotations

import asyncio
import getpass

from server.audit.chain import AuditRecord, Outcome, append
from server.auth import passwords, users
from server.common.fieldcrypt import FieldCipher
from server.config import ConfigError, DataDir, ServerSettings
from server.db.database import Database
from server.db.migrate import upgrade_to_head
from server.db.provision import provision
from server.errors import FieldErrors
from server.pki.authority import CertificateAuthorityFiles
from server.practice.service import create_practice
from server.security import Role


def console_actor() -> str:
    """Who an audit event names for work done at the server's console: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli:unknown"


def initialise(data: DataDir, *, hosts: list[str], practice_name: str, admin_username: str, admin_password: str,
               listen: str, time_zone: str = "America/New_York",
               extra_users: list[tuple[str, str, list[str], str]] | None = None) -> ServerSettings:
    """Creates everything; ``extra_users`` (username, display name, roles, password) is for the demo."""
    if data.exists():
        raise FileExistsError(f"{data.root} already holds an installation; refusing to initialise it again")
    errors = FieldErrors()
    passwords.check_policy(errors, "admin_password", admin_password, admin_username)
    errors.raise_if_any()
    data.root.mkdir(parents=True, exist_ok=True)
    data.root.chmod(0o700)
    urls = data.database_urls()
    pg = urls.embedded
    if pg is not None:
        pg.initialize()
        pg.start()
        from server.config import DATABASE_NAME

        provision(pg, DATABASE_NAME)
    elif not urls.owner_url:
        raise ConfigError("with DATABASE_URL set, init also needs PMS_OWNER_DATABASE_URL (the owner role)")
    try:
        assert urls.owner_url is not None
        upgrade_to_head(urls.owner_url, urls.app_role)
        CertificateAuthorityFiles(data.root).create(practice_name, hosts)
        FieldCipher.create_key(data.keys)
        practice_id = asyncio.run(_first_records(urls.app_url, practice_name, time_zone, admin_username,
                                                 admin_password, extra_users or []))
        settings = ServerSettings(practice_id=practice_id, hosts=hosts, listen=listen,
                                  database="embedded" if pg else "external")
        data.save(settings)
        return settings
    finally:
        if pg is not None:
            pg.stop()


async def _first_records(url: str, practice_name: str, time_zone: str, admin_username: str, admin_password: str,
                         extra_users: list[tuple[str, str, list[str], str]]) -> int:
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as session:
            practice = await create_practice(session, practice_name, time_zone)
            admin = await users.create_user(session, practice.id, admin_username, "IT administrator",
                                            [Role.IT_ADMIN.value], admin_password, must_change_password=False)
            for username, display, roles, password in extra_users:
                await users.create_user(session, practice.id, username, display, roles, password,
                                        must_change_password=False)
            await append(session, practice.id, AuditRecord(
                action="cli/init", data_category="settings", outcome=Outcome.SUCCESS, username=console_actor(),
                workstation_name="server-console", detail=f"practice_id={practice.id} admin_user_id={admin.id}"))
            return practice.id
    finally:
        await db.dispose()
