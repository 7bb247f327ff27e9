"""The webhook dispatcher: POSTs the pending deliveries, signed, and retries them with backoff.

A delivery (one event for one subscription) is written by :mod:`payments.events` in the
transaction of the status change. The dispatcher, a background loop of every instance:

1. **claims** due deliveries (``next_attempt_at <= now``, neither delivered nor given up) in a
   short transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that several instances never
   take the same one, and pushes ``next_attempt_at`` forward by a lease (the timeout and a margin)
   and counts the attempt, before any HTTP call. An instance that dies mid-call leaves the
   delivery to be taken again when the lease runs out;
2. **sends** each outside any transaction, at most ``concurrency`` at once, through one shared
   ``httpx.AsyncClient``: the stored body as it is, signed afresh with the subscription's secret
   at every attempt (:mod:`kit.webhooks`), redirects not followed;
3. **records** the outcome: a 2xx marks ``delivered_at``; anything else (another status, a
   timeout, a connection error) records ``last_status``/``last_error`` and schedules the next
   attempt after ``webhook_retry_initial_seconds``, doubling up to
   ``webhook_retry_max_seconds`` (with jitter). The last attempt happens at
   ``webhook_give_up_after_seconds`` after the event; if it fails too, ``given_up_at`` is set and
   an error is logged.

It wakes as soon as a transaction that wrote deliveries commits, and otherwise looks for due
retries every :data:`POLL_INTERVAL` seconds. The secret is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session

from kit.db import Database, as_utc, session_is_postgres
from kit.messaging.envelope import utcnow
from kit.retry import Backoff
from kit.runtime import ServiceRuntime
from kit.webhooks import delivery_headers
from payments.settings import PaymentsSettings
from payments.webhooks.models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

USER_AGENT = "interchange-payments/0.1"
#: How often due retries are looked for when nothing wakes the dispatcher (seconds).
POLL_INTERVAL = 0.5
#: Deliveries sent at once by one instance.
CONCURRENCY = 16
#: A claimed delivery is left alone this long beyond the HTTP timeout, then taken again.
LEASE_MARGIN = timedelta(seconds=30)
#: ``last_error`` is cut to this length.
MAX_ERROR_LENGTH = 500

_ENQUEUED = "webhook_deliveries_enqueued"


@event.listens_for(WebhookDelivery, "after_insert")
def _note_enqueued(_mapper: Mapper[Any], _connection: Connection, target: WebhookDelivery) -> None:
    """Mark the session that wrote a delivery, so that its commit wakes the dispatcher."""
    session = object_session(target)
    if session is not None:
        session.info[_ENQUEUED] = True


_wake_events: weakref.WeakKeyDictionary[Database, asyncio.Event] = weakref.WeakKeyDictionary()


def wake_event(db: Database) -> asyncio.Event:
    """The event set when a transaction of ``db`` that wrote deliveries commits (one per database,
    kept across restarts of the dispatcher)."""
    wake = _wake_events.get(db)
    if wake is None:
        wake = asyncio.Event()
        _wake_events[db] = wake

        def on_commit(session: Session, wake: asyncio.Event = wake) -> None:
            if session.info.pop(_ENQUEUED, False):
                wake.set()

        db.on_commit(on_commit)
    return wake


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt, with what is needed to send it outside the transaction."""

    id: int
    event_id: str
    subscription_id: str
    url: str
    body: str
    secret: str
    attempts: int
    created_at: datetime

    def __repr__(self) -> str:  # never the secret, nor the body
        return f"Claimed(id={self.id}, event_id={self.event_id!r}, attempts={self.attempts})"


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Dispatcher:
    def __init__(
        self,
        db: Database,
        settings: PaymentsSettings,
        *,
        client: httpx.AsyncClient | None = None,
        concurrency: int = CONCURRENCY,
        poll_interval: float | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.settings = settings
        self.concurrency = concurrency
        self.poll_interval = POLL_INTERVAL if poll_interval is None else poll_interval
        self.timeout = settings.webhook_timeout_seconds
        self.lease = timedelta(seconds=settings.webhook_timeout_seconds) + LEASE_MARGIN
        self.give_up_after = timedelta(seconds=settings.webhook_give_up_after_seconds)
        self.backoff = Backoff(
            initial=settings.webhook_retry_initial_seconds,
            maximum=settings.webhook_retry_max_seconds,
            jitter=0.1,
        )
        self._own_client = client is None
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )
        self.wake = wake_event(db)
        self._in_flight: set[asyncio.Task[None]] = set()

    # -- the loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Claim and send until cancelled."""
        try:
            while True:
                self.wake.clear()
                free = self.concurrency - len(self._in_flight)
                if free <= 0:
                    await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                claimed = await self.claim(free)
                for delivery in claimed:
                    task = asyncio.create_task(self.attempt(delivery), name=f"webhook-{delivery.id}")
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                if len(claimed) < free:  # nothing more is due now
                    await self._idle()
        finally:
            await self.close()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), self.poll_interval)

    async def close(self) -> None:
        """Stop the attempts under way (their leases run out and they are sent again later)."""
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._in_flight.clear()
        if self._own_client:
            await self.client.aclose()

    async def drain(self) -> None:
        """Wait for the attempts under way (for tests and one-shot runs)."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    # -- the steps ----------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Claimed]:
        """Take up to ``limit`` due deliveries: count the attempt and lease them, then commit."""
        now = utcnow()
        async with self.db.transaction() as session:
            query = (
                select(WebhookDelivery, WebhookSubscription.secret)
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookDelivery.delivered_at.is_(None),
                    WebhookDelivery.given_up_at.is_(None),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
            )
            if session_is_postgres(session):
                query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            rows = (await session.execute(query)).all()
            claimed = []
            for delivery, secret in rows:
                delivery.attempts = (delivery.attempts or 0) + 1
                delivery.next_attempt_at = now + self.lease
                claimed.append(
                    Claimed(
                        id=delivery.id,
                        event_id=delivery.event_id,
                        subscription_id=delivery.subscription_id,
                        url=delivery.url,
                        body=delivery.body,
                        secret=secret,
                        attempts=delivery.attempts,
                        created_at=as_utc(delivery.created_at),
                    )
                )
        return claimed

    async def attempt(self, delivery: Claimed) -> None:
        """Send one claimed delivery and record the outcome; never raises (but on cancellation)."""
        try:
            outcome = await self.send(delivery)
            await self.record(delivery, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "webhook attempt could not be recorded; it is retried when its lease runs out",
                extra={"delivery_id": delivery.id, "event_id": delivery.event_id},
            )

    async def send(self, delivery: Claimed) -> Outcome:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            **delivery_headers(body, delivery.secret, event_id=delivery.event_id, timestamp=int(time.time())),
        }
        try:
            async with self.client.stream("POST", delivery.url, content=body, headers=headers) as response:
                # The body of the answer is not read: only the status matters.
                status = response.status_code
        except httpx.TimeoutException as exc:
            return Outcome(None, f"timeout after {self.timeout:g} s ({type(exc).__name__})")
        except Exception as exc:  # connection errors, a URL httpx refuses...: retried like any failure
            return Outcome(None, _cut(f"{type(exc).__name__}: {exc}"))
        if 200 <= status < 300:
            return Outcome(status, None)
        return Outcome(status, f"HTTP {status}")

    async def record(self, delivery: Claimed, outcome: Outcome) -> None:
        now = utcnow()
        context = {
            "delivery_id": delivery.id,
            "event_id": delivery.event_id,
            "subscription_id": delivery.subscription_id,
            "host": urlsplit(delivery.url).hostname,
            "attempt": delivery.attempts,
            "status": outcome.status,
        }
        pending = (
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.delivered_at.is_(None),
            WebhookDelivery.given_up_at.is_(None),
        )
        if outcome.delivered:
            async with self.db.transaction() as session:
                await session.execute(
                    update(WebhookDelivery)
                    .where(*pending)
                    .values(
                        delivered_at=now, next_attempt_at=None, last_status=outcome.status, last_error=None
                    )
                )
            log.info("webhook delivered", extra=context)
            return
        deadline = delivery.created_at + self.give_up_after
        if now >= deadline:
            async with self.db.transaction() as session:
                await session.execute(
                    update(WebhookDelivery)
                    .where(*pending)
                    .values(
                        given_up_at=now,
                        next_attempt_at=None,
                        last_status=outcome.status,
                        last_error=outcome.error,
                    )
                )
            log.error(
                "webhook given up: no 2xx since %s",
                delivery.created_at.isoformat(),
                extra={**context, "error": outcome.error},
            )
            return
        delay = min(self.backoff.delay(delivery.attempts - 1), self.settings.webhook_retry_max_seconds)
        next_attempt = min(now + timedelta(seconds=delay), deadline)
        async with self.db.transaction() as session:
            await session.execute(
                update(WebhookDelivery)
                .where(*pending)
                .values(next_attempt_at=next_attempt, last_status=outcome.status, last_error=outcome.error)
            )
        log.warning(
            "webhook attempt failed; retrying in %.1f s",
            (next_attempt - now).total_seconds(),
            extra={**context, "error": outcome.error},
        )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


async def run_dispatcher(runtime: ServiceRuntime) -> None:
    """The background loop of the payments service (``runtime.add_background``)."""
    settings = runtime.settings
    assert isinstance(settings, PaymentsSettings)
    await Dispatcher(runtime.db, settings).run()
