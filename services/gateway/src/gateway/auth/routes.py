"""``POST /oauth/token`` (RFC 6749): the password grant for citizens, client credentials for partners."""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from gateway.accounts.service import authenticate
from gateway.auth import tokens
from gateway.deps import Settings
from gateway.settings import SCOPES
from kit.errors import Problem, ProblemError
from kit.http import Runtime
from kit.messaging.envelope import utcnow

router = APIRouter(tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str


def _oauth_error(
    status: int, error: str, ru: str, en: str, headers: dict[str, str] | None = None
) -> ProblemError:
    return ProblemError(status, rule=error, title_ru=ru, title_en=en, headers=headers)


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "invalid_grant, invalid_scope or unsupported_grant_type"},
    401: {"model": Problem, "description": "invalid_client"},
}


@router.post(
    "/oauth/token",
    response_model=TokenOut,
    summary="Get an access token",
    description="`grant_type=password` with `username`/`password` (a citizen's ESIA-like login; the token "
    "carries the assurance level in `acr`), or `grant_type=client_credentials` for a partner system "
    "(HTTP Basic or `client_id`/`client_secret`). Optional `scope`, space-separated.",
    responses=PROBLEMS,
)
async def token(
    request: Request,
    runtime: Runtime,
    settings: Settings,
    grant_type: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> TokenOut:
    now = utcnow()
    ttl = timedelta(seconds=settings.access_token_ttl_seconds)
    key: bytes = request.app.state.token_key
    if grant_type == "password":
        async with runtime.db.transaction() as session:
            account = await authenticate(session, username or "", password or "")
        if account is None:
            raise _oauth_error(400, "invalid_grant", "Неверный логин или пароль", "Wrong login or password")
        scopes = tokens.parse_scope(scope, frozenset(SCOPES))
        subject, level = account.id, account.level.value
    elif grant_type == "client_credentials":
        credentials = _basic(request) or (client_id or "", client_secret or "")
        partner = settings.partner(credentials[0])
        if partner is None or not hmac.compare_digest(
            partner.secret.get_secret_value().encode(), credentials[1].encode()
        ):
            raise _oauth_error(
                401,
                "invalid_client",
                "Неверные данные партнёрской системы",
                "Wrong client credentials",
                headers={"WWW-Authenticate": 'Basic realm="gateway"'},
            )
        scopes = tokens.parse_scope(scope, frozenset(partner.scopes))
        subject, level = f"{tokens.PARTNER_PREFIX}{partner.client_id}", None
    else:
        raise _oauth_error(
            400,
            "unsupported_grant_type",
            "Поддерживаются grant_type=password и client_credentials",
            "Supported: grant_type=password and client_credentials",
        )
    if scopes is None:
        raise _oauth_error(
            400, "invalid_scope", "Запрошена недоступная область доступа", "A scope is not allowed"
        )
    return TokenOut(
        access_token=tokens.issue(
            key,
            subject=subject,
            scopes=scopes,
            level=level,
            now=now,
            ttl=ttl,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
        ),
        expires_in=int(ttl.total_seconds()),
        scope=" ".join(sorted(scopes)),
    )
