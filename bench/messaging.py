"""Messaging benchmark: the kit's outbox → RabbitMQ → inbox path against raw aio-pika.

Run it with ``python -m bench.messaging`` (``--help`` for the options). In one run, on the same
broker and database server, it measures:

1. **raw**: aio-pika alone publishes N persistent messages with publisher confirms (batches of
   publishes gathered concurrently, several batches in flight) to a durable quorum queue and
   consumes them with manual acks; from the first publish to the last ack.
2. **outbox write**: N messages written through ``Outbox.put``, ``--tx-size`` per transaction.
   This is timed on its own and is not part of 3.
3. **kit**: with the N rows committed in the outbox, the ``OutboxRelay`` and a ``Consumer``
   (inbox + a handler inserting one effect row, one transaction per message) start; from the
   relay's start until the N-th effect is committed.

With ``--breakdown`` it also times the relay alone (nobody consuming yet) and then the consumer
alone (queue already full), to show which side limits the kit. Every phase also reports the
share of one CPU core this process used: near 100 % the benchmark is bound by Python itself.

Everything runs in a fresh RabbitMQ vhost and a fresh PostgreSQL database (or, with
``--database-url``, fresh schemas in that database), removed at the end even when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from types import FrameType
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from pydantic import Field
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kit.contracts.base import Contract, ContractRegistry, Payload
from kit.db import NAMING_CONVENTION, Database
from kit.messaging.broker import Broker
from kit.messaging.consumer import Consumer, Received
from kit.messaging.envelope import Envelope
from kit.messaging.outbox import Outbox, OutboxRelay
from kit.messaging.tables import MessagingTables, messaging_tables
from kit.messaging.topology import Binding, QueueSpec, Topology, declare_exchange, declare_queue
from kit.settings import ServiceSettings

#: The services' own default, so the benchmark measures what they run.
KIT_PREFETCH = ServiceSettings.model_fields["prefetch"].default

_EFFECT_KEY = "bench.effect"
_ROUTING_KEY = "bench.note.t.written"


# --- the message ------------------------------------------------------------------------------


class BenchNoted(Payload):
    """A small, realistic payload; the envelope around it is about 280 bytes of JSON."""

    note: str = Field(min_length=1)
    sequence: int = Field(ge=0)
    amount: str = "1250.00"


def bench_contract(exchange: str) -> Contract:
    return Contract(
        type="bench.note.written",
        version=1,
        payload=BenchNoted,
        exchange=exchange,
        routing_key="bench.note.{topic}.written",
        producer="bench",
        summary="benchmark message",
    )


def sample_body(contract: Contract, sequence: int) -> bytes:
    """The envelope the kit would publish, for the raw path: same size, same properties."""
    payload = BenchNoted(note=f"note {sequence}", sequence=sequence).model_dump(mode="json")
    return Envelope(
        type=contract.type,
        version=contract.version,
        producer="bench",
        correlation_id=f"bench-{sequence}",
        payload=payload,
    ).body()


# --- options and results ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    messages: int
    database_url: str | None
    pg_admin_dsn: str
    amqp_host: str
    amqp_port: int
    amqp_user: str
    amqp_password: str
    rabbitmqctl: tuple[str, ...]
    prefetch: int
    relay_batch: int
    pool_size: int
    tx_size: int
    writers: int
    raw_batch: int
    raw_in_flight: int
    rounds: int
    breakdown: bool
    timeout: float
    json_path: Path | None
    profile_path: Path | None

    def tuning(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in (
                "prefetch",
                "relay_batch",
                "pool_size",
                "tx_size",
                "writers",
                "raw_batch",
                "raw_in_flight",
                "rounds",
                "breakdown",
            )
        }


@dataclass(frozen=True)
class Timing:
    """One timed phase: wall-clock seconds and this process's CPU seconds over the same span."""

    seconds: float
    cpu_seconds: float

    def rate(self, count: int) -> float:
        return count / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_share(self) -> float:
        """Share of one core used by this process (1.0: the Python process is the bottleneck)."""
        return self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


