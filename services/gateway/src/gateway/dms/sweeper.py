"""Deadlines nobody sends a message about: the end of offer collection, offers lapsing, and a
policy overdue under DMS-06. One pass per interval; rows are taken with SKIP LOCKED, so several
gateway replicas share the work."""

from __future__ import annotations

import asyncio
import logging

from gateway.dms import service
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime, StartupHook

log = logging.getLogger(__name__)


async def sweep_once(runtime: ServiceRuntime) -> int:
    done = 0
    for step in (service.close_due_collections, service.expire_offers, service.flag_breached_deadlines):
        async with runtime.db.transaction() as session:
            done += await step(session, utcnow())
    return done


def sweeper(interval: float) -> StartupHook:
    async def run(runtime: ServiceRuntime) -> None:
        while True:
            await sweep_once(runtime)
            await asyncio.sleep(interval)

    return run
