"""The practice's certificate authority.

One self-signed CA per installation signs the server certificate and one client certificate per workstation;
the server trusts only this CA and asks every peer for a certificate (mutual TLS). Keys are ECDSA P-256 and
signatures SHA-256. This module is pure: it reads and writes files only in ``CertificateAuthorityFiles``.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.bundle import write_private_file

# Certificates start a little in the past so a workstation whose clock is slightly behind still accepts them.
CLOCK_SKEW = timedelta(minutes=5)
# RFC 5280 upper bound for a common name.
_MAX_CN = 64


@dataclass(frozen=True)
class IssuedCertificate:
    """A key pair and its certificate, both PEM."""

    key_pem: bytes
    cert_pem: bytes
    # Lowercase hex, no colons, no leading zeros: the form the revocation list stores.
    serial_hex: str
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True)
class PeerCertificate:
    """What the server needs to know about the certificate a peer presented."""

    serial_hex: str
    common_name: str
    not_after: datetime
    # Lowercase hex SHA-256 of the DER certificate, no colons.
    fingerprint_sha256: str
    # Workstation certificates carry "practice <id>" here: the tenant the workstation belongs to.
    organization: str = ""


def create_ca(practice_name: str, days: int = 3650) -> IssuedCertificate:
    """Create a self-signed CA for the practice, allowed to sign end-entity certificates only."""
    name = practice_name.strip()
    if not name:
        raise ValueError("practice name must not be empty")
    _check_days(days)
    key = ec.generate_private_key(ec.SECP256R1())
    suffix = " PMS CA"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name[: _MAX_CN - len(suffix)].rstrip() + suffix),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:_MAX_CN]),
        ]
    )
    not_before, not_after = _validity(None, days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return _issued(key, builder.sign(key, hashes.SHA256()))


def issue_server_certificate(ca: IssuedCertificate, hosts: list[str], days: int = 825) -> IssuedCertificate:
    """Issue the server's TLS certificate for ``hosts`` (DNS names or IP addresses; the first is the CN)."""
    names = _dedupe([h.strip() for h in hosts if h.strip()])
    if not names:
        raise ValueError("at least one host name or IP address is needed")
    if len(names[0]) > _MAX_CN:
        raise ValueError(f"the first host must be at most {_MAX_CN} characters (it becomes the common name)")
    sans = x509.SubjectAlternativeName([_general_name(h) for h in names])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    return _issue_leaf(ca, subject, sans, ExtendedKeyUsageOID.SERVER_AUTH, days, None)


def issue_workstation_certificate(
    ca: IssuedCertificate,
    workstation_name: str,
    practice_id: int,
    days: int,
    *,
    not_before: datetime | None = None,
) -> IssuedCertificate:
    """Issue a workstation's client certificate (CN = workstation name, O = ``practice <id>``).

    ``not_before`` back-dates the certificate (tests make expired ones); ``days`` then count from it.
    """
    if not workstation_name or len(workstation_name) > _MAX_CN:
        raise ValueError(f"workstation name must be 1 to {_MAX_CN} characters")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, workstation_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"practice {practice_id}"),
        ]
    )
    return _issue_leaf(ca, subject, None, ExtendedKeyUsageOID.CLIENT_AUTH, days, not_before)