class Stopwatch:
    """Wall clock from the event loop, CPU time of this process."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.cpu_started = time.process_time()

    def stop(self, at: float | None = None) -> Timing:
        """The timing up to ``at`` (a ``time.monotonic()`` value noted earlier) or now."""
        return Timing(
            seconds=(at if at is not None else time.monotonic()) - self.started,
            cpu_seconds=time.process_time() - self.cpu_started,
        )


@dataclass
class RoundResult:
    """One round. Per phase: messages/s, share of one core this process used, its CPU ms per message."""

    raw_rate: float
    raw_cpu: float
    raw_cpu_ms: float
    outbox_write_rate: float
    outbox_write_cpu: float
    outbox_write_cpu_ms: float
    kit_rate: float
    kit_cpu: float
    kit_cpu_ms: float
    ratio: float
    #: When the relay had published (and marked sent) its last row, counted from its start.
    kit_relay_done_seconds: float
    #: New PostgreSQL connections the pool opened during the kit phase.
    kit_db_connects: int
    relay_only_rate: float | None = None
    relay_only_cpu: float | None = None
    relay_only_cpu_ms: float | None = None
    consumer_only_rate: float | None = None
    consumer_only_cpu: float | None = None
    consumer_only_cpu_ms: float | None = None


def phase_fields(prefix: str, timing: Timing, count: int) -> dict[str, float]:
    return {
        f"{prefix}_rate": timing.rate(count),
        f"{prefix}_cpu": timing.cpu_share,
        f"{prefix}_cpu_ms": timing.cpu_seconds * 1000 / count,
    }


@dataclass
class Report:
    date: str
    messages: int
    settings: dict[str, Any]
    versions: dict[str, str] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    rounds: list[RoundResult] = field(default_factory=list)

    def median(self, name: str) -> float | None:
        values = [v for v in (getattr(r, name) for r in self.rounds) if v is not None]
        return statistics.median(values) if values else None

    def medians(self) -> dict[str, float | None]:
        return {name: self.median(name) for name in RoundResult.__dataclass_fields__}


# --- isolation: a vhost and a database of our own ---------------------------------------------


def _rabbitmqctl(options: Options, *args: str) -> None:
    subprocess.run([*options.rabbitmqctl, *args], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def rabbit_vhost(options: Options, run_id: str) -> Iterator[str]:
    """A fresh vhost for this run; yields its AMQP URL and deletes the vhost afterwards."""
    vhost = f"bench-{run_id}"
    _rabbitmqctl(options, "add_vhost", vhost)
    try:
        _rabbitmqctl(options, "set_permissions", "-p", vhost, options.amqp_user, ".*", ".*", ".*")
        yield f"amqp://{options.amqp_user}:{options.amqp_password}@{options.amqp_host}:{options.amqp_port}/{vhost}"
    finally:
        try:
            _rabbitmqctl(options, "delete_vhost", vhost)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"warning: could not delete vhost {vhost}: {exc!r}", file=sys.stderr)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _async_url(url: str, *, database: str | None = None) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"the benchmark needs PostgreSQL, not {parsed.drivername}")
    parsed = parsed.set(drivername="postgresql+asyncpg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(statement, timeout=60)
    finally:
        await conn.close()


async def _drop_schemas(dsn: str, prefix: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await conn.fetch("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", prefix)
        for row in rows:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{row["nspname"]}" CASCADE', timeout=60)
    finally:
        await conn.close()


@contextlib.contextmanager
def postgres_database(options: Options, run_id: str) -> Iterator[str]:
    """Yields an async URL: of a fresh database, or of ``--database-url``.

    Every measurement creates its own schema ``bench_<run id>_<tag>``. In ``--database-url``
    those schemas are dropped at the end; a fresh database is dropped as a whole.
    """
    if options.database_url is not None:
        url = _async_url(options.database_url)
        try:
            yield url
        finally:
            try:
                asyncio.run(_drop_schemas(_asyncpg_dsn(url), f"bench_{run_id}_"))
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"warning: could not drop the schemas bench_{run_id}_*: {exc!r}", file=sys.stderr)
        return
    name = f"bench_{run_id}"
    asyncio.run(_admin(options.pg_admin_dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield _async_url(options.pg_admin_dsn, database=name)
    finally:
        try:
            asyncio.run(_admin(options.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"warning: could not drop database {name}: {exc!r}", file=sys.stderr)


# --- 1. raw aio-pika --------------------------------------------------------------------------


async def run_raw(options: Options, amqp_url: str, tag: str) -> Timing:
    """From the first publish to the last ack of N messages, aio-pika alone."""
    n = options.messages
    exchange_name = queue_name = f"bench.raw.{tag}"
    contract = bench_contract(exchange_name)
    bodies = [sample_body(contract, i) for i in range(n)]  # serialised beforehand, like the outbox rows
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        # One connection with a confirming publish channel and a consume channel, like kit.Broker;
        # the same quorum queue, exchange and binding as the kit declares.
        publish_channel = await connection.channel(publisher_confirms=True)
        consume_channel = await connection.channel(publisher_confirms=False)
        await consume_channel.set_qos(prefetch_count=options.prefetch)
        queue = await declare_queue(
            consume_channel, QueueSpec(queue_name, (Binding(exchange_name, contract.binding_key),))
        )
        exchange = await declare_exchange(publish_channel, exchange_name)

        done = asyncio.Event()
        seen: set[str] = set()
        last_ack = 0.0

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal last_ack
            await message.ack()
            seen.add(message.message_id or "")
            if len(seen) >= n and not done.is_set():
                last_ack = time.monotonic()
                done.set()

        await queue.consume(on_message, no_ack=False)

        async def publish(i: int) -> None:
            message = aio_pika.Message(
                body=bodies[i],
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=f"raw-{i}",
                type=contract.type,
                correlation_id=f"bench-{i}",
                app_id="bench-raw",
                timestamp=datetime.now(UTC),
                headers={},
            )
            await exchange.publish(message, routing_key=_ROUTING_KEY, mandatory=False, timeout=10.0)

        batches = iter(range(0, n, options.raw_batch))

        async def publisher() -> None:
            # The publishers share the batches: up to raw_in_flight × raw_batch unconfirmed at once.
            for start in batches:
                await asyncio.gather(*(publish(i) for i in range(start, min(n, start + options.raw_batch))))

        watch = Stopwatch()
        await asyncio.wait_for(
            asyncio.gather(*(publisher() for _ in range(options.raw_in_flight))), options.timeout
        )
        await asyncio.wait_for(done.wait(), options.timeout)
        return watch.stop(at=last_ack)
    finally:
        await connection.close()


# --- 2. and 3. the kit ------------------------------------------------------------------------


@dataclass(frozen=True)
class KitSchema:
    tables: MessagingTables
    effects: Table
    metadata: MetaData


def kit_schema(schema: str) -> KitSchema:
    """The service's tables (outbox, inbox) and the handler's ``effects``, in a schema of their own."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION, schema=schema)
    tables = messaging_tables(metadata)
    effects = Table(
        "effects",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("message_id", String(36), nullable=False),
        Column("sequence", Integer, nullable=False),
    )
    return KitSchema(tables, effects, metadata)


