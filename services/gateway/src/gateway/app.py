"""Builds the gateway: its runtime (database, messaging) and its HTTP API."""

from pathlib import Path

from fastapi import FastAPI

from gateway.accounts.routes import router as accounts_router
from gateway.accounts.service import upsert_demo_accounts
from gateway.auth.routes import router as auth_router
from gateway.auth.tokens import signing_key
from gateway.db import messaging
from gateway.directory import handlers as directory_handlers
from gateway.directory.routes import router as directory_router
from gateway.dms import handlers as dms_handlers
from gateway.dms.routes import router as dms_router
from gateway.dms.sweeper import sweeper
from gateway.notifications.routes import router as notifications_router
from gateway.oms import handlers as oms_handlers
from gateway.oms import lookups
from gateway.oms.foreigner_routes import router as oms_foreigner_router
from gateway.oms.routes import router as oms_router
from gateway.settings import GatewaySettings
from kit.contracts.directory import DIRECTORY_REFRESH_REQUESTED
from kit.contracts.dms import DMS_QUOTE_REQUESTED
from kit.crypto import DataCipher
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: GatewaySettings, cipher: DataCipher) -> ServiceRuntime:
    runtime = ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        tables=messaging,
        exchanges=(DIRECTORY_REFRESH_REQUESTED.exchange, DMS_QUOTE_REQUESTED.exchange),
        consumers=[
            directory_handlers.consumer(settings.max_deliveries),
            dms_handlers.consumer(cipher, settings.max_deliveries),
            oms_handlers.consumer(cipher, settings),
        ],
        on_database_ready=[directory_handlers.request_refresh],
    )
    if settings.seeds_demo_accounts:

        async def seed_demo_accounts(runtime: ServiceRuntime) -> None:
            async with runtime.db.transaction() as session:
                await upsert_demo_accounts(session, cipher)

        runtime.on_database_ready.append(seed_demo_accounts)
    runtime.add_background("dms-deadlines", sweeper(settings.sweep_interval_seconds))
    runtime.add_background("oms-lookups", lookups.retrier(cipher, settings.sweep_interval_seconds))
    return runtime


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    secret = settings.secret_key.get_secret_value()
    cipher = DataCipher(secret)
    app = create_service_app(
        build_runtime(settings, cipher),
        title="Gateway (Gosuslugi-like)",
        description="Accounts, ДМС-мигрант applications, the personal cabinet and the partner API of the "
        "interchange. Citizens log in at /oauth/token (password grant); partner systems use client "
        "credentials and act for an account holder who allowed it (On-Behalf-Of).",
        routers=[
            auth_router,
            accounts_router,
            dms_router,
            oms_router,
            oms_foreigner_router,
            notifications_router,
            directory_router,
        ],
        openapi_tags=[
            {"name": "auth", "description": "OAuth2 tokens: citizens (ESIA-like) and partner systems"},
            {"name": "accounts", "description": "The account holder's profile and partner consents"},
            {"name": "applications", "description": "ДМС-мигрант applications and their timeline"},
            {"name": "offers", "description": "Insurers' offers and accepting one"},
            {"name": "policies", "description": "Electronic policies, as data and PDF"},
            {
                "name": "oms",
                "description": "ОМС: own and children's policies, requests, operations, foreigners",
            },
            {"name": "notifications", "description": "Notifications in the personal cabinet"},
            {"name": "directory", "description": "Insurers taking part and what they offer"},
        ],
    )
    app.state.settings = settings
    app.state.cipher = cipher
    app.state.token_key = signing_key(secret)
    return app
