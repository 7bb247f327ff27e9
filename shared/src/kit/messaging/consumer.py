"""Idempotent consumer: inbox, manual acks, retries with backoff, dead-lettering with a reason.

For every delivery:

1. A body that is not a valid envelope, of an unknown type or failing its contract's schema is
   dead-lettered at once with the reason and acked; the consumer goes on.
2. Inside one transaction the ``message_id`` is recorded in the inbox and the handler runs; both
   commit together. A message already in the inbox with the same content has no second effect;
   the same id with other content is logged and dead-lettered.
3. A handler failure is retried: the message is requeued after a backoff delay. At the
   ``max_deliveries``-th failed delivery it is dead-lettered with the error. An unreachable
   database is not the message's fault: the message is held and retried until it is back.

Messages of one correlation id are handled one at a time, in the order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.base import ContractRegistry, Payload
from kit.db import Database, is_transient
from kit.logging import log_context
from kit.messaging.broker import Broker
from kit.messaging.envelope import Envelope, utcnow
from kit.messaging.tables import MessagingTables
from kit.messaging.topology import dead_letter_exchange_name
from kit.retry import Backoff

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class Received(Generic[P]):
    envelope: Envelope
    payload: P


Handler = Callable[[AsyncSession, Received[Any]], Awaitable[None]]


class _Reject(Exception):
    """The message can never be handled: dead-letter it with this reason."""


class Unprocessable(Exception):
    """Raised by a handler for a well-formed message that refers to something that cannot exist
    (an unknown application, an offer of another insurer): retrying cannot help, so the message
    is dead-lettered at once with this reason, and the handler's transaction is rolled back."""