class CountingRelay(OutboxRelay):
    """The kit's relay, noting when it has published (and marked sent) a given number of rows."""

    def __init__(self, *args: Any, target: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.published = 0
        self.finished_at: float | None = None
        self.all_published = asyncio.Event()

    async def publish_pending(self) -> int:
        count = await super().publish_pending()
        self.published += count
        if self.published >= self.target and self.finished_at is None:
            self.finished_at = time.monotonic()
            self.all_published.set()
        return count


class EffectCounter:
    """Counts committed effects, through the database's commit hook (the handler notes its effects
    in the session's ``info``; a rolled-back transaction never reaches the hook)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self.target = 0
        self.reached_at: float | None = None
        self.reached = asyncio.Event()
        db.on_commit(self._on_commit)

    def expect(self, target: int) -> None:
        self.count, self.target, self.reached_at = 0, target, None
        self.reached.clear()

    def _on_commit(self, session: Session) -> None:
        effects: int = session.info.pop(_EFFECT_KEY, 0)
        if effects:
            self.count += effects
            if self.count >= self.target and self.reached_at is None:
                self.reached_at = time.monotonic()
                self.reached.set()


class ConnectCounter:
    """Counts new DBAPI connections the engine's pool opens."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "connect", self._on_connect)

    def _on_connect(self, _dbapi_connection: Any, _record: Any) -> None:
        self.count += 1


@dataclass
class KitResult:
    outbox_write: Timing
    #: end to end (relay and consumer together); None with ``split``
    kit: Timing | None = None
    relay_done_seconds: float = 0.0
    db_connects: int = 0
    #: with ``split``: the relay alone, then the consumer alone
    relay_only: Timing | None = None
    consumer_only: Timing | None = None


class KitRun:
    """One measurement of the kit in its own schema, exchange and queue: a service that relays its
    outbox and consumes the queue its messages are routed to."""

    def __init__(self, options: Options, amqp_url: str, database_url: str, *, schema: str, tag: str) -> None:
        self.options = options
        self.amqp_url = amqp_url
        self.database_url = database_url
        self.schema = schema
        self.ks = kit_schema(schema)
        self.exchange = self.queue = f"bench.kit.{tag}"
        self.app_id = f"bench-{tag}"
        self.contract = bench_contract(self.exchange)
        self.contracts = ContractRegistry()
        self.contracts.register(self.contract)
        self._effect = insert(self.ks.effects)

    async def handle(self, session: AsyncSession, message: Received[BenchNoted]) -> None:
        """What a real handler does: one small write in the consumer's transaction."""
        await session.execute(
            self._effect,
            {"message_id": str(message.envelope.message_id), "sequence": message.payload.sequence},
        )
        session.info[_EFFECT_KEY] = session.info.get(_EFFECT_KEY, 0) + 1

    async def run(self, *, split: bool = False, profile: cProfile.Profile | None = None) -> KitResult:
        o = self.options
        db = Database(self.database_url, pool_size=o.pool_size)
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
                await conn.run_sync(self.ks.metadata.create_all)
            result = KitResult(outbox_write=await self.write_outbox(db))
            binding = Binding(self.exchange, self.contract.binding_key)
            topology = Topology(exchanges=(self.exchange,), queues=(QueueSpec(self.queue, (binding,)),))
            broker = Broker(self.amqp_url, app_id=self.app_id, topology=topology, prefetch=o.prefetch)
            await asyncio.wait_for(broker.connect(), 30)  # declares the queue before anything is published
            try:
                if split:
                    await self.measure_split(db, broker, result)
                else:
                    await self.measure_end_to_end(db, broker, result, profile)
            finally:
                await broker.close()
            await self.verify(db)
        finally:
            await db.dispose()
        return result

    async def write_outbox(self, db: Database) -> Timing:
        """N messages through Outbox.put, ``tx_size`` per transaction, by ``writers`` writers."""
        n, size = self.options.messages, self.options.tx_size
        outbox = Outbox(self.ks.tables, producer="bench")
        chunks = iter(range(0, n, size))

        async def writer() -> None:
            for start in chunks:
                async with db.transaction() as session:
                    for i in range(start, min(n, start + size)):
                        await outbox.put(
                            session,
                            self.contract,
                            BenchNoted(note=f"note {i}", sequence=i),
                            correlation_id=f"bench-{i}",
                            routing={"topic": "t"},
                        )

        watch = Stopwatch()
        await asyncio.wait_for(
            asyncio.gather(*(writer() for _ in range(self.options.writers))), self.options.timeout
        )
        return watch.stop()

    def _parts(self, db: Database, broker: Broker) -> tuple[Consumer, CountingRelay, EffectCounter]:
        consumer = Consumer(
            queue=self.queue,
            handlers={self.contract.type: self.handle},
            contracts=self.contracts,
            db=db,
            tables=self.ks.tables,
            broker=broker,
        )
        relay = CountingRelay(
            db,
            self.ks.tables,
            broker,
            batch_size=self.options.relay_batch,
            poll_interval=0.2,
            target=self.options.messages,
        )
        counter = EffectCounter(db)
        counter.expect(self.options.messages)
        return consumer, relay, counter

    async def measure_end_to_end(
        self, db: Database, broker: Broker, result: KitResult, profile: cProfile.Profile | None
    ) -> None:
        timeout = self.options.timeout
        consumer, relay, counter = self._parts(db, broker)
        connects = ConnectCounter(db)
        await consumer.start(broker.queues[self.queue])
        if profile is not None:
            profile.enable()
        watch = Stopwatch()
        relay_task = asyncio.create_task(relay.run(), name="bench-relay")
        try:
            await asyncio.wait_for(counter.reached.wait(), timeout)
            # The last effects may commit before the relay's own transaction marks its batch
            # sent: let it finish rather than cancel it in the middle.
            await asyncio.wait_for(relay.all_published.wait(), timeout)
        finally:
            if profile is not None:
                profile.disable()
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
        if counter.reached_at is None or relay.finished_at is None:
            raise RuntimeError("the kit phase ended before every message was published and handled")
        result.kit = watch.stop(at=counter.reached_at)
        result.relay_done_seconds = relay.finished_at - watch.started
        result.db_connects = connects.count

    async def measure_split(self, db: Database, broker: Broker, result: KitResult) -> None:
        timeout = self.options.timeout
        consumer, relay, counter = self._parts(db, broker)
        watch = Stopwatch()
        relay_task = asyncio.create_task(relay.run(), name="bench-relay-alone")
        try:
            await asyncio.wait_for(relay.all_published.wait(), timeout)
        finally:
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
        if relay.finished_at is None:
            raise RuntimeError("the relay stopped before publishing every message")
        result.relay_only = watch.stop(at=relay.finished_at)

        watch = Stopwatch()
        await consumer.start(broker.queues[self.queue])
        await asyncio.wait_for(counter.reached.wait(), timeout)
        if counter.reached_at is None:
            raise RuntimeError("the consumer stopped before handling every message")
        result.consumer_only = watch.stop(at=counter.reached_at)

    async def verify(self, db: Database) -> None:
        """Every message had exactly one effect and one inbox row; nothing is left in the outbox."""
        expected = self.options.messages
        tables = self.ks.tables
        async with db.transaction() as session:
            effects = await session.scalar(select(func.count()).select_from(self.ks.effects))
            inbox = await session.scalar(select(func.count()).select_from(tables.inbox))
            pending = await session.scalar(
                select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
            )
        if (effects, inbox, pending) != (expected, expected, 0):
            raise RuntimeError(
                f"kit run inconsistent: effects={effects} inbox={inbox} "
                f"unpublished={pending}, expected {expected} effects"
            )


# --- orchestration ----------------------------------------------------------------------------


async def collect_versions(amqp_url: str, database_url: str) -> dict[str, str]:
    versions: dict[str, str] = {"python": platform.python_version()}
    for package in ("aio-pika", "aiormq", "SQLAlchemy", "asyncpg", "pydantic"):
        with contextlib.suppress(importlib_metadata.PackageNotFoundError):
            versions[package] = importlib_metadata.version(package)
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        properties = getattr(getattr(connection.transport, "connection", None), "server_properties", {})
        version = properties.get("version", "?")
        versions["rabbitmq"] = version.decode() if isinstance(version, bytes) else str(version)
    finally:
        await connection.close()
    conn = await asyncpg.connect(_asyncpg_dsn(database_url), timeout=10)
    try:
        versions["postgresql"] = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    return versions


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run_rounds(options: Options, amqp_url: str, database_url: str, run_id: str, report: Report) -> None:
    report.versions = await collect_versions(amqp_url, database_url)
    profile = cProfile.Profile() if options.profile_path is not None else None
    n = options.messages

    def kit(tag: str) -> KitRun:
        return KitRun(options, amqp_url, database_url, schema=f"bench_{run_id}_{tag}", tag=tag)

    for number in range(1, options.rounds + 1):
        step = f"round {number}/{options.rounds}:"
        _say(f"{step} raw aio-pika, {n} messages …")
        raw = await run_raw(options, amqp_url, f"raw{number}")
        _say(f"{step} raw {raw.rate(n):,.0f} msg/s; kit: outbox write, then relay + consumer …")
        measured = await kit(f"e2e{number}").run(profile=profile if number == 1 else None)
        if measured.kit is None:
            raise RuntimeError("no end-to-end timing")
        _say(f"{step} kit {measured.kit.rate(n):,.0f} msg/s")
        result = RoundResult(
            **phase_fields("raw", raw, n),
            **phase_fields("outbox_write", measured.outbox_write, n),
            **phase_fields("kit", measured.kit, n),
            ratio=raw.seconds / measured.kit.seconds,
            kit_relay_done_seconds=measured.relay_done_seconds,
            kit_db_connects=measured.db_connects,
        )
        if options.breakdown:
            _say(f"{step} breakdown: relay alone, then consumer alone …")
            split = await kit(f"split{number}").run(split=True)
            if split.relay_only is None or split.consumer_only is None:
                raise RuntimeError("no breakdown timings")
            for name, value in {
                **phase_fields("relay_only", split.relay_only, n),
                **phase_fields("consumer_only", split.consumer_only, n),
            }.items():
                setattr(result, name, value)
        report.rounds.append(result)
    if profile is not None and options.profile_path is not None:
        profile.dump_stats(options.profile_path)
        _say(f"cProfile of the first kit end-to-end phase written to {options.profile_path}")


def print_table(report: Report) -> None:
    several = len(report.rounds) > 1
    header = ("", "median", "CPU", "CPU/msg", "rounds" if several else "")
    rows: list[tuple[str, str, str, str, str]] = []

    def add(label: str, prefix: str) -> None:
        rate_ = report.median(f"{prefix}_rate")
        if rate_ is None:
            return
        cpu, cpu_ms = report.median(f"{prefix}_cpu"), report.median(f"{prefix}_cpu_ms")
        each = ", ".join(f"{getattr(r, f'{prefix}_rate'):,.0f}" for r in report.rounds) if several else ""
        rows.append(
            (
                label,
                f"{rate_:,.0f} msg/s",
                f"{cpu:.0%}" if cpu is not None else "",
                f"{cpu_ms:.2f} ms" if cpu_ms is not None else "",
                each,
            )
        )

    add("raw aio-pika: publish+confirm → consume+ack", "raw")
    add("kit: outbox → relay → consumer (inbox+effect)", "kit")
    ratio = report.median("ratio")
    if ratio is not None:
        rows.append(
            (
                "ratio kit / raw (goal ≥ 50%)",
                f"{ratio:.0%}",
                "",
                "",
                ", ".join(f"{r.ratio:.0%}" for r in report.rounds) if several else "",
            )
        )
    add("outbox write through Outbox.put", "outbox_write")
    add("breakdown: relay alone", "relay_only")
    add("breakdown: consumer alone", "consumer_only")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    versions = report.versions
    print(
        f"\nMessaging benchmark, {report.messages:,} messages × {len(report.rounds)} round(s); "
        f"RabbitMQ {versions.get('rabbitmq', '?')}, PostgreSQL {versions.get('postgresql', '?')}, "
        f"{report.machine.get('cpus', '?')} CPUs"
    )
    print("settings: " + " ".join(f"{k}={v}" for k, v in report.settings.items()))
    for row in [header, *rows]:
        print(
            "  ".join(
                [
                    f"{row[0]:<{widths[0]}}",
                    *(f"{cell:>{w}}" for cell, w in zip(row[1:4], widths[1:4], strict=True)),
                    row[4],
                ]
            ).rstrip()
        )
    print(
        "CPU: share of one core used by this process (near 100%: Python is the bottleneck); "
        "CPU/msg: its CPU time per message."
    )
    load = report.machine.get("load_average")
    if load:
        print(
            f"load average before/after the run: {load['before']} / {load['after']} "
            "(other work on the machine makes the figures noisy)"
        )


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.messaging",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--messages", type=int, default=20_000, help="messages per measurement (20000)")
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL to use (in fresh schemas); default: a fresh database"
    )
    parser.add_argument(
        "--pg-admin-dsn",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="where to create the fresh database",
    )
    parser.add_argument("--amqp-host", default="127.0.0.1")
    parser.add_argument("--amqp-port", type=int, default=5672)
    parser.add_argument("--amqp-user", default="guest")
    parser.add_argument("--amqp-password", default="guest")
    parser.add_argument("--rabbitmqctl", default="rabbitmqctl", help="command that manages vhosts")
    parser.add_argument(
        "--prefetch",
        type=int,
        default=KIT_PREFETCH,
        help=f"consumer prefetch, raw and kit (the kit's default, {KIT_PREFETCH})",
    )
    parser.add_argument("--relay-batch", type=int, default=500, help="OutboxRelay batch_size (500)")
    parser.add_argument("--pool-size", type=int, default=20, help="Database pool_size (20)")
    parser.add_argument("--tx-size", type=int, default=100, help="Outbox.put calls per transaction (100)")
    parser.add_argument("--writers", type=int, default=1, help="concurrent outbox writers (1)")
    parser.add_argument("--raw-batch", type=int, default=500, help="raw publishes gathered per batch (500)")
    parser.add_argument("--raw-in-flight", type=int, default=2, help="raw batches in flight at once (2)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat raw + kit, report medians (1)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the relay alone and then the consumer alone"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="limit per timed phase, seconds (120)")
    parser.add_argument("--json", dest="json_path", type=Path, default=None, help="write the results as JSON")
    parser.add_argument(
        "--profile",
        dest="profile_path",
        type=Path,
        default=None,
        help="cProfile the first kit end-to-end phase into this file (pstats)",
    )
    args = parser.parse_args(argv)
    for name in (
        "messages",
        "prefetch",
        "relay_batch",
        "pool_size",
        "tx_size",
        "writers",
        "raw_batch",
        "raw_in_flight",
        "rounds",
    ):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    return Options(
        messages=args.messages,
        database_url=args.database_url,
        pg_admin_dsn=args.pg_admin_dsn,
        amqp_host=args.amqp_host,
        amqp_port=args.amqp_port,
        amqp_user=args.amqp_user,
        amqp_password=args.amqp_password,
        rabbitmqctl=tuple(shlex.split(args.rabbitmqctl)),
        prefetch=args.prefetch,
        relay_batch=args.relay_batch,
        pool_size=args.pool_size,
        tx_size=args.tx_size,
        writers=args.writers,
        raw_batch=args.raw_batch,
        raw_in_flight=args.raw_in_flight,
        rounds=args.rounds,
        breakdown=args.breakdown,
        timeout=args.timeout,
        json_path=args.json_path,
        profile_path=args.profile_path,
    )


def _load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM like Ctrl-C: unwinds through the finally blocks that remove the vhost and the database.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    signal.signal(signal.SIGTERM, _terminate)
    run_id = uuid.uuid4().hex[:10]
    report = Report(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        messages=options.messages,
        settings=options.tuning(),
        machine={
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average": {"before": _load_average()},
        },
    )
    try:
        with rabbit_vhost(options, run_id) as amqp_url, postgres_database(options, run_id) as database_url:
            asyncio.run(run_rounds(options, amqp_url, database_url, run_id, report))
    except KeyboardInterrupt:
        print("interrupted; the vhost and the database were removed", file=sys.stderr)
        return 130
    except TimeoutError:
        print(
            f"a phase took longer than --timeout {options.timeout:g}s; the vhost and the database "
            "were removed",
            file=sys.stderr,
        )
        return 1
    report.machine["load_average"]["after"] = _load_average()
    print_table(report)
    if options.json_path is not None:
        document = {**asdict(report), "median": report.medians()}
        options.json_path.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
