"""Personal data at rest: encrypted with a key derived from the service's secret.

Passport numbers, names and addresses are stored as one encrypted JSON blob per row (Fernet:
AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package), so a database dump or backup
does not disclose them. Columns needed for lookups (ids, statuses, dates) stay in the clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DataCipher", "InvalidToken"]


class DataCipher:
    """Encrypts JSON-able values. ``purpose`` separates keys: the same secret gives a different key
    for each purpose, so a blob cannot be decrypted in another context."""

    def __init__(self, secret: str, *, purpose: str = "personal-data") -> None:
        if not secret:
            raise ValueError("an encryption secret is required")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self._index_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"{purpose}:blind-index".encode()
        ).derive(secret.encode())

    def encrypt(self, value: Any) -> bytes:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    def decrypt(self, token: bytes) -> Any:
        return json.loads(self._fernet.decrypt(token))

    def encrypt_bytes(self, value: bytes) -> bytes:
        """For documents (scans, PDFs): the bytes as they are, without a JSON wrapping."""
        return self._fernet.encrypt(value)

    def decrypt_bytes(self, token: bytes) -> bytes:
        return self._fernet.decrypt(token)

    def blind_index(self, value: str) -> str:
        """A keyed hash to find encrypted rows by a value (a СНИЛС, a name and birth date) without
        storing the value: equal values give equal indexes, and without the key nothing is learnt."""
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()