@functools.lru_cache(maxsize=4096)
def read_peer_certificate(cert_pem: bytes) -> PeerCertificate:
    """Read serial, CN, expiry and fingerprint from a PEM certificate (cached: called on every RPC)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = cns[0].value if cns else ""
    orgs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    org = orgs[0].value if orgs else ""
    return PeerCertificate(
        serial_hex=_serial_hex(cert.serial_number),
        common_name=cn if isinstance(cn, str) else cn.decode(),
        not_after=cert.not_valid_after_utc,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        organization=org if isinstance(org, str) else org.decode(),
    )


class CertificateAuthorityFiles:
    """The CA and server key pair in a data folder.

    Files: DIR/pki/{ca.key,ca.crt,server.key,server.crt}; keys 0600, folder 0700.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.pki_dir = self.data_dir / "pki"
        self.ca_key_path = self.pki_dir / "ca.key"
        self.ca_cert_path = self.pki_dir / "ca.crt"
        self.server_key_path = self.pki_dir / "server.key"
        self.server_cert_path = self.pki_dir / "server.crt"

    def exists(self) -> bool:
        """Whether a complete CA (key and certificate) is in the folder."""
        return self.ca_key_path.exists() and self.ca_cert_path.exists()

    def create(self, practice_name: str, hosts: list[str]) -> None:
        """Create the CA and server certificate; FileExistsError if any CA file is already there."""
        if self.ca_key_path.exists() or self.ca_cert_path.exists():
            raise FileExistsError(
                f"a certificate authority already exists in {self.pki_dir}; refusing to overwrite it "
                "(every enrolled workstation depends on it)"
            )
        # Build everything in memory first so bad input writes nothing.
        ca = create_ca(practice_name)
        server = issue_server_certificate(ca, hosts)
        self._ensure_dir()
        self._write_server(server)
        write_private_file(self.ca_key_path, ca.key_pem)
        # The CA certificate last: exists() is true only once everything is written.
        _write_public_file(self.ca_cert_path, ca.cert_pem)

    def load_ca(self) -> IssuedCertificate:
        """The CA key and certificate (for signing)."""
        key = serialization.load_pem_private_key(self.ca_key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{self.ca_key_path} is not an EC private key")
        cert = x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())
        return _issued(key, cert)

    def ca_cert_pem(self) -> bytes:
        return self.ca_cert_path.read_bytes()

    def server_key_pem(self) -> bytes:
        return self.server_key_path.read_bytes()

    def server_cert_pem(self) -> bytes:
        return self.server_cert_path.read_bytes()

    def server_hosts(self) -> list[str]:
        """The server certificate's subject alternative names, in order."""
        cert = x509.load_pem_x509_certificate(self.server_cert_pem())
        try:
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return []
        return [str(n.value) for n in sans if isinstance(n, x509.DNSName | x509.IPAddress)]

    def reissue_server_certificate(self, hosts: list[str]) -> None:
        """Replace the server key and certificate (when the server's name or IP address changes)."""
        server = issue_server_certificate(self.load_ca(), hosts)
        self._ensure_dir()
        self._write_server(server)

    def _ensure_dir(self) -> None:
        # Only the pki folder is restricted: the data folder may need to be traversable by other users
        # (the embedded PostgreSQL runs as its own user when the server runs as root).
        self.pki_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.pki_dir, 0o700)

    def _write_server(self, server: IssuedCertificate) -> None:
        write_private_file(self.server_key_path, server.key_pem)
        _write_public_file(self.server_cert_path, server.cert_pem)


def _issue_leaf(
    ca: IssuedCertificate,
    subject: x509.Name,
    sans: x509.SubjectAlternativeName | None,
    usage: x509.ObjectIdentifier,
    days: int,
    not_before: datetime | None,
) -> IssuedCertificate:
    _check_days(days)
    ca_key, ca_cert = _load_ca(ca)
    key = ec.generate_private_key(ec.SECP256R1())
    start, end = _validity(not_before, days)
    # A certificate never outlives the CA that signed it.
    end = min(end, ca_cert.not_valid_after_utc)
    try:
        ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    except x509.ExtensionNotFound:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(aki, critical=False)
    )
    if sans is not None:
        builder = builder.add_extension(sans, critical=False)
    return _issued(key, builder.sign(ca_key, hashes.SHA256()))


def _load_ca(ca: IssuedCertificate) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(ca.key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the CA key is not an EC private key")
    cert = x509.load_pem_x509_certificate(ca.cert_pem)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ValueError("the CA certificate is not a CA certificate")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise ValueError("the CA key does not belong to the CA certificate")
    return key, cert


def _issued(key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> IssuedCertificate:
    return IssuedCertificate(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        serial_hex=_serial_hex(cert.serial_number),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _validity(not_before: datetime | None, days: int) -> tuple[datetime, datetime]:
    if not_before is None:
        now = datetime.now(UTC).replace(microsecond=0)
        return now - CLOCK_SKEW, now + timedelta(days=days)
    if not_before.tzinfo is None:
        raise ValueError("not_before must be timezone-aware")
    start = not_before.astimezone(UTC).replace(microsecond=0)
    return start, start + timedelta(days=days)


def _check_days(days: int) -> None:
    if days < 1:
        raise ValueError("a certificate must be valid for at least one day")


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _serial_hex(serial: int) -> str:
    return format(serial, "x")


def _write_public_file(path: Path, data: bytes) -> None:
    write_private_file(path, data)
    os.chmod(path, 0o644)
