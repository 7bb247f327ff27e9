"""A service's life: wait for its database, migrate, connect to RabbitMQ, consume, relay the outbox.

The HTTP server starts at once and answers ``/health``; everything else comes up in the
background with backoff, so a service started before its database or broker waits for them,
reports not-ready meanwhile and recovers by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts import registry as contract_registry
from kit.contracts.base import ContractRegistry
from kit.db import Database, upgrade_to_head
from kit.messaging.broker import Broker
from kit.messaging.consumer import Consumer, Handler
from kit.messaging.outbox import Outbox, OutboxRelay
from kit.messaging.tables import MessagingTables
from kit.messaging.topology import QueueSpec, Topology
from kit.retry import Backoff
from kit.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    queue: QueueSpec
    handlers: Mapping[str, Handler]


StartupHook = Callable[["ServiceRuntime"], Awaitable[None]]
#: One pass of periodic work, inside the transaction it is given.
PeriodicStep = Callable[[AsyncSession, "ServiceRuntime"], Awaitable[object]]


def periodic(interval: float, *steps: PeriodicStep) -> StartupHook:
    """Work nobody sends a message about (deadlines, retries, expiries), for ``add_background``: every
    ``interval`` seconds each step runs in its own transaction. Steps take their rows with
    ``SKIP LOCKED``, so that several replicas share the work."""

    async def run(runtime: ServiceRuntime) -> None:
        while True:
            for step in steps:
                async with runtime.db.transaction() as session:
                    await step(session, runtime)
            await asyncio.sleep(interval)

    return run


@dataclass
class Readiness:
    database: str = "starting"
    broker: str = "starting"
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.broker == "ok"


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations_dir: Path,
        tables: MessagingTables,
        exchanges: Sequence[str] = (),
        consumers: Sequence[ConsumerSpec] = (),
        on_database_ready: Sequence[StartupHook] = (),
        contracts: ContractRegistry = contract_registry,
    ) -> None:
        self.settings = settings
        self.migrations_dir = migrations_dir
        self.tables = tables
        self.contracts = contracts
        self.exchanges = tuple(exchanges)
        self.on_database_ready = list(on_database_ready)
        self.db = Database(settings.effective_database_url)
        self.broker = Broker(
            settings.amqp_url, app_id=settings.instance_name, topology=Topology(), prefetch=settings.prefetch
        )
        self.backoff = Backoff(initial=settings.retry_backoff_initial, maximum=settings.retry_backoff_max)
        self.outbox = Outbox(tables, producer=settings.instance_name)
        self.relay = OutboxRelay(
            self.db,
            tables,
            self.broker,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval,
            backoff=self.backoff,
        )
        self.consumers: list[Consumer] = []
        self._queues: list[QueueSpec] = []
        for spec in consumers:
            self.add_consumer(spec)
        self.background: list[tuple[str, StartupHook]] = []
        #: Called at :meth:`stop`, after the tasks ended (to close clients the service opened).
        self.on_stopped: list[Callable[[], Awaitable[None]]] = []
        self.database_prepared = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    def add_consumer(self, spec: ConsumerSpec) -> None:
        """Consume a queue with these handlers (before :meth:`start`)."""
        self._queues.append(spec.queue)
        self.consumers.append(
            Consumer(
                queue=spec.queue.name,
                handlers=spec.handlers,
                contracts=self.contracts,
                db=self.db,
                tables=self.tables,
                broker=self.broker,
                max_deliveries=self.settings.max_deliveries,
                backoff=self.backoff,
            )
        )

    def add_background(self, name: str, loop: StartupHook) -> None:
        """Run ``loop(runtime)`` once the database is ready, until the service stops. A loop that
        fails is logged and started again after a backoff delay."""
        self.background.append((name, loop))

    @property
    def topology(self) -> Topology:
        return Topology(exchanges=self.exchanges, queues=tuple(self._queues))

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._bring_up(), name="runtime-bring-up"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for close in self.on_stopped:
            await close()
        await self.broker.close()
        await self.db.dispose()

    async def _bring_up(self) -> None:
        await self._retry("database", self._prepare_database)
        self.database_prepared.set()
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        for name, loop in self.background:
            self._tasks.append(asyncio.create_task(self._keep_running(name, loop), name=name))
        await self._retry("broker", self._connect_broker)

    async def _keep_running(self, name: str, loop: StartupHook) -> None:
        failures = 0
        while True:
            try:
                await loop(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task %s failed; restarting it", name)
                await asyncio.sleep(self.backoff.delay(failures))
                failures += 1

    async def _retry(self, what: str, step: Callable[[], Awaitable[None]]) -> None:
        async for attempt in self.backoff.attempts():
            try:
                await step()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "%s not available yet, retrying", what, extra={"attempt": attempt, "error": repr(exc)}
                )

    async def _prepare_database(self) -> None:
        await self.db.ping(timeout=5.0)
        await asyncio.to_thread(upgrade_to_head, self.migrations_dir, self.db.url)
        for hook in self.on_database_ready:
            await hook(self)
        log.info("database ready")

    async def _connect_broker(self) -> None:
        self.broker.topology = self.topology
        await self.broker.connect()
        for consumer in self.consumers:
            await consumer.start(self.broker.queues[consumer.queue_name])
        log.info("messaging ready", extra={"queues": [c.queue_name for c in self.consumers]})

    # -- readiness ---------------------------------------------------------------------------

    async def readiness(self) -> Readiness:
        state = Readiness()
        if not self.database_prepared.is_set():
            state.database = "starting"
        else:
            try:
                await self.db.ping(timeout=2.0)
                state.database = "ok"
            except Exception as exc:
                state.database = "unreachable"
                state.details["database"] = type(exc).__name__
        state.broker = "ok" if self.broker.connected else "unreachable"
        return state
