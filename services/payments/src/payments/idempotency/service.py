"""Idempotence keys (YooKassa's ``Idempotence-Key``, Stripe's rules).

The key record, the effect and the stored answer commit in one transaction:

- a new key runs the operation and stores its answer;
- the same key with the same request returns the stored answer (``Idempotent-Replayed: true``);
- the same key with another request, or on another operation, is refused with 409;
- a concurrent request with the same key waits on the key's row (PostgreSQL's unique index) and
  then gets the stored answer; if the first one failed and rolled back, it runs itself;
- an operation refused with a problem (4xx) rolls back and stores nothing, so a corrected retry
  with the same key is judged afresh;
- keys are kept ``idempotence_ttl_seconds`` (at least 24 h); an older key counts as new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.db import session_is_postgres
from kit.errors import ProblemError
from kit.messaging.envelope import utcnow
from payments.idempotency.models import IdempotenceRecord

IdempotenceKey = Annotated[
    str,
    Header(
        alias="Idempotence-Key",
        min_length=1,
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string up to 64 printable ASCII characters (a UUID v4 is a good choice). "
        "Repeating a request with the same key returns the first answer.",
    ),
]


def request_hash(operation: str, body: BaseModel | None) -> str:
    canonical = json.dumps(
        {"operation": operation, "body": body.model_dump(mode="json") if body else None},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    digest = request_hash(operation, body)
    now = utcnow()
    is_postgres = session_is_postgres(session)
    insert = pg_insert if is_postgres else sqlite_insert
    inserted = await session.execute(
        insert(IdempotenceRecord)
        .values(merchant_id=merchant_id, key=key, operation=operation, request_hash=digest, created_at=now)
        .on_conflict_do_nothing(index_elements=["merchant_id", "key"])
    )
    if getattr(inserted, "rowcount", 1) == 0:
        record = await session.get(
            IdempotenceRecord, (merchant_id, key), with_for_update=True, populate_existing=True
        )
        if record is None:  # purged between the two statements: treat as new
            raise ProblemError(
                409, rule="idempotence-key-busy", title_ru="Повторите запрос", title_en="Retry the request"
            )
        if record.created_at.tzinfo is None:  # SQLite returns naive UTC
            record.created_at = record.created_at.replace(tzinfo=now.tzinfo)
        if record.created_at < now - ttl:
            record.operation, record.request_hash, record.created_at = operation, digest, now
            record.status_code, record.response = None, None
        elif record.operation != operation or record.request_hash != digest:
            raise ProblemError(
                409,
                rule="idempotence-key-reused",
                title_ru="Ключ идемпотентности уже использован для другого запроса",
                title_en="The idempotence key was already used for another request",
                detail_ru="Повторяйте запрос с тем же ключом только с тем же телом; "
                "для нового запроса нужен новый ключ",
                detail_en="Repeat a request with the same key only with the same body; "
                "a new request needs a new key",
            )
        elif record.status_code is not None and record.response is not None:
            return JSONResponse(
                record.response, status_code=record.status_code, headers={"Idempotent-Replayed": "true"}
            )
    result = await action()
    answer: dict[str, Any] = result.model_dump(mode="json", exclude_none=True)
    await session.execute(
        update(IdempotenceRecord)
        .where(IdempotenceRecord.merchant_id == merchant_id, IdempotenceRecord.key == key)
        .values(status_code=status_code, response=answer)
    )
    return JSONResponse(answer, status_code=status_code)


async def purge_expired(session: AsyncSession, ttl: timedelta) -> int:
    result = await session.execute(
        delete(IdempotenceRecord).where(IdempotenceRecord.created_at < utcnow() - ttl)
    )
    return int(getattr(result, "rowcount", 0) or 0)
