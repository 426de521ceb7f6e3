"""The practice's own certificate authority: CA, server and workstation certificates for mutual TLS."""

from server.pki.authority import (
    CertificateAuthorityFiles,
    IssuedCertificate,
    PeerCertificate,
    create_ca,
    issue_server_certificate,
    issue_workstation_certificate,
    read_peer_certificate,
)

__all__ = [
    "CertificateAuthorityFiles",
    "IssuedCertificate",
    "PeerCertificate",
    "create_ca",
    "issue_server_certificate",
    "issue_workstation_certificate",
    "read_peer_certificate",
]
