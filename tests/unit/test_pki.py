"""The practice CA: certificate contents, key files on disk, and a real mutual-TLS handshake with grpcio."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import TypeVar

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from server.pki import (
    CertificateAuthorityFiles,
    IssuedCertificate,
    create_ca,
    issue_server_certificate,
    issue_workstation_certificate,
    read_peer_certificate,
)


def _cert(issued: IssuedCertificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(issued.cert_pem)


_E = TypeVar("_E", bound=x509.ExtensionType)


def _ext(cert: x509.Certificate, kind: type[_E]) -> x509.Extension[_E]:
    return cert.extensions.get_extension_for_class(kind)


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | bytes:
    return cert.subject.get_attributes_for_oid(oid)[0].value


@pytest.fixture(scope="module")
def ca() -> IssuedCertificate:
    return create_ca("Riverside Family Medicine")


@pytest.fixture(scope="module")
def other_ca() -> IssuedCertificate:
    return create_ca("Some Other Practice")


# --- certificate contents ---------------------------------------------------------------------------------


def test_ca_is_a_self_signed_ca_that_signs_only_end_entities(ca: IssuedCertificate) -> None:
    cert = _cert(ca)
    cert.verify_directly_issued_by(cert)
    assert cert.subject == cert.issuer
    assert _attr(cert, NameOID.COMMON_NAME) == "Riverside Family Medicine PMS CA"
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == "Riverside Family Medicine"
    bc = _ext(cert, x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 0
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign and not ku.value.digital_signature
    ski = _ext(cert, x509.SubjectKeyIdentifier).value
    assert ski.digest == x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_long_practice_name_still_gives_a_valid_ca() -> None:
    cert = _cert(create_ca("Northern Virginia Family Medicine and Pediatrics Associates, PLLC"))
    cn = _attr(cert, NameOID.COMMON_NAME)
    assert isinstance(cn, str) and len(cn) <= 64 and cn.endswith(" PMS CA")


def test_server_certificate_chains_to_ca_with_ip_and_dns_sans(ca: IssuedCertificate) -> None:
    hosts = ["pms.clinic.lan", "192.168.10.5", "fd00::5", "localhost"]
    cert = _cert(issue_server_certificate(ca, hosts))
    ca_cert = _cert(ca)
    cert.verify_directly_issued_by(ca_cert)
    assert _attr(cert, NameOID.COMMON_NAME) == "pms.clinic.lan"
    sans = _ext(cert, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["pms.clinic.lan", "localhost"]
    assert sans.get_values_for_type(x509.IPAddress) == [ip_address("192.168.10.5"), ip_address("fd00::5")]
    assert _ext(cert, x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.key_cert_sign
    assert _ext(cert, x509.BasicConstraints).value.ca is False
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == _ext(ca_cert, x509.SubjectKeyIdentifier).value.digest


def test_workstation_certificate_is_a_client_certificate(ca: IssuedCertificate) -> None:
    issued = issue_workstation_certificate(ca, "front-desk-1", 7, days=90)
    cert = _cert(issued)
    cert.verify_directly_issued_by(_cert(ca))
    assert _attr(cert, NameOID.COMMON_NAME) == "front-desk-1"
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == "practice 7"
    assert _ext(cert, x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
    assert _ext(cert, x509.BasicConstraints).value.ca is False
    assert _ext(cert, x509.KeyUsage).critical
    assert cert.serial_number.bit_length() > 100
    assert issued.serial_hex == format(cert.serial_number, "x")


def test_serials_are_unique(ca: IssuedCertificate) -> None:
    serials = [issue_workstation_certificate(ca, f"ws-{i}", 1, days=1).serial_hex for i in range(40)]
    serials += [issue_server_certificate(ca, ["pms.lan"]).serial_hex for _ in range(5)]
    assert len(set(serials)) == len(serials)
    assert all(s == s.lower() and ":" not in s for s in serials)


def test_validity_period_is_honoured(ca: IssuedCertificate) -> None:
    before = datetime.now(UTC)
    issued = issue_workstation_certificate(ca, "exam-2", 1, days=30)
    cert = _cert(issued)
    assert issued.not_before.tzinfo is not None and issued.not_after.tzinfo is not None
    assert issued.not_before == cert.not_valid_before_utc and issued.not_after == cert.not_valid_after_utc
    assert issued.not_before <= before
    assert timedelta(days=30) - timedelta(seconds=5) <= issued.not_after - before <= timedelta(days=30)
    server = issue_server_certificate(ca, ["pms.lan"])
    assert timedelta(days=824) < server.not_after - before <= timedelta(days=825)
    assert timedelta(days=3649) < ca.not_after - before <= timedelta(days=3650)


def test_backdated_certificate_counts_days_from_not_before(ca: IssuedCertificate) -> None:
    start = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
    issued = issue_workstation_certificate(ca, "old", 1, days=10, not_before=start)
    assert issued.not_before == start
    assert issued.not_after == start + timedelta(days=10)


def test_no_certificate_outlives_its_ca() -> None:
    short_ca = create_ca("Short Lived", days=10)
    assert issue_workstation_certificate(short_ca, "ws", 1, days=365).not_after == short_ca.not_after
    assert issue_server_certificate(short_ca, ["pms.lan"]).not_after == short_ca.not_after


def test_bad_input_is_refused(ca: IssuedCertificate) -> None:
    with pytest.raises(ValueError):
        issue_server_certificate(ca, [])
    with pytest.raises(ValueError):
        issue_workstation_certificate(ca, "x" * 65, 1, days=30)
    with pytest.raises(ValueError):
        issue_workstation_certificate(ca, "ws", 1, days=0)
    with pytest.raises(ValueError):
        issue_workstation_certificate(ca, "ws", 1, days=1, not_before=datetime(2020, 1, 1))  # naive
    with pytest.raises(ValueError):
        create_ca("   ")
    leaf = issue_workstation_certificate(ca, "ws", 1, days=1)
    with pytest.raises(ValueError, match="not a CA"):
        issue_workstation_certificate(leaf, "ws2", 1, days=1)
    mismatched = IssuedCertificate(
        key_pem=create_ca("Other").key_pem,
        cert_pem=ca.cert_pem,
        serial_hex=ca.serial_hex,
        not_before=ca.not_before,
        not_after=ca.not_after,
    )
    with pytest.raises(ValueError, match="does not belong"):
        issue_workstation_certificate(mismatched, "ws", 1, days=1)


def test_read_peer_certificate(ca: IssuedCertificate) -> None:
    issued = issue_workstation_certificate(ca, "billing-3", 2, days=60)
    peer = read_peer_certificate(issued.cert_pem)
    cert = _cert(issued)
    assert peer.serial_hex == issued.serial_hex
    assert peer.common_name == "billing-3"
    assert peer.not_after == issued.not_after and peer.not_after.tzinfo is not None
    assert peer.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex()
    assert len(peer.fingerprint_sha256) == 64
    assert read_peer_certificate(issued.cert_pem) is peer  # cached
    with pytest.raises(ValueError):
        read_peer_certificate(b"not a certificate")


# --- files on disk ----------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_created_private(tmp_path: Path) -> None:
    files = CertificateAuthorityFiles(tmp_path / "data")
    assert not files.exists()
    files.create("Riverside Family Medicine", ["pms.clinic.lan", "192.168.10.5"])
    assert files.exists()
    pki = tmp_path / "data" / "pki"
    assert _mode(pki) == 0o700
    assert _mode(pki / "ca.key") == 0o600
    assert _mode(pki / "server.key") == 0o600
    assert {p.name for p in pki.iterdir()} == {"ca.key", "ca.crt", "server.key", "server.crt"}
    assert files.server_hosts() == ["pms.clinic.lan", "192.168.10.5"]
    ca = files.load_ca()
    assert ca.cert_pem == files.ca_cert_pem()
    ca_cert = x509.load_pem_x509_certificate(files.ca_cert_pem())
    assert ca.serial_hex == format(ca_cert.serial_number, "x")
    assert ca.not_after == ca_cert.not_valid_after_utc
    server_cert = x509.load_pem_x509_certificate(files.server_cert_pem())
    server_cert.verify_directly_issued_by(ca_cert)
    assert b"PRIVATE KEY" in files.server_key_pem()


def test_pki_folder_is_tightened_if_it_exists(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir(mode=0o755)
    (tmp_path / "pki").chmod(0o755)
    CertificateAuthorityFiles(tmp_path).create("P", ["pms.lan"])
    assert _mode(tmp_path / "pki") == 0o700


def test_create_refuses_to_overwrite_a_ca(tmp_path: Path) -> None:
    files = CertificateAuthorityFiles(tmp_path)
    files.create("Riverside", ["pms.lan"])
    ca_before = files.ca_cert_pem()
    key_before = (tmp_path / "pki" / "ca.key").read_bytes()
    with pytest.raises(FileExistsError):
        files.create("Riverside", ["pms.lan"])
    # A half-written CA (key only) is refused too.
    (tmp_path / "pki" / "ca.crt").unlink()
    assert not files.exists()
    with pytest.raises(FileExistsError):
        files.create("Riverside", ["pms.lan"])
    assert (tmp_path / "pki" / "ca.key").read_bytes() == key_before
    assert ca_before != b""


def test_bad_hosts_write_nothing(tmp_path: Path) -> None:
    files = CertificateAuthorityFiles(tmp_path)
    with pytest.raises(ValueError):
        files.create("Riverside", [])
    assert not (tmp_path / "pki").exists()


def test_reissue_server_certificate_keeps_the_ca(tmp_path: Path) -> None:
    files = CertificateAuthorityFiles(tmp_path)
    files.create("Riverside", ["old-name.lan"])
    ca_pem = files.ca_cert_pem()
    old_cert, old_key = files.server_cert_pem(), files.server_key_pem()
    files.reissue_server_certificate(["new-name.lan", "10.0.0.9"])
    assert files.ca_cert_pem() == ca_pem
    assert files.server_cert_pem() != old_cert and files.server_key_pem() != old_key
    assert files.server_hosts() == ["new-name.lan", "10.0.0.9"]
    assert _mode(tmp_path / "pki" / "server.key") == 0o600
    x509.load_pem_x509_certificate(files.server_cert_pem()).verify_directly_issued_by(
        x509.load_pem_x509_certificate(ca_pem)
    )


def test_reissue_without_a_ca_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        CertificateAuthorityFiles(tmp_path).reissue_server_certificate(["pms.lan"])


# --- a real mutual-TLS handshake --------------------------------------------------------------------------

_PEER_METHOD = "/pms.test.v1.PeerService/WhoAmI"


@dataclass(frozen=True)
class _Server:
    address: str
    ca: IssuedCertificate


async def _who_am_i(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    pem = next(iter(context.auth_context()["x509_pem_cert"]))
    peer = read_peer_certificate(pem)
    return f"{peer.common_name} {peer.serial_hex}".encode()


@pytest.fixture
async def mtls_server(ca: IssuedCertificate) -> AsyncIterator[_Server]:
    server_cert = issue_server_certificate(ca, ["localhost", "127.0.0.1"])
    server = grpc.aio.server()
    health_servicer = health.aio.HealthServicer()  # type: ignore[attr-defined]
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "pms.test.v1.PeerService", {"WhoAmI": grpc.unary_unary_rpc_method_handler(_who_am_i)}
            )
        ]
    )
    credentials = grpc.ssl_server_credentials(
        [(server_cert.key_pem, server_cert.cert_pem)], root_certificates=ca.cert_pem, require_client_auth=True
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    await server.start()
    try:
        yield _Server(address=f"127.0.0.1:{port}", ca=ca)
    finally:
        await server.stop(grace=None)


def _channel(
    server: _Server, client: IssuedCertificate | None, *, trust: bytes | None = None, name: str | None = None
) -> grpc.aio.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=trust or server.ca.cert_pem,
        private_key=client.key_pem if client else None,
        certificate_chain=client.cert_pem if client else None,
    )
    options: list[tuple[str, str | int]] = [("grpc.use_local_subchannel_pool", 1)]
    if name:
        options.append(("grpc.ssl_target_name_override", name))
    return grpc.aio.secure_channel(server.address, credentials, options=options)


async def _health_check(channel: grpc.aio.Channel) -> health_pb2.HealthCheckResponse.ServingStatus.ValueType:
    async with channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        return response.status


async def _refused(channel: grpc.aio.Channel) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        await _health_check(channel)
    assert isinstance(caught.value, grpc.aio.AioRpcError)
    return caught.value.code()


async def test_workstation_of_this_ca_is_served(mtls_server: _Server) -> None:
    workstation = issue_workstation_certificate(mtls_server.ca, "front-desk-1", 1, days=30)
    assert await _health_check(_channel(mtls_server, workstation)) == health_pb2.HealthCheckResponse.SERVING


async def test_server_dns_name_is_verified(mtls_server: _Server) -> None:
    workstation = issue_workstation_certificate(mtls_server.ca, "front-desk-1", 1, days=30)
    ok = _channel(mtls_server, workstation, name="localhost")
    assert await _health_check(ok) == health_pb2.HealthCheckResponse.SERVING
    assert await _refused(_channel(mtls_server, workstation, name="not-the-server.lan")) == (
        grpc.StatusCode.UNAVAILABLE
    )


async def test_server_sees_the_workstation_certificate(mtls_server: _Server) -> None:
    workstation = issue_workstation_certificate(mtls_server.ca, "exam-room-4", 1, days=30)
    async with _channel(mtls_server, workstation) as channel:
        who = channel.unary_unary(_PEER_METHOD, request_serializer=None, response_deserializer=None)
        answer = await who(b"", timeout=5)
    assert answer == f"exam-room-4 {workstation.serial_hex}".encode()


async def test_workstation_of_another_ca_is_refused(
    mtls_server: _Server, other_ca: IssuedCertificate
) -> None:
    stranger = issue_workstation_certificate(other_ca, "front-desk-1", 1, days=30)
    assert await _refused(_channel(mtls_server, stranger)) == grpc.StatusCode.UNAVAILABLE


async def test_client_without_certificate_is_refused(mtls_server: _Server) -> None:
    assert await _refused(_channel(mtls_server, None)) == grpc.StatusCode.UNAVAILABLE


async def test_expired_workstation_certificate_is_refused(mtls_server: _Server) -> None:
    expired = issue_workstation_certificate(
        mtls_server.ca, "old-laptop", 1, days=1, not_before=datetime.now(UTC) - timedelta(days=10)
    )
    assert expired.not_after < datetime.now(UTC)
    assert await _refused(_channel(mtls_server, expired)) == grpc.StatusCode.UNAVAILABLE


async def test_client_refuses_a_server_from_another_ca(
    mtls_server: _Server, other_ca: IssuedCertificate
) -> None:
    workstation = issue_workstation_certificate(mtls_server.ca, "front-desk-1", 1, days=30)
    assert await _refused(_channel(mtls_server, workstation, trust=other_ca.cert_pem)) == (
        grpc.StatusCode.UNAVAILABLE
    )
