"""A tiny service for the kit's tests: its own tables, an outbox, a broker, a test contract."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aio_pika
from pydantic import Field
from sqlalchemy import Column, Integer, String, Table, func, insert, select

from kit.contracts.base import Contract, ContractRegistry, Payload
from kit.db import Database, new_metadata
from kit.messaging.broker import Broker
from kit.messaging.envelope import Envelope
from kit.messaging.outbox import Outbox, OutboxRelay
from kit.messaging.tables import MessagingTables, messaging_tables
from kit.messaging.topology import Binding, QueueSpec, Topology
from kit.retry import Backoff

FAST = Backoff(initial=0.05, maximum=0.2)


class Noted(Payload):
    note: str = Field(min_length=1)
    sequence: int = 0


def make_contract(exchange: str) -> Contract:
    return Contract(
        type="test.note.written",
        version=1,
        payload=Noted,
        exchange=exchange,
        routing_key="test.note.{topic}.written",
        producer="test",
        summary="test",
    )


@dataclass
class Harness:
    db: Database
    tables: MessagingTables
    effects: Table
    contracts: ContractRegistry
    contract: Contract
    outbox: Outbox

    async def effect_count(self, note: str | None = None) -> int:
        query = select(func.count()).select_from(self.effects)
        if note is not None:
            query = query.where(self.effects.c.note == note)
        async with self.db.transaction() as session:
            return int(await session.scalar(query) or 0)

    async def record_effect(self, session: Any, note: str) -> None:
        await session.execute(insert(self.effects).values(note=note))

    async def pending_outbox(self) -> int:
        async with self.db.transaction() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(self.tables.outbox)
                    .where(self.tables.outbox.c.published_at.is_(None))
                )
                or 0
            )


@asynccontextmanager
async def harness(database_url: str, exchange: str) -> AsyncIterator[Harness]:
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("note", String(200), nullable=False),
    )
    db = Database(database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    contract = make_contract(exchange)
    contracts = ContractRegistry()
    contracts.register(contract)
    try:
        yield Harness(db, tables, effects, contracts, contract, Outbox(tables, producer="test"))
    finally:
        await db.dispose()


def queue_spec(name: str, exchange: str, *, delivery_limit: int = 5) -> QueueSpec:
    return QueueSpec(
        name=name, bindings=(Binding(exchange, "test.note.*.written"),), delivery_limit=delivery_limit
    )


@asynccontextmanager
async def connected_broker(url: str, topology: Topology, *, prefetch: int = 32) -> AsyncIterator[Broker]:
    broker = Broker(url, app_id="test", topology=topology, prefetch=prefetch)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.close()


@asynccontextmanager
async def running_relay(h: Harness, broker: Broker, **kwargs: Any) -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(h.db, h.tables, broker, backoff=FAST, poll_interval=0.2, **kwargs)
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def drain(
    url: str, queue: str, *, expected: int, timeout: float = 10.0
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Read ``expected`` messages from ``queue`` (acking them), failing after ``timeout``."""
    received: list[aio_pika.abc.AbstractIncomingMessage] = []
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        q = await channel.get_queue(queue, ensure=False)
        deadline = asyncio.get_running_loop().time() + timeout
        while len(received) < expected and asyncio.get_running_loop().time() < deadline:
            message = await q.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            received.append(message)
    finally:
        await connection.close()
    return received


async def publish_raw(url: str, exchange: str, routing_key: str, body: bytes, **properties: Any) -> None:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        await target.publish(aio_pika.Message(body=body, **properties), routing_key=routing_key)
    finally:
        await connection.close()


def envelope_for(
    contract: Contract, payload: Payload, *, correlation_id: str = "corr-1", **kwargs: Any
) -> Envelope:
    return Envelope(
        type=contract.type,
        version=contract.version,
        producer="test",
        correlation_id=correlation_id,
        payload=payload.model_dump(mode="json"),
        **kwargs,
    )


async def wait_for(condition: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05) -> None:
    """Poll an async or sync condition until it is truthy; fail the test on timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


def body_json(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(message.body)
    return data
