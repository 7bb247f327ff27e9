"""Messages the directory consumes."""

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.directory import service
from kit.contracts.directory import (
    DIRECTORY_REFRESH_REQUESTED,
    INSURER_ANNOUNCED,
    DirectoryRefreshRequested,
    InsurerAnnounced,
)
from kit.messaging import Binding, QueueSpec, Received
from kit.messaging.envelope import utcnow
from kit.runtime import ConsumerSpec, ServiceRuntime

QUEUE = "gateway.directory"


async def on_insurer_announced(session: AsyncSession, message: Received[InsurerAnnounced]) -> None:
    await service.record_announcement(session, message.payload, received_at=utcnow())


def consumer(max_deliveries: int) -> ConsumerSpec:
    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=(Binding(INSURER_ANNOUNCED.exchange, INSURER_ANNOUNCED.binding_key),),
            delivery_limit=max_deliveries,
        ),
        handlers={INSURER_ANNOUNCED.type: on_insurer_announced},
    )


async def request_refresh(runtime: ServiceRuntime) -> None:
    """At every start, ask the insurers to announce themselves: the ones that started before the
    gateway's queue existed would otherwise stay unknown."""
    async with runtime.db.transaction() as session:
        await runtime.outbox.put(
            session,
            DIRECTORY_REFRESH_REQUESTED,
            DirectoryRefreshRequested(requested_at=utcnow(), reason="gateway started"),
            correlation_id="directory",
        )
