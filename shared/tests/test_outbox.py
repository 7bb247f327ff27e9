"""Transactional outbox on real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio

import pytest

from kit.messaging.topology import Topology
from shared.tests.harness import (
    Noted,
    body_json,
    connected_broker,
    drain,
    harness,
    queue_spec,
    running_relay,
    wait_for,
)
from tests.support.infra import RabbitVhost
from tests.support.proxy import TcpProxy


async def test_committed_message_is_published_after_commit(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    topology = Topology(exchanges=(exchange,), queues=(queue_spec(queue, exchange),))
    async with harness(database_url, exchange) as h, connected_broker(amqp_url, topology) as broker:
        async with h.db.transaction() as session:
            await h.record_effect(session, "state change")
            envelope = await h.outbox.put(
                session,
                h.contract,
                Noted(note="hello"),
                correlation_id="application-1",
                routing={"topic": "greetings"},
            )
            # Not yet committed: the relay, even if it ran now, sees nothing.
            async with running_relay(h, broker):
                await asyncio.sleep(0.3)
                assert await drain(amqp_url, queue, expected=1, timeout=0.3) == []
        async with running_relay(h, broker):
            received = await drain(amqp_url, queue, expected=1)
        assert len(received) == 1
        message = received[0]
        assert message.message_id == str(envelope.message_id)
        assert message.routing_key == "test.note.greetings.written"
        assert message.correlation_id == "application-1"
        assert body_json(message)["payload"] == {"note": "hello", "sequence": 0}
        assert await h.pending_outbox() == 0


async def test_rolled_back_transaction_publishes_nothing(database_url, amqp_url, unique):
    exchange, queue = unique("ex"), unique("q")
    topology = Topology(exchanges=(exchange,), queues=(queue_spec(queue, exchange),))
    async with harness(database_url, exchange) as h, connected_broker(amqp_url, topology) as broker:
        with pytest.raises(RuntimeError, match="business rule"):  # noqa: PT012
            async with h.db.transaction() as session:
                await h.record_effect(session, "half-done")
                await h.outbox.put(
                    session, h.contract, Noted(note="never"), correlation_id="c", routing={"topic": "t"}
                )
                raise RuntimeError("business rule failed after the message was written")
        async with running_relay(h, broker):
            assert await drain(amqp_url, queue, expected=1, timeout=1.0) == []
        assert await h.effect_count() == 0
        assert await h.pending_outbox() == 0


async def test_messages_wait_while_broker_is_unreachable_then_go_out_in_order(
    database_url, rabbit: RabbitVhost, amqp_url, unique
):
    exchange, queue = unique("ex"), unique("q")
    topology = Topology(exchanges=(exchange,), queues=(queue_spec(queue, exchange),))
    with TcpProxy(rabbit.host, rabbit.port) as proxy:
        async with (
            harness(database_url, exchange) as h,
            connected_broker(rabbit.url(host=proxy.host, port=proxy.port), topology) as broker,
        ):
            proxy.stop()  # RabbitMQ goes away
            await wait_for(lambda: not broker.connected)
            async with running_relay(h, broker):
                for sequence in range(20):
                    async with h.db.transaction() as session:
                        await h.outbox.put(
                            session,
                            h.contract,
                            Noted(note="ordered", sequence=sequence),
                            correlation_id=f"application-{sequence % 2}",
                            routing={"topic": "t"},
                        )
                await asyncio.sleep(1.0)
                assert await h.pending_outbox() == 20, "nothing may leave while the broker is away"

                proxy.start()  # RabbitMQ is back; the robust connection reconnects by itself
                await wait_for(_all_published(h), timeout=30)
            received = await drain(amqp_url, queue, expected=20)
    assert len(received) == 20
    for correlation in ("application-0", "application-1"):
        sequences = [body_json(m)["payload"]["sequence"] for m in received if m.correlation_id == correlation]
        assert sequences == sorted(sequences)
        assert len(sequences) == 10


def _all_published(h):
    async def check() -> bool:
        return await h.pending_outbox() == 0

    return check
