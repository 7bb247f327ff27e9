"""Exchanges and queues, declared at every start; declaring them again changes nothing.

Each producer owns one topic exchange. Each consumer queue is a durable quorum queue with a
delivery limit and its own dead-letter exchange ``<queue>.dlx`` and queue ``<queue>.dlq``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue, ExchangeType


def dead_letter_exchange_name(queue: str) -> str:
    return f"{queue}.dlx"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


@dataclass(frozen=True)
class Binding:
    exchange: str
    routing_key: str


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: tuple[Binding, ...]
    #: Deliveries after which the broker itself dead-letters (a safety net behind the consumer's
    #: own retry limit, for a message that crashes the process before it can be rejected).
    delivery_limit: int = 5


@dataclass(frozen=True)
class Topology:
    exchanges: tuple[str, ...] = ()
    queues: tuple[QueueSpec, ...] = field(default_factory=tuple)

    def all_exchanges(self) -> list[str]:
        names = list(self.exchanges)
        for queue in self.queues:
            names.extend(b.exchange for b in queue.bindings if b.exchange not in names)
        return list(dict.fromkeys(names))


async def declare_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, ExchangeType.TOPIC, durable=True)


async def declare_queue(channel: AbstractChannel, spec: QueueSpec) -> AbstractQueue:
    # A topic exchange bound with "#": the consumer publishes rejects into it with their reason.
    dlx = await declare_exchange(channel, dead_letter_exchange_name(spec.name))
    dlq = await channel.declare_queue(
        dead_letter_queue_name(spec.name), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dlx, routing_key="#")
    queue = await channel.declare_queue(
        spec.name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": spec.delivery_limit,
            "x-dead-letter-exchange": dead_letter_exchange_name(spec.name),
        },
    )
    for binding in spec.bindings:
        exchange = await declare_exchange(channel, binding.exchange)
        await queue.bind(exchange, routing_key=binding.routing_key)
    return queue


async def declare(channel: AbstractChannel, topology: Topology) -> dict[str, AbstractQueue]:
    """Declare everything; returns the consumer queues by name."""
    for name in topology.all_exchanges():
        await declare_exchange(channel, name)
    return {spec.name: await declare_queue(channel, spec) for spec in topology.queues}
