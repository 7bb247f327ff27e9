"""Password hashes with scrypt (standard library): memory-hard, salted, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# n=2**14, r=8: about 16 MB and tens of milliseconds per check (OWASP's scrypt minimum is 2**13).
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(
        [
            "scrypt",
            str(_N),
            str(_R),
            str(_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(computed, base64.b64decode(digest))


#: Checked against when the login is unknown, so an unknown login costs as much as a wrong password.
DUMMY_HASH = hash_password(secrets.token_hex(16))
