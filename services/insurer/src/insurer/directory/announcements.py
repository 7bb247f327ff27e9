"""The insurer announces itself at every start and whenever the gateway asks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from insurer.plugin import InsurerPlugin
from kit.contracts.directory import (
    DIRECTORY_REFRESH_REQUESTED,
    INSURER_ANNOUNCED,
    DirectoryRefreshRequested,
    InsurerAnnounced,
    Licence,
    Product,
)
from kit.messaging import Binding, Outbox, QueueSpec, Received
from kit.runtime import ConsumerSpec, ServiceRuntime


def announcement(plugin: InsurerPlugin, instance_started_at: datetime) -> InsurerAnnounced:
    identity = plugin.identity
    return InsurerAnnounced(
        code=identity.code,
        legal_name=identity.legal_name,
        short_name=identity.short_name,
        inn=identity.inn,
        ogrn=identity.ogrn,
        licence=Licence(number=identity.licence.number, issued_on=identity.licence.issued_on),
        address=identity.address,
        phone=identity.phone,
        website=identity.website,
        regions=sorted(plugin.regions()),
        products=[Product(code=p.code, name=p.name, line=p.line) for p in plugin.products()],
        synthetic=identity.synthetic,
        instance_started_at=instance_started_at,
    )


class Announcer:
    def __init__(self, plugin: InsurerPlugin, outbox: Outbox, instance_started_at: datetime) -> None:
        self.plugin = plugin
        self.outbox = outbox
        self.instance_started_at = instance_started_at

    async def announce(self, session: AsyncSession, *, causation_id: str | None = None) -> None:
        await self.outbox.put(
            session,
            INSURER_ANNOUNCED,
            announcement(self.plugin, self.instance_started_at),
            correlation_id=f"directory.{self.plugin.identity.code}",
            causation_id=causation_id,
            routing={"insurer": self.plugin.identity.code},
        )

    async def announce_at_start(self, runtime: ServiceRuntime) -> None:
        async with runtime.db.transaction() as session:
            await self.announce(session)

    async def on_refresh_requested(
        self, session: AsyncSession, message: Received[DirectoryRefreshRequested]
    ) -> None:
        await self.announce(session, causation_id=str(message.envelope.message_id))

    def consumer(self, max_deliveries: int) -> ConsumerSpec:
        return ConsumerSpec(
            queue=QueueSpec(
                f"insurer.{self.plugin.identity.code}.directory",
                bindings=(
                    Binding(DIRECTORY_REFRESH_REQUESTED.exchange, DIRECTORY_REFRESH_REQUESTED.binding_key),
                ),
                delivery_limit=max_deliveries,
            ),
            handlers={DIRECTORY_REFRESH_REQUESTED.type: self.on_refresh_requested},
        )
