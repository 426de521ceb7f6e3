"""The server's data folder and how it finds its database.

DIR/
  server.json     listen/advertise address, the practice this install serves, database mode
  pki/            practice CA and server certificate (keys 0600)
  keys/           column encryption keys (0600)
  pgdata/, run/   the embedded PostgreSQL cluster and its socket (zero-setup mode only)

With no ``DATABASE_URL`` the embedded cluster is used. With ``DATABASE_URL`` (the runtime
role) the server uses that PostgreSQL; migrations then need ``PMS_OWNER_DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from server.db.embedded import EmbeddedPostgres, default_bin_dir
from server.db.provision import APP_ROLE, OWNER_ROLE
from shared.bundle import write_private_file

DATABASE_NAME = "pms"
DEFAULT_PORT = 50051


class ConfigError(RuntimeError):
    """The data folder or environment is not usable; the message says what to do."""


@dataclass
class ServerSettings:
    practice_id: int
    hosts: list[str]
    listen: str = f"0.0.0.0:{DEFAULT_PORT}"
    # host:port written into workstation bundles; defaults to the first host and the listen port.
    advertise: str = ""
    database: str = "embedded"
    extra: dict[str, str] = field(default_factory=dict)
    # Reminder transports (server/reminders/transports.py): {"smtp": {...}, "sms": {...}, "interval_seconds": 60}.
    reminders: dict[str, Any] = field(default_factory=dict)
    # Where claim files go and answers come from (server/claims/clearinghouse.py); empty: DATA/clearinghouse.
    clearinghouse: dict[str, Any] = field(default_factory=dict)

    def advertised_address(self) -> str:
        if self.advertise:
            return self.advertise
        port = self.listen.rsplit(":", 1)[1]
        host = self.hosts[0]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class DatabaseUrls:
    app_url: str
    owner_url: str | None
    app_role: str
    embedded: EmbeddedPostgres | None = None


class DataDir:
    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.settings_path = self.root / "server.json"
        self.pki = self.root / "pki"
        self.keys = self.root / "keys"
        self.pgdata = self.root / "pgdata"

    def exists(self) -> bool:
        return self.settings_path.exists()

    def load(self) -> ServerSettings:
        if not self.settings_path.exists():
            raise ConfigError(f"{self.root} is not an initialised data folder: run `pms-server init --data "
                              f"{self.root}` first")
        raw = json.loads(self.settings_path.read_text())
        return ServerSettings(**raw)

    def save(self, settings: ServerSettings) -> None:
        write_private_file(self.settings_path, (json.dumps(asdict(settings), indent=2) + "\n").encode())

    def embedded_postgres(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.pgdata, Path(os.environ.get("PMS_PG_BIN") or default_bin_dir()))

    def database_urls(self, env: dict[str, str] | None = None) -> DatabaseUrls:
        env = dict(os.environ if env is None else env)
        app_url = env.get("DATABASE_URL")
        if app_url:
            app = normalise_url(app_url)
            owner = env.get("PMS_OWNER_DATABASE_URL")
            return DatabaseUrls(app, normalise_url(owner) if owner else None,
                                urlsplit(app).username or APP_ROLE)
        pg = self.embedded_postgres()
        return DatabaseUrls(pg.url(APP_ROLE, DATABASE_NAME), pg.url(OWNER_ROLE, DATABASE_NAME), APP_ROLE, pg)


def normalise_url(url: str) -> str:
    """Accepts postgres:// and postgresql:// and selects the psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ConfigError("DATABASE_URL must start with postgresql://")
