"""A service's FastAPI app run in the test's event loop, on real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

#: Settings every in-process service of the tests shares (fast retries and outbox polling).
TEST_SETTINGS: dict[str, Any] = {
    "environment": "test",
    "secret_key": "test-secret-not-for-production",
    "retry_backoff_initial": 0.1,
    "retry_backoff_max": 1.0,
    "outbox_poll_interval": 0.2,
}


@asynccontextmanager
async def serving(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's runtime, wait until it is ready, and give a client that calls it in process."""
    runtime = app.state.runtime
    await runtime.start()
    try:
        for _ in range(300):
            if (await runtime.readiness()).ready:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{base_url} did not become ready")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        await runtime.stop()
