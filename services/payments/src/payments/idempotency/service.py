"""Idempotence keys of the payments API (YooKassa's ``Idempotence-Key``): the rules are the kit's
(:mod:`kit.idempotency`); keys are scoped by merchant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from kit.idempotency import KEY_PATTERN, IdempotencyStore
from payments.idempotency.models import IdempotenceRecord

IdempotenceKey = Annotated[
    str,
    Header(
        alias="Idempotence-Key",
        min_length=1,
        max_length=64,
        pattern=KEY_PATTERN,
        description="Any unique string up to 64 printable ASCII characters (a UUID v4 is a good choice). "
        "Repeating a request with the same key returns the first answer.",
    ),
]

_store = IdempotencyStore(
    IdempotenceRecord.__table__,  # type: ignore[arg-type]  # a Table: the declarative model's own
    owner_column="merchant_id",
    term="idempotence",
)


async def idempotent(
    session: AsyncSession,
    *,
    merchant_id: str,
    key: str,
    operation: str,
    body: BaseModel | None,
    ttl: timedelta,
    action: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> JSONResponse:
    """Run ``action`` once per key; answer every repetition with the stored answer."""
    return await _store.run(
        session,
        owner=merchant_id,
        key=key,
        operation=operation,
        body=body,
        ttl=ttl,
        action=action,
        status_code=status_code,
    )


async def purge_expired(session: AsyncSession, ttl: timedelta) -> int:
    return await _store.purge_expired(session, ttl)
