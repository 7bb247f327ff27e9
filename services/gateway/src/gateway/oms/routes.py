from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from gateway.auth.deps import Principal, require_scope
from gateway.oms.models import OmsPolicy
from kit.db import UtcDatetime
from kit.errors import Problem
from kit.http import Runtime

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
