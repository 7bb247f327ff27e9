"""Idempotent consumer, retries and dead-lettering on real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aio_pika

from kit.messaging.consumer import Consumer, Received, Unprocessable
from kit.messaging.topology import Topology, dead_letter_queue_name
from shared.tests.harness import (
    FAST,
    Harness,
    Noted,
    connected_broker,
    drain,
    envelope_for,
    harness,
    publish_raw,
    queue_spec,
    wait_for,
)
from tests.support.proxy import TcpProxy


@asynccontextmanager
async def consuming(
    h: Harness,
    amqp_url: str,
    exchange: str,
    queue: str,
    *,
    fail_on: str | None = None,
    unprocessable_on: str | None = None,
    max_deliveries: int = 3,
) -> AsyncIterator[list[str]]:
    """Consume ``queue`` with a handler that records each note as an effect (and fails on one)."""
    attempts: list[str] = []

    async def handle(session: Any, message: Received[Noted]) -> None:
        attempts.append(message.payload.note)
        await h.record_effect(session, message.payload.note)
        if message.payload.note == fail_on:
            raise RuntimeError(f"cannot handle {fail_on}")
        if message.payload.note == unprocessable_on:
            raise Unprocessable(f"{unprocessable_on} refers to nothing")

    topology = Topology(
        exchanges=(exchange,), queues=(queue_spec(queue, exchange, delivery_limit=max_deliveries),)
    )
    async with connected_broker(amqp_url, topology) as broker:
        consumer = Consumer(
            queue=queue,
            handlers={h.contract.type: handle},
            contracts=h.contracts,
            db=h.db,
            tables=h.tables,
            broker=broker,
            max_deliveries=max_deliveries,
            backoff=FAST,
        )
        await consumer.start(broker.queues[queue])
        yield attempts


async def test_message_delivered_twice_has_one_effect(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    async with harness(database_url, exchange) as h, consuming(h, amqp_url, exchange, queue) as attempts:
        envelope = envelope_for(h.contract, Noted(note="once"))
        for _ in range(2):  # the broker redelivers, or the producer's relay republishes after a lost confirm
            await publish_raw(
                amqp_url,
                exchange,
                "test.note.x.written",
                envelope.body(),
                message_id=str(envelope.message_id),
            )
        await publish_raw(
            amqp_url, exchange, "test.note.x.written", envelope_for(h.contract, Noted(note="marker")).body()
        )
        await wait_for(lambda: "marker" in attempts)
        assert await h.effect_count("once") == 1
        assert attempts.count("once") == 1


async def test_same_id_with_another_payload_is_dead_lettered(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    async with harness(database_url, exchange) as h, consuming(h, amqp_url, exchange, queue) as attempts:
        original = envelope_for(h.contract, Noted(note="original"))
        forged = original.model_copy(update={"payload": {"note": "forged", "sequence": 0}})
        await publish_raw(amqp_url, exchange, "test.note.x.written", original.body())
        await wait_for(lambda: "original" in attempts)
        await publish_raw(amqp_url, exchange, "test.note.x.written", forged.body())
        dead = await drain(amqp_url, dead_letter_queue_name(queue), expected=1)
        assert len(dead) == 1
        assert "different payload" in dead[0].headers["x-dead-letter-reason"]
        assert json.loads(dead[0].body)["payload"]["note"] == "forged"
        assert await h.effect_count("forged") == 0


async def test_poison_message_is_dead_lettered_after_the_limit_and_consumer_goes_on(
    database_url, amqp_url, unique
):
    exchange, queue = unique("ex"), unique("q")
    async with (
        harness(database_url, exchange) as h,
        consuming(h, amqp_url, exchange, queue, fail_on="poison", max_deliveries=3) as attempts,
    ):
        await publish_raw(
            amqp_url, exchange, "test.note.x.written", envelope_for(h.contract, Noted(note="poison")).body()
        )
        dead = await drain(amqp_url, dead_letter_queue_name(queue), expected=1)
        assert len(dead) == 1
        assert attempts.count("poison") == 3
        reason = dead[0].headers["x-dead-letter-reason"]
        assert "handler failed 3 times" in reason
        assert "cannot handle poison" in reason
        assert dead[0].headers["x-original-queue"] == queue
        # Each failed attempt rolled back its effect.
        assert await h.effect_count("poison") == 0

        await publish_raw(
            amqp_url, exchange, "test.note.x.written", envelope_for(h.contract, Noted(note="healthy")).body()
        )
        await wait_for(lambda: "healthy" in attempts)
        await wait_for(lambda: h.effect_count("healthy"))


async def test_unprocessable_message_is_dead_lettered_at_once_without_effect(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    async with (
        harness(database_url, exchange) as h,
        consuming(h, amqp_url, exchange, queue, unprocessable_on="orphan", max_deliveries=5) as attempts,
    ):
        await publish_raw(
            amqp_url, exchange, "test.note.x.written", envelope_for(h.contract, Noted(note="orphan")).body()
        )
        dead = await drain(amqp_url, dead_letter_queue_name(queue), expected=1)
        assert len(dead) == 1
        assert dead[0].headers["x-dead-letter-reason"] == "unprocessable: orphan refers to nothing"
        assert attempts.count("orphan") == 1  # no retries: they could not help
        assert await h.effect_count("orphan") == 0


async def test_malformed_bodies_are_dead_lettered_with_the_reason(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    async with harness(database_url, exchange) as h, consuming(h, amqp_url, exchange, queue) as attempts:
        good = envelope_for(h.contract, Noted(note="fine")).model_dump(mode="json")
        cases = {
            "not json": b"\xff\xfe this is not JSON",
            "no envelope": json.dumps({"hello": "world"}).encode(),
            "unknown type": json.dumps({**good, "message_id": None, "type": "nobody.knows.this"}).encode(),
            "schema violation": json.dumps({**good, "payload": {"note": ""}}).encode(),
            "extra field": json.dumps({**good, "payload": {"note": "x", "surprise": 1}}).encode(),
        }
        for body in cases.values():
            await publish_raw(amqp_url, exchange, "test.note.x.written", body)
        await publish_raw(
            amqp_url,
            exchange,
            "test.note.x.written",
            envelope_for(h.contract, Noted(note="after the garbage")).body(),
        )
        dead = await drain(amqp_url, dead_letter_queue_name(queue), expected=len(cases))
        reasons = [m.headers["x-dead-letter-reason"] for m in dead]
        assert len(reasons) == len(cases)
        assert reasons[0].startswith("malformed envelope")
        assert reasons[1].startswith("malformed envelope")
        # message_id None is itself a malformed envelope; the unknown type is checked with a valid id.
        assert reasons[2].startswith("malformed envelope")
        assert reasons[3].startswith("schema violation in test.note.written: note")
        assert "extra" in reasons[4].lower()
        await wait_for(lambda: "after the garbage" in attempts)
        assert attempts == ["after the garbage"]


async def test_unknown_message_type_is_dead_lettered(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    async with harness(database_url, exchange) as h, consuming(h, amqp_url, exchange, queue):
        stranger = envelope_for(h.contract, Noted(note="x")).model_dump(mode="json")
        stranger["type"] = "nobody.knows.this"
        await publish_raw(amqp_url, exchange, "test.note.x.written", json.dumps(stranger).encode())
        dead = await drain(amqp_url, dead_letter_queue_name(queue), expected=1)
        assert dead[0].headers["x-dead-letter-reason"] == "unknown message type 'nobody.knows.this'"


async def test_topology_declaration_is_idempotent_across_restarts(amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    topology = Topology(exchanges=(exchange,), queues=(queue_spec(queue, exchange),))
    async with connected_broker(amqp_url, topology):
        pass
    await publish_raw(
        amqp_url,
        exchange,
        "test.note.x.written",
        b"kept across restarts",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    for _ in range(2):  # the service restarts twice and declares everything again
        async with connected_broker(amqp_url, topology) as broker:
            assert set(broker.queues) == {queue}
    kept = await drain(amqp_url, queue, expected=1)
    assert [m.body for m in kept] == [b"kept across restarts"]
    # The declared queue is a quorum queue with the delivery limit and its dead-letter exchange:
    # declaring it passively with other arguments would fail, so check them through the broker.
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        with_other_args_fails = False
        try:
            await channel.declare_queue(queue, durable=True, arguments={"x-queue-type": "classic"})
        except aio_pika.exceptions.ChannelPreconditionFailed:
            with_other_args_fails = True
        assert with_other_args_fails
    finally:
        await connection.close()


async def test_database_outage_holds_messages_instead_of_dead_lettering_them(
    database_url, pg_server, amqp_url, unique
):
    exchange, queue = unique("ex"), unique("q")
    with TcpProxy(pg_server.host, pg_server.port) as pg_proxy:
        url = pg_server.url(database_url.rsplit("/", 1)[1], host=pg_proxy.host, port=pg_proxy.port)
        async with (
            harness(url, exchange) as h,
            consuming(h, amqp_url, exchange, queue, max_deliveries=2) as attempts,
        ):
            pg_proxy.stop()
            await h.db.engine.dispose()  # drop pooled connections, as a server restart would
            for note in ("during", "the", "outage"):
                await publish_raw(
                    amqp_url,
                    exchange,
                    "test.note.x.written",
                    envelope_for(h.contract, Noted(note=note), correlation_id=note).body(),
                )
            # Far longer than two deliveries' backoff: nothing may be dead-lettered meanwhile.
            await asyncio.sleep(2.0)
            assert await drain(amqp_url, dead_letter_queue_name(queue), expected=1, timeout=0.5) == []
            pg_proxy.start()
            await wait_for(lambda: len(set(attempts)) == 3, timeout=20)
            for note in ("during", "the", "outage"):
                assert await h.effect_count(note) == 1
        assert await drain(amqp_url, dead_letter_queue_name(queue), expected=1, timeout=0.5) == []
