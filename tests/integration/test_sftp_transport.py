"""The clearinghouse over SFTP: a real SSH server on loopback (asyncssh), keys both ways, no trust on first use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from server.claims.clearinghouse import SftpTransport, TransportError


@dataclass
class SftpServer:
    root: Path
    port: int
    client_key: Path
    known_hosts: Path


class _AcceptKeys(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True  # authentication required: the authorized key decides


@pytest.fixture
async def sftp_server(tmp_path: Path) -> AsyncIterator[SftpServer]:
    root = tmp_path / "clearinghouse"
    (root / "inbound").mkdir(parents=True)
    (root / "outbound").mkdir()
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    (tmp_path / "client_key").write_bytes(client_key.export_private_key())
    (tmp_path / "authorized_keys").write_bytes(client_key.export_public_key())
    server = await asyncssh.create_server(
        _AcceptKeys, "127.0.0.1", 0, server_host_keys=[host_key],
        authorized_client_keys=str(tmp_path / "authorized_keys"),
        sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode()))
    port = server.sockets[0].getsockname()[1]
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode()}")
    try:
        yield SftpServer(root, port, tmp_path / "client_key", tmp_path / "known_hosts")
    finally:
        server.close()
        await server.wait_closed()


def transport(s: SftpServer, known_hosts: Path | None = None) -> SftpTransport:
    return SftpTransport("127.0.0.1", s.port, "practice", s.client_key, known_hosts or s.known_hosts,
                         "/inbound", "/outbound", timeout=10)


async def test_delivers_once_fetches_answers_and_moves_them_aside(sftp_server: SftpServer) -> None:
    t = transport(sftp_server)
    assert await t.deliver("837P-000000007.x12", b"ISA*batch seven~")
    assert not await t.deliver("837P-000000007.x12", b"ISA*batch seven~")  # a retry sends nothing
    assert (sftp_server.root / "inbound" / "837P-000000007.x12").read_bytes() == b"ISA*batch seven~"
    assert sorted(p.name for p in (sftp_server.root / "inbound").iterdir()) == ["837P-000000007.x12"]
    with pytest.raises(TransportError, match="exists on the clearinghouse with other content"):
        await t.deliver("837P-000000007.x12", b"ISA*something else~")

    (sftp_server.root / "outbound" / "999-7.x12").write_bytes(b"ISA*ack~")
    (sftp_server.root / "outbound" / "277CA-7.x12").write_bytes(b"ISA*claims ack~")
    assert await t.fetch() == [("277CA-7.x12", b"ISA*claims ack~"), ("999-7.x12", b"ISA*ack~")]
    await t.done("999-7.x12", "processed")
    await t.done("277CA-7.x12", "failed")
    assert (sftp_server.root / "outbound" / "processed" / "999-7.x12").exists()
    assert (sftp_server.root / "outbound" / "failed" / "277CA-7.x12").exists()
    assert await t.fetch() == []


async def test_an_unknown_host_key_is_refused(sftp_server: SftpServer, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519")
    wrong = tmp_path / "wrong_known_hosts"
    wrong.write_text(f"[127.0.0.1]:{sftp_server.port} {other.export_public_key().decode()}")
    with pytest.raises(TransportError, match=r"sftp 127\.0\.0\.1"):
        await transport(sftp_server, wrong).deliver("837P-000000008.x12", b"ISA~")
    assert not (sftp_server.root / "inbound" / "837P-000000008.x12").exists()
