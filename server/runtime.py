"""Opening a data folder: database running, schema checked, keys loaded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from server.common.fieldcrypt import FieldCipher
from server.config import ConfigError, DatabaseUrls, DataDir, ServerSettings
from server.db.database import Database
from server.pki.authority import CertificateAuthorityFiles
from server.workstations.service import ServerAddress


@contextmanager
def database_running(data: DataDir) -> Iterator[DatabaseUrls]:
    """Starts the embedded cluster if it is not running, and stops it again only if we started it."""
    urls = data.database_urls()
    pg = urls.embedded
    started = False
    if pg is not None:
        if not pg.is_initialized():
            raise ConfigError(f"no embedded database in {data.root}; run `pms-server init` or set DATABASE_URL")
        started = pg.start()
    try:
        yield urls
    finally:
        if started and pg is not None:
            pg.stop()


@dataclass
class Installation:
    data: DataDir
    settings: ServerSettings
    urls: DatabaseUrls
    ca_files: CertificateAuthorityFiles
    cipher: FieldCipher

    def database(self, **kw: int) -> Database:
        return Database(self.urls.app_url, **kw)

    def server_address(self) -> ServerAddress:
        return ServerAddress(self.settings.advertised_address(), self.ca_files.server_hosts()[0])


def open_installation(data: DataDir, urls: DatabaseUrls) -> Installation:
    settings = data.load()
    ca_files = CertificateAuthorityFiles(data.root)
    if not ca_files.exists():
        raise ConfigError(f"no certificate authority in {data.pki}")
    return Installation(data, settings, urls, ca_files, FieldCipher.from_folder(data.keys))
