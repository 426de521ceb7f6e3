"""Encryption of sensitive columns at rest (AES-256-GCM).

The associated data binds a ciphertext to its table, column, row and key version, so a
value copied into another row or column does not decrypt. Ciphertext layout:
``version (1 byte) | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.bundle import write_private_file


class FieldCipher:
    def __init__(self, keys: dict[int, bytes], current_version: int) -> None:
        self._keys = {v: AESGCM(k) for v, k in keys.items()}
        self._raw = dict(keys)
        self._lookup_key: bytes | None = None
        self.current_version = current_version

    @staticmethod
    def _aad(table: str, column: str, row: str, version: int) -> bytes:
        return f"{table}|{column}|{row}|v{version}".encode()

    def encrypt(self, plaintext: bytes, *, table: str, column: str, row: str) -> bytes:
        v = self.current_version
        nonce = os.urandom(12)
        return bytes([v]) + nonce + self._keys[v].encrypt(nonce, plaintext, self._aad(table, column, row, v))

    def decrypt(self, blob: bytes, *, table: str, column: str, row: str) -> bytes:
        v, nonce, body = blob[0], blob[1:13], blob[13:]
        return self._keys[v].decrypt(nonce, body, self._aad(table, column, row, v))

    @classmethod
    def from_folder(cls, folder: Path) -> FieldCipher:
        """Loads keys/field-v<N>.key; the highest version encrypts, all decrypt."""
        keys: dict[int, bytes] = {}
        for path in folder.glob("field-v*.key"):
            keys[int(path.stem.removeprefix("field-v"))] = path.read_bytes()
        if not keys:
            raise FileNotFoundError(f"no field encryption key in {folder}")
        return cls(keys, max(keys))

    @staticmethod
    def create_key(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        path = folder / "field-v1.key"
        if path.exists():
            raise FileExistsError(f"{path} exists; refusing to replace an encryption key")
        write_private_file(path, AESGCM.generate_key(bit_length=256))


def lookup_key(cipher: FieldCipher) -> bytes:
    """The HMAC key for exact-match lookups of encrypted values (e.g. SSN).

    Derived from the oldest field key, so adding a new encryption key does not change
    the hashes already stored.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if cipher._lookup_key is None:
        oldest = min(cipher._raw)
        cipher._lookup_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                  info=b"pms lookup hash v1").derive(cipher._raw[oldest])
    return cipher._lookup_key


def lookup_hash(cipher: FieldCipher, purpose: str, value: str) -> bytes:
    return hmac.new(lookup_key(cipher), f"{purpose}|{value}".encode(), hashlib.sha256).digest()
