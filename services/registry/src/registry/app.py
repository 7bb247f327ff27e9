from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

import registry
from kit.contracts.oms import OMS_POLICY_CHANGED
from kit.http import create_app as create_service_app
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime, periodic
from registry.db import messaging
from registry.directory.routes import router as directory_router
from registry.policies import requests, service
from registry.policies.routes import router as policies_router
from registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).parent / "migrations"
#: The topic exchange this service publishes its events to.
EXCHANGE = OMS_POLICY_CHANGED.exchange


async def terminate_expired(session: AsyncSession, runtime: ServiceRuntime) -> int:
    return await service.terminate_expired(session, runtime.outbox, utcnow())


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, tables=messaging, exchanges=(EXCHANGE,))
    runtime.add_consumer(requests.consumer(runtime.outbox, settings.max_deliveries))
    runtime.add_background("policy-expiry", periodic(settings.expiry_interval_seconds, terminate_expired))
    app = create_service_app(
        runtime,
        title="Registry (ERZL-style)",
        description=(registry.__doc__ or "").strip(),
        routers=[policies_router, directory_router],
        openapi_tags=[
            {
                "name": "policies",
                "description": "ОМС policies: find, issue, suspend, resume, change, terminate",
            },
            {"name": "directory", "description": "Regions and ОМС insurers (СМО)"},
        ],
    )
    app.state.settings = settings
    return app
