"""The service's connection to RabbitMQ: connect with backoff, declare, publish with confirms."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractQueue,
    AbstractRobustConnection,
    DeliveryMode,
)

from kit.messaging.topology import Topology, declare, declare_exchange
from kit.retry import Backoff

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    pass


class Broker:
    def __init__(
        self, url: str, *, app_id: str, topology: Topology, prefetch: int = 64, publish_timeout: float = 10.0
    ) -> None:
        self.url = url
        self.app_id = app_id
        self.topology = topology
        self.prefetch = prefetch
        self.publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._consume_channel: AbstractChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}
        self.queues: dict[str, AbstractQueue] = {}

    @property
    def connected(self) -> bool:
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._publish_channel is not None
            and not self._publish_channel.is_closed
        )

    async def connect(self) -> None:
        """One attempt: connect, open the channels, declare the topology."""
        connection = await aio_pika.connect_robust(
            self.url,
            client_properties={"connection_name": self.app_id},
            reconnect_interval=1.0,
            timeout=5.0,
        )
        try:
            publish_channel = await connection.channel(publisher_confirms=True)
            consume_channel = await connection.channel(publisher_confirms=False)
            await consume_channel.set_qos(prefetch_count=self.prefetch)
            self.queues = await declare(consume_channel, self.topology)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._publish_channel = publish_channel
        self._consume_channel = consume_channel
        self._exchanges = {}

    async def connect_with_backoff(self, backoff: Backoff) -> None:
        """Keep trying until the broker answers; a service starting before RabbitMQ waits for it."""
        async for attempt in backoff.attempts():
            try:
                await self.connect()
                log.info("connected to RabbitMQ", extra={"attempt": attempt})
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any connection failure: retry
                log.warning("RabbitMQ unreachable, retrying", extra={"attempt": attempt, "error": repr(exc)})

    async def wait_connected(self, poll: float = 0.2) -> None:
        # aio-pika reconnects in the background and offers no event for "usable again": poll.
        while not self.connected:  # noqa: ASYNC110
            await asyncio.sleep(poll)

    async def _exchange(self, name: str) -> AbstractExchange:
        exchange = self._exchanges.get(name)
        if exchange is None:
            if self._publish_channel is None:
                raise BrokerUnavailable("not connected to RabbitMQ")
            exchange = await declare_exchange(self._publish_channel, name)
            self._exchanges[name] = exchange
        return exchange

    async def publish(
        self,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        message_id: str,
        message_type: str,
        correlation_id: str,
        headers: Mapping[str, Any] | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        """Publish one persistent message and wait for the broker's confirm.

        Unroutable messages are dropped by the broker (``mandatory=False``): an event nobody
        subscribes to yet is not an error in publish/subscribe.
        """
        if not self.connected:
            raise BrokerUnavailable("not connected to RabbitMQ")
        target = await self._exchange(exchange)
        message = aio_pika.Message(
            body=body,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=message_type,
            correlation_id=correlation_id,
            app_id=self.app_id,
            timestamp=timestamp,
            headers=dict(headers or {}),
        )
        await target.publish(message, routing_key=routing_key, mandatory=False, timeout=self.publish_timeout)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
        self._publish_channel = None
        self._consume_channel = None
