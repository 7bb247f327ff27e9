"""Background upkeep: cancel payments whose time ran out, forget idempotence keys past their time."""

from __future__ import annotations

import asyncio
import logging

from kit.runtime import ServiceRuntime
from payments.deps import checkout_url, idempotence_ttl
from payments.idempotency.service import purge_expired
from payments.payments import service
from payments.settings import PaymentsSettings

log = logging.getLogger(__name__)


async def expire_once(runtime: ServiceRuntime, settings: PaymentsSettings) -> int:
    async with runtime.db.transaction() as session:
        expired = await service.expire_due(session, runtime.outbox, checkout_url(settings))
    async with runtime.db.transaction() as session:
        await purge_expired(session, idempotence_ttl(settings))
    if expired:
        log.info("expired payments canceled", extra={"count": expired})
    return expired


async def run_expiry(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, PaymentsSettings)
    while True:
        await expire_once(runtime, settings)
        await asyncio.sleep(settings.expiry_interval_seconds)
