"""Who is calling, for whose data, with which scopes: the dependency every cabinet route uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2

from gateway.accounts.models import Account
from gateway.accounts.profile import AssuranceLevel, can_apply
from gateway.accounts.service import active_grant
from gateway.auth import tokens
from gateway.deps import Settings
from gateway.settings import SCOPES
from kit.errors import ProblemError
from kit.http import Runtime

__all__ = [
    "AssuranceLevel",
    "Principal",
    "can_apply",
    "ensure_can_apply",
    "oauth2",
    "require_citizen",
    "require_scope",
]

oauth2 = OAuth2(
    flows=OAuthFlows(
        password=OAuthFlowPassword(tokenUrl="/oauth/token", scopes=SCOPES),
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=SCOPES),
    ),
    scheme_name="oauth2",
    description="Citizens log in with the password grant (ESIA-like); partner systems use client "
    "credentials and name the account holder in the On-Behalf-Of header.",
    auto_error=False,
)


@dataclass(frozen=True)
class Principal:
    #: Whose data the request reads or changes.
    account_id: str
    #: That account's assurance level (ACC-01).
    level: AssuranceLevel
    #: The partner system acting for the account holder, else None.
    client_id: str | None
    scopes: frozenset[str]


def _unauthorised(detail_ru: str, detail_en: str) -> ProblemError:
    return ProblemError(
        401,
        rule="invalid-token",
        title_ru="Нужен действующий токен доступа",
        title_en="A valid access token is required",
        detail_ru=detail_ru,
        detail_en=detail_en,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _forbidden(rule: str, detail_ru: str, detail_en: str) -> ProblemError:
    return ProblemError(
        403,
        rule=rule,
        title_ru="Недостаточно прав",
        title_en="Not allowed",
        detail_ru=detail_ru,
        detail_en=detail_en,
    )


async def _claims(request: Request, settings: Settings, authorization: str | None) -> tokens.TokenClaims:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorised(
            "Передайте заголовок Authorization: Bearer <токен>", "Send Authorization: Bearer <token>"
        )
    key: bytes = request.app.state.token_key
    try:
        return tokens.decode(
            token.strip(), key, issuer=settings.token_issuer, audience=settings.token_audience
        )
    except tokens.InvalidToken as exc:
        expired = str(exc) == "expired"
        raise _unauthorised(
            "Срок действия токена истёк" if expired else "Токен недействителен",
            "The token has expired" if expired else "The token is invalid",
        ) from exc


def require_scope(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller with ``scope``, for the account whose data is concerned."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def principal(
        request: Request,
        settings: Settings,
        runtime: Runtime,
        authorization: Annotated[str | None, Depends(oauth2)],
        on_behalf_of: Annotated[
            str | None,
            Header(
                alias="On-Behalf-Of",
                max_length=64,
                description="Partner systems: the id of the account holder the request is for",
            ),
        ] = None,
    ) -> Principal:
        claims = await _claims(request, settings, authorization)
        if scope not in claims.scopes:
            raise _forbidden(
                "insufficient-scope",
                f"Токену не выдана область доступа {scope}",
                f"The token lacks the scope {scope}",
            )
        client_id = claims.client_id
        if client_id is None:
            return Principal(
                claims.subject, AssuranceLevel(claims.level or "simplified"), None, claims.scopes
            )
        if not on_behalf_of:
            raise _forbidden(
                "on-behalf-of-required",
                "Партнёрская система указывает владельца данных в заголовке On-Behalf-Of",
                "A partner system names the account holder in the On-Behalf-Of header",
            )
        async with runtime.db.transaction() as session:
            grant = await active_grant(session, on_behalf_of, client_id)
            account = await session.get(Account, on_behalf_of) if grant is not None else None
        if grant is None or account is None or scope not in grant.scopes:
            raise _forbidden(
                "partner-not-authorised",
                "Владелец учётной записи не разрешил этой системе такое действие",
                "The account holder has not allowed this system to do this",
            )
        return Principal(account.id, account.level, client_id, claims.scopes & frozenset(grant.scopes))

    return principal


def ensure_can_apply(principal: Principal) -> None:
    """ACC-01: applying for anything needs a confirmed account; otherwise a 403 naming the rule."""
    if not can_apply(principal.level):
        raise ProblemError(
            403,
            rule="ACC-01",
            title_ru="Нужна подтверждённая учётная запись",
            title_en="A confirmed account is required",
            detail_ru="Подать заявление можно только с подтверждённой учётной записью; "
            f"уровень этой учётной записи — {principal.level}",
            detail_en=f"Applying needs a confirmed account; this account's level is {principal.level}",
        )


async def require_citizen(
    request: Request, settings: Settings, authorization: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    """The account holder themselves (consents are not for partners to give)."""
    claims = await _claims(request, settings, authorization)
    if claims.client_id is not None:
        raise _forbidden(
            "citizen-only",
            "Это действие доступно только владельцу учётной записи",
            "Only the account holder can do this",
        )
    return Principal(claims.subject, AssuranceLevel(claims.level or "simplified"), None, claims.scopes)
