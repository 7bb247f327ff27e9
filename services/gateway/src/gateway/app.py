"""Builds the gateway: its runtime (database, messaging) and its HTTP API."""

from pathlib import Path

from fastapi import FastAPI

from gateway.db import messaging
from gateway.directory import handlers as directory_handlers
from gateway.directory.routes import router as directory_router
from gateway.settings import GatewaySettings
from kit.contracts.directory import DIRECTORY_REFRESH_REQUESTED
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: GatewaySettings) -> ServiceRuntime:
    return ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        tables=messaging,
        exchanges=(DIRECTORY_REFRESH_REQUESTED.exchange,),
        consumers=[directory_handlers.consumer(settings.max_deliveries)],
        on_database_ready=[directory_handlers.request_refresh],
    )


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    return create_service_app(
        build_runtime(settings),
        title="Gateway (Gosuslugi-like)",
        description="Accounts, applications, the personal cabinet and the partner API of the interchange.",
        routers=[directory_router],
        openapi_tags=[{"name": "directory", "description": "Insurers taking part and what they offer"}],
    )
