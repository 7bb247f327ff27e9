"""Idempotency keys for POSTs that create something (Stripe's rules; YooKassa's ``Idempotence-Key``).

The key record, the effect and the stored answer commit in one transaction:

- a new key runs the operation and stores its answer;
- the same key with the same request returns the stored answer (``Idempotent-Replayed: true``);
- the same key with another request, or on another operation, is refused with 409;
- a concurrent request with the same key waits on the key's row (PostgreSQL's unique index) and
  then gets the stored answer; if the first one failed and rolled back, it runs itself;
- an operation refused with a problem (4xx) rolls back and stores nothing, so a corrected retry
  with the same key is judged afresh;
- keys are kept ``ttl`` (at least 24 h); an older key counts as new.

Keys are scoped by an *owner* (the merchant, the account): two owners may use the same key.
Each service keeps the records in its own table, declared with :func:`idempotency_columns`.
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
from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.db import as_utc, session_is_postgres
from kit.errors import ProblemError
from kit.messaging.envelope import utcnow

#: Header pattern: any unique string up to 64 printable ASCII characters.
KEY_PATTERN = r"^[\x21-\x7e]+$"

#: The ``Idempotency-Key`` header of a POST that creates something (DESIGN: REST).
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=64,
        pattern=KEY_PATTERN,
        description="A unique string per request, up to 64 printable ASCII characters (a UUID v4 is a good "
        "choice). Repeating the request with the same key returns the first answer.",
    ),
]


def idempotency_columns(owner_column: str) -> list[Column[Any]]:
    """The columns of a service's idempotency table (primary key: owner and key)."""
    return [
        Column(owner_column, String(100), primary_key=True),
        Column("key", String(64), primary_key=True),
        Column("operation", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response", JSON),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    ]


def request_hash(operation: str, body: BaseModel | None) -> str:
    canonical = json.dumps(
        {"operation": operation, "body": body.model_dump(mode="json") if body else None},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, table: Table, *, owner_column: str, term: str = "idempotency") -> None:
        """``term`` names the key in rules and messages: payments follows YooKassa ("idempotence")."""
        self.table = table
        self.term = term
        self.owner = table.c[owner_column]
        self.owner_column = owner_column

    def _row(self, owner: str, key: str) -> Any:
        return and_(self.owner == owner, self.table.c.key == key)

    async def run(
        self,
        session: AsyncSession,
        *,
        owner: str,
        key: str,
        operation: str,
        body: BaseModel | None,
        ttl: timedelta,
        action: Callable[[], Awaitable[BaseModel]],
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> JSONResponse:
        """Run ``action`` once per (owner, key); answer every repetition with the stored answer."""
        digest = request_hash(operation, body)
        now = utcnow()
        insert = pg_insert if session_is_postgres(session) else sqlite_insert
        inserted = await session.execute(
            insert(self.table)
            .values(
                {
                    self.owner_column: owner,
                    "key": key,
                    "operation": operation,
                    "request_hash": digest,
                    "created_at": now,
                }
            )
            .on_conflict_do_nothing(index_elements=[self.owner_column, "key"])
        )
        if getattr(inserted, "rowcount", 1) == 0:
            record = (
                await session.execute(select(self.table).where(self._row(owner, key)).with_for_update())
            ).first()
            if record is None:  # purged between the two statements
                raise ProblemError(
                    409,
                    rule=f"{self.term}-key-busy",
                    title_ru="Повторите запрос",
                    title_en="Retry the request",
                )
            if as_utc(record.created_at) < now - ttl:
                await session.execute(
                    update(self.table)
                    .where(self._row(owner, key))
                    .values(
                        operation=operation,
                        request_hash=digest,
                        created_at=now,
                        status_code=None,
                        response=None,
                    )
                )
            elif record.operation != operation or record.request_hash != digest:
                raise ProblemError(
                    409,
                    rule=f"{self.term}-key-reused",
                    title_ru="Ключ идемпотентности уже использован для другого запроса",
                    title_en=f"The {self.term} key was already used for another request",
                    detail_ru="Повторяйте запрос с тем же ключом только с тем же телом; "
                    "для нового запроса нужен новый ключ",
                    detail_en="Repeat a request with the same key only with the same body; "
                    "a new request needs a new key",
                )
            elif record.status_code is not None and record.response is not None:
                return JSONResponse(
                    record.response,
                    status_code=record.status_code,
                    headers={**(headers or {}), "Idempotent-Replayed": "true"},
                )
        result = await action()
        answer: dict[str, Any] = result.model_dump(mode="json", exclude_none=True)
        await session.execute(
            update(self.table).where(self._row(owner, key)).values(status_code=status_code, response=answer)
        )
        return JSONResponse(answer, status_code=status_code, headers=headers)

    async def purge_expired(self, session: AsyncSession, ttl: timedelta) -> int:
        result = await session.execute(delete(self.table).where(self.table.c.created_at < utcnow() - ttl))
        return int(getattr(result, "rowcount", 0) or 0)
