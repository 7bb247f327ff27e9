from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from gateway.accounts.service import get_account
from gateway.auth.deps import Principal, ensure_can_apply, require_scope
from gateway.deps import Cipher
from gateway.idempotency import IdempotencyKey, store
from gateway.oms import service
from gateway.oms.models import OmsPolicy, OmsRequest
from kit.contracts.directory import REGION_CODE_PATTERN
from kit.db import UtcDatetime
from kit.errors import Problem, ProblemError
from kit.http import Runtime
from kit.messaging.envelope import utcnow

router = APIRouter(prefix="/oms", tags=["oms"])


class OmsPolicyOut(BaseModel):
    enp: str
    status: str
    insurer: str
    region: str
    valid_from: date
    valid_until: date | None
    changed_at: UtcDatetime


class OmsPolicyList(BaseModel):
    items: list[OmsPolicyOut]


@router.get(
    "/policies",
    response_model=OmsPolicyList,
    summary="My ОМС policies, as the register announced them (OMS-02)",
    responses={401: {"model": Problem, "description": "No, expired or invalid access token"}},
)
async def my_policies(
    principal: Annotated[Principal, Depends(require_scope("oms.policies.read"))], runtime: Runtime
) -> OmsPolicyList:
    async with runtime.db.transaction() as session:
        rows = (
            await session.scalars(select(OmsPolicy).where(OmsPolicy.account_id == principal.account_id))
        ).all()
        return OmsPolicyList(items=[OmsPolicyOut.model_validate(row, from_attributes=True) for row in rows])


class OmsRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str = Field(pattern=REGION_CODE_PATTERN, description="Where the holder lives")
    insurer: str = Field(
        min_length=1, max_length=32, description="The ОМС insurer (СМО) chosen in that region"
    )


class OmsRequestOut(BaseModel):
    id: str
    status: str = Field(
        description="submitted (the register has not answered yet), issued, already_insured, refused"
    )
    region: str
    insurer: str
    submitted_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    enp: str | None = None
    rule: str | None = None
    reason_ru: str | None = None
    reason_en: str | None = None


class OmsRequestList(BaseModel):
    items: list[OmsRequestOut]


def _request_out(request: OmsRequest) -> OmsRequestOut:
    return OmsRequestOut.model_validate(request, from_attributes=True)


@router.post(
    "/requests",
    status_code=202,
    response_model=OmsRequestOut,
    summary="Ask for an electronic ОМС policy for myself (OMS-01)",
    description="The register answers asynchronously: follow GET /oms/requests and the notifications. While "
    "the register is slow or down the request waits; there is nothing to resubmit.",
    responses={
        401: {"model": Problem, "description": "No, expired or invalid access token"},
        403: {"model": Problem, "description": "The account is not confirmed (ACC-01)"},
        422: {
            "model": Problem,
            "description": "Invalid fields, or the account lacks what the register needs",
        },
    },
)
async def request_policy(
    body: OmsRequestIn,
    principal: Annotated[Principal, Depends(require_scope("oms.policies.write"))],
    key: IdempotencyKey,
    runtime: Runtime,
    cipher: Cipher,
) -> JSONResponse:
    async with runtime.db.transaction() as session:
        ensure_can_apply(principal)
        account = await get_account(session, cipher, principal.account_id)
        assert account is not None

        async def submit() -> OmsRequestOut:
            try:
                request = await service.request_policy(
                    session, runtime.outbox, account, region=body.region, insurer=body.insurer, now=utcnow()
                )
            except service.NotRequestable as refused:
                raise ProblemError(
                    422, rule=refused.rule, title_ru=refused.ru, title_en=refused.en
                ) from refused
            return _request_out(request)

        return await store.run(
            session,
            owner=f"{principal.client_id or 'self'}:{principal.account_id}",
            key=key,
            operation="oms.requests.submit",
            body=body,
            ttl=timedelta(hours=24),
            action=submit,
            status_code=202,
        )


@router.get("/requests", response_model=OmsRequestList, summary="My ОМС policy requests")
async def my_requests(
    principal: Annotated[Principal, Depends(require_scope("oms.policies.read"))], runtime: Runtime
) -> OmsRequestList:
    async with runtime.db.transaction() as session:
        return OmsRequestList(
            items=[_request_out(r) for r in await service.requests_of(session, principal.account_id)]
        )
