"""``/me``: the account holder's profile and the partner systems they allow."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from gateway.accounts import service
from gateway.accounts.profile import AccountProfile, AssuranceLevel
from gateway.auth.deps import Principal, require_citizen, require_scope
from gateway.deps import Cipher, Settings
from kit.db import UtcDatetime
from kit.errors import Problem, ProblemError
from kit.http import Runtime

router = APIRouter(prefix="/me", tags=["accounts"])
Citizen = Annotated[Principal, Depends(require_citizen)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No, expired or invalid access token"},
    403: {"model": Problem, "description": "Not allowed"},
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


class MeOut(BaseModel):
    id: str
    login: str
    level: AssuranceLevel
    can_apply: bool = Field(description="ACC-01: only a confirmed account applies")
    profile: AccountProfile


class GrantIn(BaseModel):
    scopes: list[str] = Field(min_length=1)


class GrantOut(BaseModel):
    client_id: str
    client_name: str | None
    scopes: list[str]
    granted_at: UtcDatetime
    revoked_at: UtcDatetime | None = None


class GrantList(BaseModel):
    items: list[GrantOut]


@router.get("", response_model=MeOut, summary="The account holder's profile", responses=PROBLEMS)
async def me(
    principal: Annotated[Principal, Depends(require_scope("dms.applications.read"))],
    runtime: Runtime,
    cipher: Cipher,
) -> MeOut:
    async with runtime.db.transaction() as session:
        account = await service.get_account(session, cipher, principal.account_id)
    if account is None:
        raise ProblemError(
            404, rule="not-found", title_ru="Учётная запись не найдена", title_en="Account not found"
        )
    return MeOut(
        id=account.id,
        login=account.login,
        level=account.level,
        can_apply=account.level is AssuranceLevel.confirmed,
        profile=account.profile,
    )


@router.get(
    "/partner-grants", response_model=GrantList, summary="Partner systems I allow", responses=PROBLEMS
)
async def list_grants(principal: Citizen, runtime: Runtime, settings: Settings) -> GrantList:
    async with runtime.db.transaction() as session:
        grants = await service.grants_of(session, principal.account_id)
        return GrantList(
            items=[
                GrantOut(
                    client_id=g.client_id,
                    client_name=(p.name if (p := settings.partner(g.client_id)) else None),
                    scopes=g.scopes,
                    granted_at=g.granted_at,
                    revoked_at=g.revoked_at,
                )
                for g in grants
            ]
        )


@router.put(
    "/partner-grants/{client_id}",
    response_model=GrantOut,
    summary="Allow a partner system to act for me within these scopes",
    responses=PROBLEMS,
)
async def put_grant(
    client_id: str, body: GrantIn, principal: Citizen, runtime: Runtime, settings: Settings
) -> GrantOut:
    partner = settings.partner(client_id)
    if partner is None:
        raise ProblemError(
            404,
            rule="partner-not-found",
            title_ru="Партнёрская система не найдена",
            title_en="No such partner system",
        )
    refused = sorted(set(body.scopes) - set(partner.scopes))
    if refused:
        raise ProblemError(
            422,
            rule="scope-not-allowed",
            title_ru="Этой системе нельзя выдать такие права",
            title_en="These scopes cannot be granted to this system",
            detail_ru=f"Недоступно: {', '.join(refused)}",
            detail_en=f"Not available: {', '.join(refused)}",
        )
    async with runtime.db.transaction() as session:
        record = await service.grant(session, principal.account_id, client_id, body.scopes)
        return GrantOut(
            client_id=record.client_id,
            client_name=partner.name,
            scopes=record.scopes,
            granted_at=record.granted_at,
        )


@router.delete(
    "/partner-grants/{client_id}",
    status_code=204,
    summary="Withdraw a partner system's access",
    responses=PROBLEMS,
)
async def delete_grant(client_id: str, principal: Citizen, runtime: Runtime) -> None:
    async with runtime.db.transaction() as session:
        await service.revoke(session, principal.account_id, client_id)