class KeyedLocks:
    """One FIFO lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Consumer:
    def __init__(
        self,
        *,
        queue: str,
        handlers: Mapping[str, Handler],
        contracts: ContractRegistry,
        db: Database,
        tables: MessagingTables,
        broker: Broker,
        max_deliveries: int = 5,
        backoff: Backoff | None = None,
    ) -> None:
        self.queue_name = queue
        self.handlers = dict(handlers)
        self.contracts = contracts
        self.db = db
        self.inbox = tables.inbox
        self.broker = broker
        self.max_deliveries = max_deliveries
        self.backoff = backoff or Backoff()
        self._locks = KeyedLocks()
        # Built once: constructing ``insert().values(...)`` and its cache key per message costs
        # more CPU than executing it (docs/BENCHMARKS.md, Messaging).
        insert = pg_insert if db.is_postgres else sqlite_insert
        self._record = insert(self.inbox).on_conflict_do_nothing(index_elements=["consumer", "message_id"])

    async def start(self, queue: AbstractQueue) -> None:
        await queue.consume(self.on_message, no_ack=False)

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope, payload = self._parse(message)
        except _Reject as reason:
            with log_context(correlation_id=message.correlation_id, message_id=message.message_id):
                log.error("message dead-lettered", extra={"queue": self.queue_name, "reason": str(reason)})
            await self._dead_letter(message, str(reason))
            return

        traceparent = (message.headers or {}).get("traceparent")
        async with self._locks.hold(envelope.correlation_id):
            with log_context(
                correlation_id=envelope.correlation_id,
                message_id=str(envelope.message_id),
                traceparent=traceparent if isinstance(traceparent, str) else None,
            ):
                await self._handle(message, envelope, payload)

    def _parse(self, message: AbstractIncomingMessage) -> tuple[Envelope, Payload]:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as exc:
            raise _Reject(f"malformed envelope: {_summarise(exc)}") from exc
        contract = self.contracts.get(envelope.type)
        if contract is None:
            raise _Reject(f"unknown message type {envelope.type!r}")
        if envelope.type not in self.handlers:
            raise _Reject(f"message type {envelope.type!r} is not handled on queue {self.queue_name}")
        if envelope.version != contract.version:
            raise _Reject(
                f"{envelope.type} version {envelope.version} is not supported (expected {contract.version})"
            )
        try:
            payload = contract.payload.model_validate(envelope.payload)
        except ValidationError as exc:
            raise _Reject(f"schema violation in {envelope.type}: {_summarise(exc)}") from exc
        return envelope, payload

    async def _handle(self, message: AbstractIncomingMessage, envelope: Envelope, payload: Payload) -> None:
        outage = 0
        while True:
            try:
                outcome = await self._apply_once(envelope, payload)
                break
            except asyncio.CancelledError:
                raise
            except Unprocessable as exc:
                log.error(
                    "message cannot be processed; dead-lettered",
                    extra={"queue": self.queue_name, "type": envelope.type, "reason": str(exc)},
                )
                await self._dead_letter(message, f"unprocessable: {exc}")
                return
            except Exception as exc:
                if not is_transient(exc):
                    await self._retry_or_dead_letter(message, exc)
                    return
                # The database is away: keep the message (unacked, so it does not count as a
                # delivery) and try again. A full prefetch then stops further deliveries.
                delay = self.backoff.delay(outage)
                outage += 1
                log.warning(
                    "database unavailable; holding the message",
                    extra={"queue": self.queue_name, "error": repr(exc), "retry_in_s": round(delay, 2)},
                )
                await asyncio.sleep(delay)
        if outcome == "conflict":
            log.error(
                "message id reused with another payload; dead-lettered",
                extra={"queue": self.queue_name, "type": envelope.type},
            )
            await self._dead_letter(message, "message_id already handled with a different payload")
            return
        if outcome == "duplicate":
            log.info("duplicate message ignored", extra={"queue": self.queue_name, "type": envelope.type})
        await message.ack()

    async def _apply_once(self, envelope: Envelope, payload: Payload) -> str:
        """Record the message and apply its effect in one transaction. Returns what happened."""
        content_hash = envelope.content_hash()
        async with self.db.transaction() as session:
            result = await session.execute(
                self._record,
                {
                    "consumer": self.queue_name,
                    "message_id": str(envelope.message_id),
                    "type": envelope.type,
                    "content_hash": content_hash,
                    "correlation_id": envelope.correlation_id,
                    "received_at": utcnow(),
                },
            )
            if getattr(result, "rowcount", 1) == 0:
                stored = await session.scalar(
                    select(self.inbox.c.content_hash).where(
                        self.inbox.c.consumer == self.queue_name,
                        self.inbox.c.message_id == str(envelope.message_id),
                    )
                )
                return "duplicate" if stored == content_hash else "conflict"
            await self.handlers[envelope.type](session, Received(envelope, payload))
        return "handled"

    async def _retry_or_dead_letter(self, message: AbstractIncomingMessage, error: Exception) -> None:
        # Quorum queues count earlier deliveries in x-delivery-count (absent on the first one).
        count = (message.headers or {}).get("x-delivery-count", 0)
        earlier = count if isinstance(count, int) else 0
        deliveries = earlier + 1
        if deliveries >= self.max_deliveries:
            log.error(
                "handler failed; delivery limit reached, dead-lettered",
                extra={"queue": self.queue_name, "deliveries": deliveries, "error": repr(error)},
            )
            await self._dead_letter(message, f"handler failed {deliveries} times: {error!r}")
            return
        delay = self.backoff.delay(earlier)
        log.warning(
            "handler failed; will retry",
            extra={
                "queue": self.queue_name,
                "deliveries": deliveries,
                "error": repr(error),
                "retry_in_s": round(delay, 2),
            },
            exc_info=error,
        )
        await asyncio.sleep(delay)
        await message.nack(requeue=True)

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str) -> None:
        """Copy the message to this queue's dead-letter exchange with the reason, then ack it."""
        headers: dict[str, Any] = dict(message.headers or {})
        headers.update(
            {
                "x-dead-letter-reason": reason[:4000],
                "x-original-exchange": message.exchange or "",
                "x-original-routing-key": message.routing_key or "",
                "x-original-queue": self.queue_name,
            }
        )
        await self.broker.publish(
            exchange=dead_letter_exchange_name(self.queue_name),
            routing_key=message.routing_key or "",
            body=message.body,
            message_id=message.message_id or "",
            message_type=message.type or "",
            correlation_id=message.correlation_id or "",
            headers=headers,
        )
        await message.ack()


def _summarise(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or '(body)'}: {error['msg']}" for error in exc.errors()[:10]
    )
