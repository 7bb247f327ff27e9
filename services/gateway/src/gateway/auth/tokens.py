"""JWT access tokens (PyJWT, HS256). Pure: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

ALGORITHM = "HS256"
PARTNER_PREFIX = "client:"


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    scopes: frozenset[str]
    #: Assurance level of a citizen's account (``acr``); None for a partner.
    level: str | None
    expires_at: datetime

    @property
    def client_id(self) -> str | None:
        return self.subject.removeprefix(PARTNER_PREFIX) if self.subject.startswith(PARTNER_PREFIX) else None


class InvalidToken(Exception):
    pass


def signing_key(secret: str) -> bytes:
    """A key of its own for tokens, derived from the service secret."""
    return hmac.new(secret.encode(), b"gateway-access-tokens", hashlib.sha256).digest()


def issue(
    key: bytes,
    *,
    subject: str,
    scopes: frozenset[str],
    level: str | None,
    now: datetime,
    ttl: timedelta,
    issuer: str,
    audience: str,
) -> str:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(sorted(scopes)),
    }
    if level is not None:
        claims["acr"] = level
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode(token: str, key: bytes, *, issuer: str, audience: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return TokenClaims(
        subject=str(claims["sub"]),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        level=claims.get("acr"),
        expires_at=datetime.fromtimestamp(int(claims["exp"])).astimezone(),
    )


def parse_scope(requested: str | None, allowed: frozenset[str]) -> frozenset[str] | None:
    """RFC 6749 §3.3: the scopes asked for (all allowed when none asked); None if one is not allowed."""
    if not requested:
        return allowed
    asked = frozenset(requested.split())
    return asked if asked <= allowed else None
