"""Transactional outbox and its relay.

A service never publishes directly: it writes the message to its ``outbox`` table in the same
transaction as the state change (:meth:`Outbox.put`). After the commit the relay publishes the
rows in id order with publisher confirms and marks them sent. A rolled-back transaction leaves no
row, so nothing is published; while RabbitMQ is unreachable the rows wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kit.contracts.base import Contract, Payload
from kit.db import Database
from kit.logging import traceparent_var
from kit.messaging.broker import Broker, BrokerUnavailable
from kit.messaging.envelope import Envelope, utcnow
from kit.messaging.tables import MessagingTables
from kit.retry import Backoff

log = logging.getLogger(__name__)

_PENDING_KEY = "kit.outbox.pending"
#: PostgreSQL advisory lock held by the one relay that publishes at a time (per service database),
#: so that messages of one correlation id are never published out of order by two relays.
_RELAY_LOCK_KEY = 7_301_994_212


class Outbox:
    """Writes messages into the outbox table of the caller's transaction."""

    def __init__(self, tables: MessagingTables, *, producer: str) -> None:
        self.table = tables.outbox
        self.producer = producer
        self._insert = insert(self.table)  # built once; the values go as parameters

    async def put(
        self,
        session: AsyncSession,
        contract: Contract,
        payload: Payload,
        *,
        correlation_id: str,
        causation_id: str | None = None,
        routing: Mapping[str, str] | None = None,
    ) -> Envelope:
        if not isinstance(payload, contract.payload):
            raise TypeError(
                f"{contract.type} carries {contract.payload.__name__}, not {type(payload).__name__}"
            )
        envelope = Envelope(
            type=contract.type,
            version=contract.version,
            producer=self.producer,
            correlation_id=correlation_id,
            causation_id=causation_id,
            payload=payload.model_dump(mode="json"),
        )
        headers: dict[str, Any] = {}
        traceparent = traceparent_var.get()
        if traceparent:
            headers["traceparent"] = traceparent
        await session.execute(
            self._insert,
            {
                "message_id": str(envelope.message_id),
                "type": envelope.type,
                "exchange": contract.exchange,
                "routing_key": contract.render_routing_key(**(routing or {})),
                "correlation_id": correlation_id,
                "body": envelope.model_dump_json(),
                "headers": headers,
                "created_at": envelope.occurred_at,
            },
        )
        session.info[_PENDING_KEY] = True
        return envelope


class OutboxRelay:
    """Publishes committed outbox rows; one per service process."""

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        broker: Broker,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.db = db
        self.table = tables.outbox
        self.broker = broker
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.backoff = backoff or Backoff()
        self._wake = asyncio.Event()
        db.on_commit(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        # Only after the commit: a message of a rolled-back transaction must never be announced.
        if session.info.pop(_PENDING_KEY, False):
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Publish forever: on every commit that wrote to the outbox, and every poll interval."""
        failures = 0
        while True:
            if not self.broker.connected:
                await self.broker.wait_connected()
            self._wake.clear()
            try:
                published = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = self.backoff.delay(failures)
                failures += 1
                log.warning(
                    "outbox relay could not publish; retrying",
                    extra={"error": repr(exc), "retry_in_s": round(delay, 2)},
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            if published >= self.batch_size:
                continue  # more rows are probably waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def publish_pending(self) -> int:
        """Publish one batch in id order; returns how many rows were published.

        All rows of the batch are sent before their confirms are awaited (one round trip). If one
        fails, only the rows before it are marked sent, so the order holds: the rest go again
        (consumers drop duplicates through their inbox).
        """
        failure: tuple[int, BaseException] | None = None
        async with self.db.transaction() as session:
            if self.db.is_postgres:
                locked = await session.scalar(select(func.pg_try_advisory_xact_lock(_RELAY_LOCK_KEY)))
                if not locked:
                    return 0
            query = (
                select(
                    self.table.c.id,
                    self.table.c.message_id,
                    self.table.c.type,
                    self.table.c.exchange,
                    self.table.c.routing_key,
                    self.table.c.correlation_id,
                    self.table.c.body,
                    self.table.c.headers,
                    self.table.c.created_at,
                )
                .where(self.table.c.published_at.is_(None))
                .order_by(self.table.c.id)
                .limit(self.batch_size)
            )
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            if not self.broker.connected:
                raise BrokerUnavailable("not connected to RabbitMQ")
            results = await asyncio.gather(
                *(
                    self.broker.publish(
                        exchange=row.exchange,
                        routing_key=row.routing_key,
                        body=row.body.encode(),
                        message_id=row.message_id,
                        message_type=row.type,
                        correlation_id=row.correlation_id,
                        headers=row.headers,
                        timestamp=row.created_at,
                    )
                    for row in rows
                ),
                return_exceptions=True,
            )
            sent: list[int] = []
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    failure = (row.id, result)
                    break
                sent.append(row.id)
            if sent:
                await session.execute(
                    update(self.table).where(self.table.c.id.in_(sent)).values(published_at=utcnow())
                )
            if failure is not None:
                await session.execute(
                    update(self.table)
                    .where(self.table.c.id == failure[0])
                    .values(attempts=self.table.c.attempts + 1, last_error=repr(failure[1])[:2000])
                )
        if failure is not None:
            raise failure[1]
        return len(sent)
